//! Offline inspection of the files Apple hands out: `.vpptoken`, the push certificate `.pem`,
//! the enrollment program token `.p7m`.

mod error;
pub mod vpp;

pub use error::FileError;
pub use vpp::{VppRenewalCheck, VppRenewalFlag, VppTokenFile};
pub mod push;
pub use push::{
    check_renewal as check_push_renewal, PushCertificate, PushRenewalError, PushWarning,
};
pub mod dep;
pub use dep::{DepRecipient, DepTokenFile, DepTokenPayload};
pub mod inspect;
pub use inspect::{inspect, inspect_bytes, AppleFile};
