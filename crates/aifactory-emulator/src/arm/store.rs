//! The generic ARM resource store: case-insensitive keys, caller casing kept, insertion
//! order for listings, parent links for child/collection queries, subtree removal.
//!
//! Owns storage only; validation and wire rendering live in `arm` and the RP modules.

use super::id::key;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One stored resource (resource groups included).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Stored {
    /// ID with the caller's casing.
    pub id: String,
    /// Key of the parent level (resource group, parent resource, or extension scope).
    pub parent_key: String,
    /// `Namespace/type[/child]`, or `Microsoft.Resources/resourceGroups`.
    pub full_type: String,
    /// The resource body as GET returns it (before RP-computed decorations).
    pub body: Value,
    pub etag: String,
    pub seq: u64,
    pub created_ms: i64,
    pub changed_ms: i64,
}

/// All resources by lowercase ID.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Store {
    map: BTreeMap<String, Stored>,
    next_seq: u64,
}

impl Store {
    pub fn get(&self, id: &str) -> Option<&Stored> {
        self.map.get(&key(id))
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Stored> {
        self.map.get_mut(&key(id))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.map.contains_key(&key(id))
    }

    /// Inserts or replaces; a replaced resource keeps its sequence number and creation time.
    pub fn put(&mut self, mut r: Stored) {
        let k = key(&r.id);
        match self.map.get(&k) {
            Some(old) => {
                r.seq = old.seq;
                r.created_ms = old.created_ms;
            }
            None => {
                self.next_seq += 1;
                r.seq = self.next_seq;
            }
        }
        self.map.insert(k, r);
    }

    /// Removes `id` and everything below it (children, extension resources). Returns them.
    pub fn remove_tree(&mut self, id: &str) -> Vec<Stored> {
        let k = key(id);
        let prefix = format!("{k}/");
        let doomed: Vec<String> = self
            .map
            .keys()
            .filter(|x| **x == k || x.starts_with(&prefix))
            .cloned()
            .collect();
        doomed
            .into_iter()
            .filter_map(|x| self.map.remove(&x))
            .collect()
    }

    /// Direct children of `parent` of `full_type` (case-insensitive), in creation order.
    pub fn children(&self, parent: &str, full_type: &str) -> Vec<&Stored> {
        let pk = key(parent);
        let mut v: Vec<&Stored> = self
            .map
            .values()
            .filter(|r| r.parent_key == pk && r.full_type.eq_ignore_ascii_case(full_type))
            .collect();
        v.sort_by_key(|r| r.seq);
        v
    }

    /// Everything matching a predicate, in creation order.
    pub fn filter(&self, f: impl Fn(&Stored) -> bool) -> Vec<&Stored> {
        let mut v: Vec<&Stored> = self.map.values().filter(|r| f(r)).collect();
        v.sort_by_key(|r| r.seq);
        v
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn clear(&mut self) {
        self.map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(id: &str, parent: &str, t: &str) -> Stored {
        Stored {
            id: id.into(),
            parent_key: key(parent),
            full_type: t.into(),
            body: json!({}),
            etag: "e".into(),
            seq: 0,
            created_ms: 1,
            changed_ms: 1,
        }
    }

    #[test]
    fn case_insensitive_and_tree_removal() {
        let mut s = Store::default();
        s.put(r("/s/RG", "/s", "rg"));
        s.put(r("/s/RG/providers/N/t/A", "/s/rg", "N/t"));
        s.put(r(
            "/s/RG/providers/N/t/A/c/x",
            "/s/rg/providers/n/t/a",
            "N/t/c",
        ));
        s.put(r("/s/RG/providers/N/t/AB", "/s/rg", "N/t"));
        assert_eq!(
            s.get("/S/rg/PROVIDERS/n/T/a").map(|x| x.id.as_str()),
            Some("/s/RG/providers/N/t/A")
        );
        assert_eq!(s.children("/s/rg", "n/T").len(), 2);
        let gone = s.remove_tree("/s/rg/providers/n/t/a");
        assert_eq!(gone.len(), 2, "AB must survive");
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn replace_keeps_order() {
        let mut s = Store::default();
        s.put(r("/a", "/", "t"));
        s.put(r("/b", "/", "t"));
        let mut again = r("/A", "/", "t");
        again.created_ms = 99;
        s.put(again);
        let v = s.children("/", "t");
        assert_eq!(v[0].id, "/A");
        assert_eq!(v[0].created_ms, 1);
    }
}
