//! The checked facts ([`Checked`]): a [`ProjectSpec`](super::ProjectSpec) validated and
//! normalized by `validate`, which every builder (`services`, `resources`, `acl`) reads.
//! Plain data: imports only the spec's types and the `ipnet` leaf; must not validate,
//! build objects or know the service catalog.

use std::collections::BTreeMap;

use crate::naming::ProjectNames;

use super::ipnet::Ipv4Net;
use super::spec::{RoleSet, TeamPrincipalType};

/// The common data lake.
#[derive(Debug, Clone)]
pub(super) struct Lake {
    pub account_id: String,
    pub account_name: String,
    pub filesystem: String,
}

/// The Databricks VNet injection.
#[derive(Debug, Clone)]
pub(super) struct Dbx {
    pub vnet_id: String,
    pub public_subnet: String,
    pub private_subnet: String,
}

/// Everything validated, normalized.
#[derive(Debug, Clone)]
pub(super) struct Checked {
    pub names: ProjectNames,
    pub dns_zone_rg_id: String,
    pub log_analytics_id: String,
    pub lake: Option<Lake>,
    pub pe_subnet_id: Option<String>,
    /// `common.datalake_traverse_group_id`, lowercase.
    pub traverse_group: Option<String>,
    /// The Agent service's subnet (`subnet_ids.agent`), when the project needs it.
    pub agent_subnet_id: Option<String>,
    /// The Container Apps environment's subnet (`subnet_ids.aca`), when needed.
    pub aca_subnet_id: Option<String>,
    pub dbx: Option<Dbx>,
    /// Sorted, without duplicates or covered entries.
    pub ip_rules: Vec<Ipv4Net>,
    /// The team's people: `team.object_ids` (developers) in input order, then each
    /// persona's in name order; object IDs lowercase, each once.
    pub team: Vec<Member>,
    pub sp: Option<String>,
    pub identity_principal_id: Option<String>,
    pub tags: BTreeMap<String, String>,
}

/// One person (user or group) of the team, with the role set they get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Member {
    pub object_id: String,
    pub principal_type: TeamPrincipalType,
    pub role_set: RoleSet,
    /// The persona (`team.personas` key); `None` for `team.object_ids`.
    pub persona: Option<String>,
}
