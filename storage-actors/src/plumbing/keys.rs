//! HAMT keys as builtin-actors encodes them, so our maps hash to the network's roots: unsigned
//! integers (deal, sector, actor, allocation and claim IDs) as unsigned LEB128 varints, signed
//! ones (epochs, multisig transaction IDs) as zigzag varints, addresses as their bytes.

use fvm_ipld_hamt::BytesKey;
use fvm_shared::address::Address;

/// An unsigned integer key: LEB128, seven bits per byte, low group first.
pub fn u64_key(mut n: u64) -> BytesKey {
    let mut out = Vec::with_capacity(10);
    loop {
        let group = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(group);
            return BytesKey(out);
        }
        out.push(group | 0x80);
    }
}

/// A signed integer key: zigzag (0, −1, 1, −2, … → 0, 1, 2, 3, …), then LEB128.
pub fn i64_key(n: i64) -> BytesKey {
    u64_key(((n << 1) ^ (n >> 63)) as u64)
}

/// Decodes a [`u64_key`]; `None` for bytes that are not one canonical varint.
pub fn parse_u64_key(bytes: &[u8]) -> Option<u64> {
    let mut n: u64 = 0;
    for (i, byte) in bytes.iter().enumerate() {
        let shift = 7 * i as u32;
        if shift >= 64 {
            return None;
        }
        n |= u64::from(byte & 0x7f).checked_shl(shift)?;
        let last = byte & 0x80 == 0;
        if last != (i + 1 == bytes.len()) {
            return None;
        }
    }
    (!bytes.is_empty()).then_some(n)
}

/// Decodes an [`i64_key`].
pub fn parse_i64_key(bytes: &[u8]) -> Option<i64> {
    parse_u64_key(bytes).map(|z| ((z >> 1) as i64) ^ -((z & 1) as i64))
}

/// An address key: the address's bytes.
pub fn address_key(address: &Address) -> BytesKey {
    BytesKey(address.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_builtin_actors() {
        // Power's epoch_key_test: 101 → ca 01, −1 → 01.
        assert_eq!(i64_key(101).0, vec![0xca, 0x01]);
        assert_eq!(i64_key(-1).0, vec![0x01]);
        assert_eq!(u64_key(0).0, vec![0x00]);
        assert_eq!(u64_key(300).0, vec![0xac, 0x02]);
        assert_eq!(u64_key(u64::MAX).0.len(), 10);
    }

    #[test]
    fn keys_round_trip() {
        for n in [0, 1, 127, 128, 300, u64::MAX] {
            assert_eq!(parse_u64_key(&u64_key(n).0), Some(n));
        }
        for n in [0, -1, 1, -64, 101, i64::MIN, i64::MAX] {
            assert_eq!(parse_i64_key(&i64_key(n).0), Some(n));
        }
        assert_eq!(parse_u64_key(&[]), None);
        assert_eq!(parse_u64_key(&[0x80]), None);
    }
}
