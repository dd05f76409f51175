//! Every refusal of a raw transaction, each asserted to its own error.

use super::*;

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
