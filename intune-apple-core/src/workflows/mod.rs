//! Multi-step operations built from the Graph client and the rules.

pub mod duplicates;
pub mod error;
pub mod profiles;
pub mod renewal;
pub mod report;
pub mod step;
