"""Shared by the Python measurements: arguments and the result line read by benches/run."""

from __future__ import annotations

import json
import resource
import sys
import time


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


def cpu_seconds() -> float:
    """User + system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Stopwatch:
    """Wall-clock and CPU time since it was made."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = cpu_seconds()


def report(items: int, clock: Stopwatch, **extra: object) -> None:
    """Prints the result line: items, wall and CPU seconds since `clock`, peak RSS."""
    seconds = time.perf_counter() - clock.wall
    cpu = cpu_seconds() - clock.cpu
    print(json.dumps({"items": items, "seconds": seconds, "cpu_seconds": cpu, "rss_mib": peak_rss_mib(), **extra}))


def skip(reason: str) -> None:
    print(json.dumps({"skip": reason}))
    sys.exit(0)
