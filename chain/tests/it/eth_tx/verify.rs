//! `verify_delegated`: tampered and foreign messages are refused.

use super::*;

// --- verify_delegated ---------------------------------------------------------------------

pub(crate) fn sample_messages() -> Vec<SignedMessage> {
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
