//! The network security groups and the route table a live allocation creates for its
//! subnets (`network_security_group = "create"`, `route_to_firewall`), and the NSG or
//! route table each subnet is written with.
//!
//! - **plan**: with `"create"`, every requested subnet that does not set its own
//!   `network_security_group_id` gets the NSG `<purpose>-nsg-<key>` in the vNet's resource
//!   group and region, with ESML's rules for its purpose (`aifactory_template::nsg`);
//!   `network_security_group_ids` and `network_security_group_rules` (one line a rule) are
//!   known at plan time. With an NSG ID, every such subnet gets that NSG.
//!   `route_to_firewall` plans the route table `rt-<key>` (`0.0.0.0/0` to the IP).
//! - **apply**: the NSGs and the route table are written *before* the subnets, and each
//!   subnet's first PUT already carries `networkSecurityGroup.id` and `routeTable.id`
//!   ([`effective_settings`]), so a deny policy ("subnets must have an NSG") never sees a
//!   subnet without one. An NSG or route table that exists under the name and is not this
//!   allocation's is refused unless `adopt_existing`. A rewrite keeps rules of other names
//!   (Databricks adds its own). What is no longer needed is deleted after the subnets.
//! - **refresh**: each created NSG is read; its table rules as Azure has them become
//!   `network_security_group_rules` (a changed or deleted rule shows in the next plan and
//!   the apply restores it); a subnet no longer associated with the NSG or route table it
//!   was given records the actual association in its entry of `subnets`, so the plan shows
//!   it and the apply rewrites the subnet.
//! - **destroy**: after the subnets, the created NSGs and the route table.
//!
//! Must not: delete or rewrite an NSG or route table this allocation did not create
//! (without `adopt_existing`), or write a subnet before its NSG exists.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use crate::framework::{AttrPath, Diagnostic, Tf};
use crate::resources::subnet_allocation::{
    model::AllocationModel,
    requests::{purposes_of, settings_of, SubnetSettings},
};
use aifactory_azure::{AzureClient, AzureError, Ctx};
use aifactory_template::nsg::{self, Purpose};

use super::vnet::{azure_diag, last_segment, NETWORK_API};

/// `/subscriptions/{s}/resourceGroups/{rg}` of a vNet ID.
fn resource_group_of(vnet_id: &str) -> String {
    let seg: Vec<&str> = vnet_id.split('/').collect();
    match seg.as_slice() {
        ["", sub_kw, sub, rg_kw, rg, ..] => format!("/{sub_kw}/{sub}/{rg_kw}/{rg}"),
        _ => String::new(),
    }
}

/// The ID of the NSG named `name` in the vNet's resource group.
pub(super) fn nsg_id(vnet_id: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/networkSecurityGroups/{name}",
        resource_group_of(vnet_id)
    )
}

/// The ID of the route table named `name` in the vNet's resource group.
fn route_table_id(vnet_id: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/routeTables/{name}",
        resource_group_of(vnet_id)
    )
}

fn same_id(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Set the planned NSG and route table results of `state` (its `subnet_ids` known) for a
/// vNet in `location`.
pub(super) fn plan_network(state: &mut AllocationModel, location: &str) {
    let vnet_id = state.vnet_id().to_string();
    let key = state.key.as_deref().unwrap_or_default().to_string();
    if state.creates_nsgs() {
        let settings = settings_of(state);
        let purposes = purposes_of(state);
        let mut ids = BTreeMap::new();
        let mut rules = BTreeMap::new();
        for p in AllocationModel::map_of(&state.subnet_ids).keys() {
            if settings
                .get(p)
                .is_some_and(|s| s.network_security_group_id.is_some())
            {
                continue;
            }
            let purpose = purposes.get(p).copied().unwrap_or(Purpose::of_key(p));
            ids.insert(p.clone(), nsg_id(&vnet_id, &nsg::nsg_name(p, &key)));
            rules.insert(p.clone(), nsg::desired_summaries(purpose, location));
        }
        state.network_security_group_ids = Tf::Known(ids);
        state.network_security_group_rules = Tf::Known(rules);
    } else {
        state.network_security_group_ids = Tf::Null;
        state.network_security_group_rules = Tf::Null;
    }
    state.route_table_id = if state.route_to_firewall.is_null() {
        Tf::Null
    } else {
        Tf::Known(route_table_id(&vnet_id, &nsg::route_table_name(&key)))
    };
}

/// The settings each subnet of `m` is written with: its own, plus the NSG of
/// `network_security_group` (created or given) and the route table of `route_to_firewall`
/// where it sets none itself.
pub(super) fn effective_settings(m: &AllocationModel) -> BTreeMap<String, SubnetSettings> {
    let mut all = settings_of(m);
    let created = AllocationModel::map_of(&m.network_security_group_ids);
    let route = (!m.route_to_firewall.is_null())
        .then(|| m.route_table_id.as_deref())
        .flatten()
        .filter(|id| !id.is_empty());
    for (p, s) in &mut all {
        if s.network_security_group_id.is_none() {
            s.network_security_group_id = match m.given_nsg() {
                Some(id) => Some(id.to_string()),
                None if m.creates_nsgs() => created.get(p).cloned(),
                None => None,
            };
        }
        if s.route_table_id.is_none() {
            s.route_table_id = route.map(str::to_string);
        }
    }
    all
}

/// `desired` (the planned effective settings) with the NSG or route table of a subnet
/// detached where the prior state gave it one this allocation created and the plan gives
/// none (`""`: the subnet is written without it, so the NSG or route table can go).
pub(super) fn with_detached(
    mut desired: BTreeMap<String, SubnetSettings>,
    prior: Option<&AllocationModel>,
) -> BTreeMap<String, SubnetSettings> {
    let Some(prior) = prior else { return desired };
    let owned_nsgs = AllocationModel::map_of(&prior.network_security_group_ids);
    let owned_route = prior.route_table_id.as_deref().filter(|r| !r.is_empty());
    for (p, s) in &mut desired {
        if s.network_security_group_id.is_none() && owned_nsgs.contains_key(p) {
            s.network_security_group_id = Some(String::new());
        }
        if s.route_table_id.is_none() && owned_route.is_some() {
            s.route_table_id = Some(String::new());
        }
    }
    desired
}

/// The NSGs and route table this allocation has created so far, as an apply goes along.
#[derive(Debug, Clone, Default)]
pub(super) struct Owned {
    pub nsgs: BTreeMap<String, String>,
    pub rules: BTreeMap<String, Vec<String>>,
    pub route_table: Option<String>,
}

impl Owned {
    pub fn from_state(m: &AllocationModel) -> Owned {
        Owned {
            nsgs: AllocationModel::map_of(&m.network_security_group_ids),
            rules: m
                .network_security_group_rules
                .known()
                .cloned()
                .unwrap_or_default(),
            route_table: m
                .route_table_id
                .as_deref()
                .filter(|r| !r.is_empty())
                .map(str::to_string),
        }
    }

    /// `base` with these as its NSG and route table results (null when none and the
    /// configuration does not ask for them).
    pub fn into_state(self, base: &mut AllocationModel) {
        let asks = base.creates_nsgs();
        base.network_security_group_ids = if self.nsgs.is_empty() && !asks {
            Tf::Null
        } else {
            Tf::Known(self.nsgs)
        };
        base.network_security_group_rules = if self.rules.is_empty() && !asks {
            Tf::Null
        } else {
            Tf::Known(self.rules)
        };
        base.route_table_id = self.route_table.into();
    }
}

/// Writes the NSGs and the route table of one allocation.
pub(super) struct NetworkWriter<'a> {
    pub client: &'a AzureClient,
    pub rctx: &'a Ctx,
    pub key: &'a str,
    /// `adopt_existing`.
    pub adopt: bool,
    /// The vNet's region.
    pub location: &'a str,
}

/// A diagnostic for an NSG or route table this allocation would take over.
fn not_ours(attr: &str, kind: &str, id: &str, purpose: Option<&str>) -> Diagnostic {
    let whose = purpose.map_or(String::new(), |p| format!(" for subnets[{p:?}]"));
    Diagnostic::error(
        AttrPath::attr(attr),
        format!(
            "The {kind} {} already exists and this allocation does not manage it",
            last_segment(id)
        ),
        format!(
            "This allocation would create the {kind} {id}{whose}, but it already exists: another workspace or \
             someone by hand made it. Nothing was written to it. Set `adopt_existing = true` to take it over \
             (its rules of the same names are replaced, others kept, and `terraform destroy` deletes it), delete \
             it, or use it as it is with `network_security_group = \"<its ID>\"`."
        ),
    )
}

impl NetworkWriter<'_> {
    /// Create or restore the planned NSGs (`planned_ids`, `planned_rules`) this allocation
    /// does not hold as planned yet, recording each in `owned`; the first failure is returned.
    pub async fn ensure_nsgs(
        &self,
        planned: &AllocationModel,
        owned: &mut Owned,
    ) -> Result<(), Diagnostic> {
        let planned_ids = AllocationModel::map_of(&planned.network_security_group_ids);
        let planned_rules = planned
            .network_security_group_rules
            .known()
            .cloned()
            .unwrap_or_default();
        let purposes = purposes_of(planned);
        for (p, id) in &planned_ids {
            let held = owned.nsgs.get(p).is_some_and(|o| same_id(o, id));
            let rules = planned_rules.get(p).cloned().unwrap_or_default();
            if held && owned.rules.get(p) == Some(&rules) {
                continue;
            }
            // Ours when held under any purpose (a purpose renamed keeps its NSG name only
            // if its key stays, so this is the same purpose in practice).
            let ours = owned.nsgs.values().any(|o| same_id(o, id));
            let purpose = purposes.get(p).copied().unwrap_or(Purpose::of_key(p));
            let what = format!(
                "Writing network security group {} for subnets[{p:?}]",
                last_segment(id)
            );
            let path = AttrPath::attr("network_security_group");
            let existing = self
                .client
                .arm()
                .get_opt(self.rctx, id, NETWORK_API)
                .await
                .map_err(|e| azure_diag(path.clone(), &what, &e))?;
            let body = match &existing {
                Some(_) if !ours && !self.adopt => {
                    return Err(not_ours(
                        "network_security_group",
                        "network security group",
                        id,
                        Some(p),
                    ))
                }
                Some(e) => nsg::restored_body(e, purpose, self.location),
                None => nsg::nsg_body(purpose, self.location, &tags(self.key)),
            };
            tracing::debug!(nsg = %id, purpose = purpose.name(), "writing network security group");
            match self
                .client
                .arm()
                .put(self.rctx, id, NETWORK_API, &body)
                .await
            {
                Ok(_) => {
                    owned.nsgs.insert(p.clone(), id.clone());
                    owned.rules.insert(p.clone(), rules);
                }
                Err(e) => {
                    // Nothing untracked: record it if the failed write left it there.
                    if existing.is_none() || ours {
                        self.track_if_exists(id, p, owned).await;
                    }
                    return Err(azure_diag(path, &what, &e));
                }
            }
        }
        Ok(())
    }

    async fn track_if_exists(&self, id: &str, p: &str, owned: &mut Owned) {
        if let Ok(Some(_)) = self.client.arm().get_opt(self.rctx, id, NETWORK_API).await {
            owned
                .nsgs
                .entry(p.to_string())
                .or_insert_with(|| id.to_string());
            owned.rules.entry(p.to_string()).or_default();
        }
    }

    /// Create or rewrite the planned route table when it is not held as planned.
    pub async fn ensure_route_table(
        &self,
        planned: &AllocationModel,
        prior: Option<&AllocationModel>,
        owned: &mut Owned,
    ) -> Result<(), Diagnostic> {
        let (Some(id), Some(ip)) = (
            planned.route_table_id.as_deref(),
            planned.route_to_firewall.as_deref(),
        ) else {
            return Ok(());
        };
        let held = owned.route_table.as_deref().is_some_and(|o| same_id(o, id));
        let same_ip = prior.and_then(|p| p.route_to_firewall.as_deref()) == Some(ip);
        if held && same_ip {
            return Ok(());
        }
        let what = format!("Writing route table {}", last_segment(id));
        let path = AttrPath::attr("route_to_firewall");
        let existing = self
            .client
            .arm()
            .get_opt(self.rctx, id, NETWORK_API)
            .await
            .map_err(|e| azure_diag(path.clone(), &what, &e))?;
        if existing.is_some() && !held && !self.adopt {
            return Err(not_ours("route_to_firewall", "route table", id, None));
        }
        let mut body = nsg::firewall_route_table_body(self.location, ip, &tags(self.key));
        if let Some(t) = existing.as_ref().and_then(|e| e.get("tags")) {
            body["tags"] = t.clone();
        }
        match self
            .client
            .arm()
            .put(self.rctx, id, NETWORK_API, &body)
            .await
        {
            Ok(_) => {
                owned.route_table = Some(id.to_string());
                Ok(())
            }
            Err(e) => {
                if existing.is_none() {
                    if let Ok(Some(_)) = self.client.arm().get_opt(self.rctx, id, NETWORK_API).await
                    {
                        owned.route_table = Some(id.to_string());
                    }
                }
                Err(azure_diag(path, &what, &e))
            }
        }
    }

    /// Delete the NSGs and the route table `owned` holds that `planned` no longer has.
    pub async fn delete_unplanned(
        &self,
        planned: &AllocationModel,
        owned: &mut Owned,
    ) -> Result<(), Diagnostic> {
        let planned_ids = AllocationModel::map_of(&planned.network_security_group_ids);
        let stale: Vec<(String, String)> = owned
            .nsgs
            .iter()
            .filter(|(_, id)| !planned_ids.values().any(|x| same_id(x, id)))
            .map(|(p, id)| (p.clone(), id.clone()))
            .collect();
        for (p, id) in stale {
            delete_nsg(self.client, self.rctx, &id).await?;
            owned.nsgs.retain(|_, x| !same_id(x, &id));
            owned.rules.remove(&p);
        }
        // Rules of purposes whose NSG stays but which are no longer planned.
        owned.rules.retain(|p, _| owned.nsgs.contains_key(p));
        if let Some(rt) = owned.route_table.clone() {
            if planned
                .route_table_id
                .as_deref()
                .is_none_or(|x| !same_id(x, &rt))
            {
                delete_route_table(self.client, self.rctx, &rt).await?;
                owned.route_table = None;
            }
        }
        Ok(())
    }
}

/// The tags of what this allocation creates.
fn tags(key: &str) -> Json {
    json!({ "aifactory-subnet-allocation": key })
}

async fn delete_nsg(client: &AzureClient, rctx: &Ctx, id: &str) -> Result<(), Diagnostic> {
    tracing::debug!(nsg = %id, "deleting network security group");
    client
        .arm()
        .delete(rctx, id, NETWORK_API)
        .await
        .map_err(|e| {
            azure_diag(
                AttrPath::attr("network_security_group"),
                &format!("Deleting network security group {}", last_segment(id)),
                &e,
            )
        })
}

async fn delete_route_table(client: &AzureClient, rctx: &Ctx, id: &str) -> Result<(), Diagnostic> {
    tracing::debug!(route_table = %id, "deleting route table");
    client
        .arm()
        .delete(rctx, id, NETWORK_API)
        .await
        .map_err(|e| {
            azure_diag(
                AttrPath::attr("route_to_firewall"),
                &format!("Deleting route table {}", last_segment(id)),
                &e,
            )
        })
}

/// Destroy: delete every NSG and the route table `prior` created (after its subnets).
pub(super) async fn destroy_network(
    client: &AzureClient,
    rctx: &Ctx,
    prior: &AllocationModel,
) -> Vec<Diagnostic> {
    let owned = Owned::from_state(prior);
    let mut ids: Vec<String> = owned.nsgs.into_values().collect();
    ids.sort_by_key(|i| i.to_ascii_lowercase());
    ids.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let mut out = Vec::new();
    for id in ids {
        if let Err(d) = delete_nsg(client, rctx, &id).await {
            out.push(d);
        }
    }
    if let Some(rt) = owned.route_table {
        if let Err(d) = delete_route_table(client, rctx, &rt).await {
            out.push(d);
        }
    }
    out
}

/// What refresh found: the created NSGs' table rules as Azure has them (`[]` for an NSG
/// that is gone), and whether the route table is gone.
pub(super) struct Refreshed {
    pub rules: Option<BTreeMap<String, Vec<String>>>,
    pub route_table_gone: bool,
}

/// Read the NSGs and route table `state` created.
pub(super) async fn refresh_network(
    client: &AzureClient,
    rctx: &Ctx,
    state: &AllocationModel,
) -> Result<Refreshed, (AttrPath, String, AzureError)> {
    let owned = Owned::from_state(state);
    let purposes = purposes_of(state);
    let mut rules = BTreeMap::new();
    for (p, id) in &owned.nsgs {
        let purpose = purposes.get(p).copied().unwrap_or(Purpose::of_key(p));
        let found = client
            .arm()
            .get_opt(rctx, id, NETWORK_API)
            .await
            .map_err(|e| {
                (
                    AttrPath::attr("network_security_group"),
                    format!("Reading network security group {}", last_segment(id)),
                    e,
                )
            })?;
        let actual = found
            .map(|nsg_body| nsg::actual_summaries(&nsg_body, purpose))
            .unwrap_or_default();
        rules.insert(p.clone(), actual);
    }
    let mut route_table_gone = false;
    if let Some(rt) = &owned.route_table {
        let found = client
            .arm()
            .get_opt(rctx, rt, NETWORK_API)
            .await
            .map_err(|e| {
                (
                    AttrPath::attr("route_to_firewall"),
                    format!("Reading route table {}", last_segment(rt)),
                    e,
                )
            })?;
        route_table_gone = found.is_none();
    }
    let tracked = state.network_security_group_rules.known().is_some() || !owned.nsgs.is_empty();
    Ok(Refreshed {
        rules: tracked.then_some(rules),
        route_table_gone,
    })
}

/// For each owned subnet (`bodies`: purpose -> its GET) that `state` gives an NSG or route
/// table through `network_security_group`/`route_to_firewall` (not its own setting) and
/// that Azure shows without it: (purpose, attribute, actual ID or `""`).
pub(super) fn association_drift(
    state: &AllocationModel,
    bodies: &BTreeMap<String, &Json>,
) -> Vec<(String, &'static str, String)> {
    let own = settings_of(state);
    let effective = effective_settings(state);
    let mut out = Vec::new();
    for (p, body) in bodies {
        let (Some(own), Some(eff)) = (own.get(p), effective.get(p)) else {
            continue;
        };
        for (attr, key, own_v, eff_v) in [
            (
                "network_security_group_id",
                "networkSecurityGroup",
                &own.network_security_group_id,
                &eff.network_security_group_id,
            ),
            (
                "route_table_id",
                "routeTable",
                &own.route_table_id,
                &eff.route_table_id,
            ),
        ] {
            let (None, Some(want)) = (own_v, eff_v) else {
                continue;
            };
            let actual = body
                .pointer(&format!("/properties/{key}/id"))
                .and_then(Json::as_str)
                .unwrap_or_default();
            if !same_id(actual, want) {
                out.push((p.clone(), attr, actual.to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_live_in_the_vnet_resource_group() {
        let v =
            "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/v";
        assert_eq!(
            nsg_id(v, "aks-nsg-prj001"),
            "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/aks-nsg-prj001"
        );
        assert_eq!(
            route_table_id(v, "rt-prj001"),
            "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/routeTables/rt-prj001"
        );
    }
}
