//! Schemas of the provider, its resources and functions, in our own terms.
//!
//! The plugin adapter translates these into the protocol's schema messages, and the docs
//! generator renders them into the Registry's Markdown: one description, two uses.

/// A Terraform type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(Vec<(String, Type)>),
    /// A fixed-length list whose elements have their own types (what Terraform infers for
    /// a list literal inside a `dynamic` value).
    Tuple(Vec<Type>),
    /// Any type, decided by the configuration (`dynamic`). Used where the protocol crate
    /// cannot express nested attributes; the resource then checks the shape itself.
    Dynamic,
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
    /// Terraform's type-constraint syntax, for docs.
    pub fn hcl(&self) -> String {
        match self {
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(t) => format!("list({})", t.hcl()),
            Type::Set(t) => format!("set({})", t.hcl()),
            Type::Map(t) => format!("map({})", t.hcl()),
            Type::Dynamic => "dynamic".into(),
            Type::Tuple(items) => format!(
                "tuple([{}])",
                items.iter().map(Type::hcl).collect::<Vec<_>>().join(", ")
            ),
            Type::Object(fields) => format!(
                "object({{ {} }})",
                fields
                    .iter()
                    .map(|(n, t)| format!("{n} = {}", t.hcl()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl Type {
    /// The type in cty's JSON type syntax, as Terraform expects it beside a `dynamic`
    /// attribute's value (`["object",{"a":"number"}]`).
    pub fn cty_json(&self) -> serde_json::Value {
        use serde_json::{json, Value as Json};
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.cty_json()]),
            Type::Set(t) => json!(["set", t.cty_json()]),
            Type::Map(t) => json!(["map", t.cty_json()]),
            Type::Tuple(items) => json!([
                "tuple",
                items.iter().map(Type::cty_json).collect::<Vec<_>>()
            ]),
            Type::Object(fields) => json!([
                "object",
                Json::Object(
                    fields
                        .iter()
                        .map(|(n, t)| (n.clone(), t.cty_json()))
                        .collect()
                )
            ]),
        }
    }
}

impl Type {
    /// The type that cty type JSON names (the `type_json` Terraform sends beside a
    /// `dynamic` value, such as `["object",{"a":["list","string"]}]`); `None` for text
    /// that is not a type. The inverse of [`Type::cty_json`], so resources learn what the
    /// user wrote (a list, set, tuple or map) without reading type JSON themselves.
    pub fn from_cty_json(text: &str) -> Option<Type> {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .as_ref()
            .and_then(Type::from_json)
    }

    fn from_json(j: &serde_json::Value) -> Option<Type> {
        use serde_json::Value as Json;
        match j {
            Json::String(s) => match s.as_str() {
                "string" => Some(Type::String),
                "number" => Some(Type::Number),
                "bool" => Some(Type::Bool),
                "dynamic" => Some(Type::Dynamic),
                _ => None,
            },
            Json::Array(a) if a.len() == 2 => match (a[0].as_str(), &a[1]) {
                (Some("list"), t) => Some(Type::list(Type::from_json(t)?)),
                (Some("set"), t) => Some(Type::Set(Box::new(Type::from_json(t)?))),
                (Some("map"), t) => Some(Type::map(Type::from_json(t)?)),
                (Some("tuple"), Json::Array(items)) => Some(Type::Tuple(
                    items.iter().map(Type::from_json).collect::<Option<_>>()?,
                )),
                (Some("object"), Json::Object(fields)) => Some(Type::Object(
                    fields
                        .iter()
                        .map(|(n, t)| Some((n.clone(), Type::from_json(t)?)))
                        .collect::<Option<_>>()?,
                )),
                _ => None,
            },
            _ => None,
        }
    }
}

/// How a nested attribute's or a nested block's objects are collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

/// The type of an attribute: a plain type, nested attributes (protocol 6), or a nested
/// block.
///
/// Note: tf-provider 0.2.2 sends nested attributes with both `type` and `nested_type`
/// set, which Terraform rejects ("Type and NestedType cannot both be set"), so resources
/// use `Type::Dynamic` plus their own shape checks until the adapter can send them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrType {
    Plain(Type),
    Nested(Nesting, Vec<Attribute>),
    /// A nested block, written `name { ... }` in HCL rather than `name = { ... }`. It lives
    /// in the attribute list so every schema keeps its shape; the adapter declares it as a
    /// protocol block. Its attributes are addressed like an object's (`timeouts.create`).
    ///
    /// `Nesting::Single`: at most one block; its value is `Null` when the block is absent
    /// and otherwise an object with every attribute present (`Null` when unset), as in
    /// HashiCorp's plugin framework. The block's mode is `Optional`.
    Block(Nesting, Vec<Attribute>),
}

/// Whether the user sets an attribute, the provider does, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Required,
    Optional,
    /// Optional; the provider fills it in when the user leaves it out.
    OptionalComputed,
    Computed,
}

/// One attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    pub ty: AttrType,
    pub mode: Mode,
    /// Markdown; becomes the Registry docs.
    pub description: String,
    pub sensitive: bool,
    /// Changing it replaces the resource (documented; enforced by the resource's plan).
    pub forces_replacement: bool,
}

impl Attribute {
    fn new(name: &str, ty: AttrType, mode: Mode, description: &str) -> Self {
        Attribute {
            name: name.into(),
            ty,
            mode,
            description: description.into(),
            sensitive: false,
            forces_replacement: false,
        }
    }
    pub fn required(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, AttrType::Plain(ty), Mode::Required, description)
    }
    pub fn optional(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, AttrType::Plain(ty), Mode::Optional, description)
    }
    pub fn optional_computed(name: &str, ty: Type, description: &str) -> Self {
        Self::new(
            name,
            AttrType::Plain(ty),
            Mode::OptionalComputed,
            description,
        )
    }
    pub fn computed(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, AttrType::Plain(ty), Mode::Computed, description)
    }
    pub fn nested(
        name: &str,
        nesting: Nesting,
        mode: Mode,
        attrs: Vec<Attribute>,
        description: &str,
    ) -> Self {
        Self::new(name, AttrType::Nested(nesting, attrs), mode, description)
    }
    /// An optional nested block (see [`AttrType::Block`]).
    pub fn block(name: &str, nesting: Nesting, attrs: Vec<Attribute>, description: &str) -> Self {
        Self::new(
            name,
            AttrType::Block(nesting, attrs),
            Mode::Optional,
            description,
        )
    }
    /// True for a nested block.
    pub fn is_block(&self) -> bool {
        matches!(self.ty, AttrType::Block(..))
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn forces_replacement(mut self) -> Self {
        self.forces_replacement = true;
        self
    }
}

/// Schema of a provider configuration, a resource or a data source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    pub version: i64,
    /// Markdown; the first paragraph of the docs page.
    pub description: String,
    pub attributes: Vec<Attribute>,
}

/// One parameter of a provider function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub name: String,
    pub ty: Type,
    pub description: String,
}

/// Signature of a provider function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSignature {
    pub summary: String,
    pub description: String,
    pub parameters: Vec<Parameter>,
    pub returns: Type,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_json_reads_back_what_cty_json_writes() {
        let t = Type::Object(vec![
            ("a".into(), Type::map(Type::Set(Box::new(Type::Bool)))),
            (
                "b".into(),
                Type::Tuple(vec![Type::Number, Type::list(Type::Dynamic)]),
            ),
        ]);
        assert_eq!(Type::from_cty_json(&t.cty_json().to_string()), Some(t));
        for t in [
            Type::String,
            Type::Number,
            Type::Bool,
            Type::Dynamic,
            Type::Tuple(vec![]),
            Type::Object(vec![]),
            Type::list(Type::map(Type::String)),
        ] {
            assert_eq!(Type::from_cty_json(&t.cty_json().to_string()), Some(t));
        }
    }

    #[test]
    fn the_collection_kind_the_user_wrote_is_kept() {
        assert_eq!(
            Type::from_cty_json(r#"["tuple",["string","string"]]"#),
            Some(Type::Tuple(vec![Type::String, Type::String]))
        );
        assert_eq!(
            Type::from_cty_json(r#"["set","string"]"#),
            Some(Type::Set(Box::new(Type::String)))
        );
        assert_eq!(
            Type::from_cty_json(r#"["map",["object",{"x":["list","string"]}]]"#),
            Some(Type::map(Type::Object(vec![(
                "x".into(),
                Type::list(Type::String)
            )])))
        );
    }

    #[test]
    fn text_that_is_not_a_type_is_none() {
        for text in [
            r#"["list"]"#,
            r#"["list","string","extra"]"#,
            r#"["tuple","string"]"#,
            r#"["object",["string"]]"#,
            r#""text""#,
            r#"["map",["list"]]"#,
            "42",
            "not json",
            "",
        ] {
            assert_eq!(Type::from_cty_json(text), None, "{text}");
        }
    }
}
