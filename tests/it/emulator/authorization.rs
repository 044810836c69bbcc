//! Authorization semantics: role assignment rules.

use super::*;
use aifactory_emulator::PrincipalKind;
use serde_json::{json, Value};
use std::time::Duration;

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIB: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";

pub(super) fn ra_path(scope: &str, name: &str) -> String {
    format!(
        "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version=2022-04-01"
    )
}

pub(super) fn ra_body(role: &str, principal: &str, ptype: Option<&str>) -> Value {
    let mut p = json!({"roleDefinitionId": format!("/subscriptions/{S}/providers/Microsoft.Authorization/roleDefinitions/{role}"), "principalId": principal});
    if let Some(t) = ptype {
        p["principalType"] = json!(t);
    }
    json!({ "properties": p })
}

#[tokio::test]
async fn role_assignments_rules() {
    let user = "88888888-8888-4888-8888-888888888888";
    let fresh = "99999999-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
    let cfg = config()
        .with_object(PrincipalKind::User, user)
        .with_principal(aifactory_emulator::PrincipalSeed {
            kind: PrincipalKind::ServicePrincipal,
            object_id: Some(fresh.into()),
            new_for_secs: Some(30),
            ..Default::default()
        });
    let (emu, c) = start(cfg).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "authz").await;
    let scope = rg("authz");
    let g1 = "0a0a0a0a-0000-4000-8000-000000000001";
    let g2 = "0a0a0a0a-0000-4000-8000-000000000002";
    let put = |name: &'static str, assignment: &str, status, code, body| {
        arm_case(name, "PUT", ra_path(&scope, assignment), status, code).with_body(body)
    };
    let r = run_arm_cases(
        &c,
        &tok,
        [
            put(
                "assignment name not a GUID",
                "not-a-guid",
                400,
                "InvalidRoleAssignmentId",
                ra_body(READER, user, None),
            ),
            put(
                "unknown role definition",
                g1,
                400,
                "RoleDefinitionDoesNotExist",
                ra_body("00000000-1111-4111-8111-111111111111", user, None),
            ),
            put("create", g1, 201, "", ra_body(READER, user, None)),
            put(
                "the same PUT again",
                g1,
                200,
                "",
                ra_body(READER, user, None),
            ),
            put(
                "same role and principal under another name",
                g2,
                409,
                "RoleAssignmentExists",
                ra_body(READER, user, None),
            ),
            put(
                "role of an existing assignment changed",
                g1,
                400,
                "RoleAssignmentUpdateNotPermitted",
                ra_body(CONTRIB, user, None),
            ),
            put(
                "principalType that does not match the principal",
                g2,
                400,
                "UnmatchedPrincipalType",
                ra_body(READER, user, Some("ServicePrincipal")),
            ),
            // Replication delay for the "new" principal, unless principalType is sent.
            put(
                "a principal still replicating",
                g2,
                400,
                "PrincipalNotFound",
                ra_body(READER, fresh, None),
            )
            .message_contains("replication delay"),
            put(
                "a replicating principal with principalType",
                g2,
                201,
                "",
                ra_body(READER, fresh, Some("ServicePrincipal")),
            ),
        ],
    )
    .await;
    let j = r[2].json();
    assert_eq!(j["type"], "Microsoft.Authorization/roleAssignments");
    assert_eq!(j["properties"]["principalType"], "User");
    assert_eq!(j["properties"]["scope"], scope);
    assert!(j["properties"]["roleDefinitionId"]
        .as_str()
        .unwrap()
        .ends_with(READER));
    let g3 = "0a0a0a0a-0000-4000-8000-000000000003";
    emu.advance_clock(Duration::from_secs(31));
    let tok = c.token(ARM_SCOPE).await;
    let sub_scope = format!("/subscriptions/{S}");
    run_arm_cases(
        &c,
        &tok,
        [
            put(
                "the principal after the replication window",
                g3,
                201,
                "",
                ra_body(CONTRIB, fresh, None),
            ),
            put(
                "an unknown principal without principalType",
                "0a0a0a0a-0000-4000-8000-000000000004",
                400,
                "PrincipalNotFound",
                ra_body(READER, "12121212-1212-4212-8212-121212121212", None),
            ),
            arm_case(
                "subscription-scope assignment",
                "PUT",
                ra_path(&sub_scope, "0a0a0a0a-0000-4000-8000-000000000005"),
                201,
                "",
            )
            .with_body(ra_body(READER, fresh, None)),
        ],
    )
    .await;
    let list = |filter: &str, scope: &str| {
        let c = c.clone();
        let tok = tok.clone();
        let p = format!("{scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter={}", aifactory_emulator::util::pct_encode(filter));
        async move {
            c.arm(&tok, "GET", &p, None).await.json()["value"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(list(&format!("principalId eq '{fresh}'"), &scope).await, 3);
    assert_eq!(list(&format!("principalId eq '{user}'"), &scope).await, 1);
    assert_eq!(list("atScope()", &sub_scope).await, 1);
    assert_eq!(list("atScope()", &scope).await, 4);
    assert_eq!(
        list(
            &format!("atScope() and principalId eq '{user}'"),
            &sub_scope
        )
        .await,
        0
    );
    // Role definitions; delete 200 then 204.
    let defs =
        |rest: &str| format!("{scope}/providers/Microsoft.Authorization/roleDefinitions{rest}");
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("Reader by GUID", "GET", defs(&format!("/{READER}?api-version=2022-04-01")), 200, ""),
            arm_case("by roleName", "GET", format!("/subscriptions/{S}/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01&$filter=roleName%20eq%20'Storage%20Blob%20Data%20Owner'"), 200, ""),
            arm_case("an unknown role definition", "GET", defs("/00000000-1111-4111-8111-111111111111?api-version=2022-04-01"), 404, "RoleDefinitionDoesNotExist"),
            arm_case("DELETE", "DELETE", ra_path(&scope, g1), 200, ""),
            arm_case("DELETE again", "DELETE", ra_path(&scope, g1), 204, ""),
        ],
    )
    .await;
    assert_eq!(r[0].json()["properties"]["roleName"], "Reader");
    assert_eq!(
        r[1].json()["value"][0]["name"],
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
    );
    drop(emu);
}

/// Azure's 4,000 role assignments per subscription (lowered here to 2): assignments at
/// subscription and resource-group scope count, a create beyond the limit answers 400
/// `RoleAssignmentLimitExceeded`, the same PUT of an existing assignment still passes,
/// and a delete makes room again.
#[tokio::test]
async fn role_assignment_limit_per_subscription() {
    let users = [
        "88888888-8888-4888-8888-000000000001",
        "88888888-8888-4888-8888-000000000002",
        "88888888-8888-4888-8888-000000000003",
    ];
    let cfg = users
        .iter()
        .fold(config(), |c, u| c.with_object(PrincipalKind::User, u));
    let (emu, c) = start(cfg).await;
    emu.update_settings(|s| s.role_assignment_limit = 2);
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "limits").await;
    let rg_scope = rg("limits");
    let sub_scope = format!("/subscriptions/{S}");
    let g = |n: u32| format!("0b0b0b0b-0000-4000-8000-{n:012}");
    let case = |name: &'static str,
                method: &'static str,
                scope: &str,
                n: u32,
                user: &str,
                status,
                code| {
        let c = arm_case(name, method, ra_path(scope, &g(n)), status, code);
        if method == "PUT" {
            c.with_body(ra_body(READER, user, None))
        } else {
            c
        }
    };
    run_arm_cases(
        &c,
        &tok,
        [
            case(
                "first, at resource group scope",
                "PUT",
                &rg_scope,
                1,
                users[0],
                201,
                "",
            ),
            case(
                "second, at subscription scope",
                "PUT",
                &sub_scope,
                2,
                users[1],
                201,
                "",
            ),
            case(
                "third: over the limit",
                "PUT",
                &rg_scope,
                3,
                users[2],
                400,
                "RoleAssignmentLimitExceeded",
            )
            .message_contains("No more role assignments can be created"),
            case(
                "an existing assignment PUT again",
                "PUT",
                &rg_scope,
                1,
                users[0],
                200,
                "",
            ),
            case(
                "a delete makes room",
                "DELETE",
                &sub_scope,
                2,
                users[1],
                200,
                "",
            ),
            case(
                "third, now within the limit",
                "PUT",
                &rg_scope,
                3,
                users[2],
                201,
                "",
            ),
        ],
    )
    .await;
}
