//! Shared helpers of the runnable examples (`cargo run --example NAME`).
//!
//! - [`connect`]: a client for the real tenant when credentials are set, else the simulated demo tenant.
//! - [`health_cli`]: the command behind `cargo run --example health`.

pub mod connect;
pub mod health_cli;
