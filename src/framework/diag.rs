//! Attribute paths and diagnostics: what a resource reports back to the user.
//!
//! A diagnostic always says what is wrong (`summary`), how to fix it (`detail`)
//! and, where it concerns one attribute, the path to it, so Terraform underlines
//! the right line of HCL.

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

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: AttrPath,
}

impl Diagnostic {
    pub fn error(path: AttrPath, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            path,
        }
    }
    pub fn warning(path: AttrPath, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            path,
        }
    }
}

/// An ordered collection of diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn error(&mut self, path: AttrPath, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::error(path, summary, detail));
    }
    pub fn warning(
        &mut self,
        path: AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Diagnostic::warning(path, summary, detail));
    }
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_display_reads_like_hcl() {
        let p = AttrPath::attr("subnets")
            .and_key("genai")
            .and_attr("prefix_length");
        assert_eq!(p.to_string(), "subnets[\"genai\"].prefix_length");
        assert_eq!(
            AttrPath::attr("reserved").and_index(2).to_string(),
            "reserved[2]"
        );
    }

    #[test]
    fn errors_are_detected_among_warnings() {
        let mut d = Diagnostics::new();
        d.warning(AttrPath::root(), "w", "");
        assert!(!d.has_errors());
        d.error(AttrPath::root(), "e", "");
        assert!(d.has_errors());
    }
}
