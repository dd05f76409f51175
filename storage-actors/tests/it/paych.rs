//! The payment channel through the VM: created by init, vouchers signed by f1 and f3 keys and
//! authenticated by the payer's account, lanes and merges, secrets and time locks, then settle
//! and collect, which pays out and deletes the channel. (The voucher's encoding is pinned by
//! the unit tests in `paych::types`.)

use filecoin_vm::builtin::{EXEC_METHOD, ExecParams, ExecReturn};
use filecoin_vm::crypto::blake2b_256;
use filecoin_vm::{ApplyRet, BuiltinType, INIT_ACTOR_ID};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use storage_actors::paych::*;

use crate::harness::{FIL, Key, Net, assert_exit, decode};

fn fil(n: u128) -> TokenAmount {
    TokenAmount::from_atto(n * FIL)
}

/// Init's `Exec` of a channel from `from` to `to` with `funds`, sent by `sender`.
fn exec(
    net: &mut Net,
    sender: &Address,
    from: Address,
    to: Address,
    funds: TokenAmount,
) -> ApplyRet {
    let params = ExecParams {
        code_cid: BuiltinType::PaymentChannel.code_cid(),
        constructor_params: RawBytes::serialize(ConstructorParams { from, to }).unwrap(),
    };
    net.send(sender, &Address::new_id(INIT_ACTOR_ID), EXEC_METHOD, Some(&params), funds)
}

/// `payer` opens a channel to `payee` with `funds`; returns its ID address.
fn open(net: &mut Net, payer: &Key, payee: Address, funds: TokenAmount) -> Address {
    let ret = exec(net, &payer.address(), payer.address(), payee, funds);
    decode::<ExecReturn>(&ret).id_address
}

fn voucher(channel: Address, lane: u64, nonce: u64, amount: TokenAmount) -> SignedVoucher {
    SignedVoucher {
        channel_addr: channel,
        time_lock_min: 0,
        time_lock_max: 0,
        secret_pre_image: vec![],
        extra: None,
        lane,
        nonce,
        amount,
        min_settle_height: 0,
        merges: vec![],
        signature: None,
    }
}

fn signed(mut sv: SignedVoucher, key: &Key) -> SignedVoucher {
    sv.signature = Some(key.sign(&sv.signing_bytes().unwrap()));
    sv
}

fn redeem(
    net: &mut Net,
    by: &Address,
    channel: &Address,
    sv: SignedVoucher,
    secret: &[u8],
) -> ExitCode {
    let params = UpdateChannelStateParams { sv, secret: secret.to_vec() };
    let ret =
        net.send(by, channel, UPDATE_CHANNEL_STATE_METHOD, Some(&params), TokenAmount::default());
    ret.receipt.exit_code
}

#[test]
fn the_payee_redeems_vouchers_lane_by_lane() {
    let mut net = Net::new();
    let (alice, bob, carol) = (net.alice.clone(), net.bob.address(), net.carol.clone());
    let ch = open(&mut net, &alice, bob, fil(100));
    let st: PaychState = net.state(&ch);
    assert_eq!(
        (st.from, st.to),
        (Address::new_id(net.id(&alice.address())), Address::new_id(net.id(&bob)))
    );
    assert_eq!(net.balance(&ch), fil(100));

    // A lane's amount is its running total: 10, then 15, pays 15 in all.
    assert_eq!(
        redeem(&mut net, &bob, &ch, signed(voucher(ch, 0, 1, fil(10)), &alice), b""),
        ExitCode::OK
    );
    assert_eq!(
        redeem(&mut net, &bob, &ch, signed(voucher(ch, 0, 2, fil(15)), &alice), b""),
        ExitCode::OK
    );
    assert_eq!(net.state::<PaychState>(&ch).to_send, fil(15));
    // Replays, foreign signatures, no signature, other channels, overdrafts.
    let replay = signed(voucher(ch, 0, 2, fil(20)), &alice);
    assert_eq!(redeem(&mut net, &bob, &ch, replay, b""), ExitCode::USR_ILLEGAL_ARGUMENT);
    let forged = signed(voucher(ch, 0, 3, fil(20)), &carol);
    assert_eq!(redeem(&mut net, &bob, &ch, forged, b""), ExitCode::USR_ILLEGAL_ARGUMENT);
    assert_eq!(
        redeem(&mut net, &bob, &ch, voucher(ch, 0, 3, fil(20)), b""),
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    let elsewhere = signed(voucher(Address::new_id(net.contract), 0, 3, fil(20)), &alice);
    assert_eq!(redeem(&mut net, &bob, &ch, elsewhere, b""), ExitCode::USR_ILLEGAL_ARGUMENT);
    let too_much = signed(voucher(ch, 0, 3, fil(101)), &alice);
    assert_eq!(redeem(&mut net, &bob, &ch, too_much, b""), ExitCode::USR_ILLEGAL_ARGUMENT);
    assert_eq!(net.state::<PaychState>(&ch).to_send, fil(15), "refusals change nothing");

    // Merging lane 1 into lane 0 does not pay lane 1's amount twice.
    assert_eq!(
        redeem(&mut net, &bob, &ch, signed(voucher(ch, 1, 1, fil(5)), &alice), b""),
        ExitCode::OK
    );
    let mut merge = voucher(ch, 0, 3, fil(30));
    merge.merges = vec![Merge { lane: 1, nonce: 2 }];
    assert_eq!(redeem(&mut net, &bob, &ch, signed(merge, &alice), b""), ExitCode::OK);
    assert_eq!(net.state::<PaychState>(&ch).to_send, fil(30));
    let mut into_itself = voucher(ch, 0, 4, fil(31));
    into_itself.merges = vec![Merge { lane: 0, nonce: 5 }];
    assert_eq!(
        redeem(&mut net, &bob, &ch, signed(into_itself, &alice), b""),
        ExitCode::USR_ILLEGAL_ARGUMENT
    );

    // Only the two parties, and only built-in callers (contracts are refused by FIP-0050).
    let outsider = net.carol.address();
    let sv = signed(voucher(ch, 0, 9, fil(40)), &alice);
    assert_eq!(redeem(&mut net, &outsider, &ch, sv.clone(), b""), ExitCode::USR_FORBIDDEN);
    let params = UpdateChannelStateParams { sv, secret: vec![] };
    let (code, _) =
        net.contract_call(&ch, UPDATE_CHANNEL_STATE_METHOD, Some(&params), TokenAmount::default());
    assert_eq!(code, ExitCode::USR_FORBIDDEN);
}

#[test]
fn secrets_time_locks_and_bls_payers() {
    let mut net = Net::new();
    let (carol, bob) = (net.carol.clone(), net.bob.address());
    let ch = open(&mut net, &carol, bob, fil(10));

    let mut locked = voucher(ch, 0, 1, fil(1));
    locked.secret_pre_image = blake2b_256(b"open sesame").to_vec();
    let locked = signed(locked, &carol);
    assert_eq!(
        redeem(&mut net, &bob, &ch, locked.clone(), b"wrong"),
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    assert_eq!(redeem(&mut net, &bob, &ch, locked, b"open sesame"), ExitCode::OK);

    let mut later = voucher(ch, 0, 2, fil(2));
    later.time_lock_min = net.epoch + 10;
    let later = signed(later, &carol);
    assert_eq!(redeem(&mut net, &bob, &ch, later.clone(), b""), ExitCode::USR_ILLEGAL_ARGUMENT);
    net.advance(10);
    assert_eq!(redeem(&mut net, &bob, &ch, later, b""), ExitCode::OK);
    let mut expired = voucher(ch, 0, 3, fil(3));
    expired.time_lock_max = net.epoch - 1;
    assert_eq!(
        redeem(&mut net, &bob, &ch, signed(expired, &carol), b""),
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    assert_eq!(net.state::<PaychState>(&ch).to_send, fil(2));
}

#[test]
fn settle_then_collect_pays_out_and_deletes_the_channel() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice.clone(), net.bob.address());
    let ch = open(&mut net, &alice, bob, fil(100));
    assert_eq!(
        redeem(&mut net, &bob, &ch, signed(voucher(ch, 0, 1, fil(40)), &alice), b""),
        ExitCode::OK
    );

    let zero = TokenAmount::default();
    let a = alice.address();
    assert_exit(
        &net.send::<()>(&a, &ch, COLLECT_METHOD, None, zero.clone()),
        ExitCode::USR_FORBIDDEN,
    );
    assert_exit(&net.send::<()>(&a, &ch, SETTLE_METHOD, None, zero.clone()), ExitCode::OK);
    let st: PaychState = net.state(&ch);
    assert_eq!(st.settling_at, net.epoch + SETTLE_DELAY);
    assert_exit(
        &net.send::<()>(&a, &ch, SETTLE_METHOD, None, zero.clone()),
        ExitCode::USR_ILLEGAL_STATE,
    );
    assert_exit(
        &net.send::<()>(&a, &ch, COLLECT_METHOD, None, zero.clone()),
        ExitCode::USR_FORBIDDEN,
    );

    net.advance(SETTLE_DELAY);
    // Vouchers are refused once settled.
    let late = signed(voucher(ch, 0, 2, fil(50)), &alice);
    assert_eq!(redeem(&mut net, &bob, &ch, late, b""), ERR_CHANNEL_STATE_UPDATE_AFTER_SETTLED);
    let alice_before = net.balance(&a);
    let ret = net.send::<()>(&bob, &ch, COLLECT_METHOD, None, zero);
    assert_exit(&ret, ExitCode::OK);
    // Bob (who sent the message and paid its gas) gets what he redeemed, Alice the rest.
    let paid: Vec<_> = ret
        .trace
        .as_ref()
        .unwrap()
        .subcalls
        .iter()
        .map(|c| (c.to_id.unwrap(), c.value.clone()))
        .collect();
    let ids = (net.id(&bob), net.id(&a));
    assert_eq!(paid, vec![(ids.0, fil(40)), (ids.1, fil(60))]);
    assert_eq!(net.balance(&a) - alice_before, fil(60));
    assert!(net.actor(&ch).is_none(), "the channel is deleted");
}

/// Sends a parameterless channel method; returns the exit code.
fn call(net: &mut Net, from: &Address, channel: &Address, method: u64) -> ExitCode {
    net.send::<()>(from, channel, method, None, TokenAmount::default()).receipt.exit_code
}

#[test]
fn only_init_creates_channels_between_existing_parties() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice.address(), net.bob.address());
    let payer = net.alice.clone();
    let ch = open(&mut net, &payer, bob, fil(1));
    // Calling an existing channel's constructor directly: only init may construct.
    let params = ConstructorParams { from: alice, to: bob };
    let ret = net.send(&alice, &ch, 1, Some(&params), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    // A party named by an ID with no actor is not found (upstream's existence check).
    assert_eq!(
        exec(&mut net, &alice, alice, Address::new_id(999_999), fil(1)).receipt.exit_code,
        ExitCode::USR_NOT_FOUND
    );
    assert_eq!(
        exec(&mut net, &alice, Address::new_id(999_999), bob, fil(1)).receipt.exit_code,
        ExitCode::USR_NOT_FOUND
    );

    // A key address with no actor yet gets its account, and is stored as its ID.
    let newcomer = Key::secp(9).address();
    assert!(net.actor(&newcomer).is_none());
    let ch = open(&mut net, &payer, newcomer, fil(1));
    let st: PaychState = net.state(&ch);
    let account = net.actor(&newcomer).expect("account created");
    assert_eq!(account.code, BuiltinType::Account.code_cid());
    assert_eq!(st.to, Address::new_id(net.id(&newcomer)));
    // An empty AMT root: [bit_width 3, height 0, count 0, node [bitmap h'00', [], []]].
    let root = fvm_ipld_blockstore::Blockstore::get(&*net.store, &st.lane_states).unwrap().unwrap();
    assert_eq!(root, [0x84, 0x03, 0x00, 0x00, 0x83, 0x41, 0x00, 0x80, 0x80]);
    assert_eq!((st.to_send, st.settling_at, st.min_settle_height), (TokenAmount::default(), 0, 0));
}

#[test]
fn the_signer_is_always_the_other_party() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice.clone(), net.bob.clone());
    let ch = open(&mut net, &alice, bob.address(), fil(10));
    // The payer cannot redeem her own voucher: the payee must have signed it.
    let own = signed(voucher(ch, 0, 1, fil(1)), &alice);
    assert_eq!(redeem(&mut net, &alice.address(), &ch, own, b""), ExitCode::USR_ILLEGAL_ARGUMENT);
    let by_bob = signed(voucher(ch, 0, 1, fil(1)), &bob);
    assert_eq!(redeem(&mut net, &alice.address(), &ch, by_bob, b""), ExitCode::OK);
    assert_eq!(net.state::<PaychState>(&ch).to_send, fil(1));

    // An f410 payee redeems like any other; an f410 payer's EthAccount answers nothing to
    // AuthenticateMessage, so its vouchers fail as a missing return (24).
    let dave = net.dave;
    let to_dave = open(&mut net, &alice, dave, fil(10));
    let sv = signed(voucher(to_dave, 0, 1, fil(3)), &alice);
    assert_eq!(redeem(&mut net, &dave, &to_dave, sv, b""), ExitCode::OK);
    let ch2 = decode::<ExecReturn>(&exec(&mut net, &dave, dave, bob.address(), fil(5))).id_address;
    let mut sv = voucher(ch2, 0, 1, fil(1));
    sv.signature = Some(alice.sign(&sv.signing_bytes().unwrap()));
    assert_eq!(redeem(&mut net, &bob.address(), &ch2, sv, b""), ExitCode::USR_ASSERTION_FAILED);
}

#[test]
fn lane_and_merge_rules() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice.clone(), net.bob.address());
    let ch = open(&mut net, &alice, bob, fil(100));
    let ok = |net: &mut Net, sv: SignedVoucher| redeem(net, &bob, &ch, signed(sv, &alice), b"");
    assert_eq!(ok(&mut net, voucher(ch, 1, 5, fil(10))), ExitCode::OK);
    assert_eq!(ok(&mut net, voucher(ch, 2, 5, fil(20))), ExitCode::OK);
    let bad = ExitCode::USR_ILLEGAL_ARGUMENT;
    let with = |lane, nonce, amount, merges: Vec<Merge>| {
        let mut sv = voucher(ch, lane, nonce, amount);
        sv.merges = merges;
        sv
    };
    // Unknown merge lane, stale merge nonce, the highest lane number, a negative amount.
    assert_eq!(ok(&mut net, with(0, 1, fil(40), vec![Merge { lane: 9, nonce: 1 }])), bad);
    assert_eq!(ok(&mut net, with(0, 1, fil(40), vec![Merge { lane: 1, nonce: 5 }])), bad);
    assert_eq!(ok(&mut net, voucher(ch, MAX_LANE + 1, 1, fil(1))), bad);
    assert_eq!(ok(&mut net, voucher(ch, 3, 1, TokenAmount::from_atto(-1))), bad);
    assert_eq!(net.state::<PaychState>(&ch).to_send, fil(30));

    // Lane 0 takes over lanes 1 and 2: 45 in all, so only 15 more is owed.
    let merges = vec![Merge { lane: 1, nonce: 6 }, Merge { lane: 2, nonce: 9 }];
    assert_eq!(ok(&mut net, with(0, 1, fil(45), merges)), ExitCode::OK);
    let st: PaychState = net.state(&ch);
    assert_eq!(st.to_send, fil(45));
    let lanes = fvm_ipld_amt::Amt::<LaneState, _>::load(&st.lane_states, &*net.store).unwrap();
    let lane = |i| lanes.get(i).unwrap().cloned().unwrap();
    assert_eq!(lane(0), LaneState { redeemed: fil(45), nonce: 1 });
    assert_eq!(lane(1), LaneState { redeemed: fil(10), nonce: 6 }, "merged lanes keep amounts");
    assert_eq!(lane(2), LaneState { redeemed: fil(20), nonce: 9 });
    // The merged lanes' nonces moved: their old vouchers are stale now.
    assert_eq!(ok(&mut net, voucher(ch, 1, 6, fil(11))), bad);
    // The highest lane number itself is fine.
    assert_eq!(ok(&mut net, voucher(ch, MAX_LANE, 1, fil(46))), ExitCode::OK);
    assert_eq!(net.state::<PaychState>(&ch).to_send, fil(91));
}

#[test]
fn secrets_are_bounded_and_extra_calls_must_succeed() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice.clone(), net.bob.address());
    let ch = open(&mut net, &alice, bob, fil(10));
    let sv = signed(voucher(ch, 0, 1, fil(1)), &alice);
    let long = vec![7u8; MAX_SECRET_SIZE + 1];
    assert_eq!(redeem(&mut net, &bob, &ch, sv.clone(), &long), ExitCode::USR_ILLEGAL_ARGUMENT);
    assert_eq!(redeem(&mut net, &bob, &ch, sv, &long[..MAX_SECRET_SIZE]), ExitCode::OK);

    let contract = net.contract;
    let mut checked = voucher(ch, 0, 2, fil(2));
    checked.extra = Some(ModVerifyParams {
        actor: Address::new_id(contract),
        method: 4242,
        data: RawBytes::serialize(42u64).unwrap(),
    });
    let checked = signed(checked, &alice);
    net.script_refusals(contract, &[4242]);
    // The verifier's failure passes up unchanged.
    assert_eq!(redeem(&mut net, &bob, &ch, checked.clone(), b""), ExitCode::USR_ASSERTION_FAILED);
    assert_eq!(net.state::<PaychState>(&ch).to_send, fil(1));
    net.script_refusals(contract, &[]);
    let params = UpdateChannelStateParams { sv: checked, secret: vec![] };
    let ret =
        net.send(&bob, &ch, UPDATE_CHANNEL_STATE_METHOD, Some(&params), TokenAmount::default());
    assert_exit(&ret, ExitCode::OK);
    let calls = &ret.trace.as_ref().unwrap().subcalls;
    let verify = calls.iter().find(|c| c.method == 4242).expect("the verifier was called");
    assert_eq!(verify.to_id, Some(contract));
    assert_eq!(net.state::<PaychState>(&ch).to_send, fil(2));
}

#[test]
fn min_settle_height_delays_settlement() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice.clone(), net.bob.address());
    let ch = open(&mut net, &alice, bob, fil(10));
    let far = net.epoch + 5000;
    let mut sv = voucher(ch, 0, 1, fil(1));
    sv.min_settle_height = far;
    assert_eq!(redeem(&mut net, &bob, &ch, signed(sv, &alice), b""), ExitCode::OK);
    assert_eq!(net.state::<PaychState>(&ch).min_settle_height, far);
    assert_eq!(call(&mut net, &bob, &ch, SETTLE_METHOD), ExitCode::OK);
    assert_eq!(net.state::<PaychState>(&ch).settling_at, far, "not now + 1440");
    // While settling, a voucher can push settlement further out.
    let mut sv = voucher(ch, 0, 2, fil(2));
    sv.min_settle_height = far + 10;
    assert_eq!(redeem(&mut net, &bob, &ch, signed(sv, &alice), b""), ExitCode::OK);
    let st: PaychState = net.state(&ch);
    assert_eq!((st.settling_at, st.min_settle_height), (far + 10, far + 10));
    net.advance(SETTLE_DELAY);
    assert_eq!(call(&mut net, &bob, &ch, COLLECT_METHOD), ExitCode::USR_FORBIDDEN, "too early");
}

#[test]
fn outsiders_and_contracts_are_refused() {
    let mut net = Net::new();
    let alice = net.alice.clone();
    let contract = Address::new_id(net.contract);
    // A contract may be a party (upstream does not check kinds) but cannot call the channel.
    let ch = open(&mut net, &alice, contract, fil(10));
    assert_eq!(net.state::<PaychState>(&ch).to, contract);
    let params =
        UpdateChannelStateParams { sv: signed(voucher(ch, 0, 1, fil(1)), &alice), secret: vec![] };
    let zero = TokenAmount::default();
    let (code, _) =
        net.contract_call(&ch, UPDATE_CHANNEL_STATE_METHOD, Some(&params), zero.clone());
    assert_eq!(code, ExitCode::USR_FORBIDDEN);
    for method in [SETTLE_METHOD, COLLECT_METHOD] {
        let (code, _) = net.contract_call::<()>(&ch, method, None, zero.clone());
        assert_eq!(code, ExitCode::USR_FORBIDDEN);
    }
    // Non-parties are refused too.
    let carol = net.carol.address();
    for method in [SETTLE_METHOD, COLLECT_METHOD] {
        assert_eq!(call(&mut net, &carol, &ch, method), ExitCode::USR_FORBIDDEN);
    }
    assert_eq!(net.state::<PaychState>(&ch).settling_at, 0);
    // Collect with a balance goes to the contract party as a plain send.
    assert_eq!(call(&mut net, &alice.address(), &ch, SETTLE_METHOD), ExitCode::OK);
    net.advance(SETTLE_DELAY);
    let before = net.balance(&contract);
    assert_eq!(call(&mut net, &alice.address(), &ch, COLLECT_METHOD), ExitCode::OK);
    assert_eq!(net.balance(&contract), before, "nothing was redeemed for the contract");
    assert!(net.actor(&ch).is_none());
}
