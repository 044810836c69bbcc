//! Tokens (issue 11 item 5) over real HTTPS: a token the service refuses as expired is
//! replaced once and the request sent again; the token endpoint is retried like ARM
//! (503s, `Retry-After`, cancellation) and never blamed on the secret unless Entra ID
//! says so. Counts come from the emulator's journal (or the stub's).

use super::emulator::emu;
use super::*;

use aifactory_emulator::{FaultAction, FaultRule, RunningEmulator};

const TOKEN_PATH: &str = "/oauth2/v2.0/token";

/// Statuses of the token requests in the journal, in order.
fn token_statuses(e: &RunningEmulator) -> Vec<u16> {
    emu::statuses(e, "POST", TOKEN_PATH)
}

fn status_fault(
    method: &str,
    path: &str,
    status: u16,
    code: &str,
    retry_after_secs: Option<u64>,
) -> FaultRule {
    FaultRule::new(
        method,
        path,
        FaultAction::Status {
            status,
            code: Some(code.into()),
            message: Some(format!("Injected {code}.")),
            retry_after_secs,
        },
    )
}

#[tokio::test]
async fn emulator_expired_token_mid_run_is_renewed_once_and_the_put_sent_again() {
    let e = emu::start(|c| c).await;
    let c = client(&emu::settings(&e));
    let ctx = Ctx::background();
    let rg = emu::rg("rg-expiry");
    c.arm()
        .put(&ctx, &rg, API, &json!({"location": "westeurope"}))
        .await
        .expect("first put");
    assert_eq!(token_statuses(&e), [200], "one token so far");
    // A long apply, or clock skew: the emulator's clock passes the token's expiry while
    // the client still holds it as valid.
    e.advance_clock(Duration::from_secs(2 * 3600));
    let tags = json!({"location": "westeurope", "tags": {"phase": "after-expiry"}});
    let put = c
        .arm()
        .put(&ctx, &rg, API, &tags)
        .await
        .expect("put after expiry");
    assert_eq!(
        put["tags"]["phase"], "after-expiry",
        "the body was sent again"
    );
    assert_eq!(
        emu::statuses(&e, "PUT", "resourceGroups/rg-expiry"),
        [201, 401, 200]
    );
    assert_eq!(token_statuses(&e), [200, 200], "exactly one extra token");
    // The fresh token is cached and used from now on.
    c.arm().get(&ctx, &rg, API).await.expect("get");
    assert_eq!(token_statuses(&e), [200, 200]);
    let refused = e
        .journal()
        .into_iter()
        .find(|j| j.status == 401)
        .expect("the 401 is in the journal");
    assert!(refused.path.contains("rg-expiry"));
}

#[tokio::test]
async fn emulator_expired_token_mid_run_on_the_data_lake_is_renewed_once() {
    let e = emu::start(|c| c).await;
    let c = client(&emu::settings(&e));
    let ctx = Ctx::background();
    emu::storage_account(&c, &ctx, "rg-expiry-lake", "expiryacct").await;
    let dfs = c.dfs("expiryacct").expect("dfs");
    match dfs.create_filesystem(&ctx, "lake").await {
        Err(err) if err.status() == Some(501) => {
            eprintln!("note: the emulator does not serve DFS yet; DFS expiry test skipped");
            return;
        }
        other => other.expect("filesystem"),
    };
    let before = token_statuses(&e).len();
    e.advance_clock(Duration::from_secs(2 * 3600));
    dfs.create_directory(&ctx, "lake", "after-expiry", &DirectoryOptions::default())
        .await
        .expect("directory after expiry");
    let after = token_statuses(&e);
    assert_eq!(
        after.len(),
        before + 1,
        "exactly one extra (storage) token: {after:?}"
    );
    let refused: Vec<u16> = e
        .journal()
        .iter()
        .filter(|j| j.path.contains("after-expiry"))
        .map(|j| j.status)
        .collect();
    assert_eq!(refused.first(), Some(&401), "{refused:?}");
    assert_eq!(refused.len(), 2, "one retry: {refused:?}");
}

#[tokio::test]
async fn emulator_a_second_401_after_a_fresh_token_is_reported_as_it_is() {
    let e = emu::start(|c| c).await;
    let c = client(&emu::settings(&e));
    let ctx = Ctx::background();
    let rg = emu::rg("rg-twice");
    c.arm()
        .put(&ctx, &rg, API, &json!({"location": "westeurope"}))
        .await
        .expect("rg");
    e.set_faults(vec![status_fault(
        "GET",
        "/subscriptions/*/resourceGroups/rg-twice",
        401,
        "ExpiredAuthenticationToken",
        None,
    )]);
    let err = c.arm().get(&ctx, &rg, API).await.expect_err("401 twice");
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some("ExpiredAuthenticationToken"));
    assert!(matches!(err, AzureError::Auth(_)), "{err:?}");
    assert_eq!(
        emu::statuses(&e, "GET", "resourceGroups/rg-twice"),
        [401, 401]
    );
    assert_eq!(token_statuses(&e), [200, 200], "one fresh token, no more");
}

#[tokio::test]
async fn emulator_wrong_audience_is_a_configuration_error_not_a_refresh() {
    let e = emu::start(|c| c).await;
    let c = client(&emu::settings(&e));
    let ctx = Ctx::background();
    e.set_faults(vec![status_fault(
        "GET",
        "/subscriptions/*/resourceGroups/rg-aud",
        401,
        "InvalidAuthenticationTokenAudience",
        None,
    )]);
    let err = c
        .arm()
        .get(&ctx, &emu::rg("rg-aud"), API)
        .await
        .expect_err("audience");
    assert_eq!(err.code(), Some("InvalidAuthenticationTokenAudience"));
    assert_eq!(emu::statuses(&e, "GET", "resourceGroups/rg-aud"), [401]);
    assert_eq!(token_statuses(&e), [200], "no refresh for a wrong audience");
}

#[tokio::test]
async fn emulator_token_endpoint_503_twice_then_ok_succeeds() {
    let e = emu::start(|c| c).await;
    e.set_faults(vec![status_fault(
        "POST",
        "/*/oauth2/v2.0/token",
        503,
        "temporarily_unavailable",
        Some(0),
    )
    .nth(&[1, 2])]);
    let c = client(&emu::settings(&e));
    let rg = c
        .arm()
        .put(
            &Ctx::background(),
            &emu::rg("rg-token-503"),
            API,
            &json!({"location": "westeurope"}),
        )
        .await
        .expect("put after two 503s from the token endpoint");
    assert_eq!(rg["name"], "rg-token-503");
    assert_eq!(token_statuses(&e), [503, 503, 200]);
    assert_eq!(c.active_credential(), Some("client secret"));
}

#[tokio::test]
async fn emulator_token_endpoint_503_forever_names_the_status_and_attempts_not_the_secret() {
    let e = emu::start(|c| c).await;
    e.set_faults(vec![status_fault(
        "POST",
        "/*/oauth2/v2.0/token",
        503,
        "temporarily_unavailable",
        Some(0),
    )]);
    let s = emu::settings(&e);
    let err = client(&s)
        .arm()
        .get(&Ctx::background(), &emu::rg("x"), API)
        .await
        .expect_err("token endpoint down");
    let AzureError::TokenEndpoint(f) = &err else {
        panic!("expected a token endpoint error, got {err:?}");
    };
    assert_eq!(f.statuses, [503, 503, 503, 503]);
    assert_eq!(f.error.as_deref(), Some("temporarily_unavailable"));
    // max_attempts, like ARM; no ARM request without a token.
    assert_eq!(token_statuses(&e).len(), s.retry.max_attempts as usize);
    assert_eq!(emu::count(&e, "GET", "resourceGroups"), 0);
    let summary = err.summary();
    let detail = err.detail();
    assert_eq!(
        summary,
        "Azure's token endpoint is unavailable (HTTP 503: temporarily_unavailable)"
    );
    assert!(detail.contains("answered HTTP 503 4 times"), "{detail}");
    assert!(detail.contains("Attempts: 4"), "{detail}");
    assert!(detail.contains("were not rejected"), "{detail}");
    for blame in ["authentication failed", "invalid", "wrong", emu::E_SECRET] {
        assert!(!summary.contains(blame), "{summary}");
        assert!(!detail.contains(blame), "{blame}: {detail}");
    }
}

#[tokio::test]
async fn emulator_wrong_secret_names_invalid_client_and_is_not_retried() {
    let e = emu::start(|c| c).await;
    let s = Settings {
        client_secret: Some(Sensitive::new("not-the-secret-XYZ")),
        ..emu::settings(&e)
    };
    let err = client(&s)
        .arm()
        .get(&Ctx::background(), &emu::rg("x"), API)
        .await
        .expect_err("bad secret");
    assert!(matches!(err, AzureError::Credential { .. }), "{err:?}");
    let d = err.detail();
    assert!(d.contains("client secret: failed"), "{d}");
    assert!(d.contains("HTTP 401") || d.contains("HTTP 400"), "{d}");
    assert!(d.contains("invalid_client"), "{d}");
    assert!(d.contains("AADSTS7000215"), "{d}");
    assert!(d.contains("rejected the client credentials"), "{d}");
    assert!(!d.contains("not-the-secret-XYZ"), "{d}");
    assert_eq!(token_statuses(&e).len(), 1, "not retried");
}

#[tokio::test]
async fn emulator_token_endpoint_backoff_ends_at_cancel() {
    let e = emu::start(|c| c).await;
    e.set_faults(vec![status_fault(
        "POST",
        "/*/oauth2/v2.0/token",
        503,
        "temporarily_unavailable",
        Some(30),
    )]);
    let c = client(&emu::settings(&e));
    let ctx = Ctx::background();
    let cancel = ctx.token().clone();
    let task = tokio::spawn({
        let ctx = ctx.clone();
        async move { c.arm().get(&ctx, &emu::rg("x"), API).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let at = Instant::now();
    cancel.cancel();
    let res = task.await.expect("join");
    assert!(matches!(res, Err(AzureError::Cancelled { .. })), "{res:?}");
    assert!(at.elapsed() < Duration::from_millis(200));
    assert_eq!(token_statuses(&e), [503], "waiting out the Retry-After");
}

/// Entra's own shape for an outage (OAuth `error`, AADSTS numbers) and a `Retry-After`
/// that is honoured; the stub scripts what the emulator's faults cannot (their body is
/// ARM's envelope).
#[tokio::test]
async fn entra_shaped_503_with_retry_after_is_waited_out_and_then_succeeds() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let m = Mock::start(move |r: &Req| {
        if r.is_token() && seen.fetch_add(1, Ordering::SeqCst) == 0 {
            return Some(
                Resp::json(
                    503,
                    json!({"error":"temporarily_unavailable","error_description":"AADSTS50196: The server is temporarily unavailable.","error_codes":[50196]}),
                )
                .with("Retry-After", "1"),
            );
        }
        (r.path == RG).then(ok_rg)
    })
    .await;
    let c = client(&settings(&m));
    let at = Instant::now();
    c.arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect("after one 503");
    assert!(
        at.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 was honoured ({:?})",
        at.elapsed()
    );
    assert_eq!(m.token_calls(), 2);

    // And when it never recovers, the error names Entra's code and number.
    let m = Mock::start(|r: &Req| {
        r.is_token().then(|| {
            Resp::json(
                503,
                json!({"error":"temporarily_unavailable","error_description":"AADSTS50196: The server is temporarily unavailable.","error_codes":[50196]}),
            )
        })
    })
    .await;
    let err = client(&settings(&m))
        .arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect_err("down");
    assert_eq!(
        err.summary(),
        "Azure's token endpoint is unavailable (HTTP 503: temporarily_unavailable, AADSTS50196)"
    );
    assert_eq!(m.token_calls(), 4);
}

/// The managed identity endpoint is retried the same way (IMDS and App Service answer
/// 429 and 5xx under load), and its 4xx is not.
#[tokio::test]
async fn managed_identity_endpoint_503_is_retried_and_400_is_not() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let m = Mock::start(move |r: &Req| match r.path.as_str() {
        "/msi/imds" => Some(if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            Resp::json(
                503,
                json!({"error":"service_unavailable","error_description":"IMDS is busy"}),
            )
            .with("Retry-After", "0")
        } else {
            Resp::json(
                200,
                json!({"access_token":"msi-imds-token","expires_in":"3599","token_type":"Bearer"}),
            )
        }),
        "/msi/missing" => Some(Resp::json(
            400,
            json!({"error":"invalid_request","error_description":"Identity not found"}),
        )),
        p if p == RG => Some(ok_rg()),
        _ => None,
    })
    .await;
    let base = Settings {
        client_secret: None,
        tenant_id: None,
        client_id: None,
        use_msi: true,
        ..settings(&m)
    };
    let ok = Settings {
        msi_endpoint: Some(format!("{}/msi/imds", m.base)),
        ..base.clone()
    };
    client(&ok)
        .arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect("after one 503");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let missing = Settings {
        msi_endpoint: Some(format!("{}/msi/missing", m.base)),
        ..base
    };
    let err = client(&missing)
        .arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect_err("no identity");
    let d = err.detail();
    assert!(
        d.contains("HTTP 400 (invalid_request): Identity not found"),
        "{d}"
    );
    assert_eq!(m.count("GET", "/msi/missing"), 1, "a 4xx is not retried");
}
