//! Ethereum transaction ⇄ Filecoin message conversion (`chain::eth_tx`).
//!
//! Transactions are signed by alloy (`PrivateKeySigner` + alloy-consensus), independently of the
//! code under test, plus two published vectors: the EIP-155 example from the EIP itself and the
//! pre-EIP-155 deterministic-deployment-proxy transaction (the motivating case of FIP-0091).

use std::str::FromStr;

use alloy_consensus::{SignableTransaction, Signed, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_primitives::{
    Address as EthAddress, B256, Bytes, Signature, TxKind, U256, hex, keccak256,
};
use alloy_rlp::{Encodable, Header};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use chain::eth_tx::{
    EthTxKind, MAX_RAW_TX_BYTES, TxError, cid_from_eth_hash, decode_raw_transaction,
    eth_hash_from_cid, eth_hash_of_message, eth_transaction_from_message, verify_delegated,
};
use chain::message::{SigType, SignedMessage, message_cid};
use fvm_ipld_encoding::{BytesSer, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use proptest::prelude::*;

const CHAIN_ID: u64 = 314_159;
const INVOKE_CONTRACT: u64 = 3_844_450_837;
const CREATE_EXTERNAL: u64 = 4;
const HARDHAT_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const HARDHAT_ADDRESS: EthAddress =
    EthAddress::new(hex!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
const RECIPIENT: EthAddress = EthAddress::new(hex!("70997970C51812dc3A010C7d01b50e0d17dc79C8"));
/// secp256k1 group order.
const SECP256K1_N: U256 =
    U256::from_be_bytes(hex!("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"));

// --- helpers ------------------------------------------------------------------------------

fn signer() -> PrivateKeySigner {
    PrivateKeySigner::from_str(HARDHAT_KEY).unwrap()
}

fn sign<T: SignableTransaction<Signature>>(tx: T) -> Signed<T> {
    let sig = signer().sign_hash_sync(&tx.signature_hash()).unwrap();
    tx.into_signed(sig)
}

fn raw<T>(signed: Signed<T>) -> Vec<u8>
where
    TxEnvelope: From<Signed<T>>,
{
    TxEnvelope::from(signed).encoded_2718()
}

fn f410(address: EthAddress) -> Address {
    Address::new_delegated(10, address.as_slice()).unwrap()
}

fn atto(value: impl Into<BigInt>) -> TokenAmount {
    TokenAmount::from_atto(value)
}

fn cbor_bytes(data: &[u8]) -> Vec<u8> {
    fvm_ipld_encoding::to_vec(&BytesSer(data)).unwrap()
}

fn tx1559(to: TxKind, input: &[u8]) -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 7,
        gas_limit: 3_000_000,
        max_fee_per_gas: 2_000_000_000,
        max_priority_fee_per_gas: 100_000,
        to,
        value: U256::from(1_000_000_000_000_000_000u128),
        access_list: AccessList::default(),
        input: Bytes::copy_from_slice(input),
    }
}

fn tx_legacy(chain_id: Option<u64>, to: TxKind, input: &[u8]) -> TxLegacy {
    TxLegacy {
        chain_id,
        nonce: 3,
        gas_price: 1_500_000_000,
        gas_limit: 1_000_000,
        to,
        value: U256::from(12_345u64),
        input: Bytes::copy_from_slice(input),
    }
}

/// Calldata of `transfer(RECIPIENT, 1)`.
fn calldata() -> Vec<u8> {
    let mut data = hex!("a9059cbb").to_vec();
    data.extend_from_slice(&[0; 12]);
    data.extend_from_slice(RECIPIENT.as_slice());
    data.extend_from_slice(&U256::from(1).to_be_bytes::<32>());
    data
}

/// The opening of a solc initcode (deployment is not executed here).
const INITCODE: [u8; 15] = hex!("6080604052348015600f57600080fd");

/// Decodes `raw`, checks everything that does not depend on the tx type, and checks that the
/// message converts back to exactly `raw`.
fn decode_and_round_trip(raw: &[u8], chain_id: u64) -> SignedMessage {
    let tx = decode_raw_transaction(raw, chain_id).unwrap();
    assert_eq!(tx.hash(), keccak256(raw));
    let smsg = tx.message().clone();
    assert_eq!(smsg.signature.sig_type, SigType::Delegated);
    assert_eq!(smsg.message.version, 0);
    assert_eq!(smsg.message.from, f410(tx.sender()));

    let rebuilt = eth_transaction_from_message(&smsg, chain_id).unwrap();
    assert_eq!(rebuilt.encoded_2718(), raw, "reverse conversion must give back the raw tx");
    assert_eq!(&rebuilt, tx.envelope());
    assert_eq!(eth_hash_of_message(&smsg, chain_id).unwrap(), tx.hash());
    assert_eq!(verify_delegated(&smsg, chain_id).unwrap(), tx.sender());
    // The message survives its own CBOR encoding.
    assert_eq!(SignedMessage::from_bytes(&smsg.to_bytes()).unwrap(), smsg);
    smsg
}

fn r_s(sig: &Signature) -> Vec<u8> {
    [sig.r().to_be_bytes::<32>(), sig.s().to_be_bytes::<32>()].concat()
}

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

// --- verify_delegated ---------------------------------------------------------------------

fn sample_messages() -> Vec<SignedMessage> {
    let data = calldata();
    [
        raw(sign(tx1559(TxKind::Call(RECIPIENT), &data))),
        raw(sign(tx_legacy(Some(CHAIN_ID), TxKind::Call(RECIPIENT), &data))),
        raw(sign(tx_legacy(None, TxKind::Call(RECIPIENT), &data))),
    ]
    .iter()
    .map(|raw| decode_raw_transaction(raw, CHAIN_ID).unwrap().into_message())
    .collect()
}

/// A named change to a message.
type Edit = Box<dyn Fn(&mut SignedMessage)>;
/// Whether an error is the expected one.
type IsExpected = fn(&TxError) -> bool;

fn tampered(smsg: &SignedMessage, edit: impl FnOnce(&mut SignedMessage)) -> SignedMessage {
    let mut copy = smsg.clone();
    edit(&mut copy);
    assert_ne!(&copy, smsg);
    copy
}

#[test]
fn verify_rejects_tampered_fields() {
    for smsg in sample_messages() {
        assert_eq!(verify_delegated(&smsg, CHAIN_ID).unwrap(), HARDHAT_ADDRESS);
        let edits: Vec<(&str, Edit)> = vec![
            ("value", Box::new(|s| s.message.value += atto(1))),
            ("nonce", Box::new(|s| s.message.sequence += 1)),
            ("gas", Box::new(|s| s.message.gas_limit += 1)),
            ("to", Box::new(|s| s.message.to = f410(HARDHAT_ADDRESS))),
            ("to f0", Box::new(|s| s.message.to = Address::new_id(1234))),
            (
                "fee cap",
                Box::new(|s| {
                    s.message.gas_fee_cap += atto(1);
                    s.message.gas_premium = s.message.gas_fee_cap.clone(); // keep legacy consistent
                }),
            ),
            (
                "params",
                Box::new(|s| {
                    let mut p = s.message.params.bytes().to_vec();
                    *p.last_mut().unwrap() ^= 1;
                    s.message.params = RawBytes::new(p);
                }),
            ),
            ("params removed", Box::new(|s| s.message.params = RawBytes::default())),
            ("from", Box::new(|s| s.message.from = f410(RECIPIENT))),
            ("signature s", Box::new(|s| s.signature.bytes[40] ^= 1)),
            (
                "signature parity",
                Box::new(|s| {
                    let bytes = &mut s.signature.bytes;
                    match bytes.len() {
                        65 => bytes[64] ^= 1,          // 0 <-> 1
                        66 => bytes[65] ^= 27 ^ 28,    // 27 <-> 28
                        _ => bytes[67] ^= 0x81 ^ 0x82, // 0x099681 <-> 0x099682
                    }
                }),
            ),
        ];
        for (what, edit) in edits {
            let bad = tampered(&smsg, edit);
            let err = verify_delegated(&bad, CHAIN_ID).unwrap_err();
            assert!(
                matches!(err, TxError::WrongSigner { .. } | TxError::InvalidSignature(_)),
                "{what}: {err}"
            );
        }
    }
}

#[test]
fn verify_rejects_non_round_tripping_and_foreign_messages() {
    let [m1559, m155, homestead] = <[_; 3]>::try_from(sample_messages()).unwrap();

    // Legacy txs have one gas price: a premium different from the fee cap cannot round-trip.
    for smsg in [&m155, &homestead] {
        let bad = tampered(smsg, |s| s.message.gas_premium = atto(1));
        assert!(matches!(verify_delegated(&bad, CHAIN_ID), Err(TxError::RoundTripMismatch)));
    }
    // Non-canonical params (byte string with a 2-byte length for 68 bytes) do not round-trip.
    let bad = tampered(&m1559, |s| {
        let body = s.message.params.bytes()[2..].to_vec();
        s.message.params = RawBytes::new([&[0x59, 0x00, 68][..], &body].concat());
    });
    assert!(matches!(verify_delegated(&bad, CHAIN_ID), Err(TxError::InvalidParams(_))));

    let cases: Vec<(SignedMessage, IsExpected)> = vec![
        (tampered(&m1559, |s| s.message.version = 1), |e| {
            matches!(e, TxError::UnsupportedVersion(1))
        }),
        (tampered(&m1559, |s| s.message.method_num = 2), |e| {
            matches!(e, TxError::UnsupportedMethod { method: 2, .. })
        }),
        (tampered(&m1559, |s| s.message.to = Address::new_id(10)), |e| {
            matches!(e, TxError::UnsupportedMethod { method: INVOKE_CONTRACT, .. })
        }),
        (tampered(&m1559, |s| s.signature.sig_type = SigType::Secp256k1), |e| {
            matches!(e, TxError::NotDelegated(SigType::Secp256k1))
        }),
        (tampered(&m1559, |s| s.message.from = Address::new_id(1001)), |e| {
            matches!(e, TxError::SenderNotF410(_))
        }),
        (
            tampered(&m1559, |s| s.message.from = Address::new_delegated(11, &[1; 20]).unwrap()),
            |e| matches!(e, TxError::SenderNotF410(_)),
        ),
        (
            tampered(&m1559, |s| {
                s.message.to =
                    Address::new_delegated(10, &hex!("ff00000000000000000000000000000000000001"))
                        .unwrap()
            }),
            |e| matches!(e, TxError::RecipientNotEth { .. }),
        ),
        (tampered(&m1559, |s| s.message.to = Address::new_actor(b"x")), |e| {
            matches!(e, TxError::RecipientNotEth { .. })
        }),
        (tampered(&m1559, |s| s.message.params = RawBytes::new(vec![0x40])), |e| {
            matches!(e, TxError::InvalidParams(_))
        }),
        (tampered(&m1559, |s| s.message.params = RawBytes::new(vec![0x41, 1, 2])), |e| {
            matches!(e, TxError::InvalidParams(_))
        }),
        (tampered(&m1559, |s| s.message.params = RawBytes::new(vec![0x42, 1])), |e| {
            matches!(e, TxError::InvalidParams(_))
        }),
        (tampered(&m1559, |s| s.message.params = RawBytes::new(vec![0x58, 0x01, 7])), |e| {
            matches!(e, TxError::InvalidParams(_))
        }),
        (tampered(&m1559, |s| s.message.params = RawBytes::new(vec![0x81, 0x01])), |e| {
            matches!(e, TxError::InvalidParams(_))
        }),
        (tampered(&m1559, |s| s.message.value = atto(-1)), |e| {
            matches!(e, TxError::AmountOutOfRange("value"))
        }),
        (tampered(&m1559, |s| s.message.gas_premium = atto(BigInt::from(u128::MAX) + 1)), |e| {
            matches!(e, TxError::AmountOutOfRange("gas premium"))
        }),
        (tampered(&m1559, |s| s.signature.bytes.push(0)), |e| {
            matches!(e, TxError::InvalidSignatureEncoding(_))
        }),
        (tampered(&m1559, |s| s.signature.bytes[64] = 2), |e| {
            matches!(e, TxError::InvalidSignatureEncoding(_))
        }),
        (tampered(&homestead, |s| s.signature.bytes[65] = 29), |e| {
            matches!(e, TxError::InvalidSignatureEncoding(_))
        }),
        (tampered(&homestead, |s| s.signature.bytes[0] = 0x03), |e| {
            matches!(e, TxError::InvalidSignatureEncoding(_))
        }),
        (tampered(&m155, |s| s.signature.bytes.insert(65, 0)), |e| {
            matches!(e, TxError::InvalidSignatureEncoding(_))
        }),
        (tampered(&m155, |s| s.signature.bytes.truncate(40)), |e| {
            matches!(e, TxError::InvalidSignatureEncoding(_))
        }),
    ];
    for (i, (smsg, expected)) in cases.iter().enumerate() {
        let err = verify_delegated(smsg, CHAIN_ID).unwrap_err();
        assert!(expected(&err), "case {i}: {err}");
    }

    // An EIP-155 message is bound to its chain id; 1559 and Homestead fail by sender mismatch.
    assert!(matches!(
        verify_delegated(&m155, 1),
        Err(TxError::WrongChainId { expected: 1, got: CHAIN_ID })
    ));
    assert!(matches!(verify_delegated(&m1559, 1), Err(TxError::WrongSigner { .. })));
    assert_eq!(verify_delegated(&homestead, 1).unwrap(), HARDHAT_ADDRESS);
}

// --- rejections of raw transactions -------------------------------------------------------

fn rlp<T: Encodable>(value: T) -> Vec<u8> {
    alloy_rlp::encode(value)
}

fn rlp_list(items: &[Vec<u8>]) -> Vec<u8> {
    let payload: Vec<u8> = items.concat();
    let mut out = Vec::new();
    Header { list: true, payload_length: payload.len() }.encode(&mut out);
    out.extend_from_slice(&payload);
    out
}

/// The 12 RLP items of a signed EIP-1559 transaction, for crafting malformed variants.
fn items_1559(signed: &Signed<TxEip1559>) -> Vec<Vec<u8>> {
    let tx = signed.tx();
    let sig = signed.signature();
    vec![
        rlp(tx.chain_id),
        rlp(tx.nonce),
        rlp(tx.max_priority_fee_per_gas),
        rlp(tx.max_fee_per_gas),
        rlp(tx.gas_limit),
        rlp(tx.to),
        rlp(tx.value),
        rlp(&tx.input),
        rlp(&tx.access_list),
        rlp(sig.v()),
        rlp(sig.r()),
        rlp(sig.s()),
    ]
}

fn typed(ty: u8, list: Vec<u8>) -> Vec<u8> {
    [vec![ty], list].concat()
}

/// The 9 RLP items of a signed legacy transaction.
fn items_legacy(signed: &Signed<TxLegacy>) -> Vec<Vec<u8>> {
    let tx = signed.tx();
    let sig = signed.signature();
    let v = match tx.chain_id {
        Some(id) => u64::from(sig.v()) + id * 2 + 35,
        None => u64::from(sig.v()) + 27,
    };
    vec![
        rlp(tx.nonce),
        rlp(tx.gas_price),
        rlp(tx.gas_limit),
        rlp(tx.to),
        rlp(tx.value),
        rlp(&tx.input),
        rlp(v),
        rlp(sig.r()),
        rlp(sig.s()),
    ]
}

#[test]
fn crafting_helpers_reproduce_alloy_encodings() {
    let signed = sign(tx1559(TxKind::Call(RECIPIENT), &calldata()));
    assert_eq!(typed(2, rlp_list(&items_1559(&signed))), raw(signed));
    for chain_id in [Some(CHAIN_ID), None] {
        let signed = sign(tx_legacy(chain_id, TxKind::Create, &INITCODE));
        assert_eq!(rlp_list(&items_legacy(&signed)), raw(signed));
    }
}

fn decode_err(raw: &[u8]) -> TxError {
    decode_raw_transaction(raw, CHAIN_ID).unwrap_err()
}

#[test]
fn rejects_empty_and_oversize_input() {
    assert!(matches!(decode_err(&[]), TxError::Empty));
    let big = vec![0xf8; MAX_RAW_TX_BYTES + 1];
    assert!(matches!(
        decode_err(&big),
        TxError::TooLarge { size, max: MAX_RAW_TX_BYTES } if size == MAX_RAW_TX_BYTES + 1
    ));
    // The limit is inclusive: a (valid) transaction of exactly the limit is not "too large".
    let data = vec![1u8; MAX_RAW_TX_BYTES - 200];
    let mut tx = tx1559(TxKind::Call(RECIPIENT), &data);
    let base = raw(sign(tx.clone())).len();
    tx.input = Bytes::from(vec![1u8; data.len() + MAX_RAW_TX_BYTES - base]);
    let exact = raw(sign(tx));
    assert_eq!(exact.len(), MAX_RAW_TX_BYTES);
    decode_raw_transaction(&exact, CHAIN_ID).unwrap();
}

#[test]
fn rejects_unsupported_types() {
    let tx2930 = TxEip2930 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_price: 1_000_000_000,
        gas_limit: 21_000,
        to: TxKind::Call(RECIPIENT),
        value: U256::from(1),
        access_list: AccessList::default(),
        input: Bytes::new(),
    };
    let raw2930 = raw(sign(tx2930));
    assert_eq!(raw2930[0], 0x01);
    let err = decode_err(&raw2930);
    assert!(matches!(err, TxError::Eip2930NotSupported));
    assert_eq!(err.to_string(), "EIP-2930 transactions are not supported");

    // Blob and set-code transactions are refused by their type byte, whatever follows.
    let body = rlp_list(&items_1559(&sign(tx1559(TxKind::Call(RECIPIENT), &[]))));
    assert!(matches!(decode_err(&typed(3, body.clone())), TxError::BlobNotSupported));
    assert!(matches!(decode_err(&typed(4, body.clone())), TxError::Eip7702NotSupported));
    assert!(matches!(decode_err(&[0x04]), TxError::Eip7702NotSupported));
    for ty in [0x00, 0x05, 0x7e, 0x7f] {
        assert!(
            matches!(decode_err(&typed(ty, body.clone())), TxError::UnsupportedType(t) if t == ty)
        );
    }
    // 0x80..=0xbf is an RLP string, not a legacy list.
    assert!(matches!(decode_err(&[0x83, 1, 2, 3]), TxError::MalformedRlp(_)));
}

#[test]
fn rejects_wrong_chain_id() {
    let mut tx = tx1559(TxKind::Call(RECIPIENT), &[]);
    tx.chain_id = 1;
    let err = decode_err(&raw(sign(tx)));
    assert!(matches!(err, TxError::WrongChainId { expected: CHAIN_ID, got: 1 }));
    assert_eq!(err.to_string(), "invalid chain id: expected 314159, got 1");

    let err = decode_err(&raw(sign(tx_legacy(Some(314), TxKind::Create, &INITCODE))));
    assert!(matches!(err, TxError::WrongChainId { expected: CHAIN_ID, got: 314 }));
}

#[test]
fn rejects_non_empty_access_list() {
    let mut tx = tx1559(TxKind::Call(RECIPIENT), &[]);
    tx.access_list =
        AccessList(vec![AccessListItem { address: RECIPIENT, storage_keys: vec![B256::ZERO] }]);
    assert!(matches!(decode_err(&raw(sign(tx))), TxError::NonEmptyAccessList(1)));
}

#[test]
fn rejects_trailing_and_truncated_bytes() {
    let good = raw(sign(tx1559(TxKind::Call(RECIPIENT), &calldata())));
    assert!(matches!(decode_err(&[&good[..], &[0]].concat()), TxError::TrailingBytes(1)));
    assert!(matches!(decode_err(&[&good[..], &[0xc0, 0xc0]].concat()), TxError::TrailingBytes(2)));
    for cut in [1, 2, 5, good.len() / 2, good.len() - 1] {
        assert!(matches!(decode_err(&good[..cut]), TxError::MalformedRlp(_)), "cut at {cut}");
    }
    let legacy = raw(sign(tx_legacy(None, TxKind::Create, &INITCODE)));
    assert!(matches!(decode_err(&[&legacy[..], &[0x80]].concat()), TxError::TrailingBytes(1)));
    assert!(matches!(decode_err(&legacy[..legacy.len() - 3]), TxError::MalformedRlp(_)));
}

#[test]
fn rejects_non_canonical_rlp() {
    let signed = sign(tx1559(TxKind::Call(RECIPIENT), &calldata()));
    let items = items_1559(&signed);
    let with = |i: usize, item: Vec<u8>| {
        let mut items = items.clone();
        items[i] = item;
        typed(2, rlp_list(&items))
    };
    // Nonce 7 as a two-byte integer with a leading zero.
    assert!(matches!(decode_err(&with(1, vec![0x82, 0x00, 0x07])), TxError::NonCanonicalRlp(_)));
    // Nonce 7 wrapped as a one-byte string instead of the byte itself.
    assert!(matches!(decode_err(&with(1, vec![0x81, 0x07])), TxError::NonCanonicalRlp(_)));
    // Zero as the byte 0x00 instead of the empty string 0x80.
    assert!(matches!(decode_err(&with(6, vec![0x00])), TxError::NonCanonicalRlp(_)));
    // A long-form length prefix for a 3-byte string.
    assert!(matches!(decode_err(&with(7, vec![0xb8, 3, 1, 2, 3])), TxError::NonCanonicalRlp(_)));
    // ... while 68 bytes of calldata do need the long form (the baseline itself).
    decode_raw_transaction(&with(7, [&[0xb8, 68][..], &calldata()].concat()), CHAIN_ID).unwrap();
    // A long-form list header for a short list (the access list).
    assert!(matches!(decode_err(&with(8, vec![0xf8, 0x00])), TxError::NonCanonicalRlp(_)));
    // Legacy: gas price with a leading zero.
    let legacy = sign(tx_legacy(Some(CHAIN_ID), TxKind::Create, &INITCODE));
    let mut items = items_legacy(&legacy);
    let mut price = vec![0x85, 0x00];
    price.extend_from_slice(&1_500_000_000u32.to_be_bytes());
    items[1] = price;
    assert!(matches!(decode_err(&rlp_list(&items)), TxError::NonCanonicalRlp(_)));
}

#[test]
fn rejects_malformed_structure() {
    let signed = sign(tx1559(TxKind::Call(RECIPIENT), &[]));
    let items = items_1559(&signed);
    // 11 and 13 items.
    assert!(matches!(decode_err(&typed(2, rlp_list(&items[..11]))), TxError::MalformedRlp(_)));
    let mut more = items.clone();
    more.push(rlp(1u8));
    assert!(matches!(decode_err(&typed(2, rlp_list(&more))), TxError::MalformedRlp(_)));
    // yParity 2.
    let mut bad_parity = items.clone();
    bad_parity[9] = rlp(2u8);
    assert!(matches!(decode_err(&typed(2, rlp_list(&bad_parity))), TxError::MalformedRlp(_)));
    // A 19-byte `to`.
    let mut short_to = items;
    short_to[5] = rlp(&[0x11u8; 19][..]);
    assert!(matches!(decode_err(&typed(2, rlp_list(&short_to))), TxError::MalformedRlp(_)));
    // The body is a string, not a list.
    assert!(matches!(decode_err(&[0x02, 0x82, 1, 2]), TxError::MalformedRlp(_)));
}

#[test]
fn rejects_invalid_legacy_v() {
    let signed = sign(tx_legacy(None, TxKind::Call(RECIPIENT), &[]));
    for v in [0u64, 1, 26, 29, 30, 34] {
        let mut items = items_legacy(&signed);
        items[6] = rlp(v);
        let err = decode_err(&rlp_list(&items));
        assert!(
            matches!(err, TxError::InvalidLegacyV(got) if got == U256::from(v)),
            "v = {v}: {err}"
        );
    }
    // v whose chain id would not fit in 64 bits.
    let mut items = items_legacy(&signed);
    items[6] = rlp(U256::from(u64::MAX) * U256::from(2) + U256::from(37));
    assert!(matches!(decode_err(&rlp_list(&items)), TxError::InvalidLegacyV(_)));
}

#[test]
fn rejects_invalid_signatures() {
    let tx = tx1559(TxKind::Call(RECIPIENT), &[]);
    let good = sign(tx.clone());
    let sig = *good.signature();

    let with_sig = |sig: Signature| raw(Signed::new_unhashed(tx.clone(), sig));
    // r = 0 and s = 0 are not signatures.
    assert!(matches!(
        decode_err(&with_sig(Signature::new(U256::ZERO, sig.s(), sig.v()))),
        TxError::InvalidSignature(_)
    ));
    assert!(matches!(
        decode_err(&with_sig(Signature::new(sig.r(), U256::ZERO, sig.v()))),
        TxError::InvalidSignature(_)
    ));
    // r ≥ n.
    assert!(matches!(
        decode_err(&with_sig(Signature::new(SECP256K1_N, sig.s(), sig.v()))),
        TxError::InvalidSignature(_)
    ));
    // The high-s twin of a valid signature recovers the same key but is refused (EIP-2).
    let high_s = Signature::new(sig.r(), SECP256K1_N - sig.s(), !sig.v());
    assert_eq!(high_s.recover_address_from_prehash(&tx.signature_hash()).unwrap(), HARDHAT_ADDRESS);
    assert!(matches!(decode_err(&with_sig(high_s)), TxError::InvalidSignature(_)));
}

#[test]
fn rejects_unrepresentable_fields_and_recipients() {
    // A gas limit over i64::MAX cannot be a Filecoin gas limit.
    let mut tx = tx1559(TxKind::Call(RECIPIENT), &[]);
    tx.gas_limit = i64::MAX as u64 + 1;
    assert!(
        matches!(decode_err(&raw(sign(tx))), TxError::GasLimitOutOfRange(g) if g == i64::MAX as u64 + 1)
    );
    // A gas limit over u64::MAX does not even decode.
    let signed = sign(tx1559(TxKind::Call(RECIPIENT), &[]));
    let mut items = items_1559(&signed);
    items[4] = rlp(U256::from(u64::MAX) + U256::from(1));
    assert!(matches!(decode_err(&typed(2, rlp_list(&items))), TxError::FieldOutOfRange));
    // A fee over u128::MAX.
    let mut items = items_1559(&signed);
    items[3] = rlp(U256::from(u128::MAX) + U256::from(1));
    assert!(matches!(decode_err(&typed(2, rlp_list(&items))), TxError::FieldOutOfRange));
    // The EAM's masked ID: f010 only deploys, it cannot be invoked.
    let eam = EthAddress::new(hex!("ff0000000000000000000000000000000000000a"));
    let err = decode_err(&raw(sign(tx1559(TxKind::Call(eam), &[1]))));
    assert!(matches!(err, TxError::InvalidRecipient(_)), "{err}");
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

// --- properties ---------------------------------------------------------------------------

/// Whatever `decode_raw_transaction` accepts must be self-consistent.
fn check_accepted(raw: &[u8]) {
    if let Ok(tx) = decode_raw_transaction(raw, CHAIN_ID) {
        assert_eq!(tx.hash(), keccak256(raw));
        let back = eth_transaction_from_message(tx.message(), CHAIN_ID).unwrap();
        assert_eq!(back.encoded_2718(), raw);
        assert_eq!(verify_delegated(tx.message(), CHAIN_ID).unwrap(), tx.sender());
    }
}

fn valid_raw_txs() -> Vec<Vec<u8>> {
    let data = calldata();
    vec![
        raw(sign(tx1559(TxKind::Call(RECIPIENT), &data))),
        raw(sign(tx1559(TxKind::Create, &INITCODE))),
        raw(sign(tx_legacy(Some(CHAIN_ID), TxKind::Call(RECIPIENT), &data))),
        raw(sign(tx_legacy(None, TxKind::Create, &INITCODE))),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn apply(mut raw: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = raw.len().max(1);
        match *m {
            Mutation::Set(i, b) if !raw.is_empty() => raw[i % len] = b,
            Mutation::Insert(i, b) => raw.insert(i % (raw.len() + 1), b),
            Mutation::Remove(i) if !raw.is_empty() => {
                raw.remove(i % len);
            }
            Mutation::Truncate(i) => raw.truncate(i % len),
            _ => {}
        }
    }
    raw
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => any::<usize>().prop_map(Mutation::Remove),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(raw in proptest::collection::vec(any::<u8>(), 0..400)) {
        check_accepted(&raw);
    }

    #[test]
    fn decode_never_panics_on_typed_or_list_prefixed_bytes(
        prefix in prop_oneof![Just(vec![0x02u8]), Just(vec![0x02, 0xf8]), Just(vec![0xf8]), Just(vec![0xf9, 0x01])],
        rest in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        check_accepted(&[prefix, rest].concat());
    }

    #[test]
    fn decode_never_panics_on_mutated_transactions(
        which in 0usize..4,
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let raw = apply(valid_raw_txs()[which].clone(), &mutations);
        check_accepted(&raw);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any transaction alloy signs for this chain converts to a message and back exactly.
    #[test]
    fn signed_transactions_round_trip(
        kind in 0u8..3,
        nonce in any::<u64>(),
        gas_limit in 0u64..=i64::MAX as u64,
        fee_cap in any::<u128>(),
        premium in any::<u128>(),
        value in any::<[u8; 32]>(),
        to in proptest::option::of(any::<[u8; 20]>()),
        input in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let to = to.map_or(TxKind::Create, |a| TxKind::Call(EthAddress::new(a)));
        let value = U256::from_be_bytes(value);
        let input = Bytes::from(input);
        let raw = match kind {
            0 => raw(sign(TxEip1559 {
                chain_id: CHAIN_ID, nonce, gas_limit, max_fee_per_gas: fee_cap,
                max_priority_fee_per_gas: premium, to, value, access_list: AccessList::default(), input,
            })),
            k => raw(sign(TxLegacy {
                chain_id: (k == 1).then_some(CHAIN_ID), nonce, gas_price: fee_cap, gas_limit, to, value, input,
            })),
        };
        let eam = EthAddress::new(hex!("ff0000000000000000000000000000000000000a"));
        if to == TxKind::Call(eam) {
            return Ok(());
        }
        let smsg = decode_and_round_trip(&raw, CHAIN_ID);
        prop_assert_eq!(smsg.message.sequence, nonce);
        prop_assert_eq!(smsg.message.gas_limit, gas_limit);
    }
}
