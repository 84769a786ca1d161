//! Walking a value with its type's description: how a binding knows, from the model and not
//! from a property's name, which values are times (handed over as its language's date) and
//! which are secrets (never handed over).
//!
//! A binding serialises a core value to JSON, takes the [`Schema`] of its type and
//! [`Schema::build`]s its own value with a [`Builder`]:
//!
//! - a property the description types as a time (`DateTime<Utc>`) becomes [`Builder::time`],
//!   every other text stays [`Builder::text`], whatever the property is called;
//! - a property typed as a [`crate::Secret`] is left out, and so is a property of the same name
//!   in an object the description does not know (the open part of an unknown Graph type);
//! - a polymorphic object is walked as the variant its `@odata.type` names, an internally
//!   tagged one as the variant its tag names;
//! - what the description leaves open (`serde_json::Value`, the properties of an unknown type)
//!   is handed over as JSON gives it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{Describe, FieldDef, Registry, Shape, TypeDef};

/// How deeply a walked value may nest (JSON read by `serde_json` stops at 128 levels).
const MAX_DEPTH: usize = 256;

/// What a binding builds the values of its language with, one call per JSON value.
pub trait Builder {
    /// A value of the binding's language.
    type Value;
    /// Why a value could not be built.
    type Error;
    /// `null`.
    fn null(&mut self) -> Result<Self::Value, Self::Error>;
    /// `true` / `false`.
    fn bool(&mut self, value: bool) -> Result<Self::Value, Self::Error>;
    /// A number.
    fn number(&mut self, value: &serde_json::Number) -> Result<Self::Value, Self::Error>;
    /// Text that is not a time.
    fn text(&mut self, value: &str) -> Result<Self::Value, Self::Error>;
    /// A time (a property the description types as one).
    fn time(&mut self, value: DateTime<Utc>) -> Result<Self::Value, Self::Error>;
    /// A list of built values.
    fn list(&mut self, items: Vec<Self::Value>) -> Result<Self::Value, Self::Error>;
    /// An object of built properties, in the JSON's order, secrets already left out.
    fn object(&mut self, properties: Vec<(&str, Self::Value)>) -> Result<Self::Value, Self::Error>;
    /// The error for a value nested deeper than a walk follows.
    fn too_deep(&mut self) -> Self::Error;
}

/// The description of one type and of every type it uses.
#[derive(Debug)]
pub struct Schema {
    root: Shape,
    types: BTreeMap<&'static str, TypeDef>,
    /// The wire names of the described secret properties: withheld from undescribed objects too.
    secret_names: BTreeSet<&'static str>,
}

/// The property of an object, as the description sees it.
enum Property<'s> {
    /// Typed by the description.
    Typed(&'s Shape),
    /// A secret: left out.
    Secret,
    /// Not described: handed over as JSON gives it.
    Open,
}

/// Where the keys of one object are looked up.
enum Keys<'s> {
    /// A struct's fields (or a polymorphic variant's).
    Fields(&'s [FieldDef]),
    /// A tagged enum's tag and its variant's fields (none for an unknown tag).
    Tagged(&'static str, &'s [FieldDef]),
    /// A map: every value has this shape.
    Values(&'s Shape),
    /// Not described.
    Open,
}

/// The shape of a tagged enum's tag.
static TEXT: Shape = Shape::String;

impl Schema {
    /// The schema of `T`.
    #[must_use]
    pub fn of<T: Describe + ?Sized>() -> Self {
        let mut reg = Registry::default();
        let root = T::shape(&mut reg);
        let types = reg.into_types();
        let secret_names = types.values().flat_map(secret_fields).collect();
        Self {
            root,
            types,
            secret_names,
        }
    }

    /// This schema, also withholding properties named `names` from the objects it does not
    /// describe (e.g. the secrets of every exposed type, [`crate::manifest::schema`]).
    #[must_use]
    pub fn withholding(mut self, names: impl IntoIterator<Item = &'static str>) -> Self {
        self.secret_names.extend(names);
        self
    }

    /// The wire names of the secret properties it withholds from undescribed objects: those
    /// its types declare secrets, and those given to [`Schema::withholding`].
    pub fn secret_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.secret_names.iter().copied()
    }

    /// The shape of the type itself.
    #[must_use]
    pub fn root(&self) -> &Shape {
        &self.root
    }

    /// Every type the schema uses, by name.
    #[must_use]
    pub fn types(&self) -> &BTreeMap<&'static str, TypeDef> {
        &self.types
    }

    /// Builds `value` (the JSON a value of this schema's type serialises to) with `builder`.
    ///
    /// # Errors
    /// The builder's errors, and [`Builder::too_deep`] for a value nested deeper than 256
    /// levels.
    pub fn build<B: Builder>(&self, value: &Value, builder: &mut B) -> Result<B::Value, B::Error> {
        self.walk(Some(&self.root), value, builder, 0)
    }

    fn walk<B: Builder>(
        &self,
        shape: Option<&Shape>,
        value: &Value,
        b: &mut B,
        depth: usize,
    ) -> Result<B::Value, B::Error> {
        if depth > MAX_DEPTH {
            return Err(b.too_deep());
        }
        let shape = shape.map(strip_optional);
        match value {
            Value::Null => b.null(),
            Value::Bool(v) => b.bool(*v),
            Value::Number(n) => b.number(n),
            Value::String(s) => match shape {
                Some(Shape::Time) => match DateTime::parse_from_rfc3339(s) {
                    Ok(t) => b.time(t.with_timezone(&Utc)),
                    Err(_) => b.text(s),
                },
                Some(Shape::Secret) => b.null(),
                _ => b.text(s),
            },
            Value::Array(items) => {
                let item = match shape {
                    Some(Shape::List { of }) => Some(&**of),
                    _ => None,
                };
                let mut out = Vec::with_capacity(items.len());
                for v in items {
                    out.push(self.walk(item, v, b, depth + 1)?);
                }
                b.list(out)
            }
            Value::Object(map) => {
                let keys = self.keys(shape, map);
                let mut out = Vec::with_capacity(map.len());
                for (k, v) in map {
                    let built = match self.property(&keys, map, k) {
                        Property::Secret => continue,
                        Property::Typed(s) => self.walk(Some(s), v, b, depth + 1)?,
                        Property::Open if self.secret_names.contains(k.as_str()) => continue,
                        Property::Open => self.walk(None, v, b, depth + 1)?,
                    };
                    out.push((k.as_str(), built));
                }
                b.object(out)
            }
        }
    }

    /// Where the keys of `object`, an object of shape `shape`, are looked up: resolved once
    /// per object (a polymorphic object's variant, a tagged one's).
    fn keys<'s>(&'s self, shape: Option<&'s Shape>, object: &Map<String, Value>) -> Keys<'s> {
        match shape.map(strip_optional) {
            Some(Shape::Map { of }) => Keys::Values(of),
            Some(Shape::Ref { name }) => match self.types.get(name) {
                Some(TypeDef::Struct(def)) => Keys::Fields(&def.fields),
                Some(TypeDef::Polymorphic(def)) => {
                    let odata = object.get("@odata.type").and_then(Value::as_str);
                    let variant = def
                        .variants
                        .iter()
                        .find(|v| {
                            v.odata_type
                                .zip(odata)
                                .is_some_and(|(short, have)| crate::odata::names(have, short))
                        })
                        .or_else(|| def.variants.iter().find(|v| v.odata_type.is_none()));
                    variant.map_or(Keys::Open, |v| self.keys(Some(&v.shape), object))
                }
                Some(TypeDef::Tagged(def)) => {
                    let tag = object.get(def.tag).and_then(Value::as_str);
                    let fields = def
                        .variants
                        .iter()
                        .find(|v| Some(v.wire) == tag)
                        .map_or(&[][..], |v| &v.fields[..]);
                    Keys::Tagged(def.tag, fields)
                }
                Some(TypeDef::Enum(_)) | None => Keys::Open,
            },
            _ => Keys::Open,
        }
    }

    /// The property `key` of `object`, whose keys are looked up in `keys`.
    fn property<'s>(
        &'s self,
        keys: &Keys<'s>,
        object: &Map<String, Value>,
        key: &str,
    ) -> Property<'s> {
        match keys {
            Keys::Values(of) => typed(of),
            Keys::Tagged(tag, _) if key == *tag => Property::Typed(&TEXT),
            Keys::Fields(fields) | Keys::Tagged(_, fields) => self.field(fields, object, key),
            Keys::Open => Property::Open,
        }
    }

    /// The property `key` among `fields` (and the fields they flatten).
    fn field<'s>(
        &'s self,
        fields: &'s [FieldDef],
        object: &Map<String, Value>,
        key: &str,
    ) -> Property<'s> {
        if let Some(f) = fields.iter().find(|f| f.wire == Some(key)) {
            return typed(&f.shape);
        }
        for f in fields.iter().filter(|f| f.flatten) {
            match self.property(&self.keys(Some(&f.shape), object), object, key) {
                Property::Open => {}
                found => return found,
            }
        }
        Property::Open
    }
}

/// The wire names of the fields `def` declares secrets.
pub fn secret_fields(def: &TypeDef) -> Vec<&'static str> {
    let fields: Vec<&FieldDef> = match def {
        TypeDef::Struct(d) => d.fields.iter().collect(),
        TypeDef::Tagged(d) => d.variants.iter().flat_map(|v| &v.fields).collect(),
        TypeDef::Enum(_) | TypeDef::Polymorphic(_) => Vec::new(),
    };
    fields
        .into_iter()
        .filter(|f| is_secret(&f.shape))
        .filter_map(|f| f.wire)
        .collect()
}

fn typed(shape: &Shape) -> Property<'_> {
    if is_secret(shape) {
        Property::Secret
    } else {
        Property::Typed(shape)
    }
}

fn strip_optional(mut shape: &Shape) -> &Shape {
    while let Shape::Optional { of } = shape {
        shape = of;
    }
    shape
}

fn is_secret(shape: &Shape) -> bool {
    matches!(strip_optional(shape), Shape::Secret)
}

/// A builder for tests: JSON again, each time marked as `{"time": <epoch milliseconds>}`.
#[cfg(test)]
pub(crate) struct Marked;

#[cfg(test)]
impl Builder for Marked {
    type Value = Value;
    type Error = String;
    fn null(&mut self) -> Result<Value, String> {
        Ok(Value::Null)
    }
    fn bool(&mut self, v: bool) -> Result<Value, String> {
        Ok(Value::Bool(v))
    }
    fn number(&mut self, v: &serde_json::Number) -> Result<Value, String> {
        Ok(Value::Number(v.clone()))
    }
    fn text(&mut self, v: &str) -> Result<Value, String> {
        Ok(Value::String(v.to_owned()))
    }
    fn time(&mut self, v: DateTime<Utc>) -> Result<Value, String> {
        Ok(serde_json::json!({ "time": v.timestamp_millis() }))
    }
    fn list(&mut self, items: Vec<Value>) -> Result<Value, String> {
        Ok(Value::Array(items))
    }
    fn object(&mut self, properties: Vec<(&str, Value)>) -> Result<Value, String> {
        Ok(Value::Object(
            properties
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        ))
    }
    fn too_deep(&mut self) -> String {
        "too deep".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EnrollmentProfile, MobileApp, VppToken};
    use crate::workflows::notify::NotifyRun;

    fn walked<T: Describe + serde::Serialize + 'static>(value: &T) -> Value {
        let json = serde_json::to_value(value).unwrap_or_default();
        Schema::of::<T>()
            .build(&json, &mut Marked)
            .unwrap_or_default()
    }

    #[test]
    fn times_are_the_described_ones_and_secrets_are_left_out() {
        let token: VppToken = serde_json::from_value(serde_json::json!({
            "id": "t1",
            "organizationName": "Paris",
            "expirationDateTime": "2027-01-02T03:04:05Z",
            "lastSyncDateTime": "2026-01-02T03:04:05.5Z",
            "token": "the-secret-token",
            "countryOrRegion": "fr",
        }))
        .unwrap_or_default();
        let out = walked(&token);
        assert_eq!(out["expirationDateTime"]["time"], 1_798_859_045_000_i64);
        assert_eq!(out["lastSyncDateTime"]["time"], 1_767_323_045_500_i64);
        assert_eq!(out["organizationName"], "Paris");
        assert!(out.get("token").is_none(), "{out}");
        assert!(!out.to_string().contains("the-secret-token"));
    }

    #[test]
    fn a_polymorphic_value_is_walked_as_its_variant_and_unknown_types_stay_json() {
        let ios: EnrollmentProfile = serde_json::from_value(serde_json::json!({
            "@odata.type": "#microsoft.graph.depIOSEnrollmentProfile",
            "id": "p1",
            "displayName": "Kiosk",
            "adminAccountPassword": "hunter2",
        }))
        .unwrap_or_else(|_| EnrollmentProfile::Other(Default::default()));
        let out = walked(&ios);
        assert_eq!(out["displayName"], "Kiosk");
        assert!(!out.to_string().contains("hunter2"), "{out}");

        // An unknown derived type: its properties are handed over as JSON gives them (a
        // time-looking text stays text), but a property named like one of the model's
        // secrets is withheld there too.
        let unknown: EnrollmentProfile = serde_json::from_value(serde_json::json!({
            "@odata.type": "#microsoft.graph.depFutureEnrollmentProfile",
            "id": "p2",
            "createdDateTime": "2026-01-02T03:04:05Z",
            "adminAccountPassword": "hunter2",
            "nested": {"depth": [1, {"x": true}]},
        }))
        .unwrap_or_else(|_| EnrollmentProfile::Other(Default::default()));
        let out = walked(&unknown);
        assert_eq!(out["createdDateTime"], "2026-01-02T03:04:05Z");
        assert_eq!(out["nested"]["depth"][1]["x"], true);
        assert!(!out.to_string().contains("hunter2"), "{out}");
    }

    #[test]
    fn a_text_field_named_like_a_time_stays_text() {
        let app: MobileApp = serde_json::from_value(serde_json::json!({
            "@odata.type": "#microsoft.graph.iosVppApp",
            "id": "a1",
            "displayName": "2026-01-02T03:04:05Z",
            "createdDateTime": "2026-01-02T03:04:05Z",
        }))
        .unwrap_or_else(|_| MobileApp::Other(Default::default()));
        let out = walked(&app);
        assert_eq!(out["displayName"], "2026-01-02T03:04:05Z");
        assert!(out["createdDateTime"].get("time").is_some(), "{out}");
    }

    #[test]
    fn a_tagged_enum_is_walked_by_its_tag() {
        let run: NotifyRun = crate::workflows::notify::NotifyRun {
            due: true,
            changes: vec![serde_json::from_value(serde_json::json!({
                "tenant": "contoso",
                "credential": {
                    "kind": "vppToken", "id": "t1", "name": "Paris",
                    "expiresAt": "2026-12-08T00:00:00Z", "daysLeft": 5
                },
                "severity": "warning",
                "what": {"type": "crossed", "thresholdDays": 7},
            }))
            .unwrap_or_else(|e| panic!("{e}"))],
            notice: Some("2026-01-02T03:04:05Z".into()),
            ..Default::default()
        };
        let out = walked(&run);
        assert!(out["changes"][0]["credential"]["expiresAt"]["time"].is_i64());
        assert_eq!(out["changes"][0]["what"]["type"], "crossed");
        assert_eq!(out["changes"][0]["what"]["thresholdDays"], 7);
        assert_eq!(out["notice"], "2026-01-02T03:04:05Z");
    }

    #[test]
    fn a_value_nested_too_deeply_is_refused() {
        let mut v = Value::Null;
        for _ in 0..300 {
            v = Value::Array(vec![v]);
        }
        assert_eq!(
            Schema::of::<Value>().build(&v, &mut Marked),
            Err("too deep".to_owned())
        );
    }
}
