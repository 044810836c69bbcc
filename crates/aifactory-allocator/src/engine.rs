//! Keep what can stay, then place the rest best-fit, for one address family.

use std::collections::BTreeMap;

use super::cidr::Net;
use super::free::Blocks;
use super::input::Entry;
use super::issue::MoveReason;

/// A result held in state, as the engine sees it.
#[derive(Debug, Clone)]
pub(crate) enum Prev {
    None,
    /// Not a CIDR of this family (text as stored).
    Invalid(String),
    Valid {
        net: Net,
        text: String,
    },
}

/// One request of this family.
#[derive(Debug, Clone)]
pub(crate) struct Want<'a> {
    pub name: &'a str,
    pub prefix: u8,
    pub previous: Prev,
}

/// Where to place: the pool (or the slot) and what is blocked in it.
pub(crate) struct Area<'a> {
    pub width: u8,
    pub pool: Vec<Net>,
    /// The slot's text when the strategy is `slot`.
    pub slot: Option<String>,
    pub reserved: &'a [Entry],
    pub occupied: &'a [Entry],
}

#[derive(Debug, Clone)]
pub(crate) struct Eviction {
    pub name: String,
    pub from: String,
    pub reason: MoveReason,
}

#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub name: String,
    pub prefix: u8,
    pub largest: Option<Net>,
    pub free: u128,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    pub results: BTreeMap<String, Net>,
    /// In name order.
    pub evictions: Vec<Eviction>,
    pub failure: Option<Failure>,
    /// Slot strategy: nothing in the slot is free and nothing of ours is in it.
    pub fully_blocked: bool,
}

/// Aligned blocks by (start, prefix). Aligned blocks overlap only by containment, so
/// the blocks overlapping `n` are its ancestors (one candidate per prefix) and the
/// blocks starting inside it: O(width + k) map lookups.
struct NetIndex {
    width: u8,
    map: BTreeMap<(u128, u8), Vec<usize>>,
}

impl NetIndex {
    fn new(width: u8) -> NetIndex {
        NetIndex {
            width,
            map: BTreeMap::new(),
        }
    }

    /// Index a list of entries; among entries with the same block, the one with the
    /// smallest CIDR is found first, so reports do not depend on list order.
    fn of_entries(width: u8, entries: &[Entry]) -> NetIndex {
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| {
            (entries[a].net, entries[a].cidr).cmp(&(entries[b].net, entries[b].cidr))
        });
        let mut idx = NetIndex::new(width);
        for i in order {
            idx.add(entries[i].net, i);
        }
        idx
    }

    fn add(&mut self, n: Net, id: usize) {
        self.map.entry((n.start, n.prefix)).or_default().push(id);
    }

    /// The first id (with its block) overlapping `n` that `accept` takes.
    fn find(&self, n: Net, mut accept: impl FnMut(usize, Net) -> bool) -> Option<usize> {
        for p in 0..=n.prefix {
            let anc = Net::containing(self.width, n.start, p);
            if let Some(ids) = self.map.get(&(anc.start, anc.prefix)) {
                if let Some(&id) = ids.iter().find(|&&id| accept(id, anc)) {
                    return Some(id);
                }
            }
        }
        if n.prefix < self.width {
            for (&(start, prefix), ids) in self
                .map
                .range((n.start, n.prefix + 1)..(n.end(self.width), 0))
            {
                if let Some(&id) = ids.iter().find(|&&id| accept(id, Net { start, prefix })) {
                    return Some(id);
                }
            }
        }
        None
    }
}

/// Keep every previous result that may stay (`wants` in name order), then place the
/// others largest first (ties by name), best fit.
pub(crate) fn run(area: &Area<'_>, wants: &[Want<'_>]) -> Outcome {
    let w = area.width;
    let mut out = Outcome::default();
    let mut pending: Vec<&Want<'_>> = Vec::new();

    let any_previous = wants
        .iter()
        .any(|x| matches!(x.previous, Prev::Valid { .. }));
    let (reserved, occupied) = if any_previous {
        (
            NetIndex::of_entries(w, area.reserved),
            NetIndex::of_entries(w, area.occupied),
        )
    } else {
        (NetIndex::new(w), NetIndex::new(w))
    };
    let mut kept = NetIndex::new(w);

    for (i, want) in wants.iter().enumerate() {
        let (from, reason) = match &want.previous {
            Prev::None => {
                pending.push(want);
                continue;
            }
            Prev::Invalid(text) => (text.clone(), MoveReason::InvalidPrevious),
            Prev::Valid { net, text } => {
                let net = *net;
                let reason = if net.prefix != want.prefix {
                    Some(MoveReason::SizeChanged)
                } else if !area.pool.iter().any(|p| p.contains(net, w)) {
                    Some(match &area.slot {
                        Some(slot) => MoveReason::OutsideSlot { slot: slot.clone() },
                        None => MoveReason::OutsidePool,
                    })
                } else if let Some(id) = reserved.find(net, |_, _| true) {
                    Some(MoveReason::OverlapsReserved {
                        cidr: area.reserved[id].text(),
                    })
                } else if let Some(id) =
                    occupied.find(net, |id, b| !(b == net && area.occupied[id].exact))
                {
                    // An occupied entry exactly equal to the result is that subnet itself.
                    Some(MoveReason::OverlapsOccupied {
                        cidr: area.occupied[id].text(),
                    })
                } else {
                    kept.find(net, |_, _| true)
                        .map(|id| MoveReason::OverlapsPrevious {
                            name: wants[id].name.to_string(),
                        })
                };
                match reason {
                    None => {
                        kept.add(net, i);
                        out.results.insert(want.name.to_string(), net);
                        continue;
                    }
                    Some(r) => (text.clone(), r),
                }
            }
        };
        out.evictions.push(Eviction {
            name: want.name.to_string(),
            from,
            reason,
        });
        pending.push(want);
    }

    let blocked = area
        .reserved
        .iter()
        .chain(area.occupied.iter())
        .map(|e| e.net)
        .chain(out.results.values().copied());
    let mut free = Blocks::new(w, area.pool.iter().copied(), blocked);

    if area.slot.is_some() && free.free() == 0 && out.results.is_empty() && !pending.is_empty() {
        out.fully_blocked = true;
        return out;
    }

    pending.sort_by(|a, b| a.prefix.cmp(&b.prefix).then_with(|| a.name.cmp(b.name)));
    for want in pending {
        match free.place(want.prefix) {
            Some(net) => {
                out.results.insert(want.name.to_string(), net);
            }
            None => {
                out.failure = Some(Failure {
                    name: want.name.to_string(),
                    prefix: want.prefix,
                    largest: free.largest(),
                    free: free.free(),
                });
                break;
            }
        }
    }
    out
}
