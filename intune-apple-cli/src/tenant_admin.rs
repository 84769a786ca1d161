//! `grant-permissions`, `reconcile` and `profiles drift|apply|export`: thin layers over the core's
//! workflows (`workflows::permissions`, `workflows::reconcile`, `workflows::profile_templates`).

use std::path::PathBuf;

use intune_apple_core::abm::{self, ApiAccount, RequestBudget};
use intune_apple_core::graph::Client;
use intune_apple_core::rules::profile_template::{parse_template, ExportOptions};
use intune_apple_core::rules::Severity;
use intune_apple_core::workflows::error::WorkflowError;
use intune_apple_core::workflows::notify::{
    deliver_message, drift_message, Channel, DeliveryOptions,
};
use intune_apple_core::workflows::permissions::{
    grant_permissions, plan_permissions, PermissionSet,
};
use intune_apple_core::workflows::profile_templates::{
    apply_profile_template, export_profile_template, plan_profile_apply, profile_drift,
    ApplyOptions, TemplateValues, TokenSelection,
};
use intune_apple_core::workflows::reconcile::{reconcile, ReconcileOptions};
use intune_apple_core::workflows::report::{write_textfile, TenantTarget};
use intune_apple_core::Secret;
use intune_apple_sim::abm::{AppleBusinessSimulator, OrgSeed};

use crate::connect::exit_code;
use crate::{Io, EXIT_NOT_CONFIRMED};

/// `grant-permissions --identity ID [--read-write] [--yes]`.
#[derive(Debug, Clone, clap::Args)]
pub struct GrantArgs {
    /// The object id of the managed identity's (or app's) service principal
    #[arg(long, value_name = "OBJECT_ID")]
    pub identity: String,
    /// Also the write permissions of renewals and repairs (default: the read-only report's)
    #[arg(long)]
    pub read_write: bool,
    /// Write without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `reconcile [--format table|markdown|json]`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReconcileArgs {
    /// table (default), markdown or json
    #[arg(long, value_name = "FORMAT", default_value = "table", value_parser = ["table", "markdown", "json"])]
    pub format: String,
}

/// Where `profiles drift|apply` look and what they compare.
#[derive(Debug, Clone, clap::Args)]
pub struct TemplateArgs {
    /// The profile template (JSON; see docs/profiles.md)
    #[arg(long, value_name = "FILE")]
    pub template: PathBuf,
    /// The per-tenant values of its placeholders (JSON)
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,
    /// Only these enrollment program tokens (id or name; repeatable); default: every token
    #[arg(
        long = "token",
        value_name = "ID_OR_NAME",
        conflicts_with = "all_tokens"
    )]
    pub tokens: Vec<String>,
    /// Every enrollment program token of the tenant (the default, said explicitly)
    #[arg(long)]
    pub all_tokens: bool,
    /// The tenant's name in the values file and the report
    #[arg(long, value_name = "NAME", default_value = "tenant")]
    pub tenant: String,
}

/// `profiles drift` output formats.
#[derive(Debug, Clone, clap::Args)]
pub struct DriftArgs {
    /// The template and where to compare it
    #[command(flatten)]
    pub template: TemplateArgs,
    /// table (default), markdown, json or html
    #[arg(long, value_name = "FORMAT", default_value = "table", value_parser = ["table", "markdown", "json", "html"])]
    pub format: String,
    /// Send the report to a channel when it finds drift or could not check: teams=URL,
    /// slack=URL, webhook=URL or email=ADDR[,ADDR]; repeatable (or INTUNE_APPLE_NOTIFY_*)
    // The text is the option's help, not a doc link.
    #[allow(rustdoc::broken_intra_doc_links)]
    #[arg(long = "notify", value_name = "CHANNEL", value_parser = crate::health::parse_channel)]
    pub notify: Vec<Channel>,
    /// Send it on every run, drift or not
    #[arg(long)]
    pub notify_always: bool,
    /// The mailbox e-mail is sent from (or INTUNE_APPLE_MAIL_FROM), with Mail.Send
    #[arg(long, value_name = "ADDR")]
    pub mail_from: Option<String>,
}

/// `profiles apply`: a plan unless `--apply`.
#[derive(Debug, Clone, clap::Args)]
pub struct ApplyArgs {
    /// The template and where to apply it
    #[command(flatten)]
    pub template: TemplateArgs,
    /// Make the planned writes (after confirmation); without it only the plan is printed
    #[arg(long, conflicts_with = "plan")]
    pub apply: bool,
    /// Only print the plan (the default, said explicitly)
    #[arg(long)]
    pub plan: bool,
    /// Write without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `profiles export`: a template from an existing profile.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The enrollment program token's id
    #[arg(long, value_name = "ID")]
    pub token: String,
    /// The profile's id (see `profiles drift` or the admin center)
    #[arg(long, value_name = "ID")]
    pub profile: String,
    /// Keep this tenant's support phone, department, VPP token and groups as they are instead
    /// of turning them into placeholders
    #[arg(long)]
    pub no_placeholders: bool,
    /// Write the template to FILE (atomically) instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write this tenant's values of the placeholders to FILE: the --values file of drift and
    /// apply
    #[arg(long, value_name = "FILE")]
    pub values_out: Option<PathBuf>,
    /// The tenant's name in the values file
    #[arg(long, value_name = "NAME", default_value = "tenant")]
    pub tenant: String,
}

fn fail(io: &mut Io<'_>, e: &WorkflowError) -> i32 {
    let _ = writeln!(io.stderr, "{e}");
    exit_code(e)
}

/// Runs `grant-permissions`: prints the plan, asks, grants what is missing, prints the result.
pub async fn grant(io: &mut Io<'_>, client: &Client, a: &GrantArgs) -> i32 {
    let set = if a.read_write {
        PermissionSet::ReadWrite
    } else {
        PermissionSet::ReadOnly
    };
    let plan = match plan_permissions(client, &a.identity, set).await {
        Ok(p) => p,
        Err(e) => return fail(io, &WorkflowError::Graph(e)),
    };
    let lines: Vec<String> = plan
        .to_grant()
        .map(|g| {
            format!(
                "grant {} to {} ({})",
                g.permission,
                plan.principal_name.as_deref().unwrap_or("the identity"),
                plan.principal_id
            )
        })
        .collect();
    if lines.is_empty() {
        let _ = writeln!(
            io.stdout,
            "Every permission is already granted: nothing to do."
        );
        return 0;
    }
    if !crate::commands::confirm(io, &lines, a.yes) {
        return EXIT_NOT_CONFIRMED;
    }
    match grant_permissions(client, &plan).await {
        Ok(done) => {
            crate::commands::json(io, &done);
            0
        }
        Err(e) => fail(io, &WorkflowError::Graph(e)),
    }
}

/// Runs `reconcile` against the Apple Business organisation of the environment, or the
/// simulated one that matches the demo tenant.
pub async fn reconcile_command(io: &mut Io<'_>, client: &Client, a: &ReconcileArgs) -> i32 {
    let mut simulated = None;
    let apple = match abm::Client::from_env_with(io.var) {
        Ok(Some(c)) => c,
        Ok(None) => {
            let sim = match AppleBusinessSimulator::start(OrgSeed::demo()).await {
                Ok(s) => s,
                Err(e) => {
                    let _ = writeln!(io.stderr, "cannot start the simulated organisation: {e}");
                    return 2;
                }
            };
            let key = Secret::new(sim.private_key_pem());
            let built =
                ApiAccount::from_pem(sim.client_id(), sim.key_id(), &key).and_then(|account| {
                    abm::Client::builder()
                        .account(account)
                        .api_root(sim.base_url())
                        .token_url(sim.token_url())
                        .request_budget(RequestBudget::unlimited())
                        .build()
                });
            let _ = writeln!(
                io.stderr,
                "No Apple Business account set: reconciling with the simulated organisation at {}",
                sim.base_url()
            );
            simulated = Some(sim);
            match built {
                Ok(c) => c,
                Err(e) => {
                    let _ = writeln!(io.stderr, "{e}");
                    return 2;
                }
            }
        }
        Err(e) => {
            let _ = writeln!(io.stderr, "{e}");
            return 2;
        }
    };
    let result = match reconcile(client, &apple, &ReconcileOptions::default()).await {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(io.stderr, "{e}");
            return 2;
        }
    };
    let text = match a.format.as_str() {
        "json" => result.to_json(),
        "markdown" => result.to_markdown(),
        _ => result.to_table(),
    };
    let _ = writeln!(io.stdout, "{text}");
    drop(simulated);
    i32::from(result.severity() > Severity::Ok)
}

/// The template, values and tenant of `profiles drift|apply`, read and checked.
fn load(
    io: &mut Io<'_>,
    client: &Client,
    a: &TemplateArgs,
) -> Result<
    (
        Vec<TenantTarget>,
        intune_apple_core::rules::profile_template::ProfileTemplate,
        TemplateValues,
        TokenSelection,
    ),
    i32,
> {
    let text = crate::commands::read_path(io, &a.template).ok_or(2)?;
    let template = parse_template(&text).map_err(|e| {
        let _ = writeln!(io.stderr, "{}: {e}", a.template.display());
        2
    })?;
    let values = match &a.values {
        Some(path) => {
            let text = crate::commands::read_path(io, path).ok_or(2)?;
            TemplateValues::from_json(&text).map_err(|e| fail(io, &e))?
        }
        None => TemplateValues::default(),
    };
    let tokens = if a.tokens.is_empty() {
        TokenSelection::All
    } else {
        TokenSelection::Only(a.tokens.clone())
    };
    let tenants = vec![TenantTarget {
        name: a.tenant.clone(),
        client: client.clone(),
    }];
    Ok((tenants, template, values, tokens))
}

/// Runs `profiles drift`: exit 0 no drift, 1 drift, 2 could not check.
pub async fn drift(io: &mut Io<'_>, client: &Client, a: &DriftArgs) -> i32 {
    let (tenants, template, values, tokens) = match load(io, client, &a.template) {
        Ok(l) => l,
        Err(code) => return code,
    };
    match profile_drift(&tenants, &template, &values, &tokens).await {
        Ok(report) => {
            let text = match a.format.as_str() {
                "json" => report.to_json(),
                "markdown" => report.to_markdown(),
                "html" => report.to_html(),
                _ => report.to_table(),
            };
            let _ = writeln!(io.stdout, "{text}");
            let code = report.exit_code();
            if (code != 0 || a.notify_always) && !notify_drift(io, client, a, &report).await {
                return code.max(2);
            }
            code
        }
        Err(e) => fail(io, &e),
    }
}

/// Sends the drift report to the channels of `--notify` and of the environment; `false` when
/// one was not delivered (said on stderr).
async fn notify_drift(
    io: &mut Io<'_>,
    client: &Client,
    a: &DriftArgs,
    report: &intune_apple_core::workflows::profile_templates::ProfileDriftReport,
) -> bool {
    let channels = match crate::health::channels_of(&a.notify, a.mail_from.as_ref(), io.var) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(io.stderr, "profiles drift: {e}");
            return false;
        }
    };
    let message = drift_message(report);
    let mut delivered = true;
    for o in deliver_message(
        &channels,
        &message,
        Some(client),
        &DeliveryOptions::default(),
    )
    .await
    {
        let _ = match &o.result {
            Ok(()) => writeln!(io.stderr, "profiles drift: notified {}", o.channel),
            Err(e) => {
                delivered = false;
                writeln!(io.stderr, "profiles drift: not notified: {e}")
            }
        };
    }
    delivered
}

/// Runs `profiles apply`: the plan, then (with `--apply` and a confirmation) the writes.
pub async fn apply(io: &mut Io<'_>, client: &Client, a: &ApplyArgs) -> i32 {
    let (tenants, template, values, tokens) = match load(io, client, &a.template) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let plan = match plan_profile_apply(&tenants, &template, &values, &tokens).await {
        Ok(p) => p,
        Err(e) => return fail(io, &e),
    };
    let _ = writeln!(io.stdout, "{}", plan.to_table());
    if !a.apply || plan.writes.is_empty() {
        return plan.exit_code();
    }
    let lines = [format!(
        "make the {} write(s) listed above, re-reading before and verifying after each",
        plan.writes.len()
    )];
    if !crate::commands::confirm(io, &lines, a.yes) {
        return EXIT_NOT_CONFIRMED;
    }
    let options = ApplyOptions { apply: true };
    match apply_profile_template(&tenants, &template, &values, &tokens, &options).await {
        Ok(report) => {
            let _ = writeln!(io.stdout, "{}", report.to_table());
            report.exit_code()
        }
        Err(e) => fail(io, &e),
    }
}

/// Runs `profiles export`: the template on stdout (or `--out`), what was left out on stderr,
/// the placeholders' values in `--values-out`. Reads only.
pub async fn export(io: &mut Io<'_>, client: &Client, a: &ExportArgs) -> i32 {
    let options = ExportOptions {
        placeholders: !a.no_placeholders,
    };
    let exported = match export_profile_template(client, &a.token, &a.profile, &options).await {
        Ok(e) => e,
        Err(e) => return fail(io, &e),
    };
    for note in &exported.notes {
        let _ = writeln!(io.stderr, "note: {note}");
    }
    let mut template = exported.template.to_json();
    template.push('\n');
    match &a.out {
        Some(path) => {
            if let Err(e) = write_textfile(path, &template) {
                let _ = writeln!(io.stderr, "cannot write {}: {e}", path.display());
                return 2;
            }
        }
        None => {
            let _ = io.stdout.write_all(template.as_bytes());
        }
    }
    if let Some(path) = &a.values_out {
        let values = TemplateValues {
            defaults: std::collections::BTreeMap::new(),
            tenants: std::iter::once((a.tenant.clone(), exported.values)).collect(),
        };
        let mut text = serde_json::to_string_pretty(&values).unwrap_or_default();
        text.push('\n');
        if let Err(e) = write_textfile(path, &text) {
            let _ = writeln!(io.stderr, "cannot write {}: {e}", path.display());
            return 2;
        }
    } else if !exported.values.is_empty() {
        let names: Vec<&str> = exported.values.keys().map(String::as_str).collect();
        let _ = writeln!(
            io.stderr,
            "placeholders: {} (their values in this tenant: --values-out FILE)",
            names.join(", ")
        );
    }
    0
}
