//! The one place that knows the plugin protocol crate (`tf_provider`).
//!
//! Owns: translating our [`framework`](crate::framework) schemas, values, diagnostics and
//! traits to and from `tf_provider`'s, and serving the provider. Must not contain any
//! resource logic: everything here is mechanical, so a change of protocol crate touches
//! only this module.

mod schema;
mod sockets;
pub mod wire;

pub use sockets::{is_stop_call, stop_rpc_layer, stop_token, watch_sockets};

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use tf_provider::{AttributePath, Diagnostic as TfDiagnostic, Diagnostics as TfDiagnostics};

use crate::framework::{
    diag::{Diagnostics, Severity, Step},
    resource::{ApplyRequest, PlanRequest, StateResponse},
    schema::Attribute,
    AttrPath, DataSource, Function, Resource, Value,
};
use crate::provider::AifactoryProvider;
use wire::Wire;

/// Serve the provider over plugin protocol 6 until Terraform shuts it down.
pub async fn serve(provider: AifactoryProvider) -> Result<(), String> {
    tf_provider::serve("aifactory", ProviderAdapter(Arc::new(provider)))
        .await
        .map_err(|e| e.to_string())
}

fn to_tf_path(path: &AttrPath) -> AttributePath {
    let mut out = AttributePath::default();
    for step in &path.0 {
        match step {
            Step::Attr(a) => out.add_attribute(a.clone()),
            Step::Key(k) => out.add_key(k.clone()),
            Step::Index(i) => out.add_index(*i as i64),
        };
    }
    out
}

/// Copy our diagnostics into the crate's. Built field by field: the crate's constructor
/// appends a backtrace to the detail when RUST_BACKTRACE is set, which users must not see.
fn copy_diags(from: Diagnostics, to: &mut TfDiagnostics) {
    for d in from {
        let diag = TfDiagnostic {
            summary: Cow::Owned(d.summary),
            detail: Cow::Owned(d.detail),
            attribute: to_tf_path(&d.path),
        };
        match d.severity {
            Severity::Error => to.add_error(diag),
            Severity::Warning => to.add_warning(diag),
        }
    }
}

/// Hand a state result back: `None` tells the crate (and Terraform) there is no object.
/// `attrs` is the resource's schema, for its blocks (see [`schema::blocks_out`]).
fn state_result(
    attrs: &[Attribute],
    resp: StateResponse,
    diags: &mut TfDiagnostics,
) -> Option<(Wire, Wire)> {
    let has_errors = resp.diags.has_errors();
    copy_diags(resp.diags, diags);
    match resp.state {
        Value::Null if has_errors => None,
        Value::Null => None,
        state => Some((Wire(schema::blocks_out(attrs, state)), Wire(resp.private))),
    }
}

/// A value from Terraform with its blocks as resources see them (see [`schema::blocks_in`]).
fn value_in(attrs: &[Attribute], w: Wire) -> Value {
    schema::blocks_in(attrs, w.0)
}

struct ProviderAdapter(Arc<AifactoryProvider>);

#[async_trait]
impl tf_provider::Provider for ProviderAdapter {
    type Config<'a> = Wire;
    type MetaState<'a> = Wire;

    fn schema(&self, _diags: &mut TfDiagnostics) -> Option<tf_provider::schema::Schema> {
        Some(schema::to_tf(&self.0.schema()))
    }

    async fn validate<'a>(&self, diags: &mut TfDiagnostics, config: Wire) -> Option<()> {
        let config = value_in(&self.0.schema().attributes, config);
        copy_diags(self.0.validate(&config), diags);
        Some(())
    }

    async fn configure<'a>(
        &self,
        diags: &mut TfDiagnostics,
        terraform_version: String,
        config: Wire,
    ) -> Option<()> {
        let config = value_in(&self.0.schema().attributes, config);
        copy_diags(self.0.configure(&terraform_version, &config), diags);
        Some(())
    }

    fn get_resources(
        &self,
        _diags: &mut TfDiagnostics,
    ) -> Option<HashMap<String, Box<dyn tf_provider::DynamicResource>>> {
        Some(
            self.0
                .resources()
                .into_iter()
                .map(|r| {
                    let boxed: Box<dyn tf_provider::DynamicResource> =
                        Box::new(ResourceAdapter::new(r.clone()));
                    (r.type_name().to_string(), boxed)
                })
                .collect(),
        )
    }

    fn get_data_sources(
        &self,
        _diags: &mut TfDiagnostics,
    ) -> Option<HashMap<String, Box<dyn tf_provider::DynamicDataSource>>> {
        Some(
            self.0
                .data_sources()
                .into_iter()
                .map(|d| {
                    let boxed: Box<dyn tf_provider::DynamicDataSource> =
                        Box::new(DataSourceAdapter::new(d.clone()));
                    (d.type_name().to_string(), boxed)
                })
                .collect(),
        )
    }

    fn get_functions(
        &self,
        _diags: &mut TfDiagnostics,
    ) -> Option<HashMap<String, Box<dyn tf_provider::DynamicFunction>>> {
        Some(
            self.0
                .functions()
                .into_iter()
                .map(|f| {
                    let boxed: Box<dyn tf_provider::DynamicFunction> =
                        Box::new(FunctionAdapter(f.clone()));
                    (f.name().to_string(), boxed)
                })
                .collect(),
        )
    }
}

/// A resource with its schema's attributes, which value translation needs on every call.
///
/// UpgradeResourceState stays tf-provider's: at the schema's version it hands the stored
/// state JSON back unchanged, at any other version it calls `Resource::upgrade`, whose
/// state argument is a type the crate does not export, so no upgrade can be written here.
/// Schema changes therefore keep the version and keep old state JSON decodable: Terraform
/// decodes it against the new schema and fills an object's missing attributes with null
/// (so `aifactory_project`'s former `timeouts` map, `{"create": "90m"}`, reads as the block).
struct ResourceAdapter(Arc<dyn Resource>, Vec<Attribute>);

impl ResourceAdapter {
    fn new(r: Arc<dyn Resource>) -> Self {
        let attrs = r.schema().attributes;
        ResourceAdapter(r, attrs)
    }
    fn value_in(&self, w: Wire) -> Value {
        value_in(&self.1, w)
    }
    fn value_out(&self, v: Value) -> Wire {
        Wire(schema::blocks_out(&self.1, v))
    }
}

#[async_trait]
impl tf_provider::Resource for ResourceAdapter {
    type State<'a> = Wire;
    type PrivateState<'a> = Wire;
    type ProviderMetaState<'a> = Wire;

    fn schema(&self, _diags: &mut TfDiagnostics) -> Option<tf_provider::schema::Schema> {
        Some(schema::to_tf(&self.0.schema()))
    }

    async fn validate<'a>(&self, diags: &mut TfDiagnostics, config: Wire) -> Option<()> {
        copy_diags(self.0.validate(&self.value_in(config)).await, diags);
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut TfDiagnostics,
        state: Wire,
        private_state: Wire,
        _meta: Wire,
    ) -> Option<(Wire, Wire)> {
        let resp = self.0.read(self.value_in(state), private_state.0).await;
        state_result(&self.1, resp, diags)
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut TfDiagnostics,
        proposed: Wire,
        config: Wire,
        _meta: Wire,
    ) -> Option<(Wire, Wire)> {
        let resp = self
            .0
            .plan(PlanRequest {
                prior: Value::Null,
                proposed: self.value_in(proposed),
                config: self.value_in(config),
                prior_private: Value::Null,
            })
            .await;
        copy_diags(resp.diags, diags);
        Some((self.value_out(resp.planned), Wire(resp.private)))
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut TfDiagnostics,
        prior: Wire,
        proposed: Wire,
        config: Wire,
        prior_private: Wire,
        _meta: Wire,
    ) -> Option<(Wire, Wire, Vec<AttributePath>)> {
        let resp = self
            .0
            .plan(PlanRequest {
                prior: self.value_in(prior),
                proposed: self.value_in(proposed),
                config: self.value_in(config),
                prior_private: prior_private.0,
            })
            .await;
        copy_diags(resp.diags, diags);
        let replace = resp.requires_replace.iter().map(to_tf_path).collect();
        Some((self.value_out(resp.planned), Wire(resp.private), replace))
    }

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut TfDiagnostics,
        _prior: Wire,
        prior_private: Wire,
        _meta: Wire,
    ) -> Option<Wire> {
        Some(prior_private)
    }

    async fn create<'a>(
        &self,
        diags: &mut TfDiagnostics,
        planned: Wire,
        config: Wire,
        planned_private: Wire,
        _meta: Wire,
    ) -> Option<(Wire, Wire)> {
        let req = ApplyRequest {
            prior: Value::Null,
            planned: self.value_in(planned),
            config: self.value_in(config),
            planned_private: planned_private.0,
        };
        state_result(&self.1, self.0.apply(req).await, diags)
    }

    async fn update<'a>(
        &self,
        diags: &mut TfDiagnostics,
        prior: Wire,
        planned: Wire,
        config: Wire,
        planned_private: Wire,
        _meta: Wire,
    ) -> Option<(Wire, Wire)> {
        let req = ApplyRequest {
            prior: self.value_in(prior),
            planned: self.value_in(planned),
            config: self.value_in(config),
            planned_private: planned_private.0,
        };
        state_result(&self.1, self.0.apply(req).await, diags)
    }

    async fn destroy<'a>(
        &self,
        diags: &mut TfDiagnostics,
        prior: Wire,
        planned_private: Wire,
        _meta: Wire,
    ) -> Option<()> {
        let req = ApplyRequest {
            prior: self.value_in(prior),
            planned: Value::Null,
            config: Value::Null,
            planned_private: planned_private.0,
        };
        let resp = self.0.apply(req).await;
        let failed = resp.diags.has_errors();
        copy_diags(resp.diags, diags);
        if failed {
            None
        } else {
            Some(())
        }
    }

    async fn import<'a>(&self, diags: &mut TfDiagnostics, id: String) -> Option<(Wire, Wire)> {
        state_result(&self.1, self.0.import(&id).await, diags)
    }
}

/// A data source with its schema's attributes (see [`ResourceAdapter`]).
struct DataSourceAdapter(Arc<dyn DataSource>, Vec<Attribute>);

impl DataSourceAdapter {
    fn new(d: Arc<dyn DataSource>) -> Self {
        let attrs = d.schema().attributes;
        DataSourceAdapter(d, attrs)
    }
}

#[async_trait]
impl tf_provider::DataSource for DataSourceAdapter {
    type State<'a> = Wire;
    type ProviderMetaState<'a> = Wire;

    fn schema(&self, _diags: &mut TfDiagnostics) -> Option<tf_provider::schema::Schema> {
        Some(schema::to_tf(&self.0.schema()))
    }

    async fn validate<'a>(&self, diags: &mut TfDiagnostics, config: Wire) -> Option<()> {
        copy_diags(self.0.validate(&value_in(&self.1, config)).await, diags);
        Some(())
    }

    async fn read<'a>(&self, diags: &mut TfDiagnostics, config: Wire, _meta: Wire) -> Option<Wire> {
        let resp = self.0.read(value_in(&self.1, config)).await;
        let failed = resp.diags.has_errors();
        copy_diags(resp.diags, diags);
        if failed {
            None
        } else {
            Some(Wire(schema::blocks_out(&self.1, resp.state)))
        }
    }
}

struct FunctionAdapter(Arc<dyn Function>);

#[async_trait]
impl tf_provider::Function for FunctionAdapter {
    type Input<'a> = Vec<Wire>;
    type Output<'a> = Wire;

    fn schema(&self, _diags: &mut TfDiagnostics) -> Option<tf_provider::schema::FunctionSchema> {
        Some(schema::function_to_tf(&self.0.signature()))
    }

    async fn call<'a>(&self, diags: &mut TfDiagnostics, params: Vec<Wire>) -> Option<Wire> {
        match self.0.call(params.into_iter().map(|w| w.0).collect()).await {
            Ok(v) => Some(Wire(v)),
            Err(e) => {
                match e.argument {
                    Some(i) => diags.function_error(i as i64, e.message),
                    None => diags.add_error(TfDiagnostic {
                        summary: Cow::Owned(e.message),
                        detail: Cow::Borrowed(""),
                        attribute: AttributePath::default(),
                    }),
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tf_provider::AttributePathStep;

    #[test]
    fn paths_translate_step_by_step() {
        let p = AttrPath::attr("subnets")
            .and_key("genai")
            .and_attr("prefix_length");
        let tf = to_tf_path(&p);
        assert_eq!(
            tf.steps,
            vec![
                AttributePathStep::Attribute("subnets".into()),
                AttributePathStep::Key("genai".into()),
                AttributePathStep::Attribute("prefix_length".into()),
            ]
        );
    }

    #[test]
    fn diagnostics_keep_summary_detail_and_severity() {
        let mut ours = Diagnostics::new();
        ours.error(AttrPath::attr("key"), "bad key", "use letters");
        ours.warning(AttrPath::root(), "careful", "");
        let mut tf = TfDiagnostics::default();
        copy_diags(ours, &mut tf);
        assert_eq!(tf.errors.len(), 1);
        assert_eq!(tf.warnings.len(), 1);
        assert_eq!(tf.errors[0].detail, "use letters");
    }
}
