//! Sends between actors: value, rollback, events, depth, read-only, auto-creation.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::METHOD_SEND;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};

use crate::harness::{FIL, Net, Op, RUN, eth, on_small_stack};
use filecoin_vm::BuiltinType;

fn send(to: Address, value: u64, script: Vec<Op>) -> Op {
    Op::Send { to, method: RUN, value, gas_limit: None, read_only: false, script: Some(script) }
}

#[test]
fn value_transfer_between_eth_accounts() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice, net.bob);
    let before = net.balance(&bob);
    let msg = net.message(&alice, bob, METHOD_SEND, RawBytes::default(), 12_345);
    let ret = net.apply(&msg);
    assert_eq!(ret.receipt.exit_code, ExitCode::OK);
    assert_eq!(net.balance(&bob) - before, TokenAmount::from_atto(12_345));
    assert_eq!(net.nonce(&alice), 1);
    assert!(ret.receipt.gas_used > 560_663, "inclusion cost is part of gas used");
}

#[test]
fn a_failed_frame_is_rolled_back_with_its_events_and_children() {
    let mut net = Net::new();
    let b = Address::new_id(net.script_b);
    let before = net.balance(&b);
    // A calls B with value; B emits, stores, calls back into A which emits, then B aborts.
    let a = Address::new_id(net.script_a);
    let inner = send(a, 0, vec![Op::Emit(b"grandchild".to_vec())]);
    let (ret, results) = net.script(vec![
        Op::Emit(b"top".to_vec()),
        send(b, 7, vec![Op::Emit(b"child".to_vec()), Op::Store(9), inner, Op::Abort(33)]),
    ]);
    assert_eq!(ret.receipt.exit_code, ExitCode::OK);
    assert_eq!(results, vec![33], "the child's exit code reaches the caller");
    assert_eq!(net.balance(&b), before, "the value sent to the failed child came back");
    assert_eq!(net.actor(&b).unwrap().state, fvm_shared::EMPTY_ARR_CID, "child state reverted");
    let payloads: Vec<_> = ret.events.iter().map(|e| e.event.entries[0].value.clone()).collect();
    assert_eq!(payloads, vec![b"top".to_vec()]);
    assert!(ret.receipt.events_root.is_some());
}

#[test]
fn the_events_amt_a_receipt_points_to_is_kept_when_the_state_is_flushed() {
    use fvm_ipld_amt::Amt;
    use fvm_ipld_blockstore::Blockstore;
    use fvm_shared::event::StampedEvent;

    let mut net = Net::new();
    let (ret, _) = net.script(vec![Op::Emit(b"one".to_vec()), Op::Emit(b"two".to_vec())]);
    let root = ret.receipt.events_root.expect("events root");
    assert!(!net.store.has(&root).unwrap(), "still buffered before the flush");
    net.exec.flush().unwrap();
    let amt = Amt::<StampedEvent, _>::load(&root, &*net.store).unwrap();
    let mut payloads = Vec::new();
    amt.for_each(|_, e| {
        payloads.push(e.event.entries[0].value.clone());
        Ok(())
    })
    .unwrap();
    assert_eq!(payloads, vec![b"one".to_vec(), b"two".to_vec()]);
}

#[test]
fn a_failed_message_keeps_no_events_and_no_events_root() {
    let mut net = Net::new();
    let (ret, _) = net.script(vec![Op::Emit(vec![1]), Op::Abort(20)]);
    assert_eq!(ret.receipt.exit_code, ExitCode::USR_ILLEGAL_STATE);
    assert!(ret.events.is_empty());
    assert_eq!(ret.receipt.events_root, None);
}

#[test]
fn system_exit_codes_from_actors_become_illegal_exit_code() {
    let mut net = Net::new();
    let (ret, _) = net.script(vec![Op::Abort(5)]);
    assert_eq!(ret.receipt.exit_code, ExitCode::SYS_ILLEGAL_EXIT_CODE);
}

#[test]
fn call_depth_is_limited_to_1024_frames() {
    let depth = on_small_stack(|| {
        let mut net = Net::new();
        let (ret, results) = net.script(vec![Op::Recurse]);
        assert_eq!(ret.receipt.exit_code, ExitCode::OK);
        results[0]
    });
    // Frame 1 is the message's own call into the script; Recurse starts at depth 2.
    assert_eq!(depth, 1024);
}

#[test]
fn read_only_refuses_state_value_events_and_creation_but_allows_reads() {
    let mut net = Net::new();
    let b = Address::new_id(net.script_b);
    let ro = |script: Vec<Op>, value: u64| Op::Send {
        to: b,
        method: RUN,
        value,
        gas_limit: None,
        read_only: true,
        script: Some(script),
    };
    let fresh = eth(0x77);
    let (ret, results) = net.script(vec![
        ro(vec![], 0),
        ro(vec![Op::Store(1)], 0),
        ro(vec![Op::Emit(vec![1])], 0),
        ro(vec![], 5),
        ro(
            vec![Op::Send {
                to: fresh,
                method: RUN,
                value: 0,
                gas_limit: None,
                read_only: false,
                script: None,
            }],
            0,
        ),
    ]);
    assert_eq!(ret.receipt.exit_code, ExitCode::OK);
    assert_eq!(results[0], 0, "a read-only call that writes nothing succeeds");
    assert_eq!(results[1], ExitCode::USR_READ_ONLY.value() as i64);
    assert_eq!(results[2], ExitCode::USR_READ_ONLY.value() as i64);
    assert_eq!(results[3], -(ErrorNumber::ReadOnly as i64), "value is refused before the call");
    // The nested send inside the read-only frame failed with ReadOnly and the script recorded it.
    assert_eq!(results[4], 0);
    assert!(net.actor(&fresh).is_none(), "no placeholder is created while read-only");
}

#[test]
fn unknown_f410_gets_a_placeholder_and_unknown_id_is_not_found() {
    let mut net = Net::new();
    let fresh = eth(0x42);
    let (ret, results) = net.script(vec![
        Op::Send {
            to: fresh,
            method: RUN,
            value: 1_000,
            gas_limit: None,
            read_only: false,
            script: None,
        },
        Op::Send {
            to: Address::new_id(9_999),
            method: RUN,
            value: 0,
            gas_limit: None,
            read_only: false,
            script: None,
        },
        Op::Send {
            to: Address::new_delegated(32, &[1; 5]).unwrap(),
            method: RUN,
            value: 0,
            gas_limit: None,
            read_only: false,
            script: None,
        },
    ]);
    assert_eq!(ret.receipt.exit_code, ExitCode::OK);
    assert_eq!(results, vec![0, -(ErrorNumber::NotFound as i64), -(ErrorNumber::NotFound as i64)]);
    let placeholder = net.actor(&fresh).unwrap();
    assert_eq!(BuiltinType::from_code(&placeholder.code), Some(BuiltinType::Placeholder));
    assert_eq!(placeholder.delegated_address, Some(fresh));
    assert_eq!(placeholder.balance, TokenAmount::from_atto(1_000));
}

#[test]
fn unknown_f1_gets_an_account_whose_constructor_ran() {
    let mut net = Net::new();
    let key = Address::new_secp256k1(&[4; 65]).unwrap();
    let (ret, results) = net.script(vec![Op::Send {
        to: key,
        method: METHOD_SEND,
        value: 5,
        gas_limit: None,
        read_only: false,
        script: None,
    }]);
    assert_eq!(ret.receipt.exit_code, ExitCode::OK);
    assert_eq!(results, vec![0]);
    let account = net.actor(&key).unwrap();
    assert_eq!(BuiltinType::from_code(&account.code), Some(BuiltinType::Account));
    assert_ne!(account.state, fvm_shared::EMPTY_ARR_CID, "the constructor stored the key");
    assert_eq!(account.balance, TokenAmount::from_atto(5));
    let trace = ret.trace.unwrap();
    let ctor = &trace.subcalls[0].subcalls[0];
    assert_eq!((ctor.from, ctor.method), (0, fvm_shared::METHOD_CONSTRUCTOR));
}

#[test]
fn insufficient_funds_is_a_syscall_error_and_nothing_moves() {
    let mut net = Net::new();
    let b = Address::new_id(net.script_b);
    let before = net.balance(&b);
    let (ret, results) = net.script(vec![send(b, 2 * FIL, vec![])]);
    assert_eq!(ret.receipt.exit_code, ExitCode::OK);
    assert_eq!(results, vec![-(ErrorNumber::InsufficientFunds as i64)]);
    assert_eq!(net.balance(&b), before);
}

#[test]
fn a_sub_call_out_of_its_own_gas_fails_alone() {
    let mut net = Net::new();
    let b = Address::new_id(net.script_b);
    let (ret, results) = net.script(vec![
        Op::Send {
            to: b,
            method: RUN,
            value: 0,
            gas_limit: Some(2_000_000),
            read_only: false,
            script: Some(vec![Op::Store(3), Op::Burn(10_000_000)]),
        },
        Op::Emit(vec![2]),
    ]);
    assert_eq!(ret.receipt.exit_code, ExitCode::OK);
    assert_eq!(results, vec![ExitCode::SYS_OUT_OF_GAS.value() as i64]);
    assert_eq!(net.actor(&b).unwrap().state, fvm_shared::EMPTY_ARR_CID);
    assert_eq!(ret.events.len(), 1);
}

#[test]
fn running_out_of_message_gas_fails_the_message_with_all_gas_used() {
    let mut net = Net::new();
    let (ret, _) = net.script(vec![Op::Emit(vec![1]), Op::Burn(5_000_000_000)]);
    assert_eq!(ret.receipt.exit_code, ExitCode::SYS_OUT_OF_GAS);
    assert_eq!(ret.receipt.gas_used, 1_000_000_000);
    assert!(ret.events.is_empty());
}

#[test]
fn methods_of_built_ins_follow_their_caller_rules() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice, net.bob);
    // Exec4 may only come from the EAM.
    let exec4 = filecoin_vm::builtin::Exec4Params {
        code_cid: BuiltinType::EthAccount.code_cid(),
        constructor_params: RawBytes::default(),
        subaddress: RawBytes::new(vec![1; 20]),
    };
    let params = RawBytes::serialize(&exec4).unwrap();
    let msg = net.message(&alice, Address::new_id(1), 3, params, 0);
    assert_eq!(net.apply(&msg).receipt.exit_code, ExitCode::USR_FORBIDDEN);
    let msg = net.message(&alice, Address::new_id(1), 3, RawBytes::default(), 0);
    assert_eq!(net.apply(&msg).receipt.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT);
    // EthAccount: exported methods succeed, internal ones are unhandled.
    let msg = net.message(&alice, bob, 3_844_450_837, RawBytes::default(), 1);
    assert_eq!(net.apply(&msg).receipt.exit_code, ExitCode::OK);
    let msg = net.message(&alice, bob, 5, RawBytes::default(), 0);
    assert_eq!(net.apply(&msg).receipt.exit_code, ExitCode::USR_UNHANDLED_MESSAGE);
    // Sending to a missing ID address fails the message as an invalid receiver.
    let msg = net.message(&alice, Address::new_id(12_345), 0, RawBytes::default(), 1);
    assert_eq!(net.apply(&msg).receipt.exit_code, ExitCode::SYS_INVALID_RECEIVER);
}
