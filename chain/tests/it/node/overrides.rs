//! Read-only calls over overridden state: code, storage, balance and nonce per address, and the
//! block context; nothing of it is kept.

use alloy_primitives::{Address as EthAddress, U256};
use alloy_sol_types::SolCall;
use chain::{
    AccountOverride, BlockOverride, CallOverrides, DevNode, FullNode, InvocResult, NodeError,
    StorageOverride,
};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use solidity_fixtures::{Counter, Env, Token, initcode};

use super::harness::*;

const LIMIT: u64 = 10_000_000_000;

fn call(node: &DevNode, msg: &Message, overrides: &CallOverrides) -> InvocResult {
    node.state_call(msg, &node.chain_head(), overrides).unwrap()
}

/// Calls `to` from `from` and decodes the single-word return.
fn word(
    node: &DevNode,
    from: EthAddress,
    to: EthAddress,
    data: Vec<u8>,
    o: &CallOverrides,
) -> U256 {
    let ret = call(node, &invoke(from, to, data, LIMIT), o);
    assert!(
        ret.receipt.exit_code.is_success(),
        "{:?}: {:?}",
        ret.receipt.exit_code,
        ret.failure_info
    );
    let out: RawBytes = fvm_ipld_encoding::from_slice(ret.receipt.return_data.bytes()).unwrap();
    U256::from_be_slice(out.bytes())
}

fn at(address: EthAddress, change: AccountOverride) -> CallOverrides {
    CallOverrides { accounts: vec![(f410(address), change)], ..CallOverrides::NONE }
}

fn override_error(node: &DevNode, msg: &Message, overrides: &CallOverrides) -> String {
    let err = node.state_call(msg, &node.chain_head(), overrides).unwrap_err();
    match err {
        NodeError::InvalidOverride(bad) => bad.to_string(),
        other => panic!("expected an override error, got {other}"),
    }
}

#[test]
fn code_and_storage_make_a_contract_where_there_was_none() {
    let node = manual();
    let me = key(&node, 0).address();
    let nowhere = EthAddress::repeat_byte(0x77);
    let code = Some(Counter::DEPLOYED_BYTECODE.to_vec());
    let get = Counter::getCall {}.abi_encode();

    let fresh = at(nowhere, AccountOverride { code: code.clone(), ..Default::default() });
    assert_eq!(word(&node, me, nowhere, get.clone(), &fresh), U256::ZERO);

    let slot0 = vec![(U256::ZERO, U256::from(41u64))];
    let patched = at(
        nowhere,
        AccountOverride {
            code,
            storage: Some(StorageOverride::Patch(slot0)),
            ..Default::default()
        },
    );
    assert_eq!(word(&node, me, nowhere, get, &patched), U256::from(41u64));
    // A write inside the call sees the overridden slot too.
    let add = Counter::addCall { amount: U256::from(1u64) }.abi_encode();
    assert_eq!(word(&node, me, nowhere, add, &patched), U256::from(42u64));

    assert!(node.state_get_actor(&f410(nowhere), &node.chain_head()).unwrap().is_none());
}

#[test]
fn storage_of_a_deployed_contract_is_replaced_or_patched() {
    let node = manual();
    let me = key(&node, 0).address();
    let supply = U256::from(1_000u64);
    let token = deploy(&node, initcode(&Token::BYTECODE, &Token::constructorCall { supply }));
    let balance = Token::balanceOfCall { account: me }.abi_encode();

    let wiped = at(
        token,
        AccountOverride { storage: Some(StorageOverride::Replace(vec![])), ..Default::default() },
    );
    assert_eq!(word(&node, me, token, balance.clone(), &wiped), U256::ZERO);
    let far_slot = vec![(U256::from(12_345u64), U256::from(1u64))];
    let patched = at(
        token,
        AccountOverride { storage: Some(StorageOverride::Patch(far_slot)), ..Default::default() },
    );
    assert_eq!(word(&node, me, token, balance.clone(), &patched), supply);
    // New code over old storage: Counter's slot 0 is whatever Token keeps there.
    let recoded = at(
        token,
        AccountOverride { code: Some(Counter::DEPLOYED_BYTECODE.to_vec()), ..Default::default() },
    );
    let get = Counter::getCall {}.abi_encode();
    let slot0 = word(&node, me, token, get, &recoded);
    assert_eq!(slot0, supply, "Token keeps totalSupply in slot 0");
    // The chain is untouched.
    assert_eq!(word(&node, me, token, balance, &CallOverrides::NONE), supply);
}

#[test]
fn balance_and_nonce_overrides_change_what_the_call_sees() {
    let node = manual();
    let me = key(&node, 0).address();
    let env = deploy(&node, Env::BYTECODE.to_vec());
    let poor = EthAddress::repeat_byte(0x55);
    let rich = TokenAmount::from_whole(5);

    let funded = at(poor, AccountOverride { balance: Some(rich), ..Default::default() });
    let balance_of = Env::balanceOfCall { account: poor }.abi_encode();
    assert_eq!(
        word(&node, me, env, balance_of.clone(), &funded),
        U256::from(5u64) * U256::from(10u64).pow(U256::from(18u64))
    );
    assert_eq!(word(&node, me, env, balance_of, &CallOverrides::NONE), U256::ZERO);

    // A poor sender cannot pay the value; a funded one can.
    let pay = Message {
        value: TokenAmount::from_atto(7),
        ..invoke(poor, env, Env::callValueCall {}.abi_encode(), LIMIT)
    };
    assert!(!call(&node, &pay, &CallOverrides::NONE).receipt.exit_code.is_success());
    let paid = call(&node, &pay, &funded);
    assert!(paid.receipt.exit_code.is_success(), "{:?}", paid.failure_info);

    // The sender's nonce decides where its deployment lands.
    let deploy_msg = Message {
        to: Address::new_id(10),
        method_num: evm_actor::methods::EAM_CREATE_EXTERNAL_METHOD,
        ..invoke(me, me, Counter::BYTECODE.to_vec(), LIMIT)
    };
    let nonce_9 = at(me, AccountOverride { nonce: Some(9), ..Default::default() });
    let ret = call(&node, &deploy_msg, &nonce_9);
    assert!(ret.receipt.exit_code.is_success(), "{:?}", ret.failure_info);
    let created: evm_actor::methods::EamReturn =
        fvm_ipld_encoding::from_slice(ret.receipt.return_data.bytes()).unwrap();
    assert_eq!(EthAddress::from(created.eth_address), me.create(9));
}

#[test]
fn block_overrides_change_number_time_and_base_fee() {
    let node = manual();
    let me = key(&node, 0).address();
    let env = deploy(&node, Env::BYTECODE.to_vec());
    let overrides = CallOverrides {
        block: BlockOverride {
            epoch: Some(1_000),
            timestamp: Some(1_900_000_000),
            base_fee: Some(TokenAmount::from_atto(12_345)),
        },
        ..CallOverrides::NONE
    };
    let number = Env::blockNumberCall {}.abi_encode();
    assert_eq!(word(&node, me, env, number.clone(), &overrides), U256::from(1_000u64));
    assert_eq!(
        word(&node, me, env, Env::timestampCall {}.abi_encode(), &overrides),
        U256::from(1_900_000_000u64)
    );
    assert_eq!(
        word(&node, me, env, Env::baseFeeCall {}.abi_encode(), &overrides),
        U256::from(12_345u64)
    );
    let real = node.chain_head().height();
    assert_eq!(word(&node, me, env, number, &CallOverrides::NONE), U256::from(real as u64));
}

#[test]
fn impossible_overrides_are_the_callers_mistake() {
    let node = manual();
    let me = key(&node, 0).address();
    let msg = invoke(me, me, vec![], LIMIT);
    let code = || AccountOverride { code: Some(vec![0x00]), ..Default::default() };

    // The system actor (f00) runs no EVM code.
    let system =
        CallOverrides { accounts: vec![(Address::new_id(0), code())], ..CallOverrides::NONE };
    assert!(override_error(&node, &msg, &system).contains("runs no EVM code"));
    // A masked ID that names no actor.
    let missing =
        CallOverrides { accounts: vec![(Address::new_id(999_999), code())], ..CallOverrides::NONE };
    assert!(override_error(&node, &msg, &missing).contains("no actor has that address"));
    // Storage needs code.
    let storage_only = at(
        EthAddress::repeat_byte(0x66),
        AccountOverride { storage: Some(StorageOverride::Replace(vec![])), ..Default::default() },
    );
    assert!(override_error(&node, &msg, &storage_only).contains("set `code` as well"));
}
