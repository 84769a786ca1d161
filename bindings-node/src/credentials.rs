//! The library's own credentials as classes (the core's types, under the core's names), for
//! `new Client({ credential })`: managed identity, workload identity, GitHub Actions, the Azure
//! CLI, the device code flow and the default chain. Each is built from explicit options, or
//! from the environment (`fromEnv(vars?)`: the given variables, else the process's) as the
//! core's `from_env_with` does. `toString()` is the core's description, which never holds a
//! secret; the secrets stay in Rust.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use intune_apple_core::graph::credentials as ic;
use intune_apple_core::graph::{Credential, CredentialError};
use intune_apple_core::Secret;
use napi::bindgen_prelude::{ClassInstance, FromNapiValue, JavaScriptClassExt, Unknown};
use napi::{Env, Result};
use napi_derive::napi;

use crate::credential::JsCredential;
use crate::error::{failure, throw, Failure};

/// The variables `vars` names, or the process's when absent (empty values count as unset).
fn reader(vars: Option<HashMap<String, String>>) -> impl Fn(&str) -> Option<String> {
    move |name: &str| {
        match &vars {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        }
        .filter(|v| !v.is_empty())
    }
}

fn configuration(e: &CredentialError) -> Failure {
    failure("ERR_CONFIGURATION", e.to_string())
}

/// What every credential class holds: the core credential and its description.
fn wrap<C: Credential + 'static>(credential: C, describe: String) -> (Arc<dyn Credential>, String) {
    (Arc::new(credential), describe)
}

/// `Name(key='value', ...)`, leaving out the fields that are not set (never a secret: only
/// ids, paths and the host's form are given here).
fn describe(name: &str, fields: &[(&str, Option<&str>)]) -> String {
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

fn managed(credential: ic::ManagedIdentityCredential) -> (Arc<dyn Credential>, String) {
    use ic::ManagedIdentityId as Id;
    let (key, value) = match credential.id() {
        Id::SystemAssigned => ("clientId", None),
        Id::ClientId(v) => ("clientId", Some(v.clone())),
        Id::ObjectId(v) => ("objectId", Some(v.clone())),
        Id::ResourceId(v) => ("resourceId", Some(v.clone())),
    };
    let text = describe(
        "ManagedIdentityCredential",
        &[
            ("source", Some(credential.source().describe())),
            (key, value.as_deref()),
        ],
    );
    wrap(credential, text)
}

macro_rules! credential_class {
    ($name:ident) => {
        impl $name {
            fn of(pair: (Arc<dyn Credential>, String)) -> Self {
                Self {
                    inner: pair.0,
                    describe: pair.1,
                }
            }
        }

        #[napi]
        impl $name {
            /// What it is and where it signs in (never a secret).
            #[napi(catch_unwind, js_name = "toString")]
            pub fn to_text(&self) -> String {
                self.describe.clone()
            }
        }
    };
}

/// Which user-assigned identity: at most one of the three ids.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct ManagedIdentityOptions {
    /// A user-assigned identity by its client (application) id.
    pub client_id: Option<String>,
    /// A user-assigned identity by its object (principal) id.
    pub object_id: Option<String>,
    /// A user-assigned identity by its Azure resource id
    /// (`/subscriptions/.../userAssignedIdentities/<name>`).
    pub resource_id: Option<String>,
    /// App Service / Functions / Automation: the `IDENTITY_ENDPOINT` to use instead of the
    /// environment's (with `identityHeader`).
    pub identity_endpoint: Option<String>,
    /// The `IDENTITY_HEADER` that goes with `identityEndpoint` (a secret).
    pub identity_header: Option<String>,
    /// A VM's instance metadata service at this host instead of `http://169.254.169.254`.
    pub imds_host: Option<String>,
}

fn identity_of(
    options: &ManagedIdentityOptions,
) -> std::result::Result<ic::ManagedIdentityId, Failure> {
    use ic::ManagedIdentityId as Id;
    match (&options.client_id, &options.object_id, &options.resource_id) {
        (None, None, None) => Ok(Id::SystemAssigned),
        (Some(id), None, None) => Ok(Id::ClientId(id.clone())),
        (None, Some(id), None) => Ok(Id::ObjectId(id.clone())),
        (None, None, Some(id)) => Ok(Id::ResourceId(id.clone())),
        _ => Err(failure(
            "ERR_CONFIGURATION",
            "ManagedIdentityCredential: give at most one of clientId, objectId and resourceId \
             (none for the system-assigned identity)",
        )),
    }
}

/// Signs in with the host's managed identity (App Service, Functions, Automation, VM / VM scale
/// set, Azure Arc, Cloud Shell), system-assigned or user-assigned.
#[napi]
pub struct ManagedIdentityCredential {
    inner: Arc<dyn Credential>,
    describe: String,
}

credential_class!(ManagedIdentityCredential);

#[napi]
impl ManagedIdentityCredential {
    /// The identity `options` names (system-assigned when none), from the endpoint `options`
    /// gives, else the one the process environment describes.
    #[napi(catch_unwind, constructor)]
    pub fn new(env: &Env, options: Option<ManagedIdentityOptions>) -> Result<Self> {
        let options = options.unwrap_or_default();
        let id = identity_of(&options).map_err(|f| throw(env, f))?;
        let credential =
            match (
                options.identity_endpoint,
                options.identity_header,
                options.imds_host,
            ) {
                (Some(endpoint), Some(header), None) => ic::ManagedIdentityCredential::with_source(
                    ic::ManagedIdentitySource::AppService {
                        endpoint,
                        header: Secret::new(header),
                    },
                    id,
                ),
                (None, None, Some(host)) => ic::ManagedIdentityCredential::with_source(
                    ic::ManagedIdentitySource::Imds {
                        host: host.trim_end_matches('/').to_owned(),
                    },
                    id,
                ),
                (None, None, None) => ic::ManagedIdentityCredential::new(id),
                _ => return Err(throw(
                    env,
                    failure(
                        "ERR_CONFIGURATION",
                        "ManagedIdentityCredential: give identityEndpoint with identityHeader, \
                         or imdsHost, or neither (the environment's endpoint)",
                    ),
                )),
            };
        Ok(Self::of(managed(credential)))
    }

    /// From `vars` (the process environment when absent): `IDENTITY_ENDPOINT` +
    /// `IDENTITY_HEADER`, `MSI_ENDPOINT`, `IMDS_ENDPOINT`, `AZURE_POD_IDENTITY_AUTHORITY_HOST`,
    /// else IMDS; the identity `options` names, else the user-assigned `AZURE_CLIENT_ID` when it
    /// is set (as the default chain does).
    #[napi(catch_unwind, factory)]
    pub fn from_env(
        env: &Env,
        vars: Option<HashMap<String, String>>,
        options: Option<ManagedIdentityOptions>,
    ) -> Result<Self> {
        let var = reader(vars);
        let id = match options {
            Some(o) => identity_of(&o).map_err(|f| throw(env, f))?,
            None => var("AZURE_CLIENT_ID").map_or(
                ic::ManagedIdentityId::SystemAssigned,
                ic::ManagedIdentityId::ClientId,
            ),
        };
        Ok(Self::of(managed(
            ic::ManagedIdentityCredential::from_env_with(&var, id),
        )))
    }
}

/// Options of `new WorkloadIdentityCredential(...)`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct WorkloadIdentityOptions {
    /// The Entra tenant id.
    pub tenant_id: String,
    /// The app (client) id whose federated credential trusts the token.
    pub client_id: String,
    /// The file holding the federated token (Kubernetes: `AZURE_FEDERATED_TOKEN_FILE`).
    pub token_file: String,
}

/// Signs in with a federated token from a file (Kubernetes workload identity), read again
/// when it rotates.
#[napi]
pub struct WorkloadIdentityCredential {
    inner: Arc<dyn Credential>,
    describe: String,
}

credential_class!(WorkloadIdentityCredential);

impl WorkloadIdentityCredential {
    fn workload(tenant_id: String, client_id: String, token_file: String) -> Self {
        let text = describe(
            "WorkloadIdentityCredential",
            &[
                ("tenantId", Some(&tenant_id)),
                ("clientId", Some(&client_id)),
                ("tokenFile", Some(&token_file)),
            ],
        );
        Self::of(wrap(
            ic::WorkloadIdentityCredential::new(tenant_id, client_id, token_file),
            text,
        ))
    }
}

#[napi]
impl WorkloadIdentityCredential {
    /// `clientId` in `tenantId`, proven by the token in `tokenFile`.
    #[napi(catch_unwind, constructor)]
    pub fn new(options: WorkloadIdentityOptions) -> Self {
        Self::workload(options.tenant_id, options.client_id, options.token_file)
    }

    /// From `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_FEDERATED_TOKEN_FILE` of `vars`
    /// (the process environment when absent).
    #[napi(catch_unwind, factory)]
    pub fn from_env(env: &Env, vars: Option<HashMap<String, String>>) -> Result<Self> {
        let var = reader(vars);
        // The core says which variables are missing; with all three, the same as `new`.
        ic::WorkloadIdentityCredential::from_env_with(&var)
            .map_err(|e| throw(env, configuration(&e)))?;
        let get = |n: &str| var(n).unwrap_or_default();
        Ok(Self::workload(
            get("AZURE_TENANT_ID"),
            get("AZURE_CLIENT_ID"),
            get("AZURE_FEDERATED_TOKEN_FILE"),
        ))
    }
}

/// Options of `new GitHubActionsCredential(...)`.
#[napi(object)]
#[derive(Default)]
pub struct GitHubActionsOptions {
    /// The Entra tenant id.
    pub tenant_id: String,
    /// The app (client) id whose federated credential trusts the repository.
    pub client_id: String,
    /// The runner's `ACTIONS_ID_TOKEN_REQUEST_URL`.
    pub request_url: String,
    /// The runner's `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (a secret).
    pub request_token: String,
    /// The federated credential's audience (default `api://AzureADTokenExchange`).
    pub audience: Option<String>,
}

/// Signs a GitHub Actions job in: the runner's OIDC ID token is exchanged for a Graph token
/// (the workflow needs `permissions: id-token: write`).
#[napi]
pub struct GitHubActionsCredential {
    inner: Arc<dyn Credential>,
    describe: String,
}

credential_class!(GitHubActionsCredential);

#[napi]
impl GitHubActionsCredential {
    /// `clientId` in `tenantId`, with the runner's ID-token request URL and token.
    #[napi(catch_unwind, constructor)]
    pub fn new(options: GitHubActionsOptions) -> Self {
        let text = describe(
            "GitHubActionsCredential",
            &[
                ("tenantId", Some(&options.tenant_id)),
                ("clientId", Some(&options.client_id)),
                ("audience", options.audience.as_deref()),
            ],
        );
        let credential = ic::GitHubActionsCredential::new(
            options.tenant_id,
            options.client_id,
            options.request_url,
            Secret::new(options.request_token),
        );
        let credential = match options.audience {
            Some(audience) => credential.with_audience(audience),
            None => credential,
        };
        Self::of(wrap(credential, text))
    }

    /// From `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `ACTIONS_ID_TOKEN_REQUEST_URL` and
    /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN` of `vars` (the process environment when absent).
    #[napi(catch_unwind, factory)]
    pub fn from_env(env: &Env, vars: Option<HashMap<String, String>>) -> Result<Self> {
        let var = reader(vars);
        let credential = ic::GitHubActionsCredential::from_env_with(&var)
            .map_err(|e| throw(env, configuration(&e)))?;
        let text = describe(
            "GitHubActionsCredential",
            &[
                ("tenantId", var("AZURE_TENANT_ID").as_deref()),
                ("clientId", var("AZURE_CLIENT_ID").as_deref()),
            ],
        );
        Ok(Self::of(wrap(credential, text)))
    }
}

/// Options of `new AzureCliCredential(...)`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct AzureCliOptions {
    /// Ask for a token of this tenant (`--tenant`), for an account in several tenants.
    pub tenant_id: Option<String>,
    /// Run this program instead of the `az` found on `PATH`.
    pub program: Option<String>,
    /// Look for `az` in this `PATH` value instead of the process's.
    pub search_path: Option<String>,
    /// How long `az` may take, in milliseconds (default 10,000).
    pub timeout_ms: Option<u32>,
}

/// Signs in with the Azure CLI's account (`az login` first).
#[napi]
pub struct AzureCliCredential {
    inner: Arc<dyn Credential>,
    describe: String,
}

credential_class!(AzureCliCredential);

#[napi]
impl AzureCliCredential {
    /// The CLI's current account.
    #[napi(catch_unwind, constructor)]
    pub fn new(options: Option<AzureCliOptions>) -> Self {
        let options = options.unwrap_or_default();
        let text = describe(
            "AzureCliCredential",
            &[("tenantId", options.tenant_id.as_deref())],
        );
        let mut credential = ic::AzureCliCredential::new();
        if let Some(t) = options.tenant_id {
            credential = credential.with_tenant(t);
        }
        if let Some(p) = options.program {
            credential = credential.with_program(p);
        }
        if let Some(p) = options.search_path {
            credential = credential.with_search_path(p);
        }
        if let Some(ms) = options.timeout_ms {
            credential = credential.with_timeout(Duration::from_millis(u64::from(ms)));
        }
        Self::of(wrap(credential, text))
    }
}

/// Options of `new DeviceCodeCredential(...)`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct DeviceCodeOptions {
    /// The tenant (an id or domain; default `organizations`: any work account).
    pub tenant_id: Option<String>,
    /// Your own public client app (Authentication > Allow public client flows: Yes).
    pub client_id: String,
}

/// Signs a person in with the device code flow: the prompt (a code to enter at
/// `https://microsoft.com/devicelogin`) goes to standard error.
#[napi]
pub struct DeviceCodeCredential {
    inner: Arc<dyn Credential>,
    describe: String,
}

credential_class!(DeviceCodeCredential);

#[napi]
impl DeviceCodeCredential {
    /// A sign-in to `tenantId` with the public client app `clientId` (Microsoft's own app ids
    /// are refused with `ERR_CONFIGURATION`).
    #[napi(catch_unwind, constructor)]
    pub fn new(env: &Env, options: DeviceCodeOptions) -> Result<Self> {
        let tenant = options
            .tenant_id
            .unwrap_or_else(|| "organizations".to_owned());
        let text = describe(
            "DeviceCodeCredential",
            &[
                ("tenantId", Some(&tenant)),
                ("clientId", Some(&options.client_id)),
            ],
        );
        ic::DeviceCodeCredential::new(tenant, options.client_id)
            .map(|c| Self::of(wrap(c, text)))
            .map_err(|e| throw(env, configuration(&e)))
    }
}

/// The Azure SDKs' default chain: environment (secret or certificate), workload identity,
/// managed identity, the Azure CLI; `AZURE_TOKEN_CREDENTIALS` picks one (or `dev` / `prod`).
#[napi]
pub struct DefaultAzureCredential {
    inner: Arc<dyn Credential>,
    describe: String,
    steps: Vec<String>,
}

impl DefaultAzureCredential {
    fn of(chain: ic::DefaultAzureCredential) -> Self {
        let steps = chain.steps().into_iter().map(str::to_owned).collect();
        let describe = format!(
            "DefaultAzureCredential(steps=['{}'])",
            chain.steps().join("', '")
        );
        Self {
            inner: Arc::new(chain),
            describe,
            steps,
        }
    }
}

#[napi]
impl DefaultAzureCredential {
    /// The chain for the process environment.
    #[napi(catch_unwind, constructor)]
    pub fn new(env: &Env) -> Result<Self> {
        Self::from_env(env, None)
    }

    /// The chain for `vars` (the process environment when absent).
    #[napi(catch_unwind, factory)]
    pub fn from_env(env: &Env, vars: Option<HashMap<String, String>>) -> Result<Self> {
        let var = reader(vars);
        ic::DefaultAzureCredential::from_env_with(&var)
            .map(Self::of)
            .map_err(|e| throw(env, configuration(&e)))
    }

    /// The names of the steps, in order.
    #[napi(catch_unwind, getter)]
    pub fn steps(&self) -> Vec<String> {
        self.steps.clone()
    }

    /// What it is (never a secret).
    #[napi(catch_unwind, js_name = "toString")]
    pub fn to_text(&self) -> String {
        self.describe.clone()
    }
}

/// The credential behind a `credential` option: one of the classes above, or a JS object with
/// `getToken` (else `ERR_CONFIGURATION`).
pub(crate) fn from_js(
    env: &Env,
    value: Unknown<'_>,
) -> std::result::Result<Arc<dyn Credential>, Failure> {
    macro_rules! ours {
        ($($class:ident),*) => {
            $(
                if $class::instance_of(env, &value).unwrap_or(false) {
                    let class = ClassInstance::<$class>::from_unknown(value)
                        .map_err(|e| failure("ERR_CONFIGURATION", e.reason.clone()))?;
                    return Ok(class.as_ref().inner.clone());
                }
            )*
        };
    }
    ours!(
        ManagedIdentityCredential,
        WorkloadIdentityCredential,
        GitHubActionsCredential,
        AzureCliCredential,
        DeviceCodeCredential,
        DefaultAzureCredential
    );
    Ok(Arc::new(JsCredential::new(env, value)?))
}
