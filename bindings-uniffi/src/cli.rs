//! `runCli`: the `intune-apple` command, the same Rust code as the Cargo binary.

/// Runs the command line `args` (without the program name, e.g. `["health", "--format",
/// "json"]`) with the process's stdout, stderr, environment and terminal, and returns the
/// exit code (0 ok; 1 refused, work left or a warning; 2 error or expired; 3 a planned write
/// was not confirmed; 64 bad arguments). It blocks the calling thread until the command ends:
/// call it off the main thread. A panic is reported as exit code 70 (`EX_SOFTWARE`) instead of
/// crossing into Kotlin or Swift.
#[uniffi::export]
pub fn run_cli(args: Vec<String>) -> i32 {
    std::panic::catch_unwind(|| intune_apple_cli::run_process(&args)).unwrap_or(70)
}
