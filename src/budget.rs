//! Shared limits checked at plan time, across the plans of one run: Azure's 4,000 role
//! assignments per subscription (fixed, it cannot be raised; assignments at subscription,
//! resource group and resource scope count, management-group scopes do not), and the 32
//! entries of one data-lake ACL on the paths projects share.
//!
//! Owns: the per-process ledger of one Terraform run: what a shared thing (a subscription,
//! one ACL) holds, counted once (the caller supplies the count), and what each planned
//! owner (a project, by its resource group) adds, so the plans of many projects in one run
//! see each other. A second plan of the same owner replaces its reservation (Terraform
//! plans a resource again during apply).
//! Must not: do I/O itself, know resources or Terraform values, build diagnostics.

use std::collections::BTreeMap;
use std::future::Future;

/// Azure's limit of role assignments per subscription.
pub const ROLE_ASSIGNMENTS_PER_SUBSCRIPTION: usize = 4000;

/// The verdict on one owner's reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It fits; the reservation is kept.
    Fits,
    /// It does not fit; nothing is reserved.
    Exceeds(Overrun),
}

/// The figures of a reservation that does not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overrun {
    /// The shared thing, as the caller named it (a subscription ID, an ACL).
    pub subscription: String,
    /// What it held when counted.
    pub existing: usize,
    /// Added by the other owners planned in this run.
    pub others: usize,
    /// Added by this owner.
    pub adding: usize,
    pub limit: usize,
}

/// What a shared thing holds, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// This many of the limited things.
    Count(usize),
    /// Nothing the owners add counts here (an ACL where everyone may traverse: the
    /// provider adds no entries to it).
    Unlimited,
}

#[derive(Debug, Default)]
struct Ledger {
    unlimited: bool,
    existing: usize,
    reserved: BTreeMap<String, usize>,
}

/// The ledger of one provider process, per shared thing (lowercase key).
#[derive(Debug, Default)]
pub struct Budget {
    ledgers: tokio::sync::Mutex<BTreeMap<String, Ledger>>,
}

impl Budget {
    /// Reserves `adding` new assignments in `subscription` for `owner`, counting what the
    /// subscription holds with `count` the first time (later calls reuse the count).
    /// Adding nothing releases the owner's reservation and needs no count.
    pub async fn reserve<E, F, Fut>(
        &self,
        subscription: &str,
        owner: &str,
        adding: usize,
        limit: usize,
        count: F,
    ) -> Result<Verdict, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<usize, E>>,
    {
        self.reserve_held(subscription, owner, adding, limit, || async {
            count().await.map(Held::Count)
        })
        .await
    }

    /// [`Budget::reserve`] with a count that may say nothing counts ([`Held::Unlimited`]).
    pub async fn reserve_held<E, F, Fut>(
        &self,
        subscription: &str,
        owner: &str,
        adding: usize,
        limit: usize,
        count: F,
    ) -> Result<Verdict, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Held, E>>,
    {
        let sub = subscription.to_ascii_lowercase();
        let owner = owner.to_ascii_lowercase();
        let mut ledgers = self.ledgers.lock().await;
        if adding == 0 {
            if let Some(l) = ledgers.get_mut(&sub) {
                l.reserved.remove(&owner);
            }
            return Ok(Verdict::Fits);
        }
        if !ledgers.contains_key(&sub) {
            // Held under the lock: one count per subscription, however many plans wait.
            let held = count().await?;
            ledgers.insert(
                sub.clone(),
                Ledger {
                    unlimited: held == Held::Unlimited,
                    existing: match held {
                        Held::Count(n) => n,
                        Held::Unlimited => 0,
                    },
                    reserved: BTreeMap::new(),
                },
            );
        }
        let Some(ledger) = ledgers.get_mut(&sub) else {
            return Ok(Verdict::Fits);
        };
        if ledger.unlimited {
            return Ok(Verdict::Fits);
        }
        let others: usize = ledger
            .reserved
            .iter()
            .filter(|(o, _)| **o != owner)
            .map(|(_, n)| n)
            .sum();
        if ledger.existing + others + adding > limit {
            ledger.reserved.remove(&owner);
            return Ok(Verdict::Exceeds(Overrun {
                subscription: subscription.to_string(),
                existing: ledger.existing,
                others,
                adding,
                limit,
            }));
        }
        ledger.reserved.insert(owner, adding);
        Ok(Verdict::Fits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn reserve(b: &Budget, owner: &str, adding: usize) -> Verdict {
        b.reserve("SUB", owner, adding, 10, || async { Ok::<_, ()>(6) })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn owners_share_one_count_and_replans_replace() {
        let b = Budget::default();
        let counted = std::sync::atomic::AtomicUsize::new(0);
        let v = b
            .reserve("sub", "rg-a", 3, 10, || async {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok::<_, ()>(6)
            })
            .await
            .unwrap();
        assert_eq!(v, Verdict::Fits);
        // Planned again (apply re-plans): replaces, does not add.
        assert_eq!(reserve(&b, "RG-A", 3).await, Verdict::Fits);
        assert_eq!(reserve(&b, "rg-a", 4).await, Verdict::Fits);
        assert_eq!(
            reserve(&b, "rg-b", 1).await,
            Verdict::Exceeds(Overrun {
                subscription: "SUB".into(),
                existing: 6,
                others: 4,
                adding: 1,
                limit: 10
            })
        );
        // Releasing makes room; the count was taken once.
        assert_eq!(reserve(&b, "rg-a", 0).await, Verdict::Fits);
        assert_eq!(reserve(&b, "rg-b", 4).await, Verdict::Fits);
        assert_eq!(counted.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_unlimited_thing_takes_any_number() {
        let b = Budget::default();
        for owner in 0..100 {
            let v = b
                .reserve_held("acl", &owner.to_string(), 3, 28, || async {
                    Ok::<_, ()>(Held::Unlimited)
                })
                .await
                .unwrap();
            assert_eq!(v, Verdict::Fits);
        }
    }

    #[tokio::test]
    async fn a_failed_count_is_passed_on_and_retried_later() {
        let b = Budget::default();
        let e = b
            .reserve("s", "o", 1, 10, || async { Err::<usize, _>("403") })
            .await;
        assert_eq!(e, Err("403"));
        assert_eq!(reserve(&b, "o", 4).await, Verdict::Fits);
        assert!(matches!(reserve(&b, "p", 1).await, Verdict::Exceeds(_)));
    }
}
