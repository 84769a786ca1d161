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
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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
AZURE_IDENTITY_SPEC = "azure-identity==1.*"  # the credential an admin hands msgraph-beta-sdk
NODE_PEER_SPEC = "@microsoft/microsoft-graph-client@3.0.7"
NODE_IDENTITY_SPEC = "@azure/identity@4.13.1"  # the same version as bindings-node's dev dependency
MSGRAPH_DEVICES = 3000  # the SDK needs ~14 ms per device: measured at 3,000 as in the issue
GROUPS = ("rust", "python", "node", "peers", "tenants", "latency", "pacing", "startup", "footprint")
# The groups that need neither intune-apple-bench nor its simulator.
PACKAGE_GROUPS = {"startup", "footprint"}
# The groups measured on a listing of n simulated devices.
LISTING_GROUPS = {"rust", "python", "node", "peers"}


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
    probe = subprocess.run([str(python), "-c", "import msgraph_beta, azure.identity"], capture_output=True)
    if probe.returncode != 0:
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if not run_quiet([*pip, MSGRAPH_SPEC, AZURE_IDENTITY_SPEC]):
            return python, f"cannot install {MSGRAPH_SPEC} {AZURE_IDENTITY_SPEC}"
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
    modules = NODE_PEERS / "node_modules"
    if (modules / "@microsoft" / "microsoft-graph-client").exists() and (modules / "@azure" / "identity").exists():
        return None
    specs = [NODE_PEER_SPEC, NODE_IDENTITY_SPEC]
    ok = run_quiet(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(NODE_PEERS), *specs])
    return None if ok else f"cannot install {' '.join(specs)}"


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


# ---------------------------------------------------------------- cold start and footprint
#
# Both groups measure the packages as an admin installs them: the wheel in a fresh venv, the
# npm package and its platform package installed from their tarballs into an empty directory.
# The full run builds them in release (as the release workflow does); `--smoke` installs the
# packages of `--packages DIR` (scripts/test-packages keeps its own there) or builds them
# without optimisations, and measures only our own implementations, once.

PY_EMPTY = "py-empty"  # an empty venv: what `python -m venv` alone installs
PY_OURS = "py-wheel"  # a fresh venv with our wheel and nothing else
NPM_OURS = "npm-ours"  # an empty directory with our npm package installed from its tarballs
PY_FOOT_PEERS = "py-footprint-peers"  # a fresh venv with msgraph-beta-sdk + azure-identity
NPM_FOOT_PEERS = "npm-footprint-peers"  # an empty directory with the Node SDK + @azure/identity
MIB = 1024 * 1024


def clean_env() -> dict[str, str]:
    """The environment of a measured start: no credential (so every command runs on the
    simulated demo tenant), no PYTHON*/NODE_* settings, nothing else that changes a start."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER")
    return {k: os.environ[k] for k in keep if k in os.environ}


def find_maturin() -> Optional[Path]:
    """maturin from the bench venv, else from scripts/test-python's venv (what CI has); in a
    full run it is installed into the bench venv when neither has it."""
    for candidate in (PY_ENV / "bin" / "maturin", ROOT / "bindings-python" / ".venv" / "bin" / "maturin"):
        if candidate.exists():
            return candidate
    return None


def cli_binary(release: bool) -> tuple[Optional[Path], str]:
    """The Cargo `intune-apple` binary: built in release for a full run; for a smoke run the
    one already built (release, else debug, as `cargo test` leaves it), built in debug if none."""
    release_bin, debug_bin = TARGET / "release" / "intune-apple", TARGET / "debug" / "intune-apple"
    if release:
        ok = run_quiet(["cargo", "build", "--release", "--quiet", "--locked", "-p", "intune-apple-cli"])
        return (release_bin, "release") if ok else (None, "cargo build --release -p intune-apple-cli failed")
    for path, profile in ((release_bin, "release"), (debug_bin, "debug")):
        if path.exists():
            return path, profile
    if run_quiet(["cargo", "build", "--quiet", "--locked", "-p", "intune-apple-cli"]):
        return debug_bin, "debug"
    return None, "cargo build -p intune-apple-cli failed"


@dataclass
class Packages:
    wheel: Optional[Path] = None
    npm: list[Path] = field(default_factory=list)  # the platform package first, then the main one
    skip_py: Optional[str] = None
    skip_npm: Optional[str] = None
    profile: str = "release"


def packages_in(folder: Path) -> Packages:
    """The wheel and the two npm tarballs of one version in `folder` (as scripts/test-packages
    leaves them with INTUNE_APPLE_KEEP_PACKAGES=DIR)."""
    folder = folder.resolve()  # npm installs them from inside another directory
    pk = Packages(profile=f"from {folder}")
    wheels = sorted(folder.glob("intune_apple-*.whl"))
    pk.wheel = wheels[-1] if wheels else None
    if pk.wheel is None:
        pk.skip_py = f"no intune_apple-*.whl in {folder}"
    main_tgz = sorted(p for p in folder.glob("intune-apple-[0-9]*.tgz"))
    platform_tgz = sorted(p for p in folder.glob("intune-apple-*-*.tgz") if p not in main_tgz)
    if main_tgz and platform_tgz:
        pk.npm = [platform_tgz[-1], main_tgz[-1]]
    else:
        pk.skip_npm = f"no intune-apple-VERSION.tgz and platform .tgz in {folder}"
    return pk


def build_packages(dist: Path, release: bool, python: bool, node: bool) -> Packages:
    """Builds the wheel (maturin, abi3) and packs the npm package with this platform's addon as
    its own package (the steps of scripts/test-packages and the release workflow)."""
    pk = Packages(profile="release" if release else "debug")
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True)
    if python:
        maturin = find_maturin()
        if maturin is None and release:
            py = venv(PY_ENV)
            run_quiet([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "maturin>=1.9,<2"])
            maturin = find_maturin()
        env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
        cmd = [str(maturin), "build", "--quiet", "--locked", "-m", "bindings-python/Cargo.toml", "--out", str(dist)]
        if maturin is None:
            pk.skip_py = "no maturin (run scripts/test-python, or a full run, first)"
        elif not run_quiet(cmd + (["--release"] if release else []), env=env):
            pk.skip_py = "maturin build failed"
        else:
            pk.wheel = sorted(dist.glob("intune_apple-*.whl"))[-1]
    if node:
        pk.skip_npm = pack_npm(dist, release)
        if pk.skip_npm is None:
            version = json.loads((ROOT / "bindings-node" / "package.json").read_text())["version"]
            main = dist / f"intune-apple-{version}.tgz"
            pk.npm = [p for p in dist.glob(f"intune-apple-*-{version}.tgz") if p != main] + [main]
    return pk


def pack_npm(dist: Path, release: bool) -> Optional[str]:
    node_dir = ROOT / "bindings-node"
    # The addon's own target directory, as scripts/test-node keeps it.
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET / "node"))
    if not (node_dir / "node_modules").exists() and not run_quiet(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=node_dir):
        return "npm ci failed in bindings-node"
    if release:
        # The release workflow's build: the release-node profile (fat LTO).
        if not run_quiet(["npm", "run", "--silent", "build:release"], cwd=node_dir, env=env):
            return "npm run build:release failed"
    elif not list(node_dir.glob("intune-apple.*.node")):
        if not run_quiet(["npm", "run", "--silent", "build"], cwd=node_dir, env=env):
            return "npm run build failed"
    addons = sorted(node_dir.glob("intune-apple.*.node"))
    if not addons:
        return "no addon in bindings-node"
    platform = addons[0].name[len("intune-apple.") : -len(".node")]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(node_dir / "npm", work / "npm")
        shutil.copy(addons[0], work / "npm" / platform)
        if not run_quiet(["npm", "pack", "--silent", "--pack-destination", str(dist)], cwd=work / "npm" / platform):
            return "npm pack of the platform package failed"
        if not run_quiet(["npm", "pack", "--silent", "--pack-destination", str(work)], cwd=node_dir):
            return "npm pack failed"
        # As `napi pre-publish` does: the platform packages as optional dependencies.
        (work / "main").mkdir()
        tarball = next(work.glob("intune-apple-*.tgz"))
        if not run_quiet(["tar", "-xzf", str(tarball), "-C", str(work / "main")]):
            return "cannot unpack the npm package"
        package = work / "main" / "package"
        if not run_quiet(["node", str(node_dir / "smoke" / "optional-deps.cjs"), str(package / "package.json"), str(work / "npm")]):
            return "optional-deps.cjs failed"
        if not run_quiet(["npm", "pack", "--silent", "--pack-destination", str(dist)], cwd=package):
            return "npm pack of the main package failed"
    return None


def fresh_venv(path: Path, packages: list[str], offline: bool) -> Optional[str]:
    """A new venv at `path` (removed first) with `packages` pip-installed; None when done."""
    shutil.rmtree(path, ignore_errors=True)
    if not run_quiet([sys.executable, "-m", "venv", str(path)]):
        return "python -m venv failed"
    if packages:
        pip = [str(path / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if not run_quiet(pip + (["--no-index"] if offline else []) + packages):
            return f"pip install {' '.join(packages)} failed"
    return None


def fresh_npm_dir(path: Path, packages: list[str], offline: bool) -> Optional[str]:
    """An empty npm project at `path` (removed first) with `packages` installed; None when done."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    (path / "package.json").write_text('{ "name": "footprint", "version": "0.0.0", "private": true }\n')
    cmd = ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *(["--offline"] if offline else []), *packages]
    return None if run_quiet(cmd, cwd=path) else f"npm install {' '.join(packages)} failed"


@dataclass
class Start:
    """One cold-start measurement: a command run from process start to exit."""

    name: str
    cmd: list[str]
    shown: str  # the command as the docs show it
    kind: str  # "ours", "peer" or "baseline"
    cwd: Path = ROOT
    codes: tuple[int, ...] = (0,)
    baseline: Optional[str] = None  # name of the bare interpreter's row, subtracted for "net"
    peer: Optional[str] = None  # name of the row this one is held to
    net_vs_peer: bool = True  # the ratio of net times (interpreters) or of wall times (binary)
    skip: Optional[str] = None
    seconds: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def start_once(s: Start, env: dict[str, str]) -> None:
    """Runs `s.cmd` once with its output thrown away: wall time from just before the spawn to
    the reaping of the process, and its rusage (peak RSS, CPU)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(s.cmd, cwd=s.cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in s.codes:
        s.skip = f"exit code {proc.returncode} in a timed run"
        return
    s.seconds.append(elapsed)
    s.rss.append(usage.ru_maxrss / 1024)
    s.cpu.append(usage.ru_utime + usage.ru_stime)


def check_start(s: Start, env: dict[str, str]) -> None:
    """One untimed run first (it also warms the page cache and writes any bytecode cache):
    a command that fails is reported with the end of its output, not timed."""
    if s.skip:
        return
    try:
        proc = subprocess.run(s.cmd, cwd=s.cwd, env=env, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        s.skip = f"cannot run: {e}"
        return
    if proc.returncode not in s.codes:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-2:]
        s.skip = f"exit code {proc.returncode}: " + " | ".join(tail)[:200]


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def run_startup(runs: int, smoke: bool, cli: tuple[Optional[Path], str], py_ours: Optional[Path],
                npm_ours: Optional[Path], skips: dict[str, Optional[str]]) -> tuple[list[Start], str]:
    """`intune-apple health` on the demo tenant (the simulator inside the process, as the
    command starts it when no credentials are set) through each package, and the import
    alone, beside the peers' imports and the bare interpreters; `runs` runs of each, in turns."""
    health_codes = (0, 1, 2)  # the command's codes: ok, warning, expired (the demo has all)
    py = str(py_ours / "bin" / "python") if py_ours else "python3"
    peers_py = str(PY_PEERS / "bin" / "python")
    ours_node = npm_ours or ROOT
    specs = [
        Start("python -c pass", [py, "-c", "pass"], "python -c pass", "baseline"),
        Start("health, Cargo binary", [str(cli[0]), "health"], f"target/{cli[1]}/intune-apple health", "ours",
              codes=health_codes, peer="import msgraph_beta", net_vs_peer=False, skip=None if cli[0] else cli[1]),
        Start("import msgraph_beta", [peers_py, "-c", "import msgraph_beta"], "python -c 'import msgraph_beta'", "peer",
              baseline="python -c pass"),
        Start("health, Python console script", [str((py_ours or ROOT) / "bin" / "intune-apple"), "health"],
              "intune-apple health (the wheel's console script)", "ours", codes=health_codes,
              baseline="python -c pass", peer="import msgraph_beta", skip=skips.get("py")),
        Start("import msgraph_beta, azure.identity", [peers_py, "-c", "import msgraph_beta, azure.identity"],
              "python -c 'import msgraph_beta, azure.identity'", "peer", baseline="python -c pass"),
        Start("import intune_apple", [py, "-c", "import intune_apple"], "python -c 'import intune_apple'", "ours",
              baseline="python -c pass", peer="import msgraph_beta", skip=skips.get("py")),
        # The import alone loads the package's names on first use: this is the first use.
        Start("from intune_apple import Client", [py, "-c", "from intune_apple import Client"],
              "python -c 'from intune_apple import Client'", "ours", baseline="python -c pass",
              peer="import msgraph_beta", skip=skips.get("py")),
        Start("node -e ''", ["node", "-e", ""], "node -e ''", "baseline"),
        Start("health, npm bin", [str(ours_node / "node_modules" / ".bin" / "intune-apple"), "health"],
              "npx intune-apple health (node_modules/.bin)", "ours", cwd=ours_node, codes=health_codes,
              baseline="node -e ''", peer="require graph-client", skip=skips.get("npm")),
        Start("require graph-client", ["node", "-e", "require('@microsoft/microsoft-graph-client')"],
              "node -e \"require('@microsoft/microsoft-graph-client')\"", "peer", cwd=NODE_PEERS, baseline="node -e ''"),
        Start("require('intune-apple')", ["node", "-e", "require('intune-apple')"],
              "node -e \"require('intune-apple')\"", "ours", cwd=ours_node, baseline="node -e ''",
              peer="require graph-client", skip=skips.get("npm")),
        Start("require graph-client, @azure/identity",
              ["node", "-e", "require('@microsoft/microsoft-graph-client'); require('@azure/identity')"],
              "node -e \"require('@microsoft/microsoft-graph-client'); require('@azure/identity')\"", "peer",
              cwd=NODE_PEERS, baseline="node -e ''"),
    ]
    for s in specs:
        if s.kind == "peer":
            if smoke:
                s.skip = "not in --smoke"
            elif s.name.startswith("import") and skips.get("py_peers"):
                s.skip = skips["py_peers"]
            elif s.name.startswith("require") and skips.get("node_peers"):
                s.skip = skips["node_peers"]
    env = clean_env()
    for s in specs:
        check_start(s, env)
    before = loadavg()
    for _ in range(runs):
        for s in specs:
            if not s.skip:
                start_once(s, env)
    for s in specs:
        if not s.skip:
            log(f"{s.name}: median {s.median * 1000:.1f} ms of {len(s.seconds)} "
                f"(min {min(s.seconds) * 1000:.1f}, max {max(s.seconds) * 1000:.1f}), RSS {max(s.rss):.1f} MiB")
    return specs, f"load average {before} at the start, {loadavg()} at the end"


def startup_table(specs: list[Start]) -> str:
    by = {s.name: s for s in specs}

    def ms(x: float) -> str:
        return f"{x * 1000:.1f}"

    head = ["measurement", "median ms", "min-max ms", "net ms", "peak RSS MiB", "CPU ms", "held to",
            "ratio", "target", "result"]
    body = []
    for s in specs:
        if s.skip:
            body.append([s.name, "-", "-", "-", "-", "-", s.peer or "", "-", "", f"skipped: {s.skip}"])
            continue
        base = by.get(s.baseline) if s.baseline else None
        net = s.median - base.median if base and not base.skip else None
        ratio, target, verdict = "", "", ""
        peer = by.get(s.peer) if s.peer else None
        if s.kind == "ours" and peer is not None and not peer.skip:
            if s.net_vs_peer:
                pbase = by.get(peer.baseline) if peer.baseline else None
                if net is not None and pbase and not pbase.skip:
                    r = max(net, 0.0) / max(peer.median - pbase.median, 1e-9)
                    ratio, target = f"{r:.3f}x (net)", "<= 0.1x"
                    verdict = "pass" if r <= 0.1 else "MISS"
            else:
                r = s.median / peer.median
                ratio, target = f"{r:.3f}x (wall)", "<= 0.1x"
                verdict = "pass" if r <= 0.1 else "MISS"
        elif s.kind == "ours":
            target = "<= 0.1x"
        body.append([
            s.name, ms(s.median), f"{ms(min(s.seconds))}-{ms(max(s.seconds))}",
            "" if net is None else ms(net), f"{statistics.median(s.rss):.1f}", f"{statistics.median(s.cpu) * 1000:.0f}",
            s.peer or "", ratio, target, verdict,
        ])
    return md_table(head, body)


def tree_size(path: Path) -> tuple[int, int, int]:
    """(bytes of the files' contents, bytes on disk, files) under `path`, links not followed;
    on disk counts the directories' own blocks too, as `du` does."""
    size = disk = files = 0
    for dirpath, dirnames, filenames in os.walk(path):
        disk += os.lstat(dirpath).st_blocks * 512
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            st = os.lstat(os.path.join(dirpath, name))
            size += st.st_size
            disk += st.st_blocks * 512
            files += 1
    return size, disk, files


@dataclass
class Foot:
    name: str
    command: str
    kind: str
    path: Optional[Path] = None
    minus: Optional[Path] = None  # an empty venv, subtracted
    download: list[Path] = field(default_factory=list)
    peer: Optional[str] = None
    skip: Optional[str] = None
    size: int = 0
    disk: int = 0
    files: int = 0
    versions: str = ""


def measure_foot(f: Foot) -> None:
    if f.skip or f.path is None:
        return
    f.size, f.disk, f.files = tree_size(f.path)
    if f.minus is not None:
        size, disk, files = tree_size(f.minus)
        f.size, f.disk, f.files = f.size - size, f.disk - disk, f.files - files
    log(f"{f.name}: {f.size / MIB:.1f} MiB in {f.files:,} files ({f.disk / MIB:.1f} MiB on disk)")


def py_versions(venv_path: Path, names: list[str]) -> str:
    code = "import sys\nfrom importlib import metadata\nprint(', '.join(n + ' ' + metadata.version(n) for n in sys.argv[1:]))"
    proc = subprocess.run([str(venv_path / "bin" / "python"), "-c", code, *names], capture_output=True, text=True)
    return proc.stdout.strip()


def npm_versions(folder: Path, names: list[str]) -> str:
    out = []
    for n in names:
        try:
            out.append(f"{n} {json.loads((folder / 'node_modules' / n / 'package.json').read_text())['version']}")
        except (OSError, ValueError, KeyError):
            pass
    return ", ".join(out)


def run_footprint(smoke: bool, pk: Packages, root: Path, skips: dict[str, Optional[str]]) -> list[Foot]:
    """Installed sizes: our wheel's venv less an empty venv, our npm package (and its platform
    package) in an empty directory, and the same for the peers (fresh, from the registries)."""
    rows = [
        Foot("intune-apple wheel (fresh venv, less an empty venv)", "python -m venv V && V/bin/pip install intune_apple-*.whl",
             "ours", root / PY_OURS, root / PY_EMPTY, [pk.wheel] if pk.wheel else [], "msgraph-beta-sdk + azure-identity",
             skip=skips.get("py")),
        Foot("msgraph-beta-sdk + azure-identity (fresh venv, less an empty venv)",
             f"python -m venv V && V/bin/pip install '{MSGRAPH_SPEC}' '{AZURE_IDENTITY_SPEC}'", "peer",
             root / PY_FOOT_PEERS, root / PY_EMPTY),
        Foot("intune-apple npm package + its linux-x64 addon package (empty dir)",
             "npm install intune-apple-VERSION.tgz intune-apple-PLATFORM-VERSION.tgz", "ours",
             root / NPM_OURS / "node_modules", None, list(pk.npm), "@microsoft/microsoft-graph-client + @azure/identity",
             skip=skips.get("npm")),
        Foot("@microsoft/microsoft-graph-client + @azure/identity (empty dir)",
             f"npm install {NODE_PEER_SPEC} {NODE_IDENTITY_SPEC}", "peer", root / NPM_FOOT_PEERS / "node_modules"),
    ]
    for f in rows:
        if f.kind == "ours" and not f.skip and f.path is not None and not f.path.exists():
            f.skip = "not installed"
    if smoke:
        for f in rows:
            if f.kind == "peer":
                f.skip = "not in --smoke"
    else:
        rows[1].skip = fresh_venv(root / PY_FOOT_PEERS, [MSGRAPH_SPEC, AZURE_IDENTITY_SPEC], offline=False)
        rows[3].skip = fresh_npm_dir(root / NPM_FOOT_PEERS, [NODE_PEER_SPEC, NODE_IDENTITY_SPEC], offline=False)
        if not rows[1].skip:
            rows[1].versions = py_versions(root / PY_FOOT_PEERS, ["msgraph-beta-sdk", "azure-identity"])
        if not rows[3].skip:
            rows[3].versions = npm_versions(root / NPM_FOOT_PEERS, ["@microsoft/microsoft-graph-client", "@azure/identity"])
    if not rows[0].skip:
        rows[0].versions = py_versions(root / PY_OURS, ["intune-apple"])
    if not rows[2].skip:
        rows[2].versions = npm_versions(root / NPM_OURS, ["intune-apple"])
    for f in rows:
        measure_foot(f)
    return rows


def footprint_table(rows: list[Foot]) -> str:
    by = {f.name.split(" (")[0]: f for f in rows}
    head = ["installed", "versions", "MiB", "MiB on disk", "files", "download MiB", "ratio to peer", "command"]
    body = []
    for f in rows:
        if f.skip:
            body.append([f.name, "", "-", "-", "-", "-", "", f"skipped: {f.skip}"])
            continue
        peer = by.get(f.peer) if f.peer else None
        ratio = f"{f.size / peer.size:.2f}x" if peer and not peer.skip and peer.size else ""
        download = f"{sum(p.stat().st_size for p in f.download) / MIB:.1f}" if f.download else ""
        body.append([f.name, f.versions, f"{f.size / MIB:.1f}", f"{f.disk / MIB:.1f}", f"{f.files:,}", download,
                     ratio, f"`{f.command}`"])
    return md_table(head, body)


def md_table(head: list[str], body: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    fmt = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([fmt(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *(fmt(b) for b in body)])


def setup_ours(groups: set[str], smoke: bool, packages: Optional[Path]) -> tuple[Path, Packages, dict, tuple]:
    """Builds (or finds) and installs our packages for the startup and footprint groups."""
    root = ENV / ("smoke" if smoke else "packages")
    root.mkdir(parents=True, exist_ok=True)
    cli: tuple[Optional[Path], str] = (None, "not needed")
    if "startup" in groups:
        cli = cli_binary(release=not smoke)
    pk = packages_in(packages) if packages else build_packages(root / "dist", release=not smoke, python=True, node=True)
    skips: dict[str, Optional[str]] = {"py": pk.skip_py, "npm": pk.skip_npm}
    if not skips["py"]:
        skips["py"] = fresh_venv(root / PY_OURS, [str(pk.wheel)], offline=True)
    if "footprint" in groups:
        empty = fresh_venv(root / PY_EMPTY, [], offline=True)
        if empty:
            skips["py"] = skips["py"] or empty
    if not skips["npm"]:
        skips["npm"] = fresh_npm_dir(root / NPM_OURS, [str(p) for p in pk.npm], offline=True)
    if not smoke and "startup" in groups:
        skips["py_peers"] = setup_python_peers()[1]
        skips["node_peers"] = setup_node_peers()
    return root, pk, skips, cli


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
    p.add_argument("--startup-runs", type=int, default=11, help="runs of each command in the startup group (default 11)")
    p.add_argument("--smoke", action="store_true",
                   help="startup and footprint once each, our packages only: no peers, no release build, "
                        "no registry (the other groups' smoke is the benches crate's cargo test)")
    p.add_argument("--packages", type=Path, default=None,
                   help="take the wheel and npm tarballs from DIR (scripts/test-packages keeps them there "
                        "with INTUNE_APPLE_KEEP_PACKAGES=DIR) instead of building them")
    a = p.parse_args()
    if a.smoke and a.only == ",".join(GROUPS):
        a.only = "startup,footprint"
    groups = {g.strip() for g in a.only.split(",") if g.strip()}
    unknown = groups - set(GROUPS)
    if unknown:
        p.error(f"unknown group(s) {', '.join(sorted(unknown))}; choose from {', '.join(GROUPS)}")
    if a.smoke and groups - PACKAGE_GROUPS:
        p.error("--smoke runs only the startup and footprint groups (the others' smoke is cargo test -p intune-apple-benches)")
    sizes = [int(s.replace("_", "")) for s in a.devices.split(",") if s.strip()]
    repeats = 1 if a.quick else max(1, a.repeats)
    tenants = a.tenants if a.tenants is not None else (100 if a.quick else 1000)

    if groups - PACKAGE_GROUPS and (not a.skip_build or not BENCH_BIN.exists()):
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
    # The listing groups start a simulator of n devices (the release benches binary): only
    # when one of them was asked for.
    if groups & LISTING_GROUPS:
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
    starts: list[Start] = []
    feet: list[Foot] = []
    start_load = ""
    if groups & PACKAGE_GROUPS:
        root, pk, skips, cli = setup_ours(groups, a.smoke, a.packages)
        if "startup" in groups:
            runs = 1 if a.smoke or a.quick else max(1, a.startup_runs)
            starts, start_load = run_startup(runs, a.smoke, cli, root / PY_OURS, root / NPM_OURS, skips)
        if "footprint" in groups:
            feet = run_footprint(a.smoke, pk, root, skips)
    print(f"machine: {machine()}; load average {loadavg()} at the end")
    if rows:
        print("simulator: separate process, 1 enrollment program token, 1,000 devices per page, loopback HTTP")
        print(table(rows))
    if starts:
        runs = len(next((s.seconds for s in starts if not s.skip), []))
        print(f"\ncold start: median of {runs} runs of each, in turns; {start_load}; packages: {pk.profile}; "
              "net = median less the bare interpreter's median; ratio: ours against the peer's, "
              "net against net (the Cargo binary: wall against wall)")
        print(startup_table(starts))
    if feet:
        print(f"\nfootprint: installed sizes (file contents; on disk: allocated blocks); packages: {pk.profile}")
        print(footprint_table(feet))
    if any(r.verdict == "MISS" for r in rows):
        print("\nsome targets were missed: see docs/performance.md for what dominates each figure")
    if a.smoke:
        broken = [s.name for s in starts if s.kind != "peer" and s.skip] + [f.name for f in feet if f.kind == "ours" and f.skip]
        if broken:
            sys.exit(f"smoke run failed: {', '.join(broken)}")


if __name__ == "__main__":
    main()
