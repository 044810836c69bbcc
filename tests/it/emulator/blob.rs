//! Blob endpoint semantics for containers: create, properties, delete and list with the
//! Blob service's headers and XML errors, admission (token, version, RBAC), and containers
//! being the DFS endpoint's filesystems (either endpoint sees what the other made).

use super::*;
use aifactory_emulator::RunningEmulator;
use serde_json::json;

/// The `x-ms-version` a current Storage SDK sends; the Blob endpoint echoes it.
const VERSION: &str = "2025-01-05";

/// A Blob [`ArmCase`]: bearer-authenticated, with `x-ms-version`.
fn blob_case(
    name: impl Into<String>,
    method: &'static str,
    path: impl Into<String>,
    status: u16,
    code: &'static str,
) -> ArmCase {
    arm_case(name, method, path, status, code).with_header("x-ms-version", VERSION)
}

/// The account of `dfs_setup` (`stdata1`) on the Blob endpoint: (storage token, `/blob/stdata1`).
async fn blob_setup(c: &Client, emu: &RunningEmulator) -> (String, String) {
    let (st, dfs_base) = dfs_setup(c, emu).await;
    let arm = c.token(ARM_SCOPE).await;
    let account = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/stdata1?api-version=2025-06-01",
        rg("data")
    );
    let r = c.arm(&arm, "GET", &account, None).await;
    let blob = r.json()["properties"]["primaryEndpoints"]["blob"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        blob,
        format!(
            "{}/",
            emu.info()
                .blob_endpoint_template
                .replace("{account}", "stdata1")
        )
    );
    assert_eq!(dfs_base, "/dfs/stdata1");
    (st, path_of(blob.trim_end_matches('/')))
}

/// Every `<tag>` text of an XML document, in order.
fn xml_all(body: &[u8], tag: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    text.split(&open)
        .skip(1)
        .filter_map(|s| s.split(&close).next().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn blob_containers_create_properties_delete_and_errors() {
    let (emu, c) = start(config()).await;
    let (st, base) = blob_setup(&c, &emu).await;
    let arm = c.token(ARM_SCOPE).await;
    let container = |n: &str| format!("{base}/{n}?restype=container");
    // An account that forbids public access.
    let strict = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/ststrict?api-version=2025-06-01",
        rg("data")
    );
    run_arm_cases(
        &c,
        &arm,
        [arm_case("account without public access", "PUT", &strict, 202, "")
            .with_body(json!({"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "properties": {"allowBlobPublicAccess": false}}))],
    )
    .await;
    let storage_failed = "Server failed to authenticate the request.";
    let r = run_arm_cases(
        &c,
        &st,
        [
            // Admission.
            blob_case(
                "no Authorization header",
                "PUT",
                container("cont1"),
                401,
                "NoAuthenticationInformation",
            )
            .without_auth()
            .expect_header_prefix("www-authenticate", "Bearer authorization_uri=")
            .message_contains(storage_failed),
            blob_case(
                "an ARM token",
                "PUT",
                container("cont1"),
                401,
                "InvalidAuthenticationInfo",
            )
            .with_token(&arm)
            .message_contains(storage_failed),
            arm_case(
                "no x-ms-version",
                "PUT",
                container("cont1"),
                400,
                "MissingRequiredHeader",
            )
            .expect_header_eq("x-ms-header-name", "x-ms-version"),
            blob_case(
                "an account the ARM store does not have",
                "PUT",
                "/blob/nosuchacct/cont1?restype=container",
                404,
                "ResourceNotFound",
            ),
            // Create.
            blob_case("create", "PUT", container("cont1"), 201, "")
                .with_header("x-ms-client-request-id", "cid-1")
                .expect_header("etag")
                .expect_header("last-modified")
                .expect_header("x-ms-request-id")
                .expect_header_eq("x-ms-version", VERSION)
                .expect_header_eq("x-ms-client-request-id", "cid-1"),
            blob_case(
                "create again",
                "PUT",
                container("cont1"),
                409,
                "ContainerAlreadyExists",
            )
            .message_contains("The specified container already exists."),
            blob_case(
                "upper-case name",
                "PUT",
                container("Bad_Name"),
                400,
                "InvalidResourceName",
            ),
            blob_case(
                "double hyphen",
                "PUT",
                container("a--b"),
                400,
                "InvalidResourceName",
            ),
            blob_case(
                "two characters",
                "PUT",
                container("ab"),
                400,
                "OutOfRangeInput",
            ),
            blob_case(
                "metadata name not an identifier",
                "PUT",
                container("cont2"),
                400,
                "InvalidMetadata",
            )
            .with_header("x-ms-meta-1bad", "x"),
            blob_case(
                "unknown public access level",
                "PUT",
                container("cont2"),
                400,
                "InvalidHeaderValue",
            )
            .with_header("x-ms-blob-public-access", "everyone"),
            blob_case(
                "public access the account forbids",
                "PUT",
                "/blob/ststrict/cont2?restype=container",
                409,
                "PublicAccessNotPermitted",
            )
            .with_header("x-ms-blob-public-access", "blob"),
            blob_case(
                "create with metadata and public access",
                "PUT",
                container("cont2"),
                201,
                "",
            )
            .with_header("x-ms-meta-team", "data")
            .with_header("x-ms-blob-public-access", "blob"),
            // Properties.
            blob_case("properties", "GET", container("cont2"), 200, "")
                .expect_header_eq("x-ms-meta-team", "data")
                .expect_header_eq("x-ms-blob-public-access", "blob")
                .expect_header_eq("x-ms-lease-state", "available")
                .expect_header_eq("x-ms-lease-status", "unlocked")
                .expect_header_eq("x-ms-has-immutability-policy", "false")
                .expect_header_eq("x-ms-has-legal-hold", "false")
                .expect_header_eq("x-ms-default-encryption-scope", "$account-encryption-key")
                .expect_header("etag")
                .expect_header("last-modified"),
            blob_case("properties by HEAD", "HEAD", container("cont1"), 200, "")
                .expect_header("etag"),
            blob_case(
                "properties of a missing container",
                "GET",
                container("nope"),
                404,
                "ContainerNotFound",
            )
            .message_contains("The specified container does not exist."),
            blob_case(
                "HEAD of a missing container",
                "HEAD",
                container("nope"),
                404,
                "ContainerNotFound",
            ),
            // Delete.
            blob_case("delete", "DELETE", container("cont1"), 202, ""),
            blob_case(
                "delete again",
                "DELETE",
                container("cont1"),
                404,
                "ContainerNotFound",
            ),
            blob_case(
                "properties after the delete",
                "GET",
                container("cont1"),
                404,
                "ContainerNotFound",
            ),
            // What the endpoint does not serve.
            blob_case(
                "a blob",
                "PUT",
                format!("{base}/cont2/file.txt"),
                501,
                "NotImplemented",
            ),
            blob_case(
                "a container without restype",
                "GET",
                format!("{base}/cont2"),
                501,
                "NotImplemented",
            ),
            blob_case(
                "a container ACL",
                "GET",
                format!("{base}/cont2?restype=container&comp=acl"),
                501,
                "NotImplemented",
            ),
            blob_case(
                "the account without comp",
                "GET",
                base.clone(),
                400,
                "InvalidQueryParameterValue",
            ),
            blob_case(
                "POST on a container",
                "POST",
                container("cont2"),
                405,
                "UnsupportedHttpVerb",
            ),
        ],
    )
    .await;
    // Errors are the Blob service's XML; a missing header is named; HEAD answers carry no body.
    let not_found = String::from_utf8_lossy(&r[15].body).to_string();
    assert!(
        not_found.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ContainerNotFound</Code><Message>The specified container does not exist.\nRequestId:"),
        "{not_found}"
    );
    assert_eq!(r[15].h("content-type").as_deref(), Some("application/xml"));
    assert_eq!(xml_all(&r[2].body, "HeaderName"), ["x-ms-version"]);
    assert!(xml_all(&r[1].body, "AuthenticationErrorDetail")[0].contains("Audience"));
    assert!(r[14].body.is_empty() && r[16].body.is_empty());
    // The create's ETag is the container's.
    assert_eq!(r[12].h("etag"), r[13].h("etag"));
    drop(emu);
}

#[tokio::test]
async fn blob_and_dfs_share_containers() {
    let (emu, c) = start(config()).await;
    let (st, base) = blob_setup(&c, &emu).await;
    let dfs_base = "/dfs/stdata1";
    let container = |n: &str| format!("{base}/{n}?restype=container");
    let r = run_arm_cases(
        &c,
        &st,
        [
            blob_case("container made on Blob", "PUT", container("lake"), 201, ""),
            dfs_case(
                "the same filesystem on DFS",
                "HEAD",
                format!("{dfs_base}/lake?resource=filesystem"),
                200,
                "",
            ),
            dfs_case(
                "a directory in it on DFS",
                "PUT",
                format!("{dfs_base}/lake/raw?resource=directory"),
                201,
                "",
            ),
            dfs_case(
                "the name taken on DFS",
                "PUT",
                format!("{dfs_base}/lake?resource=filesystem"),
                409,
                "FilesystemAlreadyExists",
            ),
            dfs_case(
                "filesystem made on DFS",
                "PUT",
                format!("{dfs_base}/curated?resource=filesystem"),
                201,
                "",
            ),
            blob_case(
                "the same container on Blob",
                "GET",
                container("curated"),
                200,
                "",
            ),
            blob_case(
                "the name taken on Blob",
                "PUT",
                container("curated"),
                409,
                "ContainerAlreadyExists",
            ),
            blob_case(
                "both in the Blob listing",
                "GET",
                format!("{base}?comp=list"),
                200,
                "",
            ),
            dfs_case(
                "both in the DFS listing",
                "GET",
                format!("{dfs_base}?resource=account"),
                200,
                "",
            ),
            dfs_case(
                "delete on DFS",
                "DELETE",
                format!("{dfs_base}/lake?resource=filesystem"),
                202,
                "",
            ),
            blob_case(
                "gone on Blob",
                "GET",
                container("lake"),
                404,
                "ContainerNotFound",
            ),
            blob_case("delete on Blob", "DELETE", container("curated"), 202, ""),
            dfs_case(
                "gone on DFS",
                "HEAD",
                format!("{dfs_base}/curated?resource=filesystem"),
                404,
                "FilesystemNotFound",
            ),
        ],
    )
    .await;
    assert_eq!(r[0].h("etag"), r[1].h("etag"), "one container, one ETag");
    assert_eq!(xml_all(&r[7].body, "Name"), ["curated", "lake"]);
    let dfs_names: Vec<String> = r[8].json()["filesystems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(dfs_names, ["curated", "lake"]);
    drop(emu);
}

#[tokio::test]
async fn blob_list_containers_pages_prefix_and_metadata() {
    let (emu, c) = start(config()).await;
    let (st, base) = blob_setup(&c, &emu).await;
    let list = |q: &str| format!("{base}?comp=list{q}");
    let creates = ["a1", "a2", "a3", "b1"].map(|n| {
        blob_case(
            format!("create {n}"),
            "PUT",
            format!("{base}/{n}x?restype=container"),
            201,
            "",
        )
    });
    let r = run_arm_cases(
        &c,
        &st,
        creates.into_iter().chain([
            blob_case(
                "create with metadata",
                "PUT",
                format!("{base}/b2x?restype=container"),
                201,
                "",
            )
            .with_header("x-ms-meta-owner", "team&co"),
            blob_case("all", "GET", list(""), 200, "")
                .expect_header_eq("content-type", "application/xml"),
            blob_case("prefix", "GET", list("&prefix=a"), 200, ""),
            blob_case(
                "metadata",
                "GET",
                list("&prefix=b&include=metadata"),
                200,
                "",
            ),
            blob_case(
                "maxresults 0",
                "GET",
                list("&maxresults=0"),
                400,
                "OutOfRangeQueryParameterValue",
            ),
            blob_case(
                "maxresults not a number",
                "GET",
                list("&maxresults=many"),
                400,
                "InvalidQueryParameterValue",
            ),
            blob_case(
                "unknown include",
                "GET",
                list("&include=everything"),
                400,
                "InvalidQueryParameterValue",
            ),
            blob_case(
                "a marker not from a listing",
                "GET",
                list("&marker=%25%25"),
                400,
                "InvalidQueryParameterValue",
            ),
        ]),
    )
    .await;
    let all = &r[5];
    assert_eq!(
        xml_all(&all.body, "Name"),
        ["a1x", "a2x", "a3x", "b1x", "b2x"]
    );
    let doc = String::from_utf8_lossy(&all.body).to_string();
    assert!(
        doc.contains(&format!(
            "<EnumerationResults ServiceEndpoint=\"{}/blob/stdata1/\">",
            emu.base_url()
        )),
        "{doc}"
    );
    assert!(
        doc.ends_with("<NextMarker /></EnumerationResults>"),
        "{doc}"
    );
    assert!(!doc.contains("<Metadata>") && !doc.contains("<Prefix>"));
    assert_eq!(xml_all(&all.body, "LeaseState").len(), 5);
    assert_eq!(xml_all(&r[6].body, "Name"), ["a1x", "a2x", "a3x"]);
    assert_eq!(xml_all(&r[6].body, "Prefix"), ["a"]);
    assert_eq!(xml_all(&r[7].body, "owner"), ["team&amp;co"]);
    // Pages of two, following NextMarker.
    let (mut names, mut pages, mut marker) = (Vec::new(), 0, String::new());
    loop {
        let q = if marker.is_empty() {
            "&maxresults=2".to_string()
        } else {
            format!(
                "&maxresults=2&marker={}",
                aifactory_emulator::util::pct_encode(&marker)
            )
        };
        let page = &run_arm_cases(
            &c,
            &st,
            [blob_case(format!("page {pages}"), "GET", list(&q), 200, "")],
        )
        .await[0];
        pages += 1;
        assert_eq!(xml_all(&page.body, "MaxResults"), ["2"]);
        names.extend(xml_all(&page.body, "Name"));
        match xml_all(&page.body, "NextMarker").first() {
            Some(m) if !m.is_empty() => marker = m.clone(),
            _ => break,
        }
    }
    assert_eq!((pages, names.len()), (3, 5), "{names:?}");
    drop(emu);
}

#[tokio::test]
async fn blob_rbac_when_enabled() {
    let mut cfg = config();
    cfg.settings.dfs_rbac = true;
    let (emu, c) = start(cfg).await;
    let (st, base) = blob_setup(&c, &emu).await;
    let arm = c.token(ARM_SCOPE).await;
    let me = emu.principal(APP).unwrap().object_id;
    let container = format!("{base}/lake?restype=container");
    run_arm_cases(
        &c,
        &st,
        [
            blob_case(
                "create without a data role",
                "PUT",
                &container,
                403,
                "AuthorizationPermissionMismatch",
            ),
            blob_case(
                "list without a data role",
                "GET",
                format!("{base}?comp=list"),
                403,
                "AuthorizationPermissionMismatch",
            ),
            arm_case(
                "Storage Blob Data Owner",
                "PUT",
                ra_path(&rg("data"), "0d0d0d0d-0000-4000-8000-000000000001"),
                201,
                "",
            )
            .with_token(&arm)
            .with_body(ra_body(
                "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
                &me,
                Some("ServicePrincipal"),
            )),
            blob_case("create with the role", "PUT", &container, 201, ""),
            blob_case(
                "list with the role",
                "GET",
                format!("{base}?comp=list"),
                200,
                "",
            ),
        ],
    )
    .await;
    drop(emu);
}
