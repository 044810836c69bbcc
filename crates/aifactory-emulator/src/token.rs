//! JWT encoding for emulator-issued access tokens (HS256 with the emulator's key) and
//! decoding of client assertions (any alg; signature checks live in `entra`).
//!
//! Owns the compact JWT format; must not decide who gets a token.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::hmac;
use serde_json::{json, Map, Value};

/// Claims of an emulator access token.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessClaims {
    pub aud: String,
    pub tid: String,
    pub oid: String,
    pub appid: Option<String>,
    pub iat: i64,
    pub exp: i64,
}

/// A decoded (not yet trusted) compact JWT.
#[derive(Debug, Clone)]
pub struct Jwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `header.payload` as sent (the signed bytes).
    pub signing_input: String,
    pub signature: Vec<u8>,
}

/// Why a token could not be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JwtError {
    #[error("not a compact JWT")]
    Malformed,
    #[error("bad signature")]
    Signature,
}

/// base64url without padding, tolerant of padding and the standard alphabet on input.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    let t = s.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(t)
        .ok()
        .or_else(|| STANDARD.decode(s).ok())
}

pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Splits and decodes a compact JWT.
pub fn decode(token: &str) -> Result<Jwt, JwtError> {
    let mut parts = token.split('.');
    let (h, p, s) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => (h, p, s),
        _ => return Err(JwtError::Malformed),
    };
    let obj = |part: &str| -> Result<Map<String, Value>, JwtError> {
        let bytes = b64url_decode(part).ok_or(JwtError::Malformed)?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(JwtError::Malformed),
        }
    };
    Ok(Jwt {
        header: obj(h)?,
        claims: obj(p)?,
        signing_input: format!("{h}.{p}"),
        signature: if s.is_empty() {
            Vec::new()
        } else {
            b64url_decode(s).ok_or(JwtError::Malformed)?
        },
    })
}

/// Mints an HS256 token.
pub fn mint(key: &[u8], claims: &Value) -> String {
    let header = json!({"typ": "JWT", "alg": "HS256", "kid": "aifactory-emulator"});
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    let sig = hmac::sign(&k, input.as_bytes());
    format!("{input}.{}", b64url(sig.as_ref()))
}

/// Verifies an HS256 token minted with `key` and returns its claims.
pub fn verify(key: &[u8], token: &str) -> Result<Jwt, JwtError> {
    let jwt = decode(token)?;
    if jwt.header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(JwtError::Signature);
    }
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::verify(&k, jwt.signing_input.as_bytes(), &jwt.signature)
        .map_err(|_| JwtError::Signature)?;
    Ok(jwt)
}

impl AccessClaims {
    /// Reads the claims the emulator relies on.
    pub fn from_jwt(jwt: &Jwt) -> Option<AccessClaims> {
        let s = |k: &str| {
            jwt.claims
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        Some(AccessClaims {
            aud: s("aud")?,
            tid: s("tid")?,
            oid: s("oid")?,
            appid: s("appid"),
            iat: jwt.claims.get("iat").and_then(Value::as_i64).unwrap_or(0),
            exp: jwt.claims.get("exp").and_then(Value::as_i64)?,
        })
    }
}

/// String claim helper for assertions (`aud` may be an array).
pub fn claim_strings(claims: &Map<String, Value>, k: &str) -> Vec<String> {
    match claims.get(k) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mint_verify_roundtrip_and_tamper() {
        let key = b"0123456789abcdef0123456789abcdef";
        let t = mint(
            key,
            &json!({"aud": "a", "tid": "t", "oid": "o", "exp": 10, "iat": 1}),
        );
        let j = verify(key, &t).unwrap();
        let c = AccessClaims::from_jwt(&j).unwrap();
        assert_eq!((c.aud.as_str(), c.exp), ("a", 10));
        assert_eq!(verify(b"other", &t).unwrap_err(), JwtError::Signature);
        assert_eq!(decode("abc").unwrap_err(), JwtError::Malformed);
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = b64url(br#"{"aud":"x","tid":"t","oid":"o","exp":10}"#);
        parts[1] = &forged;
        assert!(verify(key, &parts.join(".")).is_err());
    }

    #[test]
    fn tolerant_base64() {
        assert_eq!(b64url_decode("aGk").unwrap(), b"hi");
        assert_eq!(b64url_decode("aGk=").unwrap(), b"hi");
        assert_eq!(b64url_decode("+/8=").unwrap(), vec![0xfb, 0xff]);
    }
}
