//! The `intune-apple` command: `intune-apple --help`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(intune_apple_cli::run_process(&args));
}
