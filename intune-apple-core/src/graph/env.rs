//! The environment variables [`Client::from_env`](super::Client::from_env) reads, and those
//! of the identities a host gives the jobs it runs, which the credentials read. The names
//! live here, below the client and the credentials, so that both can use them.

/// Tenant (directory) id.
pub const TENANT_ID: &str = "AZURE_TENANT_ID";
/// Application (client) id.
pub const CLIENT_ID: &str = "AZURE_CLIENT_ID";
/// Client secret.
pub const CLIENT_SECRET: &str = "AZURE_CLIENT_SECRET";
/// Path of the app's certificate with its private key: a PEM file, or a PKCS#12 file
/// (`.pfx`/`.p12`).
pub const CLIENT_CERTIFICATE_PATH: &str = "AZURE_CLIENT_CERTIFICATE_PATH";
/// Password of the certificate file: the PKCS#12 export password, or the password of an
/// encrypted key in a PEM file.
pub const CLIENT_CERTIFICATE_PASSWORD: &str = "AZURE_CLIENT_CERTIFICATE_PASSWORD";
/// Token authority host.
pub const AUTHORITY_HOST: &str = "AZURE_AUTHORITY_HOST";
/// Graph root URL (the client adds `/v1.0` or `/beta`).
pub const GRAPH_URL: &str = "INTUNE_APPLE_GRAPH_URL";
/// A bearer token obtained elsewhere.
pub const ACCESS_TOKEN: &str = "INTUNE_APPLE_ACCESS_TOKEN";
/// National cloud: `global`, `usgov`, `dod`, `china`.
pub const CLOUD: &str = "INTUNE_APPLE_CLOUD";

/// Whether the environment read through `var` names a way to sign in to a tenant: an app
/// secret or certificate, a ready token, or an identity of the host a scheduled job runs
/// on (managed identity, workload identity, GitHub Actions OIDC, or
/// `AZURE_TOKEN_CREDENTIALS`). Front ends that fall back to the simulated demo tenant ask
/// this, so that a runbook with a managed identity and no secret reports on its tenant.
///
/// ```
/// use intune_apple_core::graph::env;
/// assert!(!env::names_a_credential(&|_| None));
/// assert!(env::names_a_credential(&|name| {
///     (name == "IDENTITY_ENDPOINT").then(|| "http://127.0.0.1:1/msi".to_owned())
/// }));
/// ```
pub fn names_a_credential(var: &dyn Fn(&str) -> Option<String>) -> bool {
    [
        TENANT_ID,
        CLIENT_ID,
        CLIENT_SECRET,
        CLIENT_CERTIFICATE_PATH,
        GRAPH_URL,
        ACCESS_TOKEN,
        managed_identity::IDENTITY_ENDPOINT,
        managed_identity::MSI_ENDPOINT,
        managed_identity::POD_IDENTITY_AUTHORITY_HOST,
        federation::FEDERATED_TOKEN_FILE,
        federation::ACTIONS_ID_TOKEN_REQUEST_URL,
        TOKEN_CREDENTIALS,
    ]
    .iter()
    .any(|name| var(name).is_some_and(|v| !v.is_empty()))
}

/// The variables managed identity reads (App Service, Functions, Automation, Arc, Cloud
/// Shell, AKS pod identity).
pub(crate) mod managed_identity {
    /// App Service / Functions / Automation / Arc endpoint.
    pub const IDENTITY_ENDPOINT: &str = "IDENTITY_ENDPOINT";
    /// App Service / Functions / Automation header value (a secret).
    pub const IDENTITY_HEADER: &str = "IDENTITY_HEADER";
    /// Set with Service Fabric's endpoint (not supported here).
    pub const IDENTITY_SERVER_THUMBPRINT: &str = "IDENTITY_SERVER_THUMBPRINT";
    /// Set by the Arc agent.
    pub const IMDS_ENDPOINT: &str = "IMDS_ENDPOINT";
    /// Cloud Shell, or with [`MSI_SECRET`] the 2017 protocol.
    pub const MSI_ENDPOINT: &str = "MSI_ENDPOINT";
    /// The 2017 protocol's secret.
    pub const MSI_SECRET: &str = "MSI_SECRET";
    /// Overrides the IMDS address (`http://127.0.0.1:PORT` in tests).
    pub const POD_IDENTITY_AUTHORITY_HOST: &str = "AZURE_POD_IDENTITY_AUTHORITY_HOST";
}

/// The variables of workload identity federation and of GitHub Actions OIDC.
pub(crate) mod federation {
    /// Path of the federated token file.
    pub const FEDERATED_TOKEN_FILE: &str = "AZURE_FEDERATED_TOKEN_FILE";
    /// The GitHub runner's ID-token request URL.
    pub const ACTIONS_ID_TOKEN_REQUEST_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
    /// The GitHub runner's ID-token request bearer token (a secret).
    pub const ACTIONS_ID_TOKEN_REQUEST_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
}

/// The variable that narrows the default credential chain.
pub(crate) const TOKEN_CREDENTIALS: &str = "AZURE_TOKEN_CREDENTIALS";
