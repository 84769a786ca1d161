//! VPP licences running out, and enrollment profiles that install the Company Portal through a
//! VPP token that cannot give it.
//!
//! Intune's enrollment documentation: devices are blocked when there are not enough Company
//! Portal licences for a VPP token, or when the token has expired. The report therefore reads the
//! licence counts of the VPP apps of each token and warns before they run out
//! ([`LicenceThresholds`]); the Company Portal is critical where an enrollment profile installs
//! it through that token. A profile that installs the Company Portal with a token that has
//! expired, is invalid or has no Company Portal licence left makes new devices fall back to the
//! App Store Company Portal (an Apple ID is asked for) or fail: that is reported in the item of
//! the profile's enrollment program token.

use chrono::{DateTime, Utc};

use super::health::{Problem, Severity};
use super::Locale;
use crate::model::{EnrollmentProfile, MobileApp, VppToken, VppTokenState};

/// The bundle id of the Microsoft Intune Company Portal for iOS/iPadOS.
pub const COMPANY_PORTAL_BUNDLE_ID: &str = "com.microsoft.CompanyPortal";

/// When licences count as running out: at or above `warning_used_percent` of them used, or at
/// most `warning_left` left out of more than `warning_left` bought (whichever comes first).
/// None left is critical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LicenceThresholds {
    /// Warn at this share of licences used, in percent (default 90; 0 turns it off).
    pub warning_used_percent: u8,
    /// Warn when at most this many licences are left (default 10).
    pub warning_left: u32,
}

impl Default for LicenceThresholds {
    fn default() -> Self {
        Self {
            warning_used_percent: 90,
            warning_left: 10,
        }
    }
}

/// The licence counts of one VPP app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppLicences {
    /// The app's Graph id.
    pub app_id: String,
    /// Its name (the bundle id when it has none).
    pub name: String,
    /// Its bundle id.
    pub bundle_id: String,
    /// The VPP token it is licensed through.
    pub vpp_token_id: String,
    /// Licences in use.
    pub used: i64,
    /// Licences owned.
    pub total: i64,
}

impl AppLicences {
    /// The counts of a VPP app (`None` for other apps and apps without a token or counts).
    #[must_use]
    pub fn of(app: &MobileApp) -> Option<Self> {
        let (id, name, bundle, token, used, total) = match app {
            MobileApp::IosVppApp(a) => (
                &a.id,
                &a.display_name,
                &a.bundle_id,
                &a.vpp_token_id,
                a.used_license_count,
                a.total_license_count,
            ),
            MobileApp::MacOsVppApp(a) => (
                &a.id,
                &a.display_name,
                &a.bundle_id,
                &a.vpp_token_id,
                a.used_license_count,
                a.total_license_count,
            ),
            _ => return None,
        };
        let bundle_id = bundle.clone().filter(|b| !b.is_empty())?;
        Some(Self {
            app_id: id.clone()?,
            name: name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| bundle_id.clone()),
            bundle_id,
            vpp_token_id: token.clone().filter(|t| !t.is_empty())?,
            used: i64::from(used?),
            total: i64::from(total?),
        })
    }

    /// Licences left (never negative).
    #[must_use]
    pub fn left(&self) -> i64 {
        self.total.saturating_sub(self.used).max(0)
    }

    /// Whether this is the Company Portal.
    #[must_use]
    pub fn is_company_portal(&self) -> bool {
        self.bundle_id
            .eq_ignore_ascii_case(COMPANY_PORTAL_BUNDLE_ID)
    }

    /// How short the licences are under `t`: `None` when enough are left.
    #[must_use]
    pub fn shortage(&self, t: &LicenceThresholds) -> Option<Severity> {
        if self.total <= 0 && self.used <= 0 {
            return None; // nothing bought: not a licence shortage
        }
        if self.left() == 0 {
            return Some(Severity::Critical);
        }
        let by_share = t.warning_used_percent > 0
            && i128::from(self.used) * 100
                >= i128::from(self.total) * i128::from(t.warning_used_percent);
        // "N left" speaks of a stock larger than N: a purchase of 10 licences is not "10 left".
        let by_count =
            self.total > i64::from(t.warning_left) && self.left() <= i64::from(t.warning_left);
        (by_share || by_count).then_some(Severity::Warning)
    }
}

/// An enrollment profile that installs the Company Portal through a VPP token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyPortalInstall {
    /// The profile id.
    pub profile_id: String,
    /// The profile name.
    pub profile_name: String,
    /// The VPP token that licenses the Company Portal it installs.
    pub vpp_token_id: String,
}

/// The profiles among `profiles` that install the Company Portal through a VPP token
/// (`companyPortalVppTokenId`, iOS/iPadOS profiles).
#[must_use]
pub fn company_portal_installs(profiles: &[EnrollmentProfile]) -> Vec<CompanyPortalInstall> {
    profiles
        .iter()
        .filter_map(|p| match p {
            EnrollmentProfile::DepIos(p) => {
                let token = p.company_portal_vpp_token_id.clone()?;
                // Intune writes an empty GUID when no token is chosen.
                let unset = token.is_empty() || token.chars().all(|c| c == '0' || c == '-');
                (!unset).then(|| CompanyPortalInstall {
                    profile_id: p.id.clone().unwrap_or_default(),
                    profile_name: p
                        .display_name
                        .clone()
                        .unwrap_or_else(|| p.id.clone().unwrap_or_default()),
                    vpp_token_id: token,
                })
            }
            _ => None,
        })
        .collect()
}

fn pair(app: &AppLicences) -> String {
    format!("{} ({} of {} used)", app.name, app.used, app.total)
}

/// The licence problems of the VPP token `token_id`: its apps whose licences run out. The
/// Company Portal is critical (not only a warning) when `company_portal_installed` (an
/// enrollment profile installs it through this token).
#[must_use]
pub fn licence_problems(
    token_id: &str,
    apps: &[AppLicences],
    company_portal_installed: bool,
    t: &LicenceThresholds,
    locale: Locale,
) -> Vec<Problem> {
    let mut short: Vec<(&AppLicences, Severity)> = apps
        .iter()
        .filter(|a| a.vpp_token_id == token_id)
        .filter_map(|a| {
            let s = a.shortage(t)?;
            let s = if a.is_company_portal() && company_portal_installed {
                Severity::Critical
            } else {
                s
            };
            Some((a, s))
        })
        .collect();
    short.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.left().cmp(&b.0.left())));
    let mut out = Vec::new();
    for (app, severity) in short {
        let cp = app.is_company_portal() && company_portal_installed;
        let message = match (locale, cp) {
            (Locale::En, true) => format!("Company Portal licences are running out on this token: {}, {} left. An enrollment profile installs the Company Portal through this token: when none are left, new devices are blocked or fall back to the App Store Company Portal (an Apple ID is asked for). Buy more licences in Apple Business Manager (Apps and Books, this location), then sync the token in Intune.", pair(app), app.left()),
            (Locale::En, false) => format!("{}: {} licence(s) left. Buy more in Apple Business Manager (Apps and Books, this location) or revoke unused ones, then sync the token in Intune.", pair(app), app.left()),
            (Locale::Fr, true) => format!("Les licences du Portail d'entreprise s'épuisent sur ce jeton : {}, {} restante(s). Un profil d'inscription installe le Portail d'entreprise via ce jeton : sans licence, les nouveaux appareils sont bloqués ou retombent sur le Portail de l'App Store (un identifiant Apple est demandé). Achetez des licences dans Apple Business Manager (Apps et livres, cet emplacement), puis synchronisez le jeton dans Intune.", pair(app), app.left()),
            (Locale::Fr, false) => format!("{} : {} licence(s) restante(s). Achetez-en dans Apple Business Manager (Apps et livres, cet emplacement) ou révoquez celles inutilisées, puis synchronisez le jeton dans Intune.", pair(app), app.left()),
        };
        out.push(Problem {
            code: if cp {
                "vpp.company_portal_licences"
            } else {
                "vpp.licences_low"
            },
            severity,
            message,
        });
    }
    out
}

/// The problems of an enrollment program token whose profiles install the Company Portal
/// through a VPP token that cannot give it at `now`: expired, invalid (any state but `valid`),
/// unknown to the tenant, without the Company Portal app, or without a Company Portal licence
/// left.
#[must_use]
pub fn company_portal_token_problems(
    installs: &[CompanyPortalInstall],
    vpp_tokens: &[VppToken],
    apps: &[AppLicences],
    now: DateTime<Utc>,
    locale: Locale,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for install in installs {
        let token = vpp_tokens
            .iter()
            .find(|v| v.id.as_deref() == Some(install.vpp_token_id.as_str()));
        let name = token
            .and_then(|v| {
                v.display_name
                    .clone()
                    .or_else(|| v.location_name.clone())
                    .filter(|n| !n.is_empty())
            })
            .unwrap_or_else(|| install.vpp_token_id.clone());
        let portal = apps
            .iter()
            .find(|a| a.vpp_token_id == install.vpp_token_id && a.is_company_portal());
        let why = match token {
            None => Some(match locale {
                Locale::En => "is not in the tenant any more".to_owned(),
                Locale::Fr => "n'existe plus dans le locataire".to_owned(),
            }),
            Some(v) => {
                let expired = v.expiration_date_time.is_some_and(|e| e <= now)
                    || matches!(v.state, Some(VppTokenState::Expired));
                let invalid = !matches!(v.state, None | Some(VppTokenState::Valid));
                if expired {
                    Some(match locale {
                        Locale::En => "has expired".to_owned(),
                        Locale::Fr => "a expiré".to_owned(),
                    })
                } else if invalid {
                    let state = v.state.as_ref().map_or("?", VppTokenState::as_str);
                    Some(match locale {
                        Locale::En => format!("is not valid (state {state})"),
                        Locale::Fr => format!("n'est pas valide (état {state})"),
                    })
                } else {
                    match portal {
                        None => Some(match locale {
                            Locale::En => "has no Company Portal app (none bought for this location)".to_owned(),
                            Locale::Fr => "n'a pas l'application Portail d'entreprise (aucune achetée pour cet emplacement)".to_owned(),
                        }),
                        Some(p) if p.left() == 0 && p.total > 0 => Some(match locale {
                            Locale::En => format!("has no Company Portal licence left ({} of {} used)", p.used, p.total),
                            Locale::Fr => format!("n'a plus de licence du Portail d'entreprise ({} sur {} utilisées)", p.used, p.total),
                        }),
                        Some(_) => None,
                    }
                }
            }
        };
        let Some(why) = why else { continue };
        let message = match locale {
            Locale::En => format!("Enrollment profile \"{}\" installs the Company Portal with VPP token \"{name}\", which {why}: new devices fall back to the App Store Company Portal (an Apple ID is asked for) or fail to enrol. Renew or fix the VPP token (or buy Company Portal licences for it), or edit the profile to use a valid VPP token.", install.profile_name),
            Locale::Fr => format!("Le profil d'inscription « {} » installe le Portail d'entreprise avec le jeton VPP « {name} », qui {why} : les nouveaux appareils retombent sur le Portail de l'App Store (un identifiant Apple est demandé) ou échouent. Renouvelez ou corrigez le jeton VPP (ou achetez-lui des licences du Portail d'entreprise), ou modifiez le profil pour utiliser un jeton VPP valide.", install.profile_name),
        };
        out.push(Problem {
            code: "dep.company_portal_token",
            severity: Severity::Critical,
            message,
        });
    }
    out
}
