//! The Apple Business reconciliation: reads what Apple assigns to each MDM server and what each
//! enrollment program token holds in Intune, and applies the [reconciliation
//! rules](crate::rules::reconcile). See `docs/apple-business.md`.
//!
//! Apple's side costs `1 + Σ⌈devices of a server / 1000⌉ + ⌈devices of the organisation / 1000⌉`
//! requests (bulk relationship listings, never one request per device), within the Apple
//! Business client's request budget; Intune's side is read concurrently.
//!
//! ```
//! use intune_apple_core::abm::{self, ApiAccount, RequestBudget};
//! use intune_apple_core::graph::{Client, ClientSecretCredential};
//! use intune_apple_core::workflows::reconcile::{reconcile, ReconcileOptions};
//! use intune_apple_core::Secret;
//! use intune_apple_sim::abm::{AppleBusinessSimulator, OrgSeed};
//! use intune_apple_sim::{Seed, Simulator};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let (intune, apple) = (Simulator::start(Seed::demo()).await?, AppleBusinessSimulator::start(OrgSeed::demo()).await?);
//! let graph = Client::builder()
//!     .base_url(intune.base_url())
//!     .authority_host(intune.authority_host())
//!     .credential(ClientSecretCredential::new(intune.tenant_id(), intune.client_id(), intune.client_secret()))
//!     .build()?;
//! let abm = abm::Client::builder()
//!     .account(ApiAccount::from_pem(apple.client_id(), apple.key_id(), &Secret::new(apple.private_key_pem()))?)
//!     .api_root(apple.base_url())
//!     .token_url(apple.token_url())
//!     .request_budget(RequestBudget::unlimited())
//!     .build()?;
//! let result = reconcile(&graph, &abm, &ReconcileOptions::default()).await?;
//! println!("{}", result.to_table());
//! assert!(result.findings().any(|(_, f)| f.code == "abm.missing_in_intune"));
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use futures::{StreamExt as _, TryStreamExt as _};

use crate::abm;
use crate::graph;
use crate::model::apple_business::MdmServer;
use crate::model::DepOnboardingSetting;
pub use crate::rules::reconcile::{
    AppleOrganization, Confidence, Finding, IntuneToken, MatchEvidence, ReconcileOptions,
    Reconciliation, ServerMatch, TokenReconciliation,
};

/// How many serial numbers the text renderings show per finding (the JSON has them all).
pub const SERIALS_SHOWN: usize = 5;

/// Why the reconciliation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// Reading Apple Business failed.
    #[error("reading Apple Business: {0}")]
    AppleBusiness(#[from] abm::Error),
    /// Reading Intune failed.
    #[error("reading Intune: {0}")]
    Intune(#[from] graph::Error),
}

impl ReconcileError {
    /// The error kind ([`graph::ErrorKind::as_str`] names: `unauthorized`, `throttled`, ...).
    #[must_use]
    pub fn kind(&self) -> graph::ErrorKind {
        match self {
            Self::AppleBusiness(e) => e.kind(),
            Self::Intune(e) => e.kind(),
        }
    }
}

/// Reads Apple Business: every MDM server, each server's serials (bulk), every device.
///
/// # Errors
/// The first failing Apple Business call.
pub async fn read_apple_organization(apple: &abm::Client) -> Result<AppleOrganization, abm::Error> {
    let servers: Vec<MdmServer> = apple.mdm_servers().try_collect().await?;
    let mut assignments = BTreeMap::new();
    for s in &servers {
        if s.is_deleted() {
            continue;
        }
        // `deviceCount` 0 needs no request
        if s.device_count == Some(0) {
            assignments.insert(s.id.clone(), Vec::new());
            continue;
        }
        let serials: Vec<String> = apple.server_device_serials(&s.id).try_collect().await?;
        assignments.insert(s.id.clone(), serials);
    }
    let devices = apple.org_devices().try_collect().await?;
    Ok(AppleOrganization {
        servers,
        assignments,
        devices,
    })
}

/// Reads every enrollment program token of the tenant with its profiles and imported devices
/// (at most four tokens at a time).
///
/// # Errors
/// The first failing Graph call.
pub async fn read_intune_tokens(graph: &graph::Client) -> Result<Vec<IntuneToken>, graph::Error> {
    let tokens: Vec<DepOnboardingSetting> = graph
        .enrollment_program_tokens()
        .list()
        .try_collect()
        .await?;
    // The Apple Configurator key is listed among the tokens but holds none.
    let tokens = tokens
        .into_iter()
        .filter(|t| !crate::rules::setup::is_apple_configurator_key(t));
    futures::stream::iter(tokens)
        .map(|token| async move {
            let id = token.id.clone().unwrap_or_default();
            let profiles = graph.enrollment_profiles(&id).list().try_collect();
            let devices = graph.imported_devices(&id).list().try_collect();
            let (profiles, devices) = futures::try_join!(profiles, devices)?;
            Ok::<_, graph::Error>(IntuneToken {
                token,
                profiles,
                devices,
                last_full_sync: None,
            })
        })
        .buffered(4)
        .try_collect()
        .await
}

/// Reconciles the Apple Business organisation of `apple` with the tenant of `graph`, judged at
/// the Graph client's clock. Reads only: nothing changes on either side.
///
/// # Errors
/// [`ReconcileError`] when either side cannot be read.
pub async fn reconcile(
    graph: &graph::Client,
    apple: &abm::Client,
    options: &ReconcileOptions,
) -> Result<Reconciliation, ReconcileError> {
    let (org, tokens) = futures::join!(read_apple_organization(apple), read_intune_tokens(graph));
    let (org, tokens) = (org?, tokens?);
    let now = graph.clock().now();
    let now = chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    Ok(crate::rules::reconcile::reconcile(
        &org, &tokens, now, options,
    ))
}

fn shown(serials: &[String]) -> String {
    let mut s = serials
        .iter()
        .take(SERIALS_SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if serials.len() > SERIALS_SHOWN {
        let _ = write!(s, ", … (+{})", serials.len() - SERIALS_SHOWN);
    }
    s
}

fn evidence_name(e: MatchEvidence) -> &'static str {
    match e {
        MatchEvidence::Pinned => "pinned",
        MatchEvidence::SerialOverlap => "serial overlap",
        MatchEvidence::Name => "name",
    }
}

fn confidence_name(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

fn mapping_line(t: &TokenReconciliation) -> String {
    match &t.server {
        Some(m) => format!(
            "Apple MDM server \"{}\" ({}), by {}, {} confidence: {}",
            m.server_name.as_deref().unwrap_or(&m.server_id),
            m.server_id,
            evidence_name(m.evidence),
            confidence_name(m.confidence),
            m.explanation
        ),
        None => "no Apple MDM server".to_owned(),
    }
}

impl Reconciliation {
    /// Pretty JSON: every finding with every serial number.
    #[must_use]
    pub fn to_json(&self) -> String {
        // every map key is a string: serialising cannot fail
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a reconciliation saved with [`Reconciliation::to_json`].
    ///
    /// # Errors
    /// The JSON is not a reconciliation.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Markdown for a ticket or an email: per token, its mapping and a table of findings (the
    /// count and the first serial numbers of each).
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let mut out = format!(
            "# Apple Business reconciliation\n\nJudged at {}. Overall: **{}**.\n",
            self.generated_at.to_rfc3339(),
            self.severity().code()
        );
        let table = |out: &mut String, findings: &[Finding]| {
            if findings.is_empty() {
                out.push_str("\nNo finding: both sides agree.\n");
                return;
            }
            out.push_str("\n| Severity | Case | Finding | Devices | Serial numbers | What to do |\n|---|---|---|---|---|---|\n");
            for f in findings {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} (`{}`) | {} | {} | {} |",
                    f.severity.code(),
                    f.case,
                    cell(&f.summary),
                    f.code,
                    f.serials.len(),
                    cell(&shown(&f.serials)),
                    cell(&f.action)
                );
            }
        };
        for t in &self.tokens {
            let _ = write!(
                out,
                "\n## {} ({})\n\n{}; {}.\n",
                cell(t.token_name.as_deref().unwrap_or(&t.token_id)),
                t.token_id,
                t.severity.code(),
                cell(&mapping_line(t))
            );
            table(&mut out, &t.findings);
        }
        if !self.organization.is_empty() {
            out.push_str("\n## Organisation\n");
            table(&mut out, &self.organization);
        }
        out
    }

    /// A terminal rendering: per token a header line, then one line per finding.
    #[must_use]
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let line = |out: &mut String, f: &Finding| {
            let _ = writeln!(
                out,
                "  {:<8} {}  {:<36} {:>6}  {}",
                f.severity.code(),
                f.case,
                f.code,
                f.serials.len(),
                shown(&f.serials)
            );
            let _ = writeln!(out, "           {}", f.summary);
            let _ = writeln!(out, "           → {}", f.action);
        };
        for t in &self.tokens {
            let _ = writeln!(
                out,
                "{} [{}] {}: {}",
                t.token_name.as_deref().unwrap_or(&t.token_id),
                t.token_id,
                t.severity.code(),
                mapping_line(t)
            );
            if t.findings.is_empty() {
                out.push_str("  ok       both sides agree\n");
            }
            for f in &t.findings {
                line(&mut out, f);
            }
        }
        if !self.organization.is_empty() {
            out.push_str("Organisation:\n");
            for f in &self.organization {
                line(&mut out, f);
            }
        }
        out
    }
}
