//! Reconciliation of Apple Business with Intune: what Apple assigns to each MDM server against
//! what each enrollment program token holds. Pure: both sides' data and `now` in, findings out.
//!
//! Each Apple MDM server is first mapped to an Intune enrollment program token by the strongest
//! evidence available. Neither API exposes a shared identifier, and the Apple Business API does
//! not give a server's public key back, so the evidence is, strongest first: a mapping pinned by
//! the operator, the overlap of serial numbers, the name. Each mapping says which it used and
//! how sure it is. Then, per token, the cases:
//!
//! | case | code | what |
//! |---|---|---|
//! | a | `abm.missing_in_intune` | assigned to this server by Apple, absent from Intune |
//! | b | `abm.assigned_elsewhere`, `abm.unassigned`, `abm.not_in_organization` | in Intune, but not assigned to this server by Apple |
//! | c | `abm.no_profile` | on both sides, no enrollment profile and no default for its platform |
//! | d | `abm.sync_clock_mismatch` | Apple's last contact with the server vs Intune's last successful sync |
//! | e | `abm.default_family_without_profile` | product families Apple sends here by default without an Intune default profile |
//! | f | `abm.migration_without_await` | devices migrating in whose profile does not await final configuration |
//!
//! and for the organisation: `abm.server_without_token`, `abm.token_without_server`,
//! `abm.serial_on_two_servers`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::health::Severity;
use super::sync::{SyncDecision, SyncKind, SyncPolicy, SyncTimes};
use crate::model::apple_business::{normalize_serial, MdmServer, OrgDevice};
use crate::model::{
    DepOnboardingSetting, EnrollmentProfile, ImportedAppleDeviceIdentity, Platform,
};

/// What the Apple Business API said about the organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppleOrganization {
    /// Every MDM server.
    pub servers: Vec<MdmServer>,
    /// Per server id, the serial numbers assigned to it (`relationships/devices`).
    pub assignments: BTreeMap<String, Vec<String>>,
    /// Every device of the organisation (`orgDevices`).
    pub devices: Vec<OrgDevice>,
}

/// What Intune holds for one enrollment program token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntuneToken {
    /// The token.
    pub token: DepOnboardingSetting,
    /// Its enrollment profiles.
    pub profiles: Vec<EnrollmentProfile>,
    /// Its imported devices.
    pub devices: Vec<ImportedAppleDeviceIdentity>,
    /// When its last full sync started, if the caller tracks it (Graph has no such time).
    pub last_full_sync: Option<DateTime<Utc>>,
}

/// How the reconciliation judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileOptions {
    /// Mappings fixed by the operator: Apple MDM server id → Intune token id.
    pub pins: BTreeMap<String, String>,
    /// Intune's sync limits, to say when a sync or a full sync is allowed.
    pub sync_policy: SyncPolicy,
    /// How far apart Apple's last contact with a server and Intune's last successful sync may
    /// be before they are reported (default one hour).
    pub clock_tolerance: Duration,
    /// When each token's last full sync started (token id → time), if tracked: Graph has no
    /// such time, and without it a full sync is judged by the 7-day rule alone.
    pub last_full_syncs: BTreeMap<String, DateTime<Utc>>,
}

impl Default for ReconcileOptions {
    fn default() -> Self {
        Self {
            pins: BTreeMap::new(),
            sync_policy: SyncPolicy::default(),
            clock_tolerance: Duration::hours(1),
            last_full_syncs: BTreeMap::new(),
        }
    }
}

/// Which evidence mapped a server to a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MatchEvidence {
    /// Pinned by the operator ([`ReconcileOptions::pins`]).
    Pinned,
    /// The serial numbers Apple assigns to the server overlap those the token imported.
    SerialOverlap,
    /// The server's name equals the token's name (case and spaces aside); weak, both are free text.
    Name,
}

/// How sure a mapping is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Confidence {
    /// Guessed from weak evidence: check it, or pin it.
    Low,
    /// Probable.
    Medium,
    /// Certain for practical purposes.
    High,
}

/// The Apple MDM server a token was mapped to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerMatch {
    /// Apple's server id.
    pub server_id: String,
    /// Its name in Apple Business.
    pub server_name: Option<String>,
    /// The evidence used.
    pub evidence: MatchEvidence,
    /// How sure.
    pub confidence: Confidence,
    /// Serials both on the server (Apple) and on the token (Intune).
    pub shared_serials: usize,
    /// Serials Apple assigns to the server.
    pub apple_serials: usize,
    /// Serials the token holds in Intune.
    pub intune_serials: usize,
    /// Why this confidence, in a sentence.
    pub explanation: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable code (`abm.missing_in_intune`, ...).
    pub code: String,
    /// The case of the reconciliation (`a` to `f`), or `org` for the organisation-wide ones.
    pub case: String,
    /// How bad.
    #[serde(with = "severity_code")]
    pub severity: Severity,
    /// What is wrong, in a sentence.
    pub summary: String,
    /// Every serial number concerned (sorted).
    pub serials: Vec<String>,
    /// What to do.
    pub action: String,
    /// The Apple MDM server id the finding is about, for the organisation's findings that
    /// concern one server (`abm.server_without_token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
}

/// The reconciliation of one enrollment program token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenReconciliation {
    /// Intune's token id.
    pub token_id: String,
    /// Its name in Intune.
    pub token_name: Option<String>,
    /// The Apple MDM server it was mapped to, if any.
    pub server: Option<ServerMatch>,
    /// The worst severity of its findings (`ok` without any).
    #[serde(with = "severity_code")]
    pub severity: Severity,
    /// Its findings, worst first.
    pub findings: Vec<Finding>,
}

/// The reconciliation of an organisation with a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reconciliation {
    /// The instant it was judged at.
    pub generated_at: DateTime<Utc>,
    /// One entry per Intune enrollment program token.
    pub tokens: Vec<TokenReconciliation>,
    /// Findings about the organisation (servers without a token, serials on two servers).
    pub organization: Vec<Finding>,
}

impl Reconciliation {
    /// The worst severity of every finding.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.tokens
            .iter()
            .map(|t| t.severity)
            .chain(self.organization.iter().map(|f| f.severity))
            .fold(Severity::Ok, Severity::max)
    }

    /// Every finding, the token's id with each (`None` for the organisation's).
    pub fn findings(&self) -> impl Iterator<Item = (Option<&str>, &Finding)> {
        self.tokens
            .iter()
            .flat_map(|t| {
                t.findings
                    .iter()
                    .map(move |f| (Some(t.token_id.as_str()), f))
            })
            .chain(self.organization.iter().map(|f| (None, f)))
    }
}

mod severity_code {
    use serde::{Deserialize as _, Deserializer, Serializer};

    use super::Severity;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` passes a reference
    pub(super) fn serialize<S: Serializer>(v: &Severity, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.code())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "ok" => Severity::Ok,
            "warning" => Severity::Warning,
            "critical" => Severity::Critical,
            "expired" => Severity::Expired,
            _ => Severity::Unknown,
        })
    }
}

/// The Intune platform a device enrols as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Enrols {
    Ios,
    MacOs,
    TvOs,
    VisionOs,
}

impl Enrols {
    fn name(self) -> &'static str {
        match self {
            Self::Ios => "iOS/iPadOS",
            Self::MacOs => "macOS",
            Self::TvOs => "tvOS",
            Self::VisionOs => "visionOS",
        }
    }

    fn of_platform(p: Option<&Platform>) -> Option<Self> {
        match p? {
            Platform::Ios => Some(Self::Ios),
            Platform::MacOs => Some(Self::MacOs),
            Platform::TvOs => Some(Self::TvOs),
            Platform::VisionOs => Some(Self::VisionOs),
            _ => None,
        }
    }

    /// From `OrgDevice.productFamily` (`iPhone`, `Mac`, ...) or `MdmServerProductFamily`
    /// (`IPHONE`, `MAC`, `APPLE_TV`, ...).
    fn of_family(family: &str) -> Option<Self> {
        let f: String = family
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase();
        match f.as_str() {
            "IPHONE" | "IPAD" | "IPOD" => Some(Self::Ios),
            "MAC" => Some(Self::MacOs),
            "APPLETV" => Some(Self::TvOs),
            "VISION" => Some(Self::VisionOs),
            _ => None,
        }
    }

    fn of_profile(p: &EnrollmentProfile) -> Option<Self> {
        match p {
            EnrollmentProfile::DepIos(_) => Some(Self::Ios),
            EnrollmentProfile::DepMacOs(_) => Some(Self::MacOs),
            EnrollmentProfile::DepTvOs(_) => Some(Self::TvOs),
            EnrollmentProfile::DepVisionOs(_) => Some(Self::VisionOs),
            _ => None,
        }
    }
}

fn is_default(p: &EnrollmentProfile) -> bool {
    match p {
        EnrollmentProfile::DepIos(p) => p.is_default == Some(true),
        EnrollmentProfile::DepMacOs(p) => p.is_default == Some(true),
        EnrollmentProfile::DepEnrollmentProfile(p) => p.is_default == Some(true),
        // tvOS and visionOS profiles have no default flag: the token's expanded defaults say.
        EnrollmentProfile::DepTvOs(_)
        | EnrollmentProfile::DepVisionOs(_)
        | EnrollmentProfile::Other(_) => false,
    }
}

/// Whether the profile holds Setup Assistant until Intune confirms the configuration ("Await
/// final configuration"): `awaitDeviceConfiguredConfirmation` on iOS, else
/// `waitForDeviceConfiguredConfirmation`.
fn awaits_configuration(p: &EnrollmentProfile) -> bool {
    match p {
        EnrollmentProfile::DepIos(p) => {
            p.await_device_configured_confirmation == Some(true)
                || p.wait_for_device_configured_confirmation == Some(true)
        }
        EnrollmentProfile::DepMacOs(p) => p.wait_for_device_configured_confirmation == Some(true),
        EnrollmentProfile::DepEnrollmentProfile(p) => {
            p.await_device_configured_confirmation == Some(true)
        }
        EnrollmentProfile::DepTvOs(_)
        | EnrollmentProfile::DepVisionOs(_)
        | EnrollmentProfile::Other(_) => false,
    }
}

fn name_key(name: Option<&str>) -> Option<String> {
    let key: String = name?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    (!key.is_empty()).then_some(key)
}

/// The serials a token holds in Intune (not deleted), normalised, with their identity.
fn intune_serials(t: &IntuneToken) -> HashMap<String, &ImportedAppleDeviceIdentity> {
    t.devices
        .iter()
        .filter(|d| d.is_deleted != Some(true))
        .filter_map(|d| {
            d.serial_number
                .as_deref()
                .map(normalize_serial)
                .filter(|s| !s.is_empty())
                .map(|s| (s, d))
        })
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn finding(
    code: &str,
    case: &str,
    severity: Severity,
    summary: String,
    serials: Vec<String>,
    action: String,
) -> Finding {
    Finding {
        code: code.to_owned(),
        case: case.to_owned(),
        severity,
        summary,
        serials: sorted(serials),
        action,
        server_id: None,
    }
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Reconciles the organisation with the tenant's enrollment program tokens at `now`.
///
/// ```
/// use std::collections::BTreeMap;
/// use chrono::{TimeZone, Utc};
/// use intune_apple_core::model::apple_business::MdmServer;
/// use intune_apple_core::model::{DepOnboardingSetting, ImportedAppleDeviceIdentity};
/// use intune_apple_core::rules::reconcile::{
///     reconcile, AppleOrganization, IntuneToken, MatchEvidence, ReconcileOptions,
/// };
///
/// let now = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
/// let apple = AppleOrganization {
///     servers: vec![MdmServer { id: "S1".into(), server_name: Some("Contoso".into()), ..Default::default() }],
///     assignments: BTreeMap::from([("S1".to_owned(), vec!["A1".to_owned(), "A2".to_owned()])]),
///     devices: vec![],
/// };
/// let device = |s: &str| ImportedAppleDeviceIdentity { serial_number: Some(s.into()), ..Default::default() };
/// let intune = vec![IntuneToken {
///     token: DepOnboardingSetting { id: Some("T1".into()), ..Default::default() },
///     devices: vec![device("a1")],
///     ..Default::default()
/// }];
/// let r = reconcile(&apple, &intune, now, &ReconcileOptions::default());
/// let t = &r.tokens[0];
/// assert_eq!(t.server.as_ref().unwrap().evidence, MatchEvidence::SerialOverlap);
/// let missing = t.findings.iter().find(|f| f.code == "abm.missing_in_intune").unwrap();
/// assert_eq!(missing.serials, vec!["A2"]);
/// ```
#[must_use]
pub fn reconcile(
    apple: &AppleOrganization,
    intune: &[IntuneToken],
    now: DateTime<Utc>,
    options: &ReconcileOptions,
) -> Reconciliation {
    // Apple's side, normalised
    let servers: HashMap<&str, &MdmServer> =
        apple.servers.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut assigned_to: HashMap<String, &str> = HashMap::new();
    let mut on_two: Vec<String> = Vec::new();
    let mut per_server: HashMap<&str, HashSet<String>> = HashMap::new();
    for (server, serials) in &apple.assignments {
        let set = per_server.entry(server.as_str()).or_default();
        for s in serials {
            let s = normalize_serial(s);
            if let Some(other) = assigned_to.insert(s.clone(), server.as_str()) {
                if other != server.as_str() {
                    on_two.push(s.clone());
                }
            }
            set.insert(s);
        }
    }
    let org_devices: HashMap<String, &OrgDevice> = apple
        .devices
        .iter()
        .map(|d| (normalize_serial(&d.serial_number), d))
        .collect();

    // Intune's side
    let token_serials: Vec<HashMap<String, &ImportedAppleDeviceIdentity>> =
        intune.iter().map(intune_serials).collect();
    let mut token_of_serial: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, serials) in token_serials.iter().enumerate() {
        for s in serials.keys() {
            token_of_serial.entry(s.as_str()).or_default().push(i);
        }
    }

    let matches = map_servers(
        apple,
        intune,
        &per_server,
        &token_serials,
        &token_of_serial,
        options,
    );

    let mut tokens = Vec::new();
    for (i, t) in intune.iter().enumerate() {
        let token_id = t.token.id.clone().unwrap_or_default();
        let mut findings = Vec::new();
        let server = matches.get(&i).cloned();
        match &server {
            None => findings.push(finding(
                "abm.token_without_server",
                "org",
                Severity::Warning,
                "No MDM server of this Apple Business organisation matches this token (no shared serial number, no equal name).".to_owned(),
                Vec::new(),
                "If the token belongs to another Apple Business or Apple School Manager organisation, reconcile it with that organisation's API account; otherwise pin the server to the token.".to_owned(),
            )),
            Some(m) => {
                let empty = HashSet::new();
                let here = per_server.get(m.server_id.as_str()).unwrap_or(&empty);
                let srv = servers.get(m.server_id.as_str()).copied();
                token_findings(
                    t,
                    &token_serials[i],
                    here,
                    srv,
                    &servers,
                    &assigned_to,
                    &org_devices,
                    now,
                    options,
                    &mut findings,
                );
            }
        }
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.case.cmp(&b.case))
        });
        let severity = findings
            .iter()
            .map(|f| f.severity)
            .fold(Severity::Ok, Severity::max);
        tokens.push(TokenReconciliation {
            token_id,
            token_name: t.token.token_name.clone(),
            server,
            severity,
            findings,
        });
    }

    let mut organization = Vec::new();
    let matched: HashSet<&str> = matches.values().map(|m| m.server_id.as_str()).collect();
    for s in &apple.servers {
        if !s.is_mdm() || s.is_deleted() || matched.contains(s.id.as_str()) {
            continue;
        }
        let serials: Vec<String> = per_server
            .get(s.id.as_str())
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default();
        if serials.is_empty() {
            continue;
        }
        let name = s.server_name.as_deref().unwrap_or(&s.id);
        let mut f = finding(
            "abm.server_without_token",
            "org",
            Severity::Warning,
            format!("Apple Business assigns {} device(s) to the MDM server \"{name}\", which matches no enrollment program token of this tenant: they will not enrol in Intune.", serials.len()),
            serials,
            format!("If \"{name}\" is Intune, upload its server token into an enrollment program token; if it is another MDM or retired, reassign its devices in Apple Business to the Intune server (Devices > select > Edit MDM Server)."),
        );
        f.server_id = Some(s.id.clone());
        organization.push(f);
    }
    if !on_two.is_empty() {
        organization.push(finding(
            "abm.serial_on_two_servers",
            "org",
            Severity::Warning,
            format!("{} serial number(s) were listed under two MDM servers: the assignments changed while they were read, or Apple's data is inconsistent.", sorted(on_two.clone()).len()),
            on_two,
            "Run the reconciliation again; if it persists, check these devices in Apple Business.".to_owned(),
        ));
    }
    Reconciliation {
        generated_at: now,
        tokens,
        organization,
    }
}

/// Maps tokens (by index) to servers: pins, then serial overlap (largest first), then names.
fn map_servers(
    apple: &AppleOrganization,
    intune: &[IntuneToken],
    per_server: &HashMap<&str, HashSet<String>>,
    token_serials: &[HashMap<String, &ImportedAppleDeviceIdentity>],
    token_of_serial: &HashMap<&str, Vec<usize>>,
    options: &ReconcileOptions,
) -> HashMap<usize, ServerMatch> {
    let mut out: HashMap<usize, ServerMatch> = HashMap::new();
    let mut used: HashSet<&str> = HashSet::new();
    let count = |id: &str| per_server.get(id).map_or(0, HashSet::len);
    let server_name = |id: &str| {
        apple
            .servers
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.server_name.clone())
    };
    for (server_id, token_id) in &options.pins {
        if let Some(i) = intune
            .iter()
            .position(|t| t.token.id.as_deref() == Some(token_id))
        {
            let shared = per_server.get(server_id.as_str()).map_or(0, |set| {
                set.iter()
                    .filter(|s| token_serials[i].contains_key(*s))
                    .count()
            });
            out.insert(
                i,
                ServerMatch {
                    server_id: server_id.clone(),
                    server_name: server_name(server_id),
                    evidence: MatchEvidence::Pinned,
                    confidence: Confidence::High,
                    shared_serials: shared,
                    apple_serials: count(server_id),
                    intune_serials: token_serials[i].len(),
                    explanation: "Pinned in the options.".to_owned(),
                },
            );
            used.insert(server_id.as_str());
        }
    }
    // overlaps of every candidate server with every token
    let mut pairs: Vec<(usize, &MdmServer, usize)> = Vec::new();
    for s in &apple.servers {
        if !s.is_mdm() || s.is_deleted() || used.contains(s.id.as_str()) {
            continue;
        }
        let mut shared: HashMap<usize, usize> = HashMap::new();
        if let Some(set) = per_server.get(s.id.as_str()) {
            for serial in set {
                for &i in token_of_serial.get(serial.as_str()).into_iter().flatten() {
                    *shared.entry(i).or_default() += 1;
                }
            }
        }
        pairs.extend(shared.into_iter().map(|(i, n)| (n, s, i)));
    }
    pairs.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.id.cmp(&b.1.id))
            .then(a.2.cmp(&b.2))
    });
    let best_other = |server: &str, token: usize, pairs: &[(usize, &MdmServer, usize)]| {
        pairs
            .iter()
            .filter(|(_, s, i)| (s.id == server) != (*i == token))
            .filter(|(_, s, i)| s.id == server || *i == token)
            .map(|(n, _, _)| *n)
            .max()
            .unwrap_or(0)
    };
    for &(n, s, i) in &pairs {
        if out.contains_key(&i) || used.contains(s.id.as_str()) {
            continue;
        }
        let apple_n = count(&s.id);
        let intune_n = token_serials[i].len();
        let union = (apple_n + intune_n).saturating_sub(n).max(1);
        let jaccard = n as f64 / union as f64;
        let names_agree = name_key(s.server_name.as_deref()).is_some()
            && name_key(s.server_name.as_deref())
                == name_key(intune[i].token.token_name.as_deref());
        let rival = best_other(&s.id, i, &pairs);
        let mut confidence = if jaccard >= 0.5 || (names_agree && jaccard >= 0.1) {
            Confidence::High
        } else if jaccard >= 0.1 || names_agree {
            Confidence::Medium
        } else {
            Confidence::Low
        };
        if rival * 2 >= n && confidence > Confidence::Low {
            confidence = if confidence == Confidence::High {
                Confidence::Medium
            } else {
                Confidence::Low
            };
        }
        let explanation = format!(
            "{n} serial number(s) on both sides ({:.0}% of the union of the server's {apple_n} and the token's {intune_n}){}{}.",
            jaccard * 100.0,
            if names_agree { "; the names agree" } else { "" },
            if rival * 2 >= n { "; another pairing shares nearly as many, so check it or pin it" } else { "" },
        );
        out.insert(
            i,
            ServerMatch {
                server_id: s.id.clone(),
                server_name: s.server_name.clone(),
                evidence: MatchEvidence::SerialOverlap,
                confidence,
                shared_serials: n,
                apple_serials: apple_n,
                intune_serials: intune_n,
                explanation,
            },
        );
        used.insert(s.id.as_str());
    }
    // names, for what is left (e.g. a new token, or a server with no device yet)
    for (i, t) in intune.iter().enumerate() {
        if out.contains_key(&i) {
            continue;
        }
        let Some(key) = name_key(t.token.token_name.as_deref()) else {
            continue;
        };
        let candidates: Vec<&MdmServer> = apple
            .servers
            .iter()
            .filter(|s| s.is_mdm() && !s.is_deleted() && !used.contains(s.id.as_str()))
            .filter(|s| name_key(s.server_name.as_deref()).as_deref() == Some(key.as_str()))
            .collect();
        if let [s] = candidates.as_slice() {
            let apple_n = count(&s.id);
            let intune_n = token_serials[i].len();
            let confidence = if apple_n == 0 && intune_n == 0 {
                Confidence::Medium
            } else {
                Confidence::Low
            };
            out.insert(i, ServerMatch {
                server_id: s.id.clone(),
                server_name: s.server_name.clone(),
                evidence: MatchEvidence::Name,
                confidence,
                shared_serials: 0,
                apple_serials: apple_n,
                intune_serials: intune_n,
                explanation: "Only the names agree (no serial number on both sides); names are free text on both sides, so pin the mapping once checked.".to_owned(),
            });
            used.insert(s.id.as_str());
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn token_findings(
    t: &IntuneToken,
    intune_here: &HashMap<String, &ImportedAppleDeviceIdentity>,
    apple_here: &HashSet<String>,
    server: Option<&MdmServer>,
    servers: &HashMap<&str, &MdmServer>,
    assigned_to: &HashMap<String, &str>,
    org_devices: &HashMap<String, &OrgDevice>,
    now: DateTime<Utc>,
    options: &ReconcileOptions,
    out: &mut Vec<Finding>,
) {
    let server_name = server
        .and_then(|s| s.server_name.clone())
        .unwrap_or_else(|| "this MDM server".to_owned());
    // profiles: by id, and the default of each platform
    let by_id: HashMap<&str, &EnrollmentProfile> = t
        .profiles
        .iter()
        .filter_map(|p| p.id().map(|id| (id, p)))
        .collect();
    let mut defaults: BTreeMap<Enrols, &EnrollmentProfile> = BTreeMap::new();
    for p in &t.profiles {
        if let (true, Some(os)) = (is_default(p), Enrols::of_profile(p)) {
            defaults.entry(os).or_insert(p);
        }
    }
    let os_of = |serial: &str, d: &ImportedAppleDeviceIdentity| {
        Enrols::of_platform(d.platform.as_ref()).or_else(|| {
            org_devices
                .get(serial)
                .and_then(|o| o.product_family.as_deref())
                .and_then(Enrols::of_family)
        })
    };
    let profile_of = |serial: &str, d: &ImportedAppleDeviceIdentity| {
        d.requested_enrollment_profile_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .and_then(|id| by_id.get(id).copied())
            .or_else(|| os_of(serial, d).and_then(|os| defaults.get(&os).copied()))
    };

    // (a) assigned here by Apple, absent from Intune
    let missing: Vec<String> = apple_here
        .iter()
        .filter(|s| !intune_here.contains_key(*s))
        .cloned()
        .collect();
    if !missing.is_empty() {
        let last_full = t.last_full_sync.or_else(|| {
            t.token
                .id
                .as_ref()
                .and_then(|id| options.last_full_syncs.get(id).copied())
        });
        let times = SyncTimes::from_token(&t.token, last_full);
        let delta = options.sync_policy.decide(SyncKind::Delta, &times, now);
        let full = options.sync_policy.decide(SyncKind::Full, &times, now);
        let say = |d: SyncDecision, what: &str| match d {
            SyncDecision::Allowed => format!("a {what} is allowed now"),
            SyncDecision::Denied {
                next_allowed_at, ..
            } => {
                format!("a {what} is allowed from {}", when(next_allowed_at))
            }
        };
        let last = t
            .token
            .last_successful_sync_date_time
            .map_or_else(|| "never".to_owned(), when);
        let full_note = if last_full.is_none() {
            " (the last full sync is not known: Intune allows one every 7 days)"
        } else {
            ""
        };
        out.push(finding(
            "abm.missing_in_intune",
            "a",
            Severity::Warning,
            format!("{} device(s) assigned to \"{server_name}\" in Apple Business are not in this token in Intune: its sync is stale or failed (last successful sync: {last}).", missing.len()),
            missing,
            format!("Sync the token (Intune admin center: Devices > Enrollment > Apple > Enrollment program tokens > the token > Sync): {}; if a delta sync does not bring them, {}{full_note}. A device deleted from Intune but still assigned in Apple Business comes back only with a full sync.", say(delta, "sync"), say(full, "full sync")),
        ));
    }

    // (b) in Intune, not assigned here by Apple
    let mut elsewhere: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut unassigned = Vec::new();
    let mut absent = Vec::new();
    for serial in intune_here.keys() {
        if apple_here.contains(serial) {
            continue;
        }
        match assigned_to.get(serial) {
            Some(other) => elsewhere.entry(other).or_default().push(serial.clone()),
            None if org_devices.contains_key(serial) => unassigned.push(serial.clone()),
            None => absent.push(serial.clone()),
        }
    }
    if !elsewhere.is_empty() {
        let names: Vec<String> = elsewhere
            .iter()
            .map(|(id, v)| {
                let name = servers
                    .get(id)
                    .and_then(|s| s.server_name.as_deref())
                    .unwrap_or(id);
                format!("\"{name}\" ({})", v.len())
            })
            .collect();
        let serials: Vec<String> = elsewhere.into_values().flatten().collect();
        out.push(finding(
            "abm.assigned_elsewhere",
            "b",
            Severity::Warning,
            format!("{} device(s) of this token are assigned to another MDM server in Apple Business ({}): they will not enrol here.", serials.len(), names.join(", ")),
            serials,
            format!("If they belong here, reassign them to \"{server_name}\" in Apple Business (Devices > select > Edit MDM Server), then sync the token; otherwise remove them from this token after the next full sync."),
        ));
    }
    if !unassigned.is_empty() {
        out.push(finding(
            "abm.unassigned",
            "b",
            Severity::Warning,
            format!("{} device(s) of this token are unassigned in Apple Business: they will not enrol in any MDM.", unassigned.len()),
            unassigned,
            format!("Assign them to \"{server_name}\" in Apple Business (Devices > select > Edit MDM Server), then sync the token."),
        ));
    }
    if !absent.is_empty() {
        out.push(finding(
            "abm.not_in_organization",
            "b",
            Severity::Warning,
            format!("{} device(s) of this token are no longer in the Apple Business organisation (released or removed): they will not enrol here.", absent.len()),
            absent,
            "Check in Apple Business (Activity) who released them; Intune drops released devices within 30 to 45 days, or delete them from the token now.".to_owned(),
        ));
    }

    // (c) on both sides, no profile and no default profile for its platform
    let mut no_profile: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    // (f) migrating in with a profile that does not await final configuration
    let mut no_await: Vec<String> = Vec::new();
    for (serial, d) in intune_here {
        if !apple_here.contains(serial) {
            continue;
        }
        match profile_of(serial, d) {
            None => no_profile
                .entry(os_of(serial, d).map_or("unknown platform", Enrols::name))
                .or_default()
                .push(serial.clone()),
            Some(p) => {
                let migrating = org_devices.get(serial).is_some_and(|o| o.is_migrating());
                if migrating && !awaits_configuration(p) {
                    no_await.push(serial.clone());
                }
            }
        }
    }
    if !no_profile.is_empty() {
        let platforms: Vec<&str> = no_profile.keys().copied().collect();
        let serials: Vec<String> = no_profile.into_values().flatten().collect();
        out.push(finding(
            "abm.no_profile",
            "c",
            Severity::Critical,
            format!("{} device(s) assigned on both sides have no enrollment profile and the token has no default profile for their platform ({}): their enrollment will fail.", serials.len(), platforms.join(", ")),
            serials,
            "Assign an enrollment profile to them (the token > Devices > Assign profile), or set a default profile for the platform (the token > Profiles > the profile > Set default profile).".to_owned(),
        ));
    }
    if !no_await.is_empty() {
        out.push(finding(
            "abm.migration_without_await",
            "f",
            Severity::Warning,
            format!("{} device(s) are migrating into Intune from another MDM and their enrollment profile does not await final configuration: users can reach the home screen before Intune's policies and apps arrive.", no_await.len()),
            no_await,
            "Turn on Await final configuration in their enrollment profile (awaitDeviceConfiguredConfirmation on iOS/iPadOS, waitForDeviceConfiguredConfirmation on macOS) before the migration deadline.".to_owned(),
        ));
    }

    // (d) the two clocks
    if let Some(s) = server {
        let apple = s.last_connected_date_time;
        let intune = t.token.last_successful_sync_date_time;
        let d = match (apple, intune) {
            (Some(a), Some(i)) if (a - i).abs() > options.clock_tolerance => Some(format!(
                "Apple last heard from \"{server_name}\" at {} but Intune's last successful sync of this token was at {}: the two should agree within {} minutes.{}",
                when(a),
                when(i),
                options.clock_tolerance.num_minutes(),
                if i > a { " Intune syncing later than Apple saw the server suggests the token talks to another server: check the mapping." } else { " Syncs after Apple's last contact have not succeeded." }
            )),
            (Some(a), None) => Some(format!(
                "Apple last heard from \"{server_name}\" at {} but Intune has no successful sync of this token: its syncs reach Apple and fail (last sync error code: {}).",
                when(a),
                t.token.last_sync_error_code.map_or_else(|| "none".to_owned(), |c| c.to_string())
            )),
            (None, Some(i)) => Some(format!(
                "Intune's last successful sync was at {} but Apple has no record of \"{server_name}\" connecting: the token may belong to another server.",
                when(i)
            )),
            _ => None,
        };
        if let Some(summary) = d {
            out.push(finding(
                "abm.sync_clock_mismatch",
                "d",
                Severity::Warning,
                summary,
                Vec::new(),
                "Open the token in Intune and read its last sync error (e.g. terms and conditions not accepted in Apple Business, or an expired token); fix it, then sync; if the mapping is wrong, pin the right server.".to_owned(),
            ));
        }

        // (e) families Apple sends here by default without an Intune default profile
        let mut families: Vec<String> = Vec::new();
        for f in &s.default_product_families {
            match Enrols::of_family(f) {
                Some(os) if !defaults.contains_key(&os) => {
                    families.push(format!("{f} ({})", os.name()));
                }
                _ => {}
            }
        }
        if !families.is_empty() {
            out.push(finding(
                "abm.default_family_without_profile",
                "e",
                Severity::Warning,
                format!("Apple Business sends new {} devices to \"{server_name}\" by default, but this token has no default enrollment profile for them: each new device of those families will need a profile assigned by hand, or fail to enrol.", families.join(", ")),
                Vec::new(),
                "Set a default enrollment profile for those platforms on the token, or remove the families from the server's default assignment in Apple Business (Preferences > MDM Server Assignment).".to_owned(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DepIosEnrollmentProfile, DepMacOsEnrollmentProfile};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
    }

    fn dev(serial: &str, platform: Platform) -> ImportedAppleDeviceIdentity {
        ImportedAppleDeviceIdentity {
            serial_number: Some(serial.into()),
            platform: Some(platform),
            ..Default::default()
        }
    }

    fn server(id: &str, name: &str) -> MdmServer {
        MdmServer {
            id: id.into(),
            server_name: Some(name.into()),
            server_type: Some("MDM".into()),
            last_connected_date_time: Some(now() - Duration::hours(2)),
            ..Default::default()
        }
    }

    #[test]
    fn mapping_prefers_overlap_over_names() {
        // the names are crossed, the serials are not
        let apple = AppleOrganization {
            servers: vec![server("S1", "Beta"), server("S2", "Alpha")],
            assignments: BTreeMap::from([
                ("S1".into(), vec!["A1".into(), "A2".into()]),
                ("S2".into(), vec!["B1".into()]),
            ]),
            devices: vec![],
        };
        let token = |id: &str, name: &str, serials: &[&str]| IntuneToken {
            token: DepOnboardingSetting {
                id: Some(id.into()),
                token_name: Some(name.into()),
                last_successful_sync_date_time: Some(now() - Duration::hours(2)),
                ..Default::default()
            },
            devices: serials.iter().map(|s| dev(s, Platform::Ios)).collect(),
            ..Default::default()
        };
        let intune = vec![
            token("T1", "Alpha", &["A1", "A2"]),
            token("T2", "Beta", &["B1"]),
        ];
        let r = reconcile(&apple, &intune, now(), &ReconcileOptions::default());
        let m1 = r.tokens[0].server.as_ref().unwrap();
        assert_eq!(
            (m1.server_id.as_str(), m1.evidence),
            ("S1", MatchEvidence::SerialOverlap)
        );
        assert_eq!(m1.confidence, Confidence::High);
        assert_eq!(r.tokens[1].server.as_ref().unwrap().server_id, "S2");
        // pins win
        let options = ReconcileOptions {
            pins: BTreeMap::from([("S2".into(), "T1".into())]),
            ..ReconcileOptions::default()
        };
        let r = reconcile(&apple, &intune, now(), &options);
        let m1 = r.tokens[0].server.as_ref().unwrap();
        assert_eq!(
            (m1.server_id.as_str(), m1.evidence),
            ("S2", MatchEvidence::Pinned)
        );
    }

    #[test]
    fn profile_and_await_cases() {
        let apple = AppleOrganization {
            servers: vec![MdmServer {
                default_product_families: vec!["IPHONE".into(), "MAC".into(), "APPLE_TV".into()],
                ..server("S1", "Main")
            }],
            assignments: BTreeMap::from([(
                "S1".into(),
                vec!["I1".into(), "M1".into(), "M2".into()],
            )]),
            devices: vec![
                OrgDevice {
                    serial_number: "M1".into(),
                    mdm_migration_status: Some("REQUESTED".into()),
                    ..Default::default()
                },
                OrgDevice {
                    serial_number: "I1".into(),
                    mdm_migration_status: Some("STARTED".into()),
                    ..Default::default()
                },
            ],
        };
        let ios = EnrollmentProfile::DepIos(DepIosEnrollmentProfile {
            id: Some("p-ios".into()),
            is_default: Some(true),
            await_device_configured_confirmation: Some(true),
            ..Default::default()
        });
        let mac = EnrollmentProfile::DepMacOs(DepMacOsEnrollmentProfile {
            id: Some("p-mac".into()),
            ..Default::default()
        });
        let mut m2 = dev("M2", Platform::MacOs);
        m2.requested_enrollment_profile_id = Some("p-mac".into());
        let mut m1 = dev("m1", Platform::MacOs);
        m1.requested_enrollment_profile_id = Some("p-mac".into());
        let intune = vec![IntuneToken {
            token: DepOnboardingSetting {
                id: Some("T1".into()),
                last_successful_sync_date_time: Some(now() - Duration::hours(2)),
                ..Default::default()
            },
            profiles: vec![ios, mac],
            devices: vec![dev("I1", Platform::Ios), m1, m2, dev("M3", Platform::MacOs)],
            ..Default::default()
        }];
        let r = reconcile(&apple, &intune, now(), &ReconcileOptions::default());
        let codes: Vec<(&str, Vec<String>)> = r.tokens[0]
            .findings
            .iter()
            .map(|f| (f.code.as_str(), f.serials.clone()))
            .collect();
        // M3 is in Intune but not assigned anywhere nor in the organisation
        assert!(
            codes.contains(&("abm.not_in_organization", vec!["M3".into()])),
            "{codes:?}"
        );
        // M1 migrates with a macOS profile that does not await; I1's iOS profile awaits
        assert!(
            codes.contains(&("abm.migration_without_await", vec!["M1".into()])),
            "{codes:?}"
        );
        // no macOS nor tvOS default profile
        let e = r.tokens[0].findings.iter().find(|f| f.case == "e").unwrap();
        assert!(
            e.summary.contains("MAC (macOS)") && e.summary.contains("APPLE_TV"),
            "{}",
            e.summary
        );
        assert!(
            !codes.iter().any(|(c, _)| *c == "abm.no_profile"),
            "{codes:?}"
        );
        assert!(
            !codes.iter().any(|(c, _)| *c == "abm.sync_clock_mismatch"),
            "{codes:?}"
        );
    }
}
