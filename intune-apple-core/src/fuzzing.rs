//! Entry points for the fuzz targets (`intune-apple-core/fuzz`) into parsers that are not
//! public: the answers of token endpoints. Not part of the API; compiled always, so that they
//! cannot drift from the code they reach.

use chrono::{TimeZone as _, Utc};

/// An Entra token endpoint's answer (`status`, `body`) read as the client reads it: a grant,
/// a refusal, or an invalid answer. Returns whether a token came out; never panics.
#[must_use]
pub fn token_answer(status: u16, body: &[u8]) -> bool {
    let now = Utc
        .timestamp_opt(1_800_000_000, 0)
        .single()
        .unwrap_or_default();
    match crate::graph::credentials::parse_grant(status, body, now) {
        Ok(grant) => {
            // What the cache derives from it must hold too.
            let _ = grant.token.expires_at >= now;
            let _ = format!("{:?}", grant.token);
            true
        }
        Err(e) => {
            let _ = e.to_string();
            false
        }
    }
}

/// A managed-identity endpoint's answer (every protocol's shapes of `expires_on`). Returns
/// whether a token came out; never panics.
#[must_use]
pub fn managed_identity_answer(body: &[u8]) -> bool {
    let now = Utc
        .timestamp_opt(1_800_000_000, 0)
        .single()
        .unwrap_or_default();
    crate::graph::credentials::managed_identity::parse_token(body, now).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_token_answers_are_read_or_refused() {
        assert!(token_answer(
            200,
            br#"{"access_token":"a","expires_in":3599}"#
        ));
        assert!(token_answer(
            200,
            br#"{"access_token":"a","expires_in":"9223372036854775807"}"#
        ));
        assert!(token_answer(
            200,
            br#"{"access_token":"a","expires_in":-9223372036854775808}"#
        ));
        assert!(!token_answer(200, br#"{"access_token":""}"#));
        assert!(!token_answer(
            400,
            br#"{"error":"invalid_client","error_description":"AADSTS7000215: x"}"#
        ));
        assert!(!token_answer(500, b"<html>"));
        assert!(!token_answer(200, &[0xff; 64]));
        assert!(managed_identity_answer(
            br#"{"access_token":"a","expires_on":"1800003599"}"#
        ));
        assert!(!managed_identity_answer(
            br#"{"access_token":"a","expires_on":"9999-99-99"}"#
        ));
        assert!(!managed_identity_answer(
            br#"{"access_token":"a","expires_in":"1e400"}"#
        ));
    }
}
