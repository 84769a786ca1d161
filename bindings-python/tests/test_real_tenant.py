"""Answers of real Intune tenants, reproduced by the simulator: no push certificate (a finding,
not a failed read), the query broker's throttling as HTTP 500, and the two kinds of 403."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from intune_apple import PermissionDeniedError
from intune_apple.rules import Severity
from intune_apple.testing import Simulator
from intune_apple.workflows import TokenProfilesCheck

PUSH = "/beta/deviceManagement/applePushNotificationCertificate"
VPP = "/beta/deviceAppManagement/vppTokens"


def test_real_tenant_answers_are_reported_and_told_apart() -> None:
    seed = {"pushCertificate": None,
            "depTokens": [{"id": "d9999999-0000-4000-8000-000000000009", "tokenName": "ABM"}]}
    with Simulator(seed) as sim:
        # 1. No push certificate: a critical finding, not an error.
        report = sim.client().health_report()
        assert report.errors == []
        push = next(i for i in report.items if i.id == "applePushNotificationCertificate")
        assert push.severity is Severity.CRITICAL
        assert push.problems[0].code == "push.missing"
        assert push.problems[0].message.startswith("no push certificate: no Apple device can be managed")

        # 2. The query broker's HTTP 500 is throttling: the read backs off and succeeds.
        # clear_faults restarts the per-route call counts, so nth 1 is the next call.
        sim.clear_faults()
        sim.add_fault("GET", VPP, "query_broker_throttle", nth=1)
        assert list(sim.client().vpp_tokens()) == []
        assert [e.status for e in sim.request_log() if e.path.startswith(VPP)][-2:] == [500, 200]

        # 4. The two kinds of 403, with their own hints and no escaped JSON.
        sim.clear_faults()
        sim.add_fault("GET", VPP, "intune_refused")
        with pytest.raises(PermissionDeniedError) as refused:
            list(sim.client().vpp_tokens())
        assert "Intune refused it" in str(refused.value) and "scope tags" in str(refused.value)
        assert '\\"' not in str(refused.value) and '{"' not in str(refused.value)
        assert refused.value.required_permission is None
        sim.clear_faults()
        sim.add_fault("GET", VPP, "missing_scope")
        with pytest.raises(PermissionDeniedError) as missing:
            list(sim.client().vpp_tokens())
        assert "Grant this permission" in str(missing.value)
        assert "DeviceManagementServiceConfiguration.Read.All" in str(missing.value)
        assert "Intune refused it" not in str(missing.value)


def test_the_demo_reports_licences_and_profiles_on_lapsed_tokens(demo: Simulator) -> None:
    report = demo.client().health_report(include_apps=True)
    codes = {p.code for i in report.items for p in i.problems}
    assert {"vpp.company_portal_licences", "dep.company_portal_token"} <= codes
    retail = next(i for i in report.items if i.name == "Contoso Retail ABM")
    assert retail.severity is Severity.CRITICAL
    assert any("Retail kiosk iPad" in p.message for p in retail.problems)


TOKEN = "d9999999-0000-4000-8000-000000000009"
# A classic profile that breaks I14, a settings-catalog policy as the admin center writes it,
# one that hides the Passcode screen but shows Touch ID (I14 named by its setting), a macOS
# policy that breaks M4, and one whose settings cannot be read (the Rust test's seed).
CHECK_SEED = json.loads(
    (Path(__file__).resolve().parents[2] / "intune-apple-core" / "tests" / "fixtures" / "seeds"
     / "profile-check.json").read_text()
)


def _check_of_the_seed(check: TokenProfilesCheck) -> None:
    by_name = {p.display_name: p for p in check.profiles}
    assert check.token_id == TOKEN and len(check.profiles) == 5
    assert not by_name["Classic iPhone"].settings_catalog
    assert "I14" in [v.code for v in by_name["Classic iPhone"].violations]
    default = by_name["Default iPad policy"]
    assert default.settings_catalog and default.platform == "iOS"
    assert default.violations == [] and default.unchecked_settings == [] and default.error is None
    kiosk = by_name["Kiosk iPad policy"]
    assert ("I14", "ade_setupassistant_passcode") in [(v.code, v.path) for v in kiosk.violations]
    assert kiosk.unchecked_settings == ["ade_setupassistant_somethingnew"]
    mac = by_name["Mac policy"]
    assert mac.platform == "macOS"
    assert ("M4", "ade_accountsettings_restrictediting") in [(v.code, v.path) for v in mac.violations]
    unreadable = by_name["Unreadable policy"]
    assert unreadable.error is not None and "could not be read" in unreadable.error
    assert '\\"' not in unreadable.error and unreadable.violations == []
    # An error-level rule wins over the unchecked profile.
    assert check.has_errors() and check.exit_code == 1
    assert "ade_setupassistant_passcode" in check.to_text()
    assert '"tokenId"' in check.to_json()


def test_every_profile_of_a_token_is_checked_settings_catalog_policies_too() -> None:
    with Simulator(CHECK_SEED) as sim:
        sim.add_fault("GET", "/beta/deviceManagement/configurationPolicies/"
                      "f9999999-0000-4000-8000-000000000005/settings", "intune_refused")
        writes = sim.writes_applied
        _check_of_the_seed(sim.client().validate_token_profiles(TOKEN))

        async def run() -> TokenProfilesCheck:
            return await sim.async_client().validate_token_profiles(TOKEN)

        _check_of_the_seed(asyncio.run(run()))
        assert sim.writes_applied == writes
