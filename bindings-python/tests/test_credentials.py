"""credential=: azure-identity's own credential objects (the real package, pointed at the
simulator), objects shaped like them, and what happens when one raises or answers garbage."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Optional

import pytest

from intune_apple import AsyncClient, Client
from intune_apple.errors import AuthenticationError, ConfigurationError, IntuneAppleError
from intune_apple.testing import Simulator


class _Token:
    def __init__(self, token: str, expires_on: int) -> None:
        self.token = token
        self.expires_on = expires_on


class CountingCredential:
    """A credential shaped like azure-identity's (get_token), counting its calls."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim
        self.calls = 0
        self._lock = threading.Lock()

    def get_token(self, *scopes: str, **kwargs: Any) -> _Token:
        assert scopes == ("https://graph.microsoft.com/.default",)
        with self._lock:
            self.calls += 1
        return _Token(self._sim._sim.issue_token(), 4_102_444_800)


def test_an_object_with_get_token_signs_in_once(sim: Simulator) -> None:
    credential = CountingCredential(sim)
    with Client(credential=credential, base_url=sim.base_url) as client:
        for _ in range(5):
            client.get_push_certificate()
    assert credential.calls == 1


class Raising:
    def get_token_info(self, *scopes: str, options: Optional[dict[str, Any]] = None) -> Any:
        raise RuntimeError("the vault is sealed")


class Garbage:
    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return {"not": "a token"}


class AsyncOnly:
    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return _Token("x", 4_102_444_800)


def test_a_credential_that_raises_or_answers_garbage_is_a_typed_error(sim: Simulator) -> None:
    for credential, words in [
        (Raising(), ["Raising", "RuntimeError", "the vault is sealed"]),
        (Garbage(), ["Garbage", "token"]),
        (AsyncOnly(), ["AsyncOnly", "AsyncClient"]),
    ]:
        with Client(credential=credential, base_url=sim.base_url) as client:
            with pytest.raises(AuthenticationError) as info:
                client.get_push_certificate()
        for word in words:
            assert word in str(info.value), str(info.value)
    with pytest.raises(ConfigurationError):
        Client(credential=object(), base_url=sim.base_url)


def test_azure_identity_managed_identity_against_the_simulator(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = pytest.importorskip("azure.identity")
    monkeypatch.setenv("IDENTITY_ENDPOINT", sim._sim.identity_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", sim._sim.identity_header)
    with Client(credential=identity.ManagedIdentityCredential(), base_url=sim.base_url) as client:
        assert client.get_push_certificate().topic_identifier
    # The library's own chain finds the same identity from the environment.
    monkeypatch.setenv("INTUNE_APPLE_GRAPH_URL", sim.base_url)
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", sim.authority_host)
    with Client.from_env() as client:
        assert client.get_push_certificate().topic_identifier


def test_a_wrong_identity_header_is_named_and_never_shown(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IDENTITY_ENDPOINT", sim._sim.identity_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", "wrong-identity-header-31c9")
    monkeypatch.setenv("INTUNE_APPLE_GRAPH_URL", sim.base_url)
    with Client.from_env() as client:
        with pytest.raises(IntuneAppleError) as info:
            client.get_push_certificate()
    text = f"{info.value} {info.value!r}"
    assert "IDENTITY_HEADER" in text and "ManagedIdentityCredential" in text
    for secret in ["wrong-identity-header-31c9", sim._sim.identity_header]:
        assert secret not in text


def test_workload_identity_from_the_environment(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(sim._sim.federated_token(3600))
    for name, value in {
        "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
        "AZURE_TENANT_ID": sim.tenant_id,
        "AZURE_CLIENT_ID": sim._sim.federated_client_id,
        "AZURE_AUTHORITY_HOST": sim.authority_host,
        "INTUNE_APPLE_GRAPH_URL": sim.base_url,
    }.items():
        monkeypatch.setenv(name, value)
    with Client.from_env() as client:
        assert client.get_push_certificate().topic_identifier
    token_file.write_text(sim._sim.federated_token(-60))
    with Client.from_env() as client:
        with pytest.raises(AuthenticationError) as info:
            client.get_push_certificate()
    assert "AADSTS700024" in str(info.value)
    assert "eyJ" not in f"{info.value} {info.value!r}"


def test_an_async_azure_identity_credential_with_async_client(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    aio = pytest.importorskip("azure.identity.aio")
    monkeypatch.setenv("IDENTITY_ENDPOINT", sim._sim.identity_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", sim._sim.identity_header)

    async def run() -> str:
        credential = aio.ManagedIdentityCredential()
        async with credential:
            async with AsyncClient(credential=credential, base_url=sim.base_url) as client:
                cert = await client.get_push_certificate()
                return str(cert.topic_identifier)

    assert asyncio.run(run())
    with pytest.raises(ConfigurationError):
        AsyncClient(credential=AsyncOnly(), base_url=sim.base_url)
