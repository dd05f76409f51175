//! Deployment paths of the EAM, reentrancy, MCOPY and event ordering across frames.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::{SolCall, SolEvent};
use fvm_ipld_encoding::{BytesSer, RawBytes};
use fvm_shared::address::Address as FilAddress;
use fvm_shared::econ::TokenAmount;
use solidity_fixtures::{
    Attacker, ConstructorEnv, Destructible, Events, GuardedBank, MCopy, VulnerableBank, initcode,
};

use crate::harness::{Vm, call, deploy_with_value};

#[test]
fn deploying_over_a_placeholder_keeps_its_funds() {
    let mut vm = Vm::new();
    let alice = vm.alice;
    // Alice's next deployment address, funded before anything is there: a placeholder.
    let target = evm_actor::eam::compute_create_address(&alice, 1);
    let out = vm.call(&alice, &target, &[], 500);
    assert_eq!(out.exit(), 0);
    assert_eq!(vm.balance(&target), TokenAmount::from_atto(500));
    let deployed = deploy_with_value(&mut vm, &Destructible::BYTECODE, 20);
    assert_eq!(deployed, target);
    assert_eq!(
        vm.balance(&target),
        TokenAmount::from_atto(520),
        "placeholder balance plus endowment"
    );
    assert_eq!(call(&mut vm, &target, &Destructible::storedCall {}, 0), U256::from(1));
}

#[test]
fn a_native_f1_account_deploys_with_its_masked_id_as_creator() {
    let mut vm = Vm::new();
    let key = FilAddress::new_secp256k1(&[3; 65]).unwrap();
    let id = filecoin_vm::accounts::create_account(
        vm.exec.state_tree(),
        key,
        TokenAmount::from_whole(10),
    )
    .unwrap();
    let params = RawBytes::serialize(BytesSer(&Destructible::BYTECODE)).unwrap();
    let msg = fvm_shared::message::Message {
        version: 0,
        from: key,
        to: FilAddress::new_id(evm_actor::methods::EAM_ACTOR_ID),
        sequence: 0,
        value: TokenAmount::default(),
        method_num: evm_actor::methods::EAM_CREATE_EXTERNAL_METHOD,
        params,
        gas_limit: 5_000_000_000,
        gas_fee_cap: TokenAmount::from_atto(200),
        gas_premium: TokenAmount::from_atto(10),
    };
    let ret =
        vm.exec.apply_message(&msg, filecoin_vm::ApplyKind::Explicit { chain_len: 200 }).unwrap();
    assert_eq!(ret.receipt.exit_code.value(), 0, "{:?}", ret.failure_info);
    let created: evm_actor::methods::EamReturn =
        fvm_ipld_encoding::from_slice(ret.receipt.return_data.bytes()).unwrap();
    // Stable address hash20(key bytes), nonce = the message sequence.
    let stable = Address::from_slice(&keccak256(key.to_bytes())[12..]);
    assert_eq!(
        Address::from(created.eth_address),
        evm_actor::eam::compute_create_address(&stable, 0)
    );
    let deployer =
        call(&mut vm, &Address::from(created.eth_address), &Destructible::deployerCall {}, 0);
    assert_eq!(deployer, address_mapping::masked_id_address(id));
}

#[test]
fn constructor_sees_itself_without_code() {
    let mut vm = Vm::new();
    let alice = vm.alice;
    let c = deploy_with_value(&mut vm, &ConstructorEnv::BYTECODE, 3);
    assert_eq!(call(&mut vm, &c, &ConstructorEnv::codeSizeInConstructorCall {}, 0), U256::ZERO);
    assert_eq!(call(&mut vm, &c, &ConstructorEnv::codeHashInConstructorCall {}, 0), keccak256([]));
    assert_eq!(call(&mut vm, &c, &ConstructorEnv::selfInConstructorCall {}, 0), c);
    assert_eq!(call(&mut vm, &c, &ConstructorEnv::creatorCall {}, 0), alice);
    assert_eq!(call(&mut vm, &c, &ConstructorEnv::valueInConstructorCall {}, 0), U256::from(3));
}

#[test]
fn reentrancy_drains_the_vulnerable_bank_but_not_the_guarded_one() {
    let mut vm = Vm::new();
    let bank = deploy_with_value(&mut vm, &VulnerableBank::BYTECODE, 0);
    let alice = vm.alice;
    assert_eq!(
        vm.call(&alice, &bank, &VulnerableBank::depositCall {}.abi_encode(), 3_000).exit(),
        0
    );
    let attacker = deploy_with_value(
        &mut vm,
        &initcode(&Attacker::BYTECODE, &Attacker::constructorCall { bank_: bank }),
        0,
    );
    call(&mut vm, &attacker, &Attacker::attackCall { maxReentries_: U256::from(3) }, 1_000);
    assert_eq!(call(&mut vm, &attacker, &Attacker::reentriesCall {}, 0), U256::from(3));
    assert_eq!(vm.balance(&attacker), TokenAmount::from_atto(4_000), "deposit back four times");
    assert_eq!(vm.balance(&bank), TokenAmount::default());

    let guarded = deploy_with_value(&mut vm, &GuardedBank::BYTECODE, 0);
    assert_eq!(
        vm.call(&alice, &guarded, &GuardedBank::depositCall {}.abi_encode(), 3_000).exit(),
        0
    );
    let attacker = deploy_with_value(
        &mut vm,
        &initcode(&Attacker::BYTECODE, &Attacker::constructorCall { bank_: guarded }),
        0,
    );
    call(&mut vm, &attacker, &Attacker::attackCall { maxReentries_: U256::from(3) }, 1_000);
    assert!(call(&mut vm, &attacker, &Attacker::reentryBlockedCall {}, 0));
    assert_eq!(vm.balance(&guarded), TokenAmount::from_atto(3_000));
}

#[test]
fn mcopy_handles_overlap() {
    let mut vm = Vm::new();
    let m = deploy_with_value(&mut vm, &MCopy::BYTECODE, 0);
    assert_eq!(
        call(&mut vm, &m, &MCopy::overlapForwardCall {}, 0),
        Bytes::from_static(b"0101234567abcdef")
    );
    assert_eq!(
        call(&mut vm, &m, &MCopy::overlapBackwardCall {}, 0),
        Bytes::from_static(b"2345678989abcdef")
    );
    let far = U256::from(1) << 200;
    assert!(call(&mut vm, &m, &MCopy::zeroLengthCopyCall { dst: far, src: far }, 0));
}

#[test]
fn a_reverted_sub_frame_drops_only_its_events() {
    let mut vm = Vm::new();
    let e = deploy_with_value(&mut vm, &Events::BYTECODE, 0);
    let alice = vm.alice;
    let out = vm.call(&alice, &e, &Events::emitAroundRevertedSubcallCall {}.abi_encode(), 0);
    assert_eq!(out.exit(), 0);
    let numbers: Vec<U256> = out
        .ret
        .events
        .iter()
        .map(|ev| {
            assert_eq!(ev.event.entries[0].value, Events::Numbered::SIGNATURE_HASH.to_vec());
            let t2 = B256::from_slice(&ev.event.entries[1].value);
            U256::from_be_bytes(t2.0)
        })
        .collect();
    assert_eq!(numbers, [100, 102, 103].map(U256::from));
}
