//! `#[derive(Describe)]`: the implementation of `intune_apple_core::describe::Describe` for a
//! model or result type, read from the type's definition as the compiler hands it over (its
//! fields, their types, docs and serde attributes). Used only inside `intune-apple-core`, behind
//! its `describe` feature: the generated code names `crate::describe`.
//!
//! - A struct with named fields: every field with its Rust name, its wire name (serde's
//!   `rename` / `rename_all`; none when serde skips it), docs, whether serde leaves it out when
//!   empty (`skip_serializing_if`), the function serde writes it with (`with`,
//!   `serialize_with`: its wire form is then that function's, not its type's), and its type's
//!   shape.
//! - An enum of unit variants: its members with their wire spellings (`#[describe(wire = "…")]`,
//!   else serde's `rename` / `rename_all`, else `#[describe(rename_all = "…")]`, else the name).
//! - `#[describe(open)]`: an open enum (`open_enum!`): a variant marked `#[describe(other)]`
//!   keeps unknown members and is not listed.
//! - `#[describe(polymorphic)]`: an `@odata.type` enum (`odata_polymorphic!`): newtype variants,
//!   `#[describe(odata = "…")]` naming each known one's type; the others catch the rest.
//! - An internally tagged enum (`#[serde(tag = "…")]`): each variant with its wire spelling
//!   (serde's `rename` / `rename_all`) and its named fields (the variant's own `rename_all`).

#![forbid(unsafe_code)]

use proc_macro2::TokenStream;
use quote::quote;
use syn::{parse_macro_input, Attribute, Data, DeriveInput, Fields, LitStr};

/// Derives `crate::describe::Describe` (see the crate docs).
#[proc_macro_derive(Describe, attributes(describe))]
pub fn derive_describe(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// The options read from `#[serde(...)]` and `#[describe(...)]` on one item.
#[derive(Default)]
struct Options {
    rename: Option<String>,
    rename_all: Option<String>,
    tag: Option<String>,
    describe_rename_all: Option<String>,
    skip: bool,
    skip_if: bool,
    with: Option<String>,
    flatten: bool,
    wire: Option<String>,
    open: bool,
    polymorphic: bool,
    other: bool,
    odata: Option<String>,
}

fn options(attrs: &[Attribute]) -> syn::Result<Options> {
    let mut o = Options::default();
    for attr in attrs {
        if attr.path().is_ident("serde") {
            attr.parse_nested_meta(|meta| {
                let key = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                match key.as_str() {
                    "rename" => o.rename = Some(meta.value()?.parse::<LitStr>()?.value()),
                    "rename_all" => o.rename_all = Some(meta.value()?.parse::<LitStr>()?.value()),
                    "tag" => o.tag = Some(meta.value()?.parse::<LitStr>()?.value()),
                    "skip" | "skip_serializing" => o.skip = true,
                    "flatten" => o.flatten = true,
                    "with" | "serialize_with" => {
                        o.with = Some(meta.value()?.parse::<LitStr>()?.value());
                    }
                    "skip_serializing_if" => {
                        meta.value()?.parse::<syn::Expr>()?;
                        o.skip_if = true;
                    }
                    _ => {
                        // Attributes that do not change the shape (`default`,
                        // `deserialize_with`, ...): read and ignored.
                        if meta.input.peek(syn::Token![=]) {
                            meta.value()?.parse::<syn::Expr>()?;
                        } else if meta.input.peek(syn::token::Paren) {
                            let content;
                            syn::parenthesized!(content in meta.input);
                            content.parse::<TokenStream>()?;
                        }
                    }
                }
                Ok(())
            })?;
        } else if attr.path().is_ident("describe") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("open") {
                    o.open = true;
                } else if meta.path.is_ident("polymorphic") {
                    o.polymorphic = true;
                } else if meta.path.is_ident("other") {
                    o.other = true;
                } else if meta.path.is_ident("wire") {
                    o.wire = Some(meta.value()?.parse::<LitStr>()?.value());
                } else if meta.path.is_ident("odata") {
                    o.odata = Some(meta.value()?.parse::<LitStr>()?.value());
                } else if meta.path.is_ident("rename_all") {
                    o.describe_rename_all = Some(meta.value()?.parse::<LitStr>()?.value());
                } else {
                    return Err(meta.error("unknown describe option"));
                }
                Ok(())
            })?;
        }
    }
    Ok(o)
}

/// The doc comment, one line per `///` line (the one space after `///` removed).
fn doc(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if let syn::Meta::NameValue(nv) = &attr.meta {
            if nv.path.is_ident("doc") {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    let v = s.value();
                    lines.push(v.strip_prefix(' ').unwrap_or(&v).trim_end().to_owned());
                }
            }
        }
    }
    lines.join("\n")
}

/// serde's renaming rules, for the ones the model uses.
fn rename(
    name: &str,
    rule: &str,
    is_variant: bool,
    span: proc_macro2::Span,
) -> syn::Result<String> {
    let words: Vec<String> = if is_variant {
        let mut words = Vec::new();
        for (i, c) in name.char_indices() {
            if c.is_uppercase() || i == 0 {
                words.push(String::new());
            }
            if let Some(w) = words.last_mut() {
                w.push(c.to_ascii_lowercase());
            }
        }
        words
    } else {
        name.split('_').map(str::to_owned).collect()
    };
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    Ok(match rule {
        "camelCase" => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { w.clone() } else { cap(w) })
            .collect(),
        "PascalCase" => words.iter().map(|w| cap(w)).collect(),
        "snake_case" => words.join("_"),
        "SCREAMING_SNAKE_CASE" => words.join("_").to_ascii_uppercase(),
        "kebab-case" => words.join("-"),
        "lowercase" => words.concat(),
        "UPPERCASE" => words.concat().to_ascii_uppercase(),
        _ => {
            return Err(syn::Error::new(
                span,
                format!("describe: unknown rename rule {rule}"),
            ))
        }
    })
}

/// The descriptions (`crate::describe::FieldDef` expressions) of named fields, their wire names
/// by `rename_all` unless a field renames itself.
fn named_fields(
    named: &syn::FieldsNamed,
    rename_all: Option<&str>,
    span: proc_macro2::Span,
) -> syn::Result<Vec<TokenStream>> {
    let mut fields = Vec::new();
    for f in &named.named {
        let Some(fid) = &f.ident else { continue };
        let o = options(&f.attrs)?;
        let rust = fid.to_string();
        let rust = rust.strip_prefix("r#").unwrap_or(&rust).to_owned();
        let wire = if o.skip {
            quote!(None)
        } else {
            let w = match (&o.rename, rename_all) {
                (Some(r), _) => r.clone(),
                (None, Some(rule)) => rename(&rust, rule, false, span)?,
                (None, None) => rust.clone(),
            };
            quote!(Some(#w))
        };
        let public = matches!(f.vis, syn::Visibility::Public(_));
        let flatten = o.flatten;
        let omitted = o.skip_if;
        let with = match &o.with {
            Some(w) => quote!(Some(#w)),
            None => quote!(None),
        };
        let fdoc = doc(&f.attrs);
        let ty = &f.ty;
        // A field serde skips is not on the wire: its type need not be described.
        let shape = if o.skip {
            let rust = quote!(#ty).to_string().replace(' ', "");
            quote!(crate::describe::Shape::Skipped { rust: #rust })
        } else {
            quote!(<#ty as crate::describe::Describe>::shape(reg))
        };
        fields.push(quote! {
            crate::describe::FieldDef {
                name: #rust,
                wire: #wire,
                doc: #fdoc,
                public: #public,
                flatten: #flatten,
                omitted_when_empty: #omitted,
                serialized_with: #with,
                shape: #shape,
            }
        });
    }
    Ok(fields)
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let ident = &input.ident;
    let name = ident.to_string();
    let top = options(&input.attrs)?;
    let type_doc = doc(&input.attrs);
    let span = ident.span();
    let def = match &input.data {
        Data::Struct(data) => {
            let Fields::Named(named) = &data.fields else {
                return Err(syn::Error::new(
                    span,
                    "describe: only structs with named fields",
                ));
            };
            let fields = named_fields(named, top.rename_all.as_deref(), span)?;
            quote! {
                crate::describe::TypeDef::Struct(crate::describe::StructDef {
                    name: #name,
                    module: module_path!(),
                    doc: #type_doc,
                    fields: vec![#(#fields),*],
                })
            }
        }
        Data::Enum(data) if top.polymorphic => {
            let mut variants = Vec::new();
            for v in &data.variants {
                let o = options(&v.attrs)?;
                let Fields::Unnamed(un) = &v.fields else {
                    return Err(syn::Error::new(
                        span,
                        "describe: polymorphic variants are newtypes",
                    ));
                };
                let Some(field) = un.unnamed.first() else {
                    continue;
                };
                let vname = v.ident.to_string();
                let ty = &field.ty;
                let odata = match &o.odata {
                    Some(t) => quote!(Some(#t)),
                    None => quote!(None),
                };
                let vdoc = doc(&v.attrs);
                variants.push(quote! {
                    crate::describe::VariantDef {
                        name: #vname,
                        odata_type: #odata,
                        doc: #vdoc,
                        shape: <#ty as crate::describe::Describe>::shape(reg),
                    }
                });
            }
            quote! {
                crate::describe::TypeDef::Polymorphic(crate::describe::PolymorphicDef {
                    name: #name,
                    module: module_path!(),
                    doc: #type_doc,
                    variants: vec![#(#variants),*],
                })
            }
        }
        Data::Enum(data) if top.tag.is_some() => {
            let tag = top.tag.clone().unwrap_or_default();
            let mut variants = Vec::new();
            for v in &data.variants {
                let o = options(&v.attrs)?;
                if o.skip {
                    continue;
                }
                let vname = v.ident.to_string();
                let wire = match (&o.rename, &top.rename_all) {
                    (Some(w), _) => w.clone(),
                    (None, Some(rule)) => rename(&vname, rule, true, span)?,
                    (None, None) => vname.clone(),
                };
                let fields = match &v.fields {
                    Fields::Named(named) => named_fields(named, o.rename_all.as_deref(), span)?,
                    Fields::Unit => Vec::new(),
                    Fields::Unnamed(_) => {
                        return Err(syn::Error::new(
                            span,
                            "describe: tagged variants are units or have named fields",
                        ))
                    }
                };
                let vdoc = doc(&v.attrs);
                variants.push(quote! {
                    crate::describe::TaggedVariantDef {
                        name: #vname,
                        wire: #wire,
                        doc: #vdoc,
                        fields: vec![#(#fields),*],
                    }
                });
            }
            quote! {
                crate::describe::TypeDef::Tagged(crate::describe::TaggedDef {
                    name: #name,
                    module: module_path!(),
                    doc: #type_doc,
                    tag: #tag,
                    variants: vec![#(#variants),*],
                })
            }
        }
        Data::Enum(data) => {
            let mut members = Vec::new();
            for v in &data.variants {
                let o = options(&v.attrs)?;
                if o.other || o.skip {
                    continue;
                }
                if !matches!(v.fields, Fields::Unit) {
                    return Err(syn::Error::new(
                        span,
                        "describe: enum members are unit variants",
                    ));
                }
                let vname = v.ident.to_string();
                let wire = match (
                    &o.wire,
                    &o.rename,
                    &top.rename_all,
                    &top.describe_rename_all,
                ) {
                    (Some(w), _, _, _) | (None, Some(w), _, _) => w.clone(),
                    (None, None, Some(rule), _) | (None, None, None, Some(rule)) => {
                        rename(&vname, rule, true, span)?
                    }
                    (None, None, None, None) => vname.clone(),
                };
                let vdoc = doc(&v.attrs);
                members.push(quote! {
                    crate::describe::MemberDef { name: #vname, wire: #wire, doc: #vdoc }
                });
            }
            let open = top.open;
            quote! {
                crate::describe::TypeDef::Enum(crate::describe::EnumDef {
                    name: #name,
                    module: module_path!(),
                    doc: #type_doc,
                    open: #open,
                    members: vec![#(#members),*],
                })
            }
        }
        Data::Union(_) => return Err(syn::Error::new(span, "describe: unions are not described")),
    };
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics crate::describe::Describe for #ident #ty_generics #where_clause {
            fn shape(reg: &mut crate::describe::Registry) -> crate::describe::Shape {
                if reg.begin(#name) {
                    let def = #def;
                    reg.finish(def);
                }
                crate::describe::Shape::Ref { name: #name }
            }
        }
    })
}
