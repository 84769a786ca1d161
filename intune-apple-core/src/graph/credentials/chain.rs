//! [`DefaultAzureCredential`]: the chain of the Azure SDKs, in their order: environment
//! (secret or certificate), workload identity (a federated token file, or GitHub Actions OIDC),
//! managed identity, Azure CLI.
//!
//! Managed identity is tried only where its environment is present (an `IDENTITY_ENDPOINT`,
//! `MSI_ENDPOINT`, `AZURE_POD_IDENTITY_AUTHORITY_HOST`, the Arc agent) or when asked with
//! `AZURE_TOKEN_CREDENTIALS` (`prod` or `ManagedIdentityCredential`), so a laptop never waits on
//! IMDS. `AZURE_TOKEN_CREDENTIALS` is honoured as the Azure SDKs do: `dev` (Azure CLI only),
//! `prod` (environment, workload identity, managed identity), or one credential's name.
//!
//! A step whose environment is absent says why and the chain moves on; a step that is refused
//! (a wrong secret) stops the chain. The first step that works is used from then on. When every
//! step fails, one error lists each step, what it tried and why it failed, without a secret.

use std::sync::{Arc, Mutex, PoisonError};

use super::{
    AccessToken, AzureCliCredential, ClientCertificateCredential, ClientSecretCredential,
    Credential, CredentialError, GitHubActionsCredential, ManagedIdentityCredential,
    ManagedIdentityId, ManagedIdentitySource, TokenRequestContext, WorkloadIdentityCredential,
};
use crate::clock::BoxFuture;
use crate::graph::env::{self, TOKEN_CREDENTIALS};

const NAME: &str = "DefaultAzureCredential";

/// One step of a failed chain: what it is, what it tried, and why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainAttempt {
    /// The credential, e.g. `ManagedIdentityCredential`.
    pub credential: String,
    /// What it tried (which variables, which endpoint).
    pub tried: String,
    /// Why it failed (the error's message, which never holds a secret).
    pub error: String,
    /// Whether the failure may pass.
    pub transient: bool,
}

pub(crate) fn chain_message(attempts: &[ChainAttempt]) -> String {
    let mut text = String::from(
        "no credential of the chain could sign in (environment, workload identity, managed \
         identity, Azure CLI). Each step:",
    );
    for a in attempts {
        text.push_str(&format!("\n- {} ({}): {}", a.credential, a.tried, a.error));
    }
    text.push_str(
        "\nConfigure one of them (see docs/deploy.md), or set AZURE_TOKEN_CREDENTIALS to the one \
         to use.",
    );
    text
}

/// Which steps `AZURE_TOKEN_CREDENTIALS` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialChoice {
    /// Unset: every step, managed identity only where its environment is present.
    #[default]
    All,
    /// `dev`: the Azure CLI.
    Dev,
    /// `prod`: environment, workload identity, managed identity (IMDS probed if no other
    /// managed-identity environment is present).
    Prod,
    /// `EnvironmentCredential`.
    Environment,
    /// `WorkloadIdentityCredential`.
    WorkloadIdentity,
    /// `ManagedIdentityCredential` (IMDS used without probing when nothing else is present).
    ManagedIdentity,
    /// `AzureCliCredential`.
    AzureCli,
}

impl CredentialChoice {
    /// Reads `AZURE_TOKEN_CREDENTIALS` (trimmed, any case); `None` for an unknown value.
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value.trim().to_ascii_lowercase().as_str() {
            "" => Self::All,
            "dev" => Self::Dev,
            "prod" => Self::Prod,
            "environmentcredential" => Self::Environment,
            "workloadidentitycredential" => Self::WorkloadIdentity,
            "managedidentitycredential" => Self::ManagedIdentity,
            "azureclicredential" => Self::AzureCli,
            _ => return None,
        })
    }

    fn keeps(self, step: Step) -> bool {
        match self {
            Self::All => true,
            Self::Dev | Self::AzureCli => step == Step::Cli,
            Self::Prod => step != Step::Cli,
            Self::Environment => step == Step::Environment,
            Self::WorkloadIdentity => step == Step::Workload,
            Self::ManagedIdentity => step == Step::Managed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Environment,
    Workload,
    Managed,
    Cli,
}

/// A step: a credential, or why it cannot be built here.
#[derive(Debug)]
struct Link {
    name: &'static str,
    tried: String,
    credential: Result<Arc<dyn Credential>, String>,
}

/// The Azure SDKs' default chain (see the module documentation).
#[derive(Debug)]
pub struct DefaultAzureCredential {
    links: Vec<Link>,
    chosen: Mutex<Option<usize>>,
    /// The step that failed last and its error, whose retry schedule the chain follows.
    last_failure: Mutex<Option<(usize, Arc<CredentialError>)>>,
}

impl DefaultAzureCredential {
    /// The chain for the process environment.
    ///
    /// # Errors
    /// [`CredentialError::Configuration`] when `AZURE_TOKEN_CREDENTIALS` has an unknown value.
    pub fn new() -> Result<Self, CredentialError> {
        Self::from_env_with(&|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// The chain for the variables `var` reads.
    ///
    /// ```
    /// use intune_apple_core::graph::DefaultAzureCredential;
    /// let vars = |name: &str| match name {
    ///     "IDENTITY_ENDPOINT" => Some("http://127.0.0.1:9/msi".to_owned()),
    ///     "IDENTITY_HEADER" => Some("h".to_owned()),
    ///     _ => None,
    /// };
    /// let chain = DefaultAzureCredential::from_env_with(&vars)?;
    /// assert_eq!(chain.steps(), ["EnvironmentCredential", "WorkloadIdentityCredential", "ManagedIdentityCredential", "AzureCliCredential"]);
    /// # Ok::<(), intune_apple_core::graph::CredentialError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Self::new`].
    pub fn from_env_with(var: &dyn Fn(&str) -> Option<String>) -> Result<Self, CredentialError> {
        let choice = match var(TOKEN_CREDENTIALS) {
            None => CredentialChoice::All,
            Some(v) => CredentialChoice::parse(&v).ok_or_else(|| {
                CredentialError::Configuration(format!(
                    "{TOKEN_CREDENTIALS}={v:?} is not dev, prod, EnvironmentCredential, \
                     WorkloadIdentityCredential, ManagedIdentityCredential or AzureCliCredential"
                ))
            })?,
        };
        let mut links = Vec::new();
        if choice.keeps(Step::Environment) {
            links.push(environment(var));
        }
        if choice.keeps(Step::Workload) {
            links.push(workload(var));
        }
        if choice.keeps(Step::Managed) {
            links.push(managed(var, choice));
        }
        if choice.keeps(Step::Cli) {
            let cli = AzureCliCredential::new();
            let cli = match var(env::TENANT_ID) {
                Some(t) => cli.with_tenant(t),
                None => cli,
            };
            links.push(Link {
                name: "AzureCliCredential",
                tried: "az account get-access-token".into(),
                credential: Ok(Arc::new(cli)),
            });
        }
        Ok(Self {
            links,
            chosen: Mutex::new(None),
            last_failure: Mutex::new(None),
        })
    }

    /// The names of the steps, in order.
    #[must_use]
    pub fn steps(&self) -> Vec<&'static str> {
        self.links.iter().map(|l| l.name).collect()
    }

    /// The step that signed in, once one has.
    #[must_use]
    pub fn chosen(&self) -> Option<&'static str> {
        let chosen = *self.chosen.lock().unwrap_or_else(PoisonError::into_inner);
        chosen.and_then(|i| self.links.get(i)).map(|l| l.name)
    }
}

fn environment(var: &dyn Fn(&str) -> Option<String>) -> Link {
    let tried = format!(
        "{}, {} with {} or {}",
        env::TENANT_ID,
        env::CLIENT_ID,
        env::CLIENT_SECRET,
        env::CLIENT_CERTIFICATE_PATH
    );
    let credential = match (var(env::TENANT_ID), var(env::CLIENT_ID)) {
        (Some(tenant), Some(client)) => {
            if let Some(secret) = var(env::CLIENT_SECRET) {
                Ok(
                    Arc::new(ClientSecretCredential::new(tenant, client, secret))
                        as Arc<dyn Credential>,
                )
            } else if let Some(path) = var(env::CLIENT_CERTIFICATE_PATH) {
                let password = var(env::CLIENT_CERTIFICATE_PASSWORD).map(crate::Secret::new);
                ClientCertificateCredential::from_file(
                    tenant,
                    client,
                    &path,
                    password.as_ref().map(crate::Secret::expose),
                )
                .map(|c| Arc::new(c) as Arc<dyn Credential>)
                .map_err(|e| e.to_string())
            } else {
                Err(format!(
                    "neither {} nor {} is set",
                    env::CLIENT_SECRET,
                    env::CLIENT_CERTIFICATE_PATH
                ))
            }
        }
        _ => Err(format!(
            "{} and {} are not both set",
            env::TENANT_ID,
            env::CLIENT_ID
        )),
    };
    Link {
        name: "EnvironmentCredential",
        tried,
        credential,
    }
}

fn workload(var: &dyn Fn(&str) -> Option<String>) -> Link {
    if var(super::assertion::vars::FEDERATED_TOKEN_FILE).is_none()
        && var(super::assertion::vars::ACTIONS_ID_TOKEN_REQUEST_URL).is_some()
    {
        return Link {
            name: "WorkloadIdentityCredential",
            tried: "GitHub Actions OIDC (ACTIONS_ID_TOKEN_REQUEST_URL)".into(),
            credential: GitHubActionsCredential::from_env_with(var)
                .map(|c| Arc::new(c) as Arc<dyn Credential>)
                .map_err(|e| e.to_string()),
        };
    }
    Link {
        name: "WorkloadIdentityCredential",
        tried: format!(
            "{} with {} and {}",
            super::assertion::vars::FEDERATED_TOKEN_FILE,
            env::TENANT_ID,
            env::CLIENT_ID
        ),
        credential: WorkloadIdentityCredential::from_env_with(var)
            .map(|c| Arc::new(c) as Arc<dyn Credential>)
            .map_err(|e| e.to_string()),
    }
}

fn managed(var: &dyn Fn(&str) -> Option<String>, choice: CredentialChoice) -> Link {
    let present = ManagedIdentitySource::present_in(var);
    let id = var(env::CLIENT_ID).map_or(
        ManagedIdentityId::SystemAssigned,
        ManagedIdentityId::ClientId,
    );
    let source = ManagedIdentitySource::from_env_with(var);
    let tried = source.describe().to_owned();
    let credential = if present || choice == CredentialChoice::ManagedIdentity {
        Ok(Arc::new(ManagedIdentityCredential::with_source(source, id)) as Arc<dyn Credential>)
    } else if choice == CredentialChoice::Prod {
        Ok(
            Arc::new(ManagedIdentityCredential::with_source(source, id).with_probe(true))
                as Arc<dyn Credential>,
        )
    } else {
        Err(
            "no managed identity environment (IDENTITY_ENDPOINT, MSI_ENDPOINT, \
             AZURE_POD_IDENTITY_AUTHORITY_HOST, the Arc agent); on a VM set \
             AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential"
                .to_owned(),
        )
    };
    Link {
        name: "ManagedIdentityCredential",
        tried,
        credential,
    }
}

impl Credential for DefaultAzureCredential {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        Box::pin(async move {
            let chosen = *self.chosen.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(link) = chosen.and_then(|i| self.links.get(i)) {
                if let Ok(c) = &link.credential {
                    return c.get_token(ctx).await;
                }
            }
            let mut attempts = Vec::new();
            for (i, link) in self.links.iter().enumerate() {
                let credential = match &link.credential {
                    Ok(c) => c,
                    Err(why) => {
                        attempts.push(ChainAttempt {
                            credential: link.name.into(),
                            tried: link.tried.clone(),
                            error: why.clone(),
                            transient: false,
                        });
                        continue;
                    }
                };
                match credential.get_token(ctx.clone()).await {
                    Ok(token) => {
                        *self.chosen.lock().unwrap_or_else(PoisonError::into_inner) = Some(i);
                        tracing::info!(credential = link.name, "signed in");
                        return Ok(token);
                    }
                    Err(e) => {
                        let e = CredentialError::Shared(Arc::new(e));
                        let unavailable = matches!(e.root(), CredentialError::Unavailable { .. });
                        attempts.push(ChainAttempt {
                            credential: link.name.into(),
                            tried: link.tried.clone(),
                            error: e.to_string(),
                            transient: e.is_transient(),
                        });
                        // A step whose environment is there but which failed is the one the
                        // admin meant: stop and say so, as the Azure SDKs do (a passing failure
                        // is retried by the cache with that step's own schedule).
                        if !unavailable {
                            *self
                                .last_failure
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner) = Some((i, Arc::new(e)));
                            break;
                        }
                    }
                }
            }
            Err(CredentialError::Chain(attempts))
        })
    }

    fn name(&self) -> &str {
        NAME
    }

    fn retry_delay(&self, retry: u32, error: &CredentialError) -> Option<std::time::Duration> {
        if let Some(i) = *self.chosen.lock().unwrap_or_else(PoisonError::into_inner) {
            let link = self.links.get(i)?;
            return link.credential.as_ref().ok()?.retry_delay(retry, error);
        }
        if !error.is_transient() {
            return None;
        }
        let last = self
            .last_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let (i, step_error) = last?;
        let credential = self.links.get(i)?.credential.as_ref().ok()?;
        credential.retry_delay(retry, &step_error)
    }
}
