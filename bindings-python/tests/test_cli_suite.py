"""The one CLI suite (``intune-apple-cli/tests/suite/cases.json``) against the Python console
script ``intune-apple``: the same cases, flags, outputs and exit codes as the Cargo binary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from intune_apple.testing import Simulator

ROOT = Path(__file__).resolve().parents[2]
CASES: list[dict[str, Any]] = json.loads(
    (ROOT / "intune-apple-cli/tests/suite/cases.json").read_text(encoding="utf-8"))["cases"]
SCRIPT = Path(sys.executable).with_name("intune-apple")


@pytest.mark.parametrize("case", CASES, ids=[" ".join(c["args"]) or "(none)" for c in CASES])
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    assert SCRIPT.exists(), f"{SCRIPT}: the console script is not installed"
    args = [a.replace("{data}", str(ROOT / "intune-apple-cli/data")).replace("{tmp}", str(tmp_path))
            for a in case["args"]]
    with Simulator("demo") as sim:
        env = {"PATH": os.environ.get("PATH", ""), "AZURE_TENANT_ID": sim.tenant_id,
               "AZURE_CLIENT_ID": sim.client_id, "AZURE_CLIENT_SECRET": sim.client_secret,
               "AZURE_AUTHORITY_HOST": sim.authority_host, "INTUNE_APPLE_GRAPH_URL": sim.base_url}
        done = subprocess.run([str(SCRIPT), *args], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == case["code"], (done.stdout, done.stderr)
        for needle in case.get("stdout", []):
            assert needle in done.stdout, (needle, done.stdout)
        for needle in case.get("stderr", []):
            assert needle in done.stderr, (needle, done.stderr)
        if case.get("requests") == 0:
            assert sim.request_log() == []
        if case.get("writes") == 0:
            assert sim.writes_applied == 0
        if case.get("writes") == "some":
            assert sim.writes_applied > 0
