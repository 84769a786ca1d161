//! `intune-apple-sim --seed demo|FILE [--port N] [--faults FILE]`: runs a simulated tenant.
use intune_apple_sim::{Fault, Seed, Simulator};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("intune-apple-sim: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let mut seed = Seed::demo();
    let mut port = 0u16;
    let mut faults: Vec<Fault> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--seed" => {
                let v = value()?;
                seed = match v.as_str() {
                    "demo" => Seed::demo(),
                    "empty" => Seed::empty(),
                    file => {
                        let text = std::fs::read_to_string(file)
                            .map_err(|e| format!("cannot read seed {file}: {e}"))?;
                        Seed::from_json(&text).map_err(|e| e.to_string())?
                    }
                };
            }
            "--port" => {
                port = value()?.parse().map_err(|e| format!("invalid --port: {e}"))?;
            }
            "--faults" => {
                let file = value()?;
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read faults {file}: {e}"))?;
                faults = serde_json::from_str(&text)
                    .map_err(|e| format!("invalid faults file {file}: {e}"))?;
            }
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: intune-apple-sim --seed demo|FILE [--port N] [--faults FILE]"
                ))
            }
        }
    }
    let handle = Simulator::start_on(seed, port)
        .await
        .map_err(|e| e.to_string())?;
    for f in faults {
        handle.add_fault(f);
    }
    #[allow(clippy::print_stdout)]
    {
        println!("listening on {}", handle.base_url());
    }
    tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
    handle.shutdown();
    Ok(())
}
