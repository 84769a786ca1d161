//! The resources of the Apple Business API (not Graph), as read by [`crate::abm`]: MDM servers ("device management
//! services"), organisation devices, device activities. Enums are open strings (Apple adds
//! values without a version bump); unknown attributes are ignored; timestamps are read with or
//! without fractional seconds.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An MDM server (`mdmServers`): one "device management service" of Apple Business, normally
/// one enrollment program token in Intune.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MdmServer {
    /// Apple's id (opaque; 32 hex digits in Apple's examples).
    pub id: String,
    /// The name chosen in Apple Business (unique in the organisation).
    #[serde(default)]
    pub server_name: Option<String>,
    /// `MDM`, `APPLE_CONFIGURATOR` or `APPLE_MDM`.
    #[serde(default)]
    pub server_type: Option<String>,
    /// `ACTIVE`, `INACTIVE` or `DELETED`.
    #[serde(default)]
    pub status: Option<String>,
    /// Devices currently assigned (API 2.1+).
    #[serde(default)]
    pub device_count: Option<u64>,
    /// Product families sent to this server by default (`IPHONE`, `IPAD`, `MAC`, `APPLE_TV`,
    /// `VISION`, `WATCH`, `IPOD`).
    #[serde(default)]
    pub default_product_families: Vec<String>,
    /// When the server last connected to Apple.
    #[serde(default)]
    pub last_connected_date_time: Option<DateTime<Utc>>,
    /// The IP address of that connection.
    #[serde(default)]
    pub last_connected_ip: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_date_time: Option<DateTime<Utc>>,
    /// When it was last changed.
    #[serde(default)]
    pub updated_date_time: Option<DateTime<Utc>>,
}

impl MdmServer {
    /// Whether the server is a third-party MDM (`serverType` `MDM`, or unknown), the only kind
    /// Intune can be.
    #[must_use]
    pub fn is_mdm(&self) -> bool {
        self.server_type.as_deref().is_none_or(|t| t == "MDM")
    }

    /// Whether Apple reports the server as deleted.
    #[must_use]
    pub fn is_deleted(&self) -> bool {
        self.status.as_deref() == Some("DELETED")
    }
}

/// A device of the organisation (`orgDevices`; its id is the serial number).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgDevice {
    /// Serial number (the resource id when the attribute is absent).
    #[serde(default)]
    pub serial_number: String,
    /// `ASSIGNED` or `UNASSIGNED`.
    #[serde(default)]
    pub status: Option<String>,
    /// `iPhone`, `iPad`, `Mac`, `AppleTV`, `Watch`, `Vision`.
    #[serde(default)]
    pub product_family: Option<String>,
    /// e.g. `iPhone14,3`.
    #[serde(default)]
    pub product_type: Option<String>,
    /// e.g. `iMac 21.5"`.
    #[serde(default)]
    pub device_model: Option<String>,
    /// When the device was added to the organisation.
    #[serde(default)]
    pub added_to_org_date_time: Option<DateTime<Utc>>,
    /// When it was released (only filled by single-device reads).
    #[serde(default)]
    pub released_from_org_date_time: Option<DateTime<Utc>>,
    /// Last change.
    #[serde(default)]
    pub updated_date_time: Option<DateTime<Utc>>,
    /// `APPLE`, `RESELLER` or `MANUALLY_ADDED`.
    #[serde(default)]
    pub purchase_source_type: Option<String>,
    /// Apple Customer Number or Reseller Number (Apple's examples spell it `purchaseSourceUid`).
    #[serde(default, alias = "purchaseSourceUid")]
    pub purchase_source_id: Option<String>,
    /// Whether the device can migrate between MDM servers with a deadline (2.3+).
    #[serde(default)]
    pub is_mdm_migration_capable: Option<bool>,
    /// `REQUESTED`, `STARTED`, `SUCCESS` or `FAILED` (2.3+).
    #[serde(default)]
    pub mdm_migration_status: Option<String>,
    /// The migration deadline (2.3+).
    #[serde(default)]
    pub mdm_migration_deadline_date_time: Option<DateTime<Utc>>,
}

impl OrgDevice {
    /// Whether the device is being migrated (migration requested or started).
    #[must_use]
    pub fn is_migrating(&self) -> bool {
        matches!(
            self.mdm_migration_status.as_deref(),
            Some("REQUESTED" | "STARTED")
        )
    }
}

/// A device activity (`orgDeviceActivities`): an assignment, unassignment, migration or release
/// made in Apple Business, read by id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgDeviceActivity {
    /// Id.
    pub id: String,
    /// `IN_PROGRESS`, `COMPLETED`, `STOPPED`, `FAILED`.
    #[serde(default)]
    pub status: Option<String>,
    /// `SUBMITTED`, ..., `COMPLETED_WITH_SUCCESS`, `COMPLETED_WITH_ERROR`.
    #[serde(default)]
    pub sub_status: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_date_time: Option<DateTime<Utc>>,
    /// When it completed.
    #[serde(default)]
    pub completed_date_time: Option<DateTime<Utc>>,
}

/// Normalises a serial number for joining Apple's and Intune's lists: trimmed, upper-case.
#[must_use]
pub fn normalize_serial(serial: &str) -> String {
    serial.trim().to_ascii_uppercase()
}

/// A JSON:API resource: `{"type", "id", "attributes"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Resource<A> {
    pub(crate) id: String,
    #[serde(default = "Option::default")]
    pub(crate) attributes: Option<A>,
}

/// A JSON:API linkage: `{"type", "id"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Linkage {
    pub(crate) id: String,
}

/// A JSON:API document with one primary resource or linkage (`data` may be null).
#[derive(Debug, Deserialize)]
pub(crate) struct Single<T> {
    #[serde(default = "Option::default")]
    pub(crate) data: Option<T>,
}

/// A JSON:API page: `data[]`, `meta.paging.nextCursor`.
#[derive(Debug, Deserialize)]
pub(crate) struct Page<T> {
    #[serde(default = "Vec::new")]
    pub(crate) data: Vec<T>,
    #[serde(default)]
    pub(crate) meta: Option<PageMeta>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PageMeta {
    #[serde(default)]
    pub(crate) paging: Option<Paging>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Paging {
    #[serde(default)]
    pub(crate) next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub(crate) fn next_cursor(&self) -> Option<&str> {
        self.meta
            .as_ref()
            .and_then(|m| m.paging.as_ref())
            .and_then(|p| p.next_cursor.as_deref())
            .filter(|c| !c.is_empty())
    }
}

/// Attributes of `mdmServers` without the id.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MdmServerAttributes {
    #[serde(default)]
    server_name: Option<String>,
    #[serde(default)]
    server_type: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    device_count: Option<u64>,
    #[serde(default)]
    default_product_families: Option<Vec<String>>,
    #[serde(default)]
    last_connected_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    last_connected_ip: Option<String>,
    #[serde(default)]
    created_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    updated_date_time: Option<DateTime<Utc>>,
}

impl From<Resource<MdmServerAttributes>> for MdmServer {
    fn from(r: Resource<MdmServerAttributes>) -> Self {
        let a = r.attributes.unwrap_or_default();
        Self {
            id: r.id,
            server_name: a.server_name,
            server_type: a.server_type,
            status: a.status,
            device_count: a.device_count,
            default_product_families: a.default_product_families.unwrap_or_default(),
            last_connected_date_time: a.last_connected_date_time,
            last_connected_ip: a.last_connected_ip,
            created_date_time: a.created_date_time,
            updated_date_time: a.updated_date_time,
        }
    }
}

impl From<Resource<OrgDevice>> for OrgDevice {
    fn from(r: Resource<OrgDevice>) -> Self {
        let mut d = r.attributes.unwrap_or_default();
        if d.serial_number.is_empty() {
            d.serial_number = r.id;
        }
        d
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ActivityAttributes {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    sub_status: Option<String>,
    #[serde(default)]
    created_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    completed_date_time: Option<DateTime<Utc>>,
}

impl From<Resource<ActivityAttributes>> for OrgDeviceActivity {
    fn from(r: Resource<ActivityAttributes>) -> Self {
        let a = r.attributes.unwrap_or_default();
        Self {
            id: r.id,
            status: a.status,
            sub_status: a.sub_status,
            created_date_time: a.created_date_time,
            completed_date_time: a.completed_date_time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apples_example_device_decodes() {
        let body = r#"{"data":[{"type":"orgDevices","id":"XABC123X0ABC123X0","attributes":{"serialNumber":"XABC123X0ABC123X0","addedToOrgDateTime":"2025-04-30T22:05:14.192Z","releasedFromOrgDateTime":null,"updatedDateTime":"2025-05-01T15:33:54.164Z","deviceModel":"iMac 21.5\"","productFamily":"Mac","productType":"iMac16,2","color":"","status":"UNASSIGNED","orderDateTime":"2011-08-15T07:00:00Z","imei":["1","2"],"purchaseSourceUid":"-2085650007946880","purchaseSourceType":"APPLE","somethingNew":42}}],"links":{"self":"x"},"meta":{"paging":{"nextCursor":"MDow","limit":100}}}"#;
        let page: Page<Resource<OrgDevice>> = serde_json::from_str(body).unwrap();
        assert_eq!(page.next_cursor(), Some("MDow"));
        let d: OrgDevice = page.data.into_iter().next().unwrap().into();
        assert_eq!(d.serial_number, "XABC123X0ABC123X0");
        assert_eq!(d.purchase_source_id.as_deref(), Some("-2085650007946880"));
        assert_eq!(d.product_family.as_deref(), Some("Mac"));
    }

    #[test]
    fn server_without_attributes_keeps_its_id() {
        let body =
            r#"{"data":[{"type":"mdmServers","id":"1F97"}],"meta":{"paging":{"limit":100}}}"#;
        let page: Page<Resource<MdmServerAttributes>> = serde_json::from_str(body).unwrap();
        assert_eq!(page.next_cursor(), None);
        let s: MdmServer = page.data.into_iter().next().unwrap().into();
        assert_eq!(s.id, "1F97");
        assert!(s.is_mdm());
    }
}
