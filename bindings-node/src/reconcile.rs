//! The Apple Business reconciliation on `Client`, and `AppleBusinessSimulator`, the simulated
//! Apple Business service. Thin: the core decides everything.

use intune_apple_core::abm;
use intune_apple_core::workflows::reconcile::{reconcile, ReconcileError, ReconcileOptions};
use intune_apple_core::Secret;
use intune_apple_sim::abm::{AbmSimHandle, AppleBusinessSimulator as Sim, OrgSeed};
use napi::bindgen_prelude::PromiseRaw;
use napi::{Env, Result};
use napi_derive::napi;

use crate::client::Client;
use crate::error::{code_of, failure, run_plain, throw, Failure, IntuneAppleErrorFields};

impl From<&abm::Error> for Failure {
    fn from(e: &abm::Error) -> Self {
        Self(Box::new(IntuneAppleErrorFields {
            message: e.to_string(),
            code: code_of(e.kind()).to_owned(),
            status: e.status().map(u32::from),
            graph_code: e.code().map(str::to_owned),
            retry_after: e.retry_after().map(|d| d.as_secs_f64()),
            operation: Some(e.operation().to_owned()),
            ..IntuneAppleErrorFields::default()
        }))
    }
}

impl From<ReconcileError> for Failure {
    fn from(e: ReconcileError) -> Self {
        match &e {
            ReconcileError::Intune(g) => Failure::from(g),
            ReconcileError::AppleBusiness(a) => Failure::from(a),
        }
    }
}

/// The Apple Business API account and service of `reconcile`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct AppleBusinessOptions {
    /// The API account's client id (`BUSINESSAPI.…` or `SCHOOLAPI.…`).
    pub apple_client_id: String,
    /// The API account's key id.
    pub apple_key_id: String,
    /// The text of the API account's private key (`.pem`). A secret.
    pub apple_private_key: String,
    /// The API root (default `https://api-business.apple.com`).
    pub apple_api_url: Option<String>,
    /// The token endpoint (default `https://account.apple.com/auth/oauth2/token`).
    pub apple_token_url: Option<String>,
    /// Requests allowed per minute (default 20).
    pub requests_per_minute: Option<u32>,
}

#[napi]
impl Client {
    /// Reconciles the Apple Business organisation of the API account with this tenant's
    /// enrollment program tokens: per token its Apple MDM server (`evidence`, `confidence`) and
    /// `findings` (`code`, `case` a-f, `severity`, every `serials`, `action`). Read-only.
    #[napi(ts_return_type = "Promise<Reconciliation>")]
    pub fn reconcile<'e>(
        &self,
        env: &'e Env,
        options: AppleBusinessOptions,
    ) -> Result<PromiseRaw<'e, serde_json::Value>> {
        let apple = abm::AppleBusinessOptions {
            private_key: Some(Secret::new(options.apple_private_key)),
            api_url: options.apple_api_url,
            token_url: options.apple_token_url,
            requests_per_minute: options.requests_per_minute,
            spelling: |o| match o {
                abm::AppleBusinessOption::PrivateKey | abm::AppleBusinessOption::PrivateKeyPath => {
                    "applePrivateKey"
                }
                abm::AppleBusinessOption::RequestsPerMinute => "requestsPerMinute",
            },
            ..abm::AppleBusinessOptions::new(options.apple_client_id, options.apple_key_id)
        }
        .build()
        .map_err(|e| throw(env, Failure::from(&e)))?;
        let c = self.core();
        run_plain(env, async move {
            let r = reconcile(&c, &apple, &ReconcileOptions::default()).await?;
            serde_json::to_value(&r).map_err(|e| failure("ERR_DECODE", e.to_string()))
        })
    }
}

/// A simulated Apple Business service on 127.0.0.1 (the organisation behind the demo tenant).
#[napi]
pub struct AppleBusinessSimulator {
    handle: Option<AbmSimHandle>,
}

#[napi]
impl AppleBusinessSimulator {
    /// Starts it: `'demo'` (default), `'empty'`, or an organisation as JSON text.
    #[napi(factory)]
    pub fn start(env: &Env, seed: Option<String>) -> Result<Self> {
        let seed = match seed.as_deref() {
            None | Some("demo") => OrgSeed::demo(),
            Some("empty") => OrgSeed::empty(),
            Some(json) => OrgSeed::from_json(json)
                .map_err(|e| throw(env, failure("ERR_INVALID_INPUT", e.to_string())))?,
        };
        let handle =
            Sim::spawn(seed).map_err(|e| throw(env, failure("ERR_TRANSPORT", e.to_string())))?;
        Ok(Self {
            handle: Some(handle),
        })
    }

    fn running(&self, env: &Env) -> Result<&AbmSimHandle> {
        self.handle.as_ref().ok_or_else(|| {
            throw(
                env,
                failure("ERR_INVALID_INPUT", "the simulator was stopped"),
            )
        })
    }

    /// The options of `client.reconcile(...)` for this service (with its test-only key).
    #[napi]
    pub fn reconcile_options(&self, env: &Env) -> Result<AppleBusinessOptions> {
        let s = self.running(env)?;
        Ok(AppleBusinessOptions {
            apple_client_id: s.client_id().to_owned(),
            apple_key_id: s.key_id().to_owned(),
            apple_private_key: s.private_key_pem().to_owned(),
            apple_api_url: Some(s.base_url()),
            apple_token_url: Some(s.token_url()),
            requests_per_minute: None,
        })
    }

    /// Token requests granted so far.
    #[napi(getter)]
    pub fn tokens_issued(&self, env: &Env) -> Result<u32> {
        Ok(u32::try_from(self.running(env)?.tokens_issued()).unwrap_or(u32::MAX))
    }

    /// Stops it.
    #[napi]
    pub fn stop(&mut self) {
        self.handle = None;
    }
}
