//! ARM resource IDs (arm.md §1.1): parsing the IDs a project is given and building the IDs
//! of what it creates. Literal segments compare case-insensitively; names keep their case.

/// A parsed `/subscriptions/{s}/resourceGroups/{rg}[/providers/{ns}/{type}/{name}[/{type}/{name}]...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmId {
    pub subscription: String,
    pub resource_group: String,
    /// Namespace, e.g. `Microsoft.Network`.
    pub namespace: Option<String>,
    /// (type, name) pairs after the namespace.
    pub segments: Vec<(String, String)>,
}

impl ArmId {
    /// Parses a resource-group-scoped ID. `None` for other shapes or empty names.
    pub fn parse(id: &str) -> Option<ArmId> {
        let rest = id.strip_prefix('/')?;
        let parts: Vec<&str> = rest.split('/').collect();
        // Nothing that could address another resource: no empty, `.` or `..` segment, no
        // control character, and no `%` (ARM forbids it in names, so no escape can hide a
        // dot segment).
        if parts.iter().any(|p| {
            p.is_empty()
                || p.trim() != *p
                || *p == "."
                || *p == ".."
                || p.chars().any(|c| c.is_control() || c == '%')
        }) {
            return None;
        }
        if parts.len() < 4
            || !parts[0].eq_ignore_ascii_case("subscriptions")
            || !parts[2].eq_ignore_ascii_case("resourceGroups")
        {
            return None;
        }
        let mut out = ArmId {
            subscription: parts[1].to_string(),
            resource_group: parts[3].to_string(),
            namespace: None,
            segments: Vec::new(),
        };
        let tail = &parts[4..];
        if tail.is_empty() {
            return Some(out);
        }
        if tail.len() < 4 || tail.len() % 2 != 0 || !tail[0].eq_ignore_ascii_case("providers") {
            return None;
        }
        out.namespace = Some(tail[1].to_string());
        for pair in tail[2..].chunks_exact(2) {
            out.segments
                .push((pair[0].to_string(), pair[1].to_string()));
        }
        Some(out)
    }

    /// True when this ID is of `namespace/type1/type2...` (case-insensitive).
    pub fn is_type(&self, namespace: &str, types: &[&str]) -> bool {
        self.namespace
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(namespace))
            && self.segments.len() == types.len()
            && self
                .segments
                .iter()
                .zip(types)
                .all(|((t, _), want)| t.eq_ignore_ascii_case(want))
    }

    /// `Namespace/type1/type2...` (`Microsoft.Storage/storageAccounts`); empty for a
    /// resource group.
    pub fn resource_type(&self) -> String {
        let Some(ns) = &self.namespace else {
            return String::new();
        };
        std::iter::once(ns.as_str())
            .chain(self.segments.iter().map(|(t, _)| t.as_str()))
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The last name.
    pub fn name(&self) -> &str {
        self.segments
            .last()
            .map_or(self.resource_group.as_str(), |(_, n)| n.as_str())
    }

    /// The ID of this resource without its last (type, name) pair.
    pub fn parent_id(&self) -> String {
        let mut s = resource_group_id(&self.subscription, &self.resource_group);
        if let Some(ns) = &self.namespace {
            if self.segments.len() > 1 {
                s.push_str(&format!("/providers/{ns}"));
                for (t, n) in &self.segments[..self.segments.len() - 1] {
                    s.push_str(&format!("/{t}/{n}"));
                }
            }
        }
        s
    }
}

/// `/subscriptions/{sub}/resourceGroups/{rg}`.
pub fn resource_group_id(subscription: &str, resource_group: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{resource_group}")
}

/// `{rg id}/providers/{type}/{name}` where `resource_type` is `Namespace/type`.
pub fn resource_id(
    subscription: &str,
    resource_group: &str,
    resource_type: &str,
    name: &str,
) -> String {
    format!(
        "{}/providers/{resource_type}/{name}",
        resource_group_id(subscription, resource_group)
    )
}

/// A resource group ID of `id`, when `id` is exactly a resource group ID.
pub fn parse_resource_group_id(id: &str) -> Option<ArmId> {
    ArmId::parse(id).filter(|a| a.namespace.is_none())
}

/// A subnet ID: `.../providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}`.
pub fn parse_subnet_id(id: &str) -> Option<ArmId> {
    ArmId::parse(id).filter(|a| a.is_type("Microsoft.Network", &["virtualNetworks", "subnets"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBNET: &str = "/subscriptions/s1/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnt/subnets/snt-prj001-genai";

    /// IDs that could address another resource than they seem to do not parse.
    #[test]
    fn refuses_path_escapes() {
        let rg = "/subscriptions/s/resourceGroups/approved-rg";
        for id in [
            format!("{rg}/%2e%2e/%2e%2e/subscriptions/other/resourceGroups/x"),
            format!("{rg}/providers/Microsoft.Network/virtualNetworks/.."),
            format!("{rg}/providers/Microsoft.Network/virtualNetworks/."),
            format!("{rg}/providers/Microsoft.Network/virtualNetworks/rel\nnl"),
            format!("{rg}/providers/Microsoft.Network/virtualNetworks/a\tb"),
            format!("{rg}/providers/Microsoft.Network/virtualNetworks/.%2E"),
        ] {
            assert_eq!(ArmId::parse(&id), None, "{id:?}");
        }
        assert!(ArmId::parse(&format!(
            "{rg}/providers/Microsoft.Network/virtualNetworks/v.1"
        ))
        .is_some());
    }

    #[test]
    fn parses_subnets_case_insensitively() {
        let a = parse_subnet_id(SUBNET).unwrap_or_else(|| panic!("parse"));
        assert_eq!(a.subscription, "s1");
        assert_eq!(a.resource_group, "rg-net");
        assert_eq!(a.name(), "snt-prj001-genai");
        assert_eq!(a.parent_id(), "/subscriptions/s1/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnt");
        assert_eq!(
            a.resource_type(),
            "Microsoft.Network/virtualNetworks/subnets"
        );
        assert_eq!(
            ArmId::parse("/subscriptions/s1/resourceGroups/rg").map(|g| g.resource_type()),
            Some(String::new())
        );
        assert!(parse_subnet_id(
            &SUBNET
                .replace("resourceGroups", "resourcegroups")
                .replace("Microsoft.Network", "microsoft.network")
        )
        .is_some());
    }

    #[test]
    fn rejects_wrong_shapes() {
        for bad in [
            "",
            "subscriptions/s/resourceGroups/r",
            "/subscriptions/s/resourceGroups/",
            "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v",
            "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets",
            "/subscriptions/s/resourceGroups/r//providers",
            "/subscriptions/s/resourceGroups/r/x/y",
        ] {
            assert!(parse_subnet_id(bad).is_none(), "{bad}");
        }
        assert!(parse_resource_group_id("/subscriptions/s/resourceGroups/r").is_some());
        assert!(parse_resource_group_id(SUBNET).is_none());
        assert!(ArmId::parse(" /subscriptions/s/resourceGroups/r").is_none());
    }

    #[test]
    fn builds_ids() {
        assert_eq!(
            resource_id("s", "rg", "Microsoft.KeyVault/vaults", "kv"),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
        );
    }
}
