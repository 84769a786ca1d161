//! `bindings-manifest.json` is written from `intune_apple_core::manifest`; this test fails when
//! the checked-in file differs. `INTUNE_APPLE_UPDATE_MANIFEST=1` rewrites it.

use std::path::PathBuf;

#[test]
fn bindings_manifest_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bindings-manifest.json");
    let want = intune_apple_core::manifest::manifest_json();
    if std::env::var_os("INTUNE_APPLE_UPDATE_MANIFEST").is_some() {
        std::fs::write(&path, &want).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date: run INTUNE_APPLE_UPDATE_MANIFEST=1 cargo test -p intune-apple-core --test manifest and commit it",
        path.display()
    );
}
