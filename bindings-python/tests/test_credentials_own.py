"""intune_apple.credentials: the library's own credentials, each signing in to the simulated
tenant over HTTP (managed identity in each host's form, a federated token file, the GitHub
Actions ID token, an assertion function, a fake `az`, device code, the default chain, client
secret and certificate), and what a misconfigured one raises."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from intune_apple import AsyncClient, Client
from intune_apple.credentials import (
    AzureCliCredential,
    ClientAssertionCredential,
    ClientCertificateCredential,
    ClientSecretCredential,
    Credential,
    DefaultAzureCredential,
    DeviceCodeCredential,
    GitHubActionsCredential,
    ManagedIdentityCredential,
    WorkloadIdentityCredential,
)
from intune_apple.errors import (
    AuthenticationError,
    ConfigurationError,
    IntuneAppleError,
    TransportError,
)
from intune_apple.testing import Simulator

#: Every variable a credential or Client.from_env() reads: cleared for each test.
VARIABLES = [
    "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT",
    "MSI_ENDPOINT", "MSI_SECRET", "AZURE_POD_IDENTITY_AUTHORITY_HOST", "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE",
    "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "AZURE_TOKEN_CREDENTIALS",
    "AZURE_AUTHORITY_HOST", "INTUNE_APPLE_ACCESS_TOKEN", "INTUNE_APPLE_GRAPH_URL",
    "INTUNE_APPLE_CLOUD",
]

MI_PATHS = {"/msi/token", "/metadata/identity/oauth2/token", "/cloudshell/token"}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """A process environment with no credential in it (and no `az` on PATH)."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    yield monkeypatch


def app_service(sim: Simulator, env: pytest.MonkeyPatch) -> None:
    env.setenv("IDENTITY_ENDPOINT", sim._sim.identity_endpoint)
    env.setenv("IDENTITY_HEADER", sim._sim.identity_header)


def client(sim: Simulator, credential: Any) -> Client:
    return Client(credential=credential, base_url=sim.base_url, authority_host=sim.authority_host)


def graph_call(sim: Simulator, credential: Any) -> str:
    """A real Graph call signed in with `credential`."""
    with client(sim, credential) as c:
        topic = c.get_push_certificate().topic_identifier
    assert topic and topic.startswith("com.apple.mgmt.External.")
    return topic


def requests_to(sim: Simulator, path: str) -> int:
    return sum(1 for e in sim.request_log() if e.path.split("?")[0] == path)


def token_file(sim: Simulator, tmp_path: Path, seconds: int = 600) -> Path:
    path = tmp_path / "azure-identity-token"
    path.write_text(sim._sim.federated_token(seconds))
    return path


# --- managed identity ------------------------------------------------------------------------


def test_managed_identity_app_service_system_and_user_assigned(
    sim: Simulator, env: pytest.MonkeyPatch
) -> None:
    app_service(sim, env)
    credential = ManagedIdentityCredential()
    assert isinstance(credential, Credential)
    assert credential.name == "ManagedIdentityCredential"
    assert "App Service" in repr(credential)
    graph_call(sim, credential)
    client_id, object_id, resource_id = sim._sim.user_assigned_identity()
    for user_assigned in (
        ManagedIdentityCredential(client_id=client_id),
        ManagedIdentityCredential(object_id=object_id),
        ManagedIdentityCredential(resource_id=resource_id),
    ):
        graph_call(sim, user_assigned)
    assert client_id in repr(ManagedIdentityCredential(client_id=client_id))
    assert requests_to(sim, "/msi/token") == 4


def test_managed_identity_from_env_takes_azure_client_id(
    sim: Simulator, env: pytest.MonkeyPatch
) -> None:
    app_service(sim, env)
    client_id, _, _ = sim._sim.user_assigned_identity()
    env.setenv("AZURE_CLIENT_ID", client_id)
    credential = ManagedIdentityCredential.from_env()
    assert client_id in repr(credential)
    graph_call(sim, credential)


def test_managed_identity_imds_and_cloud_shell(sim: Simulator, env: pytest.MonkeyPatch) -> None:
    env.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", sim.base_url)
    imds = ManagedIdentityCredential()
    assert "IMDS" in repr(imds)
    graph_call(sim, imds)
    assert requests_to(sim, "/metadata/identity/oauth2/token") == 1

    env.delenv("AZURE_POD_IDENTITY_AUTHORITY_HOST")
    env.setenv("MSI_ENDPOINT", f"{sim.base_url}/cloudshell/token")
    cloud_shell = ManagedIdentityCredential()
    assert "Cloud Shell" in repr(cloud_shell)
    graph_call(sim, cloud_shell)
    assert requests_to(sim, "/cloudshell/token") == 1


def test_client_from_env_chooses_managed_identity_without_a_secret(
    sim: Simulator, env: pytest.MonkeyPatch
) -> None:
    app_service(sim, env)
    env.setenv("INTUNE_APPLE_GRAPH_URL", sim.base_url)
    with Client.from_env() as c:
        assert c.get_push_certificate().topic_identifier
    assert requests_to(sim, "/msi/token") == 1
    assert not any(e.path.endswith("/oauth2/v2.0/token") for e in sim.request_log())


@pytest.mark.asyncio
async def test_twenty_concurrent_calls_on_a_fresh_async_client_make_one_token_request(
    sim: Simulator, env: pytest.MonkeyPatch
) -> None:
    app_service(sim, env)
    async with AsyncClient(
        credential=ManagedIdentityCredential(), base_url=sim.base_url
    ) as c:
        results = await asyncio.gather(*(c.get_push_certificate() for _ in range(20)))
    assert len({r.topic_identifier for r in results}) == 1
    token_requests = [e for e in sim.request_log() if e.path.split("?")[0] in MI_PATHS]
    assert len(token_requests) == 1


# --- federated assertions ----------------------------------------------------------------------


def test_workload_identity_from_a_token_file_and_from_env(
    sim: Simulator, env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = token_file(sim, tmp_path)
    credential = WorkloadIdentityCredential(
        tenant_id=sim.tenant_id, client_id=sim._sim.federated_client_id, token_file=str(path)
    )
    assert str(path) in repr(credential)
    graph_call(sim, credential)

    env.setenv("AZURE_TENANT_ID", sim.tenant_id)
    env.setenv("AZURE_CLIENT_ID", sim._sim.federated_client_id)
    env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(path))
    graph_call(sim, WorkloadIdentityCredential.from_env())


def test_github_actions_id_token_and_from_env(sim: Simulator, env: pytest.MonkeyPatch) -> None:
    credential = GitHubActionsCredential(
        tenant_id=sim.tenant_id,
        client_id=sim._sim.federated_client_id,
        request_url=sim._sim.github_id_token_url,
        request_token=sim._sim.github_request_token,
    )
    graph_call(sim, credential)
    assert requests_to(sim, "/_github/idtoken") == 1

    env.setenv("AZURE_TENANT_ID", sim.tenant_id)
    env.setenv("AZURE_CLIENT_ID", sim._sim.federated_client_id)
    env.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", sim._sim.github_id_token_url)
    env.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", sim._sim.github_request_token)
    graph_call(sim, GitHubActionsCredential.from_env())


def test_client_assertion_calls_the_function_for_each_new_token(sim: Simulator) -> None:
    calls: list[int] = []

    def assertion() -> str:
        calls.append(1)
        return sim._sim.federated_token(600)

    credential = ClientAssertionCredential(
        tenant_id=sim.tenant_id, client_id=sim._sim.federated_client_id, func=assertion
    )
    with client(sim, credential) as c:
        for _ in range(3):
            c.get_push_certificate()
    assert calls == [1]


# --- terminal sign-ins ---------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for az")
def test_azure_cli_through_a_fake_az(
    sim: Simulator, env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    az = bin_dir / "az"
    expires = int(sim.now.timestamp()) + 3600
    az.write_text(
        "#!/bin/sh\n"
        f"echo '{{\"accessToken\":\"{sim._sim.issue_token()}\",\"expires_on\":{expires},"
        "\"tokenType\":\"Bearer\"}'\n"
    )
    az.chmod(az.stat().st_mode | stat.S_IXUSR)
    env.setenv("PATH", str(bin_dir))
    credential = AzureCliCredential(tenant_id=sim.tenant_id, process_timeout=20)
    assert sim.tenant_id in repr(credential)
    graph_call(sim, credential)


def test_device_code_prompts_on_stderr(sim: Simulator, capfd: pytest.CaptureFixture[str]) -> None:
    # The simulator asks for two polls, 5 s apart: this test waits about 10 s.
    credential = DeviceCodeCredential(client_id=sim._sim.public_client_id, tenant_id=sim.tenant_id)
    graph_call(sim, credential)
    assert "SIMCODE42" in capfd.readouterr().err


def test_device_code_refuses_what_is_not_the_tenants_own_app() -> None:
    with pytest.raises(ConfigurationError, match="DeviceCodeCredential: give the client id"):
        DeviceCodeCredential(client_id="")
    with pytest.raises(ConfigurationError, match="Microsoft's own app ids"):
        DeviceCodeCredential(client_id="04b07795-8ddb-461a-bbee-02f9e1bf7b46")
    with pytest.raises(ConfigurationError, match="prompt must be a callable"):
        DeviceCodeCredential(client_id="6e1f0c4a-5d57-4c0e-9b3e-2f6c8d1a7b90", prompt="stderr")  # type: ignore[arg-type]


# --- the chain ---------------------------------------------------------------------------------


def test_default_chain_signs_in_with_managed_identity(
    sim: Simulator, env: pytest.MonkeyPatch
) -> None:
    app_service(sim, env)
    chain = DefaultAzureCredential()
    assert chain.steps == [
        "EnvironmentCredential", "WorkloadIdentityCredential", "ManagedIdentityCredential",
        "AzureCliCredential",
    ]
    assert "ManagedIdentityCredential" in repr(chain)
    graph_call(sim, chain)

    env.setenv("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential")
    only = DefaultAzureCredential.from_env()
    assert only.steps == ["ManagedIdentityCredential"]
    graph_call(sim, only)


def test_default_chain_error_lists_every_step(sim: Simulator, env: pytest.MonkeyPatch) -> None:
    with client(sim, DefaultAzureCredential()) as c:
        with pytest.raises(AuthenticationError) as caught:
            c.get_push_certificate()
    text = str(caught.value)
    for step in (
        "EnvironmentCredential", "WorkloadIdentityCredential", "ManagedIdentityCredential",
        "AzureCliCredential",
    ):
        assert f"- {step} (" in text, text
    assert "AZURE_TOKEN_CREDENTIALS" in text
    assert not sim.request_log()


def test_an_unknown_azure_token_credentials_is_a_configuration_error(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("AZURE_TOKEN_CREDENTIALS", "KeyVaultCredential")
    with pytest.raises(ConfigurationError, match="AZURE_TOKEN_CREDENTIALS"):
        DefaultAzureCredential()


# --- client secret and certificate -------------------------------------------------------------


def test_client_secret_and_certificate(sim: Simulator, tmp_path: Path) -> None:
    secret = ClientSecretCredential(
        tenant_id=sim.tenant_id, client_id=sim.client_id, client_secret=sim.client_secret
    )
    graph_call(sim, secret)
    cert_client_id, pem = sim._sim.certificate_client()
    graph_call(sim, ClientCertificateCredential(
        tenant_id=sim.tenant_id, client_id=cert_client_id, certificate_data=pem
    ))
    path = tmp_path / "app.pem"
    path.write_text(pem)
    from_file = ClientCertificateCredential(
        tenant_id=sim.tenant_id, client_id=cert_client_id, certificate_path=str(path)
    )
    assert str(path) in repr(from_file)
    graph_call(sim, from_file)


# --- misconfigured credentials -----------------------------------------------------------------


def test_construction_errors_are_configuration_errors(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError, match="at most one of client_id, object_id"):
        ManagedIdentityCredential(client_id="a", object_id="b")
    with pytest.raises(ConfigurationError, match="AZURE_FEDERATED_TOKEN_FILE"):
        WorkloadIdentityCredential.from_env()
    with pytest.raises(ConfigurationError, match="id-token: write"):
        GitHubActionsCredential.from_env()
    with pytest.raises(ConfigurationError, match="func must be a callable"):
        ClientAssertionCredential(tenant_id="t", client_id="c", func="not callable")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="process_timeout"):
        AzureCliCredential(process_timeout=0)
    with pytest.raises(ConfigurationError, match="one of certificate_path and certificate_data"):
        ClientCertificateCredential(tenant_id="t", client_id="c")
    with pytest.raises(ConfigurationError, match="cannot read the certificate file"):
        ClientCertificateCredential(
            tenant_id="t", client_id="c", certificate_path=str(tmp_path / "absent.pem")
        )


def test_a_missing_token_file_names_the_credential_and_the_variable(
    sim: Simulator, tmp_path: Path
) -> None:
    credential = WorkloadIdentityCredential(
        tenant_id=sim.tenant_id, client_id=sim._sim.federated_client_id,
        token_file=str(tmp_path / "absent"),
    )
    with client(sim, credential) as c, pytest.raises(AuthenticationError) as caught:
        c.get_push_certificate()
    assert "WorkloadIdentityCredential" in str(caught.value)
    assert "AZURE_FEDERATED_TOKEN_FILE" in str(caught.value)


def test_an_empty_client_id_is_a_configuration_error(sim: Simulator, tmp_path: Path) -> None:
    credential = WorkloadIdentityCredential(
        tenant_id=sim.tenant_id, client_id="", token_file=str(token_file(sim, tmp_path))
    )
    with client(sim, credential) as c, pytest.raises(ConfigurationError, match="client id"):
        c.get_push_certificate()


def test_an_expired_federated_token_is_refused(sim: Simulator, tmp_path: Path) -> None:
    credential = WorkloadIdentityCredential(
        tenant_id=sim.tenant_id, client_id=sim._sim.federated_client_id,
        token_file=str(token_file(sim, tmp_path, seconds=-60)),
    )
    with client(sim, credential) as c, pytest.raises(AuthenticationError):
        c.get_push_certificate()


def test_a_failing_assertion_function_is_named(sim: Simulator) -> None:
    def sealed() -> str:
        raise RuntimeError("the vault is sealed")

    def number() -> Any:
        return 42

    for func, said in ((sealed, "RuntimeError: the vault is sealed"), (number, "as text")):
        credential = ClientAssertionCredential(
            tenant_id=sim.tenant_id, client_id=sim._sim.federated_client_id, func=func
        )
        with client(sim, credential) as c, pytest.raises(AuthenticationError) as caught:
            c.get_push_certificate()
        assert "ClientAssertionCredential" in str(caught.value)
        assert said in str(caught.value)


def test_a_wrong_identity_header_is_refused(sim: Simulator, env: pytest.MonkeyPatch) -> None:
    env.setenv("IDENTITY_ENDPOINT", sim._sim.identity_endpoint)
    env.setenv("IDENTITY_HEADER", "not-the-header")
    with client(sim, ManagedIdentityCredential()) as c, pytest.raises(IntuneAppleError) as caught:
        c.get_push_certificate()
    assert isinstance(caught.value, AuthenticationError), repr(caught.value)
    assert "ManagedIdentityCredential" in str(caught.value)


def test_a_malformed_token_answer_is_an_authentication_error(
    sim: Simulator, env: pytest.MonkeyPatch
) -> None:
    app_service(sim, env)
    sim.add_fault("GET", "/msi/token", "malformed")
    with client(sim, ManagedIdentityCredential()) as c, pytest.raises(IntuneAppleError) as caught:
        c.get_push_certificate()
    assert isinstance(caught.value, AuthenticationError), repr(caught.value)
    assert "ManagedIdentityCredential" in str(caught.value)


def test_an_unreachable_endpoint_is_a_transport_error(
    sim: Simulator, env: pytest.MonkeyPatch
) -> None:
    # Nothing listens on port 9 of the loopback: refused at once, retried 3 times (1+2+4 s).
    env.setenv("IDENTITY_ENDPOINT", "http://127.0.0.1:9/msi/token")
    env.setenv("IDENTITY_HEADER", sim._sim.identity_header)
    with client(sim, ManagedIdentityCredential()) as c, pytest.raises(IntuneAppleError) as caught:
        c.get_push_certificate()
    assert isinstance(caught.value, TransportError), repr(caught.value)
    assert "ManagedIdentityCredential" in str(caught.value)


# --- secrets -----------------------------------------------------------------------------------


def test_no_secret_in_str_or_repr_of_credentials_clients_or_errors(
    sim: Simulator, env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    federated = sim._sim.federated_token(600)
    secrets = [sim._sim.identity_header, federated, sim.client_secret,
               sim._sim.github_request_token, "canary-client-secret-7f3a"]
    app_service(sim, env)
    path = tmp_path / "token"
    path.write_text(federated)
    shown: list[object] = [
        ManagedIdentityCredential(),
        DefaultAzureCredential(),
        WorkloadIdentityCredential(
            tenant_id=sim.tenant_id, client_id=sim._sim.federated_client_id, token_file=str(path)
        ),
        GitHubActionsCredential(
            tenant_id=sim.tenant_id, client_id=sim._sim.federated_client_id,
            request_url=sim._sim.github_id_token_url, request_token=sim._sim.github_request_token,
        ),
        ClientAssertionCredential(
            tenant_id=sim.tenant_id, client_id="c", func=lambda: federated
        ),
        ClientSecretCredential(
            tenant_id=sim.tenant_id, client_id=sim.client_id, client_secret=sim.client_secret
        ),
        client(sim, ManagedIdentityCredential()),
    ]
    failing = [
        ClientSecretCredential(
            tenant_id=sim.tenant_id, client_id=sim.client_id,
            client_secret="canary-client-secret-7f3a",
        ),
        GitHubActionsCredential(
            tenant_id=sim.tenant_id, client_id="unknown-app",
            request_url=sim._sim.github_id_token_url, request_token=sim._sim.github_request_token,
        ),
        ClientAssertionCredential(
            tenant_id=sim.tenant_id, client_id="unknown-app", func=lambda: federated
        ),
    ]
    for credential in failing:
        shown.append(credential)
        with client(sim, credential) as c, pytest.raises(IntuneAppleError) as caught:
            c.get_push_certificate()
        shown.append(caught.value)
    env.setenv("IDENTITY_HEADER", sim._sim.identity_header + "-wrong")
    with client(sim, ManagedIdentityCredential()) as c, pytest.raises(IntuneAppleError) as caught:
        c.get_push_certificate()
    shown.append(caught.value)
    for thing in shown:
        for text in (str(thing), repr(thing)):
            for secret in secrets:
                assert secret not in text, (type(thing).__name__, text)
    assert os.environ["IDENTITY_HEADER"] not in repr(ManagedIdentityCredential())
