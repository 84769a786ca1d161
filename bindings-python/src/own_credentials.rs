//! `intune_apple.credentials`: the core's own credentials (managed identity, workload identity,
//! GitHub Actions, a client assertion callback, the Azure CLI, device code, the default chain,
//! client secret and certificate) as Python classes. Each holds the core credential; given to
//! `Client(credential=...)` it goes straight to the core's client builder. A class only
//! converts its keyword arguments; what a credential does (and every error it raises at sign-in)
//! is the core's. The `repr()` shows ids and paths, never a secret.

use std::sync::Arc;
use std::time::Duration;

use intune_apple_core::clock::BoxFuture;
use intune_apple_core::graph::{
    AzureCliCredential as CoreAzureCli, ClientAssertionCredential as CoreAssertion,
    ClientCertificateCredential as CoreCertificate, ClientSecretCredential as CoreSecret,
    Credential, CredentialError, DefaultAzureCredential as CoreChain,
    DeviceCodeCredential as CoreDeviceCode, DeviceCodePrompt,
    GitHubActionsCredential as CoreGitHub, ManagedIdentityCredential as CoreManaged,
    ManagedIdentityId, WorkloadIdentityCredential as CoreWorkload,
};
use intune_apple_core::Secret;
use pyo3::prelude::*;
use pyo3::{PyClass, PyClassInitializer};

use crate::client::CertificateContents;
use crate::errors::configuration;

/// A variable of the process environment (unset when empty, as the core reads it).
fn process_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A credential that could not be built: the configuration is wrong before anything was sent.
fn config_err(err: &CredentialError) -> PyErr {
    configuration(err.to_string())
}

/// `Name(key='value', ...)`, leaving out the fields that are not set.
fn repr(name: &str, fields: &[(&str, Option<&str>)]) -> String {
    let shown: Vec<String> = fields
        .iter()
        .filter_map(|(k, v)| {
            v.map(|v| {
                let quoted = v.replace('\\', "\\\\").replace('\'', "\\'");
                format!("{k}='{quoted}'")
            })
        })
        .collect();
    format!("{name}({})", shown.join(", "))
}

/// `sub` over its base `base`.
fn sub<T: PyClass<BaseType = NativeCredential>>(
    sub: T,
    base: NativeCredential,
) -> PyClassInitializer<T> {
    PyClassInitializer::from(base).add_subclass(sub)
}

/// The base class of the library's own credentials.
#[pyclass(
    module = "intune_apple.credentials",
    name = "Credential",
    subclass,
    frozen
)]
pub(crate) struct NativeCredential {
    pub(crate) inner: Arc<dyn Credential>,
    repr: String,
}

impl NativeCredential {
    fn new(inner: impl Credential + 'static, repr: String) -> Self {
        Self {
            inner: Arc::new(inner),
            repr,
        }
    }
}

#[pymethods]
impl NativeCredential {
    /// The credential's name in errors (`ManagedIdentityCredential`, ...).
    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    fn __repr__(&self) -> String {
        self.repr.clone()
    }
}

// --- managed identity ------------------------------------------------------------------------

/// The host's managed identity: system-assigned, or user-assigned by one of `client_id`,
/// `object_id`, `resource_id`. The host is recognised from the environment.
#[pyclass(module = "intune_apple.credentials", extends = NativeCredential, frozen)]
pub(crate) struct ManagedIdentityCredential;

fn managed(id: ManagedIdentityId, var: &dyn Fn(&str) -> Option<String>) -> NativeCredential {
    let credential = CoreManaged::from_env_with(var, id.clone());
    let (key, value) = match &id {
        ManagedIdentityId::SystemAssigned => ("client_id", None),
        ManagedIdentityId::ClientId(v) => ("client_id", Some(v.as_str())),
        ManagedIdentityId::ObjectId(v) => ("object_id", Some(v.as_str())),
        ManagedIdentityId::ResourceId(v) => ("resource_id", Some(v.as_str())),
    };
    let text = repr(
        "ManagedIdentityCredential",
        &[
            ("source", Some(credential.source().describe())),
            (key, value),
        ],
    );
    NativeCredential::new(credential, text)
}

#[pymethods]
impl ManagedIdentityCredential {
    #[new]
    #[pyo3(signature = (*, client_id=None, object_id=None, resource_id=None))]
    fn new(
        client_id: Option<String>,
        object_id: Option<String>,
        resource_id: Option<String>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let id = match (client_id, object_id, resource_id) {
            (None, None, None) => ManagedIdentityId::SystemAssigned,
            (Some(c), None, None) => ManagedIdentityId::ClientId(c),
            (None, Some(o), None) => ManagedIdentityId::ObjectId(o),
            (None, None, Some(r)) => ManagedIdentityId::ResourceId(r),
            _ => {
                return Err(configuration(
                    "ManagedIdentityCredential: give at most one of client_id, object_id and \
                     resource_id (none for the system-assigned identity)",
                ))
            }
        };
        Ok(sub(Self, managed(id, &process_var)))
    }

    /// The host from the environment, and the user-assigned identity `AZURE_CLIENT_ID` when
    /// it is set (as the default chain does).
    #[staticmethod]
    fn from_env(py: Python<'_>) -> PyResult<Py<Self>> {
        let id = process_var("AZURE_CLIENT_ID").map_or(
            ManagedIdentityId::SystemAssigned,
            ManagedIdentityId::ClientId,
        );
        Py::new(py, sub(Self, managed(id, &process_var)))
    }
}

// --- workload identity, GitHub Actions, client assertion ---------------------------------------

fn workload_repr(tenant_id: &str, client_id: &str, token_file: &str) -> String {
    repr(
        "WorkloadIdentityCredential",
        &[
            ("tenant_id", Some(tenant_id)),
            ("client_id", Some(client_id)),
            ("token_file", Some(token_file)),
        ],
    )
}

/// A federated token in a file (Kubernetes workload identity), exchanged for a Graph token.
#[pyclass(module = "intune_apple.credentials", extends = NativeCredential, frozen)]
pub(crate) struct WorkloadIdentityCredential;

#[pymethods]
impl WorkloadIdentityCredential {
    #[new]
    #[pyo3(signature = (*, tenant_id, client_id, token_file))]
    fn new(tenant_id: String, client_id: String, token_file: String) -> PyClassInitializer<Self> {
        let text = workload_repr(&tenant_id, &client_id, &token_file);
        let credential = CoreWorkload::new(tenant_id, client_id, token_file);
        sub(Self, NativeCredential::new(credential, text))
    }

    /// From `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_FEDERATED_TOKEN_FILE`.
    #[staticmethod]
    fn from_env(py: Python<'_>) -> PyResult<Py<Self>> {
        let credential = CoreWorkload::from_env_with(&process_var).map_err(|e| config_err(&e))?;
        let get = |n: &str| process_var(n).unwrap_or_default();
        let text = workload_repr(
            &get("AZURE_TENANT_ID"),
            &get("AZURE_CLIENT_ID"),
            &get("AZURE_FEDERATED_TOKEN_FILE"),
        );
        Py::new(py, sub(Self, NativeCredential::new(credential, text)))
    }
}

fn github_repr(tenant_id: &str, client_id: &str, audience: Option<&str>) -> String {
    repr(
        "GitHubActionsCredential",
        &[
            ("tenant_id", Some(tenant_id)),
            ("client_id", Some(client_id)),
            ("audience", audience),
        ],
    )
}

/// A GitHub Actions job's OIDC ID token (`permissions: id-token: write`), exchanged for a
/// Graph token of the app whose federated credential trusts the repository.
#[pyclass(module = "intune_apple.credentials", extends = NativeCredential, frozen)]
pub(crate) struct GitHubActionsCredential;

#[pymethods]
impl GitHubActionsCredential {
    #[new]
    #[pyo3(signature = (*, tenant_id, client_id, request_url, request_token, audience=None))]
    fn new(
        tenant_id: String,
        client_id: String,
        request_url: String,
        request_token: String,
        audience: Option<String>,
    ) -> PyClassInitializer<Self> {
        let text = github_repr(&tenant_id, &client_id, audience.as_deref());
        let mut credential = CoreGitHub::new(
            tenant_id,
            client_id,
            request_url,
            Secret::new(request_token),
        );
        if let Some(a) = audience {
            credential = credential.with_audience(a);
        }
        sub(Self, NativeCredential::new(credential, text))
    }

    /// From `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `ACTIONS_ID_TOKEN_REQUEST_URL` and
    /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
    #[staticmethod]
    fn from_env(py: Python<'_>) -> PyResult<Py<Self>> {
        let credential = CoreGitHub::from_env_with(&process_var).map_err(|e| config_err(&e))?;
        let get = |n: &str| process_var(n).unwrap_or_default();
        let text = github_repr(&get("AZURE_TENANT_ID"), &get("AZURE_CLIENT_ID"), None);
        Py::new(py, sub(Self, NativeCredential::new(credential, text)))
    }
}

/// Calls the Python `func` for an assertion (on a blocking thread, with the GIL).
fn call_assertion(func: &Py<PyAny>) -> Result<Secret, String> {
    crate::bridge::attach(|py| {
        let answer = func.bind(py).call0()?;
        if answer.hasattr("__await__").unwrap_or(false) {
            let _ = answer.call_method0("close");
            return Ok(Err(
                "it returned a coroutine: give a plain function returning the assertion text"
                    .to_owned(),
            ));
        }
        Ok(answer
            .extract::<String>()
            .map(Secret::new)
            .map_err(|_| "it did not return the assertion as text (str)".to_owned()))
    })
    .unwrap_or_else(|e| {
        Err(crate::bridge::attach(|py| {
            let class = e
                .get_type(py)
                .name()
                .map_or_else(|_| "Exception".to_owned(), |n| n.to_string());
            let text = e
                .value(py)
                .str()
                .map_or_else(|_| String::new(), |s| s.to_string());
            let first: String = text
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(300)
                .collect();
            Ok(format!("{class}: {first}"))
        })
        .unwrap_or_else(|_| "the interpreter is exiting".to_owned()))
    })
}

/// A Python callable returning a client assertion (a signed JWT the app's federated
/// credential trusts), exchanged for a Graph token each time a new one is needed.
#[pyclass(module = "intune_apple.credentials", extends = NativeCredential, frozen)]
pub(crate) struct ClientAssertionCredential;

#[pymethods]
impl ClientAssertionCredential {
    #[new]
    #[pyo3(signature = (*, tenant_id, client_id, func))]
    fn new(
        tenant_id: String,
        client_id: String,
        func: Bound<'_, PyAny>,
    ) -> PyResult<PyClassInitializer<Self>> {
        if !func.is_callable() {
            return Err(configuration(
                "ClientAssertionCredential: func must be a callable returning the assertion",
            ));
        }
        let func = Arc::new(func.unbind());
        let text = repr(
            "ClientAssertionCredential",
            &[
                ("tenant_id", Some(&tenant_id)),
                ("client_id", Some(&client_id)),
            ],
        );
        let callback = Arc::new(move || -> BoxFuture<'static, Result<Secret, String>> {
            let func = Arc::clone(&func);
            Box::pin(async move {
                tokio::task::spawn_blocking(move || call_assertion(&func))
                    .await
                    .unwrap_or_else(|_| Err("the callable could not be called".to_owned()))
            })
        });
        let credential = CoreAssertion::new(tenant_id, client_id, callback);
        Ok(sub(Self, NativeCredential::new(credential, text)))
    }
}

// --- Azure CLI, device code --------------------------------------------------------------------

/// The account signed in to the Azure CLI (`az login`), for an admin at a terminal.
#[pyclass(module = "intune_apple.credentials", extends = NativeCredential, frozen)]
pub(crate) struct AzureCliCredential;

#[pymethods]
impl AzureCliCredential {
    #[new]
    #[pyo3(signature = (*, tenant_id=None, process_timeout=None))]
    fn new(
        tenant_id: Option<String>,
        process_timeout: Option<f64>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let text = repr("AzureCliCredential", &[("tenant_id", tenant_id.as_deref())]);
        let mut credential = CoreAzureCli::new();
        if let Some(t) = tenant_id {
            credential = credential.with_tenant(t);
        }
        if let Some(s) = process_timeout {
            let timeout = Duration::try_from_secs_f64(s)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    configuration(format!(
                        "AzureCliCredential: process_timeout is {s}; it must be a positive \
                         number of seconds (e.g. 10)"
                    ))
                })?;
            credential = credential.with_timeout(timeout);
        }
        Ok(sub(Self, NativeCredential::new(credential, text)))
    }
}

/// A person signs in on another device with the tenant's own public client app; the prompt
/// goes to standard error, or to `prompt` (called with the sentence to show).
#[pyclass(module = "intune_apple.credentials", extends = NativeCredential, frozen)]
pub(crate) struct DeviceCodeCredential;

#[pymethods]
impl DeviceCodeCredential {
    #[new]
    #[pyo3(signature = (*, client_id, tenant_id="organizations".to_owned(), prompt=None))]
    fn new(
        client_id: String,
        tenant_id: String,
        prompt: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let text = repr(
            "DeviceCodeCredential",
            &[
                ("tenant_id", Some(&tenant_id)),
                ("client_id", Some(&client_id)),
            ],
        );
        let mut credential =
            CoreDeviceCode::new(tenant_id, client_id).map_err(|e| config_err(&e))?;
        if let Some(prompt) = prompt {
            if !prompt.is_callable() {
                return Err(configuration(
                    "DeviceCodeCredential: prompt must be a callable taking the message to show",
                ));
            }
            let prompt = Arc::new(prompt.unbind());
            credential = credential.with_prompt(Arc::new(move |p: &DeviceCodePrompt| {
                let shown = crate::bridge::attach(|py| {
                    prompt.bind(py).call1((p.message.as_str(),)).map(|_| ())
                });
                if let Err(e) = shown {
                    crate::bridge::attach(|py| {
                        e.print(py);
                        Ok(())
                    })
                    .ok();
                }
            }));
        }
        Ok(sub(Self, NativeCredential::new(credential, text)))
    }
}

// --- the default chain ---------------------------------------------------------------------

/// The Azure SDKs' chain (environment, workload identity, managed identity, Azure CLI), as
/// `AZURE_TOKEN_CREDENTIALS` narrows it. Read from the environment when created.
#[pyclass(module = "intune_apple.credentials", extends = NativeCredential, frozen)]
pub(crate) struct DefaultAzureCredential {
    steps: Vec<&'static str>,
}

fn chain() -> PyResult<PyClassInitializer<DefaultAzureCredential>> {
    let credential = CoreChain::from_env_with(&process_var).map_err(|e| config_err(&e))?;
    let steps = credential.steps();
    let text = format!("DefaultAzureCredential(steps={steps:?})").replace('"', "'");
    Ok(sub(
        DefaultAzureCredential { steps },
        NativeCredential::new(credential, text),
    ))
}

#[pymethods]
impl DefaultAzureCredential {
    #[new]
    fn new() -> PyResult<PyClassInitializer<Self>> {
        chain()
    }

    /// The same as `DefaultAzureCredential()`: the chain for the process environment.
    #[staticmethod]
    fn from_env(py: Python<'_>) -> PyResult<Py<Self>> {
        Py::new(py, chain()?)
    }

    /// The names of the steps, in order.
    #[getter]
    fn steps(&self) -> Vec<&'static str> {
        self.steps.clone()
    }
}

// --- client secret and certificate ---------------------------------------------------------

/// An app registration's client secret.
#[pyclass(module = "intune_apple.credentials", extends = NativeCredential, frozen)]
pub(crate) struct ClientSecretCredential;

#[pymethods]
impl ClientSecretCredential {
    #[new]
    #[pyo3(signature = (*, tenant_id, client_id, client_secret))]
    fn new(
        tenant_id: String,
        client_id: String,
        client_secret: String,
    ) -> PyClassInitializer<Self> {
        let text = repr(
            "ClientSecretCredential",
            &[
                ("tenant_id", Some(&tenant_id)),
                ("client_id", Some(&client_id)),
            ],
        );
        let credential = CoreSecret::new(tenant_id, client_id, Secret::new(client_secret));
        sub(Self, NativeCredential::new(credential, text))
    }
}

/// An app registration's certificate: `certificate_path` (PEM with its key, or PKCS#12) or
/// `certificate_data` (the contents), `password` when the key or file has one.
#[pyclass(module = "intune_apple.credentials", extends = NativeCredential, frozen)]
pub(crate) struct ClientCertificateCredential;

#[pymethods]
impl ClientCertificateCredential {
    #[new]
    #[pyo3(signature = (*, tenant_id, client_id, certificate_path=None, certificate_data=None,
        password=None))]
    fn new(
        tenant_id: String,
        client_id: String,
        certificate_path: Option<String>,
        certificate_data: Option<CertificateContents>,
        password: Option<String>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let password = password.map(Secret::new);
        let password = password.as_ref().map(Secret::expose);
        let text = repr(
            "ClientCertificateCredential",
            &[
                ("tenant_id", Some(&tenant_id)),
                ("client_id", Some(&client_id)),
                ("certificate_path", certificate_path.as_deref()),
            ],
        );
        let credential = match (certificate_path, certificate_data) {
            (Some(path), None) => CoreCertificate::from_file(tenant_id, client_id, path, password),
            (None, Some(data)) => {
                CoreCertificate::from_contents(tenant_id, client_id, data.bytes(), password)
            }
            _ => {
                return Err(configuration(
                    "ClientCertificateCredential: give one of certificate_path and \
                     certificate_data",
                ))
            }
        }
        .map_err(|e| config_err(&e))?;
        Ok(sub(Self, NativeCredential::new(credential, text)))
    }
}

/// Registers the classes.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeCredential>()?;
    m.add_class::<ManagedIdentityCredential>()?;
    m.add_class::<WorkloadIdentityCredential>()?;
    m.add_class::<GitHubActionsCredential>()?;
    m.add_class::<ClientAssertionCredential>()?;
    m.add_class::<AzureCliCredential>()?;
    m.add_class::<DeviceCodeCredential>()?;
    m.add_class::<DefaultAzureCredential>()?;
    m.add_class::<ClientSecretCredential>()?;
    m.add_class::<ClientCertificateCredential>()?;
    Ok(())
}
