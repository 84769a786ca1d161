"""``python -m intune_apple health``: the health report from the command line, the same Rust
command as the Cargo binary ``intune-apple`` (options, output and exit codes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from intune_apple.testing import Simulator

NOTICE = "No credentials set"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("AZURE_", "INTUNE_APPLE_")) and k != "NO_COLOR"}
    clean.update(env or {})
    return subprocess.run([sys.executable, "-m", "intune_apple", *args], env=clean,
                          capture_output=True, text=True, timeout=120)


def test_without_credentials_it_reports_on_the_demo_tenant_and_says_so() -> None:
    table = run("health")
    assert table.returncode == 2    # the demo tenant has an expired VPP token
    assert table.stdout.splitlines()[0].startswith(NOTICE) and "Warehouse" in table.stdout
    markdown = run("health", "--format", "md", "--locale", "fr")
    assert markdown.stdout.startswith("> " + NOTICE) and "\n# " in markdown.stdout
    as_json = run("health", "--format", "json", "--no-apps")
    assert as_json.stderr.startswith(NOTICE)
    report = json.loads(as_json.stdout)     # stdout holds only the report
    assert len(report["items"]) == 7 and report["errors"] == []
    ics = run("health", "--format", "ics", "--as-of", "2027-06-01T00:00:00Z")
    assert ics.stdout.startswith("BEGIN:VCALENDAR") and ics.stderr.startswith(NOTICE)


def test_with_credentials_it_reports_on_that_tenant(demo: Simulator) -> None:
    env = {"AZURE_TENANT_ID": demo.tenant_id, "AZURE_CLIENT_ID": demo.client_id,
           "AZURE_CLIENT_SECRET": demo.client_secret, "AZURE_AUTHORITY_HOST": demo.authority_host,
           "INTUNE_APPLE_GRAPH_URL": demo.base_url}
    done = run("health", "--format", "json", "--warning-days", "60", "--critical-days", "0", env=env)
    assert done.returncode == 2 and NOTICE not in done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == [] and len(report["items"]) == 7
    refused = run("health", "--format", "json", env={**env, "AZURE_CLIENT_SECRET": "not-the-secret"})
    assert refused.returncode == 2 and "not-the-secret" not in refused.stdout + refused.stderr
    assert {e["code"] for e in json.loads(refused.stdout)["errors"]} == {"unauthorized"}
    unusable = run("health", env={"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c",
                                  "AZURE_CLIENT_CERTIFICATE_PATH": "/nonexistent/app.pfx"})
    assert unusable.returncode == 2 and "cannot set up the Graph client" in unusable.stderr
    assert "/nonexistent/app.pfx" in unusable.stderr


def test_bad_arguments_exit_64_and_help_exits_0() -> None:
    for args in (["health", "--format", "xml"], ["health", "--warning-days", "x"],
                 ["health", "--critical-days", "40"], ["health", "--as-of", "2027-01-01"],
                 ["health", "--bogus"], []):
        done = run(*args)
        assert done.returncode == 64, (args, done.stderr)
        assert "Usage: intune-apple" in done.stderr and done.stdout == ""
    helped = run("health", "--help")
    assert helped.returncode == 0 and "--no-apps" in helped.stdout and "Exit codes" in helped.stdout
