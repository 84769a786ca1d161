//! Enrollment profile validation: one test per rule, with boundaries.

use chrono::{DateTime, Duration, TimeZone, Utc};
use intune_apple_core::model::{
    DepIosEnrollmentProfile, DepMacOsEnrollmentProfile, ITunesPairingMode, VppToken, VppTokenState,
};
use intune_apple_core::rules::profile::{
    validate_device_name_template, validate_ios_profile, validate_macos_profile, ValidationContext,
    Violation, ViolationSeverity,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn token(id: &str, state: VppTokenState, days: i64) -> VppToken {
    VppToken {
        id: Some(id.into()),
        state: Some(state),
        expiration_date_time: Some(now() + Duration::days(days)),
        ..Default::default()
    }
}

/// A profile that breaks no rule.
fn good_ios() -> DepIosEnrollmentProfile {
    DepIosEnrollmentProfile {
        requires_user_authentication: Some(true),
        supervised_mode_enabled: Some(true),
        profile_removal_disabled: Some(true),
        enable_authentication_via_company_portal: Some(true),
        company_portal_vpp_token_id: Some("vpp1".into()),
        enable_single_app_enrollment_mode: Some(true),
        device_name_template: Some("{{DEVICETYPE}}-{{SERIAL}}".into()),
        ..Default::default()
    }
}

fn tokens() -> Vec<VppToken> {
    vec![token("vpp1", VppTokenState::Valid, 200)]
}

fn ios(p: &DepIosEnrollmentProfile) -> Vec<Violation> {
    let t = tokens();
    validate_ios_profile(p, &ValidationContext::new(&t, now()))
}

fn codes(v: &[Violation]) -> Vec<(&'static str, &'static str)> {
    v.iter().map(|v| (v.code, v.path)).collect()
}

#[test]
fn good_profiles_have_no_violation() {
    assert_eq!(ios(&good_ios()), vec![]);
    let mac = DepMacOsEnrollmentProfile {
        requires_user_authentication: Some(true),
        configuration_web_url: Some(true),
        ..Default::default()
    };
    assert_eq!(
        validate_macos_profile(&mac, &ValidationContext::new(&[], now())),
        vec![]
    );
}

#[test]
fn i1_locked_enrollment_requires_supervision() {
    let mut p = good_ios();
    p.supervised_mode_enabled = Some(false);
    assert_eq!(codes(&ios(&p)), [("I1", "profileRemovalDisabled")]);
    assert_eq!(ios(&p)[0].severity, ViolationSeverity::Error);
}

#[test]
fn i3_company_portal_token_needs_company_portal_auth() {
    let mut p = good_ios();
    p.enable_single_app_enrollment_mode = Some(false);
    p.enable_authentication_via_company_portal = Some(false);
    assert_eq!(codes(&ios(&p)), [("I3", "companyPortalVppTokenId")]);
}

#[test]
fn i4_single_app_mode_needs_auth_and_token() {
    let mut p = good_ios();
    p.enable_authentication_via_company_portal = Some(false);
    p.company_portal_vpp_token_id = None;
    let v = ios(&p);
    assert_eq!(
        codes(&v),
        [
            ("I4", "enableSingleAppEnrollmentMode"),
            ("I4", "enableSingleAppEnrollmentMode")
        ]
    );
    assert!(v.iter().all(|v| v.message.contains("11.3.1")));
}

#[test]
fn i5_company_portal_token_exists_valid_and_not_expiring() {
    let mut p = good_ios();
    p.company_portal_vpp_token_id = Some("missing".into());
    assert_eq!(codes(&ios(&p)), [("I5", "companyPortalVppTokenId")]);

    let p = good_ios();
    let cases = [
        (token("vpp1", VppTokenState::Valid, 31), vec![]),
        (
            token("vpp1", VppTokenState::Valid, 30),
            vec![ViolationSeverity::Warning],
        ),
        (
            token("vpp1", VppTokenState::Valid, -1),
            vec![ViolationSeverity::Error],
        ),
        (
            token("vpp1", VppTokenState::AssignedToExternalMdm, 200),
            vec![ViolationSeverity::Error],
        ),
        (
            token("vpp1", VppTokenState::Expired, -1),
            vec![ViolationSeverity::Error, ViolationSeverity::Error],
        ),
    ];
    for (tok, expected) in cases {
        let t = [tok];
        let v = validate_ios_profile(&p, &ValidationContext::new(&t, now()));
        assert!(v.iter().all(|v| v.code == "I5"), "{v:?}");
        assert_eq!(
            v.iter().map(|v| v.severity).collect::<Vec<_>>(),
            expected,
            "{v:?}"
        );
    }
}

#[test]
fn i6_auth_methods_need_user_affinity() {
    let p = DepIosEnrollmentProfile {
        requires_user_authentication: Some(false),
        enable_authentication_via_company_portal: Some(true),
        require_company_portal_on_setup_assistant_enrolled_devices: Some(true),
        configuration_web_url: Some(true),
        ..Default::default()
    };
    assert_eq!(
        codes(&ios(&p)),
        [
            ("I6", "enableAuthenticationViaCompanyPortal"),
            ("I6", "requireCompanyPortalOnSetupAssistantEnrolledDevices"),
            ("I6", "configurationWebUrl"),
        ]
    );
}

#[test]
fn i8_i9_i10_shared_ipad() {
    let p = DepIosEnrollmentProfile {
        enable_shared_i_pad: Some(true),
        requires_user_authentication: Some(true),
        supervised_mode_enabled: Some(false),
        shared_i_pad_maximum_user_count: Some(25),
        passcode_lock_grace_period_in_seconds: Some(120),
        user_session_timeout_in_seconds: Some(29),
        temporary_session_timeout_in_seconds: Some(30),
        ..Default::default()
    };
    let v = ios(&p);
    assert_eq!(
        codes(&v),
        [
            ("I8", "requiresUserAuthentication"),
            ("I8", "supervisedModeEnabled"),
            ("I9", "sharedIPadMaximumUserCount"),
            ("I9", "passcodeLockGracePeriodInSeconds"),
            ("I9", "userSessionTimeoutInSeconds"),
            ("I9", "temporarySessionTimeoutInSeconds"),
        ]
    );
    assert_eq!(v[5].severity, ViolationSeverity::Warning);

    let ok = DepIosEnrollmentProfile {
        enable_shared_i_pad: Some(true),
        requires_user_authentication: Some(false),
        supervised_mode_enabled: Some(true),
        shared_i_pad_maximum_user_count: Some(24),
        passcode_lock_grace_period_in_seconds: Some(14400),
        user_session_timeout_in_seconds: Some(0),
        temporary_session_timeout_in_seconds: Some(30),
        force_temporary_session: Some(true),
        ..Default::default()
    };
    assert_eq!(ios(&ok), vec![]);

    let await_shared = DepIosEnrollmentProfile {
        await_device_configured_confirmation: Some(true),
        ..ok
    };
    assert_eq!(
        codes(&ios(&await_shared)),
        [("I10", "awaitDeviceConfiguredConfirmation")]
    );
}

#[test]
fn i11_entra_shared_mode_wants_locked_enrollment() {
    let mut p = good_ios();
    p.userless_shared_aad_mode_enabled = Some(true);
    p.profile_removal_disabled = Some(false);
    assert_eq!(codes(&ios(&p)), [("I11", "profileRemovalDisabled")]);
}

#[test]
fn i12_configurator_certificates() {
    let mut p = good_ios();
    p.i_tunes_pairing_mode = Some(ITunesPairingMode::RequiresCertificate);
    assert_eq!(codes(&ios(&p)), [("I12", "managementCertificates")]);
    p.management_certificates = Some(vec![Default::default(); 10]);
    assert_eq!(ios(&p), vec![]);
    p.management_certificates = Some(vec![Default::default(); 11]);
    assert_eq!(codes(&ios(&p)), [("I12", "managementCertificates")]);
}

#[test]
fn i13_template_63_ok_64_refused() {
    let t63 = format!("{{{{SERIAL}}}}{}", "a".repeat(53));
    assert_eq!(t63.chars().count(), 63);
    assert!(validate_device_name_template(&t63).is_empty());
    let t64 = format!("{t63}b");
    let v = validate_device_name_template(&t64);
    assert_eq!(v.len(), 1);
    assert_eq!((v[0].code, v[0].path), ("I13", "deviceNameTemplate"));
    assert_eq!(v[0].severity, ViolationSeverity::Error);

    let mut p = good_ios();
    p.device_name_template = Some(t64);
    assert_eq!(codes(&ios(&p)), [("I13", "deviceNameTemplate")]);
}

#[test]
fn i13_template_variables_and_characters() {
    let v = validate_device_name_template("{{SERIALLAST4DIGITS}}");
    assert_eq!(v.len(), 1);
    assert!(v[0].message.contains("Android-only"));
    let v = validate_device_name_template("{{serial}}");
    assert_eq!(v[0].severity, ViolationSeverity::Error);
    let v = validate_device_name_template("iPad {{SERIAL");
    assert_eq!(
        v.iter().map(|v| v.severity).collect::<Vec<_>>(),
        [ViolationSeverity::Warning, ViolationSeverity::Warning]
    );
    assert!(validate_device_name_template("CORP-{{DEVICETYPE}}-{{SERIAL}}").is_empty());
    assert!(validate_device_name_template("").is_empty());
    // Multi-byte characters count as one each and do not panic.
    assert_eq!(validate_device_name_template("é{{").len(), 2);
}

#[test]
fn i14_hide_both_passcode_and_biometrics() {
    let mut p = good_ios();
    p.pass_code_disabled = Some(true);
    assert_eq!(codes(&ios(&p)), [("I14", "passCodeDisabled")]);
    p.touch_id_disabled = Some(true);
    assert_eq!(ios(&p), vec![]);
}

#[test]
fn i15_carrier_activation_url() {
    let mut p = good_ios();
    p.carrier_activation_url = Some("not a url".into());
    assert_eq!(codes(&ios(&p)), [("I15", "carrierActivationUrl")]);
    p.carrier_activation_url = Some("https://carrier.example/activate".into());
    assert_eq!(ios(&p), vec![]);
}

#[test]
fn i16_skip_keys() {
    let mut p = good_ios();
    p.enabled_skip_keys = Some(vec!["FileVault".into(), "Zoom".into(), "Location".into()]);
    assert_eq!(
        codes(&ios(&p)),
        [("I16", "enabledSkipKeys"), ("I16", "enabledSkipKeys")]
    );
    let mac = DepMacOsEnrollmentProfile {
        enabled_skip_keys: Some(vec!["SIMSetup".into(), "FileVault".into()]),
        ..Default::default()
    };
    assert_eq!(
        codes(&validate_macos_profile(
            &mac,
            &ValidationContext::new(&[], now())
        )),
        [("I16", "enabledSkipKeys")]
    );
}

#[test]
fn i17_profile_limit_is_configurable() {
    let t = tokens();
    let mut ctx = ValidationContext::new(&t, now());
    ctx.profiles_on_token = 1000;
    assert_eq!(validate_ios_profile(&good_ios(), &ctx), vec![]);
    ctx.profiles_on_token = 1001;
    assert_eq!(
        codes(&validate_ios_profile(&good_ios(), &ctx)),
        [("I17", "")]
    );
    ctx.profile_limit = 100;
    ctx.profiles_on_token = 101;
    assert_eq!(
        codes(&validate_ios_profile(&good_ios(), &ctx)),
        [("I17", "")]
    );
}

#[test]
fn all_violations_at_once_errors_first() {
    let p = DepIosEnrollmentProfile {
        profile_removal_disabled: Some(true),
        pass_code_disabled: Some(true),
        enable_single_app_enrollment_mode: Some(true),
        device_name_template: Some("{{UPNPREFIX}}".into()),
        ..Default::default()
    };
    let v = ios(&p);
    assert!(v.len() >= 5, "{v:?}");
    assert!(v.windows(2).all(|w| w[0].severity >= w[1].severity));
    assert_eq!(v.last().map(|v| v.code), Some("I14"));
}

#[test]
fn macos_rules() {
    let ctx = ValidationContext::new(&[], now());
    // M1 without user affinity, M2 without admin account, M4 restrict editing without prefill.
    let p = DepMacOsEnrollmentProfile {
        requires_user_authentication: Some(false),
        wait_for_device_configured_confirmation: Some(false),
        enable_restrict_editing: Some(true),
        dont_auto_populate_primary_account_info: Some(true),
        set_primary_setup_account_as_regular_user: Some(true),
        ..Default::default()
    };
    assert_eq!(
        codes(&validate_macos_profile(&p, &ctx)),
        [
            ("M1", "dontAutoPopulatePrimaryAccountInfo"),
            ("M2", "adminAccountUserName"),
            ("M4", "enableRestrictEditing"),
            ("M1", "waitForDeviceConfiguredConfirmation"),
            ("M4", "primaryAccountUserName"),
        ]
    );
    // M1: user affinity but no Setup Assistant authentication.
    let p = DepMacOsEnrollmentProfile {
        requires_user_authentication: Some(true),
        primary_account_user_name: Some("{{partialupn}}".into()),
        ..Default::default()
    };
    assert_eq!(
        codes(&validate_macos_profile(&p, &ctx)),
        [("M1", "primaryAccountUserName")]
    );
    // M8, M9 warnings.
    let p = DepMacOsEnrollmentProfile {
        requires_user_authentication: Some(true),
        configuration_web_url: Some(true),
        use_platform_sso_during_setup_assistant: Some(true),
        accessibility_screen_disabled: Some(true),
        ..Default::default()
    };
    let v = validate_macos_profile(&p, &ctx);
    assert_eq!(
        codes(&v),
        [
            ("M8", "usePlatformSSODuringSetupAssistant"),
            ("M9", "accessibilityScreenDisabled")
        ]
    );
    assert!(v.iter().all(|v| v.severity == ViolationSeverity::Warning));
}

#[test]
fn validate_profile_dispatches_by_type() {
    use intune_apple_core::model::{BaseEnrollmentProfile, EnrollmentProfile};
    use intune_apple_core::rules::profile::validate_profile;
    let t = tokens();
    let ctx = ValidationContext::new(&t, now());
    let mut bad = good_ios();
    bad.supervised_mode_enabled = Some(false);
    assert_eq!(
        codes(&validate_profile(&EnrollmentProfile::DepIos(bad), &ctx)),
        [("I1", "profileRemovalDisabled")]
    );
    // A visionOS profile is an `enrollmentProfile`: no pane, supervision or name template to
    // break; only the count of profiles on the token applies.
    let vision = EnrollmentProfile::DepVisionOs(BaseEnrollmentProfile {
        display_name: Some("Vision Pro".into()),
        ..Default::default()
    });
    assert_eq!(codes(&validate_profile(&vision, &ctx)), []);
    let mut full = ctx;
    full.profiles_on_token = 1001;
    assert_eq!(codes(&validate_profile(&vision, &full)), [("I17", "")]);
    let legacy = EnrollmentProfile::DepEnrollmentProfile(Default::default());
    assert_eq!(codes(&validate_profile(&legacy, &full)), [("I17", "")]);
}

proptest::proptest! {
    #[test]
    fn template_validation_never_panics_and_enforces_length(s in "\\PC{0,80}") {
        let v = validate_device_name_template(&s);
        let too_long = s.chars().count() > 63;
        proptest::prop_assert_eq!(
            too_long,
            v.iter().any(|v| v.severity == ViolationSeverity::Error && v.message.contains("at most 63"))
        );
    }

    #[test]
    fn templates_of_known_variables_and_hyphens_are_clean(parts in proptest::collection::vec(proptest::prop_oneof![
        proptest::strategy::Just("{{SERIAL}}".to_string()),
        proptest::strategy::Just("{{DEVICETYPE}}".to_string()),
        "[A-Za-z0-9-]{1,5}",
    ], 0..5)) {
        let s = parts.concat();
        proptest::prop_assume!(s.chars().count() <= 63);
        proptest::prop_assert_eq!(validate_device_name_template(&s), vec![]);
    }
}
