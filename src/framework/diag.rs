//! Attribute paths and diagnostics: what a resource reports back to the user.
//!
//! A diagnostic always says what is wrong (`summary`), how to fix it (`detail`)
//! and, where it concerns one attribute, the path to it, so Terraform underlines
//! the right line of HCL.

pub use aifactory_attrpath::{AttrPath, Step};

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

/// A core's typed issue as a diagnostic: the cores (allocator, template) report issues on
/// attribute paths with their summary and detail; the provider turns them into
/// diagnostics here, at the edge.
pub trait ToDiagnostic {
    fn to_diagnostic(&self) -> Diagnostic;
}

impl ToDiagnostic for aifactory_allocator::Issue {
    fn to_diagnostic(&self) -> Diagnostic {
        if self.is_warning() {
            Diagnostic::warning(self.path.clone(), self.summary(), self.detail())
        } else {
            Diagnostic::error(self.path.clone(), self.summary(), self.detail())
        }
    }
}

impl ToDiagnostic for aifactory_template::project::Issue {
    fn to_diagnostic(&self) -> Diagnostic {
        if self.is_warning() {
            Diagnostic::warning(self.path.clone(), self.summary(), self.detail())
        } else {
            Diagnostic::error(self.path.clone(), self.summary(), self.detail())
        }
    }
}

impl ToDiagnostic for aifactory_template::naming::Issue {
    fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.path.clone(), self.summary(), self.detail())
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
