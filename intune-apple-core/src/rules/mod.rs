//! Pure decisions on the model and a given `now`: token health and renewal guidance, sync
//! throttling, enrollment profile validation. No IO, no clock reads: the caller passes `now`.
//!
//! - [`sync`]: whether a manual or full sync of an enrollment program token is allowed, and when;
//! - [`health`]: severity and problems of the push certificate, enrollment program tokens and VPP tokens;
//! - [`guidance`](mod@guidance): what happens if each kind lapses and how to renew it (English, French);
//! - [`profile`]: every broken rule of an enrollment profile, with field path and fix.

pub mod duplicates;
pub mod guidance;
pub mod health;
pub mod licences;
pub mod profile;
pub mod setup;
pub mod sync;

pub use guidance::{guidance, Guidance};
pub use health::{
    enrollment_program_token_health, push_certificate_health, vpp_token_health, HealthThresholds,
    Problem, Severity, TokenHealth, TokenKind,
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
