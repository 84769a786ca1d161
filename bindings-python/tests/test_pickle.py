"""Every result class pickles (for multiprocessing, caches, Prefect or Celery results), copies
and deep-copies; a pickle never holds a secret."""

from __future__ import annotations

import copy
import inspect
import pickle
from pathlib import Path
from typing import Any

import pytest

import intune_apple
from intune_apple import models, workflows
from intune_apple.testing import Simulator

from conftest import APP_OUTLOOK, DEP_MAIN, DEP_TERMS, SAMPLES

P7M = SAMPLES / "synthetic" / "TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m"
VPP_FILE = SAMPLES / "vpptoken" / "apple-doc-example.vpptoken"
RENEWED_PEM = SAMPLES / "synthetic" / "synthetic-push-renewed-same-topic.pem"
ADMIN_PASSWORD = "Hunter2-local-admin!"


def results(sim: Simulator, tmp: Path) -> list[Any]:
    """One or more results of every kind a client and the workflows return."""
    client = sim.client()
    out: list[Any] = [
        client.get_push_certificate(),
        client.get_data_sharing_consent(),
        *client.enrollment_program_tokens(),
        *list(client.imported_devices(DEP_MAIN))[:3],
        *client.enrollment_profiles(DEP_MAIN),
        *client.vpp_tokens(),
        *client.vpp_apps(),
        *client.app_assignments(APP_OUTLOOK),
        *client.vpp_licenses_for_app("com.microsoft.Office.Outlook"),
        *client.import_devices(DEP_MAIN, [{"serialNumber": "C02PICKLE001"}]),
        client.health_report(include_apps=True),
        client.repair_duplicate_apps(),
        workflows.parse_serial_numbers("C02XL0AAJG5J\nC02XL0AAJG5J\n!!\n"),
    ]
    created = client.create_profile(DEP_MAIN, {
        "@odata.type": "#microsoft.graph.depIOSEnrollmentProfile", "displayName": "Pickled",
        "supervisedModeEnabled": True})
    out += [
        created,
        client.copy_profile(DEP_MAIN, created.profile_id, DEP_TERMS, new_name="Pickled copy"),
        client.assign_serial_numbers(DEP_MAIN, created.profile_id, ["UNKNOWN00001"]),
        client.set_default_profile(DEP_MAIN, created.profile_id),
        client.renew_enrollment_program_token(DEP_MAIN, "abm@contoso.example", P7M.read_bytes(),
                                              file_name=P7M.name, force=True),
    ]
    mac = client.create_enrollment_profile(DEP_MAIN, {
        "@odata.type": "#microsoft.graph.depMacOSEnrollmentProfile", "displayName": "Mac admins",
        "adminAccountUserName": "localadmin", "adminAccountPassword": ADMIN_PASSWORD})
    out.append(mac)
    out.append(client.download_push_csr(tmp / "push.csr"))
    sim.add_fault("GET", "/beta/deviceAppManagement/vppTokens", "status", status=403)
    out.append(client.health_report())   # with a ReportError
    renewed = intune_apple.inspect(RENEWED_PEM)
    assert isinstance(renewed, intune_apple.files.PushCertificateFile)
    seed = {"pushCertificate": {"appleIdentifier": "admin@contoso.example", "topicIdentifier": renewed.topic,
                                "expiresInDays": 5},
            "vppTokens": [{"id": "v1", "organizationName": "ORG12345", "locationName": "Main",
                           "displayName": "Main", "expiresInDays": 10, "state": "valid"}]}
    with Simulator(seed) as other:
        other_client = other.client()
        out.append(other_client.renew_push_certificate("admin@contoso.example", renewed))
        out.append(other_client.renew_vpp_token(VPP_FILE.read_text()))
    return out


def nested(value: Any) -> list[Any]:
    """`value` and every result object reachable through its attributes."""
    found = [value]
    for name in dir(type(value)):
        if name.startswith("_") or not inspect.isdatadescriptor(getattr(type(value), name, None)):
            continue
        attr = getattr(value, name)
        for item in attr if isinstance(attr, list) else [attr]:
            if type(item).__module__ == "intune_apple.models":
                found += nested(item)
    return found


def test_every_result_class_pickles_copies_and_compares_equal(sim: Simulator, tmp_path: Path) -> None:
    seen: set[str] = set()
    for top in results(sim, tmp_path):
        for value in nested(top):
            seen.add(type(value).__name__)
            back = pickle.loads(pickle.dumps(value))
            assert type(back) is type(value)
            assert back.to_dict() == value.to_dict(), type(value).__name__
            if type(value).__name__ == "DepMacOsEnrollmentProfile" and value.display_name == "Mac admins":
                # Its admin password is a secret: left out of the pickle, so the copy differs.
                assert back != value
            else:
                assert back == value, type(value).__name__
            assert copy.copy(value) is value and copy.deepcopy(value) is value
            assert copy.deepcopy([value])[0] == value
    # The kinds a script most often keeps or hands to another process.
    for name in ["ApplePushNotificationCertificate", "DepOnboardingSetting", "ImportedAppleDeviceIdentity",
                 "DepIosEnrollmentProfile", "DepMacOsEnrollmentProfile", "VppToken", "IosVppApp",
                 "MobileAppAssignment", "VppTokenLicenseSummary", "HealthReport", "ReportItem",
                 "DuplicateRepairReport", "ProfileCreated", "SerialAssignmentReport",
                 "DefaultProfileSet", "DepRenewalReport", "Step", "SerialList", "CsrDownload",
                 "ReportError", "PushRenewalReport", "VppRenewalReport"]:
        assert name in seen, name


def test_a_pickle_holds_no_secret(sim: Simulator, tmp_path: Path) -> None:
    everything = results(sim, tmp_path)
    data = pickle.dumps(everything)
    assert ADMIN_PASSWORD.encode() not in data
    assert P7M.read_bytes()[40:80] not in data
    assert VPP_FILE.read_text()[20:60].encode() not in data
    assert pickle.loads(data) is not None


def test_pickles_across_processes(sim: Simulator) -> None:
    import multiprocessing

    report = sim.client().health_report()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        echoed = pool.apply(_echo, (report,))
    assert echoed == report and echoed.to_markdown() == report.to_markdown()


def _echo(value: Any) -> Any:
    return value


def test_unpickling_garbage_is_a_clear_error() -> None:
    restore = intune_apple._native._restore
    with pytest.raises(ValueError, match="not an intune-apple result class"):
        restore("NoSuchClass", b"{}")
    with pytest.raises(ValueError, match="cannot unpickle a VppToken"):
        restore("VppToken", b"not json")
    assert isinstance(restore("VppToken", b'{"id": "x"}'), models.VppToken)
