//! The Blob service endpoint of storage accounts created in the ARM store, served under
//! `{base_url}/blob/{account}` (the `blob_endpoint_template`, and the account's
//! `primaryEndpoints.blob`), for containers only: create (`PUT ?restype=container`, with
//! `x-ms-meta-*` and `x-ms-blob-public-access`), get properties (`GET`/`HEAD
//! ?restype=container`), delete (`DELETE ?restype=container`) and list (`GET ?comp=list`,
//! XML `EnumerationResults` with `prefix`, `marker`, `maxresults`, `include=metadata`).
//! Admission is the DFS endpoint's (`dfs::gate`: storage-audience bearer token, tenant,
//! `x-ms-version`, optional data-plane RBAC); errors are the Blob service's XML (`<Error>`
//! with `<Code>` and `<Message>`) plus `x-ms-error-code`.
//!
//! A container is a DFS filesystem: both endpoints read and write the same `dfs::model`
//! data, so one created here is listed and used by DFS and vice versa. Owns the Blob wire
//! format for containers; must not change ARM resources nor hold DFS path or ACL semantics
//! (`dfs`), and implements no blob (object) operations (answered 501 `NotImplemented`).
//!
//! Imports go one way: `xml` (documents, a leaf) <- `reply` (answers) <- `container` (the
//! operations) <- `route` (the entry point).

pub mod container;
pub mod reply;
pub mod route;
pub mod xml;

pub use route::handle;
