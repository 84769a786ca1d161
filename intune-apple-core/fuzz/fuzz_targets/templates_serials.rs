#![no_main]
//! Profile templates (parsed, validated offline, resolved) and serial-number lists must never
//! panic, whatever the file holds.
use intune_apple_core::rules::profile_template::{
    parse_template, validate_template, TemplateContext,
};
use intune_apple_core::workflows::profiles::parse_serial_numbers;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = parse_template(text) {
        let _ = validate_template(&t, &TemplateContext::offline());
        let _ = t.to_json();
    }
    let _ = parse_serial_numbers(text);
});
