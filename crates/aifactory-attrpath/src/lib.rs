//! Attribute paths: where in a resource's configuration a value sits (`subnets["genai"].size`).
//!
//! Owns the one path vocabulary shared by the pure cores (allocator, template), which
//! report typed issues on paths, and the provider, which turns them into diagnostics.
//! Must not know Terraform values, diagnostics or any I/O.

use std::fmt;

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// An object attribute, `subnets`.
    Attr(String),
    /// A map key, `["genai"]`.
    Key(String),
    /// A list index, `[2]`.
    Index(usize),
}

/// A path from the root of a resource's configuration to one attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttrPath(pub Vec<Step>);

impl AttrPath {
    /// The root path (the whole resource).
    pub fn root() -> Self {
        AttrPath(Vec::new())
    }
    /// A path starting at a top-level attribute.
    pub fn attr(name: impl Into<String>) -> Self {
        AttrPath(vec![Step::Attr(name.into())])
    }
    /// This path followed by an attribute.
    pub fn and_attr(&self, name: impl Into<String>) -> Self {
        let mut p = self.clone();
        p.0.push(Step::Attr(name.into()));
        p
    }
    /// This path followed by a map key.
    pub fn and_key(&self, key: impl Into<String>) -> Self {
        let mut p = self.clone();
        p.0.push(Step::Key(key.into()));
        p
    }
    /// This path followed by a list index.
    pub fn and_index(&self, index: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Step::Index(index));
        p
    }
    /// True for the root path.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Attr(a) if i == 0 => write!(f, "{a}")?,
                Step::Attr(a) => write!(f, ".{a}")?,
                Step::Key(k) => write!(f, "[{k:?}]")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}
