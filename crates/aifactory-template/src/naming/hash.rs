//! Hash primitives for deterministic names and GUIDs, written out so the crate needs no
//! extra dependency: SHA-1 (FIPS 180-4 §6.1, only for RFC 4122 name-based UUIDs, never
//! for security), SHA-256 (FIPS 180-4 §6.2), RFC 4648 base32, RFC 4122 version-5 UUIDs,
//! and ARM's `uniqueString()` (the 64-bit Murmur variant of Azure Resource Manager).
//! All of it is pure and platform independent (explicit byte-order arithmetic).

use std::fmt;

const SHA256_K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// Pads a message the way SHA-1 and SHA-256 both do: 0x80, zeros, then the bit length
/// as a 64-bit big-endian number, to a multiple of 64 bytes.
fn pad(data: &[u8]) -> Vec<u8> {
    let bit_len = (data.len() as u64).wrapping_mul(8);
    let mut m = Vec::with_capacity(data.len() + 72);
    m.extend_from_slice(data);
    m.push(0x80);
    while m.len() % 64 != 56 {
        m.push(0);
    }
    m.extend_from_slice(&bit_len.to_be_bytes());
    m
}

fn words<const N: usize>(block: &[u8]) -> [u32; N] {
    let mut w = [0u32; N];
    for (i, chunk) in block.chunks_exact(4).take(16).enumerate() {
        w[i] = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    w
}

/// SHA-256 digest.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    for block in pad(data).chunks_exact(64) {
        let mut w = words::<64>(block);
        for t in 16..64 {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16]
                .wrapping_add(s0)
                .wrapping_add(w[t - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for t in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(SHA256_K[t])
                .wrapping_add(w[t]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
}

/// SHA-1 digest. Only for RFC 4122 version-5 UUIDs, which are defined over SHA-1; not
/// for anything that needs collision resistance against an adversary.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    for block in pad(data).chunks_exact(64) {
        let mut w = words::<80>(block);
        for t in 16..80 {
            w[t] = (w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (t, wt) in w.iter().enumerate() {
            let (f, k) = match t {
                0..=19 => ((b & c) | (!b & d), 0x5A827999),
                20..=39 => (b ^ c ^ d, 0x6ED9EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let tmp = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wt);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = tmp;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
}

/// RFC 4648 §6 base32 with the alphabet lowercased (`a-z2-7`), without padding.
pub fn base32_lower(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &byte in data {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
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
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(data.len() * 2);
    for b in data {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// A 128-bit GUID (RFC 4122 UUID), displayed lowercase with hyphens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// The RFC 4122 appendix C URL namespace, `6ba7b811-9dad-11d1-80b4-00c04fd430c8`.
    pub const NAMESPACE_URL: Guid = Guid([
        0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30,
        0xc8,
    ]);
    /// The RFC 4122 appendix C DNS namespace, `6ba7b810-9dad-11d1-80b4-00c04fd430c8`.
    pub const NAMESPACE_DNS: Guid = Guid([
        0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30,
        0xc8,
    ]);

    /// RFC 4122 §4.3 name-based UUID, version 5: SHA-1 over namespace bytes then name,
    /// first 16 bytes, version nibble 5, variant bits 10.
    pub fn v5(namespace: &Guid, name: &[u8]) -> Guid {
        let mut data = Vec::with_capacity(16 + name.len());
        data.extend_from_slice(&namespace.0);
        data.extend_from_slice(name);
        let digest = sha1(&data);
        let mut b = [0u8; 16];
        b.copy_from_slice(&digest[..16]);
        b[6] = (b[6] & 0x0f) | 0x50;
        b[8] = (b[8] & 0x3f) | 0x80;
        Guid(b)
    }

    /// Parses the 8-4-4-4-12 hexadecimal form (either case). `None` otherwise.
    pub fn parse(text: &str) -> Option<Guid> {
        let bytes = text.as_bytes();
        if bytes.len() != 36 {
            return None;
        }
        let mut out = [0u8; 16];
        let mut n = 0usize;
        let mut i = 0usize;
        while i < 36 {
            if matches!(i, 8 | 13 | 18 | 23) {
                if bytes[i] != b'-' {
                    return None;
                }
                i += 1;
                continue;
            }
            let hi = hex_value(bytes[i])?;
            let lo = hex_value(*bytes.get(i + 1)?)?;
            if matches!(i + 1, 8 | 13 | 18 | 23) {
                return None;
            }
            *out.get_mut(n)? = (hi << 4) | lo;
            n += 1;
            i += 2;
        }
        (n == 16).then_some(Guid(out))
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = hex_lower(&self.0);
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
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
