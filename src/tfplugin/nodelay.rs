//! Disable Nagle's algorithm on the plugin's gRPC connections.
//!
//! tf-provider accepts connections on its own listener and never sets TCP_NODELAY, so a
//! small gRPC response written in two pieces waits for the client's delayed ACK: about
//! 40 ms on every call on Linux. We cannot reach its sockets through its API, so a
//! background task finds this process's sockets in `/proc/self/fd` and sets TCP_NODELAY
//! on each new one (harmless on any TCP socket; refused and ignored on others).

use std::collections::HashSet;
use std::time::Duration;

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

/// One pass: set TCP_NODELAY on sockets not seen before. Returns how many were set.
pub fn sweep(seen: &mut HashSet<String>) -> usize {
    let mut set = 0;
    for (fd, inode) in sockets() {
        if seen.insert(inode) && set_nodelay(fd) {
            set += 1;
        }
    }
    set
}

/// Keep sweeping in the background: often while Terraform connects, then rarely.
pub fn keep_sockets_unbuffered() {
    tokio::spawn(async {
        let mut seen = HashSet::new();
        for round in 0u32.. {
            let n = sweep(&mut seen);
            if n > 0 {
                tracing::trace!(sockets = n, "TCP_NODELAY set");
            }
            let pause = if round < 400 { 5 } else { 250 };
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
        let mut seen = HashSet::new();
        assert!(sweep(&mut seen) >= 2);
        assert!(nodelay(server.as_raw_fd()) && nodelay(client.as_raw_fd()));
        // Seen sockets are not touched again.
        assert_eq!(sweep(&mut seen), 0);
    }
}
