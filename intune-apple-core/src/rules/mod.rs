//! Pure decisions on the model and a given `now`: token health and renewal guidance, sync
//! throttling, enrollment profile validation. No IO, no clock reads: the caller passes `now`.
//!
//! - [`sync`]: whether a manual or full sync of an enrollment program token is allowed, and when;
//! - [`health`]: severity and problems of the push certificate, enrollment program tokens and VPP tokens;
//! - [`guidance`](mod@guidance): what happens if each kind lapses and how to renew it (English, French);
//! - [`profile`]: every broken rule of an enrollment profile, with field path and fix;
//! - [`enrollment_policy`]: the profile rules applied to settings-catalog enrollment policies;
//! - [`profile_template`]: enrollment profile templates, their drift and the writes of an apply.
//! - [`reconcile`]: what Apple Business assigns to each MDM server against what Intune holds.

pub mod duplicates;
pub mod enrollment_policy;
pub mod guidance;
pub mod health;
pub mod licences;
pub mod profile;
pub mod profile_template;
pub mod reconcile;
pub mod setup;
pub mod sync;

pub use guidance::{guidance, Guidance};
pub use health::{
    enrollment_program_token_health, push_certificate_health, vpp_token_health, HealthThresholds,
    InvalidThresholds, Problem, Severity, ThresholdPreset, TokenHealth, TokenKind, MAX_WINDOW_DAYS,
};
pub use profile::{
    validate_device_name_template, validate_ios_profile, validate_macos_profile, validate_profile,
    ValidationContext, Violation, ViolationSeverity,
};
pub use sync::{SyncDecision, SyncDenial, SyncKind, SyncPolicy, SyncTimes};

/// The language of messages, problems and guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

/// A locale name that is not one of the supported languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("locale must be \"en\" or \"fr\" (a region such as \"fr-CA\" may follow), not {0:?}")]
pub struct UnknownLocale(pub String);

impl Locale {
    /// The locale's name as [`Locale::parse`] reads it (`en`, `fr`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    /// Reads a locale name: a language tag whose language is `en` or `fr`, in any case,
    /// optionally followed by a region (`fr-CA`, `en_GB`). Anything else is refused, never
    /// silently replaced by English. Every binding and the command line read locales here.
    ///
    /// # Errors
    /// [`UnknownLocale`] for any other name.
    pub fn parse(name: &str) -> Result<Self, UnknownLocale> {
        let language = name.split(['-', '_']).next().unwrap_or_default();
        let region_ok = name
            .get(language.len()..)
            .map(|rest| {
                rest.is_empty()
                    || (rest.len() > 1 && rest[1..].chars().all(|c| c.is_ascii_alphanumeric()))
            })
            .unwrap_or(false);
        match language.to_ascii_lowercase().as_str() {
            "en" if region_ok => Ok(Self::En),
            "fr" if region_ok => Ok(Self::Fr),
            _ => Err(UnknownLocale(name.to_owned())),
        }
    }
}

impl std::str::FromStr for Locale {
    type Err = UnknownLocale;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod locale_tests {
    use super::Locale;

    #[test]
    fn reads_supported_languages_and_refuses_the_rest() {
        for (name, want) in [
            ("en", Locale::En),
            ("EN", Locale::En),
            ("en-GB", Locale::En),
            ("fr", Locale::Fr),
            ("fr-CA", Locale::Fr),
            ("fr_FR", Locale::Fr),
        ] {
            assert_eq!(Locale::parse(name), Ok(want), "{name}");
        }
        for bad in ["", "de", "french", "fr-", "frx", "en-G B", "e"] {
            assert!(Locale::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(Locale::parse(Locale::Fr.as_str()), Ok(Locale::Fr));
    }
}
