//! The traits resources and functions implement, in plugin-neutral terms.
//!
//! One `plan` for create and update (prior is `Null` on create), one `apply` for
//! create, update and delete (planned is `Null` on delete). The adapter in
//! `crate::tfplugin` maps the protocol's calls onto these.

use async_trait::async_trait;

use super::diag::{AttrPath, Diagnostics};
use super::schema::{FunctionSignature, Schema};
use super::value::Value;

/// Inputs of a plan.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// Prior state; `Null` when the resource is being created.
    pub prior: Value,
    /// Terraform's proposed new state (config merged with prior computed values).
    pub proposed: Value,
    /// The configuration as written.
    pub config: Value,
    /// Private data stored with the prior state.
    pub prior_private: Value,
}

/// Result of a plan.
#[derive(Debug, Clone, Default)]
pub struct PlanResponse {
    pub planned: Value,
    pub private: Value,
    pub requires_replace: Vec<AttrPath>,
    pub diags: Diagnostics,
}

/// Inputs of an apply.
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    /// Prior state; `Null` on create.
    pub prior: Value,
    /// Planned state; `Null` on destroy.
    pub planned: Value,
    pub config: Value,
    pub planned_private: Value,
}

/// Result of an apply, read or import: the new state (`Null` = gone) and private data.
#[derive(Debug, Clone, Default)]
pub struct StateResponse {
    pub state: Value,
    pub private: Value,
    pub diags: Diagnostics,
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// Type name without the provider prefix (`subnet_allocation`).
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, config: &Value) -> Diagnostics;
    async fn plan(&self, req: PlanRequest) -> PlanResponse;
    async fn apply(&self, req: ApplyRequest) -> StateResponse;
    async fn read(&self, state: Value, private: Value) -> StateResponse;
    async fn import(&self, id: &str) -> StateResponse;
}

/// A data source: reads, creates nothing.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// Type name without the provider prefix (`project_names`).
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn validate(&self, config: &Value) -> Diagnostics;
    /// The full state for `config` (computed attributes filled in).
    async fn read(&self, config: Value) -> StateResponse;
}

/// An error from a provider function, pointing at one argument where it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    pub argument: Option<usize>,
    pub message: String,
}

/// A provider-defined function (`provider::aifactory::NAME`).
#[async_trait]
pub trait Function: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn signature(&self) -> FunctionSignature;
    async fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError>;
}
