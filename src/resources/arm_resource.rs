//! `aifactory_arm_resource`: any Azure Resource Manager resource by ID, api-version and
//! JSON body — for the common environment's pieces (resource groups, virtual networks,
//! private DNS zones, Log Analytics) that need no resource of their own.
//!
//! Owns: the translation between the resource's HCL and [`aifactory_azure::ArmClient`].
//! Drift: `read` GETs the resource and compares only what the body sets (Azure adds
//! read-only and default properties); a difference shows in the next plan as a change
//! of `body`. Must not: interpret bodies beyond that comparison.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value as Json;

use super::{azure_error, decode_or_keep, keep};
use crate::context::ProviderContext;
use crate::framework::{
    resource::{ApplyRequest, StateResponse},
    schema::{Attribute, Schema, Type},
    AttrPath, Diagnostics, FromValue, PlanRequest, PlanResponse, Resource, Tf, ToValue, Value,
};

/// Time one operation may take (Azure's slowest LROs take well under this).
const OPERATION_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// Properties Azure adds or manages that a body never controls.
const READ_ONLY: [&str; 6] = ["id", "name", "type", "etag", "systemData", "managedBy"];
const READ_ONLY_PROPERTIES: [&str; 3] = ["provisioningState", "resourceGuid", "creationTime"];

pub struct ArmResource {
    ctx: Arc<ProviderContext>,
}

impl ArmResource {
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        ArmResource { ctx }
    }
}

fn schema() -> Schema {
    Schema {
        version: 0,
        description: "Any Azure Resource Manager resource, by ID, api-version and JSON body: the thin generic \
resource the AI Factory's common environment uses for resource groups, virtual networks, private DNS zones and \
Log Analytics workspaces.\n\n\
`apply` PUTs the body and waits for the long-running operation. Drift is detected on the properties the body \
sets: if someone changes one of them (or deletes the resource) behind Terraform's back, the next plan shows it. \
Properties Azure adds or defaults are ignored."
            .into(),
        attributes: vec![
            Attribute::required(
                "resource_id",
                Type::String,
                "Full ARM ID, for example `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}`. Changing it replaces the resource.",
            )
            .forces_replacement(),
            Attribute::required("api_version", Type::String, "The resource type's API version, for example `2024-05-01`."),
            Attribute::required(
                "body",
                Type::String,
                "The JSON body to PUT (use `jsonencode`): `location`, `tags`, `properties` and so on.",
            ),
            Attribute::optional(
                "sensitive_body",
                Type::String,
                "A JSON object merged into `body` for the request (objects merged key by key, `sensitive_body` winning): \
for secrets such as passwords or keys. Terraform keeps it in state marked sensitive, as you wrote it; it is never \
logged, its paths are left out of `output`, and it is not compared for drift (Azure does not return secrets).",
            )
            .sensitive(),
            Attribute::optional(
                "adopt_existing",
                Type::Bool,
                "Take over a resource that already exists at `resource_id` when this resource is created, instead of \
failing. Default false: like azurerm, a create that finds the resource refuses and names the `terraform import` \
command, so two configurations never manage (and one never destroys) the same object unknowingly. With true, \
`terraform destroy` deletes the adopted resource, whoever created it.",
            ),
            Attribute::computed("id", Type::String, "The resource ID."),
            Attribute::computed(
                "output",
                Type::String,
                "The resource as Azure returned it after the last apply or refresh (JSON), including read-only properties such as generated IDs.",
            ),
        ],
    }
}

/// Why an ARM ID is not acceptable (ARM's ID grammar, naming one resource); `None`
/// when fine.
fn check_id(id: &str) -> Option<String> {
    aifactory_azure::ArmId::parse_resource(id)
        .err()
        .map(|e| format!("{id:?} is not an ARM resource ID: {e}."))
}

fn check_api_version(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && (b.len() == 10 || v[10..].starts_with('-'))
}

/// The parts of `actual` at the keys `desired` sets (objects recursively; other values whole).
pub fn project(desired: &Json, actual: &Json) -> Json {
    match (desired, actual) {
        (Json::Object(d), Json::Object(a)) => Json::Object(
            d.iter()
                .map(|(k, dv)| {
                    // ARM matches property names case-insensitively and may return another casing.
                    let av = a.get(k).or_else(|| {
                        a.iter()
                            .find(|(ak, _)| ak.eq_ignore_ascii_case(k))
                            .map(|(_, v)| v)
                    });
                    (k.clone(), av.map_or(Json::Null, |av| project(dv, av)))
                })
                .collect(),
        ),
        // Location is case- and space-insensitive in ARM ("West Europe" == "westeurope").
        (Json::String(d), Json::String(a))
            if normalize_location(d) == normalize_location(a) && looks_like_location(d) =>
        {
            Json::String(d.clone())
        }
        _ => actual.clone(),
    }
}

fn looks_like_location(s: &str) -> bool {
    !s.is_empty() && s.len() < 40 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
}

fn normalize_location(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A body for import: what Azure returned minus what a body never sets.
fn importable_body(actual: &Json) -> Json {
    let mut body = actual.clone();
    if let Json::Object(m) = &mut body {
        for k in READ_ONLY {
            m.remove(k);
        }
        if let Some(Json::Object(p)) = m.get_mut("properties") {
            for k in READ_ONLY_PROPERTIES {
                p.remove(k);
            }
        }
    }
    body
}

fn parse_body(text: &str) -> Result<Json, String> {
    match serde_json::from_str::<Json>(text) {
        Ok(j @ Json::Object(_)) => Ok(j),
        Ok(_) => Err("The body must be a JSON object, for example `jsonencode({ location = \"westeurope\" })`.".into()),
        Err(e) => Err(format!("The body is not valid JSON: {e}. Build it with `jsonencode(...)`.")),
    }
}

/// `patch` merged into `base`: objects key by key, anything else replaced.
fn merge(base: &mut Json, patch: Json) {
    match (base, patch) {
        (Json::Object(b), Json::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, p) => *b = p,
    }
}

/// `output` without the paths `secret` sets (matched case-insensitively, as ARM returns
/// property names in its own casing).
fn strip(output: &mut Json, secret: &Json) {
    let (Json::Object(out), Json::Object(sec)) = (output, secret) else {
        return;
    };
    for (k, v) in sec {
        let Some(key) = out.keys().find(|ok| ok.eq_ignore_ascii_case(k)).cloned() else {
            continue;
        };
        match (out.get_mut(&key), v) {
            (Some(inner @ Json::Object(_)), Json::Object(_)) => strip(inner, v),
            _ => {
                out.remove(&key);
            }
        }
    }
}

crate::model! {
    /// `aifactory_arm_resource`'s configuration, plan and state.
    pub struct ArmResourceModel {
        pub resource_id: Tf<String>,
        pub api_version: Tf<String>,
        pub body: Tf<String>,
        pub sensitive_body: Tf<String>,
        pub adopt_existing: Tf<bool>,
        pub id: Tf<String>,
        pub output: Tf<String>,
    }
}

impl ArmResourceModel {
    /// The state after Azure answered with `output`: this model's settings, `body` as
    /// given, and `output` without the paths `sensitive_body` sets.
    fn state(&self, resource_id: &str, api_version: &str, body: String, output: &Json) -> Self {
        let mut output = output.clone();
        if let Some(Ok(secret)) = self.sensitive_body.as_deref().map(parse_body) {
            strip(&mut output, &secret);
        }
        ArmResourceModel {
            resource_id: Tf::Known(resource_id.into()),
            api_version: Tf::Known(api_version.into()),
            body: Tf::Known(body),
            sensitive_body: self.sensitive_body.clone(),
            adopt_existing: self.adopt_existing.clone(),
            id: Tf::Known(resource_id.into()),
            output: Tf::Known(output.to_string()),
        }
    }

    /// The request body: `body` with `sensitive_body` merged in.
    fn request_body(&self) -> Result<Json, (&'static str, String)> {
        let mut body =
            parse_body(self.body.as_deref().unwrap_or_default()).map_err(|m| ("body", m))?;
        if let Some(text) = self.sensitive_body.as_deref() {
            let secret = parse_body(text).map_err(|m| ("sensitive_body", m))?;
            merge(&mut body, secret);
        }
        Ok(body)
    }

    /// Resource ID and api-version (empty when not set).
    fn target(&self) -> (String, String) {
        (
            self.resource_id.as_deref().unwrap_or_default().to_string(),
            self.api_version.as_deref().unwrap_or_default().to_string(),
        )
    }
}

/// A create must not take over what exists: fails when `id` exists, naming the import
/// command (azurerm's rule). A failed look-up fails the create too: it never writes blind.
async fn refuse_existing(
    client: &aifactory_azure::AzureClient,
    ctx: &aifactory_azure::Ctx,
    id: &str,
    api: &str,
) -> Result<(), crate::framework::Diagnostic> {
    match client.arm().get_opt(ctx, id, api).await {
        Ok(None) => Ok(()),
        Ok(Some(_)) => Err(crate::framework::Diagnostic::error(
            AttrPath::attr("resource_id"),
            "The resource already exists",
            format!(
                "{id} already exists. To manage it with Terraform, import it into this resource's address:\n\n  \
                 terraform import <resource address> '{id}?api-version={api}'\n\n\
                 or set `adopt_existing = true` to take it over on create (destroy then deletes it, whoever created it)."
            ),
        )),
        Err(e) => Err(crate::framework::Diagnostic::error(
            AttrPath::root(),
            format!("Checking whether {id} exists: {}", e.summary()),
            e.detail(),
        )),
    }
}

#[async_trait]
impl Resource for ArmResource {
    fn type_name(&self) -> &'static str {
        "arm_resource"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let config = match ArmResourceModel::decode(config) {
            Ok(c) => c,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return diags;
            }
        };
        if let Some(id) = config.resource_id.as_deref() {
            if let Some(msg) = check_id(id) {
                diags.error(AttrPath::attr("resource_id"), "Invalid resource ID", msg);
            }
        }
        if let Some(v) = config.api_version.as_deref() {
            if !check_api_version(v) {
                diags.error(
                    AttrPath::attr("api_version"),
                    format!("Invalid api-version {v:?}"),
                    "An api-version looks like `2024-05-01` or `2024-05-01-preview`.",
                );
            }
        }
        if let Some(b) = config.body.as_deref() {
            if let Err(msg) = parse_body(b) {
                diags.error(AttrPath::attr("body"), "Invalid body", msg);
            }
        }
        if let Some(b) = config.sensitive_body.as_deref() {
            // The message never quotes the value: it is a secret.
            if parse_body(b).is_err() {
                diags.error(
                    AttrPath::attr("sensitive_body"),
                    "Invalid sensitive_body",
                    "`sensitive_body` must be a JSON object: build it with `jsonencode({ ... })`.",
                );
            }
        }
        diags
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        let (config, prior) = match (
            ArmResourceModel::decode(&req.config),
            Option::<ArmResourceModel>::decode(&req.prior),
        ) {
            (Ok(c), Ok(p)) => (c, p),
            (Err(e), _) | (_, Err(e)) => {
                let mut diags = Diagnostics::new();
                diags.push(e.to_diagnostic());
                return PlanResponse {
                    planned: req.proposed,
                    diags,
                    ..PlanResponse::default()
                };
            }
        };
        let same_id = prior
            .as_ref()
            .is_some_and(|p| p.resource_id == config.resource_id);
        let unchanged = same_id
            && prior.as_ref().is_some_and(|p| {
                p.api_version == config.api_version
                    && p.body == config.body
                    && p.sensitive_body == config.sensitive_body
            });
        let planned = ArmResourceModel {
            id: config.resource_id.clone(),
            output: match (&prior, unchanged) {
                (Some(p), true) => p.output.clone(),
                _ => Tf::Unknown,
            },
            ..config
        };
        let requires_replace = if prior.is_some() && !same_id {
            vec![AttrPath::attr("resource_id")]
        } else {
            Vec::new()
        };
        PlanResponse {
            planned: planned.to_value(),
            private: Value::Null,
            requires_replace,
            diags: Diagnostics::new(),
        }
    }

    async fn apply(&self, req: ApplyRequest) -> StateResponse {
        let mut diags = Diagnostics::new();
        let client = match self.ctx.azure() {
            Ok(c) => c,
            Err(d) => {
                diags.push(d);
                return keep(req.prior, Value::Null, diags);
            }
        };
        let ctx = self.ctx.request_ctx(OPERATION_TIMEOUT);
        if req.planned.is_null() {
            let prior = match decode_or_keep::<ArmResourceModel>(&req.prior, &Value::Null) {
                Ok(p) => p,
                Err(resp) => return resp,
            };
            let (id, api) = prior.target();
            return match client.arm().delete(&ctx, &id, &api).await {
                Ok(()) => StateResponse::default(),
                Err(e) => {
                    azure_error(&mut diags, &format!("Deleting {id}"), &e);
                    keep(req.prior, Value::Null, diags)
                }
            };
        }
        let planned = match decode_or_keep::<ArmResourceModel>(&req.planned, &Value::Null) {
            Ok(p) => p,
            Err(resp) => return keep(req.prior, Value::Null, resp.diags),
        };
        let (id, api) = planned.target();
        let body_text = planned.body.as_deref().unwrap_or_default().to_string();
        let body = match planned.request_body() {
            Ok(b) => b,
            Err((attr, msg)) => {
                let msg = if attr == "body" {
                    msg
                } else {
                    "`sensitive_body` must be a JSON object.".into()
                };
                diags.error(AttrPath::attr(attr), format!("Invalid {attr}"), msg);
                return keep(req.prior, Value::Null, diags);
            }
        };
        if req.prior.is_null() && planned.adopt_existing.known() != Some(&true) {
            let check = self.ctx.request_ctx(Duration::from_secs(5 * 60));
            if let Err(d) = refuse_existing(client, &check, &id, &api).await {
                diags.push(d);
                return keep(Value::Null, Value::Null, diags);
            }
        }
        match client.arm().put(&ctx, &id, &api, &body).await {
            Ok(result) => keep(
                planned.state(&id, &api, body_text, &result).to_value(),
                Value::Null,
                diags,
            ),
            Err(e) => {
                azure_error(&mut diags, &format!("Writing {id}"), &e);
                // Nothing untracked: if the resource exists despite the error (a failed or
                // interrupted long-running operation), keep it in state so Terraform marks it
                // tainted rather than forgetting it.
                let check = self.ctx.request_ctx(Duration::from_secs(60));
                match client.arm().get_opt(&check, &id, &api).await {
                    Ok(Some(actual)) => keep(
                        planned
                            .state(&id, &api, project(&body, &actual).to_string(), &actual)
                            .to_value(),
                        Value::Null,
                        diags,
                    ),
                    _ => keep(req.prior, Value::Null, diags),
                }
            }
        }
    }

    async fn read(&self, prior: Value, private: Value) -> StateResponse {
        let mut diags = Diagnostics::new();
        let client = match self.ctx.azure() {
            Ok(c) => c,
            Err(d) => {
                diags.push(d);
                return keep(prior, private, diags);
            }
        };
        let model = match decode_or_keep::<ArmResourceModel>(&prior, &private) {
            Ok(m) => m,
            Err(resp) => return resp,
        };
        let (id, api) = model.target();
        let body_text = model.body.as_deref().unwrap_or_default().to_string();
        let ctx = self.ctx.request_ctx(Duration::from_secs(5 * 60));
        match client.arm().get_opt(&ctx, &id, &api).await {
            Ok(None) => StateResponse::default(),
            Ok(Some(actual)) => {
                let body = match parse_body(&body_text) {
                    Ok(desired) => {
                        let seen = project(&desired, &actual);
                        // Keep the user's text when nothing changed, so formatting never shows as drift.
                        if seen == desired {
                            body_text
                        } else {
                            seen.to_string()
                        }
                    }
                    Err(_) => body_text,
                };
                keep(
                    model.state(&id, &api, body, &actual).to_value(),
                    private,
                    diags,
                )
            }
            Err(e) => {
                azure_error(&mut diags, &format!("Reading {id}"), &e);
                keep(prior, private, diags)
            }
        }
    }

    async fn import(&self, import_id: &str) -> StateResponse {
        let mut diags = Diagnostics::new();
        let usage = "Use `<resource ID>?api-version=<version>`, for example \
                     `/subscriptions/.../resourceGroups/rg1?api-version=2021-04-01`.";
        let Some((id, api)) = import_id.split_once("?api-version=") else {
            diags.error(
                AttrPath::root(),
                "Invalid import ID",
                format!("{import_id:?} has no `?api-version=`. {usage}"),
            );
            return keep(Value::Null, Value::Null, diags);
        };
        if let Some(msg) = check_id(id) {
            diags.error(
                AttrPath::root(),
                "Invalid import ID",
                format!("{msg} {usage}"),
            );
            return keep(Value::Null, Value::Null, diags);
        }
        let client = match self.ctx.azure() {
            Ok(c) => c,
            Err(d) => {
                diags.push(d);
                return keep(Value::Null, Value::Null, diags);
            }
        };
        let ctx = self.ctx.request_ctx(Duration::from_secs(5 * 60));
        match client.arm().get_opt(&ctx, id, api).await {
            Ok(Some(actual)) => {
                let body = importable_body(&actual).to_string();
                keep(
                    ArmResourceModel::default()
                        .state(id, api, body, &actual)
                        .to_value(),
                    Value::Null,
                    diags,
                )
            }
            Ok(None) => {
                diags.error(
                    AttrPath::root(),
                    "Cannot import a resource that does not exist",
                    format!("Azure has no {id}."),
                );
                keep(Value::Null, Value::Null, diags)
            }
            Err(e) => {
                azure_error(&mut diags, &format!("Reading {id}"), &e);
                keep(Value::Null, Value::Null, diags)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sensitive_body_is_merged_into_the_request_and_left_out_of_output() {
        let model = ArmResourceModel {
            body: Tf::Known(r#"{"location":"westeurope","properties":{"administratorLogin":"admin","sku":"S1"}}"#.into()),
            sensitive_body: Tf::Known(r#"{"properties":{"administratorLoginPassword":"s3cret!","keys":{"a":"k"}}}"#.into()),
            ..ArmResourceModel::default()
        };
        let body = model.request_body().expect("merges");
        assert_eq!(
            body,
            json!({"location": "westeurope", "properties": {"administratorLogin": "admin", "sku": "S1",
                   "administratorLoginPassword": "s3cret!", "keys": {"a": "k"}}})
        );
        // Azure echoes the secret (in its own casing): the state's output must not.
        let echoed = json!({"id": "/x", "properties": {"AdministratorLoginPassword": "s3cret!",
                            "keys": {"a": "k", "b": "kept"}, "sku": "S1"}});
        let state = model.state("/x", "2024-01-01", "{}".into(), &echoed);
        let output = state.output.as_deref().expect("output");
        assert!(!output.contains("s3cret!"), "{output}");
        assert!(output.contains("kept") && output.contains("S1"), "{output}");
        assert_eq!(state.sensitive_body, model.sensitive_body);

        let bad = ArmResourceModel {
            body: Tf::Known("{}".into()),
            sensitive_body: Tf::Known("not json s3cret".into()),
            ..ArmResourceModel::default()
        };
        let (attr, _) = bad.request_body().expect_err("not JSON");
        assert_eq!(attr, "sensitive_body");
    }

    #[tokio::test]
    async fn an_invalid_sensitive_body_is_reported_without_its_value() {
        let r = ArmResource::new(std::sync::Arc::new(ProviderContext::default()));
        let config = ArmResourceModel {
            resource_id: Tf::Known("/subscriptions/s/resourceGroups/rg".into()),
            api_version: Tf::Known("2021-04-01".into()),
            body: Tf::Known("{}".into()),
            sensitive_body: Tf::Known("password=hunter2".into()),
            ..ArmResourceModel::default()
        };
        let diags = r.validate(&config.to_value()).await;
        let d = diags.iter().next().expect("one error");
        assert_eq!(d.path, AttrPath::attr("sensitive_body"));
        assert!(!d.summary.contains("hunter2") && !d.detail.contains("hunter2"));
    }

    #[test]
    fn projection_keeps_only_what_the_body_sets() {
        let desired = json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}});
        let actual = json!({"id": "/x", "location": "westeurope", "etag": "W/1",
            "properties": {"provisioningState": "Succeeded", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": []}});
        assert_eq!(project(&desired, &actual), desired);
        let drifted = json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}});
        assert_ne!(project(&desired, &drifted), desired);
    }

    #[test]
    fn locations_compare_like_arm_does() {
        let desired = json!({"location": "westeurope"});
        assert_eq!(
            project(&desired, &json!({"location": "West Europe"})),
            desired
        );
        assert_ne!(
            project(&desired, &json!({"location": "northeurope"})),
            desired
        );
    }

    #[test]
    fn a_removed_property_shows_as_null() {
        let desired = json!({"tags": {"owner": "ai"}});
        assert_eq!(
            project(&desired, &json!({"tags": {}})),
            json!({"tags": {"owner": null}})
        );
    }

    #[test]
    fn ids_and_api_versions_are_checked() {
        assert!(check_id("/subscriptions/s/resourceGroups/rg").is_none());
        assert!(check_id("subscriptions/s").is_some());
        assert!(check_id("/subscriptions//resourceGroups/rg").is_some());
        assert!(check_id("/foo/bar").is_some());
        // Path escapes, in any encoding, and control characters (issue 11).
        for escape in [
            "/subscriptions/s/resourceGroups/approved-rg/%2e%2e/%2e%2e/subscriptions/other/resourceGroups/x",
            "/subscriptions/s/resourceGroups/approved-rg/.%2E/.%2e/subscriptions/other/resourceGroups/x",
            "/subscriptions/s/resourceGroups/approved-rg/.\n./subscriptions/other/resourceGroups/x",
            "/subscriptions/s/resourceGroups/rel\nnl\ttab",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks",
        ] {
            let msg = check_id(escape).unwrap_or_else(|| panic!("{escape:?} accepted"));
            assert!(msg.contains("is not an ARM resource ID"), "{msg}");
        }
        assert!(check_api_version("2024-05-01"));
        assert!(check_api_version("2024-05-01-preview"));
        assert!(!check_api_version("2024-5-1"));
        assert!(!check_api_version("latest"));
    }

    #[test]
    fn import_body_drops_read_only_parts() {
        let actual = json!({"id": "/x", "name": "n", "type": "t", "etag": "e", "location": "westeurope",
            "properties": {"provisioningState": "Succeeded", "addressSpace": {}}});
        assert_eq!(
            importable_body(&actual),
            json!({"location": "westeurope", "properties": {"addressSpace": {}}})
        );
    }

    #[test]
    fn bodies_must_be_json_objects() {
        assert!(parse_body("{\"a\":1}").is_ok());
        assert!(parse_body("[1]").is_err());
        assert!(parse_body("{").is_err());
    }
}
