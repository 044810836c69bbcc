//! The address map as a Markdown table (GitHub flavour): every subnet and free block by
//! address, then the IPv6 subnets, then the figures of the legend.
//!
//! Must not: emit a name unescaped (a `|` would split a row, `<` would start HTML).

use std::fmt::Write as _;

use super::{grouped, percent_text, AddressMap};
use crate::cidr::Cidr;

/// Escape text for a table cell.
pub(crate) fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '`' => out.push_str("\\`"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn render(map: &AddressMap) -> String {
    let mut out = String::new();
    if !map.title.is_empty() {
        let _ = writeln!(out, "**{}**\n", cell(&map.title));
    }
    out.push_str("| CIDR | Addresses | Owner | Purpose | Subnet |\n");
    out.push_str("|---|---:|---|---|---|\n");
    for b in map.sections.iter().flat_map(|s| s.blocks.iter()) {
        match b.subnet {
            Some(i) => {
                let s = &map.subnets[i];
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    b.cidr,
                    grouped(b.cidr.addresses()),
                    cell(&s.owner),
                    cell(&s.purpose),
                    cell(&s.name)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "| {} | {} | *free* |  |  |",
                    b.cidr,
                    grouped(b.cidr.addresses())
                );
            }
        }
    }
    for s in map.ipv6_subnets() {
        let prefix = match s.cidr {
            Cidr::V6(c) => c.prefix,
            Cidr::V4(c) => c.prefix,
        };
        let _ = writeln!(
            out,
            "| {} | 2^{} | {} | {} | {} |",
            s.cidr,
            128 - u32::from(prefix),
            cell(&s.owner),
            cell(&s.purpose),
            cell(&s.name)
        );
    }
    let _ = write!(
        out,
        "\nUtilisation: **{}%** ({} of {} IPv4 addresses in subnets). ",
        percent_text(map.utilisation_percent()),
        grouped(map.used_addresses),
        grouped(map.total_addresses)
    );
    match map.largest_free_block() {
        Some(c) => {
            let _ = writeln!(
                out,
                "Largest free block: **{c}** ({} addresses); {} free addresses in {} blocks.",
                grouped(c.addresses()),
                grouped(map.free_addresses()),
                map.free_blocks().len()
            );
        }
        None => out.push_str("No free space.\n"),
    }
    if !map.ipv6_space.is_empty() {
        let space: Vec<String> = map.ipv6_space.iter().map(|c| c.to_string()).collect();
        let _ = writeln!(out, "IPv6 address space: {}.", space.join(", "));
    }
    out
}
