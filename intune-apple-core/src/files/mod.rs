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
pub use inspect::{inspect, inspect_bytes, read, AppleFile};

/// The largest Apple file read: 1 MiB (a `.vpptoken` or `.pem` is a few kilobytes, a `.p7m`
/// some tens). A larger input is refused with [`FileError::TooLarge`] before it is parsed.
pub const MAX_APPLE_FILE_BYTES: usize = 1 << 20;

/// [`FileError::TooLarge`] when `bytes` is larger than [`MAX_APPLE_FILE_BYTES`].
pub(crate) fn check_size(bytes: &[u8]) -> Result<(), FileError> {
    if bytes.len() > MAX_APPLE_FILE_BYTES {
        return Err(FileError::TooLarge(
            u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        ));
    }
    Ok(())
}
