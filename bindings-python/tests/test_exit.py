"""Scripts that await the package exit cleanly.

A runtime thread must not take the GIL once the interpreter has begun to finalize, or CPython
aborts the process. Before the exit gate, a script whose last `await` was a listing was
aborted at exit in 35 of 40 runs ("PyGILState_Release: thread state ... must be current when
releasing"), after printing its results: a cron job or an Azure Automation runbook would have
reported a failure.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from intune_apple.testing import Simulator


def credentials(sim: Simulator) -> dict[str, str]:
    """What a script given to another process needs to reach `sim` as a client."""
    return {
        "tenant_id": sim.tenant_id,
        "client_id": sim.client_id,
        "client_secret": sim.client_secret,
        "base_url": sim.base_url,
        "authority_host": sim.authority_host,
    }

SCRIPT = """
import asyncio, json, sys
from intune_apple import AsyncClient

async def main() -> None:
    token_id, mode = sys.argv[1:3]
    client = AsyncClient(**json.loads(sys.stdin.read()))
    seen = 0
    async for device in client.imported_devices(token_id):
        seen += 1 if device.serial_number else 0
        if mode == "leave" and seen == 1:
            break  # pages still being fetched and decoded ahead
    if mode == "leave":
        try:  # a call abandoned while it runs
            await asyncio.wait_for(client.get_push_certificate(), timeout=0.01)
        except asyncio.TimeoutError:
            pass
    print(seen)

asyncio.run(main())
"""


def test_a_script_ending_right_after_its_awaits_exits_with_status_0() -> None:
    with Simulator(devices=5_000, page_size=500) as sim:
        token_id = next(iter(sim.client().enrollment_program_tokens())).id
        assert token_id is not None
        tenant = credentials(sim)
        sim.add_fault("GET", "/beta/deviceManagement/applePushNotificationCertificate", "delay", ms=500)
        for run in range(24):
            mode = "all" if run % 2 == 0 else "leave"
            done = subprocess.run(
                [sys.executable, "-c", SCRIPT, token_id, mode],
                input=json.dumps(tenant),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, f"run {run} ({mode}): exit {done.returncode}\n{done.stderr[-2000:]}"
            assert done.stdout.strip() == ("5000" if mode == "all" else "1"), done.stdout
            assert "Traceback" not in done.stderr and "never retrieved" not in done.stderr, done.stderr


INTERRUPTED = """
import asyncio, json, signal, sys
from intune_apple import AsyncClient

# a process started in the background by a non-interactive shell inherits SIGINT as ignored
signal.signal(signal.SIGINT, signal.default_int_handler)

async def main() -> None:
    client = AsyncClient(**json.loads(sys.stdin.read()))
    print("waiting", flush=True)
    await client.get_push_certificate()  # delayed far beyond the test's patience

try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
"""


def test_ctrl_c_interrupts_an_awaited_call() -> None:
    with Simulator() as sim:
        sim.add_fault("GET", "/beta/deviceManagement/applePushNotificationCertificate", "delay", ms=600_000)
        tenant = credentials(sim)
        child = subprocess.Popen(
            [sys.executable, "-c", INTERRUPTED],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(json.dumps(tenant))
        child.stdin.close()
        assert child.stdout.readline().strip() == "waiting"
        # Ctrl-C every 200 ms until the script ends (one could land before the call waits); the
        # call itself would wait 10 minutes, far beyond the 60 s this test allows.
        started = time.monotonic()
        try:
            while child.poll() is None:
                child.send_signal(signal.SIGINT)
                try:
                    child.wait(timeout=0.2)
                except subprocess.TimeoutExpired:
                    pass
                if time.monotonic() - started > 60:
                    child.kill()
                    raise AssertionError("Ctrl-C did not interrupt the awaited call")
        finally:
            child.wait()
            out, err = child.stdout.read(), (child.stderr.read() if child.stderr else "")
        assert child.returncode == 130, f"exit {child.returncode}\n{err[-2000:]}"
        assert out.strip() == "interrupted", out


LATE = """
import atexit, json, sys

tenant = json.loads(sys.stdin.read())

def late() -> None:
    from intune_apple import Client, NotFoundError
    client = Client(**tenant)
    print(client.get_push_certificate().topic_identifier, flush=True)
    try:
        client.get_vpp_token("00000000-0000-0000-0000-000000000000")
    except NotFoundError:  # built on the runtime, through the package's exit gate
        print("not-found", flush=True)

atexit.register(late)  # before the package is imported: runs after the package's own hook

import asyncio
from intune_apple import AsyncClient

async def main() -> None:
    print(len([t async for t in AsyncClient(**tenant).vpp_tokens()]), flush=True)

asyncio.run(main())
"""


def test_a_call_from_an_exit_hook_that_runs_after_the_package_s_still_works(demo: Simulator) -> None:
    tenant = credentials(demo)
    done = subprocess.run(
        [sys.executable, "-c", LATE], input=json.dumps(tenant), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr[-2000:]}"
    tokens, topic, missing = done.stdout.split()
    assert int(tokens) > 0 and topic.startswith("com.apple.mgmt.") and missing == "not-found", done.stdout


def test_after_a_fork_a_new_client_works_and_inherited_clients_and_listings_say_so(demo: Simulator) -> None:
    import os

    from intune_apple import ConfigurationError

    client = demo.client()
    topic = client.get_push_certificate().topic_identifier  # the parent's runtime and connections
    with Simulator(devices=3_000, page_size=100) as many:
        big = many.client()
        devices = iter(big.imported_devices(next(iter(big.enrollment_program_tokens())).id or ""))
        next(devices)  # a listing of 30 pages, read ahead by this process's runtime, far from done
        # The child reports through its exit status: 0 when its new client worked and both the
        # inherited client and the inherited listing raised ConfigurationError. It never runs the
        # test framework's code after the fork.
        child = os.fork()
        if child == 0:
            # each step sets the status it fails with; an unexpected exception keeps it
            status = 1
            try:
                try:
                    client.get_push_certificate()
                except ConfigurationError as e:
                    status = 2 if "create a new client" in str(e) else 1
                if status == 2 and demo.client().get_push_certificate().topic_identifier == topic:
                    status = 3
                if status == 3:
                    try:
                        list(devices)  # what had arrived before the fork, then the error
                    except ConfigurationError as e:
                        status = 0 if "list again" in str(e) else 3
            finally:
                os._exit(status)
        deadline = time.monotonic() + 60  # a child that hangs fails the test instead of blocking it
        while True:
            done, wait_status = os.waitpid(child, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                raise AssertionError("the forked child hung")
            time.sleep(0.05)
        assert os.waitstatus_to_exitcode(wait_status) == 0
        assert client.get_push_certificate().topic_identifier == topic  # the parent is unaffected
        assert len(list(devices)) == 3_000 - 1
