#![no_main]
//! `.p7m` envelope, CMS and payload parsers must never panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = intune_apple_core::files::DepTokenFile::parse(
        data,
        Some("S_Token_2030-07-01T22-18-53Z_smime.p7m"),
    ) {
        let _ = f.check_against(data);
    }
    let _ = intune_apple_core::files::dep::parse_payload(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = intune_apple_core::files::dep::parse_file_name(s);
    }
});
