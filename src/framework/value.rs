//! A dynamic Terraform value (cty-like) and its MessagePack/JSON codecs.
//!
//! Terraform sends configuration, plans and state as MessagePack (`DynamicValue.msgpack`)
//! or, for upgraded state, JSON. Objects and maps both arrive as maps, lists, sets and
//! tuples as arrays; an unknown value is MessagePack extension type 0. Numbers are kept as
//! `f64`, so both integers and fractions survive (the plugin crate only knows `i64`).

use std::collections::BTreeMap;

use thiserror::Error;

/// A Terraform value: null, unknown, or known.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    /// Not known until apply.
    Unknown,
    Bool(bool),
    Number(f64),
    String(String),
    /// Lists, sets and tuples.
    List(Vec<Value>),
    /// Objects and maps.
    Map(BTreeMap<String, Value>),
    /// A value of an attribute typed `dynamic` in the schema: Terraform sends it with its
    /// concrete type (cty type JSON), which must be sent back unchanged. Accessors look
    /// through it.
    Dynamic {
        type_json: String,
        value: Box<Value>,
    },
}

/// Why bytes from Terraform could not be decoded.
#[derive(Debug, Error, PartialEq)]
pub enum DecodeError {
    #[error("invalid MessagePack value: {0}")]
    MessagePack(String),
    #[error("invalid JSON value: {0}")]
    Json(String),
    #[error("unsupported MessagePack element: {0}")]
    Unsupported(String),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Self {
        Value::String(s.into())
    }
    pub fn object<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Self {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
    /// The value itself, looking through a `Dynamic` wrapper.
    pub fn inner(&self) -> &Value {
        match self {
            Value::Dynamic { value, .. } => value.inner(),
            v => v,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self.inner(), Value::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self.inner(), Value::Unknown)
    }
    /// True when this value and everything inside it is known.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) => items.iter().all(Value::is_wholly_known),
            Value::Map(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic { value, .. } => value.is_wholly_known(),
            _ => true,
        }
    }
    /// The attribute `name` of an object (Null when absent or when self is not an object).
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self.inner() {
            Value::Map(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
    /// Set attribute `name` of an object; turns a non-object into an empty object first.
    pub fn set(&mut self, name: &str, v: Value) {
        if !matches!(self, Value::Map(_)) {
            *self = Value::Map(BTreeMap::new());
        }
        if let Value::Map(m) = self {
            m.insert(name.to_string(), v);
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self.inner() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.inner() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self.inner() {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Value]> {
        match self.inner() {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.inner() {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Decode Terraform's MessagePack encoding.
    pub fn from_msgpack(bytes: &[u8]) -> Result<Value, DecodeError> {
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        let mut cursor = bytes;
        let raw = rmpv::decode::read_value(&mut cursor)
            .map_err(|e| DecodeError::MessagePack(e.to_string()))?;
        if !cursor.is_empty() {
            return Err(DecodeError::MessagePack(format!(
                "{} bytes after the value",
                cursor.len()
            )));
        }
        from_rmpv(raw)
    }

    /// Encode as Terraform's MessagePack encoding.
    pub fn to_msgpack(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = rmpv::encode::write_value(&mut out, &to_rmpv(self));
        out
    }

    /// Decode Terraform's JSON encoding (used for upgraded state). Unknown cannot occur there.
    pub fn from_json(bytes: &[u8]) -> Result<Value, DecodeError> {
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| DecodeError::Json(e.to_string()))?;
        Ok(from_json(v))
    }

    /// Encode as JSON (for logs, docs and tests; unknown becomes the string "(known after apply)").
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Unknown => serde_json::Value::String("(known after apply)".into()),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Dynamic { value, .. } => value.to_json(),
        }
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

fn from_json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::String(s),
        serde_json::Value::Array(a) => Value::List(a.into_iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::Map(o.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}

fn from_rmpv(v: rmpv::Value) -> Result<Value, DecodeError> {
    Ok(match v {
        rmpv::Value::Nil => Value::Null,
        rmpv::Value::Boolean(b) => Value::Bool(b),
        rmpv::Value::Integer(i) => Value::Number(
            i.as_i64()
                .map(|x| x as f64)
                .or(i.as_u64().map(|x| x as f64))
                .unwrap_or(f64::NAN),
        ),
        rmpv::Value::F32(f) => Value::Number(f as f64),
        rmpv::Value::F64(f) => Value::Number(f),
        rmpv::Value::String(s) => match s.into_str() {
            Some(s) => Value::String(s),
            None => return Err(DecodeError::Unsupported("string that is not UTF-8".into())),
        },
        rmpv::Value::Binary(_) => return Err(DecodeError::Unsupported("binary".into())),
        // A `dynamic` attribute's value travels as [type JSON as bytes, value].
        rmpv::Value::Array(mut a) if a.len() == 2 && matches!(a[0], rmpv::Value::Binary(_)) => {
            let value = from_rmpv(a.pop().unwrap_or(rmpv::Value::Nil))?;
            let type_json = match a.pop() {
                Some(rmpv::Value::Binary(b)) => String::from_utf8(b)
                    .map_err(|_| DecodeError::Unsupported("type JSON that is not UTF-8".into()))?,
                _ => {
                    return Err(DecodeError::Unsupported(
                        "dynamic value without a type".into(),
                    ))
                }
            };
            Value::Dynamic {
                type_json,
                value: Box::new(value),
            }
        }
        rmpv::Value::Array(a) => {
            Value::List(a.into_iter().map(from_rmpv).collect::<Result<_, _>>()?)
        }
        rmpv::Value::Map(m) => {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                let key = match k {
                    rmpv::Value::String(s) => s.into_str().ok_or_else(|| {
                        DecodeError::Unsupported("map key that is not UTF-8".into())
                    })?,
                    other => return Err(DecodeError::Unsupported(format!("map key {other}"))),
                };
                out.insert(key, from_rmpv(v)?);
            }
            Value::Map(out)
        }
        // Extension 0 is cty's unknown value; extension 12 an unknown value with
        // refinements (for example "a string starting with `project`"), ignored here.
        rmpv::Value::Ext(0 | 12, _) => Value::Unknown,
        rmpv::Value::Ext(t, _) => {
            return Err(DecodeError::Unsupported(format!("extension type {t}")))
        }
    })
}

fn to_rmpv(v: &Value) -> rmpv::Value {
    match v {
        Value::Null => rmpv::Value::Nil,
        Value::Unknown => rmpv::Value::Ext(0, vec![0]),
        Value::Bool(b) => rmpv::Value::Boolean(*b),
        Value::Number(n) => {
            if n.fract() == 0.0 && n.abs() < 9.0e15 {
                rmpv::Value::from(*n as i64)
            } else {
                rmpv::Value::F64(*n)
            }
        }
        Value::String(s) => rmpv::Value::from(s.as_str()),
        Value::List(l) => rmpv::Value::Array(l.iter().map(to_rmpv).collect()),
        Value::Map(m) => rmpv::Value::Map(
            m.iter()
                .map(|(k, v)| (rmpv::Value::from(k.as_str()), to_rmpv(v)))
                .collect(),
        ),
        Value::Dynamic { type_json, value } => match value.as_ref() {
            // Null and unknown dynamic values carry no type.
            Value::Null | Value::Unknown => to_rmpv(value),
            v => rmpv::Value::Array(vec![
                rmpv::Value::Binary(type_json.as_bytes().to_vec()),
                to_rmpv(v),
            ]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msgpack_round_trip_keeps_unknown_and_numbers() {
        let v = Value::object([
            ("a", Value::Number(25.0)),
            ("b", Value::Number(0.5)),
            ("c", Value::Unknown),
            ("d", Value::List(vec![Value::string("x"), Value::Null])),
            ("e", Value::Bool(true)),
        ]);
        assert_eq!(Value::from_msgpack(&v.to_msgpack()), Ok(v));
    }

    #[test]
    fn dynamic_values_keep_their_type_and_are_transparent() {
        let v = Value::object([(
            "subnets",
            Value::Dynamic {
                type_json: r#"["object",{"a":["object",{"prefix_length":"number"}]}]"#.into(),
                value: Box::new(Value::object([(
                    "a",
                    Value::object([("prefix_length", Value::Number(25.0))]),
                )])),
            },
        )]);
        let back = Value::from_msgpack(&v.to_msgpack()).expect("decodes");
        assert_eq!(back, v);
        assert_eq!(
            back.get("subnets").get("a").get("prefix_length").as_f64(),
            Some(25.0)
        );
        assert!(back.get("subnets").as_map().is_some());
    }

    #[test]
    fn refined_unknowns_are_unknown() {
        // ext 12 carrying a refinement payload, as Terraform >= 1.6 sends for "project${count.index}"
        let mut bytes = vec![0x81, 0xa1, b'k'];
        bytes.extend([0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3]);
        assert_eq!(
            Value::from_msgpack(&bytes),
            Ok(Value::object([("k", Value::Unknown)]))
        );
    }

    #[test]
    fn empty_bytes_are_null() {
        assert_eq!(Value::from_msgpack(&[]), Ok(Value::Null));
        assert_eq!(Value::from_json(&[]), Ok(Value::Null));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(
            Value::from_msgpack(&[0x92, 0x01]).is_err(),
            "truncated array"
        );
        assert!(
            Value::from_msgpack(&[0x01, 0x02]).is_err(),
            "trailing bytes"
        );
        assert!(
            Value::from_msgpack(&[0xc4, 0x01, 0xff]).is_err(),
            "binary outside a dynamic value"
        );
        assert!(Value::from_json(b"{").is_err());
    }

    #[test]
    fn wholly_known_looks_inside() {
        let v = Value::object([("x", Value::List(vec![Value::Unknown]))]);
        assert!(!v.is_wholly_known());
        assert!(Value::object([("x", Value::Number(1.0))]).is_wholly_known());
    }
}
