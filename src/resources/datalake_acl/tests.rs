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

/// A configuration of the test lake's `path` with `entries`.
fn model(path: Option<&str>, entries: &[&str]) -> DatalakeAclModel {
    DatalakeAclModel {
        storage_account_id: Tf::Known(account_id()),
        filesystem: Tf::Known("lake3".into()),
        path: path.map(str::to_string).into(),
        entries: Tf::Known(entries.iter().map(|e| Tf::Known(e.to_string())).collect()),
        create_directory: Tf::Null,
        id: Tf::Null,
    }
}

fn config(path: Option<&str>, entries: &[&str]) -> Value {
    model(path, entries).to_value()
}

/// A state decoded into the model.
fn state_of(state: &Value) -> DatalakeAclModel {
    DatalakeAclModel::decode(state).expect("state decodes into the model")
}

fn entries_of(state: &Value) -> Vec<String> {
    let mut v: Vec<String> = state_of(state).entry_texts().map(str::to_string).collect();
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
        state_of(&s1).id.as_deref(),
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
        state_of(&root).id.as_deref(),
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
    let cfg = DatalakeAclModel {
        create_directory: Tf::Known(false),
        ..model(Some("missing"), &["other::--x"])
    }
    .to_value();
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
    assert_eq!(state_of(&imported.state).path.as_deref(), Some("projects"));
    // The imported state reads back unchanged.
    let read = env.res.read(imported.state.clone(), Value::Null).await;
    assert_eq!(entries_of(&read.state), entries_of(&imported.state));

    for (bad, needle) in [
        ("nonsense", "four parts"),
        (
            &format!("/subscriptions/{SUB}/x|lake3|/|other:") as &str,
            "is not the ID of a Microsoft.Storage/storageAccounts",
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
            DatalakeAclModel {
                storage_account_id: Tf::Known("/subscriptions/x/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/Bad_Name".into()),
                ..model(None, &["other::--x"])
            }
            .to_value(),
            "storage_account_id",
            "lowercase",
        ),
        (
            DatalakeAclModel {
                filesystem: Tf::Known("Lake".into()),
                ..model(None, &["other::--x"])
            }
            .to_value(),
            "filesystem",
            "lowercase",
        ),
        (
            config(Some("projects/../other"), &["other::--x"]),
            "path",
            "without `.`",
        ),
        (
            config(Some("projects/a\tb"), &["other::--x"]),
            "path",
            "control characters",
        ),
        (
            config(Some(&"p/".repeat(300)), &["other::--x"]),
            "path",
            "254 segments",
        ),
        (
            config(Some(&"x".repeat(1025)), &["other::--x"]),
            "path",
            "1,024",
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

#[test]
fn the_model_has_exactly_the_schema_attributes() {
    let names: Vec<String> = schema().attributes.into_iter().map(|a| a.name).collect();
    let encoded = DatalakeAclModel::default().to_value();
    let mut fields: Vec<String> = encoded
        .as_map()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    fields.sort();
    assert_eq!(fields, sorted);
}

#[test]
fn state_keeps_its_shape() {
    let t = Target {
        account_id: account_id(),
        account: "lakeacl".into(),
        fs: "lake3".into(),
        path: "projects/".into(),
        create_directory: true,
    };
    let state = DatalakeAclModel::state(
        &t,
        Tf::Known("projects/".into()),
        Tf::Null,
        vec!["other::--x".into(), format!("group:{G1}:r-x")],
    );
    assert_eq!(
        state.to_value(),
        Value::object([
            ("storage_account_id", Value::string(account_id())),
            ("filesystem", Value::string("lake3")),
            ("path", Value::string("projects/")),
            (
                "entries",
                Value::List(vec![
                    Value::string("other::--x"),
                    Value::string(format!("group:{G1}:r-x")),
                ]),
            ),
            ("create_directory", Value::Null),
            (
                "id",
                Value::string(format!("{}|lake3|/projects", account_id())),
            ),
        ])
    );
    assert_eq!(state_of(&state.to_value()), state);
}

#[tokio::test]
async fn unknown_entries_wait_and_unknown_locations_leave_the_id_unknown() {
    let res = DatalakeAcl::new(Arc::new(ProviderContext::default()));
    let mut cfg = model(Some("projects"), &["other::--x"]);
    if let Tf::Known(items) = &mut cfg.entries {
        items.push(Tf::Unknown);
        items.push(Tf::Known("other::r-x".into()));
    }
    // The duplicate `other` entry is only checked once every entry is known.
    assert!(!res.validate(&cfg.to_value()).await.has_errors());

    let planned = res
        .plan(PlanRequest {
            prior: Value::Null,
            proposed: cfg.to_value(),
            config: cfg.to_value(),
            prior_private: Value::Null,
        })
        .await;
    assert!(!planned.diags.has_errors(), "{:?}", planned.diags);
    let planned = state_of(&planned.planned);
    assert_eq!(
        planned.id.as_deref(),
        Some(format!("{}|lake3|/projects", account_id()).as_str())
    );
    assert_eq!(
        planned.entries, cfg.entries,
        "entries planned as configured"
    );

    let cfg = DatalakeAclModel {
        path: Tf::Unknown,
        ..model(None, &["other::--x"])
    };
    let planned = res
        .plan(PlanRequest {
            prior: Value::Null,
            proposed: cfg.to_value(),
            config: cfg.to_value(),
            prior_private: Value::Null,
        })
        .await;
    assert!(state_of(&planned.planned).id.is_unknown());
}

#[tokio::test]
async fn a_value_of_the_wrong_shape_is_reported_on_its_attribute() {
    let res = DatalakeAcl::new(Arc::new(ProviderContext::default()));
    let mut cfg = config(None, &["other::--x"]);
    if let Value::Map(m) = &mut cfg {
        m.insert("create_directory".into(), Value::string("yes"));
    }
    let d = res.validate(&cfg).await;
    assert!(
        d.iter()
            .any(|x| x.path == AttrPath::attr("create_directory") && x.detail.contains("bool")),
        "{d:?}"
    );
}
