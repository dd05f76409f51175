//! RFC 4648 base32, lowercase alphabet, no padding: the encoding of Filecoin address payloads.
//!
//! Written here rather than pulled in so that decoding is exactly as strict as the address format
//! needs: lowercase only, no padding, and only canonical strings (no impossible lengths, no stray
//! trailing bits). That strictness is what makes the text form of an address unique.

/// Why a base32 string was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base32Error {
    /// The byte at this offset is not in `a`..=`z` or `2`..=`7`.
    InvalidCharacter(usize),
    /// The string is not the canonical encoding of any byte string.
    NonCanonical,
}

/// Encodes `data` as lowercase base32 without padding.
pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5).saturating_mul(8));
    // `acc` holds fewer than 5 pending bits between iterations, so it never exceeds 13 bits.
    let mut acc: u16 = 0;
    let mut bits: u32 = 0;
    for &byte in data {
        acc = (acc << 8) | u16::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(symbol((acc >> bits) as u8));
            acc &= (1 << bits) - 1;
        }
    }
    if bits > 0 {
        out.push(symbol((acc << (5 - bits)) as u8));
    }
    out
}

/// Decodes lowercase, unpadded base32, rejecting anything that [`encode`] would not produce.
pub(crate) fn decode(text: &[u8]) -> Result<Vec<u8>, Base32Error> {
    let mut out = Vec::with_capacity(text.len() / 8 * 5 + 5);
    let mut acc: u16 = 0;
    let mut bits: u32 = 0;
    for (offset, &c) in text.iter().enumerate() {
        let value = value(c).ok_or(Base32Error::InvalidCharacter(offset))?;
        acc = (acc << 5) | u16::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Five or more leftover bits mean a whole character encoded nothing (lengths 1, 3, 6 mod 8);
    // non-zero leftover bits mean a second spelling of the same bytes. Both are non-canonical.
    if bits >= 5 || acc != 0 {
        return Err(Base32Error::NonCanonical);
    }
    Ok(out)
}

/// The character for a 5-bit value (higher bits are ignored).
fn symbol(v: u8) -> char {
    let v = v & 0x1f;
    char::from(if v < 26 { b'a' + v } else { b'2' + (v - 26) })
}

/// The 5-bit value of a lowercase base32 character.
fn value(c: u8) -> Option<u8> {
    match c {
        b'a'..=b'z' => Some(c - b'a'),
        b'2'..=b'7' => Some(c - b'2' + 26),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10 test vectors, lowercased and without padding.
    const RFC4648: &[(&str, &str)] = &[
        ("", ""),
        ("f", "my"),
        ("fo", "mzxq"),
        ("foo", "mzxw6"),
        ("foob", "mzxw6yq"),
        ("fooba", "mzxw6ytb"),
        ("foobar", "mzxw6ytboi"),
    ];

    #[test]
    fn rfc4648_vectors() {
        for (plain, encoded) in RFC4648 {
            assert_eq!(encode(plain.as_bytes()), *encoded);
            assert_eq!(decode(encoded.as_bytes()).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn rejects_upper_case_padding_and_foreign_symbols() {
        assert_eq!(decode(b"MZXQ"), Err(Base32Error::InvalidCharacter(0)));
        assert_eq!(decode(b"my======"), Err(Base32Error::InvalidCharacter(2)));
        assert_eq!(decode(b"mz1q"), Err(Base32Error::InvalidCharacter(2)));
        assert_eq!(decode(b"mz8q"), Err(Base32Error::InvalidCharacter(2)));
        assert_eq!(decode("mö".as_bytes()), Err(Base32Error::InvalidCharacter(1)));
    }

    #[test]
    fn rejects_impossible_lengths() {
        // 1, 3 and 6 characters (mod 8) cannot be produced by any input length.
        for text in ["a", "aaa", "aaaaaa", "aaaaaaaaa"] {
            assert_eq!(decode(text.as_bytes()), Err(Base32Error::NonCanonical), "{text}");
        }
    }

    #[test]
    fn rejects_non_zero_trailing_bits() {
        // "my" is 'f' (0x66) with two zero pad bits; "mz" sets one of them.
        assert_eq!(decode(b"mz"), Err(Base32Error::NonCanonical));
        assert_eq!(decode(b"mzxr"), Err(Base32Error::NonCanonical));
    }

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        for len in 0..all.len() {
            let data = &all[..len];
            assert_eq!(decode(encode(data).as_bytes()).unwrap(), data);
        }
    }
}
