"""The ``intune-apple`` command: the same Rust code as the Cargo binary and the npm ``bin``
(crate ``intune-apple-cli``), with the same flags, output and exit codes.
``pip install intune-apple`` puts it on ``PATH``; ``python -m intune_apple`` runs it too."""

from __future__ import annotations

import sys

from intune_apple import _native

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: the command starts without it
    from typing import Optional, Sequence


def run_cli(args: Sequence[str]) -> int:
    """Runs the command line ``args`` (without the program name) with this process's stdout,
    stderr, environment and terminal; returns the exit code (``intune-apple --help``)."""
    sys.stdout.flush()
    sys.stderr.flush()
    return _native.run_cli(list(args))


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The console script: ``intune-apple ARGS...``."""
    return run_cli(sys.argv[1:] if argv is None else argv)


__all__ = ["run_cli"]
