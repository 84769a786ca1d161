//! Where the runtime's threads meet Python: asyncio awaitables of core calls, and a gate that
//! the interpreter closes when it exits.
//!
//! A runtime thread must not take the GIL once the interpreter has begun to finalize: CPython
//! then aborts the process ("PyGILState_Release: thread state must be current when
//! releasing"), which is what a script saw at exit, after its last `await` had returned, while
//! the thread that delivered that result was still letting go of the GIL. So every piece of
//! Python work on a runtime thread goes through [`attach`], and an `atexit` hook (run before
//! finalization starts) closes the gate and waits, GIL released, for the threads inside it.

use std::future::Future;
use std::sync::{Condvar, Mutex, PoisonError};
use std::thread::ThreadId;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyCFunction;

use crate::pending::runtime;

/// How long the exit hook waits for runtime threads working with Python (a page of 1,000
/// objects takes milliseconds): the process exits anyway after it.
const EXIT_WAIT: Duration = Duration::from_secs(5);

struct GateState {
    /// The thread that closed the gate (the one running `atexit` hooks), which may still use
    /// Python: hooks registered before this package's run after it.
    closed_by: Option<ThreadId>,
    inside: usize,
}

/// Counts the threads working with Python, and refuses new ones once closed.
struct Gate {
    state: Mutex<GateState>,
    left: Condvar,
}

static GATE: Gate = Gate {
    state: Mutex::new(GateState {
        closed_by: None,
        inside: 0,
    }),
    left: Condvar::new(),
};

/// A thread's pass through the gate; leaving when dropped.
struct Pass;

impl Drop for Pass {
    fn drop(&mut self) {
        let mut state = GATE.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.inside -= 1;
        if state.inside == 0 {
            GATE.left.notify_all();
        }
    }
}

impl Gate {
    fn enter(&self) -> Option<Pass> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state
            .closed_by
            .is_some_and(|closer| closer != std::thread::current().id())
        {
            return None;
        }
        state.inside += 1;
        Some(Pass)
    }

    /// Closes the gate and waits, at most `limit`, until no thread is inside.
    fn close_and_wait(&self, limit: Duration) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.closed_by = Some(std::thread::current().id());
        let _ = self
            .left
            .wait_timeout_while(state, limit, |s| s.inside > 0)
            .unwrap_or_else(PoisonError::into_inner);
    }
}

/// Runs `f` with the GIL, unless the interpreter is exiting and this is not the thread running
/// the exit (then an error, and no Python is touched). Every runtime thread's Python work goes
/// through here.
pub(crate) fn attach<R>(f: impl FnOnce(Python<'_>) -> PyResult<R>) -> PyResult<R> {
    let exiting = || PyRuntimeError::new_err("the Python interpreter is exiting");
    let Some(_pass) = GATE.enter() else {
        return Err(exiting());
    };
    Python::try_attach(f).unwrap_or_else(|| Err(exiting()))
}

/// The `atexit` hook: no runtime thread touches Python after it returns.
#[pyfunction]
pub(crate) fn _close_gate(py: Python<'_>) {
    py.detach(|| GATE.close_and_wait(EXIT_WAIT));
}

/// Registers [`_close_gate`] with `atexit`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = wrap_pyfunction!(_close_gate, m)?;
    m.add_function(hook.clone())?;
    m.py().import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}

/// `fut` as an asyncio future of the running event loop. The call runs on the runtime; its
/// result is handed to the loop's thread with `call_soon_threadsafe`. Cancelling the asyncio
/// future (a timeout, a cancelled task) abandons the call.
pub(crate) fn awaitable<F>(py: Python<'_>, fut: F) -> PyResult<Bound<'_, PyAny>>
where
    F: Future<Output = PyResult<Py<PyAny>>> + Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let py_future = event_loop.call_method0("create_future")?;
    let (event_loop_ref, future_ref) = (event_loop.unbind(), py_future.clone().unbind());
    let task = runtime().spawn(async move {
        // A panic settles the awaitable with an error instead of leaving it pending forever.
        let result = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(fut))
            .await
            .map_err(|panic| crate::pending::internal_message(&*panic));
        // taking the GIL may wait: not on a runtime worker
        let _ = tokio::task::spawn_blocking(move || {
            let result = result.unwrap_or_else(|message| Err(crate::pending::internal(message)));
            let _ = attach(|py| deliver(py, &event_loop_ref, &future_ref, result));
        })
        .await;
    });
    let abort = task.abort_handle();
    let on_done = PyCFunction::new_closure(
        py,
        None,
        None,
        move |args: &Bound<'_, pyo3::types::PyTuple>, _kwargs| -> PyResult<()> {
            let cancelled = args
                .get_item(0)
                .and_then(|f| f.call_method0("cancelled"))
                .and_then(|c| c.is_truthy())
                .unwrap_or(false);
            if cancelled {
                abort.abort();
            }
            Ok(())
        },
    )?;
    py_future.call_method1("add_done_callback", (on_done,))?;
    Ok(py_future)
}

/// Hands `result` to `future` on its event loop's thread (nothing when the loop has closed).
fn deliver(
    py: Python<'_>,
    event_loop: &Py<PyAny>,
    future: &Py<PyAny>,
    result: PyResult<Py<PyAny>>,
) -> PyResult<()> {
    let (outcome, is_error) = match result {
        Ok(value) => (value, false),
        Err(e) => (e.into_value(py).into_any(), true),
    };
    let set = wrap_pyfunction!(_set_outcome, py)?;
    let scheduled = event_loop
        .bind(py)
        .call_method1("call_soon_threadsafe", (set, future, outcome, is_error));
    match scheduled {
        Ok(_) => Ok(()),
        // the loop has closed: nobody awaits the future any more
        Err(e) if e.is_instance_of::<PyRuntimeError>(py) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Sets the outcome of an asyncio future on its loop's thread, unless it is already done
/// (cancelled meanwhile).
#[pyfunction]
fn _set_outcome(
    future: &Bound<'_, PyAny>,
    outcome: Bound<'_, PyAny>,
    is_error: bool,
) -> PyResult<()> {
    if future.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    if is_error {
        future.call_method1("set_exception", (outcome,))?;
    } else {
        future.call_method1("set_result", (outcome,))?;
    }
    Ok(())
}
