//! The Apple Business section of the health report and of the multi-tenant scan: when an Apple
//! Business client is given, the [reconciliation](crate::workflows::reconcile) runs with the
//! report, and its findings become problems of the enrollment program tokens they concern
//! (codes `abm.*`, see `docs/rules.md`), with a count and the first serial numbers; an Apple MDM
//! server that matches no token becomes an item of its own. A reconciliation that cannot be
//! read is listed in [`HealthReport::errors`] under the section `appleBusiness`.

use futures::StreamExt as _;

use super::{
    health_report, sort_by_urgency, HealthReport, ReportError, ReportItem, ReportOptions,
    ReportProblem, TenantReport, TenantTarget,
};
use crate::abm;
use crate::rules::health::{Severity, TokenKind};
use crate::workflows::reconcile::{reconcile, Finding, ReconcileOptions, SERIALS_SHOWN};

/// The section name of Apple Business errors in [`ReportError::section`].
pub const APPLE_BUSINESS: &str = "appleBusiness";

fn problem(f: &Finding) -> ReportProblem {
    let mut message = f.summary.clone();
    if !f.serials.is_empty() {
        let shown: Vec<&str> = f
            .serials
            .iter()
            .take(SERIALS_SHOWN)
            .map(String::as_str)
            .collect();
        message.push_str(&format!(" Serial numbers: {}", shown.join(", ")));
        if f.serials.len() > SERIALS_SHOWN {
            message.push_str(&format!(", … (+{})", f.serials.len() - SERIALS_SHOWN));
        }
        message.push('.');
    }
    message.push(' ');
    message.push_str(&f.action);
    ReportProblem {
        code: f.code.clone(),
        message,
    }
}

/// Adds the reconciliation of `apple` with the tenant of `client` to `report`.
async fn add_apple_business(
    report: &mut HealthReport,
    client: &crate::graph::Client,
    apple: &abm::Client,
    options: &ReconcileOptions,
) {
    match reconcile(client, apple, options).await {
        Err(e) => report.errors.push(ReportError {
            section: APPLE_BUSINESS.to_owned(),
            code: e.kind().as_str().to_owned(),
            message: format!("Could not reconcile with Apple Business: {e}"),
        }),
        Ok(r) => {
            for t in &r.tokens {
                let Some(item) = report
                    .items
                    .iter_mut()
                    .find(|i| i.kind == TokenKind::EnrollmentProgramToken && i.id == t.token_id)
                else {
                    continue;
                };
                item.problems.extend(t.findings.iter().map(problem));
                item.severity = item.severity.max(t.severity);
            }
            for f in r
                .organization
                .iter()
                .filter(|f| f.code == "abm.server_without_token")
            {
                report.items.push(ReportItem {
                    kind: TokenKind::EnrollmentProgramToken,
                    id: format!(
                        "appleBusiness:{}",
                        f.server_id.as_deref().unwrap_or("server")
                    ),
                    name: Some("Apple Business MDM server without an Intune token".to_owned()),
                    apple_id: None,
                    expires_at: None,
                    days_left: None,
                    severity: f.severity.max(Severity::Warning),
                    problems: vec![problem(f)],
                    consequence: f.summary.clone(),
                    renewal: vec![f.action.clone()],
                    sync: None,
                });
            }
            for f in r
                .organization
                .iter()
                .filter(|f| f.code != "abm.server_without_token")
            {
                if let Some(item) = report
                    .items
                    .iter_mut()
                    .find(|i| i.kind == TokenKind::EnrollmentProgramToken)
                {
                    item.problems.push(problem(f));
                    item.severity = item.severity.max(f.severity);
                }
            }
            sort_by_urgency(&mut report.items);
        }
    }
}

/// [`health_report`] with the Apple Business section when `apple` is given (e.g. from
/// [`abm::Client::from_env`]); without it, exactly [`health_report`].
pub async fn health_report_with_apple_business(
    client: &crate::graph::Client,
    apple: Option<&abm::Client>,
    options: &ReportOptions,
    reconcile_options: &ReconcileOptions,
) -> HealthReport {
    let mut report = health_report(client, options).await;
    if let Some(apple) = apple {
        add_apple_business(&mut report, client, apple, reconcile_options).await;
    }
    report
}

/// [`scan_tenants`](super::scan_tenants) where each tenant may come with the Apple Business
/// client of its organisation: at most `concurrency` tenants at a time, in the order given.
pub async fn scan_tenants_with_apple_business(
    tenants: Vec<(TenantTarget, Option<abm::Client>)>,
    options: &ReportOptions,
    reconcile_options: &ReconcileOptions,
    concurrency: usize,
) -> Vec<TenantReport> {
    futures::stream::iter(tenants)
        .map(|(t, apple)| async move {
            let report = health_report_with_apple_business(
                &t.client,
                apple.as_ref(),
                options,
                reconcile_options,
            )
            .await;
            TenantReport {
                tenant: t.name,
                report,
            }
        })
        .buffered(concurrency.max(1))
        .collect()
        .await
}
