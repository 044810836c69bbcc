//! Tests of `aifactory_address_map`'s edge: decoding `allocations`, labelling a vNet's
//! subnets, diagnostics on the right attribute, and a pure read end to end.

use super::*;
use crate::framework::{Step, Value};
use serde_json::json;

fn s(v: &str) -> Value {
    Value::string(v)
}

fn entry(cidr: &str, project: &str, purpose: &str) -> Value {
    Value::object([
        ("cidr", s(cidr)),
        ("project", s(project)),
        ("purpose", s(purpose)),
    ])
}

fn config(pairs: Vec<(&str, Value)>) -> Value {
    let mut v = Value::object([
        ("virtual_network_id", Value::Null),
        ("address_space", Value::Null),
        ("allocations", Value::Null),
        ("title", Value::Null),
        ("svg", Value::Null),
        ("markdown", Value::Null),
        ("utilisation_percent", Value::Null),
        ("total_addresses", Value::Null),
        ("used_addresses", Value::Null),
        ("largest_free_block", Value::Null),
        ("free_blocks", Value::Null),
    ]);
    for (k, x) in pairs {
        v.set(k, x);
    }
    v
}

fn paths(d: &Diagnostics) -> Vec<String> {
    d.iter().map(|d| d.path.to_string()).collect()
}

#[test]
fn entries_from_a_list_or_a_map() {
    let mut diags = Diagnostics::new();
    let list = Value::List(vec![
        entry("10.0.0.0/25", "p1", "pe"),
        Value::object([("cidr", s("10.0.0.128/26"))]),
    ]);
    let e = entries(&list, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].path, AttrPath::attr("allocations").and_index(0));
    assert_eq!((e[0].project.as_str(), e[0].purpose.as_str()), ("p1", "pe"));
    assert_eq!(e[1].project, "");

    let map = Value::object([("snt-p1-pe", entry("10.0.0.0/25", "p1", "pe"))]);
    let e = entries(&map, &mut diags);
    assert_eq!(e[0].name, "snt-p1-pe", "the key is the name");
    assert_eq!(
        e[0].path,
        AttrPath::attr("allocations").and_key("snt-p1-pe")
    );
}

#[test]
fn entry_errors_are_on_their_attribute() {
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            Value::List(vec![Value::object([("project", s("p1"))])]),
            "allocations[0].cidr",
            "has no `cidr`",
        ),
        (
            Value::List(vec![entry("10.0.0.1/24", "p", "x")]),
            "allocations[0].cidr",
            "did you mean \"10.0.0.0/24\"",
        ),
        (
            Value::List(vec![Value::object([
                ("cidr", s("10.0.0.0/24")),
                ("owner", s("p")),
            ])]),
            "allocations[0].owner",
            "Unknown attribute `owner`",
        ),
        (s("10.0.0.0/24"), "allocations", "must be a list"),
    ];
    for (v, path, text) in cases {
        let mut diags = Diagnostics::new();
        let _ = entries(&v, &mut diags);
        let d = diags
            .iter()
            .next()
            .unwrap_or_else(|| panic!("no error for {path}"));
        assert_eq!(d.path.to_string(), path);
        assert!(
            format!("{} {}", d.summary, d.detail).contains(text),
            "{path}: {d:?}"
        );
    }
}

#[test]
fn configuration_checks() {
    let vnet = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (config(vec![]), vec![""]),
        (
            config(vec![
                ("virtual_network_id", s(vnet)),
                ("address_space", Value::List(vec![s("10.0.0.0/16")])),
            ]),
            vec!["address_space"],
        ),
        (
            config(vec![(
                "virtual_network_id",
                s("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n"),
            )]),
            vec!["virtual_network_id"],
        ),
        (
            config(vec![(
                "address_space",
                Value::List(vec![s("10.0.0.0/16"), s("10.1.0.0/33")]),
            )]),
            vec!["address_space[1]"],
        ),
        (config(vec![("virtual_network_id", s(vnet))]), vec![]),
        (config(vec![("virtual_network_id", Value::Unknown)]), vec![]),
    ];
    for (c, want) in cases {
        let m = AddressMapModel::decode(&c).unwrap();
        let mut diags = Diagnostics::new();
        check(&m, &mut diags);
        assert_eq!(paths(&diags), want, "{diags:?}");
    }
}

#[test]
fn names_follow_the_allocator_convention() {
    for (name, want) in [
        (
            "snt-project001-private_endpoints",
            Some(("project001", "private_endpoints")),
        ),
        ("SNT-prj1-aks", Some(("prj1", "aks"))),
        ("snt-esmlcmn-weu-dev-001", Some(("esmlcmn", "weu-dev-001"))),
        ("snt-only", None),
        ("GatewaySubnet", None),
        ("sn", None),
        ("snt-é-x", Some(("é", "x"))),
    ] {
        let got = owner_from_name(name);
        assert_eq!(
            got.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
            want,
            "{name}"
        );
    }
}

#[test]
fn vnet_subnets_are_labelled_by_entries_then_names() {
    let (space, subnets) = parse_vnet(&json!({"properties": {
    "addressSpace": {"addressPrefixes": ["10.20.0.0/16", "fd00::/48"]},
    "subnets": [
        {"name": "snt-common-x", "properties": {"addressPrefix": "10.20.0.0/24"}},
        {"name": "snt-project001-aks", "properties": {"addressPrefixes": ["10.20.8.128/26", "fd00::/64"]}},
        {"name": "GatewaySubnet", "properties": {"addressPrefix": "10.20.1.0/27"}},
        {"id": "/x/subnets/snt-p2-pe", "properties": {"addressPrefix": "10.20.16.0/25"}}
    ]}}));
    assert_eq!(space.len(), 2);
    let mut diags = Diagnostics::new();
    let list = Value::List(vec![
        Value::object([
            ("cidr", s("10.20.0.0/24")),
            ("project", s("common")),
            ("purpose", s("jump hosts")),
        ]),
        entry("10.20.99.0/24", "ghost", "x"),
    ]);
    let es = entries(&list, &mut diags);
    let (subs, origins) = vnet_subnets(&subnets, &es, &mut diags);
    let labels: Vec<(String, &str, &str, &str)> = subs
        .iter()
        .map(|s| {
            (
                s.cidr.to_string(),
                s.name.as_str(),
                s.owner.as_str(),
                s.purpose.as_str(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        vec![
            (
                "10.20.0.0/24".into(),
                "snt-common-x",
                "common",
                "jump hosts"
            ),
            (
                "10.20.8.128/26".into(),
                "snt-project001-aks",
                "project001",
                "aks"
            ),
            (
                "fd00::/64".into(),
                "snt-project001-aks",
                "project001",
                "aks"
            ),
            ("10.20.1.0/27".into(), "GatewaySubnet", "", ""),
            ("10.20.16.0/25".into(), "snt-p2-pe", "p2", "pe"),
        ]
    );
    assert_eq!(origins[3], Origin::Vnet("GatewaySubnet".into()));
    // The entry that matches nothing is a warning on it.
    let w: Vec<_> = diags.iter().collect();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].path.to_string(), "allocations[1]");
    assert!(!diags.has_errors());
}

#[test]
fn map_errors_land_on_the_entry() {
    let mut diags = Diagnostics::new();
    let list = Value::List(vec![
        entry("10.0.0.0/25", "a", "x"),
        entry("10.0.0.64/26", "b", "y"),
        entry("10.9.0.0/26", "c", "z"),
    ]);
    let es = entries(&list, &mut diags);
    let (input, origins) = pure_input(vec![parse_cidr("10.0.0.0/24").unwrap()], &es, None);
    let mut m = AddressMapModel::default();
    assert!(!render_into(&mut m, &input, &origins, false, &mut diags));
    assert_eq!(
        paths(&diags),
        vec!["allocations[2].cidr", "allocations[1].cidr"]
    );
    let overlap = diags.iter().nth(1).unwrap();
    assert!(
        overlap
            .summary
            .contains("10.0.0.0/25 and 10.0.0.64/26 overlap"),
        "{overlap:?}"
    );
    assert_eq!(
        AttrPath::attr("allocations")
            .and_index(1)
            .and_attr("cidr")
            .0[1],
        Step::Index(1)
    );
}

#[tokio::test]
async fn a_pure_read_fills_every_output() {
    let ds = AddressMap::new(Arc::new(ProviderContext::default()));
    let c = config(vec![
        ("address_space", Value::List(vec![s("10.20.0.0/16")])),
        (
            "allocations",
            Value::List(vec![
                entry("10.20.8.0/25", "project001", "private_endpoints"),
                entry("10.20.8.128/26", "project001", "aks"),
            ]),
        ),
    ]);
    assert!(ds.validate(&c).await.is_empty());
    let r = ds.read(c).await;
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    let m = AddressMapModel::decode(&r.state).unwrap();
    assert_eq!(m.utilisation_percent, Tf::Known(0.29));
    assert_eq!(m.used_addresses, Tf::Known(192));
    assert_eq!(m.total_addresses, Tf::Known(65_536));
    assert_eq!(m.largest_free_block.as_deref(), Some("10.20.128.0/17"));
    let svg = m.svg.known().unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("<title>Address map: 10.20.0.0/16</title>"));
    assert!(m
        .markdown
        .known()
        .unwrap()
        .contains("| 10.20.8.0/25 | 128 | project001 | private_endpoints |  |"));
    assert_eq!(
        m.free_blocks.known().cloned().unwrap_or_default(),
        [
            "10.20.0.0/21",
            "10.20.8.192/26",
            "10.20.9.0/24",
            "10.20.10.0/23",
            "10.20.12.0/22",
            "10.20.16.0/20",
            "10.20.32.0/19",
            "10.20.64.0/18",
            "10.20.128.0/17"
        ]
    );
}
