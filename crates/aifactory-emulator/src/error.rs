//! The emulator's typed error (start-up, configuration, persistence).
//!
//! Request-level failures are HTTP responses, never this type.

use std::path::PathBuf;

/// Everything that can go wrong starting, configuring or stopping the emulator.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error(
        "refusing to listen on non-loopback address {0}: the emulator serves 127.0.0.1 / ::1 only"
    )]
    NotLoopback(std::net::SocketAddr),
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("certificate generation failed: {0}")]
    CertGen(String),
    #[error("TLS configuration failed: {0}")]
    Tls(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid {what} JSON: {source}")]
    Json {
        what: &'static str,
        source: serde_json::Error,
    },
    #[error("invalid seed: {0}")]
    Seed(String),
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("the emulator task failed: {0}")]
    Task(String),
}
