//! `credential=`: any azure-identity credential (an object with `get_token_info` or
//! `get_token`), seen by the core through its `Credential` trait. The object is called on a
//! blocking thread with the GIL; what it raises or answers wrongly becomes a typed error naming
//! its class, never a panic or a hang (the core's attempt timeout bounds the call).

use intune_apple_core::clock::BoxFuture;
use intune_apple_core::graph::credentials::TokenRequestContext;
use intune_apple_core::graph::{AccessToken, Credential, CredentialError};
use pyo3::prelude::*;

/// A Python credential object.
pub(crate) struct PyCredential {
    object: Py<PyAny>,
    name: String,
}

impl std::fmt::Debug for PyCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyCredential")
            .field("class", &self.name)
            .finish_non_exhaustive()
    }
}

impl PyCredential {
    /// Wraps `object`, which must have `get_token_info` or `get_token`.
    pub(crate) fn new(object: &Bound<'_, PyAny>) -> PyResult<Self> {
        let name = object
            .getattr("intune_apple_name")
            .and_then(|n| n.extract::<String>())
            .or_else(|_| object.get_type().name().map(|n| n.to_string()))
            .unwrap_or_else(|_| "credential".to_owned());
        let usable = ["get_token_info", "get_token"]
            .iter()
            .any(|m| object.hasattr(*m).unwrap_or(false));
        if !usable {
            return Err(crate::errors::configuration(format!(
                "credential= takes an azure-identity credential (an object with get_token_info \
                 or get_token); {name} has neither"
            )));
        }
        Ok(Self {
            object: object.clone().unbind(),
            name,
        })
    }
}

/// Calls the object and reads `token`, `expires_on` and `refresh_on` of its answer.
fn call(
    object: &Py<PyAny>,
    name: &str,
    scope: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<AccessToken, CredentialError> {
    let external = |message: String| CredentialError::External {
        credential: name.to_owned(),
        message,
    };
    Python::attach(|py| {
        let object = object.bind(py);
        let describe = |e: PyErr| {
            let text = e
                .value(py)
                .str()
                .map_or_else(|_| String::new(), |s| s.to_string());
            let first = text
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(300)
                .collect::<String>();
            let class = e
                .get_type(py)
                .name()
                .map_or_else(|_| "Exception".to_owned(), |n| n.to_string());
            external(format!("its get_token raised {class}: {first}"))
        };
        let answer = if object.hasattr("get_token_info").unwrap_or(false) {
            object.call_method1("get_token_info", (scope,))
        } else {
            object.call_method1("get_token", (scope,))
        }
        .map_err(describe)?;
        if answer.hasattr("__await__").unwrap_or(false) {
            // An un-awaited coroutine: close it so Python does not warn, and say what to do.
            let _ = answer.call_method0("close");
            return Err(external(
                "it is an async credential: give it to AsyncClient, or use its sync twin \
                 (azure.identity instead of azure.identity.aio)"
                    .into(),
            ));
        }
        let token: String = answer
            .getattr("token")
            .and_then(|t| t.extract())
            .map_err(|_| {
                external(
                    "its answer has no `token` text (expected an AccessToken or AccessTokenInfo)"
                        .into(),
                )
            })?;
        let expires_on: f64 = answer
            .getattr("expires_on")
            .and_then(|t| t.extract())
            .map_err(|_| {
                external("its answer has no numeric `expires_on` (Unix seconds)".into())
            })?;
        let refresh_on: Option<f64> = answer
            .getattr("refresh_on")
            .ok()
            .and_then(|r| r.extract().ok());
        AccessToken::from_external(name, &token, expires_on, refresh_on, now)
    })
}

impl Credential for PyCredential {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        let object = Python::attach(|py| self.object.clone_ref(py));
        let name = self.name.clone();
        let scope = ctx.scope.to_owned();
        let now = ctx.clock.now();
        Box::pin(async move {
            let task_name = name.clone();
            tokio::task::spawn_blocking(move || call(&object, &name, &scope, now))
                .await
                .unwrap_or_else(|_| {
                    Err(CredentialError::External {
                        credential: task_name,
                        message: "its get_token could not be called".into(),
                    })
                })
        })
    }

    fn name(&self) -> &str {
        &self.name
    }

    /// A credential object retries on its own.
    fn retry_delay(&self, _retry: u32, _error: &CredentialError) -> Option<std::time::Duration> {
        None
    }
}
