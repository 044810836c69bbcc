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
    for i in (0..5).rev() {
        let r = c.arm(&tok, "GET", &p, None).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.h("x-ms-ratelimit-remaining-subscription-reads"),
            Some(i.to_string())
        );
    }
    let r = c.arm(&tok, "GET", &p, None).await;
    assert_eq!((r.status, r.code().as_str()), (429, "TooManyRequests"));
    let wait: u64 = r.h("retry-after").unwrap().parse().unwrap();
    assert!(wait >= 1);
    // Writes have their own bucket.
    assert_eq!(put_rg(&c, &tok, "w").await.status, 201);
    emu.advance_clock(Duration::from_secs(wait));
    assert_eq!(c.arm(&tok, "GET", &p, None).await.status, 200);
    // Off.
    emu.update_settings(|s| s.throttle = ThrottleConfig::off());
    for _ in 0..10 {
        assert_eq!(c.arm(&tok, "GET", &p, None).await.status, 200);
    }
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
    let r = c.arm(&tok, "GET", &p, None).await;
    assert_eq!((r.status, r.code().as_str()), (503, "ServiceUnavailable"));
    assert_eq!(r.h("retry-after").as_deref(), Some("2"));
    let auth = format!("Bearer {tok}");
    assert!(
        c.try_send("GET", &p, &[("authorization", &auth)], None)
            .await
            .is_err(),
        "connection reset"
    );
    let r = c.arm(&tok, "GET", &p, None).await;
    assert_eq!((r.status, r.code().as_str()), (429, "RetryableError"));
    let t0 = std::time::Instant::now();
    assert_eq!(c.arm(&tok, "GET", &p, None).await.status, 200);
    assert!(t0.elapsed() >= Duration::from_millis(150));
    assert_eq!(c.arm(&tok, "GET", &p, None).await.status, 200);
    // Journal: exact entries, principal recorded, secrets redacted.
    let j = emu.journal();
    let gets: Vec<u16> = j
        .iter()
        .filter(|e| e.method == "GET" && e.path.ends_with("/resourceGroups/f"))
        .map(|e| e.status)
        .collect();
    assert_eq!(gets, vec![503, 0, 429, 200, 200]);
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
    let r = c.admin("POST", "faults", Some(json!({"method": "PUT", "path": "*", "probability": 1.0, "action": {"type": "status", "status": 500}}))).await;
    assert_eq!(r.status, 200);
    let r = put_rg(&c, &tok, "g").await;
    assert_eq!((r.status, r.code().as_str()), (500, "InternalServerError"));
    assert_eq!(c.admin("DELETE", "faults", None).await.status, 200);
    assert_eq!(put_rg(&c, &tok, "g").await.status, 201);
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
    let v = c
        .arm(
            &tok,
            "GET",
            &format!(
                "{}/providers/Microsoft.Network/virtualNetworks/v?{API}",
                rg("seeded")
            ),
            None,
        )
        .await;
    assert_eq!(v.status, 200);
    assert_eq!(v.json()["properties"]["subnets"][0]["name"], "a");
    let st = c.token(STORAGE_SCOPE).await;
    let r = dfs(
        &c,
        &st,
        "HEAD",
        "/dfs/stseed/lake/x/y?action=getAccessControl",
        &[],
    )
    .await;
    assert_eq!(r.h("x-ms-owner").as_deref(), Some("$superuser"));
    // Drift: change and delete behind the provider's back.
    let id = format!(
        "{}/providers/Microsoft.Network/virtualNetworks/v",
        rg("seeded")
    );
    let r = c.send("PUT", &format!("/_emulator/resource?id={}", aifactory_emulator::util::pct_encode(&id)), &[("content-type", "application/json")], Some(json!({"location": "westeurope", "tags": {"drift": "yes"}, "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}}).to_string().into_bytes())).await;
    assert_eq!(r.status, 200);
    let v = c
        .arm(&tok, "GET", &format!("{id}?{API}"), None)
        .await
        .json();
    assert_eq!(v["tags"]["drift"], "yes");
    let r = c
        .send(
            "DELETE",
            &format!(
                "/_emulator/resource?id={}",
                aifactory_emulator::util::pct_encode(&id)
            ),
            &[],
            None,
        )
        .await;
    assert_eq!(r.json()["deleted"], 2, "vNet and its subnet");
    assert_eq!(
        c.arm(&tok, "GET", &format!("{id}?{API}"), None)
            .await
            .status,
        404
    );
    // Seed more at runtime.
    let r = c.admin("POST", "seed", Some(json!({"principals": [{"kind": "app", "client_id": "12345678-1234-4234-8234-123456789012", "secrets": ["x"]}]}))).await;
    assert_eq!(r.status, 200);
    let r = c
        .form(
            &format!("/{T}/oauth2/v2.0/token"),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "12345678-1234-4234-8234-123456789012"),
                ("client_secret", "x"),
                ("scope", ARM_SCOPE),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    // Info and reset.
    let info = c.admin("GET", "info", None).await.json();
    assert_eq!(info["base_url"], emu.base_url());
    assert_eq!(info["subscriptions"][0], S);
    assert_eq!(c.admin("POST", "reset", None).await.status, 200);
    assert_eq!(
        c.arm(&tok, "GET", &format!("{id}?{API}"), None)
            .await
            .status,
        200,
        "reset re-applies the seed"
    );
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
    assert_eq!(
        dfs(
            &c,
            &st,
            "PUT",
            &format!("{base}/lake?resource=filesystem"),
            &[]
        )
        .await
        .status,
        201
    );
    assert_eq!(
        dfs(
            &c,
            &st,
            "PUT",
            &format!("{base}/lake/dir?resource=directory"),
            &[]
        )
        .await
        .status,
        201
    );
    emu.stop().await.unwrap();
    assert!(state.exists());
    let (emu, c) = start(config().with_state_file(&state)).await;
    // Tokens issued before the restart remain valid (same signing key).
    let r = c
        .arm(
            &tok,
            "GET",
            &format!("{}?api-version=2021-04-01", rg("kept")),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/lake/dir?action=getAccessControl"),
        &[],
    )
    .await;
    assert_eq!(r.status, 200);
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
