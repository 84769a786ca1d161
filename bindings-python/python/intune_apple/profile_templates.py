"""Enrollment profiles as code: a template file (JSON) describing a desired enrollment
profile, its drift across the tokens of one or many tenants, a plan of the writes that bring
them to it, the apply, and the export of a template from an existing profile.

``tenants`` is one client, or a mapping ``{name: client}`` (the name selects the tenant's
placeholder values in ``values``). ``template`` and ``values`` are the JSON texts of the files
described in ``docs/profiles.md``. Every function has an ``_async`` twin."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

from intune_apple import _native
from intune_apple._client import AsyncClient, Client

AnyClient = Union[Client, AsyncClient]
Tenants = Union[AnyClient, Mapping[str, AnyClient]]
ProfileReport = _native.ProfileReport


def _pairs(tenants: Tenants) -> list[tuple[str, _native.NativeClient]]:
    if isinstance(tenants, (Client, AsyncClient)):
        return [("", tenants._c)]
    return [(name, client._c) for name, client in tenants.items()]


def _tokens(tokens: Optional[Sequence[str]]) -> Optional[list[str]]:
    if isinstance(tokens, str):
        return [tokens]
    return None if tokens is None else list(tokens)


def profile_drift(
    tenants: Tenants, template: str, *, values: Optional[str] = None,
    tokens: Optional[Sequence[str]] = None,
) -> ProfileReport:
    """The drift of ``template`` on the tokens (all, or those named or given by id in
    ``tokens``) of every tenant. Reads only. ``exit_code``: 0 no drift, 1 drift, 2 could not
    check."""
    return _native.profile_drift(_pairs(tenants), template, values=values, tokens=_tokens(tokens)).wait()


async def profile_drift_async(
    tenants: Tenants, template: str, *, values: Optional[str] = None,
    tokens: Optional[Sequence[str]] = None,
) -> ProfileReport:
    """As :func:`profile_drift`, awaited."""
    return await _native.profile_drift(_pairs(tenants), template, values=values, tokens=_tokens(tokens)).future()


def plan_profile_apply(
    tenants: Tenants, template: str, *, values: Optional[str] = None,
    tokens: Optional[Sequence[str]] = None,
) -> ProfileReport:
    """Every write an apply would make, in order; writes nothing."""
    return _native.plan_profile_apply(_pairs(tenants), template, values=values, tokens=_tokens(tokens)).wait()


async def plan_profile_apply_async(
    tenants: Tenants, template: str, *, values: Optional[str] = None,
    tokens: Optional[Sequence[str]] = None,
) -> ProfileReport:
    """As :func:`plan_profile_apply`, awaited."""
    return await _native.plan_profile_apply(_pairs(tenants), template, values=values, tokens=_tokens(tokens)).future()


def apply_profile_template(
    tenants: Tenants, template: str, *, values: Optional[str] = None,
    tokens: Optional[Sequence[str]] = None, apply: bool = False,
) -> ProfileReport:
    """Brings the tokens to the template; with ``apply=False`` (the default) only plans. The
    report says what was done, what failed and what was not attempted."""
    return _native.apply_profile_template(
        _pairs(tenants), template, values=values, tokens=_tokens(tokens), apply=apply
    ).wait()


async def apply_profile_template_async(
    tenants: Tenants, template: str, *, values: Optional[str] = None,
    tokens: Optional[Sequence[str]] = None, apply: bool = False,
) -> ProfileReport:
    """As :func:`apply_profile_template`, awaited."""
    return await _native.apply_profile_template(
        _pairs(tenants), template, values=values, tokens=_tokens(tokens), apply=apply
    ).future()


def export_profile_template(
    client: AnyClient, token_id: str, profile_id: str, *, placeholders: bool = True
) -> dict[str, Any]:
    """A template from an existing profile: ``{"template": ..., "values": ..., "notes": ...}``
    (write ``json.dumps(result["template"])`` to a file)."""
    out: dict[str, Any] = json.loads(
        _native.export_profile_template(client._c, token_id, profile_id, placeholders=placeholders).wait()
    )
    return out


async def export_profile_template_async(
    client: AnyClient, token_id: str, profile_id: str, *, placeholders: bool = True
) -> dict[str, Any]:
    """As :func:`export_profile_template`, awaited."""
    out: dict[str, Any] = json.loads(
        await _native.export_profile_template(client._c, token_id, profile_id, placeholders=placeholders).future()
    )
    return out


__all__ = [
    "ProfileReport", "profile_drift", "profile_drift_async", "plan_profile_apply",
    "plan_profile_apply_async", "apply_profile_template", "apply_profile_template_async",
    "export_profile_template", "export_profile_template_async",
]
