//! Node bindings of intune-apple: the npm package `intune-apple`.
//!
//! Each exposed function converts its arguments, calls the core and converts the answer: the
//! binding holds no logic of its own.

use std::time::Duration;

use futures::TryStreamExt;
use intune_apple_core::graph::{self, ClientSecretCredential, StaticTokenCredential};
use napi::{Error, Result, Status};
use napi_derive::napi;

/// The stable `code` of an error, as JavaScript programs match on it (`ERR_THROTTLED`, ...).
fn error_code(kind: graph::ErrorKind) -> String {
    format!("ERR_{}", kind.as_str().to_ascii_uppercase())
}

/// Turns a core error into a rejected Promise; the reason starts with the stable code.
fn to_js_error(error: &graph::Error) -> Error {
    Error::new(
        Status::GenericFailure,
        format!("{}: {error}", error_code(error.kind())),
    )
}

/// Turns a core model value into a plain object with the Graph's camelCase field names.
fn to_plain<T: serde::Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::new(Status::GenericFailure, format!("ERR_DECODE: {e}")))
}

/// Options of `new Client(...)`.
#[napi(object)]
pub struct ClientOptions {
    /// The Entra tenant id.
    pub tenant_id: Option<String>,
    /// The app (client) id.
    pub client_id: Option<String>,
    /// The client secret of the app.
    pub client_secret: Option<String>,
    /// A bearer token used as is.
    pub access_token: Option<String>,
    /// Graph base URL override (for example the simulator's `baseUrl`).
    pub base_url: Option<String>,
    /// Token authority override (for example the simulator's `authorityHost`).
    pub authority_host: Option<String>,
    /// Timeout of one HTTP attempt, in milliseconds.
    pub attempt_timeout_ms: Option<u32>,
}

/// A Microsoft Graph client for the Apple credentials of an Intune tenant.
#[napi]
pub struct Client {
    inner: graph::Client,
}

#[napi]
impl Client {
    /// Builds a client from explicit options.
    #[napi(constructor)]
    pub fn new(options: ClientOptions) -> Result<Self> {
        let mut builder = graph::Client::builder();
        if let Some(url) = options.base_url {
            builder = builder.base_url(url);
        }
        if let Some(url) = options.authority_host {
            builder = builder.authority_host(url);
        }
        if let Some(ms) = options.attempt_timeout_ms {
            builder = builder.attempt_timeout(Duration::from_millis(u64::from(ms)));
        }
        builder = match (
            options.access_token,
            options.tenant_id,
            options.client_id,
            options.client_secret,
        ) {
            (Some(token), _, _, _) => builder.credential(StaticTokenCredential::new(token)),
            (None, Some(tenant), Some(client), Some(secret)) => {
                builder.credential(ClientSecretCredential::new(tenant, client, secret))
            }
            _ => return Err(Error::new(
                Status::InvalidArg,
                "ERR_CONFIGURATION: give accessToken, or tenantId with clientId and clientSecret"
                    .to_owned(),
            )),
        };
        let inner = builder.build().map_err(|e| to_js_error(&e))?;
        Ok(Self { inner })
    }

    /// Builds a client from `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` or
    /// `AZURE_CLIENT_CERTIFICATE_PATH`.
    #[napi(factory)]
    pub fn from_env() -> Result<Self> {
        let inner = graph::Client::from_env().map_err(|e| to_js_error(&e))?;
        Ok(Self { inner })
    }

    /// The tenant's Apple push certificate.
    #[napi(ts_return_type = "Promise<Record<string, unknown>>")]
    pub async fn push_certificate(&self) -> Result<serde_json::Value> {
        let cert = self
            .inner
            .push_certificate()
            .get()
            .await
            .map_err(|e| to_js_error(&e))?;
        to_plain(&cert)
    }

    /// Every VPP (Apps and Books) token of the tenant.
    #[napi(ts_return_type = "Promise<Array<Record<string, unknown>>>")]
    pub async fn vpp_tokens(&self) -> Result<Vec<serde_json::Value>> {
        let tokens: Vec<_> = self
            .inner
            .vpp_tokens()
            .list()
            .try_collect()
            .await
            .map_err(|e| to_js_error(&e))?;
        tokens.iter().map(to_plain).collect()
    }

    /// Every enrollment program (DEP / ABM) token of the tenant.
    #[napi(ts_return_type = "Promise<Array<Record<string, unknown>>>")]
    pub async fn enrollment_program_tokens(&self) -> Result<Vec<serde_json::Value>> {
        let tokens: Vec<_> = self
            .inner
            .enrollment_program_tokens()
            .list()
            .try_collect()
            .await
            .map_err(|e| to_js_error(&e))?;
        tokens.iter().map(to_plain).collect()
    }
}

/// A simulated Intune tenant on 127.0.0.1, for testing automation without a real tenant.
#[napi]
pub struct Simulator {
    handle: Option<intune_apple_sim::SimHandle>,
}

#[napi]
impl Simulator {
    /// Starts a simulator seeded with the demo tenant.
    #[napi(factory)]
    pub fn start() -> Result<Self> {
        let handle = intune_apple_sim::Simulator::spawn(intune_apple_sim::Seed::demo())
            .map_err(|e| Error::new(Status::GenericFailure, format!("ERR_TRANSPORT: {e}")))?;
        Ok(Self {
            handle: Some(handle),
        })
    }

    fn running(&self) -> Result<&intune_apple_sim::SimHandle> {
        self.handle.as_ref().ok_or_else(|| {
            Error::new(
                Status::GenericFailure,
                "ERR_CONFIGURATION: the simulator was stopped".to_owned(),
            )
        })
    }

    /// The Graph base URL to pass as `baseUrl`.
    #[napi(getter)]
    pub fn base_url(&self) -> Result<String> {
        Ok(self.running()?.base_url())
    }

    /// The token authority to pass as `authorityHost`.
    #[napi(getter)]
    pub fn authority_host(&self) -> Result<String> {
        Ok(self.running()?.authority_host())
    }

    /// The simulated tenant id.
    #[napi(getter)]
    pub fn tenant_id(&self) -> Result<String> {
        Ok(self.running()?.tenant_id())
    }

    /// The client id the simulator accepts.
    #[napi(getter)]
    pub fn client_id(&self) -> Result<String> {
        Ok(self.running()?.client_id().to_owned())
    }

    /// Client options ready for `new Client(...)`, with the simulator's test secret.
    #[napi]
    pub fn client_options(&self) -> Result<ClientOptions> {
        let sim = self.running()?;
        Ok(ClientOptions {
            tenant_id: Some(sim.tenant_id()),
            client_id: Some(sim.client_id().to_owned()),
            client_secret: Some(sim.client_secret().to_owned()),
            access_token: None,
            base_url: Some(sim.base_url()),
            authority_host: Some(sim.authority_host()),
            attempt_timeout_ms: None,
        })
    }

    /// Stops the simulator; later calls to it fail.
    #[napi]
    pub fn stop(&mut self) {
        self.handle = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(error_code(graph::ErrorKind::Throttled), "ERR_THROTTLED");
        assert_eq!(
            error_code(graph::ErrorKind::SyncTooSoon),
            "ERR_SYNC_TOO_SOON"
        );
        assert_eq!(error_code(graph::ErrorKind::NotFound), "ERR_NOT_FOUND");
    }
}
