"""Typed results of the Graph calls: one class per Graph type, with snake_case attributes,
``to_dict()``, equality and a ``repr`` without secrets. Instances are created by the client;
fields holding a secret (token file contents, certificates sent for upload, passwords) are
never exposed."""

from __future__ import annotations

from typing import Union

from intune_apple import _native

_NAMES = [
    "ApplePushNotificationCertificate", "DataSharingConsent", "DepOnboardingSetting",
    "BaseEnrollmentProfile", "DepIosEnrollmentProfile", "DepMacOsEnrollmentProfile",
    "DepEnrollmentProfile", "UnknownEnrollmentProfile", "ManagementCertificateWithThumbprint",
    "DepProfileAdminAccountPasswordRotationSetting", "DepProfileDelayAutoRotationSetting",
    "ImportedAppleDeviceIdentity", "ImportedAppleDeviceIdentityResult", "IosVppApp", "MacOsVppApp",
    "MimeContent", "VppLicensingType", "IosDeviceType", "VppAppRevokeLicensesActionResult",
    "MobileAppAssignment", "GroupAssignmentTarget", "AllAssignmentTarget",
    "ConfigurationManagerCollectionAssignmentTarget", "IosVppAppAssignmentSettings",
    "MacOsVppAppAssignmentSettings", "VppTokenActionResult", "VppToken", "VppTokenLicenseSummary",
    "UnknownObject",
    # results of the workflows
    "HealthReport", "ReportItem", "ReportProblem", "ReportError", "ItemSync", "PushRenewalReport",
    "CsrDownload", "DepRenewalReport", "VppRenewalReport", "Step", "Refusal",
    "DuplicateRepairReport", "AppRepair", "AssignmentSummary", "AssignmentKey",
    "AssignmentConflict", "NotCopied", "OrphanApp", "OldToken", "AppRef", "ProfileCreated",
    "ViolationSummary", "SerialList", "DeviceResult", "SerialAssignmentReport",
    "DefaultProfileSet", "SupersededToken", "TokenRoles", "DuplicateApp", "DuplicateFindings",
    "AssignmentPlan", "TokenProfilesCheck", "ProfileCheck",
]
globals().update({name: getattr(_native, name) for name in _NAMES})

EnrollmentProfile = Union[
    _native.DepIosEnrollmentProfile, _native.DepMacOsEnrollmentProfile,
    _native.BaseEnrollmentProfile, _native.DepEnrollmentProfile,
    _native.UnknownEnrollmentProfile,
]
MobileApp = Union[_native.IosVppApp, _native.MacOsVppApp, _native.UnknownObject]
AssignmentTarget = Union[
    _native.GroupAssignmentTarget, _native.AllAssignmentTarget,
    _native.ConfigurationManagerCollectionAssignmentTarget, _native.UnknownObject,
]
MobileAppAssignmentSettings = Union[
    _native.IosVppAppAssignmentSettings, _native.MacOsVppAppAssignmentSettings,
    _native.UnknownObject,
]

__all__ = [*_NAMES, "EnrollmentProfile", "MobileApp", "AssignmentTarget", "MobileAppAssignmentSettings"]
