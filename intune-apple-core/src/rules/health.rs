//! Token health: expiry severity and the problems beyond expiry of each Apple credential.
//!
//! Severity comes from the whole days left before expiry: `warning` at 30 days or fewer,
//! `critical` at 7 or fewer (both configurable per kind, see [`HealthThresholds`]), `expired`
//! once the expiry instant is reached, `unknown` when Graph gives no expiry. Every
//! [`Problem`] has a stable `code` that scripts can match on and a message in the chosen
//! [`Locale`].
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use intune_apple_core::model::ApplePushNotificationCertificate;
//! use intune_apple_core::rules::health::{push_certificate_health, HealthThresholds, Severity};
//! use intune_apple_core::rules::Locale;
//!
//! let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
//! let cert = ApplePushNotificationCertificate {
//!     expiration_date_time: Some(now + Duration::days(30)),
//!     ..Default::default()
//! };
//! let h = push_certificate_health(&cert, now, &HealthThresholds::default(), Locale::En);
//! assert_eq!(h.days_left, Some(30));
//! assert_eq!(h.severity, Severity::Warning);
//! ```

use chrono::{DateTime, Duration, Utc};

use super::sync::SyncPolicy;
use super::Locale;
use crate::model::{ApplePushNotificationCertificate, VppToken, VppTokenState, VppTokenSyncStatus};

/// Which Apple credential a [`TokenHealth`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "describe",
    derive(crate::describe::Describe),
    describe(rename_all = "snake_case")
)]
pub enum TokenKind {
    /// The Apple MDM push certificate (APNs).
    PushCertificate,
    /// An enrollment program token (ADE / DEP / ABM token, `.p7m`).
    EnrollmentProgramToken,
    /// A VPP token (Apps and Books location token, `.vpptoken`).
    VppToken,
}

impl TokenKind {
    /// A stable code: `push_certificate`, `enrollment_program_token`, `vpp_token`.
    pub fn code(self) -> &'static str {
        match self {
            Self::PushCertificate => "push_certificate",
            Self::EnrollmentProgramToken => "enrollment_program_token",
            Self::VppToken => "vpp_token",
        }
    }
}

/// How urgent a credential or a problem is. Ordered from harmless to worst, so `max()` gives
/// the overall severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "describe",
    derive(crate::describe::Describe),
    describe(rename_all = "snake_case")
)]
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

impl Severity {
    /// A stable code: `ok`, `unknown`, `warning`, `critical`, `expired`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Unknown => "unknown",
            Self::Warning => "warning",
            Self::Critical => "critical",
            Self::Expired => "expired",
        }
    }
}

/// A problem beyond plain expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable code, e.g. `push.grace_period`, `dep.sync_error`, `vpp.assigned_to_external_mdm`.
    pub code: &'static str,
    /// How urgent it is.
    pub severity: Severity,
    /// What it means and what to do, in the requested locale.
    pub message: String,
}

/// The health of one credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHealth {
    /// Which kind of credential.
    pub kind: TokenKind,
    /// The Graph id (unstable for the push certificate).
    pub id: Option<String>,
    /// The name an admin knows it by (VPP: organisation/location; DEP: `tokenName`; push: topic).
    pub display_name: Option<String>,
    /// The Apple ID (Managed Apple ID) the credential belongs to.
    pub apple_id: Option<String>,
    /// When it expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whole days left before expiry (negative once expired), rounded down.
    pub days_left: Option<i64>,
    /// The worst of the expiry severity and every problem's severity.
    pub severity: Severity,
    /// Problems beyond expiry (and the expiry itself when it is not `ok`).
    pub problems: Vec<Problem>,
}

/// Warning and critical windows for one kind of credential, in days left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// `warning` when at most this many whole days are left (default 30).
    pub warning_days: i64,
    /// `critical` when at most this many whole days are left (default 7).
    pub critical_days: i64,
}

impl Default for Window {
    fn default() -> Self {
        Self {
            warning_days: 30,
            critical_days: 7,
        }
    }
}

/// The largest warning or critical window accepted, in days (ten years), and the largest sync
/// interval or grace period. Apple credentials last at most a few years; a larger number is a
/// mistake (or a wrapped negative number) that would push calendar alarms out of the range of
/// dates.
pub const MAX_WINDOW_DAYS: i64 = 3650;

/// Thresholds that cannot be used: a negative window, a critical window larger than the
/// warning window, or a number of days above [`MAX_WINDOW_DAYS`].
///
/// The message names the offending value and what to give instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid health thresholds: {message}")]
pub struct InvalidThresholds {
    message: String,
}

impl InvalidThresholds {
    /// What is wrong and what to give instead.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl Window {
    /// A window of `warning_days` and `critical_days`, checked as [`Window::validate`] does.
    ///
    /// ```
    /// use intune_apple_core::rules::health::Window;
    /// assert!(Window::new(60, 14).is_ok());
    /// assert!(Window::new(-1, 7).is_err());
    /// assert!(Window::new(7, 30).is_err()); // critical after warning
    /// assert!(Window::new(100_000_000, 7).is_err());
    /// ```
    ///
    /// # Errors
    /// [`InvalidThresholds`] when a number is negative, above [`MAX_WINDOW_DAYS`], or critical
    /// is larger than warning.
    pub fn new(warning_days: i64, critical_days: i64) -> Result<Self, InvalidThresholds> {
        let w = Self {
            warning_days,
            critical_days,
        };
        w.check("").map(|()| w)
    }

    /// Checks `0 <= critical_days <= warning_days <= MAX_WINDOW_DAYS`.
    ///
    /// # Errors
    /// [`InvalidThresholds`] saying which number is wrong and what range it must be in.
    pub fn validate(&self) -> Result<(), InvalidThresholds> {
        self.check("")
    }

    fn check(&self, of: &str) -> Result<(), InvalidThresholds> {
        let of = if of.is_empty() {
            String::new()
        } else {
            format!(" of the {of}")
        };
        for (name, days) in [
            ("warning days", self.warning_days),
            ("critical days", self.critical_days),
        ] {
            if !(0..=MAX_WINDOW_DAYS).contains(&days) {
                return Err(InvalidThresholds {
                    message: format!(
                        "the {name}{of} is {days}: give a whole number of days from 0 to {MAX_WINDOW_DAYS} (defaults: warning 30, critical 7)"
                    ),
                });
            }
        }
        if self.critical_days > self.warning_days {
            return Err(InvalidThresholds {
                message: format!(
                    "the critical days{of} ({}) are more than its warning days ({}): critical must be at most warning (defaults: warning 30, critical 7)",
                    self.critical_days, self.warning_days
                ),
            });
        }
        Ok(())
    }
}

fn check_duration(name: &str, d: Duration, positive: bool) -> Result<(), InvalidThresholds> {
    let max = Duration::days(MAX_WINDOW_DAYS);
    let low_ok = if positive {
        d > Duration::zero()
    } else {
        d >= Duration::zero()
    };
    if low_ok && d <= max {
        return Ok(());
    }
    let low = if positive { "more than 0" } else { "0" };
    Err(InvalidThresholds {
        message: format!(
            "the {name} is {} s: give a duration from {low} to {MAX_WINDOW_DAYS} days",
            d.num_seconds()
        ),
    })
}

/// Thresholds for every kind, plus the sync intervals that decide when a sync is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthThresholds {
    /// Push certificate window.
    pub push_certificate: Window,
    /// Enrollment program token window.
    pub enrollment_program_token: Window,
    /// VPP token window.
    pub vpp_token: Window,
    /// Enrollment program token sync policy (stale after two automatic intervals).
    pub dep_sync: SyncPolicy,
    /// Interval of Intune's automatic VPP licence sync (documented: once a day); stale after two.
    pub vpp_sync_interval: Duration,
    /// Grace period after the push certificate's expiry during which it can still be renewed
    /// with the same topic (documented: 30 days).
    pub push_grace_period: Duration,
    /// A token whose last successful sync is older than this is `critical` rather than
    /// `warning` (`*.sync_stale`). `None` (the default): a stale sync is a warning.
    pub sync_critical_after: Option<Duration>,
    /// When VPP app licences count as running out (default: 90% used or 10 left).
    pub licences: super::licences::LicenceThresholds,
}

impl HealthThresholds {
    /// The rules of the Intune admin center's connector status: `warning` 7 days before expiry
    /// or after 1 day without a sync, unhealthy (`critical`) after 3 days without a sync, and
    /// `expired` once expired. On the expiry alone it is `critical` only on its last day
    /// (`critical_days` 0, the least that [`HealthThresholds::validate`] accepts).
    ///
    /// ```
    /// use intune_apple_core::rules::health::{HealthThresholds, ThresholdPreset};
    /// let t = HealthThresholds::intune_parity();
    /// assert_eq!(t.vpp_token.warning_days, 7);
    /// assert_eq!("intune".parse::<ThresholdPreset>().unwrap().thresholds(), t);
    /// ```
    #[must_use]
    pub fn intune_parity() -> Self {
        let window = Window {
            warning_days: 7,
            critical_days: 0,
        };
        Self {
            push_certificate: window,
            enrollment_program_token: window,
            vpp_token: window,
            // Stale (warning) after two automatic intervals: one day.
            dep_sync: SyncPolicy {
                automatic_interval: Duration::hours(12),
                ..SyncPolicy::default()
            },
            vpp_sync_interval: Duration::hours(12),
            push_grace_period: Duration::days(30),
            sync_critical_after: Some(Duration::days(3)),
            licences: super::licences::LicenceThresholds::default(),
        }
    }
}

/// A named set of [`HealthThresholds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThresholdPreset {
    /// `default`: warning at 30 days, critical at 7, a stale sync is a warning.
    Default,
    /// `intune`: the admin center's connector status ([`HealthThresholds::intune_parity`]).
    IntuneParity,
}

impl ThresholdPreset {
    /// The preset's name: `default` or `intune`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::IntuneParity => "intune",
        }
    }

    /// The thresholds of the preset.
    #[must_use]
    pub fn thresholds(self) -> HealthThresholds {
        match self {
            Self::Default => HealthThresholds::default(),
            Self::IntuneParity => HealthThresholds::intune_parity(),
        }
    }
}

impl std::str::FromStr for ThresholdPreset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "default" => Ok(Self::Default),
            "intune" | "intune-parity" => Ok(Self::IntuneParity),
            other => Err(format!(
                "unknown threshold preset '{other}': use default (30/7 days) or intune (the admin center's connector status)"
            )),
        }
    }
}

/// The severity of a stale sync: `critical` once older than `critical_after`, else `warning`.
fn stale_severity(
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    critical_after: Option<Duration>,
) -> Severity {
    match (critical_after, last) {
        (Some(_), None) => Severity::Critical,
        (Some(c), Some(last)) if now.signed_duration_since(last) > c => Severity::Critical,
        _ => Severity::Warning,
    }
}

impl Default for HealthThresholds {
    fn default() -> Self {
        Self {
            push_certificate: Window::default(),
            enrollment_program_token: Window::default(),
            vpp_token: Window::default(),
            dep_sync: SyncPolicy::default(),
            vpp_sync_interval: Duration::days(1),
            push_grace_period: Duration::days(30),
            sync_critical_after: None,
            licences: super::licences::LicenceThresholds::default(),
        }
    }
}

impl HealthThresholds {
    /// The same window for every kind, the other settings at their defaults, checked as
    /// [`HealthThresholds::validate`] does.
    ///
    /// # Errors
    /// [`InvalidThresholds`] as [`Window::validate`].
    pub fn with_window(window: Window) -> Result<Self, InvalidThresholds> {
        let t = Self {
            push_certificate: window,
            enrollment_program_token: window,
            vpp_token: window,
            ..Self::default()
        };
        t.validate().map(|()| t)
    }

    /// Checks every window (`0 <= critical <= warning <= MAX_WINDOW_DAYS`), the sync intervals
    /// (more than zero, at most [`MAX_WINDOW_DAYS`]) and the grace period (0 to
    /// [`MAX_WINDOW_DAYS`]). The workflows and every binding call it before using thresholds.
    ///
    /// ```
    /// use intune_apple_core::rules::health::{HealthThresholds, Window};
    /// assert!(HealthThresholds::default().validate().is_ok());
    /// let bad = HealthThresholds {
    ///     vpp_token: Window { warning_days: 4_294_967_295, critical_days: 7 },
    ///     ..HealthThresholds::default()
    /// };
    /// let e = bad.validate().unwrap_err();
    /// assert!(e.message().contains("VPP token"), "{e}");
    /// ```
    ///
    /// # Errors
    /// [`InvalidThresholds`] naming the first offending value.
    pub fn validate(&self) -> Result<(), InvalidThresholds> {
        self.push_certificate.check("push certificate")?;
        self.enrollment_program_token
            .check("enrollment program token")?;
        self.vpp_token.check("VPP token")?;
        check_duration("VPP sync interval", self.vpp_sync_interval, true)?;
        check_duration(
            "push certificate grace period",
            self.push_grace_period,
            false,
        )?;
        let s = &self.dep_sync;
        check_duration("manual sync interval", s.manual_interval, false)?;
        check_duration("automatic sync interval", s.automatic_interval, true)?;
        check_duration("full sync interval", s.full_sync_interval, false)?;
        check_duration("sync timeout", s.sync_timeout, false)?;
        Ok(())
    }
}

/// Whole days from `now` to `expires`, rounded down (so 29 days 23 h is 29; 1 h past is -1).
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use intune_apple_core::rules::health::days_left;
/// let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// assert_eq!(days_left(now + Duration::days(7), now), 7);
/// assert_eq!(days_left(now + Duration::days(7) - Duration::seconds(1), now), 6);
/// assert_eq!(days_left(now - Duration::hours(1), now), -1);
/// ```
pub fn days_left(expires: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let secs = expires.signed_duration_since(now).num_seconds();
    secs.div_euclid(86_400)
}

/// Severity from the expiry alone: `expired` once `now >= expires`, then `critical` /
/// `warning` / `ok` by whole days left; `unknown` without an expiry.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use intune_apple_core::rules::health::{expiry_severity, Severity, Window};
/// let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let w = Window::default();
/// assert_eq!(expiry_severity(Some(now + Duration::days(31)), now, w), Severity::Ok);
/// assert_eq!(expiry_severity(Some(now + Duration::days(30)), now, w), Severity::Warning);
/// assert_eq!(expiry_severity(Some(now + Duration::days(7)), now, w), Severity::Critical);
/// assert_eq!(expiry_severity(Some(now), now, w), Severity::Expired);
/// assert_eq!(expiry_severity(None, now, w), Severity::Unknown);
/// ```
pub fn expiry_severity(expires: Option<DateTime<Utc>>, now: DateTime<Utc>, w: Window) -> Severity {
    let Some(expires) = expires else {
        return Severity::Unknown;
    };
    if now >= expires {
        return Severity::Expired;
    }
    let d = days_left(expires, now);
    if d <= w.critical_days {
        Severity::Critical
    } else if d <= w.warning_days {
        Severity::Warning
    } else {
        Severity::Ok
    }
}

fn msg(locale: Locale, en: &str, fr: &str) -> String {
    match locale {
        Locale::En => en.to_owned(),
        Locale::Fr => fr.to_owned(),
    }
}

/// Fill `days_left` and `severity` of `h` from its expiry and problems, and sort the problems
/// worst first.
fn finish(mut h: TokenHealth, now: DateTime<Utc>, window: Window) -> TokenHealth {
    let expiry = expiry_severity(h.expires_at, now, window);
    h.severity = h
        .problems
        .iter()
        .map(|p| p.severity)
        .fold(expiry, Severity::max);
    h.problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
    h.days_left = h.expires_at.map(|e| days_left(e, now));
    h
}

fn base(
    kind: TokenKind,
    id: Option<String>,
    display_name: Option<String>,
    apple_id: Option<String>,
    expires_at: Option<DateTime<Utc>>,
) -> TokenHealth {
    TokenHealth {
        kind,
        id,
        display_name,
        apple_id,
        expires_at,
        days_left: None,
        severity: Severity::Ok,
        problems: Vec::new(),
    }
}

fn expiry_problem(
    prefix: &'static str,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    window: Window,
    locale: Locale,
) -> Option<Problem> {
    let sev = expiry_severity(expires_at, now, window);
    let (code, message) = match (prefix, sev) {
        (_, Severity::Ok) | ("push", Severity::Expired) => return None,
        ("push", Severity::Unknown) => (
            "push.missing_expiry",
            msg(locale,
                "Intune reports no expiry date for the push certificate: check it in the Intune admin center (Devices > Enrollment > Apple > Apple MDM Push certificate) and upload one if none is configured.",
                "Intune n'indique aucune date d'expiration pour le certificat push : vérifiez-le dans le centre d'administration Intune (Appareils > Inscription > Apple > Certificat Push MDM Apple) et chargez-en un si aucun n'est configuré."),
        ),
        ("dep", Severity::Unknown) => (
            "dep.missing_expiry",
            msg(locale,
                "Intune reports no expiry date for this enrollment program token.",
                "Intune n'indique aucune date d'expiration pour ce jeton du programme d'inscription."),
        ),
        (_, Severity::Unknown) => (
            "vpp.missing_expiry",
            msg(locale,
                "Intune reports no expiry date for this VPP token.",
                "Intune n'indique aucune date d'expiration pour ce jeton VPP."),
        ),
        ("dep", Severity::Expired) => ("dep.expired", msg(locale, "The enrollment program token has expired: Intune can no longer sync devices from Apple Business Manager.", "Le jeton du programme d'inscription a expiré : Intune ne peut plus synchroniser les appareils depuis Apple Business Manager.")),
        (_, Severity::Expired) => ("vpp.expired", msg(locale, "The VPP token has expired: apps and licences no longer update.", "Le jeton VPP a expiré : les applications et licences ne se mettent plus à jour.")),
        ("push", _) => ("push.expiring", msg(locale, "The push certificate expires soon: renew it at Apple with the same Apple ID.", "Le certificat push expire bientôt : renouvelez-le chez Apple avec le même identifiant Apple.")),
        ("dep", _) => ("dep.expiring", msg(locale, "The enrollment program token expires soon: renew it.", "Le jeton du programme d'inscription expire bientôt : renouvelez-le.")),
        (_, _) => ("vpp.expiring", msg(locale, "The VPP token expires soon: renew it and upload it into the existing token.", "Le jeton VPP expire bientôt : renouvelez-le et chargez-le dans le jeton existant.")),
    };
    Some(Problem {
        code,
        severity: sev,
        message,
    })
}

/// Health of the Apple MDM push certificate.
///
/// Problems: `push.expiring`, `push.missing_expiry`, `push.grace_period` (expired at most
/// `push_grace_period` ago: still renewable with the same topic, devices unreachable until
/// then), `push.past_grace` (renewal no longer possible: every device must re-enrol).
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use intune_apple_core::model::ApplePushNotificationCertificate;
/// use intune_apple_core::rules::health::{push_certificate_health, HealthThresholds, Severity};
/// use intune_apple_core::rules::Locale;
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
/// let t = HealthThresholds::default();
/// let cert = |days_ago| ApplePushNotificationCertificate {
///     expiration_date_time: Some(now - Duration::days(days_ago)),
///     ..Default::default()
/// };
/// let h = push_certificate_health(&cert(30), now, &t, Locale::En);
/// assert_eq!(h.severity, Severity::Expired);
/// assert_eq!(h.problems[0].code, "push.grace_period");
/// let h = push_certificate_health(&cert(31), now, &t, Locale::En);
/// assert_eq!(h.problems[0].code, "push.past_grace");
/// ```
pub fn push_certificate_health(
    cert: &ApplePushNotificationCertificate,
    now: DateTime<Utc>,
    thresholds: &HealthThresholds,
    locale: Locale,
) -> TokenHealth {
    let expires = cert.expiration_date_time;
    let window = thresholds.push_certificate;
    let mut problems: Vec<Problem> = expiry_problem("push", expires, now, window, locale)
        .into_iter()
        .collect();
    if let Some(e) = expires {
        if now >= e {
            let since = now.signed_duration_since(e);
            if since <= thresholds.push_grace_period {
                problems.push(Problem {
                    code: "push.grace_period",
                    severity: Severity::Expired,
                    message: msg(locale,
                        "The push certificate has expired but is still within Apple's 30-day grace period: devices cannot be reached until you renew it. Renew the existing certificate at Apple (same Apple ID, same topic) now; after the grace period every device must re-enrol.",
                        "Le certificat push a expiré mais reste dans le délai de grâce de 30 jours d'Apple : les appareils sont injoignables jusqu'au renouvellement. Renouvelez dès maintenant le certificat existant chez Apple (même identifiant Apple, même topic) ; après ce délai, chaque appareil devra être réinscrit."),
                });
            } else {
                problems.push(Problem {
                    code: "push.past_grace",
                    severity: Severity::Expired,
                    message: msg(locale,
                        "The push certificate expired more than 30 days ago: it can no longer be renewed with the same topic. Create a new certificate; every iPhone, iPad and Mac must then enrol again (a wipe for devices with locked enrollment).",
                        "Le certificat push a expiré il y a plus de 30 jours : il ne peut plus être renouvelé avec le même topic. Créez un nouveau certificat ; chaque iPhone, iPad et Mac devra alors être réinscrit (effacement pour les appareils à inscription verrouillée)."),
                });
            }
        }
    }
    let mut h = base(
        TokenKind::PushCertificate,
        cert.id.clone(),
        cert.topic_identifier.clone(),
        cert.apple_identifier.clone(),
        expires,
    );
    h.problems = problems;
    finish(h, now, window)
}

/// Health of one VPP token.
///
/// Problems: `vpp.expiring`, `vpp.expired`, `vpp.missing_expiry`, `vpp.state_expired`,
/// `vpp.state_invalid`, `vpp.assigned_to_external_mdm` (with the claim hint),
/// `vpp.duplicate_location` (a renewed token uploaded as a new one), `vpp.state_unknown`,
/// `vpp.sync_failed`, `vpp.sync_stale` (no sync for more than two automatic intervals).
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use intune_apple_core::model::{VppToken, VppTokenState};
/// use intune_apple_core::rules::health::{vpp_token_health, HealthThresholds, Severity};
/// use intune_apple_core::rules::Locale;
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
/// let token = VppToken {
///     expiration_date_time: Some(now + Duration::days(200)),
///     last_sync_date_time: Some(now - Duration::hours(3)),
///     state: Some(VppTokenState::AssignedToExternalMdm),
///     ..Default::default()
/// };
/// let h = vpp_token_health(&token, now, &HealthThresholds::default(), Locale::En);
/// assert_eq!(h.severity, Severity::Critical);
/// assert_eq!(h.problems[0].code, "vpp.assigned_to_external_mdm");
/// ```
pub fn vpp_token_health(
    token: &VppToken,
    now: DateTime<Utc>,
    thresholds: &HealthThresholds,
    locale: Locale,
) -> TokenHealth {
    let expires = token.expiration_date_time;
    let window = thresholds.vpp_token;
    let mut problems: Vec<Problem> = expiry_problem("vpp", expires, now, window, locale)
        .into_iter()
        .collect();
    let state_problem = match &token.state {
        None | Some(VppTokenState::Valid) => None,
        Some(VppTokenState::Expired) => Some((
            "vpp.state_expired",
            Severity::Expired,
            msg(locale,
                "Intune reports the VPP token as expired: download a new token from Apple Business Manager (Preferences > Payments and Billing > Apps and Books) and upload it into this existing token in Intune, never as a new token.",
                "Intune indique que le jeton VPP a expiré : téléchargez un nouveau jeton dans Apple Business Manager (Préférences > Paiements et facturation > Apps et livres) et chargez-le dans ce jeton existant dans Intune, jamais comme un nouveau jeton."),
        )),
        Some(VppTokenState::Invalid) => Some((
            "vpp.state_invalid",
            Severity::Critical,
            msg(locale,
                "Intune reports the VPP token as invalid (typically the Apple Business Manager account that created it changed its password or left): download a new token and upload it into this existing token.",
                "Intune indique que le jeton VPP est invalide (en général le compte Apple Business Manager qui l'a créé a changé de mot de passe ou est parti) : téléchargez un nouveau jeton et chargez-le dans ce jeton existant."),
        )),
        Some(VppTokenState::AssignedToExternalMdm) => Some((
            "vpp.assigned_to_external_mdm",
            Severity::Critical,
            msg(locale,
                "The VPP token is assigned to another MDM: remove it from the other MDM, or take it over by editing the token with 'Take control of token from another MDM' (Graph: claimTokenManagementFromExternalMdm = true). A location token can be used by only one MDM at a time.",
                "Le jeton VPP est attribué à un autre MDM : retirez-le de l'autre MDM, ou reprenez-le en modifiant le jeton avec « Prendre le contrôle du jeton depuis un autre MDM » (Graph : claimTokenManagementFromExternalMdm = true). Un jeton d'emplacement ne sert qu'à un seul MDM à la fois."),
        )),
        Some(VppTokenState::DuplicateLocationId) => Some((
            "vpp.duplicate_location",
            Severity::Critical,
            msg(locale,
                "Another VPP token on this tenant is for the same location (usually a renewed token uploaded as a new token): apps appear once per token. Recreate the assignments on the token you keep, then delete the duplicate token; deleting a token deletes its apps and assignments.",
                "Un autre jeton VPP du locataire concerne le même emplacement (en général un jeton renouvelé chargé comme nouveau jeton) : les applications apparaissent une fois par jeton. Recréez les affectations sur le jeton conservé, puis supprimez le doublon ; supprimer un jeton supprime ses applications et affectations."),
        )),
        Some(other) => Some((
            "vpp.state_unknown",
            Severity::Warning,
            match locale {
                Locale::En => format!("Intune reports the VPP token state '{other:?}': check the token in the Intune admin center."),
                Locale::Fr => format!("Intune indique l'état de jeton VPP « {other:?} » : vérifiez le jeton dans le centre d'administration Intune."),
            },
        )),
    };
    if let Some((code, severity, message)) = state_problem {
        problems.push(Problem {
            code,
            severity,
            message,
        });
    }
    if token.last_sync_status == Some(VppTokenSyncStatus::Failed) {
        problems.push(Problem {
            code: "vpp.sync_failed",
            severity: Severity::Warning,
            message: msg(locale,
                "The last licence sync of the VPP token with Apple failed: check the token state, then sync it again.",
                "La dernière synchronisation des licences du jeton VPP avec Apple a échoué : vérifiez l'état du jeton puis relancez la synchronisation."),
        });
    }
    let stale = token.last_sync_date_time.is_none_or(|last| {
        // Checked: the interval is the caller's number; an overflow means "never stale".
        thresholds
            .vpp_sync_interval
            .checked_mul(2)
            .is_some_and(|two| now.signed_duration_since(last) > two)
    });
    if stale {
        problems.push(Problem {
            code: "vpp.sync_stale",
            severity: stale_severity(token.last_sync_date_time, now, thresholds.sync_critical_after),
            message: msg(locale,
                "The VPP token has not synced with Apple for more than two automatic intervals (Intune syncs once a day): start a sync and check the token state.",
                "Le jeton VPP ne s'est pas synchronisé avec Apple depuis plus de deux intervalles automatiques (Intune synchronise une fois par jour) : lancez une synchronisation et vérifiez l'état du jeton."),
        });
    }
    // The admin knows a VPP token by its location, else its name, else the organisation.
    let name = token
        .location_name
        .clone()
        .or_else(|| token.display_name.clone())
        .or_else(|| token.organization_name.clone());
    let mut h = base(
        TokenKind::VppToken,
        token.id.clone(),
        name,
        token.apple_id.clone(),
        expires,
    );
    h.problems = problems;
    finish(h, now, window)
}

/// Health of one enrollment program token (`depOnboardingSetting`).
///
/// Problems: `dep.expiring`, `dep.expired`, `dep.missing_expiry`, `dep.sync_error` (Apple
/// reported an error code on the last sync), `dep.sync_error_terms` (code 3: likely new Apple
/// terms not accepted in Apple Business Manager), `dep.sync_stale` (no successful sync for more
/// than two automatic intervals of `thresholds.dep_sync`), `dep.data_sharing_consent` (consent
/// to share data with Apple not granted).
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use intune_apple_core::model::DepOnboardingSetting;
/// use intune_apple_core::rules::health::{enrollment_program_token_health, HealthThresholds, Severity};
/// use intune_apple_core::rules::Locale;
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
/// let token = DepOnboardingSetting {
///     token_name: Some("ABM Paris".into()),
///     token_expiration_date_time: Some(now + Duration::days(100)),
///     last_successful_sync_date_time: Some(now - Duration::hours(2)),
///     last_sync_error_code: Some(3),
///     data_sharing_consent_granted: Some(true),
///     ..Default::default()
/// };
/// let h = enrollment_program_token_health(&token, now, &HealthThresholds::default(), Locale::En);
/// assert_eq!(h.problems[0].code, "dep.sync_error_terms");
/// assert_eq!(h.severity, Severity::Warning);
/// ```
pub fn enrollment_program_token_health(
    token: &crate::model::DepOnboardingSetting,
    now: DateTime<Utc>,
    thresholds: &HealthThresholds,
    locale: Locale,
) -> TokenHealth {
    let expires = token.token_expiration_date_time;
    let window = thresholds.enrollment_program_token;
    let mut problems: Vec<Problem> = expiry_problem("dep", expires, now, window, locale)
        .into_iter()
        .collect();
    match token.last_sync_error_code {
        None | Some(0) => {}
        Some(3) => problems.push(Problem {
            code: "dep.sync_error_terms",
            severity: Severity::Warning,
            message: msg(locale,
                "Apple reported error code 3 on the last sync. Admins report this code when new Apple terms and conditions are waiting: likely, an administrator of Apple Business Manager (business.apple.com) must sign in and accept the new terms; then sync the token again.",
                "Apple a renvoyé le code d'erreur 3 lors de la dernière synchronisation. Des administrateurs rapportent ce code quand de nouvelles conditions générales d'Apple sont en attente : probablement, un administrateur d'Apple Business Manager (business.apple.com) doit se connecter et accepter les nouvelles conditions ; relancez ensuite la synchronisation du jeton."),
        }),
        Some(code) => problems.push(Problem {
            code: "dep.sync_error",
            severity: Severity::Warning,
            message: match locale {
                Locale::En => format!("Apple reported error code {code} on the last sync of this enrollment program token: check the token in Apple Business Manager (MDM server, terms) and sync again."),
                Locale::Fr => format!("Apple a renvoyé le code d'erreur {code} lors de la dernière synchronisation de ce jeton : vérifiez le jeton dans Apple Business Manager (serveur MDM, conditions) puis relancez la synchronisation."),
            },
        }),
    }
    if thresholds
        .dep_sync
        .is_stale(token.last_successful_sync_date_time, now)
    {
        problems.push(Problem {
            code: "dep.sync_stale",
            severity: stale_severity(
                token.last_successful_sync_date_time,
                now,
                thresholds.sync_critical_after,
            ),
            message: msg(locale,
                "No successful sync with Apple for more than two automatic sync intervals: new devices assigned in Apple Business Manager do not reach Intune. Check the token's expiry and Apple's terms, then sync.",
                "Aucune synchronisation réussie avec Apple depuis plus de deux intervalles automatiques : les nouveaux appareils attribués dans Apple Business Manager n'arrivent pas dans Intune. Vérifiez l'expiration du jeton et les conditions d'Apple, puis synchronisez."),
        });
    }
    if token.data_sharing_consent_granted == Some(false) {
        problems.push(Problem {
            code: "dep.data_sharing_consent",
            severity: Severity::Warning,
            message: msg(locale,
                "Consent to share data with Apple is not granted for this token: grant it in the Intune admin center (Devices > Enrollment > Apple > Enrollment program tokens) when you upload or renew the token.",
                "Le consentement au partage de données avec Apple n'est pas accordé pour ce jeton : accordez-le dans le centre d'administration Intune (Appareils > Inscription > Apple > Jetons du programme d'inscription) lors du chargement ou du renouvellement du jeton."),
        });
    }
    let mut h = base(
        TokenKind::EnrollmentProgramToken,
        token.id.clone(),
        token.token_name.clone(),
        token.apple_identifier.clone(),
        expires,
    );
    h.problems = problems;
    finish(h, now, window)
}
