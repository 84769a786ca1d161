//! `Simulator`: the simulated Intune tenant on 127.0.0.1, for testing automation without a
//! real tenant; `AppleBusinessSimulator`: the simulated Apple Business API of `reconcile`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use intune_apple_sim::abm::{AbmSimHandle, OrgSeed};
use intune_apple_sim::{Seed, SimHandle};

use crate::client::{Client, ClientOptions, Credential};
use crate::error::IntuneAppleError;
use crate::reconcile::AppleBusinessOptions;

type Result<T> = std::result::Result<T, IntuneAppleError>;

/// A fault rule of the simulator: which requests it hits and what it does.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct SimulatorFault {
    /// Method to match (any when absent).
    #[uniffi(default)]
    pub method: Option<String>,
    /// Path to match: exact path (no query), or a prefix when it ends with `*`.
    pub path: String,
    /// Hit only the n-th matching call (1-based).
    #[uniffi(default)]
    pub nth: Option<u32>,
    /// What happens: `throttle`, `status`, `delay`, `drop`, `malformed`, ... (docs/simulator.md).
    pub kind: String,
    /// `throttle`: the `Retry-After` header value (e.g. `"2"` or `"0.5"`).
    #[uniffi(default)]
    pub retry_after: Option<String>,
    /// `status`: the HTTP status (e.g. 503).
    #[uniffi(default)]
    pub status: Option<u16>,
    /// `delay`: milliseconds.
    #[uniffi(default)]
    pub ms: Option<u32>,
}

/// A simulated Intune tenant speaking Microsoft Graph on 127.0.0.1, with faults on demand.
#[derive(uniffi::Object)]
pub struct Simulator {
    handle: Mutex<Option<SimHandle>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Simulator")
    }
}

/// Runs `f` on a running simulator's handle, or says it was stopped (both simulators).
fn running<H, T>(handle: &Mutex<Option<H>>, f: impl FnOnce(&H) -> T) -> Result<T> {
    let guard = handle.lock().unwrap_or_else(PoisonError::into_inner);
    guard
        .as_ref()
        .map(f)
        .ok_or_else(|| IntuneAppleError::invalid_input("the simulator was stopped"))
}

impl Simulator {
    fn with<T>(&self, f: impl FnOnce(&SimHandle) -> T) -> Result<T> {
        running(&self.handle, f)
    }
}

#[uniffi::export]
impl Simulator {
    /// Starts a simulator: `seed` is `demo` (default: a push certificate, two enrollment
    /// program tokens, four VPP tokens, VPP apps), `empty`, `fleet_matching`, `fleet_drifted`,
    /// `fleet_missing`, or a seed as JSON text (docs/simulator.md).
    #[uniffi::constructor]
    pub fn start(seed: Option<String>) -> Result<Arc<Self>> {
        let seed = match seed.as_deref() {
            None | Some("demo") => Seed::demo(),
            Some("empty") => Seed::empty(),
            Some("fleet_matching") => Seed::fleet_matching(),
            Some("fleet_drifted") => Seed::fleet_drifted(),
            Some("fleet_missing") => Seed::fleet_missing(),
            Some(json) => {
                Seed::from_json(json).map_err(|e| IntuneAppleError::invalid_input(e.to_string()))?
            }
        };
        let handle = intune_apple_sim::Simulator::spawn(seed)
            .map_err(|e| IntuneAppleError::of("transport", e.to_string()))?;
        Ok(Arc::new(Self {
            handle: Mutex::new(Some(handle)),
        }))
    }

    /// The Graph base URL (a client's `baseUrl`).
    pub fn base_url(&self) -> Result<String> {
        self.with(SimHandle::base_url)
    }

    /// The token authority (a client's `authorityHost`).
    pub fn authority_host(&self) -> Result<String> {
        self.with(SimHandle::authority_host)
    }

    /// The simulated tenant id.
    pub fn tenant_id(&self) -> Result<String> {
        self.with(SimHandle::tenant_id)
    }

    /// The client id of the read-write application.
    pub fn client_id(&self) -> Result<String> {
        self.with(|s| s.client_id().to_owned())
    }

    /// The read-write application's credential (a test-only client secret).
    pub fn credential(&self) -> Result<Arc<Credential>> {
        self.with(|s| {
            Credential::client_secret(
                s.tenant_id(),
                s.client_id().to_owned(),
                s.client_secret().to_owned(),
            )
        })
    }

    /// The read-only application's credential (its writes get `Forbidden`).
    pub fn read_only_credential(&self) -> Result<Arc<Credential>> {
        self.with(|s| {
            let (id, secret) = s.read_only_client();
            Credential::client_secret(s.tenant_id(), id.to_owned(), secret.to_owned())
        })
    }

    /// The client options that point at this simulator (`baseUrl`, `authorityHost`).
    pub fn client_options(&self) -> Result<ClientOptions> {
        self.with(|s| ClientOptions {
            base_url: Some(s.base_url()),
            authority_host: Some(s.authority_host()),
            ..ClientOptions::default()
        })
    }

    /// A client of the read-write application, ready to use.
    pub fn client(&self) -> Result<Arc<Client>> {
        Client::new(self.credential()?, self.client_options()?)
    }

    /// The profile template the fleet seeds are held against (JSON text; the `template` of
    /// `profileDrift`).
    pub fn fleet_template(&self) -> String {
        Seed::FLEET_TEMPLATE.to_owned()
    }

    /// The per-tenant values of `fleetTemplate()` for the fleet tenants `northwind`
    /// (`fleet_matching`), `fabrikam` (`fleet_drifted`) and `tailspin` (`fleet_missing`); JSON
    /// text.
    pub fn fleet_values(&self) -> String {
        Seed::FLEET_VALUES.to_owned()
    }

    /// A valid access token of the read-write application.
    pub fn issue_token(&self) -> Result<String> {
        self.with(SimHandle::issue_token)
    }

    /// Adds a fault rule.
    pub fn add_fault(&self, fault: SimulatorFault) -> Result<()> {
        let fault = intune_apple_sim::FaultSpec {
            method: fault.method,
            path: fault.path,
            nth: fault.nth.map(u64::from),
            kind: fault.kind,
            retry_after: fault.retry_after,
            status: fault.status,
            ms: fault.ms.map(u64::from),
        }
        .into_fault()
        .map_err(IntuneAppleError::invalid_input)?;
        self.with(|s| s.add_fault(fault))
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) -> Result<()> {
        self.with(SimHandle::clear_faults)
    }

    /// Expires every access token issued so far.
    pub fn expire_tokens(&self) -> Result<()> {
        self.with(SimHandle::expire_tokens)
    }

    /// Turns Intune's per-tenant throttle on or off.
    pub fn set_throttle(&self, on: bool) -> Result<()> {
        self.with(|s| s.set_throttle(on))
    }

    /// Sets the page size of collections (at least 1).
    pub fn set_page_size(&self, size: u32) -> Result<()> {
        let size = usize::try_from(size.max(1)).unwrap_or(1);
        self.with(|s| s.set_page_size(size))
    }

    /// How many writes changed the tenant's state.
    pub fn writes_applied(&self) -> Result<u64> {
        self.with(SimHandle::writes_applied)
    }

    /// The simulator's clock.
    pub fn now(&self) -> Result<SystemTime> {
        self.with(|s| s.now().into())
    }

    /// Sets the simulator's clock.
    pub fn set_now(&self, now: SystemTime) -> Result<()> {
        self.with(|s| s.set_now(now.into()))
    }

    /// Moves the simulator's clock forward.
    pub fn advance(&self, by: Duration) -> Result<()> {
        let by = chrono::Duration::from_std(by)
            .map_err(|e| IntuneAppleError::invalid_input(format!("advance: {e}")))?;
        self.with(|s| s.advance(by))
    }

    /// Whether the simulator is running.
    pub fn is_running(&self) -> bool {
        self.handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Stops the simulator; later calls to it fail with `InvalidInput`.
    pub fn stop(&self) {
        let handle = self
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(h) = handle {
            h.shutdown();
        }
    }
}

/// A simulated Apple Business API (and its token endpoint) on 127.0.0.1: the organisation
/// behind the demo tenant, for `Client.reconcile` without a real account.
#[derive(uniffi::Object)]
pub struct AppleBusinessSimulator {
    handle: Mutex<Option<AbmSimHandle>>,
}

impl std::fmt::Debug for AppleBusinessSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppleBusinessSimulator")
    }
}

impl AppleBusinessSimulator {
    fn with<T>(&self, f: impl FnOnce(&AbmSimHandle) -> T) -> Result<T> {
        running(&self.handle, f)
    }
}

#[uniffi::export]
impl AppleBusinessSimulator {
    /// Starts one: `seed` is `demo` (default: the organisation behind the demo tenant),
    /// `empty`, or an organisation as JSON text (docs/simulator.md).
    #[uniffi::constructor]
    pub fn start(seed: Option<String>) -> Result<Arc<Self>> {
        let seed = match seed.as_deref() {
            None | Some("demo") => OrgSeed::demo(),
            Some("empty") => OrgSeed::empty(),
            Some(json) => OrgSeed::from_json(json)
                .map_err(|e| IntuneAppleError::invalid_input(e.to_string()))?,
        };
        let handle = intune_apple_sim::abm::AppleBusinessSimulator::spawn(seed)
            .map_err(|e| IntuneAppleError::of("transport", e.to_string()))?;
        Ok(Arc::new(Self {
            handle: Mutex::new(Some(handle)),
        }))
    }

    /// The API root (`AppleBusinessOptions.appleApiUrl`).
    pub fn base_url(&self) -> Result<String> {
        self.with(AbmSimHandle::base_url)
    }

    /// The token endpoint (`AppleBusinessOptions.appleTokenUrl`).
    pub fn token_url(&self) -> Result<String> {
        self.with(AbmSimHandle::token_url)
    }

    /// The API account's client id.
    pub fn client_id(&self) -> Result<String> {
        self.with(|s| s.client_id().to_owned())
    }

    /// The API account's key id.
    pub fn key_id(&self) -> Result<String> {
        self.with(|s| s.key_id().to_owned())
    }

    /// The API account's private key (PKCS#8 PEM), made at start: test-only, never a real key.
    pub fn private_key_pem(&self) -> Result<String> {
        self.with(|s| s.private_key_pem().to_owned())
    }

    /// The options of `Client.reconcile` that point at this simulator.
    pub fn options(&self) -> Result<AppleBusinessOptions> {
        self.with(|s| AppleBusinessOptions {
            apple_api_url: Some(s.base_url()),
            apple_token_url: Some(s.token_url()),
            requests_per_minute: None,
        })
    }

    /// Token requests granted so far.
    pub fn tokens_issued(&self) -> Result<u64> {
        self.with(AbmSimHandle::tokens_issued)
    }

    /// Whether the simulator is running.
    pub fn is_running(&self) -> bool {
        self.handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Stops the simulator; later calls to it fail with `InvalidInput`.
    pub fn stop(&self) {
        let handle = self
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(handle);
    }
}
