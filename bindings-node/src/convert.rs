//! Plain JavaScript objects of the model: camelCase fields, `Date` for the fields the model
//! types as times, strings for enums. Fields the model types as secrets are never copied into
//! them ([`to_js`] walks each value with its type's description).

use chrono::{DateTime, SecondsFormat, Utc};
use intune_apple_core::describe::{Builder, Describe};
use intune_apple_core::model::{
    ApplePushNotificationCertificate, DataSharingConsent, DepOnboardingSetting,
    ImportedAppleDeviceIdentity, ImportedAppleDeviceIdentityResult, VppToken, VppTokenActionResult,
    VppTokenLicenseSummary,
};
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, JsValue, Object, ToNapiValue, Unknown};
use napi::{Env, JsDate, Result, ValueType};
use napi_derive::napi;
use serde_json::Value;

use crate::error::{failure, Failure};

fn text<T: std::fmt::Display>(v: Option<T>) -> Option<String> {
    v.map(|v| v.to_string())
}

fn parse<T: for<'a> From<&'a str>>(v: Option<&String>) -> Option<T> {
    v.map(|s| T::from(s.as_str()))
}

/// **Imported device** (`importedAppleDeviceIdentity`): a serial number under an enrollment
/// program token.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ImportedDevice {
    /// Key.
    pub id: Option<String>,
    /// Serial number of the device.
    pub serial_number: Option<String>,
    /// The enrollment profile requested for the next enrollment.
    pub requested_enrollment_profile_id: Option<String>,
    /// When that profile was assigned.
    pub requested_enrollment_profile_assignment_date_time: Option<DateTime<Utc>>,
    /// Whether the device is supervised.
    pub is_supervised: Option<bool>,
    /// How Intune learnt of the device.
    #[napi(ts_type = "DiscoverySource")]
    pub discovery_source: Option<String>,
    /// Whether the device was deleted from Apple Business/School Manager.
    pub is_deleted: Option<bool>,
    /// When the identity was created.
    pub created_date_time: Option<DateTime<Utc>>,
    /// When the device last contacted Intune.
    pub last_contacted_date_time: Option<DateTime<Utc>>,
    /// Description.
    pub description: Option<String>,
    /// Enrollment state.
    #[napi(ts_type = "EnrollmentState")]
    pub enrollment_state: Option<String>,
    /// Platform.
    #[napi(ts_type = "Platform")]
    pub platform: Option<String>,
}

impl From<ImportedAppleDeviceIdentity> for ImportedDevice {
    fn from(d: ImportedAppleDeviceIdentity) -> Self {
        Self {
            id: d.id,
            serial_number: d.serial_number,
            requested_enrollment_profile_id: d.requested_enrollment_profile_id,
            requested_enrollment_profile_assignment_date_time: d
                .requested_enrollment_profile_assignment_date_time,
            is_supervised: d.is_supervised,
            discovery_source: text(d.discovery_source),
            is_deleted: d.is_deleted,
            created_date_time: d.created_date_time,
            last_contacted_date_time: d.last_contacted_date_time,
            description: d.description,
            enrollment_state: text(d.enrollment_state),
            platform: text(d.platform),
        }
    }
}

impl From<ImportedDevice> for ImportedAppleDeviceIdentity {
    fn from(d: ImportedDevice) -> Self {
        Self {
            odata_type: None,
            id: d.id,
            serial_number: d.serial_number,
            requested_enrollment_profile_id: d.requested_enrollment_profile_id,
            requested_enrollment_profile_assignment_date_time: d
                .requested_enrollment_profile_assignment_date_time,
            is_supervised: d.is_supervised,
            discovery_source: parse(d.discovery_source.as_ref()),
            is_deleted: d.is_deleted,
            created_date_time: d.created_date_time,
            last_contacted_date_time: d.last_contacted_date_time,
            description: d.description,
            enrollment_state: parse(d.enrollment_state.as_ref()),
            platform: parse(d.platform.as_ref()),
        }
    }
}

/// A value written as its `Display` text (the Graph name of an enum) without an allocation.
struct Shown<'a, T>(&'a T);

impl<T: std::fmt::Display> serde::Serialize for Shown<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

/// A time as the milliseconds since the epoch that a JS `Date` holds (what a `DateTime`
/// becomes through N-API). Written as an integer, which JavaScript reads as the same double
/// that `as f64` gives (both round the exact value to nearest), and faster than a float.
fn millis(t: Option<&DateTime<Utc>>) -> Option<i64> {
    t.map(DateTime::timestamp_millis)
}

/// One imported device as a JSON row: the fields of [`ImportedDevice`] in its order, `null`
/// for an absent one, times as epoch milliseconds. `index.js` (`deviceRows`) turns each row
/// back into the object N-API would build, with the same fields in the same order.
type DeviceRow<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<i64>,
    Option<bool>,
    Option<Shown<'a, intune_apple_core::model::DiscoverySource>>,
    Option<bool>,
    Option<i64>,
    Option<i64>,
    Option<&'a str>,
    Option<Shown<'a, intune_apple_core::model::EnrollmentState>>,
    Option<Shown<'a, intune_apple_core::model::Platform>>,
);

/// A slice of imported devices as one JSON array of rows (see [`DeviceRow`]): one string for
/// JavaScript to parse instead of one N-API call per field, which cost several times more.
pub(crate) fn device_rows(items: &[ImportedAppleDeviceIdentity]) -> serde_json::Result<String> {
    let rows: Vec<DeviceRow<'_>> = items
        .iter()
        .map(|d| {
            (
                d.id.as_deref(),
                d.serial_number.as_deref(),
                d.requested_enrollment_profile_id.as_deref(),
                millis(d.requested_enrollment_profile_assignment_date_time.as_ref()),
                d.is_supervised,
                d.discovery_source.as_ref().map(Shown),
                d.is_deleted,
                millis(d.created_date_time.as_ref()),
                millis(d.last_contacted_date_time.as_ref()),
                d.description.as_deref(),
                d.enrollment_state.as_ref().map(Shown),
                d.platform.as_ref().map(Shown),
            )
        })
        .collect();
    serde_json::to_string(&rows)
}

/// The result of importing one device.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ImportResult {
    /// Key.
    pub id: Option<String>,
    /// Serial number of the device.
    pub serial_number: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Platform.
    #[napi(ts_type = "Platform")]
    pub platform: Option<String>,
    /// Whether the import of this device succeeded.
    pub status: Option<bool>,
}

impl From<ImportedAppleDeviceIdentityResult> for ImportResult {
    fn from(r: ImportedAppleDeviceIdentityResult) -> Self {
        Self {
            id: r.id,
            serial_number: r.serial_number,
            description: r.description,
            platform: text(r.platform),
            status: r.status,
        }
    }
}

/// The tenant's **Apple MDM push certificate** (`applePushNotificationCertificate`).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct PushCertificate {
    /// Id (changes between calls: never key on it).
    pub id: Option<String>,
    /// The Apple ID the certificate was created with.
    pub apple_identifier: Option<String>,
    /// The topic, `com.apple.mgmt.External.<uuid>`.
    pub topic_identifier: Option<String>,
    /// Last change.
    pub last_modified_date_time: Option<DateTime<Utc>>,
    /// Expiry.
    pub expiration_date_time: Option<DateTime<Utc>>,
    /// Upload status.
    pub certificate_upload_status: Option<String>,
    /// Why the last upload failed.
    pub certificate_upload_failure_reason: Option<String>,
    /// Serial number of the certificate.
    pub certificate_serial_number: Option<String>,
}

impl From<ApplePushNotificationCertificate> for PushCertificate {
    fn from(c: ApplePushNotificationCertificate) -> Self {
        Self {
            id: c.id,
            apple_identifier: c.apple_identifier,
            topic_identifier: c.topic_identifier,
            last_modified_date_time: c.last_modified_date_time,
            expiration_date_time: c.expiration_date_time,
            certificate_upload_status: c.certificate_upload_status,
            certificate_upload_failure_reason: c.certificate_upload_failure_reason,
            certificate_serial_number: c.certificate_serial_number,
        }
    }
}

impl From<PushCertificate> for ApplePushNotificationCertificate {
    fn from(c: PushCertificate) -> Self {
        Self {
            id: c.id,
            apple_identifier: c.apple_identifier,
            topic_identifier: c.topic_identifier,
            last_modified_date_time: c.last_modified_date_time,
            expiration_date_time: c.expiration_date_time,
            certificate_upload_status: c.certificate_upload_status,
            certificate_upload_failure_reason: c.certificate_upload_failure_reason,
            certificate_serial_number: c.certificate_serial_number,
            ..Self::default()
        }
    }
}

/// The data-sharing consent Intune needs before it talks to Apple.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct DataSharingConsentInfo {
    /// Id.
    pub id: Option<String>,
    /// The service the consent is for.
    pub service_display_name: Option<String>,
    /// The terms.
    pub terms_url: Option<String>,
    /// Whether it is granted.
    pub granted: Option<bool>,
    /// When it was granted.
    pub grant_date_time: Option<DateTime<Utc>>,
    /// Who granted it.
    pub granted_by_upn: Option<String>,
    /// Who granted it (user id).
    pub granted_by_user_id: Option<String>,
}

impl From<DataSharingConsent> for DataSharingConsentInfo {
    fn from(c: DataSharingConsent) -> Self {
        Self {
            id: c.id,
            service_display_name: c.service_display_name,
            terms_url: c.terms_url,
            granted: c.granted,
            grant_date_time: c.grant_date_time,
            granted_by_upn: c.granted_by_upn,
            granted_by_user_id: c.granted_by_user_id,
        }
    }
}

/// An **enrollment program token** (`depOnboardingSetting`; DEP / ABM / ASM token).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct EnrollmentProgramToken {
    /// Key.
    pub id: Option<String>,
    /// The managed Apple ID of the Apple Business/School Manager account.
    pub apple_identifier: Option<String>,
    /// When the token expires.
    pub token_expiration_date_time: Option<DateTime<Utc>>,
    /// Last change.
    pub last_modified_date_time: Option<DateTime<Utc>>,
    /// Last successful sync with Apple.
    pub last_successful_sync_date_time: Option<DateTime<Utc>>,
    /// Last sync asked for.
    pub last_sync_triggered_date_time: Option<DateTime<Utc>>,
    /// Shared with School Data Sync.
    pub share_token_with_school_data_sync_service: Option<bool>,
    /// Error code of the last sync (0: none).
    pub last_sync_error_code: Option<i32>,
    /// Token type.
    #[napi(ts_type = "DepTokenType")]
    pub token_type: Option<String>,
    /// Name given in Intune.
    pub token_name: Option<String>,
    /// Devices synced.
    pub synced_device_count: Option<i32>,
    /// Whether data-sharing consent is granted.
    pub data_sharing_consent_granted: Option<bool>,
    /// Scope tags.
    pub role_scope_tag_ids: Option<Vec<String>>,
}

impl From<DepOnboardingSetting> for EnrollmentProgramToken {
    fn from(t: DepOnboardingSetting) -> Self {
        Self {
            id: t.id,
            apple_identifier: t.apple_identifier,
            token_expiration_date_time: t.token_expiration_date_time,
            last_modified_date_time: t.last_modified_date_time,
            last_successful_sync_date_time: t.last_successful_sync_date_time,
            last_sync_triggered_date_time: t.last_sync_triggered_date_time,
            share_token_with_school_data_sync_service: t.share_token_with_school_data_sync_service,
            last_sync_error_code: t.last_sync_error_code,
            token_type: text(t.token_type),
            token_name: t.token_name,
            synced_device_count: t.synced_device_count,
            data_sharing_consent_granted: t.data_sharing_consent_granted,
            role_scope_tag_ids: t.role_scope_tag_ids,
        }
    }
}

impl From<EnrollmentProgramToken> for DepOnboardingSetting {
    fn from(t: EnrollmentProgramToken) -> Self {
        Self {
            id: t.id,
            apple_identifier: t.apple_identifier,
            token_expiration_date_time: t.token_expiration_date_time,
            last_modified_date_time: t.last_modified_date_time,
            last_successful_sync_date_time: t.last_successful_sync_date_time,
            last_sync_triggered_date_time: t.last_sync_triggered_date_time,
            share_token_with_school_data_sync_service: t.share_token_with_school_data_sync_service,
            last_sync_error_code: t.last_sync_error_code,
            token_type: parse(t.token_type.as_ref()),
            token_name: t.token_name,
            synced_device_count: t.synced_device_count,
            data_sharing_consent_granted: t.data_sharing_consent_granted,
            role_scope_tag_ids: t.role_scope_tag_ids,
            ..Self::default()
        }
    }
}

/// The state of a VPP token action (license sync, revoke).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct VppTokenAction {
    /// Action name.
    pub action_name: Option<String>,
    /// State.
    #[napi(ts_type = "ActionState")]
    pub action_state: Option<String>,
    /// Started.
    pub start_date_time: Option<DateTime<Utc>>,
    /// Last update.
    pub last_updated_date_time: Option<DateTime<Utc>>,
}

/// A **VPP token** (Apps and Books location token, `.vpptoken`).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct VppTokenInfo {
    /// Key.
    pub id: Option<String>,
    /// Organisation in Apple Business/School Manager.
    pub organization_name: Option<String>,
    /// Business or education.
    #[napi(ts_type = "VppTokenAccountType")]
    pub vpp_token_account_type: Option<String>,
    /// The Apple ID of the location.
    pub apple_id: Option<String>,
    /// When the token expires.
    pub expiration_date_time: Option<DateTime<Utc>>,
    /// Last license sync.
    pub last_sync_date_time: Option<DateTime<Utc>>,
    /// Last change.
    pub last_modified_date_time: Option<DateTime<Utc>>,
    /// State.
    #[napi(ts_type = "VppTokenState")]
    pub state: Option<String>,
    /// Status of the last sync.
    #[napi(ts_type = "VppTokenSyncStatus")]
    pub last_sync_status: Option<String>,
    /// Whether apps update automatically.
    pub automatically_update_apps: Option<bool>,
    /// Store country or region.
    pub country_or_region: Option<String>,
    /// Recent actions.
    pub token_action_results: Option<Vec<VppTokenAction>>,
    /// Whether data-sharing consent is granted.
    pub data_sharing_consent_granted: Option<bool>,
    /// Name in Intune.
    pub display_name: Option<String>,
    /// Location name in Apple Business/School Manager.
    pub location_name: Option<String>,
    /// Whether to take the token over from another MDM.
    pub claim_token_management_from_external_mdm: Option<bool>,
    /// Scope tags.
    pub role_scope_tag_ids: Option<Vec<String>>,
    /// App delivery protocol.
    #[napi(ts_type = "AppleDeviceDeliveryProtocol")]
    pub apple_device_app_delivery_protocol_type: Option<String>,
    /// Apps at the last sync.
    pub last_app_count: Option<i32>,
}

impl From<VppTokenActionResult> for VppTokenAction {
    fn from(a: VppTokenActionResult) -> Self {
        Self {
            action_name: a.action_name,
            action_state: text(a.action_state),
            start_date_time: a.start_date_time,
            last_updated_date_time: a.last_updated_date_time,
        }
    }
}

impl From<VppTokenAction> for VppTokenActionResult {
    fn from(a: VppTokenAction) -> Self {
        Self {
            action_name: a.action_name,
            action_state: parse(a.action_state.as_ref()),
            start_date_time: a.start_date_time,
            last_updated_date_time: a.last_updated_date_time,
            ..Self::default()
        }
    }
}

impl From<VppToken> for VppTokenInfo {
    fn from(t: VppToken) -> Self {
        Self {
            id: t.id,
            organization_name: t.organization_name,
            vpp_token_account_type: text(t.vpp_token_account_type),
            apple_id: t.apple_id,
            expiration_date_time: t.expiration_date_time,
            last_sync_date_time: t.last_sync_date_time,
            last_modified_date_time: t.last_modified_date_time,
            state: text(t.state),
            last_sync_status: text(t.last_sync_status),
            automatically_update_apps: t.automatically_update_apps,
            country_or_region: t.country_or_region,
            token_action_results: t
                .token_action_results
                .map(|v| v.into_iter().map(Into::into).collect()),
            data_sharing_consent_granted: t.data_sharing_consent_granted,
            display_name: t.display_name,
            location_name: t.location_name,
            claim_token_management_from_external_mdm: t.claim_token_management_from_external_mdm,
            role_scope_tag_ids: t.role_scope_tag_ids,
            apple_device_app_delivery_protocol_type: text(
                t.apple_device_app_delivery_protocol_type,
            ),
            last_app_count: t.last_app_count,
        }
    }
}

impl From<VppTokenInfo> for VppToken {
    fn from(t: VppTokenInfo) -> Self {
        Self {
            id: t.id,
            organization_name: t.organization_name,
            vpp_token_account_type: parse(t.vpp_token_account_type.as_ref()),
            apple_id: t.apple_id,
            expiration_date_time: t.expiration_date_time,
            last_sync_date_time: t.last_sync_date_time,
            last_modified_date_time: t.last_modified_date_time,
            state: parse(t.state.as_ref()),
            last_sync_status: parse(t.last_sync_status.as_ref()),
            automatically_update_apps: t.automatically_update_apps,
            country_or_region: t.country_or_region,
            token_action_results: t
                .token_action_results
                .map(|v| v.into_iter().map(Into::into).collect()),
            data_sharing_consent_granted: t.data_sharing_consent_granted,
            display_name: t.display_name,
            location_name: t.location_name,
            claim_token_management_from_external_mdm: t.claim_token_management_from_external_mdm,
            role_scope_tag_ids: t.role_scope_tag_ids,
            apple_device_app_delivery_protocol_type: parse(
                t.apple_device_app_delivery_protocol_type.as_ref(),
            ),
            last_app_count: t.last_app_count,
            ..Self::default()
        }
    }
}

impl crate::guard::Dated for PushCertificate {
    fn instants(&self) -> Vec<(&'static str, Option<DateTime<Utc>>)> {
        vec![
            ("lastModifiedDateTime", self.last_modified_date_time),
            ("expirationDateTime", self.expiration_date_time),
        ]
    }
}

impl crate::guard::Dated for EnrollmentProgramToken {
    fn instants(&self) -> Vec<(&'static str, Option<DateTime<Utc>>)> {
        vec![
            ("tokenExpirationDateTime", self.token_expiration_date_time),
            ("lastModifiedDateTime", self.last_modified_date_time),
            (
                "lastSuccessfulSyncDateTime",
                self.last_successful_sync_date_time,
            ),
            (
                "lastSyncTriggeredDateTime",
                self.last_sync_triggered_date_time,
            ),
        ]
    }
}

impl crate::guard::Dated for VppTokenInfo {
    fn instants(&self) -> Vec<(&'static str, Option<DateTime<Utc>>)> {
        vec![
            ("expirationDateTime", self.expiration_date_time),
            ("lastSyncDateTime", self.last_sync_date_time),
            ("lastModifiedDateTime", self.last_modified_date_time),
        ]
    }
}

/// Licenses of one app under one VPP token.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct LicenseSummary {
    /// The VPP token.
    pub vpp_token_id: Option<String>,
    /// Its Apple ID.
    pub apple_id: Option<String>,
    /// Its organisation.
    pub organization_name: Option<String>,
    /// Licenses left.
    pub available_license_count: Option<i32>,
    /// Licenses used.
    pub used_license_count: Option<i32>,
}

impl From<VppTokenLicenseSummary> for LicenseSummary {
    fn from(s: VppTokenLicenseSummary) -> Self {
        Self {
            vpp_token_id: s.vpp_token_id,
            apple_id: s.apple_id,
            organization_name: s.organization_name,
            available_license_count: s.available_license_count,
            used_license_count: s.used_license_count,
        }
    }
}

/// Builds plain JS values for `Schema::build`, which decides from the value's type (not from
/// property names) what is a time (a `Date` here) and what is a secret (left out).
struct Js<'e>(&'e Env);

impl<'e> Builder for Js<'e> {
    type Value = Unknown<'e>;
    type Error = napi::Error;

    fn null(&mut self) -> Result<Unknown<'e>> {
        ToNapiValue::into_unknown(napi::bindgen_prelude::Null, self.0)
    }
    fn bool(&mut self, value: bool) -> Result<Unknown<'e>> {
        ToNapiValue::into_unknown(value, self.0)
    }
    fn number(&mut self, value: &serde_json::Number) -> Result<Unknown<'e>> {
        ToNapiValue::into_unknown(value.as_f64().unwrap_or(f64::NAN), self.0)
    }
    fn text(&mut self, value: &str) -> Result<Unknown<'e>> {
        ToNapiValue::into_unknown(value, self.0)
    }
    fn time(&mut self, value: DateTime<Utc>) -> Result<Unknown<'e>> {
        // Milliseconds since the epoch, what a JS `Date` holds (exact below 2^53).
        let ms = value.timestamp_millis() as f64;
        ToNapiValue::into_unknown(self.0.create_date(ms)?, self.0)
    }
    fn list(&mut self, items: Vec<Unknown<'e>>) -> Result<Unknown<'e>> {
        let len = u32::try_from(items.len())
            .map_err(|_| napi::Error::from_reason("a list too long for JavaScript"))?;
        let mut array = self.0.create_array(len)?;
        for (i, item) in (0..len).zip(items) {
            array.set(i, item)?;
        }
        ToNapiValue::into_unknown(array, self.0)
    }
    fn object(&mut self, properties: Vec<(&str, Unknown<'e>)>) -> Result<Unknown<'e>> {
        let mut object = Object::new(self.0)?;
        for (k, v) in properties {
            object.set_named_property(k, v)?;
        }
        ToNapiValue::into_unknown(object, self.0)
    }
    fn too_deep(&mut self) -> napi::Error {
        napi::Error::from_reason("the answer nests too deeply to convert")
    }
}

/// A core value as a plain JS value: camelCase properties as the core serialises them, a `Date`
/// for every field its type declares a time, secrets left out (`manifest::schema`).
pub(crate) fn to_js<'e, T>(env: &'e Env, value: &T) -> Result<Unknown<'e>>
where
    T: serde::Serialize + Describe + 'static,
{
    let json = serde_json::to_value(value)
        .map_err(|e| napi::Error::from_reason(format!("cannot convert the answer: {e}")))?;
    intune_apple_core::manifest::schema::<T>().build(&json, &mut Js(env))
}

/// How deeply JS objects and arrays may nest in an input (a cycle reaches it too).
const MAX_DEPTH: usize = 64;
/// The most elements an input array may hold (its length is the caller's number).
const MAX_ELEMENTS: u32 = 100_000;

/// A JS value as JSON, `Date`s as RFC 3339 text (for inputs decoded by the core's model).
///
/// Refuses (instead of overflowing the stack or allocating from an untrusted length) objects
/// nested deeper than 64 levels or referring to themselves, arrays longer than 100,000
/// elements, and invalid `Date`s.
pub(crate) fn js_to_json(value: Unknown<'_>) -> Result<Value> {
    js_to_json_at(value, 0)
}

fn js_to_json_at(value: Unknown<'_>, depth: usize) -> Result<Value> {
    if depth > MAX_DEPTH {
        return Err(napi::Error::from_reason(format!(
            "the value nests deeper than {MAX_DEPTH} levels or refers to itself: pass plain data"
        )));
    }
    Ok(match value.get_type()? {
        ValueType::Boolean => Value::Bool(value.coerce_to_bool()?),
        ValueType::Number => {
            let n = value.coerce_to_number()?.get_double()?;
            serde_json::Number::from_f64(n).map_or(Value::Null, |n| {
                if n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9e15)
                {
                    Value::from(n.as_f64().unwrap_or_default() as i64)
                } else {
                    Value::Number(n)
                }
            })
        }
        ValueType::String => Value::String(value.coerce_to_string()?.into_utf8()?.into_owned()?),
        ValueType::Object => {
            if value.is_date()? {
                let date = JsDate::from_unknown(value)?;
                let ms = date.value_of()?;
                let t = ms
                    .is_finite()
                    .then(|| DateTime::<Utc>::from_timestamp_millis(ms as i64))
                    .flatten()
                    .ok_or_else(|| {
                        napi::Error::from_reason("an invalid Date was given: pass a valid Date")
                    })?;
                return Ok(Value::String(
                    t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                ));
            }
            if value.is_array()? {
                let object = value.coerce_to_object()?;
                let len = object.get_array_length()?;
                if len > MAX_ELEMENTS {
                    return Err(napi::Error::from_reason(format!(
                        "an array of {len} elements was given: at most {MAX_ELEMENTS} are accepted"
                    )));
                }
                let mut out = Vec::new();
                for i in 0..len {
                    out.push(js_to_json_at(object.get_element::<Unknown>(i)?, depth + 1)?);
                }
                return Ok(Value::Array(out));
            }
            let object = value.coerce_to_object()?;
            let names = object.get_property_names()?;
            let len = names.get_array_length()?;
            let mut map = serde_json::Map::new();
            for i in 0..len {
                let name: String = names
                    .get_element::<Unknown>(i)?
                    .coerce_to_string()?
                    .into_utf8()?
                    .into_owned()?;
                let v = js_to_json_at(object.get_named_property::<Unknown>(&name)?, depth + 1)?;
                if !v.is_null() {
                    map.insert(name, v);
                }
            }
            Value::Object(map)
        }
        _ => Value::Null,
    })
}

/// Decodes a JS input into a core model type.
pub(crate) fn from_js<T: serde::de::DeserializeOwned>(
    value: Unknown<'_>,
    what: &str,
) -> std::result::Result<T, Failure> {
    let json =
        js_to_json(value).map_err(|e| failure("ERR_INVALID_INPUT", format!("{what}: {e}")))?;
    serde_json::from_value(json)
        .map_err(|e| failure("ERR_INVALID_INPUT", format!("{what} is not valid: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use intune_apple_core::model::{DiscoverySource, EnrollmentState, Platform};

    #[test]
    fn device_rows_follow_the_field_order_with_null_for_absent_fields() {
        let created = DateTime::<Utc>::from_timestamp_millis(1_761_322_147_856).unwrap();
        let full = ImportedAppleDeviceIdentity {
            id: Some("d1".into()),
            serial_number: Some("C02\"X\u{e9}".into()),
            requested_enrollment_profile_id: Some(String::new()),
            requested_enrollment_profile_assignment_date_time: None,
            is_supervised: Some(true),
            discovery_source: Some(DiscoverySource::from("deviceEnrollmentProgram")),
            is_deleted: Some(false),
            created_date_time: Some(created),
            last_contacted_date_time: Some(created),
            description: None,
            enrollment_state: Some(EnrollmentState::from("enrolled")),
            platform: Some(Platform::from("tvOS")),
            ..Default::default()
        };
        let json = device_rows(&[full, ImportedAppleDeviceIdentity::default()]).unwrap();
        assert_eq!(
            json,
            r#"[["d1","C02\"Xé","",null,true,"deviceEnrollmentProgram",false,1761322147856,1761322147856,null,"enrolled","tvOS"],[null,null,null,null,null,null,null,null,null,null,null,null]]"#
        );
        assert_eq!(device_rows(&[]).unwrap(), "[]");
    }
}
