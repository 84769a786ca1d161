//! Multi-step operations built from the Graph client and the rules.

pub mod report;
