//! Typed models of `aifactory_subnet_allocation`: its configuration, plan and state
//! ([`AllocationModel`]), one entry of its `dynamic` attribute `subnets`
//! ([`RequestModel`]) and its private state ([`PrivateModel`]).
//!
//! Owns: the attribute names (the field names), the decoding of values into these
//! structs and the encoding back, numbers as the user wrote them (`framework::Num`), and the
//! schema [`Type`] of a request's attributes, from which the cty type of a rewritten
//! `subnets` value is derived.
//! Must not: validate values beyond their shape (see `requests`), do I/O.

use std::collections::BTreeMap;

use crate::framework::{
    model::{FromValue, Tf, ToValue},
    schema::Type,
    Num, Value,
};
use aifactory_allocator::{Allocation, Previous};

/// The value of `network_security_group` that creates one NSG per subnet.
pub(crate) const NSG_CREATE: &str = "create";

/// A list of strings as Terraform sends it (elements may be null or unknown).
pub(crate) type Strings = Tf<Vec<Tf<String>>>;

crate::model! {
    /// `aifactory_subnet_allocation`'s configuration, plan and state.
    pub(crate) struct AllocationModel {
        pub key: Tf<String>,
        pub virtual_network_id: Tf<String>,
        pub address_space: Strings,
        pub reserved: Strings,
        pub occupied: Strings,
        pub strategy: Tf<String>,
        pub slot: Tf<Num>,
        pub slot_prefix_length: Tf<Num>,
        /// `dynamic`: the user's value as written, with its cty type (its entries are
        /// [`RequestModel`]s, read by `requests`).
        pub subnets: Value,
        pub id: Tf<String>,
        pub cidrs: Tf<BTreeMap<String, String>>,
        pub ipv6_cidrs: Tf<BTreeMap<String, String>>,
        pub allocated_addresses: Tf<u64>,
        pub subnet_ids: Tf<BTreeMap<String, String>>,
        pub virtual_network_address_space: Tf<Vec<String>>,
        /// Take over subnets that exist under the requested names (default false).
        pub adopt_existing: Tf<bool>,
        /// `"create"` (one NSG per subnet, ESML's rules for its purpose) or an NSG ID.
        pub network_security_group: Tf<String>,
        /// The IP of the hub firewall: a route table sends `0.0.0.0/0` there.
        pub route_to_firewall: Tf<String>,
        /// The NSGs this allocation created, by purpose (with `"create"`).
        pub network_security_group_ids: Tf<BTreeMap<String, String>>,
        /// The rules of ESML's table in each created NSG, one line a rule, by purpose.
        pub network_security_group_rules: Tf<BTreeMap<String, Vec<String>>>,
        /// The route table this allocation created (with `route_to_firewall`).
        pub route_table_id: Tf<String>,
    }
}

crate::model! {
    /// One request of `subnets`: its size and (live mode) its subnet settings.
    pub(crate) struct RequestModel {
        pub prefix_length: Tf<Num>,
        pub min_hosts: Tf<Num>,
        pub ipv6: Tf<bool>,
        pub name: Tf<String>,
        pub network_security_group_id: Tf<String>,
        pub route_table_id: Tf<String>,
        pub delegation: Tf<String>,
        pub service_endpoints: Tf<Vec<Tf<String>>>,
        pub private_endpoint_network_policies: Tf<String>,
        /// What the subnet is for (decides its NSG's rules).
        pub purpose: Tf<String>,
    }
}

crate::model! {
    /// The private state of the live mode: the allocated ranges (what drift is repaired
    /// towards) and, in a plan, the memo to drop once applied.
    pub(crate) struct PrivateModel {
        pub allocated: Tf<BTreeMap<String, String>>,
        pub allocated_ipv6: Tf<BTreeMap<String, String>>,
        pub memo: Tf<String>,
    }
}

/// Whether a list of strings and every element of it is known.
pub(crate) fn strings_known(v: &Strings) -> bool {
    match v {
        Tf::Unknown => false,
        Tf::Null => true,
        Tf::Known(items) => items.iter().all(|i| !i.is_unknown()),
    }
}

/// The strings of a known list (null elements are empty strings; null is the empty list).
pub(crate) fn strings(v: &Strings) -> Vec<String> {
    v.known()
        .map(|items| {
            items
                .iter()
                .map(|i| i.as_deref().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

impl AllocationModel {
    /// Whether the configuration allocates in a live virtual network (unknown counts).
    pub fn is_live(&self) -> bool {
        !self.virtual_network_id.is_null()
    }

    /// Whether the configuration allows taking over existing subnets.
    pub fn adopts_existing(&self) -> bool {
        self.adopt_existing.known() == Some(&true)
    }

    /// The vNet ID, or `""` when not set.
    pub fn vnet_id(&self) -> &str {
        self.virtual_network_id.as_deref().unwrap_or_default()
    }

    /// The configuration with `strategy` defaulted and `id` set: the start of every
    /// planned state.
    pub fn planned_from(config: &AllocationModel) -> AllocationModel {
        let mut state = config.clone();
        if state.strategy.is_null() {
            state.strategy = Tf::Known("packed".into());
        }
        state.id = match &config.key {
            Tf::Known(k) => Tf::Known(k.clone()),
            _ => Tf::Unknown,
        };
        state
    }

    /// Every result of the pure mode unknown.
    pub fn results_unknown(&mut self) {
        self.cidrs = Tf::Unknown;
        self.ipv6_cidrs = Tf::Unknown;
        self.allocated_addresses = Tf::Unknown;
    }

    /// Every result of the live mode unknown (the NSG and route table results only when
    /// the configuration asks for them; null otherwise).
    pub fn live_results_unknown(&mut self) {
        self.results_unknown();
        self.subnet_ids = Tf::Unknown;
        self.virtual_network_address_space = Tf::Unknown;
        let (nsgs, route) = (
            self.creates_nsgs_or_unknown(),
            !self.route_to_firewall.is_null(),
        );
        self.network_security_group_ids = if nsgs { Tf::Unknown } else { Tf::Null };
        self.network_security_group_rules = if nsgs { Tf::Unknown } else { Tf::Null };
        self.route_table_id = if route { Tf::Unknown } else { Tf::Null };
    }

    /// Whether `network_security_group = "create"`.
    pub fn creates_nsgs(&self) -> bool {
        self.network_security_group.as_deref() == Some(NSG_CREATE)
    }

    /// Whether `network_security_group` is `"create"` or not known yet.
    pub fn creates_nsgs_or_unknown(&self) -> bool {
        self.creates_nsgs() || self.network_security_group.is_unknown()
    }

    /// The NSG ID every subnet gets when `network_security_group` is an ID.
    pub fn given_nsg(&self) -> Option<&str> {
        self.network_security_group
            .as_deref()
            .filter(|v| *v != NSG_CREATE && !v.is_empty())
    }

    /// `cidrs`, `ipv6_cidrs` and `allocated_addresses` of an allocation.
    pub fn set_results(&mut self, a: &Allocation) {
        fn text<C: ToString>(m: &BTreeMap<String, C>) -> BTreeMap<String, String> {
            m.iter().map(|(n, c)| (n.clone(), c.to_string())).collect()
        }
        self.cidrs = Tf::Known(text(&a.ipv4));
        self.ipv6_cidrs = Tf::Known(text(&a.ipv6));
        self.allocated_addresses = Tf::Known(a.ipv4_addresses);
    }

    /// The results held in state, for stability.
    pub fn previous(&self) -> BTreeMap<String, Previous> {
        let v6 = self.ipv6_cidrs.known();
        self.cidrs
            .known()
            .into_iter()
            .flatten()
            .map(|(name, ipv4)| {
                let ipv6 = v6.and_then(|m| m.get(name)).cloned();
                (
                    name.clone(),
                    Previous {
                        ipv4: ipv4.clone(),
                        ipv6,
                    },
                )
            })
            .collect()
    }

    /// A map result, empty when null or unknown.
    pub fn map_of(m: &Tf<BTreeMap<String, String>>) -> BTreeMap<String, String> {
        m.known().cloned().unwrap_or_default()
    }
}

impl RequestModel {
    /// The attribute names of a request, from the model.
    pub fn attribute_names() -> Vec<String> {
        match RequestModel::default().to_value() {
            Value::Map(m) => m.into_keys().collect(),
            _ => Vec::new(),
        }
    }

    /// The schema type of attribute `name` of a request (`None` for a name the model
    /// does not have; a test checks every field has one). `service_endpoints` is a list of strings; the collection kind of
    /// a given value (list, set or tuple) is the configuration's.
    pub fn attribute_type(name: &str) -> Option<Type> {
        Some(match name {
            "prefix_length" | "min_hosts" => Type::Number,
            "ipv6" => Type::Bool,
            "service_endpoints" => Type::list(Type::String),
            "name"
            | "network_security_group_id"
            | "route_table_id"
            | "delegation"
            | "private_endpoint_network_policies"
            | "purpose" => Type::String,
            _ => return None,
        })
    }
}

impl PrivateModel {
    /// The private state for the ranges `ipv4`/`ipv6`, with the plan's memo key.
    pub fn new(
        ipv4: &BTreeMap<String, String>,
        ipv6: &BTreeMap<String, String>,
        memo: Option<&str>,
    ) -> PrivateModel {
        PrivateModel {
            allocated: Tf::Known(ipv4.clone()),
            allocated_ipv6: Tf::Known(ipv6.clone()),
            memo: memo.map(str::to_string).into(),
        }
    }

    /// The private state as a value.
    pub fn value(&self) -> Value {
        self.to_value()
    }

    /// A private state value (`None` when null or of another shape).
    pub fn read(v: &Value) -> Option<PrivateModel> {
        Option::<PrivateModel>::decode(v).ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_attribute_has_a_type() {
        for name in RequestModel::attribute_names() {
            assert!(RequestModel::attribute_type(&name).is_some(), "{name}");
        }
        assert_eq!(RequestModel::attribute_names().len(), 10);
    }

    #[test]
    fn state_round_trips_through_the_model() {
        let v = Value::object([
            ("key", Value::string("p")),
            (
                "address_space",
                Value::List(vec![Value::string("10.0.0.0/16"), Value::Null]),
            ),
            (
                "subnets",
                Value::Dynamic {
                    type_json: r#"["object",{"a":["object",{"prefix_length":"number"}]}]"#.into(),
                    value: Box::new(Value::object([(
                        "a",
                        Value::object([("prefix_length", Value::Number(25.0))]),
                    )])),
                },
            ),
            (
                "cidrs",
                Value::object([("a", Value::string("10.0.0.0/25"))]),
            ),
            ("allocated_addresses", Value::Number(128.0)),
            ("slot", Value::Unknown),
        ]);
        let m = AllocationModel::decode(&v).expect("decodes");
        assert_eq!(strings(&m.address_space), ["10.0.0.0/16", ""]);
        assert_eq!(m.previous()["a"].ipv4, "10.0.0.0/25");
        let back = m.to_value();
        for (k, x) in v.as_map().into_iter().flatten() {
            assert_eq!(back.as_map().and_then(|b| b.get(k)), Some(x), "{k}");
        }
    }
}
