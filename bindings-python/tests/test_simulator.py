"""intune_apple.testing.Simulator: seeds, faults, request log, writes, logical clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from intune_apple import NotFoundError
from intune_apple.testing import LogEntry, Simulator

from conftest import DEP_MAIN, VPP_MAIN


def test_seeds() -> None:
    with Simulator("empty") as empty:
        client = empty.client()
        with pytest.raises(NotFoundError):
            client.get_push_certificate()
        assert list(client.vpp_tokens()) == [] and list(client.enrollment_program_tokens()) == []
    seed = {"vppTokens": [{"id": "v1", "organizationName": "Fabrikam", "locationName": "Paris",
                           "displayName": "Paris", "expiresInDays": 3, "state": "valid"}]}
    with Simulator(seed) as custom:
        tokens = list(custom.client().vpp_tokens())
        assert [(t.id, t.location_name) for t in tokens] == [("v1", "Paris")]
    with Simulator(devices=1234, page_size=1000) as many:
        token = next(iter(many.client().enrollment_program_tokens()))
        assert token.id is not None
        assert sum(1 for _ in many.client().imported_devices(token.id)) == 1234
    with pytest.raises(ValueError):
        Simulator({"vppTokens": "not a list"})


def test_request_log_and_writes(sim: Simulator) -> None:
    client = sim.client()
    client.get_vpp_token(VPP_MAIN)
    before = sim.writes_applied
    client.sync_vpp_token_licenses(VPP_MAIN)
    assert sim.writes_applied == before + 1
    log = sim.request_log()
    assert all(isinstance(e, LogEntry) for e in log)
    last = log[-1]
    assert (last.method, last.status, last.bearer) == ("POST", 200, True)
    assert last.path == f"/beta/deviceAppManagement/vppTokens/{VPP_MAIN}/syncLicenses"
    assert last.body_size > 0
    assert last.applied and last.client_request_id
    assert not log[-2].applied


def test_faults_nth_and_clear(sim: Simulator) -> None:
    path = f"/beta/deviceAppManagement/vppTokens/{VPP_MAIN}"
    sim.add_fault("GET", path, "status", status=503, nth=1)
    client = sim.client(retries=2)
    assert client.get_vpp_token(VPP_MAIN).id == VPP_MAIN  # the 503 was retried
    assert [e.status for e in sim.request_log() if e.path == path] == [503, 200]
    sim.add_fault("GET", path, "status", status=500)
    sim.clear_faults()
    assert client.get_vpp_token(VPP_MAIN).id == VPP_MAIN
    with pytest.raises(ValueError):
        sim.add_fault("GET", path, "throttle")
    with pytest.raises(ValueError):
        sim.add_fault("GET", path, "explode")


def test_expired_access_tokens_are_renewed(sim: Simulator) -> None:
    client = sim.client()
    client.get_vpp_token(VPP_MAIN)
    sim.expire_tokens()
    assert client.get_vpp_token(VPP_MAIN).id == VPP_MAIN
    statuses = [e.status for e in sim.request_log()]
    assert 401 in statuses


def test_throttle_and_page_size(sim: Simulator) -> None:
    sim.set_throttle(True)
    sim.set_throttle(False)
    sim.set_app_throttle(True)
    sim.set_app_throttle(False)
    sim.set_page_size(10)
    client = sim.client()
    assert sum(1 for _ in client.imported_devices(DEP_MAIN)) == 250
    pages = [e for e in sim.request_log() if "importedAppleDeviceIdentities" in e.path]
    assert len(pages) == 25


def test_sync_in_progress(sim: Simulator) -> None:
    sim.set_dep_sync_duration(timedelta(minutes=5))
    client = sim.client()
    client.sync_enrollment_program_token(DEP_MAIN, force=True)
    token = client.get_enrollment_program_token(DEP_MAIN)
    assert token.last_sync_triggered_date_time is not None
    sim.set_dep_sync_duration(0)


def test_retries_keep_the_client_request_id(sim: Simulator) -> None:
    path = f"/beta/deviceAppManagement/vppTokens/{VPP_MAIN}"
    sim.add_fault("GET", path, "status", status=503, nth=1)
    sim.client(retries=1).get_vpp_token(VPP_MAIN)
    ids = [e.client_request_id for e in sim.request_log() if e.path == path]
    assert len(ids) == 2 and ids[0] == ids[1] and ids[0]


def test_logical_clock(sim: Simulator) -> None:
    start = sim.now
    assert start.tzinfo is not None
    sim.advance(timedelta(hours=1))
    assert sim.now - start == timedelta(hours=1)
    sim.advance(30)
    assert sim.now - start == timedelta(hours=1, seconds=30)
    at = datetime(2027, 1, 1, tzinfo=timezone.utc)
    sim.set_now(at)
    assert sim.now == at
    # The tenant's data follows its clock: a token synced at `at` reports that time.
    client = sim.client()
    client.sync_enrollment_program_token(DEP_MAIN, force=True)
    assert client.get_enrollment_program_token(DEP_MAIN).last_sync_triggered_date_time == at


def test_repr_and_shutdown() -> None:
    sim = Simulator()
    assert sim.client_secret not in repr(sim) and sim.base_url in repr(sim)
    sim.shutdown()
    with pytest.raises(Exception):
        sim.client(retries=0, timeout=2.0).get_push_certificate()
