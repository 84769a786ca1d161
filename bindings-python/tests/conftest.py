"""Shared fixtures: simulated tenants (demo seed) and the ids of the demo story."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from intune_apple.testing import Simulator

SAMPLES = Path(__file__).resolve().parents[2] / "intune-apple-core" / "tests" / "fixtures" / "apple-samples"

DEP_MAIN = "d1111111-0000-4000-8000-000000000001"
DEP_TERMS = "d2222222-0000-4000-8000-000000000002"
PROFILE_IPHONE = f"{DEP_MAIN}_e1111111-0000-4000-8000-000000000001"
VPP_MAIN = "a1111111-0000-4000-8000-000000000001"
VPP_EXPIRED = "a3333333-0000-4000-8000-000000000003"
APP_OUTLOOK = "b1111111-0000-4000-8000-000000000001"
GROUP_ALL = "0b8f4c1a-6a3e-4d2b-9c1f-2e3d4c5b6a70"
UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def demo() -> Iterator[Simulator]:
    """A demo tenant shared by the read-only tests of a module."""
    with Simulator() as s:
        yield s


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """A fresh demo tenant for a test that writes or injects faults."""
    with Simulator() as s:
        yield s
