//! The address map as SVG.
//!
//! Geometry ([`plan`]): each IPv4 address space prefix is a section of rows; a row is
//! one aligned block of 2^k addresses (the same k for the whole picture) drawn across the
//! map's width, so a subnet no larger than a row is a box in one row whose width is its
//! share of the row, and a larger one (aligned, so a whole number of rows) a box over
//! whole rows. Every subnet's area is therefore in proportion to its size. The row size
//! is chosen so the smallest subnet is an eighth of a row, then doubled until the picture
//! has at most [`MAX_LINES`] lines; runs of two or more rows that are entirely free are
//! drawn as one narrow hatched band that states what it stands for (the only part not
//! to scale). Free blocks are hatched; labels go inside a box when they fit, and every
//! box carries its full description as a tooltip (`<title>`).
//!
//! Must not: emit text that is not XML-escaped ([`esc`]), or depend on anything but the
//! map (no clock, no randomness, no locale).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::colour::{owner_colour, subnet_fill};
use super::{grouped, percent_text, AddressMap, Block, MapSubnet};
use crate::cidr::Cidr4;

/// Left margin: the row labels (start address of each row).
const LEFT: f64 = 112.0;
/// Width of a full row.
pub(crate) const MAP_W: f64 = 840.0;
const RIGHT: f64 = 16.0;
const WIDTH: f64 = LEFT + MAP_W + RIGHT;
pub(crate) const ROW_H: f64 = 34.0;
const BAND_H: f64 = 20.0;
const TITLE_H: f64 = 44.0;
const SECTION_H: f64 = 26.0;
const LINE_H: f64 = 13.0;
/// Estimated advance of one character at 11 px (normal and bold), to decide whether a
/// label fits; generous so a label never overflows its box.
const CHAR_W: f64 = 6.6;
const BOLD_CHAR_W: f64 = 7.2;
/// Rows plus bands the picture aims to stay within.
pub(crate) const MAX_LINES: usize = 40;
/// Subnets narrower than this are widened to it, so each stays visible.
const MIN_BOX_W: f64 = 2.0;
const FONT: &str = "DejaVu Sans, Verdana, Arial, sans-serif";
const MONO: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";

/// XML-escape text and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0 documents.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A number of pixels, one decimal.
fn px(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// `text` cut to `max` characters (with an ellipsis).
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

fn fits(line: &Line, width: f64) -> bool {
    let w = if line.bold { BOLD_CHAR_W } else { CHAR_W };
    line.text.chars().count() as f64 * w <= width
}

/// One line of a label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub text: String,
    pub bold: bool,
}

fn line(text: impl Into<String>, bold: bool) -> Line {
    Line {
        text: text.into(),
        bold,
    }
}

/// A box on the map.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DrawnBlock {
    pub block: Block,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub label: Vec<Line>,
}

/// Rows of a section that are entirely free, two or more in a row: one band.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Band {
    pub y: f64,
    /// First address and one past the last (as integers).
    pub from: u64,
    pub to: u64,
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowLabel {
    pub y: f64,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SectionHead {
    pub y: f64,
    pub text: String,
}

/// The geometry of a picture.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Drawing {
    /// The prefix length of one row.
    pub row_prefix: u8,
    pub heads: Vec<SectionHead>,
    pub rows: Vec<RowLabel>,
    pub bands: Vec<Band>,
    pub blocks: Vec<DrawnBlock>,
    /// Where the legend starts.
    pub legend_y: f64,
}

fn start(c: &Cidr4) -> u64 {
    u64::from(u32::from(c.addr))
}

/// What one section looks like at a row size: for each line, `Ok(row)` or `Err((first,
/// rows))` for a band of fully free rows.
fn lines_of(map: &AddressMap, section: usize, row_prefix: u8) -> Vec<Result<u64, (u64, u64)>> {
    let s = &map.sections[section];
    let row = 1u64 << (32 - u32::from(row_prefix));
    let base = start(&s.prefix);
    let rows = s.prefix.addresses().div_ceil(row).max(1);
    // Rows holding a subnet, as merged [first, end) ranges.
    let mut used: Vec<(u64, u64)> = Vec::new();
    for b in s.blocks.iter().filter(|b| b.subnet.is_some()) {
        let first = (start(&b.cidr) - base) / row;
        let end = first + (b.cidr.addresses() / row).max(1);
        match used.last_mut() {
            Some(last) if first <= last.1 => last.1 = last.1.max(end),
            _ => used.push((first, end)),
        }
    }
    let mut out = Vec::new();
    let mut cur = 0;
    let gap = |from: u64, to: u64, out: &mut Vec<Result<u64, (u64, u64)>>| match to - from {
        0 => {}
        1 => out.push(Ok(from)),
        n => out.push(Err((from, n))),
    };
    for (first, end) in used {
        gap(cur, first, &mut out);
        out.extend((first..end).map(Ok));
        cur = end;
    }
    gap(cur, rows, &mut out);
    out
}

/// The row size: the smallest subnet an eighth of a row, doubled while the picture has
/// more than [`MAX_LINES`] lines, never larger than the largest section.
fn row_prefix(map: &AddressMap) -> u8 {
    let largest = map
        .sections
        .iter()
        .map(|s| s.prefix.prefix)
        .min()
        .unwrap_or(0);
    let smallest_subnet = map
        .sections
        .iter()
        .flat_map(|s| s.blocks.iter())
        .filter(|b| b.subnet.is_some())
        .map(|b| b.cidr.prefix)
        .max()
        .unwrap_or(largest);
    let mut r = smallest_subnet.saturating_sub(3).max(largest);
    while r > largest {
        let lines: usize = (0..map.sections.len())
            .map(|i| lines_of(map, i, r).len())
            .sum();
        if lines <= MAX_LINES {
            break;
        }
        r -= 1;
    }
    r
}

/// The label of a subnet box: the first candidate whose lines all fit.
fn subnet_label(s: &MapSubnet, w: f64, h: f64) -> Vec<Line> {
    let owner = s.owner_label().to_string();
    let cidr = s.cidr.to_string();
    let mut candidates: Vec<Vec<Line>> = Vec::new();
    // A purpose that repeats the owner (`common` / `common`) is said once.
    if s.purpose.is_empty() || s.purpose == owner {
        candidates.push(vec![line(&owner, true), line(&cidr, false)]);
    } else {
        candidates.push(vec![
            line(&owner, true),
            line(&s.purpose, false),
            line(&cidr, false),
        ]);
        candidates.push(vec![
            line(format!("{owner} · {}", s.purpose), true),
            line(&cidr, false),
        ]);
        candidates.push(vec![line(&owner, true), line(&s.purpose, false)]);
    }
    candidates.push(vec![line(&owner, true)]);
    pick(candidates, w, h)
}

fn free_label(c: &Cidr4, w: f64, h: f64) -> Vec<Line> {
    let cidr = c.to_string();
    pick(
        vec![
            vec![line("free", false), line(&cidr, false)],
            // A bare "free" in every small gap is noise: the hatching says it.
            vec![line(&cidr, false)],
        ],
        w,
        h,
    )
}

fn pick(candidates: Vec<Vec<Line>>, w: f64, h: f64) -> Vec<Line> {
    let (w, h) = (w - 8.0, h - 6.0);
    candidates
        .into_iter()
        .find(|c| c.len() as f64 * LINE_H <= h && c.iter().all(|l| fits(l, w)))
        .unwrap_or_default()
}

/// Lay the map out.
pub(crate) fn plan(map: &AddressMap) -> Drawing {
    let row_prefix = row_prefix(map);
    let row = 1u64 << (32 - u32::from(row_prefix));
    let mut d = Drawing {
        row_prefix,
        heads: Vec::new(),
        rows: Vec::new(),
        bands: Vec::new(),
        blocks: Vec::new(),
        legend_y: 0.0,
    };
    let mut y = TITLE_H;
    for (i, s) in map.sections.iter().enumerate() {
        let used = s
            .blocks
            .iter()
            .filter(|b| b.subnet.is_some())
            .map(|b| b.cidr.addresses())
            .sum::<u64>();
        d.heads.push(SectionHead {
            y,
            text: format!(
                "{}  ·  {} addresses  ·  {} in subnets",
                s.prefix,
                grouped(s.prefix.addresses()),
                grouped(used)
            ),
        });
        y += SECTION_H;
        let base = start(&s.prefix);
        let mut row_y: BTreeMap<u64, f64> = BTreeMap::new();
        for l in lines_of(map, i, row_prefix) {
            match l {
                Ok(r) => {
                    row_y.insert(r, y);
                    let addr = base + r * row;
                    d.rows.push(RowLabel {
                        y,
                        text: std::net::Ipv4Addr::from(addr as u32).to_string(),
                    });
                    y += ROW_H;
                }
                Err((first, n)) => {
                    let from = base + first * row;
                    let to = (from + n * row).min(base + s.prefix.addresses());
                    d.bands.push(Band {
                        y,
                        from,
                        to,
                        rows: n,
                    });
                    y += BAND_H;
                }
            }
        }
        for b in &s.blocks {
            let offset = start(&b.cidr) - base;
            let first = offset / row;
            // A free block inside a band is drawn as the band.
            let Some(&top) = row_y.get(&first) else {
                continue;
            };
            let size = b.cidr.addresses();
            let spanned = (size / row).max(1);
            let x = LEFT + (offset % row) as f64 / row as f64 * MAP_W;
            let mut w = size.min(row) as f64 / row as f64 * MAP_W;
            if b.subnet.is_some() {
                w = w.max(MIN_BOX_W);
            }
            let h = spanned as f64 * ROW_H;
            let label = match b.subnet {
                Some(i) => subnet_label(&map.subnets[i], w, h),
                None => free_label(&b.cidr, w, h),
            };
            d.blocks.push(DrawnBlock {
                block: *b,
                x,
                y: top,
                w,
                h,
                label,
            });
        }
        y += 10.0;
    }
    d.legend_y = y + 8.0;
    d
}

fn tooltip(map: &AddressMap, b: &Block) -> String {
    match b.subnet {
        Some(i) => {
            let s = &map.subnets[i];
            let mut t = format!("{} ({} addresses)", b.cidr, grouped(b.cidr.addresses()));
            if !s.owner.is_empty() {
                let _ = write!(t, " — {}", s.owner);
            }
            if !s.purpose.is_empty() {
                let _ = write!(t, " / {}", s.purpose);
            }
            if !s.name.is_empty() {
                let _ = write!(t, " — subnet {}", s.name);
            }
            t
        }
        None => format!(
            "{} free ({} addresses)",
            b.cidr,
            grouped(b.cidr.addresses())
        ),
    }
}

fn ip(v: u64) -> String {
    // Addresses of an IPv4 section are below 2^32; `to` may be 2^32 for 0.0.0.0/0.
    std::net::Ipv4Addr::from(v.min(u64::from(u32::MAX)) as u32).to_string()
}

/// The SVG document.
pub(crate) fn render(map: &AddressMap) -> String {
    let d = plan(map);
    let mut body = String::new();
    for h in &d.heads {
        let _ = writeln!(
            body,
            r##"<text x="{}" y="{}" font-size="13" font-weight="bold" fill="#333">{}</text>"##,
            px(LEFT),
            px(h.y + 17.0),
            esc(&h.text)
        );
    }
    for r in &d.rows {
        let _ = writeln!(
            body,
            r##"<text x="{}" y="{}" font-family="{MONO}" font-size="11" fill="#555" text-anchor="end">{}</text>"##,
            px(LEFT - 8.0),
            px(r.y + ROW_H / 2.0 + 4.0),
            esc(&r.text)
        );
    }
    for band in &d.bands {
        let text = format!(
            "{} – {} free: {} addresses in {} rows (band not to scale)",
            ip(band.from),
            ip(band.to - 1),
            grouped(band.to - band.from),
            grouped(band.rows)
        );
        let text_w = (text.chars().count() as f64 * CHAR_W * 0.9 + 12.0).min(MAP_W);
        let _ = writeln!(
            body,
            r##"<g><title>{t}</title><rect x="{x}" y="{y}" width="{w}" height="{h}" fill="url(#free)" stroke="#b9bec6" stroke-dasharray="4 3"/><rect x="{bx}" y="{by}" width="{bw}" height="{bh}" rx="3" fill="#ffffff" fill-opacity="0.9"/><text x="{tx}" y="{ty}" font-size="11" fill="#444" text-anchor="middle">{t}</text></g>"##,
            t = esc(&text),
            bw = px(text_w),
            bx = px(LEFT + (MAP_W - text_w) / 2.0),
            by = px(band.y + 3.0),
            bh = px(BAND_H - 6.0),
            x = px(LEFT),
            y = px(band.y + 2.0),
            w = px(MAP_W),
            h = px(BAND_H - 4.0),
            tx = px(LEFT + MAP_W / 2.0),
            ty = px(band.y + BAND_H / 2.0 + 4.0),
        );
        let _ = writeln!(
            body,
            r##"<text x="{}" y="{}" font-family="{MONO}" font-size="11" fill="#888" text-anchor="end">⋮</text>"##,
            px(LEFT - 8.0),
            px(band.y + BAND_H / 2.0 + 4.0)
        );
    }
    for b in &d.blocks {
        let (fill, stroke) = match b.block.subnet {
            Some(i) => {
                let s = &map.subnets[i];
                (subnet_fill(&s.owner, &s.purpose), "#ffffff")
            }
            None => ("url(#free)".to_string(), "#b9bec6"),
        };
        let _ = write!(
            body,
            r##"<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="1"/>"##,
            esc(&tooltip(map, &b.block)),
            px(b.x),
            px(b.y),
            px(b.w),
            px(b.h),
            fill,
            stroke
        );
        let n = b.label.len() as f64;
        let first_baseline = b.y + b.h / 2.0 - (n - 1.0) * LINE_H / 2.0 + 4.0;
        for (k, l) in b.label.iter().enumerate() {
            let _ = write!(
                body,
                r##"<text x="{}" y="{}" font-size="11"{} fill="{}" text-anchor="middle">{}</text>"##,
                px(b.x + b.w / 2.0),
                px(first_baseline + k as f64 * LINE_H),
                if l.bold { r#" font-weight="bold""# } else { "" },
                if b.block.subnet.is_some() {
                    "#1b1b1b"
                } else {
                    "#555"
                },
                esc(&l.text)
            );
        }
        body.push_str("</g>\n");
    }
    let legend = legend(map, &d);
    let height = legend.1;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}" role="img">"##,
        w = px(WIDTH),
        h = px(height),
    );
    let _ = writeln!(out, "<title>{}</title>", esc(&map.title));
    out.push_str(concat!(
        r##"<defs><pattern id="free" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">"##,
        r##"<rect width="8" height="8" fill="#f3f4f6"/><line x1="0" y1="0" x2="0" y2="8" stroke="#c3c8cf" stroke-width="3"/></pattern></defs>"##,
        "\n"
    ));
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        out,
        r##"<text x="{}" y="28" font-size="18" font-weight="bold" fill="#1b1b1b">{}</text>"##,
        px(LEFT),
        esc(&map.title)
    );
    out.push_str(&body);
    out.push_str(&legend.0);
    out.push_str("</svg>\n");
    out
}

/// The legend (owners with their colour, free space, figures) and the picture's height.
fn legend(map: &AddressMap, d: &Drawing) -> (String, f64) {
    let mut out = String::new();
    let mut y = d.legend_y;
    let swatch = |out: &mut String, x: f64, y: f64, fill: &str, text: &str, tip: &str| {
        let _ = writeln!(
            out,
            r##"<g><title>{}</title><rect x="{}" y="{}" width="14" height="14" fill="{}" stroke="#8a8f98" stroke-width="0.5"/><text x="{}" y="{}" font-size="11" fill="#1b1b1b">{}</text></g>"##,
            esc(tip),
            px(x),
            px(y),
            fill,
            px(x + 20.0),
            px(y + 11.0),
            esc(text)
        );
    };
    let owners = map.owners();
    let columns = 3usize;
    let col_w = (MAP_W + RIGHT) / columns as f64;
    let mut items: Vec<(String, String, String)> = owners
        .iter()
        .map(|o| {
            let fill = if o.known {
                owner_colour(&o.owner)
            } else {
                super::colour::UNKNOWN_FILL.to_string()
            };
            let plural = if o.subnets == 1 { "" } else { "s" };
            let text = format!(
                "{} — {} subnet{plural}, {} addresses",
                cut(&o.owner, 22),
                o.subnets,
                grouped(o.addresses)
            );
            let tip = format!(
                "{}: {} subnet{plural}, {} addresses",
                o.owner,
                o.subnets,
                grouped(o.addresses)
            );
            (fill, text, tip)
        })
        .collect();
    items.push((
        "url(#free)".into(),
        format!("free — {} addresses", grouped(map.free_addresses())),
        "free space (hatched)".into(),
    ));
    for (k, (fill, text, tip)) in items.iter().enumerate() {
        let x = LEFT + (k % columns) as f64 * col_w;
        let row_y = y + (k / columns) as f64 * 20.0;
        swatch(&mut out, x, row_y, fill, text, tip);
    }
    y += items.len().div_ceil(columns) as f64 * 20.0 + 12.0;
    let mut facts = vec![
        format!(
            "Utilisation: {}% ({} of {} addresses in {} subnet{})",
            percent_text(map.utilisation_percent()),
            grouped(map.used_addresses),
            grouped(map.total_addresses),
            map.subnets.len() - map.ipv6_subnets().count(),
            if map.subnets.len() - map.ipv6_subnets().count() == 1 {
                ""
            } else {
                "s"
            }
        ),
        match map.largest_free_block() {
            Some(c) => format!(
                "Largest free block: {c} ({} addresses)",
                grouped(c.addresses())
            ),
            None => "Largest free block: none (the address space is full)".to_string(),
        },
        format!(
            "One row: /{} ({} addresses)",
            d.row_prefix,
            grouped(1u64 << (32 - u32::from(d.row_prefix)))
        ),
    ];
    if !map.ipv6_space.is_empty() || map.ipv6_subnets().next().is_some() {
        let space: Vec<String> = map.ipv6_space.iter().map(|c| c.to_string()).collect();
        facts.push(format!(
            "IPv6 not drawn: {} ({} IPv6 subnet{})",
            space.join(", "),
            map.ipv6_subnets().count(),
            if map.ipv6_subnets().count() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    for (k, f) in facts.iter().enumerate() {
        let bold = if k < 2 { r#" font-weight="bold""# } else { "" };
        let _ = writeln!(
            out,
            r##"<text x="{}" y="{}" font-size="12"{bold} fill="#1b1b1b">{}</text>"##,
            px(LEFT),
            px(y + 12.0),
            esc(f)
        );
        y += 18.0;
    }
    (out, y + 12.0)
}
