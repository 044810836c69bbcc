//! Integration tests for the loopback Azure emulator over real HTTPS on 127.0.0.1.
//! Contacts only loopback.

use aifactory_emulator::{
    Bucket, Emulator, EmulatorConfig, FaultAction, FaultRule, PrincipalKind, RunningEmulator, Seed,
    ThrottleConfig, VnetConflict,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const T: &str = "11111111-1111-4111-8111-111111111111";
const S: &str = "22222222-2222-4222-8222-222222222222";
const APP: &str = "33333333-3333-4333-8333-333333333333";
const SECRET: &str = "s3cret-value";
const ARM_SCOPE: &str = "https://management.azure.com/.default";
const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";
const API: &str = "api-version=2024-05-01";

/// Test-only RSA key (generated for these tests; signs certificate client assertions).
const TEST_RSA_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC1SfFPOmc7ot0g\nb8hQ0DOYprGtJ7I1bjsdFT1ybMvK/MoKgiKGjxBWz2gPumiiocap9y27m26R4p7q\ndpW5OwcaH3sJ9L74f3Yv3nNOX4yFmg28giDWuxRzOCIJVosQ83mKY7cMmPM7TqmI\nsAeMWwaSn39qBl2qOtIYNmqxWDaC9AGsEXZ5RiFiu61VNAt/+/DAYv7kuCGLx0eg\nZZNntWjMvP3s8TDviHkH5W8rR4vWYM04Zmpu+5d/peLSRvjkvEOmexRuoqf+9RvH\n+yuAk4bZRkv5rIkOiqchfhSQG2oxrVg7NukfNhpxxu0g614GkGepOwpIWg67ql0j\nUMScGcXJAgMBAAECggEACOx83mOHlV3s+J3IBIJbJ9Z8xINBuHOWoVXcUneciH9t\nCpthS7JbIYrQGoYYhHjmKJOsQqHiDXhUTkJMGHQZY2XNTq4ngF/112Fh16fIaQMu\nTesx5qAK36kRs9f4vHrfrro91nbo8jBrE/lmRbhtWGZVhUiO78Q5d0umcNhgxo1a\n2frpaackNdZEBNmrJT6nLai3X2G6CHnd3VNaJDdMGEZJsZq2gq4dVQxb1tz//LXo\n/7WElV+1wA8DINCT8ErkbxUaQTpmeIAxUjKXMfjrUocoNm+BoKatbYKudNjQ0Q6I\nrUBxVNfZwuzDnmVxLwNOXy9Bp77JpeR/kesEkJrhAQKBgQD7NuXZOKM0aRfVKQ4O\nfLMe9ZJJ9to94+ecEdSPBGRz/4EbStdHq0Sm4wSsva4wwo4aa35pK42f98HKOoG3\nqg7oNfb9rHc/0GKrVLzKSfAi0BXJEQgq9FaSth9TU9/ypGfQlnwEadCSHC+dHFgx\nHLR0URq+2bMDrePly0WsFukY8QKBgQC4vgmKKZRVzh2WOBOUCGERkbAW2IMnQBXD\nbXVI/DLvcIRCgL1ftnyjZBG7B8yNQL8KmPeJDH4Q8V96h+w83/zQQJ9H7rcYmLJa\nrQVza6NyXRv6m9k2kioTIoNraQvha/5y3pIO+3PtXxJtw2tfWOrrDWcr7ZXzWhp3\neDcFMAG6WQKBgQC/F1doEQk0iOy0HPKwWnL2jd6lnL0ObxpzQazqzXCMPEM9O4Te\n44zpVa7sp6ylMpldx371CUhF8vTam/6ocxe707D57gMX66/inCavyeZ81MR9mhMY\neZyRJTBW9mpX7G9737yers8VFZOycyky0p8CC9/IZVki51eAKUvqR9MwQQKBgASt\nMtqfgNTHOfKCiuRVbfee44FAi9ljgumGjNCDKdrr0z1HuwOAQBl2wAgnA2OT/wIK\nq0F54nsVUSBt7moAFYtEB4Qvo8zomKM4/AlW8TVE7B9k8JO0EYKYfhErAJT9Qdyw\ni6v7a4zXukSzDLXGL3Qxy6nOAty9LCxYC7SC6ZhJAoGBANE8FvYCdkmQA0z8UeBH\nTl/AMZWYdgO2eMmq300NbGulwl53NwfdGop6qA81FgAP67ChUAHWkGWvcx9A8Vom\n+KwI+ZhtKZ68LoIZWY0sxklLQ7laq0RptnLdrTzB2cen4cw6ROkrDe8nR4v/5cvY\nBbk7j4yIzvMWlE8DjPasIv1G\n-----END PRIVATE KEY-----";

// ------------------------------------------------------------------------------------------
// A minimal HTTPS client (hyper + tokio-rustls), one connection per request.

#[derive(Clone)]
struct Client {
    addr: std::net::SocketAddr,
    tls: Arc<rustls::ClientConfig>,
}

#[derive(Debug)]
struct R {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

impl R {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn h(&self, n: &str) -> Option<String> {
        self.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    /// ARM/storage `error.code` or Entra `error`.
    fn code(&self) -> String {
        let j = self.json();
        j.pointer("/error/code")
            .or_else(|| j.get("error"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }
}

impl Client {
    fn new(emu: &RunningEmulator) -> Client {
        Client {
            addr: emu.addr(),
            tls: aifactory_emulator::tls::client_config(emu.ca_pem()).unwrap(),
        }
    }

    async fn try_send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<R, String> {
        let tcp = tokio::net::TcpStream::connect(self.addr)
            .await
            .map_err(|e| e.to_string())?;
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| e.to_string())?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut b = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", format!("localhost:{}", self.addr.port()));
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .unwrap();
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok(R {
            status,
            headers,
            body,
        })
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> R {
        self.try_send(method, path, headers, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    async fn form(&self, path: &str, form: &[(&str, &str)]) -> R {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    aifactory_emulator::util::pct_encode(k),
                    aifactory_emulator::util::pct_encode(v)
                )
            })
            .collect();
        self.send(
            "POST",
            path,
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(body.join("&").into_bytes()),
        )
        .await
    }

    async fn token(&self, scope: &str) -> String {
        let r = self
            .form(
                &format!("/{T}/oauth2/v2.0/token"),
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", APP),
                    ("client_secret", SECRET),
                    ("scope", scope),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        r.json()["access_token"].as_str().unwrap().to_string()
    }

    async fn arm(&self, tok: &str, method: &str, path: &str, body: Option<Value>) -> R {
        let auth = format!("Bearer {tok}");
        let mut h = vec![("authorization", auth.as_str())];
        if body.is_some() {
            h.push(("content-type", "application/json"));
        }
        self.send(method, path, &h, body.map(|b| b.to_string().into_bytes()))
            .await
    }

    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> R {
        self.send(
            method,
            &format!("/_emulator/{path}"),
            &[("content-type", "application/json")],
            body.map(|b| b.to_string().into_bytes()),
        )
        .await
    }
}

fn config() -> EmulatorConfig {
    EmulatorConfig::default()
        .with_tenant(T)
        .with_subscription(S)
        .with_app(APP, SECRET)
}

async fn start(c: EmulatorConfig) -> (RunningEmulator, Client) {
    let emu = Emulator::start(c).await.expect("emulator starts");
    let client = Client::new(&emu);
    (emu, client)
}

fn rg(name: &str) -> String {
    format!("/subscriptions/{S}/resourceGroups/{name}")
}

async fn put_rg(c: &Client, tok: &str, name: &str) -> R {
    c.arm(
        tok,
        "PUT",
        &format!("{}?api-version=2021-04-01", rg(name)),
        Some(json!({"location": "westeurope"})),
    )
    .await
}

/// Polls an Azure-AsyncOperation URL until terminal; returns (status, number of polls).
async fn poll(c: &Client, tok: &str, url: &str) -> (String, usize) {
    let path = url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap();
    for i in 1..200 {
        let r = c.arm(tok, "GET", &path, None).await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let s = r.json()["status"].as_str().unwrap().to_string();
        if s != "InProgress" {
            return (s, i);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("operation never finished");
}

fn path_of(url: &str) -> String {
    url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap()
}

// ------------------------------------------------------------------------------------------
// Entra

#[tokio::test]
async fn token_endpoint_secret_success_and_error_codes() {
    let (emu, c) = start(config()).await;
    let r = c
        .form(
            &format!("/{T}/oauth2/v2.0/token"),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", APP),
                ("client_secret", SECRET),
                ("scope", ARM_SCOPE),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["expires_in"], 3599);
    let tok = j["access_token"].as_str().unwrap();
    let claims: Value = {
        use base64::Engine;
        let p = tok.split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(claims["aud"], "https://management.azure.com");
    assert_eq!(claims["tid"], T);
    assert_eq!(claims["appid"], APP);
    assert_eq!(claims["oid"], emu.principal(APP).unwrap().object_id);
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());

    type Case<'a> = (String, Vec<(&'a str, &'a str)>, u16, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            format!("/{T}/oauth2/v2.0/token"),
            vec![("client_secret", "wrong")],
            401,
            "invalid_client",
            "AADSTS7000215",
        ),
        (
            format!("/{T}/oauth2/v2.0/token"),
            vec![("client_id", "99999999-9999-4999-8999-999999999999")],
            400,
            "unauthorized_client",
            "AADSTS700016",
        ),
        (
            "/00000000-0000-4000-8000-000000000000/oauth2/v2.0/token".to_string(),
            vec![],
            400,
            "invalid_request",
            "AADSTS90002",
        ),
        (
            format!("/{T}/oauth2/v2.0/token"),
            vec![("scope", "https://management.azure.com/user_impersonation")],
            400,
            "invalid_scope",
            "AADSTS1002012",
        ),
        (
            format!("/{T}/oauth2/v2.0/token"),
            vec![("scope", "https://nothing.example/.default")],
            400,
            "invalid_resource",
            "AADSTS500011",
        ),
        (
            format!("/{T}/oauth2/v2.0/token"),
            vec![("grant_type", "password")],
            400,
            "unsupported_grant_type",
            "AADSTS70003",
        ),
    ];
    for (path, over, status, error, aadsts) in cases {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", SECRET),
            ("scope", ARM_SCOPE),
        ];
        for (k, v) in over {
            form.retain(|(x, _)| *x != k);
            form.push((k, v));
        }
        let r = c.form(&path, &form).await;
        assert_eq!(r.status, status, "{aadsts}");
        let j = r.json();
        assert_eq!(j["error"], error, "{aadsts}");
        assert!(
            j["error_description"].as_str().unwrap().starts_with(aadsts),
            "{j}"
        );
        assert!(
            j["error_codes"].is_array()
                && j["trace_id"].is_string()
                && j["correlation_id"].is_string()
        );
    }
    // HTTP Basic client authentication and the v1 endpoint.
    use base64::Engine;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{APP}:{SECRET}"))
    );
    let r = c
        .send(
            "POST",
            &format!("/{T}/oauth2/v2.0/token"),
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("authorization", &basic),
            ],
            Some(
                format!(
                    "grant_type=client_credentials&scope={}",
                    aifactory_emulator::util::pct_encode(STORAGE_SCOPE)
                )
                .into_bytes(),
            ),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = c
        .form(
            &format!("/{T}/oauth2/token"),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", APP),
                ("client_secret", SECRET),
                ("resource", "https://management.azure.com/"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["resource"], "https://management.azure.com/");
    assert!(r.json()["expires_on"].is_string());
    emu.stop().await.unwrap();
}

fn unsigned_jwt(claims: Value) -> String {
    use base64::Engine;
    let e = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.{}",
        e(br#"{"alg":"RS256","typ":"JWT","kid":"gh"}"#),
        e(claims.to_string().as_bytes()),
        e(b"sig")
    )
}

#[tokio::test]
async fn token_endpoint_federated_credentials() {
    let fed_app = "44444444-4444-4444-8444-444444444444";
    let (emu, c) = start(config().with_federated_credential(
        fed_app,
        "https://token.actions.githubusercontent.com",
        "repo:org/repo:ref:refs/heads/main",
        "api://AzureADTokenExchange",
    ))
    .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let good = json!({"iss": "https://token.actions.githubusercontent.com", "sub": "repo:org/repo:ref:refs/heads/main", "aud": "api://AzureADTokenExchange", "exp": now + 300, "nbf": now - 5});
    let send = |claims: Value| {
        let c = c.clone();
        async move {
            c.form(
                &format!("/{T}/oauth2/v2.0/token"),
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", fed_app),
                    ("scope", ARM_SCOPE),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &unsigned_jwt(claims)),
                ],
            )
            .await
        }
    };
    assert_eq!(send(good.clone()).await.status, 200);
    for (field, value, code) in [
        ("iss", json!("https://evil"), "AADSTS700211"),
        (
            "sub",
            json!("repo:org/other:ref:refs/heads/main"),
            "AADSTS700213",
        ),
        ("aud", json!("api://other"), "AADSTS700212"),
        ("exp", json!(now - 10), "AADSTS700024"),
    ] {
        let mut cl = good.clone();
        cl[field] = value;
        let r = send(cl).await;
        assert_eq!(r.status, 401, "{field}");
        assert!(
            r.json()["error_description"]
                .as_str()
                .unwrap()
                .starts_with(code),
            "{field}: {}",
            r.json()
        );
    }
    // No credential at all.
    let r = c
        .form(
            &format!("/{T}/oauth2/v2.0/token"),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", fed_app),
                ("scope", ARM_SCOPE),
            ],
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (401, "invalid_client"));
    drop(emu);
}

fn rsa_signed_assertion(
    key_pem: &str,
    cert_der: &[u8],
    claims: Value,
    x5t_standard_b64: bool,
) -> String {
    use base64::Engine;
    let e = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert_der);
    let x5t = if x5t_standard_b64 {
        base64::engine::general_purpose::STANDARD.encode(sha1.as_ref())
    } else {
        e(sha1.as_ref())
    };
    let header = json!({"alg": "RS256", "typ": "JWT", "x5t": x5t});
    let input = format!(
        "{}.{}",
        e(header.to_string().as_bytes()),
        e(claims.to_string().as_bytes())
    );
    let der = rustls_pki_types::pem::PemObject::from_pem_slice(key_pem.as_bytes())
        .map(|k: rustls_pki_types::PrivatePkcs8KeyDer| k.secret_pkcs8_der().to_vec())
        .unwrap();
    let kp = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let mut sig = vec![0u8; kp.public().modulus_len()];
    kp.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    format!("{input}.{}", e(&sig))
}

#[tokio::test]
async fn token_endpoint_certificate_credentials() {
    let cert_app = "55555555-5555-4555-8555-555555555555";
    let kp = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(TEST_RSA_KEY, &rcgen::PKCS_RSA_SHA256)
        .unwrap();
    let cert = rcgen::CertificateParams::new(vec!["app".to_string()])
        .unwrap()
        .self_signed(&kp)
        .unwrap();
    let (emu, c) = start(config().with_certificate(cert_app, &cert.pem())).await;
    let endpoint = format!("{}/{T}/oauth2/v2.0/token", emu.base_url());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({"aud": endpoint, "iss": cert_app, "sub": cert_app, "jti": "j", "nbf": now, "exp": now + 600});
    let send = |assertion: String| {
        let c = c.clone();
        async move {
            c.form(
                &format!("/{T}/oauth2/v2.0/token"),
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", cert_app),
                    ("scope", ARM_SCOPE),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &assertion),
                ],
            )
            .await
        }
    };
    // x5t as azure_identity sends it (standard base64) and as RFC 7515 says (base64url).
    assert_eq!(
        send(rsa_signed_assertion(
            TEST_RSA_KEY,
            cert.der(),
            claims.clone(),
            true
        ))
        .await
        .status,
        200
    );
    assert_eq!(
        send(rsa_signed_assertion(
            TEST_RSA_KEY,
            cert.der(),
            claims.clone(),
            false
        ))
        .await
        .status,
        200
    );
    // Tampered signature.
    let mut bad = rsa_signed_assertion(TEST_RSA_KEY, cert.der(), claims.clone(), false);
    bad.truncate(bad.len() - 4);
    bad.push_str("AAAA");
    let r = send(bad).await;
    assert_eq!(r.status, 401);
    assert!(r.json()["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS700027"));
    // Unregistered certificate.
    let other = rcgen::CertificateParams::new(vec!["other".to_string()])
        .unwrap()
        .self_signed(&kp)
        .unwrap();
    let r = send(rsa_signed_assertion(
        TEST_RSA_KEY,
        other.der(),
        claims.clone(),
        false,
    ))
    .await;
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS700027"),
        "{}",
        r.json()
    );
    // Wrong audience.
    let mut cl = claims;
    cl["aud"] = json!("https://login.microsoftonline.com/x/oauth2/v2.0/token");
    let r = send(rsa_signed_assertion(TEST_RSA_KEY, cert.der(), cl, false)).await;
    assert_eq!(r.status, 401);
    drop(emu);
}

#[tokio::test]
async fn managed_identity_endpoints() {
    let (emu, c) = start(config().with_managed_identity(
        "66666666-6666-4666-8666-666666666666",
        "77777777-7777-4777-8777-777777777777",
    ))
    .await;
    let info = emu.info();
    let path = format!(
        "{}?resource=https://management.azure.com&api-version=2019-08-01",
        path_of(&info.msi_endpoint)
    );
    let r = c
        .send(
            "GET",
            &path,
            &[("x-identity-header", &info.identity_header)],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json();
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["resource"], "https://management.azure.com");
    assert!(j["expires_on"].as_str().unwrap().parse::<i64>().unwrap() > 0);
    let tok = j["access_token"].as_str().unwrap();
    let r = c
        .arm(
            tok,
            "GET",
            &format!("/subscriptions/{S}?api-version=2022-12-01"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        c.send("GET", &path, &[("x-identity-header", "wrong")], None)
            .await
            .status,
        400
    );
    assert_eq!(c.send("GET", &path, &[], None).await.status, 400);
    let r = c
        .send(
            "GET",
            &format!("{path}&client_id=nope"),
            &[("x-identity-header", &info.identity_header)],
            None,
        )
        .await;
    assert_eq!(r.status, 400);
    let r = c
        .send(
            "GET",
            &format!(
                "{}?resource=https://storage.azure.com/&api-version=2018-02-01",
                path_of(&info.imds_endpoint)
            ),
            &[("metadata", "true")],
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["expires_in"], "3599");
    drop(emu);
}

// ------------------------------------------------------------------------------------------
// ARM basics

#[tokio::test]
async fn arm_authentication_errors() {
    let (emu, c) = start(config().with_token_lifetime(Duration::from_secs(60))).await;
    let p = format!("/subscriptions/{S}/resourcegroups?api-version=2021-04-01");
    let r = c.send("GET", &p, &[], None).await;
    assert_eq!((r.status, r.code().as_str()), (401, "AuthenticationFailed"));
    assert!(r
        .h("www-authenticate")
        .unwrap()
        .starts_with("Bearer authorization_uri="));
    let r = c
        .send("GET", &p, &[("authorization", "Bearer not-a-jwt")], None)
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "InvalidAuthenticationToken")
    );
    let storage = c.token(STORAGE_SCOPE).await;
    let r = c.arm(&storage, "GET", &p, None).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "InvalidAuthenticationTokenAudience")
    );
    assert!(r.h("www-authenticate").is_some());
    let tok = c.token(ARM_SCOPE).await;
    assert_eq!(c.arm(&tok, "GET", &p, None).await.status, 200);
    emu.advance_clock(Duration::from_secs(61));
    let r = c.arm(&tok, "GET", &p, None).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "ExpiredAuthenticationToken")
    );
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("is earlier than current UTC time"));
    // Refresh works.
    let tok = c.token(ARM_SCOPE).await;
    assert_eq!(c.arm(&tok, "GET", &p, None).await.status, 200);
    drop(emu);
}

#[tokio::test]
async fn arm_api_version_and_not_found_codes() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    let r = c.arm(&tok, "GET", &rg("rg1"), None).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "MissingApiVersionParameter")
    );
    let r = c.arm(&tok, "GET", "/subscriptions/99999999-0000-4000-8000-000000000000/resourcegroups/x?api-version=2021-04-01", None).await;
    assert_eq!((r.status, r.code().as_str()), (404, "SubscriptionNotFound"));
    let r = c
        .arm(
            &tok,
            "GET",
            &format!("{}?api-version=2021-04-01", rg("nope")),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "ResourceGroupNotFound")
    );
    let r = c
        .arm(
            &tok,
            "PUT",
            &format!(
                "{}/providers/Microsoft.Network/virtualNetworks/v1?{API}",
                rg("nope")
            ),
            Some(json!({"location": "westeurope"})),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "ResourceGroupNotFound")
    );
    assert_eq!(put_rg(&c, &tok, "rg1").await.status, 201);
    let r = c
        .arm(
            &tok,
            "PUT",
            &format!(
                "{}/providers/Microsoft.Network/virtualNetworks/v1/subnets/s1?{API}",
                rg("rg1")
            ),
            Some(json!({"properties": {"addressPrefix": "10.0.0.0/24"}})),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "ParentResourceNotFound")
    );
    let r = c
        .arm(
            &tok,
            "GET",
            &format!(
                "{}/providers/Microsoft.KeyVault/vaults/kv1?api-version=2023-07-01",
                rg("rg1")
            ),
            None,
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (404, "ResourceNotFound"));
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Microsoft.KeyVault/vaults/kv1"));
    let r = c
        .arm(
            &tok,
            "DELETE",
            &format!(
                "{}/providers/Microsoft.KeyVault/vaults/kv1?api-version=2023-07-01",
                rg("rg1")
            ),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    drop(emu);
}

#[tokio::test]
async fn arm_put_create_update_casing_headers_etag_patch() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    let r = put_rg(&c, &tok, "MyRG").await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["properties"]["provisioningState"], "Succeeded");
    assert_eq!(r.json()["type"], "Microsoft.Resources/resourceGroups");
    assert_eq!(put_rg(&c, &tok, "myrg").await.status, 200);
    let r = c
        .arm(
            &tok,
            "GET",
            &format!("/subscriptions/{S}/resourcegroups/MYRG?api-version=2021-04-01"),
            None,
        )
        .await;
    assert_eq!(r.json()["name"], "MyRG", "casing of the create is kept");

    let id = format!(
        "{}/providers/Microsoft.App/managedEnvironments/Env-One",
        rg("MyRG")
    );
    let body = json!({"location": "westeurope", "tags": {"a": "1"}, "properties": {"x": {"y": 1, "z": 2}}});
    let corr = "c0ffee00-0000-4000-8000-000000000001";
    let r = c
        .send(
            "PUT",
            &format!("{id}?api-version=2024-03-01"),
            &[
                ("authorization", &format!("Bearer {tok}")),
                ("content-type", "application/json"),
                ("x-ms-correlation-request-id", corr),
            ],
            Some(body.to_string().into_bytes()),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.h("x-ms-correlation-request-id").as_deref(), Some(corr));
    assert!(r.h("x-ms-request-id").is_some());
    let writes: u32 = r
        .h("x-ms-ratelimit-remaining-subscription-writes")
        .unwrap()
        .parse()
        .unwrap();
    assert!((190..200).contains(&writes), "{writes}");
    assert!(r
        .h("x-ms-ratelimit-remaining-subscription-global-writes")
        .is_some());
    let j = r.json();
    assert_eq!(j["id"], id);
    assert_eq!(j["name"], "Env-One");
    assert_eq!(j["type"], "Microsoft.App/managedEnvironments");
    assert_eq!(j["tags"]["a"], "1");
    assert_eq!(j["location"], "westeurope");
    assert_eq!(j["properties"]["provisioningState"], "Succeeded");
    let etag = r.h("etag").unwrap();
    // GET with other casing echoes the stored casing.
    let r = c
        .arm(
            &tok,
            "GET",
            &format!("{}?api-version=2024-03-01", id.to_lowercase()),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], id);
    assert!(r.h("x-ms-ratelimit-remaining-subscription-reads").is_some());
    // Conditional requests.
    let auth = format!("Bearer {tok}");
    let h = |m: &'static str, v: &'static str| {
        vec![
            ("authorization", auth.clone()),
            ("content-type", "application/json".to_string()),
            (m, v.to_string()),
        ]
    };
    let send_h = |hs: Vec<(&'static str, String)>| {
        let c = c.clone();
        let id = id.clone();
        let body = body.clone();
        async move {
            let hs: Vec<(&str, &str)> = hs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            c.send(
                "PUT",
                &format!("{id}?api-version=2024-03-01"),
                &hs,
                Some(body.to_string().into_bytes()),
            )
            .await
        }
    };
    assert_eq!(send_h(h("if-none-match", "*")).await.status, 412);
    assert_eq!(send_h(h("if-match", "\"nope\"")).await.status, 412);
    let mut hs = vec![
        ("authorization", auth.clone()),
        ("content-type", "application/json".to_string()),
    ];
    hs.push(("if-match", etag.clone()));
    assert_eq!(send_h(hs).await.status, 200);
    // PATCH merges properties, replaces tags.
    let r = c
        .arm(
            &tok,
            "PATCH",
            &format!("{id}?api-version=2024-03-01"),
            Some(json!({"tags": {"b": "2"}, "properties": {"x": {"z": null, "w": 3}}})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["tags"], json!({"b": "2"}));
    assert_eq!(r.json()["properties"]["x"], json!({"y": 1, "w": 3}));
    let r = c
        .arm(
            &tok,
            "PATCH",
            &format!(
                "{}/providers/Microsoft.App/managedEnvironments/none?api-version=2024-03-01",
                rg("MyRG")
            ),
            Some(json!({"tags": {}})),
        )
        .await;
    assert_eq!(r.status, 404);
    // Location required and immutable.
    let r = c
        .arm(
            &tok,
            "PUT",
            &format!("{id}?api-version=2024-03-01"),
            Some(json!({"location": "eastus"})),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InvalidResourceLocation")
    );
    let r = c
        .arm(
            &tok,
            "PUT",
            &format!(
                "{}/providers/Microsoft.App/managedEnvironments/e2?api-version=2024-03-01",
                rg("MyRG")
            ),
            Some(json!({})),
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "LocationRequired"));
    // HEAD, DELETE 200 then 204.
    assert_eq!(
        c.arm(&tok, "HEAD", &format!("{id}?api-version=2024-03-01"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        c.arm(
            &tok,
            "DELETE",
            &format!("{id}?api-version=2024-03-01"),
            None
        )
        .await
        .status,
        200
    );
    assert_eq!(
        c.arm(
            &tok,
            "DELETE",
            &format!("{id}?api-version=2024-03-01"),
            None
        )
        .await
        .status,
        204
    );
    assert_eq!(
        c.arm(&tok, "HEAD", &format!("{id}?api-version=2024-03-01"), None)
            .await
            .status,
        404
    );
    drop(emu);
}

#[tokio::test]
async fn lro_headers_and_status_progression() {
    let (emu, c) = start(config().with_lro_delay(Duration::from_millis(1000))).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "rg").await;
    let id = format!(
        "{}/providers/Microsoft.Network/virtualNetworks/v1",
        rg("rg")
    );
    let r = c.arm(&tok, "PUT", &format!("{id}?{API}"), Some(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}))).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["properties"]["provisioningState"], "Updating");
    let async_url = r.h("azure-asyncoperation").expect("Azure-AsyncOperation");
    assert!(async_url.starts_with(emu.base_url()));
    assert!(async_url.contains("/providers/Microsoft.Network/locations/westeurope/operations/"));
    assert!(r.h("location").unwrap().contains("/operationResults/"));
    assert_eq!(r.h("retry-after").as_deref(), Some("1"));
    let g = c.arm(&tok, "GET", &format!("{id}?{API}"), None).await;
    assert_eq!(g.json()["properties"]["provisioningState"], "Updating");
    let loc = c
        .arm(&tok, "GET", &path_of(&r.h("location").unwrap()), None)
        .await;
    assert_eq!(loc.status, 202);
    let (status, polls) = poll(&c, &tok, &async_url).await;
    assert_eq!(status, "Succeeded");
    assert!(polls > 1, "must be InProgress at least once");
    let g = c.arm(&tok, "GET", &format!("{id}?{API}"), None).await;
    assert_eq!(g.json()["properties"]["provisioningState"], "Succeeded");
    let loc = c
        .arm(&tok, "GET", &path_of(&r.h("location").unwrap()), None)
        .await;
    assert_eq!(loc.status, 200);
    assert_eq!(loc.json()["id"], id);
    // Async delete.
    let d = c.arm(&tok, "DELETE", &format!("{id}?{API}"), None).await;
    assert_eq!(d.status, 202);
    let (status, _) = poll(&c, &tok, &d.h("azure-asyncoperation").unwrap()).await;
    assert_eq!(status, "Succeeded");
    assert_eq!(
        c.arm(&tok, "GET", &format!("{id}?{API}"), None)
            .await
            .status,
        404
    );
    // Injected LRO failure.
    emu.set_faults(vec![FaultRule::new(
        "PUT",
        "*/virtualNetworks/v2",
        FaultAction::LroFailed {
            code: "InternalServerError".into(),
            message: "boom".into(),
        },
    )]);
    let r = c.arm(&tok, "PUT", &format!("{}/providers/Microsoft.Network/virtualNetworks/v2?{API}", rg("rg")), Some(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}}))).await;
    let url = r.h("azure-asyncoperation").unwrap();
    let (status, _) = poll(&c, &tok, &url).await;
    assert_eq!(status, "Failed");
    let doc = c.arm(&tok, "GET", &path_of(&url), None).await.json();
    assert_eq!(doc["error"]["code"], "InternalServerError");
    let g = c
        .arm(
            &tok,
            "GET",
            &format!(
                "{}/providers/Microsoft.Network/virtualNetworks/v2?{API}",
                rg("rg")
            ),
            None,
        )
        .await;
    assert_eq!(g.json()["properties"]["provisioningState"], "Failed");
    drop(emu);
}

#[tokio::test]
async fn resource_group_cascade_delete() {
    let (emu, c) = start(config().with_lro_delay(Duration::from_millis(600))).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "doomed").await;
    let kv = format!(
        "{}/providers/Microsoft.KeyVault/vaults/kv?api-version=2023-07-01",
        rg("doomed")
    );
    let r = c
        .arm(
            &tok,
            "PUT",
            &kv,
            Some(json!({"location": "westeurope", "properties": {}})),
        )
        .await;
    assert_eq!(r.status, 201);
    let d = c
        .arm(
            &tok,
            "DELETE",
            &format!("{}?api-version=2021-04-01", rg("doomed")),
            None,
        )
        .await;
    assert_eq!(d.status, 202);
    let loc = d.h("location").unwrap();
    assert!(loc.contains(&format!("/subscriptions/{S}/operationresults/")));
    assert!(d.h("retry-after").is_some());
    let g = c
        .arm(
            &tok,
            "GET",
            &format!("{}?api-version=2021-04-01", rg("doomed")),
            None,
        )
        .await;
    assert_eq!(g.json()["properties"]["provisioningState"], "Deleting");
    let r = c
        .arm(&tok, "PUT", &kv, Some(json!({"location": "westeurope"})))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (409, "ResourceGroupBeingDeleted")
    );
    let mut polls = 0;
    loop {
        let p = c.arm(&tok, "GET", &path_of(&loc), None).await;
        polls += 1;
        if p.status == 200 {
            break;
        }
        assert_eq!(p.status, 202);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert!(polls > 1);
    assert_eq!(
        c.arm(
            &tok,
            "GET",
            &format!("{}?api-version=2021-04-01", rg("doomed")),
            None
        )
        .await
        .status,
        404
    );
    assert!(emu
        .resource(&format!(
            "{}/providers/Microsoft.KeyVault/vaults/kv",
            rg("doomed")
        ))
        .is_none());
    let r = c
        .arm(
            &tok,
            "DELETE",
            &format!("{}?api-version=2021-04-01", rg("doomed")),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "ResourceGroupNotFound")
    );
    drop(emu);
}

#[tokio::test]
async fn lists_page_with_next_link() {
    let (emu, c) = start(config().with_page_size(2)).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "rg").await;
    for i in 0..5 {
        let r = c
            .arm(
                &tok,
                "PUT",
                &format!(
                    "{}/providers/Microsoft.KeyVault/vaults/kv{i}?api-version=2023-07-01",
                    rg("rg")
                ),
                Some(json!({"location": "westeurope"})),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    for first in [
        format!("{}/providers/Microsoft.KeyVault/vaults?api-version=2023-07-01", rg("rg")),
        format!("{}/resources?api-version=2021-04-01", rg("rg")),
        format!("/subscriptions/{S}/providers/Microsoft.KeyVault/vaults?api-version=2023-07-01"),
        format!("/subscriptions/{S}/resources?api-version=2021-04-01&$filter=resourceType%20eq%20'Microsoft.KeyVault/vaults'"),
    ] {
        let mut names = Vec::new();
        let mut next = Some(first.clone());
        let mut pages = 0;
        while let Some(p) = next {
            let r = c.arm(&tok, "GET", &p, None).await;
            assert_eq!(r.status, 200, "{p}: {}", String::from_utf8_lossy(&r.body));
            pages += 1;
            for v in r.json()["value"].as_array().unwrap() {
                names.push(v["name"].as_str().unwrap().to_string());
            }
            next = r.json()["nextLink"].as_str().map(|u| {
                assert!(u.starts_with(emu.base_url()));
                path_of(u)
            });
        }
        assert_eq!(pages, 3, "{first}: {names:?}");
        assert_eq!(names, vec!["kv0", "kv1", "kv2", "kv3", "kv4"], "{first}");
    }
    let r = c
        .arm(
            &tok,
            "GET",
            &format!("/subscriptions/{S}/resourcegroups?api-version=2021-04-01"),
            None,
        )
        .await;
    assert_eq!(r.json()["value"][0]["name"], "rg");
    drop(emu);
}

// ------------------------------------------------------------------------------------------
// Network

fn vnet_path(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/{name}",
        rg("net")
    )
}

async fn net_setup(c: &Client) -> String {
    let tok = c.token(ARM_SCOPE).await;
    put_rg(c, &tok, "net").await;
    let r = c
        .arm(&tok, "PUT", &format!("{}?{API}", vnet_path("v1")), Some(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"name": "inline", "properties": {"addressPrefix": "10.0.0.0/24"}}]}})))
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    tok
}

#[tokio::test]
async fn subnet_validation_and_vnet_rendering() {
    let (emu, c) = start(config()).await;
    let tok = net_setup(&c).await;
    let sub = |n: &str| format!("{}/subnets/{n}?{API}", vnet_path("v1"));
    let put = |n: &str, prefix: &str| {
        let c = c.clone();
        let tok = tok.clone();
        let p = sub(n);
        let body = json!({"properties": {"addressPrefix": prefix}});
        async move { c.arm(&tok, "PUT", &p, Some(body)).await }
    };
    let r = put("s1", "10.0.1.0/24").await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.json()["type"],
        "Microsoft.Network/virtualNetworks/subnets"
    );
    assert!(r.json()["etag"].is_string());
    for (name, prefix, code) in [
        ("out", "10.1.0.0/24", "NetcfgSubnetRangeOutsideVnet"),
        ("overlap", "10.0.1.128/25", "NetcfgSubnetRangesOverlap"),
        ("overlap2", "10.0.0.0/23", "NetcfgSubnetRangesOverlap"),
        ("small", "10.0.2.0/30", "NetcfgInvalidSubnet"),
        ("bad", "10.0.2.0", "InvalidAddressPrefixFormat"),
        ("hostbits", "10.0.2.5/24", "InvalidCIDRNotation"),
    ] {
        let r = put(name, prefix).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, code),
            "{name} {prefix}"
        );
    }
    assert_eq!(put("tiny", "10.0.2.0/29").await.status, 201);
    // Subnets appear inside the vNet GET, inline one included.
    let v = c
        .arm(&tok, "GET", &format!("{}?{API}", vnet_path("v1")), None)
        .await
        .json();
    let names: Vec<&str> = v["properties"]["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["inline", "s1", "tiny"]);
    // Subnet list collection.
    let l = c
        .arm(
            &tok,
            "GET",
            &format!("{}/subnets?{API}", vnet_path("v1")),
            None,
        )
        .await;
    assert_eq!(l.json()["value"].as_array().unwrap().len(), 3);
    // vNet PUT without the existing subnets removes them (not in use).
    let r = c.arm(&tok, "PUT", &format!("{}?{API}", vnet_path("v1")), Some(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"name": "s1", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["properties"]["subnets"].as_array().unwrap().len(),
        1
    );
    assert_eq!(c.arm(&tok, "GET", &sub("tiny"), None).await.status, 404);
    drop(emu);
}

#[tokio::test]
async fn subnet_in_use_by_private_endpoint() {
    let (emu, c) = start(config()).await;
    let tok = net_setup(&c).await;
    let subnet_id = format!("{}/subnets/inline", vnet_path("v1"));
    let pe = format!(
        "{}/providers/Microsoft.Network/privateEndpoints/pe1?{API}",
        rg("net")
    );
    let r = c.arm(&tok, "PUT", &pe, Some(json!({"location": "westeurope", "properties": {"subnet": {"id": format!("{}/subnets/missing", vnet_path("v1"))}}}))).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InvalidResourceReference")
    );
    let r = c
        .arm(
            &tok,
            "PUT",
            &pe,
            Some(json!({"location": "westeurope", "properties": {"subnet": {"id": subnet_id}}})),
        )
        .await;
    assert_eq!(r.status, 201);
    let s = c
        .arm(&tok, "GET", &format!("{subnet_id}?{API}"), None)
        .await
        .json();
    assert!(s["properties"]["privateEndpoints"][0]["id"]
        .as_str()
        .unwrap()
        .ends_with("/privateEndpoints/pe1"));
    let r = c
        .arm(&tok, "DELETE", &format!("{subnet_id}?{API}"), None)
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InUseSubnetCannotBeDeleted")
    );
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("privateEndpoints/pe1"));
    // A vNet PUT dropping the subnet is refused the same way.
    let r = c.arm(&tok, "PUT", &format!("{}?{API}", vnet_path("v1")), Some(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}))).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InUseSubnetCannotBeDeleted")
    );
    // Microsoft.Network deletes are LROs: 202 + Location; with no delay they finish at once.
    assert_eq!(c.arm(&tok, "DELETE", &pe, None).await.status, 202);
    assert_eq!(
        c.arm(&tok, "DELETE", &format!("{subnet_id}?{API}"), None)
            .await
            .status,
        202
    );
    assert_eq!(
        c.arm(&tok, "GET", &format!("{subnet_id}?{API}"), None)
            .await
            .status,
        404
    );
    drop(emu);
}

#[tokio::test]
async fn concurrent_vnet_writes_conflict() {
    for (mode, status, code) in [
        (
            VnetConflict::AnotherOperationInProgress,
            409,
            "AnotherOperationInProgress",
        ),
        (VnetConflict::RetryableError, 429, "RetryableError"),
    ] {
        let mut cfg = config();
        cfg.settings.vnet_conflict = mode;
        let (emu, c) = start(cfg).await;
        let tok = net_setup(&c).await;
        emu.update_settings(|s| s.lro_delay_ms = 60_000);
        let s1 = c
            .arm(
                &tok,
                "PUT",
                &format!("{}/subnets/a?{API}", vnet_path("v1")),
                Some(json!({"properties": {"addressPrefix": "10.0.1.0/24"}})),
            )
            .await;
        assert_eq!(s1.status, 201);
        let s2 = c
            .arm(
                &tok,
                "PUT",
                &format!("{}/subnets/b?{API}", vnet_path("v1")),
                Some(json!({"properties": {"addressPrefix": "10.0.2.0/24"}})),
            )
            .await;
        assert_eq!((s2.status, s2.code().as_str()), (status, code));
        if status == 429 {
            assert!(s2.h("retry-after").is_some());
            assert_eq!(
                s2.json()["error"]["details"][0]["code"],
                "RetryableErrorDueToAnotherOperation"
            );
        } else {
            assert!(s2.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("/operations/"));
        }
        let d = c
            .arm(
                &tok,
                "DELETE",
                &format!("{}/subnets/inline?{API}", vnet_path("v1")),
                None,
            )
            .await;
        assert_eq!(d.status, status);
        emu.advance_clock(Duration::from_secs(61));
        poll(&c, &tok, &s1.h("azure-asyncoperation").unwrap()).await;
        let s2 = c
            .arm(
                &tok,
                "PUT",
                &format!("{}/subnets/b?{API}", vnet_path("v1")),
                Some(json!({"properties": {"addressPrefix": "10.0.2.0/24"}})),
            )
            .await;
        assert_eq!(s2.status, 201, "after the first operation finished");
        drop(emu);
    }
}

// ------------------------------------------------------------------------------------------
// Authorization

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIB: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";

fn ra_path(scope: &str, name: &str) -> String {
    format!(
        "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version=2022-04-01"
    )
}

fn ra_body(role: &str, principal: &str, ptype: Option<&str>) -> Value {
    let mut p = json!({"roleDefinitionId": format!("/subscriptions/{S}/providers/Microsoft.Authorization/roleDefinitions/{role}"), "principalId": principal});
    if let Some(t) = ptype {
        p["principalType"] = json!(t);
    }
    json!({ "properties": p })
}

#[tokio::test]
async fn role_assignments_rules() {
    let user = "88888888-8888-4888-8888-888888888888";
    let fresh = "99999999-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
    let cfg = config()
        .with_object(PrincipalKind::User, user)
        .with_principal(aifactory_emulator::PrincipalSeed {
            kind: PrincipalKind::ServicePrincipal,
            object_id: Some(fresh.into()),
            new_for_secs: Some(30),
            ..Default::default()
        });
    let (emu, c) = start(cfg).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "authz").await;
    let scope = rg("authz");
    let g1 = "0a0a0a0a-0000-4000-8000-000000000001";
    let g2 = "0a0a0a0a-0000-4000-8000-000000000002";
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, "not-a-guid"),
            Some(ra_body(READER, user, None)),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InvalidRoleAssignmentId")
    );
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g1),
            Some(ra_body("00000000-1111-4111-8111-111111111111", user, None)),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "RoleDefinitionDoesNotExist")
    );
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g1),
            Some(ra_body(READER, user, None)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json();
    assert_eq!(j["type"], "Microsoft.Authorization/roleAssignments");
    assert_eq!(j["properties"]["principalType"], "User");
    assert_eq!(j["properties"]["scope"], scope);
    assert!(j["properties"]["roleDefinitionId"]
        .as_str()
        .unwrap()
        .ends_with(READER));
    assert_eq!(
        c.arm(
            &tok,
            "PUT",
            &ra_path(&scope, g1),
            Some(ra_body(READER, user, None))
        )
        .await
        .status,
        200
    );
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g2),
            Some(ra_body(READER, user, None)),
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (409, "RoleAssignmentExists"));
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g1),
            Some(ra_body(CONTRIB, user, None)),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "RoleAssignmentUpdateNotPermitted")
    );
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g2),
            Some(ra_body(READER, user, Some("ServicePrincipal"))),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "UnmatchedPrincipalType")
    );
    // Replication delay for the "new" principal.
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g2),
            Some(ra_body(READER, fresh, None)),
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "PrincipalNotFound"));
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("replication delay"));
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g2),
            Some(ra_body(READER, fresh, Some("ServicePrincipal"))),
        )
        .await;
    assert_eq!(r.status, 201);
    let g3 = "0a0a0a0a-0000-4000-8000-000000000003";
    emu.advance_clock(Duration::from_secs(31));
    let tok = c.token(ARM_SCOPE).await;
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g3),
            Some(ra_body(CONTRIB, fresh, None)),
        )
        .await;
    assert_eq!(
        r.status,
        201,
        "after the window: {}",
        String::from_utf8_lossy(&r.body)
    );
    // Unknown principal without principalType.
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, "0a0a0a0a-0000-4000-8000-000000000004"),
            Some(ra_body(
                READER,
                "12121212-1212-4212-8212-121212121212",
                None,
            )),
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "PrincipalNotFound"));
    // Subscription-scope assignment, then lists.
    let sub_scope = format!("/subscriptions/{S}");
    assert_eq!(
        c.arm(
            &tok,
            "PUT",
            &ra_path(&sub_scope, "0a0a0a0a-0000-4000-8000-000000000005"),
            Some(ra_body(READER, fresh, None))
        )
        .await
        .status,
        201
    );
    let list = |filter: &str, scope: &str| {
        let c = c.clone();
        let tok = tok.clone();
        let p = format!("{scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter={}", aifactory_emulator::util::pct_encode(filter));
        async move {
            c.arm(&tok, "GET", &p, None).await.json()["value"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(list(&format!("principalId eq '{fresh}'"), &scope).await, 3);
    assert_eq!(list(&format!("principalId eq '{user}'"), &scope).await, 1);
    assert_eq!(list("atScope()", &sub_scope).await, 1);
    assert_eq!(list("atScope()", &scope).await, 4);
    assert_eq!(
        list(
            &format!("atScope() and principalId eq '{user}'"),
            &sub_scope
        )
        .await,
        0
    );
    // Role definitions.
    let r = c.arm(&tok, "GET", &format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{READER}?api-version=2022-04-01"), None).await;
    assert_eq!(r.json()["properties"]["roleName"], "Reader");
    let r = c.arm(&tok, "GET", &format!("/subscriptions/{S}/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01&$filter=roleName%20eq%20'Storage%20Blob%20Data%20Owner'"), None).await;
    assert_eq!(
        r.json()["value"][0]["name"],
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
    );
    let r = c.arm(&tok, "GET", &format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/00000000-1111-4111-8111-111111111111?api-version=2022-04-01"), None).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "RoleDefinitionDoesNotExist")
    );
    // Delete 200 then 204; RG delete cascades assignments.
    assert_eq!(
        c.arm(&tok, "DELETE", &ra_path(&scope, g1), None)
            .await
            .status,
        200
    );
    assert_eq!(
        c.arm(&tok, "DELETE", &ra_path(&scope, g1), None)
            .await
            .status,
        204
    );
    drop(emu);
}

// ------------------------------------------------------------------------------------------
// DFS

const OID_A: &str = "abababab-abab-4bab-8bab-abababababab";

async fn dfs_setup(c: &Client, emu: &RunningEmulator) -> (String, String) {
    let tok = c.token(ARM_SCOPE).await;
    put_rg(c, &tok, "data").await;
    let r = c
        .arm(&tok, "PUT", &format!("{}/providers/Microsoft.Storage/storageAccounts/stdata1?api-version=2023-05-01", rg("data")), Some(json!({"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "properties": {"isHnsEnabled": true}})))
        .await;
    assert_eq!(r.status, 201);
    let dfs = r.json()["properties"]["primaryEndpoints"]["dfs"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        dfs,
        format!(
            "{}/",
            emu.info()
                .dfs_endpoint_template
                .replace("{account}", "stdata1")
        )
    );
    (
        c.token(STORAGE_SCOPE).await,
        path_of(dfs.trim_end_matches('/')),
    )
}

async fn dfs(c: &Client, tok: &str, method: &str, path: &str, extra: &[(&str, &str)]) -> R {
    let auth = format!("Bearer {tok}");
    let mut h = vec![
        ("authorization", auth.as_str()),
        ("x-ms-version", "2021-06-08"),
    ];
    h.extend_from_slice(extra);
    c.send(method, path, &h, None).await
}

fn err_code(r: &R) -> String {
    r.h("x-ms-error-code").unwrap_or_default()
}

#[tokio::test]
async fn dfs_filesystems_directories_and_acls() {
    let (emu, c) = start(config()).await;
    let (st, base) = dfs_setup(&c, &emu).await;
    let me = emu.principal(APP).unwrap().object_id;
    // Auth and version.
    let r = c
        .send(
            "PUT",
            &format!("{base}/fs1?resource=filesystem"),
            &[("x-ms-version", "2021-06-08")],
            None,
        )
        .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (401, "NoAuthenticationInformation")
    );
    assert!(r
        .h("www-authenticate")
        .unwrap()
        .contains("resource_id=https://storage.azure.com"));
    let arm_tok = c.token(ARM_SCOPE).await;
    let r = dfs(
        &c,
        &arm_tok,
        "PUT",
        &format!("{base}/fs1?resource=filesystem"),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (401, "InvalidAuthenticationInfo")
    );
    let r = c
        .send(
            "PUT",
            &format!("{base}/fs1?resource=filesystem"),
            &[("authorization", &format!("Bearer {st}"))],
            None,
        )
        .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (400, "MissingRequiredHeader")
    );
    assert_eq!(r.json()["error"]["code"], "MissingRequiredHeader");
    let r = dfs(
        &c,
        &st,
        "PUT",
        "/dfs/nosuchacct/fs1?resource=filesystem",
        &[],
    )
    .await;
    assert_eq!(r.status, 404);
    // Filesystem.
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/fs1?resource=filesystem"),
        &[],
    )
    .await;
    assert_eq!(r.status, 201);
    assert!(r.h("etag").is_some() && r.h("x-ms-request-id").is_some());
    assert_eq!(r.h("x-ms-version").as_deref(), Some("2021-06-08"));
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/fs1?resource=filesystem"),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (409, "FilesystemAlreadyExists")
    );
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/Bad_Name?resource=filesystem"),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (400, "InvalidResourceName")
    );
    // Directories: idempotent, If-None-Match: *.
    assert_eq!(
        dfs(
            &c,
            &st,
            "PUT",
            &format!("{base}/fs1/raw/in?resource=directory"),
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
            &format!("{base}/fs1/raw/in?resource=directory"),
            &[]
        )
        .await
        .status,
        201
    );
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/fs1/raw/in?resource=directory"),
        &[("if-none-match", "*")],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (409, "PathAlreadyExists")
    );
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/missing/x?resource=directory"),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (404, "FilesystemNotFound")
    );
    // getAccessControl on the new directory (umask 0027 -> rwxr-x---).
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/fs1/raw/in?action=getAccessControl"),
        &[],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("x-ms-owner").as_deref(), Some(me.as_str()));
    assert_eq!(
        r.h("x-ms-group").as_deref(),
        Some(me.as_str()),
        "group copied from the root, created via OAuth"
    );
    assert_eq!(r.h("x-ms-permissions").as_deref(), Some("rwxr-x---"));
    assert_eq!(
        r.h("x-ms-acl").as_deref(),
        Some("user::rwx,group::r-x,other::---")
    );
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/fs1/nope?action=getAccessControl"),
        &[],
    )
    .await;
    assert_eq!((r.status, err_code(&r).as_str()), (404, "PathNotFound"));
    assert!(r.body.is_empty());
    // setAccessControl.
    let acl = format!("user::rwx,user:{OID_A}:r-x,group::r-x,other::---,default:user:{OID_A}:r-x");
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/fs1/raw?action=setAccessControl"),
        &[("x-ms-acl", &acl)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/fs1/raw?action=getAccessControl"),
        &[],
    )
    .await;
    let got = r.h("x-ms-acl").unwrap();
    assert!(got.starts_with(&format!("user::rwx,user:{OID_A}:r-x,group::r-x,mask::r-x,other::---,default:user::rwx,default:user:{OID_A}:r-x")), "{got}");
    assert_eq!(r.h("x-ms-permissions").as_deref(), Some("rwxr-x---+"));
    // New children inherit the default ACL.
    dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/fs1/raw/new?resource=directory"),
        &[],
    )
    .await;
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/fs1/raw/new?action=getAccessControl"),
        &[],
    )
    .await;
    assert!(r
        .h("x-ms-acl")
        .unwrap()
        .contains(&format!("user:{OID_A}:r-x")));
    // Grammar errors.
    for bad in [
        "user::rwx,group::r-x",
        "user:nope:rwx,user::rwx,group::r-x,other::---",
        "user::rwz,group::r-x,other::---",
        "owner::rwx",
        "",
    ] {
        let r = dfs(
            &c,
            &st,
            "PATCH",
            &format!("{base}/fs1/raw?action=setAccessControl"),
            &[("x-ms-acl", bad)],
        )
        .await;
        assert_eq!(
            (r.status, err_code(&r).as_str()),
            (400, "InvalidAccessControlList"),
            "{bad}"
        );
    }
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/fs1/raw?action=setAccessControl"),
        &[
            ("x-ms-acl", "user::rwx,group::r-x,other::---"),
            ("x-ms-permissions", "0750"),
        ],
    )
    .await;
    assert_eq!(r.status, 400);
    // Listing.
    let r = dfs(
        &c,
        &st,
        "GET",
        &format!("{base}/fs1?resource=filesystem&recursive=true"),
        &[],
    )
    .await;
    let names: Vec<String> = r.json()["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["raw", "raw/in", "raw/new"]);
    // Delete: non-empty needs recursive.
    let r = dfs(&c, &st, "DELETE", &format!("{base}/fs1/raw"), &[]).await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (409, "DirectoryNotEmpty")
    );
    assert_eq!(
        dfs(
            &c,
            &st,
            "DELETE",
            &format!("{base}/fs1/raw?recursive=true"),
            &[]
        )
        .await
        .status,
        200
    );
    assert_eq!(
        dfs(
            &c,
            &st,
            "DELETE",
            &format!("{base}/fs1?resource=filesystem"),
            &[]
        )
        .await
        .status,
        202
    );
    drop(emu);
}

#[tokio::test]
async fn dfs_set_access_control_recursive_with_continuation() {
    let (emu, c) = start(config()).await;
    let (st, base) = dfs_setup(&c, &emu).await;
    assert_eq!(
        dfs(
            &c,
            &st,
            "PUT",
            &format!("{base}/fs?resource=filesystem"),
            &[]
        )
        .await
        .status,
        400,
        "names have 3..63 characters"
    );
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
    for d in ["top/a", "top/b", "top/c/d"] {
        assert_eq!(
            dfs(
                &c,
                &st,
                "PUT",
                &format!("{base}/lake/{d}?resource=directory"),
                &[]
            )
            .await
            .status,
            201
        );
    }
    for f in ["top/f1", "top/c/f2"] {
        assert_eq!(
            dfs(
                &c,
                &st,
                "PUT",
                &format!("{base}/lake/{f}?resource=file"),
                &[]
            )
            .await
            .status,
            201
        );
    }
    // 7 entries: top, top/a, top/b, top/c, top/c/d, top/c/f2, top/f1.
    let acl = format!("user:{OID_A}:r-x,default:user:{OID_A}:r-x");
    let (mut dirs, mut files, mut calls) = (0, 0, 0);
    let mut cont: Option<String> = None;
    loop {
        let mut p =
            format!("{base}/lake/top?action=setAccessControlRecursive&mode=modify&maxRecords=3");
        if let Some(t) = &cont {
            p.push_str(&format!(
                "&continuation={}",
                aifactory_emulator::util::pct_encode(t)
            ));
        }
        let r = dfs(&c, &st, "PATCH", &p, &[("x-ms-acl", &acl)]).await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        calls += 1;
        let j = r.json();
        assert_eq!(j["failureCount"], 0);
        assert!(j["failedEntries"].as_array().unwrap().is_empty());
        dirs += j["directoriesSuccessful"].as_u64().unwrap();
        files += j["filesSuccessful"].as_u64().unwrap();
        cont = r.h("x-ms-continuation");
        if cont.is_none() {
            break;
        }
    }
    assert_eq!((dirs, files, calls), (5, 2, 3));
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/lake/top/c/f2?action=getAccessControl"),
        &[],
    )
    .await;
    let a = r.h("x-ms-acl").unwrap();
    assert!(
        a.contains(&format!("user:{OID_A}:r-x")) && !a.contains("default:"),
        "files get access entries only: {a}"
    );
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/lake/top/c/d?action=getAccessControl"),
        &[],
    )
    .await;
    assert!(r
        .h("x-ms-acl")
        .unwrap()
        .contains(&format!("default:user:{OID_A}:r-x")));
    // remove, then errors.
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/lake/top?action=setAccessControlRecursive&mode=remove"),
        &[("x-ms-acl", &format!("user:{OID_A},default:user:{OID_A}"))],
    )
    .await;
    assert_eq!(r.json()["directoriesSuccessful"], 5);
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/lake/top/c/d?action=getAccessControl"),
        &[],
    )
    .await;
    assert!(!r.h("x-ms-acl").unwrap().contains(OID_A));
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/lake/top?action=setAccessControlRecursive&mode=sideways"),
        &[("x-ms-acl", &acl)],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (400, "InvalidQueryParameterValue")
    );
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/lake/top?action=setAccessControlRecursive&mode=set"),
        &[("x-ms-acl", "user::rwx,bogus")],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (400, "InvalidAccessControlList")
    );
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/lake/top?action=setAccessControlRecursive&mode=set&maxRecords=0"),
        &[("x-ms-acl", "user::rwx,group::r-x,other::---")],
    )
    .await;
    assert_eq!(r.status, 400);
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/lake/top?action=setAccessControlRecursive&mode=set"),
        &[("x-ms-acl", "user::rwx,group::r-x,other::---")],
    )
    .await;
    assert_eq!(r.json()["directoriesSuccessful"], 5);
    drop(emu);
}

#[tokio::test]
async fn dfs_rbac_when_enabled() {
    let mut cfg = config();
    cfg.settings.dfs_rbac = true;
    let (emu, c) = start(cfg).await;
    let (st, base) = dfs_setup(&c, &emu).await;
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/lake?resource=filesystem"),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (403, "AuthorizationPermissionMismatch")
    );
    let tok = c.token(ARM_SCOPE).await;
    let me = emu.principal(APP).unwrap().object_id;
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&rg("data"), "0b0b0b0b-0000-4000-8000-000000000001"),
            Some(ra_body(
                "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
                &me,
                Some("ServicePrincipal"),
            )),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
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
    drop(emu);
}

// ------------------------------------------------------------------------------------------
// Throttling, faults, journal, admin, state

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

// ------------------------------------------------------------------------------------------
// Soft delete (Key Vault, Cognitive Services)

const KV_API: &str = "api-version=2024-11-01";
const CS_API: &str = "api-version=2025-06-01";

fn vault_path(rg_name: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.KeyVault/vaults/{name}?{KV_API}",
        rg(rg_name)
    )
}

fn deleted_vault_path(location: &str, name: &str) -> String {
    format!("/subscriptions/{S}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}?{KV_API}")
}

fn vault_body(purge_protection: bool, rbac: bool) -> Value {
    json!({"location": "westeurope", "tags": {"team": "a"}, "properties": {
        "tenantId": T, "sku": {"family": "A", "name": "standard"},
        "enableRbacAuthorization": rbac, "enableSoftDelete": true, "softDeleteRetentionInDays": 7,
        "enablePurgeProtection": purge_protection}})
}

/// Waits for an operation behind a `Location` header (202 -> 200/204).
/// DELETE `path` and, when Azure answers 202, wait for the operation; the DELETE's status.
async fn delete_and_wait(c: &Client, tok: &str, path: &str) -> u16 {
    let d = c.arm(tok, "DELETE", path, None).await;
    if d.status == 202 {
        wait_location(c, tok, &d).await;
    }
    d.status
}

async fn wait_location(c: &Client, tok: &str, r: &R) {
    let loc = r.h("location").expect("Location header");
    for _ in 0..200 {
        let p = c.arm(tok, "GET", &path_of(&loc), None).await;
        if p.status != 202 {
            assert!(
                p.status == 200 || p.status == 204,
                "{}: {}",
                p.status,
                String::from_utf8_lossy(&p.body)
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("operation never finished");
}

#[tokio::test]
async fn key_vault_soft_delete_recover_and_purge() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "kvrg").await;
    put_rg(&c, &tok, "other").await;
    let kv = vault_path("kvrg", "kv-soft-1");
    let deleted = deleted_vault_path("westeurope", "kv-soft-1");
    let r = c.arm(&tok, "PUT", &kv, Some(vault_body(false, true))).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(c.arm(&tok, "GET", &deleted, None).await.status, 404);

    // Delete: the vault goes, its soft-deleted twin appears.
    let d = delete_and_wait(&c, &tok, &kv).await;
    assert!(d == 200 || d == 202, "{d}");
    assert_eq!(c.arm(&tok, "GET", &kv, None).await.status, 404);
    let g = c.arm(&tok, "GET", &deleted, None).await;
    assert_eq!(g.status, 200, "{}", String::from_utf8_lossy(&g.body));
    let v = g.json();
    assert_eq!(v["type"], "Microsoft.KeyVault/deletedVaults");
    assert_eq!(v["name"], "kv-soft-1");
    assert_eq!(
        v["properties"]["vaultId"],
        format!(
            "{}/providers/Microsoft.KeyVault/vaults/kv-soft-1",
            rg("kvrg")
        )
    );
    assert_eq!(v["properties"]["location"], "westeurope");
    assert_eq!(v["properties"]["tags"]["team"], "a");
    assert_eq!(v["properties"]["purgeProtectionEnabled"], false);
    assert!(v["properties"]["deletionDate"].is_string());
    assert!(v["properties"]["scheduledPurgeDate"].is_string());
    assert_eq!(
        c.arm(
            &tok,
            "GET",
            &deleted_vault_path("eastus", "kv-soft-1"),
            None
        )
        .await
        .status,
        404,
        "another location"
    );
    let list = c
        .arm(
            &tok,
            "GET",
            &format!("/subscriptions/{S}/providers/Microsoft.KeyVault/deletedVaults?{KV_API}"),
            None,
        )
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(emu.soft_deleted().len(), 1);
    let admin = c.admin("GET", "soft-deleted", None).await;
    assert_eq!(admin.json()["value"][0]["name"], "kv-soft-1");

    // The name is taken, in every resource group of the subscription.
    for path in [&kv, &vault_path("other", "kv-soft-1")] {
        let r = c
            .arm(&tok, "PUT", path, Some(vault_body(false, true)))
            .await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (409, "ConflictError"),
            "{path}"
        );
        assert!(r.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("deleted state"));
    }
    // Recovery: only where it was; Azure ignores the request's properties.
    let mut recover = vault_body(false, false);
    recover["properties"]["createMode"] = json!("recover");
    let r = c
        .arm(
            &tok,
            "PUT",
            &vault_path("other", "kv-soft-1"),
            Some(recover.clone()),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = c.arm(&tok, "PUT", &kv, Some(recover.clone())).await;
    assert!(
        r.status == 200 || r.status == 201,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let g = c.arm(&tok, "GET", &kv, None).await;
    assert_eq!(g.status, 200);
    let body = g.json();
    assert_eq!(
        body["properties"]["enableRbacAuthorization"], true,
        "original properties"
    );
    assert!(
        body["properties"].get("createMode").is_none(),
        "createMode is write-only"
    );
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(c.arm(&tok, "GET", &deleted, None).await.status, 404);
    // Recover with nothing soft-deleted.
    let r = c
        .arm(
            &tok,
            "PUT",
            &vault_path("kvrg", "kv-never"),
            Some(recover.clone()),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "SoftDeletedVaultDoesNotExist")
    );

    // Delete again and purge: 202 + Location, then gone, and the name is free.
    delete_and_wait(&c, &tok, &kv).await;
    let purge = format!(
        "/subscriptions/{S}/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/kv-soft-1/purge?{KV_API}"
    );
    let p = c.arm(&tok, "POST", &purge, None).await;
    assert_eq!(p.status, 202, "{}", String::from_utf8_lossy(&p.body));
    wait_location(&c, &tok, &p).await;
    assert_eq!(c.arm(&tok, "GET", &deleted, None).await.status, 404);
    assert_eq!(c.arm(&tok, "POST", &purge, None).await.status, 404);
    let r = c.arm(&tok, "PUT", &kv, Some(vault_body(false, true))).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));

    // Purge protection forbids the purge; the vault stays soft-deleted.
    let kv2 = vault_path("kvrg", "kv-protected");
    assert_eq!(
        c.arm(&tok, "PUT", &kv2, Some(vault_body(true, true)))
            .await
            .status,
        201
    );
    delete_and_wait(&c, &tok, &kv2).await;
    let p = c
        .arm(&tok, "POST", &format!("/subscriptions/{S}/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/kv-protected/purge?{KV_API}"), None)
        .await;
    assert_eq!((p.status, p.code().as_str()), (409, "MethodNotAllowed"));
    let g = c
        .arm(
            &tok,
            "GET",
            &deleted_vault_path("westeurope", "kv-protected"),
            None,
        )
        .await;
    assert_eq!(g.status, 200);
    assert_eq!(g.json()["properties"]["purgeProtectionEnabled"], true);

    // A vault created with enableSoftDelete=false is gone for good.
    let kv3 = vault_path("kvrg", "kv-hard");
    let mut hard = vault_body(false, true);
    hard["properties"]["enableSoftDelete"] = json!(false);
    assert_eq!(c.arm(&tok, "PUT", &kv3, Some(hard)).await.status, 201);
    delete_and_wait(&c, &tok, &kv3).await;
    assert_eq!(
        c.arm(
            &tok,
            "GET",
            &deleted_vault_path("westeurope", "kv-hard"),
            None
        )
        .await
        .status,
        404
    );

    // A resource group's cascade delete soft-deletes its vaults too.
    put_rg(&c, &tok, "doomed").await;
    let kv4 = vault_path("doomed", "kv-cascade");
    assert_eq!(
        c.arm(&tok, "PUT", &kv4, Some(vault_body(false, true)))
            .await
            .status,
        201
    );
    let d = c
        .arm(
            &tok,
            "DELETE",
            &format!("{}?api-version=2021-04-01", rg("doomed")),
            None,
        )
        .await;
    assert_eq!(d.status, 202);
    wait_location(&c, &tok, &d).await;
    assert_eq!(
        c.arm(
            &tok,
            "GET",
            &deleted_vault_path("westeurope", "kv-cascade"),
            None
        )
        .await
        .status,
        200
    );

    // After the retention period (7 days here) Azure purges on its own.
    emu.advance_clock(Duration::from_secs(8 * 86_400));
    let tok = c.token(ARM_SCOPE).await;
    assert_eq!(
        c.arm(
            &tok,
            "GET",
            &deleted_vault_path("westeurope", "kv-cascade"),
            None
        )
        .await
        .status,
        404
    );
    assert!(emu.soft_deleted().is_empty());
}

#[tokio::test]
async fn cognitive_account_soft_delete_restore_and_purge() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "airg").await;
    let acct = format!(
        "{}/providers/Microsoft.CognitiveServices/accounts/ai-soft-1?{CS_API}",
        rg("airg")
    );
    let deleted = format!("/subscriptions/{S}/providers/Microsoft.CognitiveServices/locations/westeurope/resourceGroups/airg/deletedAccounts/ai-soft-1?{CS_API}");
    let body = json!({"location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"},
        "properties": {"customSubDomainName": "ai-soft-1", "publicNetworkAccess": "Disabled"}});
    let r = c.arm(&tok, "PUT", &acct, Some(body.clone())).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    delete_and_wait(&c, &tok, &acct).await;
    assert_eq!(c.arm(&tok, "GET", &acct, None).await.status, 404);
    let g = c.arm(&tok, "GET", &deleted, None).await;
    assert_eq!(g.status, 200, "{}", String::from_utf8_lossy(&g.body));
    let v = g.json();
    assert_eq!(v["name"], "ai-soft-1");
    assert_eq!(v["kind"], "AIServices");
    assert!(v["properties"]["deletionDate"].is_string());
    assert!(v["properties"]["scheduledPurgeDate"].is_string());
    let list = c
        .arm(
            &tok,
            "GET",
            &format!(
                "/subscriptions/{S}/providers/Microsoft.CognitiveServices/deletedAccounts?{CS_API}"
            ),
            None,
        )
        .await;
    assert_eq!(list.json()["value"].as_array().map(Vec::len), Some(1));

    // Re-create without restore: 409 FlagMustBeSetForRestore.
    let r = c.arm(&tok, "PUT", &acct, Some(body.clone())).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (409, "FlagMustBeSetForRestore")
    );
    // restore=true brings it back, with the request applied over it.
    let mut restore = body.clone();
    restore["properties"]["restore"] = json!(true);
    restore["properties"]["publicNetworkAccess"] = json!("Enabled");
    let r = c.arm(&tok, "PUT", &acct, Some(restore)).await;
    assert!(
        r.status == 200 || r.status == 201,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let g = c.arm(&tok, "GET", &acct, None).await.json();
    assert_eq!(g["properties"]["publicNetworkAccess"], "Enabled");
    assert_eq!(g["properties"]["customSubDomainName"], "ai-soft-1");
    assert!(
        g["properties"].get("restore").is_none(),
        "restore is write-only"
    );
    assert_eq!(c.arm(&tok, "GET", &deleted, None).await.status, 404);

    // Delete again and purge (DELETE on the deleted account): 202 + Azure-AsyncOperation.
    delete_and_wait(&c, &tok, &acct).await;
    let p = c.arm(&tok, "DELETE", &deleted, None).await;
    assert_eq!(p.status, 202, "{}", String::from_utf8_lossy(&p.body));
    let (status, _) = poll(
        &c,
        &tok,
        &p.h("azure-asyncoperation").expect("Azure-AsyncOperation"),
    )
    .await;
    assert_eq!(status, "Succeeded");
    assert_eq!(c.arm(&tok, "GET", &deleted, None).await.status, 404);
    assert_eq!(c.arm(&tok, "DELETE", &deleted, None).await.status, 404);
    let r = c.arm(&tok, "PUT", &acct, Some(body)).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    drop(emu);
}

#[tokio::test]
async fn soft_deleted_items_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let (emu, c) = start(config().with_state_file(&state)).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "kvrg").await;
    let kv = vault_path("kvrg", "kv-kept");
    assert_eq!(
        c.arm(&tok, "PUT", &kv, Some(vault_body(false, true)))
            .await
            .status,
        201
    );
    delete_and_wait(&c, &tok, &kv).await;
    emu.stop().await.unwrap();
    let (emu, c) = start(config().with_state_file(&state)).await;
    let g = c
        .arm(
            &tok,
            "GET",
            &deleted_vault_path("westeurope", "kv-kept"),
            None,
        )
        .await;
    assert_eq!(g.status, 200, "{}", String::from_utf8_lossy(&g.body));
    let r = c.arm(&tok, "PUT", &kv, Some(vault_body(false, true))).await;
    assert_eq!(r.status, 409);
    emu.stop().await.unwrap();
}
