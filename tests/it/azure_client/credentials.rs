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

/// The client-certificate fixtures (`certs/make.sh` made them with the OpenSSL CLI).
fn cert_fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/azure_client/certs")
        .join(name)
}

const PFX_PASSWORD: &str = "pfx-password";

fn b64url(v: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
}

fn jwt_part(jwt: &str, i: usize) -> Json {
    use base64::Engine;
    let part = jwt.split('.').nth(i).unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("json")
}

#[tokio::test]
async fn certificate_credential_signs_an_assertion() {
    let m = Mock::start(|r: &Req| (r.path == RG).then(ok_rg)).await;
    let s = Settings {
        client_secret: None,
        client_certificate_path: Some(cert_fixture("openssl3.pfx")),
        client_certificate_password: Some(Sensitive::new(PFX_PASSWORD)),
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
    assert_eq!(
        f.get("client_assertion_type").map(String::as_str),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    assert_eq!(f.get("client_id").map(String::as_str), Some(CLIENT));
    assert!(!f.contains_key("client_secret"));
    let assertion = f.get("client_assertion").expect("assertion");
    assert_eq!(assertion.split('.').count(), 3, "a signed JWT");
    let header = jwt_part(assertion, 0);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    // x5t: base64url of the SHA-1 of the certificate's DER.
    let pem = std::fs::read_to_string(cert_fixture("cert.pem")).expect("cert.pem");
    let der = rustls_pki_types::pem::PemObject::from_pem_slice(pem.as_bytes())
        .map(|c: rustls_pki_types::CertificateDer| c.to_vec())
        .expect("der");
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    assert_eq!(header["x5t"], b64url(sha1.as_ref()));
    let claims = jwt_part(assertion, 1);
    assert_eq!(
        claims["aud"],
        format!(
            "{}/{TENANT}/oauth2/v2.0/token",
            m.base.trim_end_matches('/')
        )
    );
    assert_eq!(claims["iss"], CLIENT);
    assert_eq!(claims["sub"], CLIENT);
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() == 36));
    let (nbf, exp) = (
        claims["nbf"].as_u64().expect("nbf"),
        claims["exp"].as_u64().expect("exp"),
    );
    assert_eq!(exp - nbf, 300);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    assert!(nbf <= now && now < exp, "valid now: {nbf} {now} {exp}");
}

/// Every container a user may have, against the emulator, which verifies the assertion's
/// signature with the registered certificate (and its audience, issuer and lifetime).
#[tokio::test]
async fn certificate_credentials_in_every_format_are_accepted_by_the_emulator() {
    use super::emulator::emu;
    const CERT_APP: &str = "88888888-8888-4888-8888-888888888801";
    let cert_pem = std::fs::read_to_string(cert_fixture("cert.pem")).expect("cert.pem");
    let e = emu::start(|c| c.with_certificate(CERT_APP, &cert_pem)).await;
    let read = |n: &str| std::fs::read(cert_fixture(n)).expect("fixture");
    let pem_key = |key: &str| pem_key_with("cert.pem", key);
    let cases: Vec<(&str, Settings)> = {
        let base = Settings {
            client_id: Some(CERT_APP.into()),
            client_secret: None,
            ..emu::settings(&e)
        };
        let path = |p: std::path::PathBuf, pw: Option<&str>| Settings {
            client_certificate_path: Some(p),
            client_certificate_password: pw.map(Sensitive::new),
            ..base.clone()
        };
        use base64::Engine;
        vec![
            (
                "PEM bundle (PKCS#8 key)",
                path(cert_fixture("bundle.pem"), None),
            ),
            (
                "PEM with a PKCS#1 key",
                path(pem_key("key-pkcs1.pem"), None),
            ),
            (
                "PEM with an encrypted PKCS#8 key",
                path(pem_key("key-encrypted.pem"), Some(PFX_PASSWORD)),
            ),
            (
                "PKCS#12 as OpenSSL 3 writes it (PBES2/AES-256)",
                path(cert_fixture("openssl3.pfx"), Some(PFX_PASSWORD)),
            ),
            (
                "PKCS#12 legacy (3DES key, RC2 certificates)",
                path(cert_fixture("legacy.pfx"), Some(PFX_PASSWORD)),
            ),
            (
                "PKCS#12 without a password",
                path(cert_fixture("nopassword.pfx"), None),
            ),
            (
                "PKCS#12 as base64 in client_certificate",
                Settings {
                    client_certificate: Some(Sensitive::new(
                        base64::engine::general_purpose::STANDARD.encode(read("legacy.pfx")),
                    )),
                    client_certificate_password: Some(Sensitive::new(PFX_PASSWORD)),
                    ..base.clone()
                },
            ),
        ]
    };
    for (name, s) in cases {
        let c = client(&s);
        c.arm()
            .list(
                &Ctx::background(),
                &format!("/subscriptions/{}/resourcegroups", emu::E_SUB),
                API,
            )
            .await
            .unwrap_or_else(|err| panic!("{name}: {}", err.detail()));
        assert_eq!(c.active_credential(), Some("client certificate"), "{name}");
    }
    // Seven assertions verified, seven tokens.
    let ok_tokens = e
        .journal()
        .iter()
        .filter(|j| j.path.ends_with("/oauth2/v2.0/token") && j.status == 200)
        .count();
    assert_eq!(ok_tokens, 7);

    // The certificate of another key: the file is refused before any request.
    let mismatch = pem_key_with("other-cert.pem", "key.pem");
    let err = client(&Settings {
        client_id: Some(CERT_APP.into()),
        client_secret: None,
        client_certificate_path: Some(mismatch),
        ..emu::settings(&e)
    })
    .arm()
    .get(&Ctx::background(), &emu::rg("x"), API)
    .await
    .expect_err("mismatch");
    assert!(
        err.detail().contains(
            "client certificate: failed, cannot load the PEM certificate: the private key does not belong to any certificate in the file"
        ),
        "{}",
        err.detail()
    );
}

/// A scratch directory for assembled PEM files (kept for the test process's life).
fn e_dir() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("dir"))
        .path()
        .to_path_buf()
}

fn pem_key_with(cert: &str, key: &str) -> std::path::PathBuf {
    let mut v = std::fs::read(cert_fixture(cert)).expect("cert");
    v.extend(std::fs::read(cert_fixture(key)).expect("key"));
    let p = e_dir().join(format!("{cert}+{key}"));
    std::fs::write(&p, v).expect("write");
    p
}

#[tokio::test]
async fn certificate_password_errors_are_clear_and_hold_no_secret() {
    let m = Mock::start(|r: &Req| (r.path == RG).then(ok_rg)).await;
    let run = |path: &str, pw: Option<&'static str>| {
        let s = Settings {
            client_secret: None,
            client_certificate_path: Some(match path {
                "encrypted.pem" => pem_key_with("cert.pem", "key-encrypted.pem"),
                p => cert_fixture(p),
            }),
            client_certificate_password: pw.map(Sensitive::new),
            ..settings(&m)
        };
        async move {
            let err = client(&s)
                .arm()
                .get(&Ctx::background(), RG, API)
                .await
                .expect_err("refused");
            err.detail()
        }
    };
    for (file, pw, want) in [
        (
            "openssl3.pfx",
            Some("wrong-password-xyz"),
            "cannot load the PKCS#12 certificate: the password is wrong; check client_certificate_password (ARM_CLIENT_CERTIFICATE_PASSWORD)",
        ),
        (
            "legacy.pfx",
            Some("wrong-password-xyz"),
            "cannot load the PKCS#12 certificate: the password is wrong",
        ),
        (
            "openssl3.pfx",
            None,
            "cannot load the PKCS#12 certificate: it is password-protected; set client_certificate_password (ARM_CLIENT_CERTIFICATE_PASSWORD)",
        ),
        (
            "encrypted.pem",
            Some("wrong-password-xyz"),
            "cannot load the PEM certificate: the password is wrong",
        ),
        (
            "encrypted.pem",
            None,
            "cannot load the PEM certificate: it is password-protected",
        ),
        (
            "cert.pem",
            None,
            "cannot load the PEM certificate: it holds no private key",
        ),
    ] {
        let d = run(file, pw).await;
        assert!(
            d.contains(&format!("client certificate: failed, {want}")),
            "{file}: {d}"
        );
        assert!(!d.contains("wrong-password-xyz"), "{d}");
        assert!(!d.contains("PRIVATE KEY"), "{d}");
    }
    assert_eq!(
        m.token_calls(),
        0,
        "nothing is sent for a certificate that does not load"
    );
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
