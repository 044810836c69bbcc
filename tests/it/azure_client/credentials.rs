//! Credentials: client secret (cached bearer), OIDC (setting, file, GitHub, Azure DevOps,
//! TFC), managed identity (App Service, custom endpoint), Azure CLI, certificates, the
//! fall-through order and the one diagnostic when nothing works; settings from an
//! explicit environment.

use super::*;

#[tokio::test]
async fn client_secret_token_is_cached_and_sent_as_bearer() {
    let m = Mock::start(|r: &Req| (r.method == "GET" && r.path == RG).then(ok_rg)).await;
    let c = client(&settings(&m));
    let ctx = Ctx::background();
    for _ in 0..3 {
        let rg = c.arm().get(&ctx, RG, API).await.expect("get");
        assert_eq!(rg["name"], "rg1");
    }
    assert_eq!(m.token_calls(), 1, "one token for three calls");
    let j = m.journal();
    let token_req = j.iter().find(|r| r.is_token()).expect("token request");
    assert_eq!(token_req.path, format!("/{TENANT}/oauth2/v2.0/token"));
    let f = token_req.form();
    assert_eq!(
        f.get("grant_type").map(String::as_str),
        Some("client_credentials")
    );
    assert_eq!(f.get("client_id").map(String::as_str), Some(CLIENT));
    assert_eq!(f.get("client_secret").map(String::as_str), Some(SECRET));
    assert_eq!(
        f.get("scope").map(String::as_str),
        Some("https://management.azure.com/.default")
    );
    let gets: Vec<&Req> = j.iter().filter(|r| r.path == RG).collect();
    assert_eq!(gets.len(), 3);
    for g in &gets {
        assert_eq!(
            g.h("authorization"),
            Some("Bearer access-token-secret-https://management.azure.com/.default")
        );
        assert_eq!(g.q("api-version"), Some(API));
    }
    assert_eq!(c.active_credential(), Some("client secret"));
}

#[tokio::test]
async fn oidc_token_from_setting_and_from_file() {
    let m = Mock::start(|r: &Req| (r.path == RG).then(ok_rg)).await;
    let base = Settings {
        client_secret: None,
        use_oidc: true,
        ..settings(&m)
    };
    let direct = Settings {
        oidc_token: Some(Sensitive::new("oidc-jwt-direct")),
        ..base.clone()
    };
    client(&direct)
        .arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect("direct");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("token");
    std::fs::write(&file, "oidc-jwt-from-file\n").expect("write");
    let from_file = Settings {
        oidc_token_file_path: Some(file),
        ..base
    };
    let c = client(&from_file);
    c.arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect("file");
    assert_eq!(c.active_credential(), Some("OIDC token file"));
    let assertions: Vec<String> = m
        .journal()
        .iter()
        .filter(|r| r.is_token())
        .map(|r| {
            let f = r.form();
            assert_eq!(
                f.get("client_assertion_type").map(String::as_str),
                Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            );
            f.get("client_assertion").cloned().unwrap_or_default()
        })
        .collect();
    assert_eq!(assertions, ["oidc-jwt-direct", "oidc-jwt-from-file"]);
}

#[tokio::test]
async fn github_style_request_url_and_azure_devops_and_tfc() {
    let m = Mock::start(|r: &Req| match r.path.as_str() {
        "/gh/token" => {
            assert_eq!(r.h("authorization"), Some("Bearer gh-request-bearer"));
            assert_eq!(r.q("audience"), Some("api://AzureADTokenExchange"));
            assert_eq!(r.q("keep"), Some("1"));
            Some(Resp::json(200, json!({"value": "gh-oidc-jwt"})))
        }
        "/ado/oidctoken" => {
            assert_eq!(r.method, "POST");
            assert_eq!(r.h("authorization"), Some("Bearer ado-system-token"));
            assert_eq!(r.q("api-version"), Some("7.1"));
            assert_eq!(r.q("serviceConnectionId"), Some("conn-42"));
            Some(Resp::json(200, json!({"oidcToken": "ado-oidc-jwt"})))
        }
        p if p == RG => Some(ok_rg()),
        _ => None,
    })
    .await;
    let base = Settings {
        client_secret: None,
        use_oidc: true,
        ..settings(&m)
    };
    let gh = Settings {
        oidc_request_url: Some(format!("{}/gh/token?keep=1", m.base)),
        oidc_request_token: Some(Sensitive::new("gh-request-bearer")),
        ..base.clone()
    };
    let c = client(&gh);
    c.arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect("github");
    assert_eq!(c.active_credential(), Some("GitHub Actions OIDC"));

    let ado = Settings {
        ado_pipeline_service_connection_id: Some("conn-42".into()),
        ado_oidc_request_uri: Some(format!("{}/ado/oidctoken", m.base)),
        ado_system_access_token: Some(Sensitive::new("ado-system-token")),
        ..base.clone()
    };
    let c = client(&ado);
    c.arm().get(&Ctx::background(), RG, API).await.expect("ado");
    assert_eq!(c.active_credential(), Some("Azure DevOps OIDC"));

    let tfc = Settings {
        tfc_workload_identity_token: Some(Sensitive::new("tfc-jwt")),
        ..base
    };
    let c = client(&tfc);
    c.arm().get(&Ctx::background(), RG, API).await.expect("tfc");
    assert_eq!(
        c.active_credential(),
        Some("HCP Terraform workload identity")
    );

    let assertions: Vec<String> = m
        .journal()
        .iter()
        .filter(|r| r.is_token())
        .filter_map(|r| r.form().get("client_assertion").cloned())
        .collect();
    assert_eq!(assertions, ["gh-oidc-jwt", "ado-oidc-jwt", "tfc-jwt"]);
    assert_eq!(m.count("GET", "/gh/token"), 1);
    assert_eq!(m.count("POST", "/ado/oidctoken"), 1);
}

#[tokio::test]
async fn app_service_and_custom_endpoint_managed_identity() {
    let m = Mock::start(|r: &Req| match r.path.as_str() {
        "/msi/appservice" => {
            assert_eq!(r.h("x-identity-header"), Some("identity-header-secret"));
            assert_eq!(r.q("api-version"), Some("2019-08-01"));
            assert_eq!(r.q("resource"), Some("https://management.azure.com/"));
            assert_eq!(r.q("client_id"), Some(CLIENT));
            Some(Resp::json(200, json!({"access_token":"msi-app-token","expires_on":"4102444800","resource":"https://management.azure.com/","token_type":"Bearer"})))
        }
        "/msi/imds" => {
            assert_eq!(r.h("metadata"), Some("true"));
            assert_eq!(r.q("api-version"), Some("2018-02-01"));
            Some(Resp::json(200, json!({"access_token":"msi-imds-token","expires_in":"3599","token_type":"Bearer"})))
        }
        p if p == RG => Some(ok_rg()),
        _ => None,
    })
    .await;
    let base = Settings {
        client_secret: None,
        tenant_id: None,
        use_msi: true,
        ..settings(&m)
    };
    let app = Settings {
        identity_endpoint: Some(format!("{}/msi/appservice", m.base)),
        identity_header: Some(Sensitive::new("identity-header-secret")),
        ..base.clone()
    };
    let c = client(&app);
    c.arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect("app service");
    assert_eq!(c.active_credential(), Some("managed identity"));
    let custom = Settings {
        msi_endpoint: Some(format!("{}/msi/imds", m.base)),
        client_id: None,
        ..base
    };
    client(&custom)
        .arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect("custom endpoint");
    let bearers: Vec<String> = m
        .journal()
        .iter()
        .filter(|r| r.path == RG)
        .filter_map(|r| r.h("authorization").map(str::to_string))
        .collect();
    assert_eq!(bearers, ["Bearer msi-app-token", "Bearer msi-imds-token"]);
    assert_eq!(m.token_calls(), 0, "no Entra call for managed identity");
}

fn stand_in_az(dir: &std::path::Path, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let az = dir.join("az");
    std::fs::write(&az, format!("#!/bin/sh\n{body}\n")).expect("write az");
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    format!("{}:/usr/bin:/bin", dir.display())
}

#[tokio::test]
async fn azure_cli_through_a_stand_in_az() {
    let m = Mock::start(|r: &Req| (r.path == RG).then(ok_rg)).await;
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("args");
    let path = stand_in_az(
        dir.path(),
        &format!(
            "echo \"$@\" >> {}\ncat <<'EOF'\n{{\"accessToken\":\"cli-access-token\",\"expiresOn\":\"2100-01-01 00:00:00.000000\",\"expires_on\":4102444800,\"subscription\":\"{SUB}\",\"tenant\":\"{TENANT}\",\"tokenType\":\"Bearer\"}}\nEOF",
            log.display()
        ),
    );
    let s = Settings {
        client_secret: None,
        client_id: None,
        use_cli: true,
        cli_path: Some(path),
        ..settings(&m)
    };
    let c = client(&s);
    for _ in 0..2 {
        c.arm().get(&Ctx::background(), RG, API).await.expect("cli");
    }
    assert_eq!(c.active_credential(), Some("Azure CLI"));
    let args = std::fs::read_to_string(&log).expect("args");
    assert_eq!(args.lines().count(), 1, "the CLI token is cached: {args}");
    assert!(args.contains(
        "account get-access-token -o json --scope https://management.azure.com/.default"
    ));
    assert!(args.contains(&format!("--tenant {TENANT}")));
    let auth = m
        .journal()
        .iter()
        .find(|r| r.path == RG)
        .and_then(|r| r.h("authorization").map(str::to_string));
    assert_eq!(auth.as_deref(), Some("Bearer cli-access-token"));
}

#[tokio::test]
async fn certificate_credential_signs_an_assertion() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let run = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .current_dir(d)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    let made = run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "1",
        "-nodes",
        "-subj",
        "/CN=aifactory-test",
    ]) && run(&[
        "pkcs12",
        "-export",
        "-out",
        "cert.pfx",
        "-inkey",
        "key.pem",
        "-in",
        "cert.pem",
        "-passout",
        "pass:pfx-password",
    ]);
    if !made {
        eprintln!("note: the openssl CLI is not available; certificate credential test skipped");
        return;
    }
    let m = Mock::start(|r: &Req| (r.path == RG).then(ok_rg)).await;
    let s = Settings {
        client_secret: None,
        client_certificate_path: Some(d.join("cert.pfx")),
        client_certificate_password: Some(Sensitive::new("pfx-password")),
        ..settings(&m)
    };
    let c = client(&s);
    c.arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect("cert");
    assert_eq!(c.active_credential(), Some("client certificate"));
    let j = m.journal();
    let f = j.iter().find(|r| r.is_token()).expect("token").form();
    let assertion = f.get("client_assertion").expect("assertion");
    assert_eq!(assertion.split('.').count(), 3, "a signed JWT");
    use base64::Engine;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(assertion.split('.').next().unwrap_or_default())
        .expect("b64");
    let header: Json = serde_json::from_slice(&header).expect("json");
    assert_eq!(header["alg"], "RS256");
    assert!(header.get("x5t").is_some());
}

#[tokio::test]
async fn a_failing_method_falls_through_to_the_next() {
    let m = Mock::start(|r: &Req| {
        if r.is_token() && r.form().contains_key("client_secret") {
            return Some(Resp::json(401, json!({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]})));
        }
        (r.path == RG).then(ok_rg)
    })
    .await;
    let s = Settings {
        use_oidc: true,
        oidc_token: Some(Sensitive::new("fallback-oidc-jwt")),
        ..settings(&m)
    };
    let c = client(&s);
    c.arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect("fallback");
    assert_eq!(c.active_credential(), Some("OIDC token"));
    // Later calls go straight to the method that worked.
    c.arm()
        .get(&Ctx::background(), RG, "2022-09-01")
        .await
        .expect("again");
    assert_eq!(
        m.token_calls(),
        2,
        "one failed secret attempt, one assertion"
    );
}

#[tokio::test]
async fn when_nothing_works_one_diagnostic_lists_every_method() {
    let m = Mock::start(|r: &Req| {
        if r.is_token() {
            return Some(Resp::json(401, json!({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."})));
        }
        if r.path == "/msi/imds" {
            return Some(Resp::json(400, json!({"error":"invalid_request","error_description":"Identity not found"})));
        }
        None
    })
    .await;
    let empty_path = tempfile::tempdir().expect("dir");
    let s = Settings {
        use_oidc: true,
        oidc_token_file_path: Some(empty_path.path().join("missing-token")),
        use_msi: true,
        msi_endpoint: Some(format!("{}/msi/imds", m.base)),
        use_cli: true,
        cli_path: Some(empty_path.path().display().to_string()),
        ..settings(&m)
    };
    let c = client(&s);
    let err = c
        .arm()
        .get(&Ctx::background(), RG, API)
        .await
        .expect_err("no credential");
    let AzureError::Credential { attempts } = &err else {
        panic!("expected a credential error, got {err:?}");
    };
    let table: Vec<(&str, &str)> = attempts
        .iter()
        .map(|a| {
            (
                a.method.as_str(),
                match a.outcome {
                    AttemptOutcome::Skipped(_) => "skipped",
                    AttemptOutcome::Failed(_) => "failed",
                },
            )
        })
        .collect();
    assert_eq!(
        table,
        [
            ("client certificate", "skipped"),
            ("client secret", "failed"),
            ("OIDC token", "skipped"),
            ("OIDC token file", "failed"),
            ("Azure DevOps OIDC", "skipped"),
            ("GitHub Actions OIDC", "skipped"),
            ("HCP Terraform workload identity", "skipped"),
            ("managed identity", "failed"),
            ("Azure CLI", "failed"),
        ]
    );
    let detail = err.detail();
    assert_eq!(err.summary(), "No Azure credential could authenticate");
    assert!(detail.contains("AADSTS7000215"), "{detail}");
    assert!(detail.contains("missing-token"), "{detail}");
    assert!(detail.contains("Identity not found"), "{detail}");
    assert!(detail.contains("az"), "{detail}");
    assert!(detail.contains("ARM_CLIENT_CERTIFICATE_PATH"), "{detail}");
    assert!(!detail.contains(SECRET), "secret leaked: {detail}");
    assert_eq!(m.count("GET", RG), 0, "no ARM call without a token");
}

#[test]
fn settings_from_an_explicit_environment() {
    let vars: aifactory_azure::EnvVars = [
        ("ARM_CLIENT_ID", "c"),
        ("ARM_TENANT_ID", "t"),
        ("ARM_CLIENT_CERTIFICATE_PATH", "/tmp/x.pfx"),
        ("ARM_CLIENT_CERTIFICATE_PASSWORD", "pw"),
        ("ARM_USE_MSI", "true"),
        ("ARM_MSI_ENDPOINT", "http://127.0.0.1:1/msi"),
        ("IDENTITY_ENDPOINT", "http://127.0.0.1:2/id"),
        ("IDENTITY_HEADER", "h"),
        ("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "conn"),
        ("SYSTEM_ACCESSTOKEN", "sat"),
        ("SYSTEM_OIDCREQUESTURI", "https://dev.azure.com/x"),
        ("TFC_WORKLOAD_IDENTITY_TOKEN", "tfc"),
        ("ARM_ENVIRONMENT", "usgovernment"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let s = Settings::from_vars_and(&vars, &aifactory_azure::NoConfig);
    assert_eq!(
        s.client_certificate_path.as_deref(),
        Some(std::path::Path::new("/tmp/x.pfx"))
    );
    assert!(s.use_msi);
    assert_eq!(s.msi_endpoint.as_deref(), Some("http://127.0.0.1:1/msi"));
    assert_eq!(
        s.identity_endpoint.as_deref(),
        Some("http://127.0.0.1:2/id")
    );
    assert_eq!(
        s.ado_pipeline_service_connection_id.as_deref(),
        Some("conn")
    );
    assert_eq!(
        s.ado_oidc_request_uri.as_deref(),
        Some("https://dev.azure.com/x")
    );
    assert_eq!(
        s.tfc_workload_identity_token
            .as_ref()
            .map(Sensitive::expose),
        Some("tfc")
    );
    let cloud = s.cloud().expect("cloud");
    assert_eq!(
        cloud.resource_manager.as_str(),
        "https://management.usgovcloudapi.net/"
    );
}
