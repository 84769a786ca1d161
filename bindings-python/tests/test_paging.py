"""Paged listings: 10,000 items, one page at a time, progress callbacks, errors mid-way."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from intune_apple import ImportedAppleDeviceIdentity, PageProgress, ServerError
from intune_apple.testing import Simulator

TOKEN = "d0000000-0000-4000-8000-000000000000"
PATH = f"/beta/deviceManagement/depOnboardingSettings/{TOKEN}/importedAppleDeviceIdentities"


@pytest.fixture(scope="module")
def big() -> Iterator[Simulator]:
    with Simulator(devices=10_000, page_size=500) as s:
        yield s


def test_10k_devices_sync_with_progress(big: Simulator) -> None:
    seen: list[tuple[int, int]] = []
    serials = set()
    count = 0
    for device in big.client().imported_devices(TOKEN, progress=lambda p: seen.append((p.items, p.pages))):
        assert isinstance(device, ImportedAppleDeviceIdentity)
        serials.add(device.serial_number)
        count += 1
    assert count == 10_000 and len(serials) == 10_000
    assert seen[-1] == (10_000, 20) and len(seen) == 20
    assert [items for items, _ in seen] == list(range(500, 10_001, 500))


@pytest.mark.asyncio
async def test_10k_devices_async(big: Simulator) -> None:
    progress: list[PageProgress] = []
    count = 0
    async for device in big.async_client().imported_devices(TOKEN, progress=progress.append):
        assert device.id
        count += 1
    assert count == 10_000
    assert (progress[-1].items, progress[-1].pages) == (10_000, 20)
    assert "PageProgress(items=10000, pages=20)" == repr(progress[-1])


def test_pages_are_fetched_as_the_iteration_advances(big: Simulator) -> None:
    before = [e.path.split("?")[0] for e in big.request_log()].count(PATH)
    devices = big.client().imported_devices(TOKEN)
    first = next(devices)
    assert first.serial_number
    fetched = [e.path.split("?")[0] for e in big.request_log()].count(PATH) - before
    # Bounded, never the whole listing (20 pages of 500): the batch Python holds, one batch
    # waiting, one being gathered (each at most 1,000 items: up to 3 pages when it straddles
    # them), and the core's two pages ahead.
    assert 1 <= fetched <= 11


def test_an_error_mid_listing_comes_after_the_items_received(sim: Simulator) -> None:
    sim.set_page_size(100)
    path = "/beta/deviceManagement/depOnboardingSettings/d1111111-0000-4000-8000-000000000001/importedAppleDeviceIdentities"
    sim.add_fault("GET", path, "status", status=500, nth=2)
    received = 0
    with pytest.raises(ServerError):
        for _ in sim.client().imported_devices("d1111111-0000-4000-8000-000000000001"):
            received += 1
    assert received == 100


def test_a_failing_progress_callback_does_not_stop_the_listing(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_value))

    def broken(_: PageProgress) -> None:
        raise RuntimeError("display failed")

    tokens = list(sim.client().vpp_tokens(progress=broken))
    assert len(tokens) == 4
    assert [str(e) for e in reported] == ["display failed"]
