//! State and plan JSON navigation (`terraform show -json`): finding resources,
//! dotted/flatmap path lookup, flatmap-friendly comparison and flattening.

use serde_json::Value;
use std::collections::BTreeMap;

/// Finds the resource object (with `address`, `type`, `values`, …) at `address`
/// in `terraform show -json` output (state: `values`; plan: `planned_values`).
pub fn find_resource<'a>(doc: &'a Value, address: &str) -> Option<&'a Value> {
    let root = doc
        .get("values")
        .or_else(|| doc.get("planned_values"))
        .and_then(|v| v.get("root_module"))?;
    find_in_module(root, address)
}

fn find_in_module<'a>(module: &'a Value, address: &str) -> Option<&'a Value> {
    if let Some(r) = module
        .get("resources")
        .and_then(Value::as_array)
        .and_then(|rs| rs.iter().find(|r| r["address"].as_str() == Some(address)))
    {
        return Some(r);
    }
    module
        .get("child_modules")
        .and_then(Value::as_array)?
        .iter()
        .find_map(|m| find_in_module(m, address))
}

/// All resource addresses in a `show -json` document (for error messages).
pub fn resource_addresses(doc: &Value) -> Vec<String> {
    fn walk(m: &Value, out: &mut Vec<String>) {
        for r in m
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(a) = r["address"].as_str() {
                out.push(a.to_string());
            }
        }
        for c in m
            .get("child_modules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(c, out);
        }
    }
    let mut out = Vec::new();
    if let Some(root) = doc
        .get("values")
        .or_else(|| doc.get("planned_values"))
        .and_then(|v| v.get("root_module"))
    {
        walk(root, &mut out);
    }
    out
}

/// The attribute values of the resource at `address`.
pub fn resource_values<'a>(doc: &'a Value, address: &str) -> Result<&'a Value, String> {
    find_resource(doc, address)
        .map(|r| &r["values"])
        .ok_or_else(|| {
            format!(
                "no resource {address} in state (found: {:?})",
                resource_addresses(doc)
            )
        })
}

/// Looks up `path` in `v`: a JSON pointer when it starts with `/`, otherwise a
/// dotted path (`cidrs.genai`, `address_space.0`). Flatmap-style counts work
/// too: `cidrs.%` (object size), `address_space.#` (list length). Returns
/// `None` for a missing or null value.
pub fn lookup(v: &Value, path: &str) -> Option<Value> {
    if path.is_empty() {
        return non_null(v.clone());
    }
    if path.starts_with('/') {
        return v.pointer(path).cloned().and_then(non_null);
    }
    let mut cur = v;
    let segments: Vec<&str> = path.split('.').collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match cur {
            Value::Object(map) => {
                if *seg == "%" && last && !map.contains_key("%") {
                    return Some(Value::from(map.len()));
                }
                cur = map.get(*seg)?;
            }
            Value::Array(items) => {
                if (*seg == "#" || *seg == "%") && last {
                    return Some(Value::from(items.len()));
                }
                cur = items.get(seg.parse::<usize>().ok()?)?;
            }
            _ => return None,
        }
    }
    non_null(cur.clone())
}

fn non_null(v: Value) -> Option<Value> {
    if v.is_null() {
        None
    } else {
        Some(v)
    }
}

/// Equality with flatmap-friendly coercions: numbers compare numerically and a
/// string expectation matches a number or bool by its text (`"3"` == `3`).
pub fn values_equal(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => a == b || a.as_f64() == b.as_f64(),
        (Value::Number(a), Value::String(s)) => a.to_string() == *s,
        (Value::Bool(a), Value::String(s)) => a.to_string() == *s,
        (a, b) => a == b,
    }
}

/// Flattens a value to `path -> scalar text`, flatmap style (`x.#`, `x.%`
/// counts; nulls and empty collections omitted).
pub fn flatten(v: &Value) -> BTreeMap<String, String> {
    fn go(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
        let key = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match v {
            Value::Null => {}
            Value::Bool(b) => {
                out.insert(prefix.to_string(), b.to_string());
            }
            Value::Number(n) => {
                out.insert(prefix.to_string(), n.to_string());
            }
            Value::String(s) => {
                out.insert(prefix.to_string(), s.clone());
            }
            Value::Array(items) => {
                if items.is_empty() {
                    return;
                }
                if !prefix.is_empty() {
                    out.insert(key("#"), items.len().to_string());
                }
                for (i, item) in items.iter().enumerate() {
                    go(&key(&i.to_string()), item, out);
                }
            }
            Value::Object(map) => {
                if map.is_empty() {
                    return;
                }
                if !prefix.is_empty() {
                    out.insert(key("%"), map.len().to_string());
                }
                for (k, item) in map {
                    go(&key(k), item, out);
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    go("", v, &mut out);
    out
}
