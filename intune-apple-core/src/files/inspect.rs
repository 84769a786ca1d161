//! Recognise an Apple file by its content (never by its extension).

use std::path::Path;

use base64::Engine as _;

use super::{DepTokenFile, FileError, PushCertificate, VppTokenFile};

/// Typed summary of an Apple file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppleFile {
    /// An Apps and Books content token.
    VppToken(VppTokenFile),
    /// An MDM push certificate.
    PushCertificate(PushCertificate),
    /// An enrollment program token (still encrypted).
    DepToken(DepTokenFile),
}

/// Reads and recognises the file at `path`; the file name feeds the `.p7m` timestamp.
///
/// # Errors
/// [`FileError::Io`] when the file cannot be read, else as [`inspect_bytes`].
pub fn inspect(path: impl AsRef<Path>) -> Result<AppleFile, FileError> {
    let path = path.as_ref();
    let bytes = read(path)?;
    let name = path.file_name().and_then(|n| n.to_str());
    inspect_bytes(&bytes, name)
}

/// The bytes of the Apple file at `path`, never more than
/// [`MAX_APPLE_FILE_BYTES`](super::MAX_APPLE_FILE_BYTES) of them: a larger file is refused
/// after reading one byte past the limit, never read whole.
///
/// # Errors
/// [`FileError::Io`] when the file cannot be read, [`FileError::TooLarge`] when it is larger.
pub fn read(path: impl AsRef<Path>) -> Result<Vec<u8>, FileError> {
    use std::io::Read as _;
    let path = path.as_ref();
    let io = |e: std::io::Error| FileError::Io(format!("{}: {e}", path.display()));
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(u64::try_from(super::MAX_APPLE_FILE_BYTES).unwrap_or(u64::MAX) + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    super::check_size(&bytes)?;
    Ok(bytes)
}

/// Recognises a `.vpptoken`, push certificate (PEM or DER) or `.p7m` by content.
///
/// # Errors
/// [`FileError::Empty`], [`FileError::UnrecognisedFormat`] or the error of the matching parser.
pub fn inspect_bytes(bytes: &[u8], file_name: Option<&str>) -> Result<AppleFile, FileError> {
    super::check_size(bytes)?;
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return Err(FileError::Empty);
    }
    if trimmed.starts_with(b"-----BEGIN") {
        return PushCertificate::parse(bytes).map(AppleFile::PushCertificate);
    }
    if bytes.first() == Some(&0x30) {
        return match DepTokenFile::parse(bytes, file_name) {
            Ok(d) => Ok(AppleFile::DepToken(d)),
            Err(FileError::NoRecipient) => Err(FileError::NoRecipient),
            Err(_) => PushCertificate::parse(bytes).map(AppleFile::PushCertificate),
        };
    }
    let head = &trimmed[..trimmed.len().min(512)];
    let head_text = String::from_utf8_lossy(head).to_ascii_lowercase();
    if head_text.starts_with("content-")
        || head_text.contains("pkcs7-mime")
        || head_text.starts_with("mime-version")
    {
        return DepTokenFile::parse(bytes, file_name).map(AppleFile::DepToken);
    }
    let is_b64 = trimmed.iter().all(|b| {
        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\r' | b'\n' | b'-' | b'_')
    });
    if is_b64 {
        let compact: Vec<u8> = trimmed
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        // Peek at the first bytes only: enough to tell JSON from DER.
        let peek_len = compact.len().min(64) / 4 * 4;
        let peek = base64::engine::general_purpose::STANDARD
            .decode(&compact[..peek_len])
            .unwrap_or_default();
        return match peek.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => VppTokenFile::parse(bytes).map(AppleFile::VppToken),
            Some(0x30) => DepTokenFile::parse(bytes, file_name).map(AppleFile::DepToken),
            _ if trimmed.contains(&b'\n') => Err(FileError::UnrecognisedFormat),
            // A single line of base64 is most likely a damaged .vpptoken.
            _ => VppTokenFile::parse(bytes).map(AppleFile::VppToken),
        };
    }
    Err(FileError::UnrecognisedFormat)
}
