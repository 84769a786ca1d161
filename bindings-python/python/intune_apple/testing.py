"""A simulated Intune tenant on 127.0.0.1, in-process, to test automation without a tenant.

>>> from intune_apple.testing import Simulator
>>> with Simulator() as sim:
...     client = sim.client()
...     print(client.get_push_certificate().topic_identifier)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import json
from typing import Any, Optional, Union

from intune_apple import _native
from intune_apple._client import AsyncClient, Client


@dataclass(frozen=True)
class LogEntry:
    """One request the simulator received."""

    method: str
    path: str
    bearer: bool
    status: int
    """0 when the connection was dropped instead of answered."""
    body_size: int
    client_request_id: Optional[str] = None
    """The ``client-request-id`` sent: the same on every retry of one call."""
    applied: bool = False
    """Whether it was a write that changed the tenant (also when its answer was lost)."""


class Simulator:
    """Starts the simulated tenant; a context manager (stops it on exit).

    ``seed``: ``"demo"`` (the documented demo tenant), ``"empty"``, or a dict in the seed
    format of ``docs/simulator.md``; ``devices=N``: one enrollment program token holding N
    generated devices. ``page_size`` sets the items per page of every collection."""

    def __init__(
        self,
        seed: Union[str, dict[str, Any]] = "demo",
        *,
        devices: Optional[int] = None,
        page_size: Optional[int] = None,
        throttle: Optional[bool] = None,
    ) -> None:
        text = seed if isinstance(seed, str) else json.dumps(seed)
        self._sim = _native.NativeSimulator(text, devices, page_size, throttle)
        self.base_url: str = self._sim.base_url
        self.authority_host: str = self._sim.authority_host
        self.tenant_id: str = self._sim.tenant_id
        self.client_id: str = self._sim.client_id
        self.client_secret: str = self._sim.client_secret

    def __repr__(self) -> str:
        return f"Simulator(base_url={self.base_url!r})"

    def _args(self, **overrides: Any) -> dict[str, Any]:
        args: dict[str, Any] = {
            "tenant_id": self.tenant_id, "client_id": self.client_id,
            "client_secret": self.client_secret, "base_url": self.base_url,
            "authority_host": self.authority_host,
        }
        args.update(overrides)
        return args

    def client(self, **options: Any) -> Client:
        """A :class:`Client` signed in to this tenant (``options``: timeouts, retries, ...)."""
        return Client(**self._args(**options))

    def async_client(self, **options: Any) -> AsyncClient:
        """An :class:`AsyncClient` signed in to this tenant."""
        return AsyncClient(**self._args(**options))

    def read_only_client(self, **options: Any) -> Client:
        """A :class:`Client` of an application granted read permissions only (writes get 403)."""
        client_id, secret = self._sim.read_only_client()
        return Client(**self._args(client_id=client_id, client_secret=secret, **options))

    def certificate_client(self, **options: Any) -> Client:
        """A :class:`Client` that signs in with the simulator's test certificate."""
        client_id, pem = self._sim.certificate_client()
        return Client(**self._args(client_id=client_id, client_secret=None, certificate=pem, **options))

    def add_fault(
        self,
        method: str,
        path: str,
        kind: str,
        *,
        retry_after: Optional[str] = None,
        status: Optional[int] = None,
        ms: Optional[int] = None,
        nth: Optional[int] = None,
    ) -> None:
        """Injects a fault on ``method path`` (``path`` ending with ``*`` matches a prefix, e.g.
        ``/beta/deviceManagement/*``): ``throttle`` (429 with ``retry_after``), ``unavailable``
        (503 with ``retry_after``), ``status`` (``status``, not applied), ``applied_then_status``
        (applied, then ``status``), ``delay`` (``ms``), ``reset_before``, ``reset_after``
        (applied, then the connection drops), ``malformed``, ``truncated``, ``foreign_next_link``,
        ``repeat_next_link``, ``cycle_next_link``, ``endless_body``, ``expire_tokens``; and answers of real tenants: ``throttle_without_retry_after`` (429
        without ``Retry-After``), ``query_broker_throttle`` (Intune's HTTP 500 "Rate limit
        reached"), ``missing_scope`` (403 listing the accepted permissions), ``intune_refused``
        (403 from Intune's role, scope tags or licence). ``nth`` hits only the n-th matching
        call."""
        self._sim.add_fault(method, path, kind, retry_after=retry_after, status=status, ms=ms, nth=nth)

    def clear_faults(self) -> None:
        """Removes every fault and restarts the per-route call counts that ``nth`` counts."""
        self._sim.clear_faults()

    def request_log(self) -> list[LogEntry]:
        """Every request received so far, oldest first."""
        return [LogEntry(*entry) for entry in self._sim.request_log()]

    @property
    def writes_applied(self) -> int:
        """How many writes changed the tenant's state."""
        return self._sim.writes_applied()

    def expire_tokens(self) -> None:
        """Expires every access token issued so far."""
        self._sim.expire_tokens()

    def set_throttle(self, on: bool) -> None:
        """Turns Intune's per-tenant throttling on or off."""
        self._sim.set_throttle(on)

    def set_app_throttle(self, on: bool) -> None:
        """Turns Intune's per-app throttling (100 writes / 1,000 requests per 20 s) on or off."""
        self._sim.set_app_throttle(on)

    def set_dep_sync_duration(self, duration: Union[timedelta, float]) -> None:
        """How long a token sync runs (logical clock) before it succeeds; until then it is in
        progress and a new sync is refused."""
        seconds = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
        self._sim.set_dep_sync_duration(seconds)

    def set_page_size(self, n: int) -> None:
        """Items per page of every collection."""
        self._sim.set_page_size(n)

    @property
    def now(self) -> datetime:
        """The tenant's logical clock."""
        return self._sim.now()

    def set_now(self, now: datetime) -> None:
        """Sets the logical clock (tz-aware)."""
        self._sim.set_now(now)

    def advance(self, by: Union[timedelta, float]) -> None:
        """Moves the logical clock forward (a timedelta or seconds)."""
        self._sim.advance(by.total_seconds() if isinstance(by, timedelta) else float(by))

    def shutdown(self) -> None:
        """Stops the server (also on exit of the ``with`` block)."""
        self._sim.shutdown()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


class AppleBusinessSimulator:
    """Starts the simulated Apple Business service (the organisation behind the demo tenant with
    ``seed="demo"``); a context manager. ``reconcile_args()`` are the keyword arguments of
    :meth:`Client.reconcile` for it."""

    def __init__(self, seed: Union[str, dict[str, Any]] = "demo") -> None:
        text = seed if isinstance(seed, str) else json.dumps(seed)
        self._sim = _native.NativeAppleBusinessSimulator(text)
        self.base_url: str = self._sim.base_url
        self.token_url: str = self._sim.token_url
        self.client_id: str = self._sim.client_id
        self.key_id: str = self._sim.key_id

    def __repr__(self) -> str:
        return f"AppleBusinessSimulator(base_url={self.base_url!r})"

    @property
    def private_key_pem(self) -> str:
        """The API account's test-only private key."""
        return self._sim.private_key_pem

    @property
    def tokens_issued(self) -> int:
        """Token requests granted so far."""
        return self._sim.tokens_issued

    def reconcile_args(self) -> dict[str, Any]:
        """``apple_client_id``, ``apple_key_id``, ``apple_private_key``, ``apple_api_url`` and
        ``apple_token_url`` for this service."""
        return {
            "apple_client_id": self.client_id, "apple_key_id": self.key_id,
            "apple_private_key": self.private_key_pem, "apple_api_url": self.base_url,
            "apple_token_url": self.token_url,
        }

    def close(self) -> None:
        """Stops the service."""
        self._sim.close()

    def __enter__(self) -> "AppleBusinessSimulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
