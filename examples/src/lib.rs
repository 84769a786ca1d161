//! Shared helper of the runnable examples (`cargo run --example NAME`): a client for the real
//! tenant when credentials are set, else the simulated demo tenant, with the demo files that
//! pair with it. The `intune-apple` command (crate `intune-apple-cli`) is the full tool; each
//! example shows the few library calls behind one of its subcommands.

pub use intune_apple_cli::connect::{connect_with, demo, Tenant};

/// Connects with the process environment (see [`connect_with`]).
///
/// # Errors
/// A message saying what is wrong with the environment or the simulator.
pub async fn connect() -> Result<Tenant, String> {
    connect_with(&|name| std::env::var(name).ok()).await
}

/// The Rust snippets of the repository's README.md, compiled as doc tests (and run, unless
/// marked `no_run`), so that the README never shows code that does not build.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
