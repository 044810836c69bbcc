//! ARM resource-ID grammar: `/subscriptions/{s}[/resourceGroups/{rg}]` followed by provider
//! chains `/providers/{ns}/{type}/{name}[/{childType}/{childName}...]`, repeatable for
//! extension resources; a trailing type without a name is a collection.
//!
//! Owns parsing and canonical keys (lowercase); must not look at the store.

/// Resource type of resource groups.
pub const RG_TYPE: &str = "Microsoft.Resources/resourceGroups";

/// One named level of an ID.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub kind: LevelKind,
    /// Full ID of this level with the caller's casing (keywords canonical).
    pub id: String,
    /// `Namespace/type[/child...]` (empty for subscription / resource group).
    pub full_type: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LevelKind {
    Subscription,
    ResourceGroup,
    /// A provider resource; `extension` when its chain hangs off another resource.
    Resource {
        namespace: String,
        extension: bool,
        top_level: bool,
    },
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmPath {
    pub levels: Vec<Level>,
    /// Trailing `type` without a name: (scope id = last named level, full type).
    pub collection: Option<(String, String)>,
    /// Path ended right after `/providers/{ns}`.
    pub provider_namespace: Option<String>,
}

/// Why a path is not an ARM resource path.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct BadPath(pub String);

/// Lowercase key of an ID.
pub fn key(id: &str) -> String {
    id.trim_end_matches('/').to_ascii_lowercase()
}

impl ArmPath {
    /// Parses decoded path segments.
    pub fn parse(segs: &[String]) -> Result<ArmPath, BadPath> {
        let mut levels = Vec::new();
        let mut id = String::new();
        let mut i = 0;
        if segs
            .first()
            .is_some_and(|s| s.eq_ignore_ascii_case("subscriptions"))
        {
            let sub = segs
                .get(1)
                .ok_or_else(|| BadPath("missing subscription id".into()))?;
            id = format!("/subscriptions/{sub}");
            levels.push(Level {
                kind: LevelKind::Subscription,
                id: id.clone(),
                full_type: String::new(),
                name: sub.clone(),
            });
            i = 2;
            if segs
                .get(2)
                .is_some_and(|s| s.eq_ignore_ascii_case("resourceGroups"))
            {
                let rg = segs
                    .get(3)
                    .ok_or_else(|| BadPath("missing resource group name".into()))?;
                id = format!("{id}/resourceGroups/{rg}");
                levels.push(Level {
                    kind: LevelKind::ResourceGroup,
                    id: id.clone(),
                    full_type: String::new(),
                    name: rg.clone(),
                });
                i = 4;
            }
        }
        let mut collection = None;
        let mut provider_namespace = None;
        let mut chain: Option<(String, Vec<String>, bool)> = None; // ns, types, extension
        let mut chain_len = 0usize;
        while i < segs.len() {
            let s = &segs[i];
            if s.eq_ignore_ascii_case("providers") {
                let ns = segs
                    .get(i + 1)
                    .ok_or_else(|| BadPath("missing resource provider namespace".into()))?;
                let extension = matches!(
                    levels.last(),
                    Some(Level {
                        kind: LevelKind::Resource { .. },
                        ..
                    })
                );
                id = format!("{id}/providers/{ns}");
                chain = Some((ns.clone(), Vec::new(), extension));
                chain_len = 0;
                i += 2;
                if i == segs.len() {
                    provider_namespace = Some(ns.clone());
                }
                continue;
            }
            let Some((ns, types, extension)) = chain.as_mut() else {
                return Err(BadPath(format!("unexpected segment '{s}'")));
            };
            types.push(s.clone());
            let full_type = format!("{ns}/{}", types.join("/"));
            match segs.get(i + 1) {
                None => {
                    let scope = levels
                        .last()
                        .map(|l: &Level| l.id.clone())
                        .unwrap_or_default();
                    collection = Some((scope, full_type));
                    i += 1;
                }
                Some(name) => {
                    id = format!("{id}/{s}/{name}");
                    chain_len += 1;
                    levels.push(Level {
                        kind: LevelKind::Resource {
                            namespace: ns.clone(),
                            extension: *extension,
                            top_level: chain_len == 1 && !*extension,
                        },
                        id: id.clone(),
                        full_type,
                        name: name.clone(),
                    });
                    i += 2;
                }
            }
        }
        Ok(ArmPath {
            levels,
            collection,
            provider_namespace,
        })
    }

    pub fn subscription(&self) -> Option<&str> {
        self.levels
            .iter()
            .find(|l| l.kind == LevelKind::Subscription)
            .map(|l| l.name.as_str())
    }

    pub fn resource_group(&self) -> Option<&Level> {
        self.levels
            .iter()
            .find(|l| l.kind == LevelKind::ResourceGroup)
    }

    /// The addressed level (last), if the path names something.
    pub fn target(&self) -> Option<&Level> {
        if self.collection.is_some() || self.provider_namespace.is_some() {
            return None;
        }
        self.levels.last()
    }
}

/// `{ns}/{type}/{name}[/{child}/{name}]` relative to the resource group, as ARM messages show it.
pub fn relative_name(id: &str) -> String {
    match id.to_ascii_lowercase().rfind("/providers/") {
        Some(pos) => id[pos + "/providers/".len()..].to_string(),
        None => id.rsplit('/').next().unwrap_or(id).to_string(),
    }
}

/// Parses a full ID string.
pub fn parse_id(id: &str) -> Result<ArmPath, BadPath> {
    let segs: Vec<String> = id
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    ArmPath::parse(&segs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_and_extension() {
        let p = parse_id("/subscriptions/S/resourcegroups/RG/providers/Microsoft.Network/virtualNetworks/v1/subnets/s1/providers/Microsoft.Authorization/roleAssignments/g").unwrap();
        assert_eq!(p.levels.len(), 5);
        assert_eq!(p.levels[1].id, "/subscriptions/S/resourceGroups/RG");
        assert_eq!(
            p.levels[3].full_type,
            "Microsoft.Network/virtualNetworks/subnets"
        );
        assert_eq!(p.levels[3].id, "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/v1/subnets/s1");
        assert!(matches!(
            p.levels[2].kind,
            LevelKind::Resource {
                top_level: true,
                extension: false,
                ..
            }
        ));
        assert!(matches!(
            p.levels[4].kind,
            LevelKind::Resource {
                extension: true,
                ..
            }
        ));
        assert_eq!(
            p.levels[4].full_type,
            "Microsoft.Authorization/roleAssignments"
        );
        assert_eq!(p.target().unwrap().name, "g");
    }

    #[test]
    fn collections() {
        let p = parse_id(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks",
        )
        .unwrap();
        assert_eq!(
            p.collection,
            Some((
                "/subscriptions/s/resourceGroups/rg".into(),
                "Microsoft.Network/virtualNetworks".into()
            ))
        );
        assert!(p.target().is_none());
        let p = parse_id("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets").unwrap();
        assert_eq!(
            p.collection.unwrap().1,
            "Microsoft.Network/virtualNetworks/subnets"
        );
        let p = parse_id("/subscriptions/s/providers/Microsoft.Network").unwrap();
        assert_eq!(p.provider_namespace.as_deref(), Some("Microsoft.Network"));
        assert!(parse_id("/subscriptions/s/resourceGroups/rg/foo").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(
            relative_name(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v1"
            ),
            "Microsoft.Network/virtualNetworks/v1"
        );
        assert_eq!(key("/A/B/"), "/a/b");
    }
}
