//! Conventions shared by every model type: open enums, Graph's "never" timestamp, the entity
//! and collection envelopes, and decoding with the path of the field that failed.

use chrono::{DateTime, Datelike, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares an *open* enum: the known members of a Graph enum, plus `Other(String)` that keeps
/// any member a newer Graph sends, so decoding never fails on a new value and the value
/// round-trips unchanged.
///
/// Each member names its wire spelling; extra spellings accepted on input follow `|`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "describe", derive(crate::describe::Describe), describe(open))]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[cfg_attr(feature = "describe", describe(wire = $wire))] $variant, )+
            /// A member this version of the library does not know (sent by a newer Graph),
            /// kept verbatim so that it round-trips.
            #[cfg_attr(feature = "describe", describe(other))]
            Other(String),
        }

        impl $name {
            /// Every known member, in the order Graph declares them.
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The wire spelling of this member.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(other) => other.as_str(),
                }
            }

            /// Whether this is a member the library knows.
            #[must_use]
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire $(| $alias)* => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::model::common::read_str(deserializer, |value| Ok(Self::from(value)))
            }
        }
    };
}
pub(crate) use open_enum;

/// Graph's `DateTimeOffset`, with Intune's sentinel `0001-01-01T00:00:00Z` ("never") read as
/// `None`. Use as `#[serde(default, with = "crate::model::common::graph_time")]` on an
/// `Option<DateTime<Utc>>` field.
///
/// Accepts RFC 3339 with any number of fraction digits and any offset (the docs use `-08:00`),
/// and normalises to UTC. `None` serializes as an absent field when paired with
/// `skip_serializing_if = "Option::is_none"`, otherwise as `null`.
pub mod graph_time {
    use super::{is_never, DateTime, Deserializer, Serializer, Utc};
    use chrono::SecondsFormat;
    use serde::de::{self, Visitor};

    /// Serializes as RFC 3339 UTC (`Z`), or `null`.
    #[allow(clippy::ref_option)] // serde's `with` passes `&Option<T>`
    pub fn serialize<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(t) => serializer.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            None => serializer.serialize_none(),
        }
    }

    /// Deserializes RFC 3339 (any fraction, any offset) or `null`; the "never" sentinel is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        deserializer.deserialize_option(OptionalTime)
    }

    /// `null`, or a string read in place.
    struct OptionalTime;

    impl<'de> Visitor<'de> for OptionalTime {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            super::read_str(deserializer, |text| {
                if text == "0001-01-01T00:00:00Z" {
                    return Ok(None); // "never", as Graph writes it (a third of a device's times)
                }
                let parsed = super::parse_graph_time(text).map_err(de::Error::custom)?;
                Ok(parsed.filter(|t| !is_never(*t)))
            })
        }
    }
}

/// Deserializes a string and hands it to `read` where it lies in the input, without the copy
/// that deserializing a `Cow<str>` or a `String` takes (a page of devices holds thousands of
/// enum members and timestamps).
pub(crate) fn read_str<'de, D, R>(
    deserializer: D,
    read: impl FnOnce(&str) -> Result<R, D::Error>,
) -> Result<R, D::Error>
where
    D: Deserializer<'de>,
{
    struct InPlace<F>(F);

    impl<'de, F, R, Er> serde::de::Visitor<'de> for InPlace<F>
    where
        F: FnOnce(&str) -> Result<R, Er>,
    {
        type Value = Result<R, Er>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
            Ok((self.0)(value))
        }
    }

    deserializer.deserialize_str(InPlace(read))?
}

/// Parses a Graph `DateTimeOffset`. Returns `Ok(None)` for the empty string.
///
/// # Errors
/// A message (that does not repeat the text) when it is not RFC 3339.
pub fn parse_graph_time(text: &str) -> Result<Option<DateTime<Utc>>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(t) = parse_utc_time(text.as_bytes()) {
        return Ok(Some(t));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|e| format!("expected an RFC 3339 date-time ({e})"))
}

/// The form Graph writes, `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, parsed directly (a page of devices
/// holds thousands of them); `None` for anything else, which then goes through chrono's RFC 3339
/// parser. Accepts only what that parser reads to the same instant.
fn parse_utc_time(t: &[u8]) -> Option<DateTime<Utc>> {
    let digit = |i: usize| -> Option<u32> {
        let c = *t.get(i)?;
        c.is_ascii_digit().then(|| u32::from(c - b'0'))
    };
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let (&last, head) = t.split_last()?;
    if last != b'Z' || head.len() < 19 {
        return None;
    }
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(i, c)| head[i] != c) {
        return None;
    }
    let year = two(0)? * 100 + two(2)?;
    let (month, day, hour, minute, second) = (two(5)?, two(8)?, two(11)?, two(14)?, two(17)?);
    let mut nanos = 0;
    if let Some(fraction) = head[19..].strip_prefix(b".") {
        if fraction.is_empty() || fraction.len() > 9 {
            return None;
        }
        for &c in fraction {
            if !c.is_ascii_digit() {
                return None;
            }
            nanos = nanos * 10 + u32::from(c - b'0');
        }
        nanos *= 10u32.pow(9 - u32::try_from(fraction.len()).ok()?);
    } else if head.len() != 19 {
        return None;
    }
    if second > 59 {
        return None; // a leap second: chrono's parser decides
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(date.and_time(time).and_utc())
}

/// Whether `t` is Intune's "never" sentinel (`0001-01-01T00:00:00Z`, or anything in year 1).
#[must_use]
pub fn is_never(t: DateTime<Utc>) -> bool {
    t.naive_utc().year() <= 1
}

/// A single entity as Graph returns it. Real Graph returns the entity bare (with
/// `@odata.context`); the documentation's examples wrap it as `{"value": {...}}`. Both decode.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity<T>(pub T);

impl<T> Entity<T> {
    /// The entity.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Entity<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut value = serde_json::Value::deserialize(deserializer)?;
        if let serde_json::Value::Object(map) = &mut value {
            let wrapped = map.len() <= 2
                && map.get("value").is_some_and(serde_json::Value::is_object)
                && map.keys().all(|k| k == "value" || k == "@odata.context");
            if wrapped {
                if let Some(inner) = map.remove("value") {
                    value = inner;
                }
            }
        }
        T::deserialize(value)
            .map(Entity)
            .map_err(serde::de::Error::custom)
    }
}

impl<T: Serialize> Serialize for Entity<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// A page of a Graph collection: `{"value": [...], "@odata.nextLink"?, "@odata.count"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collection<T> {
    /// `@odata.context`, when the service sends it.
    #[serde(
        rename = "@odata.context",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_context: Option<String>,
    /// `@odata.count`, when asked for with `$count=true`.
    #[serde(
        rename = "@odata.count",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_count: Option<i64>,
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The URL of the next page, to be requested verbatim.
    #[serde(
        rename = "@odata.nextLink",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_link: Option<String>,
}

/// The `{"value": ...}` result of a function or action that returns a primitive or a
/// collection (`getEncryptionPublicKey`, `exportMobileConfig`, `getExpiringVppTokenCount`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueResult<T> {
    /// `@odata.context`, when the service sends it.
    #[serde(
        rename = "@odata.context",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_context: Option<String>,
    /// The returned value.
    pub value: T,
}

/// A decoding error that names the JSON path of the field that failed, e.g.
/// `value[3].tokenExpirationDateTime: ...`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot decode {what} at `{path}`: {message}")]
pub struct DecodeError {
    /// What was being decoded (a type name).
    pub what: &'static str,
    /// The JSON path of the field that failed (`.` for the root).
    pub path: String,
    /// serde's description of the problem (never contains secret values: only types and names).
    pub message: String,
}

/// Decodes JSON into `T`, reporting the path of the field that failed.
///
/// ```
/// use intune_apple_core::model::{decode, VppToken};
/// let err = decode::<VppToken>(br#"{"id": "1", "automaticallyUpdateApps": "yes"}"#).unwrap_err();
/// assert_eq!(err.path, "automaticallyUpdateApps");
/// ```
///
/// # Errors
/// [`DecodeError`] with the failing field's path when the bytes are not valid JSON of that shape.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    // The fast path: well-formed bodies (nearly all of them) are decoded without tracking the
    // path, which costs about a third of the decoding time of a page of devices. Only a body
    // that fails is decoded again, to name the field.
    // UTF-8 is checked once for the whole body, rather than string by string.
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(value) = serde_json::from_str(text) {
            return Ok(value);
        }
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        DecodeError {
            what: short_type_name::<T>(),
            path,
            message: scrub_serde_message(&inner.to_string()),
        }
    })
}

/// Decodes a `serde_json::Value` into `T`, reporting the path of the field that failed.
///
/// # Errors
/// As [`decode`].
pub fn decode_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        DecodeError {
            what: short_type_name::<T>(),
            path,
            message: scrub_serde_message(&inner.to_string()),
        }
    })
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

/// serde_json quotes the offending *value* in some messages (`invalid type: string "abc"`);
/// such a value could be a secret, so quoted strings are replaced by `"…"`.
fn scrub_serde_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_quotes = false;
    for ch in message.chars() {
        if ch == '"' {
            if in_quotes {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            in_quotes = !in_quotes;
        } else if !in_quotes {
            out.push(ch);
        }
    }
    out
}

pub use crate::odata::short_name as odata_short_name;

/// Decodes `value` into `T` as a variant of a polymorphic type, keeping the path of the field
/// that failed in the message.
pub(crate) fn decode_variant<T: DeserializeOwned, E: serde::de::Error>(
    value: serde_json::Value,
) -> Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        E::custom(format!("{path}: {}", e.into_inner()))
    })
}

/// Declares a type polymorphic on `@odata.type`: each variant wraps the struct of one derived
/// type, named by its short `@odata.type` (with or without `#` and the `microsoft.graph.`
/// namespace, compared ignoring ASCII case; the known variants end with `;`); an unknown or absent `@odata.type` decodes into
/// `Other`, which keeps every property so that the value round-trips.
macro_rules! odata_polymorphic {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident($ty:ty) = $wire:literal ),+ ;
            $(#[$ometa:meta])* Other($oty:ty) $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "describe", derive(crate::describe::Describe), describe(polymorphic))]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[cfg_attr(feature = "describe", describe(odata = $wire))] $variant($ty), )+
            $(#[$ometa])* Other($oty),
        }

        impl $name {
            /// The short `@odata.type` names of the known variants.
            pub const KNOWN_TYPES: &'static [&'static str] = &[ $( $wire ),+ ];
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    // A known variant always carries its discriminator, also when it was built
                    // in code without `@odata.type`: Graph reads an untyped body as the base type.
                    $( Self::$variant(inner) => {
                        let mut value = serde_json::to_value(inner).map_err(serde::ser::Error::custom)?;
                        if let serde_json::Value::Object(map) = &mut value {
                            map.entry("@odata.type").or_insert_with(|| {
                                serde_json::Value::String(concat!("#microsoft.graph.", $wire).to_owned())
                            });
                        }
                        value.serialize(serializer)
                    } )+
                    Self::Other(inner) => inner.serialize(serializer),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                let odata = value
                    .get("@odata.type")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned);
                if let Some(odata) = odata {
                    $(
                        if $crate::odata::names(&odata, $wire) {
                            return $crate::model::common::decode_variant(value).map(Self::$variant);
                        }
                    )+
                }
                $crate::model::common::decode_variant(value).map(Self::Other)
            }
        }
    };
}
pub(crate) use odata_polymorphic;

/// An object of a type this library does not model (or an unknown derived type): its
/// `@odata.type` and every other property, kept verbatim so that it round-trips.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(crate::describe::Describe))]
pub struct UnknownObject {
    /// `@odata.type`, when sent.
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    /// Every other property.
    #[serde(flatten)]
    pub properties: serde_json::Map<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn by_chrono(text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn the_direct_time_parser_agrees_with_chrono_or_leaves_it_to_chrono() {
        for text in [
            "2026-11-23T09:26:53Z",
            "2026-11-23T09:26:53.1Z",
            "2026-11-23T09:26:53.123456789Z",
            "0001-01-01T00:00:00Z",
            "2024-02-29T23:59:59.5Z",
        ] {
            assert_eq!(parse_utc_time(text.as_bytes()), by_chrono(text), "{text}");
            assert!(parse_utc_time(text.as_bytes()).is_some(), "{text}");
        }
        for text in [
            "2025-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T09:26:60Z",
            "2026-11-23T09:26:53.Z",
            "2026-11-23T09:26:53.1234567891Z",
            "2026-11-23T09:26:53+02:00",
            "2026-11-23t09:26:53z",
            "2026-11-23 09:26:53Z",
            "2026-11-23T09:26:53",
            "2026-11-23T09:26Z",
            "+2026-11-23T09:26:53Z",
            "2026-11-23T09:26:5xZ",
        ] {
            assert_eq!(parse_utc_time(text.as_bytes()), None, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn graph_times_read_the_same_as_with_chrono(
            y in 0u32..10_000, mo in 0u32..14, d in 0u32..33, h in 0u32..25, mi in 0u32..61,
            s in 0u32..61, frac in proptest::option::of("[0-9]{1,10}"),
        ) {
            let text = match &frac {
                Some(f) => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{f}Z"),
                None => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
            };
            if let Some(t) = parse_utc_time(text.as_bytes()) {
                proptest::prop_assert_eq!(Some(t), by_chrono(&text), "{}", text);
            }
            proptest::prop_assert_eq!(
                parse_graph_time(&text).ok().flatten(),
                by_chrono(&text),
                "{}",
                text
            );
        }
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Stamp {
        #[serde(default, with = "graph_time", skip_serializing_if = "Option::is_none")]
        at: Option<DateTime<Utc>>,
    }

    #[test]
    fn never_sentinel_is_none() {
        let s: Stamp = serde_json::from_str(r#"{"at":"0001-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(s.at, None);
        let s: Stamp = serde_json::from_str(r#"{"at":null}"#).unwrap();
        assert_eq!(s.at, None);
        let s: Stamp = serde_json::from_str("{}").unwrap();
        assert_eq!(s.at, None);
    }

    #[test]
    fn offsets_and_long_fractions_parse() {
        let s: Stamp =
            serde_json::from_str(r#"{"at":"2017-01-01T00:00:35.1329464-08:00"}"#).unwrap();
        let expected = Utc.with_ymd_and_hms(2017, 1, 1, 8, 0, 35).unwrap()
            + chrono::Duration::nanoseconds(132_946_400);
        assert_eq!(s.at, Some(expected));
        let back = serde_json::to_string(&s).unwrap();
        assert_eq!(back, r#"{"at":"2017-01-01T08:00:35.132946400Z"}"#);
    }

    #[test]
    fn entity_accepts_bare_and_wrapped() {
        let bare: Entity<Stamp> =
            serde_json::from_str(r#"{"@odata.context":"x","at":"2026-01-01T00:00:00Z"}"#).unwrap();
        let wrapped: Entity<Stamp> =
            serde_json::from_str(r#"{"value":{"at":"2026-01-01T00:00:00Z"}}"#).unwrap();
        assert_eq!(bare, wrapped);
    }

    #[test]
    fn decode_names_the_path_and_hides_values() {
        let err = decode::<Collection<Stamp>>(
            br#"{"value":[{"at":"2026-01-01T00:00:00Z"},{"at":"secret-ish"}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.path, "value[1].at");
        assert!(!err.to_string().contains("secret-ish"), "{err}");
    }
}
