//! Hashes and GUIDs for deterministic names: SHA-256 and SHA-1 (`ring`), lower-case
//! base32 and hex (`data-encoding`), RFC 4122 version-5 UUIDs (`uuid`), and, by hand
//! because no crate offers it, ARM's `uniqueString()` (the 64-bit Murmur variant of Azure
//! Resource Manager). Pure and platform independent; knows nothing of Terraform or I/O.

use std::fmt;

use ring::digest;
use uuid::Uuid;

fn digest_bytes<const N: usize>(algorithm: &'static digest::Algorithm, data: &[u8]) -> [u8; N] {
    let d = digest::digest(algorithm, data);
    let mut out = [0u8; N];
    // `N` is the algorithm's output length at both call sites; a mismatch would leave zeros,
    // which the FIPS vector tests would catch.
    for (o, b) in out.iter_mut().zip(d.as_ref()) {
        *o = *b;
    }
    out
}

/// SHA-256 digest.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    digest_bytes(&digest::SHA256, data)
}

/// SHA-1 digest. Not for anything that needs collision resistance against an adversary
/// (RFC 4122 version-5 UUIDs are defined over SHA-1; [`Guid::v5`] gets it from `uuid`).
pub fn sha1(data: &[u8]) -> [u8; 20] {
    digest_bytes(&digest::SHA1_FOR_LEGACY_USE_ONLY, data)
}

/// RFC 4648 §6 base32 with the alphabet lowercased (`a-z2-7`), without padding.
pub fn base32_lower(data: &[u8]) -> String {
    let mut s = data_encoding::BASE32_NOPAD.encode(data);
    s.make_ascii_lowercase();
    s
}

/// The 64-bit Murmur variant behind ARM's `uniqueString()` (ARM's own code calls it
/// `ComputeHash.MurmurHash64`, in Microsoft.WindowsAzure.ResourceStack): two 32-bit lanes
/// mixed like MurmurHash3 x86, seed 0, 8 bytes (two little-endian words) per round, the
/// lanes cross-added, each finalised with MurmurHash3's `fmix32`, and combined as
/// `high << 32 | low`.
pub fn arm_murmur64(data: &[u8]) -> u64 {
    const M1: u32 = 0x239b_961b;
    const M2: u32 = 0xab0e_9789;
    // Lane mixes: `a` takes the first word of a round, `b` the second.
    let mix_a = |w: u32| w.wrapping_mul(M1).rotate_left(15).wrapping_mul(M2);
    let mix_b = |w: u32| w.wrapping_mul(M2).rotate_left(17).wrapping_mul(M1);
    let le = |bytes: &[u8]| -> u32 {
        bytes
            .iter()
            .rev()
            .fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
    };
    let (mut a, mut b) = (0u32, 0u32);
    let mut rounds = data.chunks_exact(8);
    for round in &mut rounds {
        a = (a ^ mix_a(le(&round[..4])))
            .rotate_left(19)
            .wrapping_add(b)
            .wrapping_mul(5)
            .wrapping_add(0x561c_cd1b);
        b = (b ^ mix_b(le(&round[4..])))
            .rotate_left(13)
            .wrapping_add(a)
            .wrapping_mul(5)
            .wrapping_add(0x0bca_a747);
    }
    let tail = rounds.remainder();
    if !tail.is_empty() {
        let split = tail.len().min(4);
        a ^= mix_a(le(&tail[..split]));
        if tail.len() > 4 {
            b ^= mix_b(le(&tail[split..]));
        }
    }
    // The length is mixed in as a 32-bit value, like the reference.
    let len = data.len() as u32;
    a ^= len;
    b ^= len;
    a = a.wrapping_add(b);
    b = b.wrapping_add(a);
    a = fmix32(a);
    b = fmix32(b);
    a = a.wrapping_add(b);
    b = b.wrapping_add(a);
    (u64::from(b) << 32) | u64::from(a)
}

/// MurmurHash3's 32-bit finaliser.
fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// ARM's (and Bicep's) `uniqueString(values...)`: the values joined with `-`, UTF-8
/// encoded, hashed with [`arm_murmur64`], and written as 13 characters of the alphabet
/// `a-z2-7`, five bits each from the most significant end (the 13th character carries the
/// last four bits and a zero bit). Case-sensitive: ARM does not normalise the inputs.
///
/// Example: `unique_string(&["hello", "world"])` is `a7wkljktk6wne`.
pub fn unique_string(values: &[&str]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut h = arm_murmur64(values.join("-").as_bytes());
    let mut out = String::with_capacity(13);
    for _ in 0..13 {
        out.push(char::from(ALPHABET[(h >> 59) as usize]));
        h <<= 5;
    }
    out
}

/// Lowercase hexadecimal.
pub fn hex_lower(data: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(data)
}

/// A 128-bit GUID (RFC 4122 UUID), displayed lowercase with hyphens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// The RFC 4122 appendix C URL namespace, `6ba7b811-9dad-11d1-80b4-00c04fd430c8`.
    pub const NAMESPACE_URL: Guid = Guid(Uuid::NAMESPACE_URL.into_bytes());
    /// The RFC 4122 appendix C DNS namespace, `6ba7b810-9dad-11d1-80b4-00c04fd430c8`.
    pub const NAMESPACE_DNS: Guid = Guid(Uuid::NAMESPACE_DNS.into_bytes());

    /// RFC 4122 §4.3 name-based UUID, version 5: SHA-1 over namespace bytes then name,
    /// first 16 bytes, version nibble 5, variant bits 10.
    pub fn v5(namespace: &Guid, name: &[u8]) -> Guid {
        Guid(Uuid::new_v5(&Uuid::from_bytes(namespace.0), name).into_bytes())
    }

    /// Parses the 8-4-4-4-12 hexadecimal form (either case). `None` otherwise: the other
    /// forms `uuid` accepts (simple, braced, URN) are refused.
    pub fn parse(text: &str) -> Option<Guid> {
        if text.len() != 36 {
            return None;
        }
        Uuid::try_parse(text).ok().map(|u| Guid(u.into_bytes()))
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Uuid::from_bytes(self.0).hyphenated(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_fips_vectors() {
        assert_eq!(
            hex_lower(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex_lower(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex_lower(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        // 1,000,000 x 'a' crosses many blocks.
        let million = vec![b'a'; 1_000_000];
        assert_eq!(
            hex_lower(&sha256(&million)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn sha1_matches_fips_vectors() {
        assert_eq!(
            hex_lower(&sha1(b"")),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            hex_lower(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex_lower(&sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
    }

    #[test]
    fn padding_boundaries_do_not_break_hashes() {
        // 55, 56 and 64 bytes straddle the one-block/two-block padding boundary.
        for n in [55usize, 56, 63, 64, 65, 119, 120] {
            let data = vec![0x61u8; n];
            assert_eq!(sha256(&data), sha256(&data.clone()));
            assert_ne!(sha256(&data), sha256(&data[..n - 1]));
            assert_ne!(sha1(&data), sha1(&data[..n - 1]));
        }
    }

    #[test]
    fn base32_matches_rfc4648_vectors() {
        // RFC 4648 §10, lowercased and unpadded.
        assert_eq!(base32_lower(b""), "");
        assert_eq!(base32_lower(b"f"), "my");
        assert_eq!(base32_lower(b"fo"), "mzxq");
        assert_eq!(base32_lower(b"foo"), "mzxw6");
        assert_eq!(base32_lower(b"foob"), "mzxw6yq");
        assert_eq!(base32_lower(b"fooba"), "mzxw6ytb");
        assert_eq!(base32_lower(b"foobar"), "mzxw6ytboi");
    }

    #[test]
    fn uuid_v5_matches_rfc4122_examples() {
        // Python's documented example: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org').
        assert_eq!(
            Guid::v5(&Guid::NAMESPACE_DNS, b"python.org").to_string(),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d"
        );
        let g = Guid::v5(&Guid::NAMESPACE_URL, b"x");
        assert_eq!(g.0[6] >> 4, 5, "version nibble");
        assert_eq!(g.0[8] >> 6, 0b10, "RFC 4122 variant");
    }

    #[test]
    fn guid_parse_roundtrips_and_rejects_garbage() {
        let g = Guid::v5(&Guid::NAMESPACE_URL, b"roundtrip");
        assert_eq!(Guid::parse(&g.to_string()), Some(g));
        assert_eq!(
            Guid::parse("ACDD72A7-3385-48EF-BD42-F606FBA81AE7").map(|g| g.to_string()),
            Some("acdd72a7-3385-48ef-bd42-f606fba81ae7".to_string())
        );
        for bad in [
            "",
            "acdd72a7338548efbd42f606fba81ae7",
            "acdd72a7-3385-48ef-bd42-f606fba81ae",
            "acdd72a7-3385-48ef-bd42-f606fba81aeg",
            "acdd72a7x3385-48ef-bd42-f606fba81ae7",
            "acdd72a-73385-48ef-bd42-f606fba81ae7",
            "{cdd72a7-3385-48ef-bd42-f606fba81ae7",
            "ácdd72a7-3385-48ef-bd42-f606fba81ae",
        ] {
            assert_eq!(Guid::parse(bad), None, "{bad}");
        }
    }
}
