//! Sign-in: the token endpoint (client secret or a certificate's signed assertion), the bearer
//! tokens it hands out, and the check of a Graph call's token and permission.

use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::paging::url_decode_pairs;
use super::{Answer, Shared, Tenant, TokenInfo};
use crate::time::{add, seconds};
use crate::{
    CERT_CLIENT_ID, CLIENT_ID, CLIENT_SECRET, READ_ONLY_CLIENT_ID, READ_ONLY_CLIENT_SECRET,
};

pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
}

/// The application of a Graph call with a valid bearer token, or Graph's refusal: 401 without a
/// valid token, 403 for a write with a read-only one.
pub(super) fn caller(t: &Tenant, headers: &HeaderMap, write: bool) -> Result<&'static str, Answer> {
    let now = t.now;
    let token = bearer(headers);
    let info = token.as_ref().and_then(|tk| t.tokens.get(tk));
    let (read_only, app) = match info {
        Some(i) if i.expires > now => (i.read_only, i.client_id),
        _ => {
            return Err(Answer::error(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                if token.is_some() {
                    "Lifetime validation failed, the token is expired."
                } else {
                    "Access token is empty."
                },
                now,
            ))
        }
    };
    if write && read_only {
        return Err(Answer::error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "{\"_version\": 3, \"Message\": \"Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementServiceConfig.ReadWrite.All\", \"RetryAfter\": null}",
            now,
        ));
    }
    Ok(app)
}

pub(super) fn token_endpoint(sh: &Shared, t: &mut Tenant, tenant: &str, body: &[u8]) -> Answer {
    let now = t.now;
    let oauth_error = |code: &str, desc: &str| Answer {
        status: StatusCode::BAD_REQUEST,
        body: json!({"error": code, "error_description": desc, "error_codes": [7000215],
            "timestamp": now.format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": uuid::Uuid::new_v4().to_string(),
            "correlation_id": uuid::Uuid::new_v4().to_string()}),
        raw: None,
        headers: Vec::new(),
        write: false,
    };
    if tenant != sh.tenant_id {
        return oauth_error("invalid_request", "AADSTS90002: Tenant not found.");
    }
    let form = url_decode_pairs(&String::from_utf8_lossy(body));
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(
            "unsupported_grant_type",
            "AADSTS70003: only client_credentials is supported.",
        );
    }
    if form.get("scope").map(String::as_str) != Some("https://graph.microsoft.com/.default") {
        return oauth_error("invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Use https://graph.microsoft.com/.default.");
    }
    let client = form.get("client_id").map(String::as_str).unwrap_or("");
    let secret = form.get("client_secret").map(String::as_str);
    let (read_only, client_id) = match (client, secret) {
        (CLIENT_ID, Some(CLIENT_SECRET)) => (false, CLIENT_ID),
        (READ_ONLY_CLIENT_ID, Some(READ_ONLY_CLIENT_SECRET)) => (true, READ_ONLY_CLIENT_ID),
        (CERT_CLIENT_ID, None) => {
            let assertion = form
                .get("client_assertion")
                .map(String::as_str)
                .unwrap_or("");
            if form.get("client_assertion_type").map(String::as_str)
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            {
                return oauth_error("invalid_client", "AADSTS700025: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.");
            }
            if let Err(why) = verify_assertion(assertion, now) {
                return oauth_error(
                    "invalid_client",
                    &format!("AADSTS700027: Client assertion failed signature validation: {why}."),
                );
            }
            (false, CERT_CLIENT_ID)
        }
        _ => {
            return oauth_error(
                "invalid_client",
                "AADSTS7000215: Invalid client secret provided.",
            )
        }
    };
    let token = format!("sim.{}", uuid::Uuid::new_v4().simple());
    t.tokens.insert(
        token.clone(),
        TokenInfo {
            expires: add(now, seconds(t.token_lifetime)),
            read_only,
            client_id,
        },
    );
    Answer::ok(
        json!({"token_type": "Bearer", "expires_in": t.token_lifetime,
        "ext_expires_in": t.token_lifetime, "access_token": token}),
    )
}

/// Checks a client assertion signed with the test certificate's key (RS256 or PS256, `x5t` or
/// `x5t#S256` header, `iss` = `sub` = the certificate client, `aud` the token endpoint, not expired).
fn verify_assertion(assertion: &str, now: DateTime<Utc>) -> Result<(), &'static str> {
    use base64::Engine;
    use der::{DecodePem, Encode};
    use rsa::pkcs8::DecodePublicKey;
    use sha2::Digest;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = assertion.split('.');
    let (Some(h), Some(p), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT");
    };
    let header: Value = b64
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("bad header")?;
    let payload: Value = b64
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("bad payload")?;
    let sig = b64.decode(sig).map_err(|_| "bad signature encoding")?;
    let cert = x509_cert::Certificate::from_pem(crate::CERT_CLIENT_CERT_PEM.as_bytes())
        .map_err(|_| "certificate")?;
    let der = cert.to_der().map_err(|_| "certificate")?;
    let x5t = b64.encode(sha1::Sha1::digest(&der));
    let x5t256 = b64.encode(sha2::Sha256::digest(&der));
    let thumb_ok = header.get("x5t").and_then(Value::as_str) == Some(x5t.as_str())
        || header.get("x5t#S256").and_then(Value::as_str) == Some(x5t256.as_str());
    if !thumb_ok {
        return Err("unknown certificate thumbprint (x5t / x5t#S256)");
    }
    if payload.get("iss").and_then(Value::as_str) != Some(CERT_CLIENT_ID)
        || payload.get("sub").and_then(Value::as_str) != Some(CERT_CLIENT_ID)
    {
        return Err("iss and sub must be the client id");
    }
    if !payload
        .get("aud")
        .and_then(Value::as_str)
        .is_some_and(|a| a.ends_with("/oauth2/v2.0/token"))
    {
        return Err("aud must be the token endpoint");
    }
    if payload
        .get("exp")
        .and_then(Value::as_i64)
        .is_none_or(|e| e <= now.timestamp())
    {
        return Err("assertion expired");
    }
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| "certificate")?;
    let key = rsa::RsaPublicKey::from_public_key_der(&spki).map_err(|_| "certificate key")?;
    let hashed = sha2::Sha256::digest(format!("{h}.{p}").as_bytes());
    let verified = match header.get("alg").and_then(Value::as_str) {
        Some("RS256") => key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed, &sig),
        Some("PS256") => key.verify(rsa::Pss::new::<sha2::Sha256>(), &hashed, &sig),
        _ => return Err("alg must be RS256 or PS256"),
    };
    verified.map_err(|_| "signature does not verify")
}
