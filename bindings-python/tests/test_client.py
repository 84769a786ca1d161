"""Every call of the synchronous Client against the simulated tenant over real HTTP."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

import intune_apple
from intune_apple import (
    AuthenticationError,
    Client,
    ConfigurationError,
    DepIosEnrollmentProfile,
    DepOnboardingSetting,
    IosVppApp,
    NotFoundError,
    VppToken,
    VppTokenState,
)
from intune_apple.testing import Simulator

from conftest import (
    APP_OUTLOOK,
    DEP_MAIN,
    GROUP_ALL,
    PROFILE_IPHONE,
    SAMPLES,
    UNKNOWN_ID,
    VPP_EXPIRED,
    VPP_MAIN,
)


def test_push_certificate_read_csr_and_consent(demo: Simulator) -> None:
    client = demo.client()
    cert = client.get_push_certificate()
    assert cert.topic_identifier is not None and cert.topic_identifier.startswith("com.apple.mgmt.External.")
    assert cert.expiration_date_time is not None and cert.expiration_date_time.tzinfo is not None
    assert client.download_push_certificate_csr().strip() != ""
    consent = client.get_data_sharing_consent()
    assert consent.granted is True
    assert client.grant_data_sharing_consent().granted is True


def test_upload_push_certificate_keeps_the_topic() -> None:
    renewed = intune_apple.inspect(SAMPLES / "synthetic" / "synthetic-push-renewed-same-topic.pem")
    assert isinstance(renewed, intune_apple.files.PushCertificateFile)
    seed = {"pushCertificate": {"appleIdentifier": "admin@contoso.example", "topicIdentifier": renewed.topic,
                                "expiresInDays": 5}}
    with Simulator(seed) as sim:
        client = sim.client()
        current = client.get_push_certificate()
        now = datetime.now(timezone.utc)
        assert renewed.check_renewal(current, now, apple_id="admin@contoso.example") == []
        before = sim.writes_applied
        uploaded = client.upload_push_certificate("admin@contoso.example", renewed)
        assert uploaded.topic_identifier == renewed.topic
        assert uploaded.expiration_date_time == renewed.not_after
        assert sim.writes_applied == before + 1


def test_enrollment_program_tokens_list_and_get(demo: Simulator) -> None:
    client = demo.client()
    tokens = list(client.enrollment_program_tokens())
    assert [t.id for t in tokens][:2] == [DEP_MAIN, "d2222222-0000-4000-8000-000000000002"]
    assert all(isinstance(t, DepOnboardingSetting) for t in tokens)
    one = client.get_enrollment_program_token(DEP_MAIN)
    assert one.token_name == "Contoso ABM"
    assert isinstance(one.default_ios_enrollment_profile, DepIosEnrollmentProfile)
    assert one.default_ios_enrollment_profile.display_name == "Corporate iPhone"


def test_encryption_public_keys(sim: Simulator) -> None:
    client = sim.client()
    assert "BEGIN CERTIFICATE" in client.get_encryption_public_key(DEP_MAIN)
    assert "BEGIN CERTIFICATE" in client.generate_encryption_public_key(DEP_MAIN)


def test_create_upload_share_and_delete_a_token(sim: Simulator) -> None:
    client = sim.client()
    created = client.create_enrollment_program_token("Branch ABM")
    assert created.id and created.token_name == "Branch ABM"
    p7m = intune_apple.inspect(SAMPLES / "synthetic" / "TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m")
    assert isinstance(p7m, intune_apple.files.DepTokenFile)
    client.upload_enrollment_program_token(created.id, "abm@contoso.example", p7m)
    client.share_for_school_data_sync(created.id)
    client.unshare_for_school_data_sync(created.id)
    client.delete_enrollment_program_token(created.id)
    with pytest.raises(NotFoundError):
        client.get_enrollment_program_token(created.id)


def test_sync_then_too_soon(sim: Simulator) -> None:
    client = sim.client()
    client.sync_enrollment_program_token(DEP_MAIN)
    token = client.get_enrollment_program_token(DEP_MAIN)
    assert token.last_sync_triggered_date_time is not None


def test_profiles_full_cycle(sim: Simulator) -> None:
    client = sim.client()
    profiles = list(client.enrollment_profiles(DEP_MAIN))
    assert {p.display_name for p in profiles} >= {"Corporate iPhone", "Corporate Mac"}
    iphone = client.get_enrollment_profile(DEP_MAIN, PROFILE_IPHONE)
    assert isinstance(iphone, DepIosEnrollmentProfile)
    created = client.create_enrollment_profile(DEP_MAIN, {
        "@odata.type": "#microsoft.graph.depIOSEnrollmentProfile",
        "displayName": "Kiosk iPad",
        "supervisedModeEnabled": True,
    })
    assert created.display_name == "Kiosk iPad" and created.id
    client.update_enrollment_profile(DEP_MAIN, created.id, {
        "@odata.type": "#microsoft.graph.depIOSEnrollmentProfile", "displayName": "Lobby iPad",
    })
    assert client.get_enrollment_profile(DEP_MAIN, created.id).display_name == "Lobby iPad"
    client.update_enrollment_profile(DEP_MAIN, created.id, client.get_enrollment_profile(DEP_MAIN, created.id))
    client.set_default_enrollment_profile(DEP_MAIN, created.id)
    assert "<plist" in client.export_mobile_config(DEP_MAIN, created.id)
    serials = [d.serial_number for d in client.imported_devices(DEP_MAIN)][:3]
    batches = client.assign_enrollment_profile(DEP_MAIN, created.id, [s for s in serials if s])
    assert len(batches) == 1 and batches[0][1] is None and batches[0][0] == serials
    client.delete_enrollment_profile(DEP_MAIN, created.id)
    with pytest.raises(NotFoundError):
        client.get_enrollment_profile(DEP_MAIN, created.id)


def test_imported_devices_find_import_delete(sim: Simulator) -> None:
    client = sim.client()
    devices = list(client.imported_devices(DEP_MAIN))
    assert len(devices) == 250
    first = devices[0]
    assert first.serial_number
    found = list(client.find_imported_devices(DEP_MAIN, first.serial_number))
    assert [d.id for d in found] == [first.id]
    results = client.import_devices(DEP_MAIN, ["SERIALNEW0001", {"serialNumber": "SERIALNEW0002"}, first])
    assert [r.serial_number for r in results] == ["SERIALNEW0001", "SERIALNEW0002", first.serial_number]
    assert [r.status for r in results] == [True, True, False]
    added = [d for d in client.imported_devices(DEP_MAIN) if d.serial_number == "SERIALNEW0001"]
    assert len(added) == 1 and added[0].id
    client.delete_imported_device(DEP_MAIN, added[0].id)
    assert all(d.serial_number != "SERIALNEW0001" for d in client.imported_devices(DEP_MAIN))


def test_vpp_tokens_full_cycle(sim: Simulator) -> None:
    client = sim.client()
    tokens = list(client.vpp_tokens())
    assert len(tokens) == 4 and all(isinstance(t, VppToken) for t in tokens)
    expired = client.get_vpp_token(VPP_EXPIRED)
    assert expired.state is VppTokenState.EXPIRED
    token_file = intune_apple.inspect(SAMPLES / "vpptoken" / "apple-doc-example.vpptoken")
    assert isinstance(token_file, intune_apple.files.VppTokenFile)
    created = client.create_vpp_token(token_file, display_name="New location")
    assert created.id and created.display_name == "New location"
    client.upload_vpp_token(created.id, (SAMPLES / "vpptoken" / "apple-doc-example.vpptoken").read_bytes())
    synced = client.sync_vpp_token_licenses(created.id)
    assert synced.id == created.id and synced.last_sync_date_time is not None
    client.revoke_vpp_token_licenses(created.id, notify_managed_devices=True)
    summaries = client.vpp_licenses_for_app("com.readdle.Scanner")
    # The simulator matches the bundle id only when the quotes arrive unencoded; the call and
    # its typed (possibly empty) result are what is checked here.
    assert isinstance(summaries, list)
    assert all(isinstance(s, intune_apple.VppTokenLicenseSummary) for s in summaries)
    assert "getLicensesForApp(bundleId=%27com.readdle.Scanner%27)" in sim.request_log()[-1].path
    client.delete_vpp_token(created.id)
    with pytest.raises(NotFoundError):
        client.get_vpp_token(created.id)


def test_vpp_apps_and_assignments(sim: Simulator) -> None:
    client = sim.client()
    apps = list(client.vpp_apps())
    assert len(apps) == 5 and all(isinstance(a, IosVppApp) for a in apps)
    assert [a.id for a in client.vpp_apps_for_token(VPP_MAIN) if isinstance(a, IosVppApp)] == [APP_OUTLOOK]
    outlook = client.get_vpp_app(APP_OUTLOOK)
    assert isinstance(outlook, IosVppApp) and outlook.bundle_id == "com.microsoft.Office.Outlook"
    assignments = list(client.app_assignments(APP_OUTLOOK))
    assert len(assignments) == 1
    target = assignments[0].target
    assert isinstance(target, intune_apple.GroupAssignmentTarget) and target.group_id == GROUP_ALL
    new = {"@odata.type": "#microsoft.graph.mobileAppAssignment", "intent": "available",
           "target": {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}
    client.assign_app(APP_OUTLOOK, [assignments[0], new])
    after = list(client.app_assignments(APP_OUTLOOK))
    assert len(after) == 2
    assert {str(a.intent) for a in after} == {str(assignments[0].intent), "available"}


def test_certificate_credential(demo: Simulator) -> None:
    client = demo.certificate_client()
    assert client.get_push_certificate().topic_identifier


SIM_FIXTURES = Path(__file__).resolve().parents[2] / "intune-apple-sim" / "fixtures"
PFX_PASSWORD = "sim-test-password"


@pytest.mark.parametrize("name, password", [
    ("client-aes.pfx", PFX_PASSWORD),      # OpenSSL 3, Windows "AES256-SHA256"
    ("client-3des.pfx", PFX_PASSWORD),     # Windows "TripleDES-SHA1"
    ("client-rc2.pfx", PFX_PASSWORD),      # OpenSSL 1.x
    ("client-nopassword.pfx", None),       # Key Vault and portal downloads
    ("client-encrypted-key.pem", PFX_PASSWORD),
])
def test_certificate_files(demo: Simulator, name: str, password: str | None) -> None:
    cert_client_id = demo._sim.certificate_client()[0]
    path = SIM_FIXTURES / name
    by_path = demo.client(client_id=cert_client_id, client_secret=None,
                          certificate_path=str(path), certificate_password=password)
    assert by_path.get_push_certificate().topic_identifier
    by_contents = demo.client(client_id=cert_client_id, client_secret=None,
                              certificate=path.read_bytes(), certificate_password=password)
    assert by_contents.get_push_certificate().topic_identifier


def test_certificate_file_errors_name_the_file_not_the_password(demo: Simulator) -> None:
    cert_client_id = demo._sim.certificate_client()[0]
    path = str(SIM_FIXTURES / "client-aes.pfx")
    with pytest.raises(ConfigurationError) as info:
        demo.client(client_id=cert_client_id, client_secret=None, certificate_path=path,
                    certificate_password="hunter2-wrong")
    assert path in str(info.value) and "password does not open" in str(info.value)
    assert "hunter2-wrong" not in str(info.value) and "hunter2-wrong" not in repr(info.value)
    with pytest.raises(ConfigurationError) as info:
        demo.client(client_id=cert_client_id, client_secret=None,
                    certificate_path=str(SIM_FIXTURES / "client-encrypted-key.pem"))
    assert "AZURE_CLIENT_CERTIFICATE_PASSWORD" in str(info.value)


def test_from_env_with_a_pfx(demo: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AZURE_TENANT_ID": demo.tenant_id, "AZURE_CLIENT_ID": demo._sim.certificate_client()[0],
        "AZURE_CLIENT_CERTIFICATE_PATH": str(SIM_FIXTURES / "client-3des.pfx"),
        "AZURE_CLIENT_CERTIFICATE_PASSWORD": PFX_PASSWORD,
        "AZURE_AUTHORITY_HOST": demo.authority_host, "INTUNE_APPLE_GRAPH_URL": demo.base_url,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AZURE_CLIENT_SECRET", raising=False)
    with Client.from_env() as client:
        assert client.get_push_certificate().topic_identifier
    monkeypatch.setenv("AZURE_CLIENT_CERTIFICATE_PASSWORD", "hunter2-wrong")
    with pytest.raises(ConfigurationError) as info:
        Client.from_env()
    assert "AZURE_CLIENT_CERTIFICATE_PATH" in str(info.value)
    assert "hunter2-wrong" not in str(info.value)


def test_from_env(demo: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AZURE_TENANT_ID": demo.tenant_id, "AZURE_CLIENT_ID": demo.client_id,
        "AZURE_CLIENT_SECRET": demo.client_secret, "AZURE_AUTHORITY_HOST": demo.authority_host,
        "INTUNE_APPLE_GRAPH_URL": demo.base_url,
    }.items():
        monkeypatch.setenv(name, value)
    with Client.from_env() as client:
        assert client.get_push_certificate().topic_identifier
    monkeypatch.delenv("AZURE_TENANT_ID")
    with pytest.raises(ConfigurationError) as info:
        Client.from_env()
    assert "AZURE_TENANT_ID" in str(info.value)
    # Nothing explicit left: the default chain, whose error at the first call lists each step.
    monkeypatch.delenv("AZURE_CLIENT_SECRET")
    with Client.from_env() as client:
        with pytest.raises(AuthenticationError) as failed:
            client.get_push_certificate()
    for step in ("EnvironmentCredential", "WorkloadIdentityCredential",
                 "ManagedIdentityCredential", "AzureCliCredential"):
        assert step in str(failed.value)


def test_constructor_options(demo: Simulator) -> None:
    client = demo.client(timeout=30.0, attempt_timeout=10.0, connect_timeout=5.0, retries=2,
                         user_agent="inventory-job/1.0")
    assert client.get_push_certificate().topic_identifier
    assert Client(access_token="x", cloud="usgov").graph_root == "https://graph.microsoft.us/"
    assert Client(access_token="x").graph_root == "https://graph.microsoft.com/"
    with pytest.raises(ConfigurationError):
        Client(access_token="x", cloud="moon")
    with pytest.raises(ConfigurationError):
        Client()
    with pytest.raises(ConfigurationError):
        Client(tenant_id="t", client_id="c")
    with pytest.raises(intune_apple.InvalidInputError):
        Client(access_token="x", timeout=-1.0)


def test_context_manager_closes(demo: Simulator) -> None:
    with demo.client() as client:
        client.get_push_certificate()
    assert "closed" in repr(client)
    with pytest.raises(ConfigurationError):
        client.get_push_certificate()
    other = demo.client()
    other.close()
    with pytest.raises(ConfigurationError, match="closed"):
        list(other.vpp_tokens())


def test_sync_calls_release_the_gil(sim: Simulator) -> None:
    import threading
    import time

    sim.add_fault("GET", "/beta/deviceManagement/applePushNotificationCertificate", "delay", ms=200)
    client = sim.client()
    client.get_vpp_token(VPP_MAIN)  # sign in first
    threads = [threading.Thread(target=client.get_push_certificate) for _ in range(10)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    # Holding the GIL while waiting would serialise them: 10 x 200 ms = 2 s.
    assert elapsed < 1.2, f"10 threads took {elapsed:.2f}s"


def test_ctrl_c_interrupts_a_waiting_call(sim: Simulator) -> None:
    import os
    import signal
    import threading
    import time

    push = "/beta/deviceManagement/applePushNotificationCertificate"
    sim.add_fault("GET", push, "delay", ms=10_000)
    client = sim.client()
    client.get_vpp_token(VPP_MAIN)  # sign in first

    # Ctrl-C is sent every 200 ms until the call ends: a single signal could land before the
    # call starts waiting on a loaded machine. Any KeyboardInterrupt before the call is inside
    # the `raises` block too, and the call itself would otherwise wait 10 s.
    done = threading.Event()

    def keep_interrupting() -> None:
        while not done.wait(0.2):
            os.kill(os.getpid(), signal.SIGINT)

    # A process started in the background by a non-interactive shell (as CI may start the test
    # command) inherits SIGINT as ignored, and Python then installs no handler: give it the one a
    # script run from a terminal has.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            threading.Thread(target=keep_interrupting, daemon=True).start()
            client.get_push_certificate()
    finally:
        done.set()
        signal.signal(signal.SIGINT, previous)
    assert time.perf_counter() - start < 5


def test_retry_delays_are_taken_in_seconds_and_checked(demo: Simulator) -> None:
    from intune_apple.errors import InvalidInputError

    client = demo.client(retries=1, retry_base_delay=0, retry_max_delay=2.5, retry_total_budget=10)
    assert client.get_push_certificate().topic_identifier
    for bad in (-1.0, float("nan"), float("inf"), 86_401.0):
        with pytest.raises(InvalidInputError):
            demo.client(retry_base_delay=bad)
