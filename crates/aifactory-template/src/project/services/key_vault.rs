//! The project key vault: RBAC mode (no access policies), soft delete on (7 days outside
//! prod so a destroyed dev vault frees its name sooner, 90 in prod), purge protection per
//! `key_vault_purge_protection` (default prod only; the property is omitted when off
//! because it can never be turned off again). Must not: hold access policies.

use serde_json::{json, Value};

use super::{after_group, always, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::{Guid, NameKind};
use crate::project::api_type::ApiType;
use crate::project::rbac::{
    Grant, PrincipalClass::Admin as A, PrincipalClass::Identity as I, PrincipalClass::Member as M,
    PrincipalClass::Reader as R, ScopeKey, When, KEY_VAULT_ADMINISTRATOR, KEY_VAULT_READER,
    KEY_VAULT_SECRETS_OFFICER, KEY_VAULT_SECRETS_USER,
};

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.KeyVault/vaults",
    api_version: "2024-11-01",
    lro: true,
    spec: "keyvault/resource-manager/Microsoft.KeyVault/KeyVault/stable/2024-11-01/keyvault.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::KeyVault,
    api: API,
    // Vaults_Delete answers 200/204, not long-running.
    delete_lro: false,
    name_kind: NameKind::KeyVault,
    private_link_groups: &["vault"],
    soft_delete: SoftDelete::KeyVault,
    // Only written when recovering a soft-deleted vault.
    write_only: &["properties.createMode"],
    subnets: &[],
    diagnostics: Some(DiagnosticLogs {
        category_groups: &["audit", "allLogs"],
        metrics: true,
    }),
    grants: &[
        Grant::new(R, ScopeKey::KeyVault, KEY_VAULT_READER, When::Always, "see the vault's items, not their values"),
        Grant::new(
            A,
            ScopeKey::KeyVault,
            KEY_VAULT_ADMINISTRATOR,
            When::Always,
            "manage the vault's secrets, keys and certificates",
        ),
        Grant::new(
            M,
            ScopeKey::KeyVault,
            KEY_VAULT_SECRETS_OFFICER,
            When::Always,
            "manage the project's secrets (no keys, certificates or permissions)",
        ),
        Grant::new(I, ScopeKey::KeyVault, KEY_VAULT_SECRETS_USER, When::Always, "read secrets at run time"),
        Grant::new(
            I,
            ScopeKey::KeyVault,
            KEY_VAULT_ADMINISTRATOR,
            When::MachineLearning,
            "data-plane role Azure ML requires of a user-assigned workspace identity on an RBAC vault",
        ),
    ],
    summary: "always (RBAC mode, soft delete; purge protection in prod)",
    enabled: always,
    depends_on: after_group,
    body,
    parent: None,
    own_name: None,
};

fn body(x: &Ctx) -> Value {
    let prod = x.prod();
    let mut props = json!({
        "tenantId": Guid::parse(&x.spec.tenant_id).map(|g| g.to_string()).unwrap_or_default(),
        "sku": { "family": "A", "name": "standard" },
        "enableRbacAuthorization": true,
        "enableSoftDelete": true,
        "softDeleteRetentionInDays": if prod { 90 } else { 7 },
        "enabledForDeployment": false,
        "enabledForTemplateDeployment": false,
        "enabledForDiskEncryption": false,
        "accessPolicies": [],
        "publicNetworkAccess": x.public_access(),
        "networkAcls": {
            "bypass": "AzureServices",
            "defaultAction": "Deny",
            "ipRules": x.c.ip_rules.iter().map(|r| json!({ "value": r.cidr() })).collect::<Vec<_>>(),
            "virtualNetworkRules": [],
        },
    });
    if x.spec.key_vault_purge_protection.unwrap_or(prod) {
        props["enablePurgeProtection"] = json!(true);
    }
    json!({ "location": x.location(), "tags": x.tags(), "properties": props })
}
