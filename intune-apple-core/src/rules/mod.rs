//! Pure decisions on the model and a given `now`: token health and renewal guidance, sync
//! throttling, enrollment profile validation. No IO, no clock reads.

pub mod sync;

pub use sync::{SyncDecision, SyncDenial, SyncKind, SyncPolicy, SyncTimes};
