//! Consequence and renewal guidance for each kind of Apple credential, in English and French.
//!
//! ```
//! use intune_apple_core::rules::guidance::guidance;
//! use intune_apple_core::rules::health::TokenKind;
//! use intune_apple_core::rules::Locale;
//!
//! let g = guidance(TokenKind::VppToken, Some("abm@contoso.com"), Locale::En);
//! assert!(g.renewal_steps.iter().any(|s| s.contains("never as a new one")));
//! assert!(g.renewal_steps.iter().any(|s| s.contains("abm@contoso.com")));
//! ```

use super::health::TokenKind;
use super::Locale;

/// What happens if a credential lapses and how to renew it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guidance {
    /// The credential kind this guidance is for.
    pub kind: TokenKind,
    /// What happens if it lapses.
    pub consequence: String,
    /// Which Apple ID to use (the one already attached to the credential).
    pub apple_id_note: String,
    /// Renewal steps in order: Intune admin center path, Apple portal path, upload.
    pub renewal_steps: Vec<String>,
}

fn who(apple_id: Option<&str>, locale: Locale) -> String {
    match (apple_id, locale) {
        (Some(id), Locale::En) => format!("the Apple ID {id}"),
        (Some(id), Locale::Fr) => format!("l'identifiant Apple {id}"),
        (None, Locale::En) => "the Apple ID shown on the credential in Intune".to_owned(),
        (None, Locale::Fr) => "l'identifiant Apple affiché sur le jeton dans Intune".to_owned(),
    }
}

/// Guidance for `kind`. `apple_id` is the Apple ID attached to the credential (from Graph:
/// `appleIdentifier` / `appleId`), written into the steps when known.
///
/// ```
/// use intune_apple_core::rules::guidance::guidance;
/// use intune_apple_core::rules::health::TokenKind;
/// use intune_apple_core::rules::Locale;
/// let g = guidance(TokenKind::PushCertificate, None, Locale::Fr);
/// assert!(g.renewal_steps.iter().any(|s| s.contains("ne créez pas de nouveau certificat")));
/// let g = guidance(TokenKind::PushCertificate, None, Locale::En);
/// assert!(g.renewal_steps.iter().any(|s| s.contains("do not create a new one")));
/// ```
pub fn guidance(kind: TokenKind, apple_id: Option<&str>, locale: Locale) -> Guidance {
    let w = who(apple_id, locale);
    let (consequence, apple_id_note, steps): (String, String, Vec<String>) = match (kind, locale) {
        (TokenKind::PushCertificate, Locale::En) => (
            "Intune can no longer reach any iPhone, iPad or Mac: policies, apps and remote actions (lock, wipe) stop reaching them. For 30 days after expiry the same certificate can still be renewed; after that every device must enrol again (a factory reset for devices with locked enrollment).".into(),
            format!("Renew with {w}: the Apple ID that created the certificate. Another Apple ID cannot renew it."),
            vec![
                "Intune admin center: Devices > Enrollment > Apple > Apple MDM Push certificate: agree to the terms and download your CSR.".into(),
                format!("Apple Push Certificates Portal (https://identity.apple.com), signed in with {w}: find the certificate whose topic and expiry match Intune's, choose Renew, upload the CSR and download the new .pem. Renew the existing push certificate at Apple, do not create a new one: a new certificate has a new topic and every device would have to enrol again."),
                format!("Back in Intune: enter {w}, upload the .pem and select Upload."),
                "Check that the expiry date moved one year ahead and that the topic did not change.".into(),
            ],
        ),
        (TokenKind::PushCertificate, Locale::Fr) => (
            "Intune ne peut plus joindre aucun iPhone, iPad ni Mac : stratégies, applications et actions à distance (verrouillage, effacement) ne leur parviennent plus. Pendant 30 jours après l'expiration, le même certificat peut encore être renouvelé ; ensuite chaque appareil doit être réinscrit (réinitialisation pour les appareils à inscription verrouillée).".into(),
            format!("Renouvelez avec {w} : l'identifiant Apple qui a créé le certificat. Un autre identifiant Apple ne peut pas le renouveler."),
            vec![
                "Centre d'administration Intune : Appareils > Inscription > Apple > Certificat Push MDM Apple : acceptez les conditions et téléchargez votre CSR.".into(),
                format!("Portail Apple Push Certificates (https://identity.apple.com), connecté avec {w} : trouvez le certificat dont le topic et l'expiration correspondent à Intune, choisissez Renew, chargez le CSR et téléchargez le nouveau .pem. Renouvelez le certificat push existant chez Apple, ne créez pas de nouveau certificat : un nouveau certificat a un nouveau topic et chaque appareil devrait être réinscrit."),
                format!("De retour dans Intune : saisissez {w}, chargez le .pem et sélectionnez Charger."),
                "Vérifiez que la date d'expiration a avancé d'un an et que le topic n'a pas changé.".into(),
            ],
        ),
        (TokenKind::EnrollmentProgramToken, Locale::En) => (
            "Intune can no longer sync with Apple Business Manager: newly assigned devices get no enrollment profile and do not appear in Intune. Devices already enrolled stay managed (through the push certificate).".into(),
            format!("Sign in to Apple Business Manager with {w} or another administrator of the same organisation, and use the same Apple ID in Intune."),
            vec![
                "Intune admin center: Devices > Enrollment > Apple > Enrollment program tokens: select the token, choose Renew token and download the Intune public key (the existing one; do not generate a new key pair, it would break the token in use).".into(),
                "Apple Business Manager (https://business.apple.com): Preferences > Your MDM Servers > select this Intune server > Download Token (.p7m).".into(),
                format!("Back in Intune, in the same Renew token pane: enter {w}, upload the .p7m, then Next and Save. Upload it into this token, not as a new token."),
                "Sync the token and check the new expiry date and that the last sync succeeded.".into(),
            ],
        ),
        (TokenKind::EnrollmentProgramToken, Locale::Fr) => (
            "Intune ne peut plus se synchroniser avec Apple Business Manager : les appareils nouvellement attribués ne reçoivent aucun profil d'inscription et n'apparaissent pas dans Intune. Les appareils déjà inscrits restent gérés (grâce au certificat push).".into(),
            format!("Connectez-vous à Apple Business Manager avec {w} ou un autre administrateur de la même organisation, et utilisez le même identifiant Apple dans Intune."),
            vec![
                "Centre d'administration Intune : Appareils > Inscription > Apple > Jetons du programme d'inscription : sélectionnez le jeton, choisissez Renouveler le jeton et téléchargez la clé publique Intune (l'existante ; ne générez pas de nouvelle paire de clés, cela casserait le jeton en service).".into(),
                "Apple Business Manager (https://business.apple.com) : Préférences > Vos serveurs MDM > sélectionnez ce serveur Intune > Télécharger le jeton (.p7m).".into(),
                format!("De retour dans Intune, dans le même volet Renouveler le jeton : saisissez {w}, chargez le .p7m, puis Suivant et Enregistrer. Chargez-le dans ce jeton, pas comme un nouveau jeton."),
                "Synchronisez le jeton et vérifiez la nouvelle date d'expiration et la réussite de la dernière synchronisation.".into(),
            ],
        ),
        (TokenKind::VppToken, Locale::En) => (
            "Apps and books of this location stop updating, new licences cannot be assigned and new purchases do not appear in Intune. Apps already installed stay on the devices.".into(),
            format!("Download the new token from Apple Business Manager with {w} or another Content Manager of the same location."),
            vec![
                format!("Apple Business Manager (https://business.apple.com), signed in with {w}: Preferences > Payments and Billing > Apps and Books > download the server token of this location (.vpptoken)."),
                "Intune admin center: Tenant administration > Connectors and tokens > Apple VPP Tokens: open the existing token (even if expired), Properties > Basics > Edit, upload the new file and Save. Upload into the existing VPP token, never as a new one: a second token for the same location duplicates every app and its assignments.".into(),
                "Sync the token and check that its state is Valid and its expiry date moved ahead.".into(),
            ],
        ),
        (TokenKind::VppToken, Locale::Fr) => (
            "Les applications et livres de cet emplacement ne se mettent plus à jour, aucune nouvelle licence ne peut être attribuée et les nouveaux achats n'apparaissent pas dans Intune. Les applications déjà installées restent sur les appareils.".into(),
            format!("Téléchargez le nouveau jeton dans Apple Business Manager avec {w} ou un autre gestionnaire de contenu du même emplacement."),
            vec![
                format!("Apple Business Manager (https://business.apple.com), connecté avec {w} : Préférences > Paiements et facturation > Apps et livres > téléchargez le jeton serveur de cet emplacement (.vpptoken)."),
                "Centre d'administration Intune : Administration du locataire > Connecteurs et jetons > Jetons VPP Apple : ouvrez le jeton existant (même expiré), Propriétés > Informations de base > Modifier, chargez le nouveau fichier et Enregistrez. Chargez-le dans le jeton VPP existant, jamais comme un nouveau jeton : un second jeton pour le même emplacement duplique chaque application et ses affectations.".into(),
                "Synchronisez le jeton et vérifiez que son état est Valide et que sa date d'expiration a avancé.".into(),
            ],
        ),
    };
    Guidance {
        kind,
        consequence,
        apple_id_note,
        renewal_steps: steps,
    }
}
