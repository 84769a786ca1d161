"""The core cases of the fault matrix (``intune-apple-core/tests/fault_matrix.rs``) from Python:
each fault once against a read and a write. Nothing is written twice, a success means the
write happened, a write that may have happened raises ``OutcomeUnknownError`` (never a plain
failure, never resent), a refusal is ``PermissionDeniedError``, and no error is a
``PanicException`` or names a secret."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from intune_apple import IntuneAppleError
from intune_apple.errors import OutcomeUnknownError, PermissionDeniedError
from intune_apple.testing import Simulator

HQ = "a1111111-0000-4000-8000-000000000001"
PUSH = "/beta/deviceManagement/applePushNotificationCertificate"
SYNC = f"/beta/deviceAppManagement/vppTokens/{HQ}/syncLicenses"

FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("throttle", {"retry_after": "0"}),
    ("throttle_without_retry_after", {}),
    ("query_broker_throttle", {}),
    ("unavailable", {"retry_after": "0"}),
    ("status", {"status": 500}),
    ("status", {"status": 503}),
    ("applied_then_status", {"status": 502}),
    ("delay", {"ms": 5}),
    ("reset_before", {}),
    ("reset_after", {}),
    ("malformed", {}),
    ("truncated", {}),
    ("endless_body", {}),
    ("expire_tokens", {}),
    ("missing_scope", {}),
    ("intune_refused", {}),
]

# What a read retries away when it happens once.
TRANSIENT_FOR_READS = {
    "throttle", "throttle_without_retry_after", "query_broker_throttle", "unavailable",
    "reset_before", "reset_after", "expire_tokens",
}
REFUSALS = {"missing_scope", "intune_refused"}


def _client(sim: Simulator) -> Any:
    return sim.client(retries=3, retry_base_delay=0.0, retry_max_delay=1.0, attempt_timeout=5.0, timeout=20.0)


def _check(sim: Simulator, what: str, e: IntuneAppleError) -> None:
    assert str(e).strip(), what
    assert sim.client_secret not in str(e) and sim.client_secret not in repr(e), what


@pytest.mark.parametrize(("kind", "args"), FAULTS, ids=[f"{k}{a.get('status', '')}" for k, a in FAULTS])
def test_a_fault_once_against_a_read(kind: str, args: dict[str, Any]) -> None:
    with Simulator() as sim:
        sim.add_fault("GET", PUSH, kind, nth=1, **args)
        error: Optional[IntuneAppleError] = None
        try:
            cert = _client(sim).get_push_certificate()
            assert cert.topic_identifier
        except IntuneAppleError as e:
            error = e
            _check(sim, kind, e)
        transient = kind in TRANSIENT_FOR_READS or args.get("status") == 503
        assert (error is None) or not transient, f"{kind}: not retried: {error}"
        if kind in REFUSALS:
            assert isinstance(error, PermissionDeniedError), kind
        assert sim.writes_applied == 0


@pytest.mark.parametrize(("kind", "args"), FAULTS, ids=[f"{k}{a.get('status', '')}" for k, a in FAULTS])
def test_a_fault_once_against_a_write(kind: str, args: dict[str, Any]) -> None:
    with Simulator() as sim:
        sim.add_fault("POST", SYNC, kind, nth=1, **args)
        error: Optional[IntuneAppleError] = None
        try:
            _client(sim).sync_vpp_token_licenses(HQ)
        except IntuneAppleError as e:
            error = e
            _check(sim, kind, e)
        applied = sim.writes_applied
        sent = sum(1 for e in sim.request_log() if e.method == "POST" and e.path.split("?")[0] == SYNC)
        assert applied <= 1, f"{kind}: written {applied} times"
        if error is None:
            assert applied == 1, f"{kind}: a success that wrote nothing"
        elif applied == 1:
            assert isinstance(error, OutcomeUnknownError), f"{kind}: applied, but {error!r}"
        if isinstance(error, OutcomeUnknownError):
            assert sent == 1, f"{kind}: resent blindly"
        if kind in {"throttle", "throttle_without_retry_after", "unavailable", "expire_tokens"}:
            assert error is None, f"{kind}: {error}"
        if kind in {"applied_then_status", "reset_after"}:
            assert isinstance(error, OutcomeUnknownError) and applied == 1, kind
        if kind in REFUSALS:
            assert isinstance(error, PermissionDeniedError), kind
