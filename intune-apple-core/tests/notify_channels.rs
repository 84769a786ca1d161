//! The notifiers against real HTTP receivers on loopback: Teams, Slack and a generic webhook
//! (payload shape, Standard Webhooks signature, retries honouring Retry-After, refused and
//! gone endpoints), and e-mail through the simulator's Graph `sendMail`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use chrono::{TimeZone as _, Utc};
use hmac::{Hmac, Mac as _};
use intune_apple_core::clock::{Clock as _, ManualClock};
use intune_apple_core::workflows::notify::state::{load_state, NotifyPolicy, StateLoad};
use intune_apple_core::workflows::notify::{
    deliver, deliver_message, drift_message, notify_on_change, Channel, DeliveryOptions,
    Notification, NotifyError, NotifyOptions,
};
use intune_apple_core::workflows::report::{health_report, ReportOptions, TenantReport};
use intune_apple_sim::{Seed, Simulator};
use serde_json::Value;
use sha2::Sha256;

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Seen {
    headers: HeaderMap,
    body: Bytes,
}

/// A scripted answer.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: &'static str,
}

fn answer(status: u16, body: &'static str) -> Answer {
    Answer {
        status,
        headers: Vec::new(),
        body,
    }
}

#[derive(Default)]
struct Receiver {
    seen: Mutex<Vec<Seen>>,
    script: Mutex<VecDeque<Answer>>,
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> Response {
    r.seen.lock().unwrap().push(Seen { headers, body });
    let a = r
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(answer(500, "unscripted"));
    let mut resp = (StatusCode::from_u16(a.status).unwrap(), a.body).into_response();
    for (k, v) in a.headers {
        resp.headers_mut().insert(k, v.parse().unwrap());
    }
    resp
}

/// A receiver on 127.0.0.1 answering `script` in order; returns it and its URL.
async fn receiver(script: Vec<Answer>) -> (Arc<Receiver>, String) {
    let r = Arc::new(Receiver::default());
    *r.script.lock().unwrap() = script.into();
    let app = Router::new().fallback(receive).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (
        r,
        format!("http://{addr}/workflows/abc/triggers/manual/paths/invoke?sig=SECRET-SIG-123"),
    )
}

fn options(clock: &Arc<ManualClock>) -> DeliveryOptions {
    DeliveryOptions {
        timeout: Duration::from_secs(5),
        max_attempts: 4,
        base_delay: Duration::from_secs(2),
        max_delay: Duration::from_secs(120),
        clock: clock.clone(),
    }
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 12, 2, 3, 0, 0).unwrap(),
    ))
}

async fn demo_reports() -> Vec<TenantReport> {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let client = common::client_of(&sim);
    let mut report = health_report(&client, &ReportOptions::default()).await;
    // A hostile token name: it must not become a Slack link or mention.
    report.items[0].name = Some("<!channel> & <https://evil.example|click>".into());
    vec![TenantReport {
        tenant: String::new(),
        report,
    }]
}

/// A loopback URL with nothing listening (its port), holding a secret-looking `sig=`.
fn refused_url() -> (String, u16) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    (
        format!("http://127.0.0.1:{port}/hook?sig=SECRET-SIG-123"),
        port,
    )
}

fn json(body: &Bytes) -> Value {
    serde_json::from_slice(body).unwrap()
}

#[tokio::test]
async fn teams_gets_one_adaptive_card_it_can_render() {
    let reports = demo_reports().await;
    let (r, url) = receiver(vec![answer(202, "")]).await;
    let note = Notification::digest(&reports);
    let c = clock();
    let out = deliver(
        &[format!("teams={url}").parse().unwrap()],
        &note,
        None,
        &options(&c),
    )
    .await;
    assert!(out[0].result.is_ok(), "{:?}", out[0].result);
    let seen = r.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert!(
        seen[0].body.len() < 20_000,
        "card too large for Teams: {}",
        seen[0].body.len()
    );
    let v = json(&seen[0].body);
    assert_eq!(v["type"], "message");
    let attachments = v["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "one attachment, one post");
    assert_eq!(
        attachments[0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &attachments[0]["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["version"], "1.4");
    assert!(card["fallbackText"]
        .as_str()
        .unwrap()
        .starts_with("Apple credentials: "));
    assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
    assert!(card["actions"][0]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://intune.microsoft.com"));
    let body = card["body"].as_array().unwrap();
    assert_eq!(body[0]["color"], "Attention");
    let attention = reports[0]
        .report
        .items
        .iter()
        .filter(|i| i.severity.code() != "ok")
        .count();
    assert_eq!(
        body.iter().filter(|b| b["type"] == "ColumnSet").count(),
        attention
    );
    // No element newer than 1.4 (Table is 1.5).
    assert!(!seen[0].body.windows(15).any(|w| w == b"\"type\":\"Table\""));
}

#[tokio::test]
async fn slack_gets_block_kit_with_a_fallback_and_escaped_names() {
    let reports = demo_reports().await;
    let (r, url) = receiver(vec![answer(200, "ok")]).await;
    let note = Notification::digest(&reports);
    let out = deliver(
        &[format!("slack={url}").parse().unwrap()],
        &note,
        None,
        &options(&clock()),
    )
    .await;
    assert!(out[0].result.is_ok());
    let v = json(&r.seen.lock().unwrap()[0].body);
    assert!(v["text"]
        .as_str()
        .unwrap()
        .starts_with("Apple credentials: "));
    let blocks = v["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50);
    assert_eq!(blocks[0]["type"], "header");
    assert!(blocks[0]["text"]["text"].as_str().unwrap().chars().count() <= 150);
    let all = serde_json::to_string(&v["blocks"]).unwrap();
    assert!(
        !all.contains("<!channel>"),
        "a name must not mention the channel"
    );
    assert!(all.contains("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"));
    for b in blocks.iter().filter(|b| b["type"] == "section") {
        assert!(b["text"]["text"].as_str().unwrap().chars().count() <= 3000);
    }
}

type HmacSha256 = Hmac<Sha256>;

/// The Standard Webhooks check, written here from the specification.
fn verify(secret_b64: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let id = headers["webhook-id"].to_str().unwrap();
    let ts = headers["webhook-timestamp"].to_str().unwrap();
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret_b64)
        .unwrap();
    let mut mac = HmacSha256::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    headers["webhook-signature"]
        .to_str()
        .unwrap()
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|sig| {
            base64::engine::general_purpose::STANDARD
                .decode(sig)
                .is_ok_and(|s| s.as_slice() == expected.as_slice())
        })
}

#[tokio::test]
async fn the_webhook_is_signed_and_retries_keep_its_id_and_body() {
    let reports = demo_reports().await;
    let mut throttled = answer(429, "slow down");
    throttled.headers.push(("retry-after", "7".into()));
    let (r, url) = receiver(vec![throttled, answer(503, "busy"), answer(204, "")]).await;
    let key = base64::engine::general_purpose::STANDARD.encode(b"0123456789abcdef0123456789abcdef");
    let channel: Channel = format!("webhook={url}").parse().unwrap();
    let channel = channel.with_webhook_secret(Some(format!("whsec_{key}").into()));
    let note = Notification::digest(&reports);
    let c = clock();
    let out = deliver(&[channel], &note, None, &options(&c)).await;
    assert!(out[0].result.is_ok(), "{:?}", out[0].result);
    // Retry-After: 7 honoured, then the 503 without one backs off 2 s × 2.
    assert_eq!(
        c.slept(),
        vec![Duration::from_secs(7), Duration::from_secs(4)]
    );
    let seen = r.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    for s in &seen {
        assert!(
            verify(&key, &s.headers, &s.body),
            "signature does not verify"
        );
        assert_eq!(s.headers["webhook-id"], seen[0].headers["webhook-id"]);
        assert_eq!(s.body, seen[0].body, "byte-identical body on every attempt");
    }
    // A fresh timestamp per attempt (the clock advanced by the waits).
    let ts: Vec<i64> = seen
        .iter()
        .map(|s| {
            s.headers["webhook-timestamp"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(ts[1] - ts[0], 7);
    assert_eq!(ts[2] - ts[1], 4);
    // A tampered body does not verify.
    assert!(!verify(&key, &seen[0].headers, b"{}"));
    let v = json(&seen[0].body);
    assert_eq!(v["type"], "apple_credentials.digest");
    assert_eq!(
        v["data"]["reports"][0]["report"]["items"]
            .as_array()
            .unwrap()
            .len(),
        reports[0].report.items.len()
    );
    assert!(seen[0].headers["webhook-id"]
        .to_str()
        .unwrap()
        .starts_with("msg_"));
}

#[tokio::test]
async fn an_unsigned_webhook_has_no_signature_header() {
    let reports = demo_reports().await;
    let (r, url) = receiver(vec![answer(200, "")]).await;
    let out = deliver(
        &[format!("webhook={url}").parse().unwrap()],
        &Notification::digest(&reports),
        None,
        &options(&clock()),
    )
    .await;
    assert!(out[0].result.is_ok());
    let seen = r.seen.lock().unwrap().clone();
    assert!(seen[0].headers.get("webhook-signature").is_none());
    assert!(seen[0].headers.get("webhook-id").is_some());
}

#[tokio::test]
async fn retries_are_bounded_and_say_when_to_try_again() {
    let reports = demo_reports().await;
    let note = Notification::digest(&reports);
    let mut throttled = answer(429, "");
    throttled.headers.push(("retry-after", "1".into()));
    let (r, url) = receiver(vec![
        throttled.clone(),
        throttled.clone(),
        throttled.clone(),
        throttled,
    ])
    .await;
    let c = clock();
    let out = deliver(
        &[format!("teams={url}").parse().unwrap()],
        &note,
        None,
        &options(&c),
    )
    .await;
    let err = out[0].result.as_ref().unwrap_err();
    assert!(
        matches!(
            err,
            NotifyError::GaveUp {
                status: 429,
                attempts: 4,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(r.seen.lock().unwrap().len(), 4);
    assert_eq!(c.slept(), vec![Duration::from_secs(1); 3]);
    // A Retry-After beyond the longest wait ends at once, saying how long.
    let mut long = answer(429, "");
    long.headers.push(("retry-after", "3600".into()));
    let (r, url) = receiver(vec![long]).await;
    let out = deliver(
        &[format!("slack={url}").parse().unwrap()],
        &note,
        None,
        &options(&clock()),
    )
    .await;
    let err = out[0].result.as_ref().unwrap_err();
    assert!(err.to_string().contains("asks for 3600 s"), "{err}");
    assert_eq!(r.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_gone_webhook_is_not_retried_and_says_what_to_do() {
    let reports = demo_reports().await;
    let (r, url) = receiver(vec![answer(410, "channel_is_archived")]).await;
    let out = deliver(
        &[format!("slack={url}").parse().unwrap()],
        &Notification::digest(&reports),
        None,
        &options(&clock()),
    )
    .await;
    let err = out[0].result.as_ref().unwrap_err().to_string();
    assert!(
        err.contains("410")
            && err.contains("channel_is_archived")
            && err.contains("no longer exists"),
        "{err}"
    );
    assert_eq!(r.seen.lock().unwrap().len(), 1);
    assert!(!err.contains("SECRET-SIG-123"));
}

#[tokio::test]
async fn a_refused_url_is_reported_without_the_url() {
    let reports = demo_reports().await;
    let (url, port) = refused_url();
    let c = clock();
    let channels: Vec<Channel> = vec![
        format!("teams={url}").parse().unwrap(),
        format!("webhook={url}").parse().unwrap(),
    ];
    let out = deliver(
        &channels,
        &Notification::digest(&reports),
        None,
        &options(&c),
    )
    .await;
    for o in &out {
        let err = o.result.as_ref().unwrap_err();
        assert!(matches!(err, NotifyError::Unreachable { .. }), "{err:?}");
        let text = format!("{err} {err:?} {}", o.channel);
        assert!(
            !text.contains("SECRET-SIG-123") && !text.contains(&port.to_string()),
            "{text}"
        );
        assert!(text.contains("could not be reached"));
    }
    // Connection refused is retried (nothing was sent), within the bound.
    assert_eq!(c.slept().len(), 6);
}

#[tokio::test]
async fn channel_specs_are_checked_and_never_show_their_url() {
    let c: Channel = "teams=https://prod.example/workflows/x?sig=SECRET-SIG-123"
        .parse()
        .unwrap();
    assert_eq!(format!("{c} {c:?}"), "teams teams");
    for bad in [
        "teams=not a url",
        "slack=http://hooks.example/services/x",
        "email=",
        "email=nobody",
        "pager=https://x.example/",
        "https://x.example/",
    ] {
        let e = bad.parse::<Channel>().unwrap_err().to_string();
        assert!(!e.contains("SECRET"), "{e}");
        assert!(!e.is_empty());
    }
    let e: Channel = "email=a@contoso.com, b@contoso.com".parse().unwrap();
    assert_eq!(e.to_string(), "email to a@contoso.com, b@contoso.com");
    let env = |n: &str| match n {
        "INTUNE_APPLE_NOTIFY_SLACK" => {
            Some("https://hooks.slack.com/services/T/B/SECRET".to_owned())
        }
        "INTUNE_APPLE_NOTIFY_EMAIL" => Some("mdm@contoso.com".to_owned()),
        "INTUNE_APPLE_MAIL_FROM" => Some("alerts@contoso.com".to_owned()),
        _ => None,
    };
    let chans = intune_apple_core::workflows::notify::channels_from_env(&env).unwrap();
    assert_eq!(chans.len(), 2);
    assert_eq!(
        chans[1],
        Channel::Email {
            to: vec!["mdm@contoso.com".into()],
            from: Some("alerts@contoso.com".into())
        }
    );
}

#[tokio::test]
async fn email_goes_through_graph_send_mail_with_the_calendar_attached() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let client = common::client_of(&sim);
    let report = health_report(&client, &ReportOptions::default()).await;
    let reports = vec![TenantReport {
        tenant: String::new(),
        report,
    }];
    let channel = Channel::Email {
        to: vec!["mdm-admins@contoso.com".into()],
        from: Some("alerts@contoso.com".into()),
    };
    let out = deliver(
        std::slice::from_ref(&channel),
        &Notification::digest(&reports),
        Some(&client),
        &DeliveryOptions::default(),
    )
    .await;
    assert!(out[0].result.is_ok(), "{:?}", out[0].result);
    let sent: Value = reqwest::get(format!("{}/_sim/mail", sim.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sent = sent.as_array().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["sender"], "alerts@contoso.com");
    assert_eq!(sent[0]["saveToSentItems"], false);
    let m = &sent[0]["message"];
    assert!(m["subject"]
        .as_str()
        .unwrap()
        .starts_with("[EXPIRED] Apple credentials"));
    assert_eq!(m["body"]["contentType"], "HTML");
    let html = m["body"]["content"].as_str().unwrap();
    assert!(html.contains("<tr class=\"credential\""));
    assert!(
        !html.contains("<svg") && !html.contains("<style"),
        "no SVG or style block in e-mail"
    );
    assert_eq!(
        m["toRecipients"][0]["emailAddress"]["address"],
        "mdm-admins@contoso.com"
    );
    let a = &m["attachments"][0];
    assert_eq!(a["@odata.type"], "#microsoft.graph.fileAttachment");
    assert_eq!(a["contentType"], "text/calendar");
    let ics = base64::engine::general_purpose::STANDARD
        .decode(a["contentBytes"].as_str().unwrap())
        .unwrap();
    let ics = String::from_utf8(ics).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.contains("METHOD:PUBLISH"));
    assert!(sim.request_log().iter().all(|l| !l.path.contains("/me/")));

    // A mailbox outside the app's scope: a Graph error that names Mail.Send and the scope.
    let outside = Channel::Email {
        to: vec!["x@contoso.com".into()],
        from: Some("outside-scope@contoso.com".into()),
    };
    let out = deliver(
        &[outside],
        &Notification::digest(&reports),
        Some(&client),
        &DeliveryOptions::default(),
    )
    .await;
    let err = out[0].result.as_ref().unwrap_err().to_string();
    assert!(
        err.contains("Mail.Send") && err.contains("docs/alerts.md"),
        "{err}"
    );
    // Without a sending mailbox: a configuration error, nothing sent.
    let nofrom = Channel::Email {
        to: vec!["x@contoso.com".into()],
        from: None,
    };
    let out = deliver(
        &[nofrom],
        &Notification::digest(&reports),
        Some(&client),
        &DeliveryOptions::default(),
    )
    .await;
    assert!(out[0]
        .result
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("INTUNE_APPLE_MAIL_FROM"));
}

/// A fresh directory for a state file.
fn state_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("intune-apple-core-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run_options(
    channels: Vec<Channel>,
    state: &std::path::Path,
    c: &Arc<ManualClock>,
) -> NotifyOptions {
    NotifyOptions {
        channels,
        state_path: Some(state.to_owned()),
        delivery: options(c),
        ..NotifyOptions::default()
    }
}

#[tokio::test]
async fn a_run_notifies_on_change_then_stays_silent_with_the_same_state() {
    let reports = demo_reports().await;
    let (hook, hook_url) = receiver(vec![answer(204, ""), answer(204, "")]).await;
    let (slack, slack_url) = receiver(vec![answer(200, "ok"), answer(200, "ok")]).await;
    let key = base64::engine::general_purpose::STANDARD.encode(b"0123456789abcdef0123456789abcdef");
    let state = state_dir("run-silent").join("state.json");
    let c = clock();
    let mut options = run_options(
        vec![
            format!("webhook={hook_url}").parse().unwrap(),
            format!("slack={slack_url}").parse().unwrap(),
        ],
        &state,
        &c,
    );
    options.webhook_secret = Some(format!("whsec_{key}").into());

    let run = notify_on_change(&reports, &options, None).await;
    assert!(
        run.due && run.sent() && run.delivered() && run.succeeded(),
        "{run:?}"
    );
    assert!(run.state_saved && run.state_error.is_none() && run.notice.is_none());
    assert!(!run.changes.is_empty());
    let names: Vec<&str> = run.outcomes.iter().map(|o| o.channel.as_str()).collect();
    assert_eq!(names, ["webhook (signed)", "slack"]);
    let seen = hook.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(verify(&key, &seen[0].headers, &seen[0].body));
    assert_eq!(json(&seen[0].body)["type"], "apple_credentials.changed");
    assert_eq!(slack.seen.lock().unwrap().len(), 1);
    // The state is the one the decision made, written with the run's time.
    let StateLoad::Loaded(saved) = load_state(&state) else {
        panic!("the state was not saved")
    };
    assert_eq!(saved.updated_at, Some(c.now()));

    // Same reports, same state: nothing due, nothing sent, the state untouched.
    let before = std::fs::read(&state).unwrap();
    let run = notify_on_change(&reports, &options, None).await;
    assert!(
        !run.due && !run.sent() && run.succeeded() && !run.state_saved,
        "{run:?}"
    );
    assert!(run.outcomes.is_empty() && run.changes.is_empty());
    assert_eq!(hook.seen.lock().unwrap().len(), 1);
    assert_eq!(slack.seen.lock().unwrap().len(), 1);
    assert_eq!(std::fs::read(&state).unwrap(), before);

    // `always`: a digest every run, the state saved again.
    options.policy = NotifyPolicy {
        always: true,
        ..NotifyPolicy::default()
    };
    let run = notify_on_change(&reports, &options, None).await;
    assert!(run.due && run.succeeded() && run.state_saved && run.changes.is_empty());
    assert_eq!(
        json(&hook.seen.lock().unwrap()[1].body)["type"],
        "apple_credentials.digest"
    );
}

#[tokio::test]
async fn a_failed_delivery_keeps_the_state_so_the_next_run_sends_again() {
    let reports = demo_reports().await;
    let (refused, port) = refused_url();
    let (hook, hook_url) = receiver(vec![answer(204, ""), answer(204, "")]).await;
    let state = state_dir("run-kept").join("state.json");
    let c = clock();
    let good: Channel = format!("webhook={hook_url}").parse().unwrap();
    let bad: Channel = format!("teams={refused}").parse().unwrap();
    let options = run_options(vec![good.clone(), bad], &state, &c);

    let run = notify_on_change(&reports, &options, None).await;
    assert!(run.due && run.sent() && !run.delivered() && !run.succeeded());
    assert!(!run.state_saved && run.state_error.is_none());
    let err = run.outcomes[1].result.as_ref().unwrap_err();
    assert!(matches!(err, NotifyError::Unreachable { .. }), "{err:?}");
    let text = format!("{run:?} {err}");
    assert!(
        !text.contains("SECRET-SIG-123") && !text.contains(&port.to_string()),
        "{text}"
    );
    assert_eq!(load_state(&state), StateLoad::Missing, "kept as it was");
    // The shape the bindings hand out says the same, without the URL.
    let v = serde_json::to_value(&run).unwrap();
    assert_eq!(
        (&v["due"], &v["sent"], &v["delivered"], &v["succeeded"]),
        (
            &Value::Bool(true),
            &Value::Bool(true),
            &Value::Bool(false),
            &Value::Bool(false)
        )
    );
    assert_eq!(v["stateSaved"], false);
    assert_eq!(v["outcomes"][0]["delivered"], true);
    assert_eq!(v["outcomes"][1]["channel"], "teams");
    assert!(v["outcomes"][1]["error"]
        .as_str()
        .unwrap()
        .contains("could not be reached"));
    assert!(!v.to_string().contains("SECRET-SIG-123"));
    assert!(v["changes"].as_array().is_some_and(|c| !c.is_empty()));

    // The next run, the channel fixed: the same alert again, with the same webhook-id.
    let options = run_options(vec![good], &state, &c);
    let run = notify_on_change(&reports, &options, None).await;
    assert!(run.due && run.succeeded() && run.state_saved, "{run:?}");
    let seen = hook.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].headers["webhook-id"], seen[1].headers["webhook-id"]);
}

#[tokio::test]
async fn a_damaged_state_is_reported_and_rebuilt_and_a_failed_save_is_said() {
    let reports = demo_reports().await;
    let (_hook, hook_url) = receiver(vec![answer(204, ""), answer(204, "")]).await;
    let dir = state_dir("run-damaged");
    let state = dir.join("state.json");
    std::fs::write(&state, "{\"version\": 1, \"credentials\": [tru").unwrap();
    let c = clock();
    let channels: Vec<Channel> = vec![format!("webhook={hook_url}").parse().unwrap()];
    let run = notify_on_change(&reports, &run_options(channels.clone(), &state, &c), None).await;
    assert!(
        run.notice.as_deref().unwrap_or("").contains("rebuilt"),
        "{run:?}"
    );
    assert!(run.due && run.succeeded() && run.state_saved);
    assert!(matches!(load_state(&state), StateLoad::Loaded(_)));

    // A state path in a directory that does not exist: delivered, but the run did not succeed.
    let missing = dir.join("no-such-dir").join("state.json");
    let run = notify_on_change(&reports, &run_options(channels, &missing, &c), None).await;
    assert!(run.delivered() && !run.succeeded() && !run.state_saved);
    assert!(run
        .state_error
        .as_deref()
        .unwrap_or("")
        .contains("cannot save the notification state"));
}

#[tokio::test]
async fn without_a_state_or_channels_every_run_is_due_and_nothing_is_written() {
    let reports = demo_reports().await;
    let run = notify_on_change(&reports, &NotifyOptions::default(), None).await;
    assert!(run.due && run.outcomes.is_empty() && run.succeeded());
    assert!(!run.sent() && !run.state_saved);
}

#[test]
fn delivery_limits_from_a_binding_are_checked() {
    let o = DeliveryOptions::with_limits(Some(1), Some(5)).unwrap();
    assert_eq!((o.max_attempts, o.timeout), (1, Duration::from_secs(5)));
    let d = DeliveryOptions::with_limits(None, None).unwrap();
    assert_eq!((d.max_attempts, d.timeout), (4, Duration::from_secs(20)));
    for (a, t) in [
        (Some(0), None),
        (Some(11), None),
        (Some(-1), None),
        (Some(i64::MAX), None),
        (None, Some(0)),
        (None, Some(601)),
        (None, Some(i64::MIN)),
    ] {
        assert!(DeliveryOptions::with_limits(a, t).is_err(), "{a:?} {t:?}");
    }
}

#[tokio::test]
async fn a_profile_drift_report_goes_to_every_channel() {
    use intune_apple_core::rules::profile_template::parse_template;
    use intune_apple_core::workflows::profile_templates::{
        profile_drift, TemplateValues, TokenSelection,
    };
    use intune_apple_core::workflows::report::TenantTarget;
    let drifted = Simulator::start(Seed::fleet_drifted()).await.unwrap();
    let matching = Simulator::start(Seed::fleet_matching()).await.unwrap();
    let tenants = vec![
        TenantTarget {
            name: "northwind".into(),
            client: common::client_of(&matching),
        },
        TenantTarget {
            name: "fabrikam".into(),
            client: common::client_of(&drifted),
        },
    ];
    let template = parse_template(Seed::FLEET_TEMPLATE).unwrap();
    let values = TemplateValues::from_json(Seed::FLEET_VALUES).unwrap();
    let report = profile_drift(&tenants, &template, &values, &TokenSelection::All)
        .await
        .unwrap();
    assert_eq!(report.exit_code(), 1);
    let message = drift_message(&report);

    let (teams, teams_url) = receiver(vec![answer(202, "")]).await;
    let (slack, slack_url) = receiver(vec![answer(200, "ok")]).await;
    let (hook, hook_url) = receiver(vec![answer(204, "")]).await;
    let channels: Vec<Channel> = [
        format!("teams={teams_url}"),
        format!("slack={slack_url}"),
        format!("webhook={hook_url}"),
    ]
    .iter()
    .map(|c| c.parse().unwrap())
    .collect();
    let out = deliver_message(&channels, &message, None, &options(&clock())).await;
    assert!(out.iter().all(|o| o.result.is_ok()), "{out:?}");

    let card = json(&teams.seen.lock().unwrap()[0].body);
    let content = &card["attachments"][0]["content"];
    assert_eq!(content["type"], "AdaptiveCard");
    assert_eq!(content["version"], "1.4");
    let texts: Vec<String> = content["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(texts[0].starts_with("Enrollment profiles:"), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("fabrikam") && t.contains("drifted")),
        "{texts:?}"
    );
    assert!(
        !texts.iter().any(|t| t.starts_with("northwind")),
        "matching tenants are not listed: {texts:?}"
    );

    let blocks = json(&slack.seen.lock().unwrap()[0].body);
    assert_eq!(blocks["blocks"][0]["type"], "header");
    assert!(blocks["blocks"][1]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("fabrikam"));

    let event = json(&hook.seen.lock().unwrap()[0].body);
    assert_eq!(event["type"], "enrollment_profiles.drift");
    assert_eq!(event["data"]["exitCode"], 1);
    assert_eq!(
        event["data"]["report"]["tenants"].as_array().unwrap().len(),
        2
    );
    let headers = &hook.seen.lock().unwrap()[0].headers;
    assert!(headers.get("webhook-id").is_some());

    // The same drift makes the same webhook id: a receiver that dedupes drops the repeat.
    let again = drift_message(&report);
    assert_eq!(
        intune_apple_core::workflows::notify::webhook_id(&again.webhook),
        intune_apple_core::workflows::notify::webhook_id(&message.webhook)
    );
    assert!(
        message
            .mail
            .subject
            .starts_with("[DRIFT] Enrollment profiles:"),
        "{}",
        message.mail.subject
    );
    assert!(message.mail.html_body.contains("fabrikam"));
}
