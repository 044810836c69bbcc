//! TLS material: a CA plus a loopback server certificate generated at start (rcgen, ECDSA
//! P-256), or a certificate/key pair loaded from PEM files; the rustls server config (ring
//! provider, TLS 1.2/1.3, ALPN h2 + http/1.1).
//!
//! Owns certificates and the rustls config; must not accept connections.

use crate::config::TlsSource;
use crate::error::EmulatorError;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// The server's TLS config and the PEM a client must trust.
pub struct TlsMaterial {
    pub server_config: Arc<rustls::ServerConfig>,
    /// CA certificate (generated) or the given chain, PEM.
    pub trust_pem: String,
}

fn gen_err(e: rcgen::Error) -> EmulatorError {
    EmulatorError::CertGen(e.to_string())
}

/// Generated CA + leaf: (ca_pem, leaf chain DER, leaf key DER).
pub fn generate(
    extra_sans: &[String],
) -> Result<(String, Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), EmulatorError> {
    let ca_key = KeyPair::generate().map_err(gen_err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(gen_err)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "aifactory-emulator local CA");
    ca.distinguished_name
        .push(DnType::OrganizationName, "aifactory-emulator");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.not_before = rcgen::date_time_ymd(2024, 1, 1);
    ca.not_after = rcgen::date_time_ymd(2049, 12, 31);
    let ca_cert = ca.self_signed(&ca_key).map_err(gen_err)?;

    let leaf_key = KeyPair::generate().map_err(gen_err)?;
    let mut leaf = CertificateParams::new(Vec::<String>::new()).map_err(gen_err)?;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    let mut dns = vec!["localhost".to_string()];
    dns.extend(extra_sans.iter().cloned());
    for d in dns {
        let name = d.clone().try_into().map_err(gen_err)?;
        leaf.subject_alt_names.push(SanType::DnsName(name));
    }
    leaf.subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    leaf.subject_alt_names
        .push(SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.not_before = rcgen::date_time_ymd(2024, 1, 1);
    leaf.not_after = rcgen::date_time_ymd(2049, 12, 31);
    let leaf_cert = leaf
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .map_err(gen_err)?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    Ok((ca_cert.pem(), vec![leaf_cert.der().clone()], key))
}

/// Builds the TLS material from the configured source.
pub fn material(source: &TlsSource, extra_sans: &[String]) -> Result<TlsMaterial, EmulatorError> {
    let (trust_pem, chain, key) = match source {
        TlsSource::Generate => generate(extra_sans)?,
        TlsSource::Files { cert, key } => {
            let pem = std::fs::read_to_string(cert).map_err(|source| EmulatorError::Read {
                path: cert.clone(),
                source,
            })?;
            let chain: Vec<CertificateDer<'static>> =
                CertificateDer::pem_slice_iter(pem.as_bytes())
                    .collect::<Result<_, _>>()
                    .map_err(|e| EmulatorError::Tls(format!("{}: {e}", cert.display())))?;
            if chain.is_empty() {
                return Err(EmulatorError::Tls(format!(
                    "{}: no certificate",
                    cert.display()
                )));
            }
            let k = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| EmulatorError::Tls(format!("{}: {e}", key.display())))?;
            (pem, chain, k)
        }
    };
    let server_config = server_config(chain, key)?;
    Ok(TlsMaterial {
        server_config,
        trust_pem,
    })
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, EmulatorError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| EmulatorError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| EmulatorError::Tls(e.to_string()))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// A rustls client config trusting `pem` (for tests and the binary's self-check).
pub fn client_config(pem: &str) -> Result<Arc<rustls::ClientConfig>, EmulatorError> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let c = c.map_err(|e| EmulatorError::Tls(e.to_string()))?;
        roots
            .add(c)
            .map_err(|e| EmulatorError::Tls(e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| EmulatorError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_chain_verifies_for_loopback_names() {
        use rustls::client::danger::ServerCertVerifier;
        let (ca, chain, _key) = generate(&["st1.dfs.localhost".into()]).unwrap();
        assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_slice_iter(ca.as_bytes()) {
            roots.add(c.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier =
            rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
        for name in ["localhost", "127.0.0.1", "::1", "st1.dfs.localhost"] {
            let sn = rustls_pki_types::ServerName::try_from(name).unwrap();
            verifier
                .verify_server_cert(&chain[0], &[], &sn, &[], rustls_pki_types::UnixTime::now())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert!(client_config(&ca).is_ok());
    }
}
