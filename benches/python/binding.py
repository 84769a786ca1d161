"""The project's Python binding, sync (`Client`) or asyncio (`AsyncClient`), listing devices.

Usage: binding.py sync|async --base URL --token T --token-id ID
"""

import asyncio
import sys

from common import Stopwatch, args, report, skip

mode = sys.argv[1]
a = args(sys.argv[2:])
try:
    import intune_apple
except ImportError as e:
    skip(f"binding not built: {e}")

cls_name = "Client" if mode == "sync" else "AsyncClient"
cls = getattr(intune_apple, cls_name, None)
if cls is None:
    skip(f"API missing: intune_apple.{cls_name}")
try:
    client = cls(base_url=a["base"], access_token=a["token"])
except TypeError as e:
    skip(f"API missing: {cls_name}(base_url=..., access_token=...): {e}")
if not hasattr(client, "imported_devices"):
    skip(f"API missing: {cls_name}.imported_devices")


def run_sync() -> tuple[int, int]:
    items = serial_chars = 0
    for device in client.imported_devices(a["token-id"]):
        items += 1
        serial_chars += len(device.serial_number)
    return items, serial_chars


async def run_async() -> tuple[int, int]:
    items = serial_chars = 0
    async for device in client.imported_devices(a["token-id"]):
        items += 1
        serial_chars += len(device.serial_number)
    return items, serial_chars


clock = Stopwatch()
try:
    items, serial_chars = run_sync() if mode == "sync" else asyncio.run(run_async())
except (TypeError, AttributeError) as e:
    skip(f"API missing or changed: {type(e).__name__}: {e}")
report(items, clock, serial_chars=serial_chars)
