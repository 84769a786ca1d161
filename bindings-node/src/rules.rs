//! The rules: token health and renewal guidance, sync throttling, profile validation. Pure
//! functions; `now` defaults to the current time.

use chrono::{DateTime, Utc};
use intune_apple_core::clock::{Clock as _, SystemClock};
use intune_apple_core::model::{EnrollmentProfile, MobileApp, MobileAppAssignment, VppToken};
use intune_apple_core::rules::duplicates as dup;
use intune_apple_core::rules::{
    self, health::Window, HealthThresholds, Locale, SyncDecision, SyncKind, SyncPolicy, SyncTimes,
    TokenKind, ValidationContext,
};
use napi::bindgen_prelude::Unknown;
use napi::{Env, Result};
use napi_derive::napi;

use crate::convert::{self, EnrollmentProgramToken, PushCertificate, VppTokenInfo};
use crate::error::{failure, throw};
use crate::guard;

pub(crate) fn now_or(env: &Env, now: Option<DateTime<Utc>>) -> Result<DateTime<Utc>> {
    Ok(guard::instant(env, "now", now)?.unwrap_or_else(|| SystemClock.now()))
}

/// Warning and critical windows, in whole days left.
#[napi(object)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ExpiryWindow {
    /// `warning` at most this many days before expiry (default 30; a whole number from 0 to
    /// 3650, at least `criticalDays`).
    pub warning_days: Option<f64>,
    /// `critical` at most this many days before expiry (default 7; a whole number from 0 to
    /// 3650).
    pub critical_days: Option<f64>,
}

/// Options of the health rules.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct HealthOptions {
    /// The instant to judge against (default: now).
    pub now: Option<DateTime<Utc>>,
    /// Language of messages (default `en`).
    #[napi(ts_type = "Locale")]
    pub locale: Option<String>,
    /// Windows of the push certificate.
    pub push_certificate: Option<ExpiryWindow>,
    /// Windows of enrollment program tokens.
    pub enrollment_program_token: Option<ExpiryWindow>,
    /// Windows of VPP tokens.
    pub vpp_token: Option<ExpiryWindow>,
}

fn window(env: &Env, kind: &str, base: Window, w: Option<ExpiryWindow>) -> Result<Window> {
    let Some(w) = w else { return Ok(base) };
    Ok(Window {
        warning_days: guard::days(env, &format!("{kind}.warningDays"), w.warning_days)?
            .unwrap_or(base.warning_days),
        critical_days: guard::days(env, &format!("{kind}.criticalDays"), w.critical_days)?
            .unwrap_or(base.critical_days),
    })
}

/// The locale of an option, read by the core's one parser: absent is English, an unknown name
/// is refused with `ERR_INVALID_INPUT` (never silently English).
pub(crate) fn locale(env: &Env, name: Option<&str>) -> Result<Locale> {
    name.map_or(Ok(Locale::En), |n| {
        Locale::parse(n).map_err(|e| throw(env, failure("ERR_INVALID_INPUT", e.to_string())))
    })
}

/// The thresholds of `o`, checked by the core (`ERR_INVALID_INPUT` saying what to give).
pub(crate) fn thresholds(env: &Env, o: &HealthOptions) -> Result<HealthThresholds> {
    let base = HealthThresholds::default();
    let t = HealthThresholds {
        push_certificate: window(
            env,
            "pushCertificate",
            base.push_certificate,
            o.push_certificate,
        )?,
        enrollment_program_token: window(
            env,
            "enrollmentProgramToken",
            base.enrollment_program_token,
            o.enrollment_program_token,
        )?,
        vpp_token: window(env, "vppToken", base.vpp_token, o.vpp_token)?,
        ..base
    };
    t.validate()
        .map_err(|e| throw(env, failure("ERR_INVALID_INPUT", e.to_string())))?;
    Ok(t)
}

/// One problem of a credential.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct HealthProblem {
    /// Stable code (`push.expiring`, `dep.sync_error_terms`, ...).
    pub code: String,
    /// How serious.
    #[napi(ts_type = "Severity")]
    pub severity: String,
    /// What it means and what to do.
    pub message: String,
}

/// The health of one credential.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct TokenHealth {
    /// Which kind of credential.
    #[napi(ts_type = "TokenKind")]
    pub kind: String,
    /// Its id in Intune.
    pub id: Option<String>,
    /// Its name.
    pub display_name: Option<String>,
    /// The Apple ID that owns it.
    pub apple_id: Option<String>,
    /// When it expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whole days left (negative once expired).
    pub days_left: Option<i64>,
    /// The worst severity.
    #[napi(ts_type = "Severity")]
    pub severity: String,
    /// Every problem found.
    pub problems: Vec<HealthProblem>,
}

impl From<rules::TokenHealth> for TokenHealth {
    fn from(h: rules::TokenHealth) -> Self {
        Self {
            kind: h.kind.code().to_owned(),
            id: h.id,
            display_name: h.display_name,
            apple_id: h.apple_id,
            expires_at: h.expires_at,
            days_left: h.days_left,
            severity: h.severity.code().to_owned(),
            problems: h
                .problems
                .into_iter()
                .map(|p| HealthProblem {
                    code: p.code.to_owned(),
                    severity: p.severity.code().to_owned(),
                    message: p.message,
                })
                .collect(),
        }
    }
}

/// The health of the push certificate.
#[napi(catch_unwind)]
pub fn push_certificate_health(
    env: &Env,
    certificate: PushCertificate,
    options: Option<HealthOptions>,
) -> Result<TokenHealth> {
    let o = options.unwrap_or_default();
    let thresholds = thresholds(env, &o)?;
    Ok(rules::push_certificate_health(
        &guard::dated(env, "the certificate", certificate)?.into(),
        now_or(env, o.now)?,
        &thresholds,
        locale(env, o.locale.as_deref())?,
    )
    .into())
}

/// The health of an enrollment program token.
#[napi(catch_unwind)]
pub fn enrollment_program_token_health(
    env: &Env,
    token: EnrollmentProgramToken,
    options: Option<HealthOptions>,
) -> Result<TokenHealth> {
    let o = options.unwrap_or_default();
    let thresholds = thresholds(env, &o)?;
    Ok(rules::enrollment_program_token_health(
        &guard::dated(env, "the token", token)?.into(),
        now_or(env, o.now)?,
        &thresholds,
        locale(env, o.locale.as_deref())?,
    )
    .into())
}

/// The health of a VPP token.
#[napi(catch_unwind)]
pub fn vpp_token_health(
    env: &Env,
    token: VppTokenInfo,
    options: Option<HealthOptions>,
) -> Result<TokenHealth> {
    let o = options.unwrap_or_default();
    let thresholds = thresholds(env, &o)?;
    Ok(rules::vpp_token_health(
        &guard::dated(env, "the token", token)?.into(),
        now_or(env, o.now)?,
        &thresholds,
        locale(env, o.locale.as_deref())?,
    )
    .into())
}

/// What happens when a credential lapses, and how to renew it.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct RenewalGuidance {
    /// Which kind of credential.
    #[napi(ts_type = "TokenKind")]
    pub kind: String,
    /// What happens if it lapses.
    pub consequence: String,
    /// Which Apple ID to use.
    pub apple_id_note: String,
    /// The steps, in Intune and in Apple's portals.
    pub renewal_steps: Vec<String>,
}

/// Renewal guidance for a kind of credential.
#[napi(catch_unwind)]
pub fn renewal_guidance(
    env: &Env,
    #[napi(ts_arg_type = "TokenKind")] kind: String,
    apple_id: Option<String>,
    #[napi(ts_arg_type = "Locale")] locale_name: Option<String>,
) -> Result<RenewalGuidance> {
    let kind = match kind.as_str() {
        "push_certificate" => TokenKind::PushCertificate,
        "enrollment_program_token" => TokenKind::EnrollmentProgramToken,
        "vpp_token" => TokenKind::VppToken,
        other => {
            return Err(throw(
                env,
                failure(
                    "ERR_INVALID_INPUT",
                    format!("unknown kind {other:?}: use push_certificate, enrollment_program_token or vpp_token"),
                ),
            ))
        }
    };
    let g = rules::guidance(
        kind,
        apple_id.as_deref(),
        locale(env, locale_name.as_deref())?,
    );
    Ok(RenewalGuidance {
        kind: g.kind.code().to_owned(),
        consequence: g.consequence,
        apple_id_note: g.apple_id_note,
        renewal_steps: g.renewal_steps,
    })
}

/// The sync times of an enrollment program token.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct SyncTimesInput {
    /// When a sync was last asked for.
    pub last_triggered: Option<DateTime<Utc>>,
    /// When a sync last succeeded.
    pub last_successful: Option<DateTime<Utc>>,
    /// When the last full sync ran.
    pub last_full: Option<DateTime<Utc>>,
}

/// Options of `decideSync`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct SyncDecisionOptions {
    /// A delta sync (default) or a full sync.
    #[napi(ts_type = "'delta' | 'full'")]
    pub kind: Option<String>,
    /// The instant to judge against (default: now).
    pub now: Option<DateTime<Utc>>,
    /// Use the macOS page's 24-hour automatic interval.
    pub macos: Option<bool>,
}

/// Whether a sync may start now, and if not, when.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct SyncVerdict {
    /// Whether the sync may start.
    pub allowed: bool,
    /// Why not (`sync.too_soon`, `sync.in_progress`, `sync.full_sync_too_soon`).
    #[napi(ts_type = "SyncDenialCode")]
    pub reason: Option<String>,
    /// The first instant the same request is allowed.
    pub next_allowed_at: Option<DateTime<Utc>>,
}

/// Intune's sync rules: whether a manual (or full) sync of an enrollment program token may
/// start now.
#[napi(catch_unwind)]
pub fn decide_sync(
    env: &Env,
    times: SyncTimesInput,
    options: Option<SyncDecisionOptions>,
) -> Result<SyncVerdict> {
    let o = options.unwrap_or_default();
    let policy = if o.macos == Some(true) {
        SyncPolicy::macos()
    } else {
        SyncPolicy::default()
    };
    let kind = if o.kind.as_deref() == Some("full") {
        SyncKind::Full
    } else {
        SyncKind::Delta
    };
    let times = SyncTimes {
        last_triggered: guard::instant(env, "lastTriggered", times.last_triggered)?,
        last_successful: guard::instant(env, "lastSuccessful", times.last_successful)?,
        last_full: guard::instant(env, "lastFull", times.last_full)?,
    };
    Ok(match policy.decide(kind, &times, now_or(env, o.now)?) {
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
            next_allowed_at: Some(next_allowed_at),
        },
    })
}

/// One broken rule of an enrollment profile.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Violation {
    /// Stable rule code (`I1`..`I19`, `M1`..`M9`, ...).
    pub code: String,
    /// `error`: Graph refuses it or enrolment fails; `warning`: it will not work as intended.
    #[napi(ts_type = "'warning' | 'error'")]
    pub severity: String,
    /// The field, as a JSON path.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl From<rules::Violation> for Violation {
    fn from(v: rules::Violation) -> Self {
        Self {
            code: v.code.to_owned(),
            severity: match v.severity {
                rules::ViolationSeverity::Warning => "warning",
                rules::ViolationSeverity::Error => "error",
            }
            .to_owned(),
            path: v.path.to_owned(),
            message: v.message,
        }
    }
}

/// What profile validation needs beyond the profile itself.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ValidationOptions {
    /// The tenant's VPP tokens (to check the Company Portal token).
    pub vpp_tokens: Option<Vec<VppTokenInfo>>,
    /// The instant to judge expiry against (default: now).
    pub now: Option<DateTime<Utc>>,
    /// How many profiles the token holds, this one included (default 1).
    pub profiles_on_token: Option<f64>,
    /// Maximum profiles per token (default 1,000).
    pub profile_limit: Option<f64>,
}

/// Every broken rule of an enrollment profile at once (empty when it is valid).
#[napi(catch_unwind)]
pub fn validate_enrollment_profile(
    env: &Env,
    #[napi(ts_arg_type = "EnrollmentProfile")] profile: Unknown<'_>,
    options: Option<ValidationOptions>,
) -> Result<Vec<Violation>> {
    let profile: EnrollmentProfile =
        convert::from_js(profile, "the profile").map_err(|f| throw(env, f))?;
    let o = options.unwrap_or_default();
    let tokens = vpp_tokens(env, o.vpp_tokens.unwrap_or_default())?;
    let mut ctx = ValidationContext::new(&tokens, now_or(env, o.now)?);
    if let Some(n) = o.profiles_on_token {
        ctx.profiles_on_token = guard::count(env, "profilesOnToken", n, 0, 1_000_000)?;
    }
    if let Some(n) = o.profile_limit {
        ctx.profile_limit = guard::count(env, "profileLimit", n, 0, 1_000_000)?;
    }
    Ok(rules::validate_profile(&profile, &ctx)
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The broken rules of a device name template (`{{SERIAL}}`, `{{DEVICETYPE}}`, ...).
#[napi(catch_unwind)]
pub fn validate_device_name_template(template: String) -> Vec<Violation> {
    rules::validate_device_name_template(&template)
        .into_iter()
        .map(Into::into)
        .collect()
}

/// Whether a VPP token can still deliver apps at `now` (default: now): not expired (by state
/// or by date), not invalid, not held by another MDM.
#[napi(catch_unwind)]
pub fn vpp_token_usable(
    env: &Env,
    token: VppTokenInfo,
    now: Option<DateTime<Utc>>,
) -> Result<bool> {
    let token = guard::dated(env, "the token", token)?;
    Ok(dup::is_usable(&token.into(), now_or(env, now)?))
}

/// VPP tokens given by JavaScript as the core's, each with its times checked
/// ([`guard::dated`]).
pub(crate) fn vpp_tokens(env: &Env, tokens: Vec<VppTokenInfo>) -> Result<Vec<VppToken>> {
    tokens
        .into_iter()
        .map(|t| guard::dated(env, "a token", t).map(Into::into))
        .collect()
}

/// At each location holding several VPP tokens, which are old and which current token replaces
/// each; locations where none is usable are `unresolved`.
#[napi(catch_unwind, ts_return_type = "TokenRoles")]
pub fn superseded_tokens<'e>(
    env: &'e Env,
    tokens: Vec<VppTokenInfo>,
    now: Option<DateTime<Utc>>,
) -> Result<Unknown<'e>> {
    let now = now_or(env, now)?;
    convert::to_js(env, &dup::superseded_tokens(&vpp_tokens(env, tokens)?, now))
}

/// The apps present under an old and the current token of one location, and the apps of old
/// tokens with no counterpart (`orphans`). Apps that are not VPP apps are ignored.
#[napi(catch_unwind, ts_return_type = "DuplicateFindings")]
pub fn find_duplicate_apps<'e>(
    env: &'e Env,
    tokens: Vec<VppTokenInfo>,
    #[napi(ts_arg_type = "Array<MobileApp>")] apps: Unknown<'_>,
    now: Option<DateTime<Utc>>,
) -> Result<Unknown<'e>> {
    let now = now_or(env, now)?;
    let apps: Vec<MobileApp> = convert::from_js(apps, "the apps").map_err(|f| throw(env, f))?;
    let refs: Vec<dup::AppRef> = apps.iter().filter_map(dup::AppRef::from_app).collect();
    convert::to_js(
        env,
        &dup::find_duplicates(&vpp_tokens(env, tokens)?, &refs, now),
    )
}

/// What an assignment targets, as the duplicate repair compares them (`null` when it has no
/// target).
#[napi(catch_unwind, ts_return_type = "AssignmentKey | null")]
pub fn assignment_key<'e>(
    env: &'e Env,
    #[napi(ts_arg_type = "MobileAppAssignment")] assignment: Unknown<'_>,
) -> Result<Unknown<'e>> {
    let assignment: MobileAppAssignment =
        convert::from_js(assignment, "the assignment").map_err(|f| throw(env, f))?;
    convert::to_js(env, &dup::assignment_key(&assignment))
}

/// Which of `sources`' assignments to copy onto an app whose current assignments are
/// `targetCurrent`, and the complete list to send with `assignApp` (`merged`).
#[napi(catch_unwind, ts_return_type = "AssignmentPlan")]
pub fn plan_assignments<'e>(
    env: &'e Env,
    #[napi(ts_arg_type = "Array<MobileAppAssignment>")] target_current: Unknown<'_>,
    #[napi(ts_arg_type = "Array<MobileAppAssignment>")] sources: Unknown<'_>,
) -> Result<Unknown<'e>> {
    let target_current: Vec<MobileAppAssignment> =
        convert::from_js(target_current, "targetCurrent").map_err(|f| throw(env, f))?;
    let sources: Vec<MobileAppAssignment> =
        convert::from_js(sources, "sources").map_err(|f| throw(env, f))?;
    convert::to_js(env, &dup::plan_assignments(&target_current, &sources))
}
