"""The remaining Graph actions of these resources, from Python, against the simulator: each
reaches its route with its verb and answers as the core's client does."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from intune_apple.errors import NotFoundError, RenewalRefusedError
from intune_apple.testing import Simulator

from conftest import APP_OUTLOOK, DEP_MAIN, VPP_MAIN

P7M = Path(__file__).resolve().parents[2] / "intune-apple-cli" / "data" / "ContosoABM_Token_2026-11-23T11-30-00Z_smime.p7m"


def posts(sim: Simulator, fragment: str) -> list[int]:
    return [e.status for e in sim.request_log() if e.method == "POST" and fragment in e.path]


def test_expiring_vpp_token_count_matches_the_tokens(demo: Simulator) -> None:
    client = demo.client()
    before = datetime.now(timezone.utc) + timedelta(days=60)
    expected = sum(1 for t in client.vpp_tokens() if t.expiration_date_time and t.expiration_date_time < before)
    assert client.expiring_vpp_token_count(before) == expected
    assert expected >= 2, "the demo's expired Warehouse token and Training Center in 45 days"


def test_licence_actions_reach_their_routes(sim: Simulator) -> None:
    client = sim.client()
    client.sync_vpp_token_license_counts()
    assert posts(sim, "/vppTokens/syncLicenseCounts") == [204]
    client.revoke_vpp_token_licenses_with_untracked(VPP_MAIN, revoke_untracked_licenses=True)
    assert posts(sim, f"/vppTokens/{VPP_MAIN}/revokeLicenses") == [204]
    client.revoke_all_app_licenses(APP_OUTLOOK)
    client.revoke_app_device_license(APP_OUTLOOK, "c0ffee00-0000-4000-8000-000000000001")
    client.revoke_app_user_license(APP_OUTLOOK, "0a1b2c3d-0000-4000-8000-000000000001", notify_managed_devices=True)
    for action in ("revokeAllLicenses", "revokeDeviceLicense", "revokeUserLicense"):
        assert posts(sim, f"/mobileApps/{APP_OUTLOOK}/microsoft.graph.iosVppApp/{action}") == [204], action
    with pytest.raises(NotFoundError):
        client.revoke_all_app_licenses("00000000-0000-4000-8000-000000000000")


def test_release_apple_devices_sends_the_token_file(sim: Simulator) -> None:
    client = sim.client()
    client.release_apple_devices(DEP_MAIN, P7M.read_text(encoding="utf-8"), ["C02XK0AAJG5H"])
    assert len(posts(sim, f"/depOnboardingSettings/{DEP_MAIN}/releaseAppleDevices")) == 1


@pytest.mark.asyncio
async def test_the_async_client_has_them_too(sim: Simulator) -> None:
    client = sim.async_client()
    assert await client.expiring_vpp_token_count(datetime.now(timezone.utc) + timedelta(days=3650)) == 4, "every VPP token of the demo"
    await client.sync_vpp_token_license_counts()


def test_a_first_push_set_up_generates_the_signing_request(tmp_path: Path) -> None:
    with Simulator({"pushCertificate": None}) as empty:
        out = tmp_path / "first.csr"
        done = empty.client().generate_push_csr(out)
        assert out.read_bytes() and done.bytes == len(out.read_bytes())
        assert "Create a Certificate" in done.next_step
    with Simulator() as demo:
        with pytest.raises(RenewalRefusedError) as refused:
            demo.client().generate_push_csr(tmp_path / "renewal.csr")
        assert "already has a push certificate" in str(refused.value)
        assert not (tmp_path / "renewal.csr").exists()
