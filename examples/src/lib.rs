//! Shared helpers of the runnable examples (`cargo run --example NAME`).

pub mod connect;
