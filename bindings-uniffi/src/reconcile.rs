//! The Apple Business reconciliation on `Client`: what Apple assigns to each MDM server against
//! what each enrollment program token holds in Intune (`docs/apple-business.md`). One core
//! call; the report crosses as its JSON text.

use intune_apple_core::abm;
use intune_apple_core::workflows::reconcile::{reconcile, ReconcileOptions};
use intune_apple_core::Secret;

use crate::client::Client;
use crate::error::IntuneAppleError;
use crate::runtime::run;

type Result<T> = std::result::Result<T, IntuneAppleError>;

/// Where the Apple Business API of `reconcile` is, and how fast it may be called; every field
/// may be left out. Holds no secret (the private key is an argument of `reconcile`).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct AppleBusinessOptions {
    /// The API root (default `https://api-business.apple.com`; the simulator's `baseUrl()`).
    #[uniffi(default)]
    pub apple_api_url: Option<String>,
    /// The token endpoint (default `https://account.apple.com/auth/oauth2/token`).
    #[uniffi(default)]
    pub apple_token_url: Option<String>,
    /// Requests allowed per minute (default 20; 0 is refused).
    #[uniffi(default)]
    pub requests_per_minute: Option<u32>,
}

fn apple_client(
    client_id: String,
    key_id: String,
    private_key: &Secret,
    options: AppleBusinessOptions,
) -> Result<abm::Client> {
    Ok(abm::AppleBusinessOptions {
        private_key: Some(private_key.clone()),
        api_url: options.apple_api_url,
        token_url: options.apple_token_url,
        requests_per_minute: options.requests_per_minute,
        spelling: |o| match o {
            abm::AppleBusinessOption::PrivateKey | abm::AppleBusinessOption::PrivateKeyPath => {
                "applePrivateKey"
            }
            abm::AppleBusinessOption::RequestsPerMinute => "requestsPerMinute",
        },
        ..abm::AppleBusinessOptions::new(client_id, key_id)
    }
    .build()?)
}

#[uniffi::export]
impl Client {
    /// Reconciles the Apple Business organisation of an API account (`appleClientId`
    /// `BUSINESSAPI.…` or `SCHOOLAPI.…`, `appleKeyId`, `applePrivateKey` the text of its `.pem`,
    /// a secret) with this tenant's enrollment program tokens: per token its Apple MDM server
    /// (`evidence`, `confidence`) and `findings` (`code`, `case` a-f, `severity`, every
    /// `serials`, `action`), as JSON text. Read-only on both sides. An unusable key fails with
    /// `Configuration`, a refused one with `Unauthorized`.
    pub async fn reconcile(
        &self,
        apple_client_id: String,
        apple_key_id: String,
        apple_private_key: String,
        options: AppleBusinessOptions,
    ) -> Result<String> {
        let key = Secret::new(apple_private_key);
        let c = self.core();
        run(async move {
            let apple = apple_client(apple_client_id, apple_key_id, &key, options)?;
            let r = reconcile(&c, &apple, &ReconcileOptions::default()).await?;
            Ok(r.to_json())
        })
        .await
    }
}
