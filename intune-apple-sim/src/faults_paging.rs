//! Faults of listings and bodies: a `@odata.nextLink` that repeats or cycles back, and a body
//! that never ends. They let a client prove it stops instead of looping or filling memory.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

/// An answer whose body starts like a Graph collection and then never ends (64 KiB of blanks
/// at a time, for as long as the client reads).
pub(crate) fn endless_body(status: StatusCode) -> Response {
    let start = futures::stream::once(async {
        Ok::<_, std::io::Error>(Bytes::from_static(b"{\"value\": ["))
    });
    let blanks = Bytes::from(vec![b' '; 64 * 1024]);
    let rest = futures::stream::repeat_with(move || Ok::<_, std::io::Error>(blanks.clone()));
    let mut resp = Response::new(Body::from_stream(futures::StreamExt::chain(start, rest)));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    resp
}

/// Points the page's `@odata.nextLink` (when it has one) at `own_url`: the page just served
/// (`repeat`), or the first page of the listing (`cycle`, the URL without its query).
pub(crate) fn rewrite_next_link(body: &mut Value, own_url: &str, cycle: bool) {
    let target = if cycle {
        own_url.split('?').next().unwrap_or(own_url).to_owned()
    } else {
        own_url.to_owned()
    };
    if body.get("@odata.nextLink").is_some_and(Value::is_string) {
        body["@odata.nextLink"] = Value::String(target);
    } else if cycle {
        // The last page of a listing: make it lead back to the first one.
        if let Some(map) = body.as_object_mut() {
            map.insert("@odata.nextLink".into(), Value::String(target));
        }
    }
}
