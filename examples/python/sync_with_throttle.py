"""Sync every enrollment program token with Apple, without being refused.

Intune allows a manual sync at most every 15 minutes and none while one runs; it throttles
each tenant (200 writes / 2,000 requests per 20 s). This script asks the rules first, skips
tokens that are not due yet, and reports when each can be synced.

Runs against the simulated tenant unless credentials are set in the environment.
"""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import datetime, timezone

from intune_apple import Client, SyncTooSoonError, ThrottledError, rules
from intune_apple.testing import Simulator


def connect(stack: contextlib.ExitStack) -> Client:
    """The tenant from the environment, or a simulated one."""
    if os.environ.get("AZURE_CLIENT_ID") or os.environ.get("INTUNE_APPLE_ACCESS_TOKEN"):
        return stack.enter_context(Client.from_env())
    sim = stack.enter_context(Simulator())
    return stack.enter_context(sim.client())


def sync_all(client: Client, now: datetime) -> list[str]:
    report: list[str] = []
    for token in client.enrollment_program_tokens():
        name = token.token_name or token.id or "?"
        decision = rules.decide_sync(token, now)
        if not decision:
            report.append(f"{name}: not now ({decision.reason}); next at {decision.next_allowed_at:%H:%M} UTC")
            continue
        try:
            client.sync_enrollment_program_token(token.id or "")
            report.append(f"{name}: sync started")
        except SyncTooSoonError as e:
            # Another admin (or Intune itself) synced in between.
            report.append(f"{name}: refused by Intune; next at {e.next_allowed_at}")
        except ThrottledError as e:
            report.append(f"{name}: throttled; retry in {e.retry_after} s")
            break
    return report


def main() -> int:
    with contextlib.ExitStack() as stack:
        client = connect(stack)
        for line in sync_all(client, datetime.now(timezone.utc)):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
