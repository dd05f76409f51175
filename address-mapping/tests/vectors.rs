//! Published address vectors, table-driven.
//!
//! Every expected string below comes from a published source named above its table, or is derived
//! from one by an operation the test itself asserts (e.g. swapping the network prefix, or mutating
//! a valid string). The test code is ours; only the data is borrowed.

use address_mapping::{
    AddressError, EthAddress, FilAddress, Network, NoEthFormReason, address_forms,
    address_from_bytes, eth_to_filecoin, filecoin_to_eth, format_address, parse_address,
    parse_eth_address, to_checksummed,
};
use alloy_primitives::hex;
use fvm_shared::address::{Error as FvmAddressError, MAX_SUBADDRESS_LEN, Protocol};

/// ref-fvm's (and go-address's) secp256k1, actor, BLS, ID and delegated tables.
#[path = "vectors/ref_fvm.rs"]
mod ref_fvm;

use ref_fvm::{ACTOR, BLS, DELEGATED, ID, SECP256K1};

/// Published malformed strings and the error each must produce.
#[path = "vectors/malformed.rs"]
mod malformed;

use malformed::published_malformed;

/// Asserts that `address` prints as `mainnet` (and, with the prefix swapped, as its testnet
/// form), that both strings parse back to it with the right network, and that its binary form
/// round-trips.
fn check_published(address: FilAddress, mainnet: &str) {
    let testnet = format!("t{}", &mainnet[1..]);
    assert_eq!(format_address(&address, Network::Mainnet), mainnet);
    assert_eq!(format_address(&address, Network::Testnet), testnet);
    assert_eq!(parse_address(mainnet), Ok((address, Network::Mainnet)), "{mainnet}");
    assert_eq!(parse_address(&testnet), Ok((address, Network::Testnet)), "{testnet}");
    assert_eq!(address_from_bytes(&address.to_bytes()), Ok(address));
}

// ---------------------------------------------------------------------------------------------
// One string per protocol (data in `vectors/ref_fvm.rs`).
// ---------------------------------------------------------------------------------------------

#[test]
fn secp256k1_vectors() {
    for (pubkey, expected) in SECP256K1 {
        let address = FilAddress::new_secp256k1(pubkey).unwrap();
        assert_eq!(address.protocol(), Protocol::Secp256k1);
        check_published(address, expected);
    }
}

#[test]
fn actor_vectors() {
    for (data, expected) in ACTOR {
        let address = FilAddress::new_actor(data);
        assert_eq!(address.protocol(), Protocol::Actor);
        check_published(address, expected);
    }
}

#[test]
fn bls_vectors() {
    for (key, expected) in BLS {
        let address = FilAddress::new_bls(key).unwrap();
        assert_eq!(address.protocol(), Protocol::BLS);
        check_published(address, expected);
    }
}

#[test]
fn id_vectors() {
    for (id, expected) in ID {
        check_published(FilAddress::new_id(*id), expected);
    }
}

#[test]
fn delegated_vectors() {
    for (namespace, subaddress, expected) in DELEGATED {
        let address = FilAddress::new_delegated(*namespace, subaddress).unwrap();
        check_published(address, expected);
    }
}

/// go-address `TestTrailingBits`: the good string decodes; flipping its last character only
/// changes bits that must be zero, so the result is a non-canonical spelling.
#[test]
fn trailing_bits_must_be_zero() {
    let good = "f1xpbyy4tkdx5si2bgo37dubc2xwv6fum5tk57mia";
    let bad = "f1xpbyy4tkdx5si2bgo37dubc2xwv6fum5tk57mid";
    let (address, _) = parse_address(good).unwrap();
    assert_eq!(format_address(&address, Network::Mainnet), good);
    assert_eq!(parse_address(bad), Err(AddressError::NonCanonicalBase32));
}

// ---------------------------------------------------------------------------------------------
// Text ⇄ binary. trustwallet/wallet-core tests/chains/Filecoin/AddressTests.cpp `validAddresses`
// (the ID and f1/f2/f3 rows match ref-fvm's `cbor_encoding` vectors).
// ---------------------------------------------------------------------------------------------

const BINARY: &[(&str, &str)] = &[
    ("f00", "0000"),
    ("f01", "0001"),
    ("f010", "000a"),
    ("f0150", "009601"),
    ("f0499", "00f303"),
    ("f01024", "008008"),
    ("f01729", "00c10d"),
    ("f0999999", "00bf843d"),
    ("f018446744073709551615", "00ffffffffffffffffff01"),
    ("f15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq", "01ea0f0ea039b291a0f08fd179e0556a8c3277c0d3"),
    ("f17uoq6tp427uzv7fztkbsnn64iwotfrristwpryy", "01fd1d0f4dfcd7e99afcb99a8326b7dc459d32c628"),
    ("f24vg6ut43yw2h2jqydgbg2xq7x6f4kub3bg6as6i", "02e54dea4f9bc5b47d261819826d5e1fbf8bc5503b"),
    ("f2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y", "02316b4c1ff5d4afb7826ceab5bb0f2c3e0f364053"),
    (
        "f3vvmn62lofvhjd2ugzca6sof2j2ubwok6cj4xxbfzz4yuxfkgobpihhd2thlanmsh3w2ptld2gqkn2jvlss4a",
        "03ad58df696e2d4e91ea86c881e938ba4ea81b395e12797b84b9cf314b9546705e839c7a99d606b247ddb4f9ac7a3414dd",
    ),
    ("f432f77777777x32lpna", "0420ffffffffff"),
    ("f418446744073709551615ftnkyfaq", "04ffffffffffffffffff01"),
    (
        "f410frw6wy7w6sbsguyn3yzeygg34fgf72n5ao5sxyky",
        "040a8dbd6c7ede90646a61bbc649831b7c298bfd37a0",
    ),
    (
        "f410f2oekwcmo2pueydmaq53eic2i62crtbeyuzx2gmy",
        "040ad388ab098ed3e84c0d808776440b48f685198498",
    ),
];

#[test]
fn text_binary_vectors() {
    for (text, binary) in BINARY {
        let bytes = hex::decode(binary).unwrap();
        let address = address_from_bytes(&bytes).unwrap();
        assert_eq!(parse_address(text), Ok((address, Network::Mainnet)), "{text}");
        assert_eq!(format_address(&address, Network::Mainnet), *text);
        assert_eq!(address.to_bytes(), bytes, "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// 0x ⇄ Filecoin.
// ---------------------------------------------------------------------------------------------

/// Filecoin address ⇄ 0x address, from:
/// - trustwallet/wallet-core `TWFilecoinAddressConverterTests.cpp` (f09876, f410frw6…, f410f2oe…);
/// - filecoin-project/lotus `cmd/lotus-shed` / Forest `resolve_target_address` tests (f01234);
/// - jimpick/filecoin-address-tool README (f410fzsus…, via @glif/filecoin-address);
/// - the Dart `filecoin` package README (f410f2tc7…);
/// - the zero address, used as a default f4 "invite code" in public dApp code and derivable from
///   the FIP-0048 text format (checked in the crate docs as well).
const ETH_MAPPING: &[(&str, &str)] = &[
    ("f09876", "0xff00000000000000000000000000000000002694"),
    ("f01234", "0xff000000000000000000000000000000000004d2"),
    ("f410frw6wy7w6sbsguyn3yzeygg34fgf72n5ao5sxyky", "0x8dbD6c7Ede90646a61Bbc649831b7c298BFd37A0"),
    ("f410f2oekwcmo2pueydmaq53eic2i62crtbeyuzx2gmy", "0xd388ab098ed3e84c0d808776440b48f685198498"),
    ("f410fzsusgohpsu24w5svz7bupq3n2ttpgzr7s5jap4i", "0xccA92338Ef9535cB7655CfC347c36dd4E6F3663f"),
    ("f410f2tc7wfsirksibajjmkm5ksymmsgjgm62hjnomwa", "0xd4c5fb16488aa48081296299d54b0c648c9333da"),
    ("f410faaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaonc6iji", "0x0000000000000000000000000000000000000000"),
];

#[test]
fn eth_mapping_vectors() {
    for (fil_text, eth_text) in ETH_MAPPING {
        let (fil, _) = parse_address(fil_text).unwrap();
        let eth = parse_eth_address(eth_text).unwrap();
        assert_eq!(filecoin_to_eth(&fil), Ok(eth), "{fil_text}");
        assert_eq!(eth_to_filecoin(&eth), Ok(fil), "{eth_text}");
        // Mixed-case sources print EIP-55; all of them agree ignoring case.
        let checksummed = to_checksummed(&eth);
        assert_eq!(checksummed.to_lowercase(), eth_text.to_lowercase());
        if eth_text.bytes().any(|b| b.is_ascii_uppercase()) {
            assert_eq!(checksummed, *eth_text);
        }
        // The every-form API agrees from both directions.
        for input in [*fil_text, *eth_text] {
            let forms = address_forms(input).unwrap();
            assert_eq!(forms.filecoin, fil);
            assert_eq!(forms.mainnet, *fil_text);
            assert_eq!(forms.testnet, format!("t{}", &fil_text[1..]));
            assert_eq!(forms.eth, Ok(eth));
            assert_eq!(forms.eth_checksummed.as_deref(), Some(checksummed.as_str()));
            assert_eq!(forms.id, fil.id().ok());
        }
    }
}

/// The glif tool README also prints the testnet form of its example.
#[test]
fn testnet_f410_vector() {
    let eth = parse_eth_address("0xccA92338Ef9535cB7655CfC347c36dd4E6F3663f").unwrap();
    let fil = eth_to_filecoin(&eth).unwrap();
    assert_eq!(
        format_address(&fil, Network::Testnet),
        "t410fzsusgohpsu24w5svz7bupq3n2ttpgzr7s5jap4i"
    );
}

/// Valid Filecoin addresses with no 0x form: trustwallet `ConvertToEth` rows that "expect an
/// empty result", and its `ConvertFromEth` masked-ID row read in reverse (that library writes the
/// masked ID 0xff…2694 as an f410 address; the FEVM writes it as f09876, so the f410 spelling has
/// no 0x form of its own).
const NO_ETH_FORM: &[(&str, NoEthFormReason)] = &[
    ("f15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq", NoEthFormReason::NonEvmProtocol(1)),
    ("f24vg6ut43yw2h2jqydgbg2xq7x6f4kub3bg6as6i", NoEthFormReason::NonEvmProtocol(2)),
    (
        "f3vvmn62lofvhjd2ugzca6sof2j2ubwok6cj4xxbfzz4yuxfkgobpihhd2thlanmsh3w2ptld2gqkn2jvlss4a",
        NoEthFormReason::NonEvmProtocol(3),
    ),
    ("f432f77777777x32lpna", NoEthFormReason::ForeignNamespace(32)),
    ("f418446744073709551615ftnkyfaq", NoEthFormReason::ForeignNamespace(u64::MAX)),
    ("f410f74aaaaaaaaaaaaaaaaaaaaaaaaaaajuu3nnltyi", NoEthFormReason::EmbeddedMaskedId(9876)),
];

#[test]
fn no_eth_form_vectors() {
    for (text, reason) in NO_ETH_FORM {
        let (fil, _) = parse_address(text).unwrap();
        assert_eq!(filecoin_to_eth(&fil), Err(AddressError::NoEthForm(*reason)), "{text}");
        let forms = address_forms(text).unwrap();
        assert_eq!(forms.eth, Err(*reason));
        assert_eq!(forms.eth_checksummed, None);
        assert_eq!(forms.mainnet, *text);
    }
}

/// trustwallet `ConvertFromEth` invalid rows.
#[test]
fn malformed_eth_vectors() {
    assert_eq!(
        parse_eth_address("0xd388ab098ed3e84c0d808776440b48f68519849"),
        Err(AddressError::InvalidHexLength(39))
    );
    assert_eq!(parse_eth_address("0x"), Err(AddressError::InvalidHexLength(0)));
}

// ---------------------------------------------------------------------------------------------
// Malformed strings.
// ---------------------------------------------------------------------------------------------

#[test]
fn published_malformed_strings_are_rejected() {
    for (input, expected) in published_malformed() {
        assert_eq!(parse_address(input), Err(expected), "{input:?}");
    }
}

/// Inputs derived from valid published vectors by one deliberate defect each.
#[test]
fn derived_malformed_strings_are_rejected() {
    use AddressError::*;
    let secp = "f15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq";
    let bls = BLS[0].1;
    let zero = "f410faaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaonc6iji";
    let cases: Vec<(String, AddressError)> = vec![
        // Leading zeros, signs and whitespace in decimals.
        ("f001".into(), InvalidDecimal("01".into())),
        ("f00010".into(), InvalidDecimal("0010".into())),
        ("f0+1".into(), InvalidDecimal("+1".into())),
        ("f0 1".into(), InvalidDecimal(" 1".into())),
        ("f01 ".into(), InvalidDecimal("1 ".into())),
        (zero.replacen("f410f", "f4010f", 1), InvalidDecimal("010".into())),
        (zero.replacen("f410f", "f4+10f", 1), InvalidDecimal("+10".into())),
        // Overflowing IDs and namespaces (u64::MAX + 1, and far beyond).
        ("f018446744073709551616".into(), DecimalOverflow("18446744073709551616".into())),
        ("f099999999999999999999".into(), DecimalOverflow("99999999999999999999".into())),
        (format!("f0{}", "9".repeat(30)), DecimalOverflow("9".repeat(30))),
        (
            zero.replacen("f410f", "f418446744073709551616f", 1),
            DecimalOverflow("18446744073709551616".into()),
        ),
        // Wrong payload lengths: drop or add whole 5-byte base32 blocks (8 characters).
        (format!("f1{}", &secp[10..]), InvalidPayloadLength { protocol: 1, len: 15 }),
        (format!("f1{}aaaaaaaa", &secp[2..]), InvalidPayloadLength { protocol: 1, len: 25 }),
        (format!("f2{}", &secp[10..]), InvalidPayloadLength { protocol: 2, len: 15 }),
        (format!("f3{}", &bls[10..]), InvalidPayloadLength { protocol: 3, len: 43 }),
        (format!("f3{}", &secp[2..]), InvalidPayloadLength { protocol: 3, len: 20 }),
        // A valid f1 body under another protocol digit fails its checksum (protocol is hashed).
        (format!("f2{}", &secp[2..]), InvalidChecksum),
        // Case matters: everything is lowercase.
        (secp.to_uppercase(), UnknownNetwork('F')),
        (zero.to_uppercase().replacen('F', "f", 1), MissingNamespaceSeparator),
        (zero.replacen("aaaa", "AAAA", 1), InvalidBase32Character(5)),
        // Padding is not part of the format.
        (format!("{zero}="), InvalidBase32Character(zero.len())),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_address(&input), Err(expected), "{input:?}");
    }
}

/// FIP-0048 footnote 1 gives `f41111f574siazdmx2runsud35ciil37rnylpdl` for namespace 1111 and
/// subaddress 0xeff924032365F51a36541efA24217bFc5B85bc6B. That text is the base32 of the
/// subaddress *without* the checksum the FIP's own format requires, so it must not parse; the
/// canonical form is that text followed by the checksum characters. Footnote 2's
/// `f41112fnbswy3dpeb3w64tmmqqq` ("hello world") has no valid checksum either.
#[test]
fn fip0048_footnote_examples_lack_checksums() {
    let footnote = "f41111f574siazdmx2runsud35ciil37rnylpdl";
    let sub = hex::decode("eff924032365F51a36541efA24217bFc5B85bc6B").unwrap();
    let address = FilAddress::new_delegated(1111, &sub).unwrap();
    let canonical = format_address(&address, Network::Mainnet);
    assert!(canonical.starts_with(footnote), "{canonical}");
    assert_eq!(canonical.len(), footnote.len() + 7);
    assert_eq!(parse_address(&canonical), Ok((address, Network::Mainnet)));
    assert_eq!(parse_address(footnote), Err(AddressError::InvalidChecksum));
    assert!(parse_address("f41112fnbswy3dpeb3w64tmmqqq").is_err());
}

// ---------------------------------------------------------------------------------------------
// Malformed bytes: ref-fvm `invalid_byte_addresses`, trustwallet `IsInvalid` binary rows.
// ---------------------------------------------------------------------------------------------

#[test]
fn malformed_bytes_are_rejected() {
    use FvmAddressError::*;
    let padded = |protocol: u8, len: usize| {
        let mut bytes = vec![protocol];
        bytes.resize(len, 0);
        bytes
    };
    let mut delegated_too_long = vec![4, 0];
    delegated_too_long.extend([0xff; MAX_SUBADDRESS_LEN + 1]);
    let cases: Vec<(Vec<u8>, FvmAddressError)> = vec![
        (vec![5, 4, 4], UnknownProtocol),
        (vec![0], InvalidLength),
        (vec![], InvalidLength),
        (padded(1, 22), InvalidPayloadLength(21)),
        (padded(1, 20), InvalidPayloadLength(19)),
        (padded(2, 22), InvalidPayloadLength(21)),
        (padded(2, 20), InvalidPayloadLength(19)),
        (padded(3, 50), InvalidPayloadLength(49)),
        (padded(3, 48), InvalidPayloadLength(47)),
        (delegated_too_long, InvalidPayloadLength(MAX_SUBADDRESS_LEN + 1)),
        (vec![4, 0xff], InvalidPayload),
        (hex::decode("00ff").unwrap(), InvalidPayload),
        (hex::decode("00ff00ff").unwrap(), InvalidPayload),
        (hex::decode("000101").unwrap(), InvalidPayload),
        (hex::decode("000000").unwrap(), InvalidPayload),
        (hex::decode("00ffffffffffffffffff80").unwrap(), InvalidPayload),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            address_from_bytes(&bytes),
            Err(AddressError::InvalidBytes(expected)),
            "{bytes:02x?}"
        );
    }
}

/// The masked-ID rule from the other side: every 0x form of an ID maps back to f0, never f410.
#[test]
fn masked_id_hex_never_becomes_f410() {
    for (id, text) in ID {
        let eth = address_mapping::masked_id_address(*id);
        let fil = eth_to_filecoin(&eth).unwrap();
        assert_eq!(format_address(&fil, Network::Mainnet), *text);
        assert_eq!(parse_eth_address(&to_checksummed(&eth)), Ok(eth));
        assert_ne!(fil.protocol(), Protocol::Delegated);
        let _: EthAddress = filecoin_to_eth(&fil).unwrap();
    }
}
