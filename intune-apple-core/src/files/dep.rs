//! Enrollment program token (`.p7m`): an S/MIME envelope around a CMS EnvelopedData that
//! Apple encrypts to the public key uploaded to Apple Business Manager.

use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, Utc};
use cms::content_info::ContentInfo;
use cms::enveloped_data::{EnvelopedData, RecipientIdentifier, RecipientInfo};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode as _, DecodePem as _};
use x509_cert::Certificate;

use super::push::hex_upper;
use super::FileError;
use crate::Secret;

const ID_ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const AES128_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2");
const AES192_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.22");
const AES256_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");
const DES_EDE3_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.3.7");

/// One recipient of the token: the certificate it was encrypted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepRecipient {
    /// Issuer DN (RFC 4514) of the recipient certificate; `None` for a subject-key-id recipient.
    pub issuer: Option<String>,
    /// Serial number of the recipient certificate, upper-case hex.
    pub serial_hex: Option<String>,
    /// Key encryption algorithm OID.
    pub key_encryption_oid: String,
}

/// A parsed (still encrypted) `.p7m` token.
///
/// Its `Debug` shows the file name parts, the recipients and the algorithm, never the
/// envelope's bytes (they are the token, encrypted).
#[derive(Clone, PartialEq, Eq)]
pub struct DepTokenFile {
    /// MDM server name from the file name (`<server>_Token_<timestamp>_smime.p7m`).
    pub server_name_from_file_name: Option<String>,
    /// Download time from the file name.
    pub file_name_timestamp: Option<DateTime<Utc>>,
    /// Recipients of the envelope.
    pub recipients: Vec<DepRecipient>,
    /// Content encryption algorithm OID.
    pub content_encryption_oid: String,
    /// The whole file content: the payload uploaded to Intune.
    pub content: Secret,
    envelope: EnvelopedData,
}

/// The decrypted token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct DepTokenPayload {
    /// `consumer_key` (identifies the MDM server in Apple Business Manager).
    pub consumer_key: Secret,
    /// `consumer_secret`.
    pub consumer_secret: Secret,
    /// `access_token`.
    pub access_token: Secret,
    /// `access_secret`.
    pub access_secret: Secret,
    /// `access_token_expiry`, when present.
    #[serde(default)]
    pub access_token_expiry: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for DepTokenFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DepTokenFile")
            .field(
                "server_name_from_file_name",
                &self.server_name_from_file_name,
            )
            .field("file_name_timestamp", &self.file_name_timestamp)
            .field("recipients", &self.recipients)
            .field("content_encryption_oid", &self.content_encryption_oid)
            .field("content", &self.content)
            .finish_non_exhaustive()
    }
}

impl DepTokenFile {
    /// Parses the S/MIME envelope and the CMS EnvelopedData.
    ///
    /// # Errors
    /// [`FileError::Empty`], [`FileError::InvalidSmime`], [`FileError::InvalidBase64`],
    /// [`FileError::InvalidCms`], [`FileError::NoRecipient`].
    pub fn parse(bytes: &[u8], file_name: Option<&str>) -> Result<Self, FileError> {
        super::check_size(bytes)?;
        if bytes.trim_ascii().is_empty() {
            return Err(FileError::Empty);
        }
        let der = unwrap_smime(bytes)?;
        let ci = ContentInfo::from_der(&der).map_err(|e| FileError::InvalidCms {
            reason: e.kind().to_string(),
        })?;
        if ci.content_type != ID_ENVELOPED_DATA {
            return Err(FileError::InvalidCms {
                reason: format!("content type {} is not EnvelopedData", ci.content_type),
            });
        }
        let envelope: EnvelopedData =
            ci.content.decode_as().map_err(|e| FileError::InvalidCms {
                reason: e.kind().to_string(),
            })?;
        let recipients: Vec<DepRecipient> = envelope
            .recip_infos
            .0
            .iter()
            .filter_map(|ri| match ri {
                RecipientInfo::Ktri(k) => Some(match &k.rid {
                    RecipientIdentifier::IssuerAndSerialNumber(ias) => DepRecipient {
                        issuer: Some(ias.issuer.to_string()),
                        serial_hex: Some(hex_upper(strip0(ias.serial_number.as_bytes()))),
                        key_encryption_oid: k.key_enc_alg.oid.to_string(),
                    },
                    RecipientIdentifier::SubjectKeyIdentifier(_) => DepRecipient {
                        issuer: None,
                        serial_hex: None,
                        key_encryption_oid: k.key_enc_alg.oid.to_string(),
                    },
                }),
                _ => None,
            })
            .collect();
        if recipients.is_empty() {
            return Err(FileError::NoRecipient);
        }
        let (server, ts) = file_name.map(parse_file_name).unwrap_or((None, None));
        Ok(Self {
            server_name_from_file_name: server,
            file_name_timestamp: ts,
            recipients,
            content_encryption_oid: envelope.encrypted_content.content_enc_alg.oid.to_string(),
            content: Secret::new(String::from_utf8_lossy(bytes).into_owned()),
            envelope,
        })
    }

    /// Whether the token was encrypted for this certificate (issuer and serial match a
    /// recipient). Pass the public key certificate uploaded to Apple Business Manager (for
    /// Intune: the result of `getEncryptionPublicKey`).
    ///
    /// # Errors
    /// [`FileError::InvalidCertificate`] when the PEM is not a certificate.
    pub fn check_against(&self, public_key_cert_pem: &[u8]) -> Result<bool, FileError> {
        let cert = load_cert(public_key_cert_pem)?;
        Ok(self.find_recipient(&cert).is_some())
    }

    fn find_recipient(&self, cert: &Certificate) -> Option<&OctetString> {
        let tbs = &cert.tbs_certificate;
        self.envelope.recip_infos.0.iter().find_map(|ri| match ri {
            RecipientInfo::Ktri(k) => match &k.rid {
                RecipientIdentifier::IssuerAndSerialNumber(ias)
                    if ias.issuer == tbs.issuer
                        && strip0(ias.serial_number.as_bytes())
                            == strip0(tbs.serial_number.as_bytes()) =>
                {
                    Some(&k.enc_key)
                }
                _ => None,
            },
            _ => None,
        })
    }

    /// Decrypts the token with the private key (PKCS#1 or PKCS#8 PEM) that matches one of the
    /// recipients, and reads the payload.
    ///
    /// # Errors
    /// [`FileError::InvalidPrivateKey`], [`FileError::DecryptionFailed`],
    /// [`FileError::UnsupportedAlgorithm`], [`FileError::InvalidDepPayload`].
    pub fn decrypt(&self, private_key_pem: &Secret) -> Result<DepTokenPayload, FileError> {
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        use rsa::pkcs8::DecodePrivateKey as _;
        let pem = private_key_pem.expose();
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem))
            .map_err(|_| FileError::InvalidPrivateKey)?;
        let mut cek = None;
        for ri in self.envelope.recip_infos.0.iter() {
            if let RecipientInfo::Ktri(k) = ri {
                if k.key_enc_alg.oid != RSA_ENCRYPTION {
                    continue;
                }
                if let Ok(c) = key.decrypt(rsa::Pkcs1v15Encrypt, k.enc_key.as_bytes()) {
                    cek = Some(c);
                    break;
                }
            }
        }
        let cek = cek.ok_or(FileError::DecryptionFailed)?;
        let plain = decrypt_content(&self.envelope, &cek)?;
        parse_payload(&plain)
    }
}

fn decrypt_content(env: &EnvelopedData, cek: &[u8]) -> Result<Vec<u8>, FileError> {
    use cbc::cipher::{block_padding::Pkcs7, BlockDecryptMut as _, KeyIvInit as _};
    let alg = &env.encrypted_content.content_enc_alg;
    let iv: OctetString = alg
        .parameters
        .as_ref()
        .ok_or(FileError::DecryptionFailed)?
        .decode_as()
        .map_err(|_| FileError::DecryptionFailed)?;
    let iv = iv.as_bytes();
    let ct = env
        .encrypted_content
        .encrypted_content
        .as_ref()
        .ok_or(FileError::InvalidCms {
            reason: "no encrypted content".into(),
        })?
        .as_bytes();
    let fail = |_| FileError::DecryptionFailed;
    if alg.oid == AES256_CBC {
        cbc::Decryptor::<aes::Aes256>::new_from_slices(cek, iv)
            .map_err(|_| FileError::DecryptionFailed)?
            .decrypt_padded_vec_mut::<Pkcs7>(ct)
            .map_err(fail)
    } else if alg.oid == AES192_CBC {
        cbc::Decryptor::<aes::Aes192>::new_from_slices(cek, iv)
            .map_err(|_| FileError::DecryptionFailed)?
            .decrypt_padded_vec_mut::<Pkcs7>(ct)
            .map_err(fail)
    } else if alg.oid == AES128_CBC {
        cbc::Decryptor::<aes::Aes128>::new_from_slices(cek, iv)
            .map_err(|_| FileError::DecryptionFailed)?
            .decrypt_padded_vec_mut::<Pkcs7>(ct)
            .map_err(fail)
    } else if alg.oid == DES_EDE3_CBC {
        cbc::Decryptor::<des::TdesEde3>::new_from_slices(cek, iv)
            .map_err(|_| FileError::DecryptionFailed)?
            .decrypt_padded_vec_mut::<Pkcs7>(ct)
            .map_err(fail)
    } else {
        Err(FileError::UnsupportedAlgorithm {
            oid: alg.oid.to_string(),
        })
    }
}

/// Reads the decrypted payload: optional MIME headers, then JSON, optionally between
/// `-----BEGIN MESSAGE-----` / `-----END MESSAGE-----` lines.
///
/// # Errors
/// [`FileError::InvalidDepPayload`].
pub fn parse_payload(plain: &[u8]) -> Result<DepTokenPayload, FileError> {
    let text = std::str::from_utf8(plain).map_err(|_| FileError::InvalidDepPayload {
        reason: "not UTF-8 text".into(),
    })?;
    let json = if let Some(start) = text.find("-----BEGIN MESSAGE-----") {
        let body = &text[start + "-----BEGIN MESSAGE-----".len()..];
        let end = body
            .find("-----END MESSAGE-----")
            .ok_or(FileError::InvalidDepPayload {
                reason: "no END MESSAGE line".into(),
            })?;
        &body[..end]
    } else if let Some(i) = text.find('{') {
        &text[i..]
    } else {
        text
    };
    serde_json::from_str(json.trim()).map_err(|e| FileError::InvalidDepPayload {
        reason: format!(
            "{:?} JSON error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ),
    })
}

fn load_cert(pem_or_der: &[u8]) -> Result<Certificate, FileError> {
    let r = if pem_or_der.trim_ascii_start().starts_with(b"-----") {
        Certificate::from_pem(pem_or_der.trim_ascii())
    } else {
        Certificate::from_der(pem_or_der)
    };
    r.map_err(|e| FileError::InvalidCertificate {
        reason: e.kind().to_string(),
    })
}

/// Headers, blank line, base64 body. Raw DER and bare base64 are accepted too.
fn unwrap_smime(bytes: &[u8]) -> Result<Vec<u8>, FileError> {
    if bytes.first() == Some(&0x30) {
        return Ok(bytes.to_vec());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::InvalidSmime {
        reason: "not text".into(),
    })?;
    let text = text.trim_start();
    let body = if text.to_ascii_lowercase().starts_with("content-") || text.contains(":") {
        let (head, body) = split_headers(text).ok_or(FileError::InvalidSmime {
            reason: "no blank line after the headers".into(),
        })?;
        let ct = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("content-type")
                    .then(|| v.to_ascii_lowercase())
            })
            .ok_or(FileError::InvalidSmime {
                reason: "no Content-Type header".into(),
            })?;
        if !ct.contains("pkcs7-mime") {
            return Err(FileError::InvalidSmime {
                reason: "Content-Type is not application/pkcs7-mime".into(),
            });
        }
        body
    } else {
        text
    };
    let compact: Vec<u8> = body.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Err(FileError::InvalidSmime {
            reason: "empty body".into(),
        });
    }
    base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|_| FileError::InvalidBase64 { what: ".p7m body" })
}

fn split_headers(text: &str) -> Option<(&str, &str)> {
    let crlf = text.find("\r\n\r\n").map(|i| (i, 4));
    let lf = text.find("\n\n").map(|i| (i, 2));
    let (i, n) = match (crlf, lf) {
        (Some(a), Some(b)) => {
            if a.0 < b.0 {
                a
            } else {
                b
            }
        }
        (a, b) => a.or(b)?,
    };
    Some((&text[..i], &text[i + n..]))
}

/// `<server>_Token_2030-07-01T22-18-53Z_smime.p7m` → (server, timestamp).
pub fn parse_file_name(name: &str) -> (Option<String>, Option<DateTime<Utc>>) {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let Some(i) = base.find("_Token_") else {
        return (None, None);
    };
    let server = Some(base[..i].to_owned()).filter(|s| !s.is_empty());
    let ts = base
        .get(i + 7..i + 7 + 20)
        .and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H-%M-%SZ").ok())
        .map(|n| n.and_utc());
    (server, ts)
}

fn strip0(b: &[u8]) -> &[u8] {
    match b {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => b,
    }
}
