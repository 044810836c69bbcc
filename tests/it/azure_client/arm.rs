//! ARM operations and long-running operations: CRUD, list paging, exists, and every LRO
//! shape (Azure-AsyncOperation, Location-only, provisioningState, failed and canceled).

use super::*;

#[tokio::test]
async fn crud_list_paging_and_exists() {
    let pages = Arc::new(AtomicUsize::new(0));
    let p = pages.clone();
    let m = Mock::start(move |r: &Req| {
        let list_path = format!("/subscriptions/{SUB}/resourcegroups");
        match (r.method.as_str(), r.path.as_str()) {
            ("PUT", path) if path == RG => {
                let body: Json = serde_json::from_str(&r.body).expect("json body");
                assert_eq!(r.h("content-type"), Some("application/json"));
                Some(Resp::json(201, json!({"id": RG, "name":"rg1", "location": body["location"], "properties":{"provisioningState":"Succeeded"}})))
            }
            ("PATCH", path) if path == RG => Some(Resp::json(200, json!({"id": RG, "tags": {"a":"b"}}))),
            ("HEAD", path) if path == RG => Some(Resp::empty(204)),
            ("HEAD", _) => Some(Resp::empty(404)),
            ("DELETE", path) if path == RG => Some(Resp::empty(200)),
            ("DELETE", _) => Some(Resp::empty(204)),
            ("GET", path) if path == list_path => {
                let n = p.fetch_add(1, Ordering::SeqCst);
                let next = format!("https://{}{}?api-version={API}&$skiptoken=page{}", r.h("host").unwrap_or_default(), list_path, n + 1);
                Some(match n {
                    0 => Resp::json(200, json!({"value":[{"name":"a"},{"name":"b"}], "nextLink": next})),
                    1 => Resp::json(200, json!({"value":[{"name":"c"}], "nextLink": next})),
                    _ => Resp::json(200, json!({"value":[{"name":"d"}]})),
                })
            }
            _ => None,
        }
    })
    .await;
    let c = client(&settings(&m));
    let ctx = Ctx::background();
    let put = c
        .arm()
        .put(&ctx, RG, API, &json!({"location":"westeurope"}))
        .await
        .expect("put");
    assert_eq!(put["location"], "westeurope");
    let patched = c
        .arm()
        .patch(&ctx, RG, API, &json!({"tags":{"a":"b"}}))
        .await
        .expect("patch");
    assert_eq!(patched["tags"]["a"], "b");
    assert!(c.arm().exists(&ctx, RG, API).await.expect("head"));
    assert!(!c
        .arm()
        .exists(&ctx, &format!("{RG}-other"), API)
        .await
        .expect("head 404"));
    let items = c
        .arm()
        .list_query(
            &ctx,
            &format!("/subscriptions/{SUB}/resourcegroups"),
            API,
            &[("$filter", "tagName eq 'env'")],
        )
        .await
        .expect("list");
    let names: Vec<&str> = items.iter().filter_map(|i| i["name"].as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    let first = m
        .journal()
        .into_iter()
        .find(|r| r.path.ends_with("/resourcegroups"))
        .expect("first page");
    assert_eq!(first.q("$filter"), Some("tagName eq 'env'"));
    let skip: Vec<Option<String>> = m
        .journal()
        .iter()
        .filter(|r| r.path.ends_with("/resourcegroups"))
        .map(|r| r.q("$skiptoken").map(str::to_string))
        .collect();
    assert_eq!(skip, [None, Some("page1".into()), Some("page2".into())]);
    c.arm().delete(&ctx, RG, API).await.expect("delete 200");
    c.arm()
        .delete(&ctx, &format!("{RG}-gone"), API)
        .await
        .expect("delete 204");
    assert!(c
        .arm()
        .get_opt(&ctx, &format!("{RG}-missing"), API)
        .await
        .expect("get_opt")
        .is_none());
}

fn vnet_id() -> String {
    format!("{RG}/providers/Microsoft.Network/virtualNetworks/v1")
}

#[tokio::test]
async fn lro_azure_async_operation_then_final_get() {
    let polls = Arc::new(AtomicUsize::new(0));
    let p = polls.clone();
    let m = Mock::start(move |r: &Req| {
        let id = vnet_id();
        let op = format!("/subscriptions/{SUB}/providers/Microsoft.Network/locations/westeurope/operations/op1");
        match (r.method.as_str(), r.path.as_str()) {
            ("PUT", path) if path == id => Some(
                Resp::json(201, json!({"id": id, "properties":{"provisioningState":"Updating"}}))
                    .with("Azure-AsyncOperation", &format!("https://{}{}?api-version=2024-05-01", r.h("host").unwrap_or_default(), op))
                    .with("Retry-After", "0"),
            ),
            ("GET", path) if path == op => {
                let n = p.fetch_add(1, Ordering::SeqCst);
                Some(Resp::json(200, json!({"status": if n < 2 { "InProgress" } else { "Succeeded" }})))
            }
            ("GET", path) if path == id => Some(Resp::json(200, json!({"id": id, "properties":{"provisioningState":"Succeeded","addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}))),
            _ => None,
        }
    })
    .await;
    let c = client(&settings(&m));
    let v = c
        .arm()
        .put(
            &Ctx::background(),
            &vnet_id(),
            "2024-05-01",
            &json!({"location":"westeurope"}),
        )
        .await
        .expect("put");
    assert_eq!(v["properties"]["provisioningState"], "Succeeded");
    assert_eq!(m.count("PUT", "virtualNetworks"), 1);
    assert_eq!(
        m.count("GET", "/operations/op1"),
        3,
        "InProgress, InProgress, Succeeded"
    );
    assert_eq!(m.count("GET", "/virtualNetworks/v1"), 1, "one final GET");
}

#[tokio::test]
async fn lro_location_only_delete_follows_new_locations() {
    let m = Mock::start(move |r: &Req| {
        let host = r.h("host").unwrap_or_default().to_string();
        match (r.method.as_str(), r.path.as_str()) {
            ("DELETE", path) if path == RG => Some(
                Resp::empty(202)
                    .with("Location", &format!("https://{host}/subscriptions/{SUB}/operationresults/r1?api-version={API}&sig=secret1"))
                    .with("Retry-After", "0"),
            ),
            ("GET", "/subscriptions/22222222-2222-2222-2222-2222222222cc/operationresults/r1") => Some(
                Resp::empty(202).with("Location", &format!("https://{host}/subscriptions/{SUB}/operationresults/r2?api-version={API}")),
            ),
            ("GET", "/subscriptions/22222222-2222-2222-2222-2222222222cc/operationresults/r2") => Some(Resp::empty(200)),
            _ => None,
        }
    })
    .await;
    let c = client(&settings(&m));
    c.arm()
        .delete(&Ctx::background(), RG, API)
        .await
        .expect("delete");
    assert_eq!(m.count("DELETE", RG), 1);
    assert_eq!(m.count("GET", "/operationresults/r1"), 1);
    assert_eq!(m.count("GET", "/operationresults/r2"), 1);
    assert_eq!(
        m.count("GET", "resourceGroups/rg1"),
        0,
        "DELETE needs no final GET"
    );
}

#[tokio::test]
async fn lro_location_only_put_gets_the_resource() {
    let m = Mock::start(move |r: &Req| {
        let host = r.h("host").unwrap_or_default().to_string();
        match (r.method.as_str(), r.path.as_str()) {
            ("PUT", path) if path == RG => Some(Resp::empty(202).with(
                "Location",
                &format!("https://{host}/loc/1?api-version={API}"),
            )),
            ("GET", "/loc/1") => Some(Resp::empty(200)),
            ("GET", path) if path == RG => Some(ok_rg()),
            _ => None,
        }
    })
    .await;
    let c = client(&settings(&m));
    let rg = c
        .arm()
        .put(
            &Ctx::background(),
            RG,
            API,
            &json!({"location":"westeurope"}),
        )
        .await
        .expect("put");
    assert_eq!(rg["name"], "rg1");
    assert_eq!(m.count("GET", "/loc/1"), 1);
    assert_eq!(m.count("GET", RG), 1);
}

#[tokio::test]
async fn lro_failed_and_canceled_become_typed_errors() {
    let m = Mock::start(move |r: &Req| {
        let host = r.h("host").unwrap_or_default().to_string();
        match (r.method.as_str(), r.path.as_str()) {
            ("PUT", "/subscriptions/22222222-2222-2222-2222-2222222222cc/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/fails") => Some(
                Resp::json(201, json!({"properties":{"provisioningState":"Updating"}})).with("Azure-AsyncOperation", &format!("https://{host}/ops/failed")),
            ),
            ("PUT", _) => Some(
                Resp::json(201, json!({"properties":{"provisioningState":"Updating"}})).with("Azure-AsyncOperation", &format!("https://{host}/ops/canceled")),
            ),
            ("GET", "/ops/failed") => Some(Resp::json(200, json!({"status":"Failed","error":{"code":"NetcfgSubnetRangesOverlap","message":"Subnet 's2' is not valid because its IP address range overlaps"}}))),
            ("GET", "/ops/canceled") => Some(Resp::json(200, json!({"status":"Canceled","error":{"code":"Canceled","message":"Operation was canceled","details":[{"code":"CanceledAndSupersededDueToAnotherOperation","message":"superseded by PutVirtualNetworkOperation"}]}}))),
            _ => None,
        }
    })
    .await;
    let c = client(&settings(&m));
    let ctx = Ctx::background();
    let err = c
        .arm()
        .put(
            &ctx,
            &format!("{RG}/providers/Microsoft.Network/virtualNetworks/fails"),
            "2024-05-01",
            &json!({}),
        )
        .await
        .expect_err("failed");
    let AzureError::LroFailed(f) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(f.status, "Failed");
    assert_eq!(err.code(), Some("NetcfgSubnetRangesOverlap"));
    assert!(err.detail().contains("overlaps"));
    assert_eq!(f.correlation_id.as_deref(), Some(ctx.correlation_id()));
    let err = c
        .arm()
        .put(
            &ctx,
            &format!("{RG}/providers/Microsoft.Network/virtualNetworks/cancels"),
            "2024-05-01",
            &json!({}),
        )
        .await
        .expect_err("canceled");
    let AzureError::LroFailed(f) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(f.status, "Canceled");
    assert!(err
        .detail()
        .contains("CanceledAndSupersededDueToAnotherOperation"));
    assert_eq!(
        m.count("GET", "virtualNetworks"),
        0,
        "no final GET after failure"
    );
}

#[tokio::test]
async fn lro_provisioning_state_polling() {
    let gets = Arc::new(AtomicUsize::new(0));
    let g = gets.clone();
    let m = Mock::start(move |r: &Req| match (r.method.as_str(), r.path.as_str()) {
        ("PUT", p) if p == RG => Some(Resp::json(
            201,
            json!({"id": RG, "properties":{"provisioningState":"Creating"}}),
        )),
        ("GET", p) if p == RG => {
            let n = g.fetch_add(1, Ordering::SeqCst);
            let state = ["Creating", "Updating", "Succeeded"][n.min(2)];
            Some(Resp::json(
                200,
                json!({"id": RG, "properties":{"provisioningState": state}}),
            ))
        }
        _ => None,
    })
    .await;
    let c = client(&settings(&m));
    let rg = c
        .arm()
        .put(&Ctx::background(), RG, API, &json!({}))
        .await
        .expect("put");
    assert_eq!(rg["properties"]["provisioningState"], "Succeeded");
    assert_eq!(m.count("GET", RG), 3);
}
