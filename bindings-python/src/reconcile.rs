//! The Apple Business reconciliation on the native client, and the simulated Apple Business
//! service (`intune_apple.testing.AppleBusinessSimulator`). Thin: the core decides everything.

use intune_apple_core::abm::{self, AppleBusinessOption, AppleBusinessOptions};
use intune_apple_core::workflows::reconcile::{reconcile, ReconcileError, ReconcileOptions};
use intune_apple_sim::abm::{AbmSimHandle, AppleBusinessSimulator, OrgSeed};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::client::{secret_content, NativeClient};
use crate::errors::{build, graph_err, ErrorFields};
use crate::pending::Pending;

/// The one conversion of an Apple Business error.
fn abm_err(e: &abm::Error) -> PyErr {
    build(&ErrorFields {
        kind: e.kind().as_str(),
        message: e.to_string(),
        status: e.status(),
        code: e.code(),
        retry_after: e.retry_after().map(|d| d.as_secs_f64()),
        operation: Some(e.operation()),
        ..ErrorFields::default()
    })
}

fn reconcile_err(e: &ReconcileError) -> PyErr {
    match e {
        ReconcileError::Intune(e) => graph_err(e),
        ReconcileError::AppleBusiness(e) => abm_err(e),
    }
}

#[pymethods]
impl NativeClient {
    /// The reconciliation as its JSON text (the Python face parses it).
    #[pyo3(signature = (apple_client_id, apple_key_id, apple_private_key, *, apple_api_url=None, apple_token_url=None, requests_per_minute=None))]
    fn reconcile(
        &self,
        apple_client_id: String,
        apple_key_id: String,
        apple_private_key: &Bound<'_, PyAny>,
        apple_api_url: Option<String>,
        apple_token_url: Option<String>,
        requests_per_minute: Option<u32>,
    ) -> PyResult<Pending> {
        let apple = AppleBusinessOptions {
            private_key: Some(secret_content(apple_private_key, "apple_private_key")?),
            api_url: apple_api_url,
            token_url: apple_token_url,
            requests_per_minute,
            spelling: |o| match o {
                AppleBusinessOption::PrivateKey | AppleBusinessOption::PrivateKeyPath => {
                    "apple_private_key"
                }
                AppleBusinessOption::RequestsPerMinute => "requests_per_minute",
            },
            ..AppleBusinessOptions::new(apple_client_id, apple_key_id)
        }
        .build()
        .map_err(|e| abm_err(&e))?;
        let c = self.inner.clone();
        Ok(Pending::new(async move {
            reconcile(&c, &apple, &ReconcileOptions::default())
                .await
                .map(|r| r.to_json())
                .map_err(|e| reconcile_err(&e))
        }))
    }
}

/// A running simulated Apple Business service.
#[pyclass(module = "intune_apple._native", frozen)]
pub(crate) struct NativeAppleBusinessSimulator {
    handle: AbmSimHandle,
}

#[pymethods]
impl NativeAppleBusinessSimulator {
    /// `seed`: `"demo"` (the organisation behind the demo tenant), `"empty"`, or JSON text.
    #[new]
    #[pyo3(signature = (seed="demo"))]
    fn new(py: Python<'_>, seed: &str) -> PyResult<Self> {
        let seed = match seed {
            "demo" => OrgSeed::demo(),
            "empty" => OrgSeed::empty(),
            json => OrgSeed::from_json(json).map_err(|e| PyValueError::new_err(e.to_string()))?,
        };
        let handle = py
            .detach(|| AppleBusinessSimulator::spawn(seed))
            .map_err(|e| {
                PyRuntimeError::new_err(format!("cannot start the Apple Business simulator: {e}"))
            })?;
        Ok(Self { handle })
    }

    #[getter]
    fn base_url(&self) -> String {
        self.handle.base_url()
    }

    #[getter]
    fn token_url(&self) -> String {
        self.handle.token_url()
    }

    #[getter]
    fn client_id(&self) -> String {
        self.handle.client_id().to_owned()
    }

    #[getter]
    fn key_id(&self) -> String {
        self.handle.key_id().to_owned()
    }

    /// The API account's test-only private key (PKCS#8 PEM).
    #[getter]
    fn private_key_pem(&self) -> String {
        self.handle.private_key_pem().to_owned()
    }

    /// Token requests granted so far.
    #[getter]
    fn tokens_issued(&self) -> u64 {
        self.handle.tokens_issued()
    }

    fn close(&self) {
        self.handle.shutdown();
    }
}
