//! Checked time arithmetic for the numbers a seed or a caller of the simulator chooses
//! (`expiresInDays`, hours ago, sync durations, token lifetimes, clock moves): a huge, negative
//! or non-finite number saturates at the ends of a sane range instead of panicking a handler.
//!
//! The logical clock stays within [`CLOCK_MIN`, `CLOCK_MAX`] so that the fixed offsets the
//! simulator adds to it (a year at most) can never leave the range of dates; the instants
//! derived from a seed stay within years 1 to 9999, the range Graph writes.

use chrono::{DateTime, Duration, TimeZone, Utc};

/// The earliest instant of the logical clock.
pub(crate) fn clock_min() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// The latest instant of the logical clock.
pub(crate) fn clock_max() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9000, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn instant_min() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(1, 1, 2, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn instant_max() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 30, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `t` brought into the clock's range.
pub(crate) fn clamp_clock(t: DateTime<Utc>) -> DateTime<Utc> {
    t.clamp(clock_min(), clock_max())
}

/// `t + d`, saturating within years 1 to 9999.
pub(crate) fn add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    let out = t.checked_add_signed(d).unwrap_or(if d < Duration::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    });
    out.clamp(instant_min(), instant_max())
}

/// `s` seconds (fractions kept to the millisecond), saturating; not-a-number is zero.
pub(crate) fn seconds_f64(s: f64) -> Duration {
    if s.is_nan() {
        return Duration::zero();
    }
    // A float beyond the range of i64 saturates in the cast; the duration saturates below.
    #[allow(clippy::cast_possible_truncation)]
    let ms = (s * 1000.0) as i64;
    Duration::try_milliseconds(ms).unwrap_or(if ms < 0 { Duration::MIN } else { Duration::MAX })
}

/// `d` days, saturating; not-a-number is zero.
pub(crate) fn days(d: f64) -> Duration {
    seconds_f64(d * 86_400.0)
}

/// `s` whole seconds, saturating.
pub(crate) fn seconds(s: i64) -> Duration {
    Duration::try_seconds(s).unwrap_or(if s < 0 { Duration::MIN } else { Duration::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_numbers_saturate() {
        let now = clock_max();
        for d in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1e300,
            1e8,
        ] {
            let t = add(now, days(d));
            assert!(t >= instant_min() && t <= instant_max(), "{d}");
        }
        assert_eq!(add(now, seconds(i64::MAX)), instant_max());
        assert_eq!(add(now, seconds(i64::MIN)), instant_min());
        assert_eq!(clamp_clock(DateTime::<Utc>::MAX_UTC), clock_max());
        assert_eq!(seconds_f64(1.5), Duration::milliseconds(1500));
    }
}
