//! `aifactory_subnet_allocation`: carves named subnets for one project out of an address
//! space, deterministically and without collisions, and keeps them stable for life.
//!
//! Two modes:
//! - **pure** (no `virtual_network_id`): the translation between the resource's HCL shape
//!   and [`aifactory_allocator`]. The allocation is computed at plan time, so CIDRs show in
//!   the plan; apply stores exactly what was planned. No I/O, no credentials.
//! - **live** (`virtual_network_id` set, [`live`]): plan reads the virtual network (its
//!   address spaces are the pool, other subnets are occupied), apply creates the subnets
//!   there one write at a time per vNet, refresh sees subnets deleted, moved or with
//!   configured settings changed behind Terraform's back ([`drift`]), destroy deletes
//!   only the subnets this allocation owns. All Azure I/O goes through [`aifactory_azure`]
//!   via the provider's [`ProviderContext`].
//!
//! This file is the resource's edge: it decodes configuration, plan and state into
//! [`model::AllocationModel`] once (a value of the wrong shape is a diagnostic on its
//! attribute) and dispatches to the mode. Modules: [`schema`], [`model`] (typed models),
//! [`requests`] (what `subnets` asks for), [`pure`], [`live`], [`drift`], [`memo`] (plan
//! memo and claims), [`run`] (which Terraform run this process serves), and
//! the leaf [`shared`] every other module may import. No child imports from this file.
//!
//! Must not: talk to Azure in pure mode, or write a subnet that overlaps another.

use std::sync::Arc;

use async_trait::async_trait;

use crate::context::ProviderContext;
use crate::framework::{
    resource::{ApplyRequest, StateResponse},
    schema::Schema,
    AttrPath, Diagnostics, FromValue, PlanRequest, PlanResponse, Resource, ToValue, Value,
};
use aifactory_allocator as allocator;
use model::AllocationModel;
use shared::{check_network_id, same_vnet, undecodable};

mod drift;
mod live;
mod memo;
mod model;
mod pure;
mod requests;
mod run;
mod schema;
mod shared;

pub struct SubnetAllocation {
    ctx: Arc<ProviderContext>,
}

impl SubnetAllocation {
    /// The resource, sharing the provider's context (settings, Azure client).
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        SubnetAllocation { ctx }
    }
}

impl Default for SubnetAllocation {
    /// A resource with a context of its own (settings from `ARM_*` when the live mode needs them).
    fn default() -> Self {
        SubnetAllocation::new(Arc::new(ProviderContext::default()))
    }
}

/// A configuration, plan or state decoded into the model (`None` for null), or the
/// diagnostic on the attribute that does not fit.
fn decode(v: &Value) -> Result<Option<AllocationModel>, crate::framework::ModelError> {
    Option::<AllocationModel>::decode(v)
}

/// `validate`: what needs no state (CIDR syntax, IDs, requests), on exact paths.
fn validate(config: &AllocationModel, diags: &mut Diagnostics) {
    for (attr, list) in [
        ("address_space", &config.address_space),
        ("reserved", &config.reserved),
        ("occupied", &config.occupied),
    ] {
        for (i, item) in list.known().into_iter().flatten().enumerate() {
            if let Some(text) = item.as_deref() {
                if let Err(e) = allocator::parse_cidr(text) {
                    diags.error(
                        AttrPath::attr(attr).and_index(i),
                        format!("Invalid CIDR {text:?} in `{attr}`"),
                        e.to_string(),
                    );
                }
            }
        }
    }
    if let Some(id) = config.virtual_network_id.as_deref() {
        if let Some(why) = check_network_id(id, "virtualNetworks") {
            diags.error(
                AttrPath::attr("virtual_network_id"),
                "Invalid virtual_network_id",
                why,
            );
        }
    }
    if !config.is_live() && config.address_space.is_null() {
        diags.error(
            AttrPath::attr("address_space"),
            "Missing `address_space`",
            "Set `address_space` to the pool to allocate from (for example [\"10.20.0.0/16\"]), or set \
             `virtual_network_id` to allocate in a live virtual network (its address space is then the default).",
        );
    }
    if config.subnets.is_wholly_known() && !config.subnets.is_null() {
        requests::requests(config, config.is_live(), diags);
    }
    requests::check_network_settings(config, diags);
    if let Some(s) = config.strategy.as_deref() {
        if s != "packed" && s != "slot" {
            diags.error(
                AttrPath::attr("strategy"),
                format!("Unknown strategy {s:?}"),
                "Set `strategy` to \"packed\" (default) or \"slot\".",
            );
        }
    }
}

#[async_trait]
impl Resource for SubnetAllocation {
    fn type_name(&self) -> &'static str {
        "subnet_allocation"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        match decode(config) {
            Ok(Some(config)) => validate(&config, &mut diags),
            Ok(None) => {}
            Err(e) => diags.push(e.to_diagnostic()),
        }
        diags
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        let mut diags = Diagnostics::new();
        let (config, prior) = match (decode(&req.config), decode(&req.prior)) {
            (Ok(Some(c)), Ok(p)) => (c, p),
            (Ok(None), _) => return PlanResponse::default(),
            (Err(e), _) | (_, Err(e)) => {
                diags.push(e.to_diagnostic());
                return PlanResponse {
                    planned: req.proposed,
                    diags,
                    ..PlanResponse::default()
                };
            }
        };
        let mut requires_replace = Vec::new();
        if let Some(prior) = &prior {
            if prior.key != config.key {
                requires_replace.push(AttrPath::attr("key"));
            }
            if !same_vnet(&prior.virtual_network_id, &config.virtual_network_id) {
                requires_replace.push(AttrPath::attr("virtual_network_id"));
            }
        }
        let (planned, private) = if config.is_live() {
            let p = live::plan(
                &self.ctx,
                &config,
                prior.as_ref(),
                &req.prior_private,
                &mut diags,
            )
            .await;
            (p.state, p.private)
        } else {
            let planned = pure::compute(&config, prior.as_ref(), &mut diags);
            (planned, Value::Null)
        };
        PlanResponse {
            planned: planned.to_value(),
            private,
            requires_replace,
            diags,
        }
    }

    async fn apply(&self, req: ApplyRequest) -> StateResponse {
        let decoded = (
            decode(&req.prior),
            decode(&req.planned),
            decode(&req.config),
        );
        let (prior, planned, config) = match decoded {
            (Ok(prior), Ok(planned), Ok(config)) => (prior, planned, config),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                return undecodable(req.prior, Value::Null, &e)
            }
        };
        let Some(planned) = planned else {
            return match prior {
                Some(prior) if prior.is_live() => live::destroy(&self.ctx, &prior).await,
                // Destroy: nothing exists outside Terraform's state.
                _ => StateResponse::default(),
            };
        };
        let config = config.unwrap_or_default();
        if planned.is_live() {
            return live::apply(
                &self.ctx,
                prior.as_ref(),
                planned,
                req.planned_private,
                &config,
            )
            .await;
        }
        let mut diags = Diagnostics::new();
        let state = if req.planned.is_wholly_known() {
            req.planned
        } else {
            pure::compute(&config, prior.as_ref(), &mut diags).to_value()
        };
        StateResponse {
            state,
            private: Value::Null,
            diags,
        }
    }

    async fn read(&self, state: Value, private: Value) -> StateResponse {
        match decode(&state) {
            Ok(Some(model)) if model.is_live() => live::read(&self.ctx, model, private).await,
            // Pure resource: nothing outside the state can drift.
            Ok(_) => StateResponse {
                state,
                private,
                diags: Diagnostics::new(),
            },
            Err(e) => undecodable(state, private, &e),
        }
    }

    async fn import(&self, id: &str) -> StateResponse {
        let mut diags = Diagnostics::new();
        let state = match live::parse_import_id(id) {
            Some((vnet, Ok(key))) => return live::import(&self.ctx, vnet, &key).await,
            Some((_, Err(msg))) => Err(msg),
            None => pure::imported(id),
        };
        let state = match state {
            Ok(s) => s.to_value(),
            Err(msg) => {
                diags.error(AttrPath::root(), "Invalid import ID", msg);
                Value::Null
            }
        };
        StateResponse {
            state,
            private: Value::Null,
            diags,
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod live_tests;
