//! The `intune-apple` command, the same Rust code as the Cargo binary: the console script
//! (`intune_apple.cli:main`) calls [`run_cli`].

use pyo3::prelude::*;

/// Runs the command line `args` (without the program name) with the process's stdout, stderr,
/// environment and terminal, and returns the exit code. The GIL is released while it runs; a
/// panic is reported as exit code 70 (`EX_SOFTWARE`) instead of crossing into Python.
#[pyfunction]
pub(crate) fn run_cli(py: Python<'_>, args: Vec<String>) -> i32 {
    py.detach(|| std::panic::catch_unwind(|| intune_apple_cli::run_process(&args)).unwrap_or(70))
}
