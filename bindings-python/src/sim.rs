//! The simulated tenant (`intune_apple.testing.Simulator`): seeds, faults, request log,
//! logical clock.

use chrono::{DateTime, Utc};
use intune_apple_sim::{Seed, SimHandle, Simulator};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

fn duration(seconds: f64) -> PyResult<chrono::Duration> {
    let ms = (seconds * 1000.0).round();
    if !ms.is_finite() || ms.abs() > 1e15 {
        return Err(PyValueError::new_err("seconds out of range"));
    }
    #[allow(clippy::cast_possible_truncation)]
    Ok(chrono::Duration::milliseconds(ms as i64))
}

/// A running simulator.
#[pyclass(module = "intune_apple._native", frozen)]
pub(crate) struct NativeSimulator {
    pub(crate) handle: SimHandle,
}

#[pymethods]
impl NativeSimulator {
    /// `seed`: `"demo"`, `"empty"`, or JSON text of a seed; `devices`: a tenant with one
    /// enrollment program token holding that many devices (overrides `seed`).
    #[new]
    #[pyo3(signature = (seed="demo", devices=None, page_size=None, throttle=None))]
    fn new(
        py: Python<'_>,
        seed: &str,
        devices: Option<usize>,
        page_size: Option<usize>,
        throttle: Option<bool>,
    ) -> PyResult<Self> {
        let mut seed = match (devices, seed) {
            (Some(n), _) => Seed::with_devices(0, n),
            (None, "demo") => Seed::demo(),
            (None, "empty") => Seed::empty(),
            (None, json) => {
                Seed::from_json(json).map_err(|e| PyValueError::new_err(e.to_string()))?
            }
        };
        if let Some(n) = page_size {
            seed.page_size = n.max(1);
        }
        if let Some(t) = throttle {
            seed.throttle = t;
        }
        let handle = py
            .detach(|| Simulator::spawn(seed))
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the simulator: {e}")))?;
        Ok(Self { handle })
    }

    #[getter]
    fn base_url(&self) -> String {
        self.handle.base_url()
    }
    #[getter]
    fn authority_host(&self) -> String {
        self.handle.authority_host()
    }
    #[getter]
    fn tenant_id(&self) -> String {
        self.handle.tenant_id()
    }
    #[getter]
    fn client_id(&self) -> &'static str {
        self.handle.client_id()
    }
    #[getter]
    fn client_secret(&self) -> &'static str {
        self.handle.client_secret()
    }
    /// `(client_id, client_secret)` of an application with read-only permissions.
    fn read_only_client(&self) -> (&'static str, &'static str) {
        self.handle.read_only_client()
    }
    /// `(client_id, pem)` of the application that signs in with a certificate: the PEM holds
    /// the test-only certificate and its private key.
    fn certificate_client(&self) -> (&'static str, String) {
        (
            intune_apple_sim::CERT_CLIENT_ID,
            format!(
                "{}\n{}",
                intune_apple_sim::CERT_CLIENT_CERT_PEM,
                intune_apple_sim::CERT_CLIENT_KEY_PEM
            ),
        )
    }
    /// `(method, path, bearer, status, body_size, client_request_id, applied)` of every
    /// request so far.
    #[allow(clippy::type_complexity)]
    fn request_log(&self) -> Vec<(String, String, bool, u16, usize, Option<String>, bool)> {
        self.handle
            .request_log()
            .into_iter()
            .map(|e| {
                (
                    e.method,
                    e.path,
                    e.bearer,
                    e.status,
                    e.body_size,
                    e.client_request_id,
                    e.applied,
                )
            })
            .collect()
    }
    fn writes_applied(&self) -> u64 {
        self.handle.writes_applied()
    }
    /// Adds a fault: `kind` is the snake_case name of a simulator fault kind: `throttle`
    /// (`retry_after`), `unavailable` (`retry_after`), `status` (`status`),
    /// `applied_then_status` (`status`), `delay` (`ms`), `reset_before`, `reset_after`,
    /// `malformed`, `truncated`, `foreign_next_link`, `expire_tokens`, `repeat_next_link`,
    /// `cycle_next_link`, `endless_body`, and real tenants' answers:
    /// `throttle_without_retry_after`, `query_broker_throttle`, `missing_scope`,
    /// `intune_refused`, `real_shapes`. `path` ends with `*` to match a prefix; `nth` hits
    /// only that call.
    #[pyo3(signature = (method, path, kind, *, retry_after=None, status=None, ms=None, nth=None))]
    #[allow(clippy::too_many_arguments)]
    fn add_fault(
        &self,
        method: &str,
        path: &str,
        kind: &str,
        retry_after: Option<String>,
        status: Option<u16>,
        ms: Option<u64>,
        nth: Option<u64>,
    ) -> PyResult<()> {
        // The simulator's fault specification decides the kinds and their fields; the
        // Python name of a kind is its snake_case form.
        let fault = intune_apple_sim::FaultSpec {
            method: Some(method.to_owned()),
            path: path.to_owned(),
            nth,
            kind: kind.to_owned(),
            retry_after,
            status,
            ms,
        }
        .into_fault()
        .map_err(PyValueError::new_err)?;
        self.handle.add_fault(fault);
        Ok(())
    }
    fn clear_faults(&self) {
        self.handle.clear_faults();
    }
    fn expire_tokens(&self) {
        self.handle.expire_tokens();
    }
    fn set_throttle(&self, on: bool) {
        self.handle.set_throttle(on);
    }
    fn set_app_throttle(&self, on: bool) {
        self.handle.set_app_throttle(on);
    }
    /// How long an enrollment program token sync runs before it succeeds, in seconds of the
    /// logical clock.
    fn set_dep_sync_duration(&self, seconds: f64) -> PyResult<()> {
        self.handle.set_dep_sync_duration(duration(seconds)?);
        Ok(())
    }
    fn set_page_size(&self, n: usize) {
        self.handle.set_page_size(n);
    }
    fn now(&self) -> DateTime<Utc> {
        self.handle.now()
    }
    fn set_now(&self, now: DateTime<Utc>) {
        self.handle.set_now(now);
    }
    fn advance(&self, seconds: f64) -> PyResult<()> {
        let ms = (seconds * 1000.0).round();
        if !ms.is_finite() || ms.abs() > 1e15 {
            return Err(PyValueError::new_err("seconds out of range"));
        }
        #[allow(clippy::cast_possible_truncation)]
        self.handle
            .advance(chrono::Duration::milliseconds(ms as i64));
        Ok(())
    }
    fn shutdown(&self) {
        self.handle.shutdown();
    }
}
