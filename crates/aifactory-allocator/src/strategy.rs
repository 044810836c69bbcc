//! The `slot` strategy: which block of the pool a project gets.
//!
//! Slot `i` of size /s is the `i`-th aligned /s block counted across the pool entries
//! in listed order (an entry smaller than a /s contributes none). It depends on the
//! pool and nothing else, so one slot number gives the same ranges in every
//! environment without knowing about other projects. IPv6 slots are /56s (256 /64s).

use super::cidr::{block_size, Cidr4, Net, V4_WIDTH};

/// Prefix of the IPv6 block a slot gets.
pub const IPV6_SLOT_PREFIX: u8 = 56;

/// The `index`-th aligned /`prefix` block across `pool` in listed order (`None` when
/// `index` is past the end), and the number of such blocks. Requires `prefix <= width`.
pub(crate) fn nth_block(width: u8, pool: &[Net], prefix: u8, index: u64) -> (Option<Net>, u128) {
    let mut rest = u128::from(index);
    let mut total: u128 = 0;
    let mut found = None;
    for p in pool
        .iter()
        .filter(|p| p.prefix <= prefix && prefix <= width)
    {
        // prefix - p.prefix <= 64: the count fits.
        let count = 1u128 << (prefix - p.prefix);
        if found.is_none() {
            if rest < count {
                found = Some(Net {
                    start: p.start + rest * block_size(width, prefix),
                    prefix,
                });
            } else {
                rest -= count;
            }
        }
        total = total.saturating_add(count);
    }
    (found, total)
}

/// How many /`slot_prefix_length` slots the IPv4 `pool` has (entries smaller than a
/// slot contribute none).
pub fn slot_count(pool: &[Cidr4], slot_prefix_length: u8) -> u128 {
    let nets: Vec<Net> = pool.iter().map(|c| c.to_net()).collect();
    nth_block(V4_WIDTH, &nets, slot_prefix_length.min(V4_WIDTH), 0).1
}

/// The IPv4 block of slot `index` (see the module docs), if the pool has that many.
pub fn slot_block(pool: &[Cidr4], slot_prefix_length: u8, index: u64) -> Option<Cidr4> {
    let nets: Vec<Net> = pool.iter().map(|c| c.to_net()).collect();
    nth_block(V4_WIDTH, &nets, slot_prefix_length.min(V4_WIDTH), index)
        .0
        .map(Cidr4::from_net)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr4 {
        s.parse().unwrap()
    }

    #[test]
    fn slots_count_across_pool_entries_in_listed_order() {
        let pool = [c("10.1.0.0/20"), c("10.9.0.0/24"), c("10.0.0.0/21")];
        // /21 slots: 2 in the /20, none in the /24, 1 in the /21.
        assert_eq!(slot_count(&pool, 21), 3);
        assert_eq!(slot_block(&pool, 21, 0), Some(c("10.1.0.0/21")));
        assert_eq!(slot_block(&pool, 21, 1), Some(c("10.1.8.0/21")));
        assert_eq!(slot_block(&pool, 21, 2), Some(c("10.0.0.0/21")));
        assert_eq!(slot_block(&pool, 21, 3), None);
        assert_eq!(slot_count(&pool, 24), 16 + 1 + 8);
        assert_eq!(slot_count(&[c("0.0.0.0/0")], 29), 1 << 29);
    }
}
