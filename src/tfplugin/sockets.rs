//! Two things tf-provider's API does not let us reach, done by watching this process's
//! sockets in `/proc/self/fd`:
//!
//! - **TCP_NODELAY.** tf-provider accepts connections on its own listener and never sets
//!   it, so a small gRPC response written in two pieces waits for the client's delayed
//!   ACK: about 40 ms on every call on Linux. Each new socket gets TCP_NODELAY (harmless
//!   on any TCP socket; refused and ignored on others).
//! - **StopProvider.** tf-provider answers StopProvider by shutting its server down, which
//!   first closes the listening socket, then waits for in-flight calls. When the listener
//!   disappears we cancel [`stop_token`], so in-flight operations (waits on Azure) end
//!   promptly and return what they have, instead of running to completion.
//!
//! Must not: touch sockets in any other way.

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// Cancelled when Terraform stops the provider (StopProvider) or the server shuts down.
pub fn stop_token() -> CancellationToken {
    static TOKEN: OnceLock<CancellationToken> = OnceLock::new();
    TOKEN.get_or_init(CancellationToken::new).clone()
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

/// Set TCP_NODELAY on `fd`; false when it is not a TCP socket (or is gone).
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
fn is_listening(fd: i32) -> bool {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into a live local.
    let rc = unsafe {
        libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ACCEPTCONN, (&mut v as *mut libc::c_int).cast(), &mut len)
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

/// Watch in the background: often while Terraform connects, then every 100 ms.
pub fn watch_sockets() {
    tokio::spawn(async {
        let mut watch = Watch::default();
        for round in 0u32.. {
            let (n, listener_gone) = watch.sweep();
            if n > 0 {
                tracing::trace!(sockets = n, "TCP_NODELAY set");
            }
            if listener_gone && !stop_token().is_cancelled() {
                tracing::info!("provider is stopping: cancelling in-flight operations");
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
