//! Node bindings of intune-apple: the npm package `intune-apple`.
//!
//! Each exposed function converts its arguments, calls the core and converts the answer: the
//! binding holds no logic of its own. Failures reach JavaScript as `IntuneAppleError`s built on
//! the JS thread ([`error`]); paged listings hand JavaScript one page per step ([`pager`]).

// In the unit-test build napi does not register the exported items, so they look unused.
#![cfg_attr(test, allow(dead_code))]

mod client;
mod convert;
mod error;
mod files;
mod pager;
mod rules;
mod sim;
mod workflows;
