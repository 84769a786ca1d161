//! The one Tokio runtime every call of the library runs on.
//!
//! A call is spawned on it and the foreign side awaits the task's handle, which any executor
//! can poll: Kotlin's coroutines and Swift's tasks never need a Tokio context of their own, and
//! a panic inside a call ends that call with an error instead of crossing the FFI.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Runtime;

use crate::error::IntuneAppleError;

/// The runtime, built on first use (two workers: the calls are I/O-bound).
pub(crate) fn runtime() -> Result<&'static Runtime, IntuneAppleError> {
    static RUNTIME: OnceLock<Option<Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("intune-apple")
                .enable_all()
                .build()
                .ok()
        })
        .as_ref()
        .ok_or_else(|| {
            IntuneAppleError::configuration("the library could not start its worker threads")
        })
}

/// Runs a core future on the runtime and hands back its outcome.
pub(crate) async fn run<T, F>(fut: F) -> Result<T, IntuneAppleError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, IntuneAppleError>> + Send + 'static,
{
    match runtime()?.spawn(fut).await {
        Ok(outcome) => outcome,
        Err(e) => Err(IntuneAppleError::outcome_unknown(format!(
            "the call stopped unexpectedly ({e}); its outcome is unknown: check the tenant \
             before trying again"
        ))),
    }
}
