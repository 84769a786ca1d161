"""A simulated Intune tenant on 127.0.0.1 for testing automation without a real tenant."""

from __future__ import annotations

from intune_apple import _native
from intune_apple._client import AsyncClient, Client


class Simulator:
    """Starts the simulated tenant (demo seed); use as a context manager."""

    def __init__(self) -> None:
        self._sim = _native.NativeSimulator()
        self.base_url: str = self._sim.base_url
        self.authority_host: str = self._sim.authority_host
        self.tenant_id: str = self._sim.tenant_id
        self.client_id: str = self._sim.client_id
        self.client_secret: str = self._sim.client_secret

    def __repr__(self) -> str:
        return f"Simulator(base_url={self.base_url!r})"

    def client(self) -> Client:
        """A `Client` connected to this simulator."""
        return Client(tenant_id=self.tenant_id, client_id=self.client_id, client_secret=self.client_secret,
                      base_url=self.base_url, authority_host=self.authority_host)

    def async_client(self) -> AsyncClient:
        """An `AsyncClient` connected to this simulator."""
        return AsyncClient(tenant_id=self.tenant_id, client_id=self.client_id, client_secret=self.client_secret,
                           base_url=self.base_url, authority_host=self.authority_host)

    def __enter__(self) -> "Simulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self._sim.shutdown()
