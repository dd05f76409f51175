//! The multisig actor through the real VM: multisigs created by init's `Exec` from alice, with
//! alice and bob (f1) and carol (f3) as signers, spending to dave (f410), who never sends, so
//! his balance moves only by what the multisig pays him.

use cid::Cid;
use filecoin_vm::builtin::{EXEC_METHOD, ExecParams, ExecReturn};
use filecoin_vm::crypto::blake2b_256;
use filecoin_vm::{ApplyRet, BuiltinType, INIT_ACTOR_ID};
use fvm_ipld_encoding::RawBytes;
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{METHOD_CONSTRUCTOR, METHOD_SEND, MethodNum};
use serde::Serialize;
use storage_actors::multisig::*;
use storage_actors::token::UniversalReceiverParams;

use crate::harness::{Key, Net, assert_exit, decode};

const INIT: Address = Address::new_id(INIT_ACTOR_ID);
/// The root of an empty HAMT, the same for every bit width (the network's well-known CID).
const EMPTY_HAMT: &str = "bafy2bzaceamp42wmmgr2g2ymg46euououzfyck7szknvfacqscohrvaikwfay";

fn fil(n: i64) -> TokenAmount {
    TokenAmount::from_whole(n)
}

fn cbor<T: Serialize>(value: &T) -> RawBytes {
    RawBytes::new(fvm_ipld_encoding::to_vec(value).unwrap())
}

/// Has alice exec a multisig with `value`; returns the receipt.
fn create(
    net: &mut Net,
    signers: Vec<Address>,
    threshold: u64,
    unlock_duration: ChainEpoch,
    start_epoch: ChainEpoch,
    value: TokenAmount,
) -> ApplyRet {
    let ctor = ConstructorParams {
        signers,
        num_approvals_threshold: threshold,
        unlock_duration,
        start_epoch,
    };
    let params =
        ExecParams { code_cid: BuiltinType::Multisig.code_cid(), constructor_params: cbor(&ctor) };
    let alice = net.alice.address();
    net.send(&alice, &INIT, EXEC_METHOD, Some(&params), value)
}

/// A multisig without vesting; returns its ID address.
fn multisig(net: &mut Net, signers: Vec<Address>, threshold: u64, value: TokenAmount) -> Address {
    let ret = create(net, signers, threshold, 0, 0, value);
    decode::<ExecReturn>(&ret).id_address
}

fn propose(
    net: &mut Net,
    from: &Address,
    msig: &Address,
    to: &Address,
    value: TokenAmount,
    method: MethodNum,
    params: RawBytes,
) -> ApplyRet {
    let p = ProposeParams { to: *to, value, method, params };
    net.send(from, msig, PROPOSE_METHOD, Some(&p), TokenAmount::default())
}

/// A proposal that must go through; returns what Propose returned.
fn propose_ok(
    net: &mut Net,
    from: &Address,
    msig: &Address,
    to: &Address,
    method: MethodNum,
    params: RawBytes,
) -> ProposeReturn {
    decode(&propose(net, from, msig, to, TokenAmount::default(), method, params))
}

/// A proposal addressed to the multisig itself (how its self-only methods are reached).
fn to_self<P: Serialize>(
    net: &mut Net,
    from: &Address,
    msig: &Address,
    method: MethodNum,
    params: &P,
) -> ProposeReturn {
    propose_ok(net, from, msig, msig, method, cbor(params))
}

/// Approve or Cancel of `id` with `hash`.
fn on_txn(
    net: &mut Net,
    method: MethodNum,
    from: &Address,
    msig: &Address,
    id: TxnId,
    hash: Vec<u8>,
) -> ApplyRet {
    let p = TxnIdParams { id, proposal_hash: hash };
    net.send(from, msig, method, Some(&p), TokenAmount::default())
}

/// The proposal hash a client computes for a pending transaction.
fn hash_of(txn: &Transaction) -> Vec<u8> {
    blake2b_256(&proposal_hash_data(txn).unwrap()).to_vec()
}

fn pending(net: &mut Net, msig: &Address) -> Vec<(TxnId, Transaction)> {
    let st: MultisigState = net.state(msig);
    PendingTxns::load(net.exec.store(), &st.pending_txs).unwrap().entries().unwrap()
}

fn id_of(net: &mut Net, who: &Address) -> Address {
    Address::new_id(net.id(who))
}

#[test]
fn two_of_three_transfer_executes_on_the_second_approval() {
    let mut net = Net::new();
    let (alice, bob, carol, dave) =
        (net.alice.address(), net.bob.address(), net.carol.address(), net.dave);
    let msig = multisig(&mut net, vec![alice, bob, carol], 2, fil(100));
    assert_eq!(net.balance(&msig), fil(100));
    let ids = [id_of(&mut net, &alice), id_of(&mut net, &bob), id_of(&mut net, &carol)];
    let st: MultisigState = net.state(&msig);
    assert_eq!(st.signers, ids, "signers are stored as ID addresses, in order");
    assert_eq!((st.num_approvals_threshold, st.next_tx_id, st.unlock_duration), (2, 0, 0));
    assert!(st.initial_balance.is_zero());

    let dave_before = net.balance(&dave);
    let ret = propose(&mut net, &alice, &msig, &dave, fil(10), METHOD_SEND, RawBytes::default());
    let out: ProposeReturn = decode(&ret);
    assert_eq!((out.txn_id, out.applied), (0, false));
    let expected = Transaction {
        to: dave,
        value: fil(10),
        method: METHOD_SEND,
        params: RawBytes::default(),
        approved: vec![ids[0]],
    };
    assert_eq!(pending(&mut net, &msig), vec![(0, expected.clone())]);
    assert_eq!(net.balance(&msig), fil(100));

    let ret = on_txn(&mut net, APPROVE_METHOD, &bob, &msig, 0, hash_of(&expected));
    let out: ApproveReturn = decode(&ret);
    assert_eq!((out.applied, out.code), (true, ExitCode::OK));
    assert_eq!(net.balance(&msig), fil(90));
    assert_eq!(net.balance(&dave), dave_before + fil(10));
    assert!(pending(&mut net, &msig).is_empty());
    assert_eq!(net.state::<MultisigState>(&msig).next_tx_id, 1);
}

#[test]
fn approve_and_cancel_enforce_signers_hashes_and_the_proposer() {
    let mut net = Net::new();
    let (alice, bob, carol, dave) =
        (net.alice.address(), net.bob.address(), net.carol.address(), net.dave);
    let msig = multisig(&mut net, vec![alice, carol], 2, fil(10));
    let ret = propose(&mut net, &bob, &msig, &dave, fil(1), METHOD_SEND, RawBytes::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let ret = propose(&mut net, &alice, &msig, &dave, fil(-1), METHOD_SEND, RawBytes::default());
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    let ret = propose(&mut net, &alice, &msig, &dave, fil(1), METHOD_SEND, RawBytes::default());
    assert_eq!(decode::<ProposeReturn>(&ret).txn_id, 0);
    let (_, txn) = pending(&mut net, &msig).remove(0);
    let hash = hash_of(&txn);

    for (from, id, hash, code) in [
        (bob, 0, hash.clone(), ExitCode::USR_FORBIDDEN), // not a signer
        (alice, 0, hash.clone(), ExitCode::USR_FORBIDDEN), // approves twice
        (carol, 0, vec![0; 32], ExitCode::USR_ILLEGAL_ARGUMENT), // wrong hash
        (carol, 7, vec![], ExitCode::USR_NOT_FOUND),     // no such transaction
    ] {
        assert_exit(&on_txn(&mut net, APPROVE_METHOD, &from, &msig, id, hash), code);
    }
    for (from, id, hash, code) in [
        (bob, 0, hash.clone(), ExitCode::USR_FORBIDDEN), // not a signer
        (carol, 0, hash.clone(), ExitCode::USR_FORBIDDEN), // not the proposer
        (alice, 0, vec![1; 32], ExitCode::USR_ILLEGAL_STATE), // wrong hash
        (alice, 3, vec![], ExitCode::USR_NOT_FOUND),     // no such transaction
    ] {
        assert_exit(&on_txn(&mut net, CANCEL_METHOD, &from, &msig, id, hash), code);
    }
    assert_eq!(pending(&mut net, &msig).len(), 1, "failed calls leave the proposal");
    assert_exit(&on_txn(&mut net, CANCEL_METHOD, &alice, &msig, 0, hash), ExitCode::OK);
    assert!(pending(&mut net, &msig).is_empty());
    let ret = on_txn(&mut net, APPROVE_METHOD, &carol, &msig, 0, vec![]);
    assert_exit(&ret, ExitCode::USR_NOT_FOUND);
    assert_eq!(net.balance(&msig), fil(10));
}

#[test]
fn signers_change_only_through_approved_proposals() {
    let mut net = Net::new();
    let (alice, bob, carol, dave) =
        (net.alice.address(), net.bob.address(), net.carol.address(), net.dave);
    let msig = multisig(&mut net, vec![alice, bob], 1, fil(10));
    let [a, b, c] = [alice, bob, carol].map(|who| id_of(&mut net, &who));

    // The self-only methods refuse a signer calling them directly.
    let add = AddSignerParams { signer: carol, increase: true };
    let ret = net.send(&alice, &msig, ADD_SIGNER_METHOD, Some(&add), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let lower = ChangeNumApprovalsThresholdParams { new_threshold: 1 };
    let ret = net.send(
        &alice,
        &msig,
        CHANGE_NUM_APPROVALS_THRESHOLD_METHOD,
        Some(&lower),
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);

    // Through a proposal (threshold 1: it executes at once), carol joins and the threshold rises.
    let out = to_self(&mut net, &alice, &msig, ADD_SIGNER_METHOD, &add);
    assert_eq!((out.applied, out.code), (true, ExitCode::OK));
    let st: MultisigState = net.state(&msig);
    assert_eq!((st.signers, st.num_approvals_threshold), (vec![a, b, c], 2));

    // Bob's pending transfer loses its only approval when bob is removed.
    let ret = propose(&mut net, &bob, &msig, &dave, fil(1), METHOD_SEND, RawBytes::default());
    assert!(!decode::<ProposeReturn>(&ret).applied);
    let remove = RemoveSignerParams { signer: bob, decrease: true };
    let out = to_self(&mut net, &alice, &msig, REMOVE_SIGNER_METHOD, &remove);
    assert!(!out.applied);
    let ret = on_txn(&mut net, APPROVE_METHOD, &carol, &msig, out.txn_id, vec![]);
    let done: ApproveReturn = decode(&ret);
    assert_eq!((done.applied, done.code), (true, ExitCode::OK));
    let st: MultisigState = net.state(&msig);
    assert_eq!((st.signers, st.num_approvals_threshold), (vec![a, c], 1));
    assert!(pending(&mut net, &msig).is_empty(), "the removed signer's proposal is purged");

    // Swapping in a key that has no account yet creates it.
    let newcomer = Key::secp(9).address();
    assert!(net.actor(&newcomer).is_none());
    let swap = SwapSignerParams { from: carol, to: newcomer };
    let out = to_self(&mut net, &alice, &msig, SWAP_SIGNER_METHOD, &swap);
    assert_eq!(out.code, ExitCode::OK);
    let n = id_of(&mut net, &newcomer);
    assert_eq!(net.state::<MultisigState>(&msig).signers, vec![a, n]);

    // What the rules refuse comes back as the executed proposal's code, not the message's.
    let mut refused = |method, params: RawBytes, code| {
        let out = propose_ok(&mut net, &alice, &msig, &msig, method, params);
        assert_eq!((out.applied, out.code), (true, code), "method {method}");
    };
    let (forbidden, illegal) = (ExitCode::USR_FORBIDDEN, ExitCode::USR_ILLEGAL_ARGUMENT);
    refused(ADD_SIGNER_METHOD, cbor(&AddSignerParams { signer: a, increase: false }), forbidden);
    refused(REMOVE_SIGNER_METHOD, cbor(&RemoveSignerParams { signer: n, decrease: true }), illegal);
    refused(
        REMOVE_SIGNER_METHOD,
        cbor(&RemoveSignerParams { signer: b, decrease: false }),
        forbidden,
    );
    refused(SWAP_SIGNER_METHOD, cbor(&SwapSignerParams { from: a, to: n }), illegal);
    let too_high = ChangeNumApprovalsThresholdParams { new_threshold: 3 };
    refused(CHANGE_NUM_APPROVALS_THRESHOLD_METHOD, cbor(&too_high), illegal);
    let st: MultisigState = net.state(&msig);
    assert_eq!((st.signers, st.num_approvals_threshold), (vec![a, n], 1));

    // Removing down to one signer without decrease works; the last one cannot go.
    let remove = RemoveSignerParams { signer: newcomer, decrease: false };
    let out = to_self(&mut net, &alice, &msig, REMOVE_SIGNER_METHOD, &remove);
    assert_eq!(out.code, ExitCode::OK);
    let remove = RemoveSignerParams { signer: alice, decrease: false };
    let out = to_self(&mut net, &alice, &msig, REMOVE_SIGNER_METHOD, &remove);
    assert_eq!(out.code, ExitCode::USR_FORBIDDEN);
    assert_eq!(net.state::<MultisigState>(&msig).signers, vec![a]);
}

#[test]
fn a_lowered_threshold_lets_the_next_approval_execute() {
    let mut net = Net::new();
    let (alice, bob, carol, dave) =
        (net.alice.address(), net.bob.address(), net.carol.address(), net.dave);
    let msig = multisig(&mut net, vec![alice, bob, carol], 3, fil(5));
    let dave_before = net.balance(&dave);
    let ret = propose(&mut net, &alice, &msig, &dave, fil(2), METHOD_SEND, RawBytes::default());
    assert_eq!(decode::<ProposeReturn>(&ret).txn_id, 0);
    assert_exit(&on_txn(&mut net, APPROVE_METHOD, &bob, &msig, 0, vec![]), ExitCode::OK);

    let lower = ChangeNumApprovalsThresholdParams { new_threshold: 2 };
    let out = to_self(&mut net, &carol, &msig, CHANGE_NUM_APPROVALS_THRESHOLD_METHOD, &lower);
    assert_eq!(out.txn_id, 1);
    let ret = on_txn(&mut net, APPROVE_METHOD, &alice, &msig, 1, vec![]);
    assert!(!decode::<ApproveReturn>(&ret).applied);
    let ret = on_txn(&mut net, APPROVE_METHOD, &bob, &msig, 1, vec![]);
    assert!(decode::<ApproveReturn>(&ret).applied);
    assert_eq!(net.state::<MultisigState>(&msig).num_approvals_threshold, 2);
    assert_eq!(net.balance(&dave), dave_before, "lowering alone executes nothing");

    // Transaction 0 already has two approvals: alice's repeat approval executes it.
    let ret = on_txn(&mut net, APPROVE_METHOD, &alice, &msig, 0, vec![]);
    let out: ApproveReturn = decode(&ret);
    assert_eq!((out.applied, out.code), (true, ExitCode::OK));
    assert_eq!(net.balance(&dave), dave_before + fil(2));
    assert_eq!(net.balance(&msig), fil(3));
}

#[test]
fn vested_funds_unlock_linearly() {
    let mut net = Net::new();
    let (alice, dave) = (net.alice.address(), net.dave);
    let start = net.epoch;
    let ret = create(&mut net, vec![alice], 1, 100, start, fil(100));
    let msig = decode::<ExecReturn>(&ret).id_address;
    let st: MultisigState = net.state(&msig);
    assert_eq!((st.initial_balance, st.start_epoch, st.unlock_duration), (fil(100), start, 100));

    let send = |net: &mut Net, value| {
        propose(net, &alice, &msig, &dave, value, METHOD_SEND, RawBytes::default())
    };
    assert_exit(&send(&mut net, TokenAmount::from_atto(1)), ExitCode::USR_INSUFFICIENT_FUNDS);
    // Sending nothing is always allowed, and the refused proposal left no trace.
    let out: ProposeReturn = decode(&send(&mut net, TokenAmount::default()));
    assert_eq!((out.txn_id, out.applied), (0, true));

    net.advance(50);
    assert_exit(
        &send(&mut net, fil(50) + TokenAmount::from_atto(1)),
        ExitCode::USR_INSUFFICIENT_FUNDS,
    );
    assert!(decode::<ProposeReturn>(&send(&mut net, fil(50))).applied);
    assert_exit(&send(&mut net, fil(1)), ExitCode::USR_INSUFFICIENT_FUNDS);
    net.advance(50);
    assert!(decode::<ProposeReturn>(&send(&mut net, fil(50))).applied);
    assert!(net.balance(&msig).is_zero());

    // Vesting set at construction cannot be changed by LockBalance.
    let lock = LockBalanceParams { start_epoch: 0, unlock_duration: 10, amount: fil(1) };
    let out = to_self(&mut net, &alice, &msig, LOCK_BALANCE_METHOD, &lock);
    assert_eq!(out.code, ExitCode::USR_FORBIDDEN);
}

#[test]
fn lock_balance_locks_once() {
    let mut net = Net::new();
    let (alice, dave) = (net.alice.address(), net.dave);
    let msig = multisig(&mut net, vec![alice], 1, fil(10));
    let bad = LockBalanceParams { start_epoch: 0, unlock_duration: -1, amount: fil(1) };
    let out = to_self(&mut net, &alice, &msig, LOCK_BALANCE_METHOD, &bad);
    assert_eq!(out.code, ExitCode::USR_ILLEGAL_ARGUMENT);
    let bad = LockBalanceParams { start_epoch: 0, unlock_duration: 5, amount: fil(-1) };
    let out = to_self(&mut net, &alice, &msig, LOCK_BALANCE_METHOD, &bad);
    assert_eq!(out.code, ExitCode::USR_ILLEGAL_ARGUMENT);

    let lock = LockBalanceParams { start_epoch: net.epoch, unlock_duration: 1000, amount: fil(8) };
    let out = to_self(&mut net, &alice, &msig, LOCK_BALANCE_METHOD, &lock);
    assert_eq!(out.code, ExitCode::OK);
    let st: MultisigState = net.state(&msig);
    assert_eq!((st.initial_balance, st.unlock_duration), (fil(8), 1000));
    let ret = propose(&mut net, &alice, &msig, &dave, fil(3), METHOD_SEND, RawBytes::default());
    assert_exit(&ret, ExitCode::USR_INSUFFICIENT_FUNDS);
    let ret = propose(&mut net, &alice, &msig, &dave, fil(2), METHOD_SEND, RawBytes::default());
    assert!(decode::<ProposeReturn>(&ret).applied);
    let out = to_self(&mut net, &alice, &msig, LOCK_BALANCE_METHOD, &lock);
    assert_eq!(out.code, ExitCode::USR_FORBIDDEN);
}

#[test]
fn an_executed_proposal_reports_its_sends_failure_and_return() {
    let mut net = Net::new();
    let alice = net.alice.address();
    let msig = multisig(&mut net, vec![alice], 1, fil(10));
    let alice_before = net.balance(&alice);

    // An account refuses an unknown internal method: the code is reported, the value stays.
    let ret = propose(&mut net, &alice, &msig, &alice, fil(1), 12_345, RawBytes::default());
    assert_exit(&ret, ExitCode::OK);
    let out: ProposeReturn = decode(&ret);
    assert_eq!((out.applied, out.code), (true, ExitCode::USR_UNHANDLED_MESSAGE));
    assert_eq!(net.balance(&msig), fil(10));
    assert!(net.balance(&alice) < alice_before, "alice paid gas and received nothing");
    assert!(pending(&mut net, &msig).is_empty(), "the transaction is spent anyway");

    // A receiver that does not exist: USR_UNSPECIFIED, as builtin-actors maps the syscall error.
    let ghost = Address::new_id(999_999);
    let ret = propose(&mut net, &alice, &msig, &ghost, fil(1), METHOD_SEND, RawBytes::default());
    assert_eq!(decode::<ProposeReturn>(&ret).code, ExitCode::USR_UNSPECIFIED);

    // A successful call's return comes back in `ret` (the contract stand-in echoes its params).
    let contract = Address::new_id(net.contract);
    let params = cbor(&("hello", 42u64));
    let out = propose_ok(&mut net, &alice, &msig, &contract, 1_000_000_000, params.clone());
    assert_eq!((out.applied, out.code, out.ret), (true, ExitCode::OK, params));
    assert_eq!(net.state::<MultisigState>(&msig).next_tx_id, 3);
}

#[test]
fn constructor_rules() {
    let mut net = Net::new();
    let (alice, bob, carol) = (net.alice.address(), net.bob.address(), net.carol.address());
    let a = id_of(&mut net, &alice);
    let too_many: Vec<Address> = (0..257).map(|i| Address::new_id(1000 + i)).collect();
    let bad: [(Vec<Address>, u64, ChainEpoch); 6] = [
        (vec![], 1, 0),            // no signers
        (too_many, 1, 0),          // over 256
        (vec![alice, a], 1, 0),    // duplicate, by key and by ID
        (vec![alice, bob], 3, 0),  // threshold above signers
        (vec![alice, bob], 0, 0),  // threshold zero
        (vec![alice, bob], 1, -1), // negative unlock duration
    ];
    for (signers, threshold, unlock) in bad {
        let ret = create(&mut net, signers, threshold, unlock, 0, fil(1));
        assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    }

    // A signer ID with no actor behind it: resolved to itself, then not found (no code).
    let ret = create(&mut net, vec![alice, Address::new_id(999_999)], 1, 0, 0, fil(1));
    assert_exit(&ret, ExitCode::USR_NOT_FOUND);

    // A new key becomes an account; signers named by ID are taken as they are.
    let newcomer = Key::bls(7).address();
    assert!(net.actor(&newcomer).is_none());
    let msig = multisig(&mut net, vec![carol, newcomer], 2, TokenAmount::default());
    let n = id_of(&mut net, &newcomer);
    let c = id_of(&mut net, &carol);
    assert_eq!(net.state::<MultisigState>(&msig).signers, vec![c, n]);
    let ids: Vec<Address> = vec![a, id_of(&mut net, &bob), c, n];
    let other = multisig(&mut net, ids.clone(), 4, TokenAmount::default());
    assert_eq!(net.state::<MultisigState>(&other).signers, ids);

    // Only init may construct: not a signer, not the multisig itself.
    let ctor = ConstructorParams {
        signers: vec![alice],
        num_approvals_threshold: 1,
        unlock_duration: 0,
        start_epoch: 0,
    };
    let ret = net.send(&alice, &msig, METHOD_CONSTRUCTOR, Some(&ctor), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
}

#[test]
fn contracts_hooks_and_unknown_methods() {
    let mut net = Net::new();
    let alice = net.alice.address();
    let msig = multisig(&mut net, vec![alice], 1, fil(1));
    // Internal methods are refused to contracts (FIP-0050), Receive and exported numbers are not.
    let p = ProposeParams { to: alice, value: fil(1), method: 0, params: RawBytes::default() };
    let (code, _) = net.contract_call(&msig, PROPOSE_METHOD, Some(&p), TokenAmount::default());
    assert_eq!(code, ExitCode::USR_FORBIDDEN);
    let hook = UniversalReceiverParams { type_: 0, payload: RawBytes::new(vec![1, 2, 3]) };
    let (code, ret) = net.contract_call(&msig, UNIVERSAL_RECEIVER_HOOK_METHOD, Some(&hook), fil(1));
    assert_eq!((code, ret), (ExitCode::OK, RawBytes::default()));
    assert_eq!(net.balance(&msig), fil(2));
    let (code, _) = net.contract_call(&msig, 1 << 24, Some(&vec![1u8]), TokenAmount::default());
    assert_eq!(code, ExitCode::OK);

    // From an account: an unknown internal method, a malformed or missing hook payload.
    let ret = net.send(&alice, &msig, 10, None::<&()>, TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_UNHANDLED_MESSAGE);
    let bytes = RawBytes::new(vec![0xff]);
    let ret =
        net.send_raw(&alice, &msig, UNIVERSAL_RECEIVER_HOOK_METHOD, bytes, TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_SERIALIZATION);
    let ret = net.send(
        &alice,
        &msig,
        UNIVERSAL_RECEIVER_HOOK_METHOD,
        None::<&()>,
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
}

/// A pending transaction decoded without our types: `[to, value, method, params, approved]`.
type RawTxn = (Address, TokenAmount, u64, RawBytes, Vec<Address>);

#[test]
fn state_layout_is_the_networks() {
    let mut net = Net::new();
    let (alice, bob, dave) = (net.alice.address(), net.bob.address(), net.dave);
    let ret = create(&mut net, vec![alice, bob], 2, 0, 0, fil(3));
    let msig = decode::<ExecReturn>(&ret).id_address;
    let empty: Cid = EMPTY_HAMT.parse().unwrap();
    assert_eq!(net.state::<MultisigState>(&msig).pending_txs, empty);
    for value in [1, 2, 3] {
        let ret =
            propose(&mut net, &bob, &msig, &dave, fil(value), METHOD_SEND, RawBytes::default());
        assert!(!decode::<ProposeReturn>(&ret).applied);
    }
    // The state as a plain 7-tuple, in the network's field order.
    type RawState = (Vec<Address>, u64, i64, TokenAmount, i64, i64, Cid);
    let (signers, threshold, next, initial, start, duration, root): RawState = net.state(&msig);
    let ids = vec![id_of(&mut net, &alice), id_of(&mut net, &bob)];
    assert_eq!((signers, threshold, next), (ids.clone(), 2, 3));
    assert_eq!((initial, start, duration), (TokenAmount::default(), 0, 0));
    // The pending HAMT has bit width 5 and zigzag keys: IDs 0, 1, 2 are 0x00, 0x02, 0x04.
    let hamt: Hamt<_, RawTxn, BytesKey> =
        Hamt::load_with_bit_width(&root, net.exec.store(), 5).unwrap();
    for (key, value) in [(0x00u8, 1), (0x02, 2), (0x04, 3)] {
        let txn = hamt.get(&BytesKey(vec![key])).unwrap().expect("pending");
        assert_eq!(txn, &(dave, fil(value), 0, RawBytes::default(), vec![ids[1]]));
    }
    assert!(hamt.get(&BytesKey(vec![0x01])).unwrap().is_none());
}
