#![no_main]
//! Token endpoints' answers (Entra's token endpoint with any status, managed identity's every
//! protocol) must be read or refused, never panic or overflow a time: the first two bytes are
//! the HTTP status, the rest the body.
use intune_apple_core::fuzzing::{managed_identity_answer, token_answer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]) % 600, rest),
        _ => (200, data),
    };
    let _ = token_answer(status, body);
    let _ = token_answer(200, body);
    let _ = managed_identity_answer(body);
});
