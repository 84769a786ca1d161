//! The simulator launcher: a separate process serving the benchmark's tenants.
//!
//! It prints one JSON line once it is ready, then serves until its standard input closes
//! (the harness holds it open) or it receives Ctrl-C.

use intune_apple_sim::{
    AppSeed, Latency, Seed, SimHandle, Simulator, ThrottleLimits, VppTokenSeed, CLIENT_ID,
    CLIENT_SECRET,
};
use tokio::io::AsyncReadExt as _;

use crate::Options;

/// Page size of every collection, as in the issue: 1,000 items per page.
const PAGE_SIZE: usize = 1000;

/// Asks the simulator's token endpoint for an access token (the logical clock stands still,
/// so it never expires while the benchmark runs).
pub(crate) async fn access_token(
    http: &reqwest::Client,
    sim: &SimHandle,
) -> Result<String, String> {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let answer: serde_json::Value = http
        .post(sim.token_url())
        .form(&form)
        .send()
        .await
        .map_err(|e| format!("token endpoint: {e}"))?
        .json()
        .await
        .map_err(|e| format!("token endpoint answer: {e}"))?;
    answer["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no access_token in {answer}"))
}

/// The old (expired) and current VPP token of one location, for the duplicate-app repair.
pub(crate) const OLD_TOKEN: &str = "a0000000-0000-4000-8000-00000000000d";
const NEW_TOKEN: &str = "a0000000-0000-4000-8000-00000000000e";

/// A tenant with `n` VPP apps present twice: on an expired token, assigned to a group, and on
/// the token uploaded again for the same location, not assigned. The repair copies each app's
/// assignment: one write per app.
pub(crate) fn duplicates(n: usize) -> Seed {
    let mut seed = Seed::empty();
    let group = "0b8f4c1a-6a3e-4d2b-9c1f-2e3d4c5b6a70".to_owned();
    let token = |id: &str, days: f64, state: &str| VppTokenSeed {
        id: id.into(),
        location_name: "Warehouse".into(),
        display_name: "Warehouse".into(),
        expires_in_days: days,
        state: state.into(),
        ..VppTokenSeed::default()
    };
    seed.vpp_tokens = vec![
        token(OLD_TOKEN, -10.0, "expired"),
        token(NEW_TOKEN, 355.0, "duplicateLocationId"),
    ];
    let app = |i: usize, token: &str, old: bool| AppSeed {
        id: format!(
            "b{}-0000-4000-8000-{i:012}",
            if old { "0000000" } else { "1111111" }
        ),
        platform: "ios".into(),
        display_name: format!("App {i}"),
        bundle_id: format!("com.example.app{i}"),
        vpp_token_id: token.into(),
        assigned_groups: if old { vec![group.clone()] } else { Vec::new() },
        used_license_count: 1,
        total_license_count: 10,
    };
    for i in 0..n {
        seed.apps.push(app(i, OLD_TOKEN, true));
        seed.apps.push(app(i, NEW_TOKEN, false));
    }
    seed.groups = vec![group];
    seed
}

/// The latency and throttle options every seed takes: `--latency-ms`, `--jitter-ms`, and
/// `--throttle-window-ms W` (both of Intune's throttles on, with Intune's counts over a window
/// of W ms of real time).
fn shape(seed: &mut Seed, opts: &Options) -> Result<(), String> {
    let latency = opts.number("latency-ms", 0)?;
    let jitter = opts.number("jitter-ms", 0)?;
    seed.latency = Latency::fixed(latency as u64).with_jitter(jitter as u64, 1);
    let window = opts.number("throttle-window-ms", 0)?;
    if window > 0 {
        seed.throttle = true;
        seed.app_throttle = true;
        seed.throttle_limits = ThrottleLimits {
            window_ms: window as u64,
            real_time: true,
            ..ThrottleLimits::intune()
        };
    }
    Ok(())
}

/// Runs the launcher (`--devices N`, `--tenants T --out FILE`, `--demo 1` or
/// `--duplicates N`; each with the options of [`shape`]).
pub(crate) async fn run(opts: &Options) -> Result<(), String> {
    let http = reqwest::Client::new();
    let tenants = opts.number("tenants", 0)?;
    let demo = opts.number("demo", 0)? > 0;
    let dups = opts.number("duplicates", 0)?;
    let mut handles = Vec::new();
    let ready = if tenants > 0 {
        let out = opts.get("out")?;
        let mut list = Vec::with_capacity(tenants);
        for i in 0..tenants {
            let mut seed = Seed::demo();
            seed.tenant_id = format!("{i:08x}-0000-4000-8000-00000000be7c");
            seed.page_size = PAGE_SIZE;
            shape(&mut seed, opts)?;
            let sim = Simulator::start(seed).await.map_err(|e| e.to_string())?;
            list.push(serde_json::json!({
                "base_url": sim.base_url(),
                "tenant_id": sim.tenant_id(),
            }));
            handles.push(sim);
        }
        let text = serde_json::to_string(&list).map_err(|e| e.to_string())?;
        std::fs::write(out, text).map_err(|e| format!("cannot write {out}: {e}"))?;
        serde_json::json!({ "tenants": tenants, "file": out, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET })
    } else if demo || dups > 0 {
        let devices = opts.number("devices", 0)?;
        let mut seed = match (dups, devices) {
            (0, 0) => Seed::demo(),
            (0, n) => Seed::demo().with_device_count(n),
            (n, _) => duplicates(n),
        };
        if dups > 0 {
            seed.page_size = PAGE_SIZE;
        }
        shape(&mut seed, opts)?;
        let sim = Simulator::start(seed).await.map_err(|e| e.to_string())?;
        let ready = serde_json::json!({
            "base_url": sim.base_url(),
            "tenant_id": sim.tenant_id(),
            "devices": devices,
        });
        handles.push(sim);
        ready
    } else {
        let devices = opts.number("devices", 10_000)?;
        let mut seed = Seed::with_devices(0, devices);
        seed.page_size = PAGE_SIZE;
        shape(&mut seed, opts)?;
        let token_id = seed
            .dep_tokens
            .first()
            .map(|t| t.id.clone())
            .ok_or("the seed has no enrollment program token")?;
        let sim = Simulator::start(seed).await.map_err(|e| e.to_string())?;
        let token = access_token(&http, &sim).await?;
        let ready = serde_json::json!({
            "base_url": sim.base_url(),
            "token_url": sim.token_url(),
            "tenant_id": sim.tenant_id(),
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "token_id": token_id,
            "access_token": token,
            "devices": devices,
        });
        handles.push(sim);
        ready
    };
    #[allow(clippy::print_stdout)] // the ready line is this program's output
    {
        println!("{ready}");
    }
    let mut stdin = tokio::io::stdin();
    let mut sink = Vec::new();
    tokio::select! {
        _ = stdin.read_to_end(&mut sink) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    for sim in &handles {
        sim.shutdown();
    }
    Ok(())
}
