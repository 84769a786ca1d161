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

/// What the report learns from each token's enrollment profiles: the Company Portal
/// installs, and the names of the settings-catalog enrollment policies listed among them.
#[derive(Debug, Default)]
pub(super) struct TokenProfiles {
    installs: Vec<CompanyPortalInstall>,
    settings_catalog: Vec<String>,
}

/// The profiles of every enrollment program token, by token id, read for all tokens at once
/// (each listing depends only on the token list, so the report waits one round trip for them,
/// not one per token).
pub(super) async fn installs_by_token(
    client: &Client,
    tokens: &[DepOnboardingSetting],
) -> Result<BTreeMap<String, TokenProfiles>, Error> {
    let reads = tokens
        .iter()
        .filter_map(|t| t.id.as_deref())
        .map(|id| async move {
            let profiles: Vec<EnrollmentProfile> =
                client.enrollment_profiles(id).list().try_collect().await?;
            let settings_catalog = profiles
                .iter()
                .filter(|p| p.is_settings_catalog())
                .map(|p| p.display_name().unwrap_or("(no name)").to_owned())
                .collect();
            Ok::<_, Error>((
                id.to_owned(),
                TokenProfiles {
                    installs: company_portal_installs(&profiles),
                    settings_catalog,
                },
            ))
        });
    Ok(futures::future::try_join_all(reads)
        .await?
        .into_iter()
        .collect())
}

/// What the licence rules need, computed once per report.
pub(super) struct LicenceView {
    apps: Vec<AppLicences>,
    installs: BTreeMap<String, Vec<CompanyPortalInstall>>,
    settings_catalog: BTreeMap<String, Vec<String>>,
}

impl LicenceView {
    pub(super) fn new(apps: &[MobileApp], profiles: BTreeMap<String, TokenProfiles>) -> Self {
        let mut installs = BTreeMap::new();
        let mut settings_catalog = BTreeMap::new();
        for (id, p) in profiles {
            installs.insert(id.clone(), p.installs);
            if !p.settings_catalog.is_empty() {
                settings_catalog.insert(id, p.settings_catalog);
            }
        }
        Self {
            apps: apps.iter().filter_map(AppLicences::of).collect(),
            installs,
            settings_catalog,
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

    /// Adds the Company Portal problems of enrollment program token `id`'s profiles, and says
    /// which of them are settings-catalog enrollment policies (read and listed; `profiles validate --token` checks them).
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
        if let Some(names) = self.settings_catalog.get(id) {
            let list = names.join(", ");
            let message = match locale {
                Locale::En => format!(
                    "{} settings-catalog enrollment polic{} ({list}): {} settings live in deviceManagement/configurationPolicies; check {} against the profile rules with `intune-apple profiles validate --token {id}` (or validate_token_profiles)",
                    names.len(),
                    if names.len() == 1 { "y" } else { "ies" },
                    if names.len() == 1 { "its" } else { "their" },
                    if names.len() == 1 { "it" } else { "them" },
                ),
                Locale::Fr => format!(
                    "{} stratégie(s) d'inscription du catalogue de paramètres ({list}) : leurs paramètres sont dans deviceManagement/configurationPolicies ; vérifiez-les avec les règles de profil par `intune-apple profiles validate --token {id}` (ou validate_token_profiles)",
                    names.len()
                ),
            };
            add(
                h,
                vec![Problem {
                    code: "dep.settings_catalog_policies",
                    severity: Severity::Ok,
                    message,
                }],
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
