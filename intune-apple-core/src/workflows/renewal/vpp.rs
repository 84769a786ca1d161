//! Renewing a VPP (Apps and Books) location token (`.vpptoken`).

use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt as _;
use serde::{Deserialize, Serialize};

use super::read_back_failed;
use crate::files::{VppRenewalFlag, VppTokenFile};
use crate::graph::{Client, ErrorKind};
use crate::model::{VppToken, VppTokenCreateRequest, VppTokenState};
use crate::workflows::error::{Refusal, WorkflowError};
use crate::workflows::step::{Step, StepOutcome};
use crate::Secret;

/// What [`renew_vpp_token`] needs.
#[derive(Debug, Clone)]
pub struct VppRenewalRequest {
    /// The `.vpptoken` file content as downloaded from Apple Business/School Manager.
    pub token_file: Secret,
    /// The location (as Intune shows it in `locationName` or the token's display name). The file
    /// does not carry it; needed when the organisation has several tokens.
    pub location: Option<String>,
    /// Create a new token when the organisation (and location) has none in Intune. Never
    /// creates a second token for a location that already has one.
    pub create_if_missing: bool,
    /// Upload even if an expiry check refuses it (never overrides an ambiguous or duplicate
    /// target).
    pub force: bool,
}

/// The outcome of [`renew_vpp_token`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
#[serde(rename_all = "camelCase")]
pub struct VppRenewalReport {
    /// The Intune token renewed (or created).
    pub token_id: String,
    /// `orgName` of the file.
    pub organization_name: String,
    /// Location name of the token.
    pub location_name: Option<String>,
    /// True when a new token was created (`create_if_missing`).
    pub created: bool,
    /// Expiry before the upload (`None` when created).
    pub previous_expiry: Option<DateTime<Utc>>,
    /// Expiry read back after the upload.
    pub new_expiry: Option<DateTime<Utc>>,
    /// `expDate` of the file.
    pub file_expiry: DateTime<Utc>,
    /// Whether `force` was set.
    pub forced: bool,
    /// The refusals `force` overrode.
    pub overridden: Vec<Refusal>,
    /// Remarks that did not block the renewal.
    pub warnings: Vec<String>,
    /// What was done, step by step.
    pub steps: Vec<Step>,
}

fn same(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.trim().eq_ignore_ascii_case(b.trim()))
}

fn describe_token(t: &VppToken) -> String {
    format!(
        "{} ({})",
        t.location_name
            .as_deref()
            .or(t.display_name.as_deref())
            .unwrap_or("no location name"),
        t.id.as_deref().unwrap_or("no id")
    )
}

enum VppTarget<'a> {
    Existing(&'a VppToken),
    Create,
}

/// Finds the Intune token a `.vpptoken` renews, or why it cannot be chosen safely.
fn vpp_target<'a>(
    file: &VppTokenFile,
    tokens: &'a [VppToken],
    location: Option<&str>,
    create_if_missing: bool,
) -> Result<VppTarget<'a>, Refusal> {
    let org: Vec<&VppToken> = tokens
        .iter()
        .filter(|t| same(t.organization_name.as_deref(), &file.organization_name))
        .collect();
    let at_location: Vec<&VppToken> = match location {
        Some(loc) => org
            .iter()
            .copied()
            .filter(|t| {
                same(t.location_name.as_deref(), loc) || same(t.display_name.as_deref(), loc)
            })
            .collect(),
        None => org.clone(),
    };
    match at_location.as_slice() {
        [one] => Ok(VppTarget::Existing(one)),
        [] if create_if_missing => Ok(VppTarget::Create),
        [] if org.is_empty() => {
            let orgs: Vec<String> = tokens
                .iter()
                .filter_map(|t| t.organization_name.clone())
                .collect();
            Err(Refusal::blocking(
                "noTokenForOrganization",
                format!(
                    "no VPP token in Intune belongs to organisation {:?} (Intune has: {}): check that the file is for this tenant; to add a new location on purpose, use create_if_missing",
                    file.organization_name,
                    if orgs.is_empty() { "none".into() } else { orgs.join(", ") }
                ),
            ))
        }
        [] => Err(Refusal::blocking(
            "noTokenForLocation",
            format!(
                "organisation {:?} has no VPP token at location {:?} (its locations: {}): give one of those, or use create_if_missing to add a new location on purpose",
                file.organization_name,
                location.unwrap_or_default(),
                org.iter().map(|t| describe_token(t)).collect::<Vec<_>>().join(", ")
            ),
        )),
        many if location.is_some() => Err(Refusal::blocking(
            "duplicateLocation",
            format!(
                "location {:?} already has {} VPP tokens ({}): repair the duplicate apps, delete the old token, then renew the one left",
                location.unwrap_or_default(),
                many.len(),
                many.iter().map(|t| describe_token(t)).collect::<Vec<_>>().join(", ")
            ),
        )),
        many => Err(Refusal::blocking(
            "ambiguousToken",
            format!(
                "organisation {:?} has {} VPP tokens ({}): the file does not say which location it is for; give the location",
                file.organization_name,
                many.len(),
                many.iter().map(|t| describe_token(t)).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

fn vpp_flag_refusal(flag: &VppRenewalFlag, file: &VppTokenFile) -> Option<Refusal> {
    match flag {
        VppRenewalFlag::AlreadyExpired => Some(Refusal::new(
            "alreadyExpired",
            format!(
                "the file expired on {}: download a new token from Apple Business Manager (Preferences, Payments and Billing)",
                file.expires.to_rfc3339()
            ),
        )),
        VppRenewalFlag::ExpiresSoonerThanReplaced { current } => Some(Refusal::new(
            "notLater",
            format!(
                "the file expires {} which is before the token in Intune ({}): it is an older download; download the token again",
                file.expires.to_rfc3339(),
                current.to_rfc3339()
            ),
        )),
        VppRenewalFlag::DuplicateOfExisting { token_id } => Some(Refusal::new(
            "alreadyUploaded",
            format!(
                "this exact token is already in Intune (token {}): nothing to renew",
                token_id.as_deref().unwrap_or("?")
            ),
        )),
        _ => None,
    }
}

/// After a create whose answer was lost: the id of a token listed now and not `before`, of
/// the file's organisation (and `location`, when given); `None` when there is none.
async fn find_created_token(
    api: &crate::graph::VppTokens,
    file: &VppTokenFile,
    before: &[VppToken],
    location: Option<&str>,
) -> Result<Option<String>, WorkflowError> {
    let now: Vec<VppToken> = api.list().try_collect().await?;
    let known: std::collections::HashSet<&str> =
        before.iter().filter_map(|t| t.id.as_deref()).collect();
    Ok(now
        .into_iter()
        .filter(|t| t.id.as_deref().is_some_and(|id| !known.contains(id)))
        .filter(|t| {
            (t.organization_name.is_none()
                || same(t.organization_name.as_deref(), &file.organization_name))
                && location.is_none_or(|l| {
                    t.location_name.is_none()
                        || same(t.location_name.as_deref(), l)
                        || same(t.display_name.as_deref(), l)
                })
        })
        .find_map(|t| t.id))
}

/// Renews a VPP token safely: inspects the `.vpptoken`, finds the Intune token of the same
/// organisation (and location), uploads the file into it (`PATCH`, never a second token for the
/// same location), starts a licence sync, reads it back and verifies the expiry moved. When the
/// organisation/location has no token, refuses unless `create_if_missing`.
///
/// # Errors
/// - [`WorkflowError::TokenFile`] when the file is not a `.vpptoken` (nothing written);
/// - [`WorkflowError::RenewalRefused`] when no single target can be chosen, or an expiry check
///   fails and `force` is off (nothing written);
/// - [`WorkflowError::Graph`] when a call fails;
/// - [`WorkflowError::VerificationFailed`] when the expiry did not move.
pub async fn renew_vpp_token(
    client: &Client,
    request: &VppRenewalRequest,
) -> Result<VppRenewalReport, WorkflowError> {
    let now = client.clock().now();
    let mut steps = Vec::new();
    let mut warnings = Vec::new();
    let file = VppTokenFile::parse(request.token_file.expose().as_bytes())?;
    steps.push(Step::done(
        "inspect",
        format!(
            "token of organisation {:?} valid until {}",
            file.organization_name,
            file.expires.to_rfc3339()
        ),
    ));
    let api = client.vpp_tokens();
    let tokens: Vec<VppToken> = api.list().try_collect().await?;
    let target = vpp_target(
        &file,
        &tokens,
        request.location.as_deref(),
        request.create_if_missing,
    )
    .map_err(|r| WorkflowError::RenewalRefused { reasons: vec![r] })?;
    let mut reasons = Vec::new();
    let existing = match target {
        VppTarget::Existing(t) => Some(t),
        VppTarget::Create => None,
    };
    let check = file.check_renewal(
        existing.map(std::slice::from_ref).unwrap_or_default(),
        None,
        now,
    );
    let all = file.check_renewal(&tokens, None, now);
    for flag in check.flags.iter().chain(
        all.flags
            .iter()
            .filter(|f| matches!(f, VppRenewalFlag::DuplicateOfExisting { .. })),
    ) {
        if let Some(mut r) = vpp_flag_refusal(flag, &file) {
            // The same file in another token: uploading it here would leave two Intune tokens
            // on one Apple token (every app twice). `force` never overrides that.
            if let VppRenewalFlag::DuplicateOfExisting { token_id } = flag {
                let elsewhere = existing.and_then(|t| t.id.as_deref()) != token_id.as_deref();
                if elsewhere {
                    r.overridable = false;
                }
            }
            if let Some(same) = reasons
                .iter_mut()
                .find(|x: &&mut Refusal| x.code == r.code && x.message == r.message)
            {
                same.overridable &= r.overridable;
            } else {
                reasons.push(r);
            }
        }
    }
    if let Some(t) = existing {
        if t.state == Some(VppTokenState::AssignedToExternalMdm) {
            warnings.push("the token is assigned to another MDM: claim it (claimTokenManagementFromExternalMdm) in the Intune admin center".into());
        }
    }
    if !reasons.is_empty() {
        if !request.force || reasons.iter().any(|r| !r.overridable) {
            return Err(WorkflowError::RenewalRefused { reasons });
        }
        steps.push(Step::new(
            "check",
            StepOutcome::Warning,
            format!("{} refusal(s) overridden by force", reasons.len()),
        ));
    } else {
        steps.push(Step::done(
            "check",
            match existing {
                Some(t) => format!("renews {}", describe_token(t)),
                None => "no token for this organisation/location: a new one will be created".into(),
            },
        ));
    }
    let (token_id, previous_expiry, created) = match existing {
        Some(t) => {
            let id = t.id.clone().ok_or_else(|| {
                WorkflowError::InvalidInput("Intune listed a VPP token without an id".into())
            })?;
            match api.renew(&id, &file.content).await {
                Ok(()) => steps.push(Step::done(
                    "upload",
                    "file uploaded into the existing token",
                )),
                Err(e) if e.kind() == ErrorKind::OutcomeUnknown => steps.push(Step::new(
                    "upload",
                    StepOutcome::Warning,
                    "the answer was lost; reading back to see whether the upload was applied",
                )),
                Err(e) => return Err(e.into()),
            }
            (id, t.expiration_date_time, false)
        }
        None => {
            let answer = api
                .create(&VppTokenCreateRequest {
                    odata_type: None,
                    token: file.content.clone(),
                    automatically_update_apps: None,
                    country_or_region: None,
                    display_name: request.location.clone(),
                    role_scope_tag_ids: None,
                    data_sharing_consent_granted: Some(true),
                    claim_token_management_from_external_mdm: None,
                })
                .await;
            let id = match answer {
                Ok(created) => {
                    let id = created.id.ok_or_else(|| WorkflowError::VerificationFailed {
                        what: "Intune created the token but returned no id; list the VPP tokens to find it".into(),
                    })?;
                    steps.push(Step::done("create", format!("new token {id} created")));
                    id
                }
                Err(e) if e.kind() == ErrorKind::OutcomeUnknown => {
                    // The answer was lost: look for the token this attempt may have made
                    // (one that was not there before, of this organisation and location)
                    // rather than creating a second one.
                    let id = find_created_token(&api, &file, &tokens, request.location.as_deref())
                        .await?
                        .ok_or(WorkflowError::Graph(e))?;
                    steps.push(Step::new(
                        "create",
                        StepOutcome::Warning,
                        format!("the answer was lost; read back: new token {id} was created"),
                    ));
                    id
                }
                Err(e) => return Err(e.into()),
            };
            (id, None, true)
        }
    };
    match api.sync_licenses(&token_id).await {
        Ok(_) => steps.push(Step::done(
            "syncLicenses",
            "licence sync with Apple started",
        )),
        Err(e) => {
            warnings.push(format!("the licence sync could not start ({e}): start it from the Intune admin center (Tenant administration > Connectors and tokens > Apple VPP tokens > Sync)"));
            steps.push(Step::new(
                "syncLicenses",
                StepOutcome::Failed,
                "start it from the Intune admin center (Tenant administration > Connectors and tokens > Apple VPP tokens > Sync)",
            ));
        }
    }
    let after = api.get(&token_id).await.map_err(read_back_failed)?;
    steps.push(Step::done("readBack", "token read back from Intune"));
    let new_expiry = after.expiration_date_time;
    super::check_expiry_moved("the VPP token's", previous_expiry, new_expiry)?;
    if let Some(n) = new_expiry {
        if (n - file.expires).num_seconds().abs() > Duration::days(1).num_seconds() {
            warnings.push(format!(
                "Intune reports expiry {} but the file says {}: check the token in the Intune admin center (Tenant administration > Connectors and tokens > Apple VPP tokens)",
                n.to_rfc3339(),
                file.expires.to_rfc3339()
            ));
        }
    }
    match &after.state {
        None | Some(VppTokenState::Valid) => {}
        Some(s) => warnings.push(format!(
            "the token reports state {s:?} after the upload; check it after the licence sync"
        )),
    }
    steps.push(Step::done(
        "verify",
        format!(
            "expiry moved to {}",
            new_expiry.map(|d| d.to_rfc3339()).unwrap_or_default()
        ),
    ));
    Ok(VppRenewalReport {
        token_id,
        organization_name: file.organization_name.clone(),
        location_name: after
            .location_name
            .or_else(|| existing.and_then(|t| t.location_name.clone())),
        created,
        previous_expiry,
        new_expiry,
        file_expiry: file.expires,
        forced: request.force,
        overridden: reasons,
        warnings,
        steps,
    })
}
