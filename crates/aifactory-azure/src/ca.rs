//! Extra certificate authorities from a PEM file (`ca_certificate_file`). A leaf: the
//! settings check the file and the HTTP layer trusts it, and neither imports the other
//! for it.
//!
//! Must not: build clients or read settings.

use std::path::Path;

use crate::error::AzureError;

/// Read a PEM bundle of CA certificates.
pub fn read_ca_file(path: &Path) -> Result<Vec<reqwest::Certificate>, AzureError> {
    let bytes = std::fs::read(path).map_err(|e| {
        AzureError::config(
            "ca_certificate_file",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let certs = reqwest::Certificate::from_pem_bundle(&bytes).map_err(|e| {
        AzureError::config(
            "ca_certificate_file",
            format!("{} is not a PEM certificate bundle: {e}", path.display()),
        )
    })?;
    if certs.is_empty() || !String::from_utf8_lossy(&bytes).contains("BEGIN CERTIFICATE") {
        return Err(AzureError::config(
            "ca_certificate_file",
            format!("{} contains no PEM certificate", path.display()),
        ));
    }
    Ok(certs)
}
