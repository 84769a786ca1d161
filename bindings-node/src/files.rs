//! Offline checks of the files Apple hands out: `inspect(path)` and the renewal checks.
//! File contents (secrets) never reach JavaScript objects.

use chrono::{DateTime, Utc};
use intune_apple_core::files::{
    self, AppleFile, DepTokenFile, PushWarning, VppRenewalFlag, VppTokenFile,
};
use napi::bindgen_prelude::Buffer;
use napi::{Env, Result};
use napi_derive::napi;

use crate::convert::{PushCertificate, VppTokenInfo};
use crate::error::{failure, throw};
use crate::guard;
use crate::rules::now_or;

/// A `.vpptoken`, summarised.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct VppTokenFileInfo {
    /// The organisation in Apple Business/School Manager.
    pub organization_name: String,
    /// When the token expires.
    pub expires: DateTime<Utc>,
}

/// A push certificate file, summarised.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct PushCertificateFileInfo {
    /// The topic, `com.apple.mgmt.External.<uuid>`.
    pub topic: String,
    /// Serial number (hex).
    pub serial_hex: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// Issuer.
    pub issuer: String,
    /// Issuer common name.
    pub issuer_cn: Option<String>,
    /// Subject common name.
    pub subject_cn: Option<String>,
    /// Remarks that do not block an upload.
    #[napi(ts_type = "Array<PushWarningCode>")]
    pub warnings: Vec<String>,
}

/// A recipient of an enrollment program token (`.p7m`).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct DepRecipientInfo {
    /// Issuer of the recipient's certificate.
    pub issuer: Option<String>,
    /// Its serial number (hex).
    pub serial_hex: Option<String>,
    /// The key encryption algorithm.
    pub key_encryption_oid: String,
}

/// An enrollment program token file (`.p7m`, still encrypted), summarised.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct DepTokenFileInfo {
    /// The MDM server name read from the file name.
    pub server_name_from_file_name: Option<String>,
    /// The download time read from the file name.
    pub file_name_timestamp: Option<DateTime<Utc>>,
    /// Whom it is encrypted to.
    pub recipients: Vec<DepRecipientInfo>,
    /// The content encryption algorithm.
    pub content_encryption_oid: String,
}

/// What `inspect` recognised: `kind` says which of the other fields is set.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct AppleFileInfo {
    /// The kind of file.
    #[napi(ts_type = "'vppToken' | 'pushCertificate' | 'depToken'")]
    pub kind: String,
    /// Set for a `.vpptoken`.
    pub vpp_token: Option<VppTokenFileInfo>,
    /// Set for a push certificate.
    pub push_certificate: Option<PushCertificateFileInfo>,
    /// Set for an enrollment program token.
    pub dep_token: Option<DepTokenFileInfo>,
}

fn warning_code(w: &PushWarning) -> String {
    match w {
        PushWarning::PrivateKeyIgnored => "privateKeyIgnored",
        PushWarning::CnUuidMismatch => "cnUuidMismatch",
        PushWarning::UnexpectedIssuer => "unexpectedIssuer",
        PushWarning::AppleIdUnknown => "appleIdUnknown",
        PushWarning::AppleIdDiffers { .. } => "appleIdDiffers",
        PushWarning::CurrentTopicUnknown => "currentTopicUnknown",
    }
    .to_owned()
}

fn vpp_info(v: &VppTokenFile) -> VppTokenFileInfo {
    VppTokenFileInfo {
        organization_name: v.organization_name.clone(),
        expires: v.expires,
    }
}

fn push_info(p: &files::PushCertificate) -> PushCertificateFileInfo {
    PushCertificateFileInfo {
        topic: p.topic.clone(),
        serial_hex: p.serial_hex.clone(),
        not_before: p.not_before,
        not_after: p.not_after,
        issuer: p.issuer.clone(),
        issuer_cn: p.issuer_cn.clone(),
        subject_cn: p.subject_cn.clone(),
        warnings: p.warnings.iter().map(warning_code).collect(),
    }
}

fn dep_info(d: &DepTokenFile) -> DepTokenFileInfo {
    DepTokenFileInfo {
        server_name_from_file_name: d.server_name_from_file_name.clone(),
        file_name_timestamp: d.file_name_timestamp,
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
    }
}

/// Recognises an Apple file by its content (`.vpptoken`, push certificate, `.p7m`) and
/// summarises it. Throws `ERR_TOKEN_FILE` when it cannot be read or is damaged.
#[napi(catch_unwind)]
pub fn inspect(env: &Env, path: String) -> Result<AppleFileInfo> {
    let file = files::inspect(&path).map_err(|e| throw(env, e))?;
    file_info(env, file)
}

/// As `inspect`, from the file's content (a `Buffer`); `fileName` feeds the `.p7m` download
/// time read from Apple's file name.
#[napi]
pub fn inspect_bytes(env: &Env, data: Buffer, file_name: Option<String>) -> Result<AppleFileInfo> {
    let file = files::inspect_bytes(&data, file_name.as_deref()).map_err(|e| throw(env, e))?;
    file_info(env, file)
}

fn file_info(env: &Env, file: AppleFile) -> Result<AppleFileInfo> {
    Ok(match file {
        AppleFile::VppToken(v) => AppleFileInfo {
            kind: "vppToken".into(),
            vpp_token: Some(vpp_info(&v)),
            push_certificate: None,
            dep_token: None,
        },
        AppleFile::PushCertificate(p) => AppleFileInfo {
            kind: "pushCertificate".into(),
            vpp_token: None,
            push_certificate: Some(push_info(&p)),
            dep_token: None,
        },
        AppleFile::DepToken(d) => AppleFileInfo {
            kind: "depToken".into(),
            vpp_token: None,
            push_certificate: None,
            dep_token: Some(dep_info(&d)),
        },
        #[allow(unreachable_patterns)]
        _ => return Err(throw(env, failure("ERR_TOKEN_FILE", "unsupported file"))),
    })
}

/// Options of the renewal checks.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct RenewalCheckOptions {
    /// The instant to judge against (default: now).
    pub now: Option<DateTime<Utc>>,
    /// The Apple ID intended for the renewal (push certificate).
    pub apple_id: Option<String>,
    /// The location the `.vpptoken` is meant to renew (VPP).
    pub location: Option<String>,
}

/// Checks that the push certificate file at `path` can replace Intune's `current` one.
/// Returns the warnings; throws `ERR_RENEWAL_REFUSED` when the upload would break enrolled
/// devices (another topic) or gain nothing, `ERR_TOKEN_FILE` when the file is unreadable.
#[napi(catch_unwind, ts_return_type = "Array<PushWarningCode>")]
pub fn check_push_certificate_renewal(
    env: &Env,
    current: PushCertificate,
    path: String,
    options: Option<RenewalCheckOptions>,
) -> Result<Vec<String>> {
    let o = options.unwrap_or_default();
    let bytes = files::read(&path).map_err(|e| throw(env, e))?;
    let new = files::PushCertificate::parse(&bytes).map_err(|e| throw(env, e))?;
    let warnings = files::check_push_renewal(
        &guard::dated(env, "the current certificate", current)?.into(),
        &new,
        now_or(env, o.now)?,
        o.apple_id.as_deref(),
    )
    .map_err(|e| throw(env, e))?;
    Ok(warnings.iter().map(warning_code).collect())
}

/// A reason to look twice before uploading a `.vpptoken`.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct VppRenewalFlagInfo {
    /// Which check.
    #[napi(
        ts_type = "'alreadyExpired' | 'expiresSoonerThanReplaced' | 'duplicateOfExisting' | 'otherOrganization'"
    )]
    pub kind: String,
    /// `expiresSoonerThanReplaced`: the expiry of the token in Intune.
    pub current: Option<DateTime<Utc>>,
    /// `duplicateOfExisting`: the token it duplicates.
    pub token_id: Option<String>,
}

/// The outcome of `checkVppTokenRenewal`.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct VppRenewalCheckInfo {
    /// The token in Intune this file renews.
    pub renews_token_id: Option<String>,
    /// Its location.
    pub renews_location: Option<String>,
    /// Every reason to look twice (empty: safe).
    pub flags: Vec<VppRenewalFlagInfo>,
    /// Whether no flag was raised.
    pub ok: bool,
}

/// Checks a `.vpptoken` against the tenant's VPP tokens before a renewal.
#[napi(catch_unwind)]
pub fn check_vpp_token_renewal(
    env: &Env,
    path: String,
    existing: Vec<VppTokenInfo>,
    options: Option<RenewalCheckOptions>,
) -> Result<VppRenewalCheckInfo> {
    let o = options.unwrap_or_default();
    let bytes = files::read(&path).map_err(|e| throw(env, e))?;
    let file = VppTokenFile::parse(&bytes).map_err(|e| throw(env, e))?;
    let existing = crate::rules::vpp_tokens(env, existing)?;
    let check = file.check_renewal(&existing, o.location.as_deref(), now_or(env, o.now)?);
    let flags: Vec<VppRenewalFlagInfo> = check
        .flags
        .iter()
        .map(|f| match f {
            VppRenewalFlag::AlreadyExpired => VppRenewalFlagInfo {
                kind: "alreadyExpired".into(),
                current: None,
                token_id: None,
            },
            VppRenewalFlag::ExpiresSoonerThanReplaced { current } => VppRenewalFlagInfo {
                kind: "expiresSoonerThanReplaced".into(),
                current: Some(*current),
                token_id: None,
            },
            VppRenewalFlag::DuplicateOfExisting { token_id } => VppRenewalFlagInfo {
                kind: "duplicateOfExisting".into(),
                current: None,
                token_id: token_id.clone(),
            },
            VppRenewalFlag::OtherOrganization => VppRenewalFlagInfo {
                kind: "otherOrganization".into(),
                current: None,
                token_id: None,
            },
        })
        .collect();
    Ok(VppRenewalCheckInfo {
        ok: flags.is_empty(),
        renews_token_id: check.renews_token_id,
        renews_location: check.renews_location,
        flags,
    })
}

/// Whether the `.p7m` at `path` was encrypted to the public key Intune gave for the token
/// (`getEncryptionPublicKey`): `false` means it was downloaded for another MDM server.
#[napi(catch_unwind)]
pub fn check_enrollment_program_token_file(
    env: &Env,
    path: String,
    public_key_pem: String,
) -> Result<bool> {
    let name = std::path::Path::new(&path)
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned);
    let bytes = files::read(&path).map_err(|e| throw(env, e))?;
    let file = DepTokenFile::parse(&bytes, name.as_deref()).map_err(|e| throw(env, e))?;
    file.check_against(public_key_pem.as_bytes())
        .map_err(|e| throw(env, e))
}
