"""Every exception class, raised by a real fault of the simulated tenant (or of a real file),
with its fields, picklable, and without secrets in its text."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest

import intune_apple
from intune_apple import (
    AuthenticationError,
    Client,
    ConfigurationError,
    ConflictError,
    DecodeError,
    IntuneAppleError,
    InvalidInputError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RenewalRefusedError,
    ServerError,
    SyncTooSoonError,
    ThrottledError,
    TokenFileError,
    TransportError,
)
from intune_apple.testing import Simulator

from conftest import DEP_MAIN, PROFILE_IPHONE, SAMPLES, UNKNOWN_ID, VPP_MAIN

PUSH = "/beta/deviceManagement/applePushNotificationCertificate"


def check_common(err: IntuneAppleError, *secrets: str) -> None:
    """Picklable with every field, and no secret in its text."""
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert str(back) == str(err)
    for field in ("status", "code", "request_id", "client_request_id", "retry_after",
                  "next_allowed_at", "required_permission", "operation"):
        assert getattr(back, field) == getattr(err, field), field
    for secret in secrets:
        assert secret not in str(err) and secret not in repr(err)


def test_authentication_error(sim: Simulator) -> None:
    client = Client(tenant_id=sim.tenant_id, client_id=sim.client_id, client_secret="wrong-secret-value",
                    base_url=sim.base_url, authority_host=sim.authority_host)
    with pytest.raises(AuthenticationError) as info:
        client.get_push_certificate()
    check_common(info.value, "wrong-secret-value", sim.client_secret)


def test_bearer_token_never_shown(sim: Simulator) -> None:
    client = Client(access_token="eyJ-very-secret-bearer", base_url=sim.base_url)
    with pytest.raises(AuthenticationError) as info:
        client.get_push_certificate()
    assert info.value.status == 401
    check_common(info.value, "eyJ-very-secret-bearer")
    assert "eyJ-very-secret-bearer" not in repr(client)


def test_permission_denied_names_the_permission(sim: Simulator) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        sim.read_only_client().sync_vpp_token_licenses(VPP_MAIN)
    err = info.value
    assert err.status == 403
    assert err.required_permission == "DeviceManagementServiceConfig.ReadWrite.All"
    assert err.request_id and err.client_request_id
    check_common(err, sim.client_secret)


def test_not_found(demo: Simulator) -> None:
    with pytest.raises(NotFoundError) as info:
        demo.client().get_vpp_token(UNKNOWN_ID)
    assert info.value.status == 404 and info.value.code
    check_common(info.value)


def test_throttled_after_the_retry_budget(sim: Simulator) -> None:
    sim.add_fault("GET", PUSH, "throttle", retry_after="0.01")
    with pytest.raises(ThrottledError) as info:
        sim.client(retries=1).get_push_certificate()
    err = info.value
    assert err.status == 429 and err.retry_after == pytest.approx(0.01)
    assert [e.status for e in sim.request_log() if e.path == PUSH] == [429, 429]
    check_common(err)


def test_sync_too_soon_from_the_rules_and_from_intune(sim: Simulator) -> None:
    client = sim.client()
    client.sync_enrollment_program_token(DEP_MAIN)
    calls = len(sim.request_log())
    with pytest.raises(SyncTooSoonError) as info:
        client.sync_enrollment_program_token(DEP_MAIN)
    err = info.value
    assert err.next_allowed_at is not None and err.next_allowed_at > datetime.now(timezone.utc)
    # The client asked for the token's times, and did not send the sync itself.
    assert all("syncWithApple" not in e.path for e in sim.request_log()[calls:])
    check_common(err)
    with pytest.raises(SyncTooSoonError) as forced:
        client.sync_enrollment_program_token(DEP_MAIN, force=True)
    assert forced.value.status == 409 and forced.value.next_allowed_at is not None
    check_common(forced.value)


def test_outcome_unknown_is_not_resent(sim: Simulator) -> None:
    path = f"/beta/deviceAppManagement/vppTokens/{VPP_MAIN}/syncLicenses"
    sim.add_fault("POST", path, "reset_after")
    before = sim.writes_applied
    with pytest.raises(OutcomeUnknownError) as info:
        sim.client().sync_vpp_token_licenses(VPP_MAIN)
    assert sim.writes_applied == before + 1
    assert [e.path for e in sim.request_log()].count(path) == 1
    check_common(info.value)


def test_invalid_input_from_graph_and_locally(sim: Simulator) -> None:
    sim.add_fault("PATCH", f"/beta/deviceManagement/depOnboardingSettings/{DEP_MAIN}/enrollmentProfiles/*",
                  "status", status=400)
    client = sim.client()
    with pytest.raises(InvalidInputError) as info:
        client.update_enrollment_profile(DEP_MAIN, PROFILE_IPHONE, {"displayName": "x"})
    assert info.value.status == 400
    check_common(info.value)
    with pytest.raises(InvalidInputError) as local:
        client.create_enrollment_profile(DEP_MAIN, {"@odata.type": "#microsoft.graph.depIOSEnrollmentProfile",
                                                    "supervisedModeEnabled": "yes"})
    assert local.value.status is None
    check_common(local.value)


def test_conflict(sim: Simulator) -> None:
    sim.add_fault("DELETE", f"/beta/deviceAppManagement/vppTokens/{VPP_MAIN}", "status", status=409)
    with pytest.raises(ConflictError) as info:
        sim.client().delete_vpp_token(VPP_MAIN)
    assert info.value.status == 409
    check_common(info.value)


def test_transport_error(sim: Simulator) -> None:
    sim.add_fault("GET", PUSH, "reset_before")
    with pytest.raises(TransportError) as info:
        sim.client(retries=0).get_push_certificate()
    assert info.value.status is None
    check_common(info.value)


def test_decode_error(sim: Simulator) -> None:
    sim.add_fault("GET", PUSH, "malformed")
    with pytest.raises(DecodeError) as info:
        sim.client().get_push_certificate()
    check_common(info.value)


def test_server_error(sim: Simulator) -> None:
    sim.add_fault("GET", PUSH, "status", status=500)
    with pytest.raises(ServerError) as info:
        sim.client().get_push_certificate()
    assert info.value.status == 500
    check_common(info.value)


def test_configuration_error_on_a_foreign_next_link(sim: Simulator) -> None:
    path = f"/beta/deviceManagement/depOnboardingSettings/{DEP_MAIN}/importedAppleDeviceIdentities"
    sim.set_page_size(100)
    sim.add_fault("GET", path, "foreign_next_link")
    seen = 0
    with pytest.raises(ConfigurationError) as info:
        for _ in sim.client().imported_devices(DEP_MAIN):
            seen += 1
    # The items of the page carrying the foreign link arrive; the link is then refused, before
    # any request to that host.
    assert seen == 100
    assert [e.path.split("?")[0] for e in sim.request_log()].count(path) == 1
    check_common(info.value)


def test_token_file_error(tmp_path: object) -> None:
    with pytest.raises(TokenFileError) as info:
        intune_apple.inspect_bytes(b"\x00\x01 not an Apple file")
    check_common(info.value)
    with pytest.raises(TokenFileError):
        intune_apple.inspect(SAMPLES / "apns" / "micromdm-mock_push_cert_no_uid.pem")


def test_renewal_refused_for_another_topic(demo: Simulator) -> None:
    current = demo.client().get_push_certificate()
    other = intune_apple.inspect(SAMPLES / "synthetic" / "synthetic-push-new-cert-different-topic.pem")
    assert isinstance(other, intune_apple.files.PushCertificateFile)
    with pytest.raises(RenewalRefusedError) as info:
        other.check_renewal(current, datetime.now(timezone.utc))
    assert info.value.code == "topic_changed"
    assert other.topic in str(info.value)
    check_common(info.value)


def test_hierarchy() -> None:
    for cls in (AuthenticationError, PermissionDeniedError, NotFoundError, ThrottledError, SyncTooSoonError,
                OutcomeUnknownError, InvalidInputError, TokenFileError, RenewalRefusedError, TransportError,
                ConflictError, DecodeError, ServerError, ConfigurationError):
        assert issubclass(cls, IntuneAppleError) and issubclass(cls, Exception)
    err = ThrottledError("slow down", status=429, code="TooManyRequests", request_id="r1", retry_after=2.5)
    back = pickle.loads(pickle.dumps(err))
    assert (back.status, back.code, back.request_id, back.retry_after) == (429, "TooManyRequests", "r1", 2.5)
    assert "retry_after=2.5" in repr(err)
