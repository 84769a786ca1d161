"""msgraph-beta-sdk (1.66) listing the same devices, pointed at the simulator.

A static bearer token through a custom AuthenticationProvider and the request adapter's
base_url; pages are followed through odata_next_link with with_url().
"""

import asyncio
import sys

from common import Stopwatch, args, report

from kiota_abstractions.authentication import AuthenticationProvider
from msgraph_beta import GraphRequestAdapter, GraphServiceClient

a = args(sys.argv[1:])


class StaticToken(AuthenticationProvider):
    async def authenticate_request(self, request, additional_authentication_context=None):  # type: ignore[no-untyped-def]
        request.headers.add("Authorization", f"Bearer {a['token']}")


async def main() -> tuple[int, int]:
    adapter = GraphRequestAdapter(StaticToken())
    adapter.base_url = f"{a['base']}/beta"
    client = GraphServiceClient(request_adapter=adapter)
    devices = client.device_management.dep_onboarding_settings.by_dep_onboarding_setting_id(
        a["token-id"]
    ).imported_apple_device_identities
    items = serial_chars = 0
    page = await devices.get()
    while page is not None:
        for device in page.value or []:
            items += 1
            serial_chars += len(device.serial_number or "")
        if not page.odata_next_link:
            break
        page = await devices.with_url(page.odata_next_link).get()
    return items, serial_chars


clock = Stopwatch()
items, serial_chars = asyncio.run(main())
report(items, clock, serial_chars=serial_chars)
