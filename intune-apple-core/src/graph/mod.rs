//! The typed async Microsoft Graph client.

mod cloud;
pub mod credentials;
mod retry;

pub use cloud::{ApiVersion, Cloud};
pub use credentials::{
    AccessToken, AssertionAlgorithm, ClientCertificateCredential, ClientSecretCredential,
    Credential, CredentialError, StaticTokenCredential, TokenCache,
};
pub use retry::{is_retryable_status, parse_retry_after, seconds_to_duration, RetryPolicy};
