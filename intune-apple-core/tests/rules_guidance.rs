//! Guidance: every kind, both locales, the safety sentences.

use intune_apple_core::rules::guidance::guidance;
use intune_apple_core::rules::health::TokenKind;
use intune_apple_core::rules::Locale;

const KINDS: [TokenKind; 3] = [
    TokenKind::PushCertificate,
    TokenKind::EnrollmentProgramToken,
    TokenKind::VppToken,
];

#[test]
fn every_kind_and_locale_has_consequence_and_steps() {
    for kind in KINDS {
        for locale in [Locale::En, Locale::Fr] {
            let g = guidance(kind, Some("admin@contoso.com"), locale);
            assert_eq!(g.kind, kind);
            assert!(!g.consequence.is_empty());
            assert!(g.renewal_steps.len() >= 3);
            assert!(g.apple_id_note.contains("admin@contoso.com"));
            assert!(g.renewal_steps.iter().any(|s| s.contains("Intune")));
        }
        assert_ne!(
            guidance(kind, None, Locale::En).consequence,
            guidance(kind, None, Locale::Fr).consequence
        );
    }
}

#[test]
fn safety_sentences() {
    let all = |kind, locale| guidance(kind, None, locale).renewal_steps.join("\n");
    assert!(all(TokenKind::VppToken, Locale::En)
        .contains("Upload into the existing VPP token, never as a new one"));
    assert!(all(TokenKind::VppToken, Locale::Fr).contains("jamais comme un nouveau jeton"));
    assert!(all(TokenKind::PushCertificate, Locale::En)
        .contains("Renew the existing push certificate at Apple, do not create a new one"));
    assert!(all(TokenKind::PushCertificate, Locale::En).contains("identity.apple.com"));
    assert!(all(TokenKind::EnrollmentProgramToken, Locale::En).contains("business.apple.com"));
    assert!(all(TokenKind::EnrollmentProgramToken, Locale::En)
        .contains("do not generate a new key pair"));
    assert!(guidance(TokenKind::PushCertificate, None, Locale::En)
        .consequence
        .contains("30 days"));
}
