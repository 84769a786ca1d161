//! Numbers from JavaScript: a JS number is a float, so every count or number of days arrives
//! as `f64` and is checked here (finite, whole, within range) instead of being wrapped or
//! truncated by a conversion to an unsigned integer. A refused value throws `ERR_INVALID_INPUT`
//! saying what to give instead.

use chrono::{DateTime, Utc};
use intune_apple_core::rules::health::MAX_WINDOW_DAYS;
use napi::{Env, Result};

use crate::error::{failure, throw, Failure};

/// The largest whole number a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub(crate) const MAX_SAFE: i64 = (1 << 53) - 1;

/// Why `value` is not a whole number from `min` to `max`, if it is not.
pub(crate) fn check_whole(name: &str, value: f64, min: i64, max: i64) -> Option<String> {
    // i64 -> f64 is exact for the bounds used here (at most 2^53).
    #[allow(clippy::cast_precision_loss)]
    let (lo, hi) = (min as f64, max as f64);
    if value.is_finite() && value.fract() == 0.0 && value >= lo && value <= hi {
        None
    } else {
        Some(format!(
            "{name} is {value}: give a whole number from {min} to {max}"
        ))
    }
}

/// `value` as a whole number from `min` to `max`, or the `ERR_INVALID_INPUT` failure.
pub(crate) fn whole_or_failure(
    name: &str,
    value: f64,
    min: i64,
    max: i64,
) -> std::result::Result<i64, Failure> {
    match check_whole(name, value, min, max) {
        Some(message) => Err(failure("ERR_INVALID_INPUT", message)),
        // Checked above: finite, whole and within i64 bounds.
        #[allow(clippy::cast_possible_truncation)]
        None => Ok(value as i64),
    }
}

/// `value` as a whole number from `min` to `max`, or `ERR_INVALID_INPUT`.
pub(crate) fn whole(env: &Env, name: &str, value: f64, min: i64, max: i64) -> Result<i64> {
    whole_or_failure(name, value, min, max).map_err(|f| throw(env, f))
}

/// `value` as a count from `min` to `max`, or `ERR_INVALID_INPUT`.
pub(crate) fn count(env: &Env, name: &str, value: f64, min: usize, max: usize) -> Result<usize> {
    let (lo, hi) = (
        i64::try_from(min).unwrap_or(i64::MAX),
        i64::try_from(max).unwrap_or(i64::MAX),
    );
    let n = whole(env, name, value, lo, hi)?;
    Ok(usize::try_from(n).unwrap_or(min))
}

/// A number of days of a health window (0 to [`MAX_WINDOW_DAYS`]).
pub(crate) fn days(env: &Env, name: &str, value: Option<f64>) -> Result<Option<i64>> {
    value
        .map(|v| whole(env, name, v, 0, MAX_WINDOW_DAYS))
        .transpose()
}

/// Why a `Date` napi converted is refused, if it is: napi reads an invalid `Date`
/// (`new Date(NaN)`, `new Date("garbage")`) as the epoch, so the epoch itself, which no caller
/// means for these instants, is refused as well.
pub(crate) fn check_instant(name: &str, value: DateTime<Utc>) -> Option<String> {
    (value.timestamp_millis() == 0).then(|| {
        format!(
            "{name} is not a valid Date (an invalid Date reads as 1970-01-01T00:00:00Z, \
             which is refused too): pass a valid Date"
        )
    })
}

/// `value` unless it is an invalid `Date` ([`check_instant`]), or `ERR_INVALID_INPUT`.
pub(crate) fn instant(
    env: &Env,
    name: &str,
    value: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>> {
    match value.and_then(|v| check_instant(name, v)) {
        Some(message) => Err(throw(env, failure("ERR_INVALID_INPUT", message))),
        None => Ok(value),
    }
}

/// A model value converted by napi whose times are checked with [`check_instant`].
pub(crate) trait Dated {
    /// Its times, by JS property name.
    fn instants(&self) -> Vec<(&'static str, Option<DateTime<Utc>>)>;
}

/// `value` unless one of its times is an invalid `Date`, or `ERR_INVALID_INPUT` naming it.
pub(crate) fn dated<T: Dated>(env: &Env, what: &str, value: T) -> Result<T> {
    for (name, t) in value.instants() {
        if let Some(message) = t.and_then(|t| check_instant(name, t)) {
            return Err(throw(
                env,
                failure("ERR_INVALID_INPUT", format!("{what}: {message}")),
            ));
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_numbers_are_refused() {
        for v in [
            -1.0,
            4_294_967_295.0,
            1e8,
            f64::NAN,
            f64::INFINITY,
            1.5,
            -0.5,
        ] {
            assert!(check_whole("warningDays", v, 0, 3650).is_some(), "{v}");
        }
        for v in [0.0, 7.0, 3650.0] {
            assert!(check_whole("warningDays", v, 0, 3650).is_none(), "{v}");
        }
    }

    #[test]
    fn the_epoch_an_invalid_date_reads_as_is_refused() {
        let epoch = DateTime::<Utc>::from_timestamp_millis(0).unwrap();
        assert!(check_instant("now", epoch)
            .unwrap()
            .contains("now is not a valid Date"));
        let later = DateTime::<Utc>::from_timestamp_millis(1).unwrap();
        assert_eq!(check_instant("now", later), None);
    }
}
