//! The licence findings of the report (with [`ReportOptions::include_apps`](super::ReportOptions)):
//! VPP app licences running out per token, and enrollment profiles that install the Company
//! Portal through a VPP token that cannot give it. The decisions are in
//! [`crate::rules::licences`]; this reads the enrollment profiles they need.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures::TryStreamExt as _;

use crate::graph::{Client, Error};
use crate::model::{DepOnboardingSetting, EnrollmentProfile, MobileApp, VppToken};
use crate::rules::health::{Problem, Severity, TokenHealth};
use crate::rules::licences::{
    company_portal_installs, company_portal_token_problems, licence_problems, AppLicences,
    CompanyPortalInstall, LicenceThresholds,
};
use crate::rules::Locale;

/// The Company Portal installs of every enrollment program token's profiles, by token id,
/// read one token after the other (a tenant has few tokens).
pub(super) async fn installs_by_token(
    client: &Client,
    tokens: &[DepOnboardingSetting],
) -> Result<BTreeMap<String, Vec<CompanyPortalInstall>>, Error> {
    let mut out = BTreeMap::new();
    for t in tokens {
        let Some(id) = t.id.as_deref() else { continue };
        let profiles: Vec<EnrollmentProfile> =
            client.enrollment_profiles(id).list().try_collect().await?;
        out.insert(id.to_owned(), company_portal_installs(&profiles));
    }
    Ok(out)
}

/// What the licence rules need, computed once per report.
pub(super) struct LicenceView {
    apps: Vec<AppLicences>,
    installs: BTreeMap<String, Vec<CompanyPortalInstall>>,
}

impl LicenceView {
    pub(super) fn new(
        apps: &[MobileApp],
        installs: BTreeMap<String, Vec<CompanyPortalInstall>>,
    ) -> Self {
        Self {
            apps: apps.iter().filter_map(AppLicences::of).collect(),
            installs,
        }
    }

    /// Adds the licence problems of VPP token `id` to its health.
    pub(super) fn add_to_vpp(
        &self,
        h: &mut TokenHealth,
        id: &str,
        t: &LicenceThresholds,
        locale: Locale,
    ) {
        let installed = self
            .installs
            .values()
            .flatten()
            .any(|i| i.vpp_token_id == id);
        add(h, licence_problems(id, &self.apps, installed, t, locale));
    }

    /// Adds the Company Portal problems of enrollment program token `id`'s profiles.
    pub(super) fn add_to_dep(
        &self,
        h: &mut TokenHealth,
        id: &str,
        vpp_tokens: &[VppToken],
        now: DateTime<Utc>,
        locale: Locale,
    ) {
        if let Some(installs) = self.installs.get(id) {
            add(
                h,
                company_portal_token_problems(installs, vpp_tokens, &self.apps, now, locale),
            );
        }
    }
}

fn add(h: &mut TokenHealth, problems: Vec<Problem>) {
    if problems.is_empty() {
        return;
    }
    h.problems.extend(problems);
    h.severity = h
        .problems
        .iter()
        .map(|p| p.severity)
        .fold(h.severity, Severity::max);
    h.problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
}
