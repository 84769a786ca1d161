//! The tenant health report (the library's main job): `cargo run --example health -- --help`.

use std::io::IsTerminal as _;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let var = |name: &str| std::env::var(name).ok();
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let code = intune_apple_examples::health_cli::run(&args, &var, &mut out, &mut err, color).await;
    std::process::exit(code);
}
