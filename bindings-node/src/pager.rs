//! Paged listings for `for await`: the core's item stream is read page by page on the runtime
//! (one page ahead), and each `nextPage()` hands JavaScript a page of plain objects, in slices
//! of at most 125 so that V8's young generation stays small.
//! `index.js` adds `[Symbol.asyncIterator]` (items one by one) and `toArray()`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex as StdMutex};

use futures::StreamExt as _;
use intune_apple_core::graph::{self, ItemStream};
use napi::bindgen_prelude::{FunctionRef, PromiseRaw, ToNapiValue, Unknown};
use napi::{Env, Result};
use napi_derive::napi;
use tokio::sync::{mpsc, Mutex};

use crate::error::{run, Failure};

/// How far a paged listing has got, given to `onProgress` after each page.
#[napi(object)]
#[derive(Debug, Clone, Copy, Default)]
pub struct PageProgress {
    /// Items received so far.
    pub items: u32,
    /// Pages received so far.
    pub pages: u32,
}

/// Options of a paged listing.
#[napi(object)]
pub struct ListOptions<'a> {
    /// Called after each page, on the JS thread.
    #[napi(ts_type = "(progress: PageProgress) => void")]
    pub on_progress: Option<napi::bindgen_prelude::Function<'a, PageProgress, ()>>,
}

/// The largest page handed to JS at once (Graph pages are at most 1,000 items).
const MAX_PAGE: usize = 1_000;

/// The most items handed to JavaScript in one step: a Graph page of 1,000 is handed in slices,
/// so that fewer objects are alive at once in V8's young generation (it stays small).
const MAX_STEP: usize = 125;

/// The slices that may wait for JavaScript: a whole page, so that the next page is fetched
/// and decoded while JavaScript works through this one (with room for one slice, JavaScript
/// waited for every page: more than half of its time at 1M devices).
const AHEAD: usize = MAX_PAGE / MAX_STEP;

/// Writes a slice of items as one JSON string of rows (see [`crate::convert::device_rows`]).
pub(crate) type Prepare<T> = fn(&[T]) -> serde_json::Result<String>;

/// A slice of a page as it waits for JavaScript.
pub(crate) enum Slice<T> {
    /// The items themselves, converted on the JS thread.
    Items(Vec<T>),
    /// The items already written as JSON rows on the runtime (far smaller than the items while
    /// they wait, and off the JS thread), with their count.
    Rows(String, usize),
}

impl<T> Slice<T> {
    fn len(&self) -> usize {
        match self {
            Self::Items(items) => items.len(),
            Self::Rows(_, n) => *n,
        }
    }
}

/// A slice of a page, and whether it ends the page.
type Chunk<T> = std::result::Result<(Slice<T>, bool), Failure>;

/// Sends one slice on, as rows when `prepare` is given; `false` when the receiver is gone.
async fn send_slice<T>(
    tx: &mpsc::Sender<Chunk<T>>,
    prepare: Option<Prepare<T>>,
    items: Vec<T>,
    ends_page: bool,
) -> bool {
    let chunk = match prepare {
        None => Ok((Slice::Items(items), ends_page)),
        Some(prepare) => {
            let n = items.len();
            let written = prepare(&items);
            // the items are not kept while the slice waits: the rows are far smaller
            drop(items);
            match written {
                Ok(json) => Ok((Slice::Rows(json, n), ends_page)),
                Err(e) => Err(crate::error::failure(
                    "ERR_DECODE",
                    format!("a page could not be handed to JavaScript: {e}"),
                )),
            }
        }
    };
    let failed = chunk.is_err();
    tx.send(chunk).await.is_ok() && !failed
}

/// Sends a page on in slices of at most [`MAX_STEP`]; `false` when the receiver is gone.
/// The slices are moved out one by one (no copy of the rest of the page per slice).
async fn send_page<T>(
    tx: &mpsc::Sender<Chunk<T>>,
    prepare: Option<Prepare<T>>,
    page: Vec<T>,
) -> bool {
    let total = page.len();
    let mut items = page.into_iter();
    let mut sent = 0;
    loop {
        let slice: Vec<T> = items.by_ref().take(MAX_STEP).collect();
        sent += slice.len();
        let ends_page = sent >= total;
        if !send_slice(tx, prepare, slice, ends_page).await {
            return false;
        }
        if ends_page {
            return true;
        }
    }
}

/// The sizes of the pages the core has read and not yet handed on, learnt from its progress
/// callback (called before a page's items are yielded), so that JS gets Graph's pages exactly.
#[derive(Default)]
pub(crate) struct PageSizes {
    pending: VecDeque<u64>,
    last_items: u64,
}

/// A progress callback for the core's `list_with_progress` that records each page's size.
pub(crate) fn page_sizes() -> (graph::ProgressCallback, Arc<StdMutex<PageSizes>>) {
    let sizes = Arc::new(StdMutex::new(PageSizes::default()));
    let shared = sizes.clone();
    let callback: graph::ProgressCallback = Arc::new(move |p: graph::PageProgress| {
        let mut s = shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // a chained listing (iOS then macOS apps) starts counting again at its first page
        let size = if p.pages == 1 {
            p.items
        } else {
            p.items.saturating_sub(s.last_items)
        };
        s.last_items = p.items;
        if size > 0 {
            s.pending.push_back(size);
        }
    });
    (callback, sizes)
}

enum Source<T> {
    NotStarted(ItemStream<T>, Option<Arc<StdMutex<PageSizes>>>),
    Running(mpsc::Receiver<Chunk<T>>),
    Done,
}

/// The state shared by a pager object and its pending `nextPage()` calls.
pub(crate) struct PageSource<T> {
    source: Mutex<Source<T>>,
    prepare: Option<Prepare<T>>,
}

impl<T: Send + 'static> PageSource<T> {
    pub(crate) fn new(
        stream: ItemStream<T>,
        sizes: Option<Arc<StdMutex<PageSizes>>>,
        prepare: Option<Prepare<T>>,
    ) -> Arc<Self> {
        Arc::new(Self {
            source: Mutex::new(Source::NotStarted(stream, sizes)),
            prepare,
        })
    }

    /// The next page, `None` at the end. The first call starts a task that reads one page
    /// ahead while JavaScript works on the current one.
    pub(crate) async fn next(
        self: Arc<Self>,
    ) -> std::result::Result<Option<(Slice<T>, bool)>, Failure> {
        let mut source = self.source.lock().await;
        if let Source::NotStarted(..) = &*source {
            let Source::NotStarted(stream, sizes) = std::mem::replace(&mut *source, Source::Done)
            else {
                return Ok(None);
            };
            let (tx, rx) = mpsc::channel::<Chunk<T>>(AHEAD);
            match sizes {
                Some(sizes) => tokio::spawn(produce_pages(stream, sizes, self.prepare, tx)),
                None => tokio::spawn(produce(stream, self.prepare, tx)),
            };
            *source = Source::Running(rx);
        }
        let Source::Running(rx) = &mut *source else {
            return Ok(None);
        };
        match rx.recv().await {
            Some(Ok(page)) => Ok(Some(page)),
            Some(Err(f)) => {
                *source = Source::Done;
                Err(f)
            }
            None => {
                *source = Source::Done;
                Ok(None)
            }
        }
    }
}

/// Reads the stream page by page, with the page sizes the core reported, and sends them on.
async fn produce_pages<T: Send + 'static>(
    mut stream: ItemStream<T>,
    sizes: Arc<StdMutex<PageSizes>>,
    prepare: Option<Prepare<T>>,
    tx: mpsc::Sender<Chunk<T>>,
) {
    // Items are gathered a slice at a time, never a whole page: as rows, at most one slice
    // of items is alive here.
    let mut slice: Vec<T> = Vec::new();
    let mut want: u64 = 0;
    while let Some(item) = stream.next().await {
        match item {
            Ok(v) => {
                if want == 0 {
                    want = sizes
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .pending
                        .pop_front()
                        .unwrap_or(1);
                }
                if slice.is_empty() {
                    slice.reserve(usize::try_from(want).unwrap_or(MAX_STEP).min(MAX_STEP));
                }
                slice.push(v);
                want -= 1;
                if (want == 0 || slice.len() >= MAX_STEP)
                    && !send_slice(&tx, prepare, std::mem::take(&mut slice), want == 0).await
                {
                    return;
                }
            }
            Err(e) => {
                if !slice.is_empty()
                    && !send_slice(&tx, prepare, std::mem::take(&mut slice), true).await
                {
                    return;
                }
                let _ = tx.send(Err(Failure::from(&e))).await;
                return;
            }
        }
    }
    if !slice.is_empty() {
        send_slice(&tx, prepare, slice, true).await;
    }
}

/// Reads the stream in pages (the items that arrive together) and sends them on: for the
/// listings whose page sizes the core does not report.
async fn produce<T: Send + 'static>(
    stream: ItemStream<T>,
    prepare: Option<Prepare<T>>,
    tx: mpsc::Sender<Chunk<T>>,
) {
    let mut chunks = stream.ready_chunks(MAX_PAGE);
    while let Some(chunk) = chunks.next().await {
        let mut page = Vec::with_capacity(chunk.len());
        let mut failed: Option<graph::Error> = None;
        for item in chunk {
            match item {
                Ok(v) => page.push(v),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if !page.is_empty() && !send_page(&tx, prepare, page).await {
            return;
        }
        if let Some(e) = failed {
            let _ = tx.send(Err(Failure::from(&e))).await;
            return;
        }
    }
}

/// The progress callback of a pager and its counts.
#[derive(Default)]
pub(crate) struct Progress {
    callback: Option<FunctionRef<PageProgress, ()>>,
    seen: std::sync::Mutex<PageProgress>,
}

impl Progress {
    pub(crate) fn new(options: Option<ListOptions<'_>>) -> Result<Arc<Self>> {
        let callback = match options.and_then(|o| o.on_progress) {
            Some(f) => Some(f.create_ref()?),
            None => None,
        };
        Ok(Arc::new(Self {
            callback,
            seen: std::sync::Mutex::new(PageProgress::default()),
        }))
    }

    fn step(&self, env: &Env, items: usize, ends_page: bool) -> Result<()> {
        let now = {
            let mut seen = self
                .seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            seen.items += u32::try_from(items).unwrap_or(u32::MAX);
            if !ends_page {
                return Ok(());
            }
            seen.pages += 1;
            *seen
        };
        if let Some(cb) = &self.callback {
            cb.borrow_back(env)?.call(now)?;
        }
        Ok(())
    }
}

/// `nextPage()` of every pager: the next page converted by `convert` on the JS thread.
pub(crate) fn next_page<'e, T, C>(
    env: &'e Env,
    source: &Arc<PageSource<T>>,
    progress: &Arc<Progress>,
    convert: C,
) -> Result<PromiseRaw<'e, Option<Unknown<'e>>>>
where
    T: Send + 'static,
    C: Fn(&'e Env, Vec<T>) -> Result<Unknown<'e>> + 'static,
{
    let source = source.clone();
    let progress = progress.clone();
    run(env, source.next(), move |env, page| match page {
        Some((slice, ends_page)) => {
            let n = slice.len();
            let value = match slice {
                Slice::Items(items) => convert(env, items)?,
                Slice::Rows(json, _) => rows(env, json)?,
            };
            progress.step(env, n, ends_page)?;
            Ok(Some(value))
        }
        None => Ok(None),
    })
}

/// A page of typed objects.
pub(crate) fn typed<'e, T, J>(env: &'e Env, items: Vec<T>) -> Result<Unknown<'e>>
where
    J: From<T> + ToNapiValue,
{
    let out: Vec<J> = items.into_iter().map(J::from).collect();
    ToNapiValue::into_unknown(out, env)
}

/// A slice written as JSON rows, built into objects by the function `index.js` registered.
fn rows(env: &Env, json: String) -> Result<Unknown<'_>> {
    let build = env
        .get_instance_data::<crate::error::Registered>()?
        .and_then(|r| r.device_rows.as_ref())
        .ok_or_else(|| napi::Error::from_reason("no row builder is registered"))?;
    build.borrow_back(env)?.call(json)
}

/// Whether `index.js` registered the row builder: otherwise pages are converted item by item.
pub(crate) fn rows_registered(env: &Env) -> Result<bool> {
    Ok(env
        .get_instance_data::<crate::error::Registered>()?
        .is_some_and(|r| r.device_rows.is_some()))
}

/// A page of Graph JSON objects (see [`crate::convert::to_js`]).
pub(crate) fn json<'e, T>(env: &'e Env, items: Vec<T>) -> Result<Unknown<'e>>
where
    T: serde::Serialize + intune_apple_core::describe::Describe + 'static,
{
    crate::convert::to_js(env, &items)
}

macro_rules! pager {
    ($doc:literal, $name:ident, $core:ty, $ts:literal, $convert:expr) => {
        #[doc = $doc]
        #[napi]
        pub struct $name {
            source: Arc<PageSource<$core>>,
            progress: Arc<Progress>,
        }

        impl $name {
            // the imported-device pager is always made `with_rows`
            #[allow(dead_code)]
            pub(crate) fn new(
                stream: ItemStream<$core>,
                sizes: Option<Arc<StdMutex<PageSizes>>>,
                options: Option<ListOptions<'_>>,
            ) -> Result<Self> {
                Self::with_rows(stream, sizes, options, None)
            }

            /// As `new`, with the slices written as JSON rows by `prepare` on the runtime.
            pub(crate) fn with_rows(
                stream: ItemStream<$core>,
                sizes: Option<Arc<StdMutex<PageSizes>>>,
                options: Option<ListOptions<'_>>,
                prepare: Option<Prepare<$core>>,
            ) -> Result<Self> {
                Ok(Self {
                    source: PageSource::new(stream, sizes, prepare),
                    progress: Progress::new(options)?,
                })
            }
        }

        #[napi]
        impl $name {
            /// The next items (a Graph page, in slices of at most 125), or `null` at the
            /// end. `for await` over the pager itself yields the items one by one.
            #[napi(ts_return_type = $ts)]
            pub fn next_page<'e>(
                &self,
                env: &'e Env,
            ) -> Result<PromiseRaw<'e, Option<Unknown<'e>>>> {
                next_page(env, &self.source, &self.progress, $convert)
            }
        }
    };
}

pager!(
    "The imported devices of an enrollment program token, page by page.",
    ImportedDevicePager,
    intune_apple_core::model::ImportedAppleDeviceIdentity,
    "Promise<Array<ImportedDevice> | null>",
    typed::<_, crate::convert::ImportedDevice>
);
pager!(
    "The enrollment program tokens, page by page.",
    EnrollmentProgramTokenPager,
    intune_apple_core::model::DepOnboardingSetting,
    "Promise<Array<EnrollmentProgramToken> | null>",
    typed::<_, crate::convert::EnrollmentProgramToken>
);
pager!(
    "The VPP tokens, page by page.",
    VppTokenPager,
    intune_apple_core::model::VppToken,
    "Promise<Array<VppTokenInfo> | null>",
    typed::<_, crate::convert::VppTokenInfo>
);
pager!(
    "The enrollment profiles of a token, page by page.",
    EnrollmentProfilePager,
    intune_apple_core::model::EnrollmentProfile,
    "Promise<Array<EnrollmentProfile> | null>",
    json
);
pager!(
    "VPP apps, page by page.",
    MobileAppPager,
    intune_apple_core::model::MobileApp,
    "Promise<Array<MobileApp> | null>",
    json
);
pager!(
    "The assignments of an app, page by page.",
    AssignmentPager,
    intune_apple_core::model::MobileAppAssignment,
    "Promise<Array<MobileAppAssignment> | null>",
    json
);
