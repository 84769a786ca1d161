//! Multi-step operations built from the Graph client and the rules.
//!
//! The main entry points, re-exported here:
//! - the tenant health report: [`health_report`], [`scan_tenants`] and their [`HealthReport`]
//!   (rendered as JSON, Markdown, a terminal table or an iCalendar file);
//! - safe renewals: [`renew_push_certificate`] (with [`download_push_csr`]),
//!   [`renew_enrollment_program_token`] (and [`renew_enrollment_program_token_and_sync`]),
//!   [`renew_vpp_token`];
//! - enrollment profiles: [`create_profile`], [`copy_profile`], [`assign_serial_numbers`],
//!   [`set_default_profile`]; every profile of a token, settings-catalog policies included,
//!   held against the rules: [`profile_check::validate_token_profiles`]; profiles as code: [`profile_templates`] (export, drift, planned
//!   apply of a template across tokens and tenants);
//! - the VPP duplicate-app repair: [`repair_duplicate_apps`] (a dry run by default);
//! - the Apple Business reconciliation: [`mod@reconcile`] (read-only).
//!
//! Every workflow returns a typed [`WorkflowError`] whose message says what to do next; the
//! renewals and the repair record each step taken as a [`Step`].
//!
//! ```
//! use intune_apple_core::graph::{Client, ClientSecretCredential};
//! use intune_apple_core::workflows::{
//!     health_report, repair_duplicate_apps, DuplicateRepairOptions, RepairOutcome, ReportOptions,
//! };
//! use intune_apple_sim::{Seed, Simulator};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The simulated demo tenant, on loopback.
//! let sim = Simulator::start(Seed::demo()).await?;
//! let client = Client::builder()
//!     .base_url(sim.base_url())
//!     .authority_host(sim.authority_host())
//!     .credential(ClientSecretCredential::new(sim.tenant_id(), sim.client_id(), sim.client_secret()))
//!     .build()?;
//!
//! // The health report, with the VPP apps to find apps present twice.
//! let options = ReportOptions { include_apps: true, ..ReportOptions::default() };
//! let report = health_report(&client, &options).await;
//! println!("{}", report.to_table(false));
//! let duplicated = report
//!     .items
//!     .iter()
//!     .filter(|i| i.problems.iter().any(|p| p.code == "vpp.duplicate_apps"))
//!     .count();
//! assert_eq!(duplicated, 2); // the expired Warehouse token and its renewed copy
//!
//! // The repair of those duplicates, as a dry run: it plans and writes nothing.
//! let plan = repair_duplicate_apps(&client, &DuplicateRepairOptions::default()).await?;
//! assert!(plan.dry_run);
//! assert_eq!(plan.apps.len(), 1);
//! assert_eq!(plan.apps[0].outcome, RepairOutcome::Planned);
//! assert!(plan.old_tokens.iter().all(|t| !t.can_delete));
//! assert_eq!(sim.writes_applied(), 0);
//! # Ok(()) }
//! ```

pub mod duplicates;
pub mod error;
pub mod notify;
pub mod permissions;
pub mod profile_check;
pub mod profile_templates;
pub mod profiles;
pub mod push_setup;
pub mod reconcile;
pub mod renewal;
pub mod report;
pub mod step;

pub use duplicates::{
    repair_duplicate_apps, AppRepair, AssignmentSummary, DuplicateRepairOptions,
    DuplicateRepairReport, OldToken, OrphanApp, RepairOutcome,
};
pub use error::{Refusal, WorkflowError};
pub use profiles::{
    assign_serial_numbers, copy_profile, create_profile, parse_profile_template,
    parse_serial_numbers, set_default_profile, DefaultProfileSet, DeviceOutcome, DeviceResult,
    ProfileCreated, SerialAssignmentOptions, SerialAssignmentReport, SerialList, ViolationSummary,
};
pub use reconcile::{reconcile, ReconcileError};
pub use renewal::{
    download_push_csr, renew_enrollment_program_token, renew_enrollment_program_token_and_sync,
    renew_push_certificate, renew_vpp_token, CsrDownload, DepRenewalReport, DepRenewalRequest,
    PushRenewalReport, PushRenewalRequest, VppRenewalReport, VppRenewalRequest,
};
pub use report::{
    health_report, scan_exit_code, scan_tenants, scan_tenants_within, HealthReport, ReportError,
    ReportItem, ReportOptions, ReportProblem, TenantReport, TenantTarget,
};
pub use step::{Step, StepOutcome};
