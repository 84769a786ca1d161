//! Enrollment profiles: create from a validated template, copy between tokens or tenants,
//! assign serial numbers (from a list or a CSV) in batches with per-device results, and set the
//! default profile.
//!
//! A template is validated against every rule of [`rules::profile`](crate::rules::profile)
//! before any call: all violations come back at once in [`WorkflowError::InvalidProfile`].
//!
//! ```no_run
//! use intune_apple_core::graph::Client;
//! use intune_apple_core::workflows::profiles::{
//!     assign_serial_numbers, parse_serial_numbers, SerialAssignmentOptions,
//! };
//!
//! # async fn run() -> Result<(), intune_apple_core::workflows::error::WorkflowError> {
//! let client = Client::from_env()?;
//! let csv = "serialNumber,owner\nC02XK1ZZJGH5,alice\nF9FDN4NKQ1GC,bob\n";
//! let list = parse_serial_numbers(csv)?;
//! let report = assign_serial_numbers(&client, "token-id", "token-id_profile-guid",
//!     &list.serial_numbers, &SerialAssignmentOptions::default()).await?;
//! for d in &report.devices {
//!     println!("{} {:?}", d.serial_number, d.outcome);
//! }
//! # Ok(()) }
//! ```

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt as _;
use serde::{Deserialize, Serialize};

use super::error::WorkflowError;
use crate::graph::{Client, ErrorKind, ASSIGNMENT_BATCH};
use crate::model::{EnrollmentProfile, VppToken};
use crate::rules::profile::{validate_profile, ValidationContext, Violation, ViolationSeverity};

/// A violation as the reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ViolationSummary {
    /// Rule code (`I1`..`I19`, `M1`..`M9`, `NAME`).
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    /// The Graph field concerned (empty: the whole profile).
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl From<&Violation> for ViolationSummary {
    fn from(v: &Violation) -> Self {
        Self {
            code: v.code.to_owned(),
            severity: match v.severity {
                ViolationSeverity::Error => "error".into(),
                ViolationSeverity::Warning => "warning".into(),
            },
            path: v.path.to_owned(),
            message: v.message.clone(),
        }
    }
}

/// Reads a profile template from Graph JSON (an `enrollmentProfile` with its `@odata.type`).
///
/// # Errors
/// [`WorkflowError::InvalidInput`] naming the field that does not decode.
pub fn parse_profile_template(json: &str) -> Result<EnrollmentProfile, WorkflowError> {
    crate::model::decode::<EnrollmentProfile>(json.as_bytes()).map_err(|e| {
        WorkflowError::InvalidInput(format!(
            "the profile template is not valid enrollment profile JSON: {e}"
        ))
    })
}

/// Clears what Intune assigns (id, default flag, enrollment URL) and sets the `@odata.type`.
fn prepare_for_create(p: &mut EnrollmentProfile) -> Result<(), WorkflowError> {
    macro_rules! clear {
        ($x:expr, $ty:literal) => {{
            $x.id = None;
            $x.is_default = None;
            $x.configuration_endpoint_url = None;
            $x.odata_type.get_or_insert_with(|| $ty.to_owned());
        }};
    }
    match p {
        EnrollmentProfile::DepIos(x) => clear!(x, "#microsoft.graph.depIOSEnrollmentProfile"),
        EnrollmentProfile::DepMacOs(x) => clear!(x, "#microsoft.graph.depMacOSEnrollmentProfile"),
        // `enrollmentProfile`s: no default flag of their own.
        EnrollmentProfile::DepTvOs(x) | EnrollmentProfile::DepVisionOs(x) => {
            x.id = None;
            x.configuration_endpoint_url = None;
        }
        _ => {
            return Err(WorkflowError::InvalidInput(
                "only iOS/iPadOS, macOS, tvOS and visionOS enrollment profiles can be created: set @odata.type to #microsoft.graph.depIOSEnrollmentProfile (or depMacOSEnrollmentProfile, ...)".into(),
            ))
        }
    }
    Ok(())
}

fn name_violation(p: &EnrollmentProfile) -> Option<Violation> {
    let named = p.display_name().is_some_and(|n| !n.trim().is_empty());
    (!named).then(|| Violation {
        code: "NAME",
        severity: ViolationSeverity::Error,
        path: "displayName",
        message: "The profile has no name: set displayName.".into(),
    })
}

fn company_portal_token(p: &EnrollmentProfile) -> bool {
    matches!(p, EnrollmentProfile::DepIos(x) if x.company_portal_vpp_token_id.as_deref().is_some_and(|s| !s.is_empty()))
}

fn has_errors(v: &[Violation]) -> bool {
    v.iter().any(|v| v.severity == ViolationSeverity::Error)
}

/// Validates a profile for `token_id`: first offline (no call: every rule that needs nothing
/// from the tenant), then with the tenant's VPP tokens and profile count.
async fn validate_for(
    client: &Client,
    token_id: &str,
    profile: &EnrollmentProfile,
) -> Result<Vec<Violation>, WorkflowError> {
    let now = client.clock().now();
    // Offline: rules that depend on the tenant (I5 VPP token, I17 count) are left to the
    // second pass.
    let mut offline: Vec<Violation> = validate_profile(profile, &ValidationContext::new(&[], now))
        .into_iter()
        .filter(|v| v.code != "I5" && v.code != "I17")
        .collect();
    offline.extend(name_violation(profile));
    if has_errors(&offline) {
        offline.sort_by_key(|v| std::cmp::Reverse(v.severity));
        return Err(WorkflowError::InvalidProfile {
            violations: offline,
        });
    }
    let vpp: Vec<VppToken> = if company_portal_token(profile) {
        client.vpp_tokens().list().try_collect().await?
    } else {
        Vec::new()
    };
    let existing = client
        .enrollment_profiles(token_id)
        .list()
        .try_collect::<Vec<_>>()
        .await?
        .len();
    let mut ctx = ValidationContext::new(&vpp, now);
    ctx.profiles_on_token = existing + 1;
    let mut all = validate_profile(profile, &ctx);
    all.extend(name_violation(profile));
    if has_errors(&all) {
        return Err(WorkflowError::InvalidProfile { violations: all });
    }
    Ok(all)
}

/// The outcome of [`create_profile`] and [`copy_profile`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ProfileCreated {
    /// The token the profile was created on.
    pub token_id: String,
    /// The new profile's id.
    pub profile_id: String,
    /// Its name.
    pub display_name: Option<String>,
    /// The profile it was copied from ([`copy_profile`] only).
    pub copied_from: Option<String>,
    /// Warnings of the rules (errors refuse the creation).
    pub warnings: Vec<ViolationSummary>,
    /// Other remarks.
    pub notes: Vec<String>,
}

/// Creates an enrollment profile on token `token_id` from `template`, after validating it.
/// Intune-assigned fields of the template (id, default flag, enrollment URL) are ignored.
///
/// # Errors
/// - [`WorkflowError::InvalidProfile`] with every violation (nothing created; when the template
///   breaks a rule that needs nothing from the tenant, no call is made at all);
/// - [`WorkflowError::InvalidInput`] for a profile type that cannot be created;
/// - [`WorkflowError::Graph`].
pub async fn create_profile(
    client: &Client,
    token_id: &str,
    template: &EnrollmentProfile,
) -> Result<ProfileCreated, WorkflowError> {
    let mut profile = template.clone();
    prepare_for_create(&mut profile)?;
    let violations = validate_for(client, token_id, &profile).await?;
    let api = client.enrollment_profiles(token_id);
    let before: Vec<EnrollmentProfile> = api.list().try_collect().await?;
    let (created, notes) = match api.create(&profile).await {
        Ok(created) => (created, Vec::new()),
        Err(e) if e.kind() == crate::graph::ErrorKind::OutcomeUnknown => {
            // The answer was lost: look for the profile this attempt may have made (of this
            // name, not there before) rather than creating a second one.
            let found = find_created_profile(&api, &before, profile.display_name())
                .await?
                .ok_or(WorkflowError::Graph(e))?;
            let note =
                "the answer to the create was lost; read back: the profile was created".to_owned();
            (found, vec![note])
        }
        Err(e) => return Err(e.into()),
    };
    let profile_id =
        created
            .id()
            .map(str::to_owned)
            .ok_or_else(|| WorkflowError::VerificationFailed {
                what: "Intune created the profile but returned no id; list the token's profiles"
                    .into(),
            })?;
    Ok(ProfileCreated {
        token_id: token_id.to_owned(),
        profile_id,
        display_name: created.display_name().map(str::to_owned),
        copied_from: None,
        warnings: violations.iter().map(ViolationSummary::from).collect(),
        notes,
    })
}

/// The note of a [`ProfileCreated`] whose create answer was lost and that reading back found.
pub(crate) const LOST_CREATE_NOTE: &str =
    "the answer to the create was lost; read back: the profile was created";

/// After a create whose answer was lost: a profile listed now, not in `before`, named `name`.
async fn find_created_profile(
    api: &crate::graph::EnrollmentProfiles,
    before: &[EnrollmentProfile],
    name: Option<&str>,
) -> Result<Option<EnrollmentProfile>, WorkflowError> {
    let known: std::collections::HashSet<&str> = before.iter().filter_map(|p| p.id()).collect();
    let now: Vec<EnrollmentProfile> = api.list().try_collect().await?;
    Ok(now
        .into_iter()
        .find(|p| p.id().is_some_and(|id| !known.contains(id)) && p.display_name() == name))
}

/// Copies profile `profile_id` of token `source_token_id` (read with `source`) to token
/// `target_token_id` (written with `target`: the same client for another token of the tenant,
/// or a client of another tenant). `new_name` renames the copy.
///
/// # Errors
/// As [`create_profile`], validated in the target's context (a Company Portal VPP token of
/// another tenant, for instance, is reported as rule I5).
pub async fn copy_profile(
    source: &Client,
    source_token_id: &str,
    profile_id: &str,
    target: &Client,
    target_token_id: &str,
    new_name: Option<&str>,
) -> Result<ProfileCreated, WorkflowError> {
    let mut profile = source
        .enrollment_profiles(source_token_id)
        .get(profile_id)
        .await?;
    let mut notes = Vec::new();
    macro_rules! adjust {
        ($x:expr) => {{
            if let Some(n) = new_name {
                $x.display_name = Some(n.to_owned());
            }
            if $x
                .enrollment_time_azure_ad_group_ids
                .as_ref()
                .is_some_and(|g| !g.is_empty())
            {
                notes.push("the profile adds devices to Entra ID groups at enrollment: check that those groups exist where the copy lives".to_owned());
            }
        }};
    }
    match &mut profile {
        EnrollmentProfile::DepIos(x) => adjust!(x),
        EnrollmentProfile::DepMacOs(x) => adjust!(x),
        EnrollmentProfile::DepTvOs(x) | EnrollmentProfile::DepVisionOs(x) => {
            if let Some(n) = new_name {
                x.display_name = Some(n.to_owned());
            }
        }
        _ => {}
    }
    let mut created = create_profile(target, target_token_id, &profile).await?;
    created.copied_from = Some(profile_id.to_owned());
    created.notes.extend(notes);
    Ok(created)
}

/// Serial numbers read from a list or a CSV.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct SerialList {
    /// Serial numbers, upper-case, trimmed, each once, in input order.
    pub serial_numbers: Vec<String>,
    /// Values given more than once (kept once).
    pub duplicates: Vec<String>,
    /// Values that are not serial numbers (not letters and digits only), left out.
    pub invalid: Vec<String>,
}

fn split_row(line: &str, delimiter: char) -> Vec<String> {
    line.split(delimiter)
        .map(|c| c.trim().trim_matches('"').trim().to_owned())
        .collect()
}

/// Reads serial numbers from a CSV (the column named `serialNumber`, `serial number`, `serial`
/// or `serial_number`, any case; else the first column) or a plain list, one per line. Commas,
/// semicolons and tabs are accepted as separators; blank lines are skipped.
///
/// ```
/// use intune_apple_core::workflows::profiles::parse_serial_numbers;
/// let list = parse_serial_numbers("Owner;Serial Number\nalice; c02xk1zzjgh5 \nbob;C02XK1ZZJGH5\n").unwrap();
/// assert_eq!(list.serial_numbers, ["C02XK1ZZJGH5"]);
/// assert_eq!(list.duplicates, ["C02XK1ZZJGH5"]);
/// ```
///
/// # Errors
/// [`WorkflowError::InvalidInput`] when there is no serial number at all.
pub fn parse_serial_numbers(text: &str) -> Result<SerialList, WorkflowError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().filter(|l| !l.trim().is_empty()).peekable();
    let Some(first) = lines.peek().copied() else {
        return Err(WorkflowError::InvalidInput(
            "no serial number given: the list is empty".into(),
        ));
    };
    let delimiter = [',', ';', '\t']
        .into_iter()
        .find(|d| first.contains(*d))
        .unwrap_or(',');
    let header = split_row(first, delimiter);
    let named = header.iter().position(|c| {
        let c = c.to_ascii_lowercase().replace([' ', '_', '-'], "");
        c == "serialnumber" || c == "serial"
    });
    let column = named.unwrap_or(0);
    let looks_like_header = named.is_some()
        || header
            .first()
            .is_some_and(|c| !c.chars().all(|ch| ch.is_ascii_alphanumeric()));
    if looks_like_header {
        lines.next();
    }
    let mut out = SerialList::default();
    let mut seen = HashSet::new();
    for line in lines {
        let cells = split_row(line, delimiter);
        let Some(value) = cells.get(column).filter(|v| !v.is_empty()) else {
            continue;
        };
        if !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            out.invalid.push(value.clone());
            continue;
        }
        let serial = value.to_ascii_uppercase();
        if seen.insert(serial.clone()) {
            out.serial_numbers.push(serial);
        } else if !out.duplicates.contains(&serial) {
            out.duplicates.push(serial);
        }
    }
    if out.serial_numbers.is_empty() {
        return Err(WorkflowError::InvalidInput(format!(
            "no serial number found (column {}; {} value(s) were not serial numbers)",
            header.get(column).map_or("1", String::as_str),
            out.invalid.len()
        )));
    }
    Ok(out)
}

/// Options of [`assign_serial_numbers`].
#[derive(Debug, Clone, Copy)]
pub struct SerialAssignmentOptions {
    /// Serial numbers per `updateDeviceProfileAssignment` call (default and maximum 1,000).
    pub batch_size: usize,
}

impl Default for SerialAssignmentOptions {
    fn default() -> Self {
        Self {
            batch_size: ASSIGNMENT_BATCH,
        }
    }
}

/// The outcome for one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub enum DeviceOutcome {
    /// Intune accepted the assignment and reading back shows it.
    Assigned,
    /// Intune accepted the assignment; reading back does not show it yet (Intune applies it
    /// asynchronously): check again later.
    Accepted,
    /// The token has no device with this serial number: nothing was sent for it.
    UnknownSerial,
    /// The batch holding this device failed (see `detail`); run again for these devices.
    Failed,
}

/// One device of [`SerialAssignmentReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DeviceResult {
    /// Serial number.
    pub serial_number: String,
    /// Outcome.
    pub outcome: DeviceOutcome,
    /// The batch number (1-based) it was sent in, when sent.
    pub batch: Option<usize>,
    /// Details (the error of a failed batch; what to do for an unknown serial).
    pub detail: Option<String>,
}

/// The outcome of [`assign_serial_numbers`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct SerialAssignmentReport {
    /// Token id.
    pub token_id: String,
    /// Profile id.
    pub profile_id: String,
    /// Number of calls made.
    pub batches: usize,
    /// Devices `assigned` or `accepted`.
    pub assigned: usize,
    /// Devices with an unknown serial number.
    pub unknown: usize,
    /// Devices of failed batches.
    pub failed: usize,
    /// One entry per distinct serial number, in input order.
    pub devices: Vec<DeviceResult>,
}

/// Assigns the devices with these serial numbers to profile `profile_id` of token `token_id`,
/// in batches. Serial numbers are trimmed, upper-cased and deduplicated; those the token does
/// not hold are reported as `unknownSerial` and not sent. A failed batch does not stop the next
/// ones. The assignment is then read back for each device.
///
/// # Errors
/// [`WorkflowError::InvalidInput`] when no serial number is given or the batch size is 0;
/// [`WorkflowError::Graph`] when the profile or the token's devices cannot be read (nothing
/// sent).
pub async fn assign_serial_numbers(
    client: &Client,
    token_id: &str,
    profile_id: &str,
    serial_numbers: &[String],
    options: &SerialAssignmentOptions,
) -> Result<SerialAssignmentReport, WorkflowError> {
    if options.batch_size == 0 {
        return Err(WorkflowError::InvalidInput(
            "the batch size must be at least 1".into(),
        ));
    }
    let batch_size = options.batch_size.min(ASSIGNMENT_BATCH);
    let mut seen = HashSet::new();
    let serials: Vec<String> = serial_numbers
        .iter()
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty() && seen.insert(s.clone()))
        .collect();
    if serials.is_empty() {
        return Err(WorkflowError::InvalidInput("no serial number given".into()));
    }
    let profiles = client.enrollment_profiles(token_id);
    profiles.get(profile_id).await?;
    let known = device_profiles(client, token_id, &serials).await?;
    let mut devices: Vec<DeviceResult> = serials
        .iter()
        .map(|s| DeviceResult {
            serial_number: s.clone(),
            outcome: DeviceOutcome::UnknownSerial,
            batch: None,
            detail: Some("the token has no device with this serial number: check it, or sync the token if Apple Business Manager assigned it recently".into()),
        })
        .collect();
    let to_send: Vec<usize> = (0..devices.len())
        .filter(|i| known.contains_key(&devices[*i].serial_number))
        .collect();
    let mut batches = 0;
    for chunk in to_send.chunks(batch_size) {
        batches += 1;
        let chunk_serials: Vec<String> = chunk
            .iter()
            .map(|i| devices[*i].serial_number.clone())
            .collect();
        let results = profiles.assign_devices(profile_id, &chunk_serials).await;
        let error = results
            .into_iter()
            .find_map(|b| b.result.err())
            .map(|e| e.to_string());
        for i in chunk {
            let d = &mut devices[*i];
            d.batch = Some(batches);
            match &error {
                None => {
                    d.outcome = DeviceOutcome::Accepted;
                    d.detail = None;
                }
                Some(e) => {
                    d.outcome = DeviceOutcome::Failed;
                    d.detail = Some(e.clone());
                }
            }
        }
    }
    let accepted: Vec<String> = devices
        .iter()
        .filter(|d| d.outcome == DeviceOutcome::Accepted)
        .map(|d| d.serial_number.clone())
        .collect();
    if !accepted.is_empty() {
        // The writes are done: a failed read-back leaves the devices `accepted`, it does not
        // lose the report.
        let after = device_profiles(client, token_id, &accepted).await;
        for d in devices
            .iter_mut()
            .filter(|d| d.outcome == DeviceOutcome::Accepted)
        {
            match &after {
                Ok(after) => {
                    let shown = after
                        .get(&d.serial_number)
                        .and_then(Option::as_deref)
                        .is_some_and(|p| p.eq_ignore_ascii_case(profile_id));
                    if shown {
                        d.outcome = DeviceOutcome::Assigned;
                    } else {
                        d.detail = Some("accepted; not visible yet: check again later".into());
                    }
                }
                Err(e) => d.detail = Some(format!("accepted; could not read it back: {e}")),
            }
        }
    }
    let count = |o: &[DeviceOutcome]| devices.iter().filter(|d| o.contains(&d.outcome)).count();
    Ok(SerialAssignmentReport {
        token_id: token_id.to_owned(),
        profile_id: profile_id.to_owned(),
        batches,
        assigned: count(&[DeviceOutcome::Assigned, DeviceOutcome::Accepted]),
        unknown: count(&[DeviceOutcome::UnknownSerial]),
        failed: count(&[DeviceOutcome::Failed]),
        devices,
    })
}

/// Up to this many serial numbers are looked up one by one (`$filter=serialNumber eq`); more
/// are found by listing the token's devices once.
const LOOKUP_LIMIT: usize = 50;

/// The requested profile of each of `serials` (upper-case) that the token holds.
async fn device_profiles(
    client: &Client,
    token_id: &str,
    serials: &[String],
) -> Result<HashMap<String, Option<String>>, WorkflowError> {
    let devices = client.imported_devices(token_id);
    let mut out = HashMap::new();
    if serials.len() <= LOOKUP_LIMIT {
        for s in serials {
            let mut found = devices.find_by_serial(s);
            while let Some(d) = found.try_next().await? {
                if d.serial_number
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(s))
                {
                    out.insert(s.clone(), d.requested_enrollment_profile_id);
                }
            }
        }
        return Ok(out);
    }
    let wanted: HashSet<&str> = serials.iter().map(String::as_str).collect();
    let mut stream = devices.list();
    while let Some(d) = stream.try_next().await? {
        if let Some(s) = d.serial_number.map(|s| s.to_ascii_uppercase()) {
            if wanted.contains(s.as_str()) {
                out.insert(s, d.requested_enrollment_profile_id);
            }
        }
    }
    Ok(out)
}

/// The outcome of [`set_default_profile`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DefaultProfileSet {
    /// Token id.
    pub token_id: String,
    /// The new default profile.
    pub profile_id: String,
    /// `ios` or `macOS`.
    pub platform: String,
    /// The default profile of that platform before.
    pub previous_default: Option<String>,
}

/// Makes `profile_id` the default profile of its platform on token `token_id`, and verifies it
/// by reading the token back.
///
/// # Errors
/// [`WorkflowError::InvalidInput`] for a profile that is neither iOS/iPadOS nor macOS;
/// [`WorkflowError::Graph`]; [`WorkflowError::VerificationFailed`] when the token does not
/// show it as default afterwards.
pub async fn set_default_profile(
    client: &Client,
    token_id: &str,
    profile_id: &str,
) -> Result<DefaultProfileSet, WorkflowError> {
    let profile = client.enrollment_profiles(token_id).get(profile_id).await?;
    let ios = match profile {
        EnrollmentProfile::DepIos(_) => true,
        EnrollmentProfile::DepMacOs(_) => false,
        _ => {
            return Err(WorkflowError::InvalidInput(
                "only iOS/iPadOS and macOS profiles can be made the default here".into(),
            ))
        }
    };
    let tokens = client.enrollment_program_tokens();
    let default_of = |t: &crate::model::DepOnboardingSetting| {
        if ios {
            t.default_ios_enrollment_profile
                .as_ref()
                .and_then(|p| p.id.clone())
        } else {
            t.default_mac_os_enrollment_profile
                .as_ref()
                .and_then(|p| p.id.clone())
        }
    };
    let before = tokens.get(token_id).await?;
    let previous_default = default_of(&before);
    match client
        .enrollment_profiles(token_id)
        .set_default(profile_id)
        .await
    {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::OutcomeUnknown => {}
        Err(e) => return Err(e.into()),
    }
    let after = tokens.get(token_id).await?;
    if default_of(&after).as_deref() != Some(profile_id) {
        return Err(WorkflowError::VerificationFailed {
            what: format!(
                "the token's default {} profile is {:?}, not {profile_id}",
                if ios { "iOS/iPadOS" } else { "macOS" },
                default_of(&after)
            ),
        });
    }
    Ok(DefaultProfileSet {
        token_id: token_id.to_owned(),
        profile_id: profile_id.to_owned(),
        platform: if ios { "ios" } else { "macOS" }.into(),
        previous_default,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bindings run these futures on a multi-threaded runtime.
    #[allow(dead_code)]
    fn futures_are_send(client: &Client, p: &EnrollmentProfile, serials: &[String]) {
        fn send<T: Send>(_: &T) {}
        send(&create_profile(client, "t", p));
        send(&copy_profile(client, "t", "p", client, "u", None));
        send(&assign_serial_numbers(
            client,
            "t",
            "p",
            serials,
            &SerialAssignmentOptions::default(),
        ));
        send(&set_default_profile(client, "t", "p"));
    }

    #[test]
    fn csv_first_column_without_header_and_plain_lists() {
        let l = parse_serial_numbers("c02xk1zzjgh5, x\n\n  F9FDN4NKQ1GC \n").unwrap();
        assert_eq!(l.serial_numbers, ["C02XK1ZZJGH5", "F9FDN4NKQ1GC"]);
        let l =
            parse_serial_numbers("\u{feff}\"serialNumber\"\n\"AAA111\"\nnot a serial\n").unwrap();
        assert_eq!(l.serial_numbers, ["AAA111"]);
        assert_eq!(l.invalid, ["not a serial"]);
        let l = parse_serial_numbers("Device\tSERIAL_NUMBER\niPad\tZZ99\n").unwrap();
        assert_eq!(l.serial_numbers, ["ZZ99"]);
        assert!(matches!(
            parse_serial_numbers(" \n"),
            Err(WorkflowError::InvalidInput(_))
        ));
        assert!(parse_serial_numbers("serial\n---\n").is_err());
    }
}
