"""The synchronous `Client` and the asyncio `AsyncClient`: same methods, same results."""

from __future__ import annotations

import json
from typing import Any, AsyncIterator, Iterator, Optional

from intune_apple import _native


class Resource:
    """A Graph resource with snake_case attribute access and `to_dict()`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def to_dict(self) -> dict[str, Any]:
        """The resource as Graph's JSON (camelCase keys)."""
        return dict(self._data)

    def __getattr__(self, name: str) -> Any:
        parts = name.split("_")
        key = parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(name) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Resource) and self._data == other._data

    def __repr__(self) -> str:
        shown = {k: v for k, v in self._data.items() if k in ("id", "displayName", "tokenName", "appleIdentifier", "state", "expirationDateTime")}
        return f"{type(self).__name__}({shown!r})"


def _load(text: str) -> Resource:
    return Resource(json.loads(text))


class _Iter:
    def __init__(self, native: Any) -> None:
        self._native = native

    def __iter__(self) -> Iterator[Resource]:
        for text in self._native:
            yield _load(text)

    async def __aiter_impl(self) -> AsyncIterator[Resource]:
        async for text in self._native:
            yield _load(text)

    def __aiter__(self) -> AsyncIterator[Resource]:
        return self.__aiter_impl()


class Client:
    """Synchronous client; releases the GIL while waiting for Graph."""

    def __init__(
        self,
        *,
        tenant_id: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        access_token: Optional[str] = None,
        base_url: Optional[str] = None,
        authority_host: Optional[str] = None,
        timeout: Optional[float] = None,
        _native_client: Any = None,
    ) -> None:
        self._c = _native_client or _native.NativeClient(
            tenant_id=tenant_id,
            client_id=client_id,
            client_secret=client_secret,
            access_token=access_token,
            base_url=base_url,
            authority_host=authority_host,
            timeout=timeout,
        )

    @classmethod
    def from_env(cls) -> "Client":
        """Reads AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (or the certificate path)."""
        return cls(_native_client=_native.NativeClient.from_env())

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __repr__(self) -> str:
        return "Client()"

    def get_push_certificate(self) -> Resource:
        """The tenant's Apple push notification certificate."""
        return _load(self._c.push_certificate_get())

    def get_vpp_token(self, token_id: str) -> Resource:
        """One VPP (Apps and Books) token."""
        return _load(self._c.vpp_token_get(token_id))

    def vpp_tokens(self) -> Iterator[Resource]:
        """Every VPP token, page by page."""
        return iter(_Iter(self._c.vpp_tokens_list()))

    def enrollment_program_tokens(self) -> Iterator[Resource]:
        """Every enrollment program (DEP/ABM) token, page by page."""
        return iter(_Iter(self._c.enrollment_program_tokens_list()))


class AsyncClient(Client):
    """asyncio client: the same methods as `Client`, awaited."""

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def __repr__(self) -> str:
        return "AsyncClient()"

    @classmethod
    def from_env(cls) -> "AsyncClient":
        return cls(_native_client=_native.NativeClient.from_env())

    async def get_push_certificate(self) -> Resource:  # type: ignore[override]
        return _load(await self._c.push_certificate_get_async())

    async def get_vpp_token(self, token_id: str) -> Resource:  # type: ignore[override]
        return _load(await self._c.vpp_token_get_async(token_id))

    def vpp_tokens(self) -> AsyncIterator[Resource]:  # type: ignore[override]
        return _Iter(self._c.vpp_tokens_list()).__aiter__()

    def enrollment_program_tokens(self) -> AsyncIterator[Resource]:  # type: ignore[override]
        return _Iter(self._c.enrollment_program_tokens_list()).__aiter__()
