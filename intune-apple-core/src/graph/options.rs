//! What a caller gives to make a client, decided once: every face (Rust callers, the Python and
//! Node packages, uniffi) fills a [`ClientOptions`] from its user's arguments in its own
//! spelling and units, and [`ClientOptions::build`] decides the credential, checks every number
//! and shares the HTTP stack. A message names an option the way that face spells it
//! ([`ClientOptions::spelling`]).
//!
//! ```
//! use intune_apple_core::graph::{ClientOption, ClientOptions};
//! use intune_apple_core::Secret;
//!
//! let client = ClientOptions {
//!     access_token: Some(Secret::new("eyJ0eXAi...")),
//!     base_url: Some("http://127.0.0.1:8080".into()),
//!     attempt_timeout: Some(30_000.0),
//!     max_attempts: Some(3.0),
//!     ..ClientOptions::default()
//! }
//! .build()?;
//! assert_eq!(client.graph_root(), "http://127.0.0.1:8080/");
//!
//! // A negative timeout is refused, named as the caller spells it.
//! let err = ClientOptions {
//!     access_token: Some(Secret::new("t")),
//!     attempt_timeout: Some(-1.0),
//!     spelling: |o| if o == ClientOption::AttemptTimeout { "timeouts.attemptMs" } else { o.name() },
//!     ..ClientOptions::default()
//! }
//! .build()
//! .unwrap_err();
//! assert!(err.to_string().contains("timeouts.attemptMs is -1"));
//! # Ok::<(), intune_apple_core::graph::Error>(())
//! ```

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use zeroize::Zeroizing;

use super::client::DEFAULT_CONNECT_TIMEOUT;
use super::credentials::{
    ClientCertificateCredential, ClientSecretCredential, Credential, StaticTokenCredential,
};
use super::error::{Error, ErrorKind};
use super::retry::{caller_attempts, caller_millis, RetryPolicy, MAX_CALLER_DURATION};
use super::{Client, ClientBuilder, Cloud, HttpStack};
use crate::Secret;

/// The unit a face gives its durations in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DurationUnit {
    /// Milliseconds (Node, uniffi).
    #[default]
    Milliseconds,
    /// Seconds (Python).
    Seconds,
}

/// An option of [`ClientOptions`], to name it in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientOption {
    /// [`ClientOptions::credential`].
    Credential,
    /// [`ClientOptions::tenant_id`].
    TenantId,
    /// [`ClientOptions::client_id`].
    ClientId,
    /// [`ClientOptions::client_secret`].
    ClientSecret,
    /// [`ClientOptions::certificate`].
    Certificate,
    /// [`ClientOptions::certificate_path`].
    CertificatePath,
    /// [`ClientOptions::access_token`].
    AccessToken,
    /// [`ClientOptions::cloud`].
    Cloud,
    /// [`ClientOptions::attempt_timeout`].
    AttemptTimeout,
    /// [`ClientOptions::connect_timeout`].
    ConnectTimeout,
    /// [`ClientOptions::operation_timeout`].
    OperationTimeout,
    /// [`ClientOptions::max_attempts`].
    MaxAttempts,
    /// [`ClientOptions::retry_base_delay`].
    RetryBaseDelay,
    /// [`ClientOptions::retry_max_delay`].
    RetryMaxDelay,
    /// [`ClientOptions::retry_total_budget`].
    RetryTotalBudget,
}

impl ClientOption {
    /// The core's name of the option (snake_case, as the Python keyword arguments spell it).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Credential => "credential",
            Self::TenantId => "tenant_id",
            Self::ClientId => "client_id",
            Self::ClientSecret => "client_secret",
            Self::Certificate => "certificate",
            Self::CertificatePath => "certificate_path",
            Self::AccessToken => "access_token",
            Self::Cloud => "cloud",
            Self::AttemptTimeout => "attempt_timeout",
            Self::ConnectTimeout => "connect_timeout",
            Self::OperationTimeout => "operation_timeout",
            Self::MaxAttempts => "max_attempts",
            Self::RetryBaseDelay => "retry_base_delay",
            Self::RetryMaxDelay => "retry_max_delay",
            Self::RetryTotalBudget => "retry_total_budget",
        }
    }
}

/// Everything a caller may say about a new client. Unset fields take the core's defaults.
///
/// Sign-in, first match wins: [`credential`](Self::credential); [`access_token`](Self::access_token);
/// [`tenant_id`](Self::tenant_id) + [`client_id`](Self::client_id) with
/// [`client_secret`](Self::client_secret), else [`certificate`](Self::certificate), else
/// [`certificate_path`](Self::certificate_path). Anything else is a configuration error that
/// lists the ways.
pub struct ClientOptions {
    /// A credential object (this library's, or the caller's own).
    pub credential: Option<Arc<dyn Credential>>,
    /// A bearer token obtained elsewhere, used as is.
    pub access_token: Option<Secret>,
    /// The Entra tenant id.
    pub tenant_id: Option<String>,
    /// The app (client) id.
    pub client_id: Option<String>,
    /// The app's client secret.
    pub client_secret: Option<Secret>,
    /// The contents of the app's certificate file (PEM text or PKCS#12 bytes).
    pub certificate: Option<Zeroizing<Vec<u8>>>,
    /// The path of the app's certificate file.
    pub certificate_path: Option<String>,
    /// The certificate file's password (PKCS#12 export password, or an encrypted PEM key's).
    pub certificate_password: Option<Secret>,
    /// Graph root URL (a proxy, or the simulator's).
    pub base_url: Option<String>,
    /// Token authority.
    pub authority_host: Option<String>,
    /// National cloud: `global`, `usgov`, `dod` or `china`.
    pub cloud: Option<String>,
    /// The `User-Agent` sent.
    pub user_agent: Option<String>,
    /// One HTTP attempt, in [`unit`](Self::unit)s.
    pub attempt_timeout: Option<f64>,
    /// Connecting, in [`unit`](Self::unit)s (default 10 s).
    pub connect_timeout: Option<f64>,
    /// A whole call, retries and waits included, in [`unit`](Self::unit)s.
    pub operation_timeout: Option<f64>,
    /// Attempts in all for throttled or unavailable answers (1: no retries; at most 100).
    pub max_attempts: Option<f64>,
    /// The first retry's delay, in [`unit`](Self::unit)s.
    pub retry_base_delay: Option<f64>,
    /// The longest delay between attempts, in [`unit`](Self::unit)s.
    pub retry_max_delay: Option<f64>,
    /// All the waits of one call together, in [`unit`](Self::unit)s.
    pub retry_total_budget: Option<f64>,
    /// The unit of the durations above.
    pub unit: DurationUnit,
    /// How the caller spells each option, for messages (default [`ClientOption::name`]).
    pub spelling: fn(ClientOption) -> &'static str,
    /// Whether the client shares the process's HTTP stack for its connect timeout (connection
    /// pools and root certificates loaded once; default `true`). A face whose processes fork
    /// (Python) keeps it per process: [`HttpStack::shared`] starts again after a fork.
    pub share_http_stack: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            credential: None,
            access_token: None,
            tenant_id: None,
            client_id: None,
            client_secret: None,
            certificate: None,
            certificate_path: None,
            certificate_password: None,
            base_url: None,
            authority_host: None,
            cloud: None,
            user_agent: None,
            attempt_timeout: None,
            connect_timeout: None,
            operation_timeout: None,
            max_attempts: None,
            retry_base_delay: None,
            retry_max_delay: None,
            retry_total_budget: None,
            unit: DurationUnit::Milliseconds,
            spelling: ClientOption::name,
            share_http_stack: true,
        }
    }
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |b: bool| if b { "<set>" } else { "<unset>" };
        f.debug_struct("ClientOptions")
            .field("credential", &set(self.credential.is_some()))
            .field("access_token", &set(self.access_token.is_some()))
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &set(self.client_secret.is_some()))
            .field("certificate", &set(self.certificate.is_some()))
            .field("certificate_path", &self.certificate_path)
            .field("base_url", &self.base_url)
            .field("authority_host", &self.authority_host)
            .field("cloud", &self.cloud)
            .field("unit", &self.unit)
            .finish_non_exhaustive()
    }
}

const CONTEXT: &str = "configuring the client";

impl ClientOptions {
    fn name(&self, o: ClientOption) -> &'static str {
        (self.spelling)(o)
    }

    fn invalid(message: String) -> Error {
        Error::new(ErrorKind::InvalidInput, CONTEXT, message)
    }

    fn configuration(message: String) -> Error {
        Error::new(ErrorKind::Configuration, CONTEXT, message)
    }

    /// A caller's duration in the face's unit, checked by the core (never wrapped: a `-1`,
    /// NaN or a year is refused with the option's name).
    fn duration(&self, o: ClientOption, v: f64, zero_ok: bool) -> Result<Duration, Error> {
        let ms = match self.unit {
            DurationUnit::Milliseconds => v,
            DurationUnit::Seconds => v * 1000.0,
        };
        caller_millis(self.name(o), ms, zero_ok).map_err(|m| {
            Self::invalid(match self.unit {
                DurationUnit::Milliseconds => m,
                // Say it in the caller's unit.
                DurationUnit::Seconds => format!(
                    "{} is {v}: give a {} number of seconds up to {} (a day)",
                    self.name(o),
                    if zero_ok { "non-negative" } else { "positive" },
                    MAX_CALLER_DURATION.as_secs()
                ),
            })
        })
    }

    fn no_credential(&self) -> Error {
        let n = |o| self.name(o);
        Self::configuration(format!(
            "no credential: give {}, or {}, or {} and {} with {}, {} or {}",
            n(ClientOption::Credential),
            n(ClientOption::AccessToken),
            n(ClientOption::TenantId),
            n(ClientOption::ClientId),
            n(ClientOption::ClientSecret),
            n(ClientOption::Certificate),
            n(ClientOption::CertificatePath),
        ))
    }

    /// The builder these options describe, to adjust further (a clock, pacing, list limits).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for a number out of range (named as
    /// [`spelling`](Self::spelling) says), [`ErrorKind::Configuration`] for an unknown cloud,
    /// no way to sign in, or a certificate that cannot be read.
    pub fn into_builder(self) -> Result<ClientBuilder, Error> {
        let mut b = Client::builder();
        if let Some(name) = &self.cloud {
            let cloud = Cloud::parse(name).ok_or_else(|| {
                Self::configuration(format!(
                    "{} is {name:?}: give global, usgov, dod or china",
                    self.name(ClientOption::Cloud)
                ))
            })?;
            b = b.cloud(cloud);
        }
        let connect = match self.connect_timeout {
            Some(v) => self.duration(ClientOption::ConnectTimeout, v, false)?,
            None => DEFAULT_CONNECT_TIMEOUT,
        };
        b = if self.share_http_stack {
            b.http_stack(HttpStack::shared(connect)?)
        } else {
            b.connect_timeout(connect)
        };
        if let Some(v) = self.attempt_timeout {
            b = b.attempt_timeout(self.duration(ClientOption::AttemptTimeout, v, false)?);
        }
        if let Some(v) = self.operation_timeout {
            b = b.operation_timeout(self.duration(ClientOption::OperationTimeout, v, false)?);
        }
        if self.max_attempts.is_some()
            || self.retry_base_delay.is_some()
            || self.retry_max_delay.is_some()
            || self.retry_total_budget.is_some()
        {
            let mut policy = RetryPolicy::default();
            if let Some(n) = self.max_attempts {
                let n = caller_attempts(n).map_err(|m| {
                    Self::invalid(m.replacen(
                        "maxAttempts",
                        self.name(ClientOption::MaxAttempts),
                        1,
                    ))
                })?;
                policy = policy.with_max_attempts(n);
            }
            if let Some(v) = self.retry_base_delay {
                policy =
                    policy.with_base_delay(self.duration(ClientOption::RetryBaseDelay, v, true)?);
            }
            if let Some(v) = self.retry_max_delay {
                policy =
                    policy.with_max_delay(self.duration(ClientOption::RetryMaxDelay, v, true)?);
            }
            if let Some(v) = self.retry_total_budget {
                policy = policy.with_total_budget(self.duration(
                    ClientOption::RetryTotalBudget,
                    v,
                    true,
                )?);
            }
            b = b.retry_policy(policy);
        }
        if let Some(url) = &self.base_url {
            b = b.base_url(url.clone());
        }
        if let Some(url) = &self.authority_host {
            b = b.authority_host(url.clone());
        }
        if let Some(ua) = &self.user_agent {
            b = b.user_agent(ua.clone());
        }
        Ok(b.shared_credential(self.sign_in()?))
    }

    /// The credential these options choose.
    fn sign_in(self) -> Result<Arc<dyn Credential>, Error> {
        if let Some(c) = self.credential {
            return Ok(c);
        }
        if let Some(token) = self.access_token {
            return Ok(Arc::new(StaticTokenCredential::new(token)));
        }
        let (Some(tenant), Some(client)) = (self.tenant_id.clone(), self.client_id.clone()) else {
            return Err(self.no_credential());
        };
        if let Some(secret) = self.client_secret {
            return Ok(Arc::new(ClientSecretCredential::new(
                tenant, client, secret,
            )));
        }
        let password = self.certificate_password.as_ref().map(Secret::expose);
        let certificate = match (&self.certificate, &self.certificate_path) {
            (Some(contents), _) => {
                ClientCertificateCredential::from_contents(tenant, client, contents, password)
                    .map_err(|e| {
                        Self::configuration(format!(
                            "{}: {e}",
                            self.name(ClientOption::Certificate)
                        ))
                    })?
            }
            (None, Some(path)) => ClientCertificateCredential::from_file(
                tenant, client, path, password,
            )
            .map_err(|e| {
                Self::configuration(format!(
                    "{} ({path}): {e}",
                    self.name(ClientOption::CertificatePath)
                ))
            })?,
            (None, None) => return Err(self.no_credential()),
        };
        Ok(Arc::new(certificate))
    }

    /// The client these options describe.
    ///
    /// # Errors
    /// As [`ClientOptions::into_builder`], and [`ClientBuilder::build`]'s (an unsafe URL, a
    /// tenant id that cannot be one).
    pub fn build(self) -> Result<Client, Error> {
        self.into_builder()?.build()
    }
}

impl HttpStack {
    /// The process's HTTP stack for this connect timeout, made once: building one loads the
    /// system's root certificates (milliseconds each), which a tool making a client per tenant
    /// would pay again and again. Sharing is safe (bearer tokens are per client). A few
    /// distinct timeouts are kept; beyond them each client gets its own stack. After a
    /// `fork()` the child starts again (its parent's connections and runtime handles are not
    /// its own).
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when the TLS stack cannot be built.
    pub fn shared(connect_timeout: Duration) -> Result<Self, Error> {
        /// A handful of distinct timeouts at most.
        const KEEP: usize = 8;
        static STACKS: Mutex<(u32, Vec<(Duration, HttpStack)>)> = Mutex::new((0, Vec::new()));
        let mut guard = STACKS.lock().unwrap_or_else(PoisonError::into_inner);
        let (owner, stacks) = &mut *guard;
        if *owner != std::process::id() {
            // The parent's pools are not dropped here: their sockets belong to the parent.
            std::mem::forget(std::mem::take(stacks));
            *owner = std::process::id();
        }
        if let Some((_, stack)) = stacks.iter().find(|(t, _)| *t == connect_timeout) {
            return Ok(stack.clone());
        }
        let stack = Self::with_connect_timeout(connect_timeout)?;
        if stacks.len() < KEEP {
            stacks.push((connect_timeout, stack.clone()));
        }
        Ok(stack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> ClientOptions {
        ClientOptions {
            access_token: Some(Secret::new("t")),
            ..ClientOptions::default()
        }
    }

    #[test]
    fn sign_in_order_and_the_message_without_one() {
        let err = ClientOptions::default().build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(
            err.to_string().contains(
                "give credential, or access_token, or tenant_id and client_id with client_secret, certificate or certificate_path"
            ),
            "{err}"
        );
        // tenant and client alone are not a way to sign in
        let err = ClientOptions {
            tenant_id: Some("t".into()),
            client_id: Some("c".into()),
            ..ClientOptions::default()
        }
        .build()
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        let secret = ClientOptions {
            tenant_id: Some("11111111-1111-4111-8111-111111111111".into()),
            client_id: Some("c".into()),
            client_secret: Some(Secret::new("s3cr3t-value")),
            ..ClientOptions::default()
        };
        assert!(!format!("{secret:?}").contains("s3cr3t-value"));
        assert_eq!(
            secret.build().unwrap().credential_name(),
            "ClientSecretCredential"
        );
        assert_eq!(
            token().build().unwrap().credential_name(),
            "StaticTokenCredential"
        );
    }

    #[test]
    fn numbers_are_checked_in_the_callers_unit_and_spelling() {
        for (v, ok) in [
            (-1.0, false),
            (f64::NAN, false),
            (0.0, false),
            (1e12, false),
            (30.0, true),
        ] {
            let r = ClientOptions {
                attempt_timeout: Some(v),
                unit: DurationUnit::Seconds,
                ..token()
            }
            .build();
            assert_eq!(r.is_ok(), ok, "{v}");
            if let Err(e) = r {
                assert_eq!(e.kind(), ErrorKind::InvalidInput);
                assert!(e.to_string().contains("attempt_timeout is"), "{e}");
                assert!(e.to_string().contains("seconds"), "{e}");
            }
        }
        let e = ClientOptions {
            max_attempts: Some(0.5),
            spelling: |o| match o {
                ClientOption::MaxAttempts => "retries.maxAttempts",
                o => o.name(),
            },
            ..token()
        }
        .build()
        .unwrap_err();
        assert!(e.to_string().contains("retries.maxAttempts is 0.5"), "{e}");
        // delays may be zero, timeouts may not
        assert!(ClientOptions {
            retry_base_delay: Some(0.0),
            ..token()
        }
        .build()
        .is_ok());
        let e = ClientOptions {
            cloud: Some("mars".into()),
            ..token()
        }
        .build()
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
    }
}
