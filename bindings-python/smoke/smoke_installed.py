"""Smoke test of an installed `intune-apple` wheel, run by the venv's python, away from the
repository (scripts/test-packages, the release workflow): the package, its metadata, the
simulator, a health report in both clients, and the `intune-apple` console script.

Usage: python smoke_installed.py VERSION
Uses only the standard library and the installed package.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

NOTICE = "No credentials set"


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"smoke test failed: {what}")


def clean_env() -> dict[str, str]:
    """This environment without credentials, so the command reports on the demo tenant."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("AZURE_", "INTUNE_APPLE_", "PYTHON")) and k != "NO_COLOR"}


def package(version: str) -> None:
    import intune_apple

    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    where = Path(intune_apple.__file__).resolve().parent
    check(where.parent == site, f"intune_apple imported from {where}, not from {site}")
    for name in ("py.typed", "__init__.py", "_native.pyi", "models.pyi"):
        check((where / name).is_file(), f"{name} not installed")
    natives = list(where.glob("_native*"))
    check(any(p.suffix in (".so", ".pyd") for p in natives), f"no extension module: {natives}")

    meta = metadata.metadata("intune-apple")
    check(meta["Version"] == version, f"version {meta['Version']}, expected {version}")
    check(metadata.version("intune-apple") == version, "importlib.metadata.version")
    check(bool(meta["Summary"]) and "Intune" in meta["Summary"], "summary")
    check(meta.get("License-Expression") == "MIT OR Apache-2.0", "License-Expression")
    check(meta.get("Requires-Python") == ">=3.9", "Requires-Python")
    check("pip install intune-apple" in (meta.get_payload() or ""), "readme as description")
    check(meta.get("Description-Content-Type", "").startswith("text/markdown"), "readme type")
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    check({"Homepage", "Documentation", "Repository", "Issues", "Changelog"} <= set(urls),
          f"project URLs {sorted(urls)}")
    classifiers = meta.get_all("Classifier") or []
    check("Typing :: Typed" in classifiers and "Programming Language :: Rust" in classifiers,
          "classifiers")
    files = [str(f) for f in metadata.files("intune-apple") or []]
    for licence in ("LICENSE-MIT", "LICENSE-APACHE"):
        check(any(f.endswith(licence) for f in files), f"{licence} not in the wheel")
    scripts = [e for e in metadata.entry_points(group="console_scripts") if e.name == "intune-apple"]
    check(len(scripts) == 1 and scripts[0].value == "intune_apple.cli:main", "console script")


def simulator() -> None:
    from intune_apple import rules
    from intune_apple.errors import IntuneAppleError
    from intune_apple.testing import Simulator

    with Simulator("demo") as sim, sim.client() as client:
        report = client.health_report()
        check(len(report.items) == 7 and report.errors == [], f"report {report.to_json()}")
        check(report.exit_code == 2, "the demo tenant's expired VPP token")
        check(report.to_markdown().startswith("# "), "Markdown report")
        check(json.loads(report.to_json())["items"][0]["kind"] != "", "JSON report")
        cert = client.get_push_certificate()
        health = rules.push_certificate_health(cert)
        check(health.days_left is not None, "push certificate health")
        sim.add_fault("GET", "/beta/deviceManagement/applePushNotificationCertificate",
                      "status", status=500)
        try:
            client.get_push_certificate()
        except IntuneAppleError as error:
            check(error.status == 500, f"error status {error.status}")
        else:
            check(False, "an injected 500 did not raise")

    async def in_asyncio() -> int:
        with Simulator("demo") as sim:
            async with sim.async_client() as client:
                return len((await client.health_report()).items)

    check(asyncio.run(in_asyncio()) == 7, "AsyncClient health report")


def console_script() -> None:
    exe = shutil.which("intune-apple", path=str(Path(sys.executable).parent))
    check(exe is not None, "intune-apple not installed beside python")
    assert exe is not None
    run = lambda *a: subprocess.run([exe, *a], env=clean_env(), capture_output=True,  # noqa: E731
                                    text=True, timeout=120)
    done = run("--help")
    check(done.returncode == 0 and "health" in done.stdout, f"--help: {done.stderr}")
    done = run("health", "--format", "json", "--no-apps")
    check(done.returncode == 2 and done.stderr.startswith(NOTICE), f"health: {done.stderr}")
    check(len(json.loads(done.stdout)["items"]) == 7, "health report of the demo tenant")
    done = run("health", "--format", "xml")
    check(done.returncode == 64, "bad arguments exit 64")
    module = subprocess.run([sys.executable, "-m", "intune_apple", "--help"], env=clean_env(),
                            capture_output=True, text=True, timeout=120)
    check(module.returncode == 0 and "health" in module.stdout, "python -m intune_apple --help")


def main() -> None:
    version = sys.argv[1]
    package(version)
    simulator()
    console_script()
    print(f"smoke test of the installed intune-apple {version} passed")


if __name__ == "__main__":
    main()
