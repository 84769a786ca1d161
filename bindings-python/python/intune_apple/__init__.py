"""intune_apple: keep the Apple credentials of a Microsoft Intune tenant alive (the push
certificate, enrollment program tokens and VPP tokens).

- :class:`Client` (synchronous) and :class:`AsyncClient` (asyncio): every Graph call;
- :mod:`intune_apple.models`: the typed results; :mod:`intune_apple.rules`: health, sync
  throttling, profile validation; :func:`inspect`: offline checks of Apple's files;
- :mod:`intune_apple.credentials`: sign-in where jobs run (managed identity, workload
  identity, the default chain, ...); :mod:`intune_apple.errors`: the exceptions;
  :mod:`intune_apple.testing`: the simulator.
"""

# Every name below is importable from here, but loaded on first use (PEP 562): `import
# intune_apple` alone loads neither the native module nor asyncio, typing, enum or dataclasses,
# so a scheduled job pays only for what it uses (docs/performance.md, cold start). Type
# checkers read the imports under TYPE_CHECKING, which never run.
import sys as _sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from intune_apple import _enums as enums
    from intune_apple import credentials, errors, models, rules, workflows
    from intune_apple._client import AsyncClient, Client, PageProgress
    from intune_apple._enums import *  # noqa: F401,F403
    from intune_apple.errors import *  # noqa: F401,F403
    from intune_apple.files import inspect, inspect_bytes
    from intune_apple.models import *  # noqa: F401,F403
else:
    # Where the names live: the package's own here, the others in the __all__ of one of _STAR
    # (looked up in this order, the cheapest to import first); `enums` is `_enums`.
    _NAMED = {
        "AsyncClient": "_client", "Client": "_client", "PageProgress": "_client",
        "inspect": "files", "inspect_bytes": "files",
    }
    _STAR = ("errors", "models", "_enums")
    _SUBMODULES = {
        "cli", "credentials", "errors", "files", "models", "profile_templates", "rules", "testing",
        "workflows", "_client", "_credential", "_enums", "_native", "_open_enum",
    }

    def _module(name):
        __import__(f"intune_apple.{name}")
        return _sys.modules[f"intune_apple.{name}"]

    def __getattr__(name):
        if name == "enums":
            value = _module("_enums")
        elif name in _SUBMODULES:
            return _module(name)  # importing it also sets it as this package's attribute
        elif name in _NAMED:
            value = getattr(_module(_NAMED[name]), name)
        elif name.startswith("__") or name not in __all__:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        else:
            value = next(getattr(m, name) for m in map(_module, _STAR) if name in m.__all__)
        globals()[name] = value
        return value

    def __dir__():
        return sorted(set(globals()) | set(__all__))

# Every public name, as `from intune_apple import *` and type checkers see them (the test suite
# holds it to the modules' own __all__): the package's own, then intune_apple.enums', errors' and
# models'.
__all__ = [
    "AsyncClient", "Client", "PageProgress", "credentials", "enums", "inspect", "inspect_bytes", "rules",
    "workflows",
    "ActionState", "AppleDeviceDeliveryProtocol", "AssignmentFilterType", "AssignmentSource",
    "DepTokenType", "DiscoverySource", "EnrollmentState", "ITunesPairingMode", "InstallIntent",
    "MobileAppPublishingState", "Platform", "VppTokenAccountType",
    "VppTokenActionFailureReason", "VppTokenState", "VppTokenSyncStatus",
    "IntuneAppleError", "AuthenticationError", "PermissionDeniedError", "NotFoundError",
    "ThrottledError", "ConflictError", "SyncTooSoonError", "InvalidInputError",
    "OutcomeUnknownError", "TransportError", "DecodeError", "ServerError", "ConfigurationError",
    "TokenFileError", "RenewalRefusedError", "VerificationFailedError", "InvalidProfileError",
    "InvalidTemplateError", "LocalFileError",
    "ApplePushNotificationCertificate", "DataSharingConsent", "DepOnboardingSetting",
    "BaseEnrollmentProfile", "DepIosEnrollmentProfile", "DepMacOsEnrollmentProfile",
    "DepEnrollmentProfile", "UnknownEnrollmentProfile", "ManagementCertificateWithThumbprint",
    "DepProfileAdminAccountPasswordRotationSetting", "DepProfileDelayAutoRotationSetting",
    "ImportedAppleDeviceIdentity", "ImportedAppleDeviceIdentityResult", "IosVppApp",
    "MacOsVppApp", "MimeContent", "VppLicensingType", "IosDeviceType",
    "VppAppRevokeLicensesActionResult", "MobileAppAssignment", "GroupAssignmentTarget",
    "AllAssignmentTarget", "ConfigurationManagerCollectionAssignmentTarget",
    "IosVppAppAssignmentSettings", "MacOsVppAppAssignmentSettings", "VppTokenActionResult",
    "VppToken", "VppTokenLicenseSummary", "UnknownObject", "HealthReport", "ReportItem",
    "ReportProblem", "ReportError", "ItemSync", "PushRenewalReport", "CsrDownload",
    "DepRenewalReport", "VppRenewalReport", "Step", "Refusal", "DuplicateRepairReport",
    "AppRepair", "AssignmentSummary", "AssignmentKey", "AssignmentConflict", "NotCopied",
    "OrphanApp", "OldToken", "AppRef", "ProfileCreated", "ViolationSummary", "SerialList",
    "DeviceResult", "SerialAssignmentReport", "DefaultProfileSet", "SupersededToken",
    "TokenRoles", "DuplicateApp", "DuplicateFindings", "AssignmentPlan", "TokenProfilesCheck",
    "ProfileCheck", "EnrollmentProfile",
    "MobileApp", "AssignmentTarget", "MobileAppAssignmentSettings",
]
