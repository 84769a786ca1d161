//! Pure decisions on the model and a given `now`: token health and renewal guidance, sync
//! throttling, enrollment profile validation. No IO, no clock reads.

pub mod sync;

pub use sync::{SyncDecision, SyncDenial, SyncKind, SyncPolicy, SyncTimes};
pub mod health;

/// The language of messages, problems and guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}
