//! The injected clock. Everything in the library that needs the time or has to wait asks a
//! [`Clock`]; nothing else reads the system clock (clippy's `disallowed-methods` enforces this).
//!
//! Production code uses [`SystemClock`]; tests use [`ManualClock`], whose `sleep` returns at once
//! and moves the clock forward, so retry and expiry logic is tested without real waiting.
//!
//! ```
//! use intune_apple_core::clock::{Clock, ManualClock};
//! use chrono::{TimeZone, Utc};
//! use std::time::Duration;
//!
//! # tokio_test_block_on(async {
//! let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap());
//! clock.sleep(Duration::from_secs(90)).await;
//! assert_eq!(clock.now(), Utc.with_ymd_and_hms(2026, 11, 23, 8, 1, 30).unwrap());
//! assert_eq!(clock.slept(), vec![Duration::from_secs(90)]);
//! # });
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
//! # }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// A boxed future, as returned by [`Clock::sleep`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A source of the current time and of waiting.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant (UTC).
    fn now(&self) -> DateTime<Utc>;

    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()>;

    /// A monotonic reading for measuring elapsed time. Defaults to [`Clock::now`].
    fn monotonic(&self) -> DateTime<Utc> {
        self.now()
    }
}

/// The real clock: system time and `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that reads the system clock
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock for tests: time stands still until [`ManualClock::advance`] or a `sleep` moves it.
/// Every `sleep` is recorded, so a test can assert how long the code chose to wait.
#[derive(Debug, Clone)]
pub struct ManualClock {
    inner: Arc<Mutex<ManualState>>,
}

#[derive(Debug)]
struct ManualState {
    now: DateTime<Utc>,
    slept: Vec<Duration>,
}

impl ManualClock {
    /// A clock standing at `start`.
    #[must_use]
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            inner: Arc::new(Mutex::new(ManualState {
                now: start,
                slept: Vec::new(),
            })),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ManualState> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut state = self.state();
        state.now += chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
    }

    /// Sets the clock to `to`.
    pub fn set(&self, to: DateTime<Utc>) {
        self.state().now = to;
    }

    /// Every duration passed to `sleep` so far, in order.
    #[must_use]
    pub fn slept(&self) -> Vec<Duration> {
        self.state().slept.clone()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.state().now
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        {
            let mut state = self.state();
            state.slept.push(duration);
            state.now += chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX);
        }
        Box::pin(tokio::task::yield_now())
    }
}
