//! Typed models at the resource edge: a resource decodes its configuration, plan and
//! state into a Rust struct once, and encodes its new state from one.
//!
//! [`model!`](crate::model) declares such a struct; the attribute names are its field
//! names (a raw identifier such as `r#type` is the attribute `type`), so no resource
//! writes a string key to read or write an attribute. [`FromValue`] reports a value of
//! the wrong shape as a [`ModelError`] on the exact attribute path, which becomes a
//! diagnostic on that attribute.
//!
//! Values that may be unknown at plan time or absent are [`Tf`]: `Null`, `Unknown` or
//! `Known(T)`, as in HashiCorp's plugin framework. `Option<T>` is for values that are
//! never unknown (state, or a configuration after Terraform resolved it): `Null` is
//! `None`, and an unknown value is an error.
//!
//! The cty type of a `dynamic` attribute's value comes from a schema [`Type`] through
//! [`Type::cty_json`]: see [`dynamic`].
//!
//! Must not: know the plugin protocol, do I/O.

use std::collections::BTreeMap;
use std::fmt;

use super::diag::{AttrPath, Diagnostic};
use super::schema::Type;
use super::value::Value;

/// A value of the wrong shape: where, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    pub path: AttrPath,
    pub expected: String,
    pub found: &'static str,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_root() {
            "the resource".to_string()
        } else {
            format!("`{}`", self.path)
        };
        write!(f, "{at} must be {}, not {}", self.expected, self.found)
    }
}

impl std::error::Error for ModelError {}

impl ModelError {
    fn new(path: &AttrPath, expected: impl Into<String>, found: &Value) -> Self {
        ModelError {
            path: path.clone(),
            expected: expected.into(),
            found: describe(found),
        }
    }

    /// The error as a diagnostic on its attribute.
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(
            self.path.clone(),
            format!("Invalid value for `{}`", display_path(&self.path)),
            format!("{self}. Check the attribute's type in the resource documentation."),
        )
    }
}

fn display_path(path: &AttrPath) -> String {
    if path.is_root() {
        "(resource)".into()
    } else {
        path.to_string()
    }
}

fn describe(v: &Value) -> &'static str {
    match v.inner() {
        Value::Null => "null",
        Value::Unknown => "a value known only after apply",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "a list",
        Value::Map(_) => "an object or map",
        Value::Dynamic { .. } => "a dynamic value",
    }
}

/// Decoding a Terraform value into a typed model.
pub trait FromValue: Sized {
    fn from_value(v: &Value, path: &AttrPath) -> Result<Self, ModelError>;

    /// Decode a whole configuration, plan or state (the root path).
    fn decode(v: &Value) -> Result<Self, ModelError> {
        Self::from_value(v, &AttrPath::root())
    }
}

/// Encoding a typed model as a Terraform value.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

/// A value that may be null (not set) or unknown (known after apply).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Tf<T> {
    #[default]
    Null,
    Unknown,
    Known(T),
}

impl<T> Tf<T> {
    /// The value, when known and not null.
    pub fn known(&self) -> Option<&T> {
        match self {
            Tf::Known(v) => Some(v),
            _ => None,
        }
    }
    /// The value, consuming self.
    pub fn into_known(self) -> Option<T> {
        match self {
            Tf::Known(v) => Some(v),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Tf::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Tf::Unknown)
    }
    pub fn as_ref(&self) -> Tf<&T> {
        match self {
            Tf::Null => Tf::Null,
            Tf::Unknown => Tf::Unknown,
            Tf::Known(v) => Tf::Known(v),
        }
    }
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Tf<U> {
        match self {
            Tf::Null => Tf::Null,
            Tf::Unknown => Tf::Unknown,
            Tf::Known(v) => Tf::Known(f(v)),
        }
    }
}

impl Tf<String> {
    /// The string, when known and not null.
    pub fn as_deref(&self) -> Option<&str> {
        self.known().map(String::as_str)
    }
}

impl<T> From<Option<T>> for Tf<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Tf::Null, Tf::Known)
    }
}

impl<T: FromValue> FromValue for Tf<T> {
    fn from_value(v: &Value, path: &AttrPath) -> Result<Self, ModelError> {
        match v.inner() {
            Value::Null => Ok(Tf::Null),
            Value::Unknown => Ok(Tf::Unknown),
            _ => T::from_value(v, path).map(Tf::Known),
        }
    }
}

impl<T: ToValue> ToValue for Tf<T> {
    fn to_value(&self) -> Value {
        match self {
            Tf::Null => Value::Null,
            Tf::Unknown => Value::Unknown,
            Tf::Known(v) => v.to_value(),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value, path: &AttrPath) -> Result<Self, ModelError> {
        match v.inner() {
            Value::Null => Ok(None),
            _ => T::from_value(v, path).map(Some),
        }
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl FromValue for String {
    fn from_value(v: &Value, path: &AttrPath) -> Result<Self, ModelError> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| ModelError::new(path, "a string", v))
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}

impl FromValue for bool {
    fn from_value(v: &Value, path: &AttrPath) -> Result<Self, ModelError> {
        v.as_bool()
            .ok_or_else(|| ModelError::new(path, "a bool", v))
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value, path: &AttrPath) -> Result<Self, ModelError> {
        v.as_f64()
            .ok_or_else(|| ModelError::new(path, "a number", v))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Number(*self)
    }
}

macro_rules! whole_number {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: &Value, path: &AttrPath) -> Result<Self, ModelError> {
                let expected = concat!("a whole number from ", stringify!($t), "'s range");
                match v.as_f64() {
                    Some(n) if n.fract() == 0.0 && n >= <$t>::MIN as f64 && n <= <$t>::MAX as f64 => Ok(n as $t),
                    _ => Err(ModelError::new(path, expected, v)),
                }
            }
        }
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Number(*self as f64)
            }
        }
    )*};
}

whole_number!(u8, u16, u32, u64, usize, i64);

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(v: &Value, path: &AttrPath) -> Result<Self, ModelError> {
        let items = v
            .as_list()
            .ok_or_else(|| ModelError::new(path, "a list", v))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| T::from_value(item, &path.and_index(i)))
            .collect()
    }
}

impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(ToValue::to_value).collect())
    }
}

impl<T: FromValue> FromValue for BTreeMap<String, T> {
    fn from_value(v: &Value, path: &AttrPath) -> Result<Self, ModelError> {
        let m = v
            .as_map()
            .ok_or_else(|| ModelError::new(path, "a map", v))?;
        m.iter()
            .map(|(k, item)| Ok((k.clone(), T::from_value(item, &path.and_key(k))?)))
            .collect()
    }
}

impl<T: ToValue> ToValue for BTreeMap<String, T> {
    fn to_value(&self) -> Value {
        Value::Map(
            self.iter()
                .map(|(k, v)| (k.clone(), v.to_value()))
                .collect(),
        )
    }
}

/// A raw value, for `dynamic` attributes a resource checks itself.
impl FromValue for Value {
    fn from_value(v: &Value, _: &AttrPath) -> Result<Self, ModelError> {
        Ok(v.clone())
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

/// An object's attribute by name (`Null` when absent); used by [`model!`](crate::model).
#[doc(hidden)]
pub fn attribute<'a>(object: &'a BTreeMap<String, Value>, name: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    object.get(name).unwrap_or(&NULL)
}

/// The object map of `v`, or the error for a value that is not an object; used by
/// [`model!`](crate::model).
#[doc(hidden)]
pub fn object<'a>(
    v: &'a Value,
    path: &AttrPath,
) -> Result<&'a BTreeMap<String, Value>, ModelError> {
    v.as_map()
        .ok_or_else(|| ModelError::new(path, "an object", v))
}

/// The attribute name of a field (`r#type` is `type`); used by [`model!`](crate::model).
#[doc(hidden)]
pub const fn attribute_name(field: &'static str) -> &'static str {
    match field.as_bytes() {
        [b'r', b'#', rest @ ..] => match std::str::from_utf8(rest) {
            Ok(s) => s,
            Err(_) => field,
        },
        _ => field,
    }
}

/// A `dynamic` attribute's value with its cty type taken from `ty` (never hand-written
/// type JSON). Null and unknown values carry no type.
pub fn dynamic(ty: &Type, value: Value) -> Value {
    match value {
        Value::Null | Value::Unknown => value,
        v => Value::Dynamic {
            type_json: ty.cty_json().to_string(),
            value: Box::new(v),
        },
    }
}

/// Declares a typed model: a struct whose fields are the attributes of one object
/// (a resource's configuration/state, or a nested object), with [`FromValue`] and
/// [`ToValue`]. Every field type implements both traits.
///
/// ```ignore
/// aifactory::model! {
///     /// `aifactory_arm_resource`'s configuration and state.
///     pub struct ArmModel {
///         pub resource_id: Tf<String>,
///         pub body: Tf<String>,
///     }
/// }
/// ```
#[macro_export]
macro_rules! model {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field : $ty ),*
        }

        impl $crate::framework::model::FromValue for $name {
            fn from_value(
                v: &$crate::framework::Value,
                path: &$crate::framework::AttrPath,
            ) -> ::std::result::Result<Self, $crate::framework::model::ModelError> {
                let object = $crate::framework::model::object(v, path)?;
                Ok($name {
                    $( $field: {
                        const NAME: &str = $crate::framework::model::attribute_name(stringify!($field));
                        <$ty as $crate::framework::model::FromValue>::from_value(
                            $crate::framework::model::attribute(object, NAME),
                            &path.and_attr(NAME),
                        )?
                    }, )*
                })
            }
        }

        impl $crate::framework::model::ToValue for $name {
            fn to_value(&self) -> $crate::framework::Value {
                $crate::framework::Value::object([
                    $( (
                        $crate::framework::model::attribute_name(stringify!($field)),
                        $crate::framework::model::ToValue::to_value(&self.$field),
                    ) ),*
                ])
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Step;

    crate::model! {
        struct Inner {
            size: u8,
            r#type: Option<String>,
        }
    }

    crate::model! {
        struct Outer {
            name: Tf<String>,
            count: Tf<u32>,
            subnets: BTreeMap<String, Inner>,
            tags: Option<Vec<String>>,
        }
    }

    fn sample() -> Value {
        Value::object([
            ("name", Value::string("p1")),
            ("count", Value::Unknown),
            (
                "subnets",
                Value::object([(
                    "genai",
                    Value::object([("size", Value::Number(26.0)), ("type", Value::string("x"))]),
                )]),
            ),
            ("tags", Value::Null),
        ])
    }

    #[test]
    fn decodes_by_field_name_with_null_and_unknown() {
        let m = Outer::decode(&sample()).expect("decodes");
        assert_eq!(m.name.as_deref(), Some("p1"));
        assert!(m.count.is_unknown());
        assert_eq!(m.subnets["genai"].size, 26);
        assert_eq!(m.subnets["genai"].r#type.as_deref(), Some("x"));
        assert_eq!(m.tags, None);
    }

    #[test]
    fn encodes_back_to_the_same_value() {
        let m = Outer::decode(&sample()).expect("decodes");
        assert_eq!(m.to_value(), sample());
    }

    #[test]
    fn errors_name_the_attribute_path() {
        let mut v = sample();
        let mut subnets = v.get("subnets").clone();
        subnets.set(
            "genai",
            Value::object([("size", Value::Number(26.5)), ("type", Value::Null)]),
        );
        v.set("subnets", subnets);
        let e = Outer::decode(&v).expect_err("fraction");
        assert_eq!(
            e.path,
            AttrPath(vec![
                Step::Attr("subnets".into()),
                Step::Key("genai".into()),
                Step::Attr("size".into())
            ])
        );
        let d = e.to_diagnostic();
        assert_eq!(d.path, e.path);
        assert!(d.detail.contains("whole number"), "{}", d.detail);

        let mut v = sample();
        v.set("name", Value::Number(3.0));
        let e = Outer::decode(&v).expect_err("not a string");
        assert_eq!(e.path, AttrPath::attr("name"));
        assert_eq!(e.found, "a number");
    }

    #[test]
    fn option_refuses_unknown_and_whole_numbers_check_range() {
        assert!(Option::<String>::from_value(&Value::Unknown, &AttrPath::root()).is_err());
        assert!(u8::from_value(&Value::Number(256.0), &AttrPath::root()).is_err());
        assert_eq!(
            u8::from_value(&Value::Number(255.0), &AttrPath::root()),
            Ok(255)
        );
        assert!(u32::from_value(&Value::Number(-1.0), &AttrPath::root()).is_err());
    }

    #[test]
    fn dynamic_takes_its_type_from_the_schema_type() {
        let ty = Type::Object(vec![
            ("a".into(), Type::Number),
            ("b".into(), Type::list(Type::String)),
        ]);
        let v = dynamic(
            &ty,
            Value::object([
                ("a", Value::Number(1.0)),
                ("b", Value::List(vec![Value::string("x")])),
            ]),
        );
        let Value::Dynamic { type_json, .. } = &v else {
            panic!("dynamic")
        };
        assert_eq!(
            type_json,
            r#"["object",{"a":"number","b":["list","string"]}]"#
        );
        assert_eq!(dynamic(&ty, Value::Null), Value::Null);
    }
}
