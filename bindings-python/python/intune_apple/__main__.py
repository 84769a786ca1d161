"""``python -m intune_apple health``: the tenant health report, for a cron job or a runbook.

The same command as the Rust ``health`` example: the same options, output and exit codes
(``docs/report.md``). Without credentials in the environment it reports on the simulated demo
tenant and says so first (on stderr for ``json`` and ``ics``, so that stdout stays
machine-readable).

Exit codes: 0 all ok; 1 warning, critical or unknown; 2 expired, a section could not be read or
the client could not be set up; 64 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from typing import NoReturn, Optional, Sequence

from intune_apple._client import Client
from intune_apple.errors import IntuneAppleError

EXIT_USAGE = 64

_CREDENTIAL_VARIABLES = (
    "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
    "INTUNE_APPLE_GRAPH_URL", "INTUNE_APPLE_ACCESS_TOKEN",
    # Where a scheduled job runs: managed identity, workload identity, the chain's selector.
    "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    "AZURE_FEDERATED_TOKEN_FILE", "ACTIONS_ID_TOKEN_REQUEST_URL", "AZURE_TOKEN_CREDENTIALS",
)

_EPILOG = """\
credentials (from the environment; without any, the simulated demo tenant is used):
  AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or AZURE_CLIENT_CERTIFICATE_PATH
  (PEM or .pfx, with AZURE_CLIENT_CERTIFICATE_PASSWORD when it has one), or
  INTUNE_APPLE_GRAPH_URL and INTUNE_APPLE_ACCESS_TOKEN.

exit codes: 0 all ok; 1 warning, critical or unknown; 2 expired or a call failed;
64 bad arguments.
"""


class _Parser(argparse.ArgumentParser):
    """Bad arguments exit with 64 (EX_USAGE), as the Rust command does, not argparse's 2:
    2 means "something expired" to a scheduler watching the exit code."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = -1
    if not 0 <= days <= 3650:
        raise argparse.ArgumentTypeError(f"must be a whole number of days from 0 to 3650, not {text!r}")
    return days


def _instant(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"must be an RFC 3339 time with its offset, such as 2027-01-01T00:00:00Z, not {text!r}")
    return at


def _parser() -> _Parser:
    parser = _Parser(prog="python -m intune_apple",
                     description="Apple credentials of an Intune tenant, from the command line.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    health = commands.add_parser(
        "health", help="report on the push certificate, enrollment program tokens and VPP tokens",
        description="Report on the Apple credentials of an Intune tenant: push certificate, "
                    "enrollment program tokens, VPP tokens (and the VPP apps).",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    health.add_argument("--format", choices=["table", "markdown", "md", "json", "ics"], default="table",
                        help="table (default), markdown, json or ics")
    health.add_argument("--as-of", type=_instant, metavar="RFC3339",
                        help="evaluate at this instant instead of now (e.g. 2027-01-01T00:00:00Z)")
    health.add_argument("--warning-days", type=_days, default=30, metavar="N",
                        help="warning when at most N days are left (default 30)")
    health.add_argument("--critical-days", type=_days, default=7, metavar="N",
                        help="critical when at most N days are left (default 7)")
    health.add_argument("--locale", choices=["en", "fr"], default="en", help="en (default) or fr")
    health.add_argument("--no-apps", action="store_true",
                        help="do not read the VPP apps (skips the duplicate-app checks)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line and returns its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.critical_days > args.warning_days:
        parser.error(f"--critical-days ({args.critical_days}) must not be more than "
                     f"--warning-days ({args.warning_days})")
    fmt = "markdown" if args.format == "md" else args.format
    if any(os.environ.get(name) for name in _CREDENTIAL_VARIABLES):
        try:
            client = Client.from_env()
        except IntuneAppleError as e:
            print(f"health: cannot set up the Graph client: {e}", file=sys.stderr)
            return 2
        return _report(client, args, fmt)
    from intune_apple.testing import Simulator

    with Simulator("demo") as sim:
        notice = ("No credentials set (AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET, or "
                  "INTUNE_APPLE_GRAPH_URL + INTUNE_APPLE_ACCESS_TOKEN): reporting on the simulated "
                  f"demo tenant at {sim.base_url}.")
        if fmt in ("json", "ics"):
            print(notice, file=sys.stderr)
        elif fmt == "markdown":
            print(f"> {notice}\n")
        else:
            print(notice)
        with sim.client() as client:
            return _report(client, args, fmt)


def _report(client: Client, args: argparse.Namespace, fmt: str) -> int:
    report = client.health_report(as_of=args.as_of, warning_days=args.warning_days,
                                  critical_days=args.critical_days, locale=args.locale,
                                  include_apps=not args.no_apps)
    if fmt == "table":
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        sys.stdout.write(report.to_table(color))
    elif fmt == "markdown":
        sys.stdout.write(report.to_markdown())
    elif fmt == "json":
        sys.stdout.write(report.to_json() + "\n")
    else:
        sys.stdout.write(report.to_ics())
    sys.stdout.flush()
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
