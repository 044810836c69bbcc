//! A protocol-level client for the provider binary: spawns it the way Terraform does
//! (go-plugin handshake on stdout, plaintext gRPC on 127.0.0.1), then drives the
//! tfplugin6 calls directly, with no Terraform involved.
//!
//! Used by the `rpc` tests (through `testkit`, which adds
//! `ProviderProcess::start()`) and by `benches/schema_latency.rs` (which includes this
//! file by path), so it must not rely on `CARGO_BIN_EXE_*` itself.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aifactory::framework::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tokio::task::JoinHandle;
use tonic::transport::{Channel, Endpoint};

/// Messages and client generated from `proto/tfplugin6.proto`.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's controller service, from `proto/grpc_controller.proto`.
pub mod plugin {
    tonic::include_proto!("plugin");
}

use plugin::grpc_controller_client::GrpcControllerClient;
use tfplugin6::provider_client::ProviderClient;
use tfplugin6::{
    apply_resource_change, attribute_path, call_function, configure_provider, get_functions,
    get_provider_schema, plan_resource_change, schema, validate_provider_config,
    validate_resource_config, AttributePath, Diagnostic, DynamicValue,
};

/// Name and value of the cookie Terraform sets so a plugin knows it is run as a plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// Version string sent in ConfigureProvider.
pub const TERRAFORM_VERSION: &str = "1.9.0";

/// How long the provider may take to print its handshake line.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------

/// Encode a value the way Terraform sends it (msgpack).
pub fn dv(v: &Value) -> DynamicValue {
    DynamicValue {
        msgpack: v.to_msgpack(),
        json: Vec::new(),
    }
}

/// Decode a value the provider sent (msgpack, or JSON when only that is set).
/// A missing value decodes as Null. Panics on bytes that do not decode.
pub fn from_dv(d: &DynamicValue) -> Value {
    if d.msgpack.is_empty() && !d.json.is_empty() {
        return Value::from_json(&d.json).expect("provider sent invalid JSON DynamicValue");
    }
    Value::from_msgpack(&d.msgpack).expect("provider sent invalid msgpack DynamicValue")
}

/// `from_dv` for an optional field: absent means Null.
pub fn from_opt_dv(d: &Option<DynamicValue>) -> Value {
    d.as_ref().map_or(Value::Null, from_dv)
}

/// Shape `config` as Terraform would send it for `block`: every attribute of the schema
/// present (Null when not set), nested attributes and blocks shaped likewise, blocks that
/// are not written given their empty form, values of `dynamic` attributes wrapped with
/// their literal's type (see `as_dynamic`). Keys that the schema does not know are kept,
/// so a misspelt attribute in a test shows up as the provider's error, not silently.
pub fn conform(config: &Value, block: &schema::Block) -> Value {
    let Value::Map(given) = config else {
        return config.clone();
    };
    let mut out: BTreeMap<String, Value> = given.clone();
    for attr in &block.attributes {
        let v = given.get(&attr.name).cloned().unwrap_or(Value::Null);
        let v = match &attr.nested_type {
            Some(obj) => conform_nested(&v, obj),
            None if is_dynamic_type(&attr.r#type) => as_dynamic(v),
            None => v,
        };
        out.insert(attr.name.clone(), v);
    }
    for nb in &block.block_types {
        use schema::nested_block::NestingMode as M;
        let inner = nb.block.clone().unwrap_or_default();
        let v = given.get(&nb.type_name).cloned().unwrap_or(Value::Null);
        let mode = M::try_from(nb.nesting).unwrap_or(M::Invalid);
        let v = match (mode, v) {
            (M::List | M::Set, Value::Null) => Value::List(Vec::new()),
            (M::Map, Value::Null) => Value::Map(BTreeMap::new()),
            (M::Group, Value::Null) => conform(&Value::Map(BTreeMap::new()), &inner),
            (M::List | M::Set, Value::List(items)) => {
                Value::List(items.iter().map(|i| conform(i, &inner)).collect())
            }
            (M::Map, Value::Map(m)) => Value::Map(
                m.iter()
                    .map(|(k, i)| (k.clone(), conform(i, &inner)))
                    .collect(),
            ),
            (_, v) => conform(&v, &inner),
        };
        out.insert(nb.type_name.clone(), v);
    }
    Value::Map(out)
}

/// True for an attribute typed `dynamic` (cty type JSON `"dynamic"`).
pub fn is_dynamic_type(type_json: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(type_json)
        .is_ok_and(|t| t == serde_json::Value::String("dynamic".into()))
}

/// Wrap a value for a `dynamic` attribute the way Terraform sends it: with the type
/// the configuration literal has (objects for `{...}`, tuples for `[...]`).
pub fn as_dynamic(v: Value) -> Value {
    match v {
        Value::Null | Value::Unknown | Value::Dynamic { .. } => v,
        v => Value::Dynamic {
            type_json: literal_type(&v).to_string(),
            value: Box::new(v),
        },
    }
}

/// The cty type (as type JSON) Terraform gives an HCL literal.
pub fn literal_type(v: &Value) -> serde_json::Value {
    use serde_json::{json, Value as J};
    match v {
        Value::Null | Value::Unknown => json!("dynamic"),
        Value::Bool(_) => json!("bool"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::List(items) => json!(["tuple", items.iter().map(literal_type).collect::<Vec<J>>()]),
        Value::Map(m) => json!([
            "object",
            m.iter()
                .map(|(k, v)| (k.clone(), literal_type(v)))
                .collect::<serde_json::Map<String, J>>()
        ]),
        Value::Dynamic { type_json, .. } => {
            serde_json::from_str(type_json).unwrap_or_else(|_| json!("dynamic"))
        }
    }
}

fn conform_nested(v: &Value, obj: &schema::Object) -> Value {
    use schema::object::NestingMode as M;
    let block = schema::Block {
        attributes: obj.attributes.clone(),
        ..Default::default()
    };
    match (M::try_from(obj.nesting).unwrap_or(M::Invalid), v) {
        (M::List | M::Set, Value::List(items)) => {
            Value::List(items.iter().map(|i| conform(i, &block)).collect())
        }
        (M::Map, Value::Map(m)) => Value::Map(
            m.iter()
                .map(|(k, i)| (k.clone(), conform(i, &block)))
                .collect(),
        ),
        (M::Single, v) => conform(v, &block),
        (_, v) => v.clone(),
    }
}

// ---------------------------------------------------------------------------------------
// Diagnostics
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    /// Severity 0: the provider forgot to set one.
    Invalid,
}

/// A diagnostic as a test wants to look at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    /// The attribute path in HCL-ish form, e.g. `subnets["genai"].prefix_length`;
    /// empty when the diagnostic is about the whole resource.
    pub path: String,
}

impl Diag {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.severity)?;
        if !self.path.is_empty() {
            write!(f, " at {}", self.path)?;
        }
        write!(f, ": {}", self.summary)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

/// Render an attribute path: attributes joined with dots, keys and indexes in brackets.
pub fn path_string(p: &AttributePath) -> String {
    use attribute_path::step::Selector;
    let mut s = String::new();
    for step in &p.steps {
        match &step.selector {
            Some(Selector::AttributeName(a)) if s.is_empty() => s.push_str(a),
            Some(Selector::AttributeName(a)) => {
                s.push('.');
                s.push_str(a);
            }
            Some(Selector::ElementKeyString(k)) => s.push_str(&format!("[{k:?}]")),
            Some(Selector::ElementKeyInt(i)) => s.push_str(&format!("[{i}]")),
            None => s.push_str("[?]"),
        }
    }
    s
}

pub fn diag(d: &Diagnostic) -> Diag {
    use tfplugin6::diagnostic::Severity as S;
    Diag {
        severity: match S::try_from(d.severity) {
            Ok(S::Error) => Severity::Error,
            Ok(S::Warning) => Severity::Warning,
            _ => Severity::Invalid,
        },
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        path: d.attribute.as_ref().map(path_string).unwrap_or_default(),
    }
}

pub fn diags(ds: &[Diagnostic]) -> Vec<Diag> {
    ds.iter().map(diag).collect()
}

pub fn has_errors(ds: &[Diag]) -> bool {
    ds.iter().any(Diag::is_error)
}

/// All diagnostics, one a line, for assertion messages.
pub fn show(ds: &[Diag]) -> String {
    ds.iter().map(|d| format!("  {d}\n")).collect()
}

// ---------------------------------------------------------------------------------------
// Results of the higher-level helpers
// ---------------------------------------------------------------------------------------

/// What a create round-trip produced. Values not reached (because an earlier step
/// failed) are Null.
#[derive(Debug, Clone)]
pub struct Created {
    pub planned: Value,
    pub new_state: Value,
    /// Diagnostics of validate, plan and apply, in that order.
    pub diagnostics: Vec<Diag>,
}

/// A function call's failure, as the provider reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionFailure {
    pub text: String,
    pub argument: Option<i64>,
}

// ---------------------------------------------------------------------------------------
// The provider process
// ---------------------------------------------------------------------------------------

/// A running provider, connected. The child is killed when this is dropped.
pub struct ProviderProcess {
    /// The tfplugin6 client; clone it to issue calls concurrently.
    pub client: ProviderClient<Channel>,
    /// go-plugin's controller (Shutdown) on the same connection.
    pub controller: GrpcControllerClient<Channel>,
    /// The child's process id, for signal tests.
    pub pid: u32,
    /// Where the provider listens (always 127.0.0.1).
    pub addr: SocketAddr,
    /// The handshake line as printed, without the newline.
    pub handshake: String,
    /// When the process was spawned, and when its handshake line was read.
    pub spawned_at: Instant,
    pub handshake_at: Instant,
    binary: PathBuf,
    child: Child,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_task: Option<JoinHandle<()>>,
    stdout_rest: Arc<Mutex<Vec<u8>>>,
    schema: Option<get_provider_schema::Response>,
    configured: bool,
}

impl ProviderProcess {
    /// Spawn the provider binary at `binary` as Terraform would and connect to it.
    /// Panics (with the child's stderr) when the handshake or connection fails.
    pub async fn start_binary(binary: impl AsRef<Path>) -> ProviderProcess {
        let binary = binary.as_ref().to_path_buf();
        let spawned_at = Instant::now();
        let mut child = Command::new(&binary)
            .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            // Without a client certificate the server speaks plaintext gRPC.
            .env_remove("PLUGIN_CLIENT_CERT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot spawn provider {}: {e}", binary.display()));
        let pid = child.id().expect("child has a pid right after spawn");

        let stderr = Arc::new(Mutex::new(Vec::new()));
        let stderr_task = {
            let mut pipe = child.stderr.take().expect("stderr is piped");
            let buf = stderr.clone();
            tokio::spawn(async move {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut chunk).await {
                    if n == 0 {
                        break;
                    }
                    buf.lock().unwrap().extend_from_slice(&chunk[..n]);
                }
            })
        };

        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let line = match tokio::time::timeout(HANDSHAKE_TIMEOUT, read_handshake(&mut stdout)).await
        {
            Ok(Ok(line)) => line,
            Ok(Err(why)) => {
                let _ = child.start_kill();
                panic!(
                    "{why}\nprovider stderr:\n{}",
                    drain_stderr(&stderr, stderr_task).await
                )
            }
            Err(_) => {
                let _ = child.start_kill();
                panic!(
                    "no handshake line within {HANDSHAKE_TIMEOUT:?}\nprovider stderr:\n{}",
                    drain_stderr(&stderr, stderr_task).await
                )
            }
        };
        let handshake_at = Instant::now();

        // Whatever else the provider prints on stdout is kept, so the pipe never fills.
        let stdout_rest = Arc::new(Mutex::new(Vec::new()));
        {
            let buf = stdout_rest.clone();
            tokio::spawn(async move {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = stdout.read(&mut chunk).await {
                    if n == 0 {
                        break;
                    }
                    buf.lock().unwrap().extend_from_slice(&chunk[..n]);
                }
            });
        }

        let addr = match parse_handshake(&line) {
            Ok(addr) => addr,
            Err(why) => {
                let _ = child.start_kill();
                panic!("{why}: {line:?}")
            }
        };
        let channel = match Endpoint::from_shared(format!("http://{addr}"))
            .expect("valid endpoint")
            .connect_timeout(Duration::from_secs(10))
            .connect()
            .await
        {
            Ok(c) => c,
            Err(e) => {
                let _ = child.start_kill();
                panic!(
                    "cannot connect to provider at {addr}: {e}\nprovider stderr:\n{}",
                    drain_stderr(&stderr, stderr_task).await
                )
            }
        };

        ProviderProcess {
            client: ProviderClient::new(channel.clone()),
            controller: GrpcControllerClient::new(channel),
            pid,
            addr,
            handshake: line,
            spawned_at,
            handshake_at,
            binary,
            child,
            stderr,
            stderr_task: Some(stderr_task),
            stdout_rest,
            schema: None,
            configured: false,
        }
    }

    /// The binary this process runs.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// What the provider has written to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// What the provider wrote to stdout after its handshake line, so far.
    pub fn stdout_after_handshake(&self) -> String {
        String::from_utf8_lossy(&self.stdout_rest.lock().unwrap()).into_owned()
    }

    /// All of stderr once the process has exited (waits up to `timeout` for the exit;
    /// returns what there is so far when it has not exited by then).
    pub async fn collect_stderr(&mut self, timeout: Duration) -> String {
        let _ = self.wait_exit(timeout).await;
        if let Some(task) = self.stderr_task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
        self.stderr()
    }

    /// True while the child has not exited.
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Wait up to `timeout` for the child to exit.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        tokio::time::timeout(timeout, self.child.wait())
            .await
            .ok()
            .and_then(Result::ok)
    }

    /// Send a signal (name as `kill` takes it: "INT", "TERM", ...) to the child only.
    pub fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid.to_string())
            .status()
            .expect("run kill");
        assert!(
            status.success(),
            "kill -{name} {} failed: {status}",
            self.pid
        );
    }

    /// Ask the provider to exit through go-plugin's controller and wait for it.
    pub async fn shutdown(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let _ = self.controller.shutdown(plugin::Empty {}).await;
        self.wait_exit(timeout).await
    }

    /// Kill the child now (SIGKILL) and reap it.
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }

    // -- schema ---------------------------------------------------------------------

    /// GetProviderSchema, asserting the call succeeds; the answer is cached.
    pub async fn schema(&mut self) -> get_provider_schema::Response {
        if let Some(s) = &self.schema {
            return s.clone();
        }
        let s = self
            .client
            .get_provider_schema(get_provider_schema::Request {})
            .await
            .unwrap_or_else(|e| panic!("GetProviderSchema failed: {e}"))
            .into_inner();
        self.schema = Some(s.clone());
        s
    }

    /// The schema block of a managed resource type, if the provider has that type.
    pub async fn resource_block(&mut self, type_name: &str) -> Option<schema::Block> {
        self.schema()
            .await
            .resource_schemas
            .get(type_name)
            .and_then(|s| s.block.clone())
    }

    /// `config` shaped like Terraform would send it for `type_name` (see `conform`).
    /// Unchanged when the provider does not know the type.
    pub async fn conform_resource(&mut self, type_name: &str, config: &Value) -> Value {
        match self.resource_block(type_name).await {
            Some(block) => conform(config, &block),
            None => config.clone(),
        }
    }

    // -- provider configuration -------------------------------------------------------

    /// ValidateProviderConfig then, when clean, ConfigureProvider, with `config` shaped
    /// by the provider schema. Returns the diagnostics of both.
    pub async fn configure(&mut self, config: &Value) -> Vec<Diag> {
        let block = self
            .schema()
            .await
            .provider
            .and_then(|s| s.block)
            .unwrap_or_default();
        let config = conform(config, &block);
        let mut out = diags(
            &self
                .client
                .validate_provider_config(validate_provider_config::Request {
                    config: Some(dv(&config)),
                })
                .await
                .unwrap_or_else(|e| panic!("ValidateProviderConfig failed: {e}"))
                .into_inner()
                .diagnostics,
        );
        if has_errors(&out) {
            return out;
        }
        out.extend(diags(
            &self
                .client
                .configure_provider(configure_provider::Request {
                    terraform_version: TERRAFORM_VERSION.into(),
                    config: Some(dv(&config)),
                })
                .await
                .unwrap_or_else(|e| panic!("ConfigureProvider failed: {e}"))
                .into_inner()
                .diagnostics,
        ));
        self.configured = !has_errors(&out);
        out
    }

    /// Configure with an empty provider block unless `configure` already ran.
    async fn ensure_configured(&mut self) -> Vec<Diag> {
        if self.configured {
            return Vec::new();
        }
        self.configure(&Value::Map(BTreeMap::new())).await
    }

    // -- managed resources -----------------------------------------------------------

    /// ValidateResourceConfig with `config` shaped by the resource schema.
    pub async fn validate_resource(&mut self, type_name: &str, config: &Value) -> Vec<Diag> {
        let config = self.conform_resource(type_name, config).await;
        diags(
            &self
                .client
                .validate_resource_config(validate_resource_config::Request {
                    type_name: type_name.into(),
                    config: Some(dv(&config)),
                })
                .await
                .unwrap_or_else(|e| panic!("ValidateResourceConfig failed: {e}"))
                .into_inner()
                .diagnostics,
        )
    }

    /// The raw PlanResourceChange request for creating `type_name` from `config`
    /// (prior state null, proposed new state = the shaped config, as Terraform sends
    /// for a create, where computed attributes not in the config are null).
    pub async fn create_plan_request(
        &mut self,
        type_name: &str,
        config: &Value,
    ) -> plan_resource_change::Request {
        let config = self.conform_resource(type_name, config).await;
        plan_resource_change::Request {
            type_name: type_name.into(),
            prior_state: Some(dv(&Value::Null)),
            proposed_new_state: Some(dv(&config)),
            config: Some(dv(&config)),
            prior_private: Vec::new(),
            provider_meta: Some(dv(&Value::Null)),
        }
    }

    /// PlanResourceChange for a create. Returns (planned state, planned private, diags).
    pub async fn plan_create(
        &mut self,
        type_name: &str,
        config: &Value,
    ) -> (Value, Vec<u8>, Vec<Diag>) {
        let req = self.create_plan_request(type_name, config).await;
        let resp = self
            .client
            .plan_resource_change(req)
            .await
            .unwrap_or_else(|e| panic!("PlanResourceChange failed: {e}"))
            .into_inner();
        (
            from_opt_dv(&resp.planned_state),
            resp.planned_private,
            diags(&resp.diagnostics),
        )
    }

    /// The full create round-trip Terraform does for a new resource: (configure with an
    /// empty provider block if nobody configured yet,) ValidateResourceConfig,
    /// PlanResourceChange, ApplyResourceChange. Stops at the first step with errors.
    pub async fn create(&mut self, type_name: &str, config: &Value) -> Created {
        let mut out = Created {
            planned: Value::Null,
            new_state: Value::Null,
            diagnostics: Vec::new(),
        };
        out.diagnostics = self.ensure_configured().await;
        if has_errors(&out.diagnostics) {
            return out;
        }
        out.diagnostics
            .extend(self.validate_resource(type_name, config).await);
        if has_errors(&out.diagnostics) {
            return out;
        }
        let (planned, private, plan_diags) = self.plan_create(type_name, config).await;
        out.planned = planned;
        out.diagnostics.extend(plan_diags);
        if has_errors(&out.diagnostics) {
            return out;
        }
        let config = self.conform_resource(type_name, config).await;
        let resp = self
            .client
            .apply_resource_change(apply_resource_change::Request {
                type_name: type_name.into(),
                prior_state: Some(dv(&Value::Null)),
                planned_state: Some(dv(&out.planned)),
                config: Some(dv(&config)),
                planned_private: private,
                provider_meta: Some(dv(&Value::Null)),
            })
            .await
            .unwrap_or_else(|e| panic!("ApplyResourceChange failed: {e}"))
            .into_inner();
        out.new_state = from_opt_dv(&resp.new_state);
        out.diagnostics.extend(diags(&resp.diagnostics));
        out
    }

    // -- functions -------------------------------------------------------------------

    /// GetFunctions, asserting the call succeeds.
    pub async fn functions(&mut self) -> get_functions::Response {
        self.client
            .get_functions(get_functions::Request {})
            .await
            .unwrap_or_else(|e| panic!("GetFunctions failed: {e}"))
            .into_inner()
    }

    /// CallFunction with msgpack-encoded arguments.
    pub async fn call_function(
        &mut self,
        name: &str,
        args: &[Value],
    ) -> Result<Value, FunctionFailure> {
        let resp: call_function::Response = self
            .client
            .call_function(call_function::Request {
                name: name.into(),
                arguments: args.iter().map(dv).collect(),
            })
            .await
            .unwrap_or_else(|e| panic!("CallFunction failed: {e}"))
            .into_inner();
        match resp.error {
            Some(e) if !e.text.is_empty() || e.function_argument.is_some() => {
                Err(FunctionFailure {
                    text: e.text,
                    argument: e.function_argument,
                })
            }
            _ => Ok(from_opt_dv(&resp.result)),
        }
    }
}

impl Drop for ProviderProcess {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.try_wait();
    }
}

/// Read stdout up to the handshake line. go-plugin hosts skip nothing: the first line
/// must be the handshake, so anything else is an error.
async fn read_handshake(stdout: &mut BufReader<ChildStdout>) -> Result<String, String> {
    let mut line = String::new();
    match stdout.read_line(&mut line).await {
        Ok(0) => Err("provider closed stdout before printing its handshake".into()),
        Ok(_) => Ok(line.trim_end_matches(['\r', '\n']).to_string()),
        Err(e) => Err(format!("reading provider stdout: {e}")),
    }
}

/// `1|6|tcp|127.0.0.1:PORT|grpc|` -> the address; refuses anything not on 127.0.0.1.
pub fn parse_handshake(line: &str) -> Result<SocketAddr, String> {
    let parts: Vec<&str> = line.split('|').collect();
    if parts.len() < 5 {
        return Err("handshake line has fewer than 5 fields".into());
    }
    if parts[0] != "1" {
        return Err(format!("core protocol version {} (expected 1)", parts[0]));
    }
    if parts[1] != "6" {
        return Err(format!("plugin protocol version {} (expected 6)", parts[1]));
    }
    if parts[2] != "tcp" {
        return Err(format!("network {} (expected tcp)", parts[2]));
    }
    if parts[4] != "grpc" {
        return Err(format!("protocol {} (expected grpc)", parts[4]));
    }
    if parts.get(5).is_some_and(|cert| !cert.is_empty()) {
        return Err("provider offers TLS although no client certificate was given".into());
    }
    let addr: SocketAddr = parts[3]
        .parse()
        .map_err(|e| format!("address {:?}: {e}", parts[3]))?;
    if addr.ip() != Ipv4Addr::LOCALHOST {
        return Err(format!("provider listens on {addr}, not on 127.0.0.1"));
    }
    Ok(addr)
}

async fn drain_stderr(buf: &Arc<Mutex<Vec<u8>>>, task: JoinHandle<()>) -> String {
    let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
    String::from_utf8_lossy(&buf.lock().unwrap()).into_owned()
}

// ---------------------------------------------------------------------------------------
// Schema walking
// ---------------------------------------------------------------------------------------

/// Every attribute of `block`, nested ones included, with a dotted path
/// (`subnets.prefix_length`, nested blocks by their type name).
pub fn all_attributes(block: &schema::Block) -> Vec<(String, schema::Attribute)> {
    let mut out = Vec::new();
    walk_block("", block, &mut out);
    out
}

fn walk_block(prefix: &str, block: &schema::Block, out: &mut Vec<(String, schema::Attribute)>) {
    for attr in &block.attributes {
        walk_attr(prefix, attr, out);
    }
    for nb in &block.block_types {
        if let Some(inner) = &nb.block {
            walk_block(&format!("{prefix}{}.", nb.type_name), inner, out);
        }
    }
}

fn walk_attr(prefix: &str, attr: &schema::Attribute, out: &mut Vec<(String, schema::Attribute)>) {
    let path = format!("{prefix}{}", attr.name);
    if let Some(obj) = &attr.nested_type {
        for inner in &obj.attributes {
            walk_attr(&format!("{path}."), inner, out);
        }
    }
    out.push((path, attr.clone()));
}
