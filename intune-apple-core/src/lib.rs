//! # intune-apple
//!
//! Keep the Apple credentials of a Microsoft Intune tenant alive: the Apple MDM push
//! certificate, the enrollment program tokens (Apple Business/School Manager, "DEP") and the VPP
//! (Apps and Books) location tokens.
//!
//! ```
//! use intune_apple_core::model::{decode, VppToken, VppTokenState};
//!
//! let token: VppToken = decode(br#"{
//!     "id": "9876543210",
//!     "organizationName": "Contoso",
//!     "state": "duplicateLocationId",
//!     "expirationDateTime": "2027-01-10T12:00:00Z"
//! }"#).unwrap();
//! assert_eq!(token.state, Some(VppTokenState::DuplicateLocationId));
//! ```
//!
//! Modules:
//! - [`model`]: serde types that mirror Microsoft Graph JSON exactly;
//! - [`rules`]: pure decisions (expiry, sync throttling, profile validation);
//! - [`files`]: offline checks of the files Apple hands out;
//! - [`graph`]: the typed async Graph client;
//! - [`abm`]: the read-only Apple Business / School Manager API client;
//! - [`workflows`]: health report, safe renewals, duplicate-app repair.

#![forbid(unsafe_code)]

pub mod abm;
pub mod clock;
#[cfg(feature = "describe")]
pub mod describe;
pub mod files;
#[doc(hidden)]
pub mod fuzzing;
pub mod graph;
pub mod manifest;
pub mod model;
mod odata;
mod pem;
pub mod rules;
mod secret;
pub mod workflows;

pub use secret::{to_json_without_secrets, Secret};
/// Secret bytes a caller hands over (a certificate file's contents), wiped when dropped.
pub use zeroize::Zeroizing;
