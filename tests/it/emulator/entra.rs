//! Entra wire tests: the token endpoint (secret, federated and certificate
//! credentials, error codes) and the managed-identity endpoints (App Service MSI, IMDS).

use super::*;
use serde_json::{json, Value};

const TEST_RSA_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC1SfFPOmc7ot0g\nb8hQ0DOYprGtJ7I1bjsdFT1ybMvK/MoKgiKGjxBWz2gPumiiocap9y27m26R4p7q\ndpW5OwcaH3sJ9L74f3Yv3nNOX4yFmg28giDWuxRzOCIJVosQ83mKY7cMmPM7TqmI\nsAeMWwaSn39qBl2qOtIYNmqxWDaC9AGsEXZ5RiFiu61VNAt/+/DAYv7kuCGLx0eg\nZZNntWjMvP3s8TDviHkH5W8rR4vWYM04Zmpu+5d/peLSRvjkvEOmexRuoqf+9RvH\n+yuAk4bZRkv5rIkOiqchfhSQG2oxrVg7NukfNhpxxu0g614GkGepOwpIWg67ql0j\nUMScGcXJAgMBAAECggEACOx83mOHlV3s+J3IBIJbJ9Z8xINBuHOWoVXcUneciH9t\nCpthS7JbIYrQGoYYhHjmKJOsQqHiDXhUTkJMGHQZY2XNTq4ngF/112Fh16fIaQMu\nTesx5qAK36kRs9f4vHrfrro91nbo8jBrE/lmRbhtWGZVhUiO78Q5d0umcNhgxo1a\n2frpaackNdZEBNmrJT6nLai3X2G6CHnd3VNaJDdMGEZJsZq2gq4dVQxb1tz//LXo\n/7WElV+1wA8DINCT8ErkbxUaQTpmeIAxUjKXMfjrUocoNm+BoKatbYKudNjQ0Q6I\nrUBxVNfZwuzDnmVxLwNOXy9Bp77JpeR/kesEkJrhAQKBgQD7NuXZOKM0aRfVKQ4O\nfLMe9ZJJ9to94+ecEdSPBGRz/4EbStdHq0Sm4wSsva4wwo4aa35pK42f98HKOoG3\nqg7oNfb9rHc/0GKrVLzKSfAi0BXJEQgq9FaSth9TU9/ypGfQlnwEadCSHC+dHFgx\nHLR0URq+2bMDrePly0WsFukY8QKBgQC4vgmKKZRVzh2WOBOUCGERkbAW2IMnQBXD\nbXVI/DLvcIRCgL1ftnyjZBG7B8yNQL8KmPeJDH4Q8V96h+w83/zQQJ9H7rcYmLJa\nrQVza6NyXRv6m9k2kioTIoNraQvha/5y3pIO+3PtXxJtw2tfWOrrDWcr7ZXzWhp3\neDcFMAG6WQKBgQC/F1doEQk0iOy0HPKwWnL2jd6lnL0ObxpzQazqzXCMPEM9O4Te\n44zpVa7sp6ylMpldx371CUhF8vTam/6ocxe707D57gMX66/inCavyeZ81MR9mhMY\neZyRJTBW9mpX7G9737yers8VFZOycyky0p8CC9/IZVki51eAKUvqR9MwQQKBgASt\nMtqfgNTHOfKCiuRVbfee44FAi9ljgumGjNCDKdrr0z1HuwOAQBl2wAgnA2OT/wIK\nq0F54nsVUSBt7moAFYtEB4Qvo8zomKM4/AlW8TVE7B9k8JO0EYKYfhErAJT9Qdyw\ni6v7a4zXukSzDLXGL3Qxy6nOAty9LCxYC7SC6ZhJAoGBANE8FvYCdkmQA0z8UeBH\nTl/AMZWYdgO2eMmq300NbGulwl53NwfdGop6qA81FgAP67ChUAHWkGWvcx9A8Vom\n+KwI+ZhtKZ68LoIZWY0sxklLQ7laq0RptnLdrTzB2cen4cw6ROkrDe8nR4v/5cvY\nBbk7j4yIzvMWlE8DjPasIv1G\n-----END PRIVATE KEY-----";

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
