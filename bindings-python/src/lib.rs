//! The native half of the `intune_apple` Python package: thin wrappers that convert types and
//! call `intune-apple-core`. The Python half (`python/intune_apple`) defines the exceptions and
//! the result classes.

use std::sync::{Arc, OnceLock};

use futures::StreamExt;
use intune_apple_core::graph::{self, ClientSecretCredential, ItemStream, StaticTokenCredential};
use pyo3::exceptions::{PyRuntimeError, PyStopAsyncIteration, PyStopIteration};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokio::runtime::Runtime;
use tokio::sync::Mutex;

/// The one runtime shared by `Client`, `AsyncClient` and the simulator.
fn runtime() -> PyResult<&'static Runtime> {
    static RT: OnceLock<Runtime> = OnceLock::new();
    if let Some(rt) = RT.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the tokio runtime: {e}")))?;
    Ok(RT.get_or_init(|| rt))
}

/// The one conversion from a core error to a Python exception (classes in `errors.py`).
fn to_py_err(err: &graph::Error) -> PyErr {
    Python::attach(|py| {
        let build = || -> PyResult<PyErr> {
            let module = py.import("intune_apple.errors")?;
            let kw = PyDict::new(py);
            kw.set_item("kind", err.kind().as_str())?;
            kw.set_item("message", err.to_string())?;
            kw.set_item("status", err.status())?;
            kw.set_item("code", err.code())?;
            kw.set_item("request_id", err.request_id())?;
            kw.set_item("client_request_id", err.client_request_id())?;
            kw.set_item("retry_after", err.retry_after().map(|d| d.as_secs_f64()))?;
            kw.set_item(
                "next_allowed_at",
                err.next_allowed_at().map(|t| t.to_rfc3339()),
            )?;
            let exc = module.getattr("_from_native")?.call((), Some(&kw))?;
            Ok(PyErr::from_value(exc))
        };
        build().unwrap_or_else(|e| e)
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value)
        .map_err(|e| PyRuntimeError::new_err(format!("cannot encode a result: {e}")))
}

/// Builds a core client from the Python constructor arguments.
#[allow(clippy::too_many_arguments)]
fn build_client(
    tenant_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    access_token: Option<String>,
    base_url: Option<String>,
    authority_host: Option<String>,
    timeout: Option<f64>,
) -> PyResult<graph::Client> {
    let mut builder = graph::Client::builder();
    match (tenant_id, client_id, client_secret, access_token) {
        (_, _, _, Some(token)) => builder = builder.credential(StaticTokenCredential::new(token)),
        (Some(t), Some(c), Some(s), None) => {
            builder = builder.credential(ClientSecretCredential::new(t, c, s));
        }
        // No credential: the core's builder says what is missing.
        _ => {}
    }
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    if let Some(url) = authority_host {
        builder = builder.authority_host(url);
    }
    if let Some(secs) = timeout {
        let d = std::time::Duration::try_from_secs_f64(secs)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("timeout: {e}")))?;
        builder = builder.operation_timeout(d);
    }
    builder.build().map_err(|e| to_py_err(&e))
}

/// A paged listing as a Python iterator: each `__next__` waits (GIL released) for one item.
#[pyclass(module = "intune_apple._native")]
struct JsonIterator {
    stream: Arc<Mutex<ItemStream<serde_json::Value>>>,
}

fn json_stream<T: serde::Serialize + Send + 'static>(s: ItemStream<T>) -> JsonIterator {
    let mapped: ItemStream<serde_json::Value> =
        Box::pin(s.map(|r| r.map(|v| serde_json::to_value(&v).unwrap_or(serde_json::Value::Null))));
    JsonIterator {
        stream: Arc::new(Mutex::new(mapped)),
    }
}

async fn next_json(stream: Arc<Mutex<ItemStream<serde_json::Value>>>) -> PyResult<Option<String>> {
    let item = stream.lock().await.next().await;
    match item {
        None => Ok(None),
        Some(Ok(v)) => Ok(Some(to_json(&v)?)),
        Some(Err(e)) => Err(to_py_err(&e)),
    }
}

#[pymethods]
impl JsonIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<String> {
        let rt = runtime()?;
        let stream = self.stream.clone();
        py.detach(|| rt.block_on(next_json(stream)))?
            .ok_or_else(|| PyStopIteration::new_err(()))
    }

    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let stream = self.stream.clone();
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            next_json(stream)
                .await?
                .ok_or_else(|| PyStopAsyncIteration::new_err(()))
        })
    }
}

/// The core client shared by the sync and async Python faces; results are JSON text that the
/// Python half turns into typed objects.
#[pyclass(module = "intune_apple._native", frozen)]
struct NativeClient {
    inner: graph::Client,
}

/// Runs a core call to completion with the GIL released, returning its result as JSON.
fn call_sync<T, F>(py: Python<'_>, fut: F) -> PyResult<String>
where
    T: serde::Serialize + Send,
    F: std::future::Future<Output = Result<T, graph::Error>> + Send,
{
    let rt = runtime()?;
    let v = py.detach(|| rt.block_on(fut)).map_err(|e| to_py_err(&e))?;
    to_json(&v)
}

/// Runs a core call as an asyncio awaitable that resolves to its result as JSON.
fn call_async<'py, T, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    T: serde::Serialize + Send,
    F: std::future::Future<Output = Result<T, graph::Error>> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let v = fut.await.map_err(|e| to_py_err(&e))?;
        to_json(&v)
    })
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (*, tenant_id=None, client_id=None, client_secret=None, access_token=None, base_url=None, authority_host=None, timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        tenant_id: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
        access_token: Option<String>,
        base_url: Option<String>,
        authority_host: Option<String>,
        timeout: Option<f64>,
    ) -> PyResult<Self> {
        let inner = build_client(
            tenant_id,
            client_id,
            client_secret,
            access_token,
            base_url,
            authority_host,
            timeout,
        )?;
        Ok(Self { inner })
    }

    #[staticmethod]
    fn from_env() -> PyResult<Self> {
        let inner = graph::Client::from_env().map_err(|e| to_py_err(&e))?;
        Ok(Self { inner })
    }

    fn push_certificate_get(&self, py: Python<'_>) -> PyResult<String> {
        let c = self.inner.clone();
        call_sync(py, async move { c.push_certificate().get().await })
    }

    fn push_certificate_get_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.inner.clone();
        call_async(py, async move { c.push_certificate().get().await })
    }

    fn vpp_token_get(&self, py: Python<'_>, id: String) -> PyResult<String> {
        let c = self.inner.clone();
        call_sync(py, async move { c.vpp_tokens().get(&id).await })
    }

    fn vpp_token_get_async<'py>(&self, py: Python<'py>, id: String) -> PyResult<Bound<'py, PyAny>> {
        let c = self.inner.clone();
        call_async(py, async move { c.vpp_tokens().get(&id).await })
    }

    fn vpp_tokens_list(&self) -> JsonIterator {
        json_stream(self.inner.vpp_tokens().list())
    }

    fn enrollment_program_tokens_list(&self) -> JsonIterator {
        json_stream(self.inner.enrollment_program_tokens().list())
    }
}

/// A simulated Intune tenant on 127.0.0.1 (see `intune_apple.testing.Simulator`).
#[pyclass(module = "intune_apple._native", frozen)]
struct NativeSimulator {
    handle: intune_apple_sim::SimHandle,
}

#[pymethods]
impl NativeSimulator {
    #[new]
    fn new() -> PyResult<Self> {
        let handle = intune_apple_sim::Simulator::spawn(intune_apple_sim::Seed::demo())
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
    fn shutdown(&self) {
        self.handle.shutdown();
    }
}

/// The native module `intune_apple._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeClient>()?;
    m.add_class::<JsonIterator>()?;
    m.add_class::<NativeSimulator>()?;
    Ok(())
}
