//! The monitoring renderings of the health report and the notifiers (`docs/alerts.md`): a few
//! lines each over the core's `Format` and `notify_on_change`.

use std::path::PathBuf;

use intune_apple_core::workflows::notify::state::NotifyPolicy;
use intune_apple_core::workflows::notify::{
    notify_on_change, Channel, DeliveryOptions, NotifyOptions as CoreOptions,
};
use intune_apple_core::workflows::report::{Format, TenantReport};
use intune_apple_core::Secret;
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::{Env, Result};
use napi_derive::napi;

use crate::client::Client;
use crate::error::{failure, run, throw, Failure};
use crate::guard::MAX_SAFE;
use crate::workflows::HealthReport;

#[napi]
impl HealthReport {
    /// Prometheus text 0.0.4 for node_exporter's textfile collector.
    #[napi(catch_unwind)]
    pub fn to_prometheus(&self) -> String {
        self.inner.to_prometheus()
    }

    /// The same series in OpenMetrics 1.0, ending with `# EOF`.
    #[napi(catch_unwind, js_name = "toOpenMetrics")]
    pub fn to_openmetrics(&self) -> String {
        self.inner.to_openmetrics()
    }

    /// Nagios / Icinga plugin output.
    #[napi(catch_unwind)]
    pub fn to_nagios(&self) -> String {
        self.inner.to_nagios()
    }

    /// The Nagios exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (could not check).
    #[napi(catch_unwind, getter)]
    pub fn nagios_exit_code(&self) -> i32 {
        self.inner.nagios_exit_code()
    }

    /// Checkmk local-check lines.
    #[napi(catch_unwind)]
    pub fn to_checkmk(&self) -> String {
        self.inner.to_checkmk()
    }

    /// A self-contained HTML page.
    #[napi(catch_unwind)]
    pub fn to_html(&self) -> String {
        self.inner.to_html()
    }

    /// The HTML e-mail body (no SVG, no `<style>` block).
    #[napi(catch_unwind)]
    pub fn to_html_email(&self) -> String {
        self.inner.to_html_email()
    }

    /// Renders in a format by name, as `intune-apple health --format` (`table`, `markdown`,
    /// `json`, `ics`, `prometheus`, `openmetrics`, `nagios`, `checkmk`, `html`); another name
    /// throws `ERR_INVALID_INPUT`.
    #[napi(catch_unwind)]
    pub fn render(&self, env: &Env, format: String) -> Result<String> {
        let f: Format = format
            .parse()
            .map_err(|e| throw(env, failure("ERR_INVALID_INPUT", format!("{e}"))))?;
        Ok(f.render(&self.inner, false))
    }
}

/// Options of `notify`.
// No `Debug`: the channels hold webhook URLs and `webhook_secret` a signing secret.
#[napi(object)]
#[derive(Default)]
pub struct NotifyOptions {
    /// `teams=URL`, `slack=URL`, `webhook=URL` or `email=ADDR[,ADDR]` (URLs are secrets: keep
    /// them in the environment, not in code).
    pub channels: Option<Vec<String>>,
    /// The change-state file kept between runs (created when missing, rebuilt when damaged).
    /// Without it every run notifies every credential that needs attention.
    pub state_path: Option<String>,
    /// Send a digest on every run, changed or not.
    pub always: Option<bool>,
    /// Days before expiry whose crossing notifies (default 30, 14, 7, 3, 1; and expiry).
    pub thresholds_days: Option<Vec<f64>>,
    /// The mailbox e-mail is sent from (with `Mail.Send`).
    pub mail_from: Option<String>,
    /// The Standard Webhooks signing secret (`whsec_` + base64) of webhook channels.
    pub webhook_secret: Option<String>,
    /// Attempts per channel, the first included (default 4; 429 and 5xx are retried).
    pub max_attempts: Option<f64>,
    /// Time for one attempt, in seconds (default 20).
    pub timeout_seconds: Option<f64>,
}

fn invalid(env: &Env, message: impl Into<String>) -> napi::Error {
    throw(env, failure("ERR_INVALID_INPUT", message))
}

/// One tenant name per report, as the core's scan results.
fn tenant_reports(
    env: &Env,
    names: Vec<String>,
    reports: &[&HealthReport],
) -> Result<Vec<TenantReport>> {
    if names.len() != reports.len() {
        return Err(invalid(
            env,
            format!(
                "{} tenant names for {} reports: give one name per report",
                names.len(),
                reports.len()
            ),
        ));
    }
    Ok(names
        .into_iter()
        .zip(reports)
        .map(|(tenant, r)| TenantReport {
            tenant,
            report: r.inner.clone(),
        })
        .collect())
}

/// The exit code of a scan (`scanExitCode` in `index.js` builds the two lists): the core's
/// `scan_exit_code`, or `Format::scan_exit_code` when a format is given.
#[napi(js_name = "__scanExitCode", skip_typescript, catch_unwind)]
pub fn scan_exit_code(
    env: &Env,
    names: Vec<String>,
    reports: Vec<&HealthReport>,
    format: Option<String>,
) -> Result<i32> {
    let reports = tenant_reports(env, names, &reports)?;
    Ok(match format {
        Some(name) => {
            let f: Format = name.parse().map_err(|e| invalid(env, format!("{e}")))?;
            f.scan_exit_code(&reports)
        }
        None => intune_apple_core::workflows::report::scan_exit_code(&reports),
    })
}

/// The reports of a scan in one document of `format` (`renderScan` in `index.js` builds the two
/// lists).
#[napi(js_name = "__renderScan", skip_typescript, catch_unwind)]
pub fn render_scan(
    env: &Env,
    format: String,
    names: Vec<String>,
    reports: Vec<&HealthReport>,
) -> Result<String> {
    let f: Format = format.parse().map_err(|e| invalid(env, format!("{e}")))?;
    Ok(f.render_scan(&tenant_reports(env, names, &reports)?, false))
}

/// Sends the notifications the change-state calls for (`notify` in `index.js` builds the two
/// lists from a report or from `scanTenants`' result).
#[napi(js_name = "__notify", skip_typescript)]
pub fn notify<'e>(
    env: &'e Env,
    names: Vec<String>,
    reports: Vec<&HealthReport>,
    options: Option<NotifyOptions>,
    client: Option<&Client>,
) -> Result<PromiseRaw<'e, Unknown<'e>>> {
    let reports = tenant_reports(env, names, &reports)?;
    let o = options.unwrap_or_default();
    let channels = o
        .channels
        .unwrap_or_default()
        .iter()
        .map(|spec| spec.parse::<Channel>())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| invalid(env, e.to_string()))?;
    // Whole numbers here; their ranges are the core's.
    let whole = |name: &str, v: f64| crate::guard::whole(env, name, v, -MAX_SAFE, MAX_SAFE);
    let mut policy = NotifyPolicy {
        always: o.always.unwrap_or(false),
        ..NotifyPolicy::default()
    };
    if let Some(days) = o.thresholds_days {
        let days = days
            .into_iter()
            .map(|d| whole("thresholdsDays", d))
            .collect::<Result<Vec<_>>>()?;
        policy.thresholds_days =
            NotifyPolicy::check_thresholds(days).map_err(|e| invalid(env, e))?;
    }
    let delivery = DeliveryOptions::with_limits(
        o.max_attempts
            .map(|n| whole("maxAttempts", n))
            .transpose()?,
        o.timeout_seconds
            .map(|s| whole("timeoutSeconds", s))
            .transpose()?,
    )
    .map_err(|e| invalid(env, e))?;
    let options = CoreOptions {
        channels,
        state_path: o.state_path.map(PathBuf::from),
        policy,
        now: None,
        delivery,
        mail_from: o.mail_from,
        webhook_secret: o.webhook_secret.map(Secret::new),
    };
    let graph = client.map(Client::core);
    run(
        env,
        async move { Ok::<_, Failure>(notify_on_change(&reports, &options, graph.as_ref()).await) },
        |env, r| crate::convert::to_js(env, &r),
    )
}
