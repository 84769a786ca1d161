"""The typed results: attributes, enums, tz-aware datetimes, to_dict, equality, repr, and no
secret anywhere in what Python can see."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import intune_apple
from intune_apple import (
    DepIosEnrollmentProfile,
    DepOnboardingSetting,
    DepTokenType,
    DiscoverySource,
    EnrollmentState,
    ImportedAppleDeviceIdentity,
    IosVppApp,
    Platform,
    VppToken,
    VppTokenState,
)
from intune_apple.testing import Simulator

from conftest import APP_OUTLOOK, DEP_MAIN, SAMPLES, VPP_EXPIRED, VPP_MAIN


def test_enums_are_str_enums(demo: Simulator) -> None:
    token = demo.client().get_vpp_token(VPP_EXPIRED)
    assert token.state == "expired" and isinstance(token.state, str)
    assert token.state is VppTokenState.EXPIRED
    assert str(token.state) == "expired"
    assert json.dumps({"state": token.state}) == '{"state": "expired"}'
    dep = demo.client().get_enrollment_program_token(DEP_MAIN)
    assert dep.token_type is DepTokenType.DEP


def test_unknown_enum_members_are_kept() -> None:
    future = VppTokenState("revokedByApple")
    assert isinstance(future, VppTokenState) and future == "revokedByApple"
    assert future.value == "revokedByApple"
    assert VppTokenState("valid") is VppTokenState.VALID


def test_datetimes_are_tz_aware(demo: Simulator) -> None:
    token = demo.client().get_vpp_token(VPP_MAIN)
    assert token.expiration_date_time is not None
    assert token.expiration_date_time.tzinfo is not None
    assert token.expiration_date_time.utcoffset() == timezone.utc.utcoffset(None)
    assert token.expiration_date_time > datetime.now(timezone.utc)


def test_devices_attributes(demo: Simulator) -> None:
    device = next(iter(demo.client().imported_devices(DEP_MAIN)))
    assert isinstance(device, ImportedAppleDeviceIdentity)
    assert device.serial_number and device.id
    assert device.platform in (Platform.IOS, Platform.MAC_OS) or isinstance(device.platform, Platform)
    assert device.discovery_source is None or isinstance(device.discovery_source, DiscoverySource)
    assert device.enrollment_state is None or isinstance(device.enrollment_state, EnrollmentState)
    d = device.to_dict()
    assert d["serial_number"] == device.serial_number and d["id"] == device.id
    assert set(d) >= {"serial_number", "platform", "created_date_time", "is_supervised"}


def test_to_dict_nests_and_matches_attributes(demo: Simulator) -> None:
    token = demo.client().get_enrollment_program_token(DEP_MAIN)
    assert isinstance(token, DepOnboardingSetting)
    d = token.to_dict()
    assert d["token_name"] == token.token_name == "Contoso ABM"
    profile = token.default_ios_enrollment_profile
    assert isinstance(profile, DepIosEnrollmentProfile)
    assert d["default_ios_enrollment_profile"] == profile.to_dict()
    assert isinstance(d["default_ios_enrollment_profile"], dict)
    app = demo.client().get_vpp_app(APP_OUTLOOK)
    assert isinstance(app, IosVppApp)
    assert app.to_dict()["bundle_id"] == "com.microsoft.Office.Outlook"


def test_equality(demo: Simulator) -> None:
    client = demo.client()
    a = client.get_vpp_token(VPP_MAIN)
    b = client.get_vpp_token(VPP_MAIN)
    c = client.get_vpp_token(VPP_EXPIRED)
    assert a == b and a != c and a != "not a token"
    assert list(client.vpp_tokens())[0] == a


def test_repr_names_the_object(demo: Simulator) -> None:
    token = demo.client().get_vpp_token(VPP_MAIN)
    assert repr(token) == (f"VppToken(id='{VPP_MAIN}', display_name='Headquarters', "
                           "location_name='Headquarters')")
    assert type(token).__module__ == "intune_apple.models" and type(token) is VppToken


def test_no_secret_reaches_python(sim: Simulator) -> None:
    client = sim.client()
    vpp_path = SAMPLES / "vpptoken" / "apple-doc-example.vpptoken"
    vpp_text = vpp_path.read_text().strip()
    created = client.create_vpp_token(vpp_text, display_name="Secret check")
    pem_path = SAMPLES / "synthetic" / "synthetic-push-renewed-same-topic.pem"
    pem_body = "".join(pem_path.read_text().splitlines()[1:-1])[:40]
    files = [intune_apple.inspect(vpp_path), intune_apple.inspect(pem_path),
             intune_apple.inspect(SAMPLES / "synthetic" / "TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m")]
    # The simulator hands out its test-only credentials on purpose; its repr does not.
    assert sim.client_secret not in repr(sim) and sim.client_secret not in str(sim)
    objects: list[object] = [
        client, created, client.get_push_certificate(), *client.vpp_tokens(),
        *client.enrollment_program_tokens(), *client.vpp_apps(), *client.enrollment_profiles(DEP_MAIN),
        *files,
    ]
    secrets = [sim.client_secret, vpp_text, vpp_text[:40], pem_body]
    for obj in objects:
        texts = [repr(obj), str(obj)]
        to_dict = getattr(obj, "to_dict", None)
        if to_dict is not None:
            texts.append(repr(to_dict()))
        for name in dir(obj):
            if not name.startswith("_"):
                value = getattr(obj, name)
                if not callable(value):
                    texts.append(repr(value))
        for text in texts:
            for secret in secrets:
                assert secret not in text, f"{type(obj).__name__} shows a secret"
    assert not hasattr(created, "token")
