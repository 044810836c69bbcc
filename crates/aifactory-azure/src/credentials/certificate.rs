//! Client certificate credential without OpenSSL: the certificate and its RSA private key
//! from a PKCS#12 file (PBES2/AES as OpenSSL 3 and Windows write it, the legacy
//! SHA-1/3DES and RC2 PBE of older exports, or unencrypted) or from PEM (certificate chain
//! and a PKCS#8, PKCS#1 or password-encrypted PKCS#8 key), and the JWT client assertion
//! Entra expects (RS256, `x5t` = base64url SHA-1 of the certificate, `aud` = the token
//! endpoint, `iss` = `sub` = the client ID, `jti`, `nbf`, `exp`), made anew for every
//! token request and handed to `azure_identity`'s `ClientAssertionCredential`.
//!
//! Owns certificate parsing and assertion signing; must not know the chain or the
//! settings (the builder hands it bytes and a password) and must never put key material
//! or the password into an error or a log line.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use azure_core::error::ErrorKind;
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use rustls_pki_types::CertificateDer;

/// Lifetime of one assertion, in seconds (it is used at once).
const ASSERTION_LIFETIME_SECS: u64 = 300;

/// Which container the certificate came in (named in errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pkcs12,
    Pem,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Pkcs12 => "PKCS#12",
            Format::Pem => "PEM",
        })
    }
}

/// Why a client certificate cannot be used. Messages name the setting to fix and never
/// hold key material or the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("cannot load the {format} certificate: it is not a readable {format} file ({detail}); give a PKCS#12 (.pfx/.p12) file, or a PEM file with the certificate and its private key")]
    Malformed { format: Format, detail: String },
    #[error("cannot load the {format} certificate: it is password-protected; set client_certificate_password (ARM_CLIENT_CERTIFICATE_PASSWORD)")]
    PasswordNeeded { format: Format },
    #[error("cannot load the {format} certificate: the password is wrong; check client_certificate_password (ARM_CLIENT_CERTIFICATE_PASSWORD)")]
    WrongPassword { format: Format },
    #[error("cannot load the {format} certificate: its encryption is not supported ({detail}); re-export it with AES-256 (PBES2) or 3DES")]
    UnsupportedEncryption { format: Format, detail: String },
    #[error("cannot load the {format} certificate: it holds no certificate")]
    NoCertificate { format: Format },
    #[error("cannot load the {format} certificate: it holds no private key; the file must contain the certificate's private key")]
    NoPrivateKey { format: Format },
    #[error("cannot load the {format} certificate: the private key is not an RSA key of 2048 to 8192 bits ({detail}); Entra accepts RSA certificate credentials only")]
    NotRsa { format: Format, detail: String },
    #[error("cannot load the {format} certificate: the private key does not belong to any certificate in the file")]
    KeyMismatch { format: Format },
}

/// A certificate and its RSA private key, ready to sign assertions.
pub struct ClientCertificate {
    key: RsaKeyPair,
    /// The end-entity certificate (DER).
    cert: Vec<u8>,
    format: Format,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("format", &self.format)
            .field("thumbprint", &self.thumbprint_hex())
            .finish_non_exhaustive()
    }
}

impl ClientCertificate {
    /// Parses PEM (text starting with a `-----BEGIN` line) or else PKCS#12 (DER).
    /// `password` decrypts a PKCS#12 file or an encrypted PEM key; a PKCS#12 file without
    /// one is opened with the empty password.
    pub fn load(bytes: &[u8], password: Option<&str>) -> Result<Self, CertificateError> {
        if looks_like_pem(bytes) {
            from_pem(bytes, password)
        } else {
            from_pkcs12(bytes, password)
        }
    }

    /// Which container it came in.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The certificate (DER).
    pub fn certificate_der(&self) -> &[u8] {
        &self.cert
    }

    /// SHA-1 thumbprint of the certificate, upper-case hex (as the Azure portal shows it).
    pub fn thumbprint_hex(&self) -> String {
        ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.cert)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    /// A signed client assertion for `client_id` at the token endpoint `audience`,
    /// valid from `now` (seconds since the epoch) for five minutes.
    pub fn assertion(&self, client_id: &str, audience: &str, now: u64) -> Result<String, String> {
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.cert);
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t": b64(sha1.as_ref())});
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = sign(&self.key, input.as_bytes())
            .map_err(|_| "signing the client assertion failed".to_string())?;
        Ok(format!("{input}.{}", b64(&sig)))
    }
}

fn sign(key: &RsaKeyPair, msg: &[u8]) -> Result<Vec<u8>, ring::error::Unspecified> {
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), msg, &mut sig)?;
    Ok(sig)
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes[start..].starts_with(b"-----BEGIN ")
}

/// An RSA key from PKCS#8 (or, for PEM `RSA PRIVATE KEY`, PKCS#1) DER.
fn rsa_key(der: &[u8], pkcs1: bool, format: Format) -> Result<RsaKeyPair, CertificateError> {
    let key = if pkcs1 {
        RsaKeyPair::from_der(der)
    } else {
        RsaKeyPair::from_pkcs8(der)
    };
    key.map_err(|e| CertificateError::NotRsa {
        format,
        detail: e.to_string(),
    })
}

/// The first certificate whose public key verifies a signature made with `key`.
fn matching_certificate(
    key: &RsaKeyPair,
    certs: &[Vec<u8>],
    format: Format,
) -> Result<Vec<u8>, CertificateError> {
    if certs.is_empty() {
        return Err(CertificateError::NoCertificate { format });
    }
    const PROBE: &[u8] = b"aifactory certificate/key match";
    let sig = sign(key, PROBE).map_err(|_| CertificateError::NotRsa {
        format,
        detail: "it cannot sign".into(),
    })?;
    certs
        .iter()
        .find(|c| {
            let der = CertificateDer::from(c.as_slice());
            webpki::EndEntityCert::try_from(&der).is_ok_and(|ee| {
                ee.verify_signature(webpki::ring::RSA_PKCS1_2048_8192_SHA256, PROBE, &sig)
                    .is_ok()
            })
        })
        .cloned()
        .ok_or(CertificateError::KeyMismatch { format })
}

fn from_pkcs12(
    bytes: &[u8],
    password: Option<&str>,
) -> Result<ClientCertificate, CertificateError> {
    use p12_keystore::error::Error as P12;
    let f = Format::Pkcs12;
    let archive = p12_keystore::Pkcs12Archive::from_pkcs12(bytes, password.unwrap_or("")).map_err(
        |e| match e {
            P12::MacError(_) | P12::UnpadError | P12::Pkcs5Error(_) => {
                if password.is_some_and(|p| !p.is_empty()) {
                    CertificateError::WrongPassword { format: f }
                } else {
                    CertificateError::PasswordNeeded { format: f }
                }
            }
            P12::UnsupportedEncryptionScheme | P12::UnsupportedMacAlgorithm => {
                CertificateError::UnsupportedEncryption {
                    format: f,
                    detail: e.to_string(),
                }
            }
            other => CertificateError::Malformed {
                format: f,
                detail: other.to_string(),
            },
        },
    )?;
    // Certificates bound to a key (same local key ID) first, then the rest.
    let mut certs: Vec<(bool, Vec<u8>)> = archive
        .certs
        .iter()
        .map(|c| {
            let bound = c.local_key_id.as_ref().is_some_and(|id| {
                archive.keys.iter().any(|k| {
                    k.local_key_id
                        .as_ref()
                        .is_some_and(|k| k.as_ref() == id.as_slice())
                })
            });
            (bound, c.cert.as_der().to_vec())
        })
        .collect();
    certs.sort_by_key(|(bound, _)| !*bound);
    let certs: Vec<Vec<u8>> = certs.into_iter().map(|(_, c)| c).collect();
    let mut last = CertificateError::NoPrivateKey { format: f };
    for k in &archive.keys {
        match rsa_key(k.key.as_der(), false, f)
            .and_then(|key| matching_certificate(&key, &certs, f).map(|cert| (key, cert)))
        {
            Ok((key, cert)) => {
                return Ok(ClientCertificate {
                    key,
                    cert,
                    format: f,
                })
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn from_pem(bytes: &[u8], password: Option<&str>) -> Result<ClientCertificate, CertificateError> {
    let f = Format::Pem;
    let blocks = pem::parse_many(bytes).map_err(|e| CertificateError::Malformed {
        format: f,
        detail: e.to_string(),
    })?;
    let certs: Vec<Vec<u8>> = blocks
        .iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .map(|b| b.contents().to_vec())
        .collect();
    let key_block = blocks
        .iter()
        .find(|b| b.tag().ends_with("PRIVATE KEY"))
        .ok_or(CertificateError::NoPrivateKey { format: f })?;
    let key = match key_block.tag() {
        "PRIVATE KEY" => rsa_key(key_block.contents(), false, f)?,
        "RSA PRIVATE KEY" => {
            if key_block.headers().get("Proc-Type").is_some() {
                return Err(CertificateError::UnsupportedEncryption {
                    format: f,
                    detail: "OpenSSL's legacy PEM encryption (Proc-Type header)".into(),
                });
            }
            rsa_key(key_block.contents(), true, f)?
        }
        "ENCRYPTED PRIVATE KEY" => {
            let Some(pw) = password.filter(|p| !p.is_empty()) else {
                return Err(CertificateError::PasswordNeeded { format: f });
            };
            let info = <pkcs8::EncryptedPrivateKeyInfoRef as pkcs8::der::Decode>::from_der(
                key_block.contents(),
            )
            .map_err(|e| CertificateError::Malformed {
                format: f,
                detail: e.to_string(),
            })?;
            let doc = info.decrypt(pw).map_err(|e| match e {
                pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::UnsupportedAlgorithm {
                    ..
                }) => CertificateError::UnsupportedEncryption {
                    format: f,
                    detail: e.to_string(),
                },
                _ => CertificateError::WrongPassword { format: f },
            })?;
            rsa_key(doc.as_bytes(), false, f)?
        }
        other => {
            return Err(CertificateError::NotRsa {
                format: f,
                detail: format!("a {other} block"),
            })
        }
    };
    let cert = matching_certificate(&key, &certs, f)?;
    Ok(ClientCertificate {
        key,
        cert,
        format: f,
    })
}

/// The client assertion source for one service principal and token endpoint.
pub struct CertificateAssertion {
    pub certificate: Arc<ClientCertificate>,
    pub client_id: String,
    /// The token endpoint (`{authority}/{tenant}/oauth2/v2.0/token`): the assertion's `aud`.
    pub audience: String,
}

impl fmt::Debug for CertificateAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateAssertion")
            .field("certificate", &self.certificate)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        self.certificate
            .assertion(&self.client_id, &self.audience, now)
            .map_err(|m| azure_core::Error::with_message(ErrorKind::Credential, m))
    }
}
