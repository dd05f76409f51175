//! Ethereum (0x) addresses and their mapping to Filecoin addresses.
//!
//! The FEVM maps a 20-byte Ethereum address to a Filecoin address in exactly two ways
//! (builtin-actors `actors/evm/shared/src/address.rs`; FEVM.md §3.5):
//!
//! * a masked ID (`0xff ‖ 11 zero bytes ‖ id`) is the ID address `f0<id>`;
//! * anything else, including the null address and precompile addresses, is the delegated
//!   address `f410f…` whose subaddress is the 20 bytes (namespace 10 = the EAM's actor ID).
//!
//! The reverse direction is partial: f1/f2/f3, f4 in another namespace, and f410 with a
//! subaddress that is not 20 bytes or is itself a masked ID have no 0x form
//! ([`AddressError::NoEthForm`]).

use alloy_primitives::Address as EthAddress;
use fvm_shared::address::{Address as FilAddress, MAX_SUBADDRESS_LEN, Payload};

use crate::{
    error::{AddressError, NoEthFormReason, Result},
    masked_id::{masked_id, masked_id_address},
};

/// Actor ID of the Ethereum Address Manager (`f010`), the singleton that assigns f410 addresses.
pub const EAM_ACTOR_ID: u64 = 10;

/// The f4 namespace holding Ethereum addresses. FIP-0048 makes an address manager's namespace
/// equal to its actor ID, hence `f410…`.
pub const EAM_NAMESPACE: u64 = EAM_ACTOR_ID;

/// Length of an Ethereum address.
pub const ETH_ADDRESS_LEN: usize = 20;

// An Ethereum address always fits in an f4 subaddress; `eth_to_filecoin` relies on it.
const _: () = assert!(ETH_ADDRESS_LEN <= MAX_SUBADDRESS_LEN);

/// Parses a `0x`-prefixed, 40-hex-digit Ethereum address.
///
/// All-lowercase and all-uppercase hex are accepted as-is (they carry no checksum); mixed case is
/// accepted only when it is the address's EIP-55 checksum, so a typo in a checksummed address is
/// caught instead of silently naming another account.
pub fn parse_eth_address(text: &str) -> Result<EthAddress> {
    let hex = text.strip_prefix("0x").ok_or(AddressError::MissingHexPrefix)?;
    if hex.len() != 2 * ETH_ADDRESS_LEN {
        return Err(AddressError::InvalidHexLength(hex.len()));
    }
    let mut bytes = [0u8; ETH_ADDRESS_LEN];
    for (i, (byte, pair)) in bytes.iter_mut().zip(hex.as_bytes().chunks_exact(2)).enumerate() {
        let (hi, lo) = match pair {
            [hi, lo] => (*hi, *lo),
            _ => return Err(AddressError::InvalidHexLength(hex.len())),
        };
        let hi = nibble(hi).ok_or(AddressError::InvalidHexCharacter(2 + 2 * i))?;
        let lo = nibble(lo).ok_or(AddressError::InvalidHexCharacter(3 + 2 * i))?;
        *byte = (hi << 4) | lo;
    }
    let address = EthAddress::new(bytes);
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper && address.to_checksum(None).strip_prefix("0x") != Some(hex) {
        return Err(AddressError::InvalidEip55Checksum);
    }
    Ok(address)
}

/// The EIP-55 checksummed text of `address` (no chain ID, i.e. not EIP-1191).
pub fn to_checksummed(address: &EthAddress) -> String {
    address.to_checksum(None)
}

/// An Ethereum address from raw bytes, which must be exactly 20 long (e.g. an f410 subaddress or
/// a precompile argument).
pub fn eth_address_from_slice(bytes: &[u8]) -> Result<EthAddress> {
    EthAddress::try_from(bytes).map_err(|_| AddressError::InvalidEthByteLength(bytes.len()))
}

/// The Filecoin address the FEVM uses for `address`: `f0<id>` for a masked ID, otherwise
/// `f410f<address>`.
///
/// The `Result` exists only because `fvm_shared`'s delegated-address constructor is fallible; it
/// fails for subaddresses over 54 bytes, and a compile-time assertion above proves 20 ≤ 54, so
/// this function never returns `Err` in practice.
pub fn eth_to_filecoin(address: &EthAddress) -> Result<FilAddress> {
    match masked_id(address) {
        Some(id) => Ok(FilAddress::new_id(id)),
        None => FilAddress::new_delegated(EAM_NAMESPACE, address.as_slice())
            .map_err(AddressError::InvalidBytes),
    }
}

/// The 0x form of a Filecoin address, if it has one: `f0<id>` → masked ID, `f410f<x>` → `x`.
///
/// Every other address is refused with [`AddressError::NoEthForm`] and a reason, including f410
/// addresses whose subaddress is a masked ID: their 0x form would name `f0<id>`, a different
/// actor, so the conversion would not round-trip (Lotus and Forest refuse these as well).
pub fn filecoin_to_eth(address: &FilAddress) -> Result<EthAddress> {
    eth_form(address).map_err(AddressError::NoEthForm)
}

/// [`filecoin_to_eth`] with the bare reason as its error, for callers that report "no 0x form"
/// as information rather than failure (see [`crate::forms`]).
pub(crate) fn eth_form(address: &FilAddress) -> std::result::Result<EthAddress, NoEthFormReason> {
    match address.payload() {
        Payload::ID(id) => Ok(masked_id_address(*id)),
        Payload::Delegated(delegated) if delegated.namespace() == EAM_NAMESPACE => {
            let sub = delegated.subaddress();
            let eth = EthAddress::try_from(sub)
                .map_err(|_| NoEthFormReason::SubaddressLength(sub.len()))?;
            match masked_id(&eth) {
                Some(id) => Err(NoEthFormReason::EmbeddedMaskedId(id)),
                None => Ok(eth),
            }
        }
        Payload::Delegated(delegated) => {
            Err(NoEthFormReason::ForeignNamespace(delegated.namespace()))
        }
        Payload::Secp256k1(_) => Err(NoEthFormReason::NonEvmProtocol(1)),
        Payload::Actor(_) => Err(NoEthFormReason::NonEvmProtocol(2)),
        Payload::BLS(_) => Err(NoEthFormReason::NonEvmProtocol(3)),
    }
}

/// Value of one ASCII hex digit, either case.
const fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EIP-55's own examples (the specification's test cases).
    const EIP55_EXAMPLES: &[&str] = &[
        // All caps
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        // All lower
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        // Normal
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ];

    #[test]
    fn eip55_examples_print_and_parse() {
        for text in EIP55_EXAMPLES {
            let address = parse_eth_address(text).unwrap();
            assert_eq!(to_checksummed(&address), *text);
            let hex = &text[2..];
            // Uniform case carries no checksum and is always accepted.
            assert_eq!(parse_eth_address(&format!("0x{}", hex.to_lowercase())), Ok(address));
            assert_eq!(parse_eth_address(&format!("0x{}", hex.to_uppercase())), Ok(address));
        }
    }

    #[test]
    fn mixed_case_with_a_wrong_checksum_is_rejected() {
        // Flip the case of one letter of a checksummed example.
        let bad = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
        assert_eq!(parse_eth_address(bad), Err(AddressError::InvalidEip55Checksum));
        let bad = "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
        assert_eq!(parse_eth_address(bad), Err(AddressError::InvalidEip55Checksum));
    }

    #[test]
    fn malformed_hex_strings() {
        let hex = "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
        assert_eq!(parse_eth_address(hex), Err(AddressError::MissingHexPrefix));
        assert_eq!(parse_eth_address(&format!("0X{hex}")), Err(AddressError::MissingHexPrefix));
        assert_eq!(parse_eth_address(""), Err(AddressError::MissingHexPrefix));
        assert_eq!(parse_eth_address("0x"), Err(AddressError::InvalidHexLength(0)));
        assert_eq!(
            parse_eth_address(&format!("0x{hex}0")),
            Err(AddressError::InvalidHexLength(41))
        );
        assert_eq!(
            parse_eth_address(&format!("0x{}", &hex[1..])),
            Err(AddressError::InvalidHexLength(39))
        );
        let bad = format!("0x{}g", &hex[..39]);
        assert_eq!(parse_eth_address(&bad), Err(AddressError::InvalidHexCharacter(41)));
        let bad = format!("0x {}", &hex[1..]);
        assert_eq!(parse_eth_address(&bad), Err(AddressError::InvalidHexCharacter(2)));
        // 38 ASCII digits + one two-byte character: 40 bytes, not hex.
        let bad = format!("0x{}é", &hex[..38]);
        assert_eq!(parse_eth_address(&bad), Err(AddressError::InvalidHexCharacter(40)));
    }

    #[test]
    fn slice_conversion_checks_length() {
        assert_eq!(eth_address_from_slice(&[7; 20]), Ok(EthAddress::new([7; 20])));
        assert_eq!(eth_address_from_slice(&[7; 19]), Err(AddressError::InvalidEthByteLength(19)));
        assert_eq!(eth_address_from_slice(&[]), Err(AddressError::InvalidEthByteLength(0)));
    }

    #[test]
    fn no_eth_form_reasons() {
        let secp = FilAddress::new_secp256k1(&[4; 65]).unwrap();
        let actor = FilAddress::new_actor(b"x");
        let bls = FilAddress::new_bls(&[1; 48]).unwrap();
        for (address, protocol) in [(secp, 1), (actor, 2), (bls, 3)] {
            assert_eq!(
                filecoin_to_eth(&address),
                Err(AddressError::NoEthForm(NoEthFormReason::NonEvmProtocol(protocol)))
            );
        }
        let foreign = FilAddress::new_delegated(11, &[1; 20]).unwrap();
        assert_eq!(
            filecoin_to_eth(&foreign),
            Err(AddressError::NoEthForm(NoEthFormReason::ForeignNamespace(11)))
        );
        for len in [0, 19, 21, 54] {
            let short = FilAddress::new_delegated(EAM_NAMESPACE, &vec![1; len]).unwrap();
            assert_eq!(
                filecoin_to_eth(&short),
                Err(AddressError::NoEthForm(NoEthFormReason::SubaddressLength(len)))
            );
        }
        let embedded =
            FilAddress::new_delegated(EAM_NAMESPACE, masked_id_address(7).as_slice()).unwrap();
        assert_eq!(
            filecoin_to_eth(&embedded),
            Err(AddressError::NoEthForm(NoEthFormReason::EmbeddedMaskedId(7)))
        );
    }

    #[test]
    fn null_and_precompile_addresses_map_to_f410() {
        for eth in [EthAddress::ZERO, crate::reserved::P256VERIFY_ADDRESS] {
            let fil = eth_to_filecoin(&eth).unwrap();
            assert_eq!(fil, FilAddress::new_delegated(EAM_NAMESPACE, eth.as_slice()).unwrap());
            assert_eq!(filecoin_to_eth(&fil), Ok(eth));
        }
    }
}
