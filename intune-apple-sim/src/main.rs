//! `intune-apple-sim` binary (placeholder; see issue 5).
fn main() {}
