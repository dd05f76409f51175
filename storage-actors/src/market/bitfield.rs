//! The network's `BitField`: a set of integers carried as RLE+ bytes (the crate
//! `fvm_ipld_bitfield` is not in our lock file, so the market carries its own codec).
//!
//! RLE+ is a bit stream, least significant bit of each byte first: a two-bit version (`00`),
//! the value of the first run, then alternating run lengths, each either `1` (a run of one),
//! `01` + four bits (2–15) or `00` + a LEB128 varint (≥ 16). The encoding is unique: the last
//! run is a run of ones, no length is written longer than needed and the last byte is not zero,
//! and the decoder refuses anything else, as ref-fvm's does.

use std::ops::Range;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Largest encoding accepted (ref-fvm's limit: 32 KiB).
const MAX_ENCODED_SIZE: usize = 32 << 10;

/// A set of `u64`s, kept as sorted, disjoint, non-adjacent ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BitField {
    ranges: Vec<Range<u64>>,
}

impl BitField {
    /// The set holding `bits` (any order, duplicates allowed).
    pub fn from_bits(bits: impl IntoIterator<Item = u64>) -> Self {
        let mut sorted: Vec<u64> = bits.into_iter().collect();
        sorted.sort_unstable();
        sorted.dedup();
        let mut ranges: Vec<Range<u64>> = Vec::new();
        for bit in sorted {
            match ranges.last_mut() {
                Some(last) if last.end == bit => last.end = bit.saturating_add(1),
                _ => ranges.push(bit..bit.saturating_add(1)),
            }
        }
        Self { ranges }
    }

    /// The set's runs of consecutive members.
    pub fn ranges(&self) -> &[Range<u64>] {
        &self.ranges
    }

    /// The members, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.ranges.iter().flat_map(Clone::clone)
    }

    /// Number of members.
    pub fn len(&self) -> u64 {
        self.ranges.iter().map(|r| r.end - r.start).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The RLE+ bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let Some(first) = self.ranges.first() else { return Vec::new() };
        let mut w = BitWriter::default();
        w.put(0, 2);
        if first.start == 0 {
            w.put(1, 1);
        } else {
            w.put(0, 1);
            w.put_len(first.start);
        }
        w.put_len(first.end - first.start);
        let mut at = first.end;
        for r in &self.ranges[1..] {
            w.put_len(r.start - at);
            w.put_len(r.end - r.start);
            at = r.end;
        }
        w.finish()
    }

    /// Decodes RLE+ bytes, refusing non-minimal or malformed encodings.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        if bytes.is_empty() {
            return Ok(Self::default());
        }
        if bytes.last() == Some(&0) {
            return Err("RLE+ encoding has trailing zero bytes".into());
        }
        let mut r = BitReader { bytes, pos: 0 };
        if r.take(2) != 0 {
            return Err("unsupported RLE+ version".into());
        }
        let mut ones = r.take(1) == 1;
        let mut at: u64 = 0;
        let mut ranges = Vec::new();
        while r.has_more() {
            let len = r.take_len()?;
            let end = at.checked_add(len).ok_or("RLE+ runs overflow u64")?;
            if ones {
                ranges.push(at..end);
            }
            at = end;
            ones = !ones;
        }
        if ones {
            // The last run read was zeros (or there was none): not minimal.
            return Err("RLE+ encoding ends with a run of zeros".into());
        }
        Ok(Self { ranges })
    }
}

impl Serialize for BitField {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes = self.to_bytes();
        if bytes.len() > MAX_ENCODED_SIZE {
            return Err(serde::ser::Error::custom("bitfield too large to encode"));
        }
        s.serialize_bytes(&bytes)
    }
}

impl<'de> Deserialize<'de> for BitField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct BytesVisitor;
        impl Visitor<'_> for BytesVisitor {
            type Value = BitField;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("RLE+ bytes")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<BitField, E> {
                if v.len() > MAX_ENCODED_SIZE {
                    return Err(E::custom("bitfield encoding too large"));
                }
                BitField::from_bytes(v).map_err(E::custom)
            }
        }
        d.deserialize_bytes(BytesVisitor)
    }
}

#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    bits: usize,
}

impl BitWriter {
    /// Appends the low `n` bits of `value`, least significant first.
    fn put(&mut self, value: u64, n: u32) {
        for i in 0..n {
            if self.bits.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if (value >> i) & 1 == 1
                && let Some(byte) = self.bytes.last_mut()
            {
                *byte |= 1 << (self.bits % 8);
            }
            self.bits += 1;
        }
    }

    fn put_len(&mut self, len: u64) {
        match len {
            1 => self.put(1, 1),
            2..16 => {
                self.put(0b10, 2);
                self.put(len, 4);
            }
            _ => {
                self.put(0, 2);
                let mut n = len;
                loop {
                    let group = n & 0x7f;
                    n >>= 7;
                    if n == 0 {
                        self.put(group, 8);
                        break;
                    }
                    self.put(group | 0x80, 8);
                }
            }
        }
    }

    fn finish(mut self) -> Vec<u8> {
        while self.bytes.last() == Some(&0) {
            self.bytes.pop();
        }
        self.bytes
    }
}

struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl BitReader<'_> {
    /// Reads `n` ≤ 8 bits (zeros past the end).
    fn take(&mut self, n: u32) -> u64 {
        let mut v = 0;
        for i in 0..n {
            let byte = self.bytes.get(self.pos / 8).copied().unwrap_or(0);
            v |= u64::from((byte >> (self.pos % 8)) & 1) << i;
            self.pos += 1;
        }
        v
    }

    /// Whether any set bit remains (the padding after the last run is zeros).
    fn has_more(&self) -> bool {
        let byte_index = self.pos / 8;
        let Some(&byte) = self.bytes.get(byte_index) else { return false };
        (byte >> (self.pos % 8)) != 0 || byte_index + 1 < self.bytes.len()
    }

    fn take_len(&mut self) -> Result<u64, String> {
        if self.take(1) == 1 {
            return Ok(1);
        }
        if self.take(1) == 1 {
            let len = self.take(4);
            if len < 2 {
                return Err("RLE+ short run not minimal".into());
            }
            return Ok(len);
        }
        let mut len: u64 = 0;
        for i in 0..10 {
            let byte = self.take(8);
            len |= (byte & 0x7f).checked_shl(7 * i).ok_or("RLE+ varint overflow")?;
            if byte & 0x80 == 0 {
                if (i == 9 && byte > 1) || (byte == 0 && i != 0) {
                    return Err("RLE+ varint not minimal or overflowing".into());
                }
                if len < 16 {
                    return Err("RLE+ long run not minimal".into());
                }
                return Ok(len);
            }
        }
        Err("RLE+ varint too long".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(stream: &[u8]) -> Vec<u8> {
        let mut w = BitWriter::default();
        for &b in stream {
            w.put(u64::from(b), 1);
        }
        w.finish()
    }

    #[test]
    fn decodes_ref_fvm_vectors() {
        // version 00, first bit 1, short run of 8.
        let eight = bits(&[0, 0, 1, 0, 1, 0, 0, 0, 1]);
        assert_eq!(BitField::from_bytes(&eight).unwrap(), BitField::from_bits(0..8));
        // 1111 0 111: runs 4 ones, 1 zero, 3 ones.
        let gappy = bits(&[0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0]);
        let expected = BitField::from_bits([0, 1, 2, 3, 5, 6, 7]);
        assert_eq!(BitField::from_bytes(&gappy).unwrap(), expected);
        // A long run of 25 ones.
        let long = bits(&[0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0]);
        assert_eq!(BitField::from_bytes(&long).unwrap(), BitField::from_bits(0..25));
        // The same sets encode back to those bytes.
        assert_eq!(BitField::from_bits(0..8).to_bytes(), eight);
        assert_eq!(expected.to_bytes(), gappy);
        assert_eq!(BitField::from_bits(0..25).to_bytes(), long);
    }

    #[test]
    fn small_sets_have_fixed_bytes_and_round_trip() {
        assert_eq!(BitField::from_bits([0]).to_bytes(), vec![0x0c]);
        assert_eq!(BitField::from_bits([1]).to_bytes(), vec![0x18]);
        assert!(BitField::default().to_bytes().is_empty());
        for set in [vec![0, 2, 4], vec![3, 100, 101, 102, 5000], (0..40).collect(), vec![1 << 40]] {
            let bf = BitField::from_bits(set.clone());
            let back = BitField::from_bytes(&bf.to_bytes()).unwrap();
            assert_eq!(back.iter().collect::<Vec<_>>(), set);
            let cbor = fvm_ipld_encoding::to_vec(&bf).unwrap();
            assert_eq!(fvm_ipld_encoding::from_slice::<BitField>(&cbor).unwrap(), bf);
        }
    }

    #[test]
    fn refuses_non_minimal_encodings() {
        assert!(BitField::from_bytes(&[0x0c, 0x00]).is_err()); // trailing zero byte
        assert!(BitField::from_bytes(&[0x0d]).is_err()); // version 01
        assert!(BitField::from_bytes(&[0x04]).is_err()); // header only: no runs
        // A short run of 1 written as 01 0001.
        assert!(BitField::from_bytes(&bits(&[0, 0, 1, 0, 1, 1, 0, 0, 0])).is_err());
    }
}
