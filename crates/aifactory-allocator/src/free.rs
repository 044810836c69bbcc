//! Free-space bookkeeping: the free part of a pool as maximal aligned blocks.
//!
//! A free interval is cut into its maximal aligned blocks (the usual range-to-CIDR
//! decomposition), each pool prefix on its own (a subnet must lie inside one prefix), so
//! "the smallest free aligned block that holds a request" is simply the smallest block in
//! this set whose size is at least the request. Blocks are indexed twice: by (size descending, address) for best
//! fit in one `BTreeSet` range lookup, and by address for removing a given range. Every
//! operation is O(log n) in the number of free blocks (plus the <= 64 split pieces).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use super::cidr::{block_size, Cidr4, Net, V4_WIDTH};

/// Free blocks of a `width`-bit space (IPv4: 32; IPv6 in /64 units: 64).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Blocks {
    width: u8,
    /// `(Reverse(prefix), start)`: iterating forward goes from the smallest block up,
    /// lowest address first among blocks of one size.
    by_size: BTreeSet<(Reverse<u8>, u128)>,
    /// start -> prefix.
    by_addr: BTreeMap<u128, u8>,
    free: u128,
}

/// Sort half-open ranges and merge the overlapping ones, and the touching ones too when
/// `touching` is set.
fn merged(ranges: impl IntoIterator<Item = (u128, u128)>, touching: bool) -> Vec<(u128, u128)> {
    let mut v: Vec<(u128, u128)> = ranges.into_iter().filter(|(s, e)| s < e).collect();
    v.sort_unstable();
    let mut out: Vec<(u128, u128)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s < last.1 || (touching && s == last.1) => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

impl Blocks {
    /// An empty space of the given width (clamped to 64).
    pub fn empty(width: u8) -> Blocks {
        Blocks {
            width: width.min(64),
            by_size: BTreeSet::new(),
            by_addr: BTreeMap::new(),
            free: 0,
        }
    }

    /// `pool` minus `blocked`, both as aligned blocks; order of either list is irrelevant
    /// and overlaps within a list are fine.
    pub fn new(
        width: u8,
        pool: impl IntoIterator<Item = Net>,
        blocked: impl IntoIterator<Item = Net>,
    ) -> Blocks {
        let mut b = Blocks::empty(width);
        let w = b.width;
        let limit = block_size(w, 0);
        let clip = move |n: Net| (n.start.min(limit), n.end(w).min(limit));
        // Pool prefixes that merely touch stay apart: a subnet must lie inside one address
        // prefix of its vNet (Azure's NetcfgSubnetRangeOutsideVnet), so no block may span
        // two, even where two prefixes together form a larger aligned block.
        let pool = merged(pool.into_iter().map(clip), false);
        let blocked = merged(blocked.into_iter().map(clip), true);
        let mut j = 0;
        for (ps, pe) in pool {
            let mut cur = ps;
            while j < blocked.len() && blocked[j].1 <= cur {
                j += 1;
            }
            let mut k = j;
            while cur < pe {
                match blocked.get(k) {
                    Some(&(bs, be)) if bs < pe => {
                        if bs > cur {
                            b.add_range(cur, bs);
                        }
                        cur = cur.max(be);
                        k += 1;
                    }
                    _ => {
                        b.add_range(cur, pe);
                        cur = pe;
                    }
                }
            }
        }
        b
    }

    /// Add the free interval `[a, end)` as its maximal aligned blocks. The caller makes
    /// sure it touches no free block already present.
    fn add_range(&mut self, mut a: u128, end: u128) {
        let w = u32::from(self.width);
        while a < end {
            let align = if a == 0 { w } else { a.trailing_zeros().min(w) };
            let fit = 127 - (end - a).leading_zeros();
            let k = align.min(fit);
            // k <= width <= 64, so the narrowing is exact.
            self.insert(Net {
                start: a,
                prefix: (w - k) as u8,
            });
            a += 1u128 << k;
        }
    }

    fn insert(&mut self, n: Net) {
        self.by_size.insert((Reverse(n.prefix), n.start));
        self.by_addr.insert(n.start, n.prefix);
        self.free += n.size(self.width);
    }

    fn take(&mut self, n: Net) {
        self.by_size.remove(&(Reverse(n.prefix), n.start));
        self.by_addr.remove(&n.start);
        self.free -= n.size(self.width);
    }

    /// Best fit: carve a /`prefix` out of the smallest free block that holds it (lowest
    /// address among equals), keeping the rest as maximal aligned blocks.
    pub fn place(&mut self, prefix: u8) -> Option<Net> {
        if prefix > self.width {
            return None;
        }
        let &(Reverse(p), start) = self.by_size.range((Reverse(prefix), 0)..).next()?;
        self.take(Net { start, prefix: p });
        for k in p + 1..=prefix {
            self.insert(Net {
                start: start + block_size(self.width, k),
                prefix: k,
            });
        }
        Some(Net { start, prefix })
    }

    /// Remove the given block if it is entirely free; `false` (and no change) otherwise.
    pub fn remove(&mut self, n: Net) -> bool {
        if n.prefix > self.width || n.start % n.size(self.width) != 0 {
            return false;
        }
        let Some((&bs, &bp)) = self.by_addr.range(..=n.start).next_back() else {
            return false;
        };
        let block = Net {
            start: bs,
            prefix: bp,
        };
        if !block.contains(n, self.width) {
            return false;
        }
        self.take(block);
        for k in bp + 1..=n.prefix {
            let half = Net::containing(self.width, n.start, k);
            // The sibling of the half holding `n` stays free.
            self.insert(Net {
                start: half.start ^ half.size(self.width),
                prefix: k,
            });
        }
        true
    }

    /// Is this block entirely free?
    pub fn is_free(&self, n: Net) -> bool {
        self.by_addr
            .range(..=n.start)
            .next_back()
            .is_some_and(|(&s, &p)| {
                Net {
                    start: s,
                    prefix: p,
                }
                .contains(n, self.width)
            })
    }

    /// The largest free block, lowest address among equals.
    pub fn largest(&self) -> Option<Net> {
        let &(Reverse(p), _) = self.by_size.iter().next_back()?;
        self.by_size
            .range((Reverse(p), 0)..)
            .next()
            .map(|&(Reverse(prefix), start)| Net { start, prefix })
    }

    /// Free units in total.
    pub fn free(&self) -> u128 {
        self.free
    }

    /// Number of free blocks.
    pub fn len(&self) -> usize {
        self.by_addr.len()
    }

    /// Free blocks by address.
    pub fn iter(&self) -> impl Iterator<Item = Net> + '_ {
        self.by_addr
            .iter()
            .map(|(&start, &prefix)| Net { start, prefix })
    }
}

/// The free IPv4 space of a pool, for incremental best-fit placement.
///
/// Built once from pool minus blocked ranges (O(n log n)); then each [`place`] is
/// O(log n). [`crate::allocate`] uses the same machinery.
///
/// [`place`]: FreeSpace::place
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeSpace {
    blocks: Blocks,
}

impl FreeSpace {
    /// Free space = union of `pool` minus union of `blocked`. Host bits of the given
    /// CIDRs are ignored; the order of both lists is irrelevant.
    pub fn new(pool: &[Cidr4], blocked: &[Cidr4]) -> FreeSpace {
        FreeSpace {
            blocks: Blocks::new(
                V4_WIDTH,
                pool.iter().map(|c| c.to_net()),
                blocked.iter().map(|c| c.to_net()),
            ),
        }
    }

    /// Best fit: take a /`prefix` from the smallest free block that holds it (lowest
    /// address on ties) and return it; `None` if nothing is large enough or
    /// `prefix > 32`.
    pub fn place(&mut self, prefix: u8) -> Option<Cidr4> {
        self.blocks.place(prefix).map(Cidr4::from_net)
    }

    /// Take exactly `cidr` if it is entirely free (then `true`); otherwise `false` and
    /// nothing changes. `cidr` must have no host bits set.
    pub fn remove(&mut self, cidr: Cidr4) -> bool {
        Cidr4::new(cidr.addr, cidr.prefix).is_some() && self.blocks.remove(cidr.to_net())
    }

    /// Is `cidr` entirely free?
    pub fn is_free(&self, cidr: Cidr4) -> bool {
        self.blocks.is_free(cidr.to_net())
    }

    /// The largest free block (lowest address among equals).
    pub fn largest_free(&self) -> Option<Cidr4> {
        self.blocks.largest().map(Cidr4::from_net)
    }

    /// Free addresses in total.
    pub fn free_addresses(&self) -> u64 {
        u64::try_from(self.blocks.free()).unwrap_or(u64::MAX)
    }

    /// Number of free blocks (a measure of fragmentation).
    pub fn block_count(&self) -> usize {
        self.blocks.len()
    }

    /// The free blocks, by address.
    pub fn blocks(&self) -> impl Iterator<Item = Cidr4> + '_ {
        self.blocks.iter().map(Cidr4::from_net)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr4 {
        s.parse().unwrap()
    }

    fn list(f: &FreeSpace) -> Vec<String> {
        f.blocks().map(|b| b.to_string()).collect()
    }

    #[test]
    fn free_space_is_maximal_aligned_blocks() {
        let f = FreeSpace::new(&[c("10.0.0.0/24")], &[c("10.0.0.32/27")]);
        assert_eq!(list(&f), ["10.0.0.0/27", "10.0.0.64/26", "10.0.0.128/25"]);
        assert_eq!(f.free_addresses(), 224);
        assert_eq!(f.largest_free(), Some(c("10.0.0.128/25")));
    }

    #[test]
    fn blocked_outside_pool_and_overlapping_blocked_are_harmless() {
        let f = FreeSpace::new(
            &[c("10.0.1.0/24"), c("10.0.0.0/24")],
            &[
                c("10.0.0.0/25"),
                c("10.0.0.0/26"),
                c("192.168.0.0/16"),
                c("10.0.1.128/25"),
            ],
        );
        assert_eq!(list(&f), ["10.0.0.128/25", "10.0.1.0/25"]);
    }

    #[test]
    fn no_block_spans_two_touching_pool_prefixes() {
        // 10.212.0.0/15 and 10.214.0.0/15 together are the aligned 10.212.0.0/14, but a
        // subnet must lie inside one vNet address prefix.
        let mut f = FreeSpace::new(&[c("10.212.0.0/15"), c("10.214.0.0/15")], &[]);
        assert_eq!(list(&f), ["10.212.0.0/15", "10.214.0.0/15"]);
        assert_eq!(f.place(14), None);
        assert_eq!(f.place(15), Some(c("10.212.0.0/15")));
        assert_eq!(f.place(15), Some(c("10.214.0.0/15")));
        // Nested prefixes are one range.
        let f = FreeSpace::new(&[c("10.0.0.0/16"), c("10.0.0.0/17")], &[]);
        assert_eq!(list(&f), ["10.0.0.0/16"]);
    }

    #[test]
    fn place_is_best_fit_lowest_address() {
        // Free: a /27 at .0, a /26 at .64, a /25 at .128.
        let mut f = FreeSpace::new(&[c("10.0.0.0/24")], &[c("10.0.0.32/27")]);
        assert_eq!(f.place(28), Some(c("10.0.0.0/28"))); // smallest holder is the /27
        assert_eq!(f.place(26), Some(c("10.0.0.64/26"))); // exact fit, not the /25
        assert_eq!(f.place(26), Some(c("10.0.0.128/26"))); // split the /25
        assert_eq!(list(&f), ["10.0.0.16/28", "10.0.0.192/26"]);
        assert_eq!(f.place(25), None);
        assert_eq!(f.place(33), None);
        assert_eq!(f.free_addresses(), 80);
    }

    #[test]
    fn remove_takes_an_exact_free_block() {
        let mut f = FreeSpace::new(&[c("10.0.0.0/24")], &[]);
        assert!(f.remove(c("10.0.0.64/27")));
        assert!(!f.remove(c("10.0.0.64/27")));
        assert!(!f.remove(c("10.0.0.0/24")));
        assert!(!f.remove(c("10.0.1.0/27")));
        assert_eq!(list(&f), ["10.0.0.0/26", "10.0.0.96/27", "10.0.0.128/25"]);
        assert!(f.is_free(c("10.0.0.128/26")));
        assert!(!f.is_free(c("10.0.0.64/26")));
    }

    #[test]
    fn whole_address_space_does_not_overflow() {
        let mut f = FreeSpace::new(&[c("0.0.0.0/0")], &[]);
        assert_eq!(f.free_addresses(), 1 << 32);
        assert_eq!(f.place(1), Some(c("0.0.0.0/1")));
        assert_eq!(f.place(0), None);
        let mut b = Blocks::new(
            64,
            [Net {
                start: 0,
                prefix: 0,
            }],
            [],
        );
        assert_eq!(b.free(), 1u128 << 64);
        assert!(b.place(64).is_some());
        assert_eq!(b.len(), 64);
    }

    #[test]
    fn many_placements_tile_the_pool_exactly() {
        let mut f = FreeSpace::new(&[c("10.0.0.0/16")], &[]);
        let mut n = 0;
        while let Some(x) = f.place(if n % 3 == 0 { 26 } else { 28 }) {
            assert!(c("10.0.0.0/16").contains(&x));
            n += 1;
        }
        // Only /28-sized crumbs at most one per size remain.
        assert!(f.free_addresses() < 64);
    }
}
