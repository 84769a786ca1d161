"""Health of the tenant's Apple credentials as email-ready Markdown.

Runs against the simulated tenant unless credentials are set in the environment
(AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH).
Exits 0 when all is well, 1 when something needs attention, 2 when something expired or could
not be read, so that a scheduler can alert on it.

    python examples/python/health_report.py > report.md
    python examples/python/health_report.py --ics > renewals.ics
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
    with contextlib.ExitStack() as stack:
        client = connect(stack)
        report = client.health_report(warning_days=30, critical_days=7)
    sys.stdout.write(report.to_ics() if "--ics" in argv else report.to_markdown())
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
