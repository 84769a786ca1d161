//! Connect to the real tenant when credentials are set, else to the simulated demo tenant.

use intune_apple_core::graph::{env, Client, ClientSecretCredential};
use intune_apple_sim::{Seed, SimHandle, Simulator};

/// The demo files that pair with the simulated tenant (see `intune-apple-cli/data/README.md`).
pub mod demo {
    /// A correct renewal of the demo push certificate (same topic, later expiry).
    pub const PUSH_RENEWED: &str = include_str!("../data/demo-push-renewed.pem");
    /// A push certificate with another topic: the renewal refuses it.
    pub const PUSH_OTHER_TOPIC: &str = include_str!("../data/demo-push-other-topic.pem");
    /// An enrollment program token encrypted for the simulator's public key.
    pub const DEP_TOKEN: &str =
        include_str!("../data/ContosoABM_Token_2026-11-23T11-30-00Z_smime.p7m");
    /// Its file name.
    pub const DEP_TOKEN_NAME: &str = "ContosoABM_Token_2026-11-23T11-30-00Z_smime.p7m";
    /// A `.vpptoken` of the demo organisation `Contoso`.
    pub const VPP_TOKEN: &str = include_str!("../data/demo-contoso.vpptoken");
    /// The demo enrollment program token "Contoso ABM".
    pub const DEP_MAIN: &str = "d1111111-0000-4000-8000-000000000001";
    /// Its iOS profile "Corporate iPhone".
    pub const IPHONE_PROFILE: &str =
        "d1111111-0000-4000-8000-000000000001_e1111111-0000-4000-8000-000000000001";
    /// The Apple ID of the demo push certificate.
    pub const PUSH_APPLE_ID: &str = "admin@contoso.example";
    /// The Apple ID of the demo Apple Business Manager account.
    pub const ABM_APPLE_ID: &str = "abm@contoso.example";
}

/// A connected tenant.
#[derive(Debug)]
pub struct Tenant {
    /// The Graph client.
    pub client: Client,
    /// The simulator, when no credentials were set (kept alive with the client).
    pub sim: Option<SimHandle>,
}

impl Tenant {
    /// True when talking to the simulated demo tenant.
    #[must_use]
    pub fn is_simulated(&self) -> bool {
        self.sim.is_some()
    }

    /// The first line every example prints: which tenant it talks to.
    #[must_use]
    pub fn banner(&self) -> String {
        match &self.sim {
            Some(sim) => format!(
                "Simulated demo tenant at {} (no credentials set: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or INTUNE_APPLE_GRAPH_URL and INTUNE_APPLE_ACCESS_TOKEN, to use a real tenant)",
                sim.base_url()
            ),
            None => format!("Tenant at {}", self.client.graph_root()),
        }
    }
}

/// A client of the simulated tenant `sim`, signed in with its client secret.
///
/// # Errors
/// When the client cannot be built from the simulator's addresses.
pub fn client_for(sim: &SimHandle) -> Result<Client, intune_apple_core::graph::Error> {
    Client::builder()
        .base_url(sim.base_url())
        .authority_host(sim.authority_host())
        .credential(ClientSecretCredential::new(
            sim.tenant_id(),
            sim.client_id(),
            sim.client_secret(),
        ))
        .build()
}

/// Connects to the tenant of the credentials that `var` reads (the process environment:
/// `|name| std::env::var(name).ok()`), or starts the simulated demo tenant when none are set.
///
/// # Errors
/// A message saying what is wrong with the environment or the simulator.
pub async fn connect_with(var: &dyn Fn(&str) -> Option<String>) -> Result<Tenant, String> {
    if env::names_a_credential(var) {
        let client = Client::from_env_with(|name| var(name).filter(|v| !v.is_empty()))
            .map_err(|e| e.to_string())?;
        return Ok(Tenant { client, sim: None });
    }
    let sim = Simulator::start(Seed::demo())
        .await
        .map_err(|e| e.to_string())?;
    let client = client_for(&sim).map_err(|e| e.to_string())?;
    Ok(Tenant {
        client,
        sim: Some(sim),
    })
}

/// Reads a text file given on the command line.
///
/// # Errors
/// A message with the path and the reason.
pub fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// Exit code of a workflow error: 1 when a safety check refused (nothing written), 2 otherwise.
#[must_use]
pub fn exit_code(e: &intune_apple_core::workflows::error::WorkflowError) -> i32 {
    match e.code() {
        "renewal_refused" | "invalid_profile" => 1,
        _ => 2,
    }
}

/// Writes a workflow's warnings and steps, one per line.
pub fn print_steps(
    out: &mut dyn std::io::Write,
    steps: &[intune_apple_core::workflows::step::Step],
    warnings: &[String],
) {
    for w in warnings {
        let _ = writeln!(out, "  ! {w}");
    }
    for s in steps {
        let _ = writeln!(out, "  {:<12} {:?}: {}", s.name, s.outcome, s.detail);
    }
}
