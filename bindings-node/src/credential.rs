//! `credential`: any `@azure/identity` `TokenCredential` (an object with `getToken(scopes,
//! options)` answering a Promise of `{ token, expiresOnTimestamp }`), seen by the core through
//! its `Credential` trait. The object is called on the JS thread through a threadsafe function
//! and its Promise awaited there; what it throws, rejects with or answers wrongly becomes a typed
//! error naming its class, never an abort or a hang (the core's attempt timeout bounds the
//! call). Nothing the object answers is ever put into a message.

use std::cell::Cell;
use std::rc::Rc;

use intune_apple_core::clock::BoxFuture;
use intune_apple_core::graph::credentials::TokenRequestContext;
use intune_apple_core::graph::{AccessToken, Credential, CredentialError};
use intune_apple_core::Secret;
use napi::bindgen_prelude::{
    FnArgs, FromNapiValue, Function, JsValue, Object, PromiseRaw, Unknown,
};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, ValueType};

use crate::error::{failure, Failure};

/// What `getToken` is called with: the scopes, and an options object.
type GetTokenArgs = FnArgs<(Vec<String>, serde_json::Value)>;

/// The threadsafe `getToken`, bound to its object; weak, so that a client kept alive does not
/// keep the process running.
type GetToken =
    ThreadsafeFunction<Vec<String>, Unknown<'static>, GetTokenArgs, napi::Status, false, true>;

/// What the object answered, read on the JS thread (the token stays a secret).
struct Answer {
    token: Secret,
    expires_on_ms: f64,
    refresh_after_ms: Option<f64>,
}

type Outcome = Result<Answer, String>;

/// A JavaScript credential object.
pub(crate) struct JsCredential {
    get_token: GetToken,
    name: String,
}

impl std::fmt::Debug for JsCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsCredential")
            .field("class", &self.name)
            .finish_non_exhaustive()
    }
}

const TAKES: &str = "credential takes an @azure/identity TokenCredential (an object with a \
    getToken function) or one of this library's credentials (ManagedIdentityCredential, \
    WorkloadIdentityCredential, GitHubActionsCredential, AzureCliCredential, \
    DeviceCodeCredential, DefaultAzureCredential)";

/// Reads `object[key]` in JavaScript, catching what a getter or a `Proxy` throws: a read never
/// leaves an exception pending (the credential object is someone else's code). `None` when
/// the read threw or the value is `undefined` or `null`.
const SAFE_GET: &str = "(function (o, k) { try { return o[k] } catch (e) { return undefined } })";

fn safe_get<'e>(env: &'e Env, object: Unknown<'e>, key: &str) -> Option<Unknown<'e>> {
    let reader: Function<'e, FnArgs<(Unknown<'e>, &str)>, Unknown<'e>> =
        env.run_script(SAFE_GET).ok()?;
    reader.call(FnArgs::from((object, key))).ok().filter(|v| {
        !matches!(
            v.get_type(),
            Ok(ValueType::Undefined | ValueType::Null) | Err(_)
        )
    })
}

/// `object[key]` when it has the JS type `kind`.
fn typed<'e>(env: &'e Env, object: Unknown<'e>, key: &str, kind: ValueType) -> Option<Unknown<'e>> {
    safe_get(env, object, key).filter(|v| v.get_type().ok() == Some(kind))
}

/// The class name of `object` (`ManagedIdentityCredential`), or `TokenCredential` for a plain
/// object.
fn class_name(env: &Env, object: Unknown<'_>) -> String {
    typed(env, object, "constructor", ValueType::Function)
        .and_then(|c| typed(env, c, "name", ValueType::String))
        .and_then(|n| String::from_unknown(n).ok())
        .filter(|n| !n.is_empty() && n != "Object")
        .unwrap_or_else(|| "TokenCredential".to_owned())
}

impl JsCredential {
    /// Wraps `value`, which must be an object with a `getToken` function (else
    /// `ERR_CONFIGURATION`).
    pub(crate) fn new(env: &Env, value: Unknown<'_>) -> Result<Self, Failure> {
        let config = |m: String| failure("ERR_CONFIGURATION", m);
        let kind = value.get_type().map_err(|e| config(e.reason.clone()))?;
        if !matches!(kind, ValueType::Object | ValueType::Function) {
            return Err(config(format!("{TAKES}; got a {kind}")));
        }
        let object = Object::from_unknown(value).map_err(|e| config(e.reason.clone()))?;
        let name = class_name(env, value);
        let method = typed(env, value, "getToken", ValueType::Function)
            .ok_or_else(|| config(format!("{TAKES}; {name} has no getToken function")))?;
        let internal = |e: napi::Error| config(format!("cannot use {name}: {}", e.reason));
        let method: Function<'_, GetTokenArgs, Unknown<'_>> =
            Function::from_unknown(method).map_err(internal)?;
        let bound = method.bind(object).map_err(internal)?;
        let get_token = bound
            .build_threadsafe_function::<Vec<String>>()
            .callee_handled::<false>()
            .weak::<true>()
            .build_callback(|ctx| {
                Ok(FnArgs::from((
                    ctx.value,
                    serde_json::Value::Object(serde_json::Map::new()),
                )))
            })
            .map_err(internal)?;
        Ok(Self { get_token, name })
    }
}

/// The first line of what was thrown, at most 300 characters.
fn first_line(text: &str) -> String {
    let line: String = text
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(300)
        .collect();
    if line.trim().is_empty() {
        "a value without a message".to_owned()
    } else {
        line
    }
}

/// Reads `token`, `expiresOnTimestamp` and `refreshAfterTimestamp` of an answer.
fn read_answer(env: &Env, value: Unknown<'_>) -> Outcome {
    let no_token = || {
        "its answer has no `token` text (expected an AccessToken: { token, expiresOnTimestamp })"
            .to_owned()
    };
    if value.get_type().ok() != Some(ValueType::Object) {
        return Err(no_token());
    }
    let token = typed(env, value, "token", ValueType::String)
        .and_then(|t| String::from_unknown(t).ok())
        .ok_or_else(no_token)?;
    let number = |name: &str| {
        typed(env, value, name, ValueType::Number)
            .and_then(|v| f64::from_unknown(v).ok())
            .filter(|v| v.is_finite())
    };
    let expires_on_ms = number("expiresOnTimestamp").ok_or_else(|| {
        "its answer has no finite numeric `expiresOnTimestamp` (Unix milliseconds)".to_owned()
    })?;
    Ok(Answer {
        token: Secret::new(token),
        expires_on_ms,
        refresh_after_ms: number("refreshAfterTimestamp"),
    })
}

/// Settles `send` with what `returned` (the value `getToken` returned, or what it threw) comes
/// to: at once, or when its Promise settles.
fn settle(
    env: &Env,
    returned: napi::Result<Unknown<'_>>,
    send: tokio::sync::oneshot::Sender<Outcome>,
) {
    let value = match returned {
        Err(e) => {
            let _ = send.send(Err(format!(
                "its getToken threw: {}",
                first_line(&e.reason)
            )));
            return;
        }
        Ok(value) => value,
    };
    if !value.is_promise().unwrap_or(false) {
        let _ = send.send(read_answer(env, value));
        return;
    }
    let once = Rc::new(Cell::new(Some(send)));
    let on_reject = once.clone();
    let chained = PromiseRaw::<Unknown<'_>>::from_unknown(value).and_then(|promise| {
        promise
            .then(move |ctx| {
                if let Some(send) = once.take() {
                    let _ = send.send(read_answer(&ctx.env, ctx.value));
                }
                Ok(())
            })?
            .catch(
                move |ctx: napi::bindgen_prelude::CallbackContext<Unknown<'_>>| {
                    if let Some(send) = on_reject.take() {
                        let reason = napi::Error::from_unknown_without_coercion(ctx.value);
                        let _ = send.send(Err(format!(
                            "its getToken rejected: {}",
                            first_line(&reason.reason)
                        )));
                    }
                    Ok(())
                },
            )
    });
    // When the Promise cannot be followed, both closures (and the sender) are dropped: the
    // receiver sees that at once.
    drop(chained);
}

impl Credential for JsCredential {
    fn get_token<'a>(
        &'a self,
        ctx: TokenRequestContext<'a>,
    ) -> BoxFuture<'a, Result<AccessToken, CredentialError>> {
        let scopes = vec![ctx.scope.to_owned()];
        let now = ctx.clock.now();
        Box::pin(async move {
            let external = |message: String| CredentialError::External {
                credential: self.name.clone(),
                message,
            };
            let (send, receive) = tokio::sync::oneshot::channel::<Outcome>();
            let status = self.get_token.call_with_return_value(
                scopes,
                ThreadsafeFunctionCallMode::NonBlocking,
                move |returned: napi::Result<Unknown<'_>>, env: Env| {
                    settle(&env, returned, send);
                    Ok(())
                },
            );
            if status != napi::Status::Ok {
                return Err(external(
                    "its getToken could not be called (is the process exiting?)".into(),
                ));
            }
            let answer = receive
                .await
                .map_err(|_| external("its getToken answer could not be read".into()))?
                .map_err(external)?;
            AccessToken::from_external(
                &self.name,
                answer.token.expose(),
                answer.expires_on_ms / 1000.0,
                answer.refresh_after_ms.map(|ms| ms / 1000.0),
                now,
            )
        })
    }

    fn name(&self) -> &str {
        &self.name
    }

    /// A credential object retries on its own.
    fn retry_delay(&self, _retry: u32, _error: &CredentialError) -> Option<std::time::Duration> {
        None
    }
}
