//! Data Lake (DFS) semantics: filesystems, directories, ACLs (also recursive, with
//! continuation) and RBAC on the data plane.

use super::*;
use aifactory_emulator::RunningEmulator;
use serde_json::json;

const OID_A: &str = "abababab-abab-4bab-8bab-abababababab";

pub(super) async fn dfs_setup(c: &Client, emu: &RunningEmulator) -> (String, String) {
    let tok = c.token(ARM_SCOPE).await;
    put_rg(c, &tok, "data").await;
    let account = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/stdata1?api-version=2023-05-01",
        rg("data")
    );
    // Create is long-running: 202 without a body, then the account is there.
    let r = run_arm_cases(
        c,
        &tok,
        [
            arm_case("storage account", "PUT", &account, 202, "")
                .with_body(json!({"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "properties": {"isHnsEnabled": true}}))
                .expect_header("location"),
            arm_case("the new storage account", "GET", &account, 200, ""),
        ],
    )
    .await;
    let r = &r[1];
    let dfs = r.json()["properties"]["primaryEndpoints"]["dfs"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        dfs,
        format!(
            "{}/",
            emu.info()
                .dfs_endpoint_template
                .replace("{account}", "stdata1")
        )
    );
    (
        c.token(STORAGE_SCOPE).await,
        path_of(dfs.trim_end_matches('/')),
    )
}

pub(super) async fn dfs(
    c: &Client,
    tok: &str,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
) -> R {
    let auth = format!("Bearer {tok}");
    let mut h = vec![
        ("authorization", auth.as_str()),
        ("x-ms-version", "2021-06-08"),
    ];
    h.extend_from_slice(extra);
    c.send(method, path, &h, None).await
}

/// A DFS [`ArmCase`]: bearer-authenticated, with `x-ms-version`.
pub(super) fn dfs_case(
    name: impl Into<String>,
    method: &'static str,
    path: impl Into<String>,
    status: u16,
    code: &'static str,
) -> ArmCase {
    arm_case(name, method, path, status, code).with_header("x-ms-version", "2021-06-08")
}

fn err_code(r: &R) -> String {
    r.h("x-ms-error-code").unwrap_or_default()
}

#[tokio::test]
async fn dfs_filesystems_directories_and_acls() {
    let (emu, c) = start(config()).await;
    let (st, base) = dfs_setup(&c, &emu).await;
    let me = emu.principal(APP).unwrap().object_id;
    // Auth and version.
    let r = c
        .send(
            "PUT",
            &format!("{base}/fs1?resource=filesystem"),
            &[("x-ms-version", "2021-06-08")],
            None,
        )
        .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (401, "NoAuthenticationInformation")
    );
    assert!(r
        .h("www-authenticate")
        .unwrap()
        .contains("resource_id=https://storage.azure.com"));
    let arm_tok = c.token(ARM_SCOPE).await;
    let r = dfs(
        &c,
        &arm_tok,
        "PUT",
        &format!("{base}/fs1?resource=filesystem"),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (401, "InvalidAuthenticationInfo")
    );
    let r = c
        .send(
            "PUT",
            &format!("{base}/fs1?resource=filesystem"),
            &[("authorization", &format!("Bearer {st}"))],
            None,
        )
        .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (400, "MissingRequiredHeader")
    );
    assert_eq!(r.json()["error"]["code"], "MissingRequiredHeader");
    let r = dfs(
        &c,
        &st,
        "PUT",
        "/dfs/nosuchacct/fs1?resource=filesystem",
        &[],
    )
    .await;
    assert_eq!(r.status, 404);
    // Filesystem.
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/fs1?resource=filesystem"),
        &[],
    )
    .await;
    assert_eq!(r.status, 201);
    assert!(r.h("etag").is_some() && r.h("x-ms-request-id").is_some());
    assert_eq!(r.h("x-ms-version").as_deref(), Some("2021-06-08"));
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/fs1?resource=filesystem"),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (409, "FilesystemAlreadyExists")
    );
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/Bad_Name?resource=filesystem"),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (400, "InvalidResourceName")
    );
    // Directories: idempotent, If-None-Match: *.
    assert_eq!(
        dfs(
            &c,
            &st,
            "PUT",
            &format!("{base}/fs1/raw/in?resource=directory"),
            &[]
        )
        .await
        .status,
        201
    );
    assert_eq!(
        dfs(
            &c,
            &st,
            "PUT",
            &format!("{base}/fs1/raw/in?resource=directory"),
            &[]
        )
        .await
        .status,
        201
    );
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/fs1/raw/in?resource=directory"),
        &[("if-none-match", "*")],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (409, "PathAlreadyExists")
    );
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/missing/x?resource=directory"),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (404, "FilesystemNotFound")
    );
    // getAccessControl on the new directory (umask 0027 -> rwxr-x---).
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/fs1/raw/in?action=getAccessControl"),
        &[],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.h("x-ms-owner").as_deref(), Some(me.as_str()));
    assert_eq!(
        r.h("x-ms-group").as_deref(),
        Some(me.as_str()),
        "group copied from the root, created via OAuth"
    );
    assert_eq!(r.h("x-ms-permissions").as_deref(), Some("rwxr-x---"));
    assert_eq!(
        r.h("x-ms-acl").as_deref(),
        Some("user::rwx,group::r-x,other::---")
    );
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/fs1/nope?action=getAccessControl"),
        &[],
    )
    .await;
    assert_eq!((r.status, err_code(&r).as_str()), (404, "PathNotFound"));
    assert!(r.body.is_empty());
    // setAccessControl.
    let acl = format!("user::rwx,user:{OID_A}:r-x,group::r-x,other::---,default:user:{OID_A}:r-x");
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/fs1/raw?action=setAccessControl"),
        &[("x-ms-acl", &acl)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/fs1/raw?action=getAccessControl"),
        &[],
    )
    .await;
    let got = r.h("x-ms-acl").unwrap();
    assert!(got.starts_with(&format!("user::rwx,user:{OID_A}:r-x,group::r-x,mask::r-x,other::---,default:user::rwx,default:user:{OID_A}:r-x")), "{got}");
    assert_eq!(r.h("x-ms-permissions").as_deref(), Some("rwxr-x---+"));
    // New children inherit the default ACL.
    dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/fs1/raw/new?resource=directory"),
        &[],
    )
    .await;
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/fs1/raw/new?action=getAccessControl"),
        &[],
    )
    .await;
    assert!(r
        .h("x-ms-acl")
        .unwrap()
        .contains(&format!("user:{OID_A}:r-x")));
    // Grammar errors.
    for bad in [
        "user::rwx,group::r-x",
        "user:nope:rwx,user::rwx,group::r-x,other::---",
        "user::rwz,group::r-x,other::---",
        "owner::rwx",
        "",
    ] {
        let r = dfs(
            &c,
            &st,
            "PATCH",
            &format!("{base}/fs1/raw?action=setAccessControl"),
            &[("x-ms-acl", bad)],
        )
        .await;
        assert_eq!(
            (r.status, err_code(&r).as_str()),
            (400, "InvalidAccessControlList"),
            "{bad}"
        );
    }
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/fs1/raw?action=setAccessControl"),
        &[
            ("x-ms-acl", "user::rwx,group::r-x,other::---"),
            ("x-ms-permissions", "0750"),
        ],
    )
    .await;
    assert_eq!(r.status, 400);
    // Listing.
    let r = dfs(
        &c,
        &st,
        "GET",
        &format!("{base}/fs1?resource=filesystem&recursive=true"),
        &[],
    )
    .await;
    let names: Vec<String> = r.json()["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["raw", "raw/in", "raw/new"]);
    // Delete: non-empty needs recursive.
    let r = dfs(&c, &st, "DELETE", &format!("{base}/fs1/raw"), &[]).await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (409, "DirectoryNotEmpty")
    );
    assert_eq!(
        dfs(
            &c,
            &st,
            "DELETE",
            &format!("{base}/fs1/raw?recursive=true"),
            &[]
        )
        .await
        .status,
        200
    );
    assert_eq!(
        dfs(
            &c,
            &st,
            "DELETE",
            &format!("{base}/fs1?resource=filesystem"),
            &[]
        )
        .await
        .status,
        202
    );
    drop(emu);
}

#[tokio::test]
async fn dfs_set_access_control_recursive_with_continuation() {
    let (emu, c) = start(config()).await;
    let (st, base) = dfs_setup(&c, &emu).await;
    assert_eq!(
        dfs(
            &c,
            &st,
            "PUT",
            &format!("{base}/fs?resource=filesystem"),
            &[]
        )
        .await
        .status,
        400,
        "names have 3..63 characters"
    );
    assert_eq!(
        dfs(
            &c,
            &st,
            "PUT",
            &format!("{base}/lake?resource=filesystem"),
            &[]
        )
        .await
        .status,
        201
    );
    for d in ["top/a", "top/b", "top/c/d"] {
        assert_eq!(
            dfs(
                &c,
                &st,
                "PUT",
                &format!("{base}/lake/{d}?resource=directory"),
                &[]
            )
            .await
            .status,
            201
        );
    }
    for f in ["top/f1", "top/c/f2"] {
        assert_eq!(
            dfs(
                &c,
                &st,
                "PUT",
                &format!("{base}/lake/{f}?resource=file"),
                &[]
            )
            .await
            .status,
            201
        );
    }
    // 7 entries: top, top/a, top/b, top/c, top/c/d, top/c/f2, top/f1.
    let acl = format!("user:{OID_A}:r-x,default:user:{OID_A}:r-x");
    let (mut dirs, mut files, mut calls) = (0, 0, 0);
    let mut cont: Option<String> = None;
    loop {
        let mut p =
            format!("{base}/lake/top?action=setAccessControlRecursive&mode=modify&maxRecords=3");
        if let Some(t) = &cont {
            p.push_str(&format!(
                "&continuation={}",
                aifactory_emulator::util::pct_encode(t)
            ));
        }
        let r = dfs(&c, &st, "PATCH", &p, &[("x-ms-acl", &acl)]).await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        calls += 1;
        let j = r.json();
        assert_eq!(j["failureCount"], 0);
        assert!(j["failedEntries"].as_array().unwrap().is_empty());
        dirs += j["directoriesSuccessful"].as_u64().unwrap();
        files += j["filesSuccessful"].as_u64().unwrap();
        cont = r.h("x-ms-continuation");
        if cont.is_none() {
            break;
        }
    }
    assert_eq!((dirs, files, calls), (5, 2, 3));
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/lake/top/c/f2?action=getAccessControl"),
        &[],
    )
    .await;
    let a = r.h("x-ms-acl").unwrap();
    assert!(
        a.contains(&format!("user:{OID_A}:r-x")) && !a.contains("default:"),
        "files get access entries only: {a}"
    );
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/lake/top/c/d?action=getAccessControl"),
        &[],
    )
    .await;
    assert!(r
        .h("x-ms-acl")
        .unwrap()
        .contains(&format!("default:user:{OID_A}:r-x")));
    // remove, then errors.
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/lake/top?action=setAccessControlRecursive&mode=remove"),
        &[("x-ms-acl", &format!("user:{OID_A},default:user:{OID_A}"))],
    )
    .await;
    assert_eq!(r.json()["directoriesSuccessful"], 5);
    let r = dfs(
        &c,
        &st,
        "HEAD",
        &format!("{base}/lake/top/c/d?action=getAccessControl"),
        &[],
    )
    .await;
    assert!(!r.h("x-ms-acl").unwrap().contains(OID_A));
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/lake/top?action=setAccessControlRecursive&mode=sideways"),
        &[("x-ms-acl", &acl)],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (400, "InvalidQueryParameterValue")
    );
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/lake/top?action=setAccessControlRecursive&mode=set"),
        &[("x-ms-acl", "user::rwx,bogus")],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (400, "InvalidAccessControlList")
    );
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/lake/top?action=setAccessControlRecursive&mode=set&maxRecords=0"),
        &[("x-ms-acl", "user::rwx,group::r-x,other::---")],
    )
    .await;
    assert_eq!(r.status, 400);
    let r = dfs(
        &c,
        &st,
        "PATCH",
        &format!("{base}/lake/top?action=setAccessControlRecursive&mode=set"),
        &[("x-ms-acl", "user::rwx,group::r-x,other::---")],
    )
    .await;
    assert_eq!(r.json()["directoriesSuccessful"], 5);
    drop(emu);
}

#[tokio::test]
async fn dfs_rbac_when_enabled() {
    let mut cfg = config();
    cfg.settings.dfs_rbac = true;
    let (emu, c) = start(cfg).await;
    let (st, base) = dfs_setup(&c, &emu).await;
    let r = dfs(
        &c,
        &st,
        "PUT",
        &format!("{base}/lake?resource=filesystem"),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, err_code(&r).as_str()),
        (403, "AuthorizationPermissionMismatch")
    );
    let tok = c.token(ARM_SCOPE).await;
    let me = emu.principal(APP).unwrap().object_id;
    let r = c
        .arm(
            &tok,
            "PUT",
            &ra_path(&rg("data"), "0b0b0b0b-0000-4000-8000-000000000001"),
            Some(ra_body(
                "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
                &me,
                Some("ServicePrincipal"),
            )),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        dfs(
            &c,
            &st,
            "PUT",
            &format!("{base}/lake?resource=filesystem"),
            &[]
        )
        .await
        .status,
        201
    );
    drop(emu);
}
