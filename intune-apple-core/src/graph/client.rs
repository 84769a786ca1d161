//! The client: builder, configuration from the environment, and the transport every handler
//! uses (authentication, retries, timeouts, paging, decoding).

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use reqwest::Method;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;
use url::Url;

use super::cloud::{ApiVersion, Cloud};
use super::credentials::{
    ClientCertificateCredential, ClientSecretCredential, Credential, DefaultAzureCredential,
    StaticTokenCredential, TokenCache, TokenRequestContext,
};
use super::env;
use super::error::{Error, ErrorKind};
use super::listing::ListLimits;
use super::pacing::{token_identity, Limiter, Pacing};
use super::retry::{is_retryable_status, parse_retry_after, RetryPolicy};
use crate::clock::{Clock, SystemClock};
use crate::model::{decode, Entity, ValueResult};
use crate::Secret;

/// The Microsoft Graph client for Intune's Apple resources.
///
/// Cheap to clone (an `Arc` inside), `Send + Sync`; clones share the HTTP connection pool and
/// the token cache.
///
/// ```no_run
/// use intune_apple_core::graph::Client;
/// # async fn run() -> Result<(), intune_apple_core::graph::Error> {
/// let client = Client::from_env()?;
/// let cert = client.push_certificate().get().await?;
/// println!("{:?} expires {:?}", cert.topic_identifier, cert.expiration_date_time);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    attempt_timeout: Duration,
    graph_root: Url,
    authority_host: String,
    scope: String,
    tokens: TokenCache,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    operation_timeout: Duration,
    user_agent: String,
    max_response_bytes: usize,
    list_limits: ListLimits,
    pacing: Option<Pacing>,
    /// The tenant's shared limiter and this client's application, found at the first request.
    limiter: std::sync::OnceLock<(Arc<Limiter>, String)>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("graph_root", &self.inner.graph_root.as_str())
            .field("authority_host", &self.inner.authority_host)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// The HTTP connections and TLS set-up of one or more clients.
///
/// Each [`ClientBuilder::build`] otherwise makes its own, which loads the system's root
/// certificates (a few milliseconds of CPU each). A program that reports on many tenants builds
/// one stack and gives it to every client: they then share the connection pool as well. Bearer
/// tokens are per client and per request, never kept in the stack.
///
/// Use one stack within one Tokio runtime: a pooled connection belongs to the runtime that
/// opened it.
///
/// ```
/// use intune_apple_core::graph::{Client, HttpStack, StaticTokenCredential};
/// let http = HttpStack::new().unwrap();
/// let clients: Vec<Client> = ["token-of-contoso", "token-of-fabrikam"]
///     .into_iter()
///     .map(|token| {
///         Client::builder()
///             .http_stack(http.clone())
///             .credential(StaticTokenCredential::new(token))
///             .build()
///     })
///     .collect::<Result<_, _>>()
///     .unwrap();
/// assert_eq!(clients.len(), 2);
/// ```
#[derive(Clone)]
pub struct HttpStack {
    http: reqwest::Client,
}

impl HttpStack {
    /// The connection pool, for the other clients of the crate (the Apple Business API).
    pub(crate) fn reqwest(&self) -> &reqwest::Client {
        &self.http
    }

    /// A stack with the default connect timeout (10 s).
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when the TLS set-up cannot be built (no usable root
    /// certificates on this system).
    pub fn new() -> Result<Self, Error> {
        Self::with_connect_timeout(DEFAULT_CONNECT_TIMEOUT)
    }

    /// A stack with this connect timeout.
    ///
    /// # Errors
    /// As [`HttpStack::new`].
    pub fn with_connect_timeout(timeout: Duration) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Configuration,
                    "building the client",
                    format!(
                        "cannot build the HTTP client ({e}); check the system's root certificates"
                    ),
                )
            })?;
        Ok(Self { http })
    }
}

impl std::fmt::Debug for HttpStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpStack").finish_non_exhaustive()
    }
}

/// The connect timeout of a client that does not set one.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds a [`Client`].
///
/// ```
/// use intune_apple_core::graph::{Client, Cloud, StaticTokenCredential, RetryPolicy};
/// use std::time::Duration;
/// let client = Client::builder()
///     .cloud(Cloud::UsGov)
///     .credential(StaticTokenCredential::new("token-from-elsewhere"))
///     .retry_policy(RetryPolicy::default().with_max_attempts(3))
///     .attempt_timeout(Duration::from_secs(20))
///     .build()
///     .unwrap();
/// assert_eq!(client.graph_root(), "https://graph.microsoft.us/");
/// ```
#[must_use]
pub struct ClientBuilder {
    cloud: Cloud,
    graph_url: Option<String>,
    authority_host: Option<String>,
    credential: Option<Arc<dyn Credential>>,
    retry: RetryPolicy,
    attempt_timeout: Duration,
    connect_timeout: Duration,
    http_stack: Option<HttpStack>,
    operation_timeout: Duration,
    user_agent: String,
    clock: Arc<dyn Clock>,
    allow_insecure_http: bool,
    max_response_bytes: usize,
    list_limits: ListLimits,
    pacing: Option<Pacing>,
}

/// The largest Graph answer a client reads by default: 64 MiB (a page of 1,000 devices is
/// about 450 KB). See [`ClientBuilder::max_response_bytes`].
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 << 20;

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            cloud: Cloud::Global,
            graph_url: None,
            authority_host: None,
            credential: None,
            retry: RetryPolicy::default(),
            attempt_timeout: Duration::from_secs(60),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            http_stack: None,
            operation_timeout: Duration::from_secs(300),
            user_agent: format!("intune-apple/{}", env!("CARGO_PKG_VERSION")),
            clock: Arc::new(SystemClock),
            allow_insecure_http: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            list_limits: ListLimits::default(),
            pacing: Some(Pacing::intune()),
        }
    }
}

impl ClientBuilder {
    /// The national cloud (default global). Sets the Graph and token hosts and the scope.
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = cloud;
        self
    }
    /// Overrides the Graph root URL (without `/v1.0` or `/beta`), e.g. a proxy or the simulator.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.graph_url = Some(url.into());
        self
    }
    /// Overrides the token authority host, e.g. `https://login.microsoftonline.com`.
    pub fn authority_host(mut self, url: impl Into<String>) -> Self {
        self.authority_host = Some(url.into());
        self
    }
    /// The credential.
    pub fn credential(mut self, credential: impl Credential + 'static) -> Self {
        self.credential = Some(Arc::new(credential));
        self
    }
    /// The credential, shared.
    pub fn shared_credential(mut self, credential: Arc<dyn Credential>) -> Self {
        self.credential = Some(credential);
        self
    }
    /// The retry policy.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
    /// The timeout of one HTTP attempt (default 60 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }
    /// The timeout of connecting (default 10 s). Ignored with [`ClientBuilder::http_stack`]:
    /// the stack's own applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
    /// Connections and TLS set-up shared with other clients (see [`HttpStack`]); by default
    /// each client builds its own.
    pub fn http_stack(mut self, stack: HttpStack) -> Self {
        self.http_stack = Some(stack);
        self
    }
    /// The timeout of a whole call, retries and waits included (default 300 s).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }
    /// The `User-Agent` (default `intune-apple/VERSION`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }
    /// The clock (tests inject a `ManualClock`).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    /// Accepts plain `http://` for the Graph URL and the authority on any host (default: only
    /// on this machine, e.g. the simulator). Tokens and secrets then cross the network in
    /// clear: only for a trusted test proxy.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }
    /// The largest answer body read from Graph (default [`DEFAULT_MAX_RESPONSE_BYTES`]); a
    /// larger one (a proxy or server gone wrong, an endless body) is refused with
    /// [`ErrorKind::Decode`] (or [`ErrorKind::OutcomeUnknown`] for a write) instead of filling
    /// memory.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }
    /// The bounds of every paged listing (pages, items, an optional deadline); see
    /// [`ListLimits`](super::ListLimits).
    pub fn list_limits(mut self, limits: ListLimits) -> Self {
        self.list_limits = limits;
        self
    }

    /// The request and write rates kept per tenant and application (default
    /// [`Pacing::intune`]: Intune's throttles); `None` sends every request at once and relies
    /// on the retries of 429 answers. Every client of the same tenant and Graph root in the
    /// process with the same rates is paced together (see [`Pacing`]).
    pub fn pacing(mut self, pacing: Option<Pacing>) -> Self {
        self.pacing = pacing;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] when no credential is set, a URL is invalid or the TLS
    /// set-up cannot be built.
    pub fn build(self) -> Result<Client, Error> {
        let config = |m: String| Error::new(ErrorKind::Configuration, "building the client", m);
        let credential = self.credential.ok_or_else(|| {
            config(
                "no credential: set one with ClientBuilder::credential or use Client::from_env"
                    .into(),
            )
        })?;
        let root_text = self
            .graph_url
            .unwrap_or_else(|| self.cloud.graph_root().to_owned());
        let mut graph_root = Url::parse(root_text.trim())
            .map_err(|e| config(format!("the Graph URL is not a valid URL ({e})")))?;
        super::endpoint::check_endpoint("Graph URL", &graph_root, self.allow_insecure_http)
            .map_err(config)?;
        if !graph_root.path().ends_with('/') {
            let path = format!("{}/", graph_root.path());
            graph_root.set_path(&path);
        }
        let authority_host = self
            .authority_host
            .unwrap_or_else(|| self.cloud.authority_host().to_owned())
            .trim_end_matches('/')
            .to_owned();
        let authority = Url::parse(authority_host.trim())
            .map_err(|e| config(format!("the authority host is not a valid URL ({e})")))?;
        super::endpoint::check_endpoint("authority host", &authority, self.allow_insecure_http)
            .map_err(config)?;
        let http = match self.http_stack {
            Some(stack) => stack,
            None => HttpStack::with_connect_timeout(self.connect_timeout)?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http: http.http,
                attempt_timeout: self.attempt_timeout,
                graph_root,
                authority_host,
                scope: self.cloud.default_scope(),
                tokens: TokenCache::with_attempt_timeout(credential, self.attempt_timeout),
                clock: self.clock,
                retry: self.retry,
                operation_timeout: self.operation_timeout,
                user_agent: self.user_agent,
                max_response_bytes: self.max_response_bytes,
                list_limits: self.list_limits,
                pacing: self.pacing,
                limiter: std::sync::OnceLock::new(),
            }),
        })
    }
}

/// The error of a 2xx answer whose body does not decode: for a write the service said it
/// applied the request, so its outcome is unknown (read back, never resend), not a failure.
fn undecodable(error: Error, write: bool) -> Error {
    if write {
        error.with_kind(ErrorKind::OutcomeUnknown)
    } else {
        error
    }
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment, with the Azure SDK's variable names:
    /// `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, then `AZURE_CLIENT_SECRET` or
    /// `AZURE_CLIENT_CERTIFICATE_PATH` (PEM or PKCS#12, with `AZURE_CLIENT_CERTIFICATE_PASSWORD`
    /// when it has one); `AZURE_AUTHORITY_HOST`; plus `INTUNE_APPLE_GRAPH_URL`,
    /// `INTUNE_APPLE_ACCESS_TOKEN` (a bearer token obtained elsewhere, used instead of the
    /// others) and `INTUNE_APPLE_CLOUD`.
    ///
    /// When none of these names a credential, or `AZURE_TOKEN_CREDENTIALS` is set, the client
    /// signs in with [`DefaultAzureCredential`](super::DefaultAzureCredential): workload
    /// identity (`AZURE_FEDERATED_TOKEN_FILE`, or GitHub Actions OIDC), managed identity (where
    /// its environment is present), then the Azure CLI.
    ///
    /// # Errors
    /// [`ErrorKind::Configuration`] naming the invalid variable.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// As [`Client::from_env`], reading variables through `var` (for tests and embedding).
    ///
    /// # Errors
    /// As [`Client::from_env`].
    pub fn from_env_with(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Self::builder_from_env_with(var)?.build()
    }

    /// A [`ClientBuilder`] configured from the environment, to adjust further.
    ///
    /// # Errors
    /// As [`Client::from_env`].
    pub fn builder_from_env_with(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<ClientBuilder, Error> {
        let config = |m: String| Error::new(ErrorKind::Configuration, "reading the environment", m);
        let mut builder = Client::builder();
        if let Some(name) = var(env::CLOUD) {
            let cloud = Cloud::parse(&name).ok_or_else(|| {
                config(format!(
                    "{} must be global, usgov, dod or china",
                    env::CLOUD
                ))
            })?;
            builder = builder.cloud(cloud);
        }
        if let Some(url) = var(env::GRAPH_URL) {
            builder = builder.base_url(url);
        }
        if let Some(host) = var(env::AUTHORITY_HOST) {
            builder = builder.authority_host(host);
        }
        let chain =
            || DefaultAzureCredential::from_env_with(&var).map_err(|e| config(e.to_string()));
        if var(env::TOKEN_CREDENTIALS).is_some() {
            return Ok(builder.credential(chain()?));
        }
        if let Some(token) = var(env::ACCESS_TOKEN) {
            return Ok(builder.credential(StaticTokenCredential::new(token)));
        }
        // A secret or certificate names the environment credential: its ids must be there.
        let explicit =
            var(env::CLIENT_SECRET).is_some() || var(env::CLIENT_CERTIFICATE_PATH).is_some();
        for name in [env::TENANT_ID, env::CLIENT_ID] {
            if explicit && var(name).is_none() {
                return Err(config(format!(
                    "{name} is not set; set {}, {} and {} (or {}), or {} with a bearer token",
                    env::TENANT_ID,
                    env::CLIENT_ID,
                    env::CLIENT_SECRET,
                    env::CLIENT_CERTIFICATE_PATH,
                    env::ACCESS_TOKEN
                )));
            }
        }
        if let (Some(tenant), Some(client_id)) = (var(env::TENANT_ID), var(env::CLIENT_ID)) {
            if let Some(secret) = var(env::CLIENT_SECRET) {
                return Ok(
                    builder.credential(ClientSecretCredential::new(tenant, client_id, secret))
                );
            }
            if let Some(path) = var(env::CLIENT_CERTIFICATE_PATH) {
                let password = var(env::CLIENT_CERTIFICATE_PASSWORD).map(Secret::new);
                let credential = ClientCertificateCredential::from_file(
                    tenant,
                    client_id,
                    &path,
                    password.as_ref().map(Secret::expose),
                )
                .map_err(|e| config(format!("{} ({path}): {e}", env::CLIENT_CERTIFICATE_PATH)))?;
                return Ok(builder.credential(credential));
            }
        }
        // Nothing explicit: the Azure SDKs' chain (workload identity, managed identity, the
        // Azure CLI), which says at the first call what each step tried.
        Ok(builder.credential(chain()?))
    }

    /// The Graph root URL in use (`https://graph.microsoft.com/`).
    #[must_use]
    pub fn graph_root(&self) -> &str {
        self.inner.graph_root.as_str()
    }

    /// The connections and TLS set-up of this client, to build more clients that share them
    /// (see [`HttpStack`]).
    #[must_use]
    pub fn http_stack(&self) -> HttpStack {
        HttpStack {
            http: self.inner.http.clone(),
        }
    }

    /// The bounds of paged listings.
    pub(crate) fn list_limits(&self) -> ListLimits {
        self.inner.list_limits
    }

    /// The clock in use.
    #[must_use]
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// Signs in now (or reuses the cached token): a run checks its credential once, before
    /// anything else, and reports one error if it is refused.
    ///
    /// # Errors
    /// [`ErrorKind::Unauthorized`], [`ErrorKind::Configuration`] or [`ErrorKind::Transport`]
    /// from the credential, with the identity platform's reason and what to do.
    pub async fn sign_in(&self) -> Result<(), Error> {
        self.inner
            .tokens
            .token(self.token_context())
            .await
            .map(|_| ())
            .map_err(|e| Error::credential("sign-in", e))
    }

    /// The name of the credential in use (`ManagedIdentityCredential`, ...).
    #[must_use]
    pub fn credential_name(&self) -> &str {
        self.inner.tokens.credential().name()
    }

    fn token_context(&self) -> TokenRequestContext<'_> {
        TokenRequestContext {
            http: &self.inner.http,
            clock: self.inner.clock.as_ref(),
            authority_host: &self.inner.authority_host,
            scope: &self.inner.scope,
        }
    }

    /// `GET` an entity (bare or `{"value": {...}}`), or a write answering one.
    pub(crate) async fn get_entity<T: DeserializeOwned>(&self, call: Call) -> Result<T, Error> {
        let (op, write) = (call.operation(), call.method != Method::GET);
        let raw = self.execute(call).await?;
        decode::<Entity<T>>(&raw.body)
            .map(Entity::into_inner)
            .map_err(|e| undecodable(Error::decode(op, e), write))
    }

    /// A call answering `{"value": ...}`.
    pub(crate) async fn get_value<T: DeserializeOwned>(&self, call: Call) -> Result<T, Error> {
        let (op, write) = (call.operation(), call.method != Method::GET);
        let raw = self.execute(call).await?;
        decode::<ValueResult<T>>(&raw.body)
            .map(|v| v.value)
            .map_err(|e| undecodable(Error::decode(op, e), write))
    }

    /// A call whose answer body is ignored (204, or 200 with a body we do not need).
    pub(crate) async fn send_no_content(&self, call: Call) -> Result<(), Error> {
        self.execute(call).await.map(|_| ())
    }

    /// The call for an `@odata.nextLink`, refused unless it points to the Graph root's origin
    /// (scheme, host and port): the bearer token is never sent anywhere else.
    pub(crate) fn next_link_call(
        &self,
        link: &str,
        template: &'static str,
        permission: &'static str,
    ) -> Result<Call, Error> {
        let op = format!("GET {template} (next page)");
        let url = Url::parse(link).map_err(|_| {
            Error::new(
                ErrorKind::Decode,
                op.clone(),
                "the service sent an @odata.nextLink that is not a valid URL",
            )
        })?;
        let root = &self.inner.graph_root;
        let same_origin = url.scheme() == root.scheme()
            && url.host_str() == root.host_str()
            && url.port_or_known_default() == root.port_or_known_default();
        if !same_origin {
            return Err(Error::new(
                ErrorKind::Configuration,
                op,
                format!(
                    "refused to follow an @odata.nextLink to another host ({}://{}); the bearer token is only sent to {}",
                    url.scheme(),
                    url.host_str().unwrap_or("?"),
                    root.as_str().trim_end_matches('/')
                ),
            ));
        }
        Ok(Call {
            method: Method::GET,
            target: Target::Absolute(url),
            template,
            query: Vec::new(),
            body: None,
            permission,
        })
    }

    /// Sends a call with authentication, retries and timeouts; returns a 2xx answer or the error.
    pub(crate) async fn execute(&self, call: Call) -> Result<RawResponse, Error> {
        self.execute_into(call, Vec::new()).await
    }

    /// [`Client::execute`], reading the answer's body into `buffer` (cleared first): a listing
    /// reuses the buffers of its pages, rather than taking fresh memory for each page.
    pub(crate) async fn execute_into(
        &self,
        call: Call,
        buffer: Vec<u8>,
    ) -> Result<RawResponse, Error> {
        let op = call.operation();
        let idempotent = call.method == Method::GET;
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let span = tracing::info_span!(
            "graph_call",
            method = %call.method,
            path = %call.path_template(),
            client_request_id = %client_request_id,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        let deadline = self.inner.clock.monotonic()
            + chrono::Duration::from_std(self.inner.operation_timeout)
                .unwrap_or(chrono::Duration::MAX);
        let run = self.execute_with_retries(&call, &op, &client_request_id, buffer, deadline);
        let outcome = tokio::time::timeout(self.inner.operation_timeout, run)
            .instrument(span.clone())
            .await;
        match outcome {
            Ok(result) => {
                if let Ok(raw) = &result {
                    span.record("status", raw.status);
                }
                result
            }
            Err(_) => {
                let kind = if idempotent {
                    ErrorKind::Transport
                } else {
                    ErrorKind::OutcomeUnknown
                };
                Err(Error::new(
                    kind,
                    op,
                    format!(
                        "no answer within the operation timeout of {} s",
                        self.inner.operation_timeout.as_secs()
                    ),
                )
                .with_client_request_id(&client_request_id))
            }
        }
    }

    async fn execute_with_retries(
        &self,
        call: &Call,
        op: &str,
        client_request_id: &str,
        mut buffer: Vec<u8>,
        deadline: chrono::DateTime<chrono::Utc>,
    ) -> Result<RawResponse, Error> {
        let inner = &self.inner;
        let idempotent = call.method == Method::GET;
        let url = self.url_of(call, op)?;
        let mut attempt: u32 = 0;
        let mut waited = Duration::ZERO;
        let mut refreshed_after_401 = false;
        loop {
            attempt += 1;
            tracing::Span::current().record("attempts", attempt);
            let token = inner
                .tokens
                .token(self.token_context())
                .await
                .map_err(|e| Error::credential(op, e).with_client_request_id(client_request_id))?;
            self.pace(token.expose(), !idempotent, deadline, op, client_request_id)
                .await?;
            let mut request = inner
                .http
                .request(call.method.clone(), url.clone())
                .timeout(inner.attempt_timeout)
                .bearer_auth(token.expose())
                .header("client-request-id", client_request_id)
                .header(ACCEPT, "application/json")
                .header(USER_AGENT, &inner.user_agent);
            if let Some(body) = &call.body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            } else if call.method == Method::POST {
                request = request.header(reqwest::header::CONTENT_LENGTH, "0");
            }
            let started = inner.clock.monotonic();
            let response = request.send().await;
            let response = match response {
                Ok(r) => r,
                Err(e) => {
                    let never_sent = e.is_connect() || e.is_builder();
                    let description = describe_transport(&e);
                    tracing::warn!(attempt, error = %description, "graph request failed");
                    if never_sent || idempotent {
                        let wait = inner.retry.backoff(attempt - 1, rand::random::<f64>());
                        if self.may_retry(attempt, waited, wait) {
                            inner.clock.sleep(wait).await;
                            waited += wait;
                            continue;
                        }
                        return Err(Error::new(ErrorKind::Transport, op, description)
                            .with_client_request_id(client_request_id)
                            .with_source(e.without_url()));
                    }
                    return Err(Error::new(
                        ErrorKind::OutcomeUnknown,
                        op,
                        format!("the request was sent but no answer came back ({description}); it may or may not have been applied"),
                    )
                    .with_client_request_id(client_request_id)
                    .with_source(e.without_url()));
                }
            };
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let read = read_body(response, &mut buffer, inner.max_response_bytes).await;
            let elapsed = (inner.clock.monotonic() - started).num_milliseconds();
            tracing::debug!(attempt, status, elapsed_ms = elapsed, "graph answer");
            match read {
                Ok(()) => {}
                Err(BodyError::TooLarge(limit)) => {
                    let (kind, outcome) = if idempotent {
                        (ErrorKind::Decode, "nothing was changed")
                    } else {
                        (ErrorKind::OutcomeUnknown, "the request may have been applied: read the resource back before trying again")
                    };
                    return Err(Error::new(
                        kind,
                        op,
                        format!("the answer (HTTP {status}) is larger than {limit} bytes and was not read; {outcome}. Check for a proxy in the way, or raise the limit (max_response_bytes) if the answer is genuine"),
                    )
                    .with_status(status)
                    .with_client_request_id(client_request_id));
                }
                Err(BodyError::Transport(e)) => {
                    let description = describe_transport(&e);
                    if idempotent {
                        let wait = inner.retry.backoff(attempt - 1, rand::random::<f64>());
                        if self.may_retry(attempt, waited, wait) {
                            inner.clock.sleep(wait).await;
                            waited += wait;
                            continue;
                        }
                        return Err(Error::new(
                            ErrorKind::Transport,
                            op,
                            format!("the answer was cut off ({description})"),
                        )
                        .with_status(status)
                        .with_client_request_id(client_request_id));
                    }
                    // A write's answer cut off, 2xx or not: it may have been applied.
                    return Err(Error::new(
                        ErrorKind::OutcomeUnknown,
                        op,
                        format!("HTTP {status} came back but its body was cut off ({description}); the request may have been applied: read the resource back to see its state"),
                    )
                    .with_status(status)
                    .with_client_request_id(client_request_id));
                }
            }
            if (200..300).contains(&status) {
                return Ok(RawResponse {
                    status,
                    body: buffer,
                });
            }
            let retry_after = headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, inner.clock.now()));
            let error = Error::from_response(
                op,
                status,
                &buffer,
                request_id(&headers),
                client_request_id,
                retry_after,
                call.permission,
            );
            if status == 401 && !refreshed_after_401 {
                refreshed_after_401 = true;
                inner.tokens.invalidate(&token).await;
                attempt -= 1;
                continue;
            }
            // Intune's query broker throttles reads with a 500 and no `Retry-After`: back off.
            let broker_throttle = status == 500 && error.kind() == ErrorKind::Throttled;
            // A write is resent only when the answer says it was not applied: 429, or 503 with
            // a `Retry-After`. Any other 5xx (a 500, a 502 from a proxy, a 504 from a gateway
            // that gave up, a bare 503) may come after the backend applied it: the caller reads
            // the resource back instead.
            let retryable = if idempotent {
                is_retryable_status(status) || broker_throttle
            } else {
                status == 429 || (status == 503 && error.retry_after().is_some())
            };
            if !retryable {
                // The broker's throttling refusal says the write was not taken: it stays
                // `Throttled` (not resent automatically either).
                if !idempotent && status >= 500 && !broker_throttle {
                    return Err(error.with_kind(ErrorKind::OutcomeUnknown));
                }
                return Err(error);
            }
            let wait = error
                .retry_after()
                .unwrap_or_else(|| inner.retry.backoff(attempt - 1, rand::random::<f64>()));
            if !self.may_retry(attempt, waited, wait) {
                let kind = if status == 429 || broker_throttle || error.retry_after().is_some() {
                    ErrorKind::Throttled
                } else {
                    ErrorKind::Server
                };
                return Err(error.with_kind(kind).with_retry_after(Some(wait)));
            }
            tracing::info!(
                attempt,
                status,
                wait_ms = wait.as_millis() as u64,
                "retrying after throttling or unavailability"
            );
            inner.clock.sleep(wait).await;
            waited += wait;
        }
    }

    /// Waits for this request's turn under the tenant's pacing (see [`Pacing`]); refuses at
    /// once, with nothing sent, when the turn comes after the operation's deadline.
    async fn pace(
        &self,
        token: &str,
        write: bool,
        deadline: chrono::DateTime<chrono::Utc>,
        op: &str,
        client_request_id: &str,
    ) -> Result<(), Error> {
        let inner = &self.inner;
        let Some(pacing) = inner.pacing else {
            return Ok(());
        };
        let (limiter, app) = inner.limiter.get_or_init(|| {
            // The tenant and application from the token's claims; a token that is not a JWT
            // (the simulator's) counts against the Graph root alone.
            let (tenant, app) = token_identity(token).unwrap_or_default();
            (
                Limiter::shared(inner.graph_root.as_str(), &tenant, pacing, &inner.clock),
                app,
            )
        });
        let budget = (deadline - inner.clock.monotonic())
            .to_std()
            .unwrap_or(Duration::ZERO);
        limiter.admit(app, write, budget).await.map_err(|wait| {
            Error::new(
                ErrorKind::Throttled,
                op,
                format!(
                    "not sent: the tenant's pacing (Intune's limit of {} {} per {} s) has no room for it before the operation timeout; nothing was changed. Run fewer {} at once or raise the operation timeout",
                    if write { pacing.app_writes } else { pacing.app_requests },
                    if write { "writes" } else { "requests" },
                    pacing.window.as_secs(),
                    if write { "writes" } else { "requests" },
                ),
            )
            .with_retry_after(Some(wait))
            .with_client_request_id(client_request_id)
        })
    }

    fn may_retry(&self, attempt: u32, waited: Duration, wait: Duration) -> bool {
        let policy = &self.inner.retry;
        attempt < policy.max_attempts
            && wait <= policy.max_delay
            && waited + wait <= policy.total_budget
    }

    fn url_of(&self, call: &Call, op: &str) -> Result<Url, Error> {
        match &call.target {
            Target::Absolute(url) => Ok(url.clone()),
            Target::Path { version, path } => {
                super::endpoint::check_path(path)
                    .map_err(|m| Error::new(ErrorKind::InvalidInput, op, m))?;
                let joined = format!("{}{}", version.as_str(), path);
                let mut url = self.inner.graph_root.join(&joined).map_err(|_| {
                    Error::new(ErrorKind::Configuration, op, "cannot build the request URL")
                })?;
                if !call.query.is_empty() {
                    let mut pairs = url.query_pairs_mut();
                    for (k, v) in &call.query {
                        pairs.append_pair(k, v);
                    }
                }
                Ok(url)
            }
        }
    }
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn describe_transport(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the connection dropped while reading the answer"
    } else if e.is_request() {
        "the connection failed while sending"
    } else {
        "network error"
    };
    let mut detail = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {detail}")
    }
}

/// A 2xx answer.
#[derive(Debug)]
pub(crate) struct RawResponse {
    #[allow(dead_code)] // kept for handlers that distinguish 200 from 204
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// Reads a response's body into `buffer` (cleared first), chunk by chunk as it arrives. Each
/// chunk is released at once, so that the connection's read buffer can be used again.
///
/// Stops at `limit` bytes: a body larger than that (announced or sent) is refused.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    buffer: &mut Vec<u8>,
    limit: usize,
) -> Result<(), BodyError> {
    buffer.clear();
    if let Some(length) = response.content_length() {
        if usize::try_from(length).map_or(true, |l| l > limit) {
            return Err(BodyError::TooLarge(limit));
        }
        buffer.reserve_exact(usize::try_from(length).unwrap_or(0).min(MAX_RESERVE));
    }
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if buffer.len().saturating_add(chunk.len()) > limit {
            return Err(BodyError::TooLarge(limit));
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(())
}

/// Why a body could not be read.
pub(crate) enum BodyError {
    /// The connection failed or the body was cut off.
    Transport(reqwest::Error),
    /// The body is larger than this limit.
    TooLarge(usize),
}

/// The most room reserved from a `Content-Length` before any byte arrives (a page of 1,000
/// devices is about 450 KB); a larger body grows the buffer as it comes.
const MAX_RESERVE: usize = 8 << 20;

/// Where a call goes.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// `{root}/{version}{path}`.
    Path { version: ApiVersion, path: String },
    /// A full URL (an `@odata.nextLink`, already checked).
    Absolute(Url),
}

/// One logical Graph call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) target: Target,
    /// The path with placeholders, for logs and errors (`/deviceAppManagement/vppTokens/{id}`).
    pub(crate) template: &'static str,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Vec<u8>>,
    /// The least-privileged application permission of this call, for 403 errors.
    pub(crate) permission: &'static str,
}

impl Call {
    pub(crate) fn new(
        method: Method,
        version: ApiVersion,
        path: String,
        template: &'static str,
        permission: &'static str,
    ) -> Self {
        Self {
            method,
            target: Target::Path { version, path },
            template,
            query: Vec::new(),
            body: None,
            permission,
        }
    }

    pub(crate) fn get(
        version: ApiVersion,
        path: String,
        template: &'static str,
        permission: &'static str,
    ) -> Self {
        Self::new(Method::GET, version, path, template, permission)
    }

    pub(crate) fn post(
        version: ApiVersion,
        path: String,
        template: &'static str,
        permission: &'static str,
    ) -> Self {
        Self::new(Method::POST, version, path, template, permission)
    }

    pub(crate) fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    pub(crate) fn json_body<B: serde::Serialize>(mut self, body: &B) -> Result<Self, Error> {
        let op = self.operation();
        self.body = Some(serde_json::to_vec(body).map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                op,
                format!("cannot encode the request body ({e})"),
            )
        })?);
        Ok(self)
    }

    fn path_template(&self) -> String {
        match &self.target {
            Target::Path { version, .. } => format!("/{}{}", version.as_str(), self.template),
            Target::Absolute(_) => self.template.to_owned(),
        }
    }

    pub(crate) fn operation(&self) -> String {
        format!("{} {}", self.method, self.path_template())
    }
}

/// Percent-encodes an id for use as one path segment.
pub(crate) fn seg(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Quotes a string for an OData literal (`'...'`, with `'` doubled).
pub(crate) fn odata_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_without_a_credential_uses_the_chain_and_bad_values_are_named() {
        let client = Client::from_env_with(|_| None).unwrap();
        assert_eq!(client.credential_name(), "DefaultAzureCredential");
        let err =
            Client::from_env_with(|n| (n == "AZURE_TOKEN_CREDENTIALS").then(|| "laptop".into()))
                .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(err.to_string().contains("AZURE_TOKEN_CREDENTIALS"), "{err}");
        let err = Client::from_env_with(|n| (n == "INTUNE_APPLE_CLOUD").then(|| "mars".into()))
            .unwrap_err();
        assert!(err.to_string().contains("INTUNE_APPLE_CLOUD"), "{err}");
    }

    #[test]
    fn env_with_a_static_token_and_a_graph_url() {
        let client = Client::from_env_with(|n| match n {
            "INTUNE_APPLE_ACCESS_TOKEN" => Some("tok".into()),
            "INTUNE_APPLE_GRAPH_URL" => Some("http://127.0.0.1:9".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(client.graph_root(), "http://127.0.0.1:9/");
        assert!(!format!("{client:?}").contains("tok\""));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_request_ahead_is_aborted_when_the_listing_is_dropped() {
        use futures::StreamExt as _;
        use intune_apple_sim::{Fault, FaultKind, Seed, Simulator};
        let sim = Simulator::start(Seed::with_devices(0, 250)).await.unwrap();
        sim.set_page_size(100);
        let token = "d0000000-0000-4000-8000-000000000000";
        let path = format!(
            "/beta/deviceManagement/depOnboardingSettings/{token}/importedAppleDeviceIdentities"
        );
        // page 2 answers only after a minute: a request ahead that is not aborted holds its
        // clone of the client that long
        sim.add_fault(Fault::new("GET", &path, FaultKind::Delay { ms: 60_000 }).nth(2));
        let client = Client::builder()
            .base_url(sim.base_url())
            .authority_host(sim.authority_host())
            .credential(ClientSecretCredential::new(
                sim.tenant_id(),
                sim.client_id(),
                sim.client_secret(),
            ))
            .build()
            .unwrap();
        let mut stream = client.imported_devices(token).list();
        let first = stream.next().await.unwrap();
        assert!(first.is_ok(), "{first:?}");
        assert_eq!(
            Arc::strong_count(&client.inner),
            3,
            "listing and request ahead"
        );
        drop(stream);
        let mut released = false;
        for _ in 0..1_000 {
            if Arc::strong_count(&client.inner) == 1 {
                released = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(released, "the request ahead still runs");
    }

    #[test]
    fn ids_are_escaped_and_literals_quoted() {
        assert_eq!(seg("a/b c"), "a%2Fb%20c");
        assert_eq!(odata_string("O'Brien"), "'O''Brien'");
    }
}
