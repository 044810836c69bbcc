//! AI Foundry's wire formats in the emulator: model deployments of an AI Services account
//! (`Microsoft.CognitiveServices/accounts/deployments`, stable 2025-06-01): the spec's
//! status codes and the body rules (a valid body accepted, each rule refused with Azure's
//! code and the JSON path in the message). Owns these cases only; the status-code table of
//! every type is `status_codes`.

use super::*;
use std::time::Duration;

fn account(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.CognitiveServices/accounts/{name}",
        rg("foundry")
    )
}

fn deployment(name: &str) -> String {
    format!(
        "{}/deployments/{name}?api-version=2025-06-01",
        account("aif")
    )
}

#[tokio::test]
async fn model_deployment_bodies_and_status_codes() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    let valid = json!({
        "sku": {"name": "GlobalStandard", "capacity": 50},
        "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"}}
    });
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("deployment without its account", "PUT", deployment("early"), 404, "ParentResourceNotFound")
                .with_body(valid.clone()),
            arm_case("account", "PUT", format!("{}?api-version=2025-06-01", account("aif")), 201, "")
                .with_body(json!({"location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"},
                    "properties": {"customSubDomainName": "aif", "allowProjectManagement": true, "disableLocalAuth": true}})),
            // Deployments_CreateOrUpdate: 201 on create (long-running), 200 on replace.
            arm_case("deployment create", "PUT", deployment("gpt"), 201, "")
                .with_body(valid.clone())
                .expect_header("azure-asyncoperation"),
            arm_case("deployment replace", "PUT", deployment("gpt"), 200, "").with_body(valid.clone()),
            arm_case("deployment without sku.name", "PUT", deployment("nosku"), 400, "MissingRequiredProperty")
                .with_body(json!({"sku": {"capacity": 1}, "properties": {}}))
                .message_contains("sku.name"),
            arm_case("deployment capacity not an integer", "PUT", deployment("cap"), 400, "InvalidRequestContent")
                .with_body(json!({"sku": {"name": "Standard", "capacity": "fifty"}}))
                .message_contains("sku.capacity"),
            arm_case("deployment model not an object", "PUT", deployment("model"), 400, "InvalidRequestContent")
                .with_body(json!({"sku": {"name": "Standard"}, "properties": {"model": "gpt-4o"}}))
                .message_contains("properties.model"),
            arm_case("deployment model version not a string", "PUT", deployment("ver"), 400, "InvalidRequestContent")
                .with_body(json!({"sku": {"name": "Standard"}, "properties": {"model": {"name": "gpt-4o", "version": 2024}}}))
                .message_contains("properties.model.version"),
            arm_case("deployment unknown member", "PUT", deployment("loc"), 400, "InvalidRequestContent")
                .with_body(json!({"sku": {"name": "Standard"}, "kind": "x"}))
                .message_contains("kind"),
            // Deployments_Delete: 200/202/204, long-running; the emulator answers 202 then 204.
            arm_case("deployment delete", "DELETE", deployment("gpt"), 202, "").expect_header("location"),
            arm_case("deployment delete again", "DELETE", deployment("gpt"), 204, ""),
        ],
    )
    .await;
    drop(emu);
}

fn gpt(capacity: u64) -> serde_json::Value {
    json!({
        "sku": {"name": "GlobalStandard", "capacity": capacity},
        "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"}}
    })
}

async fn put_account(c: &Client, tok: &str) {
    run_arm_cases(
        c,
        tok,
        [arm_case(
            "account",
            "PUT",
            format!("{}?api-version=2025-06-01", account("aif")),
            201,
            "",
        )
        .with_body(
            json!({"location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"},
                "properties": {"customSubDomainName": "aif"}}),
        )],
    )
    .await;
}

/// Azure refuses a deployment write while another deployment operation of the same account
/// runs (409 `RequestConflict`); once it is done, the next write goes through.
#[tokio::test]
async fn concurrent_deployment_writes_conflict() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    put_account(&c, &tok).await;
    emu.update_settings(|s| s.lro_delay_ms = 60_000);
    let busy = "Another operation is being performed on the parent resource";
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("first deployment", "PUT", deployment("gpt"), 201, "").with_body(gpt(10)),
            arm_case(
                "second deployment while the first runs",
                "PUT",
                deployment("gpt2"),
                409,
                "RequestConflict",
            )
            .with_body(gpt(10))
            .message_contains(busy),
            arm_case(
                "delete while the first runs",
                "DELETE",
                deployment("gpt"),
                409,
                "RequestConflict",
            )
            .message_contains(busy),
        ],
    )
    .await;
    emu.advance_clock(Duration::from_secs(61));
    run_arm_cases(
        &c,
        &tok,
        [arm_case(
            "second deployment after the first",
            "PUT",
            deployment("gpt2"),
            201,
            "",
        )
        .with_body(gpt(10))],
    )
    .await;
    drop(emu);
}

/// Capacity beyond the quota of (subscription, region, model, SKU): 400 `InsufficientQuota`
/// with Azure's message; a replace counts the deployment's own capacity once.
#[tokio::test]
async fn deployment_capacity_beyond_quota_is_refused() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    put_account(&c, &tok).await;
    emu.update_settings(|s| s.deployment_quota = 100);
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("within quota", "PUT", deployment("a"), 201, "").with_body(gpt(60)),
            arm_case("replace within quota", "PUT", deployment("a"), 200, "").with_body(gpt(100)),
            arm_case("beyond quota", "PUT", deployment("b"), 400, "InsufficientQuota")
                .with_body(gpt(1))
                .message_contains("This operation require 1 new capacity in quota Tokens Per Minute (thousands) - gpt-4o - GlobalStandard, which is bigger than the current available capacity 0. The current quota usage is 100 and the quota limit is 100"),
            arm_case("another SKU has its own quota", "PUT", deployment("c"), 201, "")
                .with_body(json!({"sku": {"name": "Standard", "capacity": 50},
                    "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"}}})),
        ],
    )
    .await;
    drop(emu);
}

/// Cosmos DB data-plane role assignments: a SQL role definition of the same account (the
/// built-ins answer GET), a scope inside the account, a GUID principal.
#[tokio::test]
async fn cosmos_sql_role_assignments() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    let cosmos = format!(
        "{}/providers/Microsoft.DocumentDB/databaseAccounts/cdb",
        rg("foundry")
    );
    let api = "api-version=2026-03-15";
    let contributor = format!("{cosmos}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002");
    let principal = "44444444-4444-4444-8444-444444444444";
    let ra = |name: &str| format!("{cosmos}/sqlRoleAssignments/{name}?{api}");
    let body = |role: &str, scope: &str, principal: &str| json!({"properties": {"roleDefinitionId": role, "scope": scope, "principalId": principal}});
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("account", "PUT", format!("{cosmos}?{api}"), 200, "").with_body(json!({
                "location": "westeurope", "kind": "GlobalDocumentDB",
                "properties": {"databaseAccountOfferType": "Standard", "disableLocalAuth": true,
                    "publicNetworkAccess": "Disabled",
                    "locations": [{"locationName": "westeurope", "failoverPriority": 0}]}})),
            arm_case("built-in Data Contributor", "GET", format!("{contributor}?{api}"), 200, ""),
            arm_case("no such built-in", "GET",
                format!("{cosmos}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000009?{api}"), 404, "ResourceNotFound"),
            arm_case("assignment", "PUT", ra("a1"), 201, "").with_body(body(&contributor, &cosmos, principal)),
            arm_case("principal not a GUID", "PUT", ra("a2"), 400, "BadRequest")
                .with_body(body(&contributor, &cosmos, "alice"))
                .message_contains("principal ID [alice]"),
            arm_case("ARM role definition", "PUT", ra("a3"), 400, "BadRequest")
                .with_body(body(&format!("/subscriptions/{S}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"), &cosmos, principal))
                .message_contains("not a SQL role definition"),
            arm_case("role definition of another account", "PUT", ra("a4"), 400, "BadRequest")
                .with_body(body(&contributor.replace("/cdb/", "/other/"), &cosmos, principal))
                .message_contains("not a SQL role definition"),
            arm_case("scope outside the account", "PUT", ra("a5"), 400, "BadRequest")
                .with_body(body(&contributor, &rg("foundry"), principal))
                .message_contains("not within the database account"),
            arm_case("scope of a database inside the account", "PUT", ra("a6"), 201, "")
                .with_body(body(&contributor, &format!("{cosmos}/dbs/agents"), principal)),
        ],
    )
    .await;
    drop(emu);
}

/// Container Apps environments in a vNet: the subnet must exist, with workload profiles be
/// delegated to `Microsoft.App/environments` and at least /27, consumption only /23. The
/// environment (and a network-injected Foundry account) holds its subnet through a service
/// association link, shown on the subnet's GET; deleting the subnet is refused while the link
/// exists, also for the release delay after the holder is gone, and allowed after it.
#[tokio::test]
async fn managed_environment_subnets_and_association_links() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    let net = |rel: &str| {
        format!(
            "{}/providers/Microsoft.Network/virtualNetworks/vnet{rel}",
            rg("foundry")
        )
    };
    let subnet = |name: &str| net(&format!("/subnets/{name}"));
    let delegated =
        json!([{"name": "aca", "properties": {"serviceName": "Microsoft.App/environments"}}]);
    let env = format!(
        "{}/providers/Microsoft.App/managedEnvironments/cae?api-version=2026-01-01",
        rg("foundry")
    );
    let env_body = |sub: &str, profiles: bool| {
        let mut b = json!({"location": "westeurope", "properties": {
            "vnetConfiguration": {"internal": true, "infrastructureSubnetId": subnet(sub)}}});
        if profiles {
            b["properties"]["workloadProfiles"] =
                json!([{"name": "Consumption", "workloadProfileType": "Consumption"}]);
        }
        b
    };
    let invalid = "ManagedEnvironmentInvalidNetworkConfiguration";
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("vNet", "PUT", format!("{}?{API}", net("")), 201, "").with_body(json!({
                "location": "westeurope",
                "properties": {"addressSpace": {"addressPrefixes": ["172.16.0.0/16"]}, "subnets": [
                    {"name": "aca", "properties": {"addressPrefix": "172.16.0.0/23", "delegations": delegated}},
                    {"name": "small", "properties": {"addressPrefix": "172.16.4.0/28", "delegations": delegated}},
                    {"name": "plain", "properties": {"addressPrefix": "172.16.8.0/23"}},
                    {"name": "agent", "properties": {"addressPrefix": "172.16.10.0/24", "delegations": delegated}}]}})),
            arm_case("missing subnet", "PUT", &env, 400, invalid)
                .with_body(env_body("nope", true))
                .message_contains("The subnet and its addressPrefix could not be found."),
            arm_case("profiles on an undelegated subnet", "PUT", &env, 400, "ManagedEnvironmentSubnetDelegationError")
                .with_body(env_body("plain", true))
                .message_contains("must be delegated to the service 'Microsoft.App/environments'"),
            arm_case("profiles on a /28", "PUT", &env, 400, invalid)
                .with_body(env_body("small", true))
                .message_contains("at least /27"),
            arm_case("consumption only on a /28", "PUT", &env, 400, invalid)
                .with_body(env_body("small", false))
                .message_contains("at least /23"),
            arm_case("internal with workload profiles", "PUT", &env, 201, "").with_body(env_body("aca", true)),
            arm_case("Foundry account injected into the agent subnet", "PUT",
                format!("{}?api-version=2025-06-01", account("aif")), 201, "")
                .with_body(json!({"location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"},
                    "properties": {"customSubDomainName": "aif", "allowProjectManagement": true,
                        "networkInjections": [{"scenario": "agent", "subnetArmId": subnet("agent"), "useMicrosoftManagedNetwork": false}]}})),
            arm_case("subnet held by the environment", "DELETE", format!("{}?{API}", subnet("aca")), 400, "InUseSubnetCannotBeDeleted")
                .message_contains("serviceAssociationLinks/legionservicelink"),
            arm_case("subnet held by the account", "DELETE", format!("{}?{API}", subnet("agent")), 400, "InUseSubnetCannotBeDeleted"),
        ],
    )
    .await;
    let links = |r: &R| r.json()["properties"]["serviceAssociationLinks"].clone();
    let got = c
        .arm(&tok, "GET", &format!("{}?{API}", subnet("aca")), None)
        .await;
    assert_eq!(got.status, 200);
    let env_id = env.split('?').next().unwrap_or_default();
    assert_eq!(links(&got)[0]["properties"]["link"], json!(env_id));
    assert_eq!(
        links(&got)[0]["properties"]["linkedResourceType"],
        json!("Microsoft.App/environments")
    );
    let gone = c.arm(&tok, "DELETE", &env, None).await;
    assert!(gone.status < 300, "environment delete: {}", gone.status);
    // The link outlives the environment for the release delay (default 5 s of the clock).
    let still = c
        .arm(&tok, "GET", &format!("{}?{API}", subnet("aca")), None)
        .await;
    assert_eq!(links(&still)[0]["properties"]["link"], json!(env_id));
    run_arm_cases(
        &c,
        &tok,
        [arm_case(
            "subnet right after the environment",
            "DELETE",
            format!("{}?{API}", subnet("aca")),
            400,
            "InUseSubnetCannotBeDeleted",
        )],
    )
    .await;
    emu.advance_clock(Duration::from_secs(6));
    let after = c
        .arm(&tok, "GET", &format!("{}?{API}", subnet("aca")), None)
        .await;
    assert!(links(&after).is_null(), "{}", after.json());
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "subnet after the release delay",
                "DELETE",
                format!("{}?{API}", subnet("aca")),
                202,
                "",
            ),
            arm_case(
                "agent subnet still held",
                "DELETE",
                format!("{}?{API}", subnet("agent")),
                400,
                "InUseSubnetCannotBeDeleted",
            ),
        ],
    )
    .await;
    drop(emu);
}

/// Private endpoints to the Foundry account (`account`), Cosmos DB (`Sql`) and a Container
/// Apps environment (`managedEnvironments`) are accepted with those group IDs.
#[tokio::test]
async fn private_endpoints_to_foundry_services() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    let vnet = format!(
        "{}/providers/Microsoft.Network/virtualNetworks/pe",
        rg("foundry")
    );
    let pe = |name: &str, target: String, group: &str| {
        arm_case(
            format!("endpoint {group}"),
            "PUT",
            format!(
                "{}/providers/Microsoft.Network/privateEndpoints/{name}?{API}",
                rg("foundry")
            ),
            201,
            "",
        )
        .with_body(json!({"location": "westeurope", "properties": {
            "subnet": {"id": format!("{vnet}/subnets/pe")},
            "privateLinkServiceConnections": [{"name": name, "properties": {
                "privateLinkServiceId": target, "groupIds": [group]}}]}}))
    };
    let p = |rel: &str| format!("{}/providers/{rel}", rg("foundry"));
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("vNet", "PUT", format!("{vnet}?{API}"), 201, "").with_body(json!({
                "location": "westeurope",
                "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]},
                    "subnets": [{"name": "pe", "properties": {"addressPrefix": "10.9.0.0/24"}}]}})),
            pe(
                "pe-aif",
                p("Microsoft.CognitiveServices/accounts/aif"),
                "account",
            ),
            pe(
                "pe-cdb",
                p("Microsoft.DocumentDB/databaseAccounts/cdb"),
                "Sql",
            ),
            pe(
                "pe-cae",
                p("Microsoft.App/managedEnvironments/cae"),
                "managedEnvironments",
            ),
        ],
    )
    .await;
    drop(emu);
}

/// The Agent service's account capability host with `customerSubnet` holds the subnet
/// through a service association link until the release delay after its delete has passed.
#[tokio::test]
async fn capability_host_subnet_link_lifecycle() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    put_account(&c, &tok).await;
    let vnet = format!(
        "{}/providers/Microsoft.Network/virtualNetworks/agents",
        rg("foundry")
    );
    let agent = format!("{vnet}/subnets/agent");
    let host = format!(
        "{}/capabilityHosts/agents?api-version=2025-06-01",
        account("aif")
    );
    let del_subnet = format!("{agent}?{API}");
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("vNet", "PUT", format!("{vnet}?{API}"), 201, "").with_body(json!({
                "location": "westeurope",
                "properties": {"addressSpace": {"addressPrefixes": ["192.168.0.0/16"]},
                    "subnets": [{"name": "agent", "properties": {"addressPrefix": "192.168.0.0/24",
                        "delegations": [{"name": "d", "properties": {"serviceName": "Microsoft.App/environments"}}]}}]}})),
            arm_case("capability host", "PUT", &host, 201, "")
                .with_body(json!({"properties": {"capabilityHostKind": "Agents", "customerSubnet": agent}})),
            arm_case("subnet while the host exists", "DELETE", &del_subnet, 400, "InUseSubnetCannotBeDeleted"),
            arm_case("host delete", "DELETE", &host, 202, ""),
            arm_case("subnet right after the host", "DELETE", &del_subnet, 400, "InUseSubnetCannotBeDeleted"),
        ],
    )
    .await;
    emu.advance_clock(Duration::from_secs(6));
    run_arm_cases(
        &c,
        &tok,
        [arm_case(
            "subnet after the release delay",
            "DELETE",
            &del_subnet,
            202,
            "",
        )],
    )
    .await;
    drop(emu);
}

/// Capability hosts as Azure has them: an account written with agent network injection gets
/// the resource provider's own (`{account}@aml_aiagentservice`) and refuses a second
/// (409 `Conflict`, Microsoft's wording); one per project too; an existing host's
/// configuration cannot change (409), while the same PUT again is accepted.
#[tokio::test]
async fn capability_hosts_one_per_scope_and_azures_own_with_injection() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    let vnet = format!(
        "{}/providers/Microsoft.Network/virtualNetworks/agents",
        rg("foundry")
    );
    let agent = format!("{vnet}/subnets/agent");
    let api = "api-version=2025-06-01";
    let acct = account("aifi");
    let azure_host = format!("{acct}/capabilityHosts/aifi@aml_aiagentservice?{api}");
    let project = format!("{acct}/projects/p1?{api}");
    let project_host = |n: &str| format!("{acct}/projects/p1/capabilityHosts/{n}?{api}");
    let agents = json!({"properties": {"capabilityHostKind": "Agents",
        "vectorStoreConnections": ["search"], "storageConnections": ["storage"], "threadStorageConnections": ["cosmos"]}});
    let mut changed = agents.clone();
    changed["properties"]["vectorStoreConnections"] = json!(["other"]);
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("vNet", "PUT", format!("{vnet}?{API}"), 201, "").with_body(json!({
                "location": "westeurope",
                "properties": {"addressSpace": {"addressPrefixes": ["192.168.0.0/16"]},
                    "subnets": [{"name": "agent", "properties": {"addressPrefix": "192.168.0.0/23",
                        "delegations": [{"name": "d", "properties": {"serviceName": "Microsoft.App/environments"}}]}}]}})),
            arm_case("account with agent injection", "PUT", format!("{acct}?{api}"), 201, "").with_body(json!({
                "location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"},
                "properties": {"customSubDomainName": "aifi", "allowProjectManagement": true,
                    "networkInjections": [{"scenario": "agent", "subnetArmId": agent, "useMicrosoftManagedNetwork": false}]}})),
            arm_case("Azure's own account capability host", "GET", &azure_host, 200, ""),
            arm_case("a second account capability host", "PUT",
                format!("{acct}/capabilityHosts/caphost-mine?{api}"), 409, "Conflict")
                .with_body(json!({"properties": {"capabilityHostKind": "Agents"}})),
            arm_case("project", "PUT", &project, 201, "").with_body(json!({
                "location": "westeurope", "identity": {"type": "SystemAssigned"}, "properties": {}})),
            arm_case("project capability host", "PUT", project_host("h1"), 201, "").with_body(agents.clone()),
            arm_case("the same again", "PUT", project_host("h1"), 200, "").with_body(agents.clone()),
            arm_case("changed in place", "PUT", project_host("h1"), 409, "Conflict").with_body(changed),
            arm_case("a second project capability host", "PUT", project_host("h2"), 409, "Conflict").with_body(agents),
        ],
    )
    .await;
    assert_eq!(r[2].json()["properties"]["customerSubnet"], json!(agent));
    let msg = r[3].json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        msg.contains("existing Capability Host with name: aifi@aml_aiagentservice")
            && msg.contains("caphost-mine"),
        "{msg}"
    );
    drop(emu);
}
