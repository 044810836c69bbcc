//! The NSGs and route table of the live mode against the in-process emulator with the
//! landing zone's "subnets need an NSG" policy on: created before the subnets and written
//! in their first PUT, tracked, drift on a rule shown and restored, deleted on destroy;
//! a state without the new attributes plans empty.

use super::*;
use aifactory_emulator::policy::Policy;
use aifactory_template::nsg::{desired_summaries, Purpose};

fn policed() -> impl FnOnce(EmulatorConfig) -> EmulatorConfig {
    |mut c| {
        c.settings.policies = vec![Policy::SubnetNsgRequired];
        c
    }
}

fn requests() -> Value {
    Value::object([
        ("genai", req(25.0)),
        ("aks", req(26.0)),
        (
            "dbx",
            with(req(26.0), "purpose", Value::string("databricks_private")),
        ),
    ])
}

fn creating(key: &str, vnet: &str) -> AllocationModel {
    AllocationModel {
        network_security_group: known("create"),
        ..model(key, vnet, requests())
    }
}

async fn refreshed(e: &Env, held: &Held) -> Held {
    let r = e.res.read(held.state.clone(), held.private.clone()).await;
    assert!(!r.diags.has_errors(), "{}", texts(&r.diags));
    Held {
        state: r.state,
        private: r.private,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_makes_one_nsg_per_subnet_before_the_subnet_and_keeps_its_rules() {
    let e = env_with("rg-nsg", &["10.30.0.0/16"], policed()).await;
    let cfg = creating("prj001", &e.vnet).to_value();
    let p = plan(&e, &Held::none(), &cfg).await;
    assert!(!p.diags.has_errors(), "{}", texts(&p.diags));
    let planned = decoded(&p.planned);
    let ids = map(&planned.network_security_group_ids);
    let rg = e
        .vnet
        .split("/providers/")
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        ids.get("aks"),
        Some(&format!(
            "{rg}/providers/Microsoft.Network/networkSecurityGroups/aks-nsg-prj001"
        ))
    );
    let rules = planned
        .network_security_group_rules
        .known()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rules["aks"], desired_summaries(Purpose::Aks, "westeurope"));
    assert_eq!(rules["genai"].len(), 24);
    assert_eq!(
        rules["dbx"],
        desired_summaries(Purpose::DatabricksPrivate, "westeurope")
    );
    assert!(rules["genai"]
        .iter()
        .any(|r| r.contains("Storage.westeurope")));

    e.emu.clear_journal();
    let held = converge(&e, &Held::none(), &cfg).await;
    // Every NSG PUT comes before the first subnet PUT; every subnet PUT carries its NSG.
    let puts: Vec<(String, Json)> = e
        .emu
        .journal()
        .into_iter()
        .filter(|j| j.method == "PUT")
        .map(|j| (j.path, j.body))
        .collect();
    let first_subnet = puts
        .iter()
        .position(|(p, _)| p.contains("/subnets/"))
        .expect("subnet PUT");
    let last_nsg = puts
        .iter()
        .rposition(|(p, _)| p.contains("/networkSecurityGroups/"))
        .expect("NSG PUT");
    assert!(last_nsg < first_subnet, "{puts:?}");
    for (path, body) in puts.iter().filter(|(p, _)| p.contains("/subnets/")) {
        let purpose = path.rsplit('-').next().unwrap_or_default();
        assert_eq!(
            body["properties"]["networkSecurityGroup"]["id"],
            json!(ids[purpose]),
            "{path}"
        );
    }
    let nsg = e.emu.resource(&ids["aks"]).expect("aks NSG");
    assert_eq!(
        nsg["properties"]["securityRules"].as_array().map(Vec::len),
        Some(13)
    );
    assert_eq!(nsg["location"], "westeurope");

    // Refresh and re-plan change nothing.
    let r = refreshed(&e, &held).await;
    assert_eq!(r.state, held.state);
    let again = plan(&e, &r, &cfg).await;
    assert_eq!(again.planned, held.state);

    // A rule changed and one deleted out of band: refresh shows them, the plan restores,
    // a foreign rule stays.
    let mut changed = nsg.clone();
    if let Some(a) = changed["properties"]["securityRules"].as_array_mut() {
        a[0]["properties"]["access"] = json!("Deny");
        a.remove(12);
        a.push(
            json!({"name": "Someone-else", "properties": {"priority": 4000, "direction": "Inbound",
            "access": "Deny", "protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
            "sourceAddressPrefix": "*", "destinationAddressPrefix": "*"}}),
        );
    }
    e.emu.put_resource(&ids["aks"], changed).expect("drift");
    let drifted = refreshed(&e, &held).await;
    let now = decoded(&drifted.state)
        .network_security_group_rules
        .known()
        .cloned()
        .unwrap_or_default();
    assert_eq!(now["aks"].len(), 12);
    assert!(now["aks"][0].contains(" Deny "), "{:?}", now["aks"]);
    assert_eq!(now["genai"], rules["genai"]);
    let fix = plan(&e, &drifted, &cfg).await;
    assert_ne!(fix.planned, drifted.state, "the plan shows the change back");
    let a = apply(&e, &drifted, &fix, &cfg).await;
    assert!(!a.diags.has_errors(), "{}", texts(&a.diags));
    let after = e.emu.resource(&ids["aks"]).expect("aks NSG");
    let names: Vec<&str> = after["properties"]["securityRules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names.len(), 14, "{names:?}");
    assert!(names.contains(&"Someone-else"));
    let back = refreshed(
        &e,
        &Held {
            state: a.state.clone(),
            private: a.private.clone(),
        },
    )
    .await;
    assert_eq!(back.state, a.state);

    // Destroy: subnets, then NSGs.
    let d = e
        .res
        .apply(ApplyRequest {
            prior: back.state.clone(),
            planned: Value::Null,
            config: Value::Null,
            planned_private: Value::Null,
        })
        .await;
    assert!(!d.diags.has_errors(), "{}", texts(&d.diags));
    assert!(subnets(&e).is_empty());
    for id in ids.values() {
        assert!(e.emu.resource(id).is_none(), "{id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_nsg_the_policy_refuses_the_subnet_and_the_error_names_it() {
    let e = env_with("rg-nsg-deny", &["10.31.0.0/16"], policed()).await;
    let cfg = config("prj002", &e.vnet, Value::object([("genai", req(25.0))]));
    let p = plan(&e, &Held::none(), &cfg).await;
    let a = apply(&e, &Held::none(), &p, &cfg).await;
    let text = texts(&a.diags);
    assert!(a.diags.has_errors());
    assert!(
        text.contains("snt-prj002-genai") && text.contains("RequestDisallowedByPolicy"),
        "{text}"
    );
    assert!(text.contains("Deny-Subnet-Without-Nsg"), "{text}");
    assert!(
        text.contains("denied by Azure Policy \"Subnets should have a Network Security Group\"")
            && text.contains("network_security_group = \"create\"")
            && !text.contains("Grant the principal a role"),
        "{text}"
    );
    assert_eq!(a.state, Value::Null, "nothing was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_given_nsg_and_the_firewall_route_go_into_the_first_put() {
    let e = env_with("rg-nsg-id", &["10.32.0.0/16"], policed()).await;
    let rg = e
        .vnet
        .split("/providers/")
        .next()
        .unwrap_or_default()
        .to_string();
    let given = format!("{rg}/providers/Microsoft.Network/networkSecurityGroups/hub-nsg");
    e.emu
        .put_resource(&given, json!({"location": "westeurope", "properties": {}}))
        .expect("nsg");
    let m = AllocationModel {
        network_security_group: known(&given),
        route_to_firewall: known("10.0.1.4"),
        ..model("prj003", &e.vnet, Value::object([("aks", req(26.0))]))
    };
    let cfg = m.to_value();
    let held = converge(&e, &Held::none(), &cfg).await;
    let state = decoded(&held.state);
    assert_eq!(state.network_security_group_ids, Tf::Null);
    let rt = state
        .route_table_id
        .as_deref()
        .unwrap_or_default()
        .to_string();
    assert!(rt.ends_with("/routeTables/rt-prj003"), "{rt}");
    let table = e.emu.resource(&rt).expect("route table");
    assert_eq!(
        table["properties"]["routes"][0]["properties"]["nextHopIpAddress"],
        "10.0.1.4"
    );
    assert_eq!(
        table["properties"]["routes"][0]["properties"]["nextHopType"],
        "VirtualAppliance"
    );
    let live = subnets(&e);
    let aks = &live["snt-prj003-aks"].1["properties"];
    assert_eq!(aks["networkSecurityGroup"]["id"], json!(given));
    assert_eq!(aks["routeTable"]["id"], json!(rt));
    assert_eq!(refreshed(&e, &held).await.state, held.state);

    // The route removed from the subnet out of band: the plan writes it back.
    let mut body = live["snt-prj003-aks"].1.clone();
    body["properties"]
        .as_object_mut()
        .map(|p| p.remove("routeTable"));
    e.emu
        .put_resource(&format!("{}/subnets/snt-prj003-aks", e.vnet), body)
        .expect("drift");
    let drifted = refreshed(&e, &held).await;
    assert_ne!(drifted.state, held.state);
    let fixed = converge(&e, &drifted, &cfg).await;
    assert_eq!(
        subnets(&e)["snt-prj003-aks"].1["properties"]["routeTable"]["id"],
        json!(rt)
    );
    assert_eq!(fixed.state, held.state);

    // Destroy keeps the given NSG, deletes the route table.
    let d = e
        .res
        .apply(ApplyRequest {
            prior: fixed.state.clone(),
            planned: Value::Null,
            config: Value::Null,
            planned_private: Value::Null,
        })
        .await;
    assert!(!d.diags.has_errors(), "{}", texts(&d.diags));
    assert!(e.emu.resource(&rt).is_none());
    assert!(e.emu.resource(&given).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_nsg_not_ours_is_refused_unless_adopted() {
    let e = env_with("rg-nsg-adopt", &["10.33.0.0/16"], policed()).await;
    let rg = e
        .vnet
        .split("/providers/")
        .next()
        .unwrap_or_default()
        .to_string();
    let theirs = format!("{rg}/providers/Microsoft.Network/networkSecurityGroups/aks-nsg-prj004");
    e.emu
        .put_resource(
            &theirs,
            json!({"location": "westeurope", "properties": {"securityRules": []}}),
        )
        .expect("nsg");
    let m = AllocationModel {
        network_security_group: known("create"),
        ..model("prj004", &e.vnet, Value::object([("aks", req(26.0))]))
    };
    let cfg = m.to_value();
    let p = plan(&e, &Held::none(), &cfg).await;
    let a = apply(&e, &Held::none(), &p, &cfg).await;
    let text = texts(&a.diags);
    assert!(
        text.contains("aks-nsg-prj004") && text.contains("adopt_existing"),
        "{text}"
    );
    assert!(subnets(&e).is_empty(), "no subnet without its NSG");
    assert_eq!(a.state, Value::Null);
    let adopted = AllocationModel {
        adopt_existing: Tf::Known(true),
        ..m
    }
    .to_value();
    let held = converge(&e, &Held::none(), &adopted).await;
    assert!(map(&decoded(&held.state).network_security_group_ids).contains_key("aks"));
    assert_eq!(
        e.emu.resource(&theirs).expect("nsg")["properties"]["securityRules"]
            .as_array()
            .map(Vec::len),
        Some(13)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_without_the_new_attributes_plans_empty() {
    let e = env("rg-nsg-compat", &["10.34.0.0/16"]).await;
    let cfg = config("prj005", &e.vnet, Value::object([("genai", req(25.0))]));
    let held = converge(&e, &Held::none(), &cfg).await;
    // The state as the previous version wrote it: without the new attributes.
    let old = match &held.state {
        Value::Map(m) => Value::Map(
            m.iter()
                .filter(|(k, _)| {
                    ![
                        "network_security_group",
                        "route_to_firewall",
                        "network_security_group_ids",
                        "network_security_group_rules",
                        "route_table_id",
                    ]
                    .contains(&k.as_str())
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    };
    assert_ne!(old, held.state);
    let r = refreshed(
        &e,
        &Held {
            state: old,
            private: held.private.clone(),
        },
    )
    .await;
    let p = plan(&e, &r, &cfg).await;
    assert!(!p.diags.has_errors(), "{}", texts(&p.diags));
    assert_eq!(
        p.planned, held.state,
        "only nulls where the old state had nothing"
    );
}

#[tokio::test]
async fn the_settings_are_checked_at_validate() {
    let vnet = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
    );
    let res = SubnetAllocation::default();
    let bad = AllocationModel {
        network_security_group: known("nsg1"),
        route_to_firewall: known("10.0.1.300"),
        ..model(
            "prj",
            &vnet,
            Value::object([(
                "aks",
                with(req(26.0), "purpose", Value::string("kubernetes")),
            )]),
        )
    };
    let d = res.validate(&bad.to_value()).await;
    let text = texts(&d);
    assert!(
        text.contains("network_security_group | Invalid `network_security_group`"),
        "{text}"
    );
    assert!(
        text.contains("route_to_firewall | Invalid `route_to_firewall` \"10.0.1.300\""),
        "{text}"
    );
    assert!(
        text.contains("purpose | Unknown purpose \"kubernetes\"")
            && text.contains("\"databricks_private\""),
        "{text}"
    );
    let pure = AllocationModel {
        key: known("prj"),
        address_space: Tf::Known(vec![Tf::Known("10.0.0.0/16".into())]),
        network_security_group: known("create"),
        subnets: Value::object([("aks", req(26.0))]),
        ..AllocationModel::default()
    };
    let text = texts(&res.validate(&pure.to_value()).await);
    assert!(
        text.contains("`network_security_group` needs `virtual_network_id`"),
        "{text}"
    );
    let good = AllocationModel {
        network_security_group: known("create"),
        route_to_firewall: known("10.0.1.4"),
        ..model(
            "prj",
            &vnet,
            Value::object([("aks", with(req(26.0), "purpose", Value::string("aks")))]),
        )
    };
    let d = res.validate(&good.to_value()).await;
    assert!(!d.has_errors(), "{}", texts(&d));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_after_the_nsgs_leaves_them_tracked_and_the_next_apply_finishes() {
    use aifactory_emulator::{FaultAction, FaultRule};
    let e = env_with("rg-nsg-partial", &["10.35.0.0/16"], policed()).await;
    let m = AllocationModel {
        network_security_group: known("create"),
        ..model(
            "prj006",
            &e.vnet,
            Value::object([("aks", req(26.0)), ("genai", req(25.0))]),
        )
    };
    let cfg = m.to_value();
    e.emu.add_fault(FaultRule::new(
        "PUT",
        "*/subnets/snt-prj006-genai",
        FaultAction::Status {
            status: 400,
            code: Some("InvalidRequestFormat".into()),
            message: None,
            retry_after_secs: None,
        },
    ));
    let p = plan(&e, &Held::none(), &cfg).await;
    let a = apply(&e, &Held::none(), &p, &cfg).await;
    assert!(a.diags.has_errors(), "the fault did not fire");
    let partial = decoded(&a.state);
    let ids = map(&partial.network_security_group_ids);
    assert_eq!(ids.len(), 2, "both NSGs exist and are tracked: {ids:?}");
    for id in ids.values() {
        assert!(e.emu.resource(id).is_some(), "{id}");
    }
    assert_eq!(
        map(&partial.subnet_ids).keys().collect::<Vec<_>>(),
        ["aks"],
        "only the written subnet"
    );
    e.emu.set_faults(Vec::new());
    let prior = refreshed(
        &e,
        &Held {
            state: a.state.clone(),
            private: a.private.clone(),
        },
    )
    .await;
    let done = converge(&e, &prior, &cfg).await;
    assert_eq!(map(&decoded(&done.state).subnet_ids).len(), 2);
    let d = e
        .res
        .apply(ApplyRequest {
            prior: done.state.clone(),
            planned: Value::Null,
            config: Value::Null,
            planned_private: Value::Null,
        })
        .await;
    assert!(!d.diags.has_errors(), "{}", texts(&d.diags));
    for id in ids.values() {
        assert!(e.emu.resource(id).is_none(), "{id}");
    }
}
