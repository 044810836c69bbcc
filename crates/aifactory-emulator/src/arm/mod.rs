//! Generic ARM: routing of `/subscriptions/...` and `/providers/...`, authentication,
//! `api-version`, subscription/resource-group/parent checks, throttling, PUT/GET/PATCH/
//! DELETE/HEAD on any resource with ETags and LROs, resource groups (cascade delete via an
//! async operation), lists with `nextLink` paging, operation status endpoints.
//!
//! Owns the generic resource lifecycle; resource-provider rules are delegated to
//! `network` (vNets, subnets, private endpoints), `authorization` (role assignments and
//! definitions), `softdelete`, `identity` and `dfs` (containers). Must not talk TLS or
//! sockets.
//!
//! This file only declares the modules and re-exports the entry points; it holds no
//! helpers, so every import inside `arm` goes one way:
//!
//! - leaves: `id`, `store`, `lro`, `body`, `ops` (per type: the spec's status codes and
//!   long-running flags), `types` (Microsoft.Network type names) (pure), then `ctx`, `reply`, `checks` (need the
//!   state, import only leaves) — the resource providers import these and nothing else of
//!   `arm`;
//! - `render`, `complete` (use `network`, `softdelete`);
//! - handlers: `resource_group`, `operations`, `put`, `patch`, `delete`, then `generic`
//!   (dispatches to them) and `drift` (seeding, admin drift);
//! - `route`: the entry point, imports the handlers.

pub mod body;
pub mod checks;
pub mod complete;
pub mod ctx;
pub mod delete;
pub mod drift;
pub mod generic;
pub mod id;
pub mod lro;
pub mod operations;
pub mod ops;
pub mod patch;
pub mod put;
pub mod render;
pub mod reply;
pub mod resource_group;
pub mod route;
pub mod store;
pub mod types;

pub use body::{merge_patch, set_ps};
pub use complete::complete_due;
pub use ctx::{is_lro, Ctx};
pub use drift::{apply_seed_resource, drift_delete, drift_put};
pub use id::RG_TYPE;
pub use put::put_resource;
pub use render::render;
pub use reply::page;
pub use route::handle;
