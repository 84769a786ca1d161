"""Enrollment profiles as code from Python: drift of a template against simulated tenants."""

from __future__ import annotations

import json

import pytest

from intune_apple import IntuneAppleError, profile_templates
from intune_apple.testing import Simulator

TEMPLATE = json.dumps({
    "platform": "ios",
    "displayName": "Corporate iPhone",
    "settings": {
        "supervisedModeEnabled": True,
        "profileRemovalDisabled": True,
        "supportDepartment": "IT Operations",
        "supportPhoneNumber": "${support_phone}",
    },
})
VALUES = json.dumps({"defaults": {"support_phone": "+1 555 0100"}})


def tenant(token: str, profiles: list[dict[str, object]]) -> dict[str, object]:
    return {"depTokens": [{"id": token, "tokenName": "ABM", "profiles": profiles}]}


def test_profile_drift_across_two_tenants() -> None:
    drifted = tenant("f2000001-0000-4000-8000-000000000001", [{
        "guid": "b2000001-0000-4000-8000-000000000001", "displayName": "Corporate iPhone",
        "settings": {"profileRemovalDisabled": False, "supportDepartment": "Helpdesk",
                     "supportPhoneNumber": "+1 555 0100"},
    }])
    missing = tenant("f3000001-0000-4000-8000-000000000001", [])
    with Simulator(drifted) as a, Simulator(missing) as b:
        report = profile_templates.profile_drift(
            {"fabrikam": a.client(), "tailspin": b.client()}, TEMPLATE, values=VALUES
        )
        assert report.kind == "drift" and report.exit_code == 1
        data = report.to_dict()
        [fab, tail] = data["tenants"]
        token = fab["tokens"][0]
        assert token["status"] == "drifted"
        assert sorted((d["setting"], d["template"], d["tenant"]) for d in token["differences"]) == [
            ("profileRemovalDisabled", True, False),
            ("supportDepartment", "IT Operations", "Helpdesk"),
        ]
        assert tail["tokens"][0]["status"] == "missing"
        assert "supportDepartment: template IT Operations / tenant Helpdesk" in report.to_table()
        assert "<td>tailspin</td>" in (report.to_html() or "")
        plan = profile_templates.plan_profile_apply({"fabrikam": a.client(), "tailspin": b.client()}, TEMPLATE, values=VALUES)
        assert [w["kind"] for w in plan.to_dict()["writes"]] == ["patch", "create"]
        assert a.writes_applied == 0 and b.writes_applied == 0


def test_a_wrong_template_is_refused_with_its_issues() -> None:
    with Simulator("empty") as sim:
        with pytest.raises(IntuneAppleError) as e:
            profile_templates.profile_drift(sim.client(), '{"platform": "ios", "displayName": "x", "settings": {"nope": 1}}')
        assert e.value.code == "invalid_template" and "settings.nope" in str(e.value)
