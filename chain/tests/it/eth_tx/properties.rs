//! Properties: decoding never panics, and whatever is accepted round-trips and verifies.

use super::*;

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
