//! Method names of the credential chain, as they appear in the report (a leaf: no imports).

pub const CERTIFICATE: &str = "client certificate";
pub const SECRET: &str = "client secret";
pub const OIDC_TOKEN: &str = "OIDC token";
pub const OIDC_TOKEN_FILE: &str = "OIDC token file";
pub const ADO: &str = "Azure DevOps OIDC";
pub const GITHUB: &str = "GitHub Actions OIDC";
pub const TFC: &str = "HCP Terraform workload identity";
pub const MSI: &str = "managed identity";
pub const CLI: &str = "Azure CLI";
