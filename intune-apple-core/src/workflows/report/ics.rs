//! The iCalendar (RFC 5545) rendering: one event per renewal deadline.

use chrono::{DateTime, Duration, Utc};

use super::{kind_name, HealthReport, ReportItem};
use crate::rules::health::{HealthThresholds, TokenKind, Window};

/// `20261123T101500Z`: a UTC DATE-TIME.
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `t - d`, or `None` when the result is outside the range of dates (an expiry near the end of
/// time, or a window the caller chose far too large): the line that needs it is left out rather
/// than the process stopped.
fn before(t: DateTime<Utc>, d: Option<Duration>) -> Option<DateTime<Utc>> {
    d.and_then(|d| t.checked_sub_signed(d))
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): `\`, `;`, `,` and line breaks.
pub(super) fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line at 75 octets (RFC 5545 §3.1) without splitting a UTF-8 character,
/// and ends it with CRLF.
pub(super) fn fold(line: &str, out: &mut String) {
    const LIMIT: usize = 75;
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > LIMIT {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

fn uid_part(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn window(thresholds: &HealthThresholds, kind: TokenKind) -> Window {
    match kind {
        TokenKind::PushCertificate => thresholds.push_certificate,
        TokenKind::EnrollmentProgramToken => thresholds.enrollment_program_token,
        TokenKind::VppToken => thresholds.vpp_token,
    }
}

fn label(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::PushCertificate => "Apple MDM push certificate",
        TokenKind::EnrollmentProgramToken => "Enrollment program token",
        TokenKind::VppToken => "VPP token",
    }
}

fn event(
    item: &ReportItem,
    expires: DateTime<Utc>,
    stamp: DateTime<Utc>,
    w: Window,
    out: &mut String,
) {
    let what = match &item.name {
        Some(n) => format!("{} {n}", label(item.kind)),
        None => label(item.kind).to_owned(),
    };
    let mut description = format!(
        "{what} expires {} UTC (severity {} at the time of the report).",
        expires.format("%Y-%m-%d %H:%M"),
        item.severity.code()
    );
    if let Some(a) = &item.apple_id {
        description.push_str(&format!("\nApple ID: {a}"));
    }
    for p in &item.problems {
        description.push_str(&format!("\n- {}: {}", p.code, p.message));
    }
    description.push_str(&format!(
        "\n\nIf it lapses: {}\n\nRenewal:",
        item.consequence
    ));
    for (n, step) in item.renewal.iter().enumerate() {
        description.push_str(&format!("\n{}. {step}", n + 1));
    }
    let start = before(expires, Some(Duration::hours(1))).unwrap_or(expires);
    let lines = [
        "BEGIN:VEVENT".to_owned(),
        format!(
            "UID:{}-{}@intune-apple",
            kind_name(item.kind),
            uid_part(&item.id)
        ),
        format!("DTSTAMP:{}", utc(stamp)),
        format!("DTSTART:{}", utc(start)),
        format!("DTEND:{}", utc(expires)),
        format!("SUMMARY:{}", escape_text(&format!("Renew the {what}"))),
        format!("DESCRIPTION:{}", escape_text(&description)),
        "CATEGORIES:Intune,Apple".to_owned(),
        "TRANSP:TRANSPARENT".to_owned(),
    ];
    for l in &lines {
        fold(l, out);
    }
    let mut days: Vec<i64> = vec![w.warning_days, w.critical_days];
    days.retain(|d| *d >= 0);
    days.sort_unstable_by(|a, b| b.cmp(a));
    days.dedup();
    for d in days {
        let Some(trigger) = before(expires, Duration::try_days(d)) else {
            continue;
        };
        let alarm = [
            "BEGIN:VALARM".to_owned(),
            "ACTION:DISPLAY".to_owned(),
            format!(
                "DESCRIPTION:{}",
                escape_text(&format!("{what}: {d} days left to renew"))
            ),
            format!("TRIGGER;VALUE=DATE-TIME:{}", utc(trigger)),
            "END:VALARM".to_owned(),
        ];
        for l in &alarm {
            fold(l, out);
        }
    }
    fold("END:VEVENT", out);
}

/// The end of the push certificate's grace period: after it, the certificate can no longer be
/// renewed with the same topic and every device must enrol again.
fn grace_event(
    item: &ReportItem,
    end: DateTime<Utc>,
    report: &HealthReport,
    w: Window,
    out: &mut String,
) {
    let name = item.name.as_deref().unwrap_or(&item.id);
    let description = format!(
        "Last moment to renew the Apple MDM push certificate {name} with the same topic ({} UTC). \
         After it, a new certificate is needed and every iPhone, iPad and Mac must enrol again.",
        end.format("%Y-%m-%d %H:%M")
    );
    let mut lines = vec![
        "BEGIN:VEVENT".to_owned(),
        format!(
            "UID:{}-{}-grace@intune-apple",
            kind_name(item.kind),
            uid_part(&item.id)
        ),
        format!("DTSTAMP:{}", utc(report.generated_at)),
        format!(
            "DTSTART:{}",
            utc(before(end, Some(Duration::hours(1))).unwrap_or(end))
        ),
        format!("DTEND:{}", utc(end)),
        format!(
            "SUMMARY:{}",
            escape_text(&format!("Push certificate grace period ends: {name}"))
        ),
        format!("DESCRIPTION:{}", escape_text(&description)),
        "CATEGORIES:Intune,Apple".to_owned(),
        "TRANSP:TRANSPARENT".to_owned(),
    ];
    let trigger = if w.critical_days >= 0 {
        before(end, Duration::try_days(w.critical_days))
    } else {
        None
    };
    if let Some(trigger) = trigger {
        lines.extend([
            "BEGIN:VALARM".to_owned(),
            "ACTION:DISPLAY".to_owned(),
            format!(
                "DESCRIPTION:{}",
                escape_text(&format!(
                    "Push certificate {name}: {} days left to renew with the same topic",
                    w.critical_days
                ))
            ),
            format!("TRIGGER;VALUE=DATE-TIME:{}", utc(trigger)),
            "END:VALARM".to_owned(),
        ]);
    }
    lines.push("END:VEVENT".to_owned());
    for l in &lines {
        fold(l, out);
    }
}

pub(super) fn calendar(report: &HealthReport, thresholds: &HealthThresholds) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//intune-apple//health report//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Apple credential renewals",
    ] {
        fold(l, &mut out);
    }
    for item in &report.items {
        if let Some(expires) = item.expires_at {
            let w = window(thresholds, item.kind);
            event(item, expires, report.generated_at, w, &mut out);
            let grace_end = expires.checked_add_signed(thresholds.push_grace_period);
            if let (TokenKind::PushCertificate, Some(end)) = (item.kind, grace_end) {
                grace_event(item, end, report, w, &mut out);
            }
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}

/// One calendar with the events of every tenant of a scan.
pub(super) fn merge(reports: &[super::TenantReport]) -> String {
    let mut out = String::new();
    for (n, r) in reports.iter().enumerate() {
        let cal = calendar(&r.report, &r.report.thresholds);
        let end = cal.rfind("END:VCALENDAR").unwrap_or(cal.len());
        let start = if n == 0 {
            0
        } else {
            cal.find("BEGIN:VEVENT").unwrap_or(end)
        };
        out.push_str(cal.get(start..end).unwrap_or_default());
    }
    if out.is_empty() {
        let empty = HealthReport {
            generated_at: DateTime::UNIX_EPOCH,
            as_of: DateTime::UNIX_EPOCH,
            items: Vec::new(),
            errors: Vec::new(),
            thresholds: HealthThresholds::default(),
        };
        return calendar(&empty, &empty.thresholds);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let line = format!("DESCRIPTION:{}", "é".repeat(100));
        let mut out = String::new();
        fold(&line, &mut out);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape_text("a,b;c\\d\r\ne\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
    }

    #[test]
    fn uid_keeps_only_safe_characters() {
        assert_eq!(uid_part("a b/c.d_e-f"), "a-b-c.d_e-f");
    }
}
