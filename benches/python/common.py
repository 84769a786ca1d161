"""Shared by the Python measurements: arguments and the result line read by benches/run."""

from __future__ import annotations

import json
import resource
import sys


def args(argv: list[str]) -> dict[str, str]:
    """`--base URL --token T --token-id ID` as a dict."""
    out = {}
    it = iter(argv)
    for key in it:
        out[key.lstrip("-")] = next(it)
    return out


def peak_rss_mib() -> float:
    """Peak resident memory of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(items: int, seconds: float, **extra: object) -> None:
    print(json.dumps({"items": items, "seconds": seconds, "rss_mib": peak_rss_mib(), **extra}))


def skip(reason: str) -> None:
    print(json.dumps({"skip": reason}))
    sys.exit(0)
