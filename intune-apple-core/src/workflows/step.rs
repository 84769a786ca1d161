//! The per-step record every workflow report carries.

use serde::{Deserialize, Serialize};

/// How one step of a workflow ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub enum StepOutcome {
    /// The step ran and succeeded.
    Done,
    /// The step ran; something deserves the admin's attention but nothing failed.
    Warning,
    /// The step did not run (dry run, nothing to do, or not needed).
    Skipped,
    /// The step failed; `detail` says why and what to do.
    Failed,
}

/// One step of a workflow: what was done and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Short stable name (`check`, `upload`, `readBack`, `verify`, ...).
    pub name: String,
    /// How it ended.
    pub outcome: StepOutcome,
    /// What happened, in words (never a secret).
    pub detail: String,
}

impl Step {
    pub(crate) fn new(name: &str, outcome: StepOutcome, detail: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            outcome,
            detail: detail.into(),
        }
    }

    pub(crate) fn done(name: &str, detail: impl Into<String>) -> Self {
        Self::new(name, StepOutcome::Done, detail)
    }
}
