//! Logging: `tracing` events become hclog JSON lines on stderr.
//!
//! go-plugin (inside Terraform) parses each stderr line that is hclog JSON and logs it at
//! its own level, so `TF_LOG=DEBUG` (or `TF_LOG_PROVIDER`) shows our lines with the right
//! level and fields. The level comes from `TF_LOG_PROVIDER`, else `TF_LOG` (default: warn).
//! `PLUGIN_LOG_FILE` sends everything at TRACE to a file instead.
//!
//! Must not: log secrets. Callers log URLs and IDs, never tokens or credentials.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// Parse Terraform's log level names.
pub fn level_from(name: &str) -> Option<Level> {
    match name.trim().to_ascii_uppercase().as_str() {
        "TRACE" | "JSON" => Some(Level::TRACE),
        "DEBUG" => Some(Level::DEBUG),
        "INFO" => Some(Level::INFO),
        "WARN" => Some(Level::WARN),
        "ERROR" => Some(Level::ERROR),
        "OFF" => None,
        _ => Some(Level::TRACE), // any other non-empty TF_LOG value means "on" (trace) for Terraform
    }
}

/// One hclog JSON line for an event.
pub fn hclog_line(
    level: &Level,
    target: &str,
    message: &str,
    fields: &serde_json::Map<String, serde_json::Value>,
) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("@level".into(), level.as_str().to_ascii_lowercase().into());
    obj.insert("@message".into(), message.into());
    obj.insert(
        "@module".into(),
        format!("aifactory.{}", target.replace("::", ".")).into(),
    );
    obj.insert("@timestamp".into(), timestamp().into());
    for (k, v) in fields {
        obj.insert(k.clone(), v.clone());
    }
    serde_json::Value::Object(obj).to_string()
}

fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    // RFC 3339 in UTC without a date library: days -> civil date.
    let secs = now.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut s = String::new();
    let _ = write!(
        s,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        now.subsec_micros()
    );
    s
}

#[derive(Default)]
struct Fields {
    message: String,
    fields: serde_json::Map<String, serde_json::Value>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.insert(field.name().into(), text.into());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.into();
        } else {
            self.fields.insert(field.name().into(), value.into());
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.insert(field.name().into(), value.into());
    }
}

struct HclogLayer {
    max: Level,
    out: Mutex<Box<dyn Write + Send>>,
}

/// Our own lines follow the requested level; the libraries under us (TLS, HTTP/2, gRPC)
/// are heard only at WARN and above unless TRACE was asked for.
pub fn wanted(target: &str, level: &Level, max: &Level) -> bool {
    let ours =
        target.starts_with("aifactory") || target.starts_with("terraform_provider_aifactory");
    let limit = if ours || *max == Level::TRACE {
        *max
    } else {
        Level::WARN.min(*max)
    };
    *level <= limit
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        wanted(metadata.target(), metadata.level(), &self.max)
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        if !wanted(meta.target(), meta.level(), &self.max) {
            return;
        }
        let mut f = Fields::default();
        event.record(&mut f);
        let line = hclog_line(meta.level(), meta.target(), &f.message, &f.fields);
        if let Ok(mut out) = self.out.lock() {
            let _ = writeln!(out, "{line}");
        }
    }
}

/// Install the global subscriber. Safe to call once, early in `main`.
pub fn init() {
    let file = std::env::var("PLUGIN_LOG_FILE")
        .ok()
        .filter(|p| !p.is_empty());
    let (max, out): (Option<Level>, Box<dyn Write + Send>) =
        match file.as_deref().map(std::fs::File::create) {
            Some(Ok(f)) => (Some(Level::TRACE), Box::new(f)),
            _ => {
                let level = std::env::var("TF_LOG_PROVIDER")
                    .ok()
                    .filter(|v| !v.is_empty())
                    .or_else(|| std::env::var("TF_LOG").ok().filter(|v| !v.is_empty()));
                (
                    level.map_or(Some(Level::WARN), |l| level_from(&l)),
                    Box::new(std::io::stderr()),
                )
            }
        };
    // The plugin crate installs its own file logger when PLUGIN_LOG_FILE is set, which
    // would collide with ours: we have taken care of that variable.
    if file.is_some() {
        std::env::remove_var("PLUGIN_LOG_FILE");
    }
    // The log output filters per layer, so that the StopProvider watch beside it sees the
    // gRPC request spans at any level (and even with logging off).
    let hclog = max.map(|max| {
        HclogLayer {
            max,
            out: Mutex::new(out),
        }
        .with_filter(Wanted(max))
    });
    let _ = tracing_subscriber::registry()
        .with(hclog)
        .with(crate::tfplugin::stop_rpc_layer())
        .try_init();
}

/// [`wanted`] as a per-layer filter (decided once per callsite).
struct Wanted(Level);

impl<S> tracing_subscriber::layer::Filter<S> for Wanted {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        wanted(meta.target(), meta.level(), &self.0)
    }
    fn callsite_enabled(
        &self,
        meta: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if wanted(meta.target(), meta.level(), &self.0) {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }
    fn max_level_hint(&self) -> Option<tracing_subscriber::filter::LevelFilter> {
        Some(tracing_subscriber::filter::LevelFilter::from_level(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_hclog_json() {
        let mut fields = serde_json::Map::new();
        fields.insert("status".into(), 200.into());
        let line = hclog_line(&Level::DEBUG, "aifactory::azure", "GET done", &fields);
        let v: serde_json::Value = serde_json::from_str(&line).expect("json");
        assert_eq!(v["@level"], "debug");
        assert_eq!(v["@message"], "GET done");
        assert_eq!(v["status"], 200);
        assert!(v["@timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.len() == 27));
    }

    #[test]
    fn libraries_are_quiet_below_trace() {
        assert!(wanted("aifactory::azure", &Level::DEBUG, &Level::DEBUG));
        assert!(!wanted("rustls::server::hs", &Level::DEBUG, &Level::DEBUG));
        assert!(!wanted("log", &Level::DEBUG, &Level::DEBUG));
        assert!(wanted("h2::codec", &Level::WARN, &Level::DEBUG));
        assert!(wanted("rustls::server::hs", &Level::DEBUG, &Level::TRACE));
        assert!(!wanted("aifactory::azure", &Level::DEBUG, &Level::INFO));
    }

    #[test]
    fn terraform_level_names() {
        assert_eq!(level_from("debug"), Some(Level::DEBUG));
        assert_eq!(level_from("JSON"), Some(Level::TRACE));
        assert_eq!(level_from("off"), None);
    }
}
