"""Dry run of a VPP duplicate-app repair.

Uploading a renewed .vpptoken as a NEW token (instead of into the existing one) leaves two
tokens for one location and every app twice: the old copies keep the assignments, the new ones
get the licences. This prints what the repair would copy onto the apps of the current token,
and which old tokens could then be deleted. Nothing is changed; pass --apply to write.

Runs against the simulated tenant unless credentials are set in the environment.
"""

from __future__ import annotations

import contextlib
import os
import sys

from intune_apple import Client
from intune_apple.testing import Simulator


def connect(stack: contextlib.ExitStack) -> Client:
    """The tenant from the environment, or a simulated one."""
    if os.environ.get("AZURE_CLIENT_ID") or os.environ.get("INTUNE_APPLE_ACCESS_TOKEN"):
        return stack.enter_context(Client.from_env())
    sim = stack.enter_context(Simulator())
    return stack.enter_context(sim.client())


def main(argv: list[str]) -> int:
    apply = "--apply" in argv
    with contextlib.ExitStack() as stack:
        client = connect(stack)
        report = client.repair_duplicate_apps(apply=apply)
    print("Dry run: nothing is changed." if report.dry_run else "Applied.")
    for app in report.apps:
        print(f"{app.display_name or app.bundle_id} ({app.bundle_id}): {app.outcome}")
        for item in app.to_copy:
            target = item.key.target_id or ""
            print(f"  copy {item.intent} assignment to {item.key.target_type} {target} "
                  f"from {', '.join(app.source_app_ids)} onto {app.target_app_id}")
        for conflict in app.conflicts:
            print(f"  keep {conflict.kept_intent} on {conflict.key.target_type} (old app had {conflict.old_intent})")
        for skipped in app.not_copied:
            print(f"  not copied: {skipped.reason}")
    for orphan in report.orphans:
        print(f"{orphan.app.display_name}: only on the old token ({orphan.assignment_count} assignment(s))")
    for token in report.old_tokens:
        state = "can be deleted" if token.can_delete else "keep for now"
        print(f"old token {token.token_id} ({token.location}) replaced by {token.replaced_by}: {state}")
        for blocker in token.blockers:
            print(f"  - {blocker}")
        print(f"  next: {token.next_step}")
    for reason in report.unresolved:
        print(f"unresolved: {reason}")
    if not (report.apps or report.old_tokens or report.unresolved):
        print("No duplicate VPP apps.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
