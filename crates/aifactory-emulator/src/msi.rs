//! Managed identity token endpoints: App Service (`GET /msi/token?resource=..&api-version=2019-08-01`
//! with `X-IDENTITY-HEADER`; point `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` at it) and an
//! IMDS-shaped endpoint (`GET /metadata/identity/oauth2/token` with `Metadata: true`) for
//! clients whose IMDS address can be overridden. Identity selection by `client_id`,
//! `object_id`/`principal_id`, `mi_res_id`/`msi_res_id`; default = first managed identity.
//!
//! Owns MSI request/response shapes; token minting is `entra::issue`.

use crate::entra::{issue, known_resource};
use crate::http::{Req, Resp};
use crate::seed::PrincipalKind;
use crate::state::{Principal, State};
use http::StatusCode;
use serde_json::json;

fn msi_error(status: StatusCode, error: &str, desc: &str) -> Resp {
    Resp::json(status, &json!({"error": error, "error_description": desc}))
}

fn select<'a>(st: &'a State, req: &Req) -> Result<&'a Principal, Resp> {
    let mis = st
        .directory
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::ManagedIdentity);
    let eq = |a: &Option<String>, b: &str| a.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(b));
    let found = if let Some(c) = req.q("client_id") {
        mis.clone().find(|p| eq(&p.client_id, c))
    } else if let Some(o) = req.q("object_id").or_else(|| req.q("principal_id")) {
        mis.clone().find(|p| p.object_id.eq_ignore_ascii_case(o))
    } else if let Some(r) = req.q("mi_res_id").or_else(|| req.q("msi_res_id")) {
        mis.clone().find(|p| eq(&p.resource_id, r))
    } else {
        mis.clone().next()
    };
    found.ok_or_else(|| {
        msi_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "No Managed Identity found for specified ClientId/ResourceId/PrincipalId.",
        )
    })
}

fn token_body(st: &State, p: &Principal, resource: &str, imds: bool) -> Resp {
    let (tok, iat, exp) = issue(st, p, resource, "2");
    let mut body = json!({
        "access_token": tok,
        "expires_on": exp.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": p.client_id.clone().unwrap_or_default(),
        "not_before": iat.to_string(),
    });
    if imds {
        body["expires_in"] = json!((exp - iat).to_string());
        body["refresh_token"] = json!("");
    }
    Resp::json(StatusCode::OK, &body).principal(Some(p.object_id.clone()))
}

/// `GET /msi/token` (App Service 2019-08-01 protocol).
pub fn app_service(st: &State, identity_header: &str, req: &Req) -> Resp {
    if req.header("x-identity-header") != Some(identity_header) {
        return msi_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.",
        );
    }
    if req.q("api-version") != Some("2019-08-01") {
        return msi_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "api-version must be 2019-08-01.",
        );
    }
    let Some(resource) = req.q("resource").filter(|r| !r.is_empty()) else {
        return msi_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The 'resource' query parameter is required.",
        );
    };
    if !known_resource(st, resource) {
        return msi_error(StatusCode::BAD_REQUEST, "invalid_resource", &format!("AADSTS500011: The resource principal named {resource} was not found in the tenant."));
    }
    match select(st, req) {
        Ok(p) => token_body(st, p, resource, false),
        Err(r) => r,
    }
}

/// `GET /metadata/identity/oauth2/token` (IMDS shape).
pub fn imds(st: &State, req: &Req) -> Resp {
    if req.header("metadata") != Some("true") {
        return msi_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required metadata header not specified",
        );
    }
    let Some(resource) = req.q("resource").filter(|r| !r.is_empty()) else {
        return msi_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required query variable 'resource' is missing",
        );
    };
    if !known_resource(st, resource) {
        return msi_error(StatusCode::BAD_REQUEST, "invalid_resource", &format!("AADSTS500011: The resource principal named {resource} was not found in the tenant."));
    }
    match select(st, req) {
        Ok(p) => token_body(st, p, resource, true),
        Err(_) => msi_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Identity not found",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::faults::Faults;
    use crate::seed::{PrincipalSeed, Seed, TenantSeed};

    fn req(q: &str, headers: &[(&str, &str)]) -> Req {
        let mut h = http::HeaderMap::new();
        for (k, v) in headers {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        Req {
            method: http::Method::GET,
            raw_path: "/msi/token".into(),
            raw_query: q.into(),
            segments: vec!["msi".into(), "token".into()],
            query: crate::util::parse_form(q),
            headers: h,
            body: bytes::Bytes::new(),
            request_id: "r".into(),
            correlation_id: "c".into(),
        }
    }

    #[test]
    fn selects_identity_and_checks_header() {
        let mut st = State::new(Settings::default(), Faults::new(vec![], Some(1)));
        let mi = |c: &str, o: &str| PrincipalSeed {
            kind: PrincipalKind::ManagedIdentity,
            client_id: Some(c.into()),
            object_id: Some(o.into()),
            resource_id: Some(format!("/mi/{c}")),
            ..Default::default()
        };
        let seed = Seed {
            tenants: vec![TenantSeed {
                id: "t".into(),
                domains: vec![],
            }],
            principals: vec![mi("c1", "o1"), mi("c2", "o2")],
            ..Seed::default()
        };
        st.directory.apply(&seed, 0, &Settings::default()).unwrap();
        let base = "resource=https://management.azure.com&api-version=2019-08-01";
        let ok = |q: &str| {
            app_service(
                &st,
                "H",
                &req(&format!("{base}{q}"), &[("x-identity-header", "H")]),
            )
        };
        assert_eq!(ok("").principal.as_deref(), Some("o1"));
        assert_eq!(ok("&client_id=c2").principal.as_deref(), Some("o2"));
        assert_eq!(ok("&object_id=o2").principal.as_deref(), Some("o2"));
        assert_eq!(ok("&mi_res_id=/mi/c2").principal.as_deref(), Some("o2"));
        assert_eq!(ok("&client_id=zz").status, StatusCode::BAD_REQUEST);
        assert_eq!(
            app_service(&st, "H", &req(base, &[("x-identity-header", "no")])).status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            app_service(
                &st,
                "H",
                &req(
                    "resource=https://management.azure.com&api-version=2017-09-01",
                    &[("x-identity-header", "H")]
                )
            )
            .status,
            StatusCode::BAD_REQUEST
        );
        let r = ok("");
        let v = r.body_json().unwrap();
        assert!(v["expires_on"].as_str().unwrap().parse::<i64>().is_ok());
        assert_eq!(imds(&st, &req(base, &[])).status, StatusCode::BAD_REQUEST);
        assert_eq!(
            imds(&st, &req(base, &[("metadata", "true")])).status,
            StatusCode::OK
        );
    }
}
