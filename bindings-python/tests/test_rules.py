"""The rules: health of each kind of credential, sync decisions, profile validation, guidance."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from intune_apple import rules
from intune_apple.rules import Severity, TokenKind
from intune_apple.testing import Simulator

from conftest import DEP_MAIN, DEP_TERMS, VPP_EXPIRED, VPP_MAIN

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def test_push_certificate_health(demo: Simulator) -> None:
    cert = demo.client().get_push_certificate()
    now = datetime.now(timezone.utc)
    h = rules.push_certificate_health(cert, now)
    assert h.kind is TokenKind.PUSH_CERTIFICATE
    assert h.severity is Severity.WARNING and h.days_left in (19, 20)
    assert rules.push_certificate_health(cert, now, warning_days=10).severity is Severity.OK
    assert rules.push_certificate_health(cert).severity is Severity.WARNING
    later = rules.push_certificate_health(cert, now + timedelta(days=40))
    assert later.severity is Severity.EXPIRED
    assert [p.code for p in later.problems] == ["push.grace_period"]
    assert "TokenHealth(kind=\"push_certificate\"" in repr(h)


def test_vpp_and_dep_health(demo: Simulator) -> None:
    client = demo.client()
    expired = rules.vpp_token_health(client.get_vpp_token(VPP_EXPIRED))
    assert expired.severity is Severity.EXPIRED and expired.days_left is not None and expired.days_left < 0
    assert rules.vpp_token_health(client.get_vpp_token(VPP_MAIN)).severity is Severity.OK
    terms = rules.enrollment_program_token_health(client.get_enrollment_program_token(DEP_TERMS))
    assert "dep.sync_error_terms" in [p.code for p in terms.problems]
    fr = rules.enrollment_program_token_health(client.get_enrollment_program_token(DEP_TERMS), locale="fr")
    assert fr.problems[0].message != terms.problems[0].message
    assert max(Severity.OK.rank, Severity.EXPIRED.rank) == 4
    assert terms.problems[0].severity is Severity.WARNING


def test_sync_decision() -> None:
    last = NOW - timedelta(minutes=10)
    d = rules.decide_sync(now=NOW, last_triggered=last, last_successful=last)
    assert not d and not d.allowed
    assert d.reason == "sync.too_soon"
    assert d.next_allowed_at == last + timedelta(minutes=15)
    assert rules.decide_sync(now=NOW + timedelta(minutes=5), last_triggered=last, last_successful=last).allowed
    full = rules.decide_sync(now=NOW, last_full_sync=NOW - timedelta(days=2), full=True)
    assert full.reason == "sync.full_sync_too_soon"
    assert "allowed=False" in repr(full)


def test_sync_decision_from_a_token(sim: Simulator) -> None:
    client = sim.client()
    client.sync_enrollment_program_token(DEP_MAIN)
    token = client.get_enrollment_program_token(DEP_MAIN)
    decision = rules.decide_sync(token)
    assert not decision.allowed and decision.reason in ("sync.too_soon", "sync.in_progress")
    assert rules.decide_sync(token, datetime.now(timezone.utc) + timedelta(minutes=16), macos=True).allowed


def test_validate_profile(demo: Simulator) -> None:
    bad = {"@odata.type": "#microsoft.graph.depIOSEnrollmentProfile", "displayName": "Locked",
           "profileRemovalDisabled": True, "supervisedModeEnabled": False}
    violations = rules.validate_enrollment_profile(bad, NOW)
    assert [v.code for v in violations] == ["I1"]
    assert violations[0].path == "profileRemovalDisabled" and violations[0].severity == "error"
    assert "supervis" in violations[0].message
    profile = next(iter(demo.client().enrollment_profiles(DEP_MAIN)))
    assert isinstance(rules.validate_enrollment_profile(profile, vpp_tokens=list(demo.client().vpp_tokens())), list)
    too_many = rules.validate_enrollment_profile(profile, NOW, profiles_on_token=1001)
    assert too_many and "Violation(code=" in repr(too_many[0])


def test_validate_device_name_template() -> None:
    assert rules.validate_device_name_template("{{DEVICETYPE}}-{{SERIAL}}") == []
    assert [v.code for v in rules.validate_device_name_template("a" * 64)] == ["I13"]


def test_guidance() -> None:
    g = rules.renewal_guidance(TokenKind.VPP_TOKEN, "abm@contoso.com")
    assert g.kind is TokenKind.VPP_TOKEN
    assert any("abm@contoso.com" in s for s in g.renewal_steps)
    assert g.consequence and g.apple_id_note
    assert rules.renewal_guidance("push_certificate", locale="fr").consequence != rules.renewal_guidance("push_certificate").consequence
    assert "Guidance(kind=" in repr(g)


def test_duplicate_rules(demo: Simulator) -> None:
    client = demo.client()
    tokens = list(client.vpp_tokens())
    apps = list(client.vpp_apps())
    assert rules.vpp_token_usable(client.get_vpp_token(VPP_MAIN))
    assert not rules.vpp_token_usable(client.get_vpp_token(VPP_EXPIRED))
    roles = rules.superseded_tokens(tokens)
    assert [(s.token_id, s.location) for s in roles.superseded] == [(VPP_EXPIRED, "Warehouse")]
    findings = rules.find_duplicate_apps(tokens, apps)
    assert [d.bundle_id for d in findings.duplicates] == ["com.readdle.Scanner"]
    dup = findings.duplicates[0]
    assert dup.target.vpp_token_id != VPP_EXPIRED and [a.vpp_token_id for a in dup.sources] == [VPP_EXPIRED]
    assert findings.tokens == roles
    old = list(client.app_assignments(dup.sources[0].app_id))
    new = list(client.app_assignments(dup.target.app_id))
    key = rules.assignment_key(old[0])
    assert key is not None and key.target_type == "group"
    plan = rules.plan_assignments(new, old)
    assert len(plan.to_copy) == 1
    assert rules.assignment_key(plan.to_copy[0]) == key
    assert len(plan.merged) == len(new) + 1
