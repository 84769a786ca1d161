//! One error type for every failure: a variant per stable code of the core
//! (`intune_apple_core::manifest::ERROR_CODES`), each carrying the same details.
//!
//! Kotlin sees `IntuneAppleException.Throttled(details)`, ..., Swift
//! `IntuneAppleError.throttled(details:)`; `details.code` is the core's code (`throttled`).
//! Messages never hold a secret: the core's errors are written without them.

use std::time::SystemTime;

use intune_apple_core::abm;
use intune_apple_core::files::{FileError, PushRenewalError};
use intune_apple_core::graph;
use intune_apple_core::manifest::workflow_error_code;
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::reconcile::ReconcileError;

/// Why a workflow refused to change anything.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Refusal {
    /// Stable code (`topicChanged`, `notLater`, `otherOrganization`, ...).
    pub code: String,
    /// What is wrong and what to do.
    pub message: String,
    /// Whether `force` overrides it.
    pub overridable: bool,
}

/// What every error carries.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ErrorDetails {
    /// The core's stable code (`throttled`, `renewal_refused`, ...): the variant's name.
    pub code: String,
    /// What failed, why, and what to do next. Never holds a secret.
    pub message: String,
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    /// Graph's error code (`BadRequest`, `TooManyRequests`, ...), or Apple Business' own
    /// (`NOT_FOUND`, `invalid_client`, ...) on a failure of `reconcile`.
    pub graph_code: Option<String>,
    /// Graph's `request-id`, for Microsoft support.
    pub request_id: Option<String>,
    /// The `client-request-id` sent with the call.
    pub client_request_id: Option<String>,
    /// How long the service asked to wait, in seconds.
    pub retry_after_seconds: Option<f64>,
    /// When a refused enrollment program token sync will be allowed.
    pub next_allowed_at: Option<SystemTime>,
    /// The application permission the call needs (on `forbidden`).
    pub required_permission: Option<String>,
    /// The call that failed (`METHOD /version/path`).
    pub operation: Option<String>,
    /// On `renewal_refused` from a workflow: every reason, and whether `force` overrides it.
    pub reasons: Vec<Refusal>,
}

impl ErrorDetails {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            status: None,
            graph_code: None,
            request_id: None,
            client_request_id: None,
            retry_after_seconds: None,
            next_allowed_at: None,
            required_permission: None,
            operation: None,
            reasons: Vec::new(),
        }
    }
}

/// Every failure of the library, one variant per stable code of the core.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum IntuneAppleError {
    /// Sign-in failed or the token was refused (401).
    #[error("{}", details.message)]
    Unauthorized {
        /// The details.
        details: ErrorDetails,
    },
    /// The application lacks a permission (403); `details.required_permission` names it.
    #[error("{}", details.message)]
    Forbidden {
        /// The details.
        details: ErrorDetails,
    },
    /// The item does not exist (404).
    #[error("{}", details.message)]
    NotFound {
        /// The details.
        details: ErrorDetails,
    },
    /// Intune throttled the calls and the retries ran out; `details.retry_after_seconds`.
    #[error("{}", details.message)]
    Throttled {
        /// The details.
        details: ErrorDetails,
    },
    /// The change conflicts with the tenant's state (409).
    #[error("{}", details.message)]
    Conflict {
        /// The details.
        details: ErrorDetails,
    },
    /// Intune's sync rules refuse a sync now; `details.next_allowed_at` says when.
    #[error("{}", details.message)]
    SyncTooSoon {
        /// The details.
        details: ErrorDetails,
    },
    /// An argument is unusable (checked before any call, or refused by Graph with 400).
    #[error("{}", details.message)]
    InvalidInput {
        /// The details.
        details: ErrorDetails,
    },
    /// A write was sent and no answer came: it may or may not have happened.
    #[error("{}", details.message)]
    OutcomeUnknown {
        /// The details.
        details: ErrorDetails,
    },
    /// The network failed (connection, timeout, TLS).
    #[error("{}", details.message)]
    Transport {
        /// The details.
        details: ErrorDetails,
    },
    /// An answer could not be read.
    #[error("{}", details.message)]
    Decode {
        /// The details.
        details: ErrorDetails,
    },
    /// The service failed (5xx).
    #[error("{}", details.message)]
    Server {
        /// The details.
        details: ErrorDetails,
    },
    /// The client's configuration is unusable (credentials, URLs, environment).
    #[error("{}", details.message)]
    Configuration {
        /// The details.
        details: ErrorDetails,
    },
    /// A safety check refused a renewal before anything was written; `details.reasons`.
    #[error("{}", details.message)]
    RenewalRefused {
        /// The details.
        details: ErrorDetails,
    },
    /// An enrollment profile breaks the rules; nothing was created.
    #[error("{}", details.message)]
    InvalidProfile {
        /// The details.
        details: ErrorDetails,
    },
    /// A profile template is wrong; nothing was read or written.
    #[error("{}", details.message)]
    InvalidTemplate {
        /// The details.
        details: ErrorDetails,
    },
    /// An Apple file (`.vpptoken`, push `.pem`, `.p7m`) is unreadable or damaged.
    #[error("{}", details.message)]
    TokenFile {
        /// The details.
        details: ErrorDetails,
    },
    /// A change was sent but reading it back does not show it.
    #[error("{}", details.message)]
    VerificationFailed {
        /// The details.
        details: ErrorDetails,
    },
    /// A local file could not be read or written.
    #[error("{}", details.message)]
    Io {
        /// The details.
        details: ErrorDetails,
    },
}

impl IntuneAppleError {
    /// The variant of a stable code. A code this crate does not know yet (a newer core) is
    /// reported as `Transport`, with the code kept in `details.code`.
    pub(crate) fn from_details(details: ErrorDetails) -> Self {
        match details.code.as_str() {
            "unauthorized" => Self::Unauthorized { details },
            "forbidden" => Self::Forbidden { details },
            "not_found" => Self::NotFound { details },
            "throttled" => Self::Throttled { details },
            "conflict" => Self::Conflict { details },
            "sync_too_soon" => Self::SyncTooSoon { details },
            "invalid_input" => Self::InvalidInput { details },
            "outcome_unknown" => Self::OutcomeUnknown { details },
            "decode" => Self::Decode { details },
            "server" => Self::Server { details },
            "configuration" => Self::Configuration { details },
            "renewal_refused" => Self::RenewalRefused { details },
            "invalid_profile" => Self::InvalidProfile { details },
            "invalid_template" => Self::InvalidTemplate { details },
            "token_file" => Self::TokenFile { details },
            "verification_failed" => Self::VerificationFailed { details },
            "io" => Self::Io { details },
            _ => Self::Transport { details },
        }
    }

    /// The details of any variant.
    pub fn details(&self) -> &ErrorDetails {
        match self {
            Self::Unauthorized { details }
            | Self::Forbidden { details }
            | Self::NotFound { details }
            | Self::Throttled { details }
            | Self::Conflict { details }
            | Self::SyncTooSoon { details }
            | Self::InvalidInput { details }
            | Self::OutcomeUnknown { details }
            | Self::Transport { details }
            | Self::Decode { details }
            | Self::Server { details }
            | Self::Configuration { details }
            | Self::RenewalRefused { details }
            | Self::InvalidProfile { details }
            | Self::InvalidTemplate { details }
            | Self::TokenFile { details }
            | Self::VerificationFailed { details }
            | Self::Io { details } => details,
        }
    }

    /// An error with only a code and a message.
    pub(crate) fn of(code: &str, message: impl Into<String>) -> Self {
        Self::from_details(ErrorDetails::new(code, message))
    }

    /// An unusable argument.
    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::of("invalid_input", message)
    }

    /// An unusable configuration.
    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Self::of("configuration", message)
    }

    /// A call whose outcome is unknown.
    pub(crate) fn outcome_unknown(message: impl Into<String>) -> Self {
        Self::of("outcome_unknown", message)
    }
}

impl From<&graph::Error> for IntuneAppleError {
    fn from(e: &graph::Error) -> Self {
        Self::from_details(ErrorDetails {
            code: e.kind().as_str().to_owned(),
            message: e.to_string(),
            status: e.status(),
            graph_code: e.code().map(str::to_owned),
            request_id: e.request_id().map(str::to_owned),
            client_request_id: e.client_request_id().map(str::to_owned),
            retry_after_seconds: e.retry_after().map(|d| d.as_secs_f64()),
            next_allowed_at: e.next_allowed_at().map(SystemTime::from),
            required_permission: e.required_permission().map(str::to_owned),
            operation: Some(e.operation().to_owned()),
            reasons: Vec::new(),
        })
    }
}

impl From<graph::Error> for IntuneAppleError {
    fn from(e: graph::Error) -> Self {
        Self::from(&e)
    }
}

impl From<&abm::Error> for IntuneAppleError {
    fn from(e: &abm::Error) -> Self {
        Self::from_details(ErrorDetails {
            code: e.kind().as_str().to_owned(),
            message: e.to_string(),
            status: e.status(),
            graph_code: e.code().map(str::to_owned),
            retry_after_seconds: e.retry_after().map(|d| d.as_secs_f64()),
            operation: Some(e.operation().to_owned()),
            ..ErrorDetails::new(e.kind().as_str(), String::new())
        })
    }
}

impl From<abm::Error> for IntuneAppleError {
    fn from(e: abm::Error) -> Self {
        Self::from(&e)
    }
}

impl From<ReconcileError> for IntuneAppleError {
    fn from(e: ReconcileError) -> Self {
        match &e {
            ReconcileError::Intune(g) => Self::from(g),
            ReconcileError::AppleBusiness(a) => Self::from(a),
        }
    }
}

impl From<WorkflowError> for IntuneAppleError {
    fn from(e: WorkflowError) -> Self {
        if let WorkflowError::Graph(g) = &e {
            return Self::from(g);
        }
        let mut details = ErrorDetails::new(workflow_error_code(&e), e.to_string());
        details.reasons = e
            .reasons()
            .iter()
            .map(|r| Refusal {
                code: r.code.clone(),
                message: r.message.clone(),
                overridable: r.overridable,
            })
            .collect();
        Self::from_details(details)
    }
}

impl From<FileError> for IntuneAppleError {
    fn from(e: FileError) -> Self {
        Self::of("token_file", e.to_string())
    }
}

impl From<PushRenewalError> for IntuneAppleError {
    fn from(e: PushRenewalError) -> Self {
        Self::of("renewal_refused", e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use intune_apple_core::manifest::ERROR_CODES;

    #[test]
    fn every_core_code_has_its_own_variant() {
        let mut seen = std::collections::HashSet::new();
        for code in ERROR_CODES {
            let e = IntuneAppleError::of(code, "m");
            assert_eq!(e.details().code, *code);
            // the variant's name is the code in UpperCamelCase
            let name = format!("{e:?}");
            let variant = name.split(' ').next().unwrap_or_default().to_owned();
            let camel: String = code
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect::<String>())
                        .unwrap_or_default()
                })
                .collect();
            assert_eq!(variant, camel, "{code}");
            assert!(seen.insert(variant));
        }
        assert_eq!(seen.len(), 18, "a variant per code and no other");
    }

    #[test]
    fn a_refusal_keeps_its_reasons() {
        let e = IntuneAppleError::from(WorkflowError::RenewalRefused {
            reasons: vec![intune_apple_core::workflows::error::Refusal {
                code: "topicChanged".into(),
                message: "another topic".into(),
                overridable: false,
            }],
        });
        assert!(matches!(e, IntuneAppleError::RenewalRefused { .. }));
        assert_eq!(e.details().reasons[0].code, "topicChanged");
    }
}
