//! Self-tests of the harness's pure helpers.

use super::*;
use serde_json::json;
use std::collections::BTreeMap;

#[test]
fn matching_ignores_boxes_and_wrapping() {
    let stderr = "╷\n│ Error: Invalid address space\n│ \n│   with aifactory_subnet_allocation.p001,\n│ \"10.20.0.1/16\" has host bits set; did you\n│ mean 10.20.0.0/16?\n╵\n";
    assert!(text_matches(stderr, "did you mean 10.20.0.0/16"));
    assert!(text_matches(stderr, "Invalid address space*10.20.0.0/16"));
    assert!(!text_matches(stderr, "10.20.0.0/16*Invalid"));
    assert!(text_contains("\u{1b}[31mError\u{1b}[0m:   x", "Error: x"));
}

#[test]
fn lookup_paths() {
    let v = json!({"cidrs": {"a": "10.0.0.0/24", "b.c": 1}, "list": [1, 2], "n": null});
    assert_eq!(lookup(&v, "cidrs.a"), Some(json!("10.0.0.0/24")));
    assert_eq!(lookup(&v, "/cidrs/b.c"), Some(json!(1)));
    assert_eq!(lookup(&v, "cidrs.%"), Some(json!(2)));
    assert_eq!(lookup(&v, "list.#"), Some(json!(2)));
    assert_eq!(lookup(&v, "list.1"), Some(json!(2)));
    assert_eq!(lookup(&v, "n"), None);
    assert_eq!(lookup(&v, "missing.x"), None);
    assert!(values_equal(&json!(3), &json!("3")));
    assert!(values_equal(&json!(3), &json!(3.0)));
}

#[test]
fn flatten_is_flatmap_like() {
    let v = json!({"a": [ "x" ], "m": {"k": 1}, "e": [], "n": null});
    let f = flatten(&v);
    let want: BTreeMap<String, String> = [("a.#", "1"), ("a.0", "x"), ("m.%", "1"), ("m.k", "1")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(f, want);
}

#[test]
fn versions() {
    assert_eq!(Version::parse("v1.0.3"), Some(OLDEST));
    assert_eq!(Version::parse("1.12.0-beta1"), Some(Version::new(1, 12, 0)));
    assert!(Version::new(1, 11, 4) >= FUNCTIONS_MIN);
    assert!(OLDEST < FUNCTIONS_MIN);
}
