//! Graph's OData type names, as both the model (decoding a polymorphic value) and the
//! description of the types (walking one) read them.

/// The short name of an `@odata.type` value: without the leading `#` and the
/// `microsoft.graph.` namespace (`#microsoft.graph.iosVppApp` → `iosVppApp`).
#[must_use]
pub fn short_name(odata_type: &str) -> &str {
    let name = odata_type.strip_prefix('#').unwrap_or(odata_type);
    name.strip_prefix("microsoft.graph.").unwrap_or(name)
}

/// Whether the `@odata.type` value `odata_type` names the type whose short name is `short`
/// (with or without `#` and the namespace, ignoring ASCII case).
#[must_use]
pub fn names(odata_type: &str, short: &str) -> bool {
    short_name(odata_type).eq_ignore_ascii_case(short)
}
