//! Signed Filecoin messages (`chain::message`): Lotus's CBOR shapes, CIDs, chain length, and
//! native secp256k1 signatures.

use std::str::FromStr;

use alloy_signer_local::PrivateKeySigner;
use chain::message::{
    MessageError, SigType, Signature, SignatureError, SignedMessage, message_cid, secp_address,
    sign_secp, verify_secp,
};
use cid::Cid;
use fvm_ipld_encoding::{DAG_CBOR, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use multihash_codetable::{Code, MultihashDigest};

const KEY_A: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const KEY_B: &str = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

fn key(hex: &str) -> PrivateKeySigner {
    PrivateKeySigner::from_str(hex).unwrap()
}

fn f1(signer: &PrivateKeySigner) -> Address {
    secp_address(signer.credential().verifying_key())
}

fn message(from: Address) -> Message {
    Message {
        version: 0,
        from,
        to: Address::new_id(1001),
        sequence: 42,
        value: TokenAmount::from_atto(1_000_000u64),
        method_num: 0,
        params: RawBytes::new(vec![0x43, 1, 2, 3]),
        gas_limit: 1_000_000,
        gas_fee_cap: TokenAmount::from_atto(200u64),
        gas_premium: TokenAmount::from_atto(100u64),
    }
}

fn dag_cbor_cid(bytes: &[u8]) -> Cid {
    Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(bytes))
}

#[test]
fn signature_wire_form_is_type_byte_then_data() {
    let sig = Signature::new(SigType::Delegated, vec![0xaa; 65]);
    let encoded = fvm_ipld_encoding::to_vec(&sig).unwrap();
    // CBOR byte string (0x58, one length byte = 66), then the type byte 3, then the data.
    assert_eq!(encoded[..3], [0x58, 66, 3]);
    assert_eq!(encoded[3..], [0xaa; 65]);
    assert_eq!(fvm_ipld_encoding::from_slice::<Signature>(&encoded).unwrap(), sig);

    let secp = Signature::new(SigType::Secp256k1, vec![7; 65]);
    assert_eq!(fvm_ipld_encoding::to_vec(&secp).unwrap()[..3], [0x58, 66, 1]);
    let bls = Signature::new(SigType::Bls, vec![9; 96]);
    assert_eq!(fvm_ipld_encoding::to_vec(&bls).unwrap()[..3], [0x58, 97, 2]);
    assert_eq!(Signature::from_wire(&bls.to_wire()).unwrap(), bls);
}

#[test]
fn signature_decoding_rejects_empty_and_unknown_types() {
    assert!(matches!(Signature::from_wire(&[]), Err(MessageError::EmptySignature)));
    for ty in [0u8, 4, 0xff] {
        assert!(
            matches!(Signature::from_wire(&[ty, 1, 2]), Err(MessageError::UnknownSignatureType(t)) if t == ty)
        );
    }
    assert!(fvm_ipld_encoding::from_slice::<Signature>(&[0x40]).is_err(), "empty byte string");
    assert!(fvm_ipld_encoding::from_slice::<Signature>(&[0x42, 4, 0]).is_err(), "type 4");
    assert!(fvm_ipld_encoding::from_slice::<Signature>(&[0x62, 1, 0]).is_err(), "text, not bytes");
    assert_eq!(
        fvm_ipld_encoding::from_slice::<Signature>(&[0x41, 3]).unwrap(),
        Signature::new(SigType::Delegated, vec![])
    );
}

#[test]
fn signed_message_cbor_round_trip_and_shape() {
    let smsg = sign_secp(message(f1(&key(KEY_A))), &key(KEY_A)).unwrap();
    let bytes = smsg.to_bytes();
    assert_eq!(bytes[0], 0x82, "a 2-element CBOR array");
    let unsigned = fvm_ipld_encoding::to_vec(&smsg.message).unwrap();
    assert_eq!(bytes[1..=unsigned.len()], unsigned[..], "the unsigned message comes first");
    assert_eq!(bytes[unsigned.len() + 1..][..3], [0x58, 66, 1], "then the signature bytes");
    assert_eq!(bytes.len(), 1 + unsigned.len() + 2 + 66);
    assert_eq!(SignedMessage::from_bytes(&bytes).unwrap(), smsg);
    assert_eq!(fvm_ipld_encoding::to_vec(&smsg).unwrap(), bytes);
}

#[test]
fn signed_message_decoding_rejects_bad_input() {
    let smsg = sign_secp(message(f1(&key(KEY_A))), &key(KEY_A)).unwrap();
    let bytes = smsg.to_bytes();
    for bad in [
        vec![],
        vec![0x80],
        bytes[..bytes.len() - 1].to_vec(),
        [&bytes[..], &[0]].concat(),
        vec![0x81, 0x40],
    ] {
        assert!(
            matches!(SignedMessage::from_bytes(&bad), Err(MessageError::Decode(_))),
            "{bad:02x?}"
        );
    }
    // An unknown signature type inside a well-formed tuple.
    let mut unknown = bytes.clone();
    let at = unknown.len() - 65 - 1;
    unknown[at] = 9;
    assert!(matches!(SignedMessage::from_bytes(&unknown), Err(MessageError::Decode(_))));
    // A non-minimal length for the signature byte string decodes but is not canonical.
    let mut long_form = bytes[..bytes.len() - 68].to_vec();
    long_form.extend_from_slice(&[0x59, 0, 66]);
    long_form.extend_from_slice(&bytes[bytes.len() - 66..]);
    assert!(matches!(SignedMessage::from_bytes(&long_form), Err(MessageError::NonCanonical)));
    // The gas limit 1_000_000 as an 8-byte integer instead of a 4-byte one.
    let four = [0x1a, 0x00, 0x0f, 0x42, 0x40];
    let at = bytes.windows(5).position(|w| w == four).unwrap();
    let wide =
        [&bytes[..at], &[0x1b, 0, 0, 0, 0, 0x00, 0x0f, 0x42, 0x40][..], &bytes[at + 5..]].concat();
    assert!(matches!(SignedMessage::from_bytes(&wide), Err(MessageError::NonCanonical)));
}

#[test]
fn cid_and_chain_length_depend_on_signature_type() {
    let msg = message(Address::new_id(100));
    let unsigned = fvm_ipld_encoding::to_vec(&msg).unwrap();
    assert_eq!(message_cid(&msg), dag_cbor_cid(&unsigned));

    let bls = SignedMessage::new(msg.clone(), Signature::new(SigType::Bls, vec![1; 96]));
    assert_eq!(bls.cid(), message_cid(&msg), "BLS messages are identified by the unsigned CID");
    assert_eq!(bls.chain_length(), unsigned.len());

    for sig_type in [SigType::Secp256k1, SigType::Delegated] {
        let smsg = SignedMessage::new(msg.clone(), Signature::new(sig_type, vec![1; 65]));
        let signed = smsg.to_bytes();
        assert_eq!(smsg.cid(), dag_cbor_cid(&signed));
        assert_ne!(smsg.cid(), message_cid(&msg));
        assert_eq!(smsg.chain_length(), signed.len());
        assert!(smsg.chain_length() > unsigned.len());
    }
    assert_eq!(message_cid(&msg).codec(), DAG_CBOR);
    assert_eq!(message_cid(&msg).hash().code(), 0xb220);
}

#[test]
fn secp_address_is_blake2b_160_of_the_uncompressed_key() {
    let signer = key(KEY_A);
    let point = signer.credential().verifying_key().to_encoded_point(false);
    assert_eq!(point.as_bytes().len(), 65);
    let hash = blake2b_simd::Params::new().hash_length(20).hash(point.as_bytes());
    let expected = Address::from_bytes(&[&[1u8][..], hash.as_bytes()].concat()).unwrap();
    assert_eq!(f1(&signer), expected);
    assert_ne!(f1(&signer), f1(&key(KEY_B)));
}

#[test]
fn secp_sign_and_verify() {
    let a = key(KEY_A);
    let smsg = sign_secp(message(f1(&a)), &a).unwrap();
    assert_eq!(smsg.signature.sig_type, SigType::Secp256k1);
    assert_eq!(smsg.signature.bytes.len(), 65);
    assert!(smsg.signature.bytes[64] <= 1, "v is a recovery id");
    verify_secp(&smsg).unwrap();
    // Survives encoding.
    verify_secp(&SignedMessage::from_bytes(&smsg.to_bytes()).unwrap()).unwrap();

    // The signed digest is blake2b-256 of the unsigned CID bytes: check it independently.
    let digest =
        blake2b_simd::Params::new().hash_length(32).hash(&message_cid(&smsg.message).to_bytes());
    let sig = alloy_primitives::Signature::from_raw(&smsg.signature.bytes).unwrap();
    let recovered =
        sig.recover_from_prehash(&alloy_primitives::B256::from_slice(digest.as_bytes())).unwrap();
    assert_eq!(secp_address(&recovered), f1(&a));
}

#[test]
fn secp_verify_rejects_wrong_signer_and_tampering() {
    let (a, b) = (key(KEY_A), key(KEY_B));
    // Signed by B for a message from A.
    let forged = sign_secp(message(f1(&a)), &b).unwrap();
    match verify_secp(&forged) {
        Err(SignatureError::WrongSigner { from, recovered }) => {
            assert_eq!(*from, f1(&a));
            assert_eq!(*recovered, f1(&b));
        }
        other => panic!("expected WrongSigner, got {other:?}"),
    }

    let good = sign_secp(message(f1(&a)), &a).unwrap();
    let mut changed = good.clone();
    changed.message.value = TokenAmount::from_atto(1_000_001u64);
    assert!(matches!(verify_secp(&changed), Err(SignatureError::WrongSigner { .. })));
    let mut changed = good.clone();
    changed.message.sequence += 1;
    assert!(matches!(verify_secp(&changed), Err(SignatureError::WrongSigner { .. })));

    let mut bad_v = good.clone();
    bad_v.signature.bytes[64] = 27;
    assert!(matches!(verify_secp(&bad_v), Err(SignatureError::InvalidRecoveryId(27))));
    let mut short = good.clone();
    short.signature.bytes.pop();
    assert!(matches!(verify_secp(&short), Err(SignatureError::InvalidLength(64))));
    let mut zero_r = good.clone();
    zero_r.signature.bytes[..32].fill(0);
    assert!(matches!(verify_secp(&zero_r), Err(SignatureError::Recovery(_))));
    let mut delegated = good;
    delegated.signature.sig_type = SigType::Delegated;
    assert!(matches!(verify_secp(&delegated), Err(SignatureError::WrongType(SigType::Delegated))));

    // A secp signature cannot authenticate a non-f1 sender.
    let f410 = Address::new_delegated(10, &[0x11; 20]).unwrap();
    let smsg = sign_secp(message(f410), &a).unwrap();
    assert!(matches!(verify_secp(&smsg), Err(SignatureError::SenderNotSecp(_))));
    let smsg = sign_secp(message(Address::new_id(5)), &a).unwrap();
    assert!(matches!(verify_secp(&smsg), Err(SignatureError::SenderNotSecp(_))));
}
