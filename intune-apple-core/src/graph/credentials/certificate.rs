//! [`ClientCertificateCredential`]: an app registration's certificate, proven with a signed JWT
//! assertion (`PS256` by default, or `RS256`; header `x5t#S256`, plus `x5t` for older tenants).

use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::Digest as _;
use zeroize::Zeroizing;

use super::{
    request_token, token_url, AccessToken, Credential, CredentialError, TokenRequestContext,
};
use crate::clock::BoxFuture;

/// The signature algorithm of a client assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssertionAlgorithm {
    /// RSASSA-PSS with SHA-256 (what the current Entra documentation shows).
    #[default]
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (older documentation; still accepted).
    Rs256,
}

impl AssertionAlgorithm {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ps256 => "PS256",
            Self::Rs256 => "RS256",
        }
    }
}

/// An app registration's certificate: each token request carries a JWT assertion signed with
/// the certificate's private key.
#[derive(Clone)]
pub struct ClientCertificateCredential {
    tenant_id: String,
    client_id: String,
    certificate_der: Vec<u8>,
    key: Arc<rsa::RsaPrivateKey>,
    algorithm: AssertionAlgorithm,
}

impl std::fmt::Debug for ClientCertificateCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificateCredential")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("thumbprint_sha256", &self.thumbprint_sha256())
            .field("key", &"[REDACTED]")
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

impl ClientCertificateCredential {
    /// Reads the certificate and its RSA private key (PKCS#8 or PKCS#1, unencrypted) from PEM
    /// text containing both, as in `AZURE_CLIENT_CERTIFICATE_PATH`.
    ///
    /// # Errors
    /// [`CredentialError::Certificate`] when no certificate or no usable key is found, or when
    /// the key is password-protected (use [`Self::from_pem_with_password`]).
    pub fn from_pem(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        pem: &str,
    ) -> Result<Self, CredentialError> {
        Self::from_pem_with_password(tenant_id, client_id, pem, None)
    }

    /// As [`Self::from_pem`], and a password-protected key (`ENCRYPTED PRIVATE KEY`, PKCS#8
    /// with PBES2) is opened with `password`.
    ///
    /// ```
    /// use intune_apple_core::graph::ClientCertificateCredential;
    /// use intune_apple_sim::{CERT_CLIENT_CERT_PEM, CERT_CLIENT_KEY_PEM};
    /// let pem = format!("{CERT_CLIENT_CERT_PEM}{CERT_CLIENT_KEY_PEM}");
    /// let credential = ClientCertificateCredential::from_pem_with_password("tenant", "app", &pem, None)?;
    /// assert_eq!(credential.thumbprint_sha256().len(), 43);
    /// # Ok::<(), intune_apple_core::graph::CredentialError>(())
    /// ```
    ///
    /// # Errors
    /// [`CredentialError::Certificate`] when no certificate or no usable key is found, or the
    /// password does not open the key.
    pub fn from_pem_with_password(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        pem: &str,
        password: Option<&str>,
    ) -> Result<Self, CredentialError> {
        let mut certificate_der = None;
        let mut key = None;
        // One key-derivation budget for the whole text, as for a PKCS#12 file.
        let budget = crate::graph::pkcs12::Budget::new();
        for (label, der) in pem_blocks(pem) {
            match label.as_str() {
                "CERTIFICATE" if certificate_der.is_none() => certificate_der = Some(der),
                "PRIVATE KEY" => {
                    use rsa::pkcs8::DecodePrivateKey as _;
                    key = Some(rsa::RsaPrivateKey::from_pkcs8_der(&der).map_err(|_| {
                        CredentialError::Certificate(
                            "the PRIVATE KEY block is not an RSA key in PKCS#8 form".into(),
                        )
                    })?);
                }
                "RSA PRIVATE KEY" => {
                    use rsa::pkcs1::DecodeRsaPrivateKey as _;
                    key = Some(rsa::RsaPrivateKey::from_pkcs1_der(&der).map_err(|_| {
                        CredentialError::Certificate(
                            "the RSA PRIVATE KEY block is not a valid PKCS#1 key".into(),
                        )
                    })?);
                }
                "ENCRYPTED PRIVATE KEY" => {
                    let password = password.ok_or_else(|| {
                        CredentialError::Certificate(format!(
                            "the private key is password-protected; give its password \
                             ({}, or the certificate password option of the client)",
                            crate::graph::env::CLIENT_CERTIFICATE_PASSWORD
                        ))
                    })?;
                    let info =
                        pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice()).map_err(|e| {
                            CredentialError::Certificate(format!(
                                "the ENCRYPTED PRIVATE KEY block cannot be read: {e}"
                            ))
                        })?;
                    crate::graph::pkcs12::charge_scheme(&info.encryption_algorithm, &budget)
                        .map_err(|e| CredentialError::Certificate(e.to_string()))?;
                    let plain = info.decrypt(password).map_err(|_| {
                        CredentialError::Certificate(
                            "the password does not open the ENCRYPTED PRIVATE KEY block \
                             (or its encryption is not PBES2 with AES or 3DES)"
                                .into(),
                        )
                    })?;
                    use rsa::pkcs8::DecodePrivateKey as _;
                    key = Some(
                        rsa::RsaPrivateKey::from_pkcs8_der(plain.as_bytes()).map_err(|_| {
                            CredentialError::Certificate(
                                "the ENCRYPTED PRIVATE KEY block is not an RSA key".into(),
                            )
                        })?,
                    );
                }
                _ => {}
            }
        }
        let certificate_der = certificate_der.ok_or_else(|| {
            CredentialError::Certificate(
                "no CERTIFICATE block found; the PEM file must contain the certificate and its private key".into(),
            )
        })?;
        let key = key.ok_or_else(|| {
            CredentialError::Certificate(
                "no private key found; the PEM file must contain the certificate and its private key".into(),
            )
        })?;
        Ok(Self::with_key(tenant_id, client_id, certificate_der, key))
    }

    /// Reads the certificate and its RSA private key from a PKCS#12 file (`.pfx`/`.p12`, DER):
    /// the certificate is the one whose public key matches the key (a chain may come with it).
    /// `password` is the export password, `""` for none (Key Vault and portal downloads).
    ///
    /// ```
    /// use intune_apple_core::graph::ClientCertificateCredential;
    /// let pfx = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../intune-apple-sim/fixtures/client-aes.pfx"))?;
    /// let credential = ClientCertificateCredential::from_pkcs12("tenant", "app", &pfx, "sim-test-password")?;
    /// assert_eq!(credential.thumbprint_sha256().len(), 43);
    /// assert!(ClientCertificateCredential::from_pkcs12("tenant", "app", &pfx, "wrong").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`CredentialError::Certificate`] when the file cannot be read, the password does not open
    /// it, or it holds no RSA key with its certificate.
    pub fn from_pkcs12(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        pfx: &[u8],
        password: &str,
    ) -> Result<Self, CredentialError> {
        use rsa::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
        use x509_cert::der::{Decode as _, Encode as _};
        let contents = crate::graph::pkcs12::open(pfx, password)
            .map_err(|e| CredentialError::Certificate(e.to_string()))?;
        let key = contents
            .keys
            .iter()
            .find_map(|k| rsa::RsaPrivateKey::from_pkcs8_der(k).ok())
            .ok_or_else(|| {
                CredentialError::Certificate(if contents.keys.is_empty() {
                    "the PKCS#12 file holds no private key; export the certificate with its \
                     private key"
                        .into()
                } else {
                    "the private key of the PKCS#12 file is not an RSA key".into()
                })
            })?;
        let public = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| CredentialError::Certificate(format!("the RSA key: {e}")))?;
        let certificate_der = contents
            .certificates
            .into_iter()
            .find(|c| {
                x509_cert::Certificate::from_der(c)
                    .ok()
                    .and_then(|c| c.tbs_certificate.subject_public_key_info.to_der().ok())
                    .is_some_and(|spki| spki == public.as_bytes())
            })
            .ok_or_else(|| {
                CredentialError::Certificate(
                    "the PKCS#12 file holds no certificate for its private key".into(),
                )
            })?;
        Ok(Self::with_key(tenant_id, client_id, certificate_der, key))
    }

    /// Reads a certificate file as the Azure SDKs do for `AZURE_CLIENT_CERTIFICATE_PATH`: PEM
    /// text with the certificate and its key (`password` opens an encrypted key), or a PKCS#12
    /// file (`password` is its export password; none means `""`).
    ///
    /// # Errors
    /// [`CredentialError::Certificate`] when the file cannot be read or used; the message names
    /// the path, never the password.
    pub fn from_file(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        path: impl AsRef<std::path::Path>,
        password: Option<&str>,
    ) -> Result<Self, CredentialError> {
        let path = path.as_ref();
        let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| {
            CredentialError::Certificate(format!(
                "cannot read the certificate file {}: {e}",
                path.display()
            ))
        })?);
        Self::from_contents(tenant_id, client_id, &bytes, password).map_err(|e| match e {
            CredentialError::Certificate(m) => {
                CredentialError::Certificate(format!("{}: {m}", path.display()))
            }
            other => other,
        })
    }

    /// As [`Self::from_file`], from the file's contents: PEM text, PKCS#12 bytes, or PKCS#12 as
    /// base64 text (how Key Vault hands out a certificate's secret value).
    ///
    /// # Errors
    /// [`CredentialError::Certificate`] when the contents cannot be used.
    pub fn from_contents(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        contents: &[u8],
        password: Option<&str>,
    ) -> Result<Self, CredentialError> {
        let text = std::str::from_utf8(contents).ok();
        if let Some(pem) = text.filter(|t| t.contains("-----BEGIN")) {
            let password = password.filter(|p| !p.is_empty());
            return Self::from_pem_with_password(tenant_id, client_id, pem, password);
        }
        // PKCS#12: the bytes themselves, or their base64 text.
        let decoded = text.and_then(|t| {
            let compact: Zeroizing<String> =
                Zeroizing::new(t.chars().filter(|c| !c.is_whitespace()).collect());
            STANDARD.decode(compact.as_bytes()).ok().map(Zeroizing::new)
        });
        let der = decoded.as_deref().map_or(contents, Vec::as_slice);
        Self::from_pkcs12(tenant_id, client_id, der, password.unwrap_or(""))
    }

    fn with_key(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        certificate_der: Vec<u8>,
        key: rsa::RsaPrivateKey,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            certificate_der,
            key: Arc::new(key),
            algorithm: AssertionAlgorithm::default(),
        }
    }

    /// Chooses the assertion's signature algorithm (default `PS256`).
    #[must_use]
    pub fn with_algorithm(mut self, algorithm: AssertionAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The certificate's SHA-256 thumbprint, base64url (the `x5t#S256` header).
    #[must_use]
    pub fn thumbprint_sha256(&self) -> String {
        URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&self.certificate_der))
    }

    /// Builds and signs the client assertion for `audience` (the token endpoint URL).
    ///
    /// # Errors
    /// [`CredentialError::Certificate`] when signing fails.
    pub fn assertion(&self, audience: &str, now: DateTime<Utc>) -> Result<String, CredentialError> {
        use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _, Signer as _};
        let header = serde_json::json!({
            "alg": self.algorithm.as_str(),
            "typ": "JWT",
            "x5t#S256": self.thumbprint_sha256(),
            "x5t": URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(&self.certificate_der)),
        });
        let nbf = now.timestamp();
        let claims = serde_json::json!({
            "aud": audience,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": nbf,
            "iat": nbf,
            "exp": nbf + 600,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let key = (*self.key).clone();
        let signature = match self.algorithm {
            AssertionAlgorithm::Rs256 => rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key)
                .try_sign(signing_input.as_bytes())
                .map(|s| s.to_vec()),
            AssertionAlgorithm::Ps256 => rsa::pss::BlindedSigningKey::<sha2::Sha256>::new(key)
                .try_sign_with_rng(&mut rsa::rand_core::OsRng, signing_input.as_bytes())
                .map(|s| s.to_vec()),
        }
        .map_err(|_| CredentialError::Certificate("signing the client assertion failed".into()))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

impl Credential for ClientCertificateCredential {
    fn name(&self) -> &str {
        "ClientCertificateCredential"
    }

    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async move {
            let audience = token_url(ctx.authority_host, &self.tenant_id);
            let assertion = self.assertion(&audience, ctx.clock.now())?;
            let form = [
                ("client_id", self.client_id.as_str()),
                ("scope", ctx.scope),
                ("grant_type", "client_credentials"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion.as_str()),
            ];
            request_token(&ctx, &self.tenant_id, &form).await
        })
    }
}

/// Splits PEM text into (label, DER) blocks; blocks that do not decode are skipped, and a block
/// without its end line ends the list.
fn pem_blocks(text: &str) -> Vec<(String, Vec<u8>)> {
    crate::pem::blocks(text)
        .map_while(Result::ok)
        .filter_map(|(label, block)| {
            let b64: String = block
                .lines()
                .filter(|l| !l.starts_with("-----") && !l.contains(':'))
                .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
                .collect();
            STANDARD.decode(b64).ok().map(|der| (label.to_owned(), der))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_split_a_bundle() {
        let text = "junk\n-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nAwQ=\n-----END PRIVATE KEY-----\n";
        let blocks = pem_blocks(text);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0], ("CERTIFICATE".to_owned(), vec![0, 1, 2]));
        assert_eq!(blocks[1].0, "PRIVATE KEY");
    }

    #[test]
    fn missing_key_is_a_clear_error() {
        let text = "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n";
        let err = ClientCertificateCredential::from_pem("t", "c", text).unwrap_err();
        assert!(err.to_string().contains("no private key"), "{err}");
    }

    fn test_credential(
        alg: AssertionAlgorithm,
    ) -> (ClientCertificateCredential, rsa::RsaPublicKey) {
        use rsa::pkcs8::{EncodePrivateKey as _, LineEnding};
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\nAAECAwQ=\n-----END CERTIFICATE-----\n{}",
            key.to_pkcs8_pem(LineEnding::LF).unwrap().as_str()
        );
        let cred = ClientCertificateCredential::from_pem("tenant", "client", &pem)
            .unwrap()
            .with_algorithm(alg);
        (cred, rsa::RsaPublicKey::from(&key))
    }

    #[test]
    fn assertions_verify_with_the_public_key() {
        use rsa::signature::Verifier as _;
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for alg in [AssertionAlgorithm::Ps256, AssertionAlgorithm::Rs256] {
            let (cred, public) = test_credential(alg);
            let jwt = cred
                .assertion("https://login.example/tenant/oauth2/v2.0/token", now)
                .unwrap();
            let parts: Vec<&str> = jwt.split('.').collect();
            assert_eq!(parts.len(), 3);
            let header: serde_json::Value =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
            assert_eq!(header["alg"], alg.as_str());
            assert_eq!(header["x5t#S256"], cred.thumbprint_sha256());
            let claims: serde_json::Value =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
            assert_eq!(claims["iss"], "client");
            assert_eq!(claims["sub"], "client");
            assert_eq!(
                claims["aud"],
                "https://login.example/tenant/oauth2/v2.0/token"
            );
            assert_eq!(claims["nbf"], 1_800_000_000);
            assert_eq!(claims["exp"], 1_800_000_600);
            let input = format!("{}.{}", parts[0], parts[1]);
            let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
            match alg {
                AssertionAlgorithm::Rs256 => {
                    let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(public);
                    let sig = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).unwrap();
                    vk.verify(input.as_bytes(), &sig).unwrap();
                }
                AssertionAlgorithm::Ps256 => {
                    let vk = rsa::pss::VerifyingKey::<sha2::Sha256>::new(public);
                    let sig = rsa::pss::Signature::try_from(sig.as_slice()).unwrap();
                    vk.verify(input.as_bytes(), &sig).unwrap();
                }
            }
            assert!(!format!("{cred:?}").contains("PRIVATE"));
        }
    }
}
