//! Pool ordering, gaps, replacement, and every refusal with its reason.

use alloy_consensus::TxEip1559;
use alloy_primitives::{Address as EthAddress, Bytes, TxKind, U256};
use chain::api::PushError;
use chain::eth_tx::TxError;
use chain::mempool::PoolRefusal;
use chain::{DevApi, FullNode};

use super::harness::*;

fn tx(nonce: u64) -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: GAS,
        max_fee_per_gas: FEE_CAP,
        max_priority_fee_per_gas: TIP,
        to: TxKind::Call(EthAddress::repeat_byte(9)),
        value: U256::from(1),
        access_list: Default::default(),
        input: Bytes::new(),
    }
}

#[test]
fn a_nonce_gap_holds_later_messages_back_until_it_is_filled() {
    let node = manual();
    let k = key(&node, 0);
    let sender = f410(k.address());
    push(&node, &sign_1559(&k, tx(1)));
    push(&node, &sign_1559(&k, tx(2)));
    assert_eq!(node.mpool_get_nonce(&sender).unwrap(), 0, "pending nonce stops at the gap");
    assert!(node.mine(1).unwrap()[0].messages.is_empty());
    let first = push(&node, &sign_1559(&k, tx(0)));
    assert_eq!(node.mpool_get_nonce(&sender).unwrap(), 3);
    let ts = &node.mine(1).unwrap()[0];
    assert_eq!(ts.messages.len(), 3);
    assert_eq!(ts.messages[0], first.cid, "nonce order within a sender");
    assert!(node.mpool_pending().is_empty());
}

#[test]
fn selection_orders_senders_by_premium() {
    let node = manual();
    let (low, high) = (key(&node, 0), key(&node, 1));
    let cheap = push(&node, &sign_1559(&low, tx(0)));
    let rich =
        push(&node, &sign_1559(&high, TxEip1559 { max_priority_fee_per_gas: TIP * 50, ..tx(0) }));
    let ts = &node.mine(1).unwrap()[0];
    assert_eq!(ts.messages, vec![rich.cid, cheap.cid]);
}

#[test]
fn replacement_needs_ten_percent_more_fee_cap_and_premium() {
    let node = manual();
    let k = key(&node, 0);
    let original = push(&node, &sign_1559(&k, tx(0)));
    let same = refusal(&node, &sign_1559(&k, tx(0)));
    assert!(matches!(same, PushError::Pool(PoolRefusal::AlreadyKnown)), "{same}");
    assert_eq!(same.to_string(), "already known");

    let small_bump = TxEip1559 {
        max_fee_per_gas: FEE_CAP * 105 / 100,
        max_priority_fee_per_gas: TIP * 2,
        ..tx(0)
    };
    let err = refusal(&node, &sign_1559(&k, small_bump));
    assert!(err.to_string().starts_with("replacement transaction underpriced"), "{err}");

    let bumped = TxEip1559 {
        max_fee_per_gas: FEE_CAP * 110 / 100,
        max_priority_fee_per_gas: TIP * 110 / 100,
        ..tx(0)
    };
    let replacement = push(&node, &sign_1559(&k, bumped));
    assert!(node.mpool_find(Some(&original.cid), None).is_none());
    assert!(node.mpool_find(None, Some(&original.eth_hash)).is_none());
    assert_eq!(node.mpool_pending().len(), 1);
    assert_eq!(node.mine(1).unwrap()[0].messages, vec![replacement.cid]);
}

#[test]
fn every_refusal_says_why() {
    let node = manual();
    let k = key(&node, 0);
    push(&node, &sign_1559(&k, tx(0)));
    node.mine(1).unwrap();

    let err = refusal(&node, &sign_1559(&k, tx(0)));
    assert!(matches!(err, PushError::NonceTooLow { next: 1, nonce: 0 }), "{err}");
    assert!(err.to_string().starts_with("nonce too low"));

    let err = refusal(&node, &sign_1559(&k, tx(1_500)));
    assert!(matches!(err, PushError::Pool(PoolRefusal::NonceTooHigh { .. })), "{err}");

    let rich = TxEip1559 { value: U256::from(10u128.pow(22)), ..tx(1) };
    let err = refusal(&node, &sign_1559(&k, rich));
    assert!(err.to_string().starts_with("insufficient funds for gas * price + value"), "{err}");

    let starved = TxEip1559 { gas_limit: 21_000, ..tx(1) };
    let err = refusal(&node, &sign_1559(&k, starved));
    assert!(matches!(err, PushError::IntrinsicGasTooLow { limit: 21_000, .. }), "{err}");
    assert!(err.to_string().starts_with("intrinsic gas too low"));

    let huge = TxEip1559 { gas_limit: 10_000_000_001, ..tx(1) };
    let err = refusal(&node, &sign_1559(&k, huge));
    assert!(err.to_string().starts_with("exceeds block gas limit"), "{err}");

    let below_base = TxEip1559 { max_fee_per_gas: 100, max_priority_fee_per_gas: 1, ..tx(1) };
    let err = refusal(&node, &sign_1559(&k, below_base));
    assert!(err.to_string().starts_with("max fee per gas less than block base fee"), "{err}");

    let tip_above_cap = TxEip1559 { max_priority_fee_per_gas: FEE_CAP + 1, ..tx(1) };
    let err = refusal(&node, &sign_1559(&k, tip_above_cap));
    assert!(matches!(err, PushError::PremiumAboveFeeCap { .. }), "{err}");

    let wrong_chain = TxEip1559 { chain_id: 1, ..tx(1) };
    let err = refusal(&node, &sign_1559(&k, wrong_chain));
    assert!(matches!(err, PushError::Transaction(TxError::WrongChainId { .. })), "{err}");

    let big =
        TxEip1559 { input: Bytes::from(vec![1u8; 70_000]), gas_limit: 1_000_000_000, ..tx(1) };
    let err = refusal(&node, &sign_1559(&k, big));
    assert!(matches!(err, PushError::Oversized { .. }), "{err}");
    assert!(err.to_string().starts_with("oversized data"));

    let err = refusal(&node, &[0xc0]);
    assert!(matches!(err, PushError::Transaction(_)), "{err}");

    // A pending message counts against the balance of the next one.
    let half = 10u128.pow(22) / 2 - u128::from(GAS) * FEE_CAP;
    push(&node, &sign_1559(&k, TxEip1559 { value: U256::from(half), ..tx(1) }));
    let err = refusal(&node, &sign_1559(&k, TxEip1559 { value: U256::from(half), ..tx(2) }));
    assert!(matches!(err, PushError::InsufficientFunds { .. }), "{err}");
    assert_eq!(node.mpool_pending().len(), 1, "refusals lose nothing already queued");
}
