//! `Simulator`: the simulated Intune tenant, for testing automation without a real tenant.

use chrono::{DateTime, Utc};
use intune_apple_sim::{Seed, SimHandle};
use napi::{Env, Result};
use napi_derive::napi;

use crate::client::ClientOptions;
use crate::error::{failure, throw};

/// Options of `Simulator.start(...)`.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct SimulatorOptions {
    /// `'demo'` (default: a push certificate, two enrollment program tokens, four VPP tokens,
    /// VPP apps), `'empty'`, one of the fleet tenants for enrollment profiles as code
    /// (`'fleet_matching'`, `'fleet_drifted'`, `'fleet_missing'`: see docs/profiles.md), or a
    /// seed as JSON text (see docs/simulator.md).
    pub seed: Option<String>,
    /// Instead of a seed: one enrollment program token holding this many generated devices.
    pub devices: Option<f64>,
    /// Items per page of every collection.
    pub page_size: Option<f64>,
    /// Whether Intune's per-tenant throttle is on.
    pub throttle: Option<bool>,
}

/// A fault rule of the simulator: which requests it hits and what it does.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct SimulatorFault {
    /// Method to match (any when absent).
    pub method: Option<String>,
    /// Path to match: exact path (no query), or a prefix when it ends with `*`.
    pub path: String,
    /// Hit only the n-th matching call (1-based).
    pub nth: Option<u32>,
    /// What happens.
    #[napi(ts_type = "FaultKind")]
    pub kind: String,
    /// `throttle`: the `Retry-After` header value (e.g. `"2"` or `"0.5"`).
    pub retry_after: Option<String>,
    /// `status`: the HTTP status (e.g. 503).
    pub status: Option<u32>,
    /// `delay`: milliseconds.
    pub ms: Option<u32>,
}

/// One request the simulator received.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct SimulatorRequest {
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Whether a bearer token was sent.
    pub bearer: bool,
    /// Status answered (0 when the connection was dropped).
    pub status: u32,
    /// Size of the response body.
    pub body_size: u32,
    /// The `client-request-id` sent (the same on every retry of one call).
    pub client_request_id: Option<String>,
    /// Whether this request was a write that changed state.
    pub applied: bool,
}

/// The ids of the simulated host's user-assigned managed identity.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct UserAssignedIdentity {
    /// Its client (application) id.
    pub client_id: String,
    /// Its object (principal) id.
    pub object_id: String,
    /// Its Azure resource id.
    pub resource_id: String,
}

/// A simulated Intune tenant speaking Microsoft Graph on 127.0.0.1, with faults on demand.
#[napi]
pub struct Simulator {
    handle: Option<SimHandle>,
}

fn seed_of(options: &SimulatorOptions) -> std::result::Result<Seed, crate::error::Failure> {
    let mut seed = match (options.devices, options.seed.as_deref()) {
        (Some(n), _) => {
            let n = crate::guard::whole_or_failure("devices", n, 0, 100_000_000)?;
            Seed::with_devices(0, usize::try_from(n).unwrap_or(0))
        }
        (None, None | Some("demo")) => Seed::demo(),
        (None, Some("empty")) => Seed::empty(),
        (None, Some("fleet_matching")) => Seed::fleet_matching(),
        (None, Some("fleet_drifted")) => Seed::fleet_drifted(),
        (None, Some("fleet_missing")) => Seed::fleet_missing(),
        (None, Some(json)) => {
            Seed::from_json(json).map_err(|e| failure("ERR_INVALID_INPUT", e.to_string()))?
        }
    };
    if let Some(n) = options.page_size {
        let n = crate::guard::whole_or_failure("pageSize", n, 1, 1_000_000)?;
        seed.page_size = usize::try_from(n).unwrap_or(1);
    }
    if let Some(on) = options.throttle {
        seed.throttle = on;
    }
    Ok(seed)
}

#[napi]
impl Simulator {
    /// Starts a simulator (seeded with the demo tenant unless told otherwise).
    #[napi(catch_unwind, factory)]
    pub fn start(env: &Env, options: Option<SimulatorOptions>) -> Result<Self> {
        let seed = seed_of(&options.unwrap_or_default()).map_err(|f| throw(env, f))?;
        let handle = intune_apple_sim::Simulator::spawn(seed)
            .map_err(|e| throw(env, failure("ERR_TRANSPORT", e.to_string())))?;
        Ok(Self {
            handle: Some(handle),
        })
    }

    fn running(&self, env: &Env) -> Result<&SimHandle> {
        self.handle.as_ref().ok_or_else(|| {
            throw(
                env,
                failure("ERR_INVALID_INPUT", "the simulator was stopped"),
            )
        })
    }

    /// The profile template the fleet seeds are held against (JSON text).
    #[napi(catch_unwind)]
    pub fn fleet_template() -> String {
        Seed::FLEET_TEMPLATE.to_owned()
    }

    /// The per-tenant values of `fleetTemplate()` (`northwind`, `fabrikam`, `tailspin`; JSON
    /// text).
    #[napi(catch_unwind)]
    pub fn fleet_values() -> String {
        Seed::FLEET_VALUES.to_owned()
    }

    /// The Graph base URL to pass as `baseUrl`.
    #[napi(catch_unwind, getter)]
    pub fn base_url(&self, env: &Env) -> Result<String> {
        Ok(self.running(env)?.base_url())
    }

    /// The token authority to pass as `authorityHost`.
    #[napi(catch_unwind, getter)]
    pub fn authority_host(&self, env: &Env) -> Result<String> {
        Ok(self.running(env)?.authority_host())
    }

    /// The simulated tenant id.
    #[napi(catch_unwind, getter)]
    pub fn tenant_id(&self, env: &Env) -> Result<String> {
        Ok(self.running(env)?.tenant_id())
    }

    /// The client id of the read-write application.
    #[napi(catch_unwind, getter)]
    pub fn client_id(&self, env: &Env) -> Result<String> {
        Ok(self.running(env)?.client_id().to_owned())
    }

    /// Options for `new Client(...)` as the read-write application (test-only secret).
    #[napi(catch_unwind)]
    pub fn client_options(&self, env: &Env) -> Result<ClientOptions<'static>> {
        let sim = self.running(env)?;
        Ok(ClientOptions {
            tenant_id: Some(sim.tenant_id()),
            client_id: Some(sim.client_id().to_owned()),
            client_secret: Some(sim.client_secret().to_owned()),
            base_url: Some(sim.base_url()),
            authority_host: Some(sim.authority_host()),
            ..ClientOptions::default()
        })
    }

    /// Options for `new Client(...)` as the read-only application (its writes get 403).
    #[napi(catch_unwind)]
    pub fn read_only_client_options(&self, env: &Env) -> Result<ClientOptions<'static>> {
        let sim = self.running(env)?;
        let (id, secret) = sim.read_only_client();
        Ok(ClientOptions {
            tenant_id: Some(sim.tenant_id()),
            client_id: Some(id.to_owned()),
            client_secret: Some(secret.to_owned()),
            base_url: Some(sim.base_url()),
            authority_host: Some(sim.authority_host()),
            ..ClientOptions::default()
        })
    }

    /// The PEM text (certificate and private key, test-only) of the application that
    /// authenticates with a certificate: pass it as `certificate` (or write it to a file for
    /// `certificatePath`) with `certificateClientId`.
    #[napi(catch_unwind)]
    pub fn certificate_client_pem(&self, env: &Env) -> Result<String> {
        self.running(env)?;
        Ok(format!(
            "{}\n{}",
            intune_apple_sim::CERT_CLIENT_CERT_PEM,
            intune_apple_sim::CERT_CLIENT_KEY_PEM
        ))
    }

    /// The client id of the certificate application.
    #[napi(catch_unwind, getter)]
    pub fn certificate_client_id(&self) -> String {
        intune_apple_sim::CERT_CLIENT_ID.to_owned()
    }

    /// `IDENTITY_ENDPOINT` of the simulated App Service host (managed identity).
    #[napi(catch_unwind, getter)]
    pub fn identity_endpoint(&self, env: &Env) -> Result<String> {
        Ok(format!("{}/msi/token", self.running(env)?.base_url()))
    }

    /// `IDENTITY_HEADER` of the simulated App Service host (test-only secret).
    #[napi(catch_unwind, getter)]
    pub fn identity_header(&self) -> String {
        intune_apple_sim::IDENTITY_HEADER.to_owned()
    }

    /// The ids of the simulated host's user-assigned managed identity.
    #[napi(catch_unwind, getter)]
    pub fn user_assigned_identity(&self) -> UserAssignedIdentity {
        UserAssignedIdentity {
            client_id: intune_apple_sim::USER_ASSIGNED_CLIENT_ID.to_owned(),
            object_id: intune_apple_sim::USER_ASSIGNED_OBJECT_ID.to_owned(),
            resource_id: intune_apple_sim::USER_ASSIGNED_RESOURCE_ID.to_owned(),
        }
    }

    /// The application trusting the simulator's federated tokens (workload identity, GitHub).
    #[napi(catch_unwind, getter)]
    pub fn federated_client_id(&self) -> String {
        intune_apple_sim::FEDERATED_CLIENT_ID.to_owned()
    }

    /// A federated token for the Kubernetes service account the federated application trusts,
    /// valid for `seconds` on the simulator's clock (negative: already expired).
    #[napi(catch_unwind)]
    pub fn federated_token(&self, env: &Env, seconds: f64) -> Result<String> {
        let seconds = crate::guard::whole(env, "seconds", seconds, -1_000_000_000, 1_000_000_000)?;
        Ok(self.running(env)?.federated_token(
            intune_apple_sim::K8S_SUBJECT,
            chrono::Duration::try_seconds(seconds).unwrap_or_default(),
        ))
    }

    /// The GitHub-style `ACTIONS_ID_TOKEN_REQUEST_URL`.
    #[napi(catch_unwind, getter)]
    pub fn github_id_token_url(&self, env: &Env) -> Result<String> {
        Ok(self.running(env)?.github_id_token_url())
    }

    /// The GitHub-style `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (test-only secret).
    #[napi(catch_unwind, getter)]
    pub fn github_request_token(&self) -> String {
        intune_apple_sim::GITHUB_REQUEST_TOKEN.to_owned()
    }

    /// A public client app for the device code flow.
    #[napi(catch_unwind, getter)]
    pub fn public_client_id(&self) -> String {
        intune_apple_sim::PUBLIC_CLIENT_ID.to_owned()
    }

    /// A valid access token of the read-write application (as a credential object would hand
    /// over).
    #[napi(catch_unwind)]
    pub fn issue_token(&self, env: &Env) -> Result<String> {
        Ok(self.running(env)?.issue_token())
    }

    /// How many token requests the simulator has answered (the token endpoint, the device code
    /// endpoint and every managed-identity endpoint).
    #[napi(catch_unwind)]
    pub fn token_requests(&self, env: &Env) -> Result<u32> {
        Ok(u32::try_from(self.running(env)?.token_requests()).unwrap_or(u32::MAX))
    }

    /// Requests received so far, oldest first.
    #[napi(catch_unwind)]
    pub fn request_log(&self, env: &Env) -> Result<Vec<SimulatorRequest>> {
        Ok(self
            .running(env)?
            .request_log()
            .into_iter()
            .map(|e| SimulatorRequest {
                method: e.method,
                path: e.path,
                bearer: e.bearer,
                status: u32::from(e.status),
                body_size: u32::try_from(e.body_size).unwrap_or(u32::MAX),
                client_request_id: e.client_request_id,
                applied: e.applied,
            })
            .collect())
    }

    /// How many writes changed the tenant's state.
    #[napi(catch_unwind, getter)]
    pub fn writes_applied(&self, env: &Env) -> Result<f64> {
        Ok(self.running(env)?.writes_applied() as f64)
    }

    /// Adds a fault rule.
    #[napi(catch_unwind)]
    pub fn add_fault(&self, env: &Env, fault: SimulatorFault) -> Result<()> {
        let sim = self.running(env)?;
        let invalid = |m: String| throw(env, failure("ERR_INVALID_INPUT", m));
        let status = fault
            .status
            .map(|v| {
                u16::try_from(v).map_err(|_| invalid(format!("status is {v}: give an HTTP status")))
            })
            .transpose()?;
        let fault = intune_apple_sim::FaultSpec {
            method: fault.method,
            path: fault.path,
            nth: fault.nth.map(u64::from),
            kind: fault.kind,
            retry_after: fault.retry_after,
            status,
            ms: fault.ms.map(u64::from),
        }
        .into_fault()
        .map_err(invalid)?;
        sim.add_fault(fault);
        Ok(())
    }

    /// Removes every fault rule.
    #[napi(catch_unwind)]
    pub fn clear_faults(&self, env: &Env) -> Result<()> {
        self.running(env)?.clear_faults();
        Ok(())
    }

    /// Expires every access token issued so far.
    #[napi(catch_unwind)]
    pub fn expire_tokens(&self, env: &Env) -> Result<()> {
        self.running(env)?.expire_tokens();
        Ok(())
    }

    /// Turns Intune's per-tenant throttle on or off.
    #[napi(catch_unwind)]
    pub fn set_throttle(&self, env: &Env, on: bool) -> Result<()> {
        self.running(env)?.set_throttle(on);
        Ok(())
    }

    /// Turns Intune's per-application throttle (100 writes / 1,000 requests per 20 s) on or off.
    #[napi(catch_unwind)]
    pub fn set_app_throttle(&self, env: &Env, on: bool) -> Result<()> {
        self.running(env)?.set_app_throttle(on);
        Ok(())
    }

    /// Sets how long a sync with Apple runs once triggered (milliseconds of the simulator's
    /// clock); while it runs, another sync of the same token is refused.
    #[napi(catch_unwind)]
    pub fn set_dep_sync_duration(&self, env: &Env, ms: f64) -> Result<()> {
        let ms = crate::guard::whole(env, "ms", ms, 0, crate::guard::MAX_SAFE)?;
        self.running(env)?
            .set_dep_sync_duration(chrono::Duration::milliseconds(ms));
        Ok(())
    }

    /// Sets the page size of collections.
    #[napi(catch_unwind)]
    pub fn set_page_size(&self, env: &Env, size: f64) -> Result<()> {
        let size = crate::guard::count(env, "size", size, 1, 1_000_000)?;
        self.running(env)?.set_page_size(size);
        Ok(())
    }

    /// The simulator's clock.
    #[napi(catch_unwind, getter)]
    pub fn now(&self, env: &Env) -> Result<DateTime<Utc>> {
        Ok(self.running(env)?.now())
    }

    /// Sets the simulator's clock.
    #[napi(catch_unwind)]
    pub fn set_now(&self, env: &Env, now: DateTime<Utc>) -> Result<()> {
        crate::guard::instant(env, "now", Some(now))?;
        self.running(env)?.set_now(now);
        Ok(())
    }

    /// Moves the simulator's clock forward by `ms` milliseconds.
    #[napi(catch_unwind)]
    pub fn advance(&self, env: &Env, ms: f64) -> Result<()> {
        let ms = crate::guard::whole(
            env,
            "ms",
            ms,
            -crate::guard::MAX_SAFE,
            crate::guard::MAX_SAFE,
        )?;
        self.running(env)?
            .advance(chrono::Duration::milliseconds(ms));
        Ok(())
    }

    /// Whether the simulator is running.
    #[napi(catch_unwind, getter, js_name = "isRunning")]
    pub fn running_now(&self) -> bool {
        self.handle.is_some()
    }

    /// Stops the simulator; later calls to it fail.
    #[napi(catch_unwind)]
    pub fn stop(&mut self) {
        self.handle = None;
    }
}
