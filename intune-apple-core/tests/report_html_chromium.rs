//! The HTML report rendered by a real browser: headless Chromium writes a screenshot of the
//! page of the simulated demo tenant, and the DOM it built has one row per credential.
//!
//! Chromium comes from Debian's `chromium` package (`scripts/test` installs it). Without it
//! the tests say SKIPPED on stderr, except in CI (`CI=true`), where its absence fails them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup: a failure should stop the test

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use intune_apple_core::workflows::report::{health_report, ReportOptions};
use intune_apple_sim::{Seed, Simulator};

fn chromium() -> Option<PathBuf> {
    let names = std::env::var_os("INTUNE_APPLE_CHROMIUM")
        .map(|p| vec![PathBuf::from(p)])
        .unwrap_or_else(|| {
            vec![
                "chromium".into(),
                "chromium-browser".into(),
                "google-chrome".into(),
            ]
        });
    for n in names {
        if Command::new(&n)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(n);
        }
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "chromium not found: scripts/test installs Debian's chromium package"
    );
    eprintln!("SKIPPED: headless Chromium not found (apt-get install chromium, or set INTUNE_APPLE_CHROMIUM)");
    None
}

fn headless(browser: &Path, extra: &[&str], page: &Path) -> std::process::Output {
    let profile = page.with_extension("profile");
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

#[tokio::test]
async fn chromium_renders_the_page_with_one_row_per_credential() {
    let Some(browser) = chromium() else { return };
    let sim = Simulator::start(Seed::demo()).await.unwrap();
    let client = common::client_of(&sim);
    let report = health_report(
        &client,
        &ReportOptions {
            include_apps: true,
            ..ReportOptions::default()
        },
    )
    .await;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-html");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, html) in [
        ("health", report.to_html()),
        ("health-email", report.to_html_email()),
    ] {
        let page = dir.join(format!("{name}.html"));
        std::fs::write(&page, &html).unwrap();
        let shot = dir.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&shot);
        let out = headless(
            &browser,
            &[
                "--window-size=1100,1500",
                &format!("--screenshot={}", shot.display()),
            ],
            &page,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        assert!(
            png.len() > 20_000,
            "a nearly empty screenshot ({} bytes)",
            png.len()
        );
        eprintln!("screenshot: {}", shot.display());

        // The DOM the browser built: one row per credential in the status table.
        let out = headless(&browser, &["--dump-dom"], &page);
        assert!(out.status.success());
        let dom = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            dom.matches("<tr class=\"credential\"").count(),
            report.items.len(),
            "{name}"
        );
        assert!(!dom.contains("<script"));
        if name == "health" {
            assert_eq!(
                dom.matches("<circle").count()
                    + dom.matches("class=\"overdue\"").count()
                    + dom.matches(" →</text>").count(),
                report.items.len()
            );
        }
    }
}
