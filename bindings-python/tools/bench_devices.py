"""Times iterating N imported devices from the simulator: the library against a floor of
urllib + json.loads into dicts over the same pages. Run each mode in its own process so that
peak RSS is comparable:

    python bindings-python/tools/bench_devices.py 100000 lib
    python bindings-python/tools/bench_devices.py 100000 floor
"""

from __future__ import annotations

import json
import resource
import sys
import time
import urllib.parse
import urllib.request

from intune_apple.testing import Simulator


def main() -> None:
    n = int(sys.argv[1])
    mode = sys.argv[2]
    page = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    with Simulator(devices=n, page_size=page) as sim:
        client = sim.client()
        token = next(iter(client.enrollment_program_tokens())).id or ""
        count = 0
        if mode == "lib":
            start = time.perf_counter()
            for _ in client.imported_devices(token):
                count += 1
        else:
            body = urllib.parse.urlencode({
                "grant_type": "client_credentials", "client_id": sim.client_id,
                "client_secret": sim.client_secret, "scope": "https://graph.microsoft.com/.default",
            }).encode()
            answer = urllib.request.urlopen(f"{sim.base_url}/{sim.tenant_id}/oauth2/v2.0/token", body).read()
            headers = {"Authorization": "Bearer " + json.loads(answer)["access_token"]}
            url: str | None = (f"{sim.base_url}/beta/deviceManagement/depOnboardingSettings/{token}"
                               "/importedAppleDeviceIdentities")
            start = time.perf_counter()
            while url:
                page_ = json.loads(urllib.request.urlopen(urllib.request.Request(url, headers=headers)).read())
                for _ in page_["value"]:
                    count += 1
                url = page_.get("@odata.nextLink")
        elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{mode}: {count} devices in {elapsed:.3f} s, peak RSS {rss} MiB (page size {page})")


if __name__ == "__main__":
    main()
