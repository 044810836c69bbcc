//! Helpers the engine and the refresh share: a small set of futures polled together
//! ([`Pending`], [`bounded`]), whether an ID lies inside a resource group, and whether an
//! ACL lets everyone traverse.
//!
//! A leaf: it imports nothing from the project's other modules. Must not: talk to Azure.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use aifactory_azure::Acl;

/// A set of futures polled together; `next` yields whichever finishes first. (A small
/// stand-in for `FuturesUnordered`: every wake polls the pending ones, fine for the few
/// dozen in flight here.)
pub struct Pending<'a, T> {
    futs: Vec<Pin<Box<dyn Future<Output = T> + Send + 'a>>>,
}

impl<'a, T> Default for Pending<'a, T> {
    fn default() -> Self {
        Pending { futs: Vec::new() }
    }
}

impl<'a, T> Pending<'a, T> {
    pub fn len(&self) -> usize {
        self.futs.len()
    }
    /// Add a future to poll.
    pub fn push(&mut self, fut: Pin<Box<dyn Future<Output = T> + Send + 'a>>) {
        self.futs.push(fut);
    }
    pub fn is_empty(&self) -> bool {
        self.futs.is_empty()
    }
    /// The next finished output; `None` when nothing is pending.
    pub async fn next(&mut self) -> Option<T> {
        if self.futs.is_empty() {
            return None;
        }
        std::future::poll_fn(|cx| {
            for i in 0..self.futs.len() {
                if let Poll::Ready(v) = self.futs[i].as_mut().poll(cx) {
                    drop(self.futs.swap_remove(i));
                    return Poll::Ready(Some(v));
                }
            }
            Poll::Pending
        })
        .await
    }
}

/// Run `futs` with at most `limit` at once; outputs in completion order.
pub async fn bounded<'a, T>(
    futs: Vec<Pin<Box<dyn Future<Output = T> + Send + 'a>>>,
    limit: usize,
) -> Vec<T> {
    let mut out = Vec::with_capacity(futs.len());
    let mut pending: Pending<'a, T> = Pending::default();
    let mut queue = futs.into_iter();
    loop {
        while pending.len() < limit.max(1) {
            match queue.next() {
                Some(f) => pending.push(f),
                None => break,
            }
        }
        match pending.next().await {
            Some(v) => out.push(v),
            None => return out,
        }
    }
}

/// Is `id` inside the resource group `rg_id` (case-insensitive)?
pub fn inside(rg_id: &str, id: &str) -> bool {
    let (a, b) = (id.to_ascii_lowercase(), rg_id.to_ascii_lowercase());
    a.starts_with(&format!("{b}/"))
}

/// Does the ACL let everyone traverse (`other` with execute, access scope)?
pub fn others_traverse(acl: &Acl) -> bool {
    acl.entries
        .iter()
        .any(|e| e.key.kind == aifactory_azure::AclType::Other && !e.key.default && e.perms.execute)
}
