//! uniffi's binding generator (`uniffi-bindgen generate --library ...`), of the same uniffi
//! version as the library (bindings-uniffi/Cargo.toml).

fn main() {
    uniffi::uniffi_bindgen_main();
}
