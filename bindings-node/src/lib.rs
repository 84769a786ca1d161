//! Node bindings of intune-apple: the npm package `intune-apple`.
//!
//! Each exposed function converts its arguments, calls the core and converts the answer: the
//! binding holds no logic of its own. Failures reach JavaScript as `IntuneAppleError`s built on
//! the JS thread ([`error`]); paged listings hand JavaScript one page per step ([`pager`]).

// In the unit-test build napi does not register the exported items, so they look unused.
#![cfg_attr(test, allow(dead_code))]
// napi hands every argument over as an owned value converted from JavaScript; the exported
// functions cannot take references to them.
#![allow(clippy::needless_pass_by_value)]

mod alerts;
mod cli;
mod client;
mod convert;
mod credential;
mod credentials;
mod error;
mod files;
mod guard;
mod pager;
mod profile_templates;
mod reconcile;
mod rules;
mod sim;
mod workflows;

/// The runtime the calls run on: one worker thread. JavaScript takes the results on its own
/// thread, so a second worker adds little, while each worker keeps its own malloc arena and
/// stack: one worker keeps a long listing's memory lower.
#[napi_derive::module_init]
fn init() {
    if let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        napi::bindgen_prelude::create_custom_tokio_runtime(rt);
    }
}
