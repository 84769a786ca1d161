//! Collections: the query string, pages of `$top` items from `$skiptoken`, `$select`, and the
//! next links.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{Answer, GRAPH};

/// The largest page a client may ask for with `$top` (unless the page size is larger).
const MAX_TOP: usize = 1000;

pub(super) fn query_params(query: &str) -> HashMap<String, String> {
    url_decode_pairs(query)
}

pub(crate) fn url_decode_pairs(s: &str) -> HashMap<String, String> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                if let Ok(b) = u8::from_str_radix(hex, 16) {
                    out.push(b);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Which items a page holds and where the next one is.
struct Page<'q> {
    start: usize,
    end: usize,
    context: String,
    next_link: Option<String>,
    select: Option<Vec<&'q str>>,
}

fn page<'q>(
    page_size: usize,
    base: &str,
    rel_path: &str,
    version: &str,
    context: &str,
    q: &'q HashMap<String, String>,
    len: usize,
) -> Page<'q> {
    let start: usize = q
        .get("$skiptoken")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    // `$top` may ask for fewer items than the page size, or for more up to Graph's maximum.
    let size = q
        .get("$top")
        .and_then(|s| s.parse::<usize>().ok())
        .map_or(page_size, |top| top.clamp(1, page_size.max(MAX_TOP)));
    let end = start.saturating_add(size).min(len);
    let next_link = (end < len).then(|| {
        let mut next: Vec<String> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "$skiptoken")
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        next.sort();
        next.push(format!("$skiptoken={end}"));
        format!("{base}/{rel_path}?{}", next.join("&"))
    });
    Page {
        start: start.min(len),
        end,
        context: format!("{GRAPH}/{version}/$metadata#{context}"),
        next_link,
        select: q
            .get("$select")
            .map(|s| s.split(',').map(str::trim).collect()),
    }
}

/// Serves one page of a collection of `len` items produced by `item(index)`.
#[allow(clippy::too_many_arguments)]
pub(super) fn collection(
    page_size: usize,
    base: &str,
    rel_path: &str,
    version: &str,
    context: &str,
    q: &HashMap<String, String>,
    len: usize,
    item: impl Fn(usize) -> Value,
) -> Answer {
    let p = page(page_size, base, rel_path, version, context, q, len);
    let values: Vec<Value> = (p.start..p.end)
        .map(|i| {
            let v = item(i);
            match (&p.select, v) {
                (Some(fields), Value::Object(m)) => Value::Object(
                    m.into_iter()
                        .filter(|(k, _)| {
                            k == "id" || k.starts_with('@') || fields.contains(&k.as_str())
                        })
                        .collect::<Map<String, Value>>(),
                ),
                (_, v) => v,
            }
        })
        .collect();
    let mut out = json!({
        "@odata.context": p.context,
        "value": values
    });
    if let Some(next) = p.next_link {
        out["@odata.nextLink"] = json!(next);
    }
    Answer::ok(out)
}

/// As [`collection`], writing each item straight into the body (no JSON tree per item):
/// `write(index, out)` appends one JSON object. With `$select`, the tree path is taken.
#[allow(clippy::too_many_arguments)]
pub(super) fn collection_streamed(
    page_size: usize,
    base: &str,
    rel_path: &str,
    version: &str,
    context: &str,
    q: &HashMap<String, String>,
    len: usize,
    write: impl Fn(usize, &mut Vec<u8>),
) -> Answer {
    if q.contains_key("$select") {
        return collection(page_size, base, rel_path, version, context, q, len, |i| {
            let mut one = Vec::new();
            write(i, &mut one);
            serde_json::from_slice(&one).unwrap_or(Value::Null)
        });
    }
    let p = page(page_size, base, rel_path, version, context, q, len);
    let mut out = Vec::with_capacity((p.end - p.start) * 480 + 512);
    out.extend_from_slice(b"{\"@odata.context\":");
    out.extend_from_slice(Value::String(p.context).to_string().as_bytes());
    out.extend_from_slice(b",\"value\":[");
    for i in p.start..p.end {
        if i > p.start {
            out.push(b',');
        }
        write(i, &mut out);
    }
    out.push(b']');
    if let Some(next) = p.next_link {
        out.extend_from_slice(b",\"@odata.nextLink\":");
        out.extend_from_slice(Value::String(next).to_string().as_bytes());
    }
    out.push(b'}');
    let mut a = Answer::ok(Value::Null);
    a.raw = Some(out);
    a
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
