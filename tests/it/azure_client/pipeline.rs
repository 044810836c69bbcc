//! The HTTP pipeline: retries (Retry-After, exact counts, bounded attempts, connection
//! failures), token refresh, typed errors, headers, client-side throttling, refused
//! endpoints and cancellation.

use super::*;

#[tokio::test]
async fn retries_honour_retry_after_and_count_exactly() {
    let n = Arc::new(AtomicUsize::new(0));
    let k = n.clone();
    let m = Mock::start(move |r: &Req| {
        if r.path != RG {
            return None;
        }
        let i = k.fetch_add(1, Ordering::SeqCst);
        Some(match i {
            0 => Resp::error(429, "TooManyRequests", "The request is being throttled.")
                .with("Retry-After", "0"),
            1 => Resp::error(503, "ServiceUnavailable", "busy").with("retry-after-ms", "5"),
            2 => Resp::error(
                409,
                "AnotherOperationInProgress",
                "Another operation on this or dependent resource is in progress.",
            )
            .with("x-ms-retry-after-ms", "5"),
            3 => Resp::error(429, "RetryableError", "A retryable error occurred.").with(
                "Retry-After",
                &httpdate::fmt_http_date(std::time::SystemTime::now()),
            ),
            _ => ok_rg(),
        })
    })
    .await;
    let s = Settings {
        retry: RetryPolicy {
            max_attempts: 5,
            ..settings(&m).retry
        },
        ..settings(&m)
    };
    let c = client(&s);
    c.arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect("eventually");
    assert_eq!(
        m.count("GET", RG),
        5,
        "four transient failures, then success"
    );
    let ids: Vec<String> = m
        .journal()
        .iter()
        .filter(|r| r.path == RG)
        .filter_map(|r| r.h("x-ms-client-request-id").map(str::to_string))
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "a new client request id per attempt");
}

#[tokio::test]
async fn attempts_are_bounded_and_non_retryable_statuses_fail_at_once() {
    let m = Mock::start(|r: &Req| match r.path.as_str() {
        "/always500" => Some(Resp::error(500, "InternalServerError", "boom")),
        "/notimpl" => Some(Resp::error(501, "NotImplemented", "nope")),
        "/bad" => Some(Resp::error(400, "InvalidRequestContent", "bad body")),
        "/slow" => Some(Resp::error(429, "TooManyRequests", "later").with("Retry-After", "3600")),
        _ => None,
    })
    .await;
    let c = client(&settings(&m));
    let ctx = Ctx::background();
    let err = c.arm().get(&ctx, "/always500", API).await.expect_err("500");
    assert_eq!(m.count("GET", "/always500"), 4, "max_attempts = 4");
    assert_eq!(err.api().map(|a| a.attempts), Some(4));
    assert!(matches!(err, AzureError::Api(_)));
    let err = c.arm().get(&ctx, "/notimpl", API).await.expect_err("501");
    assert_eq!(m.count("GET", "/notimpl"), 1);
    assert_eq!(err.status(), Some(501));
    let err = c.arm().get(&ctx, "/bad", API).await.expect_err("400");
    assert_eq!(m.count("GET", "/bad"), 1);
    assert_eq!(err.code(), Some("InvalidRequestContent"));
    // A Retry-After beyond the total budget (20 s) stops at once with Throttled.
    let started = Instant::now();
    let err = c.arm().get(&ctx, "/slow", API).await.expect_err("429");
    assert!(matches!(err, AzureError::Throttled(_)));
    assert_eq!(m.count("GET", "/slow"), 1);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn connection_failures_are_retried_then_reported() {
    // A port with nothing listening.
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    let m = Mock::start(|_: &Req| None).await;
    let mut s = settings(&m);
    s.endpoints.resource_manager_endpoint = Some(format!("https://127.0.0.1:{port}"));
    let c = client(&s);
    let err = c
        .arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect_err("refused");
    let AzureError::Transport { attempts, url, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*attempts, 4);
    assert!(url.contains(&port.to_string()));
    assert_eq!(err.summary(), "Could not reach Azure");
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once() {
    let n = Arc::new(AtomicUsize::new(0));
    let k = n.clone();
    let m = Mock::start(move |r: &Req| {
        (r.path == RG).then(|| {
            if k.fetch_add(1, Ordering::SeqCst) == 0 {
                Resp::error(
                    401,
                    "ExpiredAuthenticationToken",
                    "The access token expiry UTC time is earlier than current UTC time.",
                )
            } else {
                ok_rg()
            }
        })
    })
    .await;
    let c = client(&settings(&m));
    c.arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect("refreshed");
    assert_eq!(m.count("GET", RG), 2);
    assert_eq!(
        m.token_calls(),
        2,
        "the refused token is replaced by a fresh one (azure_identity's cache bypassed)"
    );
}

#[tokio::test]
async fn errors_map_to_typed_variants_with_ids() {
    let m = Mock::start(|r: &Req| match r.path.as_str() {
        "/nf" => Some(Resp::error(404, "ResourceNotFound", "The Resource 'Microsoft.Network/virtualNetworks/v9' under resource group 'rg1' was not found.")),
        "/forbidden" => Some(Resp::json(403, json!({"error":{"code":"AuthorizationFailed","message":"The client does not have authorization","details":[{"code":"Inner","message":"scope x","target":"t"}],"additionalInfo":[{"type":"PolicyViolation","info":{"policyDefinitionId":"p1"}}]}}))),
        "/unauth" => Some(Resp::error(401, "InvalidAuthenticationTokenAudience", "wrong audience")),
        "/conflict" => Some(Resp::error(409, "RoleAssignmentExists", "The role assignment already exists.")),
        "/unwrapped" => Some(Resp::json(400, json!({"code":"InvalidTemplate","message":"bad template","target":"properties"}))),
        _ => None,
    })
    .await;
    let c = client(&settings(&m));
    let ctx = Ctx::background();
    let err = c.arm().get(&ctx, "/nf", API).await.expect_err("404");
    assert!(err.is_not_found());
    let api = err.api().expect("api");
    assert_eq!(api.code.as_deref(), Some("ResourceNotFound"));
    assert!(api
        .request_id
        .as_deref()
        .is_some_and(|r| r.starts_with("req-")));
    assert_eq!(api.correlation_id.as_deref(), Some(ctx.correlation_id()));
    assert!(err.detail().contains("Correlation ID: "));
    let err = c.arm().get(&ctx, "/forbidden", API).await.expect_err("403");
    assert!(matches!(err, AzureError::Auth(_)));
    assert_eq!(
        err.summary(),
        "Not authorized in Azure: AuthorizationFailed"
    );
    let d = err.detail();
    assert!(d.contains("Inner: scope x (target t)"), "{d}");
    assert!(d.contains("PolicyViolation"), "{d}");
    let err = c.arm().get(&ctx, "/unauth", API).await.expect_err("401");
    assert_eq!(
        err.summary(),
        "Azure rejected the credentials: InvalidAuthenticationTokenAudience"
    );
    let err = c.arm().get(&ctx, "/conflict", API).await.expect_err("409");
    assert!(matches!(err, AzureError::Conflict(_)));
    let err = c.arm().get(&ctx, "/unwrapped", API).await.expect_err("400");
    assert_eq!(err.code(), Some("InvalidTemplate"));
    assert_eq!(
        err.api().and_then(|a| a.target.as_deref()),
        Some("properties")
    );
}

#[tokio::test]
async fn headers_user_agent_and_correlation() {
    let m = Mock::start(|r: &Req| (r.path == RG).then(ok_rg)).await;
    let c = client(&settings(&m));
    let op1 = Ctx::background();
    let op2 = Ctx::background();
    c.arm().get(&op1, RG, API).await.expect("1");
    c.arm().get(&op1, RG, API).await.expect("2");
    c.arm().get(&op2, RG, API).await.expect("3");
    let j: Vec<Req> = m.journal().into_iter().filter(|r| r.path == RG).collect();
    let ua = j[0].h("user-agent").expect("ua");
    assert_eq!(
        ua,
        format!(
            "terraform-provider-aifactory/{} terraform/1.11.4",
            env!("CARGO_PKG_VERSION")
        )
    );
    let corr: Vec<&str> = j
        .iter()
        .filter_map(|r| r.h("x-ms-correlation-request-id"))
        .collect();
    assert_eq!(
        corr,
        [
            op1.correlation_id(),
            op1.correlation_id(),
            op2.correlation_id()
        ]
    );
    let client_ids: Vec<&str> = j
        .iter()
        .filter_map(|r| r.h("x-ms-client-request-id"))
        .collect();
    assert_eq!(client_ids.len(), 3);
    assert_ne!(client_ids[0], client_ids[1]);
    assert!(j
        .iter()
        .all(|r| r.h("x-ms-return-client-request-id") == Some("true")));
}

#[tokio::test]
async fn client_side_bucket_paces_reads() {
    let m = Mock::start(|r: &Req| (r.path == RG).then(ok_rg)).await;
    let s = Settings {
        throttle: ThrottleSettings {
            enabled: true,
            reads: aifactory_azure::BucketConfig {
                burst: 5.0,
                per_second: 20.0,
            },
            ..Default::default()
        },
        // A principal of its own, so no other test shares these buckets.
        client_id: Some("throttle-test-principal".into()),
        ..settings(&m)
    };
    let c = client(&s);
    let ctx = Ctx::background();
    // Warm the token so only the bucket is measured.
    c.token(&ctx, "https://management.azure.com/.default")
        .await
        .expect("token");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..15 {
        let c = c.clone();
        let ctx = ctx.clone();
        tasks.push(tokio::spawn(
            async move { c.arm().get(&ctx, RG, API).await },
        ));
    }
    for t in tasks {
        t.await.expect("join").expect("get");
    }
    let took = started.elapsed();
    // 5 at once, then 10 more at 20/s (less 5 % headroom): at least 0.5 s.
    assert!(took >= Duration::from_millis(480), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(m.count("GET", RG), 15);
}

#[tokio::test]
async fn plain_http_endpoints_and_bad_ca_files_are_refused() {
    let s = Settings {
        endpoints: CloudOverrides {
            resource_manager_endpoint: Some("http://127.0.0.1:9".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let err = AzureClient::new(&s).expect_err("http");
    assert!(
        matches!(&err, AzureError::Config { setting, .. } if setting == "resource_manager_endpoint")
    );
    assert!(err.summary().contains("resource_manager_endpoint"));
    let s = Settings {
        endpoints: CloudOverrides {
            authority_host: Some("http://127.0.0.1:9".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(AzureClient::new(&s).is_err());
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("ca.pem");
    std::fs::write(&bad, "garbage").expect("write");
    let s = Settings {
        ca_certificate_file: Some(bad),
        ..Default::default()
    };
    let err = AzureClient::new(&s).expect_err("bad ca");
    assert!(matches!(&err, AzureError::Config { setting, .. } if setting == "ca_certificate_file"));
    // Without the CA the stub's certificate is not trusted: a transport error, no retry.
    let m = Mock::start(|_: &Req| None).await;
    let s = Settings {
        ca_certificate_file: None,
        ..settings(&m)
    };
    let err = client(&s)
        .arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect_err("untrusted");
    assert!(
        matches!(
            err,
            AzureError::Credential { .. } | AzureError::Transport { .. }
        ),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Cancellation

#[tokio::test]
async fn cancel_ends_an_lro_wait_and_a_backoff_wait_promptly() {
    let m = Mock::start(move |r: &Req| {
        let host = r.h("host").unwrap_or_default().to_string();
        match (r.method.as_str(), r.path.as_str()) {
            ("PUT", _) => Some(
                Resp::json(201, json!({}))
                    .with("Azure-AsyncOperation", &format!("https://{host}/ops/slow"))
                    .with("Retry-After", "30"),
            ),
            ("GET", "/ops/slow") => {
                Some(Resp::json(200, json!({"status":"InProgress"})).with("Retry-After", "30"))
            }
            ("GET", "/throttled") => {
                Some(Resp::error(429, "TooManyRequests", "wait").with("Retry-After", "15"))
            }
            _ => None,
        }
    })
    .await;
    let c = client(&settings(&m));
    // Warm the token: only the waits are measured.
    c.token(&Ctx::background(), "https://management.azure.com/.default")
        .await
        .expect("token");

    for which in ["lro", "backoff"] {
        let ctx = Ctx::background();
        let cancel = ctx.token().clone();
        let c2 = c.clone();
        let ctx2 = ctx.clone();
        let task = tokio::spawn(async move {
            if which == "lro" {
                c2.arm().put(&ctx2, RG, API, &json!({})).await.map(|_| ())
            } else {
                c2.arm().get(&ctx2, "/throttled", API).await.map(|_| ())
            }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        let at = Instant::now();
        cancel.cancel();
        let res = task.await.expect("join");
        let took = at.elapsed();
        assert!(
            matches!(res, Err(AzureError::Cancelled { .. })),
            "{which}: {res:?}"
        );
        assert!(
            took < Duration::from_millis(100),
            "{which} ended {took:?} after cancel"
        );
    }
    // A deadline ends a wait the same way.
    let ctx = Ctx::background().with_timeout(Duration::from_millis(200));
    let at = Instant::now();
    let err = c
        .arm()
        .put(&ctx, RG, API, &json!({}))
        .await
        .expect_err("deadline");
    assert!(
        matches!(
            err,
            AzureError::Cancelled {
                reason: aifactory_azure::CancelReason::DeadlineExceeded,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(at.elapsed() < Duration::from_millis(400));
}
