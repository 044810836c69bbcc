//! What a name is for (`NameKind`): each kind's label, its name pattern and ESML's.
//!
//! A leaf of `naming`: the rules and issues import it, it imports nothing of theirs.
//! Must not: compose names (that is `naming`'s job) or know Terraform.

use std::fmt;

use serde::Serialize;

/// What a name is for; each kind has one [`NameRule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    ResourceGroup,
    Identity,
    KeyVault,
    Storage,
    MlStorage,
    AppInsights,
    MlWorkspace,
    Databricks,
    DatabricksManagedResourceGroup,
    DataFactory,
    Search,
    AiServices,
    FoundryAccount,
    CosmosDb,
    ContainerApps,
    AzureOpenAi,
    PrivateEndpoint,
    NetworkInterface,
}

impl NameKind {
    /// Every kind, in documentation order.
    pub const ALL: [NameKind; 18] = [
        NameKind::ResourceGroup,
        NameKind::Identity,
        NameKind::KeyVault,
        NameKind::Storage,
        NameKind::MlStorage,
        NameKind::AppInsights,
        NameKind::MlWorkspace,
        NameKind::Databricks,
        NameKind::DatabricksManagedResourceGroup,
        NameKind::DataFactory,
        NameKind::Search,
        NameKind::AiServices,
        NameKind::FoundryAccount,
        NameKind::CosmosDb,
        NameKind::ContainerApps,
        NameKind::AzureOpenAi,
        NameKind::PrivateEndpoint,
        NameKind::NetworkInterface,
    ];

    /// Human label for messages ("key vault name").
    pub fn label(self) -> &'static str {
        match self {
            NameKind::ResourceGroup => "resource group",
            NameKind::Identity => "managed identity",
            NameKind::KeyVault => "key vault",
            NameKind::Storage => "storage account",
            NameKind::MlStorage => "ML storage account",
            NameKind::AppInsights => "Application Insights",
            NameKind::MlWorkspace => "Machine Learning workspace",
            NameKind::Databricks => "Databricks workspace",
            NameKind::DatabricksManagedResourceGroup => "Databricks managed resource group",
            NameKind::DataFactory => "Data Factory",
            NameKind::Search => "AI Search service",
            NameKind::AiServices => "AI Services account",
            NameKind::FoundryAccount => "Foundry account",
            NameKind::CosmosDb => "Cosmos DB account",
            NameKind::ContainerApps => "Container Apps environment",
            NameKind::AzureOpenAi => "Azure OpenAI account",
            NameKind::PrivateEndpoint => "private endpoint",
            NameKind::NetworkInterface => "private endpoint network interface",
        }
    }

    /// The naming pattern, for docs.
    pub fn pattern(self) -> &'static str {
        match self {
            NameKind::ResourceGroup => "{prefix}esml-project{NNN}-{loc}-{env}{suffix}-rg",
            NameKind::Identity => "mi-prj{NNN}-{loc}-{env}-{s5}{suffix}",
            NameKind::KeyVault => "kv-p{NNN}-{loc}-{env}{s5}{d2}",
            NameKind::Storage => "saprj{NNN}{loc}{s5}1{d2}{env}",
            NameKind::MlStorage => "saprj{NNN}{loc}{s5}2{d2}{env}",
            NameKind::AppInsights => "ain-prj{NNN}-{loc}-{env}-{s5}{suffix}",
            NameKind::MlWorkspace => "aml-{NNN}-{loc}-{env}-{s5}{suffix}",
            NameKind::Databricks => "dbx-prj{NNN}-{loc}-{env}-{s5}{suffix}",
            NameKind::DatabricksManagedResourceGroup => "{resource group}-dbxmgmt",
            NameKind::DataFactory => "adf-prj{NNN}-{loc}-{env}-{s5}{suffix}",
            NameKind::Search => "aisearchprj{NNN}{loc}{env}{s5}{sfx}",
            NameKind::AiServices => "ais-prj{NNN}-{loc}-{env}-{s5}{suffix}",
            NameKind::FoundryAccount => "aif-prj{NNN}-{loc}-{env}-{s5}{suffix}",
            // ESML's own (esml.md: `cosmos-prj<NNN>-<loc>-<env>-<s5><suffix>`).
            NameKind::CosmosDb => "cosmos-prj{NNN}-{loc}-{env}-{s5}{suffix}",
            // ESML's own (esml.md: `aca-env-` + `prj<NNN>-...`).
            NameKind::ContainerApps => "aca-env-prj{NNN}-{loc}-{env}-{s5}{suffix}",
            NameKind::AzureOpenAi => "aoai-prj{NNN}-{loc}-{env}-{s5}{suffix}",
            NameKind::PrivateEndpoint => "{target name}-{group id}-pend",
            NameKind::NetworkInterface => "{private endpoint name}-nic",
        }
    }

    /// The pattern with `naming.salt = "esml"` where it differs from [`Self::pattern`]
    /// (ESML's own, from its `CmnAIfactoryNaming.bicep`), for docs.
    pub fn esml_pattern(self) -> Option<&'static str> {
        Some(match self {
            NameKind::KeyVault => "kv-p{NNN}-{loc}-{env}-{s5}{d2}",
            NameKind::Storage => "saprj{NNN}{loc}{s5}1{sfx}{env}",
            NameKind::MlStorage => "saprj{NNN}{loc}{s5}2{sfx}{env}",
            NameKind::DataFactory => "adf-{NNN}-{loc}-{env}-{s5}{suffix}",
            NameKind::Databricks => "dbx-{NNN}-{loc}-{env}-{s5}{suffix}",
            // CmnAIfactoryNaming.bicep's `aoaiName`.
            NameKind::AzureOpenAi => "aoai-{NNN}-{loc}-{env}-{s5}{suffix}",
            NameKind::PrivateEndpoint => {
                "{target name}-pend (storage, Data Factory: {target name}-{group id}-pend)"
            }
            _ => return None,
        })
    }

    /// The pattern with `naming.salt = "esml"` and `naming.random_salt` (`r10`) where it
    /// differs from [`Self::esml_pattern`] (ESML's `CmnAIfactoryNaming.bicep`; `r10*` is the
    /// random salt without hyphens, `take(x, n)` the first `n` characters), for docs.
    pub fn esml_random_pattern(self) -> Option<&'static str> {
        Some(match self {
            NameKind::Identity => "mi-prj{NNN}-{loc}-{env}-{s5}{r10}{suffix}",
            NameKind::Search => "take(aisearchprj{NNN}{loc}{env}{s5}{r10*}{sfx}, 60)",
            NameKind::AiServices => "take(aiservicesprj{NNN}{loc}{env}{s5}{r10*}{sfx}, 64)",
            // ESML's `aifV2Name` and `aifV2PrjName`.
            NameKind::FoundryAccount => {
                "take(take(aif2{s5}{r10*}, 12){NNN}{env}, 20) (its Foundry project: take(take(aif2-p{NNN}{s5}{r10*}, 12){env}, 20))"
            }
            _ => return None,
        })
    }

    /// The pattern with `naming.salt = "esml"` for an esml project, where it differs from
    /// [`Self::esml_pattern`] (ESML's `esml-project/22-main.bicep` and its modules), for docs.
    pub fn esml_project_pattern(self) -> Option<&'static str> {
        Some(match self {
            NameKind::Storage => "saprj{NNN}{loc}{s5}{sfx}{env}",
            NameKind::MlWorkspace => "aml-prj{NNN}-{loc}-{env}{suffix}",
            NameKind::Databricks => {
                "dbxp-prj{NNN}-{loc}-{env}{suffix} (network_access = \"allowlist\": dbx-prj{NNN}-{loc}-{env}{suffix})"
            }
            NameKind::DatabricksManagedResourceGroup => "{resource group}{suffix}-dbxmgmt",
            NameKind::DataFactory => "adf-prj{NNN}-{loc}-{env}-{s5}{suffix}",
            NameKind::PrivateEndpoint => {
                "key vault: pend-prj{NNN}-kv1-to-vnt-mlcmn, storage: pend-sa-prj{NNN}{loc}{env}-{group id}-to-vnt-mlcmn, \
                 ML workspace and Databricks: {target name}-pend, Data Factory: {target name}-dataFactory-pend"
            }
            _ => return None,
        })
    }
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
