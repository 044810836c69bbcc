//! Pure helpers on ARM resource bodies: `properties.provisioningState`, RFC 7396 merge
//! patch, and location normalisation.
//!
//! Owns JSON shaping only; must not look at the store, the state or a request. A leaf: every
//! ARM and resource-provider module may import it, it imports none of them.

use serde_json::{json, Value};

/// Sets `properties.provisioningState` (creating `properties` when needed).
pub fn set_ps(body: &mut Value, state: &str) {
    if !body.is_object() {
        *body = json!({});
    }
    if !body.get("properties").is_some_and(Value::is_object) {
        body["properties"] = json!({});
    }
    body["properties"]["provisioningState"] = json!(state);
}

/// `properties.provisioningState`, if any.
pub fn provisioning_state(body: &Value) -> Option<&str> {
    body.pointer("/properties/provisioningState")
        .and_then(Value::as_str)
}

/// RFC 7396 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = json!({});
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

/// `West Europe` -> `westeurope` (how ARM compares locations).
pub fn norm_location(l: &str) -> String {
    l.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The last segment of an ID (the resource's name with the stored casing).
pub fn last_segment(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_rfc7396() {
        let mut t = json!({"a": {"b": 1, "c": 2}, "d": 1});
        merge_patch(&mut t, &json!({"a": {"b": null, "e": 3}, "d": [1]}));
        assert_eq!(t, json!({"a": {"c": 2, "e": 3}, "d": [1]}));
    }

    #[test]
    fn provisioning_state_and_locations() {
        let mut v = json!("not an object");
        set_ps(&mut v, "Creating");
        assert_eq!(provisioning_state(&v), Some("Creating"));
        assert_eq!(norm_location("West Europe"), "westeurope");
        assert_eq!(last_segment("/a/b/C"), "C");
    }
}
