//! The way of a request: which injected fault applies to it, the call log, and the faults that
//! answer in place of the tenant or rewrite, cut or break its answer.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::auth::bearer;
use super::{dispatch, Answer, Shared};
use crate::{lock, FaultKind, LogEntry};

fn json_response(
    status: StatusCode,
    bytes: Vec<u8>,
    headers: &[(&'static str, String)],
) -> Response {
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    if status != StatusCode::NO_CONTENT {
        resp.headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
    }
    for (k, v) in headers {
        if let Ok(v) = HeaderValue::from_str(v) {
            resp.headers_mut().insert(*k, v);
        }
    }
    resp
}

/// A body that sends `prefix` and then fails, so the connection is dropped mid-response.
fn broken_body(prefix: Vec<u8>) -> Body {
    let items: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from(prefix)),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated connection reset",
        )),
    ];
    Body::from_stream(futures::stream::iter(items))
}

/// Answers a request, then holds the answer back by the simulated latency of its route (the
/// simulator's own controls under `/_sim/` are never delayed).
pub(super) async fn handle(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let n = {
        let mut calls = lock(&sh.calls);
        let n = calls.entry((method.to_string(), path.clone())).or_insert(0);
        *n += 1;
        *n
    };
    let delay_ms = if path.starts_with("/_sim/") {
        0
    } else {
        lock(&sh.latency).delay_ms(method.as_str(), &path, n)
    };
    let response = answer(&sh, req, n, delay_ms).await;
    if delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
    }
    response
}

async fn answer(sh: &Arc<Shared>, req: Request, n: u64, delay_ms: u64) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let path_q = req
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |p| p.as_str().to_string());
    let query = req.uri().query().unwrap_or("").to_string();
    let headers = req.headers().clone();
    let has_bearer = bearer(&headers).is_some();
    let body = axum::body::to_bytes(req.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap_or_default();

    // Which fault applies to this call?
    let fault = lock(&sh.faults)
        .iter()
        .find(|f| f.matches(method.as_str(), &path) && f.nth.is_none_or(|k| k == n))
        .map(|f| f.kind.clone());
    let client_request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let applied = AtomicBool::new(false);
    let log = |status: u16, size: usize| {
        push_capped(
            &mut lock(&sh.log),
            crate::LOG_LIMIT,
            LogEntry {
                method: method.to_string(),
                path: path_q.clone(),
                bearer: has_bearer,
                status,
                body_size: size,
                client_request_id: client_request_id.clone(),
                applied: applied.load(Ordering::SeqCst),
                delay_ms,
            },
        );
    };

    let mut post_fault = None;
    match fault {
        Some(FaultKind::Throttle { retry_after }) => {
            let now = lock(&sh.tenant).now;
            let a = Answer::error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Please retry again later.",
                now,
            );
            let bytes = a.body.to_string().into_bytes();
            log(429, bytes.len());
            return json_response(
                StatusCode::TOO_MANY_REQUESTS,
                bytes,
                &[("retry-after", retry_after)],
            );
        }
        Some(FaultKind::Status { status }) => {
            let now = lock(&sh.tenant).now;
            let st = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let a = Answer::error(st, "ServiceUnavailable", "Simulated failure", now);
            let bytes = a.body.to_string().into_bytes();
            log(st.as_u16(), bytes.len());
            return json_response(st, bytes, &[]);
        }
        Some(FaultKind::Unavailable { retry_after }) => {
            let now = lock(&sh.tenant).now;
            let st = StatusCode::SERVICE_UNAVAILABLE;
            let a = Answer::error(
                st,
                "ServiceUnavailable",
                "The service is temporarily unavailable.",
                now,
            );
            let bytes = a.body.to_string().into_bytes();
            log(st.as_u16(), bytes.len());
            return json_response(st, bytes, &[("retry-after", retry_after)]);
        }
        Some(FaultKind::Delay { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        Some(FaultKind::ResetBefore) => {
            log(0, 0);
            let mut resp = Response::new(broken_body(Vec::new()));
            resp.headers_mut()
                .insert("content-length", HeaderValue::from_static("100"));
            return resp;
        }
        Some(FaultKind::ExpireTokens) => {
            lock(&sh.tenant).tokens.clear();
        }
        Some(
            kind @ (FaultKind::ThrottleWithoutRetryAfter
            | FaultKind::QueryBrokerThrottle
            | FaultKind::MissingScope
            | FaultKind::IntuneRefused),
        ) => {
            let now = lock(&sh.tenant).now;
            let (status, body) = match kind {
                FaultKind::ThrottleWithoutRetryAfter => (429, crate::real::throttled(now)),
                FaultKind::QueryBrokerThrottle => (500, crate::real::query_broker_throttle(now)),
                FaultKind::MissingScope => (403, crate::real::missing_scope(now, &path)),
                _ => (403, crate::real::intune_refused(now, &path)),
            };
            let st = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let bytes = body.to_string().into_bytes();
            log(status, bytes.len());
            return json_response(st, bytes, &[]);
        }
        other => post_fault = other,
    }

    let answer = {
        let mut t = lock(&sh.tenant);
        let write = method != Method::GET;
        dispatch(sh, &mut t, &method, &path, &query, &headers, &body, write)
    };
    if answer.write && answer.status.is_success() {
        sh.writes.fetch_add(1, Ordering::SeqCst);
        applied.store(true, Ordering::SeqCst);
    }
    let mut answer = answer;
    let mut bytes = match answer.raw.take() {
        Some(raw) => {
            // Faults that rewrite the body work on the JSON tree.
            if matches!(
                post_fault,
                Some(
                    FaultKind::ForeignNextLink
                        | FaultKind::RepeatNextLink
                        | FaultKind::CycleNextLink
                        | FaultKind::RealShapes
                )
            ) {
                answer.body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
            }
            raw
        }
        None if answer.body.is_null() => Vec::new(),
        None => answer.body.to_string().into_bytes(),
    };
    match post_fault {
        Some(FaultKind::ResetAfter) => {
            log(0, 0);
            let mut resp = Response::new(broken_body(Vec::new()));
            resp.headers_mut()
                .insert("content-length", HeaderValue::from_static("100"));
            resp
        }
        Some(FaultKind::Truncated) => {
            let full = bytes.len();
            bytes.truncate(full / 2);
            log(answer.status.as_u16(), bytes.len());
            let mut resp = Response::new(broken_body(bytes));
            *resp.status_mut() = answer.status;
            if let Ok(v) = HeaderValue::from_str(&full.to_string()) {
                resp.headers_mut().insert("content-length", v);
            }
            resp.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            resp
        }
        Some(FaultKind::Malformed) => {
            let bytes = b"{\"value\": [ {\"id\": <html>Service Unavailable</html>".to_vec();
            log(answer.status.as_u16(), bytes.len());
            json_response(answer.status, bytes, &answer.headers)
        }
        Some(FaultKind::RealShapes) => {
            let mut body = answer.body;
            crate::real::real_shapes(&mut body);
            let (status, bytes) = if answer.status == StatusCode::NO_CONTENT {
                (StatusCode::OK, Vec::new())
            } else if body.is_null() {
                (answer.status, Vec::new())
            } else {
                (answer.status, body.to_string().into_bytes())
            };
            log(status.as_u16(), bytes.len());
            json_response(status, bytes, &answer.headers)
        }
        Some(FaultKind::ForeignNextLink) => {
            let mut body = answer.body;
            if let Some(link) = body.get("@odata.nextLink").and_then(Value::as_str) {
                let own = format!("http://{}", sh.addr);
                let foreign = format!("http://127.0.0.2:{}", sh.addr.port());
                body["@odata.nextLink"] = Value::String(link.replace(&own, &foreign));
            }
            let bytes = body.to_string().into_bytes();
            log(answer.status.as_u16(), bytes.len());
            json_response(answer.status, bytes, &answer.headers)
        }
        Some(kind @ (FaultKind::RepeatNextLink | FaultKind::CycleNextLink)) => {
            let mut body = answer.body;
            let own = format!("http://{}{path_q}", sh.addr);
            crate::faults_paging::rewrite_next_link(
                &mut body,
                &own,
                kind == FaultKind::CycleNextLink,
            );
            let bytes = body.to_string().into_bytes();
            log(answer.status.as_u16(), bytes.len());
            json_response(answer.status, bytes, &answer.headers)
        }
        Some(FaultKind::AppliedThenStatus { status }) => {
            let now = lock(&sh.tenant).now;
            let st = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let a = Answer::error(
                st,
                "InternalServerError",
                "An internal server error occurred.",
                now,
            );
            let bytes = a.body.to_string().into_bytes();
            log(st.as_u16(), bytes.len());
            json_response(st, bytes, &[])
        }
        Some(FaultKind::EndlessBody) => {
            log(answer.status.as_u16(), 0);
            crate::faults_paging::endless_body(answer.status)
        }
        _ => {
            log(answer.status.as_u16(), bytes.len());
            json_response(answer.status, bytes, &answer.headers)
        }
    }
}

/// Appends to the request log, dropping the oldest entry once it holds `limit`.
fn push_capped(log: &mut VecDeque<LogEntry>, limit: usize, entry: LogEntry) {
    while log.len() >= limit.max(1) {
        log.pop_front();
    }
    log.push_back(entry);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_log_keeps_the_latest_entries_up_to_its_limit() {
        let entry = |n: usize| LogEntry {
            method: "GET".into(),
            path: format!("/{n}"),
            bearer: true,
            status: 200,
            body_size: 0,
            client_request_id: None,
            applied: false,
            delay_ms: 0,
        };
        let mut log = VecDeque::new();
        for n in 0..5 {
            push_capped(&mut log, 3, entry(n));
        }
        let paths: Vec<_> = log.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["/2", "/3", "/4"]);
    }
}
