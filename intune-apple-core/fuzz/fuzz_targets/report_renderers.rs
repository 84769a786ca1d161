#![no_main]
//! A saved health report read back (`HealthReport::from_json`) and rendered in every format,
//! alone and as a scan, must never panic, whatever its numbers and dates.
use intune_apple_core::workflows::report::{Format, HealthReport, TenantReport};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(report) = HealthReport::from_json(text) else {
        return;
    };
    for f in Format::ALL {
        let _ = f.render(&report, true);
        let _ = f.exit_code(&report);
    }
    let scan = [TenantReport {
        tenant: "t\u{1b}[2J".into(),
        report,
    }];
    for f in Format::ALL {
        let _ = f.render_scan(&scan, false);
        let _ = f.scan_exit_code(&scan);
    }
});
