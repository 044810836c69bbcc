//! Import of a common part by its resource group's ID: the configuration is read back
//! from Azure (ESML's names: environment, location short name, prefix and suffix from the
//! group's name, the salt from the Log Analytics workspace's name, the vNet's space and
//! common subnets, where the zones are, the registry, Bastion (its host in the group), the
//! jump host (its VM in the group: user, key, size), the core team from the group's
//! role assignments), then every object of the resulting template that exists is
//! recorded. An ESML-made common part (zones in the common group) is adopted with its
//! zones as "hub" zones: used and linked, not owned.
//!
//! Must not: write anything.

use std::collections::{BTreeMap, BTreeSet};

use aifactory_azure::{AzureClient, Ctx};
use serde_json::Value as Json;

use crate::framework::{AttrPath, Diagnostic, Num, Tf, Value};
use aifactory_template::common as core;
use aifactory_template::naming::SaltMode;
use aifactory_template::project::api;

use super::super::project::{self as project, desired_records, ProviderFacts, Records};
use super::schema::CommonModel;

fn fail(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error(AttrPath::root(), summary, detail)
}

/// `<prefix>esml-common-<loc>-<env><suffix>` -> (prefix, loc, env, suffix).
fn parse_name(name: &str) -> Option<(String, String, String, String)> {
    let at = name.find("esml-common-")?;
    let prefix = &name[..at];
    let rest = &name[at + "esml-common-".len()..];
    let (loc, rest) = rest.split_once('-')?;
    for env in ["dev", "test", "prod"] {
        if let Some(suffix) = rest.strip_prefix(env) {
            return Some((prefix.into(), loc.into(), env.into(), suffix.into()));
        }
    }
    None
}

fn s(j: &Json, p: &str) -> String {
    j.pointer(p)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The model and records of the common part in `rg_id`.
pub async fn discover(
    client: &AzureClient,
    ctx: &Ctx,
    facts: &ProviderFacts,
    rg_id: &str,
) -> Result<(CommonModel, Records), Diagnostic> {
    let az = |e: aifactory_azure::AzureError| {
        fail(
            format!("Reading the common part: {}", e.summary()),
            e.detail(),
        )
    };
    let rg_name = rg_id.rsplit('/').next().unwrap_or_default().to_string();
    let Some((prefix, loc, env, suffix)) = parse_name(&rg_name) else {
        return Err(fail(
            "Not a common resource group name",
            format!("{rg_name:?} is not named as ESML names a common part (`<prefix>esml-common-<loc>-<env><suffix>`, e.g. `acme-esml-common-weu-dev-001`); import takes the common resource group's ID."),
        ));
    };
    let rg = client
        .arm()
        .get_opt(ctx, rg_id, api::RESOURCE_GROUP.api_version)
        .await
        .map_err(az)?
        .ok_or_else(|| {
            fail(
                "The resource group does not exist",
                format!(
                    "{rg_id} was not found in subscription {}.",
                    facts.subscription_id
                ),
            )
        })?;
    let location = s(&rg, "/location");
    let items = client
        .arm()
        .list(ctx, &format!("{rg_id}/resources"), "2021-04-01")
        .await
        .map_err(az)?;
    let names: BTreeSet<String> = items
        .iter()
        .map(|i| s(i, "/name").to_ascii_lowercase())
        .collect();
    let by_type = |t: &str| -> Vec<&Json> {
        items
            .iter()
            .filter(|i| s(i, "/type").eq_ignore_ascii_case(t))
            .collect()
    };
    // The salt: whose Log Analytics name is there.
    let mut salt_mode = SaltMode::AiFactory;
    for mode in [SaltMode::AiFactory, SaltMode::Esml] {
        let salt = mode.salt(&facts.subscription_id, &rg_name);
        if names.contains(&format!("la-cmn-{loc}-{env}-{salt}{suffix}").to_ascii_lowercase()) {
            salt_mode = mode;
            break;
        }
    }
    let mut naming = BTreeMap::from([
        ("prefix".to_string(), Tf::Known(prefix.clone())),
        ("location_short".to_string(), Tf::Known(loc.clone())),
        ("suffix".to_string(), Tf::Known(suffix.clone())),
    ]);
    if salt_mode == SaltMode::Esml {
        naming.insert("salt".into(), Tf::Known("esml".into()));
    }
    let mut m = CommonModel {
        environment: Tf::Known(env.clone()),
        location: Tf::Known(location.clone()),
        naming: Tf::Known(naming),
        ..CommonModel::default()
    };

    // The vNet and its common subnets.
    let vnet_name = format!("vnt-esmlcmn-{loc}-{env}{suffix}");
    let Some(vnet) = by_type("Microsoft.Network/virtualNetworks")
        .into_iter()
        .find(|v| s(v, "/name").eq_ignore_ascii_case(&vnet_name))
    else {
        return Err(fail(
            "The common vNet is not in the resource group",
            format!("{vnet_name} is not in {rg_name}. A common part in an existing vNet is imported by writing the configuration (with `virtual_network_id`) and applying with `adopt_existing = true`."),
        ));
    };
    let vnet_id = s(vnet, "/id");
    let vnet = client
        .arm()
        .get(ctx, &vnet_id, core::types::VIRTUAL_NETWORK.api_version)
        .await
        .map_err(az)?;
    let space: Vec<Tf<String>> = vnet
        .pointer("/properties/addressSpace/addressPrefixes")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(|x| Tf::Known(x.to_string()))
        .collect();
    m.address_space = Tf::Known(space);
    let mut subnets = BTreeMap::new();
    let mut cidrs = BTreeMap::new();
    // Bastion is the common part's when its host is in the group (ESML's
    // `bastion-<loc>-<env><suffix>`); an AzureBastionSubnet without it is left alone.
    let bastion_host = format!("bastion-{loc}-{env}{suffix}");
    let bastion = by_type(core::types::BASTION_HOST.resource_type)
        .iter()
        .any(|b| s(b, "/name").eq_ignore_ascii_case(&bastion_host));
    if bastion {
        m.bastion = Tf::Known(true);
    }
    for purpose in core::CommonSubnetPurpose::ALL {
        let is_bastion = purpose == core::CommonSubnetPurpose::Bastion;
        if is_bastion && !bastion {
            continue;
        }
        let want = purpose.subnet_name(&suffix);
        let found = vnet
            .pointer("/properties/subnets")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .find(|x| s(x, "/name").eq_ignore_ascii_case(&want));
        if let Some(sn) = found {
            let cidr = s(sn, "/properties/addressPrefix");
            if let Some(len) = cidr
                .split_once('/')
                .and_then(|(_, l)| l.parse::<f64>().ok())
            {
                // `bastion = true` adds a /26 itself: written back only when larger.
                if !(is_bastion && len == f64::from(core::BASTION_MAX_PREFIX)) {
                    subnets.insert(purpose.as_str().to_string(), Tf::Known(Num::from(len)));
                }
                cidrs.insert(purpose.as_str().to_string(), Tf::Known(cidr));
            }
        }
    }
    m.subnets = Tf::Known(subnets);
    m.subnet_cidrs = Tf::Known(cidrs);

    // Zones: in the DNS group (ours), or in the common group (ESML's), or the hub's.
    let dns_rg = format!(
        "/subscriptions/{}/resourceGroups/{prefix}esml-dns-{loc}-{env}{suffix}",
        facts.subscription_id
    );
    let ours = client
        .arm()
        .get_opt(ctx, &dns_rg, api::RESOURCE_GROUP.api_version)
        .await
        .map_err(az)?
        .is_some();
    if !ours {
        let in_common = !by_type("Microsoft.Network/privateDnsZones").is_empty();
        if in_common {
            m.private_dns_zone_resource_group_id = Tf::Known(rg_id.to_string());
            m.link_private_dns_zones = Tf::Known(true);
        } else {
            return Err(fail(
                "Where are the private DNS zones?",
                format!("Neither {dns_rg} nor {rg_name} holds the private DNS zones. With the hub's zones, write the configuration with `private_dns_zone_resource_group_id` and apply with `adopt_existing = true`."),
            ));
        }
    }
    // Only what differs from the defaults is written back (an import plans empty against a
    // configuration that leaves defaults out).
    if by_type("Microsoft.ContainerRegistry/registries").is_empty() {
        m.container_registry = Tf::Known(false);
    }

    // The core team: the principals of the group's Reader assignments this provider made.
    let assignments = client
        .arm()
        .list_query(
            ctx,
            &format!("{rg_id}/providers/Microsoft.Authorization/roleAssignments"),
            api::ROLE_ASSIGNMENT.api_version,
            &[("$filter", "atScope()")],
        )
        .await
        .map_err(az)?;
    let mut core_ids: BTreeSet<String> = BTreeSet::new();
    let mut core_type = "Group".to_string();
    for a in &assignments {
        let d = s(a, "/properties/description");
        if d.starts_with("aifactory: role.team.") && d.ends_with(".rg.reader") {
            core_ids.insert(s(a, "/properties/principalId").to_ascii_lowercase());
            core_type = s(a, "/properties/principalType");
        }
    }
    if !core_ids.is_empty() {
        m.core_team = Value::object([
            (
                "object_ids",
                Value::List(core_ids.iter().map(|x| Value::String(x.clone())).collect()),
            ),
            ("principal_type", Value::String(core_type)),
        ]);
    }
    // The jump host: ESML-style `vm-jumphost-<loc>-<env><suffix>` in the group, read back.
    let jump_name = format!("vm-jumphost-{loc}-{env}{suffix}");
    if let Some(vm) = by_type(core::types::VIRTUAL_MACHINE.resource_type)
        .into_iter()
        .find(|v| s(v, "/name").eq_ignore_ascii_case(&jump_name))
    {
        let vm = client
            .arm()
            .get(ctx, &s(vm, "/id"), core::types::VIRTUAL_MACHINE.api_version)
            .await
            .map_err(az)?;
        m.jump_host = Value::object([
            (
                "admin_username",
                Value::String(s(&vm, "/properties/osProfile/adminUsername")),
            ),
            (
                "ssh_public_key",
                Value::String(s(
                    &vm,
                    "/properties/osProfile/linuxConfiguration/ssh/publicKeys/0/keyData",
                )),
            ),
            (
                "size",
                Value::String(s(&vm, "/properties/hardwareProfile/vmSize")),
            ),
        ]);
    }
    let tags: BTreeMap<String, Tf<String>> = rg
        .get("tags")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with("aifactory-"))
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), Tf::Known(v.to_string()))))
        .collect();
    if !tags.is_empty() {
        m.tags = Tf::Known(tags);
    }

    // What exists of the template this configuration gives.
    let mut diags = crate::framework::Diagnostics::new();
    let Some((_, d)) = super::desired_fixed(&m, facts, &mut diags) else {
        return Err(fail(
            "The common part read back is not valid",
            diags
                .iter()
                .map(|d| d.detail.clone())
                .collect::<Vec<_>>()
                .join(" "),
        ));
    };
    let all = desired_records(&d.plan);
    let refreshed = project::refresh_objects(client, ctx, &d.plan, &all, &BTreeMap::new())
        .await
        .map_err(az)?;
    m = super::with_computed(
        &m,
        &d,
        &super::cidrs_of(&m),
        refreshed.records.clone(),
        BTreeMap::new(),
    );
    Ok((m, refreshed.records))
}

#[cfg(test)]
mod tests {
    use super::parse_name;

    #[test]
    fn esml_common_group_names_parse() {
        assert_eq!(
            parse_name("mrvel-1-esml-common-eus2-dev-001"),
            Some((
                "mrvel-1-".into(),
                "eus2".into(),
                "dev".into(),
                "-001".into()
            ))
        );
        assert_eq!(
            parse_name("esml-common-weu-prod"),
            Some(("".into(), "weu".into(), "prod".into(), "".into()))
        );
        assert_eq!(parse_name("rg-something"), None);
    }
}
