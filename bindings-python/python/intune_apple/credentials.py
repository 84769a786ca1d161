"""The library's own credentials, for ``Client(credential=...)`` and
``AsyncClient(credential=...)`` (beside any azure-identity credential object).

Each is the core's credential itself: the client asks it for tokens without calling back into
Python (only :class:`ClientAssertionCredential`'s ``func`` and :class:`DeviceCodeCredential`'s
``prompt`` are Python). Tokens are cached by the client; concurrent calls wait for one token
request. ``repr()`` shows ids, paths and the host form, never a secret.

- :class:`ManagedIdentityCredential`: the identity Azure gives the host (App Service,
  Functions, Automation, a VM through IMDS, Azure Arc, Cloud Shell), system-assigned or
  user-assigned by ``client_id``, ``object_id`` or ``resource_id``;
- :class:`WorkloadIdentityCredential`: a federated token file (Kubernetes);
  :class:`GitHubActionsCredential`: the runner's OIDC token; :class:`ClientAssertionCredential`:
  a function returning an assertion;
- :class:`AzureCliCredential` (``az login``) and :class:`DeviceCodeCredential` (a person signs
  in on another device, with the tenant's own public client app), for an admin at a terminal;
- :class:`DefaultAzureCredential`: the Azure SDKs' chain (environment, workload identity,
  managed identity, Azure CLI), narrowed by ``AZURE_TOKEN_CREDENTIALS``;
- :class:`ClientSecretCredential` and :class:`ClientCertificateCredential`.

A credential that cannot be built (an unknown ``AZURE_TOKEN_CREDENTIALS``, a variable missing
for ``from_env()``, an unreadable certificate) raises
:class:`~intune_apple.errors.ConfigurationError`; one that fails at sign-in raises what the
client's call raises (:class:`~intune_apple.errors.AuthenticationError`,
:class:`~intune_apple.errors.ConfigurationError` or
:class:`~intune_apple.errors.TransportError`), naming the credential and what to do.

>>> from intune_apple import Client
>>> from intune_apple.credentials import ManagedIdentityCredential
>>> client = Client(credential=ManagedIdentityCredential())    # doctest: +SKIP
"""

from __future__ import annotations

from intune_apple._native import (
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

__all__ = [
    "AzureCliCredential",
    "ClientAssertionCredential",
    "ClientCertificateCredential",
    "ClientSecretCredential",
    "Credential",
    "DefaultAzureCredential",
    "DeviceCodeCredential",
    "GitHubActionsCredential",
    "ManagedIdentityCredential",
    "WorkloadIdentityCredential",
]
