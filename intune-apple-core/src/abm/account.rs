//! An Apple Business (or Apple School Manager) API account: its client id, key id and EC P-256
//! private key, and the ES256 client assertion signed with it.

use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use p256::ecdsa::SigningKey;
use p256::pkcs8::DecodePrivateKey as _;

use super::error::{Error, ErrorKind};
use crate::Secret;

/// The `aud` claim Apple requires in the client assertion (note `v2`, although the token is
/// asked for at [`TOKEN_URL`]).
pub const ASSERTION_AUDIENCE: &str = "https://account.apple.com/auth/oauth2/v2/token";

/// Apple's documented token endpoint.
pub const TOKEN_URL: &str = "https://account.apple.com/auth/oauth2/token";

/// How long a client assertion is valid. Apple allows up to 180 days; one assertion is made per
/// token request, so a short lifetime limits what a leaked assertion is worth.
pub const ASSERTION_LIFETIME: chrono::Duration = chrono::Duration::minutes(10);

/// Which of Apple's two APIs an account belongs to, from its client id's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Program {
    /// Apple Business (Manager): `BUSINESSAPI.…`, scope `business.api`, host `api-business.apple.com`.
    Business,
    /// Apple School Manager: `SCHOOLAPI.…`, scope `school.api`, host `api-school.apple.com`.
    School,
}

impl Program {
    /// The OAuth scope (`business.api` / `school.api`).
    #[must_use]
    pub fn scope(self) -> &'static str {
        match self {
            Self::Business => "business.api",
            Self::School => "school.api",
        }
    }

    /// The API root (`https://api-business.apple.com` / `https://api-school.apple.com`).
    #[must_use]
    pub fn api_root(self) -> &'static str {
        match self {
            Self::Business => "https://api-business.apple.com",
            Self::School => "https://api-school.apple.com",
        }
    }
}

/// An API account of Apple Business or Apple School Manager (Preferences > API): the client id
/// and key id shown under **Manage**, and the private key downloaded once when it was
/// generated.
///
/// `Debug` shows the client id and key id only; the key is never printed.
///
/// ```
/// use intune_apple_core::abm::ApiAccount;
/// use intune_apple_core::Secret;
/// # let pem = intune_apple_core::abm::ApiAccount::generate_test_key_pem();
/// let account = ApiAccount::from_pem(
///     "BUSINESSAPI.9703f56c-10ce-4876-8f59-e78e5e23a152",
///     "d136aa66-0c3b-4bd4-9892-c20e8db024ab",
///     &Secret::new(pem),
/// )?;
/// assert_eq!(account.scope(), "business.api");
/// assert!(!format!("{account:?}").contains("PRIVATE"));
/// # Ok::<(), intune_apple_core::abm::Error>(())
/// ```
#[derive(Clone)]
pub struct ApiAccount {
    client_id: String,
    key_id: String,
    key: Arc<SigningKey>,
}

impl std::fmt::Debug for ApiAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiAccount")
            .field("client_id", &self.client_id)
            .field("key_id", &self.key_id)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

impl ApiAccount {
    /// An account from the private key's PEM text (labels `EC PRIVATE KEY` or `PRIVATE KEY`;
    /// Apple's file holds PKCS#8 under the `EC PRIVATE KEY` label, which is accepted, as is
    /// SEC1).
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when the client id or key id is empty, or the text holds no
    /// EC P-256 private key.
    pub fn from_pem(
        client_id: impl Into<String>,
        key_id: impl Into<String>,
        pem: &Secret,
    ) -> Result<Self, Error> {
        let client_id = client_id.into().trim().to_owned();
        let key_id = key_id.into().trim().to_owned();
        let op = "reading the Apple Business API account";
        if client_id.is_empty() {
            return Err(Error::new(ErrorKind::Configuration, op, "the client id is empty (Apple Business: Preferences > API > Manage shows it, BUSINESSAPI.…)"));
        }
        if key_id.is_empty() {
            return Err(Error::new(
                ErrorKind::Configuration,
                op,
                "the key id is empty (Apple Business: Preferences > API > Manage shows it)",
            ));
        }
        let key = parse_key(pem.expose()).ok_or_else(|| {
            Error::new(
                ErrorKind::Configuration,
                op,
                "no EC P-256 private key found: give the .pem file downloaded with \"Generate Private Key\" (-----BEGIN EC PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)",
            )
        })?;
        Ok(Self {
            client_id,
            key_id,
            key: Arc::new(key),
        })
    }

    /// An account whose private key is read from a PEM file.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when the file cannot be read or holds no key.
    pub fn from_file(
        client_id: impl Into<String>,
        key_id: impl Into<String>,
        path: impl AsRef<std::path::Path>,
    ) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorKind::Configuration,
                "reading the Apple Business API account",
                format!("cannot read the private key file {}: {e}", path.display()),
            )
        })?;
        Self::from_pem(client_id, key_id, &Secret::new(text))
    }

    /// The client id (`BUSINESSAPI.…` or `SCHOOLAPI.…`).
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The key id (the JWT header's `kid`).
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Apple Business or Apple School Manager, from the client id's prefix.
    #[must_use]
    pub fn program(&self) -> Program {
        if self.client_id.starts_with("SCHOOLAPI.") {
            Program::School
        } else {
            Program::Business
        }
    }

    /// The OAuth scope of the account's program.
    #[must_use]
    pub fn scope(&self) -> &'static str {
        self.program().scope()
    }

    /// The public key of the account (SEC1 uncompressed point), e.g. for a simulator to
    /// register it.
    #[must_use]
    pub fn public_key_sec1(&self) -> Vec<u8> {
        self.key
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    /// The ES256 client assertion at `now`: header `{alg, kid, typ}`, claims `iss` = `sub` =
    /// client id, `aud` = [`ASSERTION_AUDIENCE`], `iat`, `exp` = `iat` + [`ASSERTION_LIFETIME`],
    /// a fresh `jti`; the signature is the raw 64-byte `R‖S` JWS requires. A secret.
    #[must_use]
    pub fn assertion(&self, now: DateTime<Utc>) -> Secret {
        use p256::ecdsa::signature::Signer as _;
        let header = serde_json::json!({"alg": "ES256", "kid": self.key_id, "typ": "JWT"});
        let iat = now.timestamp();
        let claims = serde_json::json!({
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": ASSERTION_AUDIENCE,
            "iat": iat,
            "exp": iat + ASSERTION_LIFETIME.num_seconds(),
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature: p256::ecdsa::Signature = self.key.sign(input.as_bytes());
        Secret::new(format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        ))
    }

    /// A freshly generated P-256 private key as PKCS#8 PEM, for tests and examples.
    #[must_use]
    pub fn generate_test_key_pem() -> String {
        use p256::pkcs8::EncodePrivateKey as _;
        loop {
            let bytes: [u8; 32] = rand::random();
            if let Ok(key) = p256::SecretKey::from_slice(&bytes) {
                if let Ok(pem) = key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF) {
                    return pem.to_string();
                }
            }
        }
    }
}

/// The first PEM block labelled `EC PRIVATE KEY` or `PRIVATE KEY`, as PKCS#8 then SEC1.
fn parse_key(text: &str) -> Option<SigningKey> {
    for (label, block) in crate::pem::blocks(text).map_while(Result::ok) {
        if label != "EC PRIVATE KEY" && label != "PRIVATE KEY" {
            continue;
        }
        let b64: zeroize::Zeroizing<String> = zeroize::Zeroizing::new(
            block
                .lines()
                .filter(|l| !l.starts_with("-----") && !l.contains(':'))
                .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
                .collect(),
        );
        let der = zeroize::Zeroizing::new(STANDARD.decode(b64.as_bytes()).ok()?);
        if let Ok(key) = p256::SecretKey::from_pkcs8_der(&der) {
            return Some(SigningKey::from(key));
        }
        if let Ok(key) = p256::SecretKey::from_sec1_der(&der) {
            return Some(SigningKey::from(key));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use p256::ecdsa::signature::Verifier as _;

    const CLIENT: &str = "BUSINESSAPI.9703f56c-10ce-4876-8f59-e78e5e23a152";

    #[test]
    fn assertion_verifies_with_the_public_key() {
        let pem = ApiAccount::generate_test_key_pem();
        let account = ApiAccount::from_pem(CLIENT, "kid-1", &Secret::new(pem)).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let jwt = account.assertion(now);
        let parts: Vec<&str> = jwt.expose().split('.').collect();
        assert_eq!(parts.len(), 3);
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        assert_eq!(sig.len(), 64, "raw R||S, not DER");
        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&account.public_key_sec1()).unwrap();
        let sig = p256::ecdsa::Signature::from_slice(&sig).unwrap();
        vk.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
            .unwrap();
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], "kid-1");
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], ASSERTION_AUDIENCE);
        assert_eq!(claims["sub"], CLIENT);
        assert_eq!(claims["iss"], CLIENT);
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            600
        );
    }

    #[test]
    fn sec1_and_apple_label_are_accepted() {
        use p256::pkcs8::EncodePrivateKey as _;
        let key = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
        let sec1 = key.to_sec1_pem(p256::pkcs8::LineEnding::LF).unwrap();
        assert!(ApiAccount::from_pem(CLIENT, "k", &Secret::new(sec1.to_string())).is_ok());
        // Apple's file: PKCS#8 DER under the `EC PRIVATE KEY` label.
        let pkcs8 = key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap();
        let relabelled = pkcs8.replace("PRIVATE KEY-----", "EC PRIVATE KEY-----");
        assert!(ApiAccount::from_pem(CLIENT, "k", &Secret::new(relabelled)).is_ok());
    }

    #[test]
    fn bad_input_is_a_configuration_error() {
        for pem in [
            "",
            "not a key",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        ] {
            let e = ApiAccount::from_pem(CLIENT, "k", &Secret::new(pem)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Configuration);
        }
        let pem = Secret::new(ApiAccount::generate_test_key_pem());
        assert_eq!(
            ApiAccount::from_pem("", "k", &pem).unwrap_err().kind(),
            ErrorKind::Configuration
        );
        let school = ApiAccount::from_pem("SCHOOLAPI.x", "k", &pem).unwrap();
        assert_eq!(school.scope(), "school.api");
    }
}
