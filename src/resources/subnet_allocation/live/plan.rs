//! Live-mode plan: check the configuration, read the virtual network, allocate against
//! it ([`super::allocate`]) and build the planned state and private state.
//!
//! Must not: write to Azure.

use crate::context::ProviderContext;
use crate::framework::{AttrPath, Diagnostic, Diagnostics, Tf, Value};
use crate::resources::subnet_allocation::{
    model::{AllocationModel, PrivateModel},
    requests::{parse_inputs, Inputs},
    shared::check_network_id,
};

use super::allocate::allocate_live;
use super::tracked::allocation_known;
use super::vnet::{parse_vnet, Vnet, NETWORK_API, READ_TIMEOUT};

/// What a live plan gives: the planned state and the private state.
pub(crate) struct Planned {
    pub state: AllocationModel,
    pub private: Value,
}

impl Planned {
    /// A plan whose results are known only after apply.
    fn unknown(mut state: AllocationModel) -> Planned {
        state.live_results_unknown();
        Planned {
            state,
            private: Value::Null,
        }
    }
}

/// Plan against the live vNet.
pub(crate) async fn plan(
    ctx: &ProviderContext,
    config: &AllocationModel,
    prior: Option<&AllocationModel>,
    prior_private: &Value,
    diags: &mut Diagnostics,
) -> Planned {
    let mut state = AllocationModel::planned_from(config);
    if !allocation_known(config) {
        return Planned::unknown(state);
    }
    let Some(mut inp) = checked_inputs(config, diags) else {
        return Planned::unknown(state);
    };
    state.strategy = Tf::Known(inp.strategy_name.clone());
    let vnet_id = config.vnet_id().to_string();
    let Some(vnet) = read_vnet(ctx, &vnet_id, diags).await else {
        return Planned::unknown(state);
    };
    let scope = claims_scope(ctx, &vnet_id);
    let Some(p) = allocate_live(
        &vnet_id,
        &scope,
        &vnet,
        &mut inp,
        prior,
        prior_private,
        diags,
    ) else {
        return Planned::unknown(state);
    };
    state.set_results(&p.allocation);
    state.subnet_ids = Tf::Known(p.ids);
    state.virtual_network_address_space = Tf::Known(vnet.address_space.clone());
    super::network::plan_network(&mut state, &vnet.location);
    let private = PrivateModel::new(
        &AllocationModel::map_of(&state.cidrs),
        &AllocationModel::map_of(&state.ipv6_cidrs),
        p.memo.as_deref(),
    )
    .value();
    Planned { state, private }
}

/// The vNet as claims name it: the ARM endpoint and the vNet ID.
pub(super) fn claims_scope(ctx: &ProviderContext, vnet_id: &str) -> String {
    let endpoint = ctx
        .azure()
        .map(|c| c.cloud().resource_manager.to_string())
        .unwrap_or_default();
    format!("{endpoint}|{vnet_id}")
}

/// The allocator's input from the configuration, or `None` (errors in `diags`).
fn checked_inputs(config: &AllocationModel, diags: &mut Diagnostics) -> Option<Inputs> {
    let mut local = Diagnostics::new();
    let inp = parse_inputs(config, true, &mut local);
    crate::resources::subnet_allocation::requests::check_network_settings(config, &mut local);
    if let Some(why) = check_network_id(config.vnet_id(), "virtualNetworks") {
        local.error(
            AttrPath::attr("virtual_network_id"),
            "Invalid virtual_network_id",
            why,
        );
    }
    let failed = local.has_errors();
    diags.extend(local);
    (!failed).then_some(inp)
}

/// The virtual network, or `None`: it does not exist yet (results unknown) or could not
/// be read (an error in `diags`).
async fn read_vnet(ctx: &ProviderContext, vnet_id: &str, diags: &mut Diagnostics) -> Option<Vnet> {
    let client = match ctx.azure() {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let rctx = ctx.request_ctx(READ_TIMEOUT);
    match client.arm().get_opt(&rctx, vnet_id, NETWORK_API).await {
        Ok(Some(j)) => Some(parse_vnet(&j)),
        Ok(None) => {
            // Created later in this apply: allocate when Terraform re-plans at apply time.
            tracing::debug!(vnet = %vnet_id, "virtual network not found at plan time; results unknown");
            None
        }
        Err(e) => {
            diags.push(Diagnostic::error(
                AttrPath::attr("virtual_network_id"),
                format!("Cannot read the virtual network: {}", e.summary()),
                format!(
                    "{}\n\nCheck `virtual_network_id` and that the provider's principal may read the virtual network \
                     (for example Network Contributor on it).",
                    e.detail()
                ),
            ));
            None
        }
    }
}
