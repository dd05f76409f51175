//! Text codec for Filecoin addresses (`f0…`/`t0…` through `f4…`/`t4…`).
//!
//! The text form is `<network><protocol><body>`:
//!
//! | protocol | body |
//! |---|---|
//! | 0 ID | decimal actor ID, no leading zeros |
//! | 1 secp256k1, 2 actor | base32(20-byte payload ‖ checksum) |
//! | 3 BLS | base32(48-byte public key ‖ checksum) |
//! | 4 delegated | decimal namespace, `f`, base32(subaddress ‖ checksum) |
//!
//! where `checksum` is blake2b with a 4-byte digest over the binary address (protocol byte ‖
//! payload, the payload of f4 being LEB128(namespace) ‖ subaddress) and base32 is lowercase RFC 4648
//! without padding.
//!
//! We do not use `fvm_shared`'s `Display`/`FromStr` because they read and record a process-global
//! network; here the network is always an explicit argument. Parsing is strict so that every
//! address has exactly one accepted spelling per network: [`parse_address`] accepts a string only
//! if [`format_address`] would print that very string.

use std::fmt;

use fvm_shared::address::{Address, MAX_SUBADDRESS_LEN, Payload};

use crate::{
    base32::{self, Base32Error},
    error::{AddressError, Result},
    network::Network,
};

/// Length of the blake2b checksum appended to base32 payloads.
pub const CHECKSUM_LEN: usize = 4;

/// Payload length of secp256k1 (f1) and actor (f2) addresses: a 20-byte blake2b hash.
pub const HASH_PAYLOAD_LEN: usize = 20;

/// Payload length of BLS (f3) addresses: a 48-byte compressed public key.
pub const BLS_PAYLOAD_LEN: usize = 48;

/// Longest decimal text of a `u64` (`18446744073709551615`).
const MAX_DECIMAL_LEN: usize = 20;

/// Longest valid address text: `f4` + 20-digit namespace + `f` + base32 of 54 + 4 bytes (93
/// characters). Longer input is rejected before any decoding work is done.
pub const MAX_ADDRESS_TEXT_LEN: usize = 2 + MAX_DECIMAL_LEN + 1 + 93;

/// Formats `address` for `network`, e.g. `f01234` or `t410f…`.
///
/// ```
/// use address_mapping::{FilAddress, Network, format_address};
/// assert_eq!(format_address(&FilAddress::new_id(1234), Network::Testnet), "t01234");
/// ```
pub fn format_address(address: &Address, network: Network) -> String {
    display_address(address, network).to_string()
}

/// A [`fmt::Display`] adapter that prints an address for an explicit network, so addresses can be
/// written into log lines and `format!` without an intermediate `String`.
pub fn display_address(address: &Address, network: Network) -> DisplayAddress<'_> {
    DisplayAddress { address, network }
}

/// Prints a Filecoin address with the network prefix it carries; see [`display_address`].
#[derive(Debug, Clone, Copy)]
pub struct DisplayAddress<'a> {
    address: &'a Address,
    network: Network,
}

impl fmt::Display for DisplayAddress<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = self.network.prefix();
        match self.address.payload() {
            Payload::ID(id) => write!(f, "{prefix}0{id}"),
            Payload::Secp256k1(hash) => write_checked(f, prefix, 1, hash, self.address),
            Payload::Actor(hash) => write_checked(f, prefix, 2, hash, self.address),
            Payload::BLS(key) => write_checked(f, prefix, 3, key, self.address),
            Payload::Delegated(delegated) => {
                write!(f, "{prefix}4{}f", delegated.namespace())?;
                f.write_str(&base32::encode(&with_checksum(delegated.subaddress(), self.address)))
            }
        }
    }
}

/// Writes `<prefix><protocol>base32(payload ‖ checksum)`.
fn write_checked(
    f: &mut fmt::Formatter<'_>,
    prefix: char,
    protocol: u8,
    payload: &[u8],
    address: &Address,
) -> fmt::Result {
    write!(f, "{prefix}{protocol}")?;
    f.write_str(&base32::encode(&with_checksum(payload, address)))
}

/// `text_payload ‖ checksum(address bytes)`.
fn with_checksum(text_payload: &[u8], address: &Address) -> Vec<u8> {
    let mut buf = Vec::with_capacity(text_payload.len() + CHECKSUM_LEN);
    buf.extend_from_slice(text_payload);
    buf.extend_from_slice(&checksum(&address.to_bytes()));
    buf
}

/// blake2b with a 4-byte digest, as used by every checksummed address protocol.
fn checksum(address_bytes: &[u8]) -> [u8; CHECKSUM_LEN] {
    let hash = blake2b_simd::Params::new().hash_length(CHECKSUM_LEN).hash(address_bytes);
    let mut out = [0u8; CHECKSUM_LEN];
    for (dst, src) in out.iter_mut().zip(hash.as_bytes()) {
        *dst = *src;
    }
    out
}

/// Parses an address string with either network prefix and reports which one it carried.
///
/// Validates the protocol, the payload length, canonical base32, the checksum, and canonical
/// decimals (no leading zeros, no sign, fits in `u64`). Never panics, whatever the input.
pub fn parse_address(text: &str) -> Result<(Address, Network)> {
    if text.is_empty() {
        return Err(AddressError::Empty);
    }
    if text.len() > MAX_ADDRESS_TEXT_LEN {
        return Err(AddressError::InvalidLength(text.len()));
    }
    let mut chars = text.chars();
    let network = match chars.next() {
        Some(c) => Network::from_prefix(c).ok_or(AddressError::UnknownNetwork(c))?,
        None => return Err(AddressError::Empty),
    };
    let protocol = match chars.next() {
        Some(c @ '0'..='4') => c as u8 - b'0',
        Some(c) => return Err(AddressError::UnknownProtocol(c)),
        None => return Err(AddressError::InvalidLength(text.len())),
    };
    // Both leading characters are ASCII, so offset 2 is a character boundary.
    let body = text.get(2..).ok_or(AddressError::InvalidLength(text.len()))?;
    if body.is_empty() {
        return Err(AddressError::InvalidLength(text.len()));
    }
    let address = match protocol {
        0 => Address::new_id(parse_decimal(body)?),
        1 | 2 => parse_hashed(protocol, body, HASH_PAYLOAD_LEN)?,
        3 => parse_hashed(protocol, body, BLS_PAYLOAD_LEN)?,
        _ => parse_delegated(body)?,
    };
    Ok((address, network))
}

/// Parses an address string that must carry `network`'s prefix; the other prefix is an error
/// ([`AddressError::WrongNetwork`]), for callers that must not accept mainnet addresses on a
/// testnet or vice versa.
pub fn parse_address_on(text: &str, network: Network) -> Result<Address> {
    let (address, found) = parse_address(text)?;
    if found != network {
        return Err(AddressError::WrongNetwork { expected: network, found });
    }
    Ok(address)
}

/// Decodes the binary form of an address (`protocol byte ‖ payload`, as stored in state and
/// messages), mapping `fvm_shared`'s error into [`AddressError`].
pub fn address_from_bytes(bytes: &[u8]) -> Result<Address> {
    Address::from_bytes(bytes).map_err(AddressError::InvalidBytes)
}

/// f1/f2/f3 body: base32(payload ‖ checksum) with a fixed payload length.
fn parse_hashed(protocol: u8, body: &str, payload_len: usize) -> Result<Address> {
    // The body starts after the two-character `<network><protocol>` header.
    let data = decode_base32(body, 2)?;
    let (payload, sum) =
        data.split_last_chunk::<CHECKSUM_LEN>().ok_or(AddressError::MissingChecksum)?;
    if payload.len() != payload_len {
        return Err(AddressError::InvalidPayloadLength { protocol, len: payload.len() });
    }
    let mut bytes = Vec::with_capacity(1 + payload.len());
    bytes.push(protocol);
    bytes.extend_from_slice(payload);
    if checksum(&bytes) != *sum {
        return Err(AddressError::InvalidChecksum);
    }
    address_from_bytes(&bytes)
}

/// f4 body: `<namespace>f<base32(subaddress ‖ checksum)>`.
fn parse_delegated(body: &str) -> Result<Address> {
    // The namespace is decimal, so the first `f` is necessarily the separator.
    let (namespace, encoded) =
        body.split_once('f').ok_or(AddressError::MissingNamespaceSeparator)?;
    let namespace = parse_decimal(namespace)?;
    let data = decode_base32(encoded, text_offset(body, encoded))?;
    let (subaddress, sum) =
        data.split_last_chunk::<CHECKSUM_LEN>().ok_or(AddressError::MissingChecksum)?;
    if subaddress.len() > MAX_SUBADDRESS_LEN {
        return Err(AddressError::SubaddressTooLong(subaddress.len()));
    }
    let address =
        Address::new_delegated(namespace, subaddress).map_err(AddressError::InvalidBytes)?;
    if checksum(&address.to_bytes()) != *sum {
        return Err(AddressError::InvalidChecksum);
    }
    Ok(address)
}

/// Byte offset of the f4 base32 part within the whole input (`f4` + namespace + `f`).
fn text_offset(body: &str, encoded: &str) -> usize {
    2 + body.len() - encoded.len()
}

/// Decodes a base32 body, translating error offsets to offsets within the whole input.
fn decode_base32(encoded: &str, offset: usize) -> Result<Vec<u8>> {
    base32::decode(encoded.as_bytes()).map_err(|e| match e {
        Base32Error::InvalidCharacter(at) => AddressError::InvalidBase32Character(offset + at),
        Base32Error::NonCanonical => AddressError::NonCanonicalBase32,
    })
}

/// Parses a canonical unsigned decimal: ASCII digits only, no sign, no leading zeros except for
/// `"0"` itself, at most `u64::MAX`.
///
/// Leading zeros are refused because they would give one ID several spellings (`f001` = `f01`),
/// defeating string comparison of addresses.
fn parse_decimal(text: &str) -> Result<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return Err(AddressError::InvalidDecimal(text.to_owned()));
    }
    if text.len() > MAX_DECIMAL_LEN {
        return Err(AddressError::DecimalOverflow(text.to_owned()));
    }
    text.parse::<u64>().map_err(|_| AddressError::DecimalOverflow(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_rules() {
        assert_eq!(parse_decimal("0"), Ok(0));
        assert_eq!(parse_decimal("10"), Ok(10));
        assert_eq!(parse_decimal("18446744073709551615"), Ok(u64::MAX));
        for bad in ["", "00", "01", "+1", "-1", " 1", "1 ", "1_0", "١"] {
            assert_eq!(parse_decimal(bad), Err(AddressError::InvalidDecimal(bad.into())), "{bad}");
        }
        for big in ["18446744073709551616", "99999999999999999999", "100000000000000000000"] {
            assert_eq!(parse_decimal(big), Err(AddressError::DecimalOverflow(big.into())), "{big}");
        }
    }

    #[test]
    fn network_is_explicit_not_global() {
        let a = Address::new_id(42);
        assert_eq!(format_address(&a, Network::Mainnet), "f042");
        assert_eq!(format_address(&a, Network::Testnet), "t042");
        // fvm_shared's own Display follows a process global we never set; our output must not.
        assert_eq!(display_address(&a, Network::Testnet).to_string(), "t042");
    }

    #[test]
    fn parse_address_on_rejects_the_other_prefix() {
        assert_eq!(parse_address_on("t042", Network::Testnet), Ok(Address::new_id(42)));
        assert_eq!(
            parse_address_on("f042", Network::Testnet),
            Err(AddressError::WrongNetwork { expected: Network::Testnet, found: Network::Mainnet })
        );
        assert_eq!(
            parse_address_on("t042", Network::Mainnet),
            Err(AddressError::WrongNetwork { expected: Network::Mainnet, found: Network::Testnet })
        );
    }

    #[test]
    fn structural_errors() {
        assert_eq!(parse_address(""), Err(AddressError::Empty));
        assert_eq!(parse_address("f"), Err(AddressError::InvalidLength(1)));
        assert_eq!(parse_address("f0"), Err(AddressError::InvalidLength(2)));
        assert_eq!(parse_address("F01"), Err(AddressError::UnknownNetwork('F')));
        assert_eq!(parse_address("f51"), Err(AddressError::UnknownProtocol('5')));
        assert_eq!(parse_address("fö"), Err(AddressError::UnknownProtocol('ö')));
        assert_eq!(parse_address("f4"), Err(AddressError::InvalidLength(2)));
        assert_eq!(parse_address("f410"), Err(AddressError::MissingNamespaceSeparator));
        assert_eq!(parse_address("f410f"), Err(AddressError::MissingChecksum));
        let long = format!("f0{}", "1".repeat(MAX_ADDRESS_TEXT_LEN));
        assert_eq!(parse_address(&long), Err(AddressError::InvalidLength(long.len())));
    }

    #[test]
    fn subaddress_limit_is_enforced_on_text() {
        let max = Address::new_delegated(7, &[0xab; MAX_SUBADDRESS_LEN]).unwrap();
        let text = format_address(&max, Network::Mainnet);
        assert!(text.len() <= MAX_ADDRESS_TEXT_LEN);
        assert_eq!(parse_address(&text), Ok((max, Network::Mainnet)));
        // 55 bytes of subaddress + 4 checksum bytes: well-formed base32, too long a subaddress.
        let too_long = format!("f47f{}", base32::encode(&[0xab; MAX_SUBADDRESS_LEN + 1 + 4]));
        assert_eq!(
            parse_address(&too_long),
            Err(AddressError::SubaddressTooLong(MAX_SUBADDRESS_LEN + 1))
        );
    }

    #[test]
    fn error_offsets_point_into_the_input() {
        assert_eq!(parse_address("f1a1"), Err(AddressError::InvalidBase32Character(3)));
        assert_eq!(parse_address("f410fa1"), Err(AddressError::InvalidBase32Character(6)));
    }
}
