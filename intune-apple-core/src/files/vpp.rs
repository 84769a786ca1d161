//! `.vpptoken` (Apps and Books content token): one line of standard base64 of a JSON object
//! `{token, expDate, orgName}`. The whole file content is the credential sent to Intune.

use base64::Engine as _;
use chrono::{DateTime, Utc};

use super::FileError;
use crate::model::VppToken;
use crate::Secret;

/// A decoded `.vpptoken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VppTokenFile {
    /// `orgName`: the organisation the token belongs to.
    pub organization_name: String,
    /// `expDate`, normalised to UTC.
    pub expires: DateTime<Utc>,
    /// The whole file content (trimmed): the payload uploaded to Intune.
    pub content: Secret,
    /// The inner `token` (an opaque identifier of the location): compared to find duplicates.
    pub inner_token: Secret,
}

impl VppTokenFile {
    /// Decodes the content of a `.vpptoken` file.
    ///
    /// # Errors
    /// [`FileError::Empty`], [`FileError::InvalidBase64`], [`FileError::VppInvalidJson`],
    /// [`FileError::VppMissingField`], [`FileError::VppBadDate`].
    pub fn parse(bytes: &[u8]) -> Result<Self, FileError> {
        super::check_size(bytes)?;
        let text = bytes.trim_ascii();
        if text.is_empty() {
            return Err(FileError::Empty);
        }
        let json = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| FileError::InvalidBase64 { what: ".vpptoken" })?;
        let value: serde_json::Value =
            serde_json::from_slice(&json).map_err(|e| FileError::VppInvalidJson {
                reason: format!(
                    "{:?} error at line {} column {}",
                    e.classify(),
                    e.line(),
                    e.column()
                ),
            })?;
        let obj = value.as_object().ok_or_else(|| FileError::VppInvalidJson {
            reason: "not a JSON object".into(),
        })?;
        let field = |name: &'static str| -> Result<String, FileError> {
            obj.get(name)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .ok_or(FileError::VppMissingField { field: name })
        };
        let token = field("token")?;
        let exp = field("expDate")?;
        let org = field("orgName")?;
        let expires = parse_exp_date(&exp).ok_or(FileError::VppBadDate { value: exp })?;
        Ok(Self {
            organization_name: org,
            expires,
            content: Secret::new(String::from_utf8_lossy(text).into_owned()),
            inner_token: Secret::new(token),
        })
    }

    /// Whether the token has expired at `now`.
    #[must_use]
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires <= now
    }

    /// Compares this file with the VPP tokens already in Intune.
    ///
    /// `location` is the location name when the caller knows it (the file itself does not carry
    /// one); it narrows the match among tokens of the same organisation.
    #[must_use]
    pub fn check_renewal(
        &self,
        existing: &[VppToken],
        location: Option<&str>,
        now: DateTime<Utc>,
    ) -> VppRenewalCheck {
        let mut flags = Vec::new();
        if self.is_expired(now) {
            flags.push(VppRenewalFlag::AlreadyExpired);
        }
        // Graph does not hand the uploaded token back, so a file already in Intune is known by
        // its content when the listing carries it, else by its organisation and expiry: Apple
        // stamps each download's expiry to the second, and Intune shows exactly that instant.
        let same_file = |t: &VppToken| {
            t.token.as_ref().is_some_and(|s| {
                s.expose() == self.content.expose() || s.expose() == self.inner_token.expose()
            }) || (t.expiration_date_time == Some(self.expires)
                && t.organization_name
                    .as_deref()
                    .is_some_and(|o| o.trim().eq_ignore_ascii_case(self.organization_name.trim())))
        };
        let duplicate = existing.iter().position(same_file);
        if let Some(i) = duplicate {
            flags.push(VppRenewalFlag::DuplicateOfExisting {
                token_id: existing[i].id.clone(),
            });
        }
        let same_org = |t: &&VppToken| {
            t.organization_name
                .as_deref()
                .is_some_and(|o| o.trim().eq_ignore_ascii_case(self.organization_name.trim()))
        };
        let candidates: Vec<&VppToken> = existing.iter().filter(same_org).collect();
        let target = match location {
            Some(loc) => candidates
                .iter()
                .find(|t| {
                    t.location_name
                        .as_deref()
                        .is_some_and(|l| l.eq_ignore_ascii_case(loc))
                })
                .copied(),
            None => None,
        }
        .or_else(|| candidates.first().copied());
        match target {
            Some(t) => {
                if let Some(cur) = t.expiration_date_time {
                    if self.expires < cur {
                        flags.push(VppRenewalFlag::ExpiresSoonerThanReplaced { current: cur });
                    }
                }
            }
            None if !existing.is_empty() => flags.push(VppRenewalFlag::OtherOrganization),
            None => {}
        }
        VppRenewalCheck {
            renews_token_id: target.and_then(|t| t.id.clone()),
            renews_location: target.and_then(|t| t.location_name.clone()),
            flags,
        }
    }
}

/// Result of [`VppTokenFile::check_renewal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VppRenewalCheck {
    /// The Intune token this file renews (same organisation, and location when known).
    pub renews_token_id: Option<String>,
    /// Location name of that token.
    pub renews_location: Option<String>,
    /// Problems found; empty means the upload is safe.
    pub flags: Vec<VppRenewalFlag>,
}

impl VppRenewalCheck {
    /// True when no flag was raised.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.flags.is_empty()
    }
}

/// A problem found by [`VppTokenFile::check_renewal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VppRenewalFlag {
    /// The file has already expired: download a new one.
    AlreadyExpired,
    /// The file expires before the token it would replace.
    ExpiresSoonerThanReplaced {
        /// Expiry of the token in Intune.
        current: DateTime<Utc>,
    },
    /// The same token is already uploaded.
    DuplicateOfExisting {
        /// Id of the Intune token.
        token_id: Option<String>,
    },
    /// No Intune token belongs to this organisation.
    OtherOrganization,
}

/// Parses `2030-11-08T22:33:22+0000`, `-07:00` and `Z` forms (fractional seconds allowed).
fn parse_exp_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::parse_exp_date;

    #[test]
    fn exp_date_forms() {
        let a = parse_exp_date("2030-11-08T22:33:22+0000");
        assert!(a.is_some());
        assert_eq!(a, parse_exp_date("2030-11-08T22:33:22Z"));
        assert_eq!(a, parse_exp_date("2030-11-08T22:33:22+00:00"));
        assert_eq!(parse_exp_date("2030-11-08T15:33:22-0700"), a);
        assert!(parse_exp_date("tomorrow").is_none());
    }
}
