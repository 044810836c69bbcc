//! Live mode of `aifactory_subnet_allocation`: allocation against a virtual network and
//! the subnets created there.
//!
//! - **plan** reads the vNet (`GET`, api-version [`vnet::NETWORK_API`]): its address spaces are the
//!   pool (unless `address_space` narrows it), every subnet this allocation does not own is
//!   occupied. Owned: the subnet IDs in the prior state (Azure subnets carry no tags). A
//!   subnet that already exists under a requested name keeps its CIDR in the plan, but the
//!   apply writes it only if owned or with `adopt_existing = true` (migration from ESML or
//!   from hand-made subnets); otherwise it fails naming `terraform import`. Allocations
//!   planned earlier in the same Terraform run on the same vNet count as occupied too, so
//!   `for_each` over projects in one workspace does not plan the same range twice, and so
//!   do other workspaces' live claims on this machine ([`super::memo`]). A vNet that does not exist yet (created in the same apply)
//!   gives unknown results, computed when Terraform re-plans at apply.
//! - **apply** deletes the subnets the plan dropped, then writes each new or changed subnet
//!   (`PUT {vnet}/subnets/{name}`), one write at a time per vNet in this process (an async
//!   mutex keyed by the lowercased vNet ID; across processes Azure answers 409/429 and the
//!   client retries). Right before each PUT the vNet is read again: a planned range that
//!   another subnet took since the plan fails the apply with a message to re-plan, as does
//!   Azure's `NetcfgSubnetRangesOverlap`. On failure the state holds exactly the subnets
//!   that exist. The plan memo bridges only the plan and the apply of one run
//!   ([`super::run`]): a new plan always allocates around what is taken now.
//! - **read** re-reads the vNet: a subnet deleted behind Terraform's back leaves
//!   `subnet_ids`/`cidrs` (the next plan re-creates it at its allocated range, kept in the
//!   private state); a changed prefix shows as a change back; a configured setting that
//!   differs in Azure (NSG, route table, delegation, service endpoints, private endpoint
//!   policies) is written with its actual value into the request's entry of `subnets`
//!   ([`super::drift`]), so the plan shows it changing back and the apply rewrites that subnet in
//!   place (same range, same serialized re-read-then-PUT as a create).
//! - **destroy** deletes only the subnets in `subnet_ids`; a subnet still in use gives
//!   Azure's error plus the resources holding it.
//! - **import** `<vnet id>|<key>` adopts the vNet's subnets named `snt-<key>-<purpose>`.
//!
//! Modules, each importing only its siblings and the resource's leaf modules (`model`,
//! `requests`, `shared`, `drift`, `memo`), never this one: [`vnet`] (the vNet as Azure
//! shows it, constants, messages), [`coordination`] (per-vNet write lock, ranges planned in
//! this run), [`tracked`] (what exists, private state), [`plan`] and [`allocate`],
//! [`body`] (subnet PUT bodies), [`network`] (the NSGs and route table created for the
//! subnets), [`apply`], [`destroy`], [`read`] (refresh and import).
//!
//! Must not: write a subnet that overlaps another, or delete one the allocation does not own.

mod allocate;
mod apply;
mod body;
mod coordination;
mod destroy;
mod network;
mod plan;
mod read;
mod tracked;
mod vnet;

pub(super) use apply::apply;
pub(super) use destroy::destroy;
pub(super) use plan::plan;
pub(super) use read::{import, parse_import_id, read};
#[cfg(test)]
pub(super) use vnet::{parse_vnet, NETWORK_API};
