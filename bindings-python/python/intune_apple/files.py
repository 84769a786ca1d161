"""Offline checks of the files Apple hands out: ``.vpptoken``, the push certificate ``.pem``
and the enrollment program token ``.p7m``. File contents stay inside the native module: they
never appear in ``repr``, and the objects can be passed to the upload calls."""

from __future__ import annotations

import os
from typing import Optional, Union

from intune_apple import _native

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


__all__ = [
    "AppleFile", "VppTokenFile", "VppRenewalCheck", "PushCertificateFile", "DepTokenFile",
    "inspect", "inspect_bytes",
]
