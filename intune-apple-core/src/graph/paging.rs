//! Paged listings: a task fetches the pages ahead of the consumer, which decodes them.
//!
//! Decoding a page of 1,000 devices costs about as much CPU as the service takes to send it, so
//! the two are overlapped: the task asks for page n+1 as soon as page n has arrived (it reads the
//! `@odata.nextLink` from the end of the body without decoding it), while the consumer decodes
//! page n. The link decoded with each page decides: a page the task fetched from a link the
//! decoded page does not name is dropped and the listing asks again from the decoded link.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use futures::TryStreamExt as _;
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use tokio::sync::mpsc;

use super::client::{Call, Client, RawResponse};
use super::error::{Error, ErrorKind};
use super::listing::{ItemStream, ListLimits, PageProgress, ProgressCallback};
use crate::model::{decode, Collection, DecodeError};

/// Pages fetched and waiting for the consumer, besides the one the task holds: a listing keeps
/// at most three pages of raw JSON (one being decoded, one waiting, one arriving), about 1.3 MB
/// for pages of 1,000 devices.
const PAGES_WAITING: usize = 1;

/// How many emptied buffers (of raw pages, of decoded items) a listing keeps for its next pages.
const SPARE_BUFFERS: usize = 2;

/// Emptied buffers kept for the next pages: a listing reads every page into the same few byte
/// buffers, and decodes every page into the same few item buffers, rather than taking fresh
/// memory for each, which the allocator has often given back to the system and which then
/// costs a page fault per 4 KiB (15,000 to 28,000 for 300,000 devices before the byte buffers
/// were kept, less than half that after), and, for the items, a copy at each doubling.
struct Spare<B>(Arc<Mutex<Vec<B>>>);

impl<B> Default for Spare<B> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

impl<B> Clone for Spare<B> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<B: Default> Spare<B> {
    fn take(&self) -> B {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    }

    /// Keeps `buffer`, which the caller has emptied, unless enough are kept.
    fn give_back(&self, buffer: B) {
        let mut spare = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if spare.len() < SPARE_BUFFERS {
            spare.push(buffer);
        }
    }
}

/// A page as the task fetched it, with the link it was fetched from (`None` for the first).
struct Fetched {
    link: Option<String>,
    answer: Result<(String, RawResponse), Error>,
}

/// The task fetching pages ahead; aborted when dropped (the listing was dropped, ended, or
/// needs to ask again from another link).
struct Fetcher {
    pages: mpsc::Receiver<Fetched>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Fetcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The page a listing wants next: the call, and the link it came from (`None` for the first).
struct Wanted {
    call: Call,
    link: Option<String>,
}

struct State {
    client: Client,
    template: &'static str,
    permission: &'static str,
    wanted: Option<Wanted>,
    fetcher: Option<Fetcher>,
    bodies: Spare<Vec<u8>>,
    failed: Option<Error>,
    progress: Option<ProgressCallback>,
    seen: PageProgress,
    links: std::collections::HashSet<String>,
    limits: ListLimits,
    started: chrono::DateTime<chrono::Utc>,
}

impl State {
    /// The error that ends the listing before `link` is followed, if any: a link seen before,
    /// or a limit reached.
    fn refuse_next(&mut self, link: &str, op: &str) -> Option<Error> {
        let stop = |what: String| {
            Some(Error::new(
                ErrorKind::Decode,
                op.to_owned(),
                format!("the listing was stopped after {} page(s) and {} item(s): {what}. The items so far were handed over; list again, and report it with the request id if it persists", self.seen.pages, self.seen.items),
            ))
        };
        if !self.links.insert(link.to_owned()) {
            return stop("the service sent an @odata.nextLink it had already sent (a listing that repeats or cycles)".into());
        }
        if self.seen.pages >= self.limits.max_pages {
            return stop(format!(
                "more than {} pages (ListLimits::max_pages)",
                self.limits.max_pages
            ));
        }
        if self.seen.items >= self.limits.max_items {
            return stop(format!(
                "more than {} items (ListLimits::max_items)",
                self.limits.max_items
            ));
        }
        if let Some(deadline) = self.limits.deadline {
            let spent = self.client.clock().monotonic() - self.started;
            if spent.to_std().is_ok_and(|s| s >= deadline) {
                return stop(format!(
                    "it took longer than {} s (ListLimits::deadline)",
                    deadline.as_secs()
                ));
            }
        }
        None
    }
}

impl Client {
    /// Every item of a paged collection, as a stream, page by page.
    pub(crate) fn list<T: DeserializeOwned + Send + 'static>(
        &self,
        call: Call,
        progress: Option<ProgressCallback>,
    ) -> ItemStream<T> {
        list(self, call, progress)
    }
}

/// Every item of a paged collection, as a stream, page by page (see the module's documentation).
/// An `@odata.nextLink` that cannot be followed is reported after the items of its page.
pub(crate) fn list<T: DeserializeOwned + Send + 'static>(
    client: &Client,
    call: Call,
    progress: Option<ProgressCallback>,
) -> ItemStream<T> {
    let state = State {
        limits: client.list_limits(),
        started: client.clock().monotonic(),
        links: std::collections::HashSet::new(),
        client: client.clone(),
        template: call.template,
        permission: call.permission,
        wanted: Some(Wanted { call, link: None }),
        fetcher: None,
        bodies: Spare::default(),
        failed: None,
        progress,
        seen: PageProgress::default(),
    };
    let spare_items = Spare::<VecDeque<T>>::default();
    let pages = futures::stream::try_unfold(
        (state, spare_items),
        |(mut state, spare_items)| async move {
            if let Some(e) = state.failed.take() {
                return Err(e);
            }
            let Some(wanted) = state.wanted.take() else {
                return Ok(None);
            };
            let (op, raw) = state.page(wanted).await?;
            let mut items = spare_items.take();
            let next_link = decode_page_into(&raw.body, &mut items);
            state.bodies.give_back(raw.body);
            let next_link = next_link.map_err(|e| Error::decode(op.clone(), e))?;
            state.seen.pages += 1;
            state.seen.items += items.len() as u64;
            let next_link = match next_link.map(|l| (state.refuse_next(&l, &op), l)) {
                Some((Some(e), _)) => {
                    state.failed = Some(e);
                    None
                }
                Some((None, l)) => Some(l),
                None => None,
            };
            if let Some(link) = next_link {
                match state
                    .client
                    .next_link_call(&link, state.template, state.permission)
                {
                    Ok(call) => {
                        state.wanted = Some(Wanted {
                            call,
                            link: Some(link),
                        });
                    }
                    Err(e) => state.failed = Some(e),
                }
            }
            if state.wanted.is_none() {
                state.fetcher = None;
            }
            if let Some(cb) = &state.progress {
                cb(state.seen);
            }
            let page = PageItems {
                items,
                spare: spare_items.clone(),
            };
            Ok(Some((page, (state, spare_items))))
        },
    );
    Box::pin(
        pages
            .map_ok(|page| futures::stream::iter(page.map(Ok)))
            .try_flatten(),
    )
}

impl State {
    /// The answer for `wanted`: from the task when it fetched that page, otherwise from a task
    /// started at `wanted`; fetched here when there is no Tokio runtime to run a task on.
    async fn page(&mut self, wanted: Wanted) -> Result<(String, RawResponse), Error> {
        let mut fresh = false;
        loop {
            if let Some(fetcher) = self.fetcher.as_mut() {
                match fetcher.pages.recv().await {
                    Some(page) if page.link == wanted.link => return page.answer,
                    None if fresh => {
                        return Err(Error::new(
                            ErrorKind::Transport,
                            wanted.call.operation(),
                            "the task fetching the pages stopped before answering; list again",
                        ))
                    }
                    _ => {}
                }
                // a page of a link the decoded page did not name, or the task stopped (it
                // found no link it could follow): ask again from the wanted page
                self.fetcher = None;
            }
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                let op = wanted.call.operation();
                let buffer = self.bodies.take();
                let answer = self.client.execute_into(wanted.call, buffer).await;
                return answer.map(|raw| (op, raw));
            };
            let (tx, pages) = mpsc::channel(PAGES_WAITING);
            let task = runtime.spawn(fetch_pages(
                self.client.clone(),
                wanted.call.clone(),
                wanted.link.clone(),
                (self.template, self.permission),
                self.bodies.clone(),
                tx,
            ));
            self.fetcher = Some(Fetcher { pages, task });
            fresh = true;
        }
    }
}

/// Fetches pages one after the other from `call`, following the links read from the end of
/// each body, until there is none, one cannot be followed, a call fails, or the listing is gone.
async fn fetch_pages(
    client: Client,
    mut call: Call,
    mut link: Option<String>,
    (template, permission): (&'static str, &'static str),
    bodies: Spare<Vec<u8>>,
    pages: mpsc::Sender<Fetched>,
) {
    loop {
        let op = call.operation();
        let answer = client.execute_into(call, bodies.take()).await;
        let next = answer
            .as_ref()
            .ok()
            .and_then(|raw| last_next_link(&raw.body));
        let page = Fetched {
            link: link.take(),
            answer: answer.map(|raw| (op, raw)),
        };
        if pages.send(page).await.is_err() {
            return;
        }
        let Some(next) = next else { return };
        let Ok(next_call) = client.next_link_call(&next, template, permission) else {
            return;
        };
        call = next_call;
        link = Some(next);
    }
}

/// The items of one page, handed out in order; their buffer goes back to the spare ones when
/// the page is drained (or dropped).
struct PageItems<T> {
    items: VecDeque<T>,
    spare: Spare<VecDeque<T>>,
}

impl<T> Iterator for PageItems<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.items.pop_front()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.items.len(), Some(self.items.len()))
    }
}

impl<T> Drop for PageItems<T> {
    fn drop(&mut self) {
        let mut items = std::mem::take(&mut self.items);
        items.clear();
        self.spare.give_back(items);
    }
}

/// Decodes a collection page, appending its items to `items`, and returns its
/// `@odata.nextLink`. The same as decoding a [`Collection`], without growing a new `Vec` for
/// each page; a page that does not decode is decoded again as a `Collection`, whose error names
/// the field that failed.
fn decode_page_into<T: DeserializeOwned>(
    body: &[u8],
    items: &mut VecDeque<T>,
) -> Result<Option<String>, DecodeError> {
    if let Ok(text) = std::str::from_utf8(body) {
        let mut de = serde_json::Deserializer::from_str(text);
        let decoded = PageSeed(&mut *items)
            .deserialize(&mut de)
            .and_then(|link| de.end().map(|()| link));
        if let Ok(link) = decoded {
            return Ok(link);
        }
    }
    items.clear();
    let page: Collection<T> = decode(body)?;
    items.extend(page.value);
    Ok(page.next_link)
}

/// Decodes a collection body into the items it is given; yields the `@odata.nextLink`.
struct PageSeed<'a, T>(&'a mut VecDeque<T>);

/// The members of a collection body the listing reads; any other is skipped.
enum PageKey {
    Value,
    NextLink,
    Other,
}

impl<'de> Deserialize<'de> for PageKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = PageKey;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<PageKey, E> {
                Ok(match key {
                    "value" => PageKey::Value,
                    "@odata.nextLink" => PageKey::NextLink,
                    _ => PageKey::Other,
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for PageSeed<'_, T> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for PageSeed<'_, T> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a collection page")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut next_link, mut seen_value) = (None, false);
        while let Some(key) = map.next_key::<PageKey>()? {
            match key {
                PageKey::Value if !seen_value => {
                    seen_value = true;
                    map.next_value_seed(ItemsSeed(&mut *self.0))?;
                }
                PageKey::Value => return Err(de::Error::duplicate_field("value")),
                PageKey::NextLink => next_link = map.next_value()?,
                PageKey::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(next_link)
    }
}

/// Appends the elements of a JSON array to the items it is given.
struct ItemsSeed<'a, T>(&'a mut VecDeque<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for ItemsSeed<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for ItemsSeed<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<T>()? {
            self.0.push_back(item);
        }
        Ok(())
    }
}

/// The `@odata.nextLink` of a collection body, found from its end without decoding the body
/// (Graph writes it after `value`). A guess that lets the next request start early: the link
/// decoded with the page decides.
fn last_next_link(body: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"@odata.nextLink\"";
    let at = body.windows(KEY.len()).rposition(|w| w == KEY)?;
    let rest = body.get(at + KEY.len()..)?;
    let rest = rest.trim_ascii_start().strip_prefix(b":")?;
    let mut de = serde_json::Deserializer::from_slice(rest);
    serde::Deserialize::deserialize(&mut de).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::StaticTokenCredential;
    use futures::StreamExt as _;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// A server of three canned pages: the first names `/p2` as its next link but ends with a
    /// nested object holding a decoy link, which the fetching task follows first.
    async fn serve_decoy_pages() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (root, log) = (base.clone(), asked.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = vec![0; 4096];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&request[..n]).into_owned();
                let path = head.split(' ').nth(1).unwrap_or("").to_owned();
                log.lock().unwrap().push(path.clone());
                let body = if path.ends_with("/p2") {
                    r#"{"value":[{"serialNumber":"B"}]}"#.to_owned()
                } else if path.ends_with("/decoy") {
                    r#"{"value":[{"serialNumber":"DECOY"}]}"#.to_owned()
                } else {
                    format!(
                        r#"{{"value":[{{"serialNumber":"A"}}],"@odata.nextLink":"{root}/p2","x":{{"@odata.nextLink":"{root}/decoy"}}}}"#
                    )
                };
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            }
        });
        (base, asked)
    }

    #[tokio::test]
    async fn a_page_fetched_from_a_wrong_guess_is_dropped_and_the_decoded_link_followed() {
        let (base, asked) = serve_decoy_pages().await;
        let client = Client::builder()
            .base_url(&base)
            .credential(StaticTokenCredential::new("t"))
            .build()
            .unwrap();
        let serials: Vec<String> = client
            .imported_devices("t1")
            .list()
            .map(|d| d.unwrap().serial_number.unwrap_or_default())
            .collect()
            .await;
        assert_eq!(serials, ["A", "B"]);
        let asked = asked.lock().unwrap().clone();
        // the task followed the decoy first; its page was dropped, and /p2 asked for once
        assert!(asked.iter().any(|p| p.ends_with("/decoy")), "{asked:?}");
        assert_eq!(
            asked.iter().filter(|p| p.ends_with("/p2")).count(),
            1,
            "{asked:?}"
        );
    }

    /// What decoding `body` as a [`Collection`] gives: the serial numbers and the link, or the
    /// error's path.
    fn as_collection(body: &str) -> Result<(Vec<String>, Option<String>), String> {
        decode::<Collection<crate::model::ImportedAppleDeviceIdentity>>(body.as_bytes())
            .map(|page| {
                let serials = page.value.into_iter().filter_map(|d| d.serial_number);
                (serials.collect(), page.next_link)
            })
            .map_err(|e| e.path)
    }

    #[test]
    fn a_page_decodes_into_a_kept_buffer_as_it_does_into_a_collection() {
        let bodies = [
            r#"{"value":[{"serialNumber":"A"},{"serialNumber":"B"}],"@odata.nextLink":"https://x/n"}"#,
            r#"{"@odata.nextLink":"https://x/n","@odata.context":"c","value":[{"serialNumber":"A"}]}"#,
            r#"{"@odata.count":2,"x":{"value":[1],"@odata.nextLink":"no"},"value":[],"y":[{}]}"#,
            r#"{"value":[{"serialNumber":"A"}],"@odata.nextLink":null}"#,
            r#"{"valu\u0065":[{"serialNumber":"esc\u0061ped"}]}"#,
            r#"{}"#,
            r#" { "value" : [ { "serialNumber" : "A" } ] } "#,
            r#"{"value":null}"#,
            r#"{"value":[{"serialNumber":"A"}],"value":[]}"#,
            r#"{"value":[{"serialNumber":"A"},{"serialNumber":7}]}"#,
            r#"{"value":[{"serialNumber":"A"}]} trailing"#,
            r#"{"value":[{"serialNumber":"A"}"#,
            r#"[]"#,
        ];
        let mut items = VecDeque::<crate::model::ImportedAppleDeviceIdentity>::new();
        for body in bodies {
            let ours = decode_page_into(body.as_bytes(), &mut items)
                .map(|link| {
                    let serials = items.drain(..).filter_map(|d| d.serial_number);
                    (serials.collect::<Vec<_>>(), link)
                })
                .map_err(|e| e.path);
            assert_eq!(ours, as_collection(body), "{body}");
            assert!(items.is_empty(), "a failed page leaves no items: {body}");
        }
        let mut items = VecDeque::new();
        assert!(
            decode_page_into::<crate::model::ImportedAppleDeviceIdentity>(
                b"{\"value\":[{\"serialNumber\":\"\xff\"}]}",
                &mut items
            )
            .is_err()
        );
    }

    #[test]
    fn the_next_link_is_guessed_from_the_end_of_the_body() {
        let link = "https://graph.microsoft.com/beta/x?$skiptoken=a%22b";
        let body = format!(
            r#"{{"value":[{{"a":"\"@odata.nextLink\":\"no\""}}], "@odata.nextLink" : "{link}"}}"#
        );
        assert_eq!(last_next_link(body.as_bytes()).as_deref(), Some(link));
        assert_eq!(last_next_link(br#"{"value":[]}"#), None);
        assert_eq!(last_next_link(br#"{"value":[],"@odata.nextLink":3}"#), None);
        assert_eq!(
            last_next_link(br#"{"value":[],"@odata.nextLink":"cut"#),
            None
        );
        assert_eq!(last_next_link(b"\"@odata.nextLink\""), None);
    }
}
