use super::*;
use crate::framework::Tf;

fn list(items: &[&str]) -> model::Strings {
    Tf::Known(items.iter().map(|s| Tf::Known(s.to_string())).collect())
}

fn known(s: &str) -> Tf<String> {
    Tf::Known(s.to_string())
}

/// A pure configuration with `subnets` (change fields, then `.to_value()`).
fn model(subnets: Value) -> AllocationModel {
    AllocationModel {
        key: known("project001"),
        address_space: list(&["10.20.0.0/16", "fd00:20::/48"]),
        reserved: list(&["10.20.0.0/24"]),
        subnets,
        ..AllocationModel::default()
    }
}

fn config(subnets: Value) -> Value {
    model(subnets).to_value()
}

/// A state or plan, decoded.
fn decoded(v: &Value) -> AllocationModel {
    AllocationModel::decode(v).expect("decodes")
}

/// The IPv4 CIDR of `name` in a state or plan.
fn cidr_of(v: &Value, name: &str) -> Option<String> {
    decoded(v).cidrs.known().and_then(|m| m.get(name)).cloned()
}

fn req(prefix: Option<f64>, hosts: Option<f64>, ipv6: bool) -> Value {
    Value::object([
        ("prefix_length", prefix.map_or(Value::Null, Value::Number)),
        ("min_hosts", hosts.map_or(Value::Null, Value::Number)),
        ("ipv6", if ipv6 { Value::Bool(true) } else { Value::Null }),
    ])
}

fn three() -> Value {
    Value::object([
        ("genai", req(Some(25.0), None, false)),
        ("aks", req(None, Some(50.0), false)),
        ("webapp", req(Some(27.0), None, true)),
    ])
}

async fn plan(prior: &Value, config: &Value) -> PlanResponse {
    SubnetAllocation::default()
        .plan(PlanRequest {
            prior: prior.clone(),
            proposed: config.clone(),
            config: config.clone(),
            prior_private: Value::Null,
        })
        .await
}

#[tokio::test]
async fn plan_knows_every_cidr_and_apply_returns_it_unchanged() {
    let cfg = config(three());
    let p = plan(&Value::Null, &cfg).await;
    assert!(!p.diags.has_errors(), "{:?}", p.diags);
    assert!(p.planned.is_wholly_known());
    let planned = decoded(&p.planned);
    assert_eq!(planned.id, known("project001"));
    assert_eq!(planned.strategy, known("packed"));
    assert_eq!(planned.cidrs.known().map(|m| m.len()), Some(3));
    assert!(planned
        .ipv6_cidrs
        .known()
        .and_then(|m| m.get("webapp"))
        .is_some_and(|c| c.ends_with("/64")));
    // /25 + /26 + /27 = 128 + 64 + 32
    assert_eq!(planned.allocated_addresses, Tf::Known(224));
    let applied = SubnetAllocation::default()
        .apply(ApplyRequest {
            prior: Value::Null,
            planned: p.planned.clone(),
            config: cfg,
            planned_private: Value::Null,
        })
        .await;
    assert_eq!(applied.state, p.planned);
}

#[tokio::test]
async fn adding_a_request_keeps_existing_cidrs() {
    let first = plan(&Value::Null, &config(three())).await.planned;
    let more = Value::object(
        three()
            .as_map()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .chain([("extra".to_string(), req(Some(23.0), None, false))]),
    );
    let second = plan(&first, &config(more)).await;
    assert!(!second.diags.has_errors(), "{:?}", second.diags);
    for name in ["genai", "aks", "webapp"] {
        assert_eq!(
            cidr_of(&second.planned, name),
            cidr_of(&first, name),
            "{name} moved"
        );
    }
    assert!(second.requires_replace.is_empty());
}

#[tokio::test]
async fn changing_the_key_replaces_and_reallocates_from_scratch() {
    let first = plan(&Value::Null, &config(three())).await.planned;
    let mut cfg = model(three());
    cfg.key = known("project002");
    let p = plan(&first, &cfg.to_value()).await;
    assert_eq!(p.requires_replace, vec![AttrPath::attr("key")]);
}

#[tokio::test]
async fn unknown_inputs_give_unknown_results() {
    let mut cfg = model(three());
    cfg.address_space = Tf::Unknown;
    let p = plan(&Value::Null, &cfg.to_value()).await;
    assert!(!p.diags.has_errors());
    let planned = decoded(&p.planned);
    assert_eq!(planned.cidrs, Tf::Unknown);
    assert_eq!(planned.allocated_addresses, Tf::Unknown);
}

#[tokio::test]
async fn slot_settings_are_checked_on_their_attributes() {
    let mut cfg = model(three());
    cfg.strategy = known("slot");
    cfg.slot = Tf::Known(3.0.into());
    let p = plan(&Value::Null, &cfg.to_value()).await;
    assert!(
        p.diags
            .iter()
            .any(|d| d.path == AttrPath::attr("slot_prefix_length")),
        "{:?}",
        p.diags
    );

    let mut cfg = model(three());
    cfg.slot = Tf::Known(3.0.into());
    let p = plan(&Value::Null, &cfg.to_value()).await;
    assert!(p
        .diags
        .iter()
        .any(|d| d.path == AttrPath::attr("slot") && d.detail.contains("strategy = \"slot\"")));

    let mut cfg = model(three());
    cfg.strategy = known("spread");
    let d = SubnetAllocation::default().validate(&cfg.to_value()).await;
    assert!(d.iter().any(|d| d.path == AttrPath::attr("strategy")));
}

#[tokio::test]
async fn same_slot_same_cidrs_whatever_else_is_occupied() {
    let slot_cfg = |occupied: &[&str]| {
        let mut cfg = model(three());
        cfg.strategy = known("slot");
        cfg.slot = Tf::Known(3.0.into());
        cfg.slot_prefix_length = Tf::Known(21.0.into());
        cfg.occupied = list(occupied);
        cfg.to_value()
    };
    let a = plan(&Value::Null, &slot_cfg(&[])).await.planned;
    let b = plan(&Value::Null, &slot_cfg(&["10.20.8.0/24", "10.20.40.0/21"]))
        .await
        .planned;
    assert_eq!(decoded(&a).cidrs, decoded(&b).cidrs);
    // Slot 3 of /21 blocks in 10.20.0.0/16 is 10.20.24.0/21.
    for text in decoded(&a)
        .cidrs
        .known()
        .into_iter()
        .flat_map(|m| m.values())
    {
        assert!(
            text.starts_with("10.20.2") || text.starts_with("10.20.3"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn bad_cidr_is_reported_on_its_list_index() {
    let mut cfg = model(three());
    cfg.reserved = list(&["10.20.0.0/24", "not-a-cidr"]);
    let d = SubnetAllocation::default().validate(&cfg.to_value()).await;
    assert!(
        d.iter()
            .any(|d| d.path == AttrPath::attr("reserved").and_index(1)),
        "{d:?}"
    );
}

#[tokio::test]
async fn host_bits_error_names_the_fix() {
    let mut cfg = model(three());
    cfg.address_space = list(&["10.20.0.1/16"]);
    let p = plan(&Value::Null, &cfg.to_value()).await;
    assert!(p.diags.has_errors());
    assert!(
        p.diags.iter().any(|d| (d.summary.contains("10.20.0.0/16")
            || d.detail.contains("10.20.0.0/16"))
            && d.path == AttrPath::attr("address_space").and_index(0)),
        "{:?}",
        p.diags
    );
}

#[tokio::test]
async fn exhaustion_names_the_request() {
    let mut cfg = model(Value::object([("huge", req(Some(15.0), None, false))]));
    cfg.address_space = list(&["10.20.0.0/16"]);
    let p = plan(&Value::Null, &cfg.to_value()).await;
    assert!(p.diags.has_errors());
    assert!(
        p.diags
            .iter()
            .any(|d| format!("{} {}", d.summary, d.detail).contains("huge")),
        "{:?}",
        p.diags
    );
}

#[tokio::test]
async fn import_adopts_existing_subnets_and_the_next_plan_keeps_them() {
    let imported = SubnetAllocation::default()
        .import("project001|genai=10.20.5.0/25,aks=10.20.6.0/26")
        .await;
    assert!(!imported.diags.has_errors(), "{:?}", imported.diags);
    assert_eq!(decoded(&imported.state).id, known("project001"));
    let cfg = config(Value::object([
        ("genai", req(Some(25.0), None, false)),
        ("aks", req(Some(26.0), None, false)),
    ]));
    let p = plan(&imported.state, &cfg).await;
    assert!(!p.diags.has_errors(), "{:?}", p.diags);
    assert_eq!(
        cidr_of(&p.planned, "genai").as_deref(),
        Some("10.20.5.0/25")
    );
    assert_eq!(cidr_of(&p.planned, "aks").as_deref(), Some("10.20.6.0/26"));
}

#[tokio::test]
async fn import_id_errors_explain_the_format() {
    for bad in [
        "project001",
        "|genai=10.0.0.0/24",
        "p|genai",
        "p|genai=10.0.0.1/24",
        "p|a=10.0.0.0/24,a=10.0.1.0/24",
    ] {
        let r = SubnetAllocation::default().import(bad).await;
        assert!(r.diags.has_errors(), "{bad}");
        assert!(
            r.diags.iter().all(|d| d.detail.contains("KEY|NAME=CIDR")),
            "{bad}: {:?}",
            r.diags
        );
        assert!(r.state.is_null());
    }
}

#[tokio::test]
async fn destroy_returns_no_state() {
    let planned = plan(&Value::Null, &config(three())).await.planned;
    let r = SubnetAllocation::default()
        .apply(ApplyRequest {
            prior: planned,
            planned: Value::Null,
            config: Value::Null,
            planned_private: Value::Null,
        })
        .await;
    assert!(r.state.is_null() && r.diags.is_empty());
}

#[test]
fn every_attribute_has_a_description() {
    fn walk(attrs: &[crate::framework::schema::Attribute]) {
        for a in attrs {
            assert!(
                !a.description.trim().is_empty(),
                "{} lacks a description",
                a.name
            );
            if let crate::framework::schema::AttrType::Nested(_, inner) = &a.ty {
                walk(inner);
            }
        }
    }
    walk(&schema::schema().attributes);
}

/// Numbers out of range keep the user's value and name the attribute as written, whether
/// Terraform sends them as numbers or (beyond a float64's exact range, such as 1e300) as
/// their decimal text; none says "must be a number".
#[tokio::test]
async fn numbers_out_of_range_quote_the_value_and_the_attribute() {
    let big = "1".to_string() + &"0".repeat(300);
    for (given, quoted) in [
        (Value::string(big.clone()), "1e300"),
        (Value::Number(1e300), "1e300"),
        (Value::Number(1e20), "1e20"),
    ] {
        let subnets = Value::object([("genai", Value::object([("prefix_length", given.clone())]))]);
        let d = SubnetAllocation::default().validate(&config(subnets)).await;
        let path = AttrPath::attr("subnets")
            .and_key("genai")
            .and_attr("prefix_length");
        let hit = d.iter().find(|d| d.path == path);
        assert!(
            hit.is_some_and(|d| d
                .summary
                .contains(&format!("prefix_length {quoted} is out of range"))
                && d.detail.contains("use 1 to 29")),
            "{quoted}: {:?}",
            d
        );
        assert!(
            !d.iter().any(|d| d.detail.contains("a number")),
            "{quoted}: {d:?}"
        );

        let subnets = Value::object([("aks", Value::object([("min_hosts", given.clone())]))]);
        let d = SubnetAllocation::default().validate(&config(subnets)).await;
        assert!(
            d.iter().any(|d| d
                .summary
                .contains(&format!("min_hosts {quoted} is out of range"))),
            "{d:?}"
        );

        for attr in ["slot", "slot_prefix_length"] {
            let mut v = model(three()).to_value();
            if let Value::Map(m) = &mut v {
                m.insert("strategy".into(), Value::string("slot"));
                m.insert("slot".into(), Value::Number(1.0));
                m.insert("slot_prefix_length".into(), Value::Number(21.0));
                m.insert(attr.into(), given.clone());
            }
            let p = plan(&Value::Null, &v).await;
            let hits: Vec<_> = p
                .diags
                .iter()
                .filter(|d| d.path == AttrPath::attr(attr))
                .collect();
            assert!(
                hits.len() == 1 && hits[0].summary == format!("{attr} {quoted} is out of range"),
                "{attr} {quoted}: {:?}",
                p.diags
            );
        }
    }
    // In range but not whole: the value and the attribute, not "a number".
    let subnets = Value::object([(
        "genai",
        Value::object([("prefix_length", Value::Number(25.5))]),
    )]);
    let d = SubnetAllocation::default().validate(&config(subnets)).await;
    assert!(
        d.iter().any(|d| d
            .summary
            .contains("prefix_length 25.5 is not a whole number")),
        "{d:?}"
    );
    // Numbers the allocator checks keep their value too.
    let subnets = Value::object([(
        "genai",
        Value::object([("prefix_length", Value::Number(40.0))]),
    )]);
    let p = plan(&Value::Null, &config(subnets)).await;
    assert!(
        p.diags
            .iter()
            .any(|d| d.summary.contains("prefix_length 40")),
        "{:?}",
        p.diags
    );
}
