//! `aifactory_datalake_acl` against the in-process emulator over real HTTPS (no
//! Terraform): create with the directory, other writers' entries kept, drift, in-place
//! updates, destroy that keeps data and base entries, import; and validation.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::framework::resource::ApplyRequest;
use aifactory_azure::{EnvVars, Settings};
use aifactory_emulator::{Emulator, EmulatorConfig, RunningEmulator, Seed};

const TENANT: &str = "11111111-1111-1111-1111-111111111111";
const SUB: &str = "00000000-0000-0000-0000-000000000001";
const CLIENT: &str = "22222222-2222-2222-2222-222222222222";
const SECRET: &str = "datalake-acl-test-secret";
const G1: &str = "0a1b2c3d-0000-4000-8000-0000000000a1";
const U1: &str = "0a1b2c3d-0000-4000-8000-0000000000b1";
const FOREIGN: &str = "0a1b2c3d-0000-4000-8000-0000000000ff";

fn account_id() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/common/providers/Microsoft.Storage/storageAccounts/lakeacl")
}

struct Env {
    _emu: RunningEmulator,
    res: DatalakeAcl,
    ctx: Arc<ProviderContext>,
}

async fn env() -> Env {
    let seed: Seed = serde_json::from_value(json!({
        "resources": [
            {"id": format!("/subscriptions/{SUB}/resourceGroups/common"), "body": {"location": "westeurope"}},
            {"id": account_id(), "body": {"location": "westeurope", "kind": "StorageV2", "properties": {"isHnsEnabled": true}}}
        ],
        "filesystems": [{"account": "lakeacl", "name": "lake3", "directories": ["projects/project001"]}]
    }))
    .expect("seed");
    let emu = Emulator::start(
        EmulatorConfig::default()
            .with_tenant(TENANT)
            .with_subscription(SUB)
            .with_app(CLIENT, SECRET)
            .with_seed(seed),
    )
    .await
    .expect("emulator starts");
    let vars: EnvVars = emu
        .info()
        .provider_env(TENANT, SUB, CLIENT, SECRET)
        .into_iter()
        .collect();
    let ctx =
        ProviderContext::with_settings(Settings::from_vars_and(&vars, &aifactory_azure::NoConfig));
    Env {
        _emu: emu,
        res: DatalakeAcl::new(ctx.clone()),
        ctx,
    }
}

fn config(path: Option<&str>, entries: &[&str]) -> Value {
    Value::object([
        ("storage_account_id", Value::string(account_id())),
        ("filesystem", Value::string("lake3")),
        ("path", path.map_or(Value::Null, Value::string)),
        (
            "entries",
            Value::List(entries.iter().map(|e| Value::string(*e)).collect()),
        ),
        ("create_directory", Value::Null),
        ("id", Value::Null),
    ])
}

fn entries_of(state: &Value) -> Vec<String> {
    let mut v: Vec<String> = state
        .get("entries")
        .as_list()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect();
    v.sort();
    v
}

impl Env {
    async fn acl(&self, path: &str) -> Acl {
        let client = self.ctx.azure().expect("client");
        let dfs = client.dfs("lakeacl").expect("dfs");
        dfs.get_access_control(
            &self.ctx.request_ctx(Duration::from_secs(30)),
            "lake3",
            path,
        )
        .await
        .expect("acl")
        .acl
    }

    /// Someone else changes the ACL.
    async fn change(&self, path: &str, f: impl Fn(&mut Acl) + Send + Sync) {
        let client = self.ctx.azure().expect("client");
        let dfs = client.dfs("lakeacl").expect("dfs");
        dfs.update_acl(
            &self.ctx.request_ctx(Duration::from_secs(30)),
            "lake3",
            path,
            |a| {
                f(a);
                Ok(())
            },
        )
        .await
        .expect("change");
    }

    async fn converge(&self, prior: &Value, config: &Value) -> StateResponse {
        let diags = self.res.validate(config).await;
        assert!(!diags.has_errors(), "validate: {diags:?}");
        let plan = self
            .res
            .plan(PlanRequest {
                prior: prior.clone(),
                proposed: config.clone(),
                config: config.clone(),
                prior_private: Value::Null,
            })
            .await;
        assert!(!plan.diags.has_errors(), "plan: {:?}", plan.diags);
        let applied = self
            .res
            .apply(ApplyRequest {
                prior: prior.clone(),
                planned: plan.planned,
                config: config.clone(),
                planned_private: Value::Null,
            })
            .await;
        assert!(!applied.diags.has_errors(), "apply: {:?}", applied.diags);
        applied
    }

    async fn destroy(&self, prior: &Value) -> StateResponse {
        self.res
            .apply(ApplyRequest {
                prior: prior.clone(),
                planned: Value::Null,
                config: Value::Null,
                planned_private: Value::Null,
            })
            .await
    }
}

#[tokio::test]
async fn manages_only_its_entries_through_the_whole_lifecycle() {
    let env = env().await;
    env.change("projects", |a| {
        a.set_entries(&[format!("user:{FOREIGN}:--x").parse().expect("entry")])
    })
    .await;
    let group = format!("default:group:{G1}:r-x");
    let user = format!("user:{U1}:rwx");

    // Create: entries set, the foreign entry kept.
    let cfg = config(Some("projects"), &["other::--x", &group, &user]);
    let s1 = env.converge(&Value::Null, &cfg).await.state;
    assert_eq!(
        s1.get("id").as_str(),
        Some(format!("{}|lake3|/projects", account_id()).as_str())
    );
    let acl = env.acl("projects").await;
    for e in [
        "other::--x",
        group.as_str(),
        user.as_str(),
        &format!("user:{FOREIGN}:--x"),
    ] {
        let want: AclEntry = e.parse().expect("entry");
        assert_eq!(acl.get(&want.key), Some(&want), "{e} in {acl}");
    }

    // Read without changes: the same state.
    let read = env.res.read(s1.clone(), Value::Null).await;
    assert_eq!(entries_of(&read.state), entries_of(&s1));

    // Drift: a named entry removed, `other` changed, behind Terraform's back.
    env.change("projects", |a| {
        a.remove_keys(&[AclKey::group(G1).as_default()]);
        a.set_entries(&["other::---".parse().expect("entry")]);
    })
    .await;
    let drifted = env.res.read(s1.clone(), Value::Null).await.state;
    assert_eq!(
        entries_of(&drifted),
        vec!["other::---".to_string(), user.clone()]
    );
    let s2 = env.converge(&drifted, &cfg).await.state;
    assert_eq!(entries_of(&s2), entries_of(&s1));
    assert_eq!(
        env.acl("projects")
            .await
            .get(&AclKey::group(G1).as_default())
            .map(|e| e.perms.to_string()),
        Some("r-x".into())
    );

    // Update: dropping the user removes only that entry.
    let cfg2 = config(Some("projects"), &["other::--x", &group]);
    let s3 = env.converge(&s2, &cfg2).await.state;
    let acl = env.acl("projects").await;
    assert!(acl.get(&AclKey::user(U1)).is_none(), "{acl}");
    assert!(acl.get(&AclKey::user(FOREIGN)).is_some(), "{acl}");

    // Destroy: named entries go, base entries and the directory stay, the foreign entry too.
    let gone = env.destroy(&s3).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    assert!(gone.state.is_null());
    let acl = env.acl("projects").await;
    assert!(acl.get(&AclKey::group(G1).as_default()).is_none(), "{acl}");
    assert_eq!(
        acl.get(&"other::---".parse::<AclEntry>().expect("e").key)
            .map(|e| e.perms.to_string()),
        Some("--x".into())
    );
    assert!(acl.get(&AclKey::user(FOREIGN)).is_some(), "{acl}");
    assert!(
        env.acl("projects/project001").await.entries.len() >= 3,
        "data below untouched"
    );
}

#[tokio::test]
async fn root_and_new_directories() {
    let env = env().await;
    // The filesystem root: no directory to create.
    let root = env
        .converge(&Value::Null, &config(None, &["other::--x"]))
        .await
        .state;
    assert_eq!(
        root.get("id").as_str(),
        Some(format!("{}|lake3|/", account_id()).as_str())
    );
    assert_eq!(
        env.acl("/")
            .await
            .get(&"other::---".parse::<AclEntry>().expect("e").key)
            .map(|e| e.perms.to_string()),
        Some("--x".into())
    );

    // A directory that does not exist yet is created (with parents)...
    env.converge(
        &Value::Null,
        &config(Some("shared/curated"), &["other::--x"]),
    )
    .await;
    assert!(!env.acl("shared/curated").await.entries.is_empty());

    // ...unless `create_directory = false`, which names the fix.
    let mut cfg = config(Some("missing"), &["other::--x"]);
    cfg.set("create_directory", Value::Bool(false));
    let plan = env
        .res
        .plan(PlanRequest {
            prior: Value::Null,
            proposed: cfg.clone(),
            config: cfg.clone(),
            prior_private: Value::Null,
        })
        .await;
    let applied = env
        .res
        .apply(ApplyRequest {
            prior: Value::Null,
            planned: plan.planned,
            config: cfg,
            planned_private: Value::Null,
        })
        .await;
    let text = format!("{:?}", applied.diags);
    assert!(
        applied.diags.has_errors() && text.contains("create_directory = true"),
        "{text}"
    );
    assert!(
        applied.state.is_null(),
        "nothing was written, nothing is tracked"
    );

    // A deleted directory leaves state (its entries are gone with it).
    let s = env
        .converge(&Value::Null, &config(Some("scratch"), &["other::--x"]))
        .await
        .state;
    let dfs = env
        .ctx
        .azure()
        .expect("client")
        .dfs("lakeacl")
        .expect("dfs");
    dfs.delete_directory(
        &env.ctx.request_ctx(Duration::from_secs(30)),
        "lake3",
        "scratch",
    )
    .await
    .expect("deleted");
    assert!(env.res.read(s, Value::Null).await.state.is_null());
}

#[tokio::test]
async fn import_takes_the_listed_entries_with_their_current_permissions() {
    let env = env().await;
    env.change("projects", |a| {
        a.set_entries(&[
            "other::--x".parse().expect("e"),
            format!("group:{G1}:r-x").parse().expect("e"),
        ])
    })
    .await;
    let id = format!("{}|lake3|projects|other:,group:{G1}", account_id());
    let imported = env.res.import(&id).await;
    assert!(!imported.diags.has_errors(), "{:?}", imported.diags);
    assert_eq!(
        entries_of(&imported.state),
        vec![format!("group:{G1}:r-x"), "other::--x".to_string()]
    );
    assert_eq!(imported.state.get("path").as_str(), Some("projects"));
    // The imported state reads back unchanged.
    let read = env.res.read(imported.state.clone(), Value::Null).await;
    assert_eq!(entries_of(&read.state), entries_of(&imported.state));

    for (bad, needle) in [
        ("nonsense", "four parts"),
        (
            &format!("/subscriptions/{SUB}/x|lake3|/|other:") as &str,
            "not a storage account ID",
        ),
        (&format!("{}|lake3|/|", account_id()) as &str, "No entries"),
        (
            &format!("{}|lake3|projects|user:{U1}", account_id()) as &str,
            "has no entry",
        ),
    ] {
        let r = env.res.import(bad).await;
        let text = format!("{:?}", r.diags);
        assert!(
            r.diags.has_errors() && text.contains(needle),
            "{bad}: {text}"
        );
    }
}

#[tokio::test]
async fn validation_names_the_attribute_and_the_fix() {
    let env = env().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (config(None, &["other::rwz"]), "entries", "permissions"),
        (config(None, &["other:x:--x"]), "entries", "take no id"),
        (
            config(None, &["other::--x", "other::r-x"]),
            "entries",
            "keep one",
        ),
        (
            {
                let names: Vec<String> = (0..33)
                    .map(|i| format!("user:0a1b2c3d-0000-4000-8000-{i:012}:r-x"))
                    .collect();
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                config(None, &refs)
            },
            "entries",
            "at most 32",
        ),
        (
            {
                let mut c = config(None, &["other::--x"]);
                c.set("storage_account_id", Value::string("/subscriptions/x/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/Bad_Name"));
                c
            },
            "storage_account_id",
            "lowercase",
        ),
        (
            {
                let mut c = config(None, &["other::--x"]);
                c.set("filesystem", Value::string("Lake"));
                c
            },
            "filesystem",
            "lowercase",
        ),
        (
            config(Some("projects/../other"), &["other::--x"]),
            "path",
            "without `.`",
        ),
    ];
    for (cfg, attr, needle) in cases {
        let d = env.res.validate(&cfg).await;
        let hit = d.iter().find(|x| x.path == AttrPath::attr(attr));
        assert!(
            hit.is_some_and(|x| format!("{} {}", x.summary, x.detail).contains(needle)),
            "{attr}/{needle}: {d:?}"
        );
    }
    assert!(!env
        .res
        .validate(&config(
            Some("projects"),
            &["other::--x", &format!("default:user:{U1}:rwx")]
        ))
        .await
        .has_errors());
}

#[test]
fn account_names_come_from_storage_account_ids() {
    assert_eq!(account_name(&account_id()), Some("lakeacl"));
    assert_eq!(
        account_name(
            "/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/ab"
        ),
        None
    );
    assert_eq!(account_name("/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/abc/blobServices/default"), None);
    assert_eq!(dfs_path("/"), "");
    assert_eq!(dfs_path("/projects/"), "projects");
}
