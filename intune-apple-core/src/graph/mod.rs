//! The typed async Microsoft Graph client.

mod client;
mod cloud;
pub mod credentials;
mod error;
mod handlers;
mod retry;

pub use client::{env, Client, ClientBuilder, ItemStream, PageProgress, ProgressCallback};
pub use cloud::{ApiVersion, Cloud};
pub use credentials::{
    AccessToken, AssertionAlgorithm, ClientCertificateCredential, ClientSecretCredential,
    Credential, CredentialError, StaticTokenCredential, TokenCache,
};
pub use error::{Error, ErrorKind};
pub use handlers::dep::{AssignmentBatch, ASSIGNMENT_BATCH};
pub use handlers::{
    EnrollmentProfiles, EnrollmentProgramTokens, PushCertificate, SyncOptions, VppTokens,
};
pub use retry::{is_retryable_status, parse_retry_after, seconds_to_duration, RetryPolicy};
