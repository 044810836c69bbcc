//! Bearer-token checks for ARM and DFS: header presence and format, signature (emulator
//! key), expiry against the virtual clock, audience; and the 401 responses ARM sends
//! (`AuthenticationFailed`, `InvalidAuthenticationToken`, `ExpiredAuthenticationToken`,
//! `InvalidAuthenticationTokenAudience`, `InvalidAuthenticationTokenTenant`) with
//! `WWW-Authenticate`.
//!
//! Owns token validation; must not mint tokens (that is `entra`/`msi`).

use crate::http::{arm_error, Resp};
use crate::token::{self, AccessClaims};
use crate::util;
use http::{HeaderMap, StatusCode};

/// Audiences ARM accepts.
pub const ARM_AUDIENCES: [&str; 4] = [
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
];

/// Which service is checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Arm,
    Storage,
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub oid: String,
    pub tid: String,
    pub appid: Option<String>,
    pub aud: String,
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthFailure {
    Missing,
    InvalidHeader,
    Invalid,
    Expired { exp_ms: i64, now_ms: i64 },
    WrongAudience { aud: String },
}

/// True when `aud` is valid for `svc`.
pub fn audience_ok(svc: Service, aud: &str) -> bool {
    match svc {
        Service::Arm => ARM_AUDIENCES.contains(&aud),
        Service::Storage => {
            let a = aud.trim_end_matches('/').to_ascii_lowercase();
            a == "https://storage.azure.com"
                || (a.starts_with("https://")
                    && (a.ends_with(".dfs.core.windows.net")
                        || a.ends_with(".blob.core.windows.net")))
        }
    }
}

/// Validates the `Authorization` header.
pub fn authenticate(
    key: &[u8],
    headers: &HeaderMap,
    now_ms: i64,
    svc: Service,
) -> Result<Caller, AuthFailure> {
    let Some(value) = headers.get("authorization") else {
        return Err(AuthFailure::Missing);
    };
    let value = value.to_str().map_err(|_| AuthFailure::InvalidHeader)?;
    let Some((scheme, tok)) = value.trim().split_once(' ') else {
        return Err(AuthFailure::InvalidHeader);
    };
    if !scheme.eq_ignore_ascii_case("bearer") || tok.trim().is_empty() {
        return Err(AuthFailure::InvalidHeader);
    }
    let jwt = token::verify(key, tok.trim()).map_err(|_| AuthFailure::Invalid)?;
    let claims = AccessClaims::from_jwt(&jwt).ok_or(AuthFailure::Invalid)?;
    if claims.exp.saturating_mul(1000) <= now_ms {
        return Err(AuthFailure::Expired {
            exp_ms: claims.exp.saturating_mul(1000),
            now_ms,
        });
    }
    if !audience_ok(svc, &claims.aud) {
        return Err(AuthFailure::WrongAudience { aud: claims.aud });
    }
    Ok(Caller {
        oid: claims.oid,
        tid: claims.tid,
        appid: claims.appid,
        aud: claims.aud,
    })
}

fn www_authenticate(base: &str, tenant: Option<&str>, description: &str) -> String {
    format!(
        "Bearer authorization_uri=\"{base}/{}\", error=\"invalid_token\", error_description=\"{description}\"",
        tenant.unwrap_or("")
    )
}

/// ARM's 401 for a refused token.
pub fn arm_failure(f: &AuthFailure, base: &str, tenant: Option<&str>) -> Resp {
    let (code, msg, desc) = match f {
        AuthFailure::Missing => (
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.".to_string(),
            "The authentication failed because of missing 'Authorization' header.",
        ),
        AuthFailure::InvalidHeader => (
            "AuthenticationFailedInvalidHeader",
            "Authentication failed. The 'Authorization' header is provided in an invalid format.".to_string(),
            "The access token is missing or invalid.",
        ),
        AuthFailure::Invalid => (
            "InvalidAuthenticationToken",
            "The access token is invalid.".to_string(),
            "The access token is missing or invalid.",
        ),
        AuthFailure::Expired { exp_ms, now_ms } => (
            "ExpiredAuthenticationToken",
            format!(
                "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                util::us_time(*exp_ms),
                util::us_time(*now_ms)
            ),
            "The access token expiry UTC time is earlier than current UTC time.",
        ),
        AuthFailure::WrongAudience { aud } => (
            "InvalidAuthenticationTokenAudience",
            format!(
                "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences '{}'.",
                ARM_AUDIENCES.join("','")
            ),
            "The access token has been obtained for wrong audience or resource.",
        ),
    };
    arm_error(StatusCode::UNAUTHORIZED, code, msg)
        .header("www-authenticate", www_authenticate(base, tenant, desc))
}

/// ARM's 401 when the token's tenant does not own the subscription.
pub fn arm_wrong_tenant(base: &str, token_tid: &str, sub_tenant: &str) -> Resp {
    let msg = format!(
        "The access token is from the wrong issuer 'https://sts.windows.net/{token_tid}/'. It must match the tenant 'https://sts.windows.net/{sub_tenant}/' associated with this subscription. Please use the authority (URL) '{base}/{sub_tenant}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later."
    );
    arm_error(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationTokenTenant",
        msg,
    )
    .header(
        "www-authenticate",
        www_authenticate(
            base,
            Some(sub_tenant),
            "The access token is from the wrong issuer.",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("authorization", v.parse().unwrap());
        h
    }

    #[test]
    fn failures_in_order() {
        let key = b"k";
        let now = 1_000_000;
        assert_eq!(
            authenticate(key, &HeaderMap::new(), now, Service::Arm),
            Err(AuthFailure::Missing)
        );
        assert_eq!(
            authenticate(key, &headers("Basic x"), now, Service::Arm),
            Err(AuthFailure::InvalidHeader)
        );
        assert_eq!(
            authenticate(key, &headers("Bearer junk"), now, Service::Arm),
            Err(AuthFailure::Invalid)
        );
        let t = token::mint(
            key,
            &json!({"aud": "https://management.azure.com", "tid": "t", "oid": "o", "exp": 999}),
        );
        assert!(matches!(
            authenticate(key, &headers(&format!("Bearer {t}")), now, Service::Arm),
            Err(AuthFailure::Expired { .. })
        ));
        let t = token::mint(
            key,
            &json!({"aud": "https://storage.azure.com", "tid": "t", "oid": "o", "exp": 2000}),
        );
        let h = headers(&format!("Bearer {t}"));
        assert!(matches!(
            authenticate(key, &h, now, Service::Arm),
            Err(AuthFailure::WrongAudience { .. })
        ));
        assert_eq!(
            authenticate(key, &h, now, Service::Storage).unwrap().oid,
            "o"
        );
    }

    #[test]
    fn responses_carry_www_authenticate() {
        let r = arm_failure(&AuthFailure::Missing, "https://127.0.0.1:1", None);
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r
            .get_header("www-authenticate")
            .unwrap()
            .starts_with("Bearer authorization_uri="));
        assert_eq!(
            r.body_json().unwrap()["error"]["code"],
            "AuthenticationFailed"
        );
    }
}
