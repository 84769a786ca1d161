//! Shared helpers of the runnable examples (`cargo run --example NAME`).
//!
//! - [`connect`]: a client for the real tenant when credentials are set, else the simulated demo
//!   tenant; the command line of the workflow examples.
//! - [`health_cli`]: the command behind `cargo run --example health`.
//! - [`workflow_cli`]: the commands behind `renew_push`, `renew_dep`, `renew_vpp`,
//!   `assign_profiles` and `repair_duplicates`.

pub mod connect;
pub mod health_cli;
pub mod workflow_cli;
