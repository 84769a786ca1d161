//! Offline checks of the files Apple hands out: `inspect` and the renewal checks. File
//! contents (secrets) never reach the records.

use std::time::SystemTime;

use intune_apple_core::files::{
    self, AppleFile, DepTokenFile, PushWarning, VppRenewalFlag as CoreFlag, VppTokenFile,
};
use intune_apple_core::model::VppToken;

use crate::error::IntuneAppleError;
use crate::rules::now_or;
use crate::types::{PushCertificate, VppTokenInfo};

type Result<T> = std::result::Result<T, IntuneAppleError>;

/// A remark on a push certificate file that does not block an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PushWarningCode {
    /// The file also carried a private key; it is ignored and never sent.
    PrivateKeyIgnored,
    /// The subject's common name does not carry the topic's UUID.
    CnUuidMismatch,
    /// The issuer is not Apple's.
    UnexpectedIssuer,
    /// The Apple ID of the certificate in Intune is unknown.
    AppleIdUnknown,
    /// The Apple ID given differs from the one in Intune.
    AppleIdDiffers,
    /// Intune's current topic is unknown.
    CurrentTopicUnknown,
}

fn warning_code(w: &PushWarning) -> PushWarningCode {
    match w {
        PushWarning::PrivateKeyIgnored => PushWarningCode::PrivateKeyIgnored,
        PushWarning::CnUuidMismatch => PushWarningCode::CnUuidMismatch,
        PushWarning::UnexpectedIssuer => PushWarningCode::UnexpectedIssuer,
        PushWarning::AppleIdUnknown => PushWarningCode::AppleIdUnknown,
        PushWarning::AppleIdDiffers { .. } => PushWarningCode::AppleIdDiffers,
        PushWarning::CurrentTopicUnknown => PushWarningCode::CurrentTopicUnknown,
    }
}

/// A `.vpptoken`, summarised.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VppTokenFileInfo {
    /// The organisation in Apple Business/School Manager.
    pub organization_name: String,
    /// When the token expires.
    pub expires: SystemTime,
}

/// A push certificate file, summarised.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PushCertificateFileInfo {
    /// The topic, `com.apple.mgmt.External.<uuid>`.
    pub topic: String,
    /// Serial number (hex).
    pub serial_hex: String,
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
    /// Issuer.
    pub issuer: String,
    /// Issuer common name.
    pub issuer_cn: Option<String>,
    /// Subject common name.
    pub subject_cn: Option<String>,
    /// Remarks that do not block an upload.
    pub warnings: Vec<PushWarningCode>,
}

/// A recipient of an enrollment program token (`.p7m`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DepRecipientInfo {
    /// Issuer of the recipient's certificate.
    pub issuer: Option<String>,
    /// Its serial number (hex).
    pub serial_hex: Option<String>,
    /// The key encryption algorithm.
    pub key_encryption_oid: String,
}

/// An enrollment program token file (`.p7m`, still encrypted), summarised.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DepTokenFileInfo {
    /// The MDM server name read from the file name.
    pub server_name_from_file_name: Option<String>,
    /// The download time read from the file name.
    pub file_name_timestamp: Option<SystemTime>,
    /// Whom it is encrypted to.
    pub recipients: Vec<DepRecipientInfo>,
    /// The content encryption algorithm.
    pub content_encryption_oid: String,
}

/// What `inspect` recognised.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AppleFileInfo {
    /// A `.vpptoken`.
    VppToken {
        /// Its summary.
        info: VppTokenFileInfo,
    },
    /// A push certificate (`.pem`).
    PushCertificate {
        /// Its summary.
        info: PushCertificateFileInfo,
    },
    /// An enrollment program token (`.p7m`).
    DepToken {
        /// Its summary.
        info: DepTokenFileInfo,
    },
}

fn push_info(p: &files::PushCertificate) -> PushCertificateFileInfo {
    PushCertificateFileInfo {
        topic: p.topic.clone(),
        serial_hex: p.serial_hex.clone(),
        not_before: p.not_before.into(),
        not_after: p.not_after.into(),
        issuer: p.issuer.clone(),
        issuer_cn: p.issuer_cn.clone(),
        subject_cn: p.subject_cn.clone(),
        warnings: p.warnings.iter().map(warning_code).collect(),
    }
}

fn file_info(file: AppleFile) -> Result<AppleFileInfo> {
    Ok(match file {
        AppleFile::VppToken(v) => AppleFileInfo::VppToken {
            info: VppTokenFileInfo {
                organization_name: v.organization_name.clone(),
                expires: v.expires.into(),
            },
        },
        AppleFile::PushCertificate(p) => AppleFileInfo::PushCertificate {
            info: push_info(&p),
        },
        AppleFile::DepToken(d) => AppleFileInfo::DepToken {
            info: DepTokenFileInfo {
                server_name_from_file_name: d.server_name_from_file_name.clone(),
                file_name_timestamp: d.file_name_timestamp.map(SystemTime::from),
                recipients: d
                    .recipients
                    .iter()
                    .map(|r| DepRecipientInfo {
                        issuer: r.issuer.clone(),
                        serial_hex: r.serial_hex.clone(),
                        key_encryption_oid: r.key_encryption_oid.clone(),
                    })
                    .collect(),
                content_encryption_oid: d.content_encryption_oid.clone(),
            },
        },
        #[allow(unreachable_patterns)] // a kind of file a later core recognises
        _ => return Err(IntuneAppleError::of("token_file", "unsupported file")),
    })
}

/// Recognises an Apple file by its content (`.vpptoken`, push certificate, `.p7m`) and
/// summarises it. Fails with `TokenFile` when it cannot be read or is damaged.
#[uniffi::export]
pub fn inspect(path: String) -> Result<AppleFileInfo> {
    file_info(files::inspect(&path)?)
}

/// As `inspect`, from the file's content; `fileName` feeds the `.p7m` download time read
/// from Apple's file name.
#[uniffi::export]
pub fn inspect_bytes(data: Vec<u8>, file_name: Option<String>) -> Result<AppleFileInfo> {
    file_info(files::inspect_bytes(&data, file_name.as_deref())?)
}

fn read(path: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| IntuneAppleError::of("token_file", format!("{path}: {e}")))
}

/// Checks that the push certificate file at `path` can replace Intune's `current` one, at
/// `now` (default: now), for `appleId` when given. Returns the warnings; fails with
/// `RenewalRefused` when the upload would break enrolled devices (another topic) or gain
/// nothing, `TokenFile` when the file is unreadable.
#[uniffi::export]
pub fn check_push_certificate_renewal(
    current: PushCertificate,
    path: String,
    now: Option<SystemTime>,
    apple_id: Option<String>,
) -> Result<Vec<PushWarningCode>> {
    let new = files::PushCertificate::parse(&read(&path)?)?;
    let warnings =
        files::check_push_renewal(&current.into(), &new, now_or(now), apple_id.as_deref())?;
    Ok(warnings.iter().map(warning_code).collect())
}

/// A reason to look twice before uploading a `.vpptoken`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum VppRenewalFlag {
    /// The file's token has already expired.
    AlreadyExpired,
    /// It expires sooner than the token in Intune it would replace.
    ExpiresSoonerThanReplaced {
        /// The expiry of the token in Intune.
        current: SystemTime,
    },
    /// Intune already has this token.
    DuplicateOfExisting {
        /// The token it duplicates.
        token_id: Option<String>,
    },
    /// The file belongs to another organisation than every token in Intune.
    OtherOrganization,
}

/// The outcome of `checkVppTokenRenewal`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VppRenewalCheck {
    /// The token in Intune this file renews.
    pub renews_token_id: Option<String>,
    /// Its location.
    pub renews_location: Option<String>,
    /// Every reason to look twice (empty: safe).
    pub flags: Vec<VppRenewalFlag>,
}

/// Checks a `.vpptoken` at `path` against the tenant's VPP tokens before a renewal.
#[uniffi::export]
pub fn check_vpp_token_renewal(
    path: String,
    existing: Vec<VppTokenInfo>,
    location: Option<String>,
    now: Option<SystemTime>,
) -> Result<VppRenewalCheck> {
    let file = VppTokenFile::parse(&read(&path)?)?;
    let existing: Vec<VppToken> = existing.into_iter().map(Into::into).collect();
    let check = file.check_renewal(&existing, location.as_deref(), now_or(now));
    Ok(VppRenewalCheck {
        flags: check
            .flags
            .iter()
            .map(|f| match f {
                CoreFlag::AlreadyExpired => VppRenewalFlag::AlreadyExpired,
                CoreFlag::ExpiresSoonerThanReplaced { current } => {
                    VppRenewalFlag::ExpiresSoonerThanReplaced {
                        current: (*current).into(),
                    }
                }
                CoreFlag::DuplicateOfExisting { token_id } => VppRenewalFlag::DuplicateOfExisting {
                    token_id: token_id.clone(),
                },
                CoreFlag::OtherOrganization => VppRenewalFlag::OtherOrganization,
            })
            .collect(),
        renews_token_id: check.renews_token_id,
        renews_location: check.renews_location,
    })
}

/// Whether the `.p7m` at `path` was encrypted to the public key Intune gave for the token
/// (`getEncryptionPublicKey`): `false` means it was downloaded for another MDM server.
#[uniffi::export]
pub fn check_enrollment_program_token_file(path: String, public_key_pem: String) -> Result<bool> {
    let name = std::path::Path::new(&path)
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned);
    let file = DepTokenFile::parse(&read(&path)?, name.as_deref())?;
    Ok(file.check_against(public_key_pem.as_bytes())?)
}
