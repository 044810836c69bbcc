//! Entra ID token endpoint: `POST /{tenant}/oauth2/v2.0/token` (and the v1
//! `/{tenant}/oauth2/token`) for `client_credentials` with a client secret (form or HTTP
//! Basic), a certificate-signed client assertion (RS256/PS256, `x5t`/`x5t#S256`), or a
//! federated assertion (issuer/subject/audience matched against the app's federated
//! credentials, `exp`/`nbf` checked, signature not checked). Also the OIDC discovery
//! document. Errors use Entra's JSON with AADSTS codes.
//!
//! Owns credential checks and token minting (shared with `msi`); must not check bearer
//! tokens (that is `auth`).

use crate::http::{Req, Resp};
use crate::seed::PrincipalKind;
use crate::state::{Principal, State};
use crate::token::{self, claim_strings, Jwt};
use crate::util;
use base64::Engine;
use http::{Method, StatusCode};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde_json::{json, Value};

/// `client_assertion_type` for assertions.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Resource hosts the emulated tenant knows (`scope = {resource}/.default`).
const KNOWN_RESOURCE_HOSTS: [&str; 11] = [
    "management.azure.com",
    "management.core.windows.net",
    "storage.azure.com",
    "vault.azure.net",
    "graph.microsoft.com",
    "cognitiveservices.azure.com",
    "ml.azure.com",
    "search.azure.com",
    "database.windows.net",
    "ai.azure.com",
    "monitor.azure.com",
];

/// Entra error response.
pub fn entra_error(
    status: StatusCode,
    error: &str,
    code: u32,
    msg: &str,
    now_ms: i64,
    base: &str,
) -> Resp {
    let trace = util::new_guid();
    let corr = util::new_guid();
    let ts = util::entra_timestamp(now_ms);
    Resp::json(
        status,
        &json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {msg} Trace ID: {trace} Correlation ID: {corr} Timestamp: {ts}"),
            "error_codes": [code],
            "timestamp": ts,
            "trace_id": trace,
            "correlation_id": corr,
            "error_uri": format!("{base}/error?code={code}"),
        }),
    )
}

/// Whether a resource (audience) exists in the emulated cloud.
pub fn known_resource(st: &State, resource: &str) -> bool {
    let r = resource.trim_end_matches('/').to_ascii_lowercase();
    if let Some(host) = r.strip_prefix("https://") {
        let host = host.split('/').next().unwrap_or_default();
        return KNOWN_RESOURCE_HOSTS.contains(&host)
            || host.ends_with(".dfs.core.windows.net")
            || host.ends_with(".blob.core.windows.net")
            || host.ends_with(".vault.azure.net");
    }
    let id = r.strip_prefix("api://").unwrap_or(&r);
    st.directory.principals.iter().any(|p| {
        p.client_id
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(id))
    })
}

/// Mints an access token for `p` with audience `aud`. Returns (token, iat, exp) in seconds.
pub fn issue(st: &State, p: &Principal, aud: &str, appidacr: &str) -> (String, i64, i64) {
    let now = st.now_ms() / 1000;
    let exp = now.saturating_add(st.settings.token_lifetime_secs.min(i64::MAX as u64 / 2) as i64);
    let mut claims = json!({
        "aud": aud,
        "iss": format!("https://sts.windows.net/{}/", p.tenant),
        "iat": now,
        "nbf": now,
        "exp": exp,
        "tid": p.tenant,
        "oid": p.object_id,
        "sub": p.object_id,
        "idtyp": "app",
        "ver": "1.0",
        "appidacr": appidacr,
        "uti": util::new_guid(),
    });
    if let Some(c) = &p.client_id {
        claims["appid"] = json!(c);
        claims["azp"] = json!(c);
    }
    if let Some(r) = &p.resource_id {
        claims["xms_mirid"] = json!(r);
    }
    (token::mint(&st.signing_key, &claims), now, exp)
}

/// Why a token request is refused: (status, OAuth `error`, AADSTS code, message).
type Refusal = (StatusCode, &'static str, u32, String);

fn bad_request(error: &'static str, code: u32, msg: impl Into<String>) -> Refusal {
    (StatusCode::BAD_REQUEST, error, code, msg.into())
}

/// 400 `invalid_request` 900144 for a missing form parameter.
fn missing(param: &str) -> Refusal {
    bad_request(
        "invalid_request",
        900144,
        format!("The request body must contain the following parameter: '{param}'."),
    )
}

/// The token request's form fields and HTTP Basic client credentials.
struct TokenForm {
    fields: Vec<(String, String)>,
    basic: Option<(String, String)>,
}

impl TokenForm {
    fn read(req: &Req) -> TokenForm {
        TokenForm {
            fields: util::parse_form(&String::from_utf8_lossy(&req.body)),
            basic: basic_credentials(req),
        }
    }

    /// A non-empty form field.
    fn get(&self, k: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn client_id(&self) -> Option<String> {
        self.get("client_id")
            .map(str::to_string)
            .or_else(|| self.basic.as_ref().map(|b| b.0.clone()))
    }

    fn client_secret(&self) -> Option<String> {
        self.get("client_secret")
            .map(str::to_string)
            .or_else(|| self.basic.as_ref().map(|b| b.1.clone()))
    }
}

/// `Authorization: Basic base64(urlencoded id ":" urlencoded secret)`.
fn basic_credentials(req: &Req) -> Option<(String, String)> {
    let h = req.header("authorization")?;
    let b = h
        .strip_prefix("Basic ")
        .or_else(|| h.strip_prefix("basic "))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b.trim())
        .ok()?;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (u, p) = raw.split_once(':')?;
    Some((util::pct_decode(u), util::pct_decode(p)))
}

/// The token's audience: v2 `scope` = one `{resource}/.default` (OIDC scopes aside); v1
/// `resource`.
fn requested_audience(form: &TokenForm, v2: bool) -> Result<String, Refusal> {
    if !v2 {
        return form
            .get("resource")
            .map(str::to_string)
            .ok_or_else(|| missing("resource"));
    }
    let scope = form.get("scope").ok_or_else(|| missing("scope"))?;
    let scopes: Vec<&str> = scope
        .split_whitespace()
        .filter(|s| !["openid", "profile", "offline_access", "email"].contains(s))
        .collect();
    if scopes.len() != 1 {
        return Err(bad_request("invalid_scope", 28000, format!("Provided value for the input parameter scope '{scope}' is not valid because it contains more than one resource. Scope {scope} is not valid.")));
    }
    scopes[0]
        .strip_suffix("/.default")
        .map(str::to_string)
        .ok_or_else(|| bad_request("invalid_scope", 1002012, format!("The provided value for scope {} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scopes[0])))
}

/// Checks the client's credential (secret, or assertion against `endpoint`); returns the
/// token's `appidacr` (`1` secret, `2` assertion).
fn authenticate_client(
    principal: &Principal,
    client_id: &str,
    form: &TokenForm,
    endpoint: &str,
    now_ms: i64,
) -> Result<&'static str, Refusal> {
    if let Some(secret) = form.client_secret() {
        if principal.kind != PrincipalKind::App || !principal.secrets.contains(&secret) {
            return Err((
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
            ));
        }
        return Ok("1");
    }
    let Some(assertion) = form.get("client_assertion") else {
        return Err((StatusCode::UNAUTHORIZED, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".into()));
    };
    if form.get("client_assertion_type") != Some(JWT_BEARER) {
        return Err(bad_request("invalid_request", 900144, format!("The request body must contain the following parameter: 'client_assertion_type' with value '{JWT_BEARER}'.")));
    }
    check_assertion(principal, assertion, endpoint, now_ms)
        .map_err(|(status, code, msg)| (status, "invalid_client", code, msg))?;
    Ok("2")
}

/// Handles `/{tenant}/oauth2/v2.0/token` (`v2 = true`) and `/{tenant}/oauth2/token`.
pub fn token_endpoint(st: &State, base: &str, req: &Req, tenant_seg: &str, v2: bool) -> Resp {
    let now_ms = st.now_ms();
    match grant(st, base, req, tenant_seg, v2, now_ms) {
        Ok(r) => r,
        Err((status, error, code, msg)) => entra_error(status, error, code, &msg, now_ms, base),
    }
}

/// The `client_credentials` grant: tenant, client, audience, credential, then the token.
fn grant(
    st: &State,
    base: &str,
    req: &Req,
    tenant_seg: &str,
    v2: bool,
    now_ms: i64,
) -> Result<Resp, Refusal> {
    if req.method != Method::POST {
        return Err((
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            900561,
            "The endpoint only accepts POST requests. Received a GET request.".into(),
        ));
    }
    let form = TokenForm::read(req);
    let Some(tenant) = st.directory.tenant(tenant_seg).map(|t| t.id.clone()) else {
        return Err(bad_request("invalid_request", 90002, format!("Tenant '{tenant_seg}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.")));
    };
    let grant = form
        .get("grant_type")
        .ok_or_else(|| missing("grant_type"))?;
    if grant != "client_credentials" {
        return Err(bad_request(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant}'."),
        ));
    }
    let client_id = form.client_id().ok_or_else(|| missing("client_id"))?;
    let aud = requested_audience(&form, v2)?;
    let Some(principal) = st.directory.client(&tenant, &client_id).cloned() else {
        return Err(bad_request("unauthorized_client", 700016, format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.")));
    };
    if !known_resource(st, &aud) {
        return Err(bad_request("invalid_resource", 500011, format!("The resource principal named {aud} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.")));
    }
    let endpoint = format!(
        "{base}/{tenant_seg}/oauth2/{}token",
        if v2 { "v2.0/" } else { "" }
    );
    let appidacr = authenticate_client(&principal, &client_id, &form, &endpoint, now_ms)?;
    let (tok, iat, exp) = issue(st, &principal, &aud, appidacr);
    Ok(
        Resp::json(StatusCode::OK, &token_body(&tok, iat, exp, &aud, v2))
            .header("cache-control", "no-store, no-cache")
            .header("pragma", "no-cache")
            .principal(Some(principal.object_id.clone())),
    )
}

/// The token response: v2 numbers, v1 strings with `expires_on`, `not_before`, `resource`.
fn token_body(tok: &str, iat: i64, exp: i64, aud: &str, v2: bool) -> Value {
    let lifetime = exp - iat;
    if v2 {
        return json!({"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": tok});
    }
    json!({
        "token_type": "Bearer",
        "expires_in": lifetime.to_string(),
        "ext_expires_in": lifetime.to_string(),
        "expires_on": exp.to_string(),
        "not_before": iat.to_string(),
        "resource": aud,
        "access_token": tok,
    })
}

type AssertionError = (StatusCode, u32, String);

fn num(v: Option<&Value>) -> Option<i64> {
    v.and_then(|x| x.as_i64().or_else(|| x.as_f64().map(|f| f as i64)))
}

fn unauthorized(code: u32, msg: String) -> AssertionError {
    (StatusCode::UNAUTHORIZED, code, msg)
}

/// A string claim (empty when absent).
fn claim<'a>(jwt: &'a Jwt, k: &str) -> &'a str {
    jwt.claims
        .get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Checks a client assertion: certificate-signed when its header names a thumbprint the
/// app has registered, otherwise federated.
pub fn check_assertion(
    p: &Principal,
    assertion: &str,
    endpoint: &str,
    now_ms: i64,
) -> Result<(), AssertionError> {
    let jwt = token::decode(assertion).map_err(|_| {
        (
            StatusCode::BAD_REQUEST,
            50027,
            "JWT token is invalid or malformed.".to_string(),
        )
    })?;
    let (found, thumbprint) = registered_certificate(p, &jwt);
    match found {
        Some(cert) => check_certificate_assertion(p, &jwt, &cert, endpoint)?,
        None if p.federated_credentials.is_empty() => {
            let tp: String = thumbprint
                .unwrap_or_default()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect();
            return Err(unauthorized(700027, format!("The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{tp}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{}'.]", p.client_id.clone().unwrap_or_default())));
        }
        None => check_federated_assertion(p, &jwt)?,
    }
    check_lifetime(&jwt, now_ms)
}

/// The registered certificate whose SHA-1 (`x5t`) or SHA-256 (`x5t#S256`) thumbprint the
/// assertion's header names, and the SHA-1 thumbprint asked for.
fn registered_certificate(
    p: &Principal,
    jwt: &Jwt,
) -> (Option<CertificateDer<'static>>, Option<Vec<u8>>) {
    let header = |k: &str| jwt.header.get(k).and_then(Value::as_str);
    let want = header("x5t").and_then(token::b64url_decode);
    let want256 = header("x5t#S256").and_then(token::b64url_decode);
    let mut found = None;
    for pem in &p.certificates {
        for c in CertificateDer::pem_slice_iter(pem.as_bytes()).flatten() {
            let s1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, c.as_ref());
            let s256 = ring::digest::digest(&ring::digest::SHA256, c.as_ref());
            if want.as_deref() == Some(s1.as_ref()) || want256.as_deref() == Some(s256.as_ref()) {
                found = Some(c);
            }
        }
    }
    (found, want)
}

/// Certificate credential: RS256/PS256 signature by `cert`, `iss` = `sub` = the client id,
/// `aud` = the token endpoint.
fn check_certificate_assertion(
    p: &Principal,
    jwt: &Jwt,
    cert: &CertificateDer<'static>,
    endpoint: &str,
) -> Result<(), AssertionError> {
    let alg = jwt
        .header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let ee = webpki::EndEntityCert::try_from(cert).map_err(|e| {
        unauthorized(
            700027,
            format!("Client assertion failed signature validation. (certificate: {e})"),
        )
    })?;
    let verified = match alg {
        "RS256" => ee.verify_signature(webpki::ring::RSA_PKCS1_2048_8192_SHA256, jwt.signing_input.as_bytes(), &jwt.signature),
        "PS256" => ee.verify_signature(webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY, jwt.signing_input.as_bytes(), &jwt.signature),
        _ => return Err(unauthorized(700027, format!("Client assertion failed signature validation. Unsupported alg '{alg}' (RS256 or PS256)."))),
    };
    if verified.is_err() {
        return Err(unauthorized(
            700027,
            "Client assertion failed signature validation.".into(),
        ));
    }
    let client = p.client_id.clone().unwrap_or_default();
    let (iss, sub) = (claim(jwt, "iss"), claim(jwt, "sub"));
    if !iss.eq_ignore_ascii_case(&client) || !sub.eq_ignore_ascii_case(&client) {
        return Err(unauthorized(700023, format!("Client assertion issuer '{iss}' and subject '{sub}' must both be the client id '{client}'.")));
    }
    let auds = claim_strings(&jwt.claims, "aud");
    let ep = endpoint.trim_end_matches('/').to_ascii_lowercase();
    if !auds.iter().any(|a| {
        let a = a.trim_end_matches('/').to_ascii_lowercase();
        a == ep || ep.starts_with(&format!("{a}/"))
    }) {
        return Err(unauthorized(700212, format!("Client assertion audience claim does not match Realm issuer. Audience '{}', expected '{endpoint}'.", auds.join(","))));
    }
    Ok(())
}

/// Federated credential: a registered (issuer, subject) pair with one of the audiences.
fn check_federated_assertion(p: &Principal, jwt: &Jwt) -> Result<(), AssertionError> {
    let (iss, sub) = (claim(jwt, "iss"), claim(jwt, "sub"));
    let auds = claim_strings(&jwt.claims, "aud");
    let by_issuer: Vec<_> = p
        .federated_credentials
        .iter()
        .filter(|f| f.issuer == iss)
        .collect();
    if by_issuer.is_empty() {
        return Err(unauthorized(700211, format!("No matching federated identity record found for presented assertion issuer '{iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation")));
    }
    let by_subject: Vec<_> = by_issuer.into_iter().filter(|f| f.subject == sub).collect();
    if by_subject.is_empty() {
        return Err(unauthorized(700213, format!("No matching federated identity record found for presented assertion subject '{sub}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation")));
    }
    if !by_subject
        .iter()
        .any(|f| f.audiences.iter().any(|a| auds.contains(a)))
    {
        return Err(unauthorized(700212, format!("No matching federated identity record found for presented assertion audience '{}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", auds.join(","))));
    }
    Ok(())
}

/// `exp` in the future, `nbf` (when present) at most five minutes ahead.
fn check_lifetime(jwt: &Jwt, now_ms: i64) -> Result<(), AssertionError> {
    let now = now_ms / 1000;
    let exp = num(jwt.claims.get("exp"));
    let nbf = num(jwt.claims.get("nbf"));
    if exp.is_some_and(|e| e > now) && nbf.is_none_or(|n| n <= now + 300) {
        return Ok(());
    }
    Err(unauthorized(
        700024,
        format!(
            "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}.",
            util::iso8601(now_ms),
            nbf.map(|n| util::iso8601(n.saturating_mul(1000))).unwrap_or_default(),
            exp.map(|e| util::iso8601(e.saturating_mul(1000))).unwrap_or_default()
        ),
    ))
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
pub fn openid_configuration(st: &State, base: &str, tenant_seg: &str) -> Resp {
    let Some(t) = st.directory.tenant(tenant_seg) else {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            &format!("Tenant '{tenant_seg}' not found."),
            st.now_ms(),
            base,
        );
    };
    let tid = &t.id;
    Resp::json(
        StatusCode::OK,
        &json!({
            "token_endpoint": format!("{base}/{tid}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("{base}/{tid}/discovery/v2.0/keys"),
            "issuer": format!("{base}/{tid}/v2.0"),
            "authorization_endpoint": format!("{base}/{tid}/oauth2/v2.0/authorize"),
            "response_types_supported": ["code", "id_token", "token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "aifactory-emulator",
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::FederatedCredential;

    fn app() -> Principal {
        Principal {
            kind: PrincipalKind::App,
            tenant: "t".into(),
            object_id: "o".into(),
            client_id: Some("c".into()),
            display_name: None,
            user_principal_name: None,
            secrets: vec!["s".into()],
            federated_credentials: vec![FederatedCredential {
                name: None,
                issuer: "https://issuer".into(),
                subject: "repo:x".into(),
                audiences: vec!["api://AzureADTokenExchange".into()],
            }],
            certificates: vec![],
            resource_id: None,
            new_until_ms: None,
        }
    }

    fn unsigned(claims: Value) -> String {
        format!(
            "{}.{}.",
            token::b64url(br#"{"alg":"none"}"#),
            token::b64url(claims.to_string().as_bytes())
        )
    }

    #[test]
    fn federated_matching_codes() {
        let p = app();
        let now = 1_000_000_000;
        let ok = json!({"iss": "https://issuer", "sub": "repo:x", "aud": "api://AzureADTokenExchange", "exp": 1_000_100});
        assert!(check_assertion(&p, &unsigned(ok.clone()), "e", now).is_ok());
        let mut c = ok.clone();
        c["iss"] = json!("https://other");
        assert_eq!(
            check_assertion(&p, &unsigned(c), "e", now).unwrap_err().1,
            700211
        );
        let mut c = ok.clone();
        c["sub"] = json!("repo:X");
        assert_eq!(
            check_assertion(&p, &unsigned(c), "e", now).unwrap_err().1,
            700213
        );
        let mut c = ok.clone();
        c["aud"] = json!(["nope"]);
        assert_eq!(
            check_assertion(&p, &unsigned(c), "e", now).unwrap_err().1,
            700212
        );
        let mut c = ok;
        c["exp"] = json!(999_999);
        assert_eq!(
            check_assertion(&p, &unsigned(c), "e", now).unwrap_err().1,
            700024
        );
    }
}
