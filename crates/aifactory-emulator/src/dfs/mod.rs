//! ADLS Gen2 DFS endpoint for storage accounts created in the ARM store, served under
//! `{base_url}/dfs/{account}` (the `dfs_endpoint_template`): filesystems, directories and
//! (empty) files, `getAccessControl`, `setAccessControl`, `setAccessControlRecursive`
//! (`mode=set|modify|remove`, `maxRecords`, `continuation`), path listing, storage-audience
//! bearer auth, `x-ms-version`, storage error shapes, optional data-plane RBAC.
//!
//! Owns DFS data and semantics; ACL grammar lives in `acl`. Must not change ARM resources.
//!
//! Imports go one way: `model` (the data, a leaf below `state`) <- `call` (request context,
//! shared answers) <- `gate` (admission, shared with `crate::blob`) and `filesystem`,
//! `path`, `access` (the operations) <- `route` (the entry point).

pub mod access;
pub mod call;
pub mod filesystem;
pub mod gate;
pub mod model;
pub mod path;
pub mod route;

pub use filesystem::seed_filesystem;
pub use model::{Account, DfsState, Filesystem, PathEntry, SERVICE_VERSION, SUPERUSER};
pub use route::handle;
