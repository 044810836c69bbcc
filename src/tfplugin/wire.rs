//! `Wire`: our [`Value`] as a serde type, so the plugin crate can (de)serialize it from
//! MessagePack or JSON without knowing our types. Goes through `rmpv::Value`, which maps
//! MessagePack extension values (cty's unknown) onto serde and back.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::framework::Value;

/// A [`Value`] crossing the plugin boundary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Wire(pub Value);

impl Serialize for Wire {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes = self.0.to_msgpack();
        let mut cursor = bytes.as_slice();
        let raw = rmpv::decode::read_value(&mut cursor).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Wire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = rmpv::Value::deserialize(d)?;
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &raw).map_err(serde::de::Error::custom)?;
        Value::from_msgpack(&bytes)
            .map(Wire)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_survives_rmp_serde() {
        let v = Value::object([("a", Value::Unknown), ("b", Value::Number(3.0))]);
        let bytes = rmp_serde::to_vec_named(&Wire(v.clone())).expect("encode");
        assert_eq!(Value::from_msgpack(&bytes), Ok(v.clone()));
        let back: Wire = rmp_serde::from_slice(&bytes).expect("decode");
        assert_eq!(back.0, v);
    }

    #[test]
    fn json_state_decodes() {
        let w: Wire = serde_json::from_str(r#"{"a":[1,"x",null],"b":{"c":true}}"#).expect("json");
        assert_eq!(w.0.get("a").as_list().map(|l| l.len()), Some(3));
        assert_eq!(w.0.get("b").get("c"), &Value::Bool(true));
    }
}
