//! The monitoring and alerting renderings of the health report: Prometheus, OpenMetrics,
//! Nagios, Checkmk and HTML, on synthetic reports (every state) and on the simulated tenant.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use std::process::{Command, Stdio};

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use intune_apple_core::rules::health::{HealthThresholds, Severity, TokenKind};
use intune_apple_core::workflows::report::{
    health_report, scan_to_html, scan_to_nagios, scan_to_prometheus, write_textfile, Format,
    HealthReport, ItemSync, ReportError, ReportItem, ReportOptions, ReportProblem, TenantReport,
};
use intune_apple_sim::{Fault, FaultKind, Seed, Simulator};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 3, 0, 0).unwrap()
}

fn item(kind: TokenKind, name: &str, days: Option<i64>, severity: Severity) -> ReportItem {
    ReportItem {
        kind,
        id: format!("{}-{}", kind.code(), name.len()),
        name: Some(name.to_owned()),
        apple_id: Some("mdm-admin@contoso.com".to_owned()),
        expires_at: days.map(|d| now() + Duration::days(d) + Duration::hours(1)),
        days_left: days,
        severity,
        problems: if severity == Severity::Ok {
            Vec::new()
        } else {
            vec![ReportProblem {
                code: "vpp.expiring".into(),
                message: "Renew <it> & upload".into(),
            }]
        },
        consequence: "Apps stop updating.".into(),
        renewal: vec!["Step one".into(), "Step two".into()],
        sync: (kind != TokenKind::PushCertificate).then(|| ItemSync {
            last_sync_at: Some(now() - Duration::hours(5)),
            next_sync_allowed_at: Some(now()),
        }),
    }
}

fn report(items: Vec<ReportItem>, errors: Vec<ReportError>) -> HealthReport {
    HealthReport {
        generated_at: now(),
        as_of: now(),
        items,
        errors,
        thresholds: HealthThresholds::default(),
    }
}

fn forbidden(section: &str) -> ReportError {
    ReportError {
        section: section.into(),
        code: "forbidden".into(),
        message: "Graph answered 403: grant DeviceManagementServiceConfig.Read.All".into(),
    }
}

/// One report of each kind of outcome.
fn mixed() -> HealthReport {
    report(
        vec![
            item(
                TokenKind::VppToken,
                "Warehouse",
                Some(-12),
                Severity::Expired,
            ),
            item(
                TokenKind::PushCertificate,
                "com.apple.mgmt.External.x",
                Some(5),
                Severity::Critical,
            ),
            item(
                TokenKind::EnrollmentProgramToken,
                "ABM \"Paris\" | main",
                Some(20),
                Severity::Warning,
            ),
            item(TokenKind::VppToken, "HQ", Some(200), Severity::Ok),
        ],
        Vec::new(),
    )
}

/// `promtool` from `$INTUNE_APPLE_PROMTOOL` or the PATH; `None` (and a loud notice) when absent.
/// In CI (`CI=true`) its absence fails the test: `scripts/test` installs it.
fn promtool() -> Option<std::path::PathBuf> {
    let candidate = std::env::var_os("INTUNE_APPLE_PROMTOOL")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "promtool".into());
    let found = Command::new(&candidate)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(candidate);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "promtool not found: scripts/test installs it from Debian's prometheus package"
    );
    eprintln!("SKIPPED: promtool not found (set INTUNE_APPLE_PROMTOOL or run scripts/test, which installs it)");
    None
}

fn promtool_check(text: &str) {
    let Some(tool) = promtool() else { return };
    let mut child = Command::new(tool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics failed ({}):\n{}{}\n--- input ---\n{text}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn samples<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    text.lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .collect()
}

#[test]
fn prometheus_output_is_accepted_by_promtool_and_carries_every_series() {
    let text = mixed().to_prometheus();
    promtool_check(&text);
    assert!(text.ends_with('\n'));
    // Expiry as a timestamp, one per credential with an expiry.
    let expiry = samples(&text, "intune_apple_credential_expiry_timestamp_seconds");
    assert_eq!(expiry.len(), 4);
    let push = (now() + Duration::days(5) + Duration::hours(1)).timestamp();
    assert!(
        expiry.iter().any(|l| l.ends_with(&format!(" {push}"))),
        "{text}"
    );
    // The state is one-hot: five series per credential, exactly one of them 1.
    let state = samples(&text, "intune_apple_credential_state");
    assert_eq!(state.len(), 20);
    assert_eq!(state.iter().filter(|l| l.ends_with(" 1")).count(), 4);
    assert!(state.iter().any(|l| l.contains("kind=\"vpp_token\"")
        && l.contains("state=\"expired\"")
        && l.ends_with(" 1")));
    // Identity in the info metric, with quotes and pipes escaped; never the Apple ID.
    assert!(text.contains("name=\"ABM \\\"Paris\\\" | main\""), "{text}");
    assert!(
        !text.contains('@'),
        "an e-mail address must never be a label:\n{text}"
    );
    // Every section read, and the sync rules' next allowed time.
    let read = samples(&text, "intune_apple_section_read_success");
    assert_eq!(read.len(), 3);
    assert!(read.iter().all(|l| l.ends_with(" 1")));
    assert_eq!(
        samples(
            &text,
            "intune_apple_credential_next_sync_allowed_timestamp_seconds"
        )
        .len(),
        3
    );
    // No client-side timestamps (the textfile collector would skip the whole file).
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let after_labels = l
            .rsplit_once('}')
            .map_or_else(|| l.split_once(' ').map_or("", |(_, v)| v), |(_, v)| v)
            .trim();
        assert_eq!(
            after_labels.split(' ').count(),
            1,
            "a sample with a timestamp: {l}"
        );
    }
}

#[test]
fn a_section_that_could_not_be_read_never_looks_healthy() {
    let r = report(
        vec![item(
            TokenKind::PushCertificate,
            "topic",
            Some(100),
            Severity::Ok,
        )],
        vec![forbidden("vppTokens"), forbidden("vppApps")],
    );
    let text = r.to_prometheus();
    promtool_check(&text);
    let read = samples(&text, "intune_apple_section_read_success");
    assert!(read.contains(&"intune_apple_section_read_success{section=\"vppTokens\"} 0"));
    assert!(read.contains(&"intune_apple_section_read_success{section=\"vppApps\"} 0"));
    assert!(read.contains(&"intune_apple_section_read_success{section=\"pushCertificate\"} 1"));
    // Nagios: UNKNOWN (could not check), not OK.
    assert_eq!(r.nagios_exit_code(), 3);
    assert!(r
        .to_nagios()
        .starts_with("APPLE CREDENTIALS UNKNOWN - 1 ok, 2 section(s) unreadable"));
    // Checkmk: the reading service is UNKNOWN.
    assert!(r
        .to_checkmk()
        .lines()
        .any(|l| l.starts_with("3 \"Apple credentials read\" intune_apple_unreadable_sections=2")));
}

#[test]
fn openmetrics_has_units_info_type_and_eof() {
    let text = mixed().to_openmetrics();
    assert!(text.ends_with("# EOF\n"));
    assert!(text.contains("# TYPE intune_apple_credential info\n"));
    assert!(text.contains("# UNIT intune_apple_credential_expiry_timestamp_seconds seconds\n"));
    // The same series as the 0.0.4 text, so one rules file serves both.
    let prom = mixed().to_prometheus();
    let series = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(series(&text), series(&prom));
    // TYPE before UNIT before HELP, as the specification recommends.
    let t = text
        .find("# TYPE intune_apple_report_timestamp_seconds")
        .unwrap();
    let u = text
        .find("# UNIT intune_apple_report_timestamp_seconds")
        .unwrap();
    let h = text
        .find("# HELP intune_apple_report_timestamp_seconds")
        .unwrap();
    assert!(t < u && u < h);
}

#[test]
fn nagios_exit_codes_and_output_for_each_state() {
    let cases = [
        (Severity::Ok, 0, "OK"),
        (Severity::Unknown, 1, "WARNING"),
        (Severity::Warning, 1, "WARNING"),
        (Severity::Critical, 2, "CRITICAL"),
        (Severity::Expired, 2, "CRITICAL"),
    ];
    for (severity, code, word) in cases {
        let days = match severity {
            Severity::Ok => Some(100),
            Severity::Unknown => None,
            Severity::Warning => Some(20),
            Severity::Critical => Some(3),
            Severity::Expired => Some(-2),
        };
        let r = report(
            vec![item(TokenKind::VppToken, "Main", days, severity)],
            Vec::new(),
        );
        assert_eq!(r.nagios_exit_code(), code, "{severity:?}");
        assert_eq!(Format::Nagios.exit_code(&r), code);
        let out = r.to_nagios();
        let first = out.lines().next().unwrap();
        assert!(
            first.starts_with(&format!("APPLE CREDENTIALS {word} - 1 {}", severity.code())),
            "{first}"
        );
        // Status line perfdata: counts, with min 0.
        let (_, perf) = first.split_once(" | ").unwrap();
        assert!(
            perf.contains(&format!("{}=1;;;0", severity.code())),
            "{perf}"
        );
        // One line per credential.
        assert_eq!(
            out.lines()
                .skip(1)
                .filter(|l| l.contains("VPP token \"Main\""))
                .count(),
            1
        );
        // Per-credential perfdata: days left with "alert below" thresholds.
        if let Some(d) = days {
            assert!(
                out.lines().any(|l| l.starts_with("| ")
                    && l.contains(&format!("vpp_token_main_vpp_toke_days={d};30:;7:"))),
                "{out}"
            );
        }
    }
    // Could not check at all: UNKNOWN.
    let r = report(Vec::new(), vec![forbidden("pushCertificate")]);
    assert_eq!(r.nagios_exit_code(), 3);
    assert!(r
        .to_nagios()
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("UNKNOWN: pushCertificate could not be read (forbidden)"));
    // An expired credential is CRITICAL even when another section failed.
    let r = report(
        vec![item(
            TokenKind::VppToken,
            "Old",
            Some(-1),
            Severity::Expired,
        )],
        vec![forbidden("enrollmentProgramTokens")],
    );
    assert_eq!(r.nagios_exit_code(), 2);
}

#[test]
fn nagios_status_line_has_no_pipe_from_a_name() {
    let out = mixed().to_nagios();
    let first = out.lines().next().unwrap();
    assert_eq!(first.matches('|').count(), 1, "{first}");
    for l in out.lines().skip(1) {
        assert!(!l.contains('|') || l.starts_with("| "), "{l}");
    }
}

#[test]
fn checkmk_has_one_line_per_credential_with_metrics() {
    let out = mixed().to_checkmk();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(lines[0].starts_with("0 \"Apple credentials read\""));
    assert!(
        lines[1].starts_with(
            "2 \"Apple VPP token Warehouse vpp_toke\" intune_apple_days_left=-12;30:;7: expired:"
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines[3].starts_with("1 \"Apple enrollment program token ABM 'Paris' / main"),
        "{}",
        lines[3]
    );
    assert!(lines[4].starts_with("0 \"Apple VPP token HQ"));
    for l in &lines {
        // status, quoted service name, metrics, detail
        let rest = l.split_once(' ').unwrap().1;
        assert!(rest.starts_with('"'));
        assert_eq!(rest.matches('"').count(), 2, "{l}");
    }
}

#[test]
fn html_page_has_a_row_per_credential_escapes_names_and_has_no_script() {
    let mut r = mixed();
    r.items[3].name = Some("<script>alert(1)</script>".into());
    let page = r.to_html();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page.matches("<tr class=\"credential\"").count(), 4);
    assert!(
        !page.contains("<script"),
        "no script, and names are escaped"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("<svg"));
    assert!(page.contains("OVERDUE since"));
    assert!(
        !page.contains("http://")
            || page.matches("http://").count()
                == page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "no external resource"
    );
    // What to do: one block per credential that needs attention.
    assert_eq!(page.matches("class=\"todo\"").count(), 3);
    let email = r.to_html_email();
    assert!(!email.contains("<svg"));
    assert!(!email.contains("<style"));
    assert!(!email.contains("<script"));
    assert_eq!(email.matches("<tr class=\"timeline\"").count(), 4);
    assert_eq!(email.matches("<tr class=\"credential\"").count(), 4);
}

#[test]
fn every_format_name_parses_and_renders() {
    let r = mixed();
    for (f, name) in Format::ALL.iter().zip(Format::NAMES) {
        assert_eq!(name.parse::<Format>().unwrap(), *f);
        assert_eq!(f.to_string(), name);
        assert!(!f.render(&r, false).is_empty());
        let scan = vec![TenantReport {
            tenant: "contoso".into(),
            report: r.clone(),
        }];
        assert!(!f.render_scan(&scan, false).is_empty(), "{name}");
    }
    assert!("xml".parse::<Format>().is_err());
}

#[test]
fn a_scan_labels_every_series_with_its_tenant() {
    let scan = vec![
        TenantReport {
            tenant: "contoso".into(),
            report: mixed(),
        },
        TenantReport {
            tenant: "fabrikam".into(),
            report: report(Vec::new(), vec![forbidden("pushCertificate")]),
        },
    ];
    let text = scan_to_prometheus(&scan);
    promtool_check(&text);
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        assert!(
            l.contains("tenant=\"contoso\"") || l.contains("tenant=\"fabrikam\""),
            "{l}"
        );
    }
    assert!(text.contains(
        "intune_apple_section_read_success{tenant=\"fabrikam\",section=\"pushCertificate\"} 0"
    ));
    let nagios = scan_to_nagios(&scan);
    assert!(nagios.contains("[fabrikam] UNKNOWN: pushCertificate could not be read"));
    assert_eq!(Format::Nagios.scan_exit_code(&scan), 2);
    let html = scan_to_html(&scan);
    assert_eq!(html.matches("<tr class=\"tenant\"").count(), 2);
    assert_eq!(html.matches("<tr class=\"credential\"").count(), 4);
}

#[test]
fn the_textfile_is_replaced_atomically() {
    let dir = std::env::temp_dir().join(format!("intune-apple-textfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("intune_apple.prom");
    write_textfile(&path, "a 1\n").unwrap();
    write_textfile(&path, &mixed().to_prometheus()).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        mixed().to_prometheus()
    );
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // A missing directory is an error, not a panic.
    assert!(write_textfile(&dir.join("missing/x.prom"), "a 1\n").is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_simulated_tenant_renders_in_every_format() {
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let client = common::client_of(&sim);
    let r = health_report(
        &client,
        &ReportOptions {
            include_apps: true,
            ..ReportOptions::default()
        },
    )
    .await;
    assert!(r.errors.is_empty());
    let text = r.to_prometheus();
    promtool_check(&text);
    assert_eq!(
        samples(&text, "intune_apple_credential_info").len(),
        r.items.len()
    );
    assert_eq!(
        r.to_html().matches("<tr class=\"credential\"").count(),
        r.items.len()
    );
    assert_eq!(r.to_checkmk().lines().count(), r.items.len() + 1);
    assert_eq!(r.nagios_exit_code(), 2);
    // A 403 on the VPP tokens: the section reads 0, Nagios stays CRITICAL for the expired items
    // it could read, and the tokens are missing rather than "ok".
    sim.add_fault(Fault::new(
        "GET",
        "/beta/deviceAppManagement/vppTokens",
        FaultKind::Status { status: 403 },
    ));
    let r = health_report(&client, &ReportOptions::default()).await;
    assert_eq!(r.errors.len(), 1);
    assert!(r
        .to_prometheus()
        .contains("intune_apple_section_read_success{section=\"vppTokens\"} 0"));
}

#[test]
fn the_example_alert_rules_pass_promtool() {
    let Some(tool) = promtool() else { return };
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/prometheus");
    for file in ["alert-rules.yml", "alert-rules-intune-parity.yml"] {
        let out = Command::new(&tool)
            .args(["check", "rules", &format!("{dir}/{file}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
