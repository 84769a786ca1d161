#![no_main]
//! Push certificate parser (PEM and DER) must never panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = intune_apple_core::files::PushCertificate::parse(data);
});
