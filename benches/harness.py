"""The benchmark harness behind ./benches/run (see docs/performance.md).

Starts the simulator in its own process, runs each measured program in its own process (so
peak RSS belongs to that program alone), and prints one table. Peer packages are installed
into benches/.env/, never into the project's dependencies.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
BENCHES = ROOT / "benches"
ENV = BENCHES / ".env"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BENCH_BIN = TARGET / "release" / "intune-apple-bench"
PY_ENV = ENV / "py"  # interpreter of the Python floor and the Python binding
PY_PEERS = ENV / "py-peers"  # msgraph-beta-sdk
NODE_PEERS = ENV / "node-peers"  # @microsoft/microsoft-graph-client

MSGRAPH_SPEC = "msgraph-beta-sdk==1.66.*"
NODE_PEER_SPEC = "@microsoft/microsoft-graph-client@3.0.7"
MSGRAPH_DEVICES = 3000  # the SDK needs ~14 ms per device: measured at 3,000 as in the issue
GROUPS = ("rust", "python", "node", "peers", "tenants", "latency", "pacing")


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run_quiet(cmd: list[str], cwd: Path = ROOT, env: Optional[dict[str, str]] = None) -> bool:
    """Runs a setup command; on failure shows the end of its output and returns False."""
    log("$ " + " ".join(cmd))
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
        log(f"failed ({proc.returncode}):\n  " + "\n  ".join(tail))
        return False
    return True


# ---------------------------------------------------------------- environments


def build_rust() -> None:
    if not run_quiet(["cargo", "build", "--release", "--quiet", "-p", "intune-apple-benches"]):
        sys.exit("cannot build the Rust benchmarks")


def venv(path: Path) -> Path:
    python = path / "bin" / "python"
    if not python.exists():
        run_quiet([sys.executable, "-m", "venv", str(path)])
    return python


def setup_python_binding() -> tuple[Path, Optional[str]]:
    """Builds bindings-python in release into its own venv; returns (python, skip reason)."""
    python = venv(PY_ENV)
    if not run_quiet([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "maturin>=1.9,<2"]):
        return python, "cannot install maturin"
    env = dict(os.environ, VIRTUAL_ENV=str(PY_ENV), CARGO_TARGET_DIR=str(TARGET))
    ok = run_quiet(
        [str(PY_ENV / "bin" / "maturin"), "develop", "--release", "--quiet", "-m", "bindings-python/Cargo.toml"],
        env=env,
    )
    return python, None if ok else "binding not built (maturin develop --release failed)"


def setup_python_peers() -> tuple[Path, Optional[str]]:
    python = venv(PY_PEERS)
    probe = subprocess.run([str(python), "-c", "import msgraph_beta"], capture_output=True)
    if probe.returncode != 0:
        if not run_quiet([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", MSGRAPH_SPEC]):
            return python, f"cannot install {MSGRAPH_SPEC}"
    return python, None


def setup_node_binding() -> Optional[str]:
    node_dir = ROOT / "bindings-node"
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
    if not (node_dir / "node_modules").exists() and not run_quiet(["npm", "ci", "--silent"], cwd=node_dir):
        # A lock file out of step with package.json: install without touching either.
        if not run_quiet(["npm", "install", "--silent", "--no-save", "--no-package-lock"], cwd=node_dir):
            return "binding not built (npm ci and npm install failed)"
    if not run_quiet(["npm", "run", "--silent", "build", "--", "--release"], cwd=node_dir, env=env):
        return "binding not built (npm run build -- --release failed)"
    return None


def setup_node_peers() -> Optional[str]:
    if (NODE_PEERS / "node_modules" / "@microsoft" / "microsoft-graph-client").exists():
        return None
    ok = run_quiet(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(NODE_PEERS), NODE_PEER_SPEC])
    return None if ok else f"cannot install {NODE_PEER_SPEC}"


# ---------------------------------------------------------------- the simulator


class Sim:
    """The simulator launcher process; serves until its standard input closes."""

    def __init__(self, args: list[str]) -> None:
        self.proc = subprocess.Popen(
            [str(BENCH_BIN), "sim", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.close()
            sys.exit("the simulator did not start")
        self.info = json.loads(line)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self) -> "Sim":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------- measurements


@dataclass
class Row:
    name: str
    items: int = 0
    seconds: float = 0.0
    rss: float = 0.0
    cpu: float = 0.0
    skip: Optional[str] = None
    floor: Optional[str] = None  # name of the row this one is compared with
    ratio: Optional[float] = None
    target: str = ""
    verdict: str = ""
    extra: dict = field(default_factory=dict)
    median_seconds: Optional[float] = None
    median_ratio: Optional[float] = None

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0


def run_once(name: str, cmd: list[str], expect: Optional[int], timeout: float) -> Row:
    """Runs `cmd` once, in its own process, and reads its result line."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return Row(name, skip=f"timed out after {timeout:.0f} s")
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return Row(name, skip="failed: " + " | ".join(tail)[:300])
    data = json.loads(lines[-1])
    if "skip" in data:
        return Row(name, skip=data["skip"])
    row = Row(
        name,
        int(data["items"]),
        float(data["seconds"]),
        float(data["rss_mib"]),
        float(data.get("cpu_seconds", 0.0)),
        extra=data,
    )
    if expect is not None and row.items != expect:
        return Row(name, skip=f"got {row.items} items, expected {expect}")
    more = {k: v for k, v in data.items() if k not in ("items", "seconds", "cpu_seconds", "rss_mib")}
    log(f"{name}: {row.items} items in {row.seconds:.3f} s (CPU {row.cpu:.2f} s), {row.rss:.1f} MiB {more}")
    return row


def measure_all(
    specs: list[tuple[str, list[str]]], repeats: int, expect: Optional[int], timeout: float = 900
) -> list[Row]:
    """Runs each `(name, cmd)` `repeats` times, one process each, in turns (a, b, c, a, b, c,
    ...) so that a change in the machine's load over the run weighs on all of them alike.
    Keeps the fastest run of each, with the median of its runs."""
    runs: dict[str, list[Row]] = {name: [] for name, _ in specs}
    failed: dict[str, Row] = {}
    for _ in range(repeats):
        for name, cmd in specs:
            if name in failed:
                continue
            row = run_once(name, cmd, expect, timeout)
            if row.skip:
                failed[name] = row
            else:
                runs[name].append(row)
    rows = []
    for name, _ in specs:
        if name in failed:
            rows.append(failed[name])
            continue
        done = runs[name]
        best = min(done, key=lambda r: r.seconds)
        best.median_seconds = statistics.median(r.seconds for r in done)
        rows.append(best)
    return rows


def measure(name: str, cmd: list[str], repeats: int, expect: Optional[int], timeout: float = 900) -> Row:
    """Runs `cmd` `repeats` times (one process each) and keeps the fastest run."""
    return measure_all([(name, cmd)], repeats, expect, timeout)[0]


def listing_args(info: dict) -> list[str]:
    return ["--base", info["base_url"], "--token", info["access_token"], "--token-id", info["token_id"]]


def compare(row: Row, floor: Optional[Row], min_ratio: Optional[float], rss_rule: Optional[str] = None) -> None:
    """Fills ratio and verdict: throughput ratio vs `floor`, and an optional memory rule."""
    if row.skip or floor is None or floor.skip:
        return
    row.floor = floor.name
    row.ratio = row.rate / floor.rate if floor.rate else None
    if row.median_seconds and floor.median_seconds:
        row.median_ratio = floor.median_seconds / row.median_seconds
    checks: list[bool] = []
    targets: list[str] = []
    if min_ratio is not None and row.ratio is not None:
        targets.append(f">= {min_ratio:g}x")
        checks.append(row.ratio >= min_ratio)
    if rss_rule == "floor+20":
        targets.append(f"RSS <= {floor.rss + 20:.0f}")
        checks.append(row.rss <= floor.rss + 20)
    elif rss_rule == "half":
        targets.append(f"RSS <= {floor.rss / 2:.0f}")
        checks.append(row.rss <= floor.rss / 2)
    row.target = ", ".join(targets)
    row.verdict = ("pass" if all(checks) else "MISS") if checks else ""


def run_listing(n: int, groups: set[str], repeats: int, env: dict) -> list[Row]:
    rows: list[Row] = []
    big = n >= 1_000_000
    with Sim(["--devices", str(n)]) as sim:
        info = sim.info
        args = listing_args(info)
        tag = f"{n:,}"
        if "rust" in groups:
            floor, untyped, client = measure_all(
                [
                    (f"rust reqwest floor (no parse) @{tag}", [str(BENCH_BIN), "rust-floor", *args]),
                    (f"rust reqwest+serde_json::Value @{tag}", [str(BENCH_BIN), "rust-untyped", *args]),
                    (f"rust core client @{tag}", [str(BENCH_BIN), "rust-client", *args]),
                ],
                repeats,
                n,
            )
            compare(untyped, floor, None)
            compare(client, floor, None if big else 0.8)
            if big:
                memory_target(client)
            rows += [floor, untyped, client]
        if "python" in groups or ("peers" in groups and not big):
            python = str(env.get("py") or sys.executable)
            specs = [(f"python urllib+json.loads @{tag}", [python, str(BENCHES / "python" / "floor.py"), *args])]
            modes = ("sync", "async") if "python" in groups else ()
            if not env.get("py_skip"):
                specs += [
                    (f"python binding {mode} @{tag}", [python, str(BENCHES / "python" / "binding.py"), mode, *args])
                    for mode in modes
                ]
            measured = measure_all(specs, repeats, n)
            py_floor = measured[0]
            rows.append(py_floor)
            for mode in modes:
                name = f"python binding {mode} @{tag}"
                row = next((r for r in measured if r.name == name), None) or Row(name, skip=env.get("py_skip"))
                compare(row, py_floor, None if big else 1.0, None if big else "floor+20")
                if big:
                    memory_target(row)
                rows.append(row)
        if "node" in groups or ("peers" in groups and not big):
            peer_name = f"node graph-client 3.0.7 @{tag}"
            binding_name = f"node binding @{tag}"
            specs = []
            if not env.get("node_peers_skip"):
                specs.append((peer_name, ["node", str(BENCHES / "node" / "graph-client.mjs"), str(NODE_PEERS), *args]))
            if "node" in groups and not env.get("node_skip"):
                specs.append((binding_name, ["node", str(BENCHES / "node" / "binding.mjs"), *args]))
            measured = {r.name: r for r in measure_all(specs, repeats, n)}
            node_peer = measured.get(peer_name) or Row(peer_name, skip=env.get("node_peers_skip"))
            rows.append(node_peer)
            if "node" in groups:
                row = measured.get(binding_name) or Row(binding_name, skip=env.get("node_skip"))
                compare(row, node_peer, None if big else 1.0, None if big else "half")
                if big:
                    memory_target(row)
                rows.append(row)
    return rows


def memory_target(row: Row) -> None:
    if row.skip:
        return
    ok = row.rss < 64
    row.target = (row.target + ", " if row.target else "") + "RSS < 64"
    row.verdict = "pass" if ok and row.verdict != "MISS" else "MISS"


def run_msgraph(repeats: int, env: dict, py_floor_rate: Optional[float]) -> list[Row]:
    name = f"python msgraph-beta-sdk 1.66 @{MSGRAPH_DEVICES:,}"
    if env.get("py_peers_skip"):
        return [Row(name, skip=env["py_peers_skip"])]
    rows = []
    with Sim(["--devices", str(MSGRAPH_DEVICES)]) as sim:
        args = listing_args(sim.info)
        floor = measure(
            f"python urllib+json.loads @{MSGRAPH_DEVICES:,}",
            [str(env.get("py") or sys.executable), str(BENCHES / "python" / "floor.py"), *args],
            repeats,
            MSGRAPH_DEVICES,
        )
        row = measure(
            name, [str(env["py_peers"]), str(BENCHES / "python" / "msgraph_sdk.py"), *args], 1, MSGRAPH_DEVICES
        )
        compare(row, floor, None)
        row.target = "(reference)"
        rows += [floor, row]
    return rows


def run_tenants(tenants: int, concurrency: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "tenants.json"
        with Sim(["--tenants", str(tenants), "--out", str(file)]):
            row = measure(
                f"health scan of {tenants:,} tenants (concurrency {concurrency})",
                [str(BENCH_BIN), "tenants", "--file", str(file), "--concurrency", str(concurrency)],
                1,
                tenants,
            )
    if not row.skip and tenants >= 1000:
        row.target = "<= 10 s"
        row.verdict = "pass" if row.seconds <= 10 else "MISS"
    return [row]


# ---------------------------------------------------------------- latency and pacing


def against_bound(row: Row, bound: Optional[float], most: float, throttled_ok: bool = True) -> None:
    """Fills ratio and verdict: wall time over `bound` (at most `most`)."""
    if row.skip or not bound:
        return
    row.floor = "bound"
    row.ratio = row.seconds / bound
    row.extra["bound_seconds"] = bound
    if row.median_seconds:
        row.median_ratio = row.median_seconds / bound
    row.target = f"<= {most:g}x bound ({bound:.2f} s)" + ("" if throttled_ok else ", no 429")
    ok = row.ratio <= most and (throttled_ok or row.extra.get("throttled", 0) == 0)
    row.verdict = "pass" if ok else "MISS"


def run_latency(latency_ms: int, devices: int, tenants: int, concurrencies: list[int], repeats: int) -> list[Row]:
    """The health report, a scan of many tenants and a long listing, each answer held back by
    `latency_ms`, against the bound set by the chain of dependent requests."""
    rows: list[Row] = []
    lat = ["--latency-ms", str(latency_ms)]
    with Sim(["--demo", "1", *lat]) as sim:
        row = measure(
            f"health report, demo tenant @{latency_ms} ms",
            [str(BENCH_BIN), "health", "--base", sim.info["base_url"], "--tenant-id", sim.info["tenant_id"], *lat],
            repeats,
            None,
        )
        against_bound(row, row.extra.get("bound_seconds"), 1.1)
        rows.append(row)
    with Sim(["--devices", str(devices), *lat]) as sim:
        row = measure(
            f"rust core client, {devices:,} devices @{latency_ms} ms",
            [str(BENCH_BIN), "rust-client", *listing_args(sim.info)],
            repeats,
            devices,
        )
        pages = -(-devices // 1000)
        against_bound(row, pages * latency_ms / 1000, 1.1)
        rows.append(row)
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "tenants.json"
        with Sim(["--tenants", str(tenants), "--out", str(file), *lat]):
            for k in concurrencies:
                row = measure(
                    f"health scan of {tenants:,} tenants, concurrency {k} @{latency_ms} ms",
                    [str(BENCH_BIN), "tenants", "--file", str(file), "--concurrency", str(k), "--include-apps", "1", *lat],
                    1,
                    tenants,
                )
                against_bound(row, row.extra.get("bound_seconds"), 1.2)
                rows.append(row)
    return rows


def run_pacing(latency_ms: int, window_ms: int, apps: int, serials: int) -> list[Row]:
    """Writes under Intune's throttles (counted over `window_ms` of real time), paced by the
    client, against the writes divided by the allowed rate; without pacing for comparison.
    Each run gets a fresh simulator (a repair changes the tenant)."""
    rows: list[Row] = []
    shape = ["--latency-ms", str(latency_ms), "--throttle-window-ms", str(window_ms)]
    for paced in (True, False):
        with Sim(["--duplicates", str(apps), *shape]) as sim:
            row = measure(
                f"repair of {apps} duplicate apps, {'paced' if paced else 'not paced'} @{latency_ms} ms, {window_ms / 1000:g} s windows",
                [str(BENCH_BIN), "repair", "--base", sim.info["base_url"], "--tenant-id", sim.info["tenant_id"],
                 "--window-ms", str(window_ms), "--pacing", "1" if paced else "0"],
                1,
                apps,
            )
            against_bound(row, row.extra.get("bound_seconds"), 1.1, throttled_ok=not paced)
            rows.append(row)
    with Sim(["--demo", "1", "--devices", str(serials), *shape]) as sim:
        row = measure(
            f"assignment of {serials:,} serials, paced @{latency_ms} ms, {window_ms / 1000:g} s windows",
            [str(BENCH_BIN), "assign", "--base", sim.info["base_url"], "--tenant-id", sim.info["tenant_id"],
             "--serials", str(serials), "--window-ms", str(window_ms)],
            1,
            serials,
        )
        against_bound(row, row.extra.get("bound_seconds"), 1.1, throttled_ok=False)
        rows.append(row)
    return rows


# ---------------------------------------------------------------- output


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")
        )
        mem = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        mem = "?"
    return f"{os.cpu_count()} CPUs ({cpu}), {mem} RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def table(rows: list[Row]) -> str:
    head = [
        "implementation",
        "items",
        "seconds",
        "items/s",
        "ratio vs floor",
        "median s",
        "median ratio",
        "peak RSS MiB",
        "CPU s",
        "target",
        "result",
    ]
    body = []
    for r in rows:
        if r.skip:
            body.append([r.name, "-", "-", "-", "-", "-", "-", "-", "-", r.target, f"skipped: {r.skip}"])
            continue
        ratio = f"{r.ratio:.2f}x {r.floor.split(' @')[0]}" if r.ratio is not None and r.floor else ""
        if r.extra.get("throttled") is not None:
            ratio += f" ({r.extra['throttled']} x 429)"
        median = f"{r.median_seconds:.3f}" if r.median_seconds is not None else ""
        median_ratio = f"{r.median_ratio:.2f}x" if r.median_ratio is not None else ""
        body.append(
            [
                r.name,
                f"{r.items:,}",
                f"{r.seconds:.3f}",
                f"{r.rate:,.0f}",
                ratio,
                median,
                median_ratio,
                f"{r.rss:.1f}",
                f"{r.cpu:.2f}",
                r.target,
                r.verdict,
            ]
        )
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    fmt = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    out = [fmt(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [fmt(b) for b in body]
    return "\n".join(out)


def main() -> None:
    p = argparse.ArgumentParser(prog="benches/run", description=__doc__)
    p.add_argument("--devices", default="10000,100000", help="comma-separated device counts (e.g. 10000,100000,1000000)")
    p.add_argument("--only", default=",".join(GROUPS), help=f"comma-separated groups: {','.join(GROUPS)}")
    p.add_argument("--repeats", type=int, default=5, help="runs of each measurement, taken in turns (default 5)")
    p.add_argument("--quick", action="store_true", help="one run per measurement, 100 tenants")
    p.add_argument("--tenants", type=int, default=None, help="tenants in the health scan (default 1000)")
    p.add_argument("--concurrency", type=int, default=50, help="tenants scanned at once")
    p.add_argument("--skip-build", action="store_true", help="use the binaries and bindings already built")
    p.add_argument("--latency-ms", type=int, default=150, help="latency of every answer in the latency group (default 150)")
    p.add_argument("--latency-devices", type=int, default=100_000, help="devices listed in the latency group")
    p.add_argument("--scan-concurrency", default="50,100,250", help="concurrencies of the latency group's scan")
    p.add_argument("--pacing-latency-ms", type=int, default=15, help="latency in the pacing group (default 15: 150 ms scaled as the window)")
    p.add_argument("--window-ms", type=int, default=2000, help="throttle window in the pacing group (default 2000: Intune's 20 s scaled down)")
    p.add_argument("--apps", type=int, default=500, help="duplicate apps repaired in the pacing group")
    p.add_argument("--serials", type=int, default=20_000, help="serial numbers assigned in the pacing group")
    a = p.parse_args()
    groups = {g.strip() for g in a.only.split(",") if g.strip()}
    unknown = groups - set(GROUPS)
    if unknown:
        p.error(f"unknown group(s) {', '.join(sorted(unknown))}; choose from {', '.join(GROUPS)}")
    sizes = [int(s.replace("_", "")) for s in a.devices.split(",") if s.strip()]
    repeats = 1 if a.quick else max(1, a.repeats)
    tenants = a.tenants if a.tenants is not None else (100 if a.quick else 1000)

    if not a.skip_build or not BENCH_BIN.exists():
        build_rust()
    env: dict = {}
    if "python" in groups or "peers" in groups:
        env["py"], env["py_skip"] = (venv(PY_ENV), None)
        if "python" in groups and not a.skip_build:
            env["py"], env["py_skip"] = setup_python_binding()
    if "peers" in groups:
        env["py_peers"], env["py_peers_skip"] = setup_python_peers()
    if "node" in groups or "peers" in groups:
        env["node_peers_skip"] = setup_node_peers()
    if "node" in groups:
        env["node_skip"] = None if a.skip_build else setup_node_binding()

    rows: list[Row] = []
    for n in sizes:
        rows += run_listing(n, groups, repeats, env)
    if "peers" in groups:
        rows += run_msgraph(repeats, env, None)
    if "tenants" in groups:
        rows += run_tenants(tenants, a.concurrency)
    if "latency" in groups:
        conc = [int(c) for c in a.scan_concurrency.split(",") if c.strip()]
        rows += run_latency(a.latency_ms, a.latency_devices, tenants, conc, repeats)
    if "pacing" in groups:
        rows += run_pacing(a.pacing_latency_ms, a.window_ms, a.apps, a.serials)
    try:
        load = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        load = ["?"]
    print(f"machine: {machine()}; load average {' '.join(load)} at the end")
    print("simulator: separate process, 1 enrollment program token, 1,000 devices per page, loopback HTTP")
    print(table(rows))
    if any(r.verdict == "MISS" for r in rows):
        print("\nsome targets were missed: see docs/performance.md for what dominates each figure")


if __name__ == "__main__":
    main()
