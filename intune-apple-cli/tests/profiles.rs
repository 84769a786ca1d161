//! `intune-apple profiles export|drift|apply`: enrollment profiles as code, end to end on a
//! simulated tenant: a template exported from a profile shows no drift against it; a changed
//! template drifts, is planned without writing, then applied.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use common::{cli, env_for, temp_dir};
use intune_apple_cli::connect::demo::{DEP_MAIN, IPHONE_PROFILE};
use intune_apple_cli::EXIT_NOT_CONFIRMED;
use intune_apple_sim::{Seed, Simulator};
use serde_json::Value;

#[tokio::test]
async fn export_then_drift_then_plan_then_apply() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let env = env_for(&sim);
    let dir = temp_dir("profiles");
    let (template, values) = (dir.join("iphone.json"), dir.join("values.json"));
    let (t, v) = (template.to_str().unwrap(), values.to_str().unwrap());

    let o = cli(
        &[
            "profiles",
            "export",
            "--token",
            DEP_MAIN,
            "--profile",
            IPHONE_PROFILE,
            "--out",
            t,
            "--values-out",
            v,
            "--tenant",
            "contoso",
        ],
        &env,
    )
    .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let exported: Value =
        serde_json::from_str(&std::fs::read_to_string(&template).unwrap()).unwrap();
    assert_eq!(exported["displayName"], "Corporate iPhone", "{exported:#}");
    let vals: Value = serde_json::from_str(&std::fs::read_to_string(&values).unwrap()).unwrap();
    assert!(vals["tenants"]["contoso"].is_object(), "{vals:#}");
    assert_eq!(sim.writes_applied(), 0, "export only reads");

    // To stdout without --out: the same template.
    let o = cli(
        &[
            "profiles",
            "export",
            "--token",
            DEP_MAIN,
            "--profile",
            IPHONE_PROFILE,
        ],
        &env,
    )
    .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let again: Value = serde_json::from_str(&o.stdout).expect("stdout is only the template");
    assert_eq!(again["settings"], exported["settings"]);

    let drift = [
        "profiles",
        "drift",
        "--template",
        t,
        "--values",
        v,
        "--tenant",
        "contoso",
        "--token",
        DEP_MAIN,
    ];
    let o = cli(&drift, &env).await;
    assert_eq!(
        o.code, 0,
        "an exported template holds no drift against its source: {}{}",
        o.stdout, o.stderr
    );

    // The template now wants another support department: drift, then a plan that writes nothing.
    let mut changed = exported.clone();
    changed["settings"]["supportDepartment"] = Value::from("Service desk (as code)");
    std::fs::write(&template, serde_json::to_string_pretty(&changed).unwrap()).unwrap();
    let o = cli(&drift, &env).await;
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("supportDepartment"), "{}", o.stdout);

    let apply = [
        "profiles",
        "apply",
        "--template",
        t,
        "--values",
        v,
        "--tenant",
        "contoso",
        "--token",
        DEP_MAIN,
    ];
    let o = cli(&apply, &env).await;
    assert_ne!(
        o.code, 0,
        "a plan with writes is not a success: {}",
        o.stdout
    );
    assert_eq!(sim.writes_applied(), 0, "the plan writes nothing");

    let mut with_apply: Vec<&str> = apply.to_vec();
    with_apply.push("--apply");
    let o = cli(&with_apply, &env).await;
    assert_eq!(
        o.code, EXIT_NOT_CONFIRMED,
        "no terminal and no --yes: {}",
        o.stderr
    );
    assert_eq!(sim.writes_applied(), 0);

    with_apply.push("--yes");
    let o = cli(&with_apply, &env).await;
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(sim.writes_applied() > 0);
    let o = cli(&drift, &env).await;
    assert_eq!(o.code, 0, "applied: no drift left: {}", o.stdout);
}

#[tokio::test]
async fn exporting_a_profile_that_does_not_exist_says_so() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let o = cli(
        &[
            "profiles",
            "export",
            "--token",
            DEP_MAIN,
            "--profile",
            "no-such-profile",
        ],
        &env_for(&sim),
    )
    .await;
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "");
    assert!(!o.stderr.is_empty());
}

/// A webhook receiver on loopback that records every body it is sent.
async fn webhook() -> (std::sync::Arc<std::sync::Mutex<Vec<Value>>>, String) {
    use axum::{body::Bytes, extract::State, http::StatusCode, Router};
    type Seen = std::sync::Arc<std::sync::Mutex<Vec<Value>>>;
    async fn receive(State(seen): State<Seen>, body: Bytes) -> StatusCode {
        seen.lock()
            .unwrap()
            .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
        StatusCode::NO_CONTENT
    }
    let seen: Seen = Seen::default();
    let app = Router::new().fallback(receive).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (seen, format!("http://{addr}/hook"))
}

#[tokio::test]
async fn drift_goes_to_the_channels_only_when_there_is_some() {
    let dir = temp_dir("profiles-notify");
    let (template, values) = (dir.join("t.json"), dir.join("v.json"));
    std::fs::write(&template, Seed::FLEET_TEMPLATE).unwrap();
    std::fs::write(&values, Seed::FLEET_VALUES).unwrap();
    let (t, v) = (template.to_str().unwrap(), values.to_str().unwrap());
    let (seen, url) = webhook().await;
    let channel = format!("webhook={url}");
    for (tenant, seed, code, sent) in [
        ("northwind", Seed::fleet_matching(), 0, 0),
        ("fabrikam", Seed::fleet_drifted(), 1, 1),
    ] {
        let sim = Simulator::start(seed).await.unwrap();
        let o = cli(
            &[
                "profiles",
                "drift",
                "--template",
                t,
                "--values",
                v,
                "--tenant",
                tenant,
                "--notify",
                &channel,
            ],
            &env_for(&sim),
        )
        .await;
        assert_eq!(o.code, code, "{tenant}: {}{}", o.stdout, o.stderr);
        assert_eq!(seen.lock().unwrap().len(), sent, "{tenant}: {}", o.stderr);
    }
    let event = seen.lock().unwrap()[0].clone();
    assert_eq!(event["type"], "enrollment_profiles.drift");
    assert!(
        event["data"]["changes"][0]
            .as_str()
            .unwrap()
            .starts_with("fabrikam"),
        "{event:#}"
    );

    // A channel that cannot be reached: said, and the exit code says it too.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let sim = Simulator::start(Seed::fleet_drifted()).await.unwrap();
    let mut env = env_for(&sim);
    env.insert(
        "INTUNE_APPLE_NOTIFY_WEBHOOK".into(),
        format!("http://127.0.0.1:{port}/hook"),
    );
    let o = cli(
        &[
            "profiles",
            "drift",
            "--template",
            t,
            "--values",
            v,
            "--tenant",
            "fabrikam",
        ],
        &env,
    )
    .await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("not notified"), "{}", o.stderr);
}

#[tokio::test]
async fn validate_token_checks_every_profile_of_the_tenant_settings_catalog_policies_included() {
    let mut seed = Seed::demo();
    // A settings-catalog policy that hides the Passcode screen but shows Touch ID / Face ID
    // (I14), and a macOS one that restricts editing of an account it does not prefill (M4).
    let policy = |guid: &str, name: &str, platform: &str, settings: Value| {
        serde_json::from_value::<intune_apple_sim::ProfileSeed>(serde_json::json!({
            "guid": guid, "displayName": name, "platform": platform,
            "settingsCatalog": true, "policySettings": settings
        }))
        .unwrap()
    };
    let choice = |id: &str, option: u8| {
        serde_json::json!({"settingDefinitionId": id,
            "choiceSettingValue": {"value": format!("{id}_{option}"), "children": []}})
    };
    let token = seed
        .dep_tokens
        .iter_mut()
        .find(|t| t.id == DEP_MAIN)
        .unwrap();
    token.profiles.push(policy(
        "f1111111-0000-4000-8000-000000000001",
        "Kiosk \u{1b}[31mpolicy",
        "ios",
        serde_json::json!([
            choice("ade_setupassistant_passcode", 0),
            choice("ade_setupassistant_touchfaceid", 1)
        ]),
    ));
    let sim = Simulator::start(seed).await.unwrap();
    let env = env_for(&sim);

    let o = cli(&["profiles", "validate", "--token", DEP_MAIN], &env).await;
    assert_eq!(o.code, 0, "warnings only: {}\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("Kiosk  [31mpolicy (settings-catalog policy, iOS, ECV2_"),
        "{}",
        o.stdout
    );
    assert!(
        !o.stdout.contains('\u{1b}'),
        "a terminal escape reached stdout"
    );
    assert!(
        o.stdout
            .contains("  warning I14 ade_setupassistant_passcode: "),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("Corporate iPhone (profile, iOS, "),
        "{}",
        o.stdout
    );
    assert_eq!(sim.writes_applied(), 0, "validate only reads");

    let o = cli(
        &[
            "profiles", "validate", "--token", DEP_MAIN, "--format", "json",
        ],
        &env,
    )
    .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let json: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(json["tokenId"], DEP_MAIN);
    assert!(json["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["settingsCatalog"] == true));

    // Neither a template nor --token, or both: a usage error, nothing read.
    let o = cli(&["profiles", "validate"], &env).await;
    assert_eq!(o.code, intune_apple_cli::EXIT_USAGE, "{}", o.stderr);
    let o = cli(
        &["profiles", "validate", "x.json", "--token", DEP_MAIN],
        &env,
    )
    .await;
    assert_eq!(o.code, intune_apple_cli::EXIT_USAGE, "{}", o.stderr);
}
