//! The native half of the `intune_apple` Python package: thin wrappers that convert types and
//! call `intune-apple-core`. The Python half (`python/intune_apple`) holds the exceptions, the
//! enums and the sync/async faces.

// PyO3 hands every argument over as an owned value extracted from Python; taking a reference
// instead is not an option its macros offer for most types.
#![allow(clippy::needless_pass_by_value)]

mod alerts;
mod bridge;
mod cli;
mod client;
mod credential;
mod errors;
mod files;
mod models;
mod own_credentials;
mod pending;
mod profile_templates;
mod reconcile;
mod rules;
mod sim;
mod sim_identity;
mod workflows;

use pyo3::prelude::*;

/// The native module `intune_apple._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<client::NativeClient>()?;
    m.add_class::<pending::Pending>()?;
    m.add_class::<pending::Pages>()?;
    m.add_class::<pending::PageProgress>()?;
    m.add_class::<sim::NativeSimulator>()?;
    m.add_class::<reconcile::NativeAppleBusinessSimulator>()?;
    m.add_class::<files::PyVppTokenFile>()?;
    m.add_class::<files::PyVppRenewalCheck>()?;
    m.add_class::<files::PyPushCertificateFile>()?;
    m.add_class::<files::PyDepTokenFile>()?;
    m.add_function(wrap_pyfunction!(cli::run_cli, m)?)?;
    m.add_function(wrap_pyfunction!(files::inspect, m)?)?;
    m.add_function(wrap_pyfunction!(files::inspect_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(files::check_push_certificate_renewal, m)?)?;
    m.add_function(wrap_pyfunction!(files::check_vpp_token_renewal, m)?)?;
    m.add_function(wrap_pyfunction!(
        files::check_enrollment_program_token_file,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(workflows::scan_tenants, m)?)?;
    m.add_function(wrap_pyfunction!(workflows::parse_serial_numbers, m)?)?;
    m.add_function(wrap_pyfunction!(alerts::notify, m)?)?;
    m.add_function(wrap_pyfunction!(alerts::render_scan, m)?)?;
    m.add_function(wrap_pyfunction!(alerts::scan_exit_code, m)?)?;
    m.add_function(wrap_pyfunction!(models::restore, m)?)?;
    models::register(m)?;
    own_credentials::register(m)?;
    bridge::register(m)?;
    rules::register(m)?;
    profile_templates::register(m)?;
    Ok(())
}
