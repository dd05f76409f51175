//! Historical state, read-only calls from any sender, gas estimation, logs and hash lookups.

use alloy_primitives::{Address as EthAddress, U256};
use alloy_sol_types::{SolCall, SolEvent};
use chain::{CallOverrides, DevApi, FullNode, LogFilter};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::message::Message;
use solidity_fixtures::{Token, initcode};

use super::harness::*;

fn balance_of(node: &chain::DevNode, token: EthAddress, who: EthAddress, height: i64) -> U256 {
    let ts = node.chain_get_tipset_by_height(height).unwrap().unwrap();
    let call = Token::balanceOfCall { account: who }.abi_encode();
    let ret = node
        .state_call(
            &invoke(EthAddress::ZERO, token, call, 10_000_000_000),
            &ts,
            &CallOverrides::NONE,
        )
        .unwrap();
    assert!(ret.receipt.exit_code.is_success(), "{:?}", ret.failure_info);
    let out: RawBytes = fvm_ipld_encoding::from_slice(ret.receipt.return_data.bytes()).unwrap();
    Token::balanceOfCall::abi_decode_returns(out.bytes()).unwrap()
}

#[test]
fn erc20_state_logs_and_history() {
    let node = manual();
    let k = key(&node, 0);
    let me = k.address();
    let token = deploy(
        &node,
        initcode(&Token::BYTECODE, &Token::constructorCall { supply: U256::from(1_000u64) }),
    );
    let deployed_at = node.chain_head().height();
    let bob = EthAddress::repeat_byte(0xb0);
    let transfer = Token::transferCall { to: bob, value: U256::from(250u64) }.abi_encode();
    let pending = push(&node, &eip1559(&k, 1, Some(token), 0, transfer));
    node.mine(1).unwrap();
    let at = node.state_search_tx(&pending.eth_hash).unwrap().unwrap();
    assert_eq!(node.state_search_msg(&pending.cid).unwrap(), Some(at));
    assert!(receipt(&node, at).exit_code.is_success());

    // State at each height.
    assert_eq!(balance_of(&node, token, bob, deployed_at), U256::ZERO);
    assert_eq!(balance_of(&node, token, bob, at.height), U256::from(250u64));
    assert_eq!(balance_of(&node, token, me, at.height), U256::from(750u64));

    // Logs: the mint at deployment and the transfer, with block-relative indices.
    let all = node.get_logs(0, at.height, &LogFilter::default()).unwrap();
    assert_eq!(all.len(), 2);
    let (ts, log) = &all[1];
    assert_eq!(ts.height(), at.height);
    assert_eq!(log.address, token);
    assert_eq!(log.topics[0], Token::Transfer::SIGNATURE_HASH);
    assert_eq!(log.topics[2], bob.into_word());
    assert_eq!(log.log_index, 0);
    let to_bob =
        LogFilter { addresses: vec![token], topics: vec![vec![], vec![], vec![bob.into_word()]] };
    assert_eq!(node.get_logs(0, at.height, &to_bob).unwrap().len(), 1);
    let elsewhere = LogFilter { addresses: vec![EthAddress::repeat_byte(1)], topics: vec![] };
    assert!(node.get_logs(0, at.height, &elsewhere).unwrap().is_empty());
    assert!(ts.bloom.contains_input(alloy_primitives::BloomInput::Raw(token.as_slice())));
}

#[test]
fn calls_run_from_any_sender_and_keep_nothing() {
    let node = manual();
    let token = deploy(
        &node,
        initcode(&Token::BYTECODE, &Token::constructorCall { supply: U256::from(5u64) }),
    );
    let head = node.chain_head();
    let nobody = EthAddress::repeat_byte(0x77);
    // From a missing address, and from the contract itself.
    for from in [nobody, token] {
        let call = Token::balanceOfCall { account: from }.abi_encode();
        let ret = node
            .state_call(&invoke(from, token, call, 10_000_000_000), &head, &CallOverrides::NONE)
            .unwrap();
        assert!(ret.receipt.exit_code.is_success(), "{:?}", ret.failure_info);
    }
    assert!(node.state_get_actor(&f410(nobody), &head).unwrap().is_none(), "nothing kept");
    // A failing transfer reverts with exit 33 and the custom error's data.
    let call = Token::transferCall { to: nobody, value: U256::from(6u64) }.abi_encode();
    let me = key(&node, 0).address();
    let ret = node
        .state_call(&invoke(me, token, call, 10_000_000_000), &head, &CallOverrides::NONE)
        .unwrap();
    assert_eq!(ret.receipt.exit_code.value(), 33);
}

#[test]
fn gas_estimates_are_enough_and_close() {
    let node = manual();
    let k = key(&node, 0);
    let token = deploy(
        &node,
        initcode(&Token::BYTECODE, &Token::constructorCall { supply: U256::from(100u64) }),
    );
    let call = Token::transferCall { to: EthAddress::repeat_byte(3), value: U256::from(1u64) }
        .abi_encode();
    let estimate = node
        .estimate_gas(
            &invoke(k.address(), token, call.clone(), 0),
            &node.chain_head(),
            &CallOverrides::NONE,
        )
        .unwrap();

    let tx = alloy_consensus::TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 1,
        gas_limit: estimate,
        max_fee_per_gas: FEE_CAP,
        max_priority_fee_per_gas: TIP,
        to: alloy_primitives::TxKind::Call(token),
        value: U256::ZERO,
        access_list: Default::default(),
        input: call.into(),
    };
    let pending = push(&node, &sign_1559(&k, tx));
    node.mine(1).unwrap();
    let r = receipt(&node, node.state_search_tx(&pending.eth_hash).unwrap().unwrap());
    assert!(r.exit_code.is_success());
    assert!(estimate >= r.gas_used, "estimate {estimate} below use {}", r.gas_used);
    assert!(estimate <= r.gas_used * 112 / 100, "estimate {estimate} far above use {}", r.gas_used);

    let bad = Token::transferCall { to: EthAddress::repeat_byte(3), value: U256::from(10_000u64) }
        .abi_encode();
    let err = node
        .estimate_gas(&invoke(k.address(), token, bad, 0), &node.chain_head(), &CallOverrides::NONE)
        .unwrap_err();
    assert!(
        matches!(err, chain::EstimateError::Failed(ref r) if r.receipt.exit_code.value() == 33)
    );
}

#[test]
fn a_simulated_deployment_returns_the_runtime_code_and_deploys_nothing() {
    let node = manual();
    let me = key(&node, 0).address();
    let code = initcode(&Token::BYTECODE, &Token::constructorCall { supply: U256::from(1u64) });
    let msg = Message {
        to: fvm_shared::address::Address::new_id(10),
        method_num: evm_actor::methods::EAM_CREATE_EXTERNAL_METHOD,
        ..invoke(me, me, code, 10_000_000_000)
    };
    let head = node.chain_head();
    let ret = node.state_call(&msg, &head, &CallOverrides::NONE).unwrap();
    assert!(ret.receipt.exit_code.is_success(), "{:?}", ret.failure_info);
    assert_eq!(ret.deployed_code.unwrap().as_ref(), Token::DEPLOYED_BYTECODE.as_ref());
    assert_eq!(node.mpool_get_nonce(&f410(me)).unwrap(), 0);
}

#[test]
fn gas_does_not_depend_on_what_ran_before() {
    // Caches (shared state reads, analysed bytecode) must never change what a message pays.
    let node = manual();
    let me = key(&node, 0).address();
    let token = deploy(
        &node,
        initcode(&Token::BYTECODE, &Token::constructorCall { supply: U256::from(9u64) }),
    );
    let head = node.chain_head();
    let call = Token::balanceOfCall { account: me }.abi_encode();
    let gas: Vec<u64> = (0..3)
        .map(|_| {
            let msg = invoke(me, token, call.clone(), 10_000_000_000);
            node.state_call(&msg, &head, &CallOverrides::NONE).unwrap().receipt.gas_used
        })
        .collect();
    assert_eq!(gas[0], gas[1]);
    assert_eq!(gas[1], gas[2]);
}
