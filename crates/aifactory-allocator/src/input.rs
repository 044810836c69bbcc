//! Parse and validate an [`AllocationInput`], collecting every independent issue in
//! one pass.

use aifactory_attrpath::AttrPath;

use super::cidr::{parse_cidr, Cidr, Net, V4_WIDTH, V6_WIDTH};
use super::issue::{BlockedList, Issue, IssueKind};
use super::limits::{IPV6_SUBNET_PREFIX, MIN_IPV4_PREFIX};
use super::spec::{prefix_for_hosts, AllocationInput, RequestSpec, Strategy};
use super::strategy::{nth_block, IPV6_SLOT_PREFIX};

/// One parsed CIDR of a list.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Position in its list (for the attribute path).
    pub index: usize,
    /// The block it covers (IPv6: in /64 units; a range longer than /64 maps to its /64).
    pub net: Net,
    /// The entry is exactly `net` (false for an IPv6 range longer than /64).
    pub exact: bool,
    /// The CIDR as given (formatted only when reported).
    pub cidr: Cidr,
}

impl Entry {
    /// Canonical text of the CIDR.
    pub fn text(&self) -> String {
        self.cidr.to_string()
    }
}

/// The parsed lists of one address family.
#[derive(Debug, Clone, Default)]
pub(crate) struct FamilyInput {
    pub pool: Vec<Entry>,
    pub reserved: Vec<Entry>,
    pub occupied: Vec<Entry>,
}

/// A valid request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub name: String,
    pub prefix: u8,
    pub ipv6: bool,
}

/// The resolved slot (slot strategy only).
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub index: u64,
    pub v4: Net,
    /// The IPv6 /56, when some request wants IPv6.
    pub v6: Option<Net>,
}

/// Everything valid in the input; meaningful only when no error was pushed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Checked {
    pub v4: FamilyInput,
    pub v6: FamilyInput,
    /// Sorted by name.
    pub requests: Vec<Request>,
    pub slot: Option<Slot>,
}

fn push(issues: &mut Vec<Issue>, path: AttrPath, kind: IssueKind) {
    issues.push(Issue::new(path, kind));
}

/// Parse one list of CIDRs into the two families; `false` if any entry was bad.
fn parse_list(
    attr: &str,
    texts: &[String],
    v4: &mut Vec<Entry>,
    v6: &mut Vec<Entry>,
    issues: &mut Vec<Issue>,
) -> bool {
    let mut clean = true;
    for (index, text) in texts.iter().enumerate() {
        match parse_cidr(text) {
            Ok(Cidr::V4(c)) => v4.push(Entry {
                index,
                net: c.to_net(),
                exact: true,
                cidr: Cidr::V4(c),
            }),
            Ok(Cidr::V6(c)) => v6.push(Entry {
                index,
                net: c.to_unit_net(),
                exact: c.prefix <= 64,
                cidr: Cidr::V6(c),
            }),
            Err(e) => {
                clean = false;
                push(
                    issues,
                    AttrPath::attr(attr).and_index(index),
                    IssueKind::InvalidCidr(e),
                );
            }
        }
    }
    clean
}

/// Report pool entries overlapping an earlier-listed one; `false` if any.
fn check_pool_overlaps(width: u8, pool: &[Entry], issues: &mut Vec<Issue>) -> bool {
    let mut order: Vec<&Entry> = pool.iter().collect();
    order.sort_by_key(|e| (e.net.start, e.net.prefix, e.index));
    let mut reach: Option<&Entry> = None;
    let mut found: Vec<(usize, &Entry, &Entry)> = Vec::new();
    for e in order {
        if let Some(r) = reach {
            if e.net.start < r.net.end(width) {
                let (later, earlier) = if e.index > r.index { (e, r) } else { (r, e) };
                found.push((later.index, later, earlier));
            }
        }
        if reach.is_none_or(|r| e.net.end(width) > r.net.end(width)) {
            reach = Some(e);
        }
    }
    found.sort_by_key(|(i, _, _)| *i);
    for (_, later, earlier) in &found {
        push(
            issues,
            AttrPath::attr("address_space").and_index(later.index),
            IssueKind::OverlappingPool {
                cidr: later.text(),
                other: earlier.text(),
            },
        );
    }
    found.is_empty()
}

enum Coverage {
    Inside,
    Partly,
    Outside,
}

/// How much of `net` the (non-overlapping) pool covers.
fn coverage(width: u8, net: Net, pool: &[Entry]) -> Coverage {
    let mut covered: u128 = 0;
    for p in pool {
        if p.net.contains(net, width) {
            return Coverage::Inside;
        }
        if net.contains(p.net, width) {
            covered += p.net.size(width);
        }
    }
    if covered == 0 {
        Coverage::Outside
    } else if covered >= net.size(width) {
        Coverage::Inside
    } else {
        Coverage::Partly
    }
}

fn warn_outside(
    width: u8,
    list: BlockedList,
    entries: &[Entry],
    pool: &[Entry],
    issues: &mut Vec<Issue>,
) {
    let attr = list.to_string();
    for e in entries {
        let kind = match coverage(width, e.net, pool) {
            Coverage::Inside => continue,
            Coverage::Partly => IssueKind::PartlyOutsidePool {
                list,
                cidr: e.text(),
            },
            Coverage::Outside => IssueKind::OutsidePool {
                list,
                cidr: e.text(),
            },
        };
        push(
            issues,
            AttrPath::attr(attr.as_str()).and_index(e.index),
            kind,
        );
    }
}

/// IPv6 pool entries smaller than a slot contribute no slot; list them for the message.
fn too_small(pool: &[Entry], prefix: u8) -> Vec<String> {
    pool.iter()
        .filter(|e| e.net.prefix > prefix)
        .map(|e| e.text())
        .collect()
}

pub(crate) fn check(input: &AllocationInput, issues: &mut Vec<Issue>) -> Checked {
    let mut out = Checked::default();
    let pool_clean = check_pool(input, &mut out, issues);
    check_blocked(input, &mut out, pool_clean, issues);
    check_requests(input, &mut out, pool_clean, issues);
    check_slot(input, &mut out, pool_clean, issues);
    out
}

/// `address_space`: parsed per family, IPv6 entries smaller than a subnet dropped, no
/// overlaps, an IPv4 range present. Whether the pool is clean (later checks that compare
/// against the pool only run then).
fn check_pool(input: &AllocationInput, out: &mut Checked, issues: &mut Vec<Issue>) -> bool {
    let parsed = parse_list(
        "address_space",
        &input.pool,
        &mut out.v4.pool,
        &mut out.v6.pool,
        issues,
    );
    let mut pool_clean = parsed;
    let mut small_v6 = Vec::new();
    for e in &out.v6.pool {
        if !e.exact || e.net.prefix > IPV6_SUBNET_PREFIX {
            small_v6.push(e.index);
            push(
                issues,
                AttrPath::attr("address_space").and_index(e.index),
                IssueKind::Ipv6PoolTooSmall { cidr: e.text() },
            );
        }
    }
    if !small_v6.is_empty() {
        pool_clean = false;
        out.v6.pool.retain(|e| !small_v6.contains(&e.index));
    }
    pool_clean &= check_pool_overlaps(V4_WIDTH, &out.v4.pool, issues);
    pool_clean &= check_pool_overlaps(V6_WIDTH, &out.v6.pool, issues);
    // An entry that did not parse may have been meant as the IPv4 range: no second error.
    if out.v4.pool.is_empty() && parsed {
        push(
            issues,
            AttrPath::attr("address_space"),
            IssueKind::NoIpv4Pool,
        );
    }
    pool_clean
}

/// `reserved` and `occupied`: parsed per family; entries outside a clean pool are warnings.
fn check_blocked(
    input: &AllocationInput,
    out: &mut Checked,
    pool_clean: bool,
    issues: &mut Vec<Issue>,
) {
    parse_list(
        "reserved",
        &input.reserved,
        &mut out.v4.reserved,
        &mut out.v6.reserved,
        issues,
    );
    parse_list(
        "occupied",
        &input.occupied,
        &mut out.v4.occupied,
        &mut out.v6.occupied,
        issues,
    );
    if pool_clean {
        warn_outside(
            V4_WIDTH,
            BlockedList::Reserved,
            &out.v4.reserved,
            &out.v4.pool,
            issues,
        );
        warn_outside(
            V6_WIDTH,
            BlockedList::Reserved,
            &out.v6.reserved,
            &out.v6.pool,
            issues,
        );
        warn_outside(
            V4_WIDTH,
            BlockedList::Occupied,
            &out.v4.occupied,
            &out.v4.pool,
            issues,
        );
        warn_outside(
            V6_WIDTH,
            BlockedList::Occupied,
            &out.v6.occupied,
            &out.v6.pool,
            issues,
        );
    }
}

/// `subnets`: a name, exactly one valid size, and an IPv6 pool when IPv6 is asked for.
/// Valid requests go to `out.requests`, sorted by name.
fn check_requests(
    input: &AllocationInput,
    out: &mut Checked,
    pool_clean: bool,
    issues: &mut Vec<Issue>,
) {
    for (name, spec) in &input.requests {
        let path = AttrPath::attr("subnets").and_key(name.as_str());
        let mut valid = true;
        if name.trim().is_empty() {
            valid = false;
            push(issues, path.clone(), IssueKind::EmptyName);
        }
        let prefix = request_prefix(name, spec, &path, issues);
        if spec.ipv6 && pool_clean && out.v6.pool.is_empty() {
            valid = false;
            push(
                issues,
                path.and_attr("ipv6"),
                IssueKind::Ipv6WithoutPool { name: name.clone() },
            );
        }
        if let (true, Some(prefix)) = (valid, prefix) {
            out.requests.push(Request {
                name: name.clone(),
                prefix,
                ipv6: spec.ipv6,
            });
        }
    }
    // BTreeMap iteration is sorted already; keep the invariant explicit.
    out.requests.sort_by(|a, b| a.name.cmp(&b.name));
}

/// The prefix length of one request, from `prefix_length` or `min_hosts` (exactly one of
/// them, in range).
fn request_prefix(
    name: &str,
    spec: &RequestSpec,
    path: &AttrPath,
    issues: &mut Vec<Issue>,
) -> Option<u8> {
    match (spec.prefix_length, spec.min_hosts) {
        (Some(_), Some(_)) => {
            push(
                issues,
                path.clone(),
                IssueKind::SizeBothGiven {
                    name: name.to_string(),
                },
            );
            None
        }
        (None, None) => {
            push(
                issues,
                path.clone(),
                IssueKind::SizeMissing {
                    name: name.to_string(),
                },
            );
            None
        }
        (Some(p), None) => {
            let ok = u8::try_from(p)
                .ok()
                .filter(|p| (1..=MIN_IPV4_PREFIX).contains(p));
            if ok.is_none() {
                push(
                    issues,
                    path.and_attr("prefix_length"),
                    IssueKind::PrefixOutOfRange {
                        name: name.to_string(),
                        prefix_length: p,
                    },
                );
            }
            ok
        }
        (None, Some(h)) => {
            let ok = u64::try_from(h).ok().and_then(prefix_for_hosts);
            if ok.is_none() {
                push(
                    issues,
                    path.and_attr("min_hosts"),
                    IssueKind::MinHostsOutOfRange {
                        name: name.to_string(),
                        min_hosts: h,
                    },
                );
            }
            ok
        }
    }
}

/// The `slot` strategy: slot size and index in range, every request fits a slot, and the
/// slot lies inside the pool (IPv4, and IPv6 when a request asks for it).
fn check_slot(
    input: &AllocationInput,
    out: &mut Checked,
    pool_clean: bool,
    issues: &mut Vec<Issue>,
) {
    if let Strategy::Slot {
        prefix_length,
        index,
    } = input.strategy
    {
        let slot_prefix = u8::try_from(prefix_length)
            .ok()
            .filter(|p| (1..=MIN_IPV4_PREFIX).contains(p));
        if slot_prefix.is_none() {
            push(
                issues,
                AttrPath::attr("slot_prefix_length"),
                IssueKind::SlotPrefixOutOfRange { prefix_length },
            );
        }
        let slot_index = u64::try_from(index).ok();
        if slot_index.is_none() {
            push(
                issues,
                AttrPath::attr("slot"),
                IssueKind::SlotIndexNegative { index },
            );
        }
        if let Some(sp) = slot_prefix {
            // The largest request (ties: first name) that does not fit a slot.
            let worst = out
                .requests
                .iter()
                .filter(|r| r.prefix < sp)
                .min_by_key(|r| r.prefix);
            if let Some(r) = worst {
                push(
                    issues,
                    AttrPath::attr("slot_prefix_length"),
                    IssueKind::SlotSmallerThanSubnet {
                        slot_prefix_length: sp,
                        name: r.name.clone(),
                        prefix_length: r.prefix,
                    },
                );
            }
        }
        if let (Some(sp), Some(index), true) = (slot_prefix, slot_index, pool_clean) {
            let v4_nets: Vec<Net> = out.v4.pool.iter().map(|e| e.net).collect();
            let (v4, slots) = nth_block(V4_WIDTH, &v4_nets, sp, index);
            if v4.is_none() && !out.v4.pool.is_empty() {
                push(
                    issues,
                    AttrPath::attr("slot"),
                    IssueKind::SlotOutsidePool {
                        index,
                        slot_prefix_length: sp,
                        slots,
                        too_small: too_small(&out.v4.pool, sp),
                    },
                );
            }
            let mut v6 = None;
            if out.requests.iter().any(|r| r.ipv6) && !out.v6.pool.is_empty() {
                let v6_nets: Vec<Net> = out.v6.pool.iter().map(|e| e.net).collect();
                let (block, slots) = nth_block(V6_WIDTH, &v6_nets, IPV6_SLOT_PREFIX, index);
                if block.is_none() {
                    push(
                        issues,
                        AttrPath::attr("slot"),
                        IssueKind::Ipv6SlotOutsidePool {
                            index,
                            slots,
                            too_small: too_small(&out.v6.pool, IPV6_SLOT_PREFIX),
                        },
                    );
                }
                v6 = block;
            }
            if let Some(v4) = v4 {
                out.slot = Some(Slot { index, v4, v6 });
            }
        }
    }
}
