//! A wrapper for values that must never be printed: client secrets, bearer tokens, the contents
//! of `.p7m` / `.vpptoken` files, PEM certificates sent for upload, private keys.
//!
//! `Secret` serializes transparently (it has to reach Graph in request bodies), but its `Debug`
//! prints `Secret([REDACTED])`, it has no `Display`, and its memory is zeroed on drop.
//!
//! ```
//! use intune_apple_core::Secret;
//! let s = Secret::new("s3cr3t-value");
//! assert_eq!(format!("{s:?}"), "Secret([REDACTED])");
//! assert_eq!(s.expose(), "s3cr3t-value");
//! ```

use std::cell::Cell;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroize;

/// A string that never appears in `Debug` output, logs or error messages.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call this only where the value leaves the process on purpose (a
    /// request body, a file the user asked for).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Length in bytes (safe to show: it reveals nothing useful about the value).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

thread_local! {
    /// Set while [`to_json_without_secrets`] runs on this thread.
    static LEAVE_OUT: Cell<bool> = const { Cell::new(false) };
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if LEAVE_OUT.with(Cell::get) {
            serializer.serialize_none()
        } else {
            serializer.serialize_str(&self.0)
        }
    }
}

/// JSON of `value` with every [`Secret`] in it written as `null`: for a copy of a result that
/// leaves the process (a pickle, a cache), where an optional secret then reads back as absent.
///
/// ```
/// use intune_apple_core::{to_json_without_secrets, Secret};
/// #[derive(serde::Serialize)]
/// struct Profile { name: String, admin_password: Option<Secret> }
/// let p = Profile { name: "Staff Macs".into(), admin_password: Some(Secret::new("hunter2")) };
/// assert_eq!(to_json_without_secrets(&p)?, br#"{"name":"Staff Macs","admin_password":null}"#);
/// assert!(serde_json::to_string(&p)?.contains("hunter2")); // a request body keeps it
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Errors
/// Those of `serde_json` (a map with non-string keys, a failing `Serialize`).
pub fn to_json_without_secrets<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            LEAVE_OUT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(LEAVE_OUT.with(|c| c.replace(true)));
    serde_json::to_vec(value)
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
        assert!(!format!("{s:#?}").contains("hunter2"));
    }

    #[test]
    fn left_out_only_while_asked() {
        let v = vec![Some(Secret::new("a")), None];
        assert_eq!(to_json_without_secrets(&v).unwrap(), b"[null,null]");
        assert_eq!(serde_json::to_string(&v).unwrap(), "[\"a\",null]");
        let back: Vec<Option<Secret>> = serde_json::from_slice(b"[null,null]").unwrap();
        assert_eq!(back, vec![None, None]);
    }

    #[test]
    fn serde_is_transparent() {
        let s: Secret = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(s.expose(), "abc");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"abc\"");
    }
}
