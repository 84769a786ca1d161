//! The Apple Business API client: token cache, request budget, retries, JSON:API pager.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{Stream, TryStreamExt as _};
use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use serde::de::DeserializeOwned;

use super::account::{ApiAccount, TOKEN_URL};
use super::budget::{Limiter, RequestBudget};
use super::error::{Error, ErrorKind};
use crate::clock::{Clock, SystemClock};
use crate::graph::{parse_retry_after, BodyError, HttpStack, RetryPolicy};

/// The largest answer read from Apple (a page of 1,000 devices is well under 1 MiB).
const MAX_ANSWER_BYTES: usize = crate::graph::DEFAULT_MAX_RESPONSE_BYTES;
/// The largest token answer read.
const MAX_TOKEN_ANSWER_BYTES: usize = 1 << 20;
use crate::model::apple_business::{
    ActivityAttributes, Linkage, MdmServer, MdmServerAttributes, OrgDevice, OrgDeviceActivity,
    Page, Resource, Single,
};
use crate::Secret;

/// A stream of the items of a paged listing (every page is asked for by cursor).
pub type ItemStream<T> = std::pin::Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// The environment variables [`Client::from_env`] reads.
pub mod env {
    /// The API account's client id (`BUSINESSAPI.…` or `SCHOOLAPI.…`).
    pub const CLIENT_ID: &str = "APPLE_BUSINESS_CLIENT_ID";
    /// The API account's key id.
    pub const KEY_ID: &str = "APPLE_BUSINESS_KEY_ID";
    /// Path of the private key's `.pem` file.
    pub const PRIVATE_KEY_PATH: &str = "APPLE_BUSINESS_PRIVATE_KEY_PATH";
    /// The private key's PEM text itself (instead of a path; e.g. from a secret store).
    pub const PRIVATE_KEY: &str = "APPLE_BUSINESS_PRIVATE_KEY";
    /// The API root (default `https://api-business.apple.com` or `https://api-school.apple.com`
    /// by the client id's prefix).
    pub const API_URL: &str = "APPLE_BUSINESS_API_URL";
    /// The token endpoint (default `https://account.apple.com/auth/oauth2/token`).
    pub const TOKEN_URL: &str = "APPLE_BUSINESS_TOKEN_URL";
    /// Requests allowed per minute (default 20).
    pub const REQUESTS_PER_MINUTE: &str = "APPLE_BUSINESS_REQUESTS_PER_MINUTE";
}

/// The `fields[mdmServers]` always sent: without it Apple returns a subset that may lack the
/// last connection time.
const SERVER_FIELDS: &str = "serverName,serverType,status,deviceCount,defaultProductFamilies,lastConnectedDateTime,lastConnectedIp,createdDateTime,updatedDateTime";
/// The `fields[orgDevices]` the reconciliation needs.
const DEVICE_FIELDS: &str = "serialNumber,status,productFamily,productType,deviceModel,addedToOrgDateTime,updatedDateTime,purchaseSourceType,isMdmMigrationCapable,mdmMigrationStatus,mdmMigrationDeadlineDateTime";

/// How long before its expiry the access token is replaced.
const REFRESH_MARGIN: chrono::Duration = chrono::Duration::minutes(5);

/// The read-only client of the Apple Business (or Apple School Manager) API.
///
/// Cheap to clone; clones share the access token, the request budget and the counters. Every
/// request goes through the [`RequestBudget`] (20 a minute by default); `429` is retried after
/// its `Retry-After`; `401` gets one new token and one retry; 5xx on a read is retried with
/// back-off. It sends no request that changes anything in Apple Business.
///
/// ```no_run
/// use futures::TryStreamExt as _;
/// use intune_apple_core::abm::Client;
/// # async fn run() -> Result<(), intune_apple_core::abm::Error> {
/// // APPLE_BUSINESS_CLIENT_ID, APPLE_BUSINESS_KEY_ID, APPLE_BUSINESS_PRIVATE_KEY_PATH
/// let client = Client::from_env()?.expect("Apple Business is configured");
/// let servers: Vec<_> = client.mdm_servers().try_collect().await?;
/// for s in &servers {
///     let serials: Vec<String> = client.server_device_serials(&s.id).try_collect().await?;
///     println!("{:?}: {} devices", s.server_name, serials.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    account: ApiAccount,
    api_root: String,
    token_url: String,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    limiter: Limiter,
    budget: RequestBudget,
    page_size: u32,
    attempt_timeout: Duration,
    user_agent: String,
    token: tokio::sync::Mutex<Option<(Secret, DateTime<Utc>)>>,
    requests: AtomicU64,
    token_requests: AtomicU64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("abm::Client")
            .field("account", &self.inner.account)
            .field("api_root", &self.inner.api_root)
            .field("budget", &self.inner.budget)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    account: Option<ApiAccount>,
    api_root: Option<String>,
    token_url: Option<String>,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    budget: RequestBudget,
    page_size: u32,
    attempt_timeout: Duration,
    http: Option<HttpStack>,
    user_agent: String,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            account: None,
            api_root: None,
            token_url: None,
            clock: Arc::new(SystemClock),
            // a 429 without Retry-After waits seconds, not milliseconds: the limit is per minute
            retry: RetryPolicy::default().with_base_delay(Duration::from_secs(3)),
            budget: RequestBudget::default(),
            page_size: 1000,
            attempt_timeout: Duration::from_secs(60),
            http: None,
            user_agent: concat!("intune-apple/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl ClientBuilder {
    /// The API account (required).
    #[must_use]
    pub fn account(mut self, account: ApiAccount) -> Self {
        self.account = Some(account);
        self
    }
    /// The API root, e.g. a simulator's `http://127.0.0.1:PORT` (default by the account's
    /// program: `https://api-business.apple.com` or `https://api-school.apple.com`).
    #[must_use]
    pub fn api_root(mut self, url: impl Into<String>) -> Self {
        self.api_root = Some(url.into());
        self
    }
    /// The token endpoint (default [`TOKEN_URL`]).
    #[must_use]
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }
    /// The clock (tests pass a [`crate::clock::ManualClock`]).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    /// Retries of throttled and failed reads (default: 5 attempts, 60 s at most per wait).
    #[must_use]
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
    /// The request budget (default 20 a minute).
    #[must_use]
    pub fn request_budget(mut self, budget: RequestBudget) -> Self {
        self.budget = budget;
        self
    }
    /// Items asked for per page (1 to 1000; default 1000, Apple's maximum).
    #[must_use]
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n.clamp(1, 1000);
        self
    }
    /// Time allowed for one attempt (default 60 s).
    #[must_use]
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }
    /// Shares the connections of a Graph client's [`HttpStack`].
    #[must_use]
    pub fn http_stack(mut self, stack: HttpStack) -> Self {
        self.http = Some(stack);
        self
    }
    /// The `User-Agent`.
    #[must_use]
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] without an account, with a URL that is not `http(s)`, or
    /// when the TLS set-up cannot be built.
    pub fn build(self) -> Result<Client, Error> {
        let op = "building the Apple Business client";
        let account = self.account.ok_or_else(|| {
            Error::new(
                ErrorKind::Configuration,
                op,
                format!(
                    "no API account: set {}, {} and {} (or {})",
                    env::CLIENT_ID,
                    env::KEY_ID,
                    env::PRIVATE_KEY_PATH,
                    env::PRIVATE_KEY
                ),
            )
        })?;
        let api_root = self
            .api_root
            .unwrap_or_else(|| account.program().api_root().to_owned())
            .trim_end_matches('/')
            .to_owned();
        let token_url = self.token_url.unwrap_or_else(|| TOKEN_URL.to_owned());
        for url in [&api_root, &token_url] {
            let parsed = url::Url::parse(url).map_err(|_| {
                Error::new(ErrorKind::Configuration, op, format!("not a URL: {url}"))
            })?;
            if !matches!(parsed.scheme(), "https" | "http") {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    op,
                    format!("not an http(s) URL: {url}"),
                ));
            }
        }
        let http = match self.http {
            Some(stack) => stack,
            None => HttpStack::new()
                .map_err(|e| Error::new(ErrorKind::Configuration, op, e.message().to_owned()))?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http: http.reqwest().clone(),
                account,
                api_root,
                token_url,
                clock: self.clock,
                retry: self.retry,
                limiter: Limiter::new(self.budget),
                budget: self.budget,
                page_size: self.page_size,
                attempt_timeout: self.attempt_timeout,
                user_agent: self.user_agent,
                token: tokio::sync::Mutex::new(None),
                requests: AtomicU64::new(0),
                token_requests: AtomicU64::new(0),
            }),
        })
    }
}

/// What a caller gives to reach Apple Business: the API account and, optionally, other
/// endpoints and a request budget. Every face fills one from its user's arguments
/// ([`Client::from_env_with`] from the environment) and [`AppleBusinessOptions::build`]
/// decides the rest, once.
///
/// ```no_run
/// use intune_apple_core::abm::AppleBusinessOptions;
/// use intune_apple_core::Secret;
///
/// let apple = AppleBusinessOptions {
///     private_key: Some(Secret::new(std::fs::read_to_string("apple-api.pem")?)),
///     ..AppleBusinessOptions::new("BUSINESSAPI.9703f56c-10ce-4876-8f59-e78e5e23a152", "d136aa66")
/// }
/// .build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct AppleBusinessOptions {
    /// The API account's client id (`BUSINESSAPI.…` or `SCHOOLAPI.…`).
    pub client_id: String,
    /// The API account's key id.
    pub key_id: String,
    /// The text of the account's private key (`.pem`).
    pub private_key: Option<Secret>,
    /// The path of the account's private key, when [`private_key`](Self::private_key) is not
    /// given.
    pub private_key_path: Option<String>,
    /// The API root (default `https://api-business.apple.com`).
    pub api_url: Option<String>,
    /// The token endpoint (default [`TOKEN_URL`](super::TOKEN_URL)).
    pub token_url: Option<String>,
    /// Requests allowed per minute (default [`RequestBudget::default`]; 0 is refused).
    pub requests_per_minute: Option<u32>,
    /// How the caller spells each option in a message (default [`AppleBusinessOption::name`]),
    /// as [`ClientOptions::spelling`](crate::graph::ClientOptions::spelling) does for Graph.
    pub spelling: fn(AppleBusinessOption) -> &'static str,
}

/// An option of [`AppleBusinessOptions`] a message names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppleBusinessOption {
    /// [`AppleBusinessOptions::private_key`].
    PrivateKey,
    /// [`AppleBusinessOptions::private_key_path`].
    PrivateKeyPath,
    /// [`AppleBusinessOptions::requests_per_minute`].
    RequestsPerMinute,
}

impl AppleBusinessOption {
    /// The core's name of the option (snake_case).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::PrivateKey => "private_key",
            Self::PrivateKeyPath => "private_key_path",
            Self::RequestsPerMinute => "requests_per_minute",
        }
    }
}

impl AppleBusinessOptions {
    /// Options for this account, everything else unset.
    #[must_use]
    pub fn new(client_id: impl Into<String>, key_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            key_id: key_id.into(),
            private_key: None,
            private_key_path: None,
            api_url: None,
            token_url: None,
            requests_per_minute: None,
            spelling: AppleBusinessOption::name,
        }
    }

    /// The client these options describe.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when no key is given, the key cannot be read or used, the
    /// budget is 0, or a URL is not allowed.
    pub fn build(self) -> Result<Client, Error> {
        let op = "configuring Apple Business";
        let account = match (&self.private_key, &self.private_key_path) {
            (Some(pem), _) => ApiAccount::from_pem(self.client_id, self.key_id, pem)?,
            (None, Some(path)) => ApiAccount::from_file(self.client_id, self.key_id, path)?,
            (None, None) => {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    op,
                    format!(
                        "no private key: give {} (the text of the .pem) or {}",
                        (self.spelling)(AppleBusinessOption::PrivateKey),
                        (self.spelling)(AppleBusinessOption::PrivateKeyPath)
                    ),
                ))
            }
        };
        let budget = match self.requests_per_minute {
            None => RequestBudget::default(),
            Some(0) => {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    op,
                    format!(
                        "{} is 0: give a whole number of requests a minute above 0 (Apple allows about 20)",
                        (self.spelling)(AppleBusinessOption::RequestsPerMinute)
                    ),
                ))
            }
            Some(n) => RequestBudget::per_minute(n),
        };
        let mut builder = Client::builder().account(account).request_budget(budget);
        if let Some(url) = self.api_url {
            builder = builder.api_root(url);
        }
        if let Some(url) = self.token_url {
            builder = builder.token_url(url);
        }
        builder.build()
    }
}

impl std::fmt::Debug for AppleBusinessOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppleBusinessOptions")
            .field("client_id", &self.client_id)
            .field("key_id", &self.key_id)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<redacted>"),
            )
            .field("private_key_path", &self.private_key_path)
            .field("api_url", &self.api_url)
            .field("token_url", &self.token_url)
            .field("requests_per_minute", &self.requests_per_minute)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder.
    #[must_use]
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The client configured by the environment (see [`mod@env`]), or `None` when
    /// `APPLE_BUSINESS_CLIENT_ID` is not set (Apple Business is not configured).
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when the configuration is incomplete or the key unreadable.
    pub fn from_env() -> Result<Option<Self>, Error> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// [`Client::from_env`] with another source of variables.
    ///
    /// # Errors
    /// As [`Client::from_env`].
    pub fn from_env_with(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, Error> {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let Some(client_id) = get(env::CLIENT_ID) else {
            return Ok(None);
        };
        let op = "reading the Apple Business configuration";
        let key_id = get(env::KEY_ID).ok_or_else(|| {
            Error::new(
                ErrorKind::Configuration,
                op,
                format!("{} is set but {} is not", env::CLIENT_ID, env::KEY_ID),
            )
        })?;
        let requests_per_minute = get(env::REQUESTS_PER_MINUTE)
            .map(|n| {
                n.trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::Configuration,
                            op,
                            format!(
                                "{} must be a whole number above 0",
                                env::REQUESTS_PER_MINUTE
                            ),
                        )
                    })
            })
            .transpose()?;
        AppleBusinessOptions {
            client_id,
            key_id,
            private_key: get(env::PRIVATE_KEY).map(Secret::new),
            private_key_path: get(env::PRIVATE_KEY_PATH),
            api_url: get(env::API_URL),
            token_url: get(env::TOKEN_URL),
            requests_per_minute,
            spelling: |o| match o {
                AppleBusinessOption::PrivateKey => env::PRIVATE_KEY,
                AppleBusinessOption::PrivateKeyPath => env::PRIVATE_KEY_PATH,
                AppleBusinessOption::RequestsPerMinute => env::REQUESTS_PER_MINUTE,
            },
        }
        .build()
        .map(Some)
    }

    /// The API account.
    #[must_use]
    pub fn account(&self) -> &ApiAccount {
        &self.inner.account
    }

    /// The request budget in force.
    #[must_use]
    pub fn request_budget(&self) -> RequestBudget {
        self.inner.budget
    }

    /// The clock.
    #[must_use]
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// API requests sent so far by this client and its clones (retries included, token
    /// requests not).
    #[must_use]
    pub fn requests_sent(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// Token requests sent so far (one an hour at most in normal use).
    #[must_use]
    pub fn token_requests_sent(&self) -> u64 {
        self.inner.token_requests.load(Ordering::Relaxed)
    }

    /// Every MDM server of the organisation (`GET /v1/mdmServers`), with all attributes.
    pub fn mdm_servers(&self) -> ItemStream<MdmServer> {
        self.list::<Resource<MdmServerAttributes>, MdmServer>(
            "GET /v1/mdmServers",
            "/v1/mdmServers".to_owned(),
            vec![("fields[mdmServers]", SERVER_FIELDS.to_owned())],
        )
    }

    /// One MDM server (`GET /v1/mdmServers/{id}`, API 2.1+).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown id, and those of every call.
    pub async fn mdm_server(&self, id: &str) -> Result<MdmServer, Error> {
        let op = "GET /v1/mdmServers/{id}";
        let path = format!("/v1/mdmServers/{}", seg(id));
        let doc: Single<Resource<MdmServerAttributes>> = self
            .get_json(
                op,
                &path,
                &[("fields[mdmServers]", SERVER_FIELDS.to_owned())],
            )
            .await?;
        doc.data
            .map(MdmServer::from)
            .ok_or_else(|| Error::new(ErrorKind::Decode, op, "the answer has no data"))
    }

    /// The serial numbers assigned to an MDM server, in bulk
    /// (`GET /v1/mdmServers/{id}/relationships/devices`, 1,000 a page).
    pub fn server_device_serials(&self, server_id: &str) -> ItemStream<String> {
        let stream = self.list::<Linkage, Linkage>(
            "GET /v1/mdmServers/{id}/relationships/devices",
            format!("/v1/mdmServers/{}/relationships/devices", seg(server_id)),
            Vec::new(),
        );
        Box::pin(stream.map_ok(|l| l.id))
    }

    /// Every device of the organisation (`GET /v1/orgDevices`, 1,000 a page).
    pub fn org_devices(&self) -> ItemStream<OrgDevice> {
        self.list::<Resource<OrgDevice>, OrgDevice>(
            "GET /v1/orgDevices",
            "/v1/orgDevices".to_owned(),
            vec![("fields[orgDevices]", DEVICE_FIELDS.to_owned())],
        )
    }

    /// One device by serial number (`GET /v1/orgDevices/{id}`).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for a serial the organisation does not hold.
    pub async fn org_device(&self, serial: &str) -> Result<OrgDevice, Error> {
        let op = "GET /v1/orgDevices/{id}";
        let path = format!("/v1/orgDevices/{}", seg(serial));
        let doc: Single<Resource<OrgDevice>> = self.get_json(op, &path, &[]).await?;
        doc.data
            .map(OrgDevice::from)
            .ok_or_else(|| Error::new(ErrorKind::Decode, op, "the answer has no data"))
    }

    /// The id of the MDM server a device is assigned to, `None` when it is unassigned
    /// (`GET /v1/orgDevices/{id}/relationships/assignedServer`). One request per device: for
    /// spot checks, not for a fleet.
    ///
    /// # Errors
    /// Those of every call.
    pub async fn assigned_server_id(&self, serial: &str) -> Result<Option<String>, Error> {
        let op = "GET /v1/orgDevices/{id}/relationships/assignedServer";
        let path = format!(
            "/v1/orgDevices/{}/relationships/assignedServer",
            seg(serial)
        );
        let doc: Single<Linkage> = self.get_json(op, &path, &[]).await?;
        Ok(doc.data.map(|l| l.id))
    }

    /// A device activity by id (`GET /v1/orgDeviceActivities/{id}`; Apple keeps 30 days).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown or older activity.
    pub async fn org_device_activity(&self, id: &str) -> Result<OrgDeviceActivity, Error> {
        let op = "GET /v1/orgDeviceActivities/{id}";
        let path = format!("/v1/orgDeviceActivities/{}", seg(id));
        let doc: Single<Resource<ActivityAttributes>> = self.get_json(op, &path, &[]).await?;
        doc.data
            .map(OrgDeviceActivity::from)
            .ok_or_else(|| Error::new(ErrorKind::Decode, op, "the answer has no data"))
    }

    fn list<R, T>(
        &self,
        op: &'static str,
        path: String,
        query: Vec<(&'static str, String)>,
    ) -> ItemStream<T>
    where
        R: DeserializeOwned + Send + 'static,
        T: From<R> + Send + 'static,
    {
        struct State {
            client: Client,
            path: String,
            query: Vec<(&'static str, String)>,
            cursor: Option<String>,
            done: bool,
        }
        let state = State {
            client: self.clone(),
            path,
            query,
            cursor: None,
            done: false,
        };
        let pages = futures::stream::try_unfold(state, move |mut st| async move {
            if st.done {
                return Ok(None);
            }
            let mut query = st.query.clone();
            query.push(("limit", st.client.inner.page_size.to_string()));
            if let Some(c) = &st.cursor {
                query.push(("cursor", c.clone()));
            }
            let page: Page<R> = st.client.get_json(op, &st.path, &query).await?;
            // the next page is asked for with our own base URL and Apple's cursor, never by
            // following `links.next` (Apple's examples carry a mistyped host)
            match page.next_cursor() {
                Some(next) if st.cursor.as_deref() == Some(next) => {
                    return Err(Error::new(
                        ErrorKind::Decode,
                        op,
                        "the API answered the same cursor twice; stopping rather than looping",
                    ));
                }
                Some(next) => st.cursor = Some(next.to_owned()),
                None => st.done = true,
            }
            let items: Vec<T> = page.data.into_iter().map(T::from).collect();
            Ok(Some((items, st)))
        });
        Box::pin(
            pages
                .map_ok(|items| futures::stream::iter(items.into_iter().map(Ok)))
                .try_flatten(),
        )
    }

    /// A bearer token: the cached one while it has more than five minutes left, else a new one
    /// (one request at a time; concurrent callers wait for it).
    async fn token(&self) -> Result<Secret, Error> {
        let mut guard = self.inner.token.lock().await;
        let now = self.inner.clock.now();
        if let Some((token, expires)) = guard.as_ref() {
            if *expires - REFRESH_MARGIN > now {
                return Ok(token.clone());
            }
        }
        let (token, expires) = self.request_token().await?;
        *guard = Some((token.clone(), expires));
        Ok(token)
    }

    async fn forget_token(&self, rejected: &Secret) {
        let mut guard = self.inner.token.lock().await;
        if guard.as_ref().is_some_and(|(t, _)| t == rejected) {
            *guard = None;
        }
    }

    async fn request_token(&self) -> Result<(Secret, DateTime<Utc>), Error> {
        #[derive(serde::Deserialize)]
        struct TokenAnswer {
            access_token: Option<Secret>,
            expires_in: Option<crate::model::NumberOrText>,
        }
        let inner = &self.inner;
        let op = "POST token";
        let mut attempt = 0u32;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            let assertion = inner.account.assertion(inner.clock.now());
            let form = [
                ("grant_type", "client_credentials"),
                ("client_id", inner.account.client_id()),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion.expose()),
                ("scope", inner.account.scope()),
            ];
            inner.token_requests.fetch_add(1, Ordering::Relaxed);
            let response = inner
                .http
                .post(&inner.token_url)
                .timeout(inner.attempt_timeout)
                .header(ACCEPT, "application/json")
                .header(USER_AGENT, &inner.user_agent)
                .form(&form)
                .send()
                .await;
            let response = match response {
                Ok(r) => r,
                Err(e) => {
                    let wait = inner.retry.backoff(attempt - 1, rand::random::<f64>());
                    if self.may_retry(attempt, waited, wait) {
                        inner.clock.sleep(wait).await;
                        waited += wait;
                        continue;
                    }
                    return Err(Error::new(
                        ErrorKind::Transport,
                        op,
                        format!("cannot reach the token endpoint {}", inner.token_url),
                    )
                    .with_source(e.without_url()));
                }
            };
            let status = response.status().as_u16();
            let retry_after = retry_after_of(&response, inner.clock.now());
            let content_type = content_type_of(&response);
            let mut body = Vec::new();
            match crate::graph::read_body(response, &mut body, MAX_TOKEN_ANSWER_BYTES).await {
                Ok(()) => {}
                Err(BodyError::Transport(e)) => {
                    return Err(Error::new(
                        ErrorKind::Transport,
                        op,
                        "the token answer was cut off",
                    )
                    .with_source(e.without_url()));
                }
                Err(BodyError::TooLarge(limit)) => {
                    return Err(Error::new(
                        ErrorKind::Decode,
                        op,
                        format!("the token answer is larger than {limit} bytes and was not read: check for a proxy in the way"),
                    ));
                }
            }
            if (200..300).contains(&status) {
                let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|_| {
                    Error::new(
                        ErrorKind::Decode,
                        op,
                        format!("HTTP {status} but the body is not a token answer"),
                    )
                })?;
                let token = answer
                    .access_token
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| {
                        Error::new(ErrorKind::Decode, op, "no access_token in the answer")
                    })?;
                let lifetime = answer
                    .expires_in
                    .map_or(3600, crate::model::NumberOrText::get)
                    .clamp(0, 86_400);
                return Ok((
                    token,
                    inner.clock.now() + chrono::Duration::seconds(lifetime),
                ));
            }
            let error =
                Error::from_token_response(op, status, content_type.as_deref(), &body, retry_after);
            if matches!(status, 429 | 502 | 503 | 504) {
                let wait = retry_after
                    .unwrap_or_else(|| inner.retry.backoff(attempt - 1, rand::random::<f64>()));
                if self.may_retry(attempt, waited, wait) {
                    inner.clock.sleep(wait).await;
                    waited += wait;
                    continue;
                }
                return Err(error.with_retry_after(Some(wait)));
            }
            return Err(error);
        }
    }

    fn may_retry(&self, attempt: u32, waited: Duration, wait: Duration) -> bool {
        let p = &self.inner.retry;
        attempt < p.max_attempts && wait <= p.max_delay && waited + wait <= p.total_budget
    }

    /// A GET with the budget, the token, and the retries; decodes a 2xx body.
    async fn get_json<T: DeserializeOwned>(
        &self,
        op: &str,
        path: &str,
        query: &[(&'static str, String)],
    ) -> Result<T, Error> {
        let inner = &self.inner;
        let mut url = url::Url::parse(&format!("{}{}", inner.api_root, path)).map_err(|_| {
            Error::new(ErrorKind::Configuration, op, "cannot build the request URL")
        })?;
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        let mut attempt = 0u32;
        let mut waited = Duration::ZERO;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let token = self.token().await?;
            inner.limiter.acquire(inner.clock.as_ref()).await;
            inner.requests.fetch_add(1, Ordering::Relaxed);
            let response = inner
                .http
                .get(url.clone())
                .timeout(inner.attempt_timeout)
                .bearer_auth(token.expose())
                .header(ACCEPT, "application/json")
                .header(USER_AGENT, &inner.user_agent)
                .send()
                .await;
            let failure = match response {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = retry_after_of(&response, inner.clock.now());
                    let content_type = content_type_of(&response);
                    let mut buffer = Vec::new();
                    let read = crate::graph::read_body(response, &mut buffer, MAX_ANSWER_BYTES)
                        .await
                        .map(|()| buffer);
                    match read {
                        Ok(body) if (200..300).contains(&status) => {
                            return crate::model::decode::<T>(&body).map_err(|e| {
                                Error::new(ErrorKind::Decode, op, e.to_string()).with_source(e)
                            });
                        }
                        Ok(body) => {
                            let error = Error::from_response(
                                op,
                                status,
                                content_type.as_deref(),
                                &body,
                                retry_after,
                            );
                            if status == 401 && !refreshed {
                                refreshed = true;
                                self.forget_token(&token).await;
                                attempt -= 1;
                                continue;
                            }
                            if !matches!(status, 429 | 500 | 502 | 503 | 504) {
                                return Err(error);
                            }
                            (error, retry_after)
                        }
                        Err(BodyError::Transport(e)) => (
                            Error::new(ErrorKind::Transport, op, "the answer was cut off")
                                .with_source(e.without_url()),
                            None,
                        ),
                        Err(BodyError::TooLarge(limit)) => {
                            return Err(Error::new(
                                ErrorKind::Decode,
                                op,
                                format!("the answer (HTTP {status}) is larger than {limit} bytes and was not read: check for a proxy in the way"),
                            ));
                        }
                    }
                }
                Err(e) => (
                    Error::new(ErrorKind::Transport, op, describe(&e)).with_source(e.without_url()),
                    None,
                ),
            };
            let (error, retry_after) = failure;
            let wait = retry_after
                .unwrap_or_else(|| inner.retry.backoff(attempt - 1, rand::random::<f64>()));
            if !self.may_retry(attempt, waited, wait) {
                let error = if error.status() == Some(429) {
                    error.with_kind(ErrorKind::Throttled)
                } else {
                    error
                };
                return Err(error.with_retry_after(Some(wait)));
            }
            tracing::info!(
                attempt,
                status = error.status(),
                wait_ms = wait.as_millis() as u64,
                "retrying an Apple Business request"
            );
            inner.clock.sleep(wait).await;
            waited += wait;
        }
    }
}

fn retry_after_of(response: &reqwest::Response, now: DateTime<Utc>) -> Option<Duration> {
    response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now))
}

fn content_type_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "network error".to_owned()
    }
}

/// A path segment, percent-encoded.
fn seg(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_absent_means_not_configured_and_partial_is_an_error() {
        assert!(Client::from_env_with(|_| None).unwrap().is_none());
        let e = Client::from_env_with(|n| (n == env::CLIENT_ID).then(|| "BUSINESSAPI.x".into()))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.to_string().contains(env::KEY_ID), "{e}");
        let pem = ApiAccount::generate_test_key_pem();
        let c = Client::from_env_with(|n| match n {
            env::CLIENT_ID => Some("BUSINESSAPI.x".into()),
            env::KEY_ID => Some("k".into()),
            env::PRIVATE_KEY => Some(pem.clone()),
            env::REQUESTS_PER_MINUTE => Some("10".into()),
            _ => None,
        })
        .unwrap()
        .unwrap();
        assert_eq!(c.request_budget(), RequestBudget::per_minute(10));
        assert!(!format!("{c:?}").contains("PRIVATE"));
    }

    #[test]
    fn options_decide_the_key_the_budget_and_name_the_callers_fields() {
        let e = AppleBusinessOptions {
            spelling: |o| match o {
                AppleBusinessOption::PrivateKey => "applePrivateKey",
                AppleBusinessOption::PrivateKeyPath => "applePrivateKeyPath",
                AppleBusinessOption::RequestsPerMinute => "requestsPerMinute",
            },
            ..AppleBusinessOptions::new("BUSINESSAPI.x", "k")
        }
        .build()
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.to_string().contains("applePrivateKey"), "{e}");
        let pem = Secret::new(ApiAccount::generate_test_key_pem());
        let with_key = AppleBusinessOptions {
            private_key: Some(pem),
            ..AppleBusinessOptions::new("BUSINESSAPI.x", "k")
        };
        assert!(!format!("{with_key:?}").contains("PRIVATE KEY"));
        let zero = AppleBusinessOptions {
            requests_per_minute: Some(0),
            ..with_key.clone()
        }
        .build()
        .unwrap_err();
        assert_eq!(zero.kind(), ErrorKind::Configuration);
        assert!(zero.to_string().contains("above 0"), "{zero}");
        assert!(
            zero.to_string().contains("requests_per_minute is 0"),
            "{zero}"
        );
        let c = with_key.build().unwrap();
        assert_eq!(c.request_budget(), RequestBudget::default());
    }

    #[test]
    fn segments_are_escaped() {
        assert_eq!(seg("A B/C"), "A%20B%2FC");
    }
}
