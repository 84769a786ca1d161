//! `bindings-types.json` is written from `intune_apple_core::manifest::types_json` (the core's
//! description of the types the bindings expose, feature `describe`); this test fails when the
//! checked-in file differs. `INTUNE_APPLE_UPDATE_TYPES=1` rewrites it.

use std::path::PathBuf;

#[test]
fn bindings_types_are_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bindings-types.json");
    let want = intune_apple_core::manifest::types_json();
    if std::env::var_os("INTUNE_APPLE_UPDATE_TYPES").is_some() {
        std::fs::write(&path, &want).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date: run INTUNE_APPLE_UPDATE_TYPES=1 cargo test -p intune-apple-core --test types and commit it",
        path.display()
    );
}
