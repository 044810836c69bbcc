//! Reading `aifactory_project` configuration (and state, which has the same shape) into
//! the core's [`ProjectSpec`] plus the resource's own options, with shape checks on exact
//! attribute paths. Object-shaped inputs are `map(string)`/`map(bool)` or, for `team`,
//! `dynamic` (tf-provider cannot send nested attributes), so every key and type is checked
//! here. The values come decoded ([`ProjectModel`]); what is checked here is what the
//! types do not say (keys, enumerations, durations).
//!
//! Must not: talk to Azure, decide what a project contains.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::framework::ToDiagnostic;
use crate::framework::{AttrPath, Diagnostics, FromValue, Num, Severity, Step, Tf, Value};
use aifactory_template::naming::{Environment, SaltMode};
use aifactory_template::project::{
    Cloud, CommonRefs, FoundryAccount, ModelDeployment, NamingOptions, NetworkAccess, Persona,
    ProjectSpec, ProjectType, RoleSet, SearchOptions, Services, Team, TeamPrincipalType,
};

use super::schema::{DeploymentModel, PersonaModel, ProjectModel, StringMap, TeamModel};

/// Keys of `naming`.
pub const NAMING_KEYS: [&str; 5] = ["prefix", "location_short", "suffix", "salt", "random_salt"];
/// Keys of `common`; the first three are required.
pub const COMMON_KEYS: [&str; 7] = [
    "resource_group_name",
    "private_dns_zone_resource_group_id",
    "log_analytics_workspace_id",
    "datalake_storage_account_id",
    "datalake_filesystem",
    "datalake_traverse_group_id",
    "dns_zone_groups",
];
/// Keys of `services` (every switch for every project type).
pub const SERVICE_KEYS: [&str; aifactory_template::project::SERVICE_SWITCHES.len()] =
    aifactory_template::project::SERVICE_SWITCHES;
/// Attributes of `team`.
pub const TEAM_KEYS: [&str; 4] = [
    "object_ids",
    "principal_type",
    "service_principal_object_id",
    "personas",
];
/// Attributes of one `team.personas` entry.
pub const PERSONA_KEYS: [&str; 3] = ["object_ids", "principal_type", "role_set"];
/// Attributes of the `timeouts` block.
pub const TIMEOUT_KEYS: [&str; 4] = ["create", "read", "update", "delete"];

/// Top-level attributes typed as maps: a core issue on `naming.prefix` is reported on
/// `naming["prefix"]`, the path Terraform resolves in a map.
const MAP_ATTRS: [&str; 7] = [
    "naming",
    "common",
    "services",
    "subnet_ids",
    "tags",
    "search_options",
    "foundry_options",
];

/// The provider facts a project needs besides its configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderFacts {
    pub subscription_id: String,
    pub tenant_id: String,
    pub cloud: Cloud,
}

/// Operation time limits (the `timeouts` block).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Duration,
    pub read: Duration,
    pub update: Duration,
    pub delete: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            create: Duration::from_secs(60 * 60),
            read: Duration::from_secs(5 * 60),
            update: Duration::from_secs(60 * 60),
            delete: Duration::from_secs(60 * 60),
        }
    }
}

/// Everything the configuration (or state) says.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub spec: ProjectSpec,
    pub force_destroy: bool,
    pub datalake_delete_on_destroy: bool,
    pub timeouts: Timeouts,
}

/// A core issue's path as Terraform resolves it (map keys instead of attributes).
pub fn fix_path(path: AttrPath) -> AttrPath {
    let mut steps = path.0;
    if let (Some(Step::Attr(first)), Some(second)) = (steps.first().cloned(), steps.get_mut(1)) {
        if MAP_ATTRS.contains(&first.as_str()) {
            if let Step::Attr(name) = second {
                *second = Step::Key(name.clone());
            }
        }
    }
    AttrPath(steps)
}

/// Parse a Go duration (`30m`, `1h30m`, `90s`, `1.5h`, `500ms`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 0.000_001,
            "ns" => 0.000_000_001,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += n * factor;
    }
    (total.is_finite() && (0.0..1e9).contains(&total)).then(|| Duration::from_secs_f64(total))
}

/// A map attribute whose values are strings (unknown ones left out); reports unknown keys.
fn string_map(
    v: &Tf<StringMap>,
    attr: &str,
    allowed: Option<&[&str]>,
    example: &str,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(m) = v.known() else {
        return out;
    };
    for (k, item) in m {
        let path = AttrPath::attr(attr).and_key(k.clone());
        if let Some(allowed) = allowed {
            if !allowed.contains(&k.as_str()) {
                diags.error(
                    path.clone(),
                    format!("Unsupported key {k:?} in `{attr}`"),
                    format!(
                        "`{attr}` takes {}. Remove {k:?}; for example {example}.",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                continue;
            }
        }
        if let Some(s) = item.known() {
            out.insert(k.clone(), s.clone());
        }
    }
    out
}

/// The known strings of a list; a null element is an error.
fn strings(v: &Tf<Vec<Tf<String>>>, path: AttrPath, diags: &mut Diagnostics) -> Vec<String> {
    let Some(items) = v.known() else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| match item {
            Tf::Known(s) => Some(s.clone()),
            Tf::Unknown => None,
            Tf::Null => {
                diags.error(
                    path.and_index(i),
                    "Must be a string",
                    format!("Every element of {path} is a string."),
                );
                None
            }
        })
        .collect()
}

/// `common.dns_zone_groups`: `"true"` (default) or `"false"` (a map of strings).
/// `foundry_options` (of the project and of `aifactory_project_names`): the account AI
/// Foundry runs on.
pub(crate) fn foundry_options(v: &Tf<StringMap>, diags: &mut Diagnostics) -> FoundryAccount {
    let foundry = string_map(
        v,
        "foundry_options",
        Some(&["account"]),
        "`foundry_options = { account = \"dedicated\" }`",
        diags,
    );
    foundry_account(foundry.get("account"), diags)
}

/// `foundry_options.account`: `ai_services` (default) or `dedicated`.
fn foundry_account(v: Option<&String>, diags: &mut Diagnostics) -> FoundryAccount {
    let Some(s) = v else {
        return FoundryAccount::default();
    };
    FoundryAccount::parse(s).unwrap_or_else(|| {
        diags.error(
            AttrPath::attr("foundry_options").and_key("account"),
            format!("Invalid foundry_options.account {s:?}"),
            format!(
                "Set `foundry_options.account` to {}: `ai_services` runs AI Foundry on the project's AI Services account, `dedicated` on an account of its own (ESML's `aif2…`).",
                FoundryAccount::VALUES.map(|v| format!("\"{v}\"")).join(" or ")
            ),
        );
        FoundryAccount::default()
    })
}

fn dns_zone_groups(v: Option<&String>, diags: &mut Diagnostics) -> bool {
    match v.map(String::as_str) {
        None | Some("true") => true,
        Some("false") => false,
        Some(other) => {
            diags.error(
                AttrPath::attr("common").and_key("dns_zone_groups"),
                format!("Invalid dns_zone_groups {other:?}"),
                "Set `common.dns_zone_groups` to \"true\" (private endpoints get DNS zone groups) or \"false\" (the landing zone's DNS policy writes the records), as `aifactory_common.project_refs` gives it.",
            );
            true
        }
    }
}

fn enum_value<T: std::str::FromStr<Err = aifactory_template::naming::UnknownValue>>(
    v: &Tf<String>,
    attr: &str,
    diags: &mut Diagnostics,
) -> Option<T> {
    let s = v.known()?;
    match s.parse::<T>() {
        Ok(t) => Some(t),
        Err(e) => {
            diags.error(
                AttrPath::attr(attr),
                format!("Invalid {attr} {s:?}"),
                format!("Set `{attr}` to one of: {}.", e.expected.join(", ")),
            );
            None
        }
    }
}

/// The `team` value, shape-checked.
fn team(v: &Value, diags: &mut Diagnostics) -> Team {
    let shape =
        "Write `team = { object_ids = [\"<Entra object ID>\"], principal_type = \"Group\", \
                 service_principal_object_id = \"<object ID>\" }` (principal_type and \
                 service_principal_object_id are optional).";
    let path = AttrPath::attr("team");
    let mut out = Team::default();
    if v.is_null() || v.is_unknown() {
        return out;
    }
    let Some(m) = v.as_map() else {
        diags.error(path, "`team` must be an object", shape);
        return out;
    };
    // A literal object: its attributes are whatever was written.
    for k in m.keys().filter(|k| !TEAM_KEYS.contains(&k.as_str())) {
        diags.error(
            path.and_attr(k.clone()),
            format!("Unsupported attribute {k:?} in `team`"),
            shape,
        );
    }
    if !m.contains_key(TEAM_KEYS[0]) {
        diags.error(path.clone(), "`team.object_ids` is required", shape);
    }
    let team = match TeamModel::from_value(v, &path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(e.to_diagnostic());
            return out;
        }
    };
    out.object_ids = strings(&team.object_ids, path.and_attr("object_ids"), diags);
    if let Some(s) = team.principal_type.known() {
        match s.parse::<TeamPrincipalType>() {
            Ok(p) => out.principal_type = p,
            Err(e) => diags.error(
                path.and_attr("principal_type"),
                format!("Invalid team.principal_type {s:?}"),
                format!(
                    "Set it to one of: {} (the type of every object in team.object_ids).",
                    e.expected.join(", ")
                ),
            ),
        }
    }
    out.service_principal_object_id = team.service_principal_object_id.into_known();
    out.personas = personas(&team.personas, &path.and_attr("personas"), diags);
    out
}

/// Attributes of one `deployments` entry.
pub const DEPLOYMENT_KEYS: [&str; 5] = ["model", "version", "format", "sku", "capacity"];

/// `deployments`: `{ <name> = { model, version, format, sku, capacity } }`, sorted by name.
fn deployments(v: &Value, diags: &mut Diagnostics) -> Vec<ModelDeployment> {
    let path = AttrPath::attr("deployments");
    let shape = "Write `deployments = { gpt = { model = \"gpt-4o\", version = \"2024-11-20\", sku = \"GlobalStandard\", \
                 capacity = 50 } }` (format defaults to OpenAI, sku to GlobalStandard).";
    if v.is_null() || v.is_unknown() {
        return Vec::new();
    }
    let Some(m) = v.as_map() else {
        diags.error(path, "`deployments` must be an object", shape);
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, d) in m {
        let at = path.and_key(name.clone());
        let Some(fields) = d.as_map() else {
            diags.error(at, format!("Deployment {name:?} must be an object"), shape);
            continue;
        };
        for k in fields
            .keys()
            .filter(|k| !DEPLOYMENT_KEYS.contains(&k.as_str()))
        {
            diags.error(
                at.and_attr(k.clone()),
                format!("Unsupported attribute {k:?} in a deployment"),
                shape,
            );
        }
        let dm = match DeploymentModel::from_value(d, &at) {
            Ok(x) => x,
            Err(e) => {
                diags.push(e.to_diagnostic());
                continue;
            }
        };
        let Some(model) = dm.model.known().cloned() else {
            diags.error(
                at.and_attr("model"),
                format!("Deployment {name:?} has no model"),
                shape,
            );
            continue;
        };
        if dm.capacity.is_null() {
            diags.error(
                at.and_attr("capacity"),
                format!("Deployment {name:?} has no capacity"),
                shape,
            );
            continue;
        }
        let Some(capacity) = crate::framework::num::whole(
            &dm.capacity,
            at.and_attr("capacity"),
            1e15,
            "a whole number from 1 (the template checks the upper bound)",
            diags,
        ) else {
            continue;
        };
        out.push(ModelDeployment {
            name: name.clone(),
            model,
            version: dm.version.known().cloned(),
            format: dm
                .format
                .known()
                .cloned()
                .unwrap_or_else(|| "OpenAI".into()),
            sku: dm
                .sku
                .known()
                .cloned()
                .unwrap_or_else(|| "GlobalStandard".into()),
            capacity,
        });
    }
    out
}

/// `team.personas`: `{ <name> = { object_ids = [...], principal_type = "Group", role_set =
/// "developer" } }`, sorted by name.
fn personas(v: &Value, path: &AttrPath, diags: &mut Diagnostics) -> Vec<Persona> {
    let shape = "Write `personas = { data_scientists = { object_ids = [\"<Entra object ID>\"], \
                 principal_type = \"Group\", role_set = \"developer\" } }` (role_set: reader, developer \
                 or project_admin; principal_type: User or Group, default Group).";
    if v.is_null() || v.is_unknown() {
        return Vec::new();
    }
    let Some(m) = v.as_map() else {
        diags.error(path.clone(), "`team.personas` must be an object", shape);
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, p) in m {
        let at = path.and_key(name.clone());
        let Some(fields) = p.as_map() else {
            diags.error(at, format!("Persona {name:?} must be an object"), shape);
            continue;
        };
        for k in fields
            .keys()
            .filter(|k| !PERSONA_KEYS.contains(&k.as_str()))
        {
            diags.error(
                at.and_attr(k.clone()),
                format!("Unsupported attribute {k:?} in a persona"),
                shape,
            );
        }
        let persona = match PersonaModel::from_value(p, &at) {
            Ok(x) => x,
            Err(e) => {
                diags.push(e.to_diagnostic());
                continue;
            }
        };
        let principal_type = match persona.principal_type.known() {
            None => TeamPrincipalType::Group,
            Some(s) => match s.parse::<TeamPrincipalType>() {
                Ok(t) => t,
                Err(e) => {
                    diags.error(
                        at.and_attr("principal_type"),
                        format!("Invalid principal_type {s:?}"),
                        format!("Set it to one of: {}.", e.expected.join(", ")),
                    );
                    continue;
                }
            },
        };
        let role_set = match persona.role_set.known() {
            None if persona.role_set.is_unknown() => RoleSet::Reader,
            None => {
                diags.error(
                    at.and_attr("role_set"),
                    format!("Persona {name:?} has no role_set"),
                    "Set role_set to reader, developer or project_admin (the roles of each are in the \
                     resource's documentation).",
                );
                continue;
            }
            Some(s) => match s.parse::<RoleSet>() {
                Ok(r) => r,
                Err(e) => {
                    diags.error(
                        at.and_attr("role_set"),
                        format!("Invalid role_set {s:?}"),
                        format!("Set it to one of: {}.", e.expected.join(", ")),
                    );
                    continue;
                }
            },
        };
        out.push(Persona {
            name: name.clone(),
            object_ids: strings(&persona.object_ids, at.and_attr("object_ids"), diags),
            principal_type,
            role_set,
        });
    }
    out
}

fn services(v: &Tf<BTreeMap<String, Tf<bool>>>, diags: &mut Diagnostics) -> Services {
    let mut out = Services::default();
    let Some(m) = v.known() else {
        return out;
    };
    for (k, item) in m {
        let path = AttrPath::attr("services").and_key(k.clone());
        let b = item.known().copied();
        if !out.set(k, b) {
            diags.error(
                path,
                format!("Unknown service {k:?}"),
                format!(
                    "`services` takes {} (each for every project type; project_type sets the defaults).",
                    SERVICE_KEYS.join(", ")
                ),
            );
        }
    }
    out
}

/// The `timeouts` block: `Null` when absent (every default), else an object whose
/// attributes are Go durations or null.
pub(crate) fn timeouts(v: &Value, diags: &mut Diagnostics) -> Timeouts {
    let example = "`timeouts { create = \"90m\" }`";
    let mut out = Timeouts::default();
    if v.is_null() || v.is_unknown() {
        return out;
    }
    let Some(m) = v.as_map() else {
        diags.error(
            AttrPath::attr("timeouts"),
            "`timeouts` must be a block",
            format!("Write it like {example}."),
        );
        return out;
    };
    for (k, item) in m {
        let path = AttrPath::attr("timeouts").and_attr(k.clone());
        if !TIMEOUT_KEYS.contains(&k.as_str()) {
            diags.error(
                path,
                format!("Unsupported argument {k:?} in `timeouts`"),
                format!("`timeouts` takes `create`, `read`, `update` and `delete`; for example {example}."),
            );
            continue;
        }
        let text = match item.inner() {
            Value::Null | Value::Unknown => continue,
            Value::String(s) => s,
            _ => {
                diags.error(
                    path,
                    format!("`timeouts.{k}` must be a string"),
                    format!("Write it like {example}."),
                );
                continue;
            }
        };
        let Some(d) = parse_duration(text) else {
            diags.error(
                path,
                format!("Invalid duration {text:?}"),
                "Use Go duration syntax, for example \"30m\", \"1h30m\" or \"90s\".",
            );
            continue;
        };
        if d.is_zero() {
            diags.error(
                path,
                "A timeout must be longer than zero",
                format!(
                    "Give a positive duration such as \"30m\", or remove `{k}` for the default."
                ),
            );
            continue;
        }
        match k.as_str() {
            "create" => out.create = d,
            "read" => out.read = d,
            "update" => out.update = d,
            _ => out.delete = d,
        }
    }
    out
}

/// Shape checks that need no provider facts (ValidateResourceConfig).
pub fn check_shapes(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let facts = ProviderFacts {
        subscription_id: String::new(),
        tenant_id: String::new(),
        cloud: Cloud::Public,
    };
    let _ = read_inputs(config, &facts, &mut diags);
    diags
}

/// [`inputs`] of a configuration or state not decoded yet (a decode error is diagnosed
/// on its attribute).
pub fn read_inputs(v: &Value, facts: &ProviderFacts, diags: &mut Diagnostics) -> Option<Inputs> {
    match ProjectModel::decode(v) {
        Ok(m) => inputs(&m, facts, diags),
        Err(e) => {
            diags.push(e.to_diagnostic());
            None
        }
    }
}

/// Read configuration or state. Unknown parts read as absent; callers check
/// `is_wholly_known` where it matters. `None` when something is unusable (diagnosed).
pub fn inputs(v: &ProjectModel, facts: &ProviderFacts, diags: &mut Diagnostics) -> Option<Inputs> {
    let before = diags.0.len();
    let number = project_number(&v.number, diags).unwrap_or(0);
    let environment = enum_value::<Environment>(&v.environment, "environment", diags);
    let project_type = enum_value::<ProjectType>(&v.project_type, "project_type", diags);
    let network_access = match v.network_access {
        Tf::Known(_) => enum_value::<NetworkAccess>(&v.network_access, "network_access", diags),
        _ => Some(NetworkAccess::Private),
    };
    let location = v.location.as_deref().unwrap_or_default().to_string();
    let naming = string_map(
        &v.naming,
        "naming",
        Some(&NAMING_KEYS),
        "`naming = { prefix = \"acme-\", location_short = \"weu\", suffix = \"-001\" }`",
        diags,
    );
    let salt = naming_salt(&naming, diags);
    let random_salt = naming_random_salt(&naming, salt, diags);
    let common = string_map(
        &v.common,
        "common",
        Some(&COMMON_KEYS),
        "`common = { resource_group_name = \"...\", private_dns_zone_resource_group_id = \"...\", log_analytics_workspace_id = \"...\" }`",
        diags,
    );
    if let Some(m) = v.common.known() {
        for required in &COMMON_KEYS[..3] {
            if !m.contains_key(*required) {
                diags.error(
                    AttrPath::attr("common"),
                    format!("`common.{required}` is required"),
                    format!("Add `{required} = \"...\"` to `common`: the project refers to the AI factory's common part."),
                );
            }
        }
    }
    let subnet_ids = string_map(
        &v.subnet_ids,
        "subnet_ids",
        None,
        "`subnet_ids = { private_endpoints = \"/subscriptions/.../subnets/snt-prj001-genai\" }`",
        diags,
    );
    check_id_grammar(&common, &subnet_ids, diags);
    let tags = string_map(
        &v.tags,
        "tags",
        None,
        "`tags = { cost_center = \"1234\" }`",
        diags,
    );
    let team = team(&v.team, diags);
    let services = services(&v.services, diags);
    let deployments = deployments(&v.deployments, diags);
    let search = string_map(
        &v.search_options,
        "search_options",
        Some(&["sku", "semantic_ranker"]),
        "`search_options = { sku = \"standard\", semantic_ranker = \"free\" }`",
        diags,
    );
    let foundry_account = foundry_options(&v.foundry_options, diags);
    let ip_allowlist = strings(&v.ip_allowlist, AttrPath::attr("ip_allowlist"), diags);
    let timeouts = timeouts(&v.timeouts, diags);
    let force_destroy = v.force_destroy.known().copied().unwrap_or(false);
    let datalake_delete_on_destroy = v
        .datalake_delete_on_destroy
        .known()
        .copied()
        .unwrap_or(false);
    let key_vault_purge_protection = v.key_vault_purge_protection.known().copied();
    let diagnostics = v.diagnostics.known().copied().unwrap_or(true);
    let identity_principal_id = v.identity_principal_id.known().cloned();
    if diags.0[before..]
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        return None;
    }
    let spec = ProjectSpec {
        subscription_id: facts.subscription_id.clone(),
        tenant_id: facts.tenant_id.clone(),
        cloud: facts.cloud,
        number,
        environment: environment?,
        location,
        project_type: project_type?,
        naming: NamingOptions {
            prefix: naming.get("prefix").cloned(),
            location_short: naming.get("location_short").cloned(),
            suffix: naming.get("suffix").cloned(),
            salt: salt?,
            random_salt: random_salt?,
        },
        common: CommonRefs {
            resource_group_name: common
                .get("resource_group_name")
                .cloned()
                .unwrap_or_default(),
            private_dns_zone_resource_group_id: common
                .get("private_dns_zone_resource_group_id")
                .cloned()
                .unwrap_or_default(),
            log_analytics_workspace_id: common
                .get("log_analytics_workspace_id")
                .cloned()
                .unwrap_or_default(),
            datalake_storage_account_id: common.get("datalake_storage_account_id").cloned(),
            datalake_filesystem: common.get("datalake_filesystem").cloned(),
            datalake_traverse_group_id: common.get("datalake_traverse_group_id").cloned(),
            dns_zone_groups: dns_zone_groups(common.get("dns_zone_groups"), diags),
        },
        subnet_ids,
        team,
        services,
        network_access: network_access?,
        ip_allowlist,
        tags,
        identity_principal_id,
        key_vault_purge_protection,
        deployments,
        search: SearchOptions {
            sku: search.get("sku").cloned(),
            semantic_ranker: search.get("semantic_ranker").cloned(),
        },
        foundry_account,
        diagnostics,
    };
    Some(Inputs {
        spec,
        force_destroy,
        datalake_delete_on_destroy,
        timeouts,
    })
}

/// The IDs among `common` and `subnet_ids` follow ARM's ID grammar (no `.`/`..` segment in
/// any encoding, no control character, no empty segment), each error on its key; which
/// type each must be is the template's check. `datalake_traverse_group_id` is an Entra
/// object ID (a GUID, the template's check), not an ARM ID.
fn check_id_grammar(
    common: &BTreeMap<String, String>,
    subnet_ids: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) {
    let common_ids = common
        .iter()
        .filter(|(k, _)| k.ends_with("_id") && k.as_str() != "datalake_traverse_group_id")
        .map(|(k, id)| (AttrPath::attr("common").and_key(k), id));
    let subnets = subnet_ids
        .iter()
        .map(|(k, id)| (AttrPath::attr("subnet_ids").and_key(k), id));
    for (path, id) in common_ids.chain(subnets) {
        if let Err(why) = aifactory_azure::ArmId::parse_resource(id) {
            diags.error(
                path.clone(),
                format!("Invalid {path}"),
                format!("{id:?} is not an ARM resource ID: {why}."),
            );
        }
    }
}

/// `number` as a whole number, or an error on `number` quoting the value as written
/// (`number 1e300 is out of range`); the template checks 1 to 999 and quotes it too.
pub fn project_number(n: &Tf<Num>, diags: &mut Diagnostics) -> Option<i64> {
    crate::framework::num::whole(
        n,
        AttrPath::attr("number"),
        1e9,
        "set `number` to the project number, 1 to 999 (names render it with three digits)",
        diags,
    )
}

/// Are the inputs that decide the names (and so the resource group ID) known?
pub fn naming_known(v: &ProjectModel) -> bool {
    let naming_known = match &v.naming {
        Tf::Unknown => false,
        Tf::Null => true,
        Tf::Known(m) => m.values().all(|x| !x.is_unknown()),
    };
    !v.number.is_unknown()
        && !v.environment.is_unknown()
        && !v.location.is_unknown()
        && naming_known
        && !v.common_at("resource_group_name").is_unknown()
}

/// `naming.salt`: absent means [`SaltMode::AiFactory`]; `None` (diagnosed on
/// `naming["salt"]`) when it is not one of [`SaltMode::VALUES`].
pub fn naming_salt(naming: &BTreeMap<String, String>, diags: &mut Diagnostics) -> Option<SaltMode> {
    let Some(text) = naming.get("salt") else {
        return Some(SaltMode::default());
    };
    match text.parse::<SaltMode>() {
        Ok(mode) => Some(mode),
        Err(e) => {
            diags.error(
                AttrPath::attr("naming").and_key("salt".to_string()),
                format!("Invalid naming.salt {text:?}"),
                format!(
                    "Set `naming.salt` to one of: {} (`aifactory`, the default, is this provider's salt; \
                     `esml` reproduces the names ESML's pipelines gave, to adopt an ESML project), or remove it.",
                    e.expected.join(", ")
                ),
            );
            None
        }
    }
}

/// `naming.random_salt`, checked against `naming.salt` (`mode`, `None` when that was
/// invalid and diagnosed): `Some(value)` when usable, `None` (diagnosed on
/// `naming["random_salt"]`) when it is not a value ESML produces or is set without
/// `naming.salt = "esml"`.
pub fn naming_random_salt(
    naming: &BTreeMap<String, String>,
    mode: Option<SaltMode>,
    diags: &mut Diagnostics,
) -> Option<Option<String>> {
    let value = naming.get("random_salt");
    let Some(mode) = mode else {
        return Some(value.cloned());
    };
    match aifactory_template::naming::check_random_salt(mode, value.map(String::as_str)) {
        Ok(()) => Some(value.cloned()),
        Err(issue) => {
            let mut d = issue.to_diagnostic();
            d.path = fix_path(d.path);
            diags.push(d);
            None
        }
    }
}

/// `naming`, `common` and `services` alone (for `aifactory_project_names`).
pub fn maps(
    naming: &Tf<StringMap>,
    common: &Tf<StringMap>,
    services_value: &Tf<BTreeMap<String, Tf<bool>>>,
    diags: &mut Diagnostics,
) -> (BTreeMap<String, String>, BTreeMap<String, String>, Services) {
    let naming = string_map(
        naming,
        "naming",
        Some(&NAMING_KEYS),
        "`naming = { prefix = \"acme-\", location_short = \"weu\", suffix = \"-001\" }`",
        diags,
    );
    let salt = naming_salt(&naming, diags);
    let _ = naming_random_salt(&naming, salt, diags);
    let common = string_map(
        common,
        "common",
        Some(&COMMON_KEYS),
        "`common = { resource_group_name = \"...\" }`",
        diags,
    );
    let services = services(services_value, diags);
    (naming, common, services)
}
