//! The rules: credential health and renewal guidance, sync throttling, profile validation.
//! Pure functions; `now` defaults to the current time.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use intune_apple_core::clock::{Clock as _, SystemClock};
use intune_apple_core::model::{EnrollmentProfile, MobileApp, MobileAppAssignment, VppToken};
use intune_apple_core::rules::{
    self, health::Window, HealthThresholds, Locale, SyncDecision, SyncKind as CoreSyncKind,
    SyncPolicy, SyncTimes, TokenKind as CoreKind, ValidationContext,
};

use crate::error::IntuneAppleError;
use crate::json;
use crate::types::{time, utc, EnrollmentProgramToken, PushCertificate, VppTokenInfo};

type Result<T> = std::result::Result<T, IntuneAppleError>;

pub(crate) fn now_or(now: Option<SystemTime>) -> DateTime<Utc> {
    utc(now).unwrap_or_else(|| SystemClock.now())
}

/// Which kind of Apple credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TokenKind {
    /// The Apple MDM push certificate (APNs).
    PushCertificate,
    /// An enrollment program token (ADE / DEP / ABM token, `.p7m`).
    EnrollmentProgramToken,
    /// A VPP token (Apps and Books location token, `.vpptoken`).
    VppToken,
}

impl From<CoreKind> for TokenKind {
    fn from(k: CoreKind) -> Self {
        match k {
            CoreKind::PushCertificate => Self::PushCertificate,
            CoreKind::EnrollmentProgramToken => Self::EnrollmentProgramToken,
            CoreKind::VppToken => Self::VppToken,
        }
    }
}

impl From<TokenKind> for CoreKind {
    fn from(k: TokenKind) -> Self {
        match k {
            TokenKind::PushCertificate => Self::PushCertificate,
            TokenKind::EnrollmentProgramToken => Self::EnrollmentProgramToken,
            TokenKind::VppToken => Self::VppToken,
        }
    }
}

/// How urgent a credential is, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Severity {
    /// Nothing to do.
    Ok,
    /// Not enough information (e.g. no expiry date).
    Unknown,
    /// Act within the warning window.
    Warning,
    /// Act now.
    Critical,
    /// Expired.
    Expired,
}

impl From<rules::Severity> for Severity {
    fn from(s: rules::Severity) -> Self {
        match s {
            rules::Severity::Ok => Self::Ok,
            rules::Severity::Unknown => Self::Unknown,
            rules::Severity::Warning => Self::Warning,
            rules::Severity::Critical => Self::Critical,
            rules::Severity::Expired => Self::Expired,
        }
    }
}

/// Warning and critical windows, in whole days left (`None`: the default, 30 and 7).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, uniffi::Record)]
pub struct ExpiryWindow {
    /// `warning` at most this many days before expiry (0 to 3650, at least `criticalDays`).
    #[uniffi(default)]
    pub warning_days: Option<u32>,
    /// `critical` at most this many days before expiry (0 to 3650).
    #[uniffi(default)]
    pub critical_days: Option<u32>,
}

/// Options of the health rules and of the health report.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct HealthOptions {
    /// The instant to judge against (default: now).
    #[uniffi(default)]
    pub now: Option<SystemTime>,
    /// Language of messages: `en` (default), `de`, `fr`, ... (an unknown one is refused).
    #[uniffi(default)]
    pub locale: Option<String>,
    /// Windows of the push certificate.
    #[uniffi(default)]
    pub push_certificate: Option<ExpiryWindow>,
    /// Windows of enrollment program tokens.
    #[uniffi(default)]
    pub enrollment_program_token: Option<ExpiryWindow>,
    /// Windows of VPP tokens.
    #[uniffi(default)]
    pub vpp_token: Option<ExpiryWindow>,
}

fn window(base: Window, w: Option<ExpiryWindow>) -> Window {
    let Some(w) = w else { return base };
    Window {
        warning_days: w.warning_days.map_or(base.warning_days, i64::from),
        critical_days: w.critical_days.map_or(base.critical_days, i64::from),
    }
}

/// The locale of an option, read by the core's one parser: absent is English, an unknown name
/// is refused.
pub(crate) fn locale(name: Option<&str>) -> Result<Locale> {
    name.map_or(Ok(Locale::En), |n| {
        Locale::parse(n).map_err(|e| IntuneAppleError::invalid_input(e.to_string()))
    })
}

/// The thresholds of `o`, checked by the core.
pub(crate) fn thresholds(o: &HealthOptions) -> Result<HealthThresholds> {
    let base = HealthThresholds::default();
    let t = HealthThresholds {
        push_certificate: window(base.push_certificate, o.push_certificate),
        enrollment_program_token: window(base.enrollment_program_token, o.enrollment_program_token),
        vpp_token: window(base.vpp_token, o.vpp_token),
        ..base
    };
    t.validate()
        .map_err(|e| IntuneAppleError::invalid_input(e.to_string()))?;
    Ok(t)
}

/// One problem of a credential.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthProblem {
    /// Stable code (`push.expiring`, `dep.sync_error_terms`, ...).
    pub code: String,
    /// How serious.
    pub severity: Severity,
    /// What it means and what to do.
    pub message: String,
}

/// The health of one credential.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TokenHealth {
    /// Which kind of credential.
    pub kind: TokenKind,
    /// Its id in Intune.
    pub id: Option<String>,
    /// Its name.
    pub display_name: Option<String>,
    /// The Apple ID that owns it.
    pub apple_id: Option<String>,
    /// When it expires.
    pub expires_at: Option<SystemTime>,
    /// Whole days left (negative once expired).
    pub days_left: Option<i64>,
    /// The worst severity.
    pub severity: Severity,
    /// Every problem found.
    pub problems: Vec<HealthProblem>,
}

impl From<rules::TokenHealth> for TokenHealth {
    fn from(h: rules::TokenHealth) -> Self {
        Self {
            kind: h.kind.into(),
            id: h.id,
            display_name: h.display_name,
            apple_id: h.apple_id,
            expires_at: time(h.expires_at),
            days_left: h.days_left,
            severity: h.severity.into(),
            problems: h
                .problems
                .into_iter()
                .map(|p| HealthProblem {
                    code: p.code.to_owned(),
                    severity: p.severity.into(),
                    message: p.message,
                })
                .collect(),
        }
    }
}

/// The health of the push certificate.
#[uniffi::export]
pub fn push_certificate_health(
    certificate: PushCertificate,
    options: HealthOptions,
) -> Result<TokenHealth> {
    Ok(rules::push_certificate_health(
        &certificate.into(),
        now_or(options.now),
        &thresholds(&options)?,
        locale(options.locale.as_deref())?,
    )
    .into())
}

/// The health of an enrollment program token.
#[uniffi::export]
pub fn enrollment_program_token_health(
    token: EnrollmentProgramToken,
    options: HealthOptions,
) -> Result<TokenHealth> {
    Ok(rules::enrollment_program_token_health(
        &token.into(),
        now_or(options.now),
        &thresholds(&options)?,
        locale(options.locale.as_deref())?,
    )
    .into())
}

/// The health of a VPP token.
#[uniffi::export]
pub fn vpp_token_health(token: VppTokenInfo, options: HealthOptions) -> Result<TokenHealth> {
    Ok(rules::vpp_token_health(
        &token.into(),
        now_or(options.now),
        &thresholds(&options)?,
        locale(options.locale.as_deref())?,
    )
    .into())
}

/// What happens when a credential lapses, and how to renew it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RenewalGuidance {
    /// Which kind of credential.
    pub kind: TokenKind,
    /// What happens if it lapses.
    pub consequence: String,
    /// Which Apple ID to use.
    pub apple_id_note: String,
    /// The steps, in Intune and in Apple's portals.
    pub renewal_steps: Vec<String>,
}

/// Renewal guidance for a kind of credential, in `locale` (default English).
#[uniffi::export]
pub fn renewal_guidance(
    kind: TokenKind,
    apple_id: Option<String>,
    locale_name: Option<String>,
) -> Result<RenewalGuidance> {
    let g = rules::guidance(
        kind.into(),
        apple_id.as_deref(),
        locale(locale_name.as_deref())?,
    );
    Ok(RenewalGuidance {
        kind: g.kind.into(),
        consequence: g.consequence,
        apple_id_note: g.apple_id_note,
        renewal_steps: g.renewal_steps,
    })
}

/// A delta sync (the admin center's **Sync**) or a full sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SyncKind {
    /// A delta sync.
    Delta,
    /// A full sync (at most every 7 days).
    Full,
}

/// The sync times of an enrollment program token.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SyncTimesInput {
    /// When a sync was last asked for.
    #[uniffi(default)]
    pub last_triggered: Option<SystemTime>,
    /// When a sync last succeeded.
    #[uniffi(default)]
    pub last_successful: Option<SystemTime>,
    /// When the last full sync ran.
    #[uniffi(default)]
    pub last_full: Option<SystemTime>,
}

/// Whether a sync may start now, and if not, when.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncVerdict {
    /// Whether the sync may start.
    pub allowed: bool,
    /// Why not (`sync.too_soon`, `sync.in_progress`, `sync.full_sync_too_soon`).
    pub reason: Option<String>,
    /// The first instant the same request is allowed.
    pub next_allowed_at: Option<SystemTime>,
}

/// Intune's sync rules: whether a manual (or full) sync of an enrollment program token may
/// start at `now` (default: now). `macos`: the macOS page's 24-hour automatic interval.
#[uniffi::export]
pub fn decide_sync(
    times: SyncTimesInput,
    kind: SyncKind,
    now: Option<SystemTime>,
    macos: bool,
) -> SyncVerdict {
    let policy = if macos {
        SyncPolicy::macos()
    } else {
        SyncPolicy::default()
    };
    let kind = match kind {
        SyncKind::Delta => CoreSyncKind::Delta,
        SyncKind::Full => CoreSyncKind::Full,
    };
    let times = SyncTimes {
        last_triggered: utc(times.last_triggered),
        last_successful: utc(times.last_successful),
        last_full: utc(times.last_full),
    };
    match policy.decide(kind, &times, now_or(now)) {
        SyncDecision::Allowed => SyncVerdict {
            allowed: true,
            reason: None,
            next_allowed_at: None,
        },
        SyncDecision::Denied {
            reason,
            next_allowed_at,
        } => SyncVerdict {
            allowed: false,
            reason: Some(reason.code().to_owned()),
            next_allowed_at: Some(next_allowed_at.into()),
        },
    }
}

/// One broken rule of an enrollment profile.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Violation {
    /// Stable rule code (`I1`..`I19`, `M1`..`M9`, ...).
    pub code: String,
    /// `true`: Graph refuses it or enrolment fails; `false`: a warning, it will not work as
    /// intended.
    pub is_error: bool,
    /// The field, as a JSON path.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl From<rules::Violation> for Violation {
    fn from(v: rules::Violation) -> Self {
        Self {
            code: v.code.to_owned(),
            is_error: matches!(v.severity, rules::ViolationSeverity::Error),
            path: v.path.to_owned(),
            message: v.message,
        }
    }
}

/// What profile validation needs beyond the profile itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ValidationOptions {
    /// The tenant's VPP tokens (to check the Company Portal token).
    #[uniffi(default)]
    pub vpp_tokens: Vec<VppTokenInfo>,
    /// The instant to judge expiry against (default: now).
    #[uniffi(default)]
    pub now: Option<SystemTime>,
    /// How many profiles the token holds, this one included (default 1).
    #[uniffi(default)]
    pub profiles_on_token: Option<u32>,
    /// Maximum profiles per token (default 1,000).
    #[uniffi(default)]
    pub profile_limit: Option<u32>,
}

/// Every broken rule of an enrollment profile (Graph's JSON, with its `@odata.type`) at once;
/// empty when it is valid.
#[uniffi::export]
pub fn validate_enrollment_profile(
    profile_json: String,
    options: ValidationOptions,
) -> Result<Vec<Violation>> {
    let profile: EnrollmentProfile = json::from_text(&profile_json, "the profile")?;
    let tokens: Vec<VppToken> = options.vpp_tokens.into_iter().map(Into::into).collect();
    let mut ctx = ValidationContext::new(&tokens, now_or(options.now));
    if let Some(n) = options.profiles_on_token {
        ctx.profiles_on_token = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = options.profile_limit {
        ctx.profile_limit = usize::try_from(n).unwrap_or(usize::MAX);
    }
    Ok(rules::validate_profile(&profile, &ctx)
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The broken rules of a device name template (`{{SERIAL}}`, `{{DEVICETYPE}}`, ...).
#[uniffi::export]
pub fn validate_device_name_template(template: String) -> Vec<Violation> {
    rules::validate_device_name_template(&template)
        .into_iter()
        .map(Into::into)
        .collect()
}

/// Whether a VPP token can still serve apps at `now` (default: now): valid and not expired.
#[uniffi::export]
pub fn vpp_token_usable(token: VppTokenInfo, now: Option<SystemTime>) -> bool {
    rules::duplicates::is_usable(&token.into(), now_or(now))
}

fn vpp_tokens(tokens: Vec<VppTokenInfo>) -> Vec<VppToken> {
    tokens.into_iter().map(Into::into).collect()
}

fn assignments(items: &[String], what: &str) -> Result<Vec<MobileAppAssignment>> {
    items.iter().map(|a| json::from_text(a, what)).collect()
}

/// Which VPP tokens another token of the same location supersedes, as JSON text
/// (`{superseded: [{tokenId, location, replacedBy}], unresolved}`).
#[uniffi::export]
pub fn superseded_tokens(tokens: Vec<VppTokenInfo>, now: Option<SystemTime>) -> Result<String> {
    json::to_text(&rules::duplicates::superseded_tokens(
        &vpp_tokens(tokens),
        now_or(now),
    ))
}

/// The apps (Graph's JSON of each `mobileApp`) present under an old and the current token of
/// one location, as JSON text (`{tokens, duplicates, orphans}`); non-VPP apps are ignored.
#[uniffi::export]
pub fn find_duplicate_apps(
    tokens: Vec<VppTokenInfo>,
    apps_json: Vec<String>,
    now: Option<SystemTime>,
) -> Result<String> {
    let apps: Vec<MobileApp> = apps_json
        .iter()
        .map(|a| json::from_text(a, "an app"))
        .collect::<Result<_>>()?;
    let refs: Vec<rules::duplicates::AppRef> = apps
        .iter()
        .filter_map(rules::duplicates::AppRef::from_app)
        .collect();
    json::to_text(&rules::duplicates::find_duplicates(
        &vpp_tokens(tokens),
        &refs,
        now_or(now),
    ))
}

/// The target of an assignment (Graph's JSON of a `mobileAppAssignment`) as JSON text
/// (`{targetType, targetId}`), or `None` when it has no target.
#[uniffi::export]
pub fn assignment_key(assignment_json: String) -> Result<Option<String>> {
    let a: MobileAppAssignment = json::from_text(&assignment_json, "the assignment")?;
    rules::duplicates::assignment_key(&a)
        .map(|k| json::to_text(&k))
        .transpose()
}

/// Which of `sources`' assignments to copy onto an app that has `targetCurrent` (each Graph's
/// JSON of a `mobileAppAssignment`), as JSON text (`{toCopy, alreadyPresent, conflicts,
/// notCopied}`).
#[uniffi::export]
pub fn plan_assignments(target_current: Vec<String>, sources: Vec<String>) -> Result<String> {
    let current = assignments(&target_current, "an assignment of the target")?;
    let sources = assignments(&sources, "a source assignment")?;
    json::to_text(&rules::duplicates::plan_assignments(&current, &sources))
}
