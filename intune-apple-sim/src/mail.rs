//! Graph `sendMail` in the simulated tenant: `POST /v1.0/users/{id}/sendMail` records the
//! message and answers 202; the control API lists the messages (`GET /_sim/mail`) and
//! forgets them (`DELETE /_sim/mail`).
//!
//! The application may send as any mailbox except those whose address starts with
//! `outside-scope` (answered 403 `ErrorAccessDenied`, as Exchange does for a mailbox outside
//! the app's RBAC scope or application access policy). `/me/sendMail` is refused with 400, as
//! Graph does for an application token.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use crate::lock;
use crate::server::Shared;

/// The messages sent so far.
#[derive(Default)]
struct Outbox(Mutex<Vec<Value>>);

fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

async fn send(
    State(sh): State<Arc<Shared>>,
    Extension(outbox): Extension<Arc<Outbox>>,
    Path(user): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let (known, now) = {
        let t = lock(&sh.tenant);
        (token.is_some_and(|tk| t.tokens.contains_key(&tk)), t.now)
    };
    if !known {
        return graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is empty or invalid.",
        );
    }
    if user.to_ascii_lowercase().starts_with("outside-scope") {
        return graph_error(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
        );
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload.",
        );
    };
    let message = &body["message"];
    let recipients = message["toRecipients"].as_array().map_or(0, Vec::len);
    if !message.is_object() || recipients == 0 {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRecipients",
            "At least one recipient isn't valid.",
        );
    }
    let content_type = message["body"]["contentType"].as_str().unwrap_or("Text");
    if !content_type.eq_ignore_ascii_case("html") && !content_type.eq_ignore_ascii_case("text") {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "RequestBodyRead",
            "Invalid body contentType.",
        );
    }
    lock(&outbox.0).push(json!({
        "sender": user,
        "receivedDateTime": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "saveToSentItems": body["saveToSentItems"].as_bool().unwrap_or(true),
        "message": message,
    }));
    StatusCode::ACCEPTED.into_response()
}

async fn me() -> Response {
    graph_error(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "/me request is only valid with delegated authentication flow.",
    )
}

async fn list(Extension(outbox): Extension<Arc<Outbox>>) -> Response {
    Json(Value::Array(lock(&outbox.0).clone())).into_response()
}

async fn clear(Extension(outbox): Extension<Arc<Outbox>>) -> Response {
    lock(&outbox.0).clear();
    StatusCode::NO_CONTENT.into_response()
}

/// The routes of `sendMail` and of its control API, with their own outbox.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1.0/users/{user}/sendMail", post(send))
        .route("/v1.0/me/sendMail", post(me))
        .route("/_sim/mail", get(list).delete(clear))
        .layer(Extension(Arc::new(Outbox::default())))
}
