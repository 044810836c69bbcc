//! The `User-Agent` every request carries:
//! `terraform-provider-aifactory/{version} terraform/{terraform version}`.

/// The provider's version (from Cargo).
pub const PROVIDER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Build the user agent. An empty Terraform version (unit tests, tools) is left out.
pub fn user_agent(terraform_version: &str) -> String {
    let tf = terraform_version.trim();
    if tf.is_empty() {
        format!("terraform-provider-aifactory/{PROVIDER_VERSION}")
    } else {
        // Keep header-safe characters only.
        let tf: String = tf.chars().filter(|c| c.is_ascii_graphic()).collect();
        format!("terraform-provider-aifactory/{PROVIDER_VERSION} terraform/{tf}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_both_versions() {
        assert_eq!(
            user_agent("1.11.4"),
            format!("terraform-provider-aifactory/{PROVIDER_VERSION} terraform/1.11.4")
        );
        assert_eq!(
            user_agent(""),
            format!("terraform-provider-aifactory/{PROVIDER_VERSION}")
        );
        assert!(!user_agent("1.0\n3").contains('\n'));
    }
}
