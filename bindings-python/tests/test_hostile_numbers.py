"""Hostile numbers and dates: every function either answers or raises an IntuneAppleError
(InvalidInputError for a refused number); none raises PanicException or stops the process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from intune_apple import Client, rules
from intune_apple.errors import IntuneAppleError, InvalidInputError
from intune_apple.files import inspect, inspect_bytes
from intune_apple.models import HealthReport
from intune_apple.testing import Simulator
from intune_apple.workflows import notify, scan_tenants

from conftest import DEP_MAIN, SAMPLES, VPP_MAIN

NUMBERS: list[Any] = [-1, 0, 2**32 - 1, 2**31, 10**8, 10**18, 10**30, -(10**30), 0.5, float("nan"), float("inf")]
DATES = [
    datetime(1, 1, 1, tzinfo=timezone.utc),
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
    datetime(1970, 1, 1, tzinfo=timezone.utc),
]


def survives(fn: Callable[[], object]) -> object:
    """Calls ``fn``: it may answer, or raise an IntuneAppleError or a plain argument error
    (TypeError, ValueError, OverflowError) from the conversion of the number, nothing else."""
    try:
        return fn()
    except (IntuneAppleError, TypeError, ValueError, OverflowError):
        return None


def test_the_reproduction_raises_invalid_input(demo: Simulator) -> None:
    client = demo.client()
    with pytest.raises(InvalidInputError, match="3650"):
        client.health_report(warning_days=10**8).to_ics()
    with pytest.raises(InvalidInputError):
        client.health_report(warning_days=-1)
    with pytest.raises(InvalidInputError, match="at most warning"):
        client.health_report(warning_days=5, critical_days=10)
    assert client.health_report(warning_days=3650, critical_days=0).to_ics().startswith("BEGIN:VCALENDAR")


@pytest.mark.asyncio
async def test_the_reproduction_raises_invalid_input_async(demo: Simulator) -> None:
    client = demo.async_client()
    with pytest.raises(InvalidInputError):
        await client.health_report(warning_days=10**8)


def test_a_zero_or_negative_timeout_is_refused(demo: Simulator) -> None:
    for name in ("timeout", "attempt_timeout", "connect_timeout"):
        for value in (0, 0.0, -1, float("nan"), float("inf")):
            with pytest.raises(InvalidInputError, match=name):
                demo.client(**{name: value})


def test_every_function_survives_hostile_numbers_and_dates(demo: Simulator) -> None:
    client = demo.client()
    cert = client.get_push_certificate()
    dep = client.get_enrollment_program_token(DEP_MAIN)
    vpp = client.get_vpp_token(VPP_MAIN)
    report = client.health_report()
    report_json = report.to_json()
    refused = 0
    for n in NUMBERS:
        for fn in (
            lambda: rules.push_certificate_health(cert, warning_days=n),
            lambda: rules.enrollment_program_token_health(dep, critical_days=n),
            lambda: rules.vpp_token_health(vpp, warning_days=n, critical_days=n),
            lambda: rules.validate_enrollment_profile({"displayName": "x"}, profiles_on_token=n),
            lambda: client.health_report(warning_days=n),
            lambda: client.health_report(critical_days=n),
            lambda: scan_tenants({"a": client}, warning_days=n),
            lambda: scan_tenants({"a": client}, concurrency=n),
            lambda: client.assign_serial_numbers("x", "y", ["C02"], batch_size=n),
            lambda: demo.set_page_size(n),
            lambda: demo.set_dep_sync_duration(n),
            lambda: demo.advance(n),
            lambda: demo.advance(timedelta(days=999_999_999) if n == -1 else n),
            lambda: notify(report, thresholds_days=[n]),
            lambda: notify(report, max_attempts=n),
            lambda: notify(report, timeout_seconds=n),
        ):
            if survives(fn) is None:
                refused += 1
    assert refused > 0
    for d in DATES:
        for check in (
            lambda: rules.push_certificate_health(cert, d),
            lambda: rules.enrollment_program_token_health(dep, d),
            lambda: rules.vpp_token_health(vpp, d),
            lambda: rules.decide_sync(dep, d, last_triggered=d, last_successful=d, last_full_sync=d, full=True),
            lambda: rules.validate_enrollment_profile({"displayName": "x"}, d, vpp_tokens=[vpp]),
            lambda: rules.vpp_token_usable(vpp, d),
            lambda: rules.superseded_tokens([vpp], d),
            lambda: client.health_report(as_of=d).to_ics(),
            lambda: demo.set_now(d),
        ):
            survives(check)
    demo.set_now(datetime.now(timezone.utc))
    far = json.loads(report_json)
    for when in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"):
        for item in far["items"]:
            item["expiresAt"] = when
        r = HealthReport.from_json(json.dumps(far))
        for render in (r.to_ics, r.to_markdown, r.to_json, lambda: r.to_table(True)):
            survives(render)
    survives(lambda: inspect_bytes(b"A" * (2 << 20)))
    survives(lambda: inspect(SAMPLES / "vpptoken" / "apple-doc-example.vpptoken"))
    survives(lambda: rules.renewal_guidance("vpp_token", "\x00" * 10))
    survives(lambda: rules.renewal_guidance("vpp_token", None, "\x00" * 10))


def test_an_abort_would_be_seen() -> None:
    """The reproduction in a child process: it must end normally, not abort."""
    code = (
        "from intune_apple.testing import Simulator\n"
        "from intune_apple.errors import InvalidInputError\n"
        "with Simulator() as s:\n"
        "    c = s.client()\n"
        "    for n in (-1, 2**32 - 1, 10**8):\n"
        "        try:\n"
        "            c.health_report(warning_days=n).to_ics()\n"
        "        except InvalidInputError:\n"
        "            pass\n"
        "print('survived')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "survived"


def test_health_thresholds_reach_the_core_unchanged(demo: Simulator) -> None:
    """The Python face takes whole days as they are: 3650 is the documented maximum."""
    client: Client = demo.client()
    report = client.health_report(warning_days=3650, critical_days=3650)
    assert report.items
