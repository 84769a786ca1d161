"""The AsyncClient: every call awaited, async iteration, and real concurrency."""

from __future__ import annotations

import asyncio
import time

import pytest

import intune_apple
from intune_apple import AsyncClient, ConfigurationError, IosVppApp, NotFoundError
from intune_apple.testing import Simulator

from conftest import APP_OUTLOOK, DEP_MAIN, PROFILE_IPHONE, SAMPLES, VPP_MAIN

PUSH = "/beta/deviceManagement/applePushNotificationCertificate"


@pytest.mark.asyncio
async def test_gather_of_20_calls_overlaps(sim: Simulator) -> None:
    sim.add_fault("GET", PUSH, "delay", ms=200)
    async with sim.async_client() as client:
        await client.get_vpp_token(VPP_MAIN)  # sign in first, outside the measure
        start = time.perf_counter()
        results = await asyncio.gather(*(client.get_push_certificate() for _ in range(20)))
        elapsed = time.perf_counter() - start
    assert len(results) == 20 and all(r == results[0] or r.topic_identifier for r in results)
    assert [e.path for e in sim.request_log()].count(PUSH) == 20
    # Serially this takes 20 x 200 ms = 4 s; overlapping calls take a little over 200 ms.
    assert elapsed < 1.5, f"20 delayed calls took {elapsed:.2f}s: they did not overlap"


@pytest.mark.asyncio
async def test_every_async_call(sim: Simulator) -> None:
    client = sim.async_client()
    assert (await client.get_push_certificate()).topic_identifier
    assert await client.download_push_certificate_csr()
    assert (await client.get_data_sharing_consent()).granted
    assert (await client.grant_data_sharing_consent()).granted
    tokens = [t async for t in client.enrollment_program_tokens()]
    assert tokens[0].id == DEP_MAIN
    assert (await client.get_enrollment_program_token(DEP_MAIN)).token_name == "Contoso ABM"
    assert "BEGIN CERTIFICATE" in await client.get_encryption_public_key(DEP_MAIN)
    assert "BEGIN CERTIFICATE" in await client.generate_encryption_public_key(DEP_MAIN)
    created = await client.create_enrollment_program_token("Async ABM")
    assert created.id
    await client.upload_enrollment_program_token(
        created.id, "abm@contoso.example",
        (SAMPLES / "synthetic" / "TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m").read_bytes())
    await client.share_for_school_data_sync(created.id)
    await client.unshare_for_school_data_sync(created.id)
    await client.sync_enrollment_program_token(DEP_MAIN)
    await client.delete_enrollment_program_token(created.id)

    profiles = [p async for p in client.enrollment_profiles(DEP_MAIN)]
    assert len(profiles) == 2
    assert (await client.get_enrollment_profile(DEP_MAIN, PROFILE_IPHONE)).display_name == "Corporate iPhone"
    new = await client.create_enrollment_profile(
        DEP_MAIN, {"@odata.type": "#microsoft.graph.depIOSEnrollmentProfile", "displayName": "Async"})
    assert new.id
    await client.update_enrollment_profile(
        DEP_MAIN, new.id, {"@odata.type": "#microsoft.graph.depIOSEnrollmentProfile", "displayName": "Async 2"})
    await client.set_default_enrollment_profile(DEP_MAIN, new.id)
    assert "Async 2" in await client.export_mobile_config(DEP_MAIN, new.id)
    batches = await client.assign_enrollment_profile(DEP_MAIN, new.id, ["SERIAL-X"])
    assert len(batches) == 1
    await client.delete_enrollment_profile(DEP_MAIN, new.id)

    devices = [d async for d in client.imported_devices(DEP_MAIN)]
    assert len(devices) == 250 and devices[0].serial_number
    found = [d async for d in client.find_imported_devices(DEP_MAIN, devices[0].serial_number)]
    assert [d.id for d in found] == [devices[0].id]
    results = await client.import_devices(DEP_MAIN, ["ASYNC0001"])
    assert results[0].status is True
    assert devices[0].id
    await client.delete_imported_device(DEP_MAIN, devices[0].id)

    vpp = [t async for t in client.vpp_tokens()]
    assert len(vpp) == 4
    assert (await client.get_vpp_token(VPP_MAIN)).location_name == "Headquarters"
    token_text = (SAMPLES / "vpptoken" / "apple-doc-example.vpptoken").read_text()
    made = await client.create_vpp_token(token_text, display_name="Async location")
    assert made.id
    await client.upload_vpp_token(made.id, token_text)
    assert (await client.sync_vpp_token_licenses(made.id)).id == made.id
    await client.revoke_vpp_token_licenses(made.id)
    assert isinstance(await client.vpp_licenses_for_app("com.microsoft.skype.teams"), list)
    await client.delete_vpp_token(made.id)
    with pytest.raises(NotFoundError):
        await client.get_vpp_token(made.id)

    apps = [a async for a in client.vpp_apps()]
    assert len(apps) == 5
    assert [a.id async for a in client.vpp_apps_for_token(VPP_MAIN) if isinstance(a, IosVppApp)] == [APP_OUTLOOK]
    assert isinstance(await client.get_vpp_app(APP_OUTLOOK), IosVppApp)
    assignments = [a async for a in client.app_assignments(APP_OUTLOOK)]
    await client.assign_app(APP_OUTLOOK, assignments)
    assert len([a async for a in client.app_assignments(APP_OUTLOOK)]) == len(assignments)


@pytest.mark.asyncio
async def test_async_from_env_and_close(demo: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_TENANT_ID", demo.tenant_id)
    monkeypatch.setenv("AZURE_CLIENT_ID", demo.client_id)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", demo.client_secret)
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", demo.authority_host)
    monkeypatch.setenv("INTUNE_APPLE_GRAPH_URL", demo.base_url)
    async with AsyncClient.from_env() as client:
        assert (await client.get_push_certificate()).topic_identifier
        assert client.graph_root.startswith(demo.base_url)
    with pytest.raises(ConfigurationError):
        await client.get_push_certificate()


@pytest.mark.asyncio
async def test_async_errors_are_the_same_classes(sim: Simulator) -> None:
    sim.add_fault("GET", PUSH, "status", status=500)
    with pytest.raises(intune_apple.ServerError):
        await sim.async_client().get_push_certificate()
