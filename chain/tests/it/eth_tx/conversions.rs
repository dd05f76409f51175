//! Signed EIP-1559, EIP-155 and Homestead transactions to Filecoin messages and back, and
//! the hash/CID helpers.

use super::verify::sample_messages;
use super::*;

// --- EIP-1559 -----------------------------------------------------------------------------

#[test]
fn eip1559_value_transfer() {
    let signed = sign(tx1559(TxKind::Call(RECIPIENT), &[]));
    let sig = *signed.signature();
    let raw = raw(signed);
    let tx = decode_raw_transaction(&raw, CHAIN_ID).unwrap();
    assert_eq!(tx.sender(), HARDHAT_ADDRESS);
    assert_eq!(tx.kind(), EthTxKind::Eip1559);
    assert_eq!(tx.hash(), keccak256(&raw));

    let m = &tx.message().message;
    assert_eq!(m.from, f410(HARDHAT_ADDRESS));
    assert_eq!(m.to, f410(RECIPIENT));
    assert_eq!(m.method_num, INVOKE_CONTRACT);
    assert!(m.params.is_empty(), "empty input gives empty params");
    assert_eq!(m.sequence, 7);
    assert_eq!(m.value, atto(1_000_000_000_000_000_000u128));
    assert_eq!(m.gas_limit, 3_000_000);
    assert_eq!(m.gas_fee_cap, atto(2_000_000_000u64));
    assert_eq!(m.gas_premium, atto(100_000u64));
    assert_eq!(m.version, 0);

    let sig_bytes = &tx.message().signature.bytes;
    assert_eq!(sig_bytes.len(), 65);
    assert_eq!(sig_bytes[..64], r_s(&sig)[..]);
    assert_eq!(sig_bytes[64], u8::from(sig.v()));

    decode_and_round_trip(&raw, CHAIN_ID);
}

#[test]
fn eip1559_call_with_calldata() {
    let data = calldata();
    let raw = raw(sign(tx1559(TxKind::Call(RECIPIENT), &data)));
    let smsg = decode_and_round_trip(&raw, CHAIN_ID);
    assert_eq!(smsg.message.to, f410(RECIPIENT));
    assert_eq!(smsg.message.method_num, INVOKE_CONTRACT);
    assert_eq!(smsg.message.params.bytes(), cbor_bytes(&data));
    assert_eq!(smsg.message.params.bytes()[..2], [0x58, 68], "CBOR byte string of 68 bytes");
}

#[test]
fn call_to_masked_id_goes_to_f0() {
    let masked = EthAddress::new(hex!("ff00000000000000000000000000000000000401"));
    let raw = raw(sign(tx1559(TxKind::Call(masked), &[1, 2, 3])));
    let smsg = decode_and_round_trip(&raw, CHAIN_ID);
    assert_eq!(smsg.message.to, Address::new_id(0x401));
    assert_eq!(smsg.message.method_num, INVOKE_CONTRACT);
}

#[test]
fn long_and_short_calldata_use_canonical_cbor_lengths() {
    for len in [1usize, 23, 24, 255, 256, 65_535, 65_536] {
        let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8 + 1).collect();
        let raw = raw(sign(tx1559(TxKind::Call(RECIPIENT), &data)));
        let smsg = decode_and_round_trip(&raw, CHAIN_ID);
        assert_eq!(smsg.message.params.bytes(), cbor_bytes(&data), "len {len}");
    }
}

#[test]
fn eip1559_contract_creation() {
    let raw = raw(sign(tx1559(TxKind::Create, &INITCODE)));
    let smsg = decode_and_round_trip(&raw, CHAIN_ID);
    assert_eq!(smsg.message.to, Address::new_id(10));
    assert_eq!(smsg.message.method_num, CREATE_EXTERNAL);
    assert_eq!(smsg.message.params.bytes(), cbor_bytes(&INITCODE));
}

// --- legacy EIP-155 -----------------------------------------------------------------------

#[test]
fn eip155_transfer_call_and_create() {
    let data = calldata();
    let cases = [
        (TxKind::Call(RECIPIENT), &[][..], f410(RECIPIENT), INVOKE_CONTRACT),
        (TxKind::Call(RECIPIENT), &data[..], f410(RECIPIENT), INVOKE_CONTRACT),
        (TxKind::Create, &INITCODE[..], Address::new_id(10), CREATE_EXTERNAL),
    ];
    for (to, input, fil_to, method) in cases {
        let signed = sign(tx_legacy(Some(CHAIN_ID), to, input));
        let sig = *signed.signature();
        let raw = raw(signed);
        let tx = decode_raw_transaction(&raw, CHAIN_ID).unwrap();
        assert_eq!(tx.kind(), EthTxKind::Eip155);
        assert_eq!(tx.sender(), HARDHAT_ADDRESS);
        let m = &tx.message().message;
        assert_eq!((m.to, m.method_num), (fil_to, method));
        assert_eq!(m.params.bytes(), if input.is_empty() { vec![] } else { cbor_bytes(input) });
        assert_eq!((m.sequence, m.gas_limit), (3, 1_000_000));
        assert_eq!(m.value, atto(12_345u64));
        assert_eq!(m.gas_fee_cap, atto(1_500_000_000u64), "gasPrice is the fee cap");
        assert_eq!(m.gas_premium, atto(1_500_000_000u64), "gasPrice is the premium");

        // 0x02 ‖ r ‖ s ‖ v, v = 314159·2 + 35 + parity = 0x099681/0x099682: 68 bytes.
        let bytes = &tx.message().signature.bytes;
        assert_eq!(bytes.len(), 68);
        assert_eq!(bytes[0], 0x02);
        assert_eq!(bytes[1..65], r_s(&sig)[..]);
        let v = 628_353 + u32::from(sig.v());
        assert_eq!(bytes[65..], v.to_be_bytes()[1..]);

        decode_and_round_trip(&raw, CHAIN_ID);
    }
}

/// The worked example in the EIP-155 text (chain id 1, key 0x4646…46).
#[test]
fn eip155_vector_from_the_eip() {
    let raw = hex!(
        "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080"
        "25a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761a"
        "ecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"
    );
    let tx = decode_raw_transaction(&raw, 1).unwrap();
    assert_eq!(tx.kind(), EthTxKind::Eip155);
    assert_eq!(tx.sender(), EthAddress::new(hex!("9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")));
    let smsg = decode_and_round_trip(&raw, 1);
    // Chain id 1: v = 37, one byte, 66 bytes in all.
    assert_eq!(smsg.signature.bytes.len(), 66);
    assert_eq!(smsg.signature.bytes[0], 0x02);
    assert_eq!(smsg.signature.bytes[65], 37);
    assert_eq!(smsg.message.sequence, 9);
    assert_eq!(smsg.message.gas_fee_cap, atto(20_000_000_000u64));
    assert!(matches!(
        decode_raw_transaction(&raw, CHAIN_ID),
        Err(TxError::WrongChainId { expected: CHAIN_ID, got: 1 })
    ));
}

// --- legacy Homestead ---------------------------------------------------------------------

#[test]
fn homestead_transfer_call_and_create() {
    let data = calldata();
    for (to, input) in [
        (TxKind::Call(RECIPIENT), &[][..]),
        (TxKind::Call(RECIPIENT), &data),
        (TxKind::Create, &INITCODE),
    ] {
        let signed = sign(tx_legacy(None, to, input));
        let sig = *signed.signature();
        let raw = raw(signed);
        let tx = decode_raw_transaction(&raw, CHAIN_ID).unwrap();
        assert_eq!(tx.kind(), EthTxKind::Homestead);
        assert_eq!(tx.sender(), HARDHAT_ADDRESS);
        let bytes = &tx.message().signature.bytes;
        assert_eq!(bytes.len(), 66);
        assert_eq!(bytes[0], 0x01);
        assert_eq!(bytes[1..65], r_s(&sig)[..]);
        assert_eq!(bytes[65], 27 + u8::from(sig.v()));
        let smsg = decode_and_round_trip(&raw, CHAIN_ID);
        let expected_to = if to == TxKind::Create { Address::new_id(10) } else { f410(RECIPIENT) };
        assert_eq!(smsg.message.to, expected_to);
    }
}

/// The keyless deployment of the deterministic-deployment proxy (Arachnid), a pre-EIP-155
/// transaction with r = s = 0x2222…: the reason FIP-0091 added Homestead transactions.
#[test]
fn homestead_deterministic_deployment_proxy() {
    let raw = hex!(
        "f8a58085174876e800830186a08080b853604580600e600039806000f350fe7fffffffffffffffffffffffff"
        "ffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd"
        "5b8082525050506014600cf31ba0222222222222222222222222222222222222222222222222222222222222"
        "2222a02222222222222222222222222222222222222222222222222222222222222222"
    );
    let tx = decode_raw_transaction(&raw, CHAIN_ID).unwrap();
    assert_eq!(tx.kind(), EthTxKind::Homestead);
    assert_eq!(tx.sender(), EthAddress::new(hex!("3fab184622dc19b6109349b94811493bf2a45362")));
    let smsg = decode_and_round_trip(&raw, CHAIN_ID);
    assert_eq!(smsg.message.to, Address::new_id(10));
    assert_eq!(smsg.message.method_num, CREATE_EXTERNAL);
    assert_eq!(smsg.signature.bytes[65], 27);
    assert_eq!(smsg.message.gas_limit, 100_000);
}

// --- hashes and CIDs ----------------------------------------------------------------------

#[test]
fn eth_hash_and_cid_round_trip() {
    let smsg = &sample_messages()[0];
    let cid = smsg.cid();
    let hash = eth_hash_from_cid(&cid);
    assert_eq!(hash.as_slice(), cid.hash().digest());
    assert_eq!(cid_from_eth_hash(hash), cid);
    let unsigned = message_cid(&smsg.message);
    assert_eq!(cid_from_eth_hash(eth_hash_from_cid(&unsigned)), unsigned);
    // The Ethereum hash of a delegated message is keccak of the tx, unrelated to its CID.
    assert_ne!(eth_hash_of_message(smsg, CHAIN_ID).unwrap(), hash);
}
