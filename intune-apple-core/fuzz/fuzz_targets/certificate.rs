#![no_main]
//! App certificate files (PEM, encrypted PEM keys, PKCS#12) must never panic, with or without
//! a password.
use intune_apple_core::graph::ClientCertificateCredential;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for password in [None, Some(""), Some("sim-test-password")] {
        let _ = ClientCertificateCredential::from_contents("t", "c", data, password);
    }
});
