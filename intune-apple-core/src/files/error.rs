//! The one error type of the file checks.

/// Why an Apple file could not be read. Messages never contain secret material.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileError {
    /// The file has no content.
    #[error("the file is empty: download it again from Apple")]
    Empty,
    /// Larger than any Apple file ([`MAX_APPLE_FILE_BYTES`](super::MAX_APPLE_FILE_BYTES)).
    #[error("the file is {0} bytes, larger than any Apple file (at most 1 MiB): check that it is the .vpptoken, .pem or .p7m downloaded from Apple")]
    TooLarge(u64),
    /// Not a `.vpptoken`, push certificate or `.p7m`.
    #[error("unrecognised file format: expected a .vpptoken, a push certificate (.pem/.cer) or an enrollment program token (.p7m)")]
    UnrecognisedFormat,
    /// The base64 text is truncated or invalid.
    #[error("invalid or truncated base64 in the {what}: download the file again and upload it unchanged")]
    InvalidBase64 {
        /// Which part of the file.
        what: &'static str,
    },
    /// The `.vpptoken` does not hold the expected JSON.
    #[error("the .vpptoken does not contain valid JSON ({reason}): download a new content token from Apple Business Manager")]
    VppInvalidJson {
        /// Parser message (no token content).
        reason: String,
    },
    /// The `.vpptoken` JSON lacks a field.
    #[error("the .vpptoken lacks the field `{field}`: download a new content token from Apple Business Manager")]
    VppMissingField {
        /// Field name.
        field: &'static str,
    },
    /// The `expDate` of the `.vpptoken` is not a date.
    #[error(
        "the .vpptoken expiry date {value:?} is not an ISO-8601 date: download a new content token"
    )]
    VppBadDate {
        /// The date text (not a secret).
        value: String,
    },
    /// The certificate could not be parsed.
    #[error("the certificate could not be parsed ({reason}): upload the .pem file downloaded from the Apple Push Certificates Portal")]
    InvalidCertificate {
        /// Parser message.
        reason: String,
    },
    /// The certificate subject has no UID attribute.
    #[error("the certificate has no UID (push topic) in its subject: this is not an Apple MDM push certificate; download it from identity.apple.com")]
    NoUid,
    /// The UID does not start with `com.apple.mgmt.`.
    #[error("the certificate's push topic {topic:?} does not start with `com.apple.mgmt.`: this is not an MDM push certificate")]
    WrongUidPrefix {
        /// The UID found.
        topic: String,
    },
    /// A private key was given where a certificate was expected.
    #[error("this file holds a private key, not a certificate: upload the certificate (.pem) from Apple; keep the key private")]
    PrivateKeyInsteadOfCertificate,
    /// The PEM holds more than one certificate.
    #[error(
        "the file holds {count} certificates: upload a file with exactly one push certificate"
    )]
    MultipleCertificates {
        /// How many.
        count: usize,
    },
    /// The `.p7m` S/MIME envelope is malformed.
    #[error("the .p7m envelope is malformed ({reason}): download the token again from Apple Business Manager")]
    InvalidSmime {
        /// What is wrong.
        reason: String,
    },
    /// The CMS structure could not be parsed.
    #[error("the .p7m does not contain a CMS EnvelopedData ({reason}): download the token again")]
    InvalidCms {
        /// Parser message.
        reason: String,
    },
    /// The CMS has no recipient.
    #[error("the .p7m has no recipient: download the token again from Apple Business Manager")]
    NoRecipient,
    /// No recipient matches the key.
    #[error("the .p7m was not encrypted for this key: upload the current public key to Apple Business Manager, then download the token again")]
    NotForThisKey,
    /// Decryption failed.
    #[error("decryption failed (wrong key or damaged file): check that the key matches the certificate uploaded to Apple Business Manager")]
    DecryptionFailed,
    /// Unsupported algorithm.
    #[error("unsupported algorithm {oid} in the .p7m: only RSA key transport with AES-CBC or 3DES-CBC is supported")]
    UnsupportedAlgorithm {
        /// OID text.
        oid: String,
    },
    /// The private key could not be read.
    #[error(
        "the private key could not be read: give an unencrypted RSA key in PKCS#1 or PKCS#8 PEM"
    )]
    InvalidPrivateKey,
    /// The decrypted payload is not the expected token.
    #[error("the decrypted token payload is invalid ({reason}): download the token again")]
    InvalidDepPayload {
        /// What is wrong (no secret content).
        reason: String,
    },
    /// The file could not be read from disk.
    #[error("could not read the file: {0}")]
    Io(String),
}
