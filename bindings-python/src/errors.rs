//! The one conversion from the core's errors to the exception classes of
//! `intune_apple.errors` (defined in Python so that they carry fields and pickle).

use intune_apple_core::files::{FileError, PushRenewalError};
use intune_apple_core::graph;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Fields of an `IntuneAppleError`.
#[derive(Default)]
pub(crate) struct ErrorFields<'a> {
    pub kind: &'a str,
    pub message: String,
    pub status: Option<u16>,
    pub code: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub client_request_id: Option<&'a str>,
    pub retry_after: Option<f64>,
    pub next_allowed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub required_permission: Option<&'a str>,
    pub operation: Option<&'a str>,
}

/// Builds the Python exception for `fields`.
pub(crate) fn build(fields: &ErrorFields<'_>) -> PyErr {
    let built = crate::bridge::attach(|py| {
        let make = || -> PyResult<PyErr> {
            let module = py.import("intune_apple.errors")?;
            let kw = PyDict::new(py);
            kw.set_item("kind", fields.kind)?;
            kw.set_item("message", &fields.message)?;
            kw.set_item("status", fields.status)?;
            kw.set_item("code", fields.code)?;
            kw.set_item("request_id", fields.request_id)?;
            kw.set_item("client_request_id", fields.client_request_id)?;
            kw.set_item("retry_after", fields.retry_after)?;
            kw.set_item("next_allowed_at", fields.next_allowed_at)?;
            kw.set_item("required_permission", fields.required_permission)?;
            kw.set_item("operation", fields.operation)?;
            let exc = module.getattr("_from_native")?.call((), Some(&kw))?;
            Ok(PyErr::from_value(exc))
        };
        Ok(make().unwrap_or_else(|e| e))
    });
    built.unwrap_or_else(|e| e)
}

/// A Graph call's error.
pub(crate) fn graph_err(err: &graph::Error) -> PyErr {
    build(&ErrorFields {
        kind: err.kind().as_str(),
        message: err.to_string(),
        status: err.status(),
        code: err.code(),
        request_id: err.request_id(),
        client_request_id: err.client_request_id(),
        retry_after: err.retry_after().map(|d| d.as_secs_f64()),
        next_allowed_at: err.next_allowed_at(),
        required_permission: err.required_permission(),
        operation: Some(err.operation()),
    })
}

/// A file check's error (`TokenFileError`).
pub(crate) fn file_err(err: &FileError) -> PyErr {
    build(&ErrorFields {
        kind: "token_file",
        message: err.to_string(),
        ..ErrorFields::default()
    })
}

/// A refused renewal (`RenewalRefusedError`).
pub(crate) fn renewal_err(err: &PushRenewalError) -> PyErr {
    let code = match err {
        PushRenewalError::TopicChanged { .. } => "topic_changed",
        PushRenewalError::NotLater { .. } => "not_later",
        PushRenewalError::AlreadyExpired { .. } => "already_expired",
        _ => "refused",
    };
    build(&ErrorFields {
        kind: "renewal_refused",
        message: err.to_string(),
        code: Some(code),
        ..ErrorFields::default()
    })
}

/// Bad input from the caller (`InvalidInputError`, nothing was sent).
pub(crate) fn invalid_input(message: impl Into<String>) -> PyErr {
    build(&ErrorFields {
        kind: "invalid_input",
        message: message.into(),
        ..ErrorFields::default()
    })
}

/// A configuration problem (`ConfigurationError`).
pub(crate) fn configuration(message: impl Into<String>) -> PyErr {
    build(&ErrorFields {
        kind: "configuration",
        message: message.into(),
        ..ErrorFields::default()
    })
}
