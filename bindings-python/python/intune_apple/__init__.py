"""intune_apple: keep the Apple credentials of a Microsoft Intune tenant alive."""

from intune_apple._client import AsyncClient, Client, Resource
from intune_apple.errors import *  # noqa: F401,F403

__all__ = ["AsyncClient", "Client", "Resource"]
