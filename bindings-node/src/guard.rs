//! Numbers from JavaScript: a JS number is a float, so every count or number of days arrives
//! as `f64` and is checked here (finite, whole, within range) instead of being wrapped or
//! truncated by a conversion to an unsigned integer. A refused value throws `ERR_INVALID_INPUT`
//! saying what to give instead.

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
}
