//! Built-in Azure role definitions the emulator knows, with their real GUIDs (arm.md §4,
//! verified against the built-in roles reference). Permissions are abridged to what a
//! client might inspect (control-plane actions, data actions).
//!
//! Owns the table; must not evaluate access.

/// One built-in role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Role {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub actions: &'static [&'static str],
    pub not_actions: &'static [&'static str],
    pub data_actions: &'static [&'static str],
}

const NO: &[&str] = &[];

/// The built-in roles.
pub const BUILT_IN: &[Role] = &[
    Role { id: "69566ab7-960f-475b-8e7c-b3118f30c6bd", name: "Storage File Data Privileged Contributor", description: "Customer has read, write, delete and modify NTFS permission access on Azure Storage file shares.", actions: NO, not_actions: NO, data_actions: &["Microsoft.Storage/storageAccounts/fileServices/fileshares/files/*"] },
    Role { id: "673868aa-7521-48a0-acc6-0f60742d39f5", name: "Data Factory Contributor", description: "Create and manage data factories, as well as child resources within them.", actions: &["Microsoft.DataFactory/dataFactories/*", "Microsoft.DataFactory/factories/*", "Microsoft.Resources/subscriptions/resourceGroups/read"], not_actions: NO, data_actions: NO },
    Role { id: "7ca78c08-252a-4471-8644-bb5ff32d4ba0", name: "Search Service Contributor", description: "Lets you manage Search services, but not access to them.", actions: &["Microsoft.Search/searchServices/*", "Microsoft.Resources/subscriptions/resourceGroups/read"], not_actions: NO, data_actions: NO },
    Role { id: "a97b65f3-24c7-4388-baec-2e87135dc908", name: "Cognitive Services User", description: "Lets you read and list keys of Cognitive Services.", actions: &["Microsoft.CognitiveServices/*/read", "Microsoft.CognitiveServices/accounts/listkeys/action"], not_actions: NO, data_actions: &["Microsoft.CognitiveServices/*"] },
    Role { id: "b78c5d69-af96-48a3-bf8d-a8b4d589de94", name: "Azure AI Administrator", description: "A Built-in role that has all control plane permissions to work with Azure AI and its dependencies.", actions: &["Microsoft.MachineLearningServices/workspaces/*", "Microsoft.CognitiveServices/*", "Microsoft.Resources/subscriptions/resourceGroups/read"], not_actions: NO, data_actions: NO },
    Role { id: "e503ece1-11d0-4e8e-8e2c-7a6c3bf38815", name: "AzureML Compute Operator", description: "Can access and perform CRUD operations on Machine Learning Services managed compute resources.", actions: &["Microsoft.MachineLearningServices/workspaces/computes/*", "Microsoft.MachineLearningServices/workspaces/read"], not_actions: NO, data_actions: NO },
    Role { id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", name: "Owner", description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.", actions: &["*"], not_actions: NO, data_actions: NO },
    Role { id: "b24988ac-6180-42a0-ab88-20f7382dd24c", name: "Contributor", description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.", actions: &["*"], not_actions: &["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"], data_actions: NO },
    Role { id: "acdd72a7-3385-48ef-bd42-f606fba81ae7", name: "Reader", description: "View all resources, but does not allow you to make any changes.", actions: &["*/read"], not_actions: NO, data_actions: NO },
    Role { id: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", name: "User Access Administrator", description: "Lets you manage user access to Azure resources.", actions: &["*/read", "Microsoft.Authorization/*"], not_actions: NO, data_actions: NO },
    Role { id: "f58310d9-a9f6-439a-9e8d-f62e7b41a168", name: "Role Based Access Control Administrator", description: "Manage access to Azure resources by assigning roles using Azure RBAC.", actions: &["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read"], not_actions: NO, data_actions: NO },
    Role { id: "4d97b98b-1d4f-4787-a291-c67834d212e7", name: "Network Contributor", description: "Lets you manage networks, but not access to them.", actions: &["Microsoft.Network/*", "Microsoft.Resources/subscriptions/resourceGroups/read"], not_actions: NO, data_actions: NO },
    Role { id: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", name: "Storage Blob Data Owner", description: "Provides full access to Azure Storage blob containers and data, including assigning POSIX access control.", actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/*"], not_actions: NO, data_actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"] },
    Role { id: "ba92f5b4-2d11-453d-a403-e96b0029c9fe", name: "Storage Blob Data Contributor", description: "Read, write, and delete Azure Storage containers and blobs.", actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/delete", "Microsoft.Storage/storageAccounts/blobServices/containers/read", "Microsoft.Storage/storageAccounts/blobServices/containers/write"], not_actions: NO, data_actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action"] },
    Role { id: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", name: "Storage Blob Data Reader", description: "Read and list Azure Storage containers and blobs.", actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/read"], not_actions: NO, data_actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"] },
    Role { id: "00482a5a-887f-4fb3-b363-3b7fe8e74483", name: "Key Vault Administrator", description: "Perform all data plane operations on a key vault and all objects in it.", actions: &["Microsoft.KeyVault/vaults/*/read"], not_actions: NO, data_actions: &["Microsoft.KeyVault/vaults/*"] },
    Role { id: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", name: "Key Vault Secrets Officer", description: "Perform any action on the secrets of a key vault, except manage permissions.", actions: &["Microsoft.KeyVault/vaults/*/read"], not_actions: NO, data_actions: &["Microsoft.KeyVault/vaults/secrets/*"] },
    Role { id: "230815da-be43-4aae-9cb4-875f7bd000aa", name: "Cosmos DB Operator", description: "Lets you manage Azure Cosmos DB accounts, but not access data in them. Prevents access to account keys and connection strings.", actions: &["Microsoft.DocumentDb/databaseAccounts/*", "Microsoft.Insights/alertRules/*", "Microsoft.Authorization/*/read", "Microsoft.ResourceHealth/availabilityStatuses/read", "Microsoft.Resources/deployments/*", "Microsoft.Resources/subscriptions/resourceGroups/read"], not_actions: &["Microsoft.DocumentDB/databaseAccounts/readonlyKeys/*", "Microsoft.DocumentDB/databaseAccounts/regenerateKey/*", "Microsoft.DocumentDB/databaseAccounts/listKeys/*", "Microsoft.DocumentDB/databaseAccounts/listConnectionStrings/*", "Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions/write", "Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions/delete", "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments/write", "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments/delete"], data_actions: NO },
    Role { id: "21090545-7ca7-4776-b22c-e363652d74d2", name: "Key Vault Reader", description: "Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material.", actions: &["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/operations/read", "Microsoft.Resources/subscriptions/resourceGroups/read"], not_actions: NO, data_actions: &["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"] },
    Role { id: "4633458b-17de-408a-b874-0445c86b69e6", name: "Key Vault Secrets User", description: "Read secret contents.", actions: NO, not_actions: NO, data_actions: &["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"] },
    Role { id: "f6c7c914-8db3-469d-8ca1-694a8f32e121", name: "AzureML Data Scientist", description: "Can perform all actions within an Azure Machine Learning workspace, except for creating or deleting compute resources and modifying the workspace itself.", actions: &["Microsoft.MachineLearningServices/workspaces/*/read", "Microsoft.MachineLearningServices/workspaces/*/action", "Microsoft.MachineLearningServices/workspaces/*/delete", "Microsoft.MachineLearningServices/workspaces/*/write"], not_actions: &["Microsoft.MachineLearningServices/workspaces/delete", "Microsoft.MachineLearningServices/workspaces/write", "Microsoft.MachineLearningServices/workspaces/computes/*/write", "Microsoft.MachineLearningServices/workspaces/computes/*/delete"], data_actions: NO },
    Role { id: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", name: "Cognitive Services OpenAI User", description: "Read access to view files, models, deployments. The ability to create completion and embedding calls.", actions: &["Microsoft.CognitiveServices/*/read"], not_actions: NO, data_actions: &["Microsoft.CognitiveServices/accounts/OpenAI/*/read", "Microsoft.CognitiveServices/accounts/OpenAI/*/action"] },
    Role { id: "a001fd3d-188f-4b5d-821b-7da978bf7442", name: "Cognitive Services OpenAI Contributor", description: "Full access including the ability to fine-tune, deploy and generate text.", actions: &["Microsoft.CognitiveServices/*/read", "Microsoft.CognitiveServices/accounts/deployments/write", "Microsoft.CognitiveServices/accounts/deployments/delete"], not_actions: NO, data_actions: &["Microsoft.CognitiveServices/accounts/OpenAI/*"] },
    Role { id: "8ebe5a00-799e-43f5-93ac-243d3dce84a7", name: "Search Index Data Contributor", description: "Grants full access to Azure Cognitive Search index data.", actions: NO, not_actions: NO, data_actions: &["Microsoft.Search/searchServices/indexes/documents/*"] },
    Role { id: "1407120a-92aa-4202-b7e9-c0e197c71c8f", name: "Search Index Data Reader", description: "Grants read access to Azure Cognitive Search index data.", actions: NO, not_actions: NO, data_actions: &["Microsoft.Search/searchServices/indexes/documents/read"] },
    Role { id: "7f951dda-4ed3-4680-a7ca-43fe172d538d", name: "AcrPull", description: "acr pull", actions: &["Microsoft.ContainerRegistry/registries/pull/read"], not_actions: NO, data_actions: NO },
    Role { id: "fb879df8-f326-4884-b1cf-06f3ad86be52", name: "Virtual Machine User Login", description: "View Virtual Machines in the portal and login as a regular user.", actions: &["Microsoft.Network/publicIPAddresses/read", "Microsoft.Network/virtualNetworks/read", "Microsoft.Network/loadBalancers/read", "Microsoft.Network/networkInterfaces/read", "Microsoft.Compute/virtualMachines/*/read"], not_actions: NO, data_actions: &["Microsoft.Compute/virtualMachines/login/action"] },
    Role { id: "8311e382-0749-4cb8-b61a-304f252e45ec", name: "AcrPush", description: "acr push", actions: &["Microsoft.ContainerRegistry/registries/pull/read", "Microsoft.ContainerRegistry/registries/push/write"], not_actions: NO, data_actions: NO },
];

/// A built-in role by GUID (case-insensitive).
pub fn by_id(id: &str) -> Option<&'static Role> {
    BUILT_IN.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// A built-in role by name (case-insensitive).
pub fn by_name(name: &str) -> Option<&'static Role> {
    BUILT_IN.iter().find(|r| r.name.eq_ignore_ascii_case(name))
}

/// Storage roles that may use the DFS data plane (`write` = may create/modify).
pub fn storage_data_role(id: &str, write: bool) -> bool {
    let owner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    let contrib = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    let reader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    let id = id.to_ascii_lowercase();
    id == owner || id == contrib || (!write && id == reader)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_the_project_template_assigns_is_known() {
        for r in aifactory_template::project::rbac::ROLES {
            // Cosmos DB's data roles are sqlRoleDefinitions of an account (`foundry`).
            assert!(
                by_id(r.guid).is_some() || crate::foundry::is_cosmos_built_in(r.guid),
                "{} ({}) missing from the emulator's table",
                r.name,
                r.guid
            );
        }
    }

    #[test]
    fn table_is_consistent() {
        for r in BUILT_IN {
            assert!(crate::util::is_guid(r.id), "{}", r.name);
            assert_eq!(by_id(&r.id.to_uppercase()), Some(r));
            assert_eq!(by_name(r.name), Some(r));
        }
        assert_eq!(
            by_name("Storage Blob Data Owner").unwrap().id,
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
        );
        assert_eq!(
            by_name("Search Index Data Reader").unwrap().id,
            "1407120a-92aa-4202-b7e9-c0e197c71c8f"
        );
        assert!(storage_data_role(
            "BA92F5B4-2D11-453D-A403-E96B0029C9FE",
            true
        ));
        assert!(!storage_data_role(
            "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
            true
        ));
    }
}
