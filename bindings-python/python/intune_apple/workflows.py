"""The multi-step workflows of the core, beyond single calls: the health report (also across
many tenants), safe renewals, profile workflows and the VPP duplicate-app repair. Most are
methods of :class:`~intune_apple.Client` / :class:`~intune_apple.AsyncClient`
(``client.health_report()``, ``client.renew_vpp_token(...)``, ...); this module adds the
functions that are not about one client, and the report classes."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional, Union

from intune_apple import _native
from intune_apple._client import AsyncClient, Client
from intune_apple.models import (
    AppRef,
    AppRepair,
    AssignmentConflict,
    AssignmentKey,
    AssignmentSummary,
    CsrDownload,
    DefaultProfileSet,
    DepRenewalReport,
    DeviceResult,
    DuplicateRepairReport,
    HealthReport,
    ItemSync,
    NotCopied,
    OldToken,
    OrphanApp,
    ProfileCheck,
    ProfileCreated,
    PushRenewalReport,
    Refusal,
    ReportError,
    ReportItem,
    ReportProblem,
    SerialAssignmentReport,
    SerialList,
    Step,
    TokenProfilesCheck,
    ViolationSummary,
    VppRenewalReport,
)

AnyClient = Union[Client, AsyncClient]


def _pending(
    tenants: Mapping[str, AnyClient],
    as_of: Optional[datetime],
    warning_days: int,
    critical_days: int,
    locale: str,
    include_apps: bool,
    concurrency: Optional[int],
) -> _native.Pending[list[tuple[str, HealthReport]]]:
    return _native.scan_tenants(
        [(name, client._c) for name, client in tenants.items()], as_of=as_of,
        warning_days=warning_days, critical_days=critical_days, locale=locale,
        include_apps=include_apps, concurrency=concurrency,
    )


def scan_tenants(
    tenants: Mapping[str, AnyClient],
    *,
    as_of: Optional[datetime] = None,
    warning_days: int = 30,
    critical_days: int = 7,
    locale: str = "en",
    include_apps: bool = False,
    concurrency: Optional[int] = None,
) -> list[tuple[str, HealthReport]]:
    """The health report of every tenant (``{name: client}``), in the order given, at most
    ``concurrency`` tenants at a time (default 100: Intune's limits are per tenant)."""
    return _pending(tenants, as_of, warning_days, critical_days, locale, include_apps, concurrency).wait()


async def scan_tenants_async(
    tenants: Mapping[str, AnyClient],
    *,
    as_of: Optional[datetime] = None,
    warning_days: int = 30,
    critical_days: int = 7,
    locale: str = "en",
    include_apps: bool = False,
    concurrency: Optional[int] = None,
) -> list[tuple[str, HealthReport]]:
    """As :func:`scan_tenants`, awaited."""
    return await _pending(
        tenants, as_of, warning_days, critical_days, locale, include_apps, concurrency
    ).future()


def parse_serial_numbers(text: str) -> SerialList:
    """Reads serial numbers: one per line, or a CSV export with a serial number column;
    reports duplicates and invalid entries."""
    return _native.parse_serial_numbers(text)


@dataclass(frozen=True)
class ChannelOutcome:
    """What one channel made of a notification."""

    channel: str
    """The channel as shown to people (``slack``, ``webhook (signed)``, ``email to a@b``): never
    its URL."""
    delivered: bool
    error: Optional[str] = None
    """Why it was not delivered, and what to do (never the URL)."""


@dataclass(frozen=True)
class NotifyRun:
    """What :func:`notify` did. Holds no URL and no secret."""

    due: bool
    """Something changed since the last notification (or ``always``): a notification was sent
    to every channel."""
    sent: bool
    """At least one channel received it."""
    delivered: bool
    """Every channel received it (also ``True`` when nothing was due)."""
    succeeded: bool
    """Every channel delivered and the state, when asked for, saved: a job should fail
    otherwise."""
    notice: Optional[str] = None
    """About the state file: damaged and rebuilt from this run."""
    changes: list[dict[str, Any]] = field(default_factory=list)
    """What changed, in the JSON shape of the webhook event's ``changes`` (times as RFC 3339
    text)."""
    outcomes: list[ChannelOutcome] = field(default_factory=list)
    """One per channel, in their order (empty when nothing was due)."""
    state_saved: bool = False
    """The new state was written (not when nothing was due, a channel failed, or writing
    failed)."""
    state_error: Optional[str] = None
    """Why the state could not be written."""

    @classmethod
    def _from_json(cls, v: dict[str, Any]) -> NotifyRun:
        return cls(
            due=v["due"], sent=v["sent"], delivered=v["delivered"], succeeded=v["succeeded"],
            notice=v["notice"], changes=v["changes"],
            outcomes=[ChannelOutcome(o["channel"], o["delivered"], o["error"]) for o in v["outcomes"]],
            state_saved=v["stateSaved"], state_error=v["stateError"],
        )


Reports = Union[HealthReport, Sequence[tuple[str, HealthReport]]]


def render_scan(format: str, reports: Reports) -> str:
    """The reports of :func:`scan_tenants` in one document of ``format`` (``prometheus``,
    ``openmetrics``, ``nagios``, ``checkmk``, ``html``, ``json``, ``markdown``, ``table`` or
    ``ics``): one metrics file with a ``tenant`` label, one page across tenants."""
    pairs = [("", reports)] if isinstance(reports, HealthReport) else list(reports)
    return _native.render_scan(format, pairs)


def scan_exit_code(reports: Reports, format: Optional[str] = None) -> int:
    """The exit code of a scan (or of one report): the worst report's, 0 for none; with
    ``format="nagios"`` the Nagios code of the whole scan (0 OK, 1 WARNING, 2 CRITICAL,
    3 UNKNOWN)."""
    pairs = [("", reports)] if isinstance(reports, HealthReport) else list(reports)
    return _native.scan_exit_code(pairs, format)


def _notify_pending(
    reports: Reports,
    channels: Sequence[str],
    state_path: Union[str, os.PathLike[str], None],
    always: bool,
    thresholds_days: Optional[Sequence[int]],
    mail_from: Optional[str],
    webhook_secret: Optional[str],
    max_attempts: Optional[int],
    timeout_seconds: Optional[int],
    client: Optional[AnyClient],
) -> _native.Pending[dict[str, Any]]:
    pairs = [("", reports)] if isinstance(reports, HealthReport) else list(reports)
    if isinstance(channels, str):
        channels = [channels]
    return _native.notify(
        pairs, channels=list(channels), state_path=None if state_path is None else os.fspath(state_path),
        always=always, thresholds_days=None if thresholds_days is None else list(thresholds_days),
        mail_from=mail_from, webhook_secret=webhook_secret, max_attempts=max_attempts,
        timeout_seconds=timeout_seconds, client=None if client is None else client._c,
    )


def notify(
    reports: Reports,
    *,
    channels: Sequence[str] = (),
    state_path: Union[str, os.PathLike[str], None] = None,
    always: bool = False,
    thresholds_days: Optional[Sequence[int]] = None,
    mail_from: Optional[str] = None,
    webhook_secret: Optional[str] = None,
    max_attempts: Optional[int] = None,
    timeout_seconds: Optional[int] = None,
    client: Optional[AnyClient] = None,
) -> NotifyRun:
    """Sends the notifications the change-state calls for (``docs/alerts.md``).

    ``reports`` is a :class:`HealthReport` or what :func:`scan_tenants` returns
    (``(tenant, report)`` pairs). ``channels`` are ``teams=URL``, ``slack=URL``, ``webhook=URL``
    or ``email=ADDR[,ADDR]`` (keep the URLs in the environment: they are secrets). With
    ``state_path`` it notifies only when something changed since the last notification, and
    saves the state only once every channel delivered, so a failed alert is sent again by the
    next run. ``thresholds_days``: days before expiry that notify (default 30, 14, 7, 3, 1);
    ``always``: a digest on every run; ``webhook_secret``: the Standard Webhooks secret
    (``whsec_...``); ``client`` sends ``email=`` channels through Graph ``sendMail`` from
    ``mail_from``; ``max_attempts`` (1 to 10, default 4) and ``timeout_seconds`` (1 to 600,
    default 20) per channel. A bad channel or number raises ``InvalidInputError``; a channel
    that fails is in :attr:`NotifyRun.outcomes`."""
    return NotifyRun._from_json(_notify_pending(
        reports, channels, state_path, always, thresholds_days, mail_from, webhook_secret,
        max_attempts, timeout_seconds, client,
    ).wait())


async def notify_async(
    reports: Reports,
    *,
    channels: Sequence[str] = (),
    state_path: Union[str, os.PathLike[str], None] = None,
    always: bool = False,
    thresholds_days: Optional[Sequence[int]] = None,
    mail_from: Optional[str] = None,
    webhook_secret: Optional[str] = None,
    max_attempts: Optional[int] = None,
    timeout_seconds: Optional[int] = None,
    client: Optional[AnyClient] = None,
) -> NotifyRun:
    """As :func:`notify`, awaited."""
    return NotifyRun._from_json(await _notify_pending(
        reports, channels, state_path, always, thresholds_days, mail_from, webhook_secret,
        max_attempts, timeout_seconds, client,
    ).future())


__all__ = [
    "scan_tenants", "scan_tenants_async", "parse_serial_numbers", "render_scan", "scan_exit_code", "notify", "notify_async",
    "NotifyRun", "ChannelOutcome",
    "HealthReport", "ReportItem", "ReportProblem", "ReportError", "ItemSync", "PushRenewalReport",
    "CsrDownload", "DepRenewalReport", "VppRenewalReport", "Step", "Refusal",
    "DuplicateRepairReport", "AppRepair", "AssignmentSummary", "AssignmentKey",
    "AssignmentConflict", "NotCopied", "OrphanApp", "OldToken", "AppRef", "ProfileCreated",
    "ViolationSummary", "SerialList", "DeviceResult", "SerialAssignmentReport",
    "DefaultProfileSet", "TokenProfilesCheck", "ProfileCheck",
]
