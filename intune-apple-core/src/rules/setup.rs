//! A tenant that never set up its Apple MDM push certificate: Intune answers its `GET` with
//! 404 `ResourceNotFound`. That is a finding of the report, not a failed call: how urgent it is
//! depends on whether the tenant has Apple credentials that wait for it.

use super::health::{Problem, Severity, TokenHealth, TokenKind};
use super::Locale;

/// The stable code of the finding.
pub const PUSH_MISSING: &str = "push.missing";

/// What the tenant holds that needs a push certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AppleFootprint {
    /// Enrollment program tokens (their devices cannot enrol without a push certificate).
    pub enrollment_program_tokens: usize,
    /// VPP tokens (their apps cannot be installed on managed devices without one).
    pub vpp_tokens: usize,
    /// Apple devices known to the tenant (imported device identities, enrolled devices), when
    /// counted.
    pub apple_devices: usize,
}

impl AppleFootprint {
    /// Whether anything waits for a push certificate.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.enrollment_program_tokens == 0 && self.vpp_tokens == 0 && self.apple_devices == 0
    }
}

/// The health of a push certificate that does not exist: `critical` when the tenant has
/// enrollment program tokens, VPP tokens or Apple devices (none of them can be used), `ok`
/// (informational) otherwise.
///
/// ```
/// use intune_apple_core::rules::setup::{missing_push_certificate, AppleFootprint};
/// use intune_apple_core::rules::{Locale, Severity};
/// let h = missing_push_certificate(&AppleFootprint { vpp_tokens: 1, ..Default::default() }, Locale::En);
/// assert_eq!(h.severity, Severity::Critical);
/// assert!(h.problems[0].message.starts_with("no push certificate: no Apple device can be managed"));
/// let h = missing_push_certificate(&AppleFootprint::default(), Locale::En);
/// assert_eq!(h.severity, Severity::Ok);
/// ```
#[must_use]
pub fn missing_push_certificate(footprint: &AppleFootprint, locale: Locale) -> TokenHealth {
    let severity = if footprint.is_empty() {
        Severity::Ok
    } else {
        Severity::Critical
    };
    let waiting = match locale {
        Locale::En => format!(
            "{} enrollment program token(s), {} VPP token(s) and {} Apple device(s) wait for it",
            footprint.enrollment_program_tokens, footprint.vpp_tokens, footprint.apple_devices
        ),
        Locale::Fr => format!(
            "{} jeton(s) du programme d'inscription, {} jeton(s) VPP et {} appareil(s) Apple l'attendent",
            footprint.enrollment_program_tokens, footprint.vpp_tokens, footprint.apple_devices
        ),
    };
    let message = match (locale, footprint.is_empty()) {
        (Locale::En, false) => format!("no push certificate: no Apple device can be managed ({waiting}). Set one up: this is a first set-up, not a renewal (Intune admin center: Devices > Enrollment > Apple > Apple MDM Push certificate)."),
        (Locale::En, true) => "no push certificate: no Apple device can be managed. Nothing in the tenant needs one yet; set one up before enrolling iPhones, iPads or Macs (Intune admin center: Devices > Enrollment > Apple > Apple MDM Push certificate).".to_owned(),
        (Locale::Fr, false) => format!("aucun certificat push : aucun appareil Apple ne peut être géré ({waiting}). Configurez-en un : c'est une première configuration, pas un renouvellement (centre d'administration Intune : Appareils > Inscription > Apple > Certificat Push MDM Apple)."),
        (Locale::Fr, true) => "aucun certificat push : aucun appareil Apple ne peut être géré. Rien dans le locataire n'en a encore besoin ; configurez-en un avant d'inscrire des iPhone, iPad ou Mac (centre d'administration Intune : Appareils > Inscription > Apple > Certificat Push MDM Apple).".to_owned(),
    };
    TokenHealth {
        kind: TokenKind::PushCertificate,
        id: None,
        display_name: None,
        apple_id: None,
        expires_at: None,
        days_left: None,
        severity,
        problems: vec![Problem {
            code: PUSH_MISSING,
            severity,
            message,
        }],
    }
}

/// The steps of a first set-up of the push certificate, in order.
#[must_use]
pub fn push_setup_steps(locale: Locale) -> Vec<String> {
    match locale {
        Locale::En => vec![
            "Intune admin center: Devices > Enrollment > Apple > Apple MDM Push certificate: agree to the data-sharing consent and download the certificate signing request (or generate it through Graph: generateApplePushNotificationCertificateSigningRequest)".into(),
            "At https://identity.apple.com sign in with a Managed Apple ID of the organisation that will stay (not a person's), choose Create a Certificate (not Renew) and upload the request".into(),
            "Download the .pem from Apple and upload it in Intune with that Apple ID; note the Apple ID: every yearly renewal must use it".into(),
            "Run the health report again: the push certificate should show its expiry".into(),
        ],
        Locale::Fr => vec![
            "Centre d'administration Intune : Appareils > Inscription > Apple > Certificat Push MDM Apple : acceptez le partage de données et téléchargez la demande de signature (ou générez-la via Graph : generateApplePushNotificationCertificateSigningRequest)".into(),
            "Sur https://identity.apple.com connectez-vous avec un identifiant Apple géré de l'organisation qui restera (pas celui d'une personne), choisissez Create a Certificate (pas Renew) et chargez la demande".into(),
            "Téléchargez le .pem d'Apple et chargez-le dans Intune avec cet identifiant Apple ; notez-le : chaque renouvellement annuel doit l'utiliser".into(),
            "Relancez le rapport de santé : le certificat push doit afficher son expiration".into(),
        ],
    }
}

/// Whether an entry of `depOnboardingSettings` is the key under which Intune keeps the Apple
/// Configurator enrollment profiles (`depOnboardingSettings('<intuneAccountId>')`) rather than
/// an enrollment program token: it has no token (no expiry, no Apple ID, no token name) and its
/// token type is `none` or absent. It is never counted, reported or renewed as a token.
///
/// ```
/// use intune_apple_core::model::DepOnboardingSetting;
/// use intune_apple_core::rules::setup::is_apple_configurator_key;
/// let key: DepOnboardingSetting = serde_json::from_str(r#"{"id": "0c3f5a3e-0000-4000-8000-000000000000", "tokenType": "none"}"#).unwrap();
/// assert!(is_apple_configurator_key(&key));
/// let token: DepOnboardingSetting = serde_json::from_str(r#"{"id": "d1", "tokenType": "dep", "tokenExpirationDateTime": "2027-01-01T00:00:00Z"}"#).unwrap();
/// assert!(!is_apple_configurator_key(&token));
/// ```
#[must_use]
pub fn is_apple_configurator_key(setting: &crate::model::DepOnboardingSetting) -> bool {
    use crate::model::DepTokenType;
    let no_type = matches!(setting.token_type, None | Some(DepTokenType::None));
    no_type
        && setting.token_expiration_date_time.is_none()
        && setting
            .apple_identifier
            .as_deref()
            .is_none_or(str::is_empty)
        && setting.token_name.as_deref().is_none_or(str::is_empty)
}
