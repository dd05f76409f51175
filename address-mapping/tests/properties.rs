//! Property tests: round trips through every representation, and "never panics, and whatever is
//! accepted is canonical" over arbitrary strings and bytes.

use address_mapping::{
    AddressError, EthAddress, FilAddress, Network, P256VERIFY_ADDRESS, address_forms,
    address_from_bytes, can_assign_address, eth_address_from_slice, eth_to_filecoin,
    filecoin_to_eth, format_address, is_masked_id, is_reserved_precompile, masked_id,
    masked_id_address, parse_address, parse_address_on, parse_eth_address, to_checksummed,
};
use fvm_shared::address::{MAX_SUBADDRESS_LEN, Payload};
use proptest::{collection::vec, prelude::*};

fn network() -> impl Strategy<Value = Network> {
    prop_oneof![Just(Network::Mainnet), Just(Network::Testnet)]
}

fn other(network: Network) -> Network {
    match network {
        Network::Mainnet => Network::Testnet,
        Network::Testnet => Network::Mainnet,
    }
}

/// A Filecoin address of any protocol, built from raw payloads (not via key hashing) so every
/// payload byte pattern is reachable. Delegated namespaces favour the EAM's 10.
fn fil_address() -> impl Strategy<Value = FilAddress> {
    let hashed = |protocol: u8| {
        any::<[u8; 20]>().prop_map(move |payload| {
            let mut bytes = vec![protocol];
            bytes.extend(payload);
            address_from_bytes(&bytes).unwrap()
        })
    };
    prop_oneof![
        any::<u64>().prop_map(FilAddress::new_id),
        hashed(1),
        hashed(2),
        vec(any::<u8>(), 48).prop_map(|key| FilAddress::new_bls(&key).unwrap()),
        (prop_oneof![Just(10u64), any::<u64>()], vec(any::<u8>(), 0..=MAX_SUBADDRESS_LEN))
            .prop_map(|(ns, sub)| FilAddress::new_delegated(ns, &sub).unwrap()),
    ]
}

fn eth_address() -> impl Strategy<Value = EthAddress> {
    prop_oneof![
        4 => any::<[u8; 20]>().prop_map(EthAddress::new),
        // Shapes the rules single out: masked IDs and both precompile ranges.
        1 => any::<u64>().prop_map(masked_id_address),
        1 => (prop_oneof![Just(0x00u8), Just(0xfe)], any::<u8>(), any::<u8>()).prop_map(
            |(prefix, hi, lo)| {
                let mut bytes = [0u8; 20];
                bytes[0] = prefix;
                bytes[18] = hi;
                bytes[19] = lo;
                EthAddress::new(bytes)
            }
        ),
    ]
}

/// Strings that get past the first checks of each parser, plus arbitrary Unicode.
fn address_like_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,130}",
        "[ft][0-4][a-z2-7]{0,100}",
        "[ft]0[0-9]{0,25}",
        "[ft]4[0-9]{0,22}f[a-z2-7]{0,100}",
        "0x[0-9a-fA-F]{0,44}",
        "[0-9a-fA-FxX]{38,44}",
    ]
}

proptest! {
    #[test]
    fn filecoin_text_round_trips(address in fil_address(), network in network()) {
        let text = format_address(&address, network);
        prop_assert!(text.starts_with(network.prefix()));
        prop_assert_eq!(parse_address(&text), Ok((address, network)));
        prop_assert_eq!(parse_address_on(&text, network), Ok(address));
        prop_assert_eq!(
            parse_address_on(&text, other(network)),
            Err(AddressError::WrongNetwork { expected: other(network), found: network })
        );
        prop_assert_eq!(address_from_bytes(&address.to_bytes()), Ok(address));
    }

    #[test]
    fn eth_round_trips_through_filecoin(eth in eth_address(), network in network()) {
        let fil = eth_to_filecoin(&eth).unwrap();
        match masked_id(&eth) {
            Some(id) => prop_assert_eq!(fil, FilAddress::new_id(id)),
            None => match fil.payload() {
                Payload::Delegated(d) => {
                    prop_assert_eq!(d.namespace(), 10);
                    prop_assert_eq!(d.subaddress(), eth.as_slice());
                }
                other => prop_assert!(false, "unexpected payload {:?}", other),
            },
        }
        prop_assert_eq!(filecoin_to_eth(&fil), Ok(eth));
        let (parsed, _) = parse_address(&format_address(&fil, network)).unwrap();
        prop_assert_eq!(filecoin_to_eth(&parsed), Ok(eth));

        let checksummed = to_checksummed(&eth);
        prop_assert_eq!(parse_eth_address(&checksummed), Ok(eth));
        prop_assert_eq!(parse_eth_address(&checksummed.to_lowercase()), Ok(eth));
        prop_assert_eq!(parse_eth_address(&format!("0x{}", checksummed[2..].to_uppercase())), Ok(eth));
    }

    #[test]
    fn ids_round_trip_through_masked_ids(id in any::<u64>(), network in network()) {
        let eth = masked_id_address(id);
        prop_assert!(is_masked_id(&eth));
        prop_assert_eq!(masked_id(&eth), Some(id));
        let fil = eth_to_filecoin(&eth).unwrap();
        prop_assert_eq!(fil, FilAddress::new_id(id));
        prop_assert_eq!(format_address(&fil, network), format!("{}0{id}", network.prefix()));
        prop_assert_eq!(filecoin_to_eth(&fil), Ok(eth));
        prop_assert!(!can_assign_address(&eth));
    }

    /// Flipping the case of one letter of a checksummed address breaks EIP-55 unless the result
    /// is uniformly cased (and therefore carries no checksum at all).
    #[test]
    fn eip55_detects_any_single_case_flip(eth in eth_address(), pick in any::<prop::sample::Index>()) {
        let text = to_checksummed(&eth);
        let letters: Vec<usize> =
            text.char_indices().skip(2).filter(|(_, c)| c.is_ascii_alphabetic()).map(|(i, _)| i).collect();
        prop_assume!(!letters.is_empty());
        let at = letters[pick.index(letters.len())];
        let mut bytes = text.into_bytes();
        bytes[at] ^= 0x20;
        let flipped = String::from_utf8(bytes).unwrap();
        let hex = &flipped[2..];
        let mixed = hex.bytes().any(|b| b.is_ascii_lowercase()) && hex.bytes().any(|b| b.is_ascii_uppercase());
        let expected = if mixed { Err(AddressError::InvalidEip55Checksum) } else { Ok(eth) };
        prop_assert_eq!(parse_eth_address(&flipped), expected);
    }

    /// Any one-character substitution in a valid address is either rejected or is itself the
    /// canonical text of a *different* address (a checksum collision, probability ~2^-32).
    #[test]
    fn single_character_edits_are_caught(
        address in fil_address(),
        network in network(),
        pick in any::<prop::sample::Index>(),
        replacement in "[a-z0-9]",
    ) {
        let text = format_address(&address, network);
        let at = pick.index(text.len());
        prop_assume!(text[at..].chars().next().map(String::from) != Some(replacement.clone()));
        let mutated = format!("{}{}{}", &text[..at], replacement, &text[at + 1..]);
        if let Ok((other, net)) = parse_address(&mutated) {
            prop_assert_eq!(format_address(&other, net), mutated);
            prop_assert!(other != address || net != network);
        }
    }

    /// The parsers never panic, and accept only canonical text: anything that parses prints back
    /// to exactly the input.
    #[test]
    fn parsing_arbitrary_strings_never_panics(text in address_like_string()) {
        if let Ok((address, network)) = parse_address(&text) {
            prop_assert_eq!(format_address(&address, network), text.clone());
        }
        for network in Network::ALL {
            let _ = parse_address_on(&text, network);
        }
        if let Ok(eth) = parse_eth_address(&text) {
            prop_assert_eq!(to_checksummed(&eth).to_lowercase(), text.to_lowercase());
        }
        if let Ok(forms) = address_forms(&text) {
            prop_assert!(forms.mainnet == text || forms.testnet == text || text.starts_with("0x"));
        }
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in vec(any::<u8>(), 0..80)) {
        if let Ok(address) = address_from_bytes(&bytes) {
            // Binary forms are canonical too (minimal LEB128, exact lengths).
            prop_assert_eq!(address.to_bytes(), bytes.clone());
            let _ = filecoin_to_eth(&address);
            let text = format_address(&address, Network::Testnet);
            prop_assert_eq!(parse_address(&text), Ok((address, Network::Testnet)));
        }
        match eth_address_from_slice(&bytes) {
            Ok(eth) => prop_assert_eq!(eth.as_slice(), &bytes[..]),
            Err(e) => prop_assert_eq!(e, AddressError::InvalidEthByteLength(bytes.len())),
        }
    }

    /// The EAM never assigns an address the interpreter would treat as a precompile or a masked
    /// ID, except P256VERIFY (documented gap, FEVM.md §8 item 6).
    #[test]
    fn assignable_addresses_are_not_reserved(eth in eth_address()) {
        if can_assign_address(&eth) {
            prop_assert!(!is_masked_id(&eth));
            prop_assert!(!eth.is_zero());
            prop_assert!(!is_reserved_precompile(&eth) || eth == P256VERIFY_ADDRESS);
        }
    }
}
