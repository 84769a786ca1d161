//! The Apple Business (and Apple School Manager) API client, read-only: which devices the
//! organisation owns, which MDM server each is assigned to, and when each MDM server last
//! talked to Apple. See `docs/apple-business.md`.
//!
//! - [`ApiAccount`]: the API account's client id, key id and EC P-256 private key, and the ES256
//!   client assertion signed with it;
//! - [`Client`]: the access token cached for its hour (asked for again five minutes before it
//!   expires or after a `401`, never more often), every request within a [`RequestBudget`]
//!   (20 a minute by default), `429` retried after its `Retry-After`, the JSON:API cursor pager
//!   as a [`Stream`](futures::Stream) ([`ItemStream`]);
//! - [`Error`]: the same [`ErrorKind`]s as the Graph client, with Apple's JSON:API error code,
//!   or the fact that an HTML page came back instead.
//!
//! The client sends no request that changes anything in Apple Business: no device activity,
//! no MDM server change.
//!
//! ```
//! use futures::TryStreamExt as _;
//! use intune_apple_core::abm::{ApiAccount, Client, RequestBudget};
//! use intune_apple_core::Secret;
//! use intune_apple_sim::abm::{AppleBusinessSimulator, OrgSeed};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let apple = AppleBusinessSimulator::start(OrgSeed::demo()).await?;
//! let client = Client::builder()
//!     .account(ApiAccount::from_pem(
//!         apple.client_id(),
//!         apple.key_id(),
//!         &Secret::new(apple.private_key_pem()),
//!     )?)
//!     .api_root(apple.base_url())
//!     .token_url(apple.token_url())
//!     .request_budget(RequestBudget::unlimited())
//!     .build()?;
//! let servers: Vec<_> = client.mdm_servers().try_collect().await?;
//! assert!(servers.iter().any(|s| s.server_name.as_deref() == Some("Contoso ABM")));
//! assert_eq!(client.token_requests_sent(), 1);
//! # Ok(()) }
//! ```

mod account;
mod budget;
mod client;
mod error;

pub use crate::model::apple_business::{normalize_serial, MdmServer, OrgDevice, OrgDeviceActivity};
pub use account::{ApiAccount, Program, ASSERTION_AUDIENCE, ASSERTION_LIFETIME, TOKEN_URL};
pub use budget::RequestBudget;
pub use client::{
    env, AppleBusinessOption, AppleBusinessOptions, Client, ClientBuilder, ItemStream,
};
pub use error::{Error, ErrorKind};
