//! The dependency graph over every desired object: validation and a deterministic order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::model::{DesiredAclEntry, DesiredProject, DesiredResource, DesiredRoleAssignment};

/// One desired object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Node<'a> {
    Resource(&'a DesiredResource),
    RoleAssignment(&'a DesiredRoleAssignment),
    Acl(&'a DesiredAclEntry),
}

impl<'a> Node<'a> {
    pub fn key(&self) -> &'a str {
        match self {
            Node::Resource(r) => &r.key,
            Node::RoleAssignment(r) => &r.key,
            Node::Acl(a) => &a.key,
        }
    }
    pub fn depends_on(&self) -> &'a [String] {
        match self {
            Node::Resource(r) => &r.depends_on,
            Node::RoleAssignment(r) => &r.depends_on,
            Node::Acl(a) => &a.depends_on,
        }
    }
}

/// A malformed graph (a bug in the template, never the user's input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphError {
    DuplicateKey {
        key: String,
    },
    MissingDependency {
        key: String,
        missing: String,
    },
    /// Keys on a cycle (or waiting for one), sorted.
    Cycle {
        keys: Vec<String>,
    },
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::DuplicateKey { key } => write!(f, "key {key:?} is used twice"),
            GraphError::MissingDependency { key, missing } => {
                write!(f, "{key:?} depends on unknown {missing:?}")
            }
            GraphError::Cycle { keys } => write!(f, "dependency cycle among {}", keys.join(", ")),
        }
    }
}

impl std::error::Error for GraphError {}

/// Topological order of `nodes`: every node after its dependencies; among the nodes ready
/// at the same time resources come first, then role assignments, then ACL entries, each by
/// key (so the order is the same on every run and platform).
pub fn order<'a>(nodes: &[Node<'a>]) -> Result<Vec<Node<'a>>, GraphError> {
    let mut by_key: BTreeMap<&str, Node<'a>> = BTreeMap::new();
    for n in nodes {
        if by_key.insert(n.key(), *n).is_some() {
            return Err(GraphError::DuplicateKey {
                key: n.key().to_string(),
            });
        }
    }
    let mut waiting: BTreeMap<&str, usize> = BTreeMap::new();
    let mut dependents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for n in nodes {
        let deps: BTreeSet<&str> = n.depends_on().iter().map(String::as_str).collect();
        for d in &deps {
            if !by_key.contains_key(d) {
                return Err(GraphError::MissingDependency {
                    key: n.key().to_string(),
                    missing: d.to_string(),
                });
            }
            dependents.entry(d).or_default().push(n.key());
        }
        waiting.insert(n.key(), deps.len());
    }
    let rank = |k: &str| match by_key.get(k) {
        Some(Node::Resource(_)) | None => 0u8,
        Some(Node::RoleAssignment(_)) => 1,
        Some(Node::Acl(_)) => 2,
    };
    let mut ready: BTreeSet<(u8, &str)> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(k, _)| (rank(k), *k))
        .collect();
    let mut out = Vec::with_capacity(nodes.len());
    while let Some((_, k)) = ready.pop_first() {
        if let Some(node) = by_key.get(k) {
            out.push(*node);
        }
        for d in dependents.get(k).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(w) = waiting.get_mut(d) {
                *w -= 1;
                if *w == 0 {
                    ready.insert((rank(d), d));
                }
            }
        }
    }
    if out.len() != nodes.len() {
        let done: BTreeSet<&str> = out.iter().map(|n| n.key()).collect();
        let keys = by_key
            .keys()
            .filter(|k| !done.contains(*k))
            .map(|k| k.to_string())
            .collect();
        return Err(GraphError::Cycle { keys });
    }
    Ok(out)
}

impl DesiredProject {
    /// Every node (resource, role assignment, ACL entry).
    pub fn nodes(&self) -> Vec<Node<'_>> {
        self.resources
            .iter()
            .map(Node::Resource)
            .chain(self.role_assignments.iter().map(Node::RoleAssignment))
            .chain(self.acl.iter().map(Node::Acl))
            .collect()
    }

    /// The node with this key.
    pub fn node(&self, key: &str) -> Option<Node<'_>> {
        self.nodes().into_iter().find(|n| n.key() == key)
    }

    /// Every key, sorted.
    pub fn keys(&self) -> BTreeSet<String> {
        self.nodes().iter().map(|n| n.key().to_string()).collect()
    }

    /// Check the graph: unique keys, every dependency present, no cycle.
    pub fn validate_graph(&self) -> Result<(), GraphError> {
        self.apply_order().map(|_| ())
    }

    /// Create/update order: every object after everything it depends on; ties by key.
    pub fn apply_order(&self) -> Result<Vec<Node<'_>>, GraphError> {
        order(&self.nodes())
    }

    /// Delete order: the reverse of [`DesiredProject::apply_order`].
    pub fn destroy_order(&self) -> Result<Vec<Node<'_>>, GraphError> {
        let mut v = self.apply_order()?;
        v.reverse();
        Ok(v)
    }
}
