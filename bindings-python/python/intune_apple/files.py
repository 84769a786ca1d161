"""Offline checks of the files Apple hands out: ``.vpptoken``, the push certificate ``.pem``
and the enrollment program token ``.p7m``. File contents stay inside the native module: they
never appear in ``repr``, and the objects can be passed to the upload calls."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Optional, Union

from intune_apple import _native
from intune_apple.models import ApplePushNotificationCertificate, VppToken

VppTokenFile = _native.VppTokenFile
VppRenewalCheck = _native.VppRenewalCheck
PushCertificateFile = _native.PushCertificateFile
DepTokenFile = _native.DepTokenFile

AppleFile = Union[VppTokenFile, PushCertificateFile, DepTokenFile]


def inspect(path: Union[str, "os.PathLike[str]"]) -> AppleFile:
    """Reads the file and recognises it by its content (never its extension).

    Raises ``TokenFileError`` saying what is wrong and what to download again."""
    return _native.inspect(os.fspath(path))


def inspect_bytes(data: bytes, file_name: Optional[str] = None) -> AppleFile:
    """As :func:`inspect`, from bytes; ``file_name`` feeds the ``.p7m`` download time."""
    return _native.inspect_bytes(data, file_name)


def check_push_certificate_renewal(
    current: ApplePushNotificationCertificate,
    path: Union[str, "os.PathLike[str]"],
    now: Optional[datetime] = None,
    apple_id: Optional[str] = None,
) -> list[str]:
    """Checks that the push certificate at ``path`` can replace Intune's ``current`` one
    (``Client.get_push_certificate()``) before it is uploaded. Returns the warnings
    (``private_key_ignored``, ``cn_uuid_mismatch``, ...); raises ``RenewalRefusedError`` when it
    would break every device (another topic) or gain nothing, ``TokenFileError`` when the file
    is not a readable push certificate. ``now`` defaults to the current time."""
    return _native.check_push_certificate_renewal(current, os.fspath(path), _now(now), apple_id)


def check_vpp_token_renewal(
    path: Union[str, "os.PathLike[str]"],
    existing: Sequence[VppToken],
    now: Optional[datetime] = None,
    location: Optional[str] = None,
) -> VppRenewalCheck:
    """Checks the ``.vpptoken`` at ``path`` against the tenant's VPP tokens
    (``Client.vpp_tokens()``): which token it renews, and every reason to look twice."""
    return _native.check_vpp_token_renewal(os.fspath(path), list(existing), _now(now), location)


def check_enrollment_program_token_file(path: Union[str, "os.PathLike[str]"], public_key_pem: str) -> bool:
    """Whether the ``.p7m`` at ``path`` was encrypted to the public key certificate Intune gave
    for the token (``Client.get_encryption_public_key()``): ``False`` means it was downloaded for
    another MDM server."""
    return _native.check_enrollment_program_token_file(os.fspath(path), public_key_pem)


def _now(now: Optional[datetime]) -> datetime:
    return datetime.now(timezone.utc) if now is None else now


__all__ = [
    "AppleFile", "VppTokenFile", "VppRenewalCheck", "PushCertificateFile", "DepTokenFile",
    "inspect", "inspect_bytes", "check_push_certificate_renewal", "check_vpp_token_renewal",
    "check_enrollment_program_token_file",
]
