//! Genesis, the three mining modes, null rounds, and the three transaction types end to end.

use std::time::Duration;

use alloy_primitives::{Address as EthAddress, B256};
use chain::block::tipset_key_cid;
use chain::{ChainConfig, DevApi, DevNode, FullNode, MiningMode, NodeError};
use filecoin_vm::BuiltinType;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

use super::harness::*;

#[test]
fn genesis_has_the_singletons_the_eam_and_funded_dev_accounts() {
    let node = manual();
    let head = node.chain_head();
    assert_eq!(head.height(), 0);
    assert_eq!(head.timestamp(), 1_700_000_000);
    assert_eq!(head.hash.0, tipset_key_cid(&head.key()).unwrap().hash().digest());
    assert_eq!(node.chain_get_tipset_by_hash(&head.hash).unwrap().unwrap().height(), 0);
    for (id, kind) in [
        (0, BuiltinType::System),
        (1, BuiltinType::Init),
        (2, BuiltinType::Reward),
        (10, BuiltinType::Eam),
        (99, BuiltinType::Account),
    ] {
        let (_, actor) = node.state_get_actor(&Address::new_id(id), &head).unwrap().unwrap();
        assert_eq!(BuiltinType::from_code(&actor.code), Some(kind), "f0{id}");
    }
    assert_eq!(node.dev_accounts().len(), 4);
    let first = &node.dev_accounts()[0];
    assert_eq!(first.address.to_string(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    let (_, actor) = node.state_get_actor(&first.f410, &head).unwrap().unwrap();
    assert_eq!(BuiltinType::from_code(&actor.code), Some(BuiltinType::EthAccount));
    assert_eq!(actor.balance, TokenAmount::from_whole(10_000));
    let zero = f410(EthAddress::ZERO);
    assert!(node.state_get_actor(&zero, &head).unwrap().is_some(), "0x0 EthAccount");
}

#[test]
fn instant_mining_includes_each_transaction_type() {
    let node = DevNode::start(config(MiningMode::Instant)).unwrap();
    let k = key(&node, 0);
    let to = EthAddress::repeat_byte(0x42);
    let raws = [
        eip1559(&k, 0, Some(to), 1_000, vec![]),
        legacy(&k, 1, to, 2_000, Some(CHAIN_ID)),
        legacy(&k, 2, to, 3_000, None),
    ];
    let mut last = None;
    for raw in &raws {
        let pending = push(&node, raw);
        assert_eq!(pending.eth_hash, alloy_primitives::keccak256(raw));
        let at = wait_for(&node, &pending.eth_hash);
        assert!(receipt(&node, at).exit_code.is_success());
        last = Some(at);
    }
    // Sending to an unknown 0x address created a placeholder holding all three values.
    assert_eq!(balance(&node, &f410(to)), TokenAmount::from_atto(6_000));
    let ts = node.chain_get_tipset_by_height(last.unwrap().height).unwrap().unwrap();
    assert!(ts.gas_used > 0);
    assert_eq!(node.mpool_pending().len(), 0);
    node.shutdown();
}

#[test]
fn manual_mining_mines_only_on_request_and_takes_everything_pending() {
    let node = manual();
    let k = key(&node, 1);
    for nonce in 0..5 {
        push(&node, &eip1559(&k, nonce, Some(EthAddress::repeat_byte(7)), 1, vec![]));
    }
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(node.chain_head().height(), 0);
    assert_eq!(node.mpool_get_nonce(&f410(k.address())).unwrap(), 5);
    let mined = node.mine(2).unwrap();
    assert_eq!(mined[0].messages.len(), 5);
    assert_eq!(mined[1].messages.len(), 0);
    assert_eq!(node.chain_head().height(), 2);
    // The second tipset's header carries the first one's execution results.
    assert_eq!(mined[1].header.parent_state_root, mined[0].state_root);
    assert_eq!(mined[1].header.parent_message_receipts, mined[0].receipts_root);
    assert_eq!(mined[1].parent_hash, mined[0].hash);
    assert_eq!(node.chain_get_receipts(&mined[0]).unwrap().len(), 5);
}

#[test]
fn null_rounds_leave_gaps_that_state_reads_skip() {
    let config = ChainConfig { null_rounds: 1, ..config(MiningMode::Manual) };
    let node = DevNode::start(config).unwrap();
    let mined = node.mine(2).unwrap();
    assert_eq!((mined[0].height(), mined[1].height()), (2, 4));
    assert!(node.chain_get_tipset_by_height(1).unwrap().is_none());
    assert!(node.chain_get_tipset_by_height(3).unwrap().is_none());
    assert_eq!(node.chain_get_tipset_at_or_before(3).unwrap().unwrap().height(), 2);
    assert_eq!(mined[1].parent_hash, mined[0].hash);
}

#[test]
fn interval_mining_produces_tipsets_without_transactions() {
    let config = config(MiningMode::Interval(Duration::from_millis(50)));
    let node = DevNode::start(config).unwrap();
    let mut heads = node.subscribe_heads();
    // Three heads in a row arrive with nothing sent: each the next height, each empty.
    let first = next_head(&mut heads);
    for i in 1..3 {
        let head = next_head(&mut heads);
        assert_eq!(head.height(), first.height() + i);
        assert!(head.messages.is_empty());
    }
    node.shutdown();
}

#[test]
fn the_base_fee_follows_fip_0115_from_the_initial_value() {
    let node = manual();
    let genesis = node.chain_head();
    assert_eq!(genesis.base_fee(), &TokenAmount::from_atto(100_000_000));
    let mined = node.mine(2).unwrap();
    assert_eq!(mined[0].base_fee(), &TokenAmount::from_atto(87_500_000));
    assert_eq!(mined[1].base_fee(), &TokenAmount::from_atto(76_562_500));
    assert_eq!(node.next_base_fee(), TokenAmount::from_atto(66_992_187));
}

#[test]
fn native_f1_messages_are_mined_and_indexed_by_cid_digest() {
    let config = ChainConfig { f1_accounts: 1, ..config(MiningMode::Manual) };
    let node = DevNode::start(config).unwrap();
    let sender = node.native_accounts()[0].clone();
    let to = node.dev_accounts()[0].f410;
    let msg = fvm_shared::message::Message {
        version: 0,
        from: sender.address,
        to,
        sequence: 0,
        value: TokenAmount::from_atto(777),
        method_num: 0,
        params: Default::default(),
        gas_limit: GAS,
        gas_fee_cap: TokenAmount::from_atto(FEE_CAP),
        gas_premium: TokenAmount::from_atto(TIP),
    };
    let before = balance(&node, &to);
    let signed = chain::message::sign_secp(msg, &sender.signer).unwrap();
    let pending = node.mpool_push(signed.clone()).unwrap();
    assert_eq!(pending.eth_hash, B256::from_slice(signed.cid().hash().digest()));
    node.mine(1).unwrap();
    let at = node.state_search_tx(&pending.eth_hash).unwrap().unwrap();
    assert_eq!(node.state_search_msg(&signed.cid()).unwrap(), Some(at));
    assert_eq!(balance(&node, &to), before + TokenAmount::from_atto(777));
}

#[test]
fn the_dev_clock_stamps_the_next_tipsets() {
    let node =
        DevNode::start(ChainConfig { genesis_time: None, ..config(MiningMode::Manual) }).unwrap();
    let now = node.clock().now();
    node.clock().advance(86_400);
    let after = node.mine(1).unwrap()[0].timestamp();
    assert!(after >= now + 86_400, "{now} -> {after}");
    node.clock().set_next_timestamp(after + 1_000_000);
    assert_eq!(node.mine(1).unwrap()[0].timestamp(), after + 1_000_000);
}

#[test]
fn mining_on_request_stops_with_the_node() {
    let node = manual();
    node.shutdown();
    assert!(matches!(node.mine(1), Err(NodeError::Unavailable)), "a stopped node mines no more");
}
