//! One conversion from every core error to a JavaScript `IntuneAppleError`, built on the JS
//! thread so that rejected Promises carry a stable `code` and the request details.
//!
//! `index.js` defines the `IntuneAppleError` class and registers it with
//! [`register_error_class`]; errors are instances of it (a plain `Error` with the same fields
//! when the class was not registered, e.g. when the native module is loaded directly).

use std::future::Future;

use chrono::{DateTime, Utc};
use intune_apple_core::files::{FileError, PushRenewalError};
use intune_apple_core::graph::{self, ErrorKind};
use napi::bindgen_prelude::{
    Function, FunctionRef, JsObjectValue, JsValue, PromiseRaw, ToNapiValue, Unknown,
};
use napi::{Env, Error, Result, Status};
use napi_derive::napi;

/// The fields of an `IntuneAppleError`, as given to its constructor.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct IntuneAppleErrorFields {
    /// The readable message: what failed, why, and what to do next. Never holds a secret.
    pub message: String,
    /// The stable code programs match on.
    #[napi(ts_type = "ErrorCode")]
    pub code: String,
    /// The HTTP status, when an answer came.
    pub status: Option<u32>,
    /// Graph's error code (`BadRequest`, `TooManyRequests`, ...).
    pub graph_code: Option<String>,
    /// Graph's `request-id`, for Microsoft support.
    pub request_id: Option<String>,
    /// The `client-request-id` sent with the call.
    pub client_request_id: Option<String>,
    /// How long the service asked to wait, in seconds.
    pub retry_after: Option<f64>,
    /// When a refused enrollment program token sync will be allowed.
    pub next_allowed_at: Option<DateTime<Utc>>,
    /// The application permission the call needs (on `ERR_FORBIDDEN`).
    pub required_permission: Option<String>,
    /// The call that failed (`METHOD /version/path`).
    pub operation: Option<String>,
    /// On `ERR_RENEWAL_REFUSED` from a workflow: every reason, and whether `force` overrides it.
    pub reasons: Option<Vec<RefusalInfo>>,
}

/// Why a workflow refused to change anything.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct RefusalInfo {
    /// Stable code (`topicChanged`, `notLater`, ...).
    pub code: String,
    /// What is wrong and what to do.
    pub message: String,
    /// Whether `force` overrides it.
    pub overridable: bool,
}

/// A failure on its way to JavaScript: the fields, without any JS value yet.
#[derive(Debug, Clone)]
pub(crate) struct Failure(pub(crate) Box<IntuneAppleErrorFields>);

/// The stable code of a Graph error kind.
#[allow(clippy::match_same_arms)] // the wildcard covers kinds a later core adds
pub(crate) fn code_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Unauthorized => "ERR_UNAUTHORIZED",
        ErrorKind::Forbidden => "ERR_FORBIDDEN",
        ErrorKind::NotFound => "ERR_NOT_FOUND",
        ErrorKind::Throttled => "ERR_THROTTLED",
        ErrorKind::Conflict => "ERR_CONFLICT",
        ErrorKind::SyncTooSoon => "ERR_SYNC_TOO_SOON",
        ErrorKind::InvalidInput => "ERR_INVALID_INPUT",
        ErrorKind::OutcomeUnknown => "ERR_OUTCOME_UNKNOWN",
        ErrorKind::Transport => "ERR_TRANSPORT",
        ErrorKind::Decode => "ERR_DECODE",
        ErrorKind::Server => "ERR_SERVER",
        ErrorKind::Configuration => "ERR_CONFIGURATION",
        // a kind added to the core later
        _ => "ERR_TRANSPORT",
    }
}

/// A failure with only a code and a message.
pub(crate) fn failure(code: &str, message: impl Into<String>) -> Failure {
    Failure(Box::new(IntuneAppleErrorFields {
        message: message.into(),
        code: code.to_owned(),
        ..IntuneAppleErrorFields::default()
    }))
}

impl From<&graph::Error> for Failure {
    fn from(e: &graph::Error) -> Self {
        Self(Box::new(IntuneAppleErrorFields {
            message: e.to_string(),
            code: code_of(e.kind()).to_owned(),
            status: e.status().map(u32::from),
            graph_code: e.code().map(str::to_owned),
            request_id: e.request_id().map(str::to_owned),
            client_request_id: e.client_request_id().map(str::to_owned),
            retry_after: e.retry_after().map(|d| d.as_secs_f64()),
            next_allowed_at: e.next_allowed_at(),
            required_permission: e.required_permission().map(str::to_owned),
            operation: Some(e.operation().to_owned()),
            reasons: None,
        }))
    }
}

impl From<graph::Error> for Failure {
    fn from(e: graph::Error) -> Self {
        Self::from(&e)
    }
}

impl From<FileError> for Failure {
    fn from(e: FileError) -> Self {
        failure("ERR_TOKEN_FILE", e.to_string())
    }
}

impl From<PushRenewalError> for Failure {
    fn from(e: PushRenewalError) -> Self {
        failure("ERR_RENEWAL_REFUSED", e.to_string())
    }
}

/// What `index.js` registers in one JS environment: the `IntuneAppleError` constructor, and
/// the function that turns a JSON array of device rows into imported devices.
#[derive(Default)]
pub(crate) struct Registered {
    error_class: Option<FunctionRef<IntuneAppleErrorFields, Unknown<'static>>>,
    pub(crate) device_rows: Option<FunctionRef<String, Unknown<'static>>>,
}

/// The registrations of this environment, made empty on first use.
fn registered(env: &Env) -> Result<&mut Registered> {
    if env.get_instance_data::<Registered>()?.is_none() {
        env.set_instance_data(Registered::default(), (), |_| {})?;
    }
    env.get_instance_data::<Registered>()?
        .ok_or_else(|| Error::new(Status::GenericFailure, "no instance data"))
}

/// Registers the `IntuneAppleError` class (called once by `index.js`).
#[napi(js_name = "__registerErrorClass", skip_typescript)]
pub fn register_error_class(
    env: &Env,
    class: Function<'_, IntuneAppleErrorFields, Unknown<'static>>,
) -> Result<()> {
    registered(env)?.error_class = Some(class.create_ref()?);
    Ok(())
}

/// Registers the function that builds imported devices from a JSON array of rows (called once
/// by `index.js`; see [`crate::convert::device_rows`]).
#[napi(js_name = "__registerDeviceRows", skip_typescript)]
pub fn register_device_rows(
    env: &Env,
    build: Function<'_, String, Unknown<'static>>,
) -> Result<()> {
    registered(env)?.device_rows = Some(build.create_ref()?);
    Ok(())
}

/// Builds the JS error value of a failure, on the JS thread.
pub(crate) fn to_js<'env>(env: &'env Env, f: Failure) -> Result<Unknown<'env>> {
    let f = *f.0;
    if let Some(class) = env
        .get_instance_data::<Registered>()?
        .and_then(|r| r.error_class.as_ref())
    {
        return class.borrow_back(env)?.new_instance(f);
    }
    let mut error = env.create_error(Error::new(Status::GenericFailure, f.message.clone()))?;
    error.set_named_property("code", f.code.as_str())?;
    error.set_named_property("status", f.status)?;
    error.set_named_property("requestId", f.request_id)?;
    error.set_named_property("clientRequestId", f.client_request_id)?;
    error.set_named_property("retryAfter", f.retry_after)?;
    error.set_named_property("nextAllowedAt", f.next_allowed_at)?;
    Ok(error.to_unknown())
}

/// The `napi::Error` that throws (or rejects with) the JS error of a failure.
pub(crate) fn throw(env: &Env, f: impl Into<Failure>) -> Error {
    match to_js(env, f.into()) {
        Ok(value) => Error::from(value),
        Err(e) => e,
    }
}

/// Runs a core future on the runtime and settles its Promise on the JS thread: `convert` turns
/// the value into JS, a failure becomes an `IntuneAppleError`.
pub(crate) fn run<'env, T, V, F, C>(
    env: &'env Env,
    fut: F,
    convert: C,
) -> Result<PromiseRaw<'env, V>>
where
    T: Send + 'static,
    V: ToNapiValue,
    F: Future<Output = std::result::Result<T, Failure>> + Send + 'static,
    C: FnOnce(&'env Env, T) -> Result<V> + 'static,
{
    env.spawn_future_with_callback(
        async move { Ok(fut.await) },
        move |env, outcome| match outcome {
            Ok(value) => convert(env, value),
            Err(f) => Err(throw(env, f)),
        },
    )
}

/// As [`run`], for values that convert to JS as they are.
pub(crate) fn run_plain<'env, T, F>(env: &'env Env, fut: F) -> Result<PromiseRaw<'env, T>>
where
    T: Send + ToNapiValue + 'static,
    F: Future<Output = std::result::Result<T, Failure>> + Send + 'static,
{
    run(env, fut, |_, v| Ok(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(code_of(ErrorKind::Throttled), "ERR_THROTTLED");
        assert_eq!(code_of(ErrorKind::SyncTooSoon), "ERR_SYNC_TOO_SOON");
        assert_eq!(code_of(ErrorKind::NotFound), "ERR_NOT_FOUND");
        assert_eq!(code_of(ErrorKind::OutcomeUnknown), "ERR_OUTCOME_UNKNOWN");
    }
}
