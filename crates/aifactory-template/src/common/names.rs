//! ESML's names for one stage's common part (esml.md §2.2, `CmnAIfactoryNaming.bicep`):
//! the common resource group `<prefix>esml-common-<loc>-<env><suffix>`, the vNet
//! `vnt-esmlcmn-<loc>-<env><suffix>`, its subnets `snet-esml-cmn…`, Log Analytics
//! `la-cmn-<loc>-<env>-<salt><suffix>`, the lake `<lake prefix><salt>esml<suffix digits><env>`,
//! the key vaults `kv-cmn<env>-<salt><suffix>` and `kv-cmnadm<env>-<salt><suffix>`, the
//! registry `acrcommon<salt><loc><suffix><env>` (no dashes), the Bastion host
//! `bastion-<loc>-<env><suffix>` (esml.md §6) and its IP `pip-bastion-…`, the jump host
//! `vm-jumphost-<loc>-<env><suffix>` with `nic-jumphost-…` and `osdisk-jumphost-…`; the salt is the one the
//! stage's projects carry (ours, or ESML's `uniqueString` salt with `naming.salt = "esml"`).
//!
//! Owns the patterns and Azure's length and character limits for them; must not build
//! bodies.

use std::collections::BTreeMap;

use super::issue::{CommonIssue, CommonIssueKind};
use super::spec::CommonSpec;
use aifactory_attrpath::AttrPath;

/// Every name of one stage's common part.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommonNames {
    pub salt: String,
    pub resource_group: String,
    /// The resource group of the private DNS zones when they are created here.
    pub dns_resource_group: String,
    pub virtual_network: String,
    pub subnets: BTreeMap<String, String>,
    pub network_security_groups: BTreeMap<String, String>,
    pub route_table: String,
    pub log_analytics: String,
    pub datalake: String,
    pub key_vault: String,
    pub key_vault_admin: String,
    pub container_registry: String,
    /// ESML's Bastion host `bastion-<loc>-<env><suffix>` (esml.md §6).
    pub bastion: String,
    /// Its public IP (ours: `pip-bastion-<loc>-<env><suffix>`).
    pub bastion_public_ip: String,
    /// The jump host VM `vm-jumphost-<loc>-<env><suffix>` (ESML-style; also its computer
    /// name), its NIC `nic-jumphost-…` and OS disk `osdisk-jumphost-…`.
    pub jump_host: String,
    pub jump_host_nic: String,
    pub jump_host_os_disk: String,
}

impl CommonNames {
    /// The names of `spec`'s common part, or what breaks Azure's rules.
    pub fn of(spec: &CommonSpec) -> Result<CommonNames, Vec<CommonIssue>> {
        let n = &spec.naming;
        let env = spec.environment.as_str();
        let loc = n.location_short.as_str();
        let sfx = n.suffix.as_str();
        let resource_group = format!("{}esml-common-{loc}-{env}{sfx}", n.prefix);
        let salt = n.salt.salt(&spec.subscription_id, &resource_group);
        let digits: String = sfx.chars().filter(char::is_ascii_digit).collect();
        let squash = |s: String| -> String {
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        };
        let mut lake_prefix = squash(spec.datalake.name_prefix.clone());
        lake_prefix.truncate(8);
        let subnets: BTreeMap<String, String> = spec
            .network
            .subnets
            .iter()
            .map(|s| (s.purpose.as_str().to_string(), s.purpose.subnet_name(sfx)))
            .collect();
        let network_security_groups = subnets
            .iter()
            .map(|(k, v)| (k.clone(), format!("nsg-{v}")))
            .collect();
        let names = CommonNames {
            resource_group: resource_group.clone(),
            dns_resource_group: format!("{}esml-dns-{loc}-{env}{sfx}", n.prefix),
            virtual_network: format!("vnt-esmlcmn-{loc}-{env}{sfx}"),
            subnets,
            network_security_groups,
            route_table: format!("rt-esmlcmn-{loc}-{env}{sfx}"),
            log_analytics: format!("la-cmn-{loc}-{env}-{salt}{sfx}"),
            datalake: squash(format!("{lake_prefix}{salt}esml{digits}{env}")),
            key_vault: format!("kv-cmn{env}-{salt}{sfx}"),
            key_vault_admin: format!("kv-cmnadm{env}-{salt}{sfx}"),
            container_registry: squash(format!("acrcommon{salt}{loc}{sfx}{env}")),
            bastion: format!("bastion-{loc}-{env}{sfx}"),
            bastion_public_ip: format!("pip-bastion-{loc}-{env}{sfx}"),
            jump_host: format!("vm-jumphost-{loc}-{env}{sfx}"),
            jump_host_nic: format!("nic-jumphost-{loc}-{env}{sfx}"),
            jump_host_os_disk: format!("osdisk-jumphost-{loc}-{env}{sfx}"),
            salt,
        };
        let mut issues = Vec::new();
        let naming = AttrPath::attr("naming");
        for (what, name, max) in [
            ("resource group", &names.resource_group, 90),
            ("data lake storage account", &names.datalake, 24),
            ("key vault", &names.key_vault, 24),
            ("admin key vault", &names.key_vault_admin, 24),
            ("container registry", &names.container_registry, 50),
            ("Log Analytics workspace", &names.log_analytics, 63),
            ("jump host VM", &names.jump_host, 64),
        ] {
            if name.len() > max {
                issues.push(CommonIssue::new(
                    naming.clone(),
                    CommonIssueKind::NameTooLong {
                        what,
                        name: name.clone(),
                        max,
                    },
                ));
            }
        }
        if names.datalake.len() < 3 {
            issues.push(CommonIssue::new(
                AttrPath::attr("datalake").and_attr("name_prefix"),
                CommonIssueKind::NameTooShort {
                    what: "data lake storage account",
                    name: names.datalake.clone(),
                    min: 3,
                },
            ));
        }
        if issues.is_empty() {
            Ok(names)
        } else {
            Err(issues)
        }
    }

    /// A private endpoint's name: ESML's `<resource>-<group>-pend`.
    pub fn private_endpoint(resource: &str, group: &str) -> String {
        format!("{resource}-{group}-pend")
    }
}
