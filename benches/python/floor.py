"""The Python floor: urllib.request + json.loads into plain dicts, following @odata.nextLink."""

import json
import sys
import urllib.request

from common import Stopwatch, args, report

a = args(sys.argv[1:])
url = f"{a['base']}/beta/deviceManagement/depOnboardingSettings/{a['token-id']}/importedAppleDeviceIdentities"
headers = {"Authorization": f"Bearer {a['token']}", "Accept": "application/json"}
clock = Stopwatch()
items = 0
serial_chars = 0
while url:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
        page = json.loads(response.read())
    for device in page["value"]:
        items += 1
        serial_chars += len(device["serialNumber"])
    url = page.get("@odata.nextLink")
report(items, clock, serial_chars=serial_chars)
