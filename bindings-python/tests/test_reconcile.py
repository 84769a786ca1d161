"""The Apple Business reconciliation from Python, against the simulated tenant and the simulated
Apple Business organisation behind it (every case a-f of docs/apple-business.md)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from intune_apple.errors import AuthenticationError, ConfigurationError
from intune_apple.testing import AppleBusinessSimulator, Simulator

from conftest import DEP_MAIN, DEP_TERMS


def codes(result: dict[str, Any], token_id: str) -> dict[str, list[str]]:
    token = next(t for t in result["tokens"] if t["tokenId"] == token_id)
    return {f["code"]: f["serials"] for f in token["findings"]}


def test_reconcile_reports_every_case(demo: Simulator) -> None:
    with AppleBusinessSimulator() as apple:
        result = demo.client().reconcile(**apple.reconcile_args())
        main = next(t for t in result["tokens"] if t["tokenId"] == DEP_MAIN)
        assert main["server"]["evidence"] == "serialOverlap"
        assert main["server"]["confidence"] == "high"
        found = codes(result, DEP_MAIN)
        assert found["abm.missing_in_intune"] == ["C02Z00000003", "DMQX00000001", "DMQX00000002"]
        assert found["abm.unassigned"] == ["D10000000240", "D10000000241"]
        assert len(found["abm.assigned_elsewhere"]) == 5
        assert found["abm.migration_without_await"] == ["D10000000003", "D10000000007"]
        assert "abm.default_family_without_profile" in found
        retail = codes(result, DEP_TERMS)
        assert len(retail["abm.no_profile"]) == 12
        assert "abm.sync_clock_mismatch" in retail
        assert apple.tokens_issued == 1
        # the same call from asyncio
        again = asyncio.run(_async(demo, apple))
        assert codes(again, DEP_MAIN) == found


async def _async(demo: Simulator, apple: AppleBusinessSimulator) -> dict[str, Any]:
    return await demo.async_client().reconcile(**apple.reconcile_args())


def test_reconcile_errors_are_typed_and_hold_no_key(demo: Simulator) -> None:
    with AppleBusinessSimulator() as apple:
        args = apple.reconcile_args()
        with pytest.raises(ConfigurationError):
            demo.client().reconcile(**{**args, "apple_private_key": "not a key"})
        other = AppleBusinessSimulator()
        try:
            with pytest.raises(AuthenticationError) as caught:
                demo.client().reconcile(**{**args, "apple_private_key": other.private_key_pem})
        finally:
            other.close()
        text = f"{caught.value} {caught.value!r} {apple!r}"
        for line in apple.private_key_pem.splitlines() + other.private_key_pem.splitlines():
            if not line.startswith("-----"):
                assert line not in text
        assert caught.value.code == "invalid_client"
