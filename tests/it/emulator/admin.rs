//! Throttling, fault injection, the journal, the admin API (seed, drift, reset, info),
//! the state file and the loopback-only listener.

use super::*;
use aifactory_emulator::{Bucket, Emulator, FaultAction, FaultRule, Seed, ThrottleConfig};
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn throttling_429_after_burst() {
    let cfg = config().with_throttle(ThrottleConfig {
        reads: Bucket {
            capacity: 5.0,
            refill_per_sec: 0.1,
        },
        ..ThrottleConfig::arm()
    });
    let (emu, c) = start(cfg).await;
    let tok = c.token(ARM_SCOPE).await;
    let p = format!("/subscriptions/{S}/resourcegroups?api-version=2021-04-01");
    let reads = "x-ms-ratelimit-remaining-subscription-reads";
    let burst = (0..5u32).rev().map(|left| {
        arm_case(format!("read, {left} left"), "GET", &p, 200, "")
            .expect_header_eq(reads, left.to_string())
    });
    let r = run_arm_cases(
        &c,
        &tok,
        burst.chain([
            arm_case("read past the burst", "GET", &p, 429, "TooManyRequests")
                .expect_header("retry-after"),
        ]),
    )
    .await;
    let wait: u64 = r[5].h("retry-after").unwrap().parse().unwrap();
    assert!(wait >= 1);
    // Writes have their own bucket.
    assert_eq!(put_rg(&c, &tok, "w").await.status, 201);
    emu.advance_clock(Duration::from_secs(wait));
    assert_eq!(c.arm(&tok, "GET", &p, None).await.status, 200);
    // Off.
    emu.update_settings(|s| s.throttle = ThrottleConfig::off());
    run_arm_cases(
        &c,
        &tok,
        (1..=10).map(|i| arm_case(format!("unthrottled read {i}"), "GET", &p, 200, "")),
    )
    .await;
    drop(emu);
}

#[tokio::test]
async fn fault_injection_status_reset_latency_and_journal() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "f").await;
    let p = format!("{}?api-version=2021-04-01", rg("f"));
    emu.set_faults(vec![
        FaultRule::new(
            "GET",
            "/subscriptions/*/resourceGroups/f",
            FaultAction::Status {
                status: 503,
                code: None,
                message: None,
                retry_after_secs: Some(2),
            },
        )
        .nth(&[1])
        .named("first-503"),
        FaultRule::new(
            "GET",
            "/subscriptions/*/resourceGroups/f",
            FaultAction::Reset,
        )
        .nth(&[2]),
        FaultRule::new(
            "GET",
            "/subscriptions/*/resourceGroups/f",
            FaultAction::RetryableError {
                retry_after_secs: 3,
            },
        )
        .nth(&[3]),
        FaultRule::new(
            "GET",
            "/subscriptions/*/resourceGroups/f",
            FaultAction::Latency {
                ms: 150,
                jitter_ms: 0,
            },
        )
        .nth(&[4]),
    ]);
    run_arm_cases(
        &c,
        &tok,
        [arm_case(
            "first GET: injected 503",
            "GET",
            &p,
            503,
            "ServiceUnavailable",
        )
        .expect_header_eq("retry-after", "2")],
    )
    .await;
    let auth = format!("Bearer {tok}");
    assert!(
        c.try_send("GET", &p, &[("authorization", &auth)], None)
            .await
            .is_err(),
        "connection reset"
    );
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("third GET: injected 429", "GET", &p, 429, "RetryableError"),
            arm_case("fourth GET: injected latency", "GET", &p, 200, ""),
            arm_case("fifth GET: no rule left", "GET", &p, 200, ""),
        ],
    )
    .await;
    // Journal: exact entries, principal recorded, secrets redacted.
    let j = emu.journal();
    let gets: Vec<u16> = j
        .iter()
        .filter(|e| e.method == "GET" && e.path.ends_with("/resourceGroups/f"))
        .map(|e| e.status)
        .collect();
    assert_eq!(gets, vec![503, 0, 429, 200, 200]);
    let delayed = j
        .iter()
        .filter(|e| e.method == "GET" && e.path.ends_with("/resourceGroups/f"))
        .nth(3)
        .unwrap();
    assert!(delayed.duration_ms >= 150, "{}", delayed.duration_ms);
    assert_eq!(
        j.iter().find(|e| e.status == 503).unwrap().faults,
        vec!["first-503".to_string()]
    );
    let token_call = j
        .iter()
        .find(|e| e.path.ends_with("/oauth2/v2.0/token"))
        .unwrap();
    assert_eq!(token_call.body["client_secret"], "REDACTED");
    assert_eq!(
        token_call.principal.as_deref(),
        Some(emu.principal(APP).unwrap().object_id.as_str())
    );
    let line = serde_json::to_string(&j).unwrap();
    assert!(!line.contains(SECRET) && !line.contains(&tok));
    assert!(j
        .iter()
        .filter(|e| e.path.starts_with("/subscriptions"))
        .all(|e| e.principal.is_some()));
    // Admin faults API.
    let rg_g = format!("{}?api-version=2021-04-01", rg("g"));
    let located = json!({"location": "westeurope"});
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("POST /_emulator/faults", "POST", "/_emulator/faults", 200, "")
                .without_auth()
                .with_body(json!({"method": "PUT", "path": "*", "probability": 1.0, "action": {"type": "status", "status": 500}})),
            arm_case("PUT under the fault", "PUT", &rg_g, 500, "InternalServerError")
                .with_body(located.clone()),
            arm_case("DELETE /_emulator/faults", "DELETE", "/_emulator/faults", 200, "")
                .without_auth(),
            arm_case("PUT without faults", "PUT", &rg_g, 201, "").with_body(located),
        ],
    )
    .await;
    drop(emu);
}

#[tokio::test]
async fn journal_file_has_one_line_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (emu, c) = start(config().with_journal_file(&path)).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "j").await;
    c.arm(
        &tok,
        "GET",
        &format!("{}?api-version=2021-04-01", rg("j")),
        None,
    )
    .await;
    c.admin("GET", "info", None).await;
    emu.stop().await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "admin calls are not journaled");
    assert_eq!(lines[1]["method"], "PUT");
    assert_eq!(lines[1]["status"], 201);
    assert!(lines[1]["duration_ms"].is_u64());
    assert_eq!(lines[1]["body"]["location"], "westeurope");
    assert!(!text.contains("Bearer") && !text.contains(SECRET));
}

#[tokio::test]
async fn admin_seed_drift_reset_and_info() {
    let seed = Seed::from_json(&format!(
        r#"{{"resources":[
            {{"id":"/subscriptions/{S}/resourceGroups/seeded","body":{{"location":"westeurope"}}}},
            {{"id":"/subscriptions/{S}/resourceGroups/seeded/providers/Microsoft.Network/virtualNetworks/v","body":{{"location":"westeurope","properties":{{"addressSpace":{{"addressPrefixes":["10.9.0.0/16"]}},"subnets":[{{"name":"a","properties":{{"addressPrefix":"10.9.1.0/24"}}}}]}}}}}},
            {{"id":"/subscriptions/{S}/resourceGroups/seeded/providers/Microsoft.Storage/storageAccounts/stseed","body":{{"location":"westeurope"}}}}
        ],
        "filesystems":[{{"account":"stseed","name":"lake","directories":["x/y"]}}]}}"#
    ))
    .unwrap();
    let (emu, c) = start(config().with_seed(seed)).await;
    let tok = c.token(ARM_SCOPE).await;
    let st = c.token(STORAGE_SCOPE).await;
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "the seeded vNet",
                "GET",
                format!(
                    "{}/providers/Microsoft.Network/virtualNetworks/v?{API}",
                    rg("seeded")
                ),
                200,
                "",
            ),
            dfs_case(
                "the seeded directory",
                "HEAD",
                "/dfs/stseed/lake/x/y?action=getAccessControl",
                200,
                "",
            )
            .with_token(&st)
            .expect_header_eq("x-ms-owner", "$superuser"),
        ],
    )
    .await;
    assert_eq!(r[0].json()["properties"]["subnets"][0]["name"], "a");
    // Drift: change and delete behind the provider's back, then seed more at runtime.
    let id = format!(
        "{}/providers/Microsoft.Network/virtualNetworks/v",
        rg("seeded")
    );
    let admin_resource = format!(
        "/_emulator/resource?id={}",
        aifactory_emulator::util::pct_encode(&id)
    );
    let vnet = format!("{id}?{API}");
    let new_app = "12345678-1234-4234-8234-123456789012";
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("drift: PUT /_emulator/resource", "PUT", &admin_resource, 200, "")
                .without_auth()
                .with_body(json!({"location": "westeurope", "tags": {"drift": "yes"}, "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}})),
            arm_case("GET after the drift", "GET", &vnet, 200, ""),
            arm_case("drift: DELETE /_emulator/resource", "DELETE", &admin_resource, 200, "")
                .without_auth(),
            arm_case("GET after the drift delete", "GET", &vnet, 404, "ResourceNotFound"),
            arm_case("POST /_emulator/seed", "POST", "/_emulator/seed", 200, "")
                .without_auth()
                .with_body(json!({"principals": [{"kind": "app", "client_id": new_app, "secrets": ["x"]}]})),
            form_case(
                "token for the app seeded at runtime",
                format!("/{T}/oauth2/v2.0/token"),
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", new_app),
                    ("client_secret", "x"),
                    ("scope", ARM_SCOPE),
                ],
                200,
                "",
            ),
        ],
    )
    .await;
    assert_eq!(r[1].json()["tags"]["drift"], "yes");
    assert_eq!(r[2].json()["deleted"], 2, "vNet and its subnet");
    // Info and reset.
    let info = c.admin("GET", "info", None).await.json();
    assert_eq!(info["base_url"], emu.base_url());
    assert_eq!(info["subscriptions"][0], S);
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("POST /_emulator/reset", "POST", "/_emulator/reset", 200, "").without_auth(),
            arm_case("reset re-applies the seed", "GET", &vnet, 200, ""),
        ],
    )
    .await;
    assert!(emu.journal().is_empty() || emu.journal().len() == 1);
    // Settings PATCH.
    let s = c
        .admin("PATCH", "settings", Some(json!({"page_size": 7})))
        .await
        .json();
    assert_eq!(s["page_size"], 7);
    assert_eq!(emu.settings().page_size, 7);
    drop(emu);
}

#[tokio::test]
async fn state_file_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let (emu, c) = start(config().with_state_file(&state)).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "kept").await;
    let (st, base) = dfs_setup(&c, &emu).await;
    run_arm_cases(
        &c,
        &st,
        [
            dfs_case(
                "filesystem",
                "PUT",
                format!("{base}/lake?resource=filesystem"),
                201,
                "",
            ),
            dfs_case(
                "directory",
                "PUT",
                format!("{base}/lake/dir?resource=directory"),
                201,
                "",
            ),
        ],
    )
    .await;
    emu.stop().await.unwrap();
    assert!(state.exists());
    let (emu, c) = start(config().with_state_file(&state)).await;
    // Tokens issued before the restart remain valid (same signing key).
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "the resource group after the restart",
                "GET",
                format!("{}?api-version=2021-04-01", rg("kept")),
                200,
                "",
            ),
            dfs_case(
                "the directory after the restart",
                "HEAD",
                format!("{base}/lake/dir?action=getAccessControl"),
                200,
                "",
            )
            .with_token(&st),
        ],
    )
    .await;
    emu.stop().await.unwrap();
}

#[tokio::test]
async fn refuses_non_loopback_and_serves_ipv6_loopback() {
    let err = Emulator::start(config().with_listen("0.0.0.0:0".parse().unwrap()))
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("non-loopback"));
    if let Ok(emu) = Emulator::start(config().with_listen("[::1]:0".parse().unwrap())).await {
        assert!(emu.base_url().starts_with("https://[::1]:"));
        let c = Client::new(&emu);
        assert_eq!(c.admin("GET", "info", None).await.status, 200);
    }
}
