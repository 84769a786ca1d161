"""Dry run of a VPP duplicate-app repair.

Uploading a renewed .vpptoken as a NEW token (instead of into the existing one) leaves two
tokens for one location and every app twice: the old copies keep the assignments, the new
ones get the licences. This script finds such duplicates (same bundle id, different VPP
tokens) and prints, without changing anything, which assignments would move to the app of
the token that is still usable.

Runs against the simulated tenant unless credentials are set in the environment.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import defaultdict
from datetime import datetime, timezone

from intune_apple import Client, IosVppApp, MacOsVppApp, VppToken, VppTokenState
from intune_apple.testing import Simulator

VppApp = (IosVppApp, MacOsVppApp)
NEVER = datetime.min.replace(tzinfo=timezone.utc)


def connect(stack: contextlib.ExitStack) -> Client:
    """The tenant from the environment, or a simulated one."""
    if os.environ.get("AZURE_CLIENT_ID") or os.environ.get("INTUNE_APPLE_ACCESS_TOKEN"):
        return stack.enter_context(Client.from_env())
    sim = stack.enter_context(Simulator())
    return stack.enter_context(sim.client())


def usable(token: VppToken) -> bool:
    return token.state in (VppTokenState.VALID, VppTokenState.DUPLICATE_LOCATION_ID)


def plan(client: Client) -> list[str]:
    tokens = {t.id: t for t in client.vpp_tokens()}
    by_bundle: dict[tuple[str, str], list[IosVppApp | MacOsVppApp]] = defaultdict(list)
    for app in client.vpp_apps():
        if isinstance(app, VppApp) and app.bundle_id:
            by_bundle[(type(app).__name__, app.bundle_id)].append(app)
    lines: list[str] = []
    for (_, bundle), apps in sorted(by_bundle.items()):
        if len({a.vpp_token_id for a in apps}) < 2:
            continue

        def rank(app: IosVppApp | MacOsVppApp) -> tuple[bool, datetime]:
            token = tokens.get(app.vpp_token_id)
            if token is None:
                return (False, NEVER)
            return (usable(token), token.expiration_date_time or NEVER)

        keep = max(apps, key=rank)
        lines.append(f"{bundle}: keep {keep.display_name} ({keep.id}) of token {keep.vpp_token_display_name or keep.vpp_token_id}")
        for app in apps:
            if app is keep:
                continue
            assignments = list(client.app_assignments(app.id or ""))
            lines.append(f"  would move {len(assignments)} assignment(s) from {app.id} "
                         f"(token {app.vpp_token_display_name or app.vpp_token_id}) to {keep.id}")
    return lines or ["no duplicate VPP apps"]


def main() -> int:
    with contextlib.ExitStack() as stack:
        client = connect(stack)
        print("Dry run: nothing is changed.")
        for line in plan(client):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
