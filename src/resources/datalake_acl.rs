//! `aifactory_datalake_acl`: chosen entries of one data lake path's POSIX ACL (ADLS Gen2),
//! for the common environment's lake layout — typically `other::--x` on the filesystem
//! root and `projects`, so every project's principals can traverse to their folder
//! without each project adding entries to the shared parents (Azure allows 32 per scope).
//!
//! Owns: the translation between the resource's HCL and [`aifactory_azure::DfsClient`]'s
//! read-modify-write ([`aifactory_azure::DfsClient::update_acl`]). It manages only the
//! entries it lists: every other entry of the path (other projects', the owner's) is kept
//! as found, before and after. Must not: delete directories or data, touch paths below.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{azure_error, decode_or_keep, keep};
use crate::context::ProviderContext;
use crate::framework::{
    resource::{ApplyRequest, StateResponse},
    schema::{Attribute, Schema, Type},
    AttrPath, Diagnostics, FromValue, PlanRequest, PlanResponse, Resource, Tf, ToValue, Value,
};
use aifactory_azure::{Acl, AclEntry, AclKey, AclType, AzureClient, AzureError, DirectoryOptions};

/// Time one apply, read or import may take.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(10 * 60);

const IMPORT_USAGE: &str = "Use `<storage account ID>|<filesystem>|<path>|<entries>`, entries comma-separated with or \
without permissions, for example `/subscriptions/.../storageAccounts/lakeweudev|lake3|projects|other::--x,default:other::`. \
The path `/` is the filesystem root.";

pub struct DatalakeAcl {
    ctx: Arc<ProviderContext>,
}

impl DatalakeAcl {
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        DatalakeAcl { ctx }
    }
}

fn schema() -> Schema {
    Schema {
        version: 0,
        description: "Chosen entries of the POSIX access control list of one path in an Azure Data Lake Storage Gen2 \
filesystem (a storage account with hierarchical namespace).\n\n\
The resource manages only the entries it lists; every other entry of the path (the owner's, other projects') is \
kept as found. Writes are read-modify-write with `If-Match`, so concurrent changes by `aifactory_project` \
resources or other writers are never overwritten.\n\n\
The AI Factory's common environment uses it to let everyone traverse the lake's root and `projects` folders \
(`other::--x`: execute only, no listing). Azure allows 32 entries per ACL scope: without that traverse entry every \
project adds its members, service principal and identity to those shared parents, and the lake fills up after a \
handful of projects; with it, `aifactory_project` adds nothing there.\n\n\
Drift: an entry removed or changed behind Terraform's back shows in the next plan. Destroy removes the named \
(`user:<id>`, `group:<id>`) entries it manages; the base entries (`user::`, `group::`, `mask::`, `other::`) \
cannot be removed from a POSIX ACL and are left as they are. Neither the directory nor its data is ever deleted."
            .into(),
        attributes: vec![
            Attribute::required(
                "storage_account_id",
                Type::String,
                "ARM ID of the storage account (hierarchical namespace enabled). Its name selects the DFS endpoint. Changing it replaces the resource.",
            )
            .forces_replacement(),
            Attribute::required(
                "filesystem",
                Type::String,
                "The filesystem (container), for example `lake3`. Changing it replaces the resource.",
            )
            .forces_replacement(),
            Attribute::optional(
                "path",
                Type::String,
                "Directory inside the filesystem, for example `projects`; `/` (the default) is the filesystem root. Changing it replaces the resource.",
            )
            .forces_replacement(),
            Attribute::required(
                "entries",
                Type::Set(Box::new(Type::String)),
                "The ACL entries this resource manages, in the ADLS grammar `[default:]user|group|mask|other:[object id]:rwx`, \
for example `other::--x` or `default:group:<object id>:r-x`. Each (scope, type, id) may appear once. Removing a named \
entry from the set removes it from the path.",
            ),
            Attribute::optional(
                "create_directory",
                Type::Bool,
                "Create the directory (and its parents) when it does not exist. Default `true`. Destroy never deletes it.",
            ),
            Attribute::computed("id", Type::String, "`<storage account ID>|<filesystem>|<path>`."),
        ],
    }
}

/// The storage account name of an ARM storage account ID.
fn account_name(id: &str) -> Option<&str> {
    check_account_id(id).ok()
}

/// The storage account's name, or why `id` is not a storage account ID (ARM's ID grammar
/// first: no `.`/`..` segment in any encoding, no control character).
fn check_account_id(id: &str) -> Result<&str, String> {
    super::ids::check(id, Some("Microsoft.Storage/storageAccounts"))?;
    let name = id.rsplit('/').next().unwrap_or_default();
    if (3..=24).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        Ok(name)
    } else {
        Err(format!(
            "{name:?} is not a storage account name: 3-24 lowercase letters and digits."
        ))
    }
}

/// `/`, `` and `//` are the root; other paths lose their outer slashes.
fn dfs_path(path: &str) -> &str {
    path.trim_matches('/')
}

fn resource_id(account_id: &str, fs: &str, path: &str) -> String {
    format!("{account_id}|{fs}|/{}", dfs_path(path))
}

/// Parsed entries, each with its text as written, in the order given.
fn parse_entries<'a>(
    texts: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<(String, AclEntry)>, String> {
    let mut out: Vec<(String, AclEntry)> = Vec::new();
    for text in texts {
        let entry: AclEntry = text.parse().map_err(|e| {
            format!("{e}. Write entries like `other::--x` or `user:<object id>:rwx`.")
        })?;
        if let Some((other, _)) = out.iter().find(|(_, e)| e.key == entry.key) {
            return Err(format!(
                "{text:?} and {other:?} set the same entry ({}); keep one of them.",
                entry.key
            ));
        }
        out.push((text.to_string(), entry));
    }
    Ok(out)
}

/// The entries of `parsed`, without their texts.
fn acl_entries(parsed: &[(String, AclEntry)]) -> Vec<AclEntry> {
    parsed.iter().map(|(_, e)| e.clone()).collect()
}

fn is_named(key: &AclKey) -> bool {
    matches!(key.kind, AclType::User | AclType::Group) && !key.id.is_empty()
}

crate::model! {
    /// `aifactory_datalake_acl`'s configuration, plan and state.
    pub struct DatalakeAclModel {
        pub storage_account_id: Tf<String>,
        pub filesystem: Tf<String>,
        pub path: Tf<String>,
        /// A set; in a configuration an element may be unknown until apply.
        pub entries: Tf<Vec<Tf<String>>>,
        pub create_directory: Tf<bool>,
        pub id: Tf<String>,
    }
}

/// Where the entries live, with the account name taken from its ID.
struct Target {
    account_id: String,
    account: String,
    fs: String,
    path: String,
    create_directory: bool,
}

impl Target {
    /// The resource's `id`.
    fn id(&self) -> String {
        resource_id(&self.account_id, &self.fs, &self.path)
    }
}

impl DatalakeAclModel {
    /// The path this configuration or state names; `None` while the account ID or the
    /// filesystem is not known, or the ID is not a storage account's.
    fn target(&self) -> Option<Target> {
        let account_id = self.storage_account_id.as_deref()?.to_string();
        let account = account_name(&account_id)?.to_string();
        Some(Target {
            account,
            account_id,
            fs: self.filesystem.as_deref()?.to_string(),
            path: self.path.as_deref().unwrap_or("/").to_string(),
            create_directory: self.create_directory.known().copied().unwrap_or(true),
        })
    }

    /// True when the set and every element of it is known.
    fn entries_known(&self) -> bool {
        match &self.entries {
            Tf::Unknown => false,
            Tf::Null => true,
            Tf::Known(items) => !items.iter().any(Tf::is_unknown),
        }
    }

    /// The known entries' texts (none when the set is null or unknown).
    fn entry_texts(&self) -> impl Iterator<Item = &str> {
        self.entries
            .known()
            .into_iter()
            .flatten()
            .filter_map(Tf::as_deref)
    }

    /// The entries parsed, or none when they do not parse (state holds only valid ones).
    fn acl_entries(&self) -> Vec<AclEntry> {
        parse_entries(self.entry_texts())
            .map(|l| acl_entries(&l))
            .unwrap_or_default()
    }

    /// The state of `t` holding `entries`; `path` and `create_directory` as configured.
    fn state(
        t: &Target,
        path: Tf<String>,
        create_directory: Tf<bool>,
        entries: Vec<String>,
    ) -> Self {
        DatalakeAclModel {
            storage_account_id: Tf::Known(t.account_id.clone()),
            filesystem: Tf::Known(t.fs.clone()),
            path,
            entries: Tf::Known(entries.into_iter().map(Tf::Known).collect()),
            create_directory,
            id: Tf::Known(t.id()),
        }
    }
}

/// The configured entries as Azure holds them now: the user's text for entries that match,
/// Azure's for entries whose permissions differ; named entries Azure lacks are dropped
/// (base entries always exist).
fn observed(want: &[(String, AclEntry)], acl: &Acl) -> Vec<String> {
    want.iter()
        .filter_map(|(text, e)| match acl.get(&e.key) {
            Some(actual) if actual.perms == e.perms => Some(text.clone()),
            Some(actual) => Some(actual.to_string()),
            None => None,
        })
        .collect()
}

impl DatalakeAcl {
    /// Create the directory if asked and needed, then set `planned` and remove the named
    /// entries of `prior` that are no longer listed.
    async fn write(
        &self,
        client: &AzureClient,
        t: &Target,
        planned: &[AclEntry],
        prior: &[AclEntry],
    ) -> Result<(), (String, AzureError)> {
        let ctx = self.ctx.request_ctx(OPERATION_TIMEOUT);
        let dfs = client
            .dfs(&t.account)
            .map_err(|e| (format!("Reaching the data lake {}", t.account), e))?;
        let path = dfs_path(&t.path);
        if !path.is_empty() && t.create_directory {
            dfs.create_directory(&ctx, &t.fs, path, &DirectoryOptions::default())
                .await
                .map_err(|e| {
                    (
                        format!("Creating the directory /{path} in {}/{}", t.account, t.fs),
                        e,
                    )
                })?;
        }
        let removed: Vec<AclKey> = prior
            .iter()
            .filter(|p| is_named(&p.key) && !planned.iter().any(|e| e.key == p.key))
            .map(|p| p.key.clone())
            .collect();
        dfs.update_acl(&ctx, &t.fs, path, |acl| {
            acl.remove_keys(&removed);
            acl.set_entries(planned);
            Ok(())
        })
        .await
        .map(|_| ())
        .map_err(|e| {
            let what = format!("Setting the ACL of /{path} in {}/{}", t.account, t.fs);
            if e.is_not_found() && !t.create_directory {
                (what, AzureError::config("path", format!("/{path} does not exist in {}/{}: create it, or set `create_directory = true`.", t.account, t.fs)))
            } else {
                (what, e)
            }
        })
    }
}

/// The import ID's parts: where, and which entries (keys, in order).
struct ImportId<'a> {
    account_id: &'a str,
    account: &'a str,
    fs: &'a str,
    path: &'a str,
    keys: Vec<AclKey>,
}

/// Parses `<storage account ID>|<filesystem>|<path>|<entries>`; the error is the detail.
fn parse_import_id(import_id: &str) -> Result<ImportId<'_>, String> {
    let parts: Vec<&str> = import_id.split('|').collect();
    let [account_id, fs, path, keys] = parts[..] else {
        return Err(format!(
            "{import_id:?} does not have four parts. {IMPORT_USAGE}"
        ));
    };
    let account = check_account_id(account_id).map_err(|why| format!("{why} {IMPORT_USAGE}"))?;
    // Keys with or without permissions: `other::--x` or `other:`.
    let mut wanted: BTreeMap<AclKey, ()> = BTreeMap::new();
    for k in keys.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        // An entry (`other::--x`), else a key (`other:`, `user:<id>`) given a placeholder.
        let parsed = k
            .parse::<AclEntry>()
            .or_else(|_| format!("{k}:---").parse::<AclEntry>());
        match parsed {
            Ok(e) => {
                wanted.insert(e.key, ());
            }
            Err(e) => return Err(format!("{k:?}: {e}. {IMPORT_USAGE}")),
        }
    }
    if wanted.is_empty() {
        return Err(format!("No entries listed. {IMPORT_USAGE}"));
    }
    Ok(ImportId {
        account_id,
        account,
        fs,
        path,
        keys: wanted.into_keys().collect(),
    })
}

#[async_trait]
impl Resource for DatalakeAcl {
    fn type_name(&self) -> &'static str {
        "datalake_acl"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let config = match DatalakeAclModel::decode(config) {
            Ok(c) => c,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return diags;
            }
        };
        if let Some(id) = config.storage_account_id.as_deref() {
            if let Err(why) = check_account_id(id) {
                diags.error(
                    AttrPath::attr("storage_account_id"),
                    "Invalid storage account ID",
                    why,
                );
            }
        }
        if let Some(fs) = config.filesystem.as_deref() {
            let ok = (3..=63).contains(&fs.len())
                && fs
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !fs.starts_with('-')
                && !fs.ends_with('-')
                && !fs.contains("--");
            if !ok {
                diags.error(
                    AttrPath::attr("filesystem"),
                    "Invalid filesystem name",
                    format!("{fs:?}: filesystem names are 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit."),
                );
            }
        }
        if let Some(p) = config.path.as_deref() {
            if p.split('/').any(|s| s.trim() == "." || s.trim() == "..")
                || p.contains('\\')
                || p.chars().any(char::is_control)
            {
                diags.error(AttrPath::attr("path"), "Invalid path", format!("{p:?}: write a plain directory path such as `projects` or `projects/shared`, without `.`, `..`, backslashes or control characters."));
            }
        }
        if let Some(p) = config.path.as_deref() {
            // Azure Storage: a blob/path name of at most 1,024 characters, 254 segments.
            let segments = p.split('/').filter(|s| !s.is_empty()).count();
            if p.chars().count() > 1024 || segments > 254 {
                diags.error(
                    AttrPath::attr("path"),
                    "Path too long",
                    format!(
                        "`path` has {} characters in {segments} segments; Azure Storage allows at most 1,024 \
                         characters and 254 segments. Use a shorter path.",
                        p.chars().count()
                    ),
                );
            }
        }
        if config.entries_known() {
            match parse_entries(config.entry_texts()) {
                Err(msg) => diags.error(AttrPath::attr("entries"), "Invalid ACL entry", msg),
                Ok(list) => {
                    let acl = Acl::new(acl_entries(&list));
                    if acl.check_limits().is_err() {
                        diags.error(
                            AttrPath::attr("entries"),
                            "Too many ACL entries",
                            "Azure accepts at most 32 entries per scope (access, default), including the base entries. Grant groups instead of individual principals.",
                        );
                    }
                }
            }
        }
        diags
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        let mut diags = Diagnostics::new();
        let (config, prior) = match (
            DatalakeAclModel::decode(&req.config),
            Option::<DatalakeAclModel>::decode(&req.prior),
        ) {
            (Ok(c), Ok(p)) => (c, p),
            (Err(e), _) | (_, Err(e)) => {
                diags.push(e.to_diagnostic());
                return PlanResponse {
                    planned: req.proposed,
                    diags,
                    ..PlanResponse::default()
                };
            }
        };
        let located = !config.storage_account_id.is_unknown()
            && !config.filesystem.is_unknown()
            && !config.path.is_unknown();
        let id = if !located {
            Tf::Unknown
        } else if let Some(t) = config.target() {
            Tf::Known(t.id())
        } else {
            diags.error(
                AttrPath::attr("storage_account_id"),
                "Invalid storage account ID",
                "Expected a storage account ARM ID.",
            );
            config.id.clone()
        };
        let mut requires_replace = Vec::new();
        if let Some(prior) = &prior {
            if prior.storage_account_id != config.storage_account_id {
                requires_replace.push(AttrPath::attr("storage_account_id"));
            }
            if prior.filesystem != config.filesystem {
                requires_replace.push(AttrPath::attr("filesystem"));
            }
            // `/` and null, or `projects/` and `projects`, are the same path: no replacement.
            let p = |m: &DatalakeAclModel| dfs_path(m.path.as_deref().unwrap_or("/")).to_string();
            if p(prior) != p(&config) {
                requires_replace.push(AttrPath::attr("path"));
            }
        }
        PlanResponse {
            planned: DatalakeAclModel { id, ..config }.to_value(),
            private: Value::Null,
            requires_replace,
            diags,
        }
    }

    async fn apply(&self, req: ApplyRequest) -> StateResponse {
        let mut diags = Diagnostics::new();
        let (prior, planned) = match (
            decode_or_keep::<Option<DatalakeAclModel>>(&req.prior, &Value::Null),
            Option::<DatalakeAclModel>::decode(&req.planned),
        ) {
            (Ok(p), Ok(n)) => (p, n),
            (Err(resp), _) => return resp,
            (_, Err(e)) => {
                diags.push(e.to_diagnostic());
                return keep(req.prior, Value::Null, diags);
            }
        };
        let prior_entries = prior
            .as_ref()
            .map(DatalakeAclModel::acl_entries)
            .unwrap_or_default();
        let client = match self.ctx.azure() {
            Ok(c) => c,
            Err(d) => {
                diags.push(d);
                return keep(req.prior, Value::Null, diags);
            }
        };
        let Some(planned) = planned else {
            let Some(t) = prior.as_ref().and_then(DatalakeAclModel::target) else {
                return StateResponse::default();
            };
            // Named entries go; base entries cannot be removed and stay as they are.
            return match self.write(client, &t, &[], &prior_entries).await {
                Ok(()) => StateResponse::default(),
                Err((_, e)) if e.is_not_found() => StateResponse::default(),
                Err((what, e)) => {
                    azure_error(&mut diags, &what, &e);
                    keep(req.prior, Value::Null, diags)
                }
            };
        };
        let Some(t) = planned.target() else {
            diags.error(
                AttrPath::attr("storage_account_id"),
                "Invalid storage account ID",
                "Expected a storage account ARM ID.",
            );
            return keep(req.prior, Value::Null, diags);
        };
        let want = match parse_entries(planned.entry_texts()) {
            Ok(w) => w,
            Err(msg) => {
                diags.error(AttrPath::attr("entries"), "Invalid ACL entry", msg);
                return keep(req.prior, Value::Null, diags);
            }
        };
        let state = |entries: Vec<String>| {
            DatalakeAclModel::state(
                &t,
                planned.path.clone(),
                planned.create_directory.clone(),
                entries,
            )
            .to_value()
        };
        match self
            .write(client, &t, &acl_entries(&want), &prior_entries)
            .await
        {
            Ok(()) => {
                let texts = want.iter().map(|(s, _)| s.clone()).collect();
                keep(state(texts), Value::Null, diags)
            }
            Err((what, e)) => {
                azure_error(&mut diags, &what, &e);
                // Nothing untracked: keep what the path holds now of the listed entries.
                let check = self.ctx.request_ctx(Duration::from_secs(60));
                let now = match client.dfs(&t.account) {
                    Ok(dfs) => dfs
                        .get_access_control(&check, &t.fs, dfs_path(&t.path))
                        .await
                        .ok(),
                    Err(_) => None,
                };
                match now {
                    Some(ac) => keep(state(observed(&want, &ac.acl)), Value::Null, diags),
                    None => keep(req.prior, Value::Null, diags),
                }
            }
        }
    }

    async fn read(&self, prior: Value, private: Value) -> StateResponse {
        let mut diags = Diagnostics::new();
        let model = match decode_or_keep::<Option<DatalakeAclModel>>(&prior, &private) {
            Ok(m) => m,
            Err(resp) => return resp,
        };
        let Some((model, t)) = model.and_then(|m| m.target().map(|t| (m, t))) else {
            return keep(prior, private, diags);
        };
        let want = parse_entries(model.entry_texts()).unwrap_or_default();
        let client = match self.ctx.azure() {
            Ok(c) => c,
            Err(d) => {
                diags.push(d);
                return keep(prior, private, diags);
            }
        };
        let ctx = self.ctx.request_ctx(OPERATION_TIMEOUT);
        let result = match client.dfs(&t.account) {
            Ok(dfs) => dfs.get_access_control(&ctx, &t.fs, dfs_path(&t.path)).await,
            Err(e) => Err(e),
        };
        match result {
            // The path (or the filesystem, or the account) is gone: so are the entries.
            Err(e) if e.is_not_found() => keep(Value::Null, private, diags),
            Err(e) => {
                azure_error(
                    &mut diags,
                    &format!(
                        "Reading the ACL of /{} in {}/{}",
                        dfs_path(&t.path),
                        t.account,
                        t.fs
                    ),
                    &e,
                );
                keep(prior, private, diags)
            }
            Ok(ac) => {
                let seen = observed(&want, &ac.acl);
                let state = DatalakeAclModel::state(&t, model.path, model.create_directory, seen);
                keep(state.to_value(), private, diags)
            }
        }
    }

    async fn import(&self, import_id: &str) -> StateResponse {
        let mut diags = Diagnostics::new();
        let id = match parse_import_id(import_id) {
            Ok(id) => id,
            Err(msg) => {
                diags.error(AttrPath::root(), "Invalid import ID", msg);
                return keep(Value::Null, Value::Null, diags);
            }
        };
        let ImportId {
            account_id,
            account,
            fs,
            path,
            ..
        } = id;
        let client = match self.ctx.azure() {
            Ok(c) => c,
            Err(d) => {
                diags.push(d);
                return keep(Value::Null, Value::Null, diags);
            }
        };
        let ctx = self.ctx.request_ctx(OPERATION_TIMEOUT);
        let ac = match client.dfs(account) {
            Ok(dfs) => dfs.get_access_control(&ctx, fs, dfs_path(path)).await,
            Err(e) => Err(e),
        };
        let ac = match ac {
            Ok(ac) => ac,
            Err(e) => {
                azure_error(
                    &mut diags,
                    &format!("Reading the ACL of /{} in {account}/{fs}", dfs_path(path)),
                    &e,
                );
                return keep(Value::Null, Value::Null, diags);
            }
        };
        let mut entries = Vec::new();
        for key in &id.keys {
            match ac.acl.get(key) {
                Some(e) => entries.push(e.to_string()),
                None => {
                    diags.error(
                        AttrPath::root(),
                        "Cannot import an ACL entry that does not exist",
                        format!(
                            "/{} in {account}/{fs} has no entry {key}; its ACL is {}.",
                            dfs_path(path),
                            ac.acl
                        ),
                    );
                    return keep(Value::Null, Value::Null, diags);
                }
            }
        }
        let path_attr = match dfs_path(path) {
            "" => Tf::Null,
            p => Tf::Known(p.to_string()),
        };
        let t = Target {
            account_id: account_id.to_string(),
            account: account.to_string(),
            fs: fs.to_string(),
            path: path.to_string(),
            create_directory: true,
        };
        let state = DatalakeAclModel::state(&t, path_attr, Tf::Null, entries);
        keep(state.to_value(), Value::Null, diags)
    }
}

#[cfg(test)]
mod tests;
