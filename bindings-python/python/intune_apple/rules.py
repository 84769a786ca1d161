"""The pure rules of the core: credential health, sync throttling, enrollment profile
validation and renewal guidance. ``now`` defaults to the current time (UTC)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, Optional, Union

from intune_apple import _native
from intune_apple._open_enum import OpenEnum
from intune_apple.models import (
    ApplePushNotificationCertificate,
    AssignmentKey,
    AssignmentPlan,
    DepOnboardingSetting,
    DuplicateFindings,
    EnrollmentProfile,
    MobileApp,
    MobileAppAssignment,
    TokenRoles,
    VppToken,
)

Problem = _native.Problem
TokenHealth = _native.TokenHealth
SyncDecision = _native.SyncDecision
Violation = _native.Violation
Guidance = _native.Guidance


class Severity(OpenEnum):
    """How urgent a credential or a problem is, from harmless to worst."""

    OK = "ok"
    UNKNOWN = "unknown"
    WARNING = "warning"
    CRITICAL = "critical"
    EXPIRED = "expired"

    @property
    def rank(self) -> int:
        """0 (ok) to 4 (expired), to sort or take the worst."""
        order = ["ok", "unknown", "warning", "critical", "expired"]
        return order.index(self.value) if self.value in order else 1


class TokenKind(OpenEnum):
    """Which Apple credential."""

    PUSH_CERTIFICATE = "push_certificate"
    ENROLLMENT_PROGRAM_TOKEN = "enrollment_program_token"
    VPP_TOKEN = "vpp_token"


def _now(now: Optional[datetime]) -> datetime:
    return now if now is not None else datetime.now(timezone.utc)


def push_certificate_health(
    certificate: ApplePushNotificationCertificate,
    now: Optional[datetime] = None,
    *,
    warning_days: int = 30,
    critical_days: int = 7,
    locale: str = "en",
) -> TokenHealth:
    """Severity and problems of the push certificate (expiry, 30-day grace period)."""
    return _native.push_certificate_health(certificate, _now(now), warning_days, critical_days, locale)


def enrollment_program_token_health(
    token: DepOnboardingSetting,
    now: Optional[datetime] = None,
    *,
    warning_days: int = 30,
    critical_days: int = 7,
    locale: str = "en",
) -> TokenHealth:
    """Severity and problems of an enrollment program token (expiry, sync errors, stale sync)."""
    return _native.enrollment_program_token_health(token, _now(now), warning_days, critical_days, locale)


def vpp_token_health(
    token: VppToken,
    now: Optional[datetime] = None,
    *,
    warning_days: int = 30,
    critical_days: int = 7,
    locale: str = "en",
) -> TokenHealth:
    """Severity and problems of a VPP token (expiry, state, licence sync)."""
    return _native.vpp_token_health(token, _now(now), warning_days, critical_days, locale)


def decide_sync(
    token: Optional[DepOnboardingSetting] = None,
    now: Optional[datetime] = None,
    *,
    last_triggered: Optional[datetime] = None,
    last_successful: Optional[datetime] = None,
    last_full_sync: Optional[datetime] = None,
    full: bool = False,
    macos: bool = False,
) -> SyncDecision:
    """Whether Intune would accept a manual sync of the token now (or a full sync with
    ``full=True``), and if not, why and from when. Give the token, or its times."""
    return _native.sync_decision(
        _now(now), token, last_triggered=last_triggered, last_successful=last_successful,
        last_full_sync=last_full_sync, full=full, macos=macos,
    )


def validate_enrollment_profile(
    profile: Union[EnrollmentProfile, dict[str, Any]],
    now: Optional[datetime] = None,
    *,
    vpp_tokens: Sequence[VppToken] = (),
    profiles_on_token: int = 1,
) -> list[Violation]:
    """Every broken rule of an enrollment profile at once (errors first), each with the Graph
    field it is about. ``profile`` is a profile object or Graph JSON as a dict."""
    return _native.validate_profile(profile, _now(now), list(vpp_tokens), profiles_on_token)


def validate_device_name_template(template: str) -> list[Violation]:
    """The violations of a device name template (only ``{{SERIAL}}`` and ``{{DEVICETYPE}}``,
    at most 63 characters)."""
    return _native.validate_device_name_template(template)


def renewal_guidance(kind: Union[TokenKind, str], apple_id: Optional[str] = None, locale: str = "en") -> Guidance:
    """What happens if this kind of credential lapses, and the renewal steps."""
    return _native.guidance(str(kind), apple_id, locale)


def vpp_token_usable(token: VppToken, now: Optional[datetime] = None) -> bool:
    """Whether the VPP token can still deliver apps (valid or a duplicate location, not expired)."""
    return _native.vpp_token_usable(token, _now(now))


def superseded_tokens(tokens: Sequence[VppToken], now: Optional[datetime] = None) -> TokenRoles:
    """Which VPP tokens are superseded by another token of the same location, and the
    locations that cannot be decided."""
    return _native.superseded_tokens(list(tokens), _now(now))


def find_duplicate_apps(
    tokens: Sequence[VppToken], apps: Sequence[MobileApp], now: Optional[datetime] = None
) -> DuplicateFindings:
    """The apps present under an old and the current token of one location, and the apps of old
    tokens with no counterpart (the planning half of ``Client.repair_duplicate_apps``)."""
    return _native.find_duplicate_apps(list(tokens), list(apps), _now(now))


def assignment_key(assignment: MobileAppAssignment) -> Optional[AssignmentKey]:
    """What an assignment targets, as the duplicate repair compares them."""
    return _native.assignment_key(assignment)


def plan_assignments(
    target_current: Sequence[MobileAppAssignment], sources: Sequence[MobileAppAssignment]
) -> AssignmentPlan:
    """Which of ``sources``' assignments to copy onto an app that already has
    ``target_current``: to copy, already present, conflicts, not copied, and the merged list."""
    return _native.plan_assignments(list(target_current), list(sources))


__all__ = [
    "Severity", "TokenKind", "Problem", "TokenHealth", "SyncDecision", "Violation", "Guidance",
    "push_certificate_health", "enrollment_program_token_health", "vpp_token_health",
    "decide_sync", "validate_enrollment_profile", "validate_device_name_template", "renewal_guidance",
    "vpp_token_usable", "superseded_tokens", "find_duplicate_apps", "assignment_key",
    "plan_assignments",
]
