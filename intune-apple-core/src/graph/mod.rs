//! The typed async Microsoft Graph client for Intune's Apple resources.
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use intune_apple_core::graph::Client;
//!
//! # async fn run() -> Result<(), intune_apple_core::graph::Error> {
//! // AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (or a certificate, or a token)
//! let client = Client::from_env()?;
//! let push = client.push_certificate().get().await?;
//! let dep: Vec<_> = client.enrollment_program_tokens().list().try_collect().await?;
//! let vpp: Vec<_> = client.vpp_tokens().list().try_collect().await?;
//! println!("{:?}, {} DEP tokens, {} VPP tokens", push.expiration_date_time, dep.len(), vpp.len());
//! # Ok(()) }
//! ```
//!
//! Every handler against the simulated tenant of `intune-apple-sim` (runs without a tenant):
//!
//! ```
//! use futures::TryStreamExt as _;
//! use intune_apple_core::graph::{Client, ClientSecretCredential};
//! use intune_apple_sim::{Seed, Simulator};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let sim = Simulator::start(Seed::demo()).await?;
//!     let client = Client::builder()
//!         .base_url(sim.base_url())
//!         .authority_host(sim.authority_host())
//!         .credential(ClientSecretCredential::new(
//!             sim.tenant_id(),
//!             sim.client_id(),
//!             sim.client_secret(),
//!         ))
//!         .build()?;
//!     let push = client.push_certificate().get().await?;
//!     assert!(push.topic_identifier.is_some());
//!     let tokens: Vec<_> = client.enrollment_program_tokens().list().try_collect().await?;
//!     let token_id = tokens[0].id.clone().unwrap_or_default();
//!     let profiles: Vec<_> = client.enrollment_profiles(&token_id).list().try_collect().await?;
//!     let devices: Vec<_> = client.imported_devices(&token_id).list().try_collect().await?;
//!     let vpp: Vec<_> = client.vpp_tokens().list().try_collect().await?;
//!     let apps: Vec<_> = client.vpp_apps().list().try_collect().await?;
//!     assert_eq!(
//!         (tokens.len(), profiles.len(), devices.len(), vpp.len(), apps.len()),
//!         (2, 2, 250, 4, 5)
//!     );
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })?;
//! # Ok(()) }
//! ```
//!
//! - Handlers: [`Client::push_certificate`], [`Client::enrollment_program_tokens`],
//!   [`Client::enrollment_profiles`], [`Client::imported_devices`], [`Client::vpp_tokens`],
//!   [`Client::vpp_apps`]. Each call picks `v1.0` or `beta` itself.
//! - Credentials: [`ClientSecretCredential`], [`ClientCertificateCredential`],
//!   [`StaticTokenCredential`], [`ManagedIdentityCredential`], [`WorkloadIdentityCredential`],
//!   [`GitHubActionsCredential`], [`ClientAssertionCredential`], [`AzureCliCredential`],
//!   [`DeviceCodeCredential`], the [`DefaultAzureCredential`] chain, or your own
//!   [`Credential`]; tokens are cached, refreshed before expiry, asked for once however many
//!   calls run at once, and a refused sign-in is remembered (see [`credentials`]).
//! - Transport: 429/503 (and 504 on reads) retried with `Retry-After` and jittered back-off
//!   ([`RetryPolicy`]); a write whose outcome is unknown is never resent
//!   ([`ErrorKind::OutcomeUnknown`]); paging is a stream ([`ItemStream`]) that follows
//!   `@odata.nextLink` only on the Graph host.
//! - Errors: [`Error`] with an [`ErrorKind`], Graph's code, request ids, and what to do next.

mod client;
pub(crate) use client::{read_body, BodyError};
mod cloud;
pub mod credentials;
mod endpoint;
pub mod env;
mod error;
mod handlers;
mod listing;
mod options;
mod pacing;
mod paging;
mod pkcs12;
mod refusal;
mod retry;

pub use client::{
    Client, ClientBuilder, HttpStack, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
};
pub use cloud::{ApiVersion, Cloud};
pub use credentials::{
    explain_aadsts, AccessToken, AssertionAlgorithm, AzureCliCredential, ChainAttempt,
    ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential, Credential,
    CredentialChoice, CredentialError, DefaultAzureCredential, DeviceCodeCredential,
    DeviceCodePrompt, GitHubActionsCredential, ManagedIdentityCredential, ManagedIdentityId,
    ManagedIdentitySource, StaticTokenCredential, TokenCache, WorkloadIdentityCredential,
};
pub use error::{Error, ErrorKind};
pub use handlers::dep::{AssignmentBatch, ASSIGNMENT_BATCH};
pub use handlers::{AppRole, AppRoleAssignment, ServicePrincipal, ServicePrincipals, GRAPH_APP_ID};
pub use handlers::{
    EnrollmentPolicies, EnrollmentProfiles, EnrollmentProgramTokens, ImportedDevices,
    PushCertificate, SyncOptions, VppApps, VppTokens,
};
pub use handlers::{Mail, MailAttachment, OutgoingMail};
pub use listing::{ItemStream, ListLimits, PageProgress, ProgressCallback};
pub use options::{ClientOption, ClientOptions, DurationUnit};
pub use pacing::Pacing;
pub use refusal::ForbiddenReason;
pub use retry::{
    caller_attempts, caller_millis, is_retryable_status, parse_retry_after, seconds_to_duration,
    RetryPolicy, MAX_CALLER_DURATION,
};
