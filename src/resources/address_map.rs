//! `aifactory_address_map`: a picture (SVG) and a table (Markdown) of an address space and
//! the subnets in it, with the free space, the largest free block and the utilisation.
//!
//! Two inputs: `virtual_network_id` (the vNet's address space and subnets, read through
//! the Azure client; owners and purposes from `allocations` entries that match a subnet,
//! else from the allocator's subnet names `snt-<key>-<purpose>`), or `address_space` plus
//! `allocations` (pure: no Azure call, fed for example from `aifactory_subnet_allocation`
//! results).
//!
//! Owns: the data source's schema, its typed model ([`AddressMapModel`]), the decoding of
//! `allocations`, reading the vNet and the diagnostics. The layout, free space and the
//! renderings are the allocator's `map` module (pure). Must not: write to Azure, draw
//! anything itself.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::context::ProviderContext;
use crate::framework::{
    resource::StateResponse,
    schema::{Attribute, Schema, Type},
    AttrPath, DataSource, Diagnostics, FromValue, Tf, ToValue, Value,
};
use aifactory_allocator::map::{self, MapError, MapInput, MapSubnet};
use aifactory_allocator::{parse_cidr, Cidr};

#[cfg(test)]
mod tests;

/// Microsoft.Network api-version the vNet is read with.
const NETWORK_API: &str = "2024-05-01";
const VNET_TYPE: &str = "Microsoft.Network/virtualNetworks";
/// Time reading the vNet may take.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5 * 60);
/// The attributes an `allocations` entry may have.
const ENTRY_ATTRS: [&str; 4] = ["cidr", "project", "purpose", "name"];

/// `aifactory_address_map`.
pub struct AddressMap {
    ctx: Arc<ProviderContext>,
}

impl AddressMap {
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        AddressMap { ctx }
    }
}

fn schema() -> Schema {
    Schema {
        version: 0,
        description: "A picture of an address space: an SVG in which every subnet is a block in proportion \
to its size, coloured by owner project (the same colour in every map) and shaded by purpose, free blocks \
hatched, and a legend with the largest free block and the utilisation; and a Markdown table of the same \
(CIDR, size, owner, purpose, subnet, free blocks). Platform teams review address plans by looking at them, \
not by reading CIDR lists.\n\n\
Give `virtual_network_id` to draw a virtual network as it is (its address spaces and subnets, read through \
Azure), or `address_space` and `allocations` to draw a plan without any Azure call (for example from the \
results of `aifactory_subnet_allocation`, which are known at plan time, so the picture is current in the \
same run that changes the allocations).\n\n\
The picture is deterministic: blocks by address, colours from a fixed hash of the owner's name. Each row is \
one aligned block of addresses (the row size is in the legend); runs of rows that are entirely free are \
drawn as one narrow band that says what it stands for. IPv4 is drawn; IPv6 ranges are listed in the legend \
and the table. Write the SVG to a file with `terraform output -raw <output> > map.svg`."
            .into(),
        attributes: vec![
            Attribute::optional(
                "virtual_network_id",
                Type::String,
                "ID of the virtual network to draw, for example \
`/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001`. \
Its address spaces and subnets are read through Azure (needs the provider's credentials). A subnet's owner \
and purpose come from the `allocations` entry with its name or CIDR, else from its name when it follows \
the allocator's `snt-<key>-<purpose>` (owner `<key>`); other subnets are drawn grey under their name. \
Conflicts with `address_space`.",
            ),
            Attribute::optional(
                "address_space",
                Type::list(Type::String),
                "The address space to draw: IPv4 and IPv6 CIDRs, not overlapping (for example the virtual \
network's). Required without `virtual_network_id`, which it conflicts with.",
            ),
            Attribute::optional(
                "allocations",
                Type::Dynamic,
                "The subnets: a list of objects `{ cidr = string, project = string, purpose = string, \
name = string }` (only `cidr` is required), or a map from subnet name to such objects. Every `cidr` \
must lie inside the address space and subnets must not overlap. With `virtual_network_id` the entries \
only label the vNet's subnets (matched by name, else by CIDR); an entry matching none gives a warning. \
From `aifactory_subnet_allocation` results: \
`[for purpose, cidr in aifactory_subnet_allocation.p001.cidrs : { project = \"p001\", purpose = purpose, cidr = cidr }]`.",
            ),
            Attribute::optional(
                "title",
                Type::String,
                "Title of the picture and the table. Default: `Address map: ` and the virtual network's \
name, or the address space.",
            ),
            Attribute::computed(
                "svg",
                Type::String,
                "The picture, an SVG document (self-contained, no scripts, no external references).",
            ),
            Attribute::computed(
                "markdown",
                Type::String,
                "The same as a Markdown table: every subnet and free block by address (CIDR, addresses, \
owner, purpose, subnet name), IPv6 subnets after them, then the utilisation and the largest free block.",
            ),
            Attribute::computed(
                "utilisation_percent",
                Type::Number,
                "Share of the IPv4 address space in subnets, in percent, rounded to two decimals.",
            ),
            Attribute::computed(
                "total_addresses",
                Type::Number,
                "IPv4 addresses in the address space.",
            ),
            Attribute::computed(
                "used_addresses",
                Type::Number,
                "IPv4 addresses in subnets.",
            ),
            Attribute::computed(
                "largest_free_block",
                Type::String,
                "The largest free aligned IPv4 block (the largest subnet that could still be created; the \
lowest address among equals), or null when the address space is full.",
            ),
            Attribute::computed(
                "free_blocks",
                Type::list(Type::String),
                "The free IPv4 space as maximal aligned blocks, by address.",
            ),
        ],
    }
}

crate::model! {
    /// `aifactory_address_map`'s configuration and state.
    pub struct AddressMapModel {
        pub virtual_network_id: Tf<String>,
        pub address_space: Tf<Vec<Tf<String>>>,
        /// `dynamic`: the user's value as written (entries are [`EntryModel`]s).
        pub allocations: Value,
        pub title: Tf<String>,
        pub svg: Tf<String>,
        pub markdown: Tf<String>,
        pub utilisation_percent: Tf<f64>,
        pub total_addresses: Tf<u64>,
        pub used_addresses: Tf<u64>,
        pub largest_free_block: Tf<String>,
        pub free_blocks: Tf<Vec<String>>,
    }
}

crate::model! {
    /// One entry of `allocations`.
    pub struct EntryModel {
        pub cidr: Tf<String>,
        pub project: Tf<String>,
        pub purpose: Tf<String>,
        pub name: Tf<String>,
    }
}

/// One checked entry of `allocations`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// Where it is written (`allocations[0]`, `allocations["snt-a"]`).
    pub path: AttrPath,
    pub cidr: Cidr,
    pub project: String,
    pub purpose: String,
    pub name: String,
}

fn text(v: &Tf<String>) -> String {
    v.as_deref().unwrap_or_default().to_string()
}

/// The entries of `allocations`, each checked on its path. Entries whose `cidr` is unknown
/// (validate time) or invalid are left out; invalid ones are diagnosed.
pub(crate) fn entries(allocations: &Value, diags: &mut Diagnostics) -> Vec<Entry> {
    let root = AttrPath::attr("allocations");
    let items: Vec<(AttrPath, Option<String>, &Value)> = match allocations.inner() {
        Value::Null | Value::Unknown => return Vec::new(),
        Value::List(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (root.and_index(i), None, v))
            .collect(),
        Value::Map(m) => m
            .iter()
            .map(|(k, v)| (root.and_key(k.as_str()), Some(k.clone()), v))
            .collect(),
        _ => {
            diags.error(
                root,
                "Invalid value for `allocations`",
                "`allocations` must be a list of objects `{ cidr, project, purpose, name }` or a map from \
subnet name to such objects.",
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (path, key, v) in items {
        if v.is_unknown() {
            continue;
        }
        if let Some(m) = v.as_map() {
            for k in m.keys().filter(|k| !ENTRY_ATTRS.contains(&k.as_str())) {
                diags.error(
                    path.and_attr(k.as_str()),
                    format!("Unknown attribute `{k}` in an `allocations` entry"),
                    format!(
                        "An entry has the attributes {}; remove `{k}` (the owner is `project`).",
                        ENTRY_ATTRS.map(|a| format!("`{a}`")).join(", ")
                    ),
                );
            }
        }
        let e = match EntryModel::from_value(v, &path) {
            Ok(e) => e,
            Err(e) => {
                diags.push(e.to_diagnostic());
                continue;
            }
        };
        let cidr_path = path.and_attr("cidr");
        let cidr = match &e.cidr {
            Tf::Unknown => continue,
            Tf::Null => {
                diags.error(
                    cidr_path,
                    "An `allocations` entry has no `cidr`",
                    "Set `cidr` to the subnet's range, for example `cidr = \"10.20.8.0/25\"`.",
                );
                continue;
            }
            Tf::Known(text) => match parse_cidr(text.trim()) {
                Ok(c) => c,
                Err(why) => {
                    diags.error(
                        cidr_path,
                        format!("Invalid CIDR in `allocations`: {why}"),
                        "Write the subnet's range as address/prefix, for example `10.20.8.0/25`.",
                    );
                    continue;
                }
            },
        };
        let name = match (&e.name, key) {
            (Tf::Known(n), _) => n.clone(),
            (_, Some(k)) => k,
            _ => String::new(),
        };
        out.push(Entry {
            path,
            cidr,
            project: text(&e.project),
            purpose: text(&e.purpose),
            name,
        });
    }
    out
}

/// The known entries of `address_space`, each parsed (errors on `address_space[i]`).
fn address_space(v: &Tf<Vec<Tf<String>>>, diags: &mut Diagnostics) -> Vec<Cidr> {
    let mut out = Vec::new();
    for (i, item) in v.known().into_iter().flatten().enumerate() {
        let Some(s) = item.known() else { continue };
        match parse_cidr(s.trim()) {
            Ok(c) => out.push(c),
            Err(why) => diags.error(
                AttrPath::attr("address_space").and_index(i),
                format!("Invalid CIDR in `address_space`: {why}"),
                "Write each range as address/prefix, for example `10.20.0.0/16`.",
            ),
        }
    }
    out
}

/// What the configuration can say without Azure: exactly one source, IDs and CIDRs.
fn check(config: &AddressMapModel, diags: &mut Diagnostics) {
    match (&config.virtual_network_id, &config.address_space) {
        (Tf::Null, Tf::Null) => diags.error(
            AttrPath::root(),
            "No address space to draw",
            "Set `virtual_network_id` to draw a virtual network, or `address_space` (and `allocations`) to \
draw a plan.",
        ),
        (id, space) if !id.is_null() && !space.is_null() => diags.error(
            AttrPath::attr("address_space"),
            "`address_space` conflicts with `virtual_network_id`",
            "With `virtual_network_id` the address space is the virtual network's: remove `address_space`, \
or remove `virtual_network_id` to draw the given address space.",
        ),
        _ => {}
    }
    if let Some(id) = config.virtual_network_id.known() {
        if let Err(why) = super::ids::check(id, Some(VNET_TYPE)) {
            diags.error(
                AttrPath::attr("virtual_network_id"),
                "Invalid virtual network ID",
                why,
            );
        }
    }
    let _ = address_space(&config.address_space, diags);
    let _ = entries(&config.allocations, diags);
}

/// One subnet of the vNet GET: its name and prefixes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VnetSubnet {
    pub name: String,
    pub prefixes: Vec<Cidr>,
}

/// The address space and subnets of a vNet GET (unparseable prefixes are skipped: Azure
/// only stores valid ones).
pub(crate) fn parse_vnet(j: &Json) -> (Vec<Cidr>, Vec<VnetSubnet>) {
    let strings = |v: Option<&Json>| -> Vec<String> {
        v.and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut space: Vec<Cidr> = Vec::new();
    for s in strings(j.pointer("/properties/addressSpace/addressPrefixes")) {
        if let Ok(c) = parse_cidr(s.trim()) {
            if !space.contains(&c) {
                space.push(c);
            }
        }
    }
    let subnets = j
        .pointer("/properties/subnets")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .map(|s| {
            let name = s
                .get("name")
                .and_then(Json::as_str)
                .or_else(|| {
                    s.get("id")
                        .and_then(Json::as_str)
                        .and_then(|id| id.rsplit('/').next())
                })
                .unwrap_or_default()
                .to_string();
            let props = s.get("properties");
            let mut texts: Vec<String> = props
                .and_then(|p| p.get("addressPrefix"))
                .and_then(Json::as_str)
                .map(str::to_string)
                .into_iter()
                .collect();
            texts.extend(strings(props.and_then(|p| p.get("addressPrefixes"))));
            let mut prefixes: Vec<Cidr> = Vec::new();
            for t in texts {
                if let Ok(c) = parse_cidr(t.trim()) {
                    if !prefixes.contains(&c) {
                        prefixes.push(c);
                    }
                }
            }
            VnetSubnet { name, prefixes }
        })
        .collect();
    (space, subnets)
}

/// Owner and purpose from the allocator's subnet names, `snt-<key>-<purpose>`.
pub(crate) fn owner_from_name(name: &str) -> Option<(String, String)> {
    let rest = name
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("snt-"))
        .map(|_| &name[4..])?;
    let (key, purpose) = rest.split_once('-')?;
    (!key.is_empty() && !purpose.is_empty()).then(|| (key.to_string(), purpose.to_string()))
}

/// Where a subnet of the map came from: an entry, or a vNet subnet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Origin {
    Entry(AttrPath),
    Vnet(String),
}

/// The vNet's subnets labelled by `entries` (by name, else by CIDR) or by their names;
/// entries matching no subnet are warned about.
pub(crate) fn vnet_subnets(
    subnets: &[VnetSubnet],
    entries: &[Entry],
    diags: &mut Diagnostics,
) -> (Vec<MapSubnet>, Vec<Origin>) {
    let mut used = vec![false; entries.len()];
    let mut out = Vec::new();
    let mut origins = Vec::new();
    for s in subnets {
        for cidr in &s.prefixes {
            let by_name = entries
                .iter()
                .position(|e| !e.name.is_empty() && e.name.eq_ignore_ascii_case(&s.name));
            let by_cidr = || entries.iter().position(|e| e.cidr == *cidr);
            let (owner, purpose) = match by_name.or_else(by_cidr) {
                Some(i) => {
                    used[i] = true;
                    (entries[i].project.clone(), entries[i].purpose.clone())
                }
                None => owner_from_name(&s.name).unwrap_or_default(),
            };
            out.push(MapSubnet {
                name: s.name.clone(),
                cidr: *cidr,
                owner,
                purpose,
            });
            origins.push(Origin::Vnet(s.name.clone()));
        }
    }
    for (e, _) in entries.iter().zip(&used).filter(|(_, u)| !**u) {
        diags.warning(
            e.path.clone(),
            format!(
                "No subnet of the virtual network is {}",
                if e.name.is_empty() {
                    e.cidr.to_string()
                } else {
                    format!("{} ({})", e.name, e.cidr)
                }
            ),
            "With `virtual_network_id` an `allocations` entry only labels the subnet with its name or CIDR; \
this one matches none and is not drawn. Remove it, or check its `name` and `cidr`.",
        );
    }
    (out, origins)
}

/// A map error as a diagnostic on the attribute it concerns.
pub(crate) fn map_error(e: &MapError, origins: &[Origin], vnet: bool, diags: &mut Diagnostics) {
    let space_attr = if vnet {
        AttrPath::attr("virtual_network_id")
    } else {
        AttrPath::attr("address_space")
    };
    let subnet_path = |i: usize| match origins.get(i) {
        Some(Origin::Entry(p)) => p.and_attr("cidr"),
        _ => AttrPath::attr("virtual_network_id"),
    };
    let subnet_name = |i: usize| match origins.get(i) {
        Some(Origin::Vnet(n)) => format!(" (subnet {n})"),
        _ => String::new(),
    };
    match e {
        MapError::NoAddressSpace => diags.error(
            space_attr,
            "The address space is empty",
            if vnet {
                "The virtual network has no address space; give it one in Azure."
            } else {
                "Set `address_space` to at least one IPv4 range, for example `[\"10.20.0.0/16\"]`."
            },
        ),
        MapError::NoIpv4 { ipv6 } => diags.error(
            space_attr,
            "No IPv4 address space to draw",
            format!(
                "The map draws IPv4 address spaces; this one is IPv6 only ({ipv6}): a /48 holds 65,536 /64 \
subnets and no picture of it would show one. Add the IPv4 range of the dual-stack network."
            ),
        ),
        MapError::SpaceOverlap {
            second,
            first_cidr,
            second_cidr,
            ..
        } => {
            let path = if vnet {
                space_attr
            } else {
                AttrPath::attr("address_space").and_index(*second)
            };
            diags.error(
                path,
                format!("Address space entries {first_cidr} and {second_cidr} overlap"),
                "Address space entries must not overlap: remove the one inside the other.",
            )
        }
        MapError::Outside { index, cidr, space } => diags.error(
            subnet_path(*index),
            format!("Subnet {cidr}{} lies outside the address space", subnet_name(*index)),
            format!(
                "The address space is {space}; every subnet must lie inside one of its ranges. Fix the \
subnet's `cidr`, or add its range to the address space."
            ),
        ),
        MapError::SubnetOverlap {
            first,
            second,
            first_cidr,
            second_cidr,
        } => diags.error(
            subnet_path(*second),
            format!(
                "Subnets {first_cidr}{} and {second_cidr}{} overlap",
                subnet_name(*first),
                subnet_name(*second)
            ),
            "Subnets cannot share addresses: give one of them another `cidr`, or list a subnet once.",
        ),
    }
}

/// The pure map input of a configuration without `virtual_network_id`.
pub(crate) fn pure_input(
    space: Vec<Cidr>,
    entries: &[Entry],
    title: Option<String>,
) -> (MapInput, Vec<Origin>) {
    let title = title.unwrap_or_else(|| {
        format!(
            "Address map: {}",
            space
                .iter()
                .map(Cidr::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let subnets = entries
        .iter()
        .map(|e| MapSubnet {
            name: e.name.clone(),
            cidr: e.cidr,
            owner: e.project.clone(),
            purpose: e.purpose.clone(),
        })
        .collect();
    let origins = entries
        .iter()
        .map(|e| Origin::Entry(e.path.clone()))
        .collect();
    (
        MapInput {
            title,
            address_space: space,
            subnets,
        },
        origins,
    )
}

/// Fill in the computed attributes from `input`; `false` (diagnosed) when it cannot be drawn.
pub(crate) fn render_into(
    model: &mut AddressMapModel,
    input: &MapInput,
    origins: &[Origin],
    vnet: bool,
    diags: &mut Diagnostics,
) -> bool {
    match map::layout(input) {
        Ok(m) => {
            model.svg = Tf::Known(m.svg());
            model.markdown = Tf::Known(m.markdown());
            model.utilisation_percent = Tf::Known(m.utilisation_percent());
            model.total_addresses = Tf::Known(m.total_addresses);
            model.used_addresses = Tf::Known(m.used_addresses);
            model.largest_free_block = m.largest_free_block().map(|c| c.to_string()).into();
            model.free_blocks = Tf::Known(m.free_blocks().iter().map(|c| c.to_string()).collect());
            true
        }
        Err(errors) => {
            for e in &errors {
                map_error(e, origins, vnet, diags);
            }
            false
        }
    }
}

impl AddressMap {
    /// Read the vNet and build the map input; `None` when diagnosed.
    async fn vnet_input(
        &self,
        id: &str,
        entries: &[Entry],
        title: Option<String>,
        diags: &mut Diagnostics,
    ) -> Option<(MapInput, Vec<Origin>)> {
        let client = match self.ctx.azure() {
            Ok(c) => c,
            Err(d) => {
                diags.push(d);
                return None;
            }
        };
        let rctx = self.ctx.request_ctx(READ_TIMEOUT);
        let j = match client.arm().get_opt(&rctx, id, NETWORK_API).await {
            Ok(Some(j)) => j,
            Ok(None) => {
                diags.error(
                    AttrPath::attr("virtual_network_id"),
                    "The virtual network does not exist",
                    format!(
                        "{id} was not found. Check the ID, or create the virtual network first."
                    ),
                );
                return None;
            }
            Err(e) => {
                diags.error(
                    AttrPath::attr("virtual_network_id"),
                    format!("Reading the virtual network: {}", e.summary()),
                    e.detail(),
                );
                return None;
            }
        };
        let (space, subnets) = parse_vnet(&j);
        let (subnets, origins) = vnet_subnets(&subnets, entries, diags);
        let name = id.rsplit('/').next().unwrap_or(id);
        Some((
            MapInput {
                title: title.unwrap_or_else(|| format!("Address map: {name}")),
                address_space: space,
                subnets,
            },
            origins,
        ))
    }
}

#[async_trait]
impl DataSource for AddressMap {
    fn type_name(&self) -> &'static str {
        "address_map"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        match AddressMapModel::decode(config) {
            Ok(m) => check(&m, &mut diags),
            Err(e) => diags.push(e.to_diagnostic()),
        }
        diags
    }

    async fn read(&self, config: Value) -> StateResponse {
        let mut diags = Diagnostics::new();
        let none = |diags: Diagnostics| StateResponse {
            state: Value::Null,
            private: Value::Null,
            diags,
        };
        let mut model = match AddressMapModel::decode(&config) {
            Ok(m) => m,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return none(diags);
            }
        };
        check(&model, &mut diags);
        if diags.has_errors() {
            return none(diags);
        }
        let entries = entries(&model.allocations, &mut diags);
        let title = model.title.known().cloned();
        let vnet = model.virtual_network_id.known().cloned();
        let (input, origins) = match &vnet {
            Some(id) => match self.vnet_input(id, &entries, title, &mut diags).await {
                Some(x) => x,
                None => return none(diags),
            },
            None => pure_input(
                address_space(&model.address_space, &mut diags),
                &entries,
                title,
            ),
        };
        if !render_into(&mut model, &input, &origins, vnet.is_some(), &mut diags) {
            return none(diags);
        }
        StateResponse {
            state: model.to_value(),
            private: Value::Null,
            diags,
        }
    }
}
