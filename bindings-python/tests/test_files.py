"""intune_apple.inspect: the offline checks of Apple's files and the renewal checks."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

import intune_apple
from intune_apple import TokenFileError
from intune_apple.files import DepTokenFile, PushCertificateFile, VppTokenFile
from intune_apple.testing import Simulator

from conftest import SAMPLES

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def test_vpptoken_and_its_renewal_check(demo: Simulator) -> None:
    f = intune_apple.inspect(SAMPLES / "vpptoken" / "apple-doc-example.vpptoken")
    assert isinstance(f, VppTokenFile)
    assert f.organization_name == "ORG12345"
    assert f.expires_at == datetime(2030, 11, 8, 22, 33, 22, tzinfo=timezone.utc)
    assert not f.is_expired(NOW)
    check = f.check_renewal(list(demo.client().vpp_tokens()), NOW)
    assert not check.is_ok and ("other_organization", None) in check.flags
    assert check.renews_token_id is None and check.renews_location is None
    assert "VppRenewalCheck(" in repr(check)
    expired = intune_apple.inspect(SAMPLES / "synthetic" / "synthetic-expired.vpptoken")
    assert isinstance(expired, VppTokenFile) and expired.is_expired(NOW)
    assert ("already_expired", None) in expired.check_renewal([], NOW).flags


def test_push_certificate_file() -> None:
    f = intune_apple.inspect(str(SAMPLES / "synthetic" / "synthetic-push-renewed-same-topic.pem"))
    assert isinstance(f, PushCertificateFile)
    assert f.topic == "com.apple.mgmt.External.5f0c9c3e-2d1b-4c6e-9a8f-7b3d2e1f0a91"
    assert f.not_before < f.not_after and f.not_after.tzinfo is not None
    assert f.serial_hex and f.sha256_fingerprint and f.issuer
    assert f.issuer_cn is None or isinstance(f.issuer_cn, str)
    assert f.subject_cn is None or isinstance(f.subject_cn, str)
    assert isinstance(f.warnings, list)
    assert not f.is_expired(NOW)


def test_push_renewal_check_with_a_matching_tenant() -> None:
    f = intune_apple.inspect(SAMPLES / "synthetic" / "synthetic-push-renewed-same-topic.pem")
    assert isinstance(f, PushCertificateFile)
    seed = {"pushCertificate": {"appleIdentifier": "admin@contoso.example", "topicIdentifier": f.topic,
                                "expiresInDays": 5}}
    with Simulator(seed) as sim:
        current = sim.client().get_push_certificate()
    assert f.check_renewal(current, datetime.now(timezone.utc), apple_id="other@contoso.example") == ["apple_id_differs"]


def test_dep_token_file() -> None:
    data = (SAMPLES / "synthetic" / "TestServer_Token_2030-07-01T22-18-53Z_smime-des3.p7m").read_bytes()
    f = intune_apple.inspect_bytes(data, "TestServer_Token_2030-07-01T22-18-53Z_smime-des3.p7m")
    assert isinstance(f, DepTokenFile)
    assert f.server_name_from_file_name == "TestServer"
    assert f.file_name_timestamp == datetime(2030, 7, 1, 22, 18, 53, tzinfo=timezone.utc)
    assert len(f.recipients) == 1 and f.recipients[0][1]
    assert f.content_encryption_oid
    assert f.check_against((SAMPLES / "synthetic" / "test-dep-cert.pem").read_text()) is True
    other = (SAMPLES / "apns" / "micromdm-mock_push_cert.pem").read_text()
    assert f.check_against(other) is False


def test_unreadable_files(tmp_path: object) -> None:
    with pytest.raises(TokenFileError, match="could not read"):
        intune_apple.inspect(SAMPLES / "does-not-exist.vpptoken")
    with pytest.raises(TokenFileError, match="empty"):
        intune_apple.inspect_bytes(b"   ")
    with pytest.raises(TokenFileError, match="private key"):
        intune_apple.inspect(SAMPLES / "synthetic" / "test-dep-key.pem")


def test_module_level_checks_read_the_file_and_check_it(demo: Simulator, tmp_path: Path) -> None:
    from intune_apple import files
    from intune_apple.errors import RenewalRefusedError

    client = demo.client()
    pem = SAMPLES / "synthetic" / "synthetic-push-renewed-same-topic.pem"
    # The demo tenant's certificate has another topic: the renewal would break every device.
    with pytest.raises(RenewalRefusedError):
        files.check_push_certificate_renewal(client.get_push_certificate(), pem, NOW)
    seed = {"pushCertificate": {"appleIdentifier": "admin@contoso.example",
                                "topicIdentifier": "com.apple.mgmt.External.5f0c9c3e-2d1b-4c6e-9a8f-7b3d2e1f0a91",
                                "expiresInDays": 5}}
    with Simulator(seed) as sim:
        current = sim.client().get_push_certificate()
    assert files.check_push_certificate_renewal(current, str(pem), apple_id="other@contoso.example") == ["apple_id_differs"]

    check = files.check_vpp_token_renewal(SAMPLES / "vpptoken" / "apple-doc-example.vpptoken", list(client.vpp_tokens()), NOW)
    assert not check.is_ok and ("other_organization", None) in check.flags

    p7m = SAMPLES / "synthetic" / "TestServer_Token_2030-07-01T22-18-53Z_smime-des3.p7m"
    assert files.check_enrollment_program_token_file(p7m, (SAMPLES / "synthetic" / "test-dep-cert.pem").read_text()) is True
    assert files.check_enrollment_program_token_file(p7m, (SAMPLES / "apns" / "micromdm-mock_push_cert.pem").read_text()) is False

    # The wrong kind of file, a missing one and one larger than any Apple file: TokenFileError.
    with pytest.raises(TokenFileError):
        files.check_vpp_token_renewal(pem, [], NOW)
    with pytest.raises(TokenFileError):
        files.check_enrollment_program_token_file(SAMPLES / "does-not-exist.p7m", "")
    huge = tmp_path / "huge.vpptoken"
    huge.write_bytes(b"A" * (2 << 20))
    with pytest.raises(TokenFileError, match="1 MiB"):
        files.check_vpp_token_renewal(huge, [], NOW)
