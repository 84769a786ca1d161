//! Offline inspection of the files Apple hands out: `.vpptoken`, the push certificate `.pem`,
//! the enrollment program token `.p7m`.

mod error;
pub mod vpp;

pub use error::FileError;
pub use vpp::{VppRenewalCheck, VppRenewalFlag, VppTokenFile};
