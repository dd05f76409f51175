//! Environment opcodes, exit codes, events, transient storage and value sends (FEVM.md §3–§4).

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::{SolCall, SolError};
use solidity_fixtures::{Caller, Env, Events, Receiver, Reverter, Sender, Transient};

use crate::harness::{BASE_FEE, EPOCH, Vm, deploy, eth};

fn view<C: SolCall>(vm: &mut Vm, to: &Address, c: &C) -> C::Return {
    crate::harness::call(vm, to, c, 0)
}

fn exit_of<C: SolCall>(vm: &mut Vm, to: &Address, call: &C) -> (u32, Bytes) {
    let alice = vm.alice;
    let out = vm.call(&alice, to, &call.abi_encode(), 0);
    (out.exit(), out.output)
}

#[test]
fn environment_opcodes_follow_fevm() {
    let mut vm = Vm::new();
    let env = deploy(&mut vm, &Env::BYTECODE);
    let alice = vm.alice;
    assert_eq!(view(&mut vm, &env, &Env::blockNumberCall {}), U256::from(EPOCH));
    assert_eq!(view(&mut vm, &env, &Env::timestampCall {}), U256::from(1_700_000_000u64));
    assert_eq!(view(&mut vm, &env, &Env::coinbaseCall {}), Address::ZERO);
    assert_eq!(view(&mut vm, &env, &Env::gasLimitCall {}), U256::from(10_000_000_000u64));
    assert_eq!(view(&mut vm, &env, &Env::chainIdCall {}), U256::from(31_415_926u64));
    assert_eq!(view(&mut vm, &env, &Env::baseFeeCall {}), U256::from(BASE_FEE));
    // GASPRICE = base fee + effective premium (fee cap 200, premium 10).
    assert_eq!(view(&mut vm, &env, &Env::gasPriceCall {}), U256::from(BASE_FEE + 10));
    assert_eq!(view(&mut vm, &env, &Env::originCall {}), alice);
    assert_eq!(view(&mut vm, &env, &Env::senderCall {}), alice);
    assert_eq!(view(&mut vm, &env, &Env::thisAddressCall {}), env);
    let left = view(&mut vm, &env, &Env::gasLeftCall {});
    assert!(
        left > U256::from(1_000_000_000u64) && left < U256::from(5_000_000_000u64),
        "Filecoin gas: {left}"
    );
    // BLOCKHASH: the digest of the tipset CID for the previous 256 epochs, else 0.
    let hash = view(&mut vm, &env, &Env::blockHashCall { number: U256::from(EPOCH - 1) });
    let cid = <crate::harness::TestExterns as filecoin_vm::Externs>::tipset_cid(
        &crate::harness::TestExterns,
        EPOCH - 1,
    )
    .unwrap();
    assert_eq!(hash.as_slice(), cid.hash().digest());
    assert_eq!(view(&mut vm, &env, &Env::blockHashCall { number: U256::from(EPOCH) }), B256::ZERO);
    assert_eq!(
        view(&mut vm, &env, &Env::blockHashCall { number: U256::from(EPOCH - 257) }),
        B256::ZERO
    );
    let prevrandao = view(&mut vm, &env, &Env::prevrandaoCall {});
    assert_ne!(prevrandao, U256::ZERO);
    // BLOBHASH / BLOBBASEFEE are undefined on FEVM.
    assert_eq!(exit_of(&mut vm, &env, &Env::blobHashCall { index: U256::ZERO }).0, 35);
    assert_eq!(exit_of(&mut vm, &env, &Env::blobBaseFeeCall {}).0, 35);
}

#[test]
fn extcode_of_accounts_missing_and_contracts() {
    let mut vm = Vm::new();
    let env = deploy(&mut vm, &Env::BYTECODE);
    let alice = vm.alice;
    let empty = keccak256([]);
    // An EthAccount: no code, hash of empty code.
    assert_eq!(view(&mut vm, &env, &Env::codeSizeCall { account: alice }), U256::ZERO);
    assert_eq!(view(&mut vm, &env, &Env::codeHashCall { account: alice }), empty);
    // Nothing there: hash 0.
    assert_eq!(view(&mut vm, &env, &Env::codeHashCall { account: eth(0x99) }), B256::ZERO);
    // A native actor (init, through its masked ID): one byte 0xfe.
    let init = address_mapping::masked_id_address(1);
    assert_eq!(view(&mut vm, &env, &Env::codeSizeCall { account: init }), U256::from(1));
    assert_eq!(view(&mut vm, &env, &Env::codeCall { account: init }).as_ref(), &[0xfe]);
    // A contract: its real code.
    let code = view(&mut vm, &env, &Env::codeCall { account: env });
    assert_eq!(code.as_ref(), Env::DEPLOYED_BYTECODE.as_ref());
    assert_eq!(view(&mut vm, &env, &Env::codeHashCall { account: env }), keccak256(&code));
}

#[test]
fn exit_codes_of_failures() {
    let mut vm = Vm::new();
    let r = deploy(&mut vm, &Reverter::BYTECODE);
    let (code, data) =
        exit_of(&mut vm, &r, &Reverter::revertWithMessageCall { message: "nope".into() });
    assert_eq!(code, 33);
    assert_eq!(alloy_sol_types::Revert::abi_decode(&data).unwrap().reason, "nope");
    let (code, data) =
        exit_of(&mut vm, &r, &Reverter::panicDivisionByZeroCall { divisor: U256::ZERO });
    assert_eq!(code, 33);
    assert_eq!(alloy_sol_types::Panic::abi_decode(&data).unwrap().code, U256::from(0x12));
    assert_eq!(exit_of(&mut vm, &r, &Reverter::bareRevertCall {}), (33, Bytes::new()));
    assert_eq!(exit_of(&mut vm, &r, &Reverter::invalidOpcodeCall {}).0, 34);
    assert_eq!(exit_of(&mut vm, &r, &Reverter::illegalMemoryAccessCall {}).0, 38);
    assert_eq!(exit_of(&mut vm, &r, &Reverter::returnDataOutOfBoundsCall {}).0, 38);
    assert_eq!(exit_of(&mut vm, &r, &Reverter::stackOverflowCall {}).0, 37);
    assert_eq!(exit_of(&mut vm, &r, &Reverter::spinCall {}).0, 7, "runs out of Filecoin gas");
}

#[test]
fn logs_become_events_with_fevm_limits() {
    let mut vm = Vm::new();
    let events = deploy(&mut vm, &Events::BYTECODE);
    let alice = vm.alice;
    let out = vm.call(&alice, &events, &Events::emptyLog0Call {}.abi_encode(), 0);
    assert_eq!(out.ret.events.len(), 1);
    assert!(out.ret.events[0].event.entries.is_empty(), "LOG0 without data has no entries");
    let t = B256::repeat_byte(3);
    let out = vm.call(
        &alice,
        &events,
        &Events::rawLog4Call { t1: t, t2: t, t3: t, t4: t, data: Bytes::new() }.abi_encode(),
        0,
    );
    let keys: Vec<_> = out.ret.events[0].event.entries.iter().map(|e| e.key.clone()).collect();
    assert_eq!(keys, ["t1", "t2", "t3", "t4"], "no d entry for empty data");
    assert_eq!(exit_of(&mut vm, &events, &Events::emitMaxSizeCall { topicCount: 2 }).0, 0);
    assert_eq!(exit_of(&mut vm, &events, &Events::emitOverLimitCall { topicCount: 2 }).0, 24);
}

#[test]
fn transient_storage_lives_for_one_message() {
    let mut vm = Vm::new();
    let t = deploy(&mut vm, &Transient::BYTECODE);
    let slot = U256::from(1);
    assert_eq!(
        view(&mut vm, &t, &Transient::setAndGetCall { slot, value: U256::from(5) }),
        U256::from(5)
    );
    assert_eq!(
        view(&mut vm, &t, &Transient::tgetCall { slot }),
        U256::ZERO,
        "cleared in the next message"
    );
    let seen = view(&mut vm, &t, &Transient::setThenReenterCall { slot, value: U256::from(9) });
    assert_eq!(seen, U256::from(9), "a reentrant call sees the value");
    let other = deploy(&mut vm, &Transient::BYTECODE);
    let r = view(&mut vm, &t, &Transient::nestedSetCall { other, slot, value: U256::from(4) });
    assert_eq!(r.mine, U256::from(4));
    assert_ne!(r.theirs, r.mine, "isolated per contract");
    let kept =
        view(&mut vm, &t, &Transient::revertedWriteIsRolledBackCall { slot, value: U256::from(8) });
    assert_eq!(kept, U256::from(8), "the reverted frame's TSTORE of 9 is rolled back");
}

#[test]
fn transfer_and_send_get_ten_million_gas() {
    let mut vm = Vm::new();
    let sender = deploy(&mut vm, &Sender::BYTECODE);
    let receiver = deploy(&mut vm, &Receiver::BYTECODE);
    let alice = vm.alice;
    assert_eq!(vm.call(&alice, &sender, &Sender::depositCall {}.abi_encode(), 1_000).exit(), 0);
    let out = vm.call(
        &alice,
        &sender,
        &Sender::sendViaTransferCall { to: receiver, amount: U256::from(300) }.abi_encode(),
        0,
    );
    assert_eq!(
        out.exit(),
        0,
        "a storage-writing receive() works under transfer(): {:?}",
        out.ret.failure_info
    );
    assert_eq!(vm.balance(&receiver).atto().to_string(), "300");
    assert!(view(
        &mut vm,
        &sender,
        &Sender::sendViaSendCall { to: receiver, amount: U256::from(200) }
    ));
    assert_eq!(vm.balance(&receiver).atto().to_string(), "500");
}

#[test]
fn calls_to_accounts_placeholders_and_missing_ids() {
    let mut vm = Vm::new();
    let caller = deploy(&mut vm, &Caller::BYTECODE);
    let alice = vm.alice;
    assert_eq!(vm.call(&alice, &caller, &[], 1_000).exit(), 0, "receive funds");
    // To an EthAccount: success, empty.
    let bob = vm.bob;
    let r = view(
        &mut vm,
        &caller,
        &Caller::callTargetCall { target: bob, data: Bytes::new(), value: U256::from(1) },
    );
    assert!(r.ok && r.returnData.is_empty());
    // To a fresh f410 address: a placeholder is created and holds the value.
    let fresh = eth(0x55);
    let r = view(
        &mut vm,
        &caller,
        &Caller::callTargetCall { target: fresh, data: Bytes::new(), value: U256::from(7) },
    );
    assert!(r.ok);
    assert_eq!(vm.balance(&fresh).atto().to_string(), "7");
    // To a missing masked ID: success, and the value stays with the caller.
    let before = vm.balance(&caller);
    let ghost = address_mapping::masked_id_address(999_999);
    let r = view(
        &mut vm,
        &caller,
        &Caller::callTargetCall { target: ghost, data: Bytes::new(), value: U256::from(5) },
    );
    assert!(r.ok);
    assert_eq!(vm.balance(&caller), before);
    // To a native actor (init): InvokeContract is not handled there, so the call fails.
    let init = address_mapping::masked_id_address(1);
    let r = view(
        &mut vm,
        &caller,
        &Caller::callTargetCall { target: init, data: Bytes::new(), value: U256::ZERO },
    );
    assert!(!r.ok);
}
