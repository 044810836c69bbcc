//! Two things tf-provider's API does not let us reach:
//!
//! - **TCP_NODELAY** (by watching this process's sockets in `/proc/self/fd`). tf-provider
//!   accepts connections on its own listener and never sets it, so a small gRPC response
//!   written in two pieces waits for the client's delayed ACK: about 40 ms on every call
//!   on Linux. Each new socket gets TCP_NODELAY (harmless on any TCP socket; refused and
//!   ignored on others).
//! - **StopProvider.** tf-provider answers StopProvider by cancelling a token of its own
//!   that nothing outside the crate can see; its gRPC server then shuts down gracefully:
//!   it stops accepting and waits for the calls in flight, but keeps the listening socket
//!   open until the last connection has closed (tonic drops it only when serving ends).
//!   So the listener cannot tell us in time. What does reach us is the request itself:
//!   tf-provider's gRPC server traces every call with a `request` span carrying its `uri`
//!   (tower-http's trace layer). [`stop_rpc_layer`] watches those spans, whatever the log
//!   level, and cancels [`stop_token`] on StopProvider (or go-plugin's controller
//!   Shutdown), so in-flight operations (waits on Azure) end promptly and return what
//!   they have, instead of running to completion. A listener that disappears (the
//!   server has ended) cancels it too.
//!
//! Must not: touch sockets in any other way.

use std::collections::HashSet;
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::subscriber::Interest;
use tracing::{Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Filter, Layer};
use tracing_subscriber::registry::LookupSpan;

pub use crate::context::stop_token;

/// gRPC methods after which in-flight operations must end: plugin protocol 6's
/// StopProvider, and go-plugin's controller Shutdown.
const STOP_METHODS: [&str; 2] = [
    "/tfplugin6.Provider/StopProvider",
    "/plugin.GRPCController/Shutdown",
];

/// True for the span the gRPC server opens per call (tower-http's `request` span).
fn is_request_span(meta: &Metadata<'_>) -> bool {
    meta.is_span() && meta.name() == "request" && meta.target().starts_with("tower_http::trace")
}

/// True when `uri` (a path or a full URI) calls one of [`STOP_METHODS`].
pub fn is_stop_call(uri: &str) -> bool {
    let path = uri.split(['?', '#']).next().unwrap_or(uri);
    STOP_METHODS.iter().any(|m| path.ends_with(m))
}

/// Sees the per-call request spans, and nothing else, at any log level.
struct RequestSpans;

impl<S> Filter<S> for RequestSpans {
    fn enabled(&self, meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        is_request_span(meta)
    }
    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        if is_request_span(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }
}

/// Cancels [`stop_token`] when a stop call arrives.
struct StopOnRequest;

#[derive(Default)]
struct Uri(Option<String>);

impl Visit for Uri {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "uri" {
            self.0 = Some(format!("{value:?}"));
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "uri" {
            self.0 = Some(value.to_string());
        }
    }
}

impl<S: Subscriber> Layer<S> for StopOnRequest {
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        let mut uri = Uri::default();
        attrs.record(&mut uri);
        if uri.0.as_deref().is_some_and(is_stop_call) {
            // No logging here (we are inside the dispatcher); `watch_sockets` logs it.
            stop_token().cancel();
        }
    }
}

/// The tracing layer that turns StopProvider into a cancelled [`stop_token`]. Install it
/// beside the log output layer (it filters per layer, so it sees the request spans
/// whatever the log level and hides nothing from other layers).
pub fn stop_rpc_layer<S>() -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    StopOnRequest.with_filter(RequestSpans)
}

/// Sockets of this process, by descriptor and inode.
fn sockets() -> Vec<(i32, String)> {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let e = e.ok()?;
        let fd: i32 = e.file_name().to_str()?.parse().ok()?;
        let target = std::fs::read_link(e.path()).ok()?;
        let target = target.to_str()?;
        target
            .starts_with("socket:")
            .then(|| (fd, target.to_string()))
    })
    .collect()
}

/// Windows has no /proc (so [`sockets`] finds none) and no libc socket options: nothing to set.
#[cfg(not(unix))]
fn set_nodelay(_fd: i32) -> bool {
    false
}

#[cfg(not(unix))]
fn is_listening(_fd: i32) -> bool {
    false
}

/// Set TCP_NODELAY on `fd`; false when it is not a TCP socket (or is gone).
#[cfg(unix)]
fn set_nodelay(fd: i32) -> bool {
    let one: libc::c_int = 1;
    // SAFETY: setsockopt reads `size_of::<c_int>()` bytes from a live local; on a
    // descriptor that is not a TCP socket (or was closed meanwhile) it only fails.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    rc == 0
}

/// True when `fd` is a listening socket.
#[cfg(unix)]
fn is_listening(fd: i32) -> bool {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into a live local.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ACCEPTCONN,
            (&mut v as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    rc == 0 && v != 0
}

/// What the watcher knows between sweeps.
#[derive(Debug, Default)]
pub struct Watch {
    seen: HashSet<String>,
    listeners: HashSet<String>,
}

impl Watch {
    /// One pass: TCP_NODELAY on sockets not seen before (returns how many), and whether a
    /// listener seen earlier has gone away.
    pub fn sweep(&mut self) -> (usize, bool) {
        let mut set = 0;
        let mut present = HashSet::new();
        for (fd, inode) in sockets() {
            if self.seen.insert(inode.clone()) {
                if is_listening(fd) {
                    self.listeners.insert(inode.clone());
                } else if set_nodelay(fd) {
                    set += 1;
                }
            }
            present.insert(inode);
        }
        let gone = self.listeners.iter().any(|l| !present.contains(l));
        self.listeners.retain(|l| present.contains(l));
        (set, gone)
    }
}

/// Watch in the background: often while Terraform connects, then every 100 ms. Also
/// logs when the provider is told to stop.
pub fn watch_sockets() {
    tokio::spawn(async {
        stop_token().cancelled().await;
        tracing::info!("provider is stopping: cancelling in-flight operations");
    });
    tokio::spawn(async {
        let mut watch = Watch::default();
        for round in 0u32.. {
            let (n, listener_gone) = watch.sweep();
            if n > 0 {
                tracing::trace!(sockets = n, "TCP_NODELAY set");
            }
            if listener_gone && !stop_token().is_cancelled() {
                stop_token().cancel();
            }
            let pause = if round < 400 { 5 } else { 100 };
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    fn nodelay(fd: i32) -> bool {
        let mut v: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: getsockopt writes at most `len` bytes into a live local.
        let rc = unsafe {
            libc::getsockopt(
                fd,
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&mut v as *mut libc::c_int).cast(),
                &mut len,
            )
        };
        rc == 0 && v != 0
    }

    #[test]
    fn stop_calls_are_recognised() {
        assert!(is_stop_call("/tfplugin6.Provider/StopProvider"));
        assert!(is_stop_call(
            "http://127.0.0.1:4242/tfplugin6.Provider/StopProvider"
        ));
        assert!(is_stop_call("/plugin.GRPCController/Shutdown"));
        assert!(!is_stop_call("/tfplugin6.Provider/ApplyResourceChange"));
        assert!(!is_stop_call("/tfplugin6.Provider/StopProviderX"));
    }

    /// A `request` span like tower-http's, at DEBUG, reaches the layer even though the
    /// only other layer shows WARN and above; other spans and events do not.
    #[test]
    fn stop_layer_sees_request_spans_at_any_level() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        use tracing_subscriber::prelude::*;

        struct Count(Arc<AtomicUsize>);
        impl<S: Subscriber> Layer<S> for Count {
            fn on_new_span(&self, _a: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        struct Spans(Arc<AtomicUsize>);
        impl<S: Subscriber> Layer<S> for Spans {
            fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
                let mut uri = Uri::default();
                attrs.record(&mut uri);
                if uri.0.is_some() && is_request_span(attrs.metadata()) {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        let warn_only = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(AtomicUsize::new(0));
        let subscriber = tracing_subscriber::registry()
            .with(
                Count(warn_only.clone()).with_filter(tracing_subscriber::filter::LevelFilter::WARN),
            )
            .with(Spans(seen.clone()).with_filter(RequestSpans));
        tracing::subscriber::with_default(subscriber, || {
            let uri = "/tfplugin6.Provider/ApplyResourceChange";
            let _a =
                tracing::debug_span!(target: "tower_http::trace::make_span", "request", uri = %uri)
                    .entered();
            let _b =
                tracing::debug_span!(target: "tower_http::trace::make_span", "other", uri = %uri)
                    .entered();
            let _c = tracing::warn_span!("ours").entered();
        });
        assert_eq!(seen.load(Ordering::SeqCst), 1);
        assert_eq!(warn_only.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn sweep_sets_nodelay_on_accepted_connections() {
        use std::os::fd::AsRawFd;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (server, _) = listener.accept().expect("accept");
        assert!(!nodelay(server.as_raw_fd()));
        let mut watch = Watch::default();
        let (set, gone) = watch.sweep();
        assert!(set >= 2 && !gone);
        assert!(nodelay(server.as_raw_fd()) && nodelay(client.as_raw_fd()));
        // Seen sockets are not touched again.
        assert_eq!(watch.sweep().0, 0);
        // Closing the listener is noticed (the way tf-provider shuts down on StopProvider).
        drop(listener);
        assert!(watch.sweep().1);
        assert!(!watch.sweep().1, "reported once");
    }
}
