//! CREATE/CREATE2 through the EAM, DELEGATECALL, and the SELFDESTRUCT lifecycle (FEVM.md §1.6,
//! §3.5, §3.6, §3.8).

use alloy_primitives::{B256, U256};
use alloy_sol_types::{SolCall, SolConstructor, SolError};
use solidity_fixtures::{
    Child, Destructible, Factory, Implementation, LifecycleFactory, Proxy, RevertingChild, initcode,
};

use crate::harness::{Vm, call, deploy, eth};

#[test]
fn create_uses_the_contract_nonce_starting_at_one() {
    let mut vm = Vm::new();
    let factory = deploy(&mut vm, &Factory::BYTECODE);
    let expected = call(&mut vm, &factory, &Factory::computeCreateAddressCall { nonce: 1 }, 0);
    let child = call(&mut vm, &factory, &Factory::createCall { value: U256::from(7) }, 5);
    assert_eq!(child, expected);
    assert_eq!(child, evm_actor::eam::compute_create_address(&factory, 1));
    assert_eq!(call(&mut vm, &child, &Child::valueCall {}, 0), U256::from(7));
    assert_eq!(call(&mut vm, &child, &Child::creatorCall {}, 0), factory);
    assert_eq!(call(&mut vm, &child, &Child::endowmentCall {}, 0), U256::from(5));
    assert_eq!(vm.balance(&child).atto().to_string(), "5");
    let next = call(&mut vm, &factory, &Factory::createCall { value: U256::from(8) }, 0);
    assert_eq!(next, evm_actor::eam::compute_create_address(&factory, 2));
}

#[test]
fn create2_address_and_collision() {
    let mut vm = Vm::new();
    let factory = deploy(&mut vm, &Factory::BYTECODE);
    let salt = B256::repeat_byte(0x42);
    let expected = call(
        &mut vm,
        &factory,
        &Factory::computeCreate2AddressCall { value: U256::from(1), salt },
        0,
    );
    let twice =
        call(&mut vm, &factory, &Factory::create2TwiceCall { value: U256::from(1), salt }, 0);
    assert_eq!(twice.first, expected);
    assert!(!twice.secondSucceeded, "CREATE2 onto a live contract must fail");
    let ctor = Child::constructorCall { value_: U256::from(1) }.abi_encode();
    let mut code = Child::BYTECODE.to_vec();
    code.extend_from_slice(&ctor);
    assert_eq!(expected, evm_actor::eam::compute_create2_address(&factory, &salt.0, &code));
}

#[test]
fn constructor_revert_data_reaches_the_creator() {
    let mut vm = Vm::new();
    let factory = deploy(&mut vm, &Factory::BYTECODE);
    let ret = call(&mut vm, &factory, &Factory::tryCreateRevertingCall { useCustomError: true }, 0);
    assert!(!ret.ok);
    let error = RevertingChild::ChildFailed::abi_decode(&ret.revertData).unwrap();
    assert_eq!(error.code, U256::from(7));
    // A top-level deployment that reverts: exit 33 with the revert data.
    let alice = vm.alice;
    let code = initcode(
        &RevertingChild::BYTECODE,
        &RevertingChild::constructorCall { useCustomError: false },
    );
    let (out, address) = vm.deploy(&alice, &code, 0);
    assert_eq!((out.exit(), address), (33, None));
    let reason = alloy_sol_types::Revert::abi_decode(&out.output).unwrap();
    assert_eq!(reason.reason, "RevertingChild: constructor reverted");
}

#[test]
fn delegatecall_runs_in_the_proxy_context() {
    let mut vm = Vm::new();
    let alice = vm.alice;
    let implementation = deploy(&mut vm, &Implementation::BYTECODE);
    let proxy =
        deploy(&mut vm, &initcode(&Proxy::BYTECODE, &Proxy::constructorCall { implementation }));
    let out = vm.call(
        &alice,
        &proxy,
        &Implementation::setValueCall { newValue: U256::from(99) }.abi_encode(),
        3,
    );
    assert_eq!(out.exit(), 0, "{:?}", out.ret.failure_info);
    assert_eq!(call(&mut vm, &proxy, &Implementation::valueCall {}, 0), U256::from(99));
    assert_eq!(call(&mut vm, &proxy, &Implementation::lastSenderCall {}, 0), alice);
    assert_eq!(call(&mut vm, &proxy, &Implementation::lastValueCall {}, 0), U256::from(3));
    assert_eq!(call(&mut vm, &implementation, &Implementation::valueCall {}, 0), U256::ZERO);
    // The event is emitted by the proxy.
    let proxy_id = vm.exec.state_tree().lookup_id(&crate::harness::f410(&proxy)).unwrap().unwrap();
    assert_eq!(out.ret.events.len(), 1);
    assert_eq!(out.ret.events[0].emitter, proxy_id);
    let ctx = call(&mut vm, &proxy, &Implementation::contextCall {}, 0);
    assert_eq!((ctx.thisAddress, ctx.sender), (proxy, alice));
}

#[test]
fn selfdestruct_lifecycle() {
    let mut vm = Vm::new();
    let factory = deploy(&mut vm, &LifecycleFactory::BYTECODE);
    let salt = B256::repeat_byte(1);
    let target = call(&mut vm, &factory, &LifecycleFactory::deployCall { salt }, 1_000);
    assert_eq!(call(&mut vm, &target, &Destructible::storedCall {}, 0), U256::from(1));

    // Still callable, with its code, within the destroying message.
    let beneficiary = eth(0x77);
    let r = call(
        &mut vm,
        &factory,
        &LifecycleFactory::destroyAndCallOneCall { target, beneficiary },
        0,
    );
    assert_eq!(r.oneResult, U256::from(1));
    assert!(r.codeSize > U256::ZERO);
    assert_eq!(
        vm.balance(&beneficiary).atto().to_string(),
        "1000",
        "funds went to a new placeholder"
    );

    // Dead in later messages: calls succeed with nothing, storage reads as empty.
    let alice = vm.alice;
    let out = vm.call(&alice, &target, &Destructible::storedCall {}.abi_encode(), 0);
    assert_eq!((out.exit(), out.output.len()), (0, 0));

    // CREATE2 to the same address resurrects it with fresh state.
    let again = call(&mut vm, &factory, &LifecycleFactory::tryDeployCall { salt }, 0);
    assert!(again.ok);
    assert_eq!(again.addr, target);
    assert_eq!(call(&mut vm, &target, &Destructible::storedCall {}, 0), U256::from(1));

    // Redeploying in the message that destroyed it is refused.
    let r = call(
        &mut vm,
        &factory,
        &LifecycleFactory::deployDestroyRedeployCall { salt: B256::repeat_byte(2), beneficiary },
        0,
    );
    assert!(!r.redeployed);
}

#[test]
fn selfdestruct_edge_cases() {
    let mut vm = Vm::new();
    let alice = vm.alice;
    // To itself: a no-op transfer, nothing is burned.
    let (_, d) = vm.deploy(&alice, &Destructible::BYTECODE, 300);
    let d = d.unwrap();
    assert_eq!(vm.call(&alice, &d, &Destructible::destroySelfCall {}.abi_encode(), 0).exit(), 0);
    assert_eq!(vm.balance(&d).atto().to_string(), "300");
    // Funds sent to a dead contract stay there.
    assert_eq!(vm.call(&alice, &d, &[], 5).exit(), 0);
    assert_eq!(vm.balance(&d).atto().to_string(), "305");
    // A missing masked-ID beneficiary aborts with exit 40.
    let (_, d2) = vm.deploy(&alice, &Destructible::BYTECODE, 10);
    let ghost = address_mapping::masked_id_address(888_888);
    let out = vm.call(
        &alice,
        &d2.unwrap(),
        &Destructible::destroyCall { beneficiary: ghost }.abi_encode(),
        0,
    );
    assert_eq!(out.exit(), 40);
    // Self-destruct in the constructor: deployed with empty code, endowment paid out.
    let beneficiary = eth(0x66);
    let code = initcode(
        &solidity_fixtures::SelfDestructInConstructor::BYTECODE,
        &solidity_fixtures::SelfDestructInConstructor::constructorCall { beneficiary },
    );
    let (out, address) = vm.deploy(&alice, &code, 70);
    assert_eq!(out.exit(), 0, "{:?}", out.ret.failure_info);
    assert_eq!(vm.balance(&beneficiary).atto().to_string(), "70");
    let env = {
        let (_, e) = vm.deploy(&alice, &solidity_fixtures::Env::BYTECODE, 0);
        e.unwrap()
    };
    let size = vm.call(
        &alice,
        &env,
        &solidity_fixtures::Env::codeSizeCall { account: address.unwrap() }.abi_encode(),
        0,
    );
    assert_eq!(U256::from_be_slice(&size.output), U256::ZERO);
}
