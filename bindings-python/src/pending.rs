//! One core call as a Python object that the sync `Client` waits for (GIL released) and the
//! `AsyncClient` awaits; and paged listings handed over a page at a time.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use futures::{FutureExt as _, StreamExt as _};
use intune_apple_core::graph::{self, ItemStream};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::errors::graph_err;
use crate::models::{Field, IntoPyValue};

/// The tokio runtime of the package, started on first use (one worker thread per CPU). A
/// process forked from one that used it starts its own: the child has none of the parent's
/// threads. A runtime is never dropped (it lives as long as its process).
///
/// # Panics
/// When the system refuses to start its threads; Python sees a `PanicException`.
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: Mutex<Option<(u32, &'static tokio::runtime::Runtime)>> = Mutex::new(None);
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    match *slot {
        Some((owner, runtime)) if owner == pid => runtime,
        _ => {
            let runtime: &'static tokio::runtime::Runtime = Box::leak(Box::new(
                tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .thread_name("intune-apple")
                    .build()
                    .unwrap_or_else(|e| panic!("cannot start the runtime's threads: {e}")),
            ));
            *slot = Some((pid, runtime));
            runtime
        }
    }
}

/// Runs `fut` to completion with the GIL released, checking every 100 ms for a signal (Ctrl-C
/// in a script): the call is then abandoned and the signal's exception (`KeyboardInterrupt`)
/// raised, instead of waiting for a slow or retrying call to end.
pub(crate) fn block_on_interruptible<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    T: Send,
    F: Future<Output = PyResult<T>> + Send,
{
    py.detach(|| {
        runtime().block_on(async {
            tokio::pin!(fut);
            loop {
                tokio::select! {
                    value = &mut fut => return value,
                    () = tokio::time::sleep(std::time::Duration::from_millis(100)) => {
                        // A closure: the method path is not general over the GIL lifetime.
                        #[allow(clippy::redundant_closure_for_method_calls)]
                        crate::bridge::attach(|py| py.check_signals())?;
                    }
                }
            }
        })
    })
}

/// The error of a call that panicked inside the library: an `IntuneAppleError`, never a
/// `PanicException`.
pub(crate) fn internal_error(panic: &(dyn std::any::Any + Send)) -> PyErr {
    internal(internal_message(panic))
}

pub(crate) fn internal(message: String) -> PyErr {
    crate::errors::build(&crate::errors::ErrorFields {
        kind: "internal",
        message,
        ..crate::errors::ErrorFields::default()
    })
}

pub(crate) fn internal_message(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    format!(
        "the call stopped on an internal error of intune-apple ({what}); its outcome is unknown: check the tenant before running it again, and report this error"
    )
}

type Boxed = Box<dyn IntoPyValue>;
type BoxFuture = Pin<Box<dyn Future<Output = PyResult<Boxed>> + Send>>;

/// A core call not yet run.
#[pyclass(module = "intune_apple._native")]
pub(crate) struct Pending {
    fut: Mutex<Option<BoxFuture>>,
}

impl Pending {
    /// A call of the Graph client.
    pub(crate) fn graph<T, F>(fut: F) -> Self
    where
        T: IntoPyValue,
        F: Future<Output = Result<T, graph::Error>> + Send + 'static,
    {
        Self::new(async move { fut.await.map_err(|e| graph_err(&e)) })
    }

    /// Any call whose errors are already Python exceptions.
    pub(crate) fn new<T, F>(fut: F) -> Self
    where
        T: IntoPyValue,
        F: Future<Output = PyResult<T>> + Send + 'static,
    {
        // A panic inside the call settles it with an error instead of unwinding into the
        // runtime (which would leave an awaitable pending forever).
        let boxed: BoxFuture = Box::pin(async move {
            match std::panic::AssertUnwindSafe(fut).catch_unwind().await {
                Ok(r) => r.map(|v| Box::new(v) as Boxed),
                Err(panic) => Err(internal_error(&*panic)),
            }
        });
        Self {
            fut: Mutex::new(Some(boxed)),
        }
    }

    fn take(&self) -> PyResult<BoxFuture> {
        self.fut
            .lock()
            .ok()
            .and_then(|mut f| f.take())
            .ok_or_else(|| PyRuntimeError::new_err("this call was already run"))
    }
}

#[pymethods]
impl Pending {
    /// Runs the call to completion with the GIL released.
    fn wait(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let fut = self.take()?;
        let value = block_on_interruptible(py, fut)?;
        value.into_py_value(py)
    }

    /// The call as an asyncio awaitable.
    fn future<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let fut = self.take()?;
        crate::bridge::awaitable(py, async move {
            let value = fut.await?;
            crate::bridge::attach(|py| value.into_py_value(py))
        })
    }
}

/// The most items handed to Python at once (a Graph page is at most 1,000).
const CHUNK: usize = 1_000;

/// How many batches wait ahead of the Python iteration: the next one is decoded while Python
/// works on the current one, and memory stays bounded.
const AHEAD: usize = 1;

type ToList = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyList>> + Send>;
type Chunk = (ToList, Option<graph::Error>);

/// A paged listing: each `next_page` hands over the items already received, at most
/// [`CHUNK`] (they may span Graph pages, since the core fetches pages ahead). A task on the
/// runtime reads the stream ahead; it stops when the listing is dropped.
#[pyclass(module = "intune_apple._native")]
pub(crate) struct Pages {
    chunks: Arc<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<Chunk>>>,
    failed: Arc<Mutex<Option<graph::Error>>>,
    /// The process whose runtime reads the listing ahead (see [`next_chunk`]).
    pid: u32,
}

impl Pages {
    pub(crate) fn new<T: Field + Send + 'static>(stream: ItemStream<T>) -> Self {
        let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(AHEAD);
        let on_panic = tx.clone();
        let read_ahead = async move {
            let mut chunks = stream.ready_chunks(CHUNK);
            while let Some(chunk) = chunks.next().await {
                let mut items = Vec::with_capacity(chunk.len());
                let mut error = None;
                for r in chunk {
                    match r {
                        Ok(v) => items.push(v),
                        Err(e) => {
                            error = Some(e);
                            break;
                        }
                    }
                }
                let to_list: ToList = Box::new(move |py| {
                    let objs = items
                        .iter()
                        .map(|v| v.to_py(py))
                        .collect::<PyResult<Vec<_>>>()?;
                    Ok(PyList::new(py, objs)?.unbind())
                });
                let stop = error.is_some();
                if tx.send((to_list, error)).await.is_err() || stop {
                    break;
                }
            }
        };
        runtime().spawn(async move {
            // A panic while reading must not look like the end of the listing.
            if let Err(panic) = std::panic::AssertUnwindSafe(read_ahead)
                .catch_unwind()
                .await
            {
                let message = internal_message(&*panic);
                let to_list: ToList = Box::new(move |_| Err(internal(message)));
                let _ = on_panic.send((to_list, None)).await;
            }
        });
        Self {
            chunks: Arc::new(tokio::sync::Mutex::new(rx)),
            failed: Arc::new(Mutex::new(None)),
            pid: std::process::id(),
        }
    }

    /// Whether this process is not the one that started the listing (a fork of it).
    fn forked(&self) -> bool {
        self.pid != std::process::id()
    }
}

/// The next page: `Ok(None)` at the end; an error met after some items is raised on the
/// following call, so that no item is lost.
///
/// In a process forked from the one that started the listing (`forked`), only what had arrived
/// before the fork is handed over: the rest would be read by the parent's runtime, whose threads
/// the child does not have, and waiting for it would never end.
async fn next_chunk(
    chunks: Arc<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<Chunk>>>,
    failed: Arc<Mutex<Option<graph::Error>>>,
    forked: bool,
) -> PyResult<Option<ToList>> {
    if let Some(e) = failed.lock().ok().and_then(|mut f| f.take()) {
        return Err(graph_err(&e));
    }
    let next = if forked {
        let elsewhere = || {
            crate::errors::configuration(
                "this listing was started in another process (before os.fork()): list again in this process",
            )
        };
        let mut receiver = chunks.try_lock().map_err(|_| elsewhere())?;
        match receiver.try_recv() {
            Ok(chunk) => Some(chunk),
            Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => None,
            Err(tokio::sync::mpsc::error::TryRecvError::Empty) => return Err(elsewhere()),
        }
    } else {
        chunks.lock().await.recv().await
    };
    match next {
        None => Ok(None),
        Some((to_list, None)) => Ok(Some(to_list)),
        Some((to_list, Some(err))) => {
            if let Ok(mut f) = failed.lock() {
                *f = Some(err);
            }
            Ok(Some(to_list))
        }
    }
}

#[pymethods]
impl Pages {
    /// The next page of items, `None` at the end (GIL released while waiting).
    fn next_page(&self, py: Python<'_>) -> PyResult<Option<Py<PyList>>> {
        let (chunks, failed) = (self.chunks.clone(), self.failed.clone());
        match block_on_interruptible(py, next_chunk(chunks, failed, self.forked()))? {
            None => Ok(None),
            Some(to_list) => to_list(py).map(Some),
        }
    }

    /// As `next_page`, awaitable.
    fn next_page_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (chunks, failed, forked) = (self.chunks.clone(), self.failed.clone(), self.forked());
        crate::bridge::awaitable(py, async move {
            match next_chunk(chunks, failed, forked).await? {
                None => crate::bridge::attach(|py| Ok(py.None())),
                Some(to_list) => crate::bridge::attach(|py| Ok(to_list(py)?.into_any())),
            }
        })
    }
}

/// Progress of a paged listing, given to the `progress` callback after each page.
#[pyclass(frozen, module = "intune_apple._native")]
#[derive(Clone, Copy)]
pub(crate) struct PageProgress {
    /// Items received so far.
    #[pyo3(get)]
    items: u64,
    /// Pages received so far.
    #[pyo3(get)]
    pages: u64,
}

#[pymethods]
impl PageProgress {
    fn __repr__(&self) -> String {
        format!("PageProgress(items={}, pages={})", self.items, self.pages)
    }
}

/// The core's progress callback calling a Python callable (its exceptions are reported as
/// unraisable: a progress display must not break the listing).
pub(crate) fn progress_callback(callback: Option<Py<PyAny>>) -> Option<graph::ProgressCallback> {
    let callback = Arc::new(callback?);
    Some(Arc::new(move |p: graph::PageProgress| {
        let _ = crate::bridge::attach(|py| {
            let arg = PageProgress {
                items: p.items,
                pages: p.pages,
            };
            if let Err(e) = callback.call1(py, (arg,)) {
                e.write_unraisable(py, Some(callback.bind(py)));
            }
            Ok(())
        });
    }))
}
