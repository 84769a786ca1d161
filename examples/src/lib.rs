//! Shared helpers of the runnable examples (`cargo run --example NAME`).
//!
//! - [`health_cli`]: the command behind `cargo run --example health`.

pub mod health_cli;
