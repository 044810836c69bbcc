//! Azure's naming rule for every resource type a project creates, and the checker.
//!
//! Source of every row: MicrosoftDocs/azure-docs
//! `articles/azure-resource-manager/management/resource-name-rules.md` ("Naming rules and
//! restrictions for Azure resources"), except where a row says otherwise: the Machine
//! Learning workspace pattern is the REST spec's `WorkspaceNameParameter`
//! (`^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$`, Azure/azure-rest-api-specs
//! `machinelearningservices/.../stable/2025-06-01/workspaceRP.json`); AI Search is the
//! service's own naming rules page (learn.microsoft.com/rest/api/searchservice/naming-rules:
//! "first, second, and last characters must be a letter or number, no consecutive
//! dashes"); Data Factory adds "each dash must be preceded and followed by a letter or
//! number" from its naming-rules page; the Cognitive Services custom subdomain becomes a
//! DNS label, so it is kept lowercase.
//!
//! Names the project generates are ASCII only, so the resource-group rule is checked
//! over ASCII (Azure also admits Unicode letters there).

use std::fmt;

use super::kind::NameKind;

/// Which characters a name may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// `a-z`, `0-9`.
    LowerAlnum,
    /// `a-z`, `0-9`, `-`.
    LowerAlnumHyphen,
    /// `a-zA-Z0-9`, `-`.
    AlnumHyphen,
    /// `a-zA-Z0-9`, `-`, `_`.
    AlnumHyphenUnderscore,
    /// `a-zA-Z0-9`, `-`, `_`, `.`.
    AlnumHyphenUnderscorePeriod,
    /// `a-zA-Z0-9`, `-`, `_`, `.`, `(`, `)`.
    ResourceGroup,
    /// Anything printable except `%&\?/`.
    NoPercentAmpBackslashQuestionSlash,
}

impl Charset {
    pub fn allows(self, c: char) -> bool {
        let alnum = c.is_ascii_alphanumeric();
        match self {
            Charset::LowerAlnum => c.is_ascii_lowercase() || c.is_ascii_digit(),
            Charset::LowerAlnumHyphen => c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
            Charset::AlnumHyphen => alnum || c == '-',
            Charset::AlnumHyphenUnderscore => alnum || c == '-' || c == '_',
            Charset::AlnumHyphenUnderscorePeriod => alnum || matches!(c, '-' | '_' | '.'),
            Charset::ResourceGroup => alnum || matches!(c, '-' | '_' | '.' | '(' | ')'),
            Charset::NoPercentAmpBackslashQuestionSlash => {
                !c.is_control() && !matches!(c, '%' | '&' | '\\' | '?' | '/')
            }
        }
    }

    /// For messages.
    pub fn describe(self) -> &'static str {
        match self {
            Charset::LowerAlnum => "lowercase letters and digits",
            Charset::LowerAlnumHyphen => "lowercase letters, digits and hyphens",
            Charset::AlnumHyphen => "letters, digits and hyphens",
            Charset::AlnumHyphenUnderscore => "letters, digits, hyphens and underscores",
            Charset::AlnumHyphenUnderscorePeriod => {
                "letters, digits, hyphens, underscores and periods"
            }
            Charset::ResourceGroup => {
                "letters, digits, hyphens, underscores, periods and parentheses"
            }
            Charset::NoPercentAmpBackslashQuestionSlash => {
                "any characters except % & \\ ? / and control characters"
            }
        }
    }
}

/// What the first or last character must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Any,
    Letter,
    Alnum,
    /// Letter, digit or underscore.
    AlnumOrUnderscore,
    /// Anything but a period.
    NotPeriod,
    /// Anything but a period or a space.
    NotPeriodOrSpace,
}

impl Edge {
    fn allows(self, c: char) -> bool {
        match self {
            Edge::Any => true,
            Edge::Letter => c.is_ascii_alphabetic(),
            Edge::Alnum => c.is_ascii_alphanumeric(),
            Edge::AlnumOrUnderscore => c.is_ascii_alphanumeric() || c == '_',
            Edge::NotPeriod => c != '.',
            Edge::NotPeriodOrSpace => c != '.' && c != ' ',
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Edge::Any => "any allowed character",
            Edge::Letter => "a letter",
            Edge::Alnum => "a letter or digit",
            Edge::AlnumOrUnderscore => "a letter, digit or underscore",
            Edge::NotPeriod => "any allowed character but a period",
            Edge::NotPeriodOrSpace => "any allowed character but a period or space",
        }
    }
}

/// Where a name must be unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Across all of Azure (the name becomes a DNS label).
    Global,
    Subscription,
    ResourceGroup,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::Global => "global",
            Scope::Subscription => "subscription",
            Scope::ResourceGroup => "resource group",
        })
    }
}

/// One resource type's naming rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameRule {
    pub resource_type: &'static str,
    pub min: usize,
    pub max: usize,
    pub charset: Charset,
    pub start: Edge,
    /// The second character too must satisfy `start` (AI Search).
    pub second_like_start: bool,
    pub end: Edge,
    pub no_consecutive_hyphens: bool,
    pub scope: Scope,
}

/// Why a name breaks its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    TooShort { min: usize, len: usize },
    TooLong { max: usize, len: usize },
    InvalidChar { ch: char, allowed: &'static str },
    BadStart { ch: char, need: &'static str },
    BadSecond { ch: char, need: &'static str },
    BadEnd { ch: char, need: &'static str },
    ConsecutiveHyphens,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::TooShort { min, len } => {
                write!(
                    f,
                    "is {len} characters long, shorter than the minimum of {min}"
                )
            }
            Violation::TooLong { max, len } => {
                write!(
                    f,
                    "is {len} characters long, {} over the limit of {max}",
                    len - max
                )
            }
            Violation::InvalidChar { ch, allowed } => {
                write!(f, "contains {ch:?}; only {allowed} are allowed")
            }
            Violation::BadStart { ch, need } => {
                write!(f, "starts with {ch:?}; it must start with {need}")
            }
            Violation::BadSecond { ch, need } => {
                write!(f, "has {ch:?} as its second character; it must be {need}")
            }
            Violation::BadEnd { ch, need } => {
                write!(f, "ends with {ch:?}; it must end with {need}")
            }
            Violation::ConsecutiveHyphens => f.write_str("contains consecutive hyphens (\"--\")"),
        }
    }
}

impl NameRule {
    /// Check a name; the first violation found, in the order length, characters, edges,
    /// hyphens.
    pub fn check(&self, name: &str) -> Result<(), Violation> {
        let len = name.chars().count();
        if len < self.min {
            return Err(Violation::TooShort { min: self.min, len });
        }
        if len > self.max {
            return Err(Violation::TooLong { max: self.max, len });
        }
        if let Some(ch) = name.chars().find(|c| !self.charset.allows(*c)) {
            return Err(Violation::InvalidChar {
                ch,
                allowed: self.charset.describe(),
            });
        }
        let mut chars = name.chars();
        if let Some(first) = chars.next() {
            if !self.start.allows(first) {
                return Err(Violation::BadStart {
                    ch: first,
                    need: self.start.describe(),
                });
            }
        }
        if self.second_like_start {
            if let Some(second) = chars.next() {
                if !self.start.allows(second) {
                    return Err(Violation::BadSecond {
                        ch: second,
                        need: self.start.describe(),
                    });
                }
            }
        }
        if let Some(last) = name.chars().last() {
            if !self.end.allows(last) {
                return Err(Violation::BadEnd {
                    ch: last,
                    need: self.end.describe(),
                });
            }
        }
        if self.no_consecutive_hyphens && name.contains("--") {
            return Err(Violation::ConsecutiveHyphens);
        }
        Ok(())
    }

    /// One line for the docs table.
    pub fn describe(&self) -> String {
        let mut parts = vec![
            format!("{}-{} characters", self.min, self.max),
            self.charset.describe().to_string(),
        ];
        if self.start != Edge::Any {
            parts.push(format!("starts with {}", self.start.describe()));
        }
        if self.second_like_start {
            parts.push(format!("second character {}", self.start.describe()));
        }
        if self.end != Edge::Any {
            parts.push(format!("ends with {}", self.end.describe()));
        }
        if self.no_consecutive_hyphens {
            parts.push("no consecutive hyphens".to_string());
        }
        parts.join("; ")
    }
}

const fn rule(
    resource_type: &'static str,
    (min, max): (usize, usize),
    charset: Charset,
    (start, end): (Edge, Edge),
    no_consecutive_hyphens: bool,
    scope: Scope,
) -> NameRule {
    NameRule {
        resource_type,
        min,
        max,
        charset,
        start,
        second_like_start: false,
        end,
        no_consecutive_hyphens,
        scope,
    }
}

/// The rule for a kind of name.
pub fn rule_for(kind: NameKind) -> NameRule {
    use Charset as C;
    use Edge as E;
    match kind {
        NameKind::ResourceGroup | NameKind::DatabricksManagedResourceGroup => rule(
            "Microsoft.Resources/resourceGroups",
            (1, 90),
            C::ResourceGroup,
            (E::Any, E::NotPeriod),
            false,
            Scope::Subscription,
        ),
        NameKind::Identity => rule(
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            (3, 128),
            C::AlnumHyphenUnderscore,
            (E::Alnum, E::Any),
            false,
            Scope::ResourceGroup,
        ),
        NameKind::KeyVault => rule(
            "Microsoft.KeyVault/vaults",
            (3, 24),
            C::AlnumHyphen,
            (E::Letter, E::Alnum),
            true,
            Scope::Global,
        ),
        NameKind::Storage | NameKind::MlStorage => rule(
            "Microsoft.Storage/storageAccounts",
            (3, 24),
            C::LowerAlnum,
            (E::Any, E::Any),
            false,
            Scope::Global,
        ),
        NameKind::AppInsights => rule(
            "Microsoft.Insights/components",
            (1, 260),
            C::NoPercentAmpBackslashQuestionSlash,
            (E::Any, E::NotPeriodOrSpace),
            false,
            Scope::ResourceGroup,
        ),
        // resource-name-rules.md, Microsoft.DocumentDB databaseAccounts: 3-44, lowercase
        // letters, numbers and hyphens, starting with a lowercase letter or number (a DNS
        // label: {name}.documents.azure.com).
        NameKind::CosmosDb => rule(
            "Microsoft.DocumentDB/databaseAccounts",
            (3, 44),
            C::LowerAlnumHyphen,
            (E::Alnum, E::Alnum),
            false,
            Scope::Global,
        ),
        // resource-name-rules.md, Microsoft.App managedEnvironments: 2-60, lowercase letters,
        // numbers and hyphens, starting with a letter and ending with a letter or number.
        NameKind::ContainerApps => rule(
            "Microsoft.App/managedEnvironments",
            (2, 60),
            C::LowerAlnumHyphen,
            (E::Letter, E::Alnum),
            false,
            Scope::ResourceGroup,
        ),
        NameKind::MlWorkspace => rule(
            "Microsoft.MachineLearningServices/workspaces",
            (3, 33),
            C::AlnumHyphenUnderscore,
            (E::Alnum, E::Any),
            false,
            Scope::ResourceGroup,
        ),
        NameKind::Databricks => rule(
            "Microsoft.Databricks/workspaces",
            (3, 64),
            C::AlnumHyphenUnderscore,
            (E::Any, E::Any),
            false,
            Scope::ResourceGroup,
        ),
        NameKind::DataFactory => rule(
            "Microsoft.DataFactory/factories",
            (3, 63),
            C::AlnumHyphen,
            (E::Alnum, E::Alnum),
            true,
            Scope::Global,
        ),
        NameKind::Search => NameRule {
            second_like_start: true,
            ..rule(
                "Microsoft.Search/searchServices",
                (2, 60),
                C::LowerAlnumHyphen,
                (E::Alnum, E::Alnum),
                true,
                Scope::Global,
            )
        },
        NameKind::AiServices | NameKind::FoundryAccount | NameKind::AzureOpenAi => rule(
            "Microsoft.CognitiveServices/accounts (name = customSubDomainName)",
            (2, 64),
            C::LowerAlnumHyphen,
            (E::Alnum, E::Alnum),
            false,
            Scope::Global,
        ),
        NameKind::PrivateEndpoint => rule(
            "Microsoft.Network/privateEndpoints",
            (2, 64),
            C::AlnumHyphenUnderscorePeriod,
            (E::Alnum, E::AlnumOrUnderscore),
            false,
            Scope::ResourceGroup,
        ),
        NameKind::NetworkInterface => rule(
            "Microsoft.Network/networkInterfaces (privateEndpoints customNetworkInterfaceName)",
            (1, 80),
            C::AlnumHyphenUnderscorePeriod,
            (E::Alnum, E::AlnumOrUnderscore),
            false,
            Scope::ResourceGroup,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(kind: NameKind, name: &str) {
        assert_eq!(rule_for(kind).check(name), Ok(()), "{kind:?} {name}");
    }
    fn bad(kind: NameKind, name: &str) -> Violation {
        match rule_for(kind).check(name) {
            Err(v) => v,
            Ok(()) => panic!("{kind:?} accepted {name:?}"),
        }
    }

    #[test]
    fn key_vault_rules() {
        ok(NameKind::KeyVault, "kv-p001-weu-devabcde01");
        assert_eq!(
            bad(NameKind::KeyVault, "kv"),
            Violation::TooShort { min: 3, len: 2 }
        );
        assert_eq!(
            bad(NameKind::KeyVault, "kv-p001-westeurope-dev-abcde01"),
            Violation::TooLong { max: 24, len: 30 }
        );
        assert!(matches!(
            bad(NameKind::KeyVault, "1kv"),
            Violation::BadStart { ch: '1', .. }
        ));
        assert!(matches!(
            bad(NameKind::KeyVault, "kv-"),
            Violation::BadEnd { ch: '-', .. }
        ));
        assert_eq!(
            bad(NameKind::KeyVault, "kv--a"),
            Violation::ConsecutiveHyphens
        );
        assert!(matches!(
            bad(NameKind::KeyVault, "kv_a"),
            Violation::InvalidChar { ch: '_', .. }
        ));
    }

    #[test]
    fn storage_is_lowercase_alnum() {
        ok(NameKind::Storage, "saprj001weuabcde101dev");
        assert!(matches!(
            bad(NameKind::Storage, "saPrj"),
            Violation::InvalidChar { ch: 'P', .. }
        ));
        assert!(matches!(
            bad(NameKind::Storage, "sa-prj"),
            Violation::InvalidChar { ch: '-', .. }
        ));
        assert_eq!(
            bad(NameKind::Storage, &"a".repeat(25)),
            Violation::TooLong { max: 24, len: 25 }
        );
    }

    #[test]
    fn search_checks_the_second_character() {
        ok(NameKind::Search, "aisearchprj001weudevabcde001");
        assert!(matches!(
            bad(NameKind::Search, "a-b"),
            Violation::BadSecond { ch: '-', .. }
        ));
        assert_eq!(
            bad(NameKind::Search, "ab--c"),
            Violation::ConsecutiveHyphens
        );
        assert!(matches!(
            bad(NameKind::Search, "ab-"),
            Violation::BadEnd { .. }
        ));
        assert_eq!(
            bad(NameKind::Search, "a"),
            Violation::TooShort { min: 2, len: 1 }
        );
    }

    #[test]
    fn resource_group_cannot_end_with_period() {
        ok(
            NameKind::ResourceGroup,
            "acme-esml-project001-weu-dev-001-rg",
        );
        ok(NameKind::ResourceGroup, "(x)_y.z");
        assert!(matches!(
            bad(NameKind::ResourceGroup, "rg."),
            Violation::BadEnd { ch: '.', .. }
        ));
        assert_eq!(
            bad(NameKind::ResourceGroup, &"r".repeat(91)),
            Violation::TooLong { max: 90, len: 91 }
        );
    }

    #[test]
    fn ml_workspace_matches_the_spec_pattern() {
        ok(NameKind::MlWorkspace, "aml-001-weu-dev-abcde-001");
        ok(NameKind::MlWorkspace, "a_b");
        assert!(matches!(
            bad(NameKind::MlWorkspace, "-ab"),
            Violation::BadStart { .. }
        ));
        assert_eq!(
            bad(NameKind::MlWorkspace, &"a".repeat(34)),
            Violation::TooLong { max: 33, len: 34 }
        );
    }

    #[test]
    fn private_endpoint_and_nic_edges() {
        ok(
            NameKind::PrivateEndpoint,
            "kv-p001-weu-devabcde01-vault-pend",
        );
        ok(NameKind::PrivateEndpoint, "x_");
        assert!(matches!(
            bad(NameKind::PrivateEndpoint, "x-"),
            Violation::BadEnd { .. }
        ));
        assert!(matches!(
            bad(NameKind::NetworkInterface, ".x"),
            Violation::BadStart { .. }
        ));
    }

    #[test]
    fn app_insights_forbids_slash_and_trailing_period() {
        ok(NameKind::AppInsights, "ain-prj001-weu-dev-abcde-001");
        assert!(matches!(
            bad(NameKind::AppInsights, "a/b"),
            Violation::InvalidChar { ch: '/', .. }
        ));
        assert!(matches!(
            bad(NameKind::AppInsights, "ab."),
            Violation::BadEnd { .. }
        ));
    }

    #[test]
    fn data_factory_and_ai_services() {
        ok(NameKind::DataFactory, "adf-prj001-weu-dev-abcde-001");
        assert_eq!(
            bad(NameKind::DataFactory, "adf--x"),
            Violation::ConsecutiveHyphens
        );
        ok(NameKind::AiServices, "ais-prj001-weu-dev-abcde-001");
        assert!(matches!(
            bad(NameKind::AiServices, "Ais"),
            Violation::InvalidChar { ch: 'A', .. }
        ));
    }

    #[test]
    fn violations_read_well() {
        assert_eq!(
            Violation::TooLong { max: 24, len: 27 }.to_string(),
            "is 27 characters long, 3 over the limit of 24"
        );
    }
}
