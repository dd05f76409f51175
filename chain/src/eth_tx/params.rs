//! The params of an Ethereum-originated message: the calldata or initcode as one CBOR byte
//! string, or nothing when the input is empty.

use super::TxError;

/// CBOR major type 2 (byte string), in the top three bits of the initial byte.
const MAJOR_BYTES: u8 = 2 << 5;

/// Wraps `input` as a canonical (shortest-length) CBOR byte string; empty input gives empty
/// params.
pub(super) fn encode_params(input: &[u8]) -> Vec<u8> {
    if input.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(input.len() + 9);
    let len = input.len() as u64;
    match len {
        0..=23 => out.push(MAJOR_BYTES | len as u8),
        24..=0xff => out.extend_from_slice(&[MAJOR_BYTES | 24, len as u8]),
        0x100..=0xffff => {
            out.push(MAJOR_BYTES | 25);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(MAJOR_BYTES | 26);
            out.extend_from_slice(&(len as u32).to_be_bytes());
        }
        _ => {
            out.push(MAJOR_BYTES | 27);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    out.extend_from_slice(input);
    out
}

/// The input carried by `params`: empty for empty params, otherwise the content of a single,
/// canonically encoded, non-empty CBOR byte string that spans all of `params`.
pub(super) fn decode_params(params: &[u8]) -> Result<&[u8], TxError> {
    let Some((&initial, rest)) = params.split_first() else {
        return Ok(&[]);
    };
    if initial & 0xe0 != MAJOR_BYTES {
        return Err(TxError::InvalidParams("not a CBOR byte string"));
    }
    let (len, body) = match initial & 0x1f {
        short @ 0..=23 => (u64::from(short), rest),
        24 => read_len::<1>(rest, 24)?,
        25 => read_len::<2>(rest, 0x100)?,
        26 => read_len::<4>(rest, 0x1_0000)?,
        27 => read_len::<8>(rest, 0x1_0000_0000)?,
        _ => return Err(TxError::InvalidParams("indefinite or reserved CBOR length")),
    };
    if len == 0 {
        return Err(TxError::InvalidParams("empty byte string (empty input must be empty params)"));
    }
    match u64::try_from(body.len()) {
        Ok(actual) if actual == len => Ok(body),
        Ok(actual) if actual > len => {
            Err(TxError::InvalidParams("trailing bytes after the byte string"))
        }
        _ => Err(TxError::InvalidParams("truncated byte string")),
    }
}

/// Reads an `N`-byte big-endian length that must be at least `min` (shortest form).
fn read_len<const N: usize>(bytes: &[u8], min: u64) -> Result<(u64, &[u8]), TxError> {
    let (len_bytes, body) =
        bytes.split_first_chunk::<N>().ok_or(TxError::InvalidParams("truncated CBOR length"))?;
    let len = len_bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if len < min {
        return Err(TxError::InvalidParams("non-canonical CBOR length"));
    }
    Ok((len, body))
}
