//! The `intune-apple` command, the same Rust code as the Cargo binary: the package's `bin`
//! (`cli.js`) calls [`run_cli`].

use napi_derive::napi;

/// Runs the command line `args` (without the program name) with the process's stdout,
/// stderr, environment and terminal, and returns the exit code (`intune-apple --help`). It
/// blocks the event loop while it runs: it is the program, not a library call. A panic is
/// reported as exit code 70 (`EX_SOFTWARE`) instead of aborting Node.
#[napi]
pub fn run_cli(args: Vec<String>) -> i32 {
    std::panic::catch_unwind(|| intune_apple_cli::run_process(&args)).unwrap_or(70)
}
