//! Small shared helpers: GUIDs, timestamps in the wire formats Azure uses, glob matching,
//! query/percent encoding. Thin wrappers over `uuid`, `time`, `wildmatch`,
//! `percent-encoding` and `form_urlencoded`; by hand only the formats no crate names (ARM's
//! 7-digit fraction, Entra's and ARM's error-message times) and the deterministic GUID.
//!
//! Owns pure helpers only; must not touch emulator state or do I/O. A leaf: imports nothing
//! of the crate.

use std::time::{SystemTime, UNIX_EPOCH};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;
use uuid::Uuid;

/// A random version-4 GUID in lowercase 8-4-4-4-12 form.
pub fn new_guid() -> String {
    Uuid::new_v4().to_string()
}

/// A deterministic GUID derived from `seed`: the first 16 bytes of its SHA-256 with the
/// version-5 and RFC 4122 variant bits set.
pub fn guid_from(seed: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d.as_ref()[..16]);
    uuid::Builder::from_sha1_bytes(b).into_uuid().to_string()
}

/// True when `s` is a GUID (8-4-4-4-12 hex digits, any case; braces, URNs and the
/// 32-digit form are not accepted).
pub fn is_guid(s: &str) -> bool {
    s.len() == 36 && Uuid::try_parse(s).is_ok()
}

/// Real wall-clock milliseconds since the Unix epoch.
pub fn system_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Formats epoch milliseconds (UTC); outside the years 1-9999 the epoch stands in.
fn format_ms(ms: i64, format: &[BorrowedFormatItem<'_>]) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(format)
        .unwrap_or_default()
}

/// ISO 8601 as ARM writes it: `2024-05-01T10:00:00.1230000Z`.
pub fn iso8601(ms: i64) -> String {
    format_ms(
        ms,
        format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]0000Z"
        ),
    )
}

/// Entra's timestamp form: `2024-05-01 10:00:00Z`.
pub fn entra_timestamp(ms: i64) -> String {
    format_ms(
        ms,
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z"),
    )
}

/// ARM's US-style UTC time used in ExpiredAuthenticationToken messages: `5/1/2024 10:00:00 AM`.
pub fn us_time(ms: i64) -> String {
    format_ms(
        ms,
        format_description!("[month padding:none]/[day padding:none]/[year] [hour repr:12 padding:none]:[minute]:[second] [period]"),
    )
}

/// RFC 1123 date (`Last-Modified`): `Wed, 01 May 2024 10:00:00 GMT`.
pub fn rfc1123(ms: i64) -> String {
    format_ms(
        ms,
        format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        ),
    )
}

/// Compact routing-id time: `20240501T100000Z`.
pub fn compact_time(ms: i64) -> String {
    format_ms(
        ms,
        format_description!("[year][month][day]T[hour][minute][second]Z"),
    )
}

/// Case-insensitive glob: `*` matches any run (including `/`), `?` one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    wildmatch::WildMatch::new(&pattern.to_lowercase()).matches(&text.to_lowercase())
}

/// Percent-decodes (lossy UTF-8).
pub fn pct_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Decodes an `application/x-www-form-urlencoded` string or URL query (`+` is a space).
pub fn parse_form(q: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
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
        let g = new_guid();
        assert!(is_guid(&g));
        assert_eq!(g, g.to_lowercase());
        assert_eq!(&g[14..15], "4", "version 4: {g}");
        assert!(is_guid(&guid_from("x")));
        assert_eq!(guid_from("x"), guid_from("x"));
        assert!(!is_guid("not-a-guid"));
        assert!(is_guid("8E3AF657-A8FF-443C-A75C-2FE8C4BCB635"));
        assert!(!is_guid("{8e3af657-a8ff-443c-a75c-2fe8c4bcb635}"));
        assert!(!is_guid("8e3af657a8ff443ca75c2fe8c4bcb635"));
        assert!(!is_guid("8e3af657-a8ff-443c-a75c-2fe8c4bcb63g"));
    }

    #[test]
    fn derived_guids_are_stable() {
        // Values of the hand-written implementation these replace (persisted and seeded IDs
        // depend on them).
        assert_eq!(guid_from("x"), "2d711642-b726-5044-8162-7ca9fbac32f5");
        assert_eq!(guid_from("oid:t:c"), "1ecf8c71-71f0-560f-8f5b-741dc352021d");
        assert_eq!(
            guid_from("principal|/subscriptions/a|0"),
            "784f0d63-4cf3-5403-a564-abba185d5423"
        );
        assert_eq!(guid_from(""), "e3b0c442-98fc-5c14-9afb-f4c8996fb924");
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
    fn times_match_the_hand_written_formats() {
        // (ms, iso8601, entra, us, rfc1123, compact) from the implementation these replace.
        let cases = [
            (
                0,
                "1970-01-01T00:00:00.0000000Z",
                "1970-01-01 00:00:00Z",
                "1/1/1970 12:00:00 AM",
                "Thu, 01 Jan 1970 00:00:00 GMT",
                "19700101T000000Z",
            ),
            (
                951_782_400_000,
                "2000-02-29T00:00:00.0000000Z",
                "2000-02-29 00:00:00Z",
                "2/29/2000 12:00:00 AM",
                "Tue, 29 Feb 2000 00:00:00 GMT",
                "20000229T000000Z",
            ),
            (
                1_709_210_096_999,
                "2024-02-29T12:34:56.9990000Z",
                "2024-02-29 12:34:56Z",
                "2/29/2024 12:34:56 PM",
                "Thu, 29 Feb 2024 12:34:56 GMT",
                "20240229T123456Z",
            ),
            (
                1_704_114_000_000,
                "2024-01-01T13:00:00.0000000Z",
                "2024-01-01 13:00:00Z",
                "1/1/2024 1:00:00 PM",
                "Mon, 01 Jan 2024 13:00:00 GMT",
                "20240101T130000Z",
            ),
            (
                4_102_444_799_999,
                "2099-12-31T23:59:59.9990000Z",
                "2099-12-31 23:59:59Z",
                "12/31/2099 11:59:59 PM",
                "Thu, 31 Dec 2099 23:59:59 GMT",
                "20991231T235959Z",
            ),
        ];
        for (ms, iso, entra, us, http, compact) in cases {
            assert_eq!(iso8601(ms), iso);
            assert_eq!(entra_timestamp(ms), entra);
            assert_eq!(us_time(ms), us);
            assert_eq!(rfc1123(ms), http);
            assert_eq!(compact_time(ms), compact);
        }
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
        let f = parse_form("a=1&scope=https%3A%2F%2Fx%2F.default&b=c+d&e&&k%2Bx=v%2B1=2");
        assert_eq!(f[1].1, "https://x/.default");
        assert_eq!(f[2].1, "c d");
        assert_eq!(f[3], ("e".to_string(), String::new()));
        assert_eq!(f[4], ("k+x".to_string(), "v+1=2".to_string()));
        assert_eq!(f.len(), 5);
        assert_eq!(pct_encode("a b/c"), "a%20b%2Fc");
    }
}
