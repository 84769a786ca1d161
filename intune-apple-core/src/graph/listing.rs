//! What a paged listing is made of, shared by the client (which holds the limits) and
//! `paging` (which runs the listing on the client's request path).

use std::sync::Arc;

use futures::Stream;

use super::error::Error;

/// A stream of items of a paged Graph collection.
pub type ItemStream<T> = std::pin::Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// Progress of a paged listing, given to a progress callback after each page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageProgress {
    /// Items received so far.
    pub items: u64,
    /// Pages received so far.
    pub pages: u64,
}

/// A progress callback of a paged listing.
pub type ProgressCallback = Arc<dyn Fn(PageProgress) + Send + Sync>;

/// Bounds of one paged listing, so that a server (or a proxy) that keeps handing out
/// `@odata.nextLink`s cannot keep a listing going forever. A link that was already followed in
/// the same listing (a repeating or cycling link) always ends it with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListLimits {
    /// The most pages read (default 100,000: 100 million devices at Graph's 1,000 a page).
    pub max_pages: u64,
    /// The most items read (default 100 million).
    pub max_items: u64,
    /// The longest a whole listing may take, on the client's clock (default none: each call
    /// still has the operation timeout).
    pub deadline: Option<std::time::Duration>,
}

impl Default for ListLimits {
    fn default() -> Self {
        Self {
            max_pages: 100_000,
            max_items: 100_000_000,
            deadline: None,
        }
    }
}
