//! An ERC-20 and a counter through the EAM and the EVM actor.

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent};
use fvm_shared::event::Flags;
use solidity_fixtures::{Counter, Token, initcode};

use crate::harness::Vm;

fn deploy_token(vm: &mut Vm, supply: u64) -> Address {
    let alice = vm.alice;
    let code = initcode(&Token::BYTECODE, &Token::constructorCall { supply: U256::from(supply) });
    let (out, address) = vm.deploy(&alice, &code, 0);
    assert_eq!(out.exit(), 0, "deploy failed: {:?}", out.ret.failure_info);
    address.unwrap()
}

fn balance_of(vm: &mut Vm, token: &Address, who: Address) -> U256 {
    let alice = vm.alice;
    let out = vm.call(&alice, token, &Token::balanceOfCall { account: who }.abi_encode(), 0);
    assert_eq!(out.exit(), 0);
    Token::balanceOfCall::abi_decode_returns(&out.output).unwrap()
}

#[test]
fn erc20_transfer_moves_balances_and_logs_transfer() {
    let mut vm = Vm::new();
    let (alice, bob) = (vm.alice, vm.bob);
    let token = deploy_token(&mut vm, 1_000);
    assert_eq!(balance_of(&mut vm, &token, alice), U256::from(1_000));

    let out = vm.call(
        &alice,
        &token,
        &Token::transferCall { to: bob, value: U256::from(250) }.abi_encode(),
        0,
    );
    assert_eq!(out.exit(), 0, "{:?}", out.ret.failure_info);
    assert!(Token::transferCall::abi_decode_returns(&out.output).unwrap());
    assert_eq!(balance_of(&mut vm, &token, alice), U256::from(750));
    assert_eq!(balance_of(&mut vm, &token, bob), U256::from(250));

    // LOG3 → one actor event: t1 = signature, t2 = from, t3 = to, d = value; all indexed, raw.
    assert_eq!(out.ret.events.len(), 1);
    let entries = &out.ret.events[0].event.entries;
    let keys: Vec<_> = entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["t1", "t2", "t3", "d"]);
    assert!(entries.iter().all(|e| e.flags == Flags::FLAG_INDEXED_ALL && e.codec == 0x55));
    assert_eq!(entries[0].value, Token::Transfer::SIGNATURE_HASH.to_vec());
    assert_eq!(entries[1].value, alice.into_word().to_vec());
    assert_eq!(entries[2].value, bob.into_word().to_vec());
    assert_eq!(entries[3].value, U256::from(250).to_be_bytes::<32>().to_vec());
    assert!(out.ret.receipt.events_root.is_some());
}

#[test]
fn erc20_custom_error_reverts_with_exit_33_and_its_data() {
    let mut vm = Vm::new();
    let (alice, bob) = (vm.alice, vm.bob);
    let token = deploy_token(&mut vm, 10);
    let out = vm.call(
        &bob,
        &token,
        &Token::transferCall { to: alice, value: U256::from(5) }.abi_encode(),
        0,
    );
    assert_eq!(out.exit(), 33);
    let error = Token::InsufficientBalance::abi_decode(&out.output).unwrap();
    assert_eq!((error.account, error.balance, error.needed), (bob, U256::ZERO, U256::from(5)));
    assert!(out.ret.events.is_empty());
    assert_eq!(balance_of(&mut vm, &token, alice), U256::from(10), "nothing moved");
}

#[test]
fn counter_keeps_state_across_messages() {
    let mut vm = Vm::new();
    let alice = vm.alice;
    let (out, counter) = vm.deploy(&alice, &Counter::BYTECODE, 0);
    assert_eq!(out.exit(), 0);
    let counter = counter.unwrap();
    for expected in 1..=3u64 {
        let out = vm.call(&alice, &counter, &Counter::incrementCall {}.abi_encode(), 0);
        assert_eq!(
            Counter::incrementCall::abi_decode_returns(&out.output).unwrap(),
            U256::from(expected)
        );
    }
    let out = vm.call(&alice, &counter, &Counter::getCall {}.abi_encode(), 0);
    assert_eq!(Counter::getCall::abi_decode_returns(&out.output).unwrap(), U256::from(3));
    // The deployer's next deployment lands at the address for its next nonce.
    assert_eq!(counter, evm_actor::eam::compute_create_address(&alice, 0));
}
