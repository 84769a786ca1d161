"""The synchronous ``Client`` and the asyncio ``AsyncClient``: the same methods, the same
results. Each call runs in the native module: the sync client waits with the GIL released,
the async client awaits. Listings are iterators that fetch one Graph page at a time."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import datetime
from typing import Any, Callable, Optional, TypeVar, Union

from intune_apple import _credential, _native
from intune_apple.errors import ConfigurationError, IntuneAppleError
from intune_apple.files import DepTokenFile, PushCertificateFile, VppTokenFile
from intune_apple.models import (
    ApplePushNotificationCertificate,
    CsrDownload,
    DefaultProfileSet,
    DepRenewalReport,
    DuplicateRepairReport,
    HealthReport,
    ProfileCreated,
    PushRenewalReport,
    SerialAssignmentReport,
    TokenProfilesCheck,
    VppRenewalReport,
    DataSharingConsent,
    DepOnboardingSetting,
    EnrollmentProfile,
    ImportedAppleDeviceIdentity,
    ImportedAppleDeviceIdentityResult,
    MobileApp,
    MobileAppAssignment,
    VppToken,
    VppTokenLicenseSummary,
)

T = TypeVar("T")
PageProgress = _native.PageProgress
Progress = Optional[Callable[[PageProgress], object]]
"""Called after each page with ``PageProgress(items, pages)``."""
ProfileInput = Union[EnrollmentProfile, dict[str, Any]]
AssignmentInput = Union[MobileAppAssignment, dict[str, Any]]
DeviceInput = Union[str, ImportedAppleDeviceIdentity, dict[str, Any]]
BatchResult = tuple[list[str], Optional[IntuneAppleError]]


def _iterate(pages: _native.Pages[T]) -> Iterator[T]:
    while True:
        page = pages.next_page()
        if page is None:
            return
        yield from page


async def _aiterate(pages: _native.Pages[T]) -> AsyncIterator[T]:
    while True:
        page = await pages.next_page_async()
        if page is None:
            return
        for item in page:
            yield item


class _Base:
    _asynchronous = False
    _native_client: Optional[_native.NativeClient]

    def __init__(
        self,
        *,
        tenant_id: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        certificate: Union[str, bytes, None] = None,
        certificate_path: Optional[str] = None,
        certificate_password: Optional[str] = None,
        access_token: Optional[str] = None,
        base_url: Optional[str] = None,
        authority_host: Optional[str] = None,
        cloud: Optional[str] = None,
        timeout: Optional[float] = None,
        attempt_timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        retries: Optional[int] = None,
        retry_base_delay: Optional[float] = None,
        retry_max_delay: Optional[float] = None,
        retry_total_budget: Optional[float] = None,
        user_agent: Optional[str] = None,
        credential: Any = None,
    ) -> None:
        """Credentials: ``tenant_id`` + ``client_id`` with ``client_secret``, or with the app's
        certificate and its private key: ``certificate_path`` (a PEM file, or a PKCS#12
        ``.pfx``/``.p12`` file) or ``certificate`` (its contents: PEM text, bytes, or a PFX as
        base64 text as Key Vault returns it), with
        ``certificate_password`` when the file has one (the PFX export password, or the password
        of an encrypted PEM key); or ``access_token`` (a bearer token obtained elsewhere).
        ``cloud``: ``global`` (default), ``usgov``, ``dod``, ``china``. ``base_url`` overrides
        the Graph root (a proxy, the simulator). ``timeout`` bounds a whole call (retries
        included, default 300 s), ``attempt_timeout`` one HTTP attempt (60 s),
        ``connect_timeout`` connecting (10 s). ``retries``: how many times a throttled or
        unavailable read is retried (default 4); ``retry_base_delay`` the first back-off when
        the answer gives no ``Retry-After`` (0.5 s), ``retry_max_delay`` the longest single wait
        (60 s), ``retry_total_budget`` the most time spent waiting across retries, all in
        seconds. ``credential``: one of
        :mod:`intune_apple.credentials` (``ManagedIdentityCredential()``,
        ``DefaultAzureCredential()``, ...; used by the core directly) or any azure-identity
        credential (the ``aio`` ones with :class:`AsyncClient`), used instead of the other
        credential arguments."""
        self._native_client = _native.NativeClient(
            tenant_id=tenant_id, client_id=client_id, client_secret=client_secret,
            certificate=certificate, certificate_path=certificate_path,
            certificate_password=certificate_password, access_token=access_token,
            base_url=base_url, authority_host=authority_host, cloud=cloud, timeout=timeout,
            attempt_timeout=attempt_timeout, connect_timeout=connect_timeout, retries=retries,
            retry_base_delay=retry_base_delay, retry_max_delay=retry_max_delay,
            retry_total_budget=retry_total_budget, user_agent=user_agent,
            credential=_credential.for_client(credential, asynchronous=self._asynchronous),
        )

    @classmethod
    def _wrap(cls: type[_C], native: _native.NativeClient) -> _C:
        self = cls.__new__(cls)
        self._native_client = native
        return self

    @property
    def _c(self) -> _native.NativeClient:
        if self._native_client is None:
            raise ConfigurationError("this client is closed: create a new one")
        if self._native_client.pid != os.getpid():
            raise ConfigurationError(
                "this client was created in another process (before os.fork(), or by a "
                "multiprocessing 'fork' worker's parent): create a new client in this process"
            )
        return self._native_client

    @property
    def graph_root(self) -> str:
        """The Graph root URL in use."""
        return self._c.graph_root

    def close(self) -> None:
        """Releases the client and its tokens; later calls raise ``ConfigurationError``.

        Connections are shared by every client of the process (one TLS set-up per connect
        timeout) and closed by their pool once idle.
        """
        self._native_client = None

    def __repr__(self) -> str:
        state = "closed" if self._native_client is None else self._native_client.graph_root
        return f"{type(self).__name__}({state!r})"


_C = TypeVar("_C", bound=_Base)


class Client(_Base):
    """Synchronous client (releases the GIL while waiting for Graph).

    >>> with Client.from_env() as client:                      # doctest: +SKIP
    ...     cert = client.get_push_certificate()
    ...     for device in client.imported_devices(token_id):
    ...         print(device.serial_number)
    """

    @classmethod
    def from_env(cls) -> Client:
        """Reads ``AZURE_TENANT_ID``, ``AZURE_CLIENT_ID`` and ``AZURE_CLIENT_SECRET`` (or
        ``AZURE_CLIENT_CERTIFICATE_PATH``), ``AZURE_AUTHORITY_HOST``,
        ``INTUNE_APPLE_ACCESS_TOKEN``, ``INTUNE_APPLE_GRAPH_URL``, ``INTUNE_APPLE_CLOUD``."""
        return cls._wrap(_native.NativeClient.from_env())

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # push certificate
    def get_push_certificate(self) -> ApplePushNotificationCertificate:
        """The tenant's Apple MDM push certificate (``NotFoundError`` when there is none)."""
        return self._c.get_push_certificate().wait()

    def download_push_certificate_csr(self) -> str:
        """The certificate signing request to upload at Apple's Push Certificates Portal."""
        return self._c.download_push_certificate_csr().wait()

    def upload_push_certificate(
        self, apple_id: str, pem: Union[str, bytes, PushCertificateFile]
    ) -> ApplePushNotificationCertificate:
        """Uploads a renewed push certificate. Check it first with
        ``inspect(path).check_renewal(current, now)``: a certificate with another topic is
        accepted by Intune and breaks every device."""
        return self._c.upload_push_certificate(apple_id, pem).wait()

    def get_data_sharing_consent(self) -> DataSharingConsent:
        """The data-sharing consent Intune needs before the first upload."""
        return self._c.get_data_sharing_consent().wait()

    def grant_data_sharing_consent(self) -> DataSharingConsent:
        """Grants the data-sharing consent (one-way)."""
        return self._c.grant_data_sharing_consent().wait()

    # enrollment program tokens
    def enrollment_program_tokens(self, progress: Progress = None) -> Iterator[DepOnboardingSetting]:
        """Every enrollment program (ADE/DEP/ABM) token."""
        return _iterate(self._c.enrollment_program_tokens(progress))

    def get_enrollment_program_token(self, token_id: str) -> DepOnboardingSetting:
        """One token, with its default profiles."""
        return self._c.get_enrollment_program_token(token_id).wait()

    def get_encryption_public_key(self, token_id: str) -> str:
        """The public key (PEM) to upload to Apple Business Manager when renewing."""
        return self._c.get_encryption_public_key(token_id).wait()

    def generate_encryption_public_key(self, token_id: str) -> str:
        """A NEW key pair (only for a new token: it breaks the renewal of a token in use)."""
        return self._c.generate_encryption_public_key(token_id).wait()

    def create_enrollment_program_token(self, token_name: str) -> DepOnboardingSetting:
        """Creates an empty token entry (then generate its key and upload the ``.p7m``)."""
        return self._c.create_enrollment_program_token(token_name).wait()

    def upload_enrollment_program_token(
        self, token_id: str, apple_id: str, p7m: Union[str, bytes, DepTokenFile]
    ) -> None:
        """Uploads (renews) the ``.p7m`` from Apple into the token."""
        self._c.upload_enrollment_program_token(token_id, apple_id, p7m).wait()

    def sync_enrollment_program_token(
        self,
        token_id: str,
        *,
        force: bool = False,
        last_full_sync: Optional[datetime] = None,
        macos: bool = False,
    ) -> None:
        """Asks Intune to sync the token with Apple. A sync Intune would refuse raises
        ``SyncTooSoonError`` (with ``next_allowed_at``) without calling Intune, unless
        ``force``."""
        self._c.sync_enrollment_program_token(
            token_id, force=force, last_full_sync=last_full_sync, macos=macos
        ).wait()

    def share_for_school_data_sync(self, token_id: str) -> None:
        """Shares the token with School Data Sync."""
        self._c.share_for_school_data_sync(token_id).wait()

    def unshare_for_school_data_sync(self, token_id: str) -> None:
        """Stops sharing the token with School Data Sync."""
        self._c.unshare_for_school_data_sync(token_id).wait()

    def delete_enrollment_program_token(self, token_id: str) -> None:
        """Deletes the token from Intune."""
        self._c.delete_enrollment_program_token(token_id).wait()

    # enrollment profiles
    def enrollment_profiles(self, token_id: str) -> Iterator[EnrollmentProfile]:
        """Every enrollment profile of the token."""
        return _iterate(self._c.enrollment_profiles(token_id))

    def get_enrollment_profile(self, token_id: str, profile_id: str) -> EnrollmentProfile:
        """One enrollment profile."""
        return self._c.get_enrollment_profile(token_id, profile_id).wait()

    def create_enrollment_profile(self, token_id: str, profile: ProfileInput) -> EnrollmentProfile:
        """Creates a profile (validate it first with ``rules.validate_enrollment_profile``)."""
        return self._c.create_enrollment_profile(token_id, profile).wait()

    def update_enrollment_profile(self, token_id: str, profile_id: str, changes: ProfileInput) -> None:
        """Updates a profile with the given properties (Graph JSON with ``@odata.type``)."""
        self._c.update_enrollment_profile(token_id, profile_id, changes).wait()

    def delete_enrollment_profile(self, token_id: str, profile_id: str) -> None:
        """Deletes a profile."""
        self._c.delete_enrollment_profile(token_id, profile_id).wait()

    def set_default_enrollment_profile(self, token_id: str, profile_id: str) -> None:
        """Makes the profile the token's default."""
        self._c.set_default_enrollment_profile(token_id, profile_id).wait()

    def export_mobile_config(self, token_id: str, profile_id: str) -> str:
        """The profile as a ``.mobileconfig``."""
        return self._c.export_mobile_config(token_id, profile_id).wait()

    def assign_enrollment_profile(
        self, token_id: str, profile_id: str, serial_numbers: Sequence[str]
    ) -> list[BatchResult]:
        """Assigns devices to the profile in batches of 1,000; one ``(serials, error)`` per
        batch, ``error`` None when the batch was accepted."""
        return self._c.assign_profile_to_devices(token_id, profile_id, list(serial_numbers)).wait()

    # imported devices
    def imported_devices(self, token_id: str, progress: Progress = None) -> Iterator[ImportedAppleDeviceIdentity]:
        """Every device of the token, one Graph page in memory at a time."""
        return _iterate(self._c.imported_devices(token_id, progress))

    def find_imported_devices(self, token_id: str, serial_number: str) -> Iterator[ImportedAppleDeviceIdentity]:
        """The devices of the token with this serial number."""
        return _iterate(self._c.find_imported_devices(token_id, serial_number))

    def import_devices(
        self, token_id: str, devices: Sequence[DeviceInput], overwrite: bool = False
    ) -> list[ImportedAppleDeviceIdentityResult]:
        """Imports devices (serial numbers, or device objects/dicts); one result per device."""
        return self._c.import_devices(token_id, list(devices), overwrite).wait()

    def delete_imported_device(self, token_id: str, device_id: str) -> None:
        """Deletes one imported device."""
        self._c.delete_imported_device(token_id, device_id).wait()

    # VPP tokens
    def vpp_tokens(self, progress: Progress = None) -> Iterator[VppToken]:
        """Every VPP (Apps and Books) token."""
        return _iterate(self._c.vpp_tokens(progress))

    def get_vpp_token(self, token_id: str) -> VppToken:
        """One VPP token."""
        return self._c.get_vpp_token(token_id).wait()

    def create_vpp_token(
        self,
        token_file: Union[str, bytes, VppTokenFile],
        *,
        display_name: Optional[str] = None,
        country_or_region: Optional[str] = None,
        automatically_update_apps: Optional[bool] = None,
        data_sharing_consent_granted: Optional[bool] = None,
    ) -> VppToken:
        """Adds a NEW VPP token (a location not yet in Intune). To renew, use
        ``renew_vpp_token``: a second token for a location duplicates every app."""
        return self._c.create_vpp_token(
            token_file, display_name=display_name, country_or_region=country_or_region,
            automatically_update_apps=automatically_update_apps,
            data_sharing_consent_granted=data_sharing_consent_granted,
        ).wait()

    def upload_vpp_token(self, token_id: str, token_file: Union[str, bytes, VppTokenFile]) -> None:
        """Uploads a renewed ``.vpptoken`` into the existing token (no checks; see
        :meth:`renew_vpp_token` for the checked renewal)."""
        self._c.upload_vpp_token(token_id, token_file).wait()

    def delete_vpp_token(self, token_id: str) -> None:
        """Deletes a VPP token."""
        self._c.delete_vpp_token(token_id).wait()

    def sync_vpp_token_licenses(self, token_id: str) -> VppToken:
        """Starts a licence sync with Apple."""
        return self._c.sync_vpp_licenses(token_id).wait()

    def revoke_vpp_token_licenses(self, token_id: str, *, notify_managed_devices: bool = False) -> None:
        """Revokes every licence of the token. Destructive."""
        self._c.revoke_vpp_licenses(token_id, notify_managed_devices=notify_managed_devices).wait()

    def revoke_vpp_token_licenses_with_untracked(
        self, token_id: str, *, notify_managed_devices: bool = False, revoke_untracked_licenses: bool = False
    ) -> None:
        """Revokes every licence of the token, and with ``revoke_untracked_licenses`` also those
        assigned outside Intune. Destructive."""
        self._c.revoke_vpp_token_licenses_with_untracked(
            token_id, notify_managed_devices=notify_managed_devices,
            revoke_untracked_licenses=revoke_untracked_licenses).wait()

    def sync_vpp_token_license_counts(self) -> None:
        """Asks Intune to refresh the licence counts of every VPP token."""
        self._c.sync_vpp_token_license_counts().wait()

    def expiring_vpp_token_count(self, expiring_before: datetime) -> int:
        """How many VPP tokens expire before ``expiring_before`` (an aware datetime)."""
        return int(self._c.expiring_vpp_token_count(expiring_before).wait())

    def release_apple_devices(
        self, token_id: str, p7m: Union[str, bytes, DepTokenFile], serial_numbers: Sequence[str]
    ) -> None:
        """Releases devices from the organisation at Apple (``p7m``: the token's ``.p7m``
        contents, or what :func:`intune_apple.inspect` read). **Destructive**: the devices leave
        Apple Business Manager."""
        self._c.release_apple_devices(token_id, p7m, list(serial_numbers)).wait()

    def revoke_all_app_licenses(self, app_id: str, *, notify_managed_devices: bool = False) -> None:
        """Revokes every licence of an iOS VPP app. Destructive."""
        self._c.revoke_all_app_licenses(app_id, notify_managed_devices=notify_managed_devices).wait()

    def revoke_app_device_license(
        self, app_id: str, managed_device_id: str, *, notify_managed_devices: bool = False
    ) -> None:
        """Revokes an iOS VPP app's licence on one managed device. Destructive."""
        self._c.revoke_app_device_license(
            app_id, managed_device_id, notify_managed_devices=notify_managed_devices).wait()

    def revoke_app_user_license(self, app_id: str, user_id: str, *, notify_managed_devices: bool = False) -> None:
        """Revokes an iOS VPP app's licence of one user. Destructive."""
        self._c.revoke_app_user_license(app_id, user_id, notify_managed_devices=notify_managed_devices).wait()

    def vpp_licenses_for_app(self, bundle_id: str) -> list[VppTokenLicenseSummary]:
        """Licence counts of an app on every token."""
        return self._c.vpp_licenses_for_app(bundle_id).wait()

    # VPP apps
    def vpp_apps(self, progress: Progress = None) -> Iterator[MobileApp]:
        """Every iOS and macOS VPP app."""
        return _iterate(self._c.vpp_apps(progress))

    def vpp_apps_for_token(self, vpp_token_id: str) -> Iterator[MobileApp]:
        """The VPP apps of one VPP token."""
        return _iterate(self._c.vpp_apps_for_token(vpp_token_id))

    def get_vpp_app(self, app_id: str) -> MobileApp:
        """One app."""
        return self._c.get_vpp_app(app_id).wait()

    def app_assignments(self, app_id: str) -> Iterator[MobileAppAssignment]:
        """The assignments of one app."""
        return _iterate(self._c.app_assignments(app_id))

    def assign_app(self, app_id: str, assignments: Sequence[AssignmentInput]) -> None:
        """Replaces the app's assignments (read the current ones first to add to them)."""
        self._c.assign_app(app_id, list(assignments)).wait()

    # workflows
    def reconcile(
        self,
        apple_client_id: str,
        apple_key_id: str,
        apple_private_key: Union[str, bytes],
        *,
        apple_api_url: Optional[str] = None,
        apple_token_url: Optional[str] = None,
        requests_per_minute: int = 20,
    ) -> dict[str, Any]:
        """Reconciles the Apple Business organisation of the API account (client id, key id,
        the ``.pem`` private key's text) with this tenant's enrollment program tokens: per token,
        its Apple MDM server (``server``: ``evidence``, ``confidence``) and ``findings`` (``code``,
        ``case`` a-f, ``severity``, every ``serials``, ``action``); see docs/apple-business.md.
        Read-only on both sides."""
        return dict(json.loads(self._c.reconcile(
            apple_client_id, apple_key_id, apple_private_key, apple_api_url=apple_api_url,
            apple_token_url=apple_token_url, requests_per_minute=requests_per_minute,
        ).wait()))

    def health_report(
        self,
        *,
        as_of: Optional[datetime] = None,
        warning_days: int = 30,
        critical_days: int = 7,
        locale: str = "en",
        include_apps: bool = False,
    ) -> HealthReport:
        """The health of every Apple credential of the tenant, most urgent first, with
        ``to_markdown()``, ``to_json()``, ``to_ics()``, ``to_table()``. A section that cannot be
        read is listed in ``errors`` instead of failing the report."""
        return self._c.health_report(
            as_of=as_of, warning_days=warning_days, critical_days=critical_days, locale=locale,
            include_apps=include_apps,
        ).wait()

    def renew_push_certificate(
        self, apple_id: str, pem: Union[str, bytes, PushCertificateFile], *, force: bool = False
    ) -> PushRenewalReport:
        """Checks the renewed certificate (same topic, later expiry), uploads it, reads it back
        and verifies it. Raises ``RenewalRefusedError`` with every reason, nothing changed."""
        return self._c.renew_push_certificate(apple_id, pem, force=force).wait()

    def generate_push_csr(self, path: Union[str, "os.PathLike[str]"]) -> CsrDownload:
        """First set-up (no push certificate yet): has Intune generate the certificate signing
        request, writes it to ``path`` and says what to do next (Create, not Renew, at Apple)."""
        return self._c.generate_push_csr(os.fspath(path)).wait()

    def download_push_csr(self, path: Union[str, "os.PathLike[str]"]) -> CsrDownload:
        """Writes the certificate signing request to ``path`` and says what to do next."""
        return self._c.download_push_csr(os.fspath(path)).wait()

    def renew_enrollment_program_token(
        self,
        token_id: str,
        apple_id: str,
        p7m: Union[str, bytes, DepTokenFile],
        *,
        file_name: Optional[str] = None,
        force: bool = False,
        sync: bool = False,
    ) -> DepRenewalReport:
        """Checks the ``.p7m`` was made for this token's key, uploads it and verifies the new
        expiry; with ``sync=True`` then starts a sync with Apple (a refused sync is a warning of
        the report, never an error: the renewal is done)."""
        return self._c.renew_enrollment_program_token(
            token_id, apple_id, p7m, file_name=file_name, force=force, sync=sync
        ).wait()

    def renew_vpp_token(
        self,
        token_file: Union[str, bytes, VppTokenFile],
        *,
        location: Optional[str] = None,
        create_if_missing: bool = False,
        force: bool = False,
    ) -> VppRenewalReport:
        """Finds the token the file renews, uploads the file into it (never as a second token),
        syncs licences and verifies the expiry moved."""
        return self._c.renew_vpp_token(
            token_file, location=location, create_if_missing=create_if_missing, force=force
        ).wait()

    def repair_duplicate_apps(self, *, apply: bool = False) -> DuplicateRepairReport:
        """Plans (or with ``apply=True`` writes and verifies) copying the assignments of apps
        duplicated under an old VPP token onto the current token's apps."""
        return self._c.repair_duplicate_apps(apply=apply).wait()

    def create_profile(self, token_id: str, template: ProfileInput) -> ProfileCreated:
        """Validates the template with the rules, then creates the profile."""
        return self._c.create_profile_from_template(token_id, template).wait()

    def validate_token_profiles(self, token_id: str) -> TokenProfilesCheck:
        """Holds every enrollment profile of a token against the profile rules, as it is in
        the tenant: classic profiles, and settings-catalog enrollment policies through their
        settings. Read only; ``exit_code`` is 0 pass, 1 a rule broken, 2 one not checked."""
        return self._c.validate_token_profiles(token_id).wait()

    def copy_profile(
        self,
        token_id: str,
        profile_id: str,
        target_token_id: str,
        *,
        new_name: Optional[str] = None,
        target: Optional[Client] = None,
    ) -> ProfileCreated:
        """Copies a profile to another token (of this tenant, or of ``target``'s tenant)."""
        native = target._c if target is not None else None
        return self._c.copy_profile(
            token_id, profile_id, target_token_id, new_name=new_name, target=native
        ).wait()

    def assign_serial_numbers(
        self, token_id: str, profile_id: str, serial_numbers: Sequence[str], *, batch_size: Optional[int] = None
    ) -> SerialAssignmentReport:
        """Assigns devices by serial number, with one outcome per device."""
        return self._c.assign_serial_numbers(
            token_id, profile_id, list(serial_numbers), batch_size=batch_size
        ).wait()

    def set_default_profile(self, token_id: str, profile_id: str) -> DefaultProfileSet:
        """Makes the profile the default of its platform and says which one it replaced."""
        return self._c.set_default_profile(token_id, profile_id).wait()


class AsyncClient(_Base):
    """asyncio client: the methods of :class:`Client`, awaited; listings are async iterators.

    >>> async with AsyncClient.from_env() as client:           # doctest: +SKIP
    ...     cert = await client.get_push_certificate()
    ...     async for device in client.imported_devices(token_id):
    ...         print(device.serial_number)
    """

    _asynchronous = True

    @classmethod
    def from_env(cls) -> AsyncClient:
        """As :meth:`Client.from_env`."""
        return cls._wrap(_native.NativeClient.from_env())

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    async def get_push_certificate(self) -> ApplePushNotificationCertificate:
        """As :meth:`Client.get_push_certificate`."""
        return await self._c.get_push_certificate().future()

    async def download_push_certificate_csr(self) -> str:
        """As :meth:`Client.download_push_certificate_csr`."""
        return await self._c.download_push_certificate_csr().future()

    async def upload_push_certificate(
        self, apple_id: str, pem: Union[str, bytes, PushCertificateFile]
    ) -> ApplePushNotificationCertificate:
        """As :meth:`Client.upload_push_certificate`."""
        return await self._c.upload_push_certificate(apple_id, pem).future()

    async def get_data_sharing_consent(self) -> DataSharingConsent:
        """As :meth:`Client.get_data_sharing_consent`."""
        return await self._c.get_data_sharing_consent().future()

    async def grant_data_sharing_consent(self) -> DataSharingConsent:
        """As :meth:`Client.grant_data_sharing_consent`."""
        return await self._c.grant_data_sharing_consent().future()

    def enrollment_program_tokens(self, progress: Progress = None) -> AsyncIterator[DepOnboardingSetting]:
        """As :meth:`Client.enrollment_program_tokens`."""
        return _aiterate(self._c.enrollment_program_tokens(progress))

    async def get_enrollment_program_token(self, token_id: str) -> DepOnboardingSetting:
        """As :meth:`Client.get_enrollment_program_token`."""
        return await self._c.get_enrollment_program_token(token_id).future()

    async def get_encryption_public_key(self, token_id: str) -> str:
        """As :meth:`Client.get_encryption_public_key`."""
        return await self._c.get_encryption_public_key(token_id).future()

    async def generate_encryption_public_key(self, token_id: str) -> str:
        """As :meth:`Client.generate_encryption_public_key`."""
        return await self._c.generate_encryption_public_key(token_id).future()

    async def create_enrollment_program_token(self, token_name: str) -> DepOnboardingSetting:
        """As :meth:`Client.create_enrollment_program_token`."""
        return await self._c.create_enrollment_program_token(token_name).future()

    async def upload_enrollment_program_token(
        self, token_id: str, apple_id: str, p7m: Union[str, bytes, DepTokenFile]
    ) -> None:
        """As :meth:`Client.upload_enrollment_program_token`."""
        await self._c.upload_enrollment_program_token(token_id, apple_id, p7m).future()

    async def sync_enrollment_program_token(
        self,
        token_id: str,
        *,
        force: bool = False,
        last_full_sync: Optional[datetime] = None,
        macos: bool = False,
    ) -> None:
        """As :meth:`Client.sync_enrollment_program_token`."""
        await self._c.sync_enrollment_program_token(
            token_id, force=force, last_full_sync=last_full_sync, macos=macos
        ).future()

    async def share_for_school_data_sync(self, token_id: str) -> None:
        """As :meth:`Client.share_for_school_data_sync`."""
        await self._c.share_for_school_data_sync(token_id).future()

    async def unshare_for_school_data_sync(self, token_id: str) -> None:
        """As :meth:`Client.unshare_for_school_data_sync`."""
        await self._c.unshare_for_school_data_sync(token_id).future()

    async def delete_enrollment_program_token(self, token_id: str) -> None:
        """As :meth:`Client.delete_enrollment_program_token`."""
        await self._c.delete_enrollment_program_token(token_id).future()

    def enrollment_profiles(self, token_id: str) -> AsyncIterator[EnrollmentProfile]:
        """As :meth:`Client.enrollment_profiles`."""
        return _aiterate(self._c.enrollment_profiles(token_id))

    async def get_enrollment_profile(self, token_id: str, profile_id: str) -> EnrollmentProfile:
        """As :meth:`Client.get_enrollment_profile`."""
        return await self._c.get_enrollment_profile(token_id, profile_id).future()

    async def create_enrollment_profile(self, token_id: str, profile: ProfileInput) -> EnrollmentProfile:
        """As :meth:`Client.create_enrollment_profile`."""
        return await self._c.create_enrollment_profile(token_id, profile).future()

    async def update_enrollment_profile(self, token_id: str, profile_id: str, changes: ProfileInput) -> None:
        """As :meth:`Client.update_enrollment_profile`."""
        await self._c.update_enrollment_profile(token_id, profile_id, changes).future()

    async def delete_enrollment_profile(self, token_id: str, profile_id: str) -> None:
        """As :meth:`Client.delete_enrollment_profile`."""
        await self._c.delete_enrollment_profile(token_id, profile_id).future()

    async def set_default_enrollment_profile(self, token_id: str, profile_id: str) -> None:
        """As :meth:`Client.set_default_enrollment_profile`."""
        await self._c.set_default_enrollment_profile(token_id, profile_id).future()

    async def export_mobile_config(self, token_id: str, profile_id: str) -> str:
        """As :meth:`Client.export_mobile_config`."""
        return await self._c.export_mobile_config(token_id, profile_id).future()

    async def assign_enrollment_profile(
        self, token_id: str, profile_id: str, serial_numbers: Sequence[str]
    ) -> list[BatchResult]:
        """As :meth:`Client.assign_profile_to_devices`."""
        return await self._c.assign_profile_to_devices(token_id, profile_id, list(serial_numbers)).future()

    def imported_devices(self, token_id: str, progress: Progress = None) -> AsyncIterator[ImportedAppleDeviceIdentity]:
        """As :meth:`Client.imported_devices`."""
        return _aiterate(self._c.imported_devices(token_id, progress))

    def find_imported_devices(self, token_id: str, serial_number: str) -> AsyncIterator[ImportedAppleDeviceIdentity]:
        """As :meth:`Client.find_imported_devices`."""
        return _aiterate(self._c.find_imported_devices(token_id, serial_number))

    async def import_devices(
        self, token_id: str, devices: Sequence[DeviceInput], overwrite: bool = False
    ) -> list[ImportedAppleDeviceIdentityResult]:
        """As :meth:`Client.import_devices`."""
        return await self._c.import_devices(token_id, list(devices), overwrite).future()

    async def delete_imported_device(self, token_id: str, device_id: str) -> None:
        """As :meth:`Client.delete_imported_device`."""
        await self._c.delete_imported_device(token_id, device_id).future()

    def vpp_tokens(self, progress: Progress = None) -> AsyncIterator[VppToken]:
        """As :meth:`Client.vpp_tokens`."""
        return _aiterate(self._c.vpp_tokens(progress))

    async def get_vpp_token(self, token_id: str) -> VppToken:
        """As :meth:`Client.get_vpp_token`."""
        return await self._c.get_vpp_token(token_id).future()

    async def create_vpp_token(
        self,
        token_file: Union[str, bytes, VppTokenFile],
        *,
        display_name: Optional[str] = None,
        country_or_region: Optional[str] = None,
        automatically_update_apps: Optional[bool] = None,
        data_sharing_consent_granted: Optional[bool] = None,
    ) -> VppToken:
        """As :meth:`Client.create_vpp_token`."""
        return await self._c.create_vpp_token(
            token_file, display_name=display_name, country_or_region=country_or_region,
            automatically_update_apps=automatically_update_apps,
            data_sharing_consent_granted=data_sharing_consent_granted,
        ).future()

    async def upload_vpp_token(self, token_id: str, token_file: Union[str, bytes, VppTokenFile]) -> None:
        """As :meth:`Client.upload_vpp_token`."""
        await self._c.upload_vpp_token(token_id, token_file).future()

    async def delete_vpp_token(self, token_id: str) -> None:
        """As :meth:`Client.delete_vpp_token`."""
        await self._c.delete_vpp_token(token_id).future()

    async def sync_vpp_token_licenses(self, token_id: str) -> VppToken:
        """As :meth:`Client.sync_vpp_licenses`."""
        return await self._c.sync_vpp_licenses(token_id).future()

    async def revoke_vpp_token_licenses(self, token_id: str, *, notify_managed_devices: bool = False) -> None:
        """As :meth:`Client.revoke_vpp_licenses`."""
        await self._c.revoke_vpp_licenses(token_id, notify_managed_devices=notify_managed_devices).future()

    async def revoke_vpp_token_licenses_with_untracked(
        self, token_id: str, *, notify_managed_devices: bool = False, revoke_untracked_licenses: bool = False
    ) -> None:
        """As :meth:`Client.revoke_vpp_token_licenses_with_untracked`."""
        await self._c.revoke_vpp_token_licenses_with_untracked(
            token_id, notify_managed_devices=notify_managed_devices,
            revoke_untracked_licenses=revoke_untracked_licenses).future()

    async def sync_vpp_token_license_counts(self) -> None:
        """As :meth:`Client.sync_vpp_token_license_counts`."""
        await self._c.sync_vpp_token_license_counts().future()

    async def expiring_vpp_token_count(self, expiring_before: datetime) -> int:
        """As :meth:`Client.expiring_vpp_token_count`."""
        return int(await self._c.expiring_vpp_token_count(expiring_before).future())

    async def release_apple_devices(
        self, token_id: str, p7m: Union[str, bytes, DepTokenFile], serial_numbers: Sequence[str]
    ) -> None:
        """As :meth:`Client.release_apple_devices`. **Destructive.**"""
        await self._c.release_apple_devices(token_id, p7m, list(serial_numbers)).future()

    async def revoke_all_app_licenses(self, app_id: str, *, notify_managed_devices: bool = False) -> None:
        """As :meth:`Client.revoke_all_app_licenses`."""
        await self._c.revoke_all_app_licenses(app_id, notify_managed_devices=notify_managed_devices).future()

    async def revoke_app_device_license(
        self, app_id: str, managed_device_id: str, *, notify_managed_devices: bool = False
    ) -> None:
        """As :meth:`Client.revoke_app_device_license`."""
        await self._c.revoke_app_device_license(
            app_id, managed_device_id, notify_managed_devices=notify_managed_devices).future()

    async def revoke_app_user_license(
        self, app_id: str, user_id: str, *, notify_managed_devices: bool = False
    ) -> None:
        """As :meth:`Client.revoke_app_user_license`."""
        await self._c.revoke_app_user_license(
            app_id, user_id, notify_managed_devices=notify_managed_devices).future()

    async def vpp_licenses_for_app(self, bundle_id: str) -> list[VppTokenLicenseSummary]:
        """As :meth:`Client.vpp_licenses_for_app`."""
        return await self._c.vpp_licenses_for_app(bundle_id).future()

    def vpp_apps(self, progress: Progress = None) -> AsyncIterator[MobileApp]:
        """As :meth:`Client.vpp_apps`."""
        return _aiterate(self._c.vpp_apps(progress))

    def vpp_apps_for_token(self, vpp_token_id: str) -> AsyncIterator[MobileApp]:
        """As :meth:`Client.vpp_apps_for_token`."""
        return _aiterate(self._c.vpp_apps_for_token(vpp_token_id))

    async def get_vpp_app(self, app_id: str) -> MobileApp:
        """As :meth:`Client.get_vpp_app`."""
        return await self._c.get_vpp_app(app_id).future()

    def app_assignments(self, app_id: str) -> AsyncIterator[MobileAppAssignment]:
        """As :meth:`Client.app_assignments`."""
        return _aiterate(self._c.app_assignments(app_id))

    async def assign_app(self, app_id: str, assignments: Sequence[AssignmentInput]) -> None:
        """As :meth:`Client.assign_app`."""
        await self._c.assign_app(app_id, list(assignments)).future()

    async def reconcile(
        self,
        apple_client_id: str,
        apple_key_id: str,
        apple_private_key: Union[str, bytes],
        *,
        apple_api_url: Optional[str] = None,
        apple_token_url: Optional[str] = None,
        requests_per_minute: int = 20,
    ) -> dict[str, Any]:
        """As :meth:`Client.reconcile`."""
        return dict(json.loads(await self._c.reconcile(
            apple_client_id, apple_key_id, apple_private_key, apple_api_url=apple_api_url,
            apple_token_url=apple_token_url, requests_per_minute=requests_per_minute,
        ).future()))

    async def health_report(
        self,
        *,
        as_of: Optional[datetime] = None,
        warning_days: int = 30,
        critical_days: int = 7,
        locale: str = "en",
        include_apps: bool = False,
    ) -> HealthReport:
        """As :meth:`Client.health_report`."""
        return await self._c.health_report(
            as_of=as_of, warning_days=warning_days, critical_days=critical_days, locale=locale,
            include_apps=include_apps,
        ).future()

    async def renew_push_certificate(
        self, apple_id: str, pem: Union[str, bytes, PushCertificateFile], *, force: bool = False
    ) -> PushRenewalReport:
        """As :meth:`Client.renew_push_certificate`."""
        return await self._c.renew_push_certificate(apple_id, pem, force=force).future()

    async def generate_push_csr(self, path: Union[str, "os.PathLike[str]"]) -> CsrDownload:
        """As :meth:`Client.generate_push_csr`."""
        return await self._c.generate_push_csr(os.fspath(path)).future()

    async def download_push_csr(self, path: Union[str, "os.PathLike[str]"]) -> CsrDownload:
        """As :meth:`Client.download_push_csr`."""
        return await self._c.download_push_csr(os.fspath(path)).future()

    async def renew_enrollment_program_token(
        self,
        token_id: str,
        apple_id: str,
        p7m: Union[str, bytes, DepTokenFile],
        *,
        file_name: Optional[str] = None,
        force: bool = False,
        sync: bool = False,
    ) -> DepRenewalReport:
        """As :meth:`Client.renew_enrollment_program_token`."""
        return await self._c.renew_enrollment_program_token(
            token_id, apple_id, p7m, file_name=file_name, force=force, sync=sync
        ).future()

    async def renew_vpp_token(
        self,
        token_file: Union[str, bytes, VppTokenFile],
        *,
        location: Optional[str] = None,
        create_if_missing: bool = False,
        force: bool = False,
    ) -> VppRenewalReport:
        """As :meth:`Client.renew_vpp_token`."""
        return await self._c.renew_vpp_token(
            token_file, location=location, create_if_missing=create_if_missing, force=force
        ).future()

    async def repair_duplicate_apps(self, *, apply: bool = False) -> DuplicateRepairReport:
        """As :meth:`Client.repair_duplicate_apps`."""
        return await self._c.repair_duplicate_apps(apply=apply).future()

    async def create_profile(self, token_id: str, template: ProfileInput) -> ProfileCreated:
        """As :meth:`Client.create_profile_from_template`."""
        return await self._c.create_profile_from_template(token_id, template).future()

    async def validate_token_profiles(self, token_id: str) -> TokenProfilesCheck:
        """As :meth:`Client.validate_token_profiles`."""
        return await self._c.validate_token_profiles(token_id).future()

    async def copy_profile(
        self,
        token_id: str,
        profile_id: str,
        target_token_id: str,
        *,
        new_name: Optional[str] = None,
        target: Optional[AsyncClient] = None,
    ) -> ProfileCreated:
        """As :meth:`Client.copy_profile`."""
        native = target._c if target is not None else None
        return await self._c.copy_profile(
            token_id, profile_id, target_token_id, new_name=new_name, target=native
        ).future()

    async def assign_serial_numbers(
        self, token_id: str, profile_id: str, serial_numbers: Sequence[str], *, batch_size: Optional[int] = None
    ) -> SerialAssignmentReport:
        """As :meth:`Client.assign_serial_numbers`."""
        return await self._c.assign_serial_numbers(
            token_id, profile_id, list(serial_numbers), batch_size=batch_size
        ).future()

    async def set_default_profile(self, token_id: str, profile_id: str) -> DefaultProfileSet:
        """As :meth:`Client.set_default_profile`."""
        return await self._c.set_default_profile(token_id, profile_id).future()
