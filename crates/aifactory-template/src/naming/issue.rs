//! Typed problems found by naming, with the text the user sees.

use std::fmt;

use serde::Serialize;

use aifactory_attrpath::AttrPath;

use super::kind::NameKind;
use super::rules::Violation;

/// A naming input the user controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Prefix,
    Suffix,
    LocationShort,
    /// `naming.random_salt` (ESML's 10-character random salt, with `naming.salt = "esml"`).
    RandomSalt,
}

impl Part {
    /// `naming.prefix` etc.
    pub fn path(self) -> AttrPath {
        AttrPath::attr("naming").and_attr(self.attr())
    }
    pub fn attr(self) -> &'static str {
        match self {
            Part::Prefix => "prefix",
            Part::Suffix => "suffix",
            Part::LocationShort => "location_short",
            Part::RandomSalt => "random_salt",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "naming.{}", self.attr())
    }
}

/// What is wrong with a naming part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartProblem {
    Empty,
    InvalidChar { ch: char, allow_hyphen: bool },
}

/// What is wrong with `naming.random_salt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RandomSaltProblem {
    /// Not exactly [`super::RANDOM_SALT_LEN`] characters.
    Length { len: usize },
    /// A character ESML never puts in its random salt.
    InvalidChar { ch: char },
    /// Set while `naming.salt` is not `esml` (only ESML's names carry it).
    WithoutEsml,
}

/// How to repair a name that breaks its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Shorten one input by `by` characters (to at most `to_at_most`).
    Shorten {
        part: Part,
        by: usize,
        to_at_most: usize,
    },
    /// No single input can absorb the overflow: shorten these by `by` in total.
    ShortenTogether { parts: Vec<Part>, by: usize },
    /// Change the characters of this input.
    Change { part: Part },
    /// The fixed parts of the convention break the rule (a bug, not the user's input).
    Unfixable,
}

impl Fix {
    /// The attribute the fix concerns.
    pub fn path(&self) -> AttrPath {
        match self {
            Fix::Shorten { part, .. } | Fix::Change { part } => part.path(),
            Fix::ShortenTogether { parts, .. } => {
                parts.first().map_or_else(AttrPath::root, |p| p.path())
            }
            Fix::Unfixable => AttrPath::root(),
        }
    }
}

/// A problem with the naming input, on one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: AttrPath,
    pub kind: IssueKind,
}

/// What went wrong (typed, so tests and callers can match on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// `number` outside 1..=999.
    NumberOutOfRange { number: i64 },
    /// `location` is not a programmatic Azure location name.
    InvalidLocation { location: String },
    /// `naming.location_short` is unset and the location has no default code.
    NoDefaultLocationShort { location: String },
    /// `naming.prefix`, `naming.suffix` or `naming.location_short` has a bad character.
    InvalidPart {
        part: Part,
        value: String,
        problem: PartProblem,
    },
    /// `naming.random_salt` is not a value ESML produces, or is set without `naming.salt = "esml"`.
    InvalidRandomSalt {
        value: String,
        problem: RandomSaltProblem,
    },
    /// `common.resource_group_name` is not a valid resource group name.
    InvalidCommonResourceGroup { value: String, violation: Violation },
    /// The provider's subscription ID is not a GUID.
    InvalidSubscriptionId { value: String },
    /// A composed name breaks its resource type's rule. `key` is the private endpoint key
    /// for endpoint and network interface names.
    NameInvalid {
        kind: NameKind,
        key: Option<String>,
        name: String,
        violation: Violation,
        fix: Fix,
    },
}

impl Issue {
    pub fn new(path: AttrPath, kind: IssueKind) -> Self {
        Issue { path, kind }
    }

    /// Naming issues are all errors.
    pub fn is_error(&self) -> bool {
        true
    }

    /// The name kind of a [`IssueKind::NameInvalid`].
    pub fn name_kind(&self) -> Option<(NameKind, Option<&str>)> {
        match &self.kind {
            IssueKind::NameInvalid { kind, key, .. } => Some((*kind, key.as_deref())),
            _ => None,
        }
    }

    /// One line: what is wrong.
    pub fn summary(&self) -> String {
        use IssueKind as K;
        match &self.kind {
            K::NumberOutOfRange { number } => {
                format!("Project number {number} is out of range (1-999)")
            }
            K::InvalidLocation { location } => {
                format!("{location:?} is not an Azure location name")
            }
            K::NoDefaultLocationShort { location } => {
                format!("No default short code for location {location:?}")
            }
            K::InvalidPart {
                part,
                value,
                problem,
            } => match problem {
                PartProblem::Empty => format!("{part} is empty"),
                PartProblem::InvalidChar { ch, .. } => {
                    format!("{part} = {value:?} contains {ch:?}")
                }
            },
            K::InvalidRandomSalt { value, problem } => match problem {
                RandomSaltProblem::Length { len } => format!(
                    "naming.random_salt {value:?} has {len} character{}, not {}",
                    plural(*len),
                    super::RANDOM_SALT_LEN
                ),
                RandomSaltProblem::InvalidChar { ch } => {
                    format!("naming.random_salt {value:?} contains {ch:?}")
                }
                RandomSaltProblem::WithoutEsml => {
                    "naming.random_salt is set without naming.salt = \"esml\"".to_string()
                }
            },
            K::InvalidCommonResourceGroup { value, violation } => {
                format!("common.resource_group_name {value:?} {violation}")
            }
            K::InvalidSubscriptionId { value } => {
                format!("The provider's subscription ID {value:?} is not a GUID")
            }
            K::NameInvalid {
                kind,
                name,
                violation,
                ..
            } => {
                format!("The {} name {name:?} {violation}", kind.label())
            }
        }
    }

    /// How to fix it, naming the attribute and the fix.
    pub fn detail(&self) -> String {
        use IssueKind as K;
        match &self.kind {
            K::NumberOutOfRange { .. } => {
                "number must be between 1 and 999; names render it with three digits (7 -> 007).".to_string()
            }
            K::InvalidLocation { .. } => "location must be Azure's programmatic location name: lowercase \
                 letters and digits, e.g. \"westeurope\" or \"eastus2\" (not the display name \"West Europe\")."
                .to_string(),
            K::NoDefaultLocationShort { location } => format!(
                "Names embed a short code for the location, and {location:?} has none built in. Set \
                 naming.location_short to 2-4 lowercase letters or digits, e.g. naming = {{ location_short = \"xyz\" }}."
            ),
            K::InvalidPart { part, problem, .. } => match problem {
                PartProblem::Empty => format!("Set {part} to at least one lowercase letter or digit, or remove it to use the default."),
                PartProblem::InvalidChar { allow_hyphen: true, .. } => format!(
                    "{part} may contain only lowercase letters, digits and hyphens (it becomes part of \
                     names such as the resource group and storage account). Change {part} accordingly."
                ),
                PartProblem::InvalidChar { allow_hyphen: false, .. } => format!(
                    "{part} may contain only lowercase letters and digits (it is embedded in storage \
                     account names, which allow nothing else). Change {part} accordingly."
                ),
            },
            K::InvalidRandomSalt { problem, .. } => match problem {
                RandomSaltProblem::WithoutEsml => "naming.random_salt is ESML's 10-character random salt and only \
                     ESML's names (naming.salt = \"esml\") carry it. Set naming.salt = \"esml\" to adopt an ESML \
                     project, or remove naming.random_salt."
                    .to_string(),
                _ => format!(
                    "naming.random_salt must be ESML's random salt as its pipelines used it: exactly {} lowercase \
                     letters, digits or hyphens (ESML takes it from aifactory_salt_random or the first {} \
                     characters of a GUID). Copy it from the project's managed identity name \
                     mi-prj<NNN>-<loc>-<env>-<s5><random salt><suffix>, or remove naming.random_salt.",
                    super::RANDOM_SALT_LEN,
                    super::RANDOM_SALT_LEN
                ),
            },
            K::InvalidCommonResourceGroup { .. } => "common.resource_group_name must be the name of the \
                 AI factory's common resource group: 1-90 letters, digits, hyphens, underscores, periods or \
                 parentheses, not ending with a period."
                .to_string(),
            K::InvalidSubscriptionId { .. } => "Configure the provider with the subscription ID of the \
                 environment, e.g. subscription_id = \"00000000-0000-0000-0000-000000000000\"."
                .to_string(),
            K::NameInvalid { kind, name, violation, fix, .. } => {
                let rule = super::rule_for(*kind);
                let why = format!(
                    "{} names ({}) allow {}.",
                    kind.label(),
                    rule.resource_type,
                    rule.describe()
                );
                let how = match fix {
                    Fix::Shorten { part, by, to_at_most } => format!(
                        "Shorten {part} by {by} character{} (to at most {to_at_most}) so that {name:?} fits.",
                        plural(*by)
                    ),
                    Fix::ShortenTogether { parts, by } => format!(
                        "Shorten {} by {by} character{} in total so that {name:?} fits.",
                        parts.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", "),
                        plural(*by)
                    ),
                    Fix::Change { part } => format!("Change {part}: it puts the offending character into {name:?}."),
                    Fix::Unfixable => format!(
                        "The name {violation} because of the fixed naming convention; please report this as a bug."
                    ),
                };
                format!("{why} {how}")
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_root() {
            f.write_str(&self.summary())
        } else {
            write!(f, "{}: {}", self.path, self.summary())
        }
    }
}
