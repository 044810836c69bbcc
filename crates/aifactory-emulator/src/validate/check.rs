//! Walks a request body against one [`TypeRules`]: unknown top-level members (and
//! near-misses of known ones: other casing, `snake_case`), `location`, each field's JSON
//! type, closed enums, ARM IDs, required properties (PUT only), nested keys that are a
//! near-miss of a declared property, and the provider's at-least-one rules. Answers the
//! first [`Violation`] in that order.
//!
//! Owns the walk; must not build a response (see `answer`) nor know a resource type.
//! Imports only `schema` and the ARM ID grammar (`arm::id`, a leaf).

use super::schema::{Field, Ty, TypeRules, ANY_MEMBER, READ_ONLY_TOP};
use crate::arm::id::{parse_id, LevelKind};
use serde_json::{Map, Value};

/// PUT checks everything; PATCH bodies are partial, so required properties, `location` and
/// the at-least-one rules are not checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Put,
    Patch,
}

/// What is wrong with a body; `path` is the JSON path (`properties.ipRules[0].value`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    /// A top-level member the resource type does not have (`hint`: the member meant).
    UnknownMember {
        path: String,
        hint: Option<String>,
    },
    /// A nested key that differs from a declared property only in casing or `_`/`-`.
    NearMiss {
        path: String,
        meant: String,
    },
    LocationRequired,
    /// A value of the wrong JSON type (`expected` names the type).
    WrongType {
        path: String,
        value: String,
        expected: String,
    },
    /// A string outside a closed enum.
    NotAllowed {
        path: String,
        value: String,
        allowed: &'static [&'static str],
    },
    Missing {
        path: String,
    },
    /// Not a fully qualified ARM resource ID.
    MalformedId {
        path: String,
        value: String,
    },
    /// A well-formed ID of another resource type.
    WrongIdType {
        path: String,
        value: String,
        expected: &'static str,
    },
    /// None of the paths of an at-least-one rule has a value.
    NoneOf {
        code: &'static str,
        message: String,
    },
}

/// Checks `body` of the resource `resource_id` against `rules`.
pub fn check(
    rules: &TypeRules,
    resource_id: &str,
    body: &Map<String, Value>,
    mode: Mode,
) -> Result<(), Violation> {
    top_level(rules, body)?;
    if mode == Mode::Put
        && rules.location_required
        && !body.get("location").is_some_and(Value::is_string)
    {
        return Err(Violation::LocationRequired);
    }
    let root = Value::Object(body.clone());
    for f in rules.fields {
        for (path, value) in occurrences(&root, f.path) {
            field(f, &path, value, mode)?;
        }
    }
    near_misses(rules, &root)?;
    if mode == Mode::Put {
        for rule in rules.at_least_one {
            let present = rule.paths.iter().any(|p| {
                occurrences(&root, p)
                    .into_iter()
                    .any(|(_, v)| v.is_some_and(non_empty))
            });
            if !present {
                return Err(Violation::NoneOf {
                    code: rule.code,
                    message: rule.message.replace("{id}", resource_id),
                });
            }
        }
    }
    Ok(())
}

/// `Location` -> `location`, `address_space` -> `addressspace`: how a near-miss is found.
fn loose(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase()
}

fn top_level(rules: &TypeRules, body: &Map<String, Value>) -> Result<(), Violation> {
    let known = || rules.top.iter().chain(READ_ONLY_TOP.iter());
    let open = rules.top.contains(&ANY_MEMBER);
    for k in body.keys() {
        if known().any(|m| m == k) {
            continue;
        }
        let hint = known()
            .find(|m| loose(m) == loose(k))
            .map(|m| m.to_string());
        if open && hint.is_none() {
            continue;
        }
        return Err(Violation::UnknownMember {
            path: k.clone(),
            hint,
        });
    }
    Ok(())
}

fn non_empty(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// Every place `pattern` names in `root`: (concrete path, value or `None` when absent).
/// A place whose parent is missing, null or of another type is not listed (the parent's
/// own field reports a wrong type).
fn occurrences<'a>(root: &'a Value, pattern: &str) -> Vec<(String, Option<&'a Value>)> {
    let mut out = Vec::new();
    walk(
        root,
        &pattern.split('.').collect::<Vec<_>>(),
        String::new(),
        &mut out,
    );
    out
}

fn walk<'a>(
    at: &'a Value,
    segs: &[&str],
    path: String,
    out: &mut Vec<(String, Option<&'a Value>)>,
) {
    let Some((first, rest)) = segs.split_first() else {
        return;
    };
    let Some(obj) = at.as_object() else { return };
    let (name, items) = match first.strip_suffix("[]") {
        Some(n) => (n, true),
        None => (*first, false),
    };
    let here = if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    };
    let value = obj.get(name).filter(|v| !v.is_null());
    if !items {
        if rest.is_empty() {
            out.push((here, value));
        } else if let Some(v) = value {
            walk(v, rest, here, out);
        }
        return;
    }
    let Some(arr) = value.and_then(Value::as_array) else {
        return;
    };
    for (i, item) in arr.iter().enumerate() {
        let p = format!("{here}[{i}]");
        if rest.is_empty() {
            out.push((p, Some(item)));
        } else {
            walk(item, rest, p, out);
        }
    }
}

/// How a value is quoted in a message (strings with quotes, objects and arrays abridged).
fn shown(v: &Value) -> String {
    match v {
        Value::Object(_) => "{...}".into(),
        Value::Array(_) => "[...]".into(),
        other => other.to_string(),
    }
}

fn field(f: &Field, path: &str, value: Option<&Value>, mode: Mode) -> Result<(), Violation> {
    let Some(v) = value else {
        if f.required && mode == Mode::Put {
            return Err(Violation::Missing { path: path.into() });
        }
        return Ok(());
    };
    let wrong = |expected: &str| Violation::WrongType {
        path: path.into(),
        value: shown(v),
        expected: expected.into(),
    };
    match f.ty {
        Ty::Str if !v.is_string() => Err(wrong("string")),
        Ty::Bool if !v.is_boolean() => Err(wrong("boolean")),
        Ty::Int if !(v.is_i64() || v.is_u64()) => Err(wrong("integer")),
        Ty::Obj if !v.is_object() => Err(wrong("object")),
        Ty::Arr if !v.is_array() => Err(wrong("array")),
        Ty::StrArr => string_items(path, v, wrong),
        Ty::StrMap => string_values(path, v, wrong),
        Ty::OneOf(allowed) => {
            let Some(s) = v.as_str() else {
                return Err(wrong("string"));
            };
            if allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) {
                return Ok(());
            }
            Err(Violation::NotAllowed {
                path: path.into(),
                value: s.into(),
                allowed,
            })
        }
        Ty::Uuid => match v.as_str() {
            Some(s) if uuid::Uuid::try_parse(s).is_ok() => Ok(()),
            _ => Err(wrong("GUID")),
        },
        Ty::Id(expected) => match v.as_str() {
            Some(s) => arm_id(path, s, expected),
            None => Err(wrong("string")),
        },
        Ty::IdKeys(expected) => {
            let Some(o) = v.as_object() else {
                return Err(wrong("object"));
            };
            for k in o.keys() {
                arm_id(&format!("{path}['{k}']"), k, Some(expected))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn string_items(path: &str, v: &Value, wrong: impl Fn(&str) -> Violation) -> Result<(), Violation> {
    let Some(a) = v.as_array() else {
        return Err(wrong("array"));
    };
    match a.iter().position(|x| !x.is_string()) {
        Some(i) => Err(Violation::WrongType {
            path: format!("{path}[{i}]"),
            value: shown(&a[i]),
            expected: "string".into(),
        }),
        None => Ok(()),
    }
}

fn string_values(
    path: &str,
    v: &Value,
    wrong: impl Fn(&str) -> Violation,
) -> Result<(), Violation> {
    let Some(o) = v.as_object() else {
        return Err(wrong("object"));
    };
    match o.iter().find(|(_, x)| !x.is_string()) {
        Some((k, x)) => Err(Violation::WrongType {
            path: format!("{path}.{k}"),
            value: shown(x),
            expected: "string".into(),
        }),
        None => Ok(()),
    }
}

/// A fully qualified ID (`/subscriptions/...` or `/providers/...`, ARM's grammar) of the
/// expected type.
fn arm_id(path: &str, s: &str, expected: Option<&'static str>) -> Result<(), Violation> {
    let malformed = || Violation::MalformedId {
        path: path.into(),
        value: s.into(),
    };
    let lower = s.to_ascii_lowercase();
    if !(lower.starts_with("/subscriptions/") || lower.starts_with("/providers/")) {
        return Err(malformed());
    }
    let parsed = parse_id(s).map_err(|_| malformed())?;
    if parsed.collection.is_some() {
        return Err(malformed());
    }
    let Some(expected) = expected else {
        return Ok(());
    };
    let Some(target) = parsed.target() else {
        return Err(malformed());
    };
    let matches = match target.kind {
        LevelKind::ResourceGroup => expected.eq_ignore_ascii_case(crate::arm::id::RG_TYPE),
        LevelKind::Subscription => false,
        LevelKind::Resource { .. } => target.full_type.eq_ignore_ascii_case(expected),
    };
    if matches {
        return Ok(());
    }
    Err(Violation::WrongIdType {
        path: path.into(),
        value: s.into(),
        expected,
    })
}

/// Nested keys that are a near-miss of a property declared under the same object.
fn near_misses(rules: &TypeRules, root: &Value) -> Result<(), Violation> {
    let mut parents: Vec<&str> = rules
        .fields
        .iter()
        .filter_map(|f| f.path.rsplit_once('.').map(|(p, _)| p))
        .collect();
    parents.sort_unstable();
    parents.dedup();
    for parent in parents {
        let declared: Vec<&str> = rules
            .fields
            .iter()
            .filter_map(|f| f.path.rsplit_once('.'))
            .filter(|(p, _)| *p == parent)
            .map(|(_, name)| name.trim_end_matches("[]"))
            .collect();
        for (path, value) in occurrences(root, parent) {
            let Some(obj) = value.and_then(Value::as_object) else {
                continue;
            };
            for k in obj.keys() {
                if declared.contains(&k.as_str()) {
                    continue;
                }
                if let Some(meant) = declared.iter().find(|d| loose(d) == loose(k)) {
                    return Err(Violation::NearMiss {
                        path: format!("{path}.{k}"),
                        meant: meant.to_string(),
                    });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::schema::{opt, req, Style};
    use super::*;
    use serde_json::json;

    const RULES: TypeRules = TypeRules {
        resource_type: "Test/things",
        api_versions: &["2024-01-01"],
        spec: "test",
        style: Style::Arm,
        location_required: true,
        top: &["location", "tags", "properties"],
        fields: &[
            opt("tags", Ty::StrMap),
            req("properties", Ty::Obj),
            req("properties.name", Ty::Str),
            opt("properties.mode", Ty::OneOf(&["On", "Off"])),
            opt("properties.rules", Ty::Arr),
            req("properties.rules[].value", Ty::Str),
            opt(
                "properties.subnet",
                Ty::Id(Some("Microsoft.Network/virtualNetworks/subnets")),
            ),
        ],
        missing_code: "MissingRequiredProperty",
        at_least_one: &[],
    };

    fn run(body: Value, mode: Mode) -> Result<(), Violation> {
        check(&RULES, "/x", body.as_object().unwrap(), mode)
    }

    #[test]
    fn a_table_of_bodies() {
        let ok = json!({"location": "l", "properties": {"name": "n", "mode": "on", "rules": [{"value": "a"}]}});
        assert_eq!(run(ok, Mode::Put), Ok(()));
        let sub = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s";
        let cases: Vec<(Value, Violation)> = vec![
            (
                json!({"Location": "l"}),
                Violation::UnknownMember {
                    path: "Location".into(),
                    hint: Some("location".into()),
                },
            ),
            (
                json!({"properties": {"name": "n"}}),
                Violation::LocationRequired,
            ),
            (
                json!({"location": "l"}),
                Violation::Missing {
                    path: "properties".into(),
                },
            ),
            (
                json!({"location": "l", "properties": {"name": 1}}),
                Violation::WrongType {
                    path: "properties.name".into(),
                    value: "1".into(),
                    expected: "string".into(),
                },
            ),
            (
                json!({"location": "l", "properties": {"name": "n", "mode": "x"}}),
                Violation::NotAllowed {
                    path: "properties.mode".into(),
                    value: "x".into(),
                    allowed: &["On", "Off"],
                },
            ),
            (
                json!({"location": "l", "properties": {"name": "n", "rules": [{"value": "a"}, {}]}}),
                Violation::Missing {
                    path: "properties.rules[1].value".into(),
                },
            ),
            (
                json!({"location": "l", "properties": {"name": "n", "subnet": "subnets/s"}}),
                Violation::MalformedId {
                    path: "properties.subnet".into(),
                    value: "subnets/s".into(),
                },
            ),
            (
                json!({"location": "l", "properties": {"name": "n", "subnet": sub.rsplit_once("/subnets").unwrap().0}}),
                Violation::WrongIdType {
                    path: "properties.subnet".into(),
                    value: sub.rsplit_once("/subnets").unwrap().0.into(),
                    expected: "Microsoft.Network/virtualNetworks/subnets",
                },
            ),
            (
                json!({"location": "l", "properties": {"name": "n", "Mode": "On"}}),
                Violation::NearMiss {
                    path: "properties.Mode".into(),
                    meant: "mode".into(),
                },
            ),
            (
                json!({"location": "l", "tags": {"a": 1}, "properties": {"name": "n"}}),
                Violation::WrongType {
                    path: "tags.a".into(),
                    value: "1".into(),
                    expected: "string".into(),
                },
            ),
        ];
        for (body, want) in cases {
            assert_eq!(run(body.clone(), Mode::Put), Err(want), "{body}");
        }
        assert_eq!(
            run(json!({"properties": {"mode": "On"}}), Mode::Patch),
            Ok(())
        );
        assert_eq!(
            run(
                json!({"location": "l", "properties": {"name": "n", "subnet": sub}}),
                Mode::Put
            ),
            Ok(())
        );
    }
}
