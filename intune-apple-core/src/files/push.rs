//! Apple MDM push certificate (`.pem`, also DER and PEM bundles that carry the private key).

use chrono::{DateTime, Utc};
use der::{Decode as _, Encode as _, EncodePem as _, Tag, Tagged as _};
use sha2::Digest as _;
use x509_cert::Certificate;

use super::FileError;
use crate::model::ApplePushNotificationCertificate;
use crate::Secret;

/// RFC 4519 `uid` attribute type: holds the push topic.
const UID_OID: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");
/// `commonName`.
const CN_OID: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("2.5.4.3");
/// Required prefix of an MDM push topic.
pub const TOPIC_PREFIX: &str = "com.apple.mgmt.";
/// The issuer CN of Apple's MDM push certificates.
pub const APPLE_PUSH_ISSUER_CN: &str = "Apple Application Integration 2 Certification Authority";

/// A parsed push certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushCertificate {
    /// Push topic (subject UID), e.g. `com.apple.mgmt.External.<uuid>`.
    pub topic: String,
    /// Serial number, upper-case hex without separators (the form Graph uses).
    pub serial_hex: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// Issuer distinguished name (RFC 4514).
    pub issuer: String,
    /// Issuer common name, when present.
    pub issuer_cn: Option<String>,
    /// Subject common name (`APSP:<uuid>`), when present.
    pub subject_cn: Option<String>,
    /// SHA-256 fingerprint of the DER, upper-case hex.
    pub sha256_fingerprint: String,
    /// The certificate alone re-encoded as PEM: the text uploaded to Intune.
    pub pem: Secret,
    /// Non-blocking remarks about the file.
    pub warnings: Vec<PushWarning>,
}

/// A remark about a push certificate or its renewal that does not block the upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushWarning {
    /// The file also carried a private key; it was ignored (keys stay with Intune).
    PrivateKeyIgnored,
    /// The UUID in `CN=APSP:<uuid>` differs from the one in the topic.
    CnUuidMismatch,
    /// The issuer is not Apple's usual push CA.
    UnexpectedIssuer,
    /// Intune does not record the Apple ID the current certificate was created with.
    AppleIdUnknown,
    /// The Apple ID intended for the renewal differs from the one recorded in Intune.
    AppleIdDiffers {
        /// Apple ID recorded in Intune.
        recorded: String,
    },
    /// Intune does not report the current topic: the topic check could not run.
    CurrentTopicUnknown,
}

/// Why a renewal must not be uploaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PushRenewalError {
    /// Different topic: every device would have to enrol again.
    #[error("the new certificate's topic {new} differs from Intune's {current}: uploading it would force every Apple device to re-enrol; use Renew (not Create) in the Apple Push Certificates Portal with the same Apple ID")]
    TopicChanged {
        /// Topic in Intune.
        current: String,
        /// Topic of the file.
        new: String,
    },
    /// The new certificate does not extend the validity.
    #[error("the new certificate expires {new} which is not later than the current one ({current}): download the renewed certificate again")]
    NotLater {
        /// Current expiry.
        current: DateTime<Utc>,
        /// New expiry.
        new: DateTime<Utc>,
    },
    /// The new certificate has already expired.
    #[error("the new certificate expired on {not_after}: renew it again in the Apple Push Certificates Portal")]
    AlreadyExpired {
        /// Its end of validity.
        not_after: DateTime<Utc>,
    },
}

impl PushCertificate {
    /// Parses a PEM (one certificate, optionally with a private key that is ignored) or DER file.
    ///
    /// # Errors
    /// [`FileError::Empty`], [`FileError::PrivateKeyInsteadOfCertificate`],
    /// [`FileError::MultipleCertificates`], [`FileError::InvalidCertificate`],
    /// [`FileError::NoUid`], [`FileError::WrongUidPrefix`].
    pub fn parse(bytes: &[u8]) -> Result<Self, FileError> {
        super::check_size(bytes)?;
        if bytes.trim_ascii().is_empty() {
            return Err(FileError::Empty);
        }
        let (der, key_seen) = if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
            let blocks = pem_blocks(bytes)?;
            let key_seen = blocks.iter().any(|(l, _)| l.contains("PRIVATE KEY"));
            let mut certs: Vec<Vec<u8>> = blocks
                .into_iter()
                .filter(|(l, _)| l == "CERTIFICATE" || l == "X509 CERTIFICATE")
                .map(|(_, d)| d)
                .collect();
            match certs.len() {
                0 if key_seen => return Err(FileError::PrivateKeyInsteadOfCertificate),
                0 => {
                    return Err(FileError::InvalidCertificate {
                        reason: "no CERTIFICATE block".into(),
                    })
                }
                1 => (certs.remove(0), key_seen),
                n => return Err(FileError::MultipleCertificates { count: n }),
            }
        } else {
            (bytes.to_vec(), false)
        };
        let cert = Certificate::from_der(&der).map_err(|e| FileError::InvalidCertificate {
            reason: e.kind().to_string(),
        })?;
        Self::from_certificate(&cert, key_seen)
    }

    fn from_certificate(cert: &Certificate, key_seen: bool) -> Result<Self, FileError> {
        let tbs = &cert.tbs_certificate;
        let topic = attr(&tbs.subject, UID_OID).ok_or(FileError::NoUid)?;
        if !topic.starts_with(TOPIC_PREFIX) {
            return Err(FileError::WrongUidPrefix { topic });
        }
        let subject_cn = attr(&tbs.subject, CN_OID);
        let issuer_cn = attr(&tbs.issuer, CN_OID);
        let mut warnings = Vec::new();
        if key_seen {
            warnings.push(PushWarning::PrivateKeyIgnored);
        }
        let topic_uuid = topic.rsplit('.').next().unwrap_or_default();
        if let Some(cn) = &subject_cn {
            if let Some(cn_uuid) = cn.strip_prefix("APSP:") {
                if !cn_uuid.eq_ignore_ascii_case(topic_uuid) {
                    warnings.push(PushWarning::CnUuidMismatch);
                }
            }
        }
        if issuer_cn.as_deref() != Some(APPLE_PUSH_ISSUER_CN) {
            warnings.push(PushWarning::UnexpectedIssuer);
        }
        let der = cert.to_der().map_err(|e| FileError::InvalidCertificate {
            reason: e.kind().to_string(),
        })?;
        let pem =
            cert.to_pem(der::pem::LineEnding::LF)
                .map_err(|e| FileError::InvalidCertificate {
                    reason: e.kind().to_string(),
                })?;
        Ok(Self {
            topic,
            serial_hex: hex_upper(strip_sign_byte(tbs.serial_number.as_bytes())),
            not_before: to_chrono(tbs.validity.not_before)?,
            not_after: to_chrono(tbs.validity.not_after)?,
            issuer: tbs.issuer.to_string(),
            issuer_cn,
            subject_cn,
            sha256_fingerprint: hex_upper(&sha2::Sha256::digest(&der)),
            pem: Secret::new(pem),
            warnings,
        })
    }

    /// Whether the certificate has expired at `now`.
    #[must_use]
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.not_after <= now
    }
}

/// Checks that `new` can safely replace Intune's `current` certificate.
///
/// `apple_id` is the Apple ID the admin intends to use (compared, case-insensitively, with the
/// one Intune records).
///
/// # Errors
/// [`PushRenewalError`] when the upload would break enrolled devices or gain nothing.
pub fn check_renewal(
    current: &ApplePushNotificationCertificate,
    new: &PushCertificate,
    now: DateTime<Utc>,
    apple_id: Option<&str>,
) -> Result<Vec<PushWarning>, PushRenewalError> {
    let mut warnings = new.warnings.clone();
    match current.topic_identifier.as_deref() {
        Some(t) if !t.eq_ignore_ascii_case(&new.topic) => {
            return Err(PushRenewalError::TopicChanged {
                current: t.to_owned(),
                new: new.topic.clone(),
            })
        }
        Some(_) => {}
        None => warnings.push(PushWarning::CurrentTopicUnknown),
    }
    if new.is_expired(now) {
        return Err(PushRenewalError::AlreadyExpired {
            not_after: new.not_after,
        });
    }
    if let Some(cur) = current.expiration_date_time {
        if new.not_after <= cur {
            return Err(PushRenewalError::NotLater {
                current: cur,
                new: new.not_after,
            });
        }
    }
    match (current.apple_identifier.as_deref(), apple_id) {
        (Some(rec), Some(id)) if !rec.trim().eq_ignore_ascii_case(id.trim()) => {
            warnings.push(PushWarning::AppleIdDiffers {
                recorded: rec.to_owned(),
            });
        }
        (Some(r), _) if !r.trim().is_empty() => {}
        _ => warnings.push(PushWarning::AppleIdUnknown),
    }
    Ok(warnings)
}

/// Splits PEM text into (label, DER) blocks.
pub(crate) fn pem_blocks(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::InvalidCertificate {
        reason: "PEM text is not UTF-8".into(),
    })?;
    let mut out = Vec::new();
    for block in crate::pem::blocks(text) {
        let (label, block) = block.map_err(|_| FileError::InvalidBase64 { what: "PEM block" })?;
        if label.contains("PRIVATE KEY") {
            // Never decoded nor echoed: only its presence matters.
            out.push((label.to_owned(), Vec::new()));
        } else {
            let (_, der) = der::pem::decode_vec(block.as_bytes())
                .map_err(|_| FileError::InvalidBase64 { what: "PEM block" })?;
            out.push((label.to_owned(), der));
        }
    }
    Ok(out)
}

/// First string value of attribute `oid` in `name`.
fn attr(name: &x509_cert::name::Name, oid: der::asn1::ObjectIdentifier) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid == oid)
        .find_map(|atv| match atv.value.tag() {
            Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
                std::str::from_utf8(atv.value.value())
                    .ok()
                    .map(str::to_owned)
            }
            _ => None,
        })
}

fn to_chrono(t: x509_cert::time::Time) -> Result<DateTime<Utc>, FileError> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    DateTime::from_timestamp(secs, 0).ok_or(FileError::InvalidCertificate {
        reason: "validity date out of range".into(),
    })
}

fn strip_sign_byte(b: &[u8]) -> &[u8] {
    match b {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => b,
    }
}

pub(crate) fn hex_upper(b: &[u8]) -> String {
    use std::fmt::Write as _;
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, x| {
            let _ = write!(s, "{x:02X}");
            s
        })
}
