//! The tenant health report (the library's main job).
#![allow(clippy::print_stdout)]

fn main() {
    println!("intune-apple health report: not available yet (it arrives with the Graph client).");
}
