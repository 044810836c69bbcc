//! Protocol-level tests: the provider binary is spawned the way Terraform spawns it and
//! driven over tfplugin6 directly, without Terraform.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::testkit::rpc::tfplugin6::{get_provider_schema, stop_provider};
use crate::testkit::rpc::*;
use aifactory::framework::Value;
use ipnet::IpNet;

const SUBNET_ALLOCATION: &str = "aifactory_subnet_allocation";
const ALLOCATE_SUBNETS: &str = "allocate_subnets";

fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| Value::string(*s)).collect())
}

/// The example of the brief: two subnets, one by prefix length, one by host count.
fn allocation_config(address_space: &[&str]) -> Value {
    Value::object([
        ("key", Value::string("project001")),
        ("address_space", strings(address_space)),
        ("reserved", strings(&["10.20.0.0/24"])),
        (
            "subnets",
            Value::object([
                (
                    "genai",
                    Value::object([("prefix_length", Value::Number(25.0))]),
                ),
                ("aks", Value::object([("min_hosts", Value::Number(50.0))])),
            ]),
        ),
    ])
}

fn net(s: &str) -> IpNet {
    s.parse()
        .unwrap_or_else(|e| panic!("{s:?} is not a CIDR: {e}"))
}

fn contains(outer: &IpNet, inner: &IpNet) -> bool {
    outer.contains(&inner.network()) && outer.contains(&inner.broadcast())
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// The `cidrs` map of a state: name -> CIDR, every value known.
fn cidrs(state: &Value) -> BTreeMap<String, IpNet> {
    let map = state
        .get("cidrs")
        .as_map()
        .unwrap_or_else(|| panic!("cidrs is not a known map: {:?}", state.get("cidrs")));
    map.iter()
        .map(|(name, v)| {
            let s = v
                .as_str()
                .unwrap_or_else(|| panic!("cidrs[{name:?}] is not a known string: {v:?}"));
            (name.clone(), net(s))
        })
        .collect()
}

#[tokio::test]
async fn schema_describes_resource_and_function() {
    let mut p = ProviderProcess::start().await;
    let schema: get_provider_schema::Response = p.schema().await;
    let errors: Vec<Diag> = diags(&schema.diagnostics)
        .into_iter()
        .filter(Diag::is_error)
        .collect();
    assert!(
        errors.is_empty(),
        "GetProviderSchema reported errors:\n{}",
        show(&errors)
    );

    let provider = schema.provider.as_ref().expect("provider schema");
    assert!(provider.block.is_some(), "provider schema has no block");

    let resource = schema
        .resource_schemas
        .get(SUBNET_ALLOCATION)
        .and_then(|s| s.block.as_ref())
        .unwrap_or_else(|| {
            panic!(
                "{SUBNET_ALLOCATION} missing; resources: {:?}",
                schema.resource_schemas.keys().collect::<Vec<_>>()
            )
        });
    let names: Vec<&str> = resource
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    for want in [
        "key",
        "address_space",
        "reserved",
        "occupied",
        "strategy",
        "slot",
        "slot_prefix_length",
        "subnets",
        "id",
        "cidrs",
        "ipv6_cidrs",
        "allocated_addresses",
    ] {
        assert!(
            names.contains(&want),
            "{SUBNET_ALLOCATION} lacks `{want}`; has {names:?}"
        );
    }
    let subnets = resource
        .attributes
        .iter()
        .find(|a| a.name == "subnets")
        .unwrap();
    assert!(subnets.required, "`subnets` should be required");

    // Every attribute, nested ones included, of every schema is documented.
    let mut blocks: Vec<(String, &crate::testkit::rpc::tfplugin6::schema::Block)> = Vec::new();
    if let Some(b) = &provider.block {
        blocks.push(("provider".into(), b));
    }
    for (name, s) in &schema.resource_schemas {
        if let Some(b) = &s.block {
            blocks.push((format!("resource {name}"), b));
        }
    }
    for (name, s) in &schema.data_source_schemas {
        if let Some(b) = &s.block {
            blocks.push((format!("data source {name}"), b));
        }
    }
    let mut undocumented = Vec::new();
    let mut walked = 0;
    for (owner, block) in &blocks {
        for (path, attr) in all_attributes(block) {
            walked += 1;
            if attr.description.trim().is_empty() {
                undocumented.push(format!("{owner}: {path}"));
            }
        }
    }
    assert!(walked >= 15, "walked only {walked} attributes");
    assert!(
        undocumented.is_empty(),
        "attributes without description: {undocumented:#?}"
    );

    let functions = p.functions().await;
    let errors: Vec<Diag> = diags(&functions.diagnostics)
        .into_iter()
        .filter(Diag::is_error)
        .collect();
    assert!(
        errors.is_empty(),
        "GetFunctions reported errors:\n{}",
        show(&errors)
    );
    let f = functions
        .functions
        .get(ALLOCATE_SUBNETS)
        .unwrap_or_else(|| {
            panic!(
                "{ALLOCATE_SUBNETS} missing; functions: {:?}",
                functions.functions.keys().collect::<Vec<_>>()
            )
        });
    assert!(
        f.r#return.is_some(),
        "{ALLOCATE_SUBNETS} declares no return type"
    );
}

#[tokio::test]
async fn bad_cidr_is_reported_at_its_list_element() {
    let mut p = ProviderProcess::start().await;
    let config = allocation_config(&["10.20.0.0/33"]);
    let diags = p.validate_resource(SUBNET_ALLOCATION, &config).await;
    let at_element = diags
        .iter()
        .find(|d| d.is_error() && d.path == "address_space[0]");
    assert!(
        at_element.is_some(),
        "no error at address_space[0]; got:\n{}",
        show(&diags)
    );

    // The same check with something that is not a CIDR at all, at a later index.
    let config = allocation_config(&["10.20.0.0/16", "not-a-cidr"]);
    let diags = p.validate_resource(SUBNET_ALLOCATION, &config).await;
    assert!(
        diags
            .iter()
            .any(|d| d.is_error() && d.path == "address_space[1]"),
        "no error at address_space[1]; got:\n{}",
        show(&diags)
    );
}

#[tokio::test]
async fn plan_shows_cidrs_and_apply_keeps_them() {
    let mut p = ProviderProcess::start().await;
    let config = allocation_config(&["10.20.0.0/16"]);
    let out = p.create(SUBNET_ALLOCATION, &config).await;
    assert!(
        !has_errors(&out.diagnostics),
        "create failed:\n{}",
        show(&out.diagnostics)
    );

    // CIDRs are known at plan time ...
    let planned = cidrs(&out.planned);
    assert_eq!(
        planned.keys().collect::<Vec<_>>(),
        ["aks", "genai"],
        "planned cidrs: {planned:?}"
    );
    // ... and apply stores exactly the plan.
    assert_eq!(
        out.new_state, out.planned,
        "apply changed the planned values"
    );
    assert!(
        out.new_state.is_wholly_known(),
        "new state has unknowns: {:?}",
        out.new_state
    );

    // What the user wrote comes back unchanged, as Terraform requires.
    // (`subnets` is compared as sent: wrapped with its type when the schema types it
    // `dynamic`, which the provider must hand back unchanged.)
    let sent = p.conform_resource(SUBNET_ALLOCATION, &config).await;
    for attr in [
        "key",
        "address_space",
        "reserved",
        "occupied",
        "slot",
        "slot_prefix_length",
        "subnets",
    ] {
        assert_eq!(
            out.planned.get(attr),
            sent.get(attr),
            "planned `{attr}` differs from config"
        );
    }
    assert_eq!(out.new_state.get("id"), &Value::string("project001"));

    let pool = net("10.20.0.0/16");
    let reserved = net("10.20.0.0/24");
    for (name, cidr) in &planned {
        assert!(contains(&pool, cidr), "{name} = {cidr} is outside {pool}");
        assert!(
            !overlaps(&reserved, cidr),
            "{name} = {cidr} overlaps reserved {reserved}"
        );
    }
    assert!(
        !overlaps(&planned["genai"], &planned["aks"]),
        "subnets overlap: {planned:?}"
    );
    assert_eq!(planned["genai"].prefix_len(), 25);
    // Azure keeps 5 addresses of every subnet; 50 hosts need at least a /26.
    let aks_usable = (1u64 << (32 - planned["aks"].prefix_len())) - 5;
    assert!(
        aks_usable >= 50,
        "aks = {} holds only {aks_usable} hosts",
        planned["aks"]
    );
    assert_eq!(
        planned["aks"].prefix_len(),
        26,
        "aks should get the smallest fitting subnet"
    );
    if let Some(total) = out.new_state.get("allocated_addresses").as_f64() {
        assert_eq!(total, 128.0 + 64.0);
    }
}

#[tokio::test]
async fn allocate_subnets_function_returns_a_map() {
    let mut p = ProviderProcess::start().await;
    let result = p
        .call_function(
            ALLOCATE_SUBNETS,
            &[
                strings(&["10.20.0.0/16"]),
                strings(&["10.20.0.0/24"]),
                Value::object([("genai", Value::Number(25.0)), ("aks", Value::Number(26.0))]),
            ],
        )
        .await
        .unwrap_or_else(|e| panic!("{ALLOCATE_SUBNETS} failed: {e:?}"));
    let map = result
        .as_map()
        .unwrap_or_else(|| panic!("result is not a map: {result:?}"));
    assert_eq!(map.keys().collect::<Vec<_>>(), ["aks", "genai"]);
    let pool = net("10.20.0.0/16");
    let reserved = net("10.20.0.0/24");
    for (name, v) in map {
        let cidr = net(v
            .as_str()
            .unwrap_or_else(|| panic!("{name} is not a string: {v:?}")));
        assert!(
            contains(&pool, &cidr) && !overlaps(&reserved, &cidr),
            "{name} = {cidr}"
        );
    }

    // A bad argument is a function error pointing at that argument, not a transport error.
    let err = p
        .call_function(
            ALLOCATE_SUBNETS,
            &[
                strings(&["10.20.0.1/16"]),
                strings(&[]),
                Value::object([("a", Value::Number(24.0))]),
            ],
        )
        .await
        .expect_err("host bits set in address_space");
    assert_eq!(err.argument, Some(0), "{err:?}");
    assert!(!err.text.is_empty());
}

/// Terraform's Ctrl-C reaches the provider's whole process group as SIGINT; Terraform
/// then asks for a stop over gRPC. The provider must not die from the signal itself.
#[tokio::test]
async fn sigint_does_not_kill_the_provider() {
    let mut p = ProviderProcess::start().await;
    p.schema().await;

    // Between calls.
    p.signal("INT");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        p.is_alive(),
        "provider died on SIGINT between calls; stderr:\n{}",
        p.stderr()
    );
    p.client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema after SIGINT");

    // While plans are in flight. A plan takes well under a millisecond, so keep eight
    // clients planning in a loop and signal several times while they run.
    let request = p
        .create_plan_request(SUBNET_ALLOCATION, &allocation_config(&["10.20.0.0/16"]))
        .await;
    let mut calls = Vec::new();
    for _ in 0..8 {
        let mut client = p.client.clone();
        let request = request.clone();
        calls.push(tokio::spawn(async move {
            let mut answered = 0;
            for _ in 0..40 {
                let resp = client.plan_resource_change(request.clone()).await?;
                let ds = diags(&resp.into_inner().diagnostics);
                assert!(
                    !has_errors(&ds),
                    "plan during SIGINT failed:\n{}",
                    show(&ds)
                );
                answered += 1;
            }
            Ok::<usize, tonic::Status>(answered)
        }));
    }
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        p.signal("INT");
    }
    for call in calls {
        let answered = call
            .await
            .expect("task")
            .expect("PlanResourceChange while SIGINTs arrive");
        assert_eq!(answered, 40);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        p.is_alive(),
        "provider died on SIGINT during a plan; stderr:\n{}",
        p.stderr()
    );
    let again = p
        .client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema after SIGINT during plans")
        .into_inner();
    assert!(again.resource_schemas.contains_key(SUBNET_ALLOCATION));
}

/// Only the answer is checked. (With tf-provider 0.2.2 the server also shuts down after
/// answering, and the process exits with status 0.)
#[tokio::test]
async fn stop_provider_answers() {
    let mut p = ProviderProcess::start().await;
    p.schema().await;
    let resp = tokio::time::timeout(
        Duration::from_secs(10),
        p.client.stop_provider(stop_provider::Request {}),
    )
    .await
    .expect("StopProvider answered within 10s")
    .expect("StopProvider succeeded")
    .into_inner();
    assert_eq!(resp.error, "", "StopProvider reported an error");
}

#[tokio::test]
async fn controller_shutdown_exits_cleanly() {
    let mut p = ProviderProcess::start().await;
    p.schema().await;
    let status = p.shutdown(Duration::from_secs(10)).await;
    let stderr = p.collect_stderr(Duration::from_secs(1)).await;
    let status = status
        .unwrap_or_else(|| panic!("provider still running after Shutdown; stderr:\n{stderr}"));
    assert!(
        status.success(),
        "provider exited with {status}; stderr:\n{stderr}"
    );
}

#[test]
fn handshake_parsing_refuses_anything_but_loopback_plaintext() {
    assert_eq!(
        parse_handshake("1|6|tcp|127.0.0.1:1234|grpc|").unwrap(),
        "127.0.0.1:1234".parse().unwrap()
    );
    assert!(parse_handshake("1|6|tcp|10.0.0.1:1234|grpc|").is_err());
    assert!(parse_handshake("1|5|tcp|127.0.0.1:1234|grpc|").is_err());
    assert!(parse_handshake("1|6|tcp|127.0.0.1:1234|grpc|MIIB").is_err());
    assert!(parse_handshake("1|6|unix|/tmp/x|grpc|").is_err());
}

#[test]
fn attribute_paths_render_like_hcl() {
    use crate::testkit::rpc::tfplugin6::attribute_path::{step::Selector, Step};
    use crate::testkit::rpc::tfplugin6::AttributePath;
    let step = |s| Step { selector: Some(s) };
    let p = AttributePath {
        steps: vec![
            step(Selector::AttributeName("subnets".into())),
            step(Selector::ElementKeyString("genai".into())),
            step(Selector::AttributeName("prefix_length".into())),
        ],
    };
    assert_eq!(path_string(&p), r#"subnets["genai"].prefix_length"#);
    let p = AttributePath {
        steps: vec![
            step(Selector::AttributeName("address_space".into())),
            step(Selector::ElementKeyInt(0)),
        ],
    };
    assert_eq!(path_string(&p), "address_space[0]");
}

const PROJECT: &str = "aifactory_project";

/// The smallest `aifactory_project` configuration that plans without Azure.
fn project_config(timeouts: Option<&[(&str, &str)]>) -> Value {
    let s = Value::string;
    let mut c = Value::object([
        ("number", Value::Number(1.0)),
        ("environment", s("dev")),
        ("location", s("westeurope")),
        ("project_type", s("genai")),
        ("network_access", s("allowlist")),
        (
            "common",
            Value::object([
                ("resource_group_name", s("acme-esml-common-weu-dev-001")),
                (
                    "private_dns_zone_resource_group_id",
                    s("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/dns"),
                ),
                (
                    "log_analytics_workspace_id",
                    s("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/la/providers/Microsoft.OperationalInsights/workspaces/la"),
                ),
            ]),
        ),
        (
            "team",
            Value::object([(
                "object_ids",
                Value::List(vec![s("0a1b2c3d-0000-4000-8000-000000000001")]),
            )]),
        ),
    ]);
    if let Some(pairs) = timeouts {
        c.set(
            "timeouts",
            Value::object(pairs.iter().map(|(k, v)| (*k, s(v)))),
        );
    }
    c
}

/// `timeouts` on `aifactory_project` is an optional single block (`timeouts { ... }`):
/// declared as a NestingGroup block with no minimum (tf-provider's `Single` would make it
/// required), absent = every attribute null, errors on `timeouts.create`.
#[tokio::test]
async fn project_timeouts_is_an_optional_block() {
    use crate::testkit::rpc::tfplugin6::schema::nested_block::NestingMode;
    let mut p = ProviderProcess::start().await;
    let block = p
        .resource_block(PROJECT)
        .await
        .unwrap_or_else(|| panic!("{PROJECT} missing"));
    assert!(
        !block.attributes.iter().any(|a| a.name == "timeouts"),
        "timeouts is still an attribute"
    );
    let nb = block
        .block_types
        .iter()
        .find(|b| b.type_name == "timeouts")
        .unwrap_or_else(|| panic!("no timeouts block: {:?}", block.block_types));
    assert_eq!(NestingMode::try_from(nb.nesting), Ok(NestingMode::Group));
    assert_eq!(
        (nb.min_items, nb.max_items),
        (0, 0),
        "the block must be optional"
    );
    let inner = nb.block.as_ref().expect("timeouts block schema");
    let mut names: Vec<&str> = inner.attributes.iter().map(|a| a.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["create", "delete", "read", "update"]);
    for a in &inner.attributes {
        assert!(
            a.optional && !a.required && !a.computed,
            "{}: {a:?}",
            a.name
        );
        assert_eq!(a.r#type, b"\"string\"", "{}", a.name);
    }

    // Validation points into the block.
    let diags = p
        .validate_resource(
            PROJECT,
            &project_config(Some(&[("create", "soon"), ("delete", "30m")])),
        )
        .await;
    let errors: Vec<&Diag> = diags.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{}", show(&diags));
    assert_eq!(errors[0].path, "timeouts.create", "{}", show(&diags));
    assert!(errors[0].summary.contains("soon"), "{}", show(&diags));
    let diags = p.validate_resource(PROJECT, &project_config(None)).await;
    assert!(!has_errors(&diags), "{}", show(&diags));

    // Plan hands Terraform the block the way it sent it: all null when absent.
    let settings = Value::object([
        (
            "subscription_id",
            Value::string("00000000-0000-0000-0000-000000000001"),
        ),
        (
            "tenant_id",
            Value::string("11111111-1111-1111-1111-111111111111"),
        ),
    ]);
    let diags = p.configure(&settings).await;
    assert!(!has_errors(&diags), "{}", show(&diags));
    let all_null = Value::object(["create", "read", "update", "delete"].map(|k| (k, Value::Null)));
    let (planned, _, diags) = p.plan_create(PROJECT, &project_config(None)).await;
    assert!(!has_errors(&diags), "{}", show(&diags));
    assert_eq!(planned.get("timeouts"), &all_null);
    let (planned, _, diags) = p
        .plan_create(PROJECT, &project_config(Some(&[("create", "3s")])))
        .await;
    assert!(!has_errors(&diags), "{}", show(&diags));
    let mut want = all_null;
    want.set("create", Value::string("3s"));
    assert_eq!(planned.get("timeouts"), &want);
}
