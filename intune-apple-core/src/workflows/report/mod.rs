//! The tenant health report: the state of every Apple credential of a tenant in one document.
//!
//! [`health_report`] reads the push certificate, every enrollment program token and every VPP
//! token (and, when asked, the VPP apps) concurrently, applies the [health
//! rules](crate::rules::health), and returns a [`HealthReport`]. A call that fails does not
//! sink the report: its section is listed in [`HealthReport::errors`] with a stable code and
//! what to do. The report renders as JSON ([`HealthReport::to_json`], a stable shape documented
//! in `docs/report.md`), Markdown for an email ([`HealthReport::to_markdown`]), an aligned
//! terminal table ([`HealthReport::to_table`]) and an iCalendar file with one event per renewal
//! deadline ([`HealthReport::to_ics`]). [`scan_tenants`] reports on many tenants at once.
//!
//! ```
//! use intune_apple_core::graph::{Client, ClientSecretCredential};
//! use intune_apple_core::rules::Severity;
//! use intune_apple_core::workflows::report::{health_report, ReportOptions};
//! use intune_apple_sim::{Seed, Simulator};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Simulator::start(Seed::demo()).await?;
//! let client = Client::builder()
//!     .base_url(sim.base_url())
//!     .authority_host(sim.authority_host())
//!     .credential(ClientSecretCredential::new(sim.tenant_id(), sim.client_id(), sim.client_secret()))
//!     .build()?;
//!
//! let report = health_report(&client, &ReportOptions::default()).await;
//! assert!(report.errors.is_empty());
//! // The demo tenant has an expired VPP token: the worst item comes first.
//! assert_eq!(report.items[0].severity, Severity::Expired);
//! assert_eq!(report.exit_code(), 2);
//! println!("{}", report.to_table(false));
//! # Ok(()) }
//! ```

mod apple_business;
mod format;
mod html;
mod ics;
mod licences;
mod nagios;
mod prometheus;
pub(crate) mod render;
pub(crate) use render::plain;

pub use apple_business::{
    health_report_with_apple_business, scan_tenants_with_apple_business, APPLE_BUSINESS,
};
pub(crate) use format::{email_html, format_time_public, kind_label_public};
pub use format::{
    scan_to_checkmk, scan_to_html, scan_to_html_email, scan_to_nagios, scan_to_openmetrics,
    scan_to_prometheus, Format, UnknownFormat,
};
pub use prometheus::write_textfile;

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use futures::{StreamExt as _, TryStreamExt as _};
use serde::{Deserialize, Serialize};

use crate::graph::{Client, Error, ErrorKind};
use crate::model::{DepOnboardingSetting, MobileApp, VppToken};
use crate::rules::duplicates::{find_duplicates, AppRef};
use crate::rules::guidance::guidance;
use crate::rules::health::{
    enrollment_program_token_health, expiry_severity, push_certificate_health, vpp_token_health,
    HealthThresholds, Severity, TokenHealth, TokenKind,
};
use crate::rules::setup::{
    is_apple_configurator_key, missing_push_certificate, push_setup_steps, AppleFootprint,
};
use crate::rules::Locale;
use crate::workflows::error::WorkflowError;

/// What the report evaluates and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Evaluate the credentials at this instant instead of now (`None`: the client's clock).
    /// Expiries are judged at `as_of`; for a future `as_of`, the freshness of the last sync
    /// (`dep.sync_stale`, `vpp.sync_stale`) is still judged now.
    pub as_of: Option<DateTime<Utc>>,
    /// Warning and critical windows, sync intervals, push grace period.
    pub thresholds: HealthThresholds,
    /// Language of problems, consequences and renewal steps.
    pub locale: Locale,
    /// Also read the VPP apps, to flag apps licensed through an expired token
    /// (`vpp.apps_on_expired_token`) and apps present on an old and on the current token of the
    /// same location (`vpp.duplicate_apps`, exactly the apps
    /// [`find_duplicates`] finds for the repair).
    /// Off by default: a tenant can have thousands of apps.
    pub include_apps: bool,
}

impl ReportOptions {
    /// Checks the options before anything is read: the thresholds as
    /// [`HealthThresholds::validate`] does. [`health_report`] calls it (and reports a failure in
    /// [`HealthReport::errors`] under the section `options`); the bindings call it to raise the
    /// error at once.
    ///
    /// # Errors
    /// [`WorkflowError::InvalidInput`] saying which number is wrong and what to give instead.
    pub fn validate(&self) -> Result<(), WorkflowError> {
        self.thresholds
            .validate()
            .map_err(|e| WorkflowError::InvalidInput(e.message().to_owned()))
    }
}

/// The health of every Apple credential of one tenant.
///
/// Serialises to (and reads back from) the JSON shape documented in `docs/report.md`:
/// `{"generatedAt", "asOf", "items": [...], "errors": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct HealthReport {
    /// When the report was made (the client's clock).
    #[serde(with = "rfc3339")]
    pub generated_at: DateTime<Utc>,
    /// The instant the credentials were evaluated at (`--as-of`, else `generated_at`).
    #[serde(with = "rfc3339")]
    pub as_of: DateTime<Utc>,
    /// One entry per credential, most urgent first.
    pub items: Vec<ReportItem>,
    /// One entry per section that could not be read.
    pub errors: Vec<ReportError>,
    /// The thresholds the report was evaluated with, used by [`HealthReport::to_ics`] for the
    /// alarms. Not part of the JSON: a report read back from JSON has the defaults.
    #[serde(skip)]
    pub thresholds: HealthThresholds,
}

/// One credential in a [`HealthReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ReportItem {
    /// `pushCertificate`, `enrollmentProgramToken` or `vppToken`.
    #[serde(with = "kind_serde")]
    pub kind: TokenKind,
    /// A stable identifier: the Graph id of tokens; the topic of the push certificate (whose
    /// Graph id changes on every call).
    pub id: String,
    /// The name an admin knows it by: the topic (push), the token name (enrollment program),
    /// the location (VPP).
    pub name: Option<String>,
    /// The Apple ID (Managed Apple ID) the credential belongs to: renew with this one.
    pub apple_id: Option<String>,
    /// When it expires.
    #[serde(with = "rfc3339_opt")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Whole days left at `asOf` (negative once expired), rounded down.
    pub days_left: Option<i64>,
    /// `ok`, `warning`, `critical`, `expired` or `unknown`: the worst of expiry and problems.
    #[serde(with = "severity_serde")]
    pub severity: Severity,
    /// What is wrong, worst first, each with a stable code.
    pub problems: Vec<ReportProblem>,
    /// What happens if this credential lapses.
    pub consequence: String,
    /// The renewal steps, in order (Intune admin center, Apple portal, upload, check).
    pub renewal: Vec<String>,
    /// The sync facts of a token (absent for the push certificate, which does not sync).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<ItemSync>,
}

/// When a token last synced with Apple, and when the sync rules next allow one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ItemSync {
    /// The last successful sync (enrollment program tokens) or the last sync (VPP tokens).
    #[serde(default, with = "rfc3339_opt")]
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Enrollment program tokens: the earliest instant at which Intune accepts a manual sync,
    /// by the sync rules (`generatedAt` when one is allowed now). `None` for VPP tokens, which
    /// Intune does not throttle this way.
    #[serde(default, with = "rfc3339_opt")]
    pub next_sync_allowed_at: Option<DateTime<Utc>>,
}

/// A problem of a [`ReportItem`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
pub struct ReportProblem {
    /// Stable code (`push.expiring`, `vpp.duplicate_location`, ...), see `docs/rules.md`.
    pub code: String,
    /// What it means and what to do, in the report's locale.
    pub message: String,
}

/// A section of the report that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
pub struct ReportError {
    /// `pushCertificate`, `enrollmentProgramTokens`, `vppTokens`, `vppApps`, or `options` when
    /// the options were refused.
    pub section: String,
    /// The error kind ([`crate::graph::ErrorKind::as_str`]): `forbidden`, `throttled`, ...
    pub code: String,
    /// What failed and what to do next.
    pub message: String,
}

/// Section names used in [`ReportError::section`].
pub mod section {
    /// The Apple MDM push certificate.
    pub const PUSH_CERTIFICATE: &str = "pushCertificate";
    /// The enrollment program tokens.
    pub const ENROLLMENT_PROGRAM_TOKENS: &str = "enrollmentProgramTokens";
    /// The VPP tokens.
    pub const VPP_TOKENS: &str = "vppTokens";
    /// The VPP apps (only with [`ReportOptions::include_apps`](super::ReportOptions::include_apps)).
    pub const VPP_APPS: &str = "vppApps";
    /// The report's options were unusable (code `invalid_input`): nothing was read.
    pub const OPTIONS: &str = "options";
    /// In a multi-tenant scan, the tenant as a whole: its report ran out of time (code
    /// `timeout`) or stopped on an internal error (code `internal`).
    pub const TENANT: &str = "tenant";
    /// The sign-in itself: when it is refused, no section is read and this is the one error.
    pub const SIGN_IN: &str = "signIn";
    /// The enrollment profiles of the enrollment program tokens, read with the VPP apps to find
    /// the profiles that install the Company Portal.
    pub const ENROLLMENT_PROFILES: &str = "enrollmentProfiles";
}

/// The JSON name of a credential kind: `pushCertificate`, `enrollmentProgramToken`, `vppToken`.
#[must_use]
pub fn kind_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::PushCertificate => "pushCertificate",
        TokenKind::EnrollmentProgramToken => "enrollmentProgramToken",
        TokenKind::VppToken => "vppToken",
    }
}

impl HealthReport {
    /// The worst severity of the report: the worst item, and at least `unknown` when a section
    /// could not be read (what it holds is unknown).
    #[must_use]
    pub fn overall(&self) -> Severity {
        let worst = self
            .items
            .iter()
            .map(|i| i.severity)
            .fold(Severity::Ok, Severity::max);
        if self.errors.is_empty() {
            worst
        } else {
            worst.max(Severity::Unknown)
        }
    }

    /// The process exit code for cron and CI: `0` when every item is `ok`; `1` when something
    /// is `warning`, `critical` or `unknown`; `2` when something is `expired` or a section could
    /// not be read.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        if !self.errors.is_empty() {
            return 2;
        }
        match self.overall() {
            Severity::Ok => 0,
            Severity::Expired => 2,
            Severity::Unknown | Severity::Warning | Severity::Critical => 1,
        }
    }

    /// The report as pretty-printed JSON, in the documented shape.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serialising these types cannot fail: every map key is a string.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a report saved with [`HealthReport::to_json`] (to render it again).
    ///
    /// # Errors
    /// The JSON is not a report, with the path of the offending field.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The report as Markdown for an email or a ticket: a summary table, then the problems,
    /// consequence and renewal steps of each credential that needs attention, then the errors.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        render::markdown(self)
    }

    /// The report as an aligned terminal table, one line per credential, then the errors.
    /// With `color`, severities are coloured with ANSI escapes (pass whether stdout is a
    /// terminal).
    #[must_use]
    pub fn to_table(&self, color: bool) -> String {
        render::table(self, color)
    }

    /// An iCalendar (RFC 5545) file with one event per renewal deadline, each with alarms at
    /// the warning and critical thresholds of [`HealthReport::thresholds`], plus one event at
    /// the end of the push certificate's grace period (the last moment to renew it with the
    /// same topic). UIDs are stable across runs, so a re-imported file updates its events
    /// instead of duplicating them.
    #[must_use]
    pub fn to_ics(&self) -> String {
        ics::calendar(self, &self.thresholds)
    }

    /// As [`HealthReport::to_ics`] with other thresholds for the alarms.
    #[must_use]
    pub fn to_ics_with(&self, thresholds: &HealthThresholds) -> String {
        ics::calendar(self, thresholds)
    }
}

/// Reads every Apple credential of the tenant behind `client` and evaluates it.
///
/// Makes at most four calls at once (push certificate, enrollment program tokens, VPP tokens,
/// VPP apps), each paged sequentially, well within Intune's per-tenant throttle. A section whose
/// call fails is reported in [`HealthReport::errors`]; the others are still evaluated. Items are
/// sorted most urgent first: by severity, then fewest days left.
///
/// Options that [`ReportOptions::validate`] refuses (e.g. a negative warning window) read
/// nothing: the report has no item and one error of section [`section::OPTIONS`], code
/// `invalid_input`, and its exit code is 2.
pub async fn health_report(client: &Client, options: &ReportOptions) -> HealthReport {
    // Whole seconds, so that the instants in the JSON are exactly those the rules used.
    let generated_at = whole_seconds(client.clock().now());
    let now = options.as_of.unwrap_or(generated_at);
    if let Err(e) = options.validate() {
        return HealthReport {
            generated_at,
            as_of: now,
            items: Vec::new(),
            errors: vec![ReportError {
                section: section::OPTIONS.to_owned(),
                code: e.code().to_owned(),
                message: e.to_string(),
            }],
            thresholds: HealthThresholds::default(),
        };
    }
    let thresholds = &options.thresholds;
    let locale = options.locale;

    // One sign-in before the sections: a refused credential is asked for once and reported
    // once, not once per section.
    if let Err(e) = client.sign_in().await {
        return HealthReport {
            generated_at,
            as_of: now,
            items: Vec::new(),
            errors: vec![ReportError {
                section: section::SIGN_IN.to_owned(),
                code: e.kind().as_str().to_owned(),
                message: e.to_string(),
            }],
            thresholds: *thresholds,
        };
    }

    let push = client.push_certificate();
    let push = async move { push.get().await };
    // The tokens' profiles (licences, Company Portal) are read as soon as the tokens are, while
    // the apps are still being listed: the report waits for the longer of the two chains, not
    // for both one after the other.
    let include_apps = options.include_apps;
    let dep = async move {
        let dep = client
            .enrollment_program_tokens()
            .list()
            .try_collect::<Vec<DepOnboardingSetting>>()
            .await
            .map(|t| {
                t.into_iter()
                    .filter(|t| !is_apple_configurator_key(t))
                    .collect::<Vec<_>>()
            });
        let installs = match (&dep, include_apps) {
            (Ok(tokens), true) => Some(licences::installs_by_token(client, tokens).await),
            _ => None,
        };
        (dep, installs)
    };
    let vpp = client.vpp_tokens().list().try_collect::<Vec<VppToken>>();
    let apps = async move {
        if include_apps {
            Some(
                client
                    .vpp_apps()
                    .list()
                    .try_collect::<Vec<MobileApp>>()
                    .await,
            )
        } else {
            None
        }
    };
    let (push, (dep, installs), vpp, apps) = futures::join!(push, dep, vpp, apps);

    let mut items = Vec::new();
    let mut errors = Vec::new();
    match push {
        Ok(cert) => {
            let h = push_certificate_health(&cert, now, thresholds, locale);
            let id = cert
                .topic_identifier
                .clone()
                .unwrap_or_else(|| "applePushNotificationCertificate".to_owned());
            items.push(item(h, id, locale));
        }
        // A tenant that never set one up answers 404: a finding, not a failed read.
        Err(e) if e.kind() == ErrorKind::NotFound => {
            items.push(missing_push_item(
                dep.as_ref().ok(),
                vpp.as_ref().ok(),
                locale,
            ));
        }
        Err(e) => errors.push(report_error(section::PUSH_CERTIFICATE, &e, locale)),
    }
    let apps = match apps {
        Some(Ok(apps)) => Some(apps),
        Some(Err(e)) => {
            errors.push(report_error(section::VPP_APPS, &e, locale));
            None
        }
        None => None,
    };
    // Licences and the Company Portal of enrollment profiles, read with the apps.
    let view = apps.as_ref().map(|apps| match installs {
        Some(Ok(installs)) => licences::LicenceView::new(apps, installs),
        Some(Err(e)) => {
            errors.push(report_error(section::ENROLLMENT_PROFILES, &e, locale));
            licences::LicenceView::new(apps, BTreeMap::new())
        }
        None => licences::LicenceView::new(apps, BTreeMap::new()),
    });
    let no_vpp = Vec::new();
    let vpp_known = vpp.as_ref().unwrap_or(&no_vpp);
    match &dep {
        Ok(tokens) => items.extend(tokens.iter().map(|t| {
            let mut h = health_at(now, generated_at, thresholds, |at| {
                enrollment_program_token_health(t, at, thresholds, locale)
            });
            let id = t.id.clone().unwrap_or_default();
            if let Some(view) = &view {
                view.add_to_dep(&mut h, &id, vpp_known, now, locale);
            }
            let mut it = item(h, id, locale);
            it.sync = Some(dep_sync(t, &thresholds.dep_sync, generated_at));
            it
        })),
        Err(e) => errors.push(report_error(section::ENROLLMENT_PROGRAM_TOKENS, e, locale)),
    }
    match vpp {
        Ok(tokens) => {
            // Which token of a location is current is decided now, as the repair would.
            let findings = apps
                .as_deref()
                .map(|apps| app_findings(&tokens, apps, generated_at))
                .unwrap_or_default();
            items.extend(tokens.iter().map(|t| {
                let mut h = health_at(now, generated_at, thresholds, |at| {
                    vpp_token_health(t, at, thresholds, locale)
                });
                let id = t.id.clone().unwrap_or_default();
                if let Some(f) = findings.get(&id) {
                    add_app_problems(&mut h, f, locale);
                }
                if let Some(view) = &view {
                    view.add_to_vpp(&mut h, &id, &thresholds.licences, locale);
                }
                let mut it = item(h, id, locale);
                it.sync = Some(ItemSync {
                    last_sync_at: t.last_sync_date_time,
                    next_sync_allowed_at: None,
                });
                it
            }));
        }
        Err(e) => errors.push(report_error(section::VPP_TOKENS, &e, locale)),
    }
    sort_by_urgency(&mut items);
    HealthReport {
        generated_at,
        as_of: now,
        items,
        errors,
        thresholds: *thresholds,
    }
}

/// The health at `as_of`, except that when `as_of` is in the future the freshness of the last
/// sync (`*.sync_stale`) is judged now: a sync that is fresh today says nothing about a date to
/// come, and flagging every token as stale would drown the expiries asked about.
fn health_at(
    as_of: DateTime<Utc>,
    now: DateTime<Utc>,
    thresholds: &HealthThresholds,
    health: impl Fn(DateTime<Utc>) -> TokenHealth,
) -> TokenHealth {
    let mut h = health(as_of);
    if as_of <= now {
        return h;
    }
    let is_stale = |p: &crate::rules::health::Problem| p.code.ends_with(".sync_stale");
    h.problems.retain(|p| !is_stale(p));
    h.problems
        .extend(health(now).problems.into_iter().filter(|p| is_stale(p)));
    let window = match h.kind {
        TokenKind::PushCertificate => thresholds.push_certificate,
        TokenKind::EnrollmentProgramToken => thresholds.enrollment_program_token,
        TokenKind::VppToken => thresholds.vpp_token,
    };
    h.severity = h
        .problems
        .iter()
        .map(|p| p.severity)
        .fold(expiry_severity(h.expires_at, as_of, window), Severity::max);
    h.problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
    h
}

/// Most urgent first: worst severity, then fewest days left (no expiry last), then kind and name.
fn sort_by_urgency(items: &mut [ReportItem]) {
    let kind_rank = |k: TokenKind| match k {
        TokenKind::PushCertificate => 0,
        TokenKind::EnrollmentProgramToken => 1,
        TokenKind::VppToken => 2,
    };
    items.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| {
                a.days_left
                    .unwrap_or(i64::MAX)
                    .cmp(&b.days_left.unwrap_or(i64::MAX))
            })
            .then_with(|| kind_rank(a.kind).cmp(&kind_rank(b.kind)))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
}

fn item(h: TokenHealth, id: String, locale: Locale) -> ReportItem {
    let g = guidance(h.kind, h.apple_id.as_deref(), locale);
    ReportItem {
        kind: h.kind,
        id,
        name: h.display_name,
        apple_id: h.apple_id,
        expires_at: h.expires_at,
        days_left: h.days_left,
        severity: h.severity,
        problems: h
            .problems
            .into_iter()
            .map(|p| ReportProblem {
                code: p.code.to_owned(),
                message: p.message,
            })
            .collect(),
        consequence: g.consequence,
        renewal: g.renewal_steps,
        sync: None,
    }
}

/// The sync facts of an enrollment program token at `now` (a delta sync, the admin center's
/// button).
fn dep_sync(
    t: &DepOnboardingSetting,
    policy: &crate::rules::sync::SyncPolicy,
    now: DateTime<Utc>,
) -> ItemSync {
    use crate::rules::sync::{SyncDecision, SyncKind, SyncTimes};
    let times = SyncTimes::from_token(t, None);
    let next = match policy.decide(SyncKind::Delta, &times, now) {
        SyncDecision::Allowed => now,
        SyncDecision::Denied {
            next_allowed_at, ..
        } => next_allowed_at,
    };
    ItemSync {
        last_sync_at: t.last_successful_sync_date_time,
        next_sync_allowed_at: Some(next),
    }
}

/// The item of a push certificate the tenant does not have: critical when Apple credentials
/// wait for it. A section that could not be read counts as "something may wait".
fn missing_push_item(
    dep: Option<&Vec<DepOnboardingSetting>>,
    vpp: Option<&Vec<VppToken>>,
    locale: Locale,
) -> ReportItem {
    let footprint = AppleFootprint {
        enrollment_program_tokens: dep.map_or(1, |d| {
            d.iter().filter(|t| !is_apple_configurator_key(t)).count()
        }),
        vpp_tokens: vpp.map_or(1, Vec::len),
        apple_devices: 0,
    };
    let h = missing_push_certificate(&footprint, locale);
    let mut it = item(h, "applePushNotificationCertificate".to_owned(), locale);
    // What a reader of the table sees in the name column: that there is none.
    it.name.get_or_insert_with(|| {
        match locale {
            Locale::En => "none set up",
            Locale::Fr => "aucun configuré",
        }
        .to_owned()
    });
    it.renewal = push_setup_steps(locale);
    it
}

fn report_error(section: &str, e: &Error, locale: Locale) -> ReportError {
    let what = match (section, locale) {
        (section::PUSH_CERTIFICATE, Locale::En) => "Could not read the push certificate",
        (section::PUSH_CERTIFICATE, Locale::Fr) => "Lecture du certificat push impossible",
        (section::ENROLLMENT_PROGRAM_TOKENS, Locale::En) => {
            "Could not read the enrollment program tokens"
        }
        (section::ENROLLMENT_PROGRAM_TOKENS, Locale::Fr) => {
            "Lecture des jetons du programme d'inscription impossible"
        }
        (section::VPP_TOKENS, Locale::En) => "Could not read the VPP tokens",
        (section::VPP_TOKENS, Locale::Fr) => "Lecture des jetons VPP impossible",
        (section::ENROLLMENT_PROFILES, Locale::En) => {
            "Could not read the enrollment profiles (to check the Company Portal they install)"
        }
        (section::ENROLLMENT_PROFILES, Locale::Fr) => {
            "Lecture des profils d'inscription impossible (pour vérifier le Portail d'entreprise qu'ils installent)"
        }
        (_, Locale::En) => "Could not read the VPP apps",
        (_, Locale::Fr) => "Lecture des applications VPP impossible",
    };
    ReportError {
        section: section.to_owned(),
        code: e.kind().as_str().to_owned(),
        message: format!("{what}: {e}"),
    }
}

/// What the VPP apps say about one token.
#[derive(Debug, Default)]
struct AppFindings {
    /// Names of the apps licensed through the token.
    apps: Vec<String>,
    /// Names of its apps that are present twice in the sense of the duplicate-app repair
    /// ([`find_duplicates`]): the same app (platform and bundle id) on an old token and on the
    /// current token of the same organisation and location. Listed under both tokens.
    duplicated: Vec<String>,
}

fn app_name(a: &AppRef) -> String {
    a.display_name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| a.bundle_id.clone())
}

/// Per VPP token id: its apps, and those of them that the duplicate-app repair would act on.
///
/// The duplicates are exactly those of [`find_duplicates`], so that the report and
/// [`crate::workflows::duplicates`] always agree: an app bought for two different locations is
/// licensed twice on purpose and is not a duplicate.
fn app_findings(
    tokens: &[VppToken],
    apps: &[MobileApp],
    now: DateTime<Utc>,
) -> BTreeMap<String, AppFindings> {
    let refs: Vec<AppRef> = apps.iter().filter_map(AppRef::from_app).collect();
    let mut out: BTreeMap<String, AppFindings> = BTreeMap::new();
    for r in &refs {
        out.entry(r.vpp_token_id.clone())
            .or_default()
            .apps
            .push(app_name(r));
    }
    let found = find_duplicates(tokens, &refs, now);
    for d in &found.duplicates {
        for a in std::iter::once(&d.target).chain(&d.sources) {
            let f = out.entry(a.vpp_token_id.clone()).or_default();
            let name = app_name(a);
            if !f.duplicated.contains(&name) {
                f.duplicated.push(name);
            }
        }
    }
    out
}

fn list(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = names
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(", … (+{})", names.len() - SHOWN));
    }
    s
}

fn add_app_problems(h: &mut TokenHealth, f: &AppFindings, locale: Locale) {
    use crate::rules::health::Problem;
    if h.severity == Severity::Expired && !f.apps.is_empty() {
        let (n, names) = (f.apps.len(), list(&f.apps));
        h.problems.push(Problem {
            code: "vpp.apps_on_expired_token",
            severity: Severity::Expired,
            message: match locale {
                Locale::En => format!("{n} app(s) are licensed through this expired token ({names}): they no longer update and no new licence can be assigned. Renew the token in place; if a renewed copy was uploaded as a new token, move the assignments to its apps first."),
                Locale::Fr => format!("{n} application(s) sont sous licence via ce jeton expiré ({names}) : elles ne se mettent plus à jour et aucune nouvelle licence ne peut être attribuée. Renouvelez le jeton sur place ; si une copie renouvelée a été chargée comme nouveau jeton, déplacez d'abord les affectations vers ses applications."),
            },
        });
    }
    if !f.duplicated.is_empty() {
        let (n, names) = (f.duplicated.len(), list(&f.duplicated));
        h.problems.push(Problem {
            code: "vpp.duplicate_apps",
            severity: Severity::Warning,
            message: match locale {
                Locale::En => format!("{n} app(s) of this token also appear under another VPP token of the same location ({names}): users see them twice and assignments may point at the wrong copy. Keep the copy on the current token, copy the assignments to it (the duplicate-app repair, e.g. `cargo run --example repair_duplicates`), then delete the old token."),
                Locale::Fr => format!("{n} application(s) de ce jeton apparaissent aussi sous un autre jeton VPP du même emplacement ({names}) : les utilisateurs les voient en double et les affectations peuvent viser la mauvaise copie. Gardez la copie du jeton actuel, copiez-y les affectations (la réparation des doublons, p. ex. `cargo run --example repair_duplicates`), puis supprimez l'ancien jeton."),
            },
        });
    }
    h.severity = h
        .problems
        .iter()
        .map(|p| p.severity)
        .fold(h.severity, Severity::max);
    h.problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
}

/// One tenant to scan with [`scan_tenants`].
#[derive(Debug, Clone)]
pub struct TenantTarget {
    /// A name for the tenant in the results (e.g. its domain or customer name).
    pub name: String,
    /// A client authenticated for that tenant (one credential per tenant, or one multi-tenant
    /// app registration with a client per tenant id).
    pub client: Client,
}

/// The report of one tenant of [`scan_tenants`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantReport {
    /// [`TenantTarget::name`].
    pub tenant: String,
    /// Its report.
    pub report: HealthReport,
}

/// How many tenants a scan reads at once unless told otherwise: 100.
///
/// Intune's limits are per tenant (and per app and tenant), and one tenant's report is about
/// ten requests, so no number of tenants read at once comes near them; Graph's global limit is
/// per app across tenants (130,000 requests per 10 s), and at 100 tenants at once a scan sends
/// about 1,400 requests a second, a tenth of it. Measured at 150 ms of latency
/// (`./benches/run --only latency`, `docs/performance.md`): 1,000 tenants in 6.4 s at 100
/// against 12.7 s at 50 and about 50 s at 8, with 112 MiB resident against 109 MiB at 50.
pub const DEFAULT_SCAN_CONCURRENCY: usize = 100;

/// Reports on many tenants, at most `concurrency` tenants at a time (0 counts as 1), and returns
/// the reports in the order of `tenants`.
///
/// Each tenant's report makes at most four calls at once, so the per-tenant throttle of Intune
/// (2,000 requests per 20 s) is never approached; `concurrency` bounds the load on the machine
/// and on a shared app registration. Build the clients on one [`HttpStack`]: each client
/// otherwise sets up its own TLS (milliseconds of CPU each, most of a large scan's time).
///
/// [`HttpStack`]: crate::graph::HttpStack
///
/// ```
/// use intune_apple_core::graph::{Client, ClientSecretCredential, HttpStack};
/// use intune_apple_core::workflows::report::{scan_exit_code, scan_tenants, ReportOptions, TenantTarget};
/// use intune_apple_sim::{Seed, Simulator};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (demo, empty) = (Simulator::start(Seed::demo()).await?, Simulator::start(Seed::empty()).await?);
/// let http = HttpStack::new()?;
/// let mut targets = Vec::new();
/// for (name, sim) in [("contoso", &demo), ("fabrikam", &empty)] {
///     let client = Client::builder()
///         .http_stack(http.clone())
///         .base_url(sim.base_url())
///         .authority_host(sim.authority_host())
///         .credential(ClientSecretCredential::new(sim.tenant_id(), sim.client_id(), sim.client_secret()))
///         .build()?;
///     targets.push(TenantTarget { name: name.into(), client });
/// }
/// let reports = scan_tenants(targets, &ReportOptions::default(), 4).await;
/// assert_eq!(reports[0].tenant, "contoso");
/// assert_eq!(reports[0].report.items.len(), 7);
/// assert_eq!(reports[1].tenant, "fabrikam");
/// assert_eq!(scan_exit_code(&reports), 2);
/// # Ok(()) }
/// ```
pub async fn scan_tenants(
    tenants: Vec<TenantTarget>,
    options: &ReportOptions,
    concurrency: usize,
) -> Vec<TenantReport> {
    scan_tenants_within(tenants, options, concurrency, Some(DEFAULT_TENANT_DEADLINE)).await
}

/// How long [`scan_tenants`] gives each tenant's report: 10 minutes (a tenant with 100,000
/// apps reads in well under that).
pub const DEFAULT_TENANT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(600);

/// As [`scan_tenants`], with each tenant's report given `deadline` (`None`: none). A tenant
/// that is not done by then, or whose report stops on an internal error, gets a report with
/// no items and one error of section [`section::TENANT`] (code `timeout` or `internal`); the
/// other tenants are not held up by it.
pub async fn scan_tenants_within(
    tenants: Vec<TenantTarget>,
    options: &ReportOptions,
    concurrency: usize,
    deadline: Option<std::time::Duration>,
) -> Vec<TenantReport> {
    use futures::FutureExt as _;
    futures::stream::iter(tenants)
        .map(|t| async move {
            let run = std::panic::AssertUnwindSafe(health_report(&t.client, options)).catch_unwind();
            let outcome = match deadline {
                Some(d) => tokio::time::timeout(d, run).await.ok(),
                None => Some(run.await),
            };
            let report = match outcome {
                Some(Ok(report)) => report,
                Some(Err(_panic)) => tenant_failure(
                    &t.client,
                    "internal",
                    "the report of this tenant stopped on an internal error of intune-apple; the other tenants were reported. Run it again for this tenant alone and report the error if it persists".to_owned(),
                ),
                None => tenant_failure(
                    &t.client,
                    "timeout",
                    format!(
                        "the report of this tenant took longer than {} s and was abandoned; the other tenants were reported. Check the tenant's connectivity and throttling, then run it again for this tenant alone",
                        deadline.map_or(0, |d| d.as_secs())
                    ),
                ),
            };
            TenantReport {
                tenant: t.name,
                report,
            }
        })
        .buffered(concurrency.max(1))
        .collect()
        .await
}

/// The report of a tenant that could not be reported at all.
fn tenant_failure(client: &Client, code: &str, message: String) -> HealthReport {
    let generated_at = whole_seconds(client.clock().now());
    HealthReport {
        generated_at,
        as_of: generated_at,
        items: Vec::new(),
        errors: vec![ReportError {
            section: section::TENANT.to_owned(),
            code: code.to_owned(),
            message,
        }],
        thresholds: HealthThresholds::default(),
    }
}

/// The exit code of a multi-tenant scan: the worst [`HealthReport::exit_code`] (0 when empty).
#[must_use]
pub fn scan_exit_code(reports: &[TenantReport]) -> i32 {
    reports
        .iter()
        .map(|r| r.report.exit_code())
        .max()
        .unwrap_or(0)
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// RFC 3339 in UTC with `Z`; fractions of a second only when there are some (Graph's expiry
/// times can carry milliseconds), so that a saved report reads back to the same instants.
fn format_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_time(t))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

mod rfc3339_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize as _, Deserializer, Serializer};

    #[allow(clippy::ref_option)] // serde's `with` passes `&Option<T>`
    pub(super) fn serialize<S: Serializer>(
        t: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::format_time(t)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        s.map(|s| {
            DateTime::parse_from_rfc3339(&s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

mod kind_serde {
    use serde::{Deserialize as _, Deserializer, Serializer};

    use crate::rules::health::TokenKind;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` passes a reference
    pub(super) fn serialize<S: Serializer>(k: &TokenKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(super::kind_name(*k))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TokenKind, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "pushCertificate" => Ok(TokenKind::PushCertificate),
            "enrollmentProgramToken" => Ok(TokenKind::EnrollmentProgramToken),
            "vppToken" => Ok(TokenKind::VppToken),
            other => Err(serde::de::Error::unknown_variant(
                other,
                &["pushCertificate", "enrollmentProgramToken", "vppToken"],
            )),
        }
    }
}

mod severity_serde {
    use serde::{Deserialize as _, Deserializer, Serializer};

    use crate::rules::health::Severity;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` passes a reference
    pub(super) fn serialize<S: Serializer>(v: &Severity, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.code())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "ok" => Ok(Severity::Ok),
            "unknown" => Ok(Severity::Unknown),
            "warning" => Ok(Severity::Warning),
            "critical" => Ok(Severity::Critical),
            "expired" => Ok(Severity::Expired),
            other => Err(serde::de::Error::unknown_variant(
                other,
                &["ok", "warning", "critical", "expired", "unknown"],
            )),
        }
    }
}
