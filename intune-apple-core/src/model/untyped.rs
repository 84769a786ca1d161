//! Real answers often omit `@odata.type` on collection members, expanded navigation properties
//! and nested complex types, where the documentation always shows it. These resolve such an
//! untyped value to the type the context declares, or that its properties show.

use super::{EnrollmentProfile, MobileApp};

fn redecode<T: serde::de::DeserializeOwned>(value: &impl serde::Serialize) -> Option<T> {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
}

impl MobileApp {
    /// An app that came without `@odata.type` from a listing filtered on `isof(<declared>)`
    /// (`iosVppApp` or `macOsVppApp`) is of that type; anything else is returned unchanged.
    ///
    /// ```
    /// use intune_apple_core::model::MobileApp;
    /// let app: MobileApp = serde_json::from_str(r#"{"id": "a1", "bundleId": "com.x", "usedLicenseCount": 3}"#).unwrap();
    /// assert!(matches!(app, MobileApp::Other(_)));
    /// assert!(matches!(app.with_declared_type("iosVppApp"), MobileApp::IosVppApp(_)));
    /// ```
    #[must_use]
    pub fn with_declared_type(self, declared: &str) -> Self {
        let MobileApp::Other(raw) = &self else {
            return self;
        };
        if raw.odata_type.is_some() {
            return self;
        }
        let resolved = match declared {
            "iosVppApp" => redecode(raw).map(MobileApp::IosVppApp),
            "macOsVppApp" => redecode(raw).map(MobileApp::MacOsVppApp),
            _ => None,
        };
        resolved.unwrap_or(self)
    }
}

/// Properties only an iOS/iPadOS enrollment profile has.
const IOS_ONLY: &[&str] = &[
    "iTunesPairingMode",
    "awaitDeviceConfiguredConfirmation",
    "companyPortalVppTokenId",
    "enableSharedIPad",
    "sharedIPadMaximumUserCount",
    "enableSingleAppEnrollmentMode",
    "managementCertificates",
];

/// Properties only a macOS enrollment profile has.
const MACOS_ONLY: &[&str] = &[
    "fileVaultDisabled",
    "iCloudDiagnosticsDisabled",
    "iCloudStorageDisabled",
    "accessibilityScreenDisabled",
    "adminAccountUserName",
    "enableRestrictEditing",
    "autoUnlockWithWatchDisabled",
];

impl EnrollmentProfile {
    /// A profile listed without `@odata.type`: iOS/iPadOS or macOS when its properties say so
    /// (properties only that platform's profiles have), else unchanged (`Other`). Settings
    /// catalog policies (`ECV2_` ids) stay `Other`.
    ///
    /// ```
    /// use intune_apple_core::model::EnrollmentProfile;
    /// let p: EnrollmentProfile = serde_json::from_str(r#"{"id": "t_1", "displayName": "Mac", "fileVaultDisabled": false}"#).unwrap();
    /// assert!(matches!(p.resolve_untyped(), EnrollmentProfile::DepMacOs(_)));
    /// ```
    #[must_use]
    pub fn resolve_untyped(self) -> Self {
        let EnrollmentProfile::Other(raw) = &self else {
            return self;
        };
        if raw.odata_type.is_some() || self.id().is_some_and(|id| id.starts_with("ECV2_")) {
            return self;
        }
        let Ok(serde_json::Value::Object(map)) = serde_json::to_value(raw) else {
            return self;
        };
        let has = |keys: &[&str]| keys.iter().any(|k| map.contains_key(*k));
        let resolved = match (has(IOS_ONLY), has(MACOS_ONLY)) {
            (true, false) => redecode(&map).map(EnrollmentProfile::DepIos),
            (false, true) => redecode(&map).map(EnrollmentProfile::DepMacOs),
            _ => None,
        };
        resolved.unwrap_or(self)
    }
}
