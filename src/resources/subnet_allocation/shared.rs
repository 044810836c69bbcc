//! Small helpers both modes of `aifactory_subnet_allocation` use: subnet names, import
//! ID forms, ID checks, allocator issues as diagnostics, decode errors as responses.
//!
//! A leaf: imports nothing from its parent or siblings, so every other module of the
//! resource may import it. Must not: do I/O, hold resource logic.

use crate::framework::{model::ModelError, resource::StateResponse, Diagnostics, Value};
use aifactory_allocator as allocator;

/// Separator of the import ID: `KEY|name=cidr,name=cidr` or `<vnet id>|KEY`.
pub(crate) const IMPORT_SEPARATOR: char = '|';

/// How to write an import ID, both forms.
pub(crate) const IMPORT_USAGE: &str = "Use `KEY|NAME=CIDR,NAME=CIDR`, for example `project001|genai=10.20.1.0/25,aks=10.20.2.0/26`: \
the allocation's key and the subnets it already holds; or, for an allocation in a live virtual network, \
`<virtual network ID>|KEY`, which adopts the vNet's subnets named `snt-KEY-<purpose>`.";

/// Default subnet name: `snt-<key>-<purpose>` (ESML's `snt-prj001-genai` for key `prj001`).
pub(crate) fn default_subnet_name(key: &str, purpose: &str) -> String {
    format!("{}{purpose}", name_prefix(key))
}

/// What every default subnet name of `key` starts with (import by `<vnet id>|<key>`).
pub(crate) fn name_prefix(key: &str) -> String {
    format!("snt-{key}-")
}

/// Why `name` is not a valid Azure subnet name (1-80 characters: letters, digits, `_`, `.`,
/// `-`; starting with a letter or digit, ending with a letter, digit or `_`).
pub(crate) fn check_subnet_name(name: &str) -> Option<String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    let first_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let last_ok = name
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() || name.len() > 80 || !ok_chars || !first_ok || !last_ok {
        Some(format!(
            "{name:?} is not a valid subnet name: use 1 to 80 letters, digits, `_`, `.` or `-`, starting \
             with a letter or digit and ending with a letter, digit or `_`."
        ))
    } else {
        None
    }
}

/// Why `id` is not the ID of a `Microsoft.Network/<kind>` resource; `None` when fine.
pub(crate) fn check_network_id(id: &str, kind: &str) -> Option<String> {
    crate::resources::ids::check(id, Some(&format!("Microsoft.Network/{kind}"))).err()
}

/// Two virtual network IDs name the same vNet (ARM IDs are case-insensitive; two
/// unknown or two null IDs are the same).
pub(crate) fn same_vnet(
    a: &crate::framework::Tf<String>,
    b: &crate::framework::Tf<String>,
) -> bool {
    match (a.as_deref(), b.as_deref()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

/// Allocator issues as errors and warnings on their attribute paths.
pub(crate) fn push_issues(diags: &mut Diagnostics, issues: &[allocator::Issue]) {
    for i in issues {
        if i.is_warning() {
            diags.warning(i.path.clone(), i.summary(), i.detail());
        } else {
            diags.error(i.path.clone(), i.summary(), i.detail());
        }
    }
}

/// A response that keeps `state` and `private` and reports why a value did not decode.
pub(crate) fn undecodable(state: Value, private: Value, e: &ModelError) -> StateResponse {
    let mut diags = Diagnostics::new();
    diags.push(e.to_diagnostic());
    StateResponse {
        state,
        private,
        diags,
    }
}
