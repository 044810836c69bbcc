//! Small shared helpers: GUIDs, timestamps, glob matching, query/percent decoding.
//!
//! Owns pure helpers only; must not touch emulator state or do I/O.

use rand::RngCore;
use std::time::{SystemTime, UNIX_EPOCH};

/// A random version-4 GUID in lowercase 8-4-4-4-12 form.
pub fn new_guid() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_guid(&b)
}

/// A deterministic GUID derived from `seed` (SHA-256, version bits set to 5-like).
pub fn guid_from(seed: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d.as_ref()[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_guid(&b)
}

fn format_guid(b: &[u8; 16]) -> String {
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// True when `s` is a GUID (8-4-4-4-12 hex digits, any case, optional braces not accepted).
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    parts.len() == 5
        && parts
            .iter()
            .zip(lens.iter())
            .all(|(p, l)| p.len() == *l && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Real wall-clock milliseconds since the Unix epoch.
pub fn system_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Splits epoch milliseconds into (year, month, day, hour, minute, second, millis).
pub fn split_ms(ms: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (y, m, d) = civil_from_days(days);
    (y, m, d, sod / 3600, (sod / 60) % 60, sod % 60, milli)
}

/// ISO 8601 as ARM writes it: `2024-05-01T10:00:00.1230000Z`.
pub fn iso8601(ms: i64) -> String {
    let (y, mo, d, h, mi, s, milli) = split_ms(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}0000Z")
}

/// Entra's timestamp form: `2024-05-01 10:00:00Z`.
pub fn entra_timestamp(ms: i64) -> String {
    let (y, mo, d, h, mi, s, _) = split_ms(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}Z")
}

/// ARM's US-style UTC time used in ExpiredAuthenticationToken messages: `5/1/2024 10:00:00 AM`.
pub fn us_time(ms: i64) -> String {
    let (y, mo, d, h, mi, s, _) = split_ms(ms);
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{mo}/{d}/{y} {h12}:{mi:02}:{s:02} {ampm}")
}

/// RFC 1123 date (`Last-Modified`): `Wed, 01 May 2024 10:00:00 GMT`.
pub fn rfc1123(ms: i64) -> String {
    let (y, mo, d, h, mi, s, _) = split_ms(ms);
    let days = ms.div_euclid(1000).div_euclid(86_400);
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(mo.saturating_sub(1) as usize).min(11)];
    format!("{wd}, {d:02} {mon} {y:04} {h:02}:{mi:02}:{s:02} GMT")
}

/// Compact routing-id time: `20240501T100000Z`.
pub fn compact_time(ms: i64) -> String {
    let (y, mo, d, h, mi, s, _) = split_ms(ms);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// Case-insensitive glob: `*` matches any run (including `/`), `?` one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Percent-decodes (lossy UTF-8).
pub fn pct_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Decodes an `application/x-www-form-urlencoded` string or URL query (`+` is a space).
pub fn parse_form(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                pct_decode(&k.replace('+', " ")),
                pct_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}

const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query component.
pub fn pct_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// Percent-encodes a path keeping `/`.
pub fn pct_encode_path(s: &str) -> String {
    s.split('/').map(pct_encode).collect::<Vec<_>>().join("/")
}

/// Derives an HTTP-style weak etag.
pub fn new_etag() -> String {
    format!("W/\"{}\"", new_guid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids() {
        assert!(is_guid(&new_guid()));
        assert!(is_guid(&guid_from("x")));
        assert_eq!(guid_from("x"), guid_from("x"));
        assert!(!is_guid("not-a-guid"));
        assert!(is_guid("8E3AF657-A8FF-443C-A75C-2FE8C4BCB635"));
    }

    #[test]
    fn times() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.0000000Z");
        assert_eq!(iso8601(1_714_557_600_123), "2024-05-01T10:00:00.1230000Z");
        assert_eq!(entra_timestamp(1_714_557_600_000), "2024-05-01 10:00:00Z");
        assert_eq!(us_time(1_714_557_600_000), "5/1/2024 10:00:00 AM");
        assert_eq!(rfc1123(1_714_557_600_000), "Wed, 01 May 2024 10:00:00 GMT");
        assert_eq!(compact_time(1_714_557_600_000), "20240501T100000Z");
    }

    #[test]
    fn globs() {
        assert!(glob_match(
            "PUT /subscriptions/*/subnets/*",
            "put /subscriptions/a/b/subnets/x"
        ));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "ABC"));
        assert!(!glob_match("a*d", "abc"));
        assert!(glob_match(
            "*/virtualNetworks/*",
            "/s/virtualnetworks/v1/subnets/s"
        ));
    }

    #[test]
    fn forms() {
        let f = parse_form("a=1&scope=https%3A%2F%2Fx%2F.default&b=c+d&e");
        assert_eq!(f[1].1, "https://x/.default");
        assert_eq!(f[2].1, "c d");
        assert_eq!(f[3], ("e".to_string(), String::new()));
        assert_eq!(pct_encode("a b/c"), "a%20b%2Fc");
    }
}
