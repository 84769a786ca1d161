"""The core's workflows through Python: health report, safe renewals, profile workflows,
duplicate-app repair, multi-tenant scan."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import intune_apple
from intune_apple import RenewalRefusedError, workflows
from intune_apple.rules import Severity, TokenKind
from intune_apple.testing import Simulator
from intune_apple.workflows import HealthReport

from conftest import DEP_MAIN, DEP_TERMS, PROFILE_IPHONE, SAMPLES, VPP_EXPIRED

P7M = SAMPLES / "synthetic" / "TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m"
VPP_FILE = SAMPLES / "vpptoken" / "apple-doc-example.vpptoken"
RENEWED_PEM = SAMPLES / "synthetic" / "synthetic-push-renewed-same-topic.pem"


def test_health_report_and_its_formats(demo: Simulator) -> None:
    report = demo.client().health_report()
    assert isinstance(report, HealthReport)
    assert len(report.items) == 7 and report.errors == []
    assert report.overall is Severity.EXPIRED and report.exit_code == 2
    worst = report.items[0]
    assert worst.kind is TokenKind.VPP_TOKEN and worst.severity is Severity.EXPIRED
    assert worst.name == "Warehouse" and worst.days_left is not None and worst.days_left < 0
    assert worst.problems and worst.problems[0].code and worst.renewal and worst.consequence
    assert report.generated_at.tzinfo is not None
    md = report.to_markdown()
    assert md.startswith("# Apple credentials health: expired") and "Warehouse" in md
    data = json.loads(report.to_json())
    assert len(data["items"]) == 7 and data["items"][0]["severity"] == "expired"
    assert HealthReport.from_json(report.to_json()) == report
    assert "BEGIN:VCALENDAR" in report.to_ics()
    assert "Warehouse" in report.to_table() and "\x1b[" in report.to_table(color=True)
    assert report.to_dict()["items"][0]["name"] == "Warehouse"
    with pytest.raises(intune_apple.InvalidInputError):
        HealthReport.from_json("{}")


def test_health_report_options(demo: Simulator) -> None:
    later = datetime.now(timezone.utc) + timedelta(days=400)
    report = demo.client().health_report(as_of=later, warning_days=60, critical_days=10, locale="fr",
                                         include_apps=True)
    assert report.as_of == later
    assert all(item.severity is Severity.EXPIRED for item in report.items)
    fr = demo.client().health_report(locale="fr")
    en = demo.client().health_report()
    assert fr.items[0].consequence != en.items[0].consequence


def test_health_report_lists_unreadable_sections(sim: Simulator) -> None:
    sim.add_fault("GET", "/beta/deviceAppManagement/vppTokens", "status", status=403)
    report = sim.client().health_report()
    assert [(e.section, e.code) for e in report.errors] == [("vppTokens", "forbidden")]
    assert report.exit_code == 2


@pytest.mark.asyncio
async def test_async_health_report_and_scan(demo: Simulator) -> None:
    report = await demo.async_client().health_report()
    assert len(report.items) == 7
    with Simulator("empty") as empty:
        scans = await workflows.scan_tenants_async({"contoso": demo.async_client(), "fabrikam": empty.async_client()})
    assert [name for name, _ in scans] == ["contoso", "fabrikam"]
    assert len(scans[0][1].items) == 7


def test_scan_tenants(demo: Simulator) -> None:
    with Simulator("empty") as empty:
        scans = workflows.scan_tenants({"contoso": demo.client(), "fabrikam": empty.client()}, concurrency=2)
    assert [(name, len(r.items)) for name, r in scans] == [("contoso", 7), ("fabrikam", 1)]
    # A tenant with nothing set up says so as an informational finding, not as an error.
    (missing,) = scans[1][1].items
    assert [p.code for p in missing.problems] == ["push.missing"]
    assert scans[1][1].errors == []
    assert max(r.exit_code for _, r in scans) == 2


def test_duplicate_repair_dry_run_then_apply(sim: Simulator) -> None:
    client = sim.client()
    writes = sim.writes_applied
    plan = client.repair_duplicate_apps()
    assert plan.dry_run and sim.writes_applied == writes
    [app] = plan.apps
    assert app.bundle_id == "com.readdle.Scanner" and app.outcome == "planned"
    assert [s.key.target_type for s in app.to_copy] == ["group"]
    assert [t.token_id for t in plan.old_tokens] == [VPP_EXPIRED] and not plan.old_tokens[0].can_delete
    done = client.repair_duplicate_apps(apply=True)
    assert not done.dry_run and done.apps[0].outcome == "copied" and done.apps[0].verified is True
    assert done.old_tokens[0].can_delete
    again = client.repair_duplicate_apps(apply=True)
    assert again.apps[0].outcome == "nothingToDo"


@pytest.mark.asyncio
async def test_async_duplicate_repair(sim: Simulator) -> None:
    plan = await sim.async_client().repair_duplicate_apps()
    assert plan.apps[0].outcome == "planned"


def test_push_renewal_checked_and_refused() -> None:
    renewed = intune_apple.inspect(RENEWED_PEM)
    assert isinstance(renewed, intune_apple.files.PushCertificateFile)
    seed = {"pushCertificate": {"appleIdentifier": "admin@contoso.example", "topicIdentifier": renewed.topic,
                                "expiresInDays": 5}}
    with Simulator(seed) as sim:
        report = sim.client().renew_push_certificate("admin@contoso.example", renewed)
        assert report.topic == renewed.topic and not report.topic_changed
        assert report.new_expiry == renewed.not_after
        assert [s.name for s in report.steps][:1] == ["inspect"]
        assert all(s.outcome in ("done", "warning", "skipped") for s in report.steps)
    with Simulator() as other:   # the demo tenant has another topic
        writes = other.writes_applied
        with pytest.raises(RenewalRefusedError) as info:
            other.client().renew_push_certificate("admin@contoso.example", RENEWED_PEM.read_text())
        assert info.value.code == "topicChanged" and other.writes_applied == writes


def test_dep_renewal_refused_for_another_key_then_forced(sim: Simulator) -> None:
    client = sim.client()
    with pytest.raises(RenewalRefusedError) as info:
        client.renew_enrollment_program_token(DEP_MAIN, "abm@contoso.example", P7M.read_bytes(), file_name=P7M.name)
    assert info.value.code == "notForThisKey"
    p7m = intune_apple.inspect(P7M)
    assert isinstance(p7m, intune_apple.files.DepTokenFile)
    report = client.renew_enrollment_program_token(DEP_MAIN, "abm@contoso.example", p7m,
                                                   file_name=P7M.name, force=True)
    assert report.forced and [r.code for r in report.overridden] == ["notForThisKey"]
    assert report.token_id == DEP_MAIN and report.server_name_from_file_name == "TestServer"
    synced = client.renew_enrollment_program_token(DEP_TERMS, "abm@contoso.example", p7m, file_name=P7M.name,
                                                   force=True, sync=True)
    assert synced.steps[-1].name == "sync" and synced.steps[-1].outcome in ("done", "warning")


def test_vpp_renewal() -> None:
    seed = {"vppTokens": [{"id": "v1", "organizationName": "ORG12345", "locationName": "Main",
                           "displayName": "Main", "expiresInDays": 10, "state": "valid"}]}
    with Simulator(seed) as sim:
        report = sim.client().renew_vpp_token(VPP_FILE.read_text())
        assert report.token_id == "v1" and not report.created
        assert report.file_expiry == datetime(2030, 11, 8, 22, 33, 22, tzinfo=timezone.utc)
        assert report.new_expiry == report.file_expiry
    with Simulator() as demo, pytest.raises(RenewalRefusedError) as info:
        demo.client().renew_vpp_token(VPP_FILE.read_bytes())
    assert info.value.code == "noTokenForOrganization"


@pytest.mark.asyncio
async def test_async_renewals(sim: Simulator) -> None:
    client = sim.async_client()
    with pytest.raises(RenewalRefusedError):
        await client.renew_push_certificate("admin@contoso.example", RENEWED_PEM.read_text())
    with pytest.raises(RenewalRefusedError):
        await client.renew_enrollment_program_token(DEP_MAIN, "abm@contoso.example", P7M.read_bytes())
    with pytest.raises(RenewalRefusedError):
        await client.renew_vpp_token(VPP_FILE.read_text(), location="Main")


def test_download_push_csr(demo: Simulator, tmp_path: Path) -> None:
    target = tmp_path / "intune.csr"
    done = demo.client().download_push_csr(target)
    assert target.read_text().strip() and done.bytes == len(target.read_bytes())
    assert done.path == str(target) and done.next_step


@pytest.mark.asyncio
async def test_async_download_push_csr(demo: Simulator, tmp_path: Path) -> None:
    done = await demo.async_client().download_push_csr(tmp_path / "a.csr")
    assert done.bytes > 0


def test_profile_workflows(sim: Simulator) -> None:
    client = sim.client()
    created = client.create_profile(DEP_MAIN, {
        "@odata.type": "#microsoft.graph.depIOSEnrollmentProfile", "displayName": "Template",
        "supervisedModeEnabled": True})
    assert created.token_id == DEP_MAIN and created.display_name == "Template"
    with pytest.raises(intune_apple.InvalidInputError) as info:
        client.create_profile(DEP_MAIN, {
            "@odata.type": "#microsoft.graph.depIOSEnrollmentProfile", "displayName": "Bad",
            "profileRemovalDisabled": True, "supervisedModeEnabled": False})
    assert info.value.code == "invalid_profile" and "I1" in str(info.value)
    copy = client.copy_profile(DEP_MAIN, created.profile_id, DEP_TERMS, new_name="Copied")
    assert copy.token_id == DEP_TERMS and copy.copied_from
    with Simulator() as other:
        across = client.copy_profile(DEP_MAIN, PROFILE_IPHONE, DEP_MAIN, target=other.client())
        assert across.profile_id.startswith(DEP_MAIN)
    serials = [d.serial_number or "" for d in client.imported_devices(DEP_MAIN)][:2]
    assigned = client.assign_serial_numbers(DEP_MAIN, created.profile_id, serials + ["UNKNOWN00001"], batch_size=1)
    # Unknown serials are set aside before batching: two known serials, one per batch.
    assert assigned.batches == 2 and assigned.unknown == 1
    outcomes = {d.serial_number: d.outcome for d in assigned.devices}
    assert outcomes["UNKNOWN00001"] == "unknownSerial"
    default = client.set_default_profile(DEP_MAIN, created.profile_id)
    assert default.platform and default.profile_id == created.profile_id


@pytest.mark.asyncio
async def test_async_profile_workflows(sim: Simulator) -> None:
    client = sim.async_client()
    created = await client.create_profile(DEP_MAIN, {
        "@odata.type": "#microsoft.graph.depIOSEnrollmentProfile", "displayName": "Async template",
        "supervisedModeEnabled": True})
    copy = await client.copy_profile(DEP_MAIN, created.profile_id, DEP_TERMS, target=sim.async_client())
    assert copy.token_id == DEP_TERMS
    report = await client.assign_serial_numbers(DEP_MAIN, created.profile_id, ["UNKNOWN00002"])
    assert report.devices[0].outcome == "unknownSerial"
    assert (await client.set_default_profile(DEP_MAIN, created.profile_id)).profile_id == created.profile_id


def test_parse_serial_numbers() -> None:
    parsed = workflows.parse_serial_numbers("serialNumber,owner\nC02XL0AAJG5J,ann\nC02XL0AAJG5J,bob\n!!,x\n")
    assert parsed.serial_numbers == ["C02XL0AAJG5J"]
    assert parsed.duplicates == ["C02XL0AAJG5J"] and parsed.invalid == ["!!"]
    with pytest.raises(intune_apple.InvalidInputError):
        workflows.parse_serial_numbers("")
