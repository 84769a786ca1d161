#![no_main]
//! Graph answers decoded into every model type of these resources must never panic, and what
//! decodes must serialise again.
use intune_apple_core::model::{
    decode, ApplePushNotificationCertificate, DepOnboardingSetting, EnrollmentProfile,
    ImportedAppleDeviceIdentity, MobileApp, MobileAppAssignment, VppToken,
};
use libfuzzer_sys::fuzz_target;

fn one<T: serde::de::DeserializeOwned + serde::Serialize>(data: &[u8]) {
    if let Ok(v) = decode::<T>(data) {
        let _ = serde_json::to_vec(&v);
    }
}

fuzz_target!(|data: &[u8]| {
    one::<ApplePushNotificationCertificate>(data);
    one::<DepOnboardingSetting>(data);
    one::<EnrollmentProfile>(data);
    one::<ImportedAppleDeviceIdentity>(data);
    one::<VppToken>(data);
    one::<MobileApp>(data);
    one::<MobileAppAssignment>(data);
});
