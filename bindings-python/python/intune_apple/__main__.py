"""``python -m intune_apple ARGS...``: the ``intune-apple`` command (see :mod:`intune_apple.cli`)."""

from intune_apple.cli import main

raise SystemExit(main())
