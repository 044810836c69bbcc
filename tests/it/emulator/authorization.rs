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
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "assignment name not a GUID",
                "PUT",
                ra_path(&scope, "not-a-guid"),
                400,
                "InvalidRoleAssignmentId",
            )
            .with_body(ra_body(READER, user, None)),
            arm_case(
                "unknown role definition",
                "PUT",
                ra_path(&scope, g1),
                400,
                "RoleDefinitionDoesNotExist",
            )
            .with_body(ra_body("00000000-1111-4111-8111-111111111111", user, None)),
        ],
    )
    .await;
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g1),
            Some(ra_body(READER, user, None)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json();
    assert_eq!(j["type"], "Microsoft.Authorization/roleAssignments");
    assert_eq!(j["properties"]["principalType"], "User");
    assert_eq!(j["properties"]["scope"], scope);
    assert!(j["properties"]["roleDefinitionId"]
        .as_str()
        .unwrap()
        .ends_with(READER));
    assert_eq!(
        c.arm(
            &tok,
            "PUT",
            &ra_path(&scope, g1),
            Some(ra_body(READER, user, None))
        )
        .await
        .status,
        200
    );
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "same role and principal under another name",
                "PUT",
                ra_path(&scope, g2),
                409,
                "RoleAssignmentExists",
            )
            .with_body(ra_body(READER, user, None)),
            arm_case(
                "role of an existing assignment changed",
                "PUT",
                ra_path(&scope, g1),
                400,
                "RoleAssignmentUpdateNotPermitted",
            )
            .with_body(ra_body(CONTRIB, user, None)),
            arm_case(
                "principalType that does not match the principal",
                "PUT",
                ra_path(&scope, g2),
                400,
                "UnmatchedPrincipalType",
            )
            .with_body(ra_body(READER, user, Some("ServicePrincipal"))),
        ],
    )
    .await;
    // Replication delay for the "new" principal.
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g2),
            Some(ra_body(READER, fresh, None)),
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "PrincipalNotFound"));
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("replication delay"));
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g2),
            Some(ra_body(READER, fresh, Some("ServicePrincipal"))),
        )
        .await;
    assert_eq!(r.status, 201);
    let g3 = "0a0a0a0a-0000-4000-8000-000000000003";
    emu.advance_clock(Duration::from_secs(31));
    let tok = c.token(ARM_SCOPE).await;
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, g3),
            Some(ra_body(CONTRIB, fresh, None)),
        )
        .await;
    assert_eq!(
        r.status,
        201,
        "after the window: {}",
        String::from_utf8_lossy(&r.body)
    );
    // Unknown principal without principalType.
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&scope, "0a0a0a0a-0000-4000-8000-000000000004"),
            Some(ra_body(
                READER,
                "12121212-1212-4212-8212-121212121212",
                None,
            )),
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "PrincipalNotFound"));
    // Subscription-scope assignment, then lists.
    let sub_scope = format!("/subscriptions/{S}");
    assert_eq!(
        c.arm(
            &tok,
            "PUT",
            &ra_path(&sub_scope, "0a0a0a0a-0000-4000-8000-000000000005"),
            Some(ra_body(READER, fresh, None))
        )
        .await
        .status,
        201
    );
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
    // Role definitions.
    let r = c.arm(&tok, "GET", &format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{READER}?api-version=2022-04-01"), None).await;
    assert_eq!(r.json()["properties"]["roleName"], "Reader");
    let r = c.arm(&tok, "GET", &format!("/subscriptions/{S}/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01&$filter=roleName%20eq%20'Storage%20Blob%20Data%20Owner'"), None).await;
    assert_eq!(
        r.json()["value"][0]["name"],
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
    );
    let r = c.arm(&tok, "GET", &format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/00000000-1111-4111-8111-111111111111?api-version=2022-04-01"), None).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "RoleDefinitionDoesNotExist")
    );
    // Delete 200 then 204; RG delete cascades assignments.
    assert_eq!(
        c.arm(&tok, "DELETE", &ra_path(&scope, g1), None)
            .await
            .status,
        200
    );
    assert_eq!(
        c.arm(&tok, "DELETE", &ra_path(&scope, g1), None)
            .await
            .status,
        204
    );
    drop(emu);
}
