//! The role matrix: which built-in role each principal gets on which scope. This file
//! holds its vocabulary (roles, principal classes, scopes, conditions, [`Grant`]) and the
//! lake's rows; each service's rows are in its descriptor, and `services::matrix` lists
//! them all. Imports only `spec` of `project`, never the catalog.
//!
//! Least privilege, on purpose: no Owner, no User Access Administrator, no Role Based
//! Access Control Administrator, and no role whose actions are a bare `*` (so not
//! Contributor either, which ESML uses widely). Data-plane roles are scoped to the one
//! resource that needs them; the resource group only gets Reader (and, for the project
//! identity of a Machine Learning project, Azure AI Administrator, which Azure Machine
//! Learning assigns its workspace identity since 2024-11-19 instead of Contributor).
//!
//! Role GUIDs: verified against Microsoft's built-in roles list, MicrosoftDocs/azure-docs
//! `articles/role-based-access-control/built-in-roles.md` (ms.date 04/09/2026, commit
//! 00a583295ba737a5caf885472cb3bca3624e9cde), the `ID` column of each category table:
//!
//! | role | GUID | category |
//! |---|---|---|
//! | Reader | acdd72a7-3385-48ef-bd42-f606fba81ae7 | General |
//! | Key Vault Administrator | 00482a5a-887f-4fb3-b363-3b7fe8e74483 | Security |
//! | Key Vault Secrets Officer | b86a8fe4-44ce-4948-aee5-eccb2c155cd7 | Security |
//! | Key Vault Secrets User | 4633458b-17de-408a-b874-0445c86b69e6 | Security |
//! | Storage Blob Data Contributor | ba92f5b4-2d11-453d-a403-e96b0029c9fe | Storage |
//! | Storage File Data Privileged Contributor | 69566ab7-960f-475b-8e7c-b3118f30c6bd | Storage |
//! | AzureML Data Scientist | f6c7c914-8db3-469d-8ca1-694a8f32e121 | AI + machine learning |
//! | AzureML Compute Operator | e503ece1-11d0-4e8e-8e2c-7a6c3bf38815 | AI + machine learning |
//! | Azure AI Administrator | b78c5d69-af96-48a3-bf8d-a8b4d589de94 | AI + machine learning |
//! | Search Index Data Contributor | 8ebe5a00-799e-43f5-93ac-243d3dce84a7 | AI + machine learning |
//! | Search Service Contributor | 7ca78c08-252a-4471-8644-bb5ff32d4ba0 | AI + machine learning |
//! | Cognitive Services OpenAI Contributor | a001fd3d-188f-4b5d-821b-7da978bf7442 | AI + machine learning |
//! | Cognitive Services OpenAI User | 5e0bd9bd-7b93-4f28-af87-19fc36ad61bd | AI + machine learning |
//! | Cognitive Services User | a97b65f3-24c7-4388-baec-2e87135dc908 | AI + machine learning |
//! | Data Factory Contributor | 673868aa-7521-48a0-acc6-0f60742d39f5 | Analytics |
//! | Key Vault Reader | 21090545-7ca7-4776-b22c-e363652d74d2 | Security |
//! | Storage Blob Data Reader | 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1 | Storage |
//! | Search Index Data Reader | 1407120a-92aa-4202-b7e9-c0e197c71c8f | AI + machine learning |
//! | Storage Blob Data Owner | b7e6dc6d-f1e8-4753-8033-0f276bb0955b | Storage |
//! | AcrPush | 8311e382-0749-4cb8-b61a-304f252e45ec | Containers |
//!
//! The last three (the reader role set) were checked on 2026-12-05 against public copies
//! of the same list (the zh-cn built-in-roles page lists Key Vault Reader with this ID) and
//! the emulator's role table.
//!
//! Never assigned (tests check this): Owner 8e3af657-a8ff-443c-a75c-2fe8c4bcb635,
//! Contributor b24988ac-6180-42a0-ab88-20f7382dd24c, User Access Administrator
//! 18d7d88d-d35e-4fb5-a5c3-7773c20a72d9, Role Based Access Control Administrator
//! f58310d9-a9f6-439a-9e8d-f62e7b41a168.

use serde::Serialize;

/// A built-in role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BuiltInRole {
    pub name: &'static str,
    /// Key-friendly form of the name (`key-vault-secrets-user`).
    pub slug: &'static str,
    pub guid: &'static str,
    /// The built-in roles list category the GUID was read from.
    pub category: &'static str,
    /// A Cosmos DB data-plane role (`sqlRoleDefinitions`), granted with a
    /// `sqlRoleAssignments` object on the account, not an ARM role assignment.
    pub data_plane: bool,
}

const fn role(
    name: &'static str,
    slug: &'static str,
    guid: &'static str,
    category: &'static str,
) -> BuiltInRole {
    BuiltInRole {
        name,
        slug,
        guid,
        category,
        data_plane: false,
    }
}

/// A Cosmos DB for NoSQL built-in data-plane role (its GUID is the same in every account:
/// learn.microsoft.com/azure/cosmos-db/nosql/security/reference-data-plane-roles).
const fn cosmos_data_role(
    name: &'static str,
    slug: &'static str,
    guid: &'static str,
) -> BuiltInRole {
    BuiltInRole {
        name,
        slug,
        guid,
        category: "Cosmos DB data plane (sqlRoleDefinitions)",
        data_plane: true,
    }
}

pub const COSMOS_DB_DATA_READER: BuiltInRole = cosmos_data_role(
    "Cosmos DB Built-in Data Reader",
    "cosmos-db-built-in-data-reader",
    "00000000-0000-0000-0000-000000000001",
);
pub const COSMOS_DB_DATA_CONTRIBUTOR: BuiltInRole = cosmos_data_role(
    "Cosmos DB Built-in Data Contributor",
    "cosmos-db-built-in-data-contributor",
    "00000000-0000-0000-0000-000000000002",
);
/// ARM role the Agent service needs on the account (esml.md: Foundry project MI ->
/// Cosmos, `aiFoundry2025caphostRbac1.bicep`).
pub const COSMOS_DB_OPERATOR: BuiltInRole = role(
    "Cosmos DB Operator",
    "cosmos-db-operator",
    "230815da-be43-4aae-9cb4-875f7bd000aa",
    "Databases",
);

pub const READER: BuiltInRole = role(
    "Reader",
    "reader",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "General",
);
pub const KEY_VAULT_ADMINISTRATOR: BuiltInRole = role(
    "Key Vault Administrator",
    "key-vault-administrator",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "Security",
);
pub const KEY_VAULT_SECRETS_OFFICER: BuiltInRole = role(
    "Key Vault Secrets Officer",
    "key-vault-secrets-officer",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "Security",
);
pub const KEY_VAULT_SECRETS_USER: BuiltInRole = role(
    "Key Vault Secrets User",
    "key-vault-secrets-user",
    "4633458b-17de-408a-b874-0445c86b69e6",
    "Security",
);
pub const STORAGE_BLOB_DATA_CONTRIBUTOR: BuiltInRole = role(
    "Storage Blob Data Contributor",
    "storage-blob-data-contributor",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage",
);
pub const STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR: BuiltInRole = role(
    "Storage File Data Privileged Contributor",
    "storage-file-data-privileged-contributor",
    "69566ab7-960f-475b-8e7c-b3118f30c6bd",
    "Storage",
);
pub const AZUREML_DATA_SCIENTIST: BuiltInRole = role(
    "AzureML Data Scientist",
    "azureml-data-scientist",
    "f6c7c914-8db3-469d-8ca1-694a8f32e121",
    "AI + machine learning",
);
pub const AZUREML_COMPUTE_OPERATOR: BuiltInRole = role(
    "AzureML Compute Operator",
    "azureml-compute-operator",
    "e503ece1-11d0-4e8e-8e2c-7a6c3bf38815",
    "AI + machine learning",
);
pub const AZURE_AI_ADMINISTRATOR: BuiltInRole = role(
    "Azure AI Administrator",
    "azure-ai-administrator",
    "b78c5d69-af96-48a3-bf8d-a8b4d589de94",
    "AI + machine learning",
);
pub const SEARCH_INDEX_DATA_CONTRIBUTOR: BuiltInRole = role(
    "Search Index Data Contributor",
    "search-index-data-contributor",
    "8ebe5a00-799e-43f5-93ac-243d3dce84a7",
    "AI + machine learning",
);
pub const SEARCH_SERVICE_CONTRIBUTOR: BuiltInRole = role(
    "Search Service Contributor",
    "search-service-contributor",
    "7ca78c08-252a-4471-8644-bb5ff32d4ba0",
    "AI + machine learning",
);
pub const COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR: BuiltInRole = role(
    "Cognitive Services OpenAI Contributor",
    "cognitive-services-openai-contributor",
    "a001fd3d-188f-4b5d-821b-7da978bf7442",
    "AI + machine learning",
);
pub const COGNITIVE_SERVICES_OPENAI_USER: BuiltInRole = role(
    "Cognitive Services OpenAI User",
    "cognitive-services-openai-user",
    "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
    "AI + machine learning",
);
pub const COGNITIVE_SERVICES_USER: BuiltInRole = role(
    "Cognitive Services User",
    "cognitive-services-user",
    "a97b65f3-24c7-4388-baec-2e87135dc908",
    "AI + machine learning",
);
pub const KEY_VAULT_READER: BuiltInRole = role(
    "Key Vault Reader",
    "key-vault-reader",
    "21090545-7ca7-4776-b22c-e363652d74d2",
    "Security",
);
pub const STORAGE_BLOB_DATA_READER: BuiltInRole = role(
    "Storage Blob Data Reader",
    "storage-blob-data-reader",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Storage",
);
pub const SEARCH_INDEX_DATA_READER: BuiltInRole = role(
    "Search Index Data Reader",
    "search-index-data-reader",
    "1407120a-92aa-4202-b7e9-c0e197c71c8f",
    "AI + machine learning",
);
pub const DATA_FACTORY_CONTRIBUTOR: BuiltInRole = role(
    "Data Factory Contributor",
    "data-factory-contributor",
    "673868aa-7521-48a0-acc6-0f60742d39f5",
    "Analytics",
);
/// The common part's core team: manages the lake's ACLs (`aifactory_common`).
pub const STORAGE_BLOB_DATA_OWNER: BuiltInRole = role(
    "Storage Blob Data Owner",
    "storage-blob-data-owner",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Storage",
);
/// The common part's core team: pushes images to the common registry (`aifactory_common`).
pub const ACR_PUSH: BuiltInRole = role(
    "AcrPush",
    "acrpush",
    "8311e382-0749-4cb8-b61a-304f252e45ec",
    "Containers",
);
/// The common part's core team: SSH into the jump host with Entra ID as a regular user
/// (`Microsoft.Compute/virtualMachines/login/action`).
pub const VIRTUAL_MACHINE_USER_LOGIN: BuiltInRole = role(
    "Virtual Machine User Login",
    "virtual-machine-user-login",
    "fb879df8-f326-4884-b1cf-06f3ad86be52",
    "Compute",
);

/// Every role the matrix and the common part use.
pub const ROLES: [BuiltInRole; 24] = [
    STORAGE_BLOB_DATA_OWNER,
    ACR_PUSH,
    COSMOS_DB_DATA_READER,
    COSMOS_DB_DATA_CONTRIBUTOR,
    COSMOS_DB_OPERATOR,
    KEY_VAULT_READER,
    STORAGE_BLOB_DATA_READER,
    SEARCH_INDEX_DATA_READER,
    READER,
    KEY_VAULT_ADMINISTRATOR,
    KEY_VAULT_SECRETS_OFFICER,
    KEY_VAULT_SECRETS_USER,
    STORAGE_BLOB_DATA_CONTRIBUTOR,
    STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR,
    AZUREML_DATA_SCIENTIST,
    AZUREML_COMPUTE_OPERATOR,
    AZURE_AI_ADMINISTRATOR,
    SEARCH_INDEX_DATA_CONTRIBUTOR,
    SEARCH_SERVICE_CONTRIBUTOR,
    COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR,
    COGNITIVE_SERVICES_OPENAI_USER,
    COGNITIVE_SERVICES_USER,
    DATA_FACTORY_CONTRIBUTOR,
    VIRTUAL_MACHINE_USER_LOGIN,
];

/// Roles that must never appear (privilege escalation or `*` actions).
pub const FORBIDDEN_ROLE_GUIDS: [(&str, &str); 4] = [
    ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
    (
        "User Access Administrator",
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    ),
    (
        "Role Based Access Control Administrator",
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    ),
];

/// Who gets a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalClass {
    /// Personas with role set `reader`.
    Reader,
    /// Developers and project admins: every `team.object_ids` entry, personas with role
    /// set `developer` or `project_admin`, and the project service principal.
    Member,
    /// Personas with role set `project_admin` (on top of `Member`).
    Admin,
    /// The project's user-assigned managed identity.
    Identity,
}

impl PrincipalClass {
    /// For the docs' role matrix.
    pub fn label(self) -> &'static str {
        match self {
            PrincipalClass::Reader => "Reader",
            PrincipalClass::Member => "Developer, project admin",
            PrincipalClass::Admin => "Project admin",
            PrincipalClass::Identity => "Project identity",
        }
    }
}

impl super::spec::RoleSet {
    /// The grant classes a persona of this role set receives.
    pub fn classes(self) -> &'static [PrincipalClass] {
        match self {
            super::spec::RoleSet::Reader => &[PrincipalClass::Reader],
            super::spec::RoleSet::Developer => &[PrincipalClass::Member],
            super::spec::RoleSet::ProjectAdmin => &[PrincipalClass::Member, PrincipalClass::Admin],
        }
    }
}

/// Where a role is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKey {
    ResourceGroup,
    KeyVault,
    /// The project storage account.
    Storage,
    /// The storage account the Machine Learning workspace uses: `storage` for esml,
    /// `ml_storage` for genai with `azure_ml`.
    MlDefaultStorage,
    MlWorkspace,
    Search,
    AiServices,
    /// The dedicated Foundry account.
    FoundryAccount,
    DataFactory,
    /// The project's Cosmos DB account.
    CosmosDb,
    /// The project's separate Azure OpenAI account.
    AzureOpenAi,
    /// The common data lake storage account.
    Datalake,
}

impl ScopeKey {
    pub fn label(self) -> &'static str {
        match self {
            ScopeKey::ResourceGroup => "project resource group",
            ScopeKey::KeyVault => "key vault",
            ScopeKey::Storage => "project storage account",
            ScopeKey::MlDefaultStorage => "Machine Learning's storage account",
            ScopeKey::MlWorkspace => "Machine Learning workspace",
            ScopeKey::Search => "AI Search",
            ScopeKey::AiServices => "AI Services account",
            ScopeKey::FoundryAccount => "Foundry account",
            ScopeKey::DataFactory => "Data Factory",
            ScopeKey::CosmosDb => "Cosmos DB account",
            ScopeKey::AzureOpenAi => "Azure OpenAI account",
            ScopeKey::Datalake => "common data lake account",
        }
    }
}

/// When a grant applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    Always,
    /// The project has a Machine Learning workspace (esml; genai with `services.azure_ml`).
    MachineLearning,
    /// The project has AI Search (genai; `services.ai_search`).
    Search,
    /// The project has an AI Services account (genai; `services.ai_services`).
    AiServices,
    /// AI Foundry runs on an account of its own (`foundry_options.account = "dedicated"`).
    FoundryAccount,
    /// `services.data_factory`.
    DataFactory,
    /// `common.datalake_*` are set.
    Datalake,
    /// The project has Cosmos DB.
    CosmosDb,
    /// The project has the Agent service.
    Agent,
    /// The project has a separate Azure OpenAI account.
    AzureOpenAi,
}

impl When {
    pub fn label(self) -> &'static str {
        match self {
            When::Always => "always",
            When::MachineLearning => "with a Machine Learning workspace (esml; services.azure_ml)",
            When::Search => "with AI Search (genai; services.ai_search)",
            When::AiServices => "with AI Services (genai; services.ai_services)",
            When::FoundryAccount => {
                "with services.ai_foundry on its own account (foundry_options.account = \"dedicated\")"
            }
            When::DataFactory => "with services.data_factory",
            When::Datalake => "with common.datalake_*",
            When::CosmosDb => "with services.cosmos_db",
            When::Agent => "with services.agent_service",
            When::AzureOpenAi => "with services.azure_openai",
        }
    }
}

/// One row of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub principal: PrincipalClass,
    pub scope: ScopeKey,
    pub role: BuiltInRole,
    pub when: When,
    pub why: &'static str,
}

impl Grant {
    pub const fn new(
        principal: PrincipalClass,
        scope: ScopeKey,
        role: BuiltInRole,
        when: When,
        why: &'static str,
    ) -> Grant {
        Grant {
            principal,
            scope,
            role,
            when,
            why,
        }
    }
}

/// Grants on the common data lake account (not a service of the project: its data access
/// comes from the ACLs).
pub const LAKE_GRANTS: &[Grant] = &[
    Grant::new(
        PrincipalClass::Member,
        ScopeKey::Datalake,
        READER,
        When::Datalake,
        "see the lake account; data access comes from the ACLs",
    ),
    Grant::new(
        PrincipalClass::Reader,
        ScopeKey::Datalake,
        READER,
        When::Datalake,
        "see the lake account; read access to the project folder comes from the ACLs",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::naming::Guid;

    #[test]
    fn role_guids_are_well_formed_unique_and_never_forbidden() {
        let mut seen = std::collections::BTreeSet::new();
        for r in ROLES {
            assert!(
                Guid::parse(r.guid).is_some_and(|g| g.to_string() == r.guid),
                "{}",
                r.name
            );
            assert!(seen.insert(r.guid), "duplicate {}", r.guid);
            assert!(
                FORBIDDEN_ROLE_GUIDS.iter().all(|(_, f)| *f != r.guid),
                "{}",
                r.name
            );
            assert!(r
                .slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        }
        // The services' grants are checked with the catalog (`services::tests`).
        for grant in LAKE_GRANTS {
            assert!(ROLES.contains(&grant.role), "{}", grant.role.name);
        }
    }
}
