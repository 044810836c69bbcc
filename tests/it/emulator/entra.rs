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

    // Error codes: each case replaces fields of a good request.
    let token_url = format!("/{T}/oauth2/v2.0/token");
    let good = [
        ("grant_type", "client_credentials"),
        ("client_id", APP),
        ("client_secret", SECRET),
        ("scope", ARM_SCOPE),
    ];
    let with = |over: &[(&'static str, &'static str)]| {
        let mut form = good.to_vec();
        for (k, v) in over {
            form.retain(|(x, _)| x != k);
            form.push((k, v));
        }
        form
    };
    let case = |name: &'static str,
                path: &str,
                over: &[(&'static str, &'static str)],
                status,
                code,
                aadsts: &str| {
        form_case(name, path, &with(over), status, code).message_starts_with(aadsts)
    };
    let r = run_arm_cases(
        &c,
        "",
        [
            case(
                "wrong secret",
                &token_url,
                &[("client_secret", "wrong")],
                401,
                "invalid_client",
                "AADSTS7000215",
            ),
            case(
                "unknown app",
                &token_url,
                &[("client_id", "99999999-9999-4999-8999-999999999999")],
                400,
                "unauthorized_client",
                "AADSTS700016",
            ),
            case(
                "unknown tenant",
                "/00000000-0000-4000-8000-000000000000/oauth2/v2.0/token",
                &[],
                400,
                "invalid_request",
                "AADSTS90002",
            ),
            case(
                "scope without /.default",
                &token_url,
                &[("scope", "https://management.azure.com/user_impersonation")],
                400,
                "invalid_scope",
                "AADSTS1002012",
            ),
            case(
                "unknown resource",
                &token_url,
                &[("scope", "https://nothing.example/.default")],
                400,
                "invalid_resource",
                "AADSTS500011",
            ),
            case(
                "password grant",
                &token_url,
                &[("grant_type", "password")],
                400,
                "unsupported_grant_type",
                "AADSTS70003",
            ),
        ],
    )
    .await;
    for r in &r {
        let j = r.json();
        assert!(
            j["error_codes"].is_array()
                && j["trace_id"].is_string()
                && j["correlation_id"].is_string(),
            "{j}"
        );
    }
    // HTTP Basic client authentication and the v1 endpoint.
    use base64::Engine;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{APP}:{SECRET}"))
    );
    let r = run_arm_cases(
        &c,
        "",
        [
            form_case(
                "HTTP Basic client authentication",
                &token_url,
                &[
                    ("grant_type", "client_credentials"),
                    ("scope", STORAGE_SCOPE),
                ],
                200,
                "",
            )
            .with_raw_auth(basic),
            form_case(
                "the v1 endpoint",
                format!("/{T}/oauth2/token"),
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", APP),
                    ("client_secret", SECRET),
                    ("resource", "https://management.azure.com/"),
                ],
                200,
                "",
            ),
        ],
    )
    .await;
    assert_eq!(r[1].json()["resource"], "https://management.azure.com/");
    assert!(r[1].json()["expires_on"].is_string());
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
    let token_url = format!("/{T}/oauth2/v2.0/token");
    let federated =
        |name: &'static str, change: Option<(&str, Value)>, status, code, aadsts: &str| {
            let mut claims = good.clone();
            if let Some((field, value)) = change {
                claims[field] = value;
            }
            let assertion = unsigned_jwt(claims);
            let case = form_case(
                name,
                &token_url,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", fed_app),
                    ("scope", ARM_SCOPE),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &assertion),
                ],
                status,
                code,
            );
            if aadsts.is_empty() {
                case
            } else {
                case.message_starts_with(aadsts)
            }
        };
    run_arm_cases(
        &c,
        "",
        [
            federated("a matching assertion", None, 200, "", ""),
            federated(
                "another issuer",
                Some(("iss", json!("https://evil"))),
                401,
                "invalid_client",
                "AADSTS700211",
            ),
            federated(
                "another subject",
                Some(("sub", json!("repo:org/other:ref:refs/heads/main"))),
                401,
                "invalid_client",
                "AADSTS700213",
            ),
            federated(
                "another audience",
                Some(("aud", json!("api://other"))),
                401,
                "invalid_client",
                "AADSTS700212",
            ),
            federated(
                "an expired assertion",
                Some(("exp", json!(now - 10))),
                401,
                "invalid_client",
                "AADSTS700024",
            ),
            form_case(
                "no credential at all",
                &token_url,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", fed_app),
                    ("scope", ARM_SCOPE),
                ],
                401,
                "invalid_client",
            ),
        ],
    )
    .await;
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
    let token_url = format!("/{T}/oauth2/v2.0/token");
    let signed = |name: &'static str, assertion: String, status, code| {
        form_case(
            name,
            &token_url,
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
            status,
            code,
        )
    };
    let mut tampered = rsa_signed_assertion(TEST_RSA_KEY, cert.der(), claims.clone(), false);
    tampered.truncate(tampered.len() - 4);
    tampered.push_str("AAAA");
    let other = rcgen::CertificateParams::new(vec!["other".to_string()])
        .unwrap()
        .self_signed(&kp)
        .unwrap();
    let mut wrong_aud = claims.clone();
    wrong_aud["aud"] = json!("https://login.microsoftonline.com/x/oauth2/v2.0/token");
    run_arm_cases(
        &c,
        "",
        [
            // x5t as azure_identity sends it (standard base64) and as RFC 7515 says (base64url).
            signed(
                "x5t in standard base64",
                rsa_signed_assertion(TEST_RSA_KEY, cert.der(), claims.clone(), true),
                200,
                "",
            ),
            signed(
                "x5t in base64url",
                rsa_signed_assertion(TEST_RSA_KEY, cert.der(), claims.clone(), false),
                200,
                "",
            ),
            signed("a tampered signature", tampered, 401, "invalid_client")
                .message_starts_with("AADSTS700027"),
            signed(
                "an unregistered certificate",
                rsa_signed_assertion(TEST_RSA_KEY, other.der(), claims.clone(), false),
                401,
                "invalid_client",
            )
            .message_starts_with("AADSTS700027"),
            signed(
                "another audience",
                rsa_signed_assertion(TEST_RSA_KEY, cert.der(), wrong_aud, false),
                401,
                "invalid_client",
            ),
        ],
    )
    .await;
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
    let msi = |name: &'static str, path: String, status, code| {
        arm_case(name, "GET", path, status, code).without_auth()
    };
    let r = run_arm_cases(
        &c,
        "",
        [
            msi("App Service MSI", path.clone(), 200, "")
                .with_header("x-identity-header", &info.identity_header),
            msi(
                "a wrong X-IDENTITY-HEADER",
                path.clone(),
                400,
                "invalid_request",
            )
            .with_header("x-identity-header", "wrong"),
            msi("no X-IDENTITY-HEADER", path.clone(), 400, "invalid_request"),
            msi(
                "an unknown client_id",
                format!("{path}&client_id=nope"),
                400,
                "invalid_request",
            )
            .with_header("x-identity-header", &info.identity_header),
            msi(
                "IMDS",
                format!(
                    "{}?resource=https://storage.azure.com/&api-version=2018-02-01",
                    path_of(&info.imds_endpoint)
                ),
                200,
                "",
            )
            .with_header("metadata", "true"),
        ],
    )
    .await;
    let j = r[0].json();
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["resource"], "https://management.azure.com");
    assert!(j["expires_on"].as_str().unwrap().parse::<i64>().unwrap() > 0);
    assert_eq!(r[4].json()["expires_in"], "3599");
    // The MSI token works on ARM.
    let tok = j["access_token"].as_str().unwrap();
    run_arm_cases(
        &c,
        tok,
        [arm_case(
            "ARM with the MSI token",
            "GET",
            format!("/subscriptions/{S}?api-version=2022-12-01"),
            200,
            "",
        )],
    )
    .await;
    drop(emu);
}
