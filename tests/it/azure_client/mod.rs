//! The Azure client layer over real HTTPS on loopback.
//!
//! Most tests run against a scriptable HTTPS stub (`mock`): each test
//! scripts exactly the responses it needs (LRO variants, faults, tokens) and counts the
//! calls from the stub's journal. The `emulator` tests run the same client
//! against `aifactory_emulator`. Tests never touch the process environment: every input
//! goes through an explicit `Settings`. Only 127.0.0.1 is contacted.

mod arm;
mod credentials;
mod dfs;
mod emulator;
mod mock;
mod pipeline;
mod redaction;
mod tokens;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aifactory_azure::{
    Acl, AclEntry, AclKey, AclType, AttemptOutcome, AzureClient, AzureError, CloudOverrides,
    Created, Ctx, DirectoryOptions, Perms, RecursiveMode, RecursiveOptions, RetryPolicy, Sensitive,
    SetAccessControl, Settings, ThrottleSettings,
};
use serde_json::{json, Value as Json};

const TENANT: &str = "00000000-0000-0000-0000-0000000000aa";
const CLIENT: &str = "11111111-1111-1111-1111-1111111111bb";
const SUB: &str = "22222222-2222-2222-2222-2222222222cc";
const SECRET: &str = "client-secret-VALUE-9f8e7d";

use mock::{Mock, Req, Resp};

/// Settings pointing everything at the stub, with a client secret, fast LRO polls and
/// fast retries; client-side throttling off unless a test turns it on.
fn settings(m: &Mock) -> Settings {
    Settings {
        terraform_version: "1.11.4".into(),
        subscription_id: Some(SUB.into()),
        tenant_id: Some(TENANT.into()),
        client_id: Some(CLIENT.into()),
        client_secret: Some(Sensitive::new(SECRET)),
        use_cli: false,
        endpoints: CloudOverrides {
            resource_manager_endpoint: Some(m.base.clone()),
            authority_host: Some(m.base.clone()),
            storage_dfs_endpoint_template: Some(format!("{}/dfs/{{account}}", m.base)),
            ..Default::default()
        },
        ca_certificate_file: Some(m.ca_path.clone()),
        lro_poll_interval: Duration::from_millis(10),
        retry: RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(40),
            max_total: Duration::from_secs(20),
        },
        throttle: ThrottleSettings {
            enabled: false,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn client(s: &Settings) -> AzureClient {
    AzureClient::new(s).expect("client")
}

const RG: &str = "/subscriptions/22222222-2222-2222-2222-2222222222cc/resourceGroups/rg1";
const API: &str = "2021-04-01";

fn ok_rg() -> Resp {
    Resp::json(
        200,
        json!({"id": RG, "name": "rg1", "location": "westeurope", "properties": {"provisioningState": "Succeeded"}}),
    )
}

/// A `MakeWriter` that appends to a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

/// One TRACE-level subscriber for the whole test binary, writing to a buffer. Scoped
/// subscribers (`set_default`) race with callsite registration in parallel tests, so the
/// capture is global and installed before any test sends a request.
fn trace_capture() -> Capture {
    static CAPTURE: std::sync::OnceLock<Capture> = std::sync::OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let c = Capture::default();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(c.clone())
                .with_ansi(false)
                .finish();
            let _ = tracing::subscriber::set_global_default(subscriber);
            c
        })
        .clone()
}
