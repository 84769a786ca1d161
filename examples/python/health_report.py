"""Health of the tenant's Apple credentials as email-ready Markdown.

Runs against the simulated tenant unless credentials are set in the environment
(AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH).

    python examples/python/health_report.py > report.md
"""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import datetime, timezone

from intune_apple import Client, NotFoundError, rules
from intune_apple.rules import TokenHealth
from intune_apple.testing import Simulator


def connect(stack: contextlib.ExitStack) -> Client:
    """The tenant from the environment, or a simulated one."""
    if os.environ.get("AZURE_CLIENT_ID") or os.environ.get("INTUNE_APPLE_ACCESS_TOKEN"):
        return stack.enter_context(Client.from_env())
    sim = stack.enter_context(Simulator())
    return stack.enter_context(sim.client())


def collect(client: Client, now: datetime) -> list[TokenHealth]:
    """The health of every credential, worst first."""
    out: list[TokenHealth] = []
    try:
        out.append(rules.push_certificate_health(client.get_push_certificate(), now))
    except NotFoundError:
        pass
    out += [rules.enrollment_program_token_health(t, now) for t in client.enrollment_program_tokens()]
    out += [rules.vpp_token_health(t, now) for t in client.vpp_tokens()]
    return sorted(out, key=lambda h: -h.severity.rank)


def to_markdown(items: list[TokenHealth], now: datetime) -> str:
    lines = [f"# Apple credentials of the Intune tenant ({now:%Y-%m-%d})", "",
             "| Severity | Credential | Name | Expires | Days left |", "|---|---|---|---|---|"]
    for h in items:
        expires = f"{h.expires_at:%Y-%m-%d}" if h.expires_at else "unknown"
        days = "" if h.days_left is None else str(h.days_left)
        lines.append(f"| {h.severity} | {h.kind} | {h.display_name or h.id or ''} | {expires} | {days} |")
    problems = [(h, p) for h in items for p in h.problems]
    if problems:
        lines += ["", "## What to do", ""]
        for h, p in problems:
            lines.append(f"- **{h.display_name or h.kind}** ({p.severity}): {p.message}")
    return "\n".join(lines) + "\n"


def main() -> int:
    now = datetime.now(timezone.utc)
    with contextlib.ExitStack() as stack:
        client = connect(stack)
        sys.stdout.write(to_markdown(collect(client, now), now))
    return 0


if __name__ == "__main__":
    sys.exit(main())
