//! Every enrollment profile of a token held against the profile rules, as it is in the tenant:
//! classic profiles with the tenant's VPP tokens and profile count, and settings-catalog
//! enrollment policies (`ECV2_` profiles) through their settings
//! ([`rules::enrollment_policy`](crate::rules::enrollment_policy)). Read only.
//!
//! ```no_run
//! use intune_apple_core::graph::Client;
//! use intune_apple_core::workflows::profile_check::validate_token_profiles;
//!
//! # async fn run() -> Result<(), intune_apple_core::workflows::error::WorkflowError> {
//! let client = Client::from_env()?;
//! let check = validate_token_profiles(&client, "token-id").await?;
//! for p in &check.profiles {
//!     for v in &p.violations {
//!         println!("{} {} {}: {}", p.profile_id, v.code, v.path, v.message);
//!     }
//! }
//! std::process::exit(check.exit_code());
//! # }
//! ```

use std::collections::HashMap;

use futures::{StreamExt as _, TryStreamExt as _};
use serde::{Deserialize, Serialize};

use super::error::WorkflowError;
use super::profiles::ViolationSummary;
use super::report::render::plain;
use crate::graph::Client;
use crate::model::configuration_policy::{
    parse_ecv2_id, ConfigurationPolicy, ConfigurationSetting, SettingValues,
};
use crate::model::{EnrollmentProfile, VppToken};
use crate::rules::enrollment_policy::{policy_platform, validate_policy};
use crate::rules::profile::{validate_profile, ValidationContext};

/// How many policies' settings are read at once.
const SETTINGS_READS: usize = 8;

/// What the rules say of one profile of the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ProfileCheck {
    /// The profile's id (`ECV2_<tokenId>_<policyId>` for a settings-catalog policy).
    pub profile_id: String,
    /// Its name.
    pub display_name: Option<String>,
    /// Whether it is a settings-catalog enrollment policy (checked through its settings).
    pub settings_catalog: bool,
    /// `iOS`, `macOS`, `tvOS` or `visionOS`, when known.
    pub platform: Option<String>,
    /// Every broken rule, errors first. For a settings-catalog policy, `path` is the setting
    /// definition id (e.g. `ade_setupassistant_passcode`).
    pub violations: Vec<ViolationSummary>,
    /// Settings of a settings-catalog policy that no rule here reads (review them in the
    /// Intune admin center).
    pub unchecked_settings: Vec<String>,
    /// Why the profile could not be checked (its settings could not be read); `None` when it
    /// was.
    pub error: Option<String>,
}

/// The check of every profile of one token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct TokenProfilesCheck {
    /// The enrollment program token.
    pub token_id: String,
    /// One entry per profile, in the token's order.
    pub profiles: Vec<ProfileCheck>,
}

impl TokenProfilesCheck {
    /// Whether a profile breaks a rule at error level.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.profiles
            .iter()
            .flat_map(|p| &p.violations)
            .any(|v| v.severity == "error")
    }

    /// The exit code of `intune-apple profiles validate --token`: 0 every profile passes (warnings
    /// allowed), 1 a profile breaks a rule, 2 a profile could not be checked (and none breaks a
    /// rule).
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        if self.has_errors() {
            1
        } else if self.profiles.iter().any(|p| p.error.is_some()) {
            2
        } else {
            0
        }
    }

    /// The check as plain text, one block per profile, ready for a terminal or a log: names
    /// from the tenant have their control characters and bidirectional overrides removed.
    #[must_use]
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        for p in &self.profiles {
            let kind = if p.settings_catalog {
                "settings-catalog policy"
            } else {
                "profile"
            };
            let _ = writeln!(
                out,
                "{} ({kind}{}, {})",
                plain(p.display_name.as_deref().unwrap_or("(no name)")),
                p.platform
                    .as_deref()
                    .map(|x| format!(", {x}"))
                    .unwrap_or_default(),
                plain(&p.profile_id),
            );
            if let Some(e) = &p.error {
                let _ = writeln!(out, "  not checked: {}", plain(e));
                continue;
            }
            for v in &p.violations {
                let _ = writeln!(
                    out,
                    "  {} {} {}: {}",
                    v.severity,
                    v.code,
                    plain(&v.path),
                    plain(&v.message)
                );
            }
            if !p.unchecked_settings.is_empty() {
                let names: Vec<String> = p.unchecked_settings.iter().map(|s| plain(s)).collect();
                let _ = writeln!(
                    out,
                    "  settings no rule reads (review them in the Intune admin center): {}",
                    names.join(", ")
                );
            }
            if p.violations.is_empty() {
                let _ = writeln!(out, "  passes every rule");
            }
        }
        let failing = self
            .profiles
            .iter()
            .filter(|p| p.violations.iter().any(|v| v.severity == "error"))
            .count();
        let unchecked = self.profiles.iter().filter(|p| p.error.is_some()).count();
        let _ = writeln!(
            out,
            "{} profile(s) of token {}: {failing} break a rule, {unchecked} could not be checked",
            self.profiles.len(),
            plain(&self.token_id),
        );
        out
    }

    /// The check as pretty JSON (the fields of [`TokenProfilesCheck`], camelCase).
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn platform_of(p: &EnrollmentProfile) -> Option<&'static str> {
    match p {
        EnrollmentProfile::DepIos(_) => Some("iOS"),
        EnrollmentProfile::DepMacOs(_) => Some("macOS"),
        EnrollmentProfile::DepTvOs(_) => Some("tvOS"),
        EnrollmentProfile::DepVisionOs(_) => Some("visionOS"),
        _ => None,
    }
}

fn uses_company_portal_token(p: &EnrollmentProfile) -> bool {
    matches!(p, EnrollmentProfile::DepIos(x) if x.company_portal_vpp_token_id.as_deref().is_some_and(|s| !s.is_empty()))
}

/// Holds every profile of token `token_id` against the profile rules. Reads the token's
/// profiles, the tenant's VPP tokens when a profile installs the Company Portal through one,
/// and, when the token has settings-catalog policies, the policies and their settings. A
/// policy whose settings cannot be read is reported with its `error`; the others are still
/// checked.
///
/// # Errors
/// [`WorkflowError::Graph`] when the profiles (or the VPP tokens they need) cannot be read.
pub async fn validate_token_profiles(
    client: &Client,
    token_id: &str,
) -> Result<TokenProfilesCheck, WorkflowError> {
    let now = client.clock().now();
    let profiles: Vec<EnrollmentProfile> = client
        .enrollment_profiles(token_id)
        .list()
        .try_collect()
        .await?;
    let vpp: Vec<VppToken> = if profiles.iter().any(uses_company_portal_token) {
        client.vpp_tokens().list().try_collect().await?
    } else {
        Vec::new()
    };
    let mut ctx = ValidationContext::new(&vpp, now);
    ctx.profiles_on_token = profiles.len();

    let policy_ids: Vec<(usize, String)> = profiles
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_settings_catalog())
        .filter_map(|(i, p)| Some((i, parse_ecv2_id(p.id()?)?.1.to_owned())))
        .collect();
    let api = client.enrollment_policies(token_id);
    // The policies say their platform; without them, the settings do.
    let policies: HashMap<String, ConfigurationPolicy> = if policy_ids.is_empty() {
        HashMap::new()
    } else {
        api.list()
            .try_collect::<Vec<_>>()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| Some((p.id.clone()?, p)))
            .collect()
    };
    // Owned ids: the future stays `Send` for the bindings' runtimes.
    let api = &api;
    let mut settings: HashMap<usize, Result<Vec<ConfigurationSetting>, String>> =
        futures::stream::iter(policy_ids.into_iter().map(|(i, id)| async move {
            let read = api
                .settings(&id)
                .try_collect::<Vec<_>>()
                .await
                .map_err(|e| format!("its settings could not be read: {e}"));
            (i, read)
        }))
        .buffer_unordered(SETTINGS_READS)
        .collect()
        .await;

    let mut out = Vec::with_capacity(profiles.len());
    for (i, p) in profiles.iter().enumerate() {
        let mut check = ProfileCheck {
            profile_id: p.id().unwrap_or_default().to_owned(),
            display_name: p.display_name().map(str::to_owned),
            settings_catalog: p.is_settings_catalog(),
            platform: platform_of(p).map(str::to_owned),
            violations: Vec::new(),
            unchecked_settings: Vec::new(),
            error: None,
        };
        if check.settings_catalog {
            let policy = p
                .id()
                .and_then(parse_ecv2_id)
                .and_then(|(_, id)| policies.get(id));
            match settings.remove(&i) {
                Some(Ok(s)) => {
                    let values = SettingValues::of(&s);
                    let platform = policy_platform(policy, &values);
                    let c = validate_policy(platform, &values, &ctx);
                    check.platform = platform.map(|p| p.as_str().to_owned());
                    check.violations = c.violations.iter().map(ViolationSummary::from).collect();
                    check.unchecked_settings = c.unmapped;
                }
                Some(Err(e)) => check.error = Some(e),
                None => {
                    check.error = Some(
                        "its id is not ECV2_<tokenId>_<policyId>: its settings cannot be found"
                            .into(),
                    );
                }
            }
        } else {
            check.violations = validate_profile(p, &ctx)
                .iter()
                .map(ViolationSummary::from)
                .collect();
        }
        out.push(check);
    }
    Ok(TokenProfilesCheck {
        token_id: token_id.to_owned(),
        profiles: out,
    })
}

#[cfg(test)]
mod send {
    /// The bindings run the check on their own runtimes: its future must be `Send`.
    #[allow(dead_code)]
    fn is_send(client: &crate::graph::Client) {
        fn send<T: Send>(_: T) {}
        send(super::validate_token_profiles(client, "t"));
    }
}
