"""``credential=``: the credential objects of azure-identity (and anything shaped like them).

A sync credential (``get_token_info`` / ``get_token`` returning an ``AccessTokenInfo`` /
``AccessToken``) is handed to the core as is. An async one (``azure.identity.aio``) works with
:class:`~intune_apple.AsyncClient`: the core's worker thread runs its coroutine on the event loop
the client was created on, so the credential keeps its own session on that loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from intune_apple.errors import ConfigurationError

if TYPE_CHECKING:
    import asyncio

# asyncio, concurrent.futures and inspect are imported where an async credential needs them:
# together they are most of a sync client's import time (docs/performance.md, cold start).

#: How long the core waits for an async credential's answer before giving up.
ASYNC_CREDENTIAL_TIMEOUT = 60.0


def _method(credential: Any) -> Any:
    return getattr(credential, "get_token_info", None) or getattr(credential, "get_token", None)


def is_async_credential(credential: Any) -> bool:
    """Whether ``credential``'s ``get_token_info`` / ``get_token`` is a coroutine function."""
    method = _method(credential)
    if method is None:
        return False
    import inspect

    return inspect.iscoroutinefunction(method)


class _LoopBoundCredential:
    """An async credential, called from the core's worker thread on its event loop."""

    def __init__(self, credential: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._credential = credential
        self._loop = loop
        #: The name the core shows in errors: the wrapped credential's class.
        self.intune_apple_name = type(credential).__name__

    def get_token_info(self, *scopes: str, options: Optional[dict[str, Any]] = None) -> Any:
        async def call() -> Any:
            if hasattr(self._credential, "get_token_info"):
                return await self._credential.get_token_info(*scopes)
            return await self._credential.get_token(*scopes)

        import asyncio
        import concurrent.futures

        if self._loop.is_closed():
            raise RuntimeError("the event loop the AsyncClient was created on is closed")
        future = asyncio.run_coroutine_threadsafe(call(), self._loop)
        try:
            return future.result(timeout=ASYNC_CREDENTIAL_TIMEOUT)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(
                f"no token within {ASYNC_CREDENTIAL_TIMEOUT:.0f} s (is the event loop blocked?)"
            ) from None


def for_client(credential: Any, *, asynchronous: bool) -> Any:
    """What to give the core for ``credential`` in a sync or an async client."""
    if credential is None or not asynchronous or not is_async_credential(credential):
        return credential
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        raise ConfigurationError(
            "an async credential needs the AsyncClient to be created inside the event loop "
            "(in an async function, e.g. `async with AsyncClient(credential=...)`)"
        ) from None
    return _LoopBoundCredential(credential, loop)
