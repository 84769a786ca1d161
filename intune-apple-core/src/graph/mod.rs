//! The typed async Microsoft Graph client.

mod cloud;
mod retry;

pub use cloud::{ApiVersion, Cloud};
pub use retry::{is_retryable_status, parse_retry_after, seconds_to_duration, RetryPolicy};
