//! Credentials: how the client obtains a bearer token for Microsoft Graph.
//!
//! - [`ClientSecretCredential`]: an app registration's client secret;
//! - [`ClientCertificateCredential`]: a certificate, proven with a signed JWT assertion
//!   (`PS256` by default, or `RS256`; header `x5t#S256`, plus `x5t` for older tenants);
//! - [`StaticTokenCredential`]: a bearer token obtained elsewhere;
//! - the [`Credential`] trait for anything else.
//!
//! [`TokenCache`] keeps the token, refreshes it 5 minutes before expiry with one refresh at a
//! time however many calls run concurrently, and forgets it when Graph answers 401.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::Digest as _;

use crate::clock::{BoxFuture, Clock};
use crate::model::{NumberOrText, OAuthErrorBody, OAuthTokenResponse};
use crate::Secret;
use zeroize::Zeroizing;

/// How long before its expiry a cached token is refreshed.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A bearer token and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The bearer token.
    pub token: Secret,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// What a credential needs to ask for a token.
#[derive(Debug, Clone)]
pub struct TokenRequestContext<'a> {
    /// The HTTP client to use.
    pub http: &'a reqwest::Client,
    /// The clock (for `expires_at`, JWT `nbf`/`exp`).
    pub clock: &'a dyn Clock,
    /// The authority host, e.g. `https://login.microsoftonline.com` (no trailing slash).
    pub authority_host: &'a str,
    /// The scope, e.g. `https://graph.microsoft.com/.default`.
    pub scope: &'a str,
}

/// Why a token could not be obtained.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The identity platform refused the request (wrong secret, unknown app, expired secret...).
    #[error("the identity platform refused the token request ({code}): {description}. Check the tenant id, client id and secret or certificate of the app registration, and that the secret or certificate has not expired.")]
    Rejected {
        /// The OAuth error code (`invalid_client`, `invalid_scope`, `unauthorized_client`, ...).
        code: String,
        /// The identity platform's description (it never contains the secret).
        description: String,
        /// HTTP status.
        status: u16,
        /// `correlation_id` of the answer, for a support request.
        correlation_id: Option<String>,
    },
    /// The token endpoint could not be reached.
    #[error("cannot reach the token endpoint {authority}: {source}. Check the network, a proxy, or AZURE_AUTHORITY_HOST.")]
    Transport {
        /// The authority host.
        authority: String,
        /// The HTTP error.
        #[source]
        source: reqwest::Error,
    },
    /// The token endpoint answered something that is not a token.
    #[error("the token endpoint answered an unexpected body (HTTP {status}): {message}")]
    InvalidResponse {
        /// HTTP status.
        status: u16,
        /// What was wrong.
        message: String,
    },
    /// The certificate or key could not be read.
    #[error("cannot use the client certificate: {0}")]
    Certificate(String),
    /// The configuration is incomplete.
    #[error("incomplete credential configuration: {0}")]
    Configuration(String),
}

/// A source of bearer tokens.
pub trait Credential: Send + Sync + std::fmt::Debug {
    /// Obtains a new token (no caching: [`TokenCache`] does that).
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>>;
}

/// A token obtained elsewhere (a managed identity, `az account get-access-token`, a proxy).
/// It is used as is; when it expires, calls fail with 401.
#[derive(Debug, Clone)]
pub struct StaticTokenCredential {
    token: Secret,
    expires_at: Option<DateTime<Utc>>,
}

impl StaticTokenCredential {
    /// A token whose expiry is unknown.
    pub fn new(token: impl Into<Secret>) -> Self {
        Self {
            token: token.into(),
            expires_at: None,
        }
    }

    /// A token known to expire at `expires_at`.
    pub fn with_expiry(token: impl Into<Secret>, expires_at: DateTime<Utc>) -> Self {
        Self {
            token: token.into(),
            expires_at: Some(expires_at),
        }
    }
}

impl Credential for StaticTokenCredential {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        let expires_at = self.expires_at.unwrap_or_else(|| {
            let now = ctx.clock.now();
            now.checked_add_signed(chrono::Duration::days(3650))
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        });
        let token = self.token.clone();
        Box::pin(async move { Ok(AccessToken { token, expires_at }) })
    }
}

/// An app registration's client secret (client credentials grant).
#[derive(Debug, Clone)]
pub struct ClientSecretCredential {
    tenant_id: String,
    client_id: String,
    secret: Secret,
}

impl ClientSecretCredential {
    /// A credential for `client_id` in `tenant_id` with `secret`.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        secret: impl Into<Secret>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            secret: secret.into(),
        }
    }
}

impl Credential for ClientSecretCredential {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async move {
            let form = [
                ("client_id", self.client_id.as_str()),
                ("scope", ctx.scope),
                ("grant_type", "client_credentials"),
                ("client_secret", self.secret.expose()),
            ];
            request_token(&ctx, &self.tenant_id, &form).await
        })
    }
}

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
        let budget = super::pkcs12::Budget::new();
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
                            super::env::CLIENT_CERTIFICATE_PASSWORD
                        ))
                    })?;
                    let info =
                        pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice()).map_err(|e| {
                            CredentialError::Certificate(format!(
                                "the ENCRYPTED PRIVATE KEY block cannot be read: {e}"
                            ))
                        })?;
                    super::pkcs12::charge_scheme(&info.encryption_algorithm, &budget)
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
        let contents = super::pkcs12::open(pfx, password)
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

/// `{authority}/{tenant}/oauth2/v2.0/token`.
#[must_use]
pub fn token_url(authority_host: &str, tenant_id: &str) -> String {
    format!(
        "{}/{}/oauth2/v2.0/token",
        authority_host.trim_end_matches('/'),
        tenant_id
    )
}

async fn request_token(
    ctx: &TokenRequestContext<'_>,
    tenant_id: &str,
    form: &[(&str, &str)],
) -> Result<AccessToken, CredentialError> {
    super::endpoint::check_tenant_id(tenant_id).map_err(CredentialError::Configuration)?;
    let url = token_url(ctx.authority_host, tenant_id);
    let transport = |source| CredentialError::Transport {
        authority: ctx.authority_host.to_owned(),
        source,
    };
    let response = ctx
        .http
        .post(&url)
        .form(form)
        .send()
        .await
        .map_err(|e| transport(e.without_url()))?;
    let status = response.status().as_u16();
    // A token answer is a few kilobytes: anything past 1 MiB is refused, not buffered.
    const MAX_TOKEN_ANSWER: usize = 1 << 20;
    let mut response = response;
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport(e.without_url()))?
    {
        if bytes.len() + chunk.len() > MAX_TOKEN_ANSWER {
            return Err(CredentialError::InvalidResponse {
                status,
                message: "the token answer is larger than 1 MiB: check the authority host and any proxy in the way".into(),
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    let invalid = |e: &serde_json::Error| CredentialError::InvalidResponse {
        status,
        message: format!("not a token response ({})", e.classify_name()),
    };
    if !(200..300).contains(&status) {
        let body: OAuthErrorBody = serde_json::from_slice(&bytes).map_err(|e| invalid(&e))?;
        return Err(CredentialError::Rejected {
            code: body.error.unwrap_or_else(|| format!("http_{status}")),
            description: body
                .error_description
                .map(|d| d.lines().next().unwrap_or_default().to_owned())
                .unwrap_or_default(),
            status,
            correlation_id: body.correlation_id,
        });
    }
    let body: OAuthTokenResponse = serde_json::from_slice(&bytes).map_err(|e| invalid(&e))?;
    let token = body.access_token.filter(|t| !t.is_empty()).ok_or_else(|| {
        CredentialError::InvalidResponse {
            status,
            message: "no access_token in the answer".into(),
        }
    })?;
    // The server chooses the number: at most a year, and never past the end of time.
    let expires_in = body.expires_in.map_or(3599, NumberOrText::get);
    let now = ctx.clock.now();
    let lifetime = chrono::Duration::seconds(expires_in.clamp(0, 366 * 86_400));
    Ok(AccessToken {
        token,
        expires_at: now.checked_add_signed(lifetime).unwrap_or(now),
    })
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "unexpected JSON shape",
            serde_json::error::Category::Eof => "truncated JSON",
        }
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

/// Caches the token of a [`Credential`]: refreshed [`REFRESH_MARGIN`] before expiry, one refresh
/// at a time, dropped on demand (after a 401).
#[derive(Debug, Clone)]
pub struct TokenCache {
    credential: Arc<dyn Credential>,
    cached: Arc<tokio::sync::Mutex<Option<AccessToken>>>,
}

impl TokenCache {
    /// A cache over `credential`.
    pub fn new(credential: Arc<dyn Credential>) -> Self {
        Self {
            credential,
            cached: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }

    /// A valid token: the cached one while it has more than [`REFRESH_MARGIN`] left, else a new
    /// one. Concurrent callers wait for the one refresh in flight.
    ///
    /// # Errors
    /// The credential's error.
    pub async fn token(&self, ctx: TokenRequestContext<'_>) -> Result<Secret, CredentialError> {
        let mut guard = self.cached.lock().await;
        let margin = chrono::Duration::from_std(REFRESH_MARGIN).unwrap_or_default();
        if let Some(token) = guard.as_ref() {
            if token.expires_at - margin > ctx.clock.now() {
                return Ok(token.token.clone());
            }
        }
        let fresh = self.credential.get_token(ctx).await?;
        let token = fresh.token.clone();
        *guard = Some(fresh);
        Ok(token)
    }

    /// Forgets the cached token if it is still `rejected` (Graph answered 401 with it), so
    /// that the next [`TokenCache::token`] asks for a new one; a token another call has already
    /// refreshed is kept.
    pub async fn invalidate(&self, rejected: &Secret) {
        let mut guard = self.cached.lock().await;
        if guard.as_ref().is_some_and(|t| &t.token == rejected) {
            *guard = None;
        }
    }
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

    #[test]
    fn token_url_has_one_slash() {
        assert_eq!(
            token_url("https://login.microsoftonline.com/", "contoso"),
            "https://login.microsoftonline.com/contoso/oauth2/v2.0/token"
        );
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let c = ClientSecretCredential::new("t", "c", "very-secret-value");
        assert!(!format!("{c:?}").contains("very-secret-value"));
        let s = StaticTokenCredential::new("eyJ-bearer");
        assert!(!format!("{s:?}").contains("eyJ-bearer"));
    }
}
