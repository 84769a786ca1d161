"""The multi-step workflows of the core, beyond single calls: the health report (also across
many tenants), safe renewals, profile workflows and the VPP duplicate-app repair. Most are
methods of :class:`~intune_apple.Client` / :class:`~intune_apple.AsyncClient`
(``client.health_report()``, ``client.renew_vpp_token(...)``, ...); this module adds the
functions that are not about one client, and the report classes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Optional, Union

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
    ProfileCreated,
    PushRenewalReport,
    Refusal,
    ReportError,
    ReportItem,
    ReportProblem,
    SerialAssignmentReport,
    SerialList,
    Step,
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
    concurrency: int,
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
    concurrency: int = 4,
) -> list[tuple[str, HealthReport]]:
    """The health report of every tenant (``{name: client}``), in the order given, at most
    ``concurrency`` tenants at a time."""
    return _pending(tenants, as_of, warning_days, critical_days, locale, include_apps, concurrency).wait()


async def scan_tenants_async(
    tenants: Mapping[str, AnyClient],
    *,
    as_of: Optional[datetime] = None,
    warning_days: int = 30,
    critical_days: int = 7,
    locale: str = "en",
    include_apps: bool = False,
    concurrency: int = 4,
) -> list[tuple[str, HealthReport]]:
    """As :func:`scan_tenants`, awaited."""
    return await _pending(
        tenants, as_of, warning_days, critical_days, locale, include_apps, concurrency
    ).future()


def parse_serial_numbers(text: str) -> SerialList:
    """Reads serial numbers: one per line, or a CSV export with a serial number column;
    reports duplicates and invalid entries."""
    return _native.parse_serial_numbers(text)


__all__ = [
    "scan_tenants", "scan_tenants_async", "parse_serial_numbers",
    "HealthReport", "ReportItem", "ReportProblem", "ReportError", "ItemSync", "PushRenewalReport",
    "CsrDownload", "DepRenewalReport", "VppRenewalReport", "Step", "Refusal",
    "DuplicateRepairReport", "AppRepair", "AssignmentSummary", "AssignmentKey",
    "AssignmentConflict", "NotCopied", "OrphanApp", "OldToken", "AppRef", "ProfileCreated",
    "ViolationSummary", "SerialList", "DeviceResult", "SerialAssignmentReport",
    "DefaultProfileSet",
]
