//! Enrollment profiles as code, the pure part: the template file, its placeholders, its
//! validation, the comparison of a template with the profiles of a token, and the writes that
//! bring a token to the template.
//!
//! A template names the profile's settings by the model's (Graph's) own names:
//!
//! ```
//! use intune_apple_core::rules::profile_template::{parse_template, validate_template, TemplateContext};
//! use std::collections::BTreeMap;
//! let t = parse_template(r#"{
//!   "templateVersion": 1,
//!   "platform": "ios",
//!   "displayName": "Corporate iPhone",
//!   "settings": {
//!     "supervisedModeEnabled": true,
//!     "profileRemovalDisabled": true,
//!     "supportPhoneNumber": "${support_phone}",
//!     "enrollmentTimeAzureAdGroupIds": ["${group:All iPhones}"]
//!   }
//! }"#).unwrap();
//! // Offline (no tenant values): placeholders are accepted, the rules are checked.
//! assert!(validate_template(&t, &TemplateContext::offline()).is_empty());
//! // For one tenant: every placeholder needs a value.
//! let values = BTreeMap::from([("support_phone".to_string(), "+1 555 0100".to_string())]);
//! let issues = validate_template(&t, &TemplateContext::tenant(&values, None));
//! assert_eq!(issues[0].code, "PLACEHOLDER");
//! assert_eq!(issues[0].path, "settings.enrollmentTimeAzureAdGroupIds[0]");
//! ```
//!
//! Placeholders appear inside string values only: `${name}` takes the tenant's value `name`,
//! `${group:Display name}` the tenant's value `group:Display name` (a group id), and
//! `${vppToken:Location name}` the id of the tenant's valid VPP token of that Apps and Books
//! location (or the value `vppToken:Location name` when the tenant's values give one). `$${`
//! writes a literal `${`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::profile::{validate_profile, ValidationContext, Violation, ViolationSeverity};
use crate::model::{EnrollmentProfile, VppToken, VppTokenState};

/// The template format version this library reads and writes.
pub const TEMPLATE_VERSION: u32 = 1;

/// Settings Intune does not change on an existing profile: a difference in one of them is
/// brought to the template by a new profile that takes over the default and the devices
/// (the admin center offers no way to change user affinity of an existing profile; the
/// library takes the safe path even where Graph might accept the PATCH).
pub const NOT_PATCHABLE: [&str; 1] = ["requiresUserAuthentication"];

/// Suffix of the name of the profile that replaces one whose settings cannot be PATCHed, while
/// the replacement is under way.
pub const REPLACEMENT_SUFFIX: &str = " (replacement)";

/// Suffix given to the name of a replaced profile (kept, without devices, for the admin to
/// delete).
pub const REPLACED_SUFFIX: &str = " (replaced)";

/// Settings a template may not name: Intune assigns them, they have their own place in the
/// template, or they are secrets that read back as `null`.
const FORBIDDEN: [(&str, &str); 6] = [
    ("@odata.type", "the type comes from `platform`"),
    ("id", "Intune assigns the id"),
    ("displayName", "the name is the template's top-level `displayName`"),
    ("isDefault", "use the template's top-level `default`"),
    ("configurationEndpointUrl", "Intune assigns the enrollment URL"),
    ("adminAccountPassword", "a secret that reads back as null, so it could never be compared; Intune generates and rotates the local admin password (set depProfileAdminAccountPasswordRotationSetting)"),
];

/// Fields of a profile that are never settings (identity, or assigned by Intune).
const IDENTITY: [&str; 7] = [
    "@odata.type",
    "@odata.context",
    "id",
    "displayName",
    "isDefault",
    "configurationEndpointUrl",
    "adminAccountPassword",
];

/// Settings compared as sets (their order carries no meaning).
const SETS: [&str; 2] = ["enabledSkipKeys", "enrollmentTimeAzureAdGroupIds"];

/// The Apple platform of a template (the profile's `@odata.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TemplatePlatform {
    /// iOS/iPadOS (`depIOSEnrollmentProfile`).
    #[serde(rename = "ios")]
    Ios,
    /// macOS (`depMacOSEnrollmentProfile`).
    #[serde(rename = "macOS")]
    MacOs,
    /// tvOS (`depTvOSEnrollmentProfile`).
    #[serde(rename = "tvOS")]
    TvOs,
    /// visionOS (`depVisionOSEnrollmentProfile`).
    #[serde(rename = "visionOS")]
    VisionOs,
}

impl TemplatePlatform {
    /// The `@odata.type` of profiles of this platform.
    #[must_use]
    pub fn odata_type(self) -> &'static str {
        match self {
            Self::Ios => "#microsoft.graph.depIOSEnrollmentProfile",
            Self::MacOs => "#microsoft.graph.depMacOSEnrollmentProfile",
            Self::TvOs => "#microsoft.graph.depTvOSEnrollmentProfile",
            Self::VisionOs => "#microsoft.graph.depVisionOSEnrollmentProfile",
        }
    }

    /// The name used in templates and reports (`ios`, `macOS`, `tvOS`, `visionOS`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Ios => "ios",
            Self::MacOs => "macOS",
            Self::TvOs => "tvOS",
            Self::VisionOs => "visionOS",
        }
    }

    /// The platform of a classic profile; `None` for legacy and settings-catalog ones.
    #[must_use]
    pub fn of(profile: &EnrollmentProfile) -> Option<Self> {
        if profile.id().is_some_and(is_settings_catalog_id) {
            return None;
        }
        match profile {
            EnrollmentProfile::DepIos(_) => Some(Self::Ios),
            EnrollmentProfile::DepMacOs(_) => Some(Self::MacOs),
            EnrollmentProfile::DepTvOs(_) => Some(Self::TvOs),
            EnrollmentProfile::DepVisionOs(_) => Some(Self::VisionOs),
            _ => None,
        }
    }
}

/// Whether a profile id is that of a settings-catalog enrollment policy (`ECV2_...`).
#[must_use]
pub fn is_settings_catalog_id(id: &str) -> bool {
    id.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("ECV2_"))
}

/// A desired enrollment profile (the template file, JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileTemplate {
    /// Format version ([`TEMPLATE_VERSION`]).
    #[serde(default = "version_one")]
    pub template_version: u32,
    /// The Apple platform.
    pub platform: TemplatePlatform,
    /// The profile's name; with the platform, it identifies the profile on every token.
    pub display_name: String,
    /// `true`: the profile must be the token's default for its platform; absent: left open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// The settings the template fixes, by their Graph names (`supervisedModeEnabled`, ...).
    /// Every setting not named is left open.
    #[serde(default)]
    pub settings: Map<String, Value>,
}

fn version_one() -> u32 {
    TEMPLATE_VERSION
}

/// A problem of a template: a broken profile rule (`I1`..., `M1`...) or a template error
/// (`TEMPLATE`, `UNKNOWN_SETTING`, `FORBIDDEN`, `NULL`, `PLACEHOLDER`, `NAME`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateIssue {
    /// Rule or template error code.
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    /// Where, in the template file (`settings.supportPhoneNumber`, `displayName`, ...).
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl TemplateIssue {
    fn error(code: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            severity: "error".into(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// Whether it blocks the template.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == "error"
    }

    fn from_violation(v: &Violation) -> Self {
        Self {
            code: v.code.into(),
            severity: match v.severity {
                ViolationSeverity::Error => "error".into(),
                ViolationSeverity::Warning => "warning".into(),
            },
            path: if v.path.is_empty() {
                "settings".into()
            } else {
                format!("settings.{}", v.path)
            },
            message: v.message.clone(),
        }
    }
}

impl std::fmt::Display for TemplateIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {}: {}",
            self.severity, self.code, self.path, self.message
        )
    }
}

impl std::error::Error for TemplateIssue {}

/// Reads a template from its JSON text.
///
/// # Errors
/// One [`TemplateIssue`] (`TEMPLATE`) naming the line and column, or the unknown field.
pub fn parse_template(text: &str) -> Result<ProfileTemplate, TemplateIssue> {
    let text = text.trim_start_matches('\u{feff}');
    serde_json::from_str(text).map_err(|e| {
        TemplateIssue::error(
            "TEMPLATE",
            "",
            format!("the template is not a valid profile template (JSON with templateVersion, platform, displayName, default, settings): {e}"),
        )
    })
}

/// One placeholder of a template string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholder {
    /// `${name}`: the tenant's value `name`.
    Value(String),
    /// `${group:Display name}`: the tenant's value `group:Display name`.
    Group(String),
    /// `${vppToken:Location name}`: the tenant's VPP token of that location.
    VppToken(String),
}

impl Placeholder {
    /// The key of the tenant's values map that gives this placeholder's value.
    #[must_use]
    pub fn key(&self) -> String {
        match self {
            Self::Value(n) => n.clone(),
            Self::Group(n) => format!("group:{n}"),
            Self::VppToken(n) => format!("vppToken:{n}"),
        }
    }
}

enum Piece<'a> {
    Text(&'a str),
    Slot(Placeholder),
}

/// Splits a template string into text and placeholders.
fn pieces(s: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(at) = rest.find('$') {
        let (before, from) = rest.split_at(at);
        if !before.is_empty() {
            out.push(Piece::Text(before));
        }
        if let Some(after) = from.strip_prefix("$${") {
            out.push(Piece::Text("${"));
            rest = after;
        } else if let Some(after) = from.strip_prefix("${") {
            let Some(end) = after.find('}') else {
                return Err(
                    "a placeholder is not closed: write ${name}, or $${ for a literal ${".into(),
                );
            };
            let inner = after[..end].trim();
            let slot = match inner.split_once(':') {
                Some((kind, name)) if kind.trim() == "group" && !name.trim().is_empty() => {
                    Placeholder::Group(name.trim().into())
                }
                Some((kind, name)) if kind.trim() == "vppToken" && !name.trim().is_empty() => {
                    Placeholder::VppToken(name.trim().into())
                }
                Some((kind, _)) => {
                    return Err(format!("unknown placeholder kind `{kind}`: use ${{name}}, ${{group:Display name}} or ${{vppToken:Location name}}"));
                }
                None if !inner.is_empty()
                    && inner
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) =>
                {
                    Placeholder::Value(inner.into())
                }
                None => {
                    return Err(format!("`${{{inner}}}` is not a placeholder name: use letters, digits, `_`, `-` and `.`"));
                }
            };
            out.push(Piece::Slot(slot));
            rest = &after[end + 1..];
        } else {
            out.push(Piece::Text("$"));
            rest = &from[1..];
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

/// Every placeholder of a template, with the path of the value that holds it.
///
/// # Errors
/// The issues of malformed placeholders.
pub fn placeholders(
    template: &ProfileTemplate,
) -> Result<Vec<(String, Placeholder)>, Vec<TemplateIssue>> {
    let mut found = Vec::new();
    let mut issues = Vec::new();
    for (key, value) in &template.settings {
        walk_strings(
            value,
            &format!("settings.{key}"),
            &mut |path, s| match pieces(s) {
                Ok(p) => found.extend(p.into_iter().filter_map(|p| match p {
                    Piece::Slot(slot) => Some((path.to_owned(), slot)),
                    Piece::Text(_) => None,
                })),
                Err(e) => issues.push(TemplateIssue::error("PLACEHOLDER", path, e)),
            },
        );
    }
    if issues.is_empty() {
        Ok(found)
    } else {
        Err(issues)
    }
}

fn walk_strings(value: &Value, path: &str, f: &mut impl FnMut(&str, &str)) {
    match value {
        Value::String(s) => f(path, s),
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                walk_strings(v, &format!("{path}[{i}]"), f);
            }
        }
        Value::Object(m) => {
            for (k, v) in m {
                walk_strings(v, &format!("{path}.{k}"), f);
            }
        }
        _ => {}
    }
}

fn map_strings(
    value: &Value,
    path: &str,
    f: &mut impl FnMut(&str, &str) -> Result<String, TemplateIssue>,
    issues: &mut Vec<TemplateIssue>,
) -> Value {
    match value {
        Value::String(s) => match f(path, s) {
            Ok(s) => Value::String(s),
            Err(e) => {
                issues.push(e);
                Value::String(String::new())
            }
        },
        Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, v)| map_strings(v, &format!("{path}[{i}]"), f, issues))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), map_strings(v, &format!("{path}.{k}"), f, issues)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What placeholders resolve against.
#[derive(Debug, Clone, Copy)]
pub struct TemplateContext<'a> {
    /// The tenant's values; `None`: offline (placeholders are checked, not resolved).
    pub values: Option<&'a BTreeMap<String, String>>,
    /// The tenant's VPP tokens (for `${vppToken:...}` and rule I5); `None`: not read.
    pub vpp_tokens: Option<&'a [VppToken]>,
    /// The instant rule I5 judges VPP token expiry against.
    pub now: Option<DateTime<Utc>>,
}

impl<'a> TemplateContext<'a> {
    /// No tenant: placeholders stand for any value; rules that need the tenant are skipped.
    #[must_use]
    pub fn offline() -> Self {
        Self {
            values: None,
            vpp_tokens: None,
            now: None,
        }
    }

    /// One tenant's values, and its VPP tokens when read.
    #[must_use]
    pub fn tenant(
        values: &'a BTreeMap<String, String>,
        vpp_tokens: Option<&'a [VppToken]>,
    ) -> Self {
        Self {
            values: Some(values),
            vpp_tokens,
            now: None,
        }
    }
}

/// The id of the valid VPP token of `location` (case-insensitive), or why there is none.
fn vpp_token_of(location: &str, tokens: &[VppToken]) -> Result<String, String> {
    let of_location: Vec<&VppToken> = tokens
        .iter()
        .filter(|t| {
            t.location_name
                .as_deref()
                .is_some_and(|l| l.trim().to_lowercase() == location.to_lowercase())
        })
        .collect();
    let valid: Vec<&&VppToken> = of_location
        .iter()
        .filter(|t| matches!(t.state, None | Some(VppTokenState::Valid)))
        .collect();
    match (valid.as_slice(), of_location.len()) {
        ([one], _) => one
            .id
            .clone()
            .ok_or_else(|| format!("the VPP token of location {location} has no id")),
        (_, 0) => Err(format!("the tenant has no VPP token of location `{location}`: check the location name (Tenant administration > Connectors and tokens > Apple VPP tokens), or give the token id as the value `vppToken:{location}`")),
        ([], n) => Err(format!("none of the tenant's {n} VPP token(s) of location `{location}` is valid: renew it, or give the token id as the value `vppToken:{location}`")),
        (many, _) => Err(format!("the tenant has {} valid VPP tokens of location `{location}`: give the one to use as the value `vppToken:{location}`", many.len())),
    }
}

/// The template's settings with every placeholder replaced, and the issues of those that have
/// no value. Offline, each placeholder stands in as `X`.
#[must_use]
pub fn resolve_settings(
    template: &ProfileTemplate,
    ctx: &TemplateContext<'_>,
) -> (Map<String, Value>, Vec<TemplateIssue>) {
    let mut issues = Vec::new();
    let mut resolve = |path: &str, s: &str| -> Result<String, TemplateIssue> {
        let parts = pieces(s).map_err(|e| TemplateIssue::error("PLACEHOLDER", path, e))?;
        let mut out = String::new();
        for p in parts {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(slot) => {
                    let Some(values) = ctx.values else {
                        out.push('X');
                        continue;
                    };
                    if let Some(v) = values.get(&slot.key()) {
                        out.push_str(v);
                        continue;
                    }
                    let value = match (&slot, ctx.vpp_tokens) {
                        (Placeholder::VppToken(loc), Some(tokens)) => vpp_token_of(loc, tokens),
                        (Placeholder::VppToken(_), None) => Err("the tenant's VPP tokens were not read".into()),
                        (Placeholder::Group(name), _) => Err(format!("no value `group:{name}` for this tenant: give the id of its group `{name}` in the tenant's values")),
                        (Placeholder::Value(name), _) => Err(format!("no value `{name}` for this tenant: add it to the tenant's values")),
                    };
                    out.push_str(&value.map_err(|e| TemplateIssue::error("PLACEHOLDER", path, e))?);
                }
            }
        }
        Ok(out)
    };
    let settings = template
        .settings
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                map_strings(v, &format!("settings.{k}"), &mut resolve, &mut issues),
            )
        })
        .collect();
    (settings, issues)
}

/// The profile the template describes, from resolved settings. With the issues of settings the
/// model does not know for this platform, or whose value has the wrong type.
fn build_profile(
    template: &ProfileTemplate,
    settings: &Map<String, Value>,
) -> (Option<EnrollmentProfile>, Vec<TemplateIssue>) {
    let mut issues = Vec::new();
    let mut body = Map::new();
    for (k, v) in settings {
        if let Some((_, why)) = FORBIDDEN.iter().find(|(f, _)| f == k) {
            issues.push(TemplateIssue::error(
                "FORBIDDEN",
                format!("settings.{k}"),
                format!("`{k}` cannot be set by a template: {why}"),
            ));
        } else if v.is_null() {
            issues.push(TemplateIssue::error(
                "NULL",
                format!("settings.{k}"),
                "null is not a value: leave the setting out of the template to leave it open",
            ));
        } else {
            body.insert(k.clone(), v.clone());
        }
    }
    body.insert(
        "@odata.type".into(),
        Value::String(template.platform.odata_type().into()),
    );
    body.insert(
        "displayName".into(),
        Value::String(template.display_name.clone()),
    );
    let profile = match crate::model::decode_value::<EnrollmentProfile>(Value::Object(body.clone()))
    {
        Ok(p) => p,
        Err(e) => {
            let field = e
                .path
                .split(['.', '['])
                .next()
                .unwrap_or_default()
                .to_owned();
            issues.push(TemplateIssue::error(
                "TEMPLATE",
                format!("settings.{}", e.path),
                format!(
                    "the value of `{field}` does not have the type a {} profile needs: {}",
                    template.platform.name(),
                    e.message
                ),
            ));
            return (None, issues);
        }
    };
    let back = profile_value(&profile);
    for k in body.keys() {
        if !k.starts_with('@') && back.get(k).is_none() {
            issues.push(TemplateIssue::error(
                "UNKNOWN_SETTING",
                format!("settings.{k}"),
                format!("`{k}` is not a setting of a {} enrollment profile: check its spelling against docs/profiles.md", template.platform.name()),
            ));
        }
    }
    (Some(profile), issues)
}

/// Validates a template: its shape, its placeholders (resolved against the tenant when the
/// context has one), the settings the model knows, then every profile rule. Returns every
/// issue at once, errors first; empty when the template is good.
#[must_use]
pub fn validate_template(
    template: &ProfileTemplate,
    ctx: &TemplateContext<'_>,
) -> Vec<TemplateIssue> {
    desired_profile(template, ctx).err().unwrap_or_else(|| {
        // No error: the warnings.
        let (settings, _) = resolve_settings(template, ctx);
        let (profile, _) = build_profile(template, &settings);
        profile.map(|p| rule_issues(&p, ctx)).unwrap_or_default()
    })
}

fn rule_issues(profile: &EnrollmentProfile, ctx: &TemplateContext<'_>) -> Vec<TemplateIssue> {
    let now = ctx.now.unwrap_or(DateTime::<Utc>::MIN_UTC);
    let tokens = ctx.vpp_tokens.unwrap_or_default();
    let mut vctx = ValidationContext::new(tokens, now);
    // The profile count is the token's business, judged when a profile is created.
    vctx.profile_limit = usize::MAX;
    validate_profile(profile, &vctx)
        .iter()
        .filter(|v| (ctx.vpp_tokens.is_some() && ctx.now.is_some()) || v.code != "I5")
        .map(TemplateIssue::from_violation)
        .collect()
}

/// The resolved desired profile, or every issue (errors first) when the template has an error.
///
/// # Errors
/// Every issue, when at least one is an error.
pub fn desired_profile(
    template: &ProfileTemplate,
    ctx: &TemplateContext<'_>,
) -> Result<EnrollmentProfile, Vec<TemplateIssue>> {
    let mut issues = Vec::new();
    if template.template_version != TEMPLATE_VERSION {
        issues.push(TemplateIssue::error(
            "TEMPLATE",
            "templateVersion",
            format!("template version {} is not supported: this library reads version {TEMPLATE_VERSION}", template.template_version),
        ));
    }
    if template.display_name.trim().is_empty() {
        issues.push(TemplateIssue::error(
            "NAME",
            "displayName",
            "The profile has no name: set displayName.",
        ));
    } else if template.display_name.contains("${") {
        issues.push(TemplateIssue::error(
            "NAME",
            "displayName",
            "The name identifies the profile on every token: it cannot hold a placeholder.",
        ));
    }
    let (settings, resolution) = resolve_settings(template, ctx);
    match placeholders(template) {
        Err(e) => issues.extend(e),
        Ok(_) => issues.extend(resolution),
    }
    let (profile, build) = build_profile(template, &settings);
    issues.extend(build);
    if let Some(p) = &profile {
        issues.extend(rule_issues(p, ctx));
    }
    issues.sort_by_key(|i| !i.is_error());
    match profile {
        Some(p) if !issues.iter().any(TemplateIssue::is_error) => Ok(p),
        _ => Err(issues),
    }
}

/// The JSON of a profile as the comparison sees it: the model's serialization, with Apple
/// Configurator certificates reduced to their thumbprints (never the certificate).
#[must_use]
pub fn profile_value(profile: &EnrollmentProfile) -> Map<String, Value> {
    let mut m = match serde_json::to_value(profile) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    m.remove("adminAccountPassword");
    if let Some(Value::Array(certs)) = m.get_mut("managementCertificates") {
        for c in certs.iter_mut() {
            if let Value::Object(o) = c {
                o.remove("certificate");
            }
        }
    }
    m
}

fn normalized(key: &str, v: &Value) -> Value {
    match v {
        Value::Array(a) if SETS.contains(&key) => {
            let mut items: Vec<String> = a
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_lowercase))
                .collect();
            items.sort();
            items.dedup();
            Value::from(items)
        }
        other => other.clone(),
    }
}

/// One setting whose value differs from the template's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingDifference {
    /// Graph name of the setting (`isDefault` for the default flag).
    pub setting: String,
    /// The template's value (resolved for this tenant).
    pub template: Value,
    /// The tenant's value (`null`: not set).
    pub tenant: Value,
    /// Whether a PATCH can change it (else a replacement profile is needed, see
    /// [`NOT_PATCHABLE`]).
    pub patchable: bool,
}

/// One setting the template leaves open, with the tenant's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenSetting {
    /// Graph name of the setting.
    pub setting: String,
    /// The tenant's value.
    pub tenant: Value,
}

/// The differences between the desired profile and one tenant profile.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// Settings that differ.
    pub differences: Vec<SettingDifference>,
    /// Settings the template leaves open.
    pub open: Vec<OpenSetting>,
}

/// Compares the template (resolved into `desired`) with a tenant profile.
#[must_use]
pub fn compare(
    template: &ProfileTemplate,
    desired: &EnrollmentProfile,
    actual: &EnrollmentProfile,
) -> Comparison {
    let want = profile_value(desired);
    let have = profile_value(actual);
    let mut out = Comparison::default();
    for key in template.settings.keys() {
        let Some(w) = want.get(key) else { continue };
        let h = have.get(key).cloned().unwrap_or(Value::Null);
        if normalized(key, w) != normalized(key, &h) {
            out.differences.push(SettingDifference {
                setting: key.clone(),
                template: w.clone(),
                tenant: h,
                patchable: !NOT_PATCHABLE.contains(&key.as_str()),
            });
        }
    }
    if let Some(d) = template.default {
        let is = have
            .get("isDefault")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if d != is {
            out.differences.push(SettingDifference {
                setting: "isDefault".into(),
                template: Value::Bool(d),
                tenant: Value::Bool(is),
                patchable: true,
            });
        }
    }
    for (k, v) in &have {
        if !IDENTITY.contains(&k.as_str()) && !template.settings.contains_key(k) {
            out.open.push(OpenSetting {
                setting: k.clone(),
                tenant: v.clone(),
            });
        }
    }
    out
}

/// What a template looks like on one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DriftStatus {
    /// The profile exists and every setting the template fixes has its value.
    Matching,
    /// The profile exists and differs.
    Drifted,
    /// The token has no profile of that name and platform.
    Missing,
    /// A replacement of the profile (for a setting that cannot be PATCHed) was started and
    /// not finished; the next apply completes it.
    Incomplete,
    /// Several profiles of the token have that name and platform: nothing can be decided.
    Ambiguous,
    /// Only a profile that is not compared (a settings-catalog policy or a legacy profile)
    /// has that name.
    NotComparable,
    /// The token could not be checked (read failure, or the template does not resolve for
    /// this tenant).
    Error,
}

impl DriftStatus {
    /// The exit code of this status: 0 nothing to do, 1 drift, 2 could not check.
    #[must_use]
    pub fn exit_code(self) -> i32 {
        match self {
            Self::Matching => 0,
            Self::Drifted | Self::Missing | Self::Incomplete => 1,
            Self::Ambiguous | Self::NotComparable | Self::Error => 2,
        }
    }
}

/// A profile of the token that drift does not compare, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedProfile {
    /// Profile id.
    pub profile_id: String,
    /// Its name.
    pub display_name: Option<String>,
    /// Why it is not compared.
    pub reason: String,
}

/// The kind of a write of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WriteKind {
    /// POST the missing profile.
    Create,
    /// PATCH the settings that differ.
    Patch,
    /// `setDefaultProfile` on the profile.
    SetDefault,
    /// POST a profile that replaces one whose settings cannot be PATCHed, named with
    /// [`REPLACEMENT_SUFFIX`].
    CreateReplacement,
    /// `updateDeviceProfileAssignment`: move the devices of the replaced profile to the
    /// replacement.
    MoveDevices,
    /// PATCH the name of the replaced profile (adds [`REPLACED_SUFFIX`]); it is kept, for you to
    /// delete once you are satisfied.
    RenameReplaced,
    /// PATCH the name of the replacement to the template's name.
    RenameReplacement,
}

/// One write of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedWrite {
    /// What it does.
    pub kind: WriteKind,
    /// The profile written (`None`: one this plan creates first).
    pub profile_id: Option<String>,
    /// The name of the profile written, before the write.
    pub display_name: String,
    /// The settings it changes (PATCH, create: all of the template's).
    pub settings: Vec<String>,
    /// The devices it moves ([`WriteKind::MoveDevices`]).
    pub serial_numbers: Vec<String>,
    /// The source profile of the devices ([`WriteKind::MoveDevices`]).
    pub from_profile_id: Option<String>,
    /// What and why, in words.
    pub description: String,
}

/// The template held against one token's profiles: status, differences and the writes that
/// bring the token to the template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenAssessment {
    /// Status.
    pub status: DriftStatus,
    /// The matching profile (or the replacement under way).
    pub profile_id: Option<String>,
    /// Settings that differ.
    pub differences: Vec<SettingDifference>,
    /// Settings the template leaves open.
    pub open_settings: Vec<OpenSetting>,
    /// Profiles not compared, with the reason.
    pub skipped: Vec<SkippedProfile>,
    /// The writes, in order.
    pub writes: Vec<PlannedWrite>,
    /// Remarks (ambiguity, why nothing is written, what is left to the admin).
    pub notes: Vec<String>,
}

fn same_name(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.trim().to_lowercase() == b.trim().to_lowercase())
}

fn is_default(p: &EnrollmentProfile) -> bool {
    profile_value(p).get("isDefault").and_then(Value::as_bool) == Some(true)
}

fn skip_reason(p: &EnrollmentProfile) -> Option<&'static str> {
    if p.id().is_some_and(is_settings_catalog_id) {
        return Some("a settings-catalog enrollment policy (ECV2_): its settings live in deviceManagement/configurationPolicies, which templates do not cover yet");
    }
    match p {
        EnrollmentProfile::DepEnrollmentProfile(_) => Some("a legacy depEnrollmentProfile: Intune no longer creates this type; recreate it as a per-platform profile to manage it with a template"),
        EnrollmentProfile::Other(_) => Some("a profile type this library does not model"),
        _ => None,
    }
}

/// Holds the template against the profiles of one token and plans the writes. `devices` gives
/// the serial numbers assigned to each profile id; it is only consulted for a profile being
/// replaced (read them only when [`needs_devices`] says so).
#[must_use]
pub fn assess_token(
    template: &ProfileTemplate,
    desired: &EnrollmentProfile,
    profiles: &[EnrollmentProfile],
    devices: &HashMap<String, Vec<String>>,
) -> TokenAssessment {
    let name = template.display_name.trim();
    let replacement_name = format!("{name}{REPLACEMENT_SUFFIX}");
    let replaced_name = format!("{name}{REPLACED_SUFFIX}");
    let mut a = TokenAssessment {
        status: DriftStatus::Matching,
        profile_id: None,
        differences: Vec::new(),
        open_settings: Vec::new(),
        skipped: Vec::new(),
        writes: Vec::new(),
        notes: Vec::new(),
    };
    let mut classic = Vec::new();
    for p in profiles {
        if let Some(reason) = skip_reason(p) {
            a.skipped.push(SkippedProfile {
                profile_id: p.id().unwrap_or_default().to_owned(),
                display_name: p.display_name().map(str::to_owned),
                reason: reason.to_owned(),
            });
        } else if TemplatePlatform::of(p) == Some(template.platform) {
            classic.push(p);
        }
    }
    let named = |n: &str| -> Vec<&EnrollmentProfile> {
        classic
            .iter()
            .copied()
            .filter(|p| same_name(p.display_name(), n))
            .collect()
    };
    let (main, repl, replaced) = (named(name), named(&replacement_name), named(&replaced_name));
    if main.len() > 1 || repl.len() > 1 {
        a.status = DriftStatus::Ambiguous;
        let ids: Vec<&str> = main.iter().chain(&repl).filter_map(|p| p.id()).collect();
        a.notes.push(format!("several {} profiles are named `{name}` (or its replacement): {}. Rename or delete all but one; nothing is written until then", template.platform.name(), ids.join(", ")));
        return a;
    }
    let all_settings: Vec<String> = template.settings.keys().cloned().collect();
    let want_default = template.default == Some(true);
    let id_of = |p: &EnrollmentProfile| p.id().map(str::to_owned);
    match (main.first(), repl.first()) {
        (None, None) => {
            if let Some(s) = a
                .skipped
                .iter()
                .find(|s| same_name(s.display_name.as_deref(), name))
            {
                a.status = DriftStatus::NotComparable;
                a.profile_id = Some(s.profile_id.clone());
                a.notes.push(format!(
                    "the token's `{name}` is not compared ({}); nothing is created beside it",
                    s.reason
                ));
                return a;
            }
            a.status = DriftStatus::Missing;
            a.writes.push(PlannedWrite {
                kind: WriteKind::Create,
                profile_id: None,
                display_name: name.to_owned(),
                settings: all_settings,
                serial_numbers: Vec::new(),
                from_profile_id: None,
                description: format!(
                    "create the {} profile `{name}` with the template's settings",
                    template.platform.name()
                ),
            });
            if want_default {
                a.writes.push(set_default(None, name));
            }
        }
        (Some(&m), None) => {
            let c = compare(template, desired, m);
            a.profile_id = id_of(m);
            a.open_settings = c.open;
            a.differences = c.differences;
            if a.differences.is_empty() {
                return a;
            }
            a.status = DriftStatus::Drifted;
            let settings: Vec<String> = a
                .differences
                .iter()
                .filter(|d| d.setting != "isDefault")
                .map(|d| d.setting.clone())
                .collect();
            let blocked: Vec<&str> = a
                .differences
                .iter()
                .filter(|d| !d.patchable)
                .map(|d| d.setting.as_str())
                .collect();
            if blocked.is_empty() {
                if !settings.is_empty() {
                    a.writes.push(PlannedWrite {
                        kind: WriteKind::Patch,
                        profile_id: id_of(m),
                        display_name: name.to_owned(),
                        description: format!("PATCH {} on `{name}`", settings.join(", ")),
                        settings,
                        serial_numbers: Vec::new(),
                        from_profile_id: None,
                    });
                }
                if a.differences.iter().any(|d| d.setting == "isDefault") && want_default {
                    a.writes.push(set_default(id_of(m), name));
                }
                if template.default == Some(false) && is_default(m) {
                    a.notes.push(format!("the template says `{name}` is not the default, but Intune cannot unset a default: make another profile the default"));
                }
            } else {
                a.writes.push(PlannedWrite {
                    kind: WriteKind::CreateReplacement,
                    profile_id: None,
                    display_name: replacement_name.clone(),
                    settings: all_settings,
                    serial_numbers: Vec::new(),
                    from_profile_id: None,
                    description: format!("{} cannot be changed on an existing profile: create `{replacement_name}` with the template's settings, move the default and the devices to it, then take over the name", blocked.join(", ")),
                });
                replacement_tail(&mut a, m, None, name, want_default, devices);
            }
        }
        (main, Some(&r)) => {
            // A replacement under way: finish it.
            a.status = DriftStatus::Incomplete;
            a.profile_id = id_of(r);
            let c = compare(template, desired, r);
            a.open_settings = c.open;
            let fix: Vec<&SettingDifference> = c
                .differences
                .iter()
                .filter(|d| d.setting != "isDefault")
                .collect();
            if fix.iter().any(|d| !d.patchable) {
                a.status = DriftStatus::Ambiguous;
                a.notes.push(format!("`{replacement_name}` differs from the template in a setting that cannot be PATCHed: delete it and run again"));
                a.differences = c.differences;
                return a;
            }
            if !fix.is_empty() {
                let settings: Vec<String> = fix.iter().map(|d| d.setting.clone()).collect();
                a.writes.push(PlannedWrite {
                    kind: WriteKind::Patch,
                    profile_id: id_of(r),
                    display_name: replacement_name.clone(),
                    description: format!("PATCH {} on `{replacement_name}`", settings.join(", ")),
                    settings,
                    serial_numbers: Vec::new(),
                    from_profile_id: None,
                });
            }
            a.differences = c.differences;
            let old = main.copied().or_else(|| replaced.first().copied());
            match old {
                Some(old) => replacement_tail(&mut a, old, Some(r), name, want_default, devices),
                None => a.writes.push(rename_replacement(id_of(r), name)),
            }
        }
    }
    a
}

fn set_default(id: Option<String>, name: &str) -> PlannedWrite {
    PlannedWrite {
        kind: WriteKind::SetDefault,
        profile_id: id,
        display_name: name.to_owned(),
        settings: vec!["isDefault".into()],
        serial_numbers: Vec::new(),
        from_profile_id: None,
        description: format!("make `{name}` the token's default profile for its platform"),
    }
}

fn rename_replacement(id: Option<String>, name: &str) -> PlannedWrite {
    PlannedWrite {
        kind: WriteKind::RenameReplacement,
        profile_id: id,
        display_name: format!("{name}{REPLACEMENT_SUFFIX}"),
        settings: vec!["displayName".into()],
        serial_numbers: Vec::new(),
        from_profile_id: None,
        description: format!("rename `{name}{REPLACEMENT_SUFFIX}` to `{name}`"),
    }
}

/// The writes after the replacement exists: default, devices, the two renames.
fn replacement_tail(
    a: &mut TokenAssessment,
    old: &EnrollmentProfile,
    repl: Option<&EnrollmentProfile>,
    name: &str,
    want_default: bool,
    devices: &HashMap<String, Vec<String>>,
) {
    let repl_id = repl.and_then(|r| r.id().map(str::to_owned));
    let repl_name = format!("{name}{REPLACEMENT_SUFFIX}");
    let old_id = old.id().map(str::to_owned);
    let repl_default = repl.is_some_and(is_default);
    if (is_default(old) || want_default) && !repl_default {
        a.writes.push(set_default(repl_id.clone(), &repl_name));
    }
    let serials = old_id
        .as_ref()
        .and_then(|id| devices.get(id))
        .cloned()
        .unwrap_or_default();
    if !serials.is_empty() {
        a.writes.push(PlannedWrite {
            kind: WriteKind::MoveDevices,
            profile_id: repl_id.clone(),
            display_name: repl_name.clone(),
            settings: Vec::new(),
            description: format!(
                "assign the {} device(s) of `{}` to `{repl_name}`",
                serials.len(),
                old.display_name().unwrap_or_default()
            ),
            serial_numbers: serials,
            from_profile_id: old_id.clone(),
        });
    }
    if same_name(old.display_name(), name) {
        a.writes.push(PlannedWrite {
            kind: WriteKind::RenameReplaced,
            profile_id: old_id,
            display_name: name.to_owned(),
            settings: vec!["displayName".into()],
            serial_numbers: Vec::new(),
            from_profile_id: None,
            description: format!("rename the replaced `{name}` to `{name}{REPLACED_SUFFIX}` (kept, without devices: delete it when satisfied)"),
        });
    }
    a.writes.push(rename_replacement(repl_id, name));
}

/// Whether [`assess_token`] needs the devices of the token's profiles: only when a profile is
/// replaced (a difference that cannot be PATCHed, or a replacement under way).
#[must_use]
pub fn needs_devices(
    template: &ProfileTemplate,
    desired: &EnrollmentProfile,
    profiles: &[EnrollmentProfile],
) -> bool {
    let a = assess_token(template, desired, profiles, &HashMap::new());
    a.status == DriftStatus::Incomplete
        || a.writes
            .iter()
            .any(|w| w.kind == WriteKind::CreateReplacement)
}

/// What [`template_from_profile`] turns into placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    /// Turn the tenant-specific values (support phone and department, Company Portal VPP
    /// token, Entra ID groups) into placeholders, and return their values. Default: true.
    pub placeholders: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self { placeholders: true }
    }
}

/// A template written from an existing profile, with the source tenant's values of its
/// placeholders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedTemplate {
    /// The template.
    pub template: ProfileTemplate,
    /// The source tenant's value of each placeholder.
    pub values: BTreeMap<String, String>,
    /// What was left out, and why.
    pub notes: Vec<String>,
}

/// Writes a template from a classic profile: ids, the default flag, the enrollment URL and
/// secrets are left out; with [`ExportOptions::placeholders`], tenant-specific values become
/// placeholders (`${support_phone}`, `${support_department}`, `${vppToken:<location>}`,
/// `${enrollment_group_1}`...) and their values are returned.
///
/// # Errors
/// A message when the profile is not a classic iOS/iPadOS, macOS, tvOS or visionOS profile.
pub fn template_from_profile(
    profile: &EnrollmentProfile,
    vpp_tokens: &[VppToken],
    options: &ExportOptions,
) -> Result<ExportedTemplate, String> {
    let platform = TemplatePlatform::of(profile).ok_or_else(|| {
        format!(
            "profile {} is {}: only classic iOS/iPadOS, macOS, tvOS and visionOS profiles can be exported",
            profile.id().unwrap_or_default(),
            skip_reason(profile).unwrap_or("not a classic profile")
        )
    })?;
    let mut settings = profile_value(profile);
    let mut notes = Vec::new();
    for k in IDENTITY {
        settings.remove(k);
    }
    settings.retain(|_, v| !v.is_null());
    if let EnrollmentProfile::DepMacOs(p) = profile {
        if p.admin_account_password.is_some() {
            notes.push(
                "adminAccountPassword is left out: it is a secret, and Intune generates it".into(),
            );
        }
    }
    if let Some(Value::Array(certs)) = settings.get("managementCertificates") {
        if !certs.is_empty() {
            settings.remove("managementCertificates");
            notes.push("managementCertificates is left out: Graph does not return the certificates themselves; add them to the template by hand".into());
        }
    }
    let mut values = BTreeMap::new();
    if options.placeholders {
        for (key, placeholder) in [
            ("supportPhoneNumber", "support_phone"),
            ("supportDepartment", "support_department"),
        ] {
            if let Some(Value::String(s)) = settings.get(key) {
                if !s.is_empty() {
                    values.insert(placeholder.to_owned(), s.clone());
                    settings.insert(key.into(), Value::String(format!("${{{placeholder}}}")));
                }
            }
        }
        if let Some(Value::String(id)) = settings.get("companyPortalVppTokenId").cloned() {
            if !id.is_empty() {
                let location = vpp_tokens
                    .iter()
                    .find(|t| t.id.as_deref() == Some(id.as_str()))
                    .and_then(|t| t.location_name.clone())
                    .filter(|l| vpp_token_of(l, vpp_tokens).as_deref() == Ok(id.as_str()));
                let key = match location {
                    Some(l) => Placeholder::VppToken(l),
                    None => {
                        notes.push("the Company Portal VPP token is not the only valid token of its location: its id is kept as the value `company_portal_vpp_token`".into());
                        Placeholder::Value("company_portal_vpp_token".into())
                    }
                };
                values.insert(key.key(), id.clone());
                let text = match &key {
                    Placeholder::VppToken(l) => format!("${{vppToken:{l}}}"),
                    _ => "${company_portal_vpp_token}".into(),
                };
                settings.insert("companyPortalVppTokenId".into(), Value::String(text));
            }
        }
        if let Some(Value::Array(groups)) = settings.get("enrollmentTimeAzureAdGroupIds").cloned() {
            let mut out = Vec::new();
            for (i, g) in groups.iter().enumerate() {
                let name = format!("enrollment_group_{}", i.saturating_add(1));
                values.insert(name.clone(), g.as_str().unwrap_or_default().to_owned());
                out.push(Value::String(format!("${{{name}}}")));
            }
            if !out.is_empty() {
                notes.push("Entra ID group ids became ${enrollment_group_N}: rename them to ${group:<display name>} and give each tenant's id in its values".into());
            }
            settings.insert("enrollmentTimeAzureAdGroupIds".into(), Value::Array(out));
        }
    }
    let template = ProfileTemplate {
        template_version: TEMPLATE_VERSION,
        platform,
        display_name: profile.display_name().unwrap_or_default().to_owned(),
        default: is_default(profile).then_some(true),
        settings,
    };
    Ok(ExportedTemplate {
        template,
        values,
        notes,
    })
}

impl ProfileTemplate {
    /// The template as pretty-printed JSON, the file format.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(settings: Value) -> ProfileTemplate {
        ProfileTemplate {
            template_version: 1,
            platform: TemplatePlatform::Ios,
            display_name: "Corp".into(),
            default: None,
            settings: match settings {
                Value::Object(map) => map,
                _ => serde_json::Map::new(),
            },
        }
    }

    #[test]
    fn placeholder_grammar() {
        let tp =
            t(serde_json::json!({"supportDepartment": "IT $${literal} ${dept}-${group:A B} $5"}));
        let found = placeholders(&tp).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].1, Placeholder::Group("A B".into()));
        let values = BTreeMap::from([
            ("dept".to_string(), "Ops".to_string()),
            ("group:A B".to_string(), "g".to_string()),
        ]);
        let (s, issues) = resolve_settings(&tp, &TemplateContext::tenant(&values, None));
        assert!(issues.is_empty());
        assert_eq!(s["supportDepartment"], "IT ${literal} Ops-g $5");
        for bad in ["${", "${a b}", "${team:x}", "${}"] {
            let tp = t(serde_json::json!({"supportDepartment": bad}));
            assert!(placeholders(&tp).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_template_error_at_once() {
        let tp = ProfileTemplate {
            display_name: " ".into(),
            ..t(serde_json::json!({
                "supervisedModeEnabled": false,
                "profileRemovalDisabled": true,
                "isDefault": true,
                "supportPhone": "x",
                "carrierActivationUrl": null,
                "deviceNameTemplate": "{{USERNAME}}"
            }))
        };
        let issues = validate_template(&tp, &TemplateContext::offline());
        let mut codes: Vec<(&str, &str)> = issues
            .iter()
            .map(|i| (i.code.as_str(), i.path.as_str()))
            .collect();
        codes.sort_unstable();
        assert_eq!(
            codes,
            [
                ("FORBIDDEN", "settings.isDefault"),
                ("I1", "settings.profileRemovalDisabled"),
                ("I13", "settings.deviceNameTemplate"),
                ("NAME", "displayName"),
                ("NULL", "settings.carrierActivationUrl"),
                ("UNKNOWN_SETTING", "settings.supportPhone"),
            ]
        );
    }

    #[test]
    fn vpp_token_by_location() {
        let tok = |id: &str, loc: &str, state: VppTokenState| VppToken {
            id: Some(id.into()),
            location_name: Some(loc.into()),
            state: Some(state),
            ..VppToken::default()
        };
        let tokens = [
            tok("a", "Warehouse", VppTokenState::Expired),
            tok("b", "Warehouse", VppTokenState::Valid),
            tok("c", "HQ", VppTokenState::Valid),
            tok("d", "HQ", VppTokenState::Valid),
        ];
        assert_eq!(vpp_token_of("warehouse", &tokens).unwrap(), "b");
        assert!(vpp_token_of("HQ", &tokens).unwrap_err().contains("2 valid"));
        assert!(vpp_token_of("Nowhere", &tokens)
            .unwrap_err()
            .contains("no VPP token"));
    }
}
