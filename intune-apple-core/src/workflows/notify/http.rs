//! One POST with a timeout and bounded retries that honour `Retry-After`.

use std::time::Duration;

use super::{DeliveryOptions, NotifyError};
use crate::graph::parse_retry_after;
use crate::Secret;

/// The HTTP client of the notifiers: no redirects (a 3xx is a wrong URL, not a hop to
/// follow with the message), a connect timeout within the attempt's timeout.
pub(super) fn client(options: &DeliveryOptions) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(options.timeout.min(Duration::from_secs(10)))
        .timeout(options.timeout)
        .user_agent(concat!("intune-apple/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            format!("cannot build the HTTP client ({e}); check the system's root certificates")
        })
}

fn hint(channel: &str, status: u16) -> String {
    match status {
        300..=399 => "the URL redirects elsewhere: use the final webhook URL".to_owned(),
        401 | 403 => match channel {
            "teams" => "the workflow refused the request: check that its trigger allows 'Anyone' and that the URL (with its sig= parameter) is complete".to_owned(),
            _ => "the endpoint refused the credentials in the URL (or the signature): check the URL and the secret".to_owned(),
        },
        404 | 410 => "the webhook no longer exists (deleted workflow or app, archived channel): create a new one and update the URL".to_owned(),
        413 => "the message is too large for the endpoint: report on fewer tenants per message".to_owned(),
        400..=499 => "the endpoint did not accept the message; its answer above says why".to_owned(),
        _ => "the endpoint failed; try again later".to_owned(),
    }
}

fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    if text.chars().count() > 200 {
        s.push('…');
    }
    s
}

/// Describes a transport error without the URL (reqwest puts it in its `Display`).
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    detail
}

/// POSTs `body` as JSON to `url`. `headers` gives the extra headers of an attempt from its
/// Unix time (the Standard Webhooks timestamp is per attempt). Retries 429, 500, 502, 503,
/// 504 and refused connections; retries a timeout only when `idempotent` (the receiver
/// dedupes on an id), since the first post may have arrived.
pub(super) async fn post(
    http: &reqwest::Client,
    channel: &str,
    url: &Secret,
    body: &[u8],
    headers: &(dyn Fn(i64) -> Vec<(&'static str, String)> + Sync),
    idempotent: bool,
    options: &DeliveryOptions,
) -> Result<(), NotifyError> {
    let attempts = options.max_attempts.max(1);
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let now = options.clock.now();
        let mut req = http
            .post(url.expose())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .body(body.to_vec());
        for (k, v) in headers(now.timestamp()) {
            req = req.header(k, v);
        }
        let wait = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                if resp.status().is_success() {
                    return Ok(());
                }
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, now));
                // Only an excerpt of a refusal is shown: never read more than 64 KiB of it.
                let mut text = Vec::new();
                let _ = crate::graph::read_body(resp, &mut text, 64 * 1024).await;
                let retryable = matches!(status, 429 | 500 | 502 | 503 | 504);
                if !retryable {
                    return Err(NotifyError::Rejected {
                        channel: channel.to_owned(),
                        status,
                        body: body_excerpt(&text),
                        hint: hint(channel, status),
                    });
                }
                let backoff = options
                    .base_delay
                    .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(16)));
                let wait = retry_after.unwrap_or(backoff);
                if attempt >= attempts || wait > options.max_delay {
                    return Err(if status >= 500 && retry_after.is_none() {
                        NotifyError::Rejected {
                            channel: channel.to_owned(),
                            status,
                            body: body_excerpt(&text),
                            hint: format!("{} ({attempt} attempt(s))", hint(channel, status)),
                        }
                    } else {
                        NotifyError::GaveUp {
                            channel: channel.to_owned(),
                            status,
                            attempts: attempt,
                            retry_after: retry_after.map(|d| d.as_secs()),
                        }
                    });
                }
                wait
            }
            Err(e) if e.is_timeout() && !idempotent => {
                return Err(NotifyError::Timeout {
                    channel: channel.to_owned(),
                    seconds: options.timeout.as_secs(),
                })
            }
            Err(e) => {
                let (connect, timeout) = (e.is_connect(), e.is_timeout());
                let detail = describe(e);
                if attempt >= attempts || !(connect || timeout) {
                    return Err(if timeout {
                        NotifyError::Timeout {
                            channel: channel.to_owned(),
                            seconds: options.timeout.as_secs(),
                        }
                    } else {
                        NotifyError::Unreachable {
                            channel: channel.to_owned(),
                            detail,
                        }
                    });
                }
                options
                    .base_delay
                    .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(16)))
                    .min(options.max_delay)
            }
        };
        tracing::info!(
            channel,
            attempt,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "notification not delivered yet, retrying"
        );
        options.clock.sleep(wait).await;
    }
}
