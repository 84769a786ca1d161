//! Shared helpers of the runnable examples (`cargo run --example NAME`).
//!
//! - [`health_cli`]: the command behind `cargo run --example health`.
//! - [`connect`]: the real tenant or the simulated demo tenant, and the command line of the
//!   workflow examples (`renew_push`, `renew_dep`, `renew_vpp`, `assign_profiles`,
//!   `repair_duplicates`).

pub mod connect;
pub mod health_cli;
pub mod workflow_cli;
