//! Colours of the address map: a hue per owner and a shade per purpose, both from a
//! fixed hash of the name (FNV-1a), so a project keeps its colour in every stage, every
//! map and every version, whoever else is on the map.
//!
//! Must not: depend on the order or number of owners (colours would shift when a
//! project is onboarded).

/// Fill of subnets whose owner is not known.
pub(crate) const UNKNOWN_FILL: &str = "#c9ccd1";

/// FNV-1a, 32 bits: stable across platforms and releases (unlike std's hasher).
fn fnv1a(text: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `#rrggbb` of an HSL colour (hue in degrees, saturation and lightness in percent).
fn hsl_hex(hue: u32, saturation: u32, lightness: u32) -> String {
    let h = f64::from(hue % 360) / 60.0;
    let s = f64::from(saturation.min(100)) / 100.0;
    let l = f64::from(lightness.min(100)) / 100.0;
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    // Each channel is within [0, 1] by construction; the clamp guards rounding.
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

/// MurmurHash3's finaliser: every input bit flips about half the output bits, so names
/// that differ in one character (`project001`, `project002`) get unrelated hues.
fn mix(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// The hue of an owner: one of 36 hues 10 degrees apart.
fn hue(owner: &str) -> u32 {
    (mix(fnv1a(owner)) % 36) * 10
}

/// The colour of an owner (legend swatches): its hue at a middle shade.
pub fn owner_colour(owner: &str) -> String {
    hsl_hex(hue(owner), 62, 66)
}

/// The fill of a subnet: the owner's hue, a shade from the purpose (four shades from
/// darker to lighter), grey when the owner is not known.
pub(crate) fn subnet_fill(owner: &str, purpose: &str) -> String {
    if owner.is_empty() {
        return UNKNOWN_FILL.to_string();
    }
    let shade = mix(fnv1a(purpose)) % 4;
    hsl_hex(hue(owner), 62, 58 + shade * 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fixed values: changing the hash or the palette recolours every map users have.
    #[test]
    fn colours_are_fixed_per_name() {
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(hsl_hex(0, 100, 50), "#ff0000");
        assert_eq!(hsl_hex(120, 100, 25), "#008000");
        assert_eq!(hsl_hex(240, 100, 50), "#0000ff");
        assert_eq!(hsl_hex(0, 0, 100), "#ffffff");
        assert_eq!(owner_colour("project001"), owner_colour("project001"));
        assert_ne!(owner_colour("project001"), owner_colour("project002"));
        assert_eq!(subnet_fill("", "aks"), UNKNOWN_FILL);
    }

    #[test]
    fn purposes_shade_one_hue() {
        let a = subnet_fill("project001", "private_endpoints");
        let b = subnet_fill("project001", "aks");
        assert_ne!(a, b, "two purposes with different shades");
        for f in [&a, &b] {
            assert!(f.starts_with('#') && f.len() == 7, "{f}");
        }
    }
}
