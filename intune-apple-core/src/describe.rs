//! The core's description of its own types (feature `describe`): every struct, enum and
//! polymorphic type a binding exposes, with docs, each field's Rust name, wire name and type.
//! The bindings' generators read it (`bindings-types.json`, written by
//! [`crate::manifest::types_json`]) instead of the Rust sources.
//!
//! A type describes itself with `#[cfg_attr(feature = "describe", derive(Describe))]` (the
//! derive is `intune-apple-describe`); `open_enum!` and `odata_polymorphic!` derive it for
//! theirs. The shapes of the standard types are below.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use intune_apple_describe::Describe;

mod walk;
#[cfg(test)]
pub(crate) use walk::Marked;
pub use walk::{secret_fields, Builder, Schema};

/// The type of a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shape {
    /// Text.
    String,
    /// `true` / `false`.
    Bool,
    /// A whole number (`rust`: its Rust type).
    Integer {
        /// `i64`, `u32`, ...
        rust: &'static str,
    },
    /// A floating-point number.
    Float,
    /// An instant, RFC 3339 text on the wire.
    Time,
    /// A [`crate::Secret`]: never exposed by a binding.
    Secret,
    /// Any JSON value.
    Json,
    /// A JSON object of any properties.
    JsonObject,
    /// A map from text to values of one type.
    Map {
        /// The values' type.
        of: Box<Shape>,
    },
    /// `None` or a value.
    Optional {
        /// The value's type.
        of: Box<Shape>,
    },
    /// A list.
    List {
        /// The items' type.
        of: Box<Shape>,
    },
    /// A field serde skips (not on the wire), with its Rust type.
    Skipped {
        /// The Rust type as written.
        rust: &'static str,
    },
    /// A described struct, enum or polymorphic type, by name.
    Ref {
        /// Its name (a key of the description's types).
        name: &'static str,
    },
}

/// A field of a struct.
#[derive(Debug, Clone, Serialize)]
pub struct FieldDef {
    /// Its Rust name.
    pub name: &'static str,
    /// Its JSON name, `None` when serde skips it.
    pub wire: Option<&'static str>,
    /// Its doc comment (one line per line).
    pub doc: &'static str,
    /// Whether it is `pub`.
    pub public: bool,
    /// Whether serde flattens it into the parent object.
    pub flatten: bool,
    /// Whether serde leaves it out of the JSON when it is empty (`skip_serializing_if`): a
    /// reader must accept it absent.
    pub omitted_when_empty: bool,
    /// The function serde writes it with (`#[serde(with)]` / `serialize_with`), when its wire
    /// form is that function's and not its type's: a generator must not read the wire form
    /// from [`FieldDef::shape`] then.
    pub serialized_with: Option<&'static str>,
    /// Its type.
    #[serde(rename = "type")]
    pub shape: Shape,
}

/// A struct with named fields.
#[derive(Debug, Clone, Serialize)]
pub struct StructDef {
    /// Its name.
    pub name: &'static str,
    /// The module defining it.
    pub module: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
    /// Its fields in declaration order.
    pub fields: Vec<FieldDef>,
}

/// A member of an enum.
#[derive(Debug, Clone, Serialize)]
pub struct MemberDef {
    /// The Rust variant.
    pub name: &'static str,
    /// Its wire spelling.
    pub wire: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
}

/// An enum serialised as text.
#[derive(Debug, Clone, Serialize)]
pub struct EnumDef {
    /// Its name.
    pub name: &'static str,
    /// The module defining it.
    pub module: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
    /// An open enum (`open_enum!`): any other text is kept as `Other`.
    pub open: bool,
    /// The known members, in declaration order.
    pub members: Vec<MemberDef>,
}

/// A variant of a polymorphic type.
#[derive(Debug, Clone, Serialize)]
pub struct VariantDef {
    /// The Rust variant.
    pub name: &'static str,
    /// The short `@odata.type` it stands for; `None` for the one that catches the rest.
    pub odata_type: Option<&'static str>,
    /// Its doc comment.
    pub doc: &'static str,
    /// The type it holds.
    #[serde(rename = "type")]
    pub shape: Shape,
}

/// A type chosen by `@odata.type` (`odata_polymorphic!`).
#[derive(Debug, Clone, Serialize)]
pub struct PolymorphicDef {
    /// Its name.
    pub name: &'static str,
    /// The module defining it.
    pub module: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
    /// Its variants in declaration order.
    pub variants: Vec<VariantDef>,
}

/// A variant of an internally tagged enum.
#[derive(Debug, Clone, Serialize)]
pub struct TaggedVariantDef {
    /// The Rust variant.
    pub name: &'static str,
    /// The tag's value for it.
    pub wire: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
    /// Its fields, beside the tag (none for a unit variant).
    pub fields: Vec<FieldDef>,
}

/// An enum serialised as an object whose property `tag` names the variant
/// (`#[serde(tag = "…")]`).
#[derive(Debug, Clone, Serialize)]
pub struct TaggedDef {
    /// Its name.
    pub name: &'static str,
    /// The module defining it.
    pub module: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
    /// The property naming the variant.
    pub tag: &'static str,
    /// Its variants in declaration order.
    pub variants: Vec<TaggedVariantDef>,
}

/// A described type.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeDef {
    /// A struct.
    Struct(StructDef),
    /// An enum.
    Enum(EnumDef),
    /// A polymorphic type.
    Polymorphic(PolymorphicDef),
    /// An internally tagged enum.
    Tagged(TaggedDef),
}

impl TypeDef {
    /// The type's name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Struct(d) => d.name,
            Self::Enum(d) => d.name,
            Self::Polymorphic(d) => d.name,
            Self::Tagged(d) => d.name,
        }
    }

    fn module(&self) -> &'static str {
        match self {
            Self::Struct(d) => d.module,
            Self::Enum(d) => d.module,
            Self::Polymorphic(d) => d.module,
            Self::Tagged(d) => d.module,
        }
    }
}

/// The described types by name, each with the types its fields use.
#[derive(Debug, Default)]
pub struct Registry {
    types: BTreeMap<&'static str, Option<TypeDef>>,
}

impl Registry {
    /// Starts the description of `name`; false when it is described already (or being
    /// described: a recursive type refers to itself by name).
    pub fn begin(&mut self, name: &'static str) -> bool {
        if self.types.contains_key(name) {
            return false;
        }
        self.types.insert(name, None);
        true
    }

    /// Records a type begun with [`Registry::begin`].
    ///
    /// # Panics
    /// When two types of different modules have the same name: the bindings name them alike.
    pub fn finish(&mut self, def: TypeDef) {
        let name = def.name();
        if let Some(Some(old)) = self.types.get(name) {
            assert!(
                old.module() == def.module(),
                "two described types are named {name}: {} and {}",
                old.module(),
                def.module()
            );
        }
        self.types.insert(name, Some(def));
    }

    /// Describes `T` (and what it uses) and returns its shape.
    pub fn add<T: Describe + ?Sized>(&mut self) -> Shape {
        T::shape(self)
    }

    /// Every described type, by name.
    #[must_use]
    pub fn into_types(self) -> BTreeMap<&'static str, TypeDef> {
        self.types
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect()
    }
}

/// A type the description knows: how a field of this type is described. Named types register
/// their definition in the registry and answer [`Shape::Ref`].
pub trait Describe {
    /// The shape of a field of this type.
    fn shape(reg: &mut Registry) -> Shape;
}

macro_rules! leaf {
    ($shape:expr => $($t:ty),+) => {
        $( impl Describe for $t {
            fn shape(_: &mut Registry) -> Shape {
                $shape
            }
        } )+
    };
}
leaf!(Shape::String => String, str, std::path::PathBuf);
leaf!(Shape::Bool => bool);
leaf!(Shape::Float => f32, f64);
leaf!(Shape::Time => DateTime<Utc>);
leaf!(Shape::Secret => crate::Secret);
leaf!(Shape::Json => serde_json::Value);
leaf!(Shape::JsonObject => serde_json::Map<String, serde_json::Value>);

macro_rules! integers {
    ($($t:ty),+) => {
        $( impl Describe for $t {
            fn shape(_: &mut Registry) -> Shape {
                Shape::Integer { rust: stringify!($t) }
            }
        } )+
    };
}
integers!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

impl<T: Describe> Describe for Option<T> {
    fn shape(reg: &mut Registry) -> Shape {
        Shape::Optional {
            of: Box::new(T::shape(reg)),
        }
    }
}

impl<T: Describe> Describe for Vec<T> {
    fn shape(reg: &mut Registry) -> Shape {
        Shape::List {
            of: Box::new(T::shape(reg)),
        }
    }
}

impl<T: Describe> Describe for [T] {
    fn shape(reg: &mut Registry) -> Shape {
        Shape::List {
            of: Box::new(T::shape(reg)),
        }
    }
}

impl<T: Describe + ?Sized> Describe for &T {
    fn shape(reg: &mut Registry) -> Shape {
        T::shape(reg)
    }
}

impl<T: Describe + ?Sized> Describe for Box<T> {
    fn shape(reg: &mut Registry) -> Shape {
        T::shape(reg)
    }
}

impl<K, V: Describe> Describe for BTreeMap<K, V> {
    fn shape(reg: &mut Registry) -> Shape {
        Shape::Map {
            of: Box::new(V::shape(reg)),
        }
    }
}

impl<K, V: Describe, S> Describe for std::collections::HashMap<K, V, S> {
    fn shape(reg: &mut Registry) -> Shape {
        Shape::Map {
            of: Box::new(V::shape(reg)),
        }
    }
}
