"""intune_apple: keep the Apple credentials of a Microsoft Intune tenant alive (the push
certificate, enrollment program tokens and VPP tokens).

- :class:`Client` (synchronous) and :class:`AsyncClient` (asyncio): every Graph call;
- :mod:`intune_apple.models`: the typed results; :mod:`intune_apple.rules`: health, sync
  throttling, profile validation; :func:`inspect`: offline checks of Apple's files;
- :mod:`intune_apple.credentials`: sign-in where jobs run (managed identity, workload
  identity, the default chain, ...); :mod:`intune_apple.errors`: the exceptions;
  :mod:`intune_apple.testing`: the simulator.
"""

from intune_apple import _enums as enums
from intune_apple import credentials, errors, models, rules, workflows
from intune_apple._client import AsyncClient, Client, PageProgress
from intune_apple._enums import *  # noqa: F401,F403
from intune_apple.errors import *  # noqa: F401,F403
from intune_apple.files import inspect, inspect_bytes
from intune_apple.models import *  # noqa: F401,F403

__all__ = ["AsyncClient", "Client", "PageProgress", "credentials", "enums", "inspect", "inspect_bytes", "rules", "workflows"]
__all__ += enums.__all__
__all__ += errors.__all__
__all__ += models.__all__
