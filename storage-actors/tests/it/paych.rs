//! The payment channel through the VM: created by init, vouchers signed by f1 and f3 keys and
//! authenticated by the payer's account, lanes and merges, secrets and time locks, then settle
//! and collect, which pays out and deletes the channel.

use filecoin_vm::builtin::{EXEC_METHOD, ExecParams, ExecReturn};
use filecoin_vm::crypto::blake2b_256;
use filecoin_vm::{BuiltinType, INIT_ACTOR_ID};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use storage_actors::paych::*;

use crate::harness::{FIL, Key, Net, assert_exit, decode};

fn fil(n: u128) -> TokenAmount {
    TokenAmount::from_atto(n * FIL)
}

/// `payer` opens a channel to `payee` with `funds`; returns its ID address.
fn open(net: &mut Net, payer: &Key, payee: Address, funds: TokenAmount) -> Address {
    let params = ExecParams {
        code_cid: BuiltinType::PaymentChannel.code_cid(),
        constructor_params: RawBytes::serialize(ConstructorParams {
            from: payer.address(),
            to: payee,
        })
        .unwrap(),
    };
    let init = Address::new_id(INIT_ACTOR_ID);
    let ret = net.send(&payer.address(), &init, EXEC_METHOD, Some(&params), funds);
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
fn a_voucher_encodes_as_the_networks_tuple() {
    let sv = voucher(Address::new_id(100), 0, 1, TokenAmount::from_atto(10));
    // [f0100, 0, 0, h'', null, 0, 1, h'000a', 0, [], null]
    let expected = [
        0x8b, 0x42, 0x00, 0x64, 0x00, 0x00, 0x40, 0xf6, 0x00, 0x01, 0x42, 0x00, 0x0a, 0x00, 0x80,
        0xf6,
    ];
    assert_eq!(fvm_ipld_encoding::to_vec(&sv).unwrap(), expected);
    assert_eq!(sv.signing_bytes().unwrap(), expected, "signed over a null signature");
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

#[test]
fn only_init_creates_channels() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice.address(), net.bob.address());
    let params = ConstructorParams { from: alice, to: bob };
    // Calling an existing channel's constructor directly: only init may construct.
    let payer = net.alice.clone();
    let ch = open(&mut net, &payer, bob, fil(1));
    let ret = net.send(&alice, &ch, 1, Some(&params), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    // A payee named by an ID with no actor is refused.
    let ret = {
        let params = ExecParams {
            code_cid: BuiltinType::PaymentChannel.code_cid(),
            constructor_params: RawBytes::serialize(ConstructorParams {
                from: alice,
                to: Address::new_id(999_999),
            })
            .unwrap(),
        };
        net.send(&alice, &Address::new_id(INIT_ACTOR_ID), EXEC_METHOD, Some(&params), fil(1))
    };
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
}
