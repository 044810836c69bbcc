//! Redaction: no secret, token or assertion in TRACE logs, diagnostics or Debug output.

use super::*;

#[tokio::test]
async fn no_secret_token_or_assertion_in_trace_logs_or_diagnostics() {
    let m = Mock::start(move |r: &Req| {
        let host = r.h("host").unwrap_or_default().to_string();
        if r.path == "/gh/token" {
            return Some(Resp::json(200, json!({"value": "gh-assertion-SECRET-JWT"})));
        }
        if r.is_token() && r.form().contains_key("client_secret") {
            return Some(Resp::json(200, json!({"token_type":"Bearer","expires_in":3600,"access_token":"arm-ACCESS-TOKEN-abc123"})));
        }
        if r.is_token() {
            return Some(Resp::json(200, json!({"token_type":"Bearer","expires_in":3600,"access_token":"storage-ACCESS-TOKEN-def456"})));
        }
        match (r.method.as_str(), r.path.as_str()) {
            ("PUT", p) if p == RG => Some(Resp::empty(202).with("Location", &format!("https://{host}/res/1?sig=SAS-SIGNATURE-xyz&code=AUTHCODE-777"))),
            ("GET", "/res/1") => Some(Resp::empty(200)),
            ("GET", p) if p == RG => Some(ok_rg()),
            ("GET", "/denied") => Some(Resp::error(403, "AuthorizationFailed", "no")),
            ("PUT", "/dfs/acct/lake") => Some(Resp::empty(201)),
            _ => None,
        }
    })
    .await;
    // The process-wide TRACE capture (installed by the first stub of this binary): every
    // test's log lines land in it, so the check below covers them all.
    let buf = trace_capture();

    let s = settings(&m);
    let c = client(&s);
    let ctx = Ctx::background();
    c.arm()
        .put(&ctx, RG, API, &json!({"location":"westeurope"}))
        .await
        .expect("put");
    let err = c.arm().get(&ctx, "/denied", API).await.expect_err("403");
    c.dfs("acct")
        .expect("dfs")
        .create_filesystem(&ctx, "lake")
        .await
        .expect("fs");
    // An OIDC (GitHub-style) round trip in the same capture.
    let oidc = Settings {
        client_secret: None,
        use_oidc: true,
        oidc_request_url: Some(format!("{}/gh/token", m.base)),
        oidc_request_token: Some(Sensitive::new("gh-REQUEST-BEARER-555")),
        client_id: Some("redaction-oidc".into()),
        ..settings(&m)
    };
    client(&oidc)
        .arm()
        .get(&ctx, RG, API)
        .await
        .expect("oidc get");

    let text = String::from_utf8(buf.0.lock().expect("capture").clone()).expect("utf8");
    let ours: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(ctx.correlation_id()))
        .collect();
    assert!(
        ours.iter().filter(|l| l.contains("azure request")).count() >= 5,
        "the traffic log lines of this test are there: {ours:?}"
    );
    assert!(
        text.contains("REDACTED"),
        "the SAS signature was masked: {text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("azure request") && l.contains("/oauth2/v2.0/token")),
        "token requests are in the traffic log too"
    );
    let diag = format!("{}\n{}\n{:?}\n{:?}", err.summary(), err.detail(), err, s);
    for secret in [
        SECRET,
        "arm-ACCESS-TOKEN-abc123",
        "storage-ACCESS-TOKEN-def456",
        "gh-assertion-SECRET-JWT",
        "gh-REQUEST-BEARER-555",
        "SAS-SIGNATURE-xyz",
        "AUTHCODE-777",
        // Secrets of the other tests of this binary that may have run before.
        "identity-header-secret",
        "msi-app-token",
        "cli-access-token",
        "oidc-jwt-direct",
        "oidc-jwt-from-file",
        "ado-system-token",
        "gh-request-bearer",
        "pfx-password",
    ] {
        assert!(!text.contains(secret), "{secret} appeared in the trace log");
        assert!(
            !diag.contains(secret),
            "{secret} appeared in a diagnostic or Debug output"
        );
    }
    // The round trip really used them.
    let j = m.journal();
    assert!(j
        .iter()
        .any(|r| r.h("authorization") == Some("Bearer storage-ACCESS-TOKEN-def456")));
    assert!(j
        .iter()
        .any(|r| r.form().get("client_assertion").map(String::as_str)
            == Some("gh-assertion-SECRET-JWT")));
}
