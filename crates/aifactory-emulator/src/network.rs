//! Microsoft.Network rules: virtual networks and subnets (containment in the address space,
//! no overlap, /29 minimum, IPv6 /64, CIDR format), inline `properties.subnets` on vNet PUT
//! (omitted subnets are deleted, in-use ones refused), subnets rendered inside the vNet
//! GET, private endpoints (and Bastion hosts, `crate::bastion`, and NICs, `crate::compute`) holding subnets
//! (`InUseSubnetCannotBeDeleted`), and the per-vNet
//! write lock (409 `AnotherOperationInProgress` / 429 `RetryableError` while an LRO on the
//! vNet or any of its subnets is in flight).
//!
//! Owns network validation and rendering; the generic lifecycle stays in `arm`. Imports only
//! the leaves of `arm` (`id`, `store`, `lro`, `body`, `ctx`, `types`: its type names, which
//! it re-exports), never its handlers.

use crate::arm::body::set_ps;
use crate::arm::ctx::Ctx;
use crate::arm::id::{self, key, ArmPath, Level, LevelKind};
use crate::arm::lro::OpKind;
use crate::arm::store::Stored;
use crate::config::VnetConflict;
use crate::http::{arm_error, arm_error_details, Resp};
use crate::state::State;
use crate::util;
use http::StatusCode;
use ipnet::IpNet;
use serde_json::{json, Map, Value};

pub use crate::arm::types::{NSG, PRIVATE_ENDPOINT, SECURITY_RULE, SUBNET, VNET};

/// Child changes a vNet PUT implies.
#[derive(Debug, Default)]
pub struct NetPlan {
    upserts: Vec<(String, Map<String, Value>)>,
    deletes: Vec<String>,
    touch_vnet: Option<String>,
    is_vnet: bool,
}

fn bad(code: &str, msg: String) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, code, msg)
}

/// Key of the vNet a write on `path` (or a private endpoint in one of its subnets) locks.
pub fn lock_key(st: &State, path: &ArmPath, body: &Map<String, Value>) -> Option<String> {
    if let Some(l) = path
        .levels
        .iter()
        .find(|l| l.full_type.eq_ignore_ascii_case(VNET))
    {
        return Some(key(&l.id));
    }
    let target = path.target()?;
    if target.full_type.eq_ignore_ascii_case(PRIVATE_ENDPOINT) {
        let sid = body
            .get("properties")
            .and_then(|p| p.pointer("/subnet/id"))
            .and_then(Value::as_str)?;
        let p = id::parse_id(sid).ok()?;
        let _ = st;
        return p
            .levels
            .iter()
            .find(|l| l.full_type.eq_ignore_ascii_case(VNET))
            .map(|l| key(&l.id));
    }
    None
}

/// The 409/429 answer when another operation holds the vNet lock.
pub fn conflict(st: &State, ctx: &Ctx, lock: &str) -> Option<Resp> {
    if st.settings.vnet_conflict == VnetConflict::Allow {
        return None;
    }
    let op = st
        .ops
        .values()
        .find(|o| !o.completed && o.lock_key.as_deref() == Some(lock))?;
    let url = op.async_url(ctx.base);
    let wait = op.retry_after(st.now_ms(), None).max(1);
    let op_name = match op.kind {
        OpKind::Put if op.target_id.to_ascii_lowercase().contains("/subnets/") => {
            "PutSubnetOperation"
        }
        OpKind::Put => "PutVirtualNetworkOperation",
        _ if op.target_id.to_ascii_lowercase().contains("/subnets/") => "DeleteSubnetOperation",
        _ => "DeleteVirtualNetworkOperation",
    };
    Some(match st.settings.vnet_conflict {
        VnetConflict::RetryableError => arm_error_details(
            StatusCode::TOO_MANY_REQUESTS,
            "RetryableError",
            "A retryable error occurred.",
            json!([{
                "code": "RetryableErrorDueToAnotherOperation",
                "message": format!("Operation {op_name} (.../operations/{}) is updating resource {}. The call can be retried in {wait} seconds.", op.id, op.target_id),
            }]),
        )
        .header("retry-after", wait.to_string()),
        _ => arm_error_details(
            StatusCode::CONFLICT,
            "AnotherOperationInProgress",
            &format!("Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: {url}."),
            json!([]),
        ),
    })
}

/// Parses and checks one prefix (`InvalidAddressPrefixFormat`, `InvalidCIDRNotation`).
fn parse_prefix(p: &str, resource_id: &str) -> Result<IpNet, Resp> {
    let net: IpNet = p.trim().parse().map_err(|_| {
        bad(
            "InvalidAddressPrefixFormat",
            format!("Address prefix {p} of resource {resource_id} is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24."),
        )
    })?;
    if net.trunc() != net {
        return Err(bad(
            "InvalidCIDRNotation",
            format!(
                "The address prefix {p} in resource {resource_id} has an invalid CIDR notation. For the given prefix length, the address prefix should be {}.",
                net.trunc()
            ),
        ));
    }
    Ok(net)
}

fn prefixes_of(props: Option<&Value>) -> Vec<String> {
    let Some(p) = props else { return Vec::new() };
    let mut v: Vec<String> = Vec::new();
    if let Some(s) = p.get("addressPrefix").and_then(Value::as_str) {
        v.push(s.to_string());
    }
    if let Some(a) = p.get("addressPrefixes").and_then(Value::as_array) {
        for s in a.iter().filter_map(Value::as_str) {
            if !v.iter().any(|x| x == s) {
                v.push(s.to_string());
            }
        }
    }
    v
}

fn vnet_space(body: &Value) -> Vec<String> {
    body.pointer("/properties/addressSpace/addressPrefixes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Validates one subnet's prefixes against the vNet space and its siblings.
fn check_subnet(
    subnet_name: &str,
    subnet_id: &str,
    props: Option<&Value>,
    vnet_name: &str,
    space: &[IpNet],
    siblings: &[(String, Vec<IpNet>)],
) -> Result<Vec<IpNet>, Resp> {
    let prefixes = prefixes_of(props);
    let has_ipam = props
        .and_then(|p| p.get("ipamPoolPrefixAllocations"))
        .is_some_and(|x| x.as_array().is_some_and(|a| !a.is_empty()));
    if prefixes.is_empty() {
        if has_ipam {
            return Ok(Vec::new());
        }
        return Err(bad(
            "NetcfgInvalidSubnet",
            format!("Subnet '{subnet_name}' is not valid in virtual network '{vnet_name}'. The subnet must have an addressPrefix or addressPrefixes."),
        ));
    }
    let mut nets = Vec::new();
    for p in &prefixes {
        let net = parse_prefix(p, subnet_id)?;
        let too_small = match net {
            IpNet::V4(n) => n.prefix_len() > 29,
            IpNet::V6(n) => n.prefix_len() != 64,
        };
        if too_small {
            return Err(bad(
                "NetcfgInvalidSubnet",
                format!("Subnet '{subnet_name}' is not valid in virtual network '{vnet_name}'. The address prefix {p} is too small: the smallest supported IPv4 subnet is /29 and IPv6 subnets must be /64."),
            ));
        }
        if !space.iter().any(|s| s.contains(&net)) {
            return Err(bad(
                "NetcfgSubnetRangeOutsideVnet",
                format!("Subnet '{subnet_name}' is not valid because its IP address range is outside the IP address range of virtual network '{vnet_name}'."),
            ));
        }
        if nets.iter().any(|n| overlaps(n, &net))
            || siblings
                .iter()
                .any(|(_, s)| s.iter().any(|n| overlaps(n, &net)))
        {
            return Err(bad(
                "NetcfgSubnetRangesOverlap",
                format!("Subnet '{subnet_name}' is not valid because its IP address range overlaps with that of an existing subnet in virtual network '{vnet_name}'."),
            ));
        }
        nets.push(net);
    }
    Ok(nets)
}

/// Resources that hold a subnet (private endpoints whose `properties.subnet.id` is it).
pub fn subnet_users(st: &State, subnet_id: &str) -> Vec<String> {
    let k = key(subnet_id);
    st.store
        .filter(|r| {
            r.full_type.eq_ignore_ascii_case(PRIVATE_ENDPOINT)
                && r.body
                    .pointer("/properties/subnet/id")
                    .and_then(Value::as_str)
                    .map(key)
                    .as_deref()
                    == Some(k.as_str())
        })
        .into_iter()
        .map(|r| r.id.clone())
        .collect()
}

fn in_use(subnet_name: &str, holder: &str) -> Resp {
    bad(
        "InUseSubnetCannotBeDeleted",
        format!("Subnet {subnet_name} is in use by {holder} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet."),
    )
}

/// Validates a PUT and returns the child changes to apply after the resource is stored.
pub fn prepare_put(
    st: &State,
    ctx: &Ctx,
    path: &ArmPath,
    body: &mut Map<String, Value>,
    existing: Option<&Stored>,
) -> Result<NetPlan, Resp> {
    let _ = (ctx, existing);
    let Some(target) = path.target() else {
        return Ok(NetPlan::default());
    };
    if let Some(denied) = crate::policy::check_put(&st.settings.policies, path, body) {
        return Err(denied);
    }
    if target.full_type.eq_ignore_ascii_case(VNET) {
        return prepare_vnet(st, target, body);
    }
    if target.full_type.eq_ignore_ascii_case(SUBNET) {
        return prepare_subnet(st, path, target, body);
    }
    if target.full_type.eq_ignore_ascii_case(PRIVATE_ENDPOINT) {
        prepare_private_endpoint(st, path, target, body)?;
    }
    if target.full_type.eq_ignore_ascii_case(NSG) {
        let rules = body
            .get("properties")
            .and_then(|p| p.get("securityRules"))
            .and_then(Value::as_array);
        for r in rules.into_iter().flatten() {
            let name = r.get("name").and_then(Value::as_str).unwrap_or_default();
            check_rule_priority(&target.id, name, r.get("properties"))?;
        }
    }
    if target.full_type.eq_ignore_ascii_case(SECURITY_RULE) {
        let nsg = target
            .id
            .rsplit_once("/securityRules/")
            .map_or("", |(n, _)| n);
        check_rule_priority(nsg, &target.name, body.get("properties"))?;
    }
    Ok(NetPlan::default())
}

/// A security rule's priority is 100 to 4096 (`SecurityRulePropertiesFormat.priority` in
/// the 2024-05-01 spec: "The value can be between 100 and 4096").
fn check_rule_priority(nsg_id: &str, rule: &str, props: Option<&Value>) -> Result<(), Resp> {
    let Some(p) = props
        .and_then(|p| p.get("priority"))
        .and_then(Value::as_i64)
    else {
        return Ok(());
    };
    if (100..=4096).contains(&p) {
        return Ok(());
    }
    Err(bad(
        "SecurityRuleInvalidPriority",
        format!("Security rule {nsg_id}/securityRules/{rule} has invalid Priority. Value provided: {p} Allowed range 100-4096."),
    ))
}

/// The vNet's address space: valid CIDRs that do not overlap each other.
fn address_space(body: &Map<String, Value>, vnet_id: &str) -> Result<Vec<IpNet>, Resp> {
    let mut space: Vec<IpNet> = Vec::new();
    for p in &vnet_space(&Value::Object(body.clone())) {
        let net = parse_prefix(p, vnet_id)?;
        if space.iter().any(|n| overlaps(n, &net)) {
            return Err(bad(
                "VnetAddressSpacesOverlap",
                format!("Address space {p} of virtual network {vnet_id} overlaps with another address space of the same virtual network."),
            ));
        }
        space.push(net);
    }
    Ok(space)
}

/// vNet PUT: address space, inline `properties.subnets` (moved out of the body into the
/// plan), and the existing subnets the PUT omits (deleted, unless in use).
fn prepare_vnet(
    st: &State,
    target: &Level,
    body: &mut Map<String, Value>,
) -> Result<NetPlan, Resp> {
    let space = address_space(body, &target.id)?;
    let inline: Vec<Value> = body
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .and_then(|p| p.remove("subnets"))
        .and_then(|s| s.as_array().cloned())
        .unwrap_or_default();
    let mut accepted: Vec<(String, Vec<IpNet>)> = Vec::new();
    let mut upserts = Vec::new();
    for s in inline {
        let Some(name) = s.get("name").and_then(Value::as_str).map(str::to_string) else {
            return Err(bad(
                "InvalidRequestFormat",
                "Cannot parse the request. A subnet in properties.subnets has no name.".into(),
            ));
        };
        if accepted.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            return Err(bad("DuplicateResourceName", format!("Resource {}/subnets/{name} has the same name as another subnet in the request.", target.id)));
        }
        let sid = format!("{}/subnets/{name}", target.id);
        let nets = check_subnet(
            &name,
            &sid,
            s.get("properties"),
            &target.name,
            &space,
            &accepted,
        )?;
        accepted.push((name.clone(), nets));
        let mut props = s
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        props.remove("provisioningState");
        upserts.push((name, props));
    }
    let mut deletes = Vec::new();
    for child in st.store.children(&target.id, SUBNET) {
        let cname = child.id.rsplit('/').next().unwrap_or_default();
        if !accepted.iter().any(|(n, _)| n.eq_ignore_ascii_case(cname)) {
            if let Some(h) = subnet_users(st, &child.id).first() {
                return Err(in_use(cname, h));
            }
            deletes.push(child.id.clone());
        }
    }
    Ok(NetPlan {
        upserts,
        deletes,
        touch_vnet: None,
        is_vnet: true,
    })
}

/// Subnet PUT: inside the vNet's space, no overlap with its siblings; the vNet's ETag moves.
fn prepare_subnet(
    st: &State,
    path: &ArmPath,
    target: &Level,
    body: &Map<String, Value>,
) -> Result<NetPlan, Resp> {
    let vnet_level = path
        .levels
        .iter()
        .rev()
        .find(|l| l.full_type.eq_ignore_ascii_case(VNET));
    let Some(vnet_level) = vnet_level else {
        return Ok(NetPlan::default());
    };
    let Some(vnet) = st.store.get(&vnet_level.id) else {
        return Ok(NetPlan::default());
    };
    let space: Vec<IpNet> = vnet_space(&vnet.body)
        .iter()
        .filter_map(|p| p.parse().ok())
        .collect();
    let siblings: Vec<(String, Vec<IpNet>)> = st
        .store
        .children(&vnet.id, SUBNET)
        .into_iter()
        .filter(|c| key(&c.id) != key(&target.id))
        .map(|c| {
            let nets = prefixes_of(c.body.get("properties"))
                .iter()
                .filter_map(|p| p.parse().ok())
                .collect();
            (c.id.clone(), nets)
        })
        .collect();
    check_subnet(
        &target.name,
        &target.id,
        body.get("properties"),
        &vnet_level.name,
        &space,
        &siblings,
    )?;
    Ok(NetPlan {
        touch_vnet: Some(vnet.id.clone()),
        ..NetPlan::default()
    })
}

/// Private endpoint PUT: its subnet must exist; a network interface is made up when none
/// is given.
fn prepare_private_endpoint(
    st: &State,
    path: &ArmPath,
    target: &Level,
    body: &mut Map<String, Value>,
) -> Result<(), Resp> {
    let sid = body
        .get("properties")
        .and_then(|p| p.pointer("/subnet/id"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(sid) = sid else {
        return Err(bad("InvalidRequestFormat", format!("Cannot parse the request. Private endpoint {} must reference a subnet in properties.subnet.id.", target.id)));
    };
    if !st.store.contains(&sid) {
        return Err(bad(
            "InvalidResourceReference",
            format!("Resource {sid} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", target.id),
        ));
    }
    if let Some(Value::Object(p)) = body.get_mut("properties") {
        if !p.contains_key("networkInterfaces") {
            let sub = path.subscription().unwrap_or_default();
            let rg = path
                .resource_group()
                .map(|l| l.name.clone())
                .unwrap_or_default();
            p.insert(
                "networkInterfaces".into(),
                json!([{"id": format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces/{}.nic.{}", target.name, util::new_guid())}]),
            );
        }
    }
    Ok(())
}

/// Applies a plan after the resource itself was stored.
pub fn apply_plan(st: &mut State, ctx: &Ctx, stored_id: &str, plan: NetPlan, ps: &str, now: i64) {
    let _ = ctx;
    if plan.is_vnet {
        for id in &plan.deletes {
            st.store.remove_tree(id);
        }
        for (name, props) in plan.upserts {
            let sid = format!("{stored_id}/subnets/{name}");
            let existing_id = st.store.get(&sid).map(|r| r.id.clone()).unwrap_or(sid);
            let etag = util::new_etag();
            let mut body = json!({
                "id": existing_id,
                "name": existing_id.rsplit('/').next().unwrap_or(&name),
                "type": SUBNET,
                "etag": etag,
                "properties": Value::Object(props),
            });
            set_ps(&mut body, ps);
            st.store.put(Stored {
                id: existing_id,
                parent_key: key(stored_id),
                full_type: SUBNET.into(),
                body,
                etag,
                seq: 0,
                created_ms: now,
                changed_ms: now,
            });
        }
    }
    if let Some(v) = plan.touch_vnet {
        bump(st, &v);
    }
}

fn bump(st: &mut State, id: &str) {
    if let Some(r) = st.store.get_mut(id) {
        r.etag = util::new_etag();
        if r.body.get("etag").is_some() {
            r.body["etag"] = json!(r.etag);
        }
    }
}

/// A subnet change changes its vNet's etag.
pub fn touch_parent_vnet(st: &mut State, r: &Stored) {
    if r.full_type.eq_ignore_ascii_case(SUBNET) {
        if let Some((vnet, _)) =
            r.id.rsplit_once("/subnets/")
                .or_else(|| r.id.rsplit_once("/SUBNETS/"))
        {
            let vnet = vnet.to_string();
            bump(st, &vnet);
        }
    }
}

/// Refuses deleting subnets (or vNets with subnets) that are in use.
pub fn check_delete(st: &State, r: &Stored) -> Result<(), Resp> {
    if r.full_type.eq_ignore_ascii_case(SUBNET) {
        if let Some(h) = subnet_users(st, &r.id).first() {
            return Err(in_use(r.id.rsplit('/').next().unwrap_or_default(), h));
        }
        if let Some(h) = crate::bastion::subnet_holder(st, &r.id) {
            return Err(in_use(r.id.rsplit('/').next().unwrap_or_default(), &h));
        }
        if let Some(h) = crate::compute::subnet_holder(st, &r.id) {
            return Err(in_use(r.id.rsplit('/').next().unwrap_or_default(), &h));
        }
        if let Some(l) = crate::foundry::link_bodies(st, &r.id).first() {
            let link = l["id"].as_str().unwrap_or_default();
            return Err(in_use(r.id.rsplit('/').next().unwrap_or_default(), link));
        }
    }
    if r.full_type.eq_ignore_ascii_case(VNET) {
        for s in st.store.children(&r.id, SUBNET) {
            if let Some(h) = subnet_users(st, &s.id).first() {
                return Err(in_use(s.id.rsplit('/').next().unwrap_or_default(), h));
            }
            if let Some(h) = crate::bastion::subnet_holder(st, &s.id) {
                return Err(in_use(s.id.rsplit('/').next().unwrap_or_default(), &h));
            }
            if let Some(h) = crate::compute::subnet_holder(st, &s.id) {
                return Err(in_use(s.id.rsplit('/').next().unwrap_or_default(), &h));
            }
            if let Some(l) = crate::foundry::link_bodies(st, &s.id).first() {
                let link = l["id"].as_str().unwrap_or_default();
                return Err(in_use(s.id.rsplit('/').next().unwrap_or_default(), link));
            }
        }
    }
    Ok(())
}

/// Adds computed parts to a GET body: subnets inside the vNet, private endpoints on subnets.
pub fn decorate(st: &State, r: &Stored, v: &mut Value) {
    if r.full_type.eq_ignore_ascii_case(VNET) {
        let subnets: Vec<Value> = st
            .store
            .children(&r.id, SUBNET)
            .into_iter()
            .map(|s| {
                let mut b = s.body.clone();
                decorate(st, s, &mut b);
                b
            })
            .collect();
        if !v.get("properties").is_some_and(Value::is_object) {
            v["properties"] = json!({});
        }
        v["properties"]["subnets"] = Value::Array(subnets);
    } else if r.full_type.eq_ignore_ascii_case(SUBNET) {
        let users = subnet_users(st, &r.id);
        if !users.is_empty() {
            v["properties"]["privateEndpoints"] =
                Value::Array(users.into_iter().map(|id| json!({ "id": id })).collect());
        }
        let links = crate::foundry::link_bodies(st, &r.id);
        if !links.is_empty() {
            v["properties"]["serviceAssociationLinks"] = Value::Array(links);
        }
    }
}

/// True when the level is a Microsoft.Network resource.
pub fn is_network(kind: &LevelKind) -> bool {
    matches!(kind, LevelKind::Resource { namespace, .. } if namespace.eq_ignore_ascii_case("Microsoft.Network"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(v: &[&str]) -> Vec<IpNet> {
        v.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn code(r: Resp) -> String {
        r.body_json().unwrap()["error"]["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn subnet_rules() {
        let space = nets(&["10.0.0.0/16"]);
        let sib = vec![("a".to_string(), nets(&["10.0.1.0/24"]))];
        let p = |s: &str| json!({"addressPrefix": s});
        assert!(check_subnet("s", "id", Some(&p("10.0.2.0/24")), "v", &space, &sib).is_ok());
        assert_eq!(
            code(check_subnet("s", "id", Some(&p("10.1.0.0/24")), "v", &space, &sib).unwrap_err()),
            "NetcfgSubnetRangeOutsideVnet"
        );
        assert_eq!(
            code(
                check_subnet("s", "id", Some(&p("10.0.1.128/25")), "v", &space, &sib).unwrap_err()
            ),
            "NetcfgSubnetRangesOverlap"
        );
        assert_eq!(
            code(check_subnet("s", "id", Some(&p("10.0.0.0/30")), "v", &space, &sib).unwrap_err()),
            "NetcfgInvalidSubnet"
        );
        assert!(check_subnet("s", "id", Some(&p("10.0.0.0/29")), "v", &space, &sib).is_ok());
        assert_eq!(
            code(check_subnet("s", "id", Some(&p("10.0.0.1/24")), "v", &space, &sib).unwrap_err()),
            "InvalidCIDRNotation"
        );
        assert_eq!(
            code(check_subnet("s", "id", Some(&p("10.0.0.0")), "v", &space, &sib).unwrap_err()),
            "InvalidAddressPrefixFormat"
        );
        assert_eq!(
            code(check_subnet("s", "id", Some(&json!({})), "v", &space, &sib).unwrap_err()),
            "NetcfgInvalidSubnet"
        );
        let two = json!({"addressPrefixes": ["10.0.4.0/24", "10.0.4.128/25"]});
        assert_eq!(
            code(check_subnet("s", "id", Some(&two), "v", &space, &sib).unwrap_err()),
            "NetcfgSubnetRangesOverlap"
        );
    }
}
