//! The error of the multi-step workflows (renewals, profiles, duplicate-app repair).
//!
//! Every message says what happened and what to do next; none contains a secret (file
//! contents, tokens and certificates travel as [`Secret`](crate::Secret)s and are never
//! formatted).

use serde::{Deserialize, Serialize};

use crate::files::FileError;
use crate::graph;
use crate::rules::profile::{Violation, ViolationSeverity};

/// Why a safety check refused a renewal (one entry per reason found).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    /// Stable machine-readable code (`topicChanged`, `notLater`, `notForThisKey`, ...).
    pub code: String,
    /// What is wrong and what to do.
    pub message: String,
    /// Whether `force` may override it (an ambiguous or unsafe target never can).
    pub overridable: bool,
}

impl Refusal {
    /// A reason that `force` may override.
    pub(crate) fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            overridable: true,
        }
    }

    /// A reason that `force` cannot override.
    pub(crate) fn blocking(code: &str, message: impl Into<String>) -> Self {
        Self {
            overridable: false,
            ..Self::new(code, message)
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

/// The error of a workflow.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// A safety check refused the operation before anything was written.
    #[error("refused, nothing was changed: {}. Fix what each reason says{}", join(.reasons), force_hint(.reasons))]
    RenewalRefused {
        /// Every reason found, not only the first.
        reasons: Vec<Refusal>,
    },
    /// The input given to the workflow is unusable.
    #[error("invalid input: {0}. Nothing was changed")]
    InvalidInput(String),
    /// An enrollment profile (template or copy) breaks the rules; no call was made to create it.
    #[error("the enrollment profile breaks {} rule(s), nothing was created: {}. Fix every one and run again", errors(.violations), describe(.violations))]
    InvalidProfile {
        /// Every violation found (errors and warnings), errors first.
        violations: Vec<Violation>,
    },
    /// An enrollment profile template is wrong; nothing was read or written.
    #[error("the profile template has {} error(s), nothing was changed: {}. Fix every one and run again", .issues.iter().filter(|i| i.is_error()).count(), .issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidTemplate {
        /// Every issue found (errors and warnings), errors first.
        issues: Vec<crate::rules::profile_template::TemplateIssue>,
    },
    /// The Apple file could not be read.
    #[error("the Apple file is unusable: {0}")]
    TokenFile(#[from] FileError),
    /// A Graph call failed.
    #[error(transparent)]
    Graph(#[from] graph::Error),
    /// The change was sent but reading it back does not show the expected result.
    #[error(
        "verification failed: {what}. Check it in the Intune admin center before running again"
    )]
    VerificationFailed {
        /// What was expected and what was read back (no secrets).
        what: String,
    },
    /// A local file could not be written or read.
    #[error("cannot use {path}: {message}. Check the path and its permissions")]
    Io {
        /// The path.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

impl WorkflowError {
    /// A stable machine-readable name of the kind (`renewal_refused`, `graph`, ...), used by the
    /// bindings.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::RenewalRefused { .. } => "renewal_refused",
            Self::InvalidInput(_) => "invalid_input",
            Self::InvalidProfile { .. } => "invalid_profile",
            Self::InvalidTemplate { .. } => "invalid_template",
            Self::TokenFile(_) => "token_file",
            Self::Graph(_) => "graph",
            Self::VerificationFailed { .. } => "verification_failed",
            Self::Io { .. } => "io",
        }
    }

    /// The refusal reasons (empty for other kinds).
    #[must_use]
    pub fn reasons(&self) -> &[Refusal] {
        match self {
            Self::RenewalRefused { reasons } => reasons,
            _ => &[],
        }
    }
}

impl From<crate::rules::profile_template::TemplateIssue> for WorkflowError {
    fn from(issue: crate::rules::profile_template::TemplateIssue) -> Self {
        Self::InvalidTemplate {
            issues: vec![issue],
        }
    }
}

fn join(reasons: &[Refusal]) -> String {
    reasons
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn force_hint(reasons: &[Refusal]) -> &'static str {
    if reasons.iter().all(|r| r.overridable) {
        "; only if you are sure, run again with `force`"
    } else {
        "; `force` cannot override this"
    }
}

fn errors(violations: &[Violation]) -> usize {
    violations
        .iter()
        .filter(|v| v.severity == ViolationSeverity::Error)
        .count()
}

fn describe(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| {
            let path = if v.path.is_empty() { "profile" } else { v.path };
            format!("{} {path}: {}", v.code, v.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_lists_every_reason_and_says_what_to_do() {
        let e = WorkflowError::RenewalRefused {
            reasons: vec![
                Refusal::new("topicChanged", "topic differs"),
                Refusal::new("notLater", "expires sooner"),
            ],
        };
        let text = e.to_string();
        assert!(text.contains("[topicChanged] topic differs"), "{text}");
        assert!(text.contains("[notLater]"), "{text}");
        assert!(text.contains("nothing was changed"), "{text}");
        assert_eq!(e.code(), "renewal_refused");
        assert_eq!(e.reasons().len(), 2);
    }
}
