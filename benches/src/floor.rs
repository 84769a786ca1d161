//! The floors: raw `reqwest` GETs of the same pages.
//!
//! The transfer floor parses nothing: only the `@odata.nextLink` is cut out of each body, and
//! items are counted by their `"serialNumber":` key, both with a SIMD substring search. The
//! untyped floor parses each page into a `serde_json::Value`, to tell transfer from parsing.

use memchr::memmem;

use crate::measure::{report, Stopwatch};
use crate::Options;

const NEXT_LINK: &[u8] = b"\"@odata.nextLink\":\"";
const ITEM_KEY: &[u8] = b"\"serialNumber\":";

/// The next link of a page body, if any.
pub(crate) fn next_link(body: &[u8]) -> Option<String> {
    let start = memmem::find(body, NEXT_LINK)? + NEXT_LINK.len();
    let len = memchr::memchr(b'"', &body[start..])?;
    std::str::from_utf8(&body[start..start + len])
        .ok()
        .map(str::to_owned)
}

/// How much of each page the floor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parse {
    /// Only the next link and a count of items (substring search): the transfer floor.
    Nothing,
    /// The whole page into an untyped `serde_json::Value`: the untyped parsing floor.
    Untyped,
}

/// Fetches every page of the token's devices; returns (items, pages).
pub(crate) async fn fetch_all(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    token_id: &str,
    parse: Parse,
) -> Result<(u64, u64), String> {
    let items_finder = memmem::Finder::new(ITEM_KEY);
    let base = base.trim_end_matches('/');
    let mut url = Some(format!(
        "{base}/beta/deviceManagement/depOnboardingSettings/{token_id}/importedAppleDeviceIdentities"
    ));
    let mut items = 0u64;
    let mut pages = 0u64;
    while let Some(next) = url.take() {
        let response = http
            .get(&next)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {} from {next}", response.status()));
        }
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        pages += 1;
        if parse == Parse::Untyped {
            let page: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| format!("page {pages}: {e}"))?;
            items += page["value"].as_array().map_or(0, Vec::len) as u64;
            url = page["@odata.nextLink"].as_str().map(str::to_owned);
        } else {
            items += items_finder.find_iter(&body).count() as u64;
            url = next_link(&body);
        }
    }
    Ok((items, pages))
}

/// Streams every page of the token's devices with a bare HTTP client.
pub(crate) async fn run(opts: &Options, parse: Parse) -> Result<(), String> {
    let http = reqwest::Client::builder()
        .build()
        .map_err(|e| e.to_string())?;
    let clock = Stopwatch::start();
    let (items, pages) = fetch_all(
        &http,
        opts.get("base")?,
        opts.get("token")?,
        opts.get("token-id")?,
        parse,
    )
    .await?;
    let elapsed = clock.stop();
    report(items, elapsed, serde_json::json!({ "pages": pages }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::next_link;

    #[test]
    fn next_link_is_cut_out_of_a_page() {
        let body = br#"{"@odata.context":"x","@odata.nextLink":"http://127.0.0.1:1/beta/a?$skiptoken=1000","value":[]}"#;
        assert_eq!(
            next_link(body).as_deref(),
            Some("http://127.0.0.1:1/beta/a?$skiptoken=1000")
        );
        assert_eq!(next_link(br#"{"value":[]}"#), None);
    }
}
