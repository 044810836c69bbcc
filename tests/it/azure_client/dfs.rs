//! The DFS (Data Lake) client: filesystems, directories and ACLs.

use super::*;

#[tokio::test]
async fn dfs_filesystem_directory_and_acls() {
    let batches = Arc::new(AtomicUsize::new(0));
    let b = batches.clone();
    let m = Mock::start(move |r: &Req| {
        if !r.path.starts_with("/dfs/") {
            return None;
        }
        assert_eq!(r.h("x-ms-version"), Some("2021-06-08"));
        let action = r.q("action").or(r.q("resource")).unwrap_or_default().to_string();
        Some(match (r.method.as_str(), r.path.as_str(), action.as_str()) {
            ("PUT", "/dfs/acct/lake", "filesystem") => Resp::empty(201),
            ("PUT", "/dfs/acct/existing", "filesystem") => Resp::error(409, "FilesystemAlreadyExists", "The specified filesystem already exists.").with("x-ms-error-code", "FilesystemAlreadyExists"),
            ("PUT", "/dfs/acct/lake/projects/p1", "directory") => {
                assert_eq!(r.h("if-none-match"), Some("*"));
                assert_eq!(r.h("x-ms-permissions"), Some("rwxr-x---"));
                Resp::empty(201)
            }
            ("PUT", "/dfs/acct/lake/projects/p2", "directory") => {
                Resp::json(409, json!({"error":{"code":"PathAlreadyExists","message":"The specified path already exists."}}))
            }
            ("HEAD", "/dfs/acct/lake/projects/p1", "getAccessControl") => Resp::empty(200)
                .with("x-ms-owner", "$superuser")
                .with("x-ms-group", "$superuser")
                .with("x-ms-permissions", "rwxr-x---+")
                .with("x-ms-acl", "user::rwx,user:aaaa:r-x,group::r-x,mask::r-x,other::---")
                .with("x-ms-resource-type", "directory"),
            ("PATCH", "/dfs/acct/lake/projects/p1", "setAccessControl") => {
                assert_eq!(r.h("x-ms-acl"), Some("user::rwx,user:aaaa:rwx,group::r-x,mask::r-x,other::---,group:bbbb:r-x"));
                Resp::empty(200)
            }
            ("PATCH", "/dfs/acct/lake/projects", "setAccessControlRecursive") => {
                let n = b.fetch_add(1, Ordering::SeqCst);
                assert_eq!(r.q("mode"), Some(if n < 3 { "modify" } else { "remove" }));
                let expected_cont = match n {
                    1 => Some("c/1+="),
                    2 => Some("c2"),
                    _ => None,
                };
                assert_eq!(r.q("continuation"), expected_cont, "batch {n}");
                let body = json!({"directoriesSuccessful": 2, "filesSuccessful": 10, "failureCount": if n == 1 { 1 } else { 0 },
                    "failedEntries": if n == 1 { json!([{"name":"projects/p1/locked.csv","type":"FILE","errorMessage":"This request is not authorized"}]) } else { json!([]) }});
                let resp = Resp::json(200, body);
                match n {
                    0 => resp.with("x-ms-continuation", "c/1+="),
                    1 => resp.with("x-ms-continuation", "c2"),
                    _ => resp,
                }
            }
            _ => Resp::error(404, "PathNotFound", "The specified path does not exist.")
                .with("x-ms-error-code", "PathNotFound"),
        })
    })
    .await;
    let c = client(&settings(&m));
    let ctx = Ctx::background();
    let dfs = c.dfs("acct").expect("dfs");
    assert_eq!(
        dfs.create_filesystem(&ctx, "lake").await.expect("fs"),
        Created::Created
    );
    assert_eq!(
        dfs.create_filesystem(&ctx, "existing")
            .await
            .expect("fs again"),
        Created::AlreadyExisted
    );
    let opts = DirectoryOptions {
        permissions: Some("rwxr-x---".into()),
        ..Default::default()
    };
    assert_eq!(
        dfs.create_directory(&ctx, "lake", "projects/p1", &opts)
            .await
            .expect("dir"),
        Created::Created
    );
    assert_eq!(
        dfs.create_directory(&ctx, "lake", "projects/p2", &DirectoryOptions::default())
            .await
            .expect("dir exists"),
        Created::AlreadyExisted
    );
    let ac = dfs
        .get_access_control(&ctx, "lake", "projects/p1")
        .await
        .expect("get acl");
    assert_eq!(ac.owner.as_deref(), Some("$superuser"));
    assert_eq!(ac.resource_type.as_deref(), Some("directory"));
    let merged = ac.acl.merged(&[
        AclEntry::new(false, AclType::User, "aaaa", Perms::ALL),
        AclEntry::new(
            false,
            AclType::Group,
            "bbbb",
            Perms::parse("r-x").expect("perms"),
        ),
    ]);
    dfs.set_access_control(
        &ctx,
        "lake",
        "projects/p1",
        &SetAccessControl {
            acl: Some(merged),
            ..Default::default()
        },
    )
    .await
    .expect("set acl");
    let entries: Acl = "default:group:bbbb:r-x,group:bbbb:r-x"
        .parse()
        .expect("acl");
    let out = dfs
        .modify_acl_recursive(
            &ctx,
            "lake",
            "projects",
            &entries,
            RecursiveOptions {
                max_records: Some(100),
                force: true,
            },
        )
        .await
        .expect("recursive");
    assert_eq!(out.batches, 3);
    assert_eq!(out.directories_successful, 6);
    assert_eq!(out.files_successful, 30);
    assert_eq!(out.failure_count, 1);
    assert_eq!(out.failed_entries[0].name, "projects/p1/locked.csv");
    let out = dfs
        .remove_acl_recursive(
            &ctx,
            "lake",
            "projects",
            &[AclKey::group("bbbb"), AclKey::group("bbbb").as_default()],
            RecursiveOptions::default(),
        )
        .await
        .expect("remove");
    assert_eq!(out.batches, 1);
    let removal = m
        .journal()
        .into_iter()
        .rfind(|r| r.q("mode") == Some("remove"))
        .expect("remove request");
    assert_eq!(removal.h("x-ms-acl"), Some("group:bbbb,default:group:bbbb"));
    let err = dfs
        .get_access_control(&ctx, "lake", "missing")
        .await
        .expect_err("404");
    assert!(err.is_not_found());
    assert_eq!(err.code(), Some("PathNotFound"));
    // Storage-scoped tokens, separate from the ARM one.
    let scopes: Vec<String> = m
        .journal()
        .iter()
        .filter(|r| r.is_token())
        .filter_map(|r| r.form().get("scope").cloned())
        .collect();
    assert_eq!(scopes, ["https://storage.azure.com/.default"]);
    assert_eq!(RecursiveMode::Set, RecursiveMode::Set);
}
