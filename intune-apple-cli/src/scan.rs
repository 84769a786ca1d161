//! `intune-apple scan`: the health of many tenants at once, for a managed service provider or
//! an organisation with several tenants.
//!
//! ```text
//! intune-apple scan --tenant contoso=<tenant id> --tenant fabrikam=<tenant id> [health's options]
//! intune-apple scan --tenants-file tenants.txt --format prometheus --output /var/lib/node_exporter/intune.prom
//! ```
//!
//! Every tenant is read with the one app registration of the environment (`AZURE_CLIENT_ID`
//! with `AZURE_CLIENT_SECRET` or `AZURE_CLIENT_CERTIFICATE_PATH`, or a federated identity),
//! consented in each tenant; only the tenant id changes. Without credentials it scans three
//! simulated tenants and says so. The options of `health` (formats, thresholds, `--output`,
//! notifications) apply to the whole scan; a tenant that cannot be read is that tenant's
//! error, and the others are still reported.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use intune_apple_core::graph::{env, Client};
use intune_apple_core::workflows::report::{
    self, scan_tenants, write_textfile, Format, TenantReport, TenantTarget,
};
use intune_apple_sim::{Seed, SimHandle, Simulator};

use crate::health::{has_credentials, HealthArgs};
use crate::EXIT_USAGE;

/// The variable that lists the tenants when no `--tenant` is given: `NAME=ID,NAME=ID`.
pub const TENANTS_VAR: &str = "INTUNE_APPLE_TENANTS";

/// What `scan --help` says after the options.
pub const AFTER_HELP: &str = "\
Tenants: --tenant NAME=TENANT_ID (repeatable), --tenants-file FILE (one NAME=TENANT_ID per line,
# for comments), or INTUNE_APPLE_TENANTS=NAME=ID,NAME=ID. Each is read with the app registration
of the environment (AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, or
a federated identity), which must be consented in every tenant; without credentials, three
simulated tenants are scanned.

Exit codes: the worst tenant's, as health: 0 all ok; 1 warning, critical or unknown; 2 expired,
a call failed or a notification was not delivered; 64 bad arguments. --format nagios: 0 OK,
1 WARNING, 2 CRITICAL, 3 UNKNOWN.";

/// The core's default, in the type of the flag (100 fits a `u16`).
const DEFAULT_CONCURRENCY: u16 = {
    assert!(report::DEFAULT_SCAN_CONCURRENCY <= u16::MAX as usize);
    report::DEFAULT_SCAN_CONCURRENCY as u16
};

/// The arguments of `scan`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScanArgs {
    /// A tenant to scan, as NAME=TENANT_ID (the name labels its results); repeatable
    #[arg(long = "tenant", value_name = "NAME=TENANT_ID", value_parser = parse_tenant)]
    pub tenants: Vec<TenantSpec>,
    /// A file of tenants, one NAME=TENANT_ID per line (blank lines and # comments skipped)
    #[arg(long, value_name = "FILE")]
    pub tenants_file: Option<PathBuf>,
    /// How many tenants are read at once (Intune's limits are per tenant; default 100)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// The options of the report, as for `health`.
    #[command(flatten)]
    pub report: HealthArgs,
}

/// One tenant of the scan: the name its results carry and its tenant id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSpec {
    /// The label of the tenant's results (a customer or domain name).
    pub name: String,
    /// The Entra tenant id (a GUID or a domain such as contoso.onmicrosoft.com).
    pub tenant_id: String,
}

fn parse_tenant(text: &str) -> Result<TenantSpec, String> {
    let (name, id) = text.split_once('=').ok_or_else(|| {
        format!("{text:?}: give NAME=TENANT_ID, e.g. contoso=contoso.onmicrosoft.com")
    })?;
    let (name, id) = (name.trim(), id.trim());
    if name.is_empty() || id.is_empty() {
        return Err(format!(
            "{text:?}: both the name and the tenant id are needed (NAME=TENANT_ID)"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("a tenant name may not hold control characters".to_owned());
    }
    Ok(TenantSpec {
        name: name.to_owned(),
        tenant_id: id.to_owned(),
    })
}

/// The tenants of a `--tenants-file` or of [`TENANTS_VAR`]: `NAME=ID` items, one per line or
/// separated by commas; blank items and `#` comments skipped.
///
/// # Errors
/// The first malformed item, with its line number.
pub fn parse_tenant_list(text: &str) -> Result<Vec<TenantSpec>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("");
        for item in line.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            out.push(parse_tenant(item).map_err(|e| format!("line {}: {e}", n + 1))?);
        }
    }
    Ok(out)
}

/// The tenants the arguments and the environment name, each name once.
fn tenants(
    args: &ScanArgs,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<TenantSpec>, String> {
    let mut all = args.tenants.clone();
    if let Some(path) = &args.tenants_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        all.extend(parse_tenant_list(&text).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    if all.is_empty() {
        if let Some(list) = var(TENANTS_VAR).filter(|v| !v.trim().is_empty()) {
            all = parse_tenant_list(&list).map_err(|e| format!("{TENANTS_VAR}: {e}"))?;
        }
    }
    let mut seen = BTreeSet::new();
    for t in &all {
        if !seen.insert(t.name.as_str()) {
            return Err(format!(
                "the tenant name {:?} is given twice: each tenant needs its own name",
                t.name
            ));
        }
    }
    Ok(all)
}

/// The simulated tenants scanned without credentials: two set up, one empty.
const DEMO_TENANTS: [(&str, bool); 3] =
    [("contoso", true), ("fabrikam", false), ("northwind", true)];

/// Runs `scan`; returns the exit code.
pub async fn run(
    args: &ScanArgs,
    var: &dyn Fn(&str) -> Option<String>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    color: bool,
) -> i32 {
    let usage = |stderr: &mut dyn Write, message: &str| {
        let _ = writeln!(
            stderr,
            "error: {message}\n\nUsage: intune-apple scan --tenant NAME=TENANT_ID... [OPTIONS]\n\nFor more information, try '--help'."
        );
        EXIT_USAGE
    };
    let options = match args.report.options() {
        Ok(o) => o,
        Err(message) => return usage(stderr, &message),
    };
    let specs = match tenants(args, var) {
        Ok(t) => t,
        Err(message) => return usage(stderr, &message),
    };
    let machine = args.report.format.is_machine_readable() || args.report.output.is_some();
    // Keep the simulators alive until the reports are written.
    let mut sims: Vec<SimHandle> = Vec::new();
    let mut targets = Vec::new();
    if has_credentials(var) {
        if specs.is_empty() {
            return usage(
                stderr,
                &format!("no tenant to scan: give --tenant NAME=TENANT_ID, --tenants-file or {TENANTS_VAR}"),
            );
        }
        for t in specs {
            let id = t.tenant_id.clone();
            let built = Client::from_env_with(|name| {
                if name == env::TENANT_ID {
                    Some(id.clone())
                } else {
                    var(name).filter(|v| !v.is_empty())
                }
            });
            match built {
                Ok(client) => targets.push(TenantTarget {
                    name: t.name,
                    client,
                }),
                Err(e) => {
                    let _ = writeln!(
                        stderr,
                        "scan: tenant {}: cannot set up the Graph client: {e}",
                        t.name
                    );
                    return 2;
                }
            }
        }
    } else {
        if !specs.is_empty() {
            let _ = writeln!(
                stderr,
                "scan: tenants were given but no credentials are set: set {} with {} or {} (an app registration consented in every tenant)",
                env::CLIENT_ID,
                env::CLIENT_SECRET,
                env::CLIENT_CERTIFICATE_PATH
            );
            return 2;
        }
        for (name, set_up) in DEMO_TENANTS {
            let seed = if set_up { Seed::demo() } else { Seed::empty() };
            let sim = match Simulator::start(seed).await {
                Ok(s) => s,
                Err(e) => {
                    let _ = writeln!(stderr, "scan: cannot start a simulated tenant: {e}");
                    return 2;
                }
            };
            match crate::connect::client_for(&sim) {
                Ok(client) => targets.push(TenantTarget {
                    name: name.to_owned(),
                    client,
                }),
                Err(e) => {
                    let _ = writeln!(stderr, "scan: cannot set up the Graph client: {e}");
                    return 2;
                }
            }
            sims.push(sim);
        }
        let notice = format!(
            "No credentials set ({} with {} or {}, and --tenant NAME=TENANT_ID): scanning {} simulated tenants.",
            env::CLIENT_ID,
            env::CLIENT_SECRET,
            env::CLIENT_CERTIFICATE_PATH,
            sims.len()
        );
        let _ = if machine {
            writeln!(stderr, "{notice}")
        } else if args.report.format == Format::Markdown {
            writeln!(stdout, "> {notice}\n")
        } else {
            writeln!(stdout, "{notice}")
        };
    }
    let mail_client = targets.first().map(|t| t.client.clone());
    let reports: Vec<TenantReport> =
        scan_tenants(targets, &options, usize::from(args.concurrency)).await;
    let format = args.report.format;
    let text = format.render_scan(&reports, color && args.report.output.is_none());
    let mut code = format.scan_exit_code(&reports);
    match &args.report.output {
        Some(path) => {
            if let Err(e) = write_textfile(path, &text) {
                let _ = writeln!(stderr, "scan: cannot write {}: {e}", path.display());
                return 2;
            }
        }
        None => {
            let _ = stdout.write_all(text.as_bytes());
        }
    }
    if !crate::health::notify_reports(&args.report, var, mail_client, reports, "scan", stderr).await
    {
        code = code.max(2);
    }
    drop(sims);
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_lists_are_read_line_by_line_and_by_commas() {
        let list = parse_tenant_list(
            "# customers\ncontoso = contoso.onmicrosoft.com\n\nfabrikam=11111111-2222-3333-4444-555555555555, northwind=nw.example # new\n",
        )
        .unwrap_or_default();
        let names: Vec<&str> = list.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["contoso", "fabrikam", "northwind"]);
        assert_eq!(list[0].tenant_id, "contoso.onmicrosoft.com");
        let bad = parse_tenant_list("contoso=a\nfabrikam\n");
        assert!(bad.is_err_and(|e| e.starts_with("line 2:")));
        assert!(parse_tenant("=x").is_err());
        assert!(parse_tenant("x=").is_err());
    }
}
