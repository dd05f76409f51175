//! Preflight checks, EthAccount promotion and fee settlement of explicit messages.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{METHOD_SEND, address::Address};

use crate::harness::{BASE_FEE, Net, eth};
use filecoin_vm::gas::price;
use filecoin_vm::{ApplyKind, BURNT_FUNDS_ACTOR_ID, BuiltinType, REWARD_ACTOR_ID};

#[test]
fn gas_limit_below_inclusion_cost_fails_before_anything_changes() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice, net.bob);
    let mut msg = net.message(&alice, bob, METHOD_SEND, RawBytes::default(), 1);
    msg.gas_limit = price::on_chain_message(100).round_up() - 1;
    let before = net.balance(&alice);
    let ret = net.apply(&msg);
    assert_eq!(ret.receipt.exit_code, ExitCode::SYS_OUT_OF_GAS);
    assert_eq!(ret.receipt.gas_used, 0);
    assert_eq!(
        ret.gas_outputs.miner_penalty,
        TokenAmount::from_atto(BASE_FEE * (560_663 + 130_000))
    );
    assert_eq!((net.nonce(&alice), net.balance(&alice)), (0, before));
}

#[test]
fn sender_checks() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice, net.bob);
    // Unknown sender.
    let mut msg = net.message(&alice, bob, METHOD_SEND, RawBytes::default(), 1);
    msg.from = eth(0x55);
    assert_eq!(net.apply(&msg).receipt.exit_code, ExitCode::SYS_SENDER_INVALID);
    // A non-account sender (the init actor).
    msg.from = Address::new_id(1);
    assert_eq!(net.apply(&msg).receipt.exit_code, ExitCode::SYS_SENDER_INVALID);
    // Wrong nonce.
    let mut msg = net.message(&alice, bob, METHOD_SEND, RawBytes::default(), 1);
    msg.sequence = 5;
    assert_eq!(net.apply(&msg).receipt.exit_code, ExitCode::SYS_SENDER_STATE_INVALID);
    // Balance below fee cap × gas limit.
    let mut msg = net.message(&bob, alice, METHOD_SEND, RawBytes::default(), 1);
    msg.gas_fee_cap = TokenAmount::from_atto(100_000_000_000_000_000u128);
    let ret = net.apply(&msg);
    assert_eq!(ret.receipt.exit_code, ExitCode::SYS_SENDER_STATE_INVALID);
    assert_eq!(ret.gas_outputs.miner_penalty, TokenAmount::from_atto(BASE_FEE) * msg.gas_limit);
    assert_eq!(net.nonce(&alice), 0);
    assert_eq!(net.nonce(&bob), 0);
}

#[test]
fn a_placeholder_sender_is_promoted_and_stays_promoted_when_its_message_fails() {
    let mut net = Net::new();
    let (alice, carol) = (net.alice, eth(0xc0));
    let msg = net.message(&alice, carol, METHOD_SEND, RawBytes::default(), 10u64.pow(18));
    assert_eq!(net.apply(&msg).receipt.exit_code, ExitCode::OK);
    let code = net.actor(&carol).unwrap().code;
    assert_eq!(BuiltinType::from_code(&code), Some(BuiltinType::Placeholder));
    // Carol's first message fails (missing receiver) but she is an EthAccount from now on.
    let msg = net.message(&carol, Address::new_id(7_777), METHOD_SEND, RawBytes::default(), 1);
    let ret = net.apply(&msg);
    assert_eq!(ret.receipt.exit_code, ExitCode::SYS_INVALID_RECEIVER);
    let carol_actor = net.actor(&carol).unwrap();
    assert_eq!(BuiltinType::from_code(&carol_actor.code), Some(BuiltinType::EthAccount));
    assert_eq!(carol_actor.sequence, 1);
    assert_eq!(carol_actor.delegated_address, Some(carol));
}

#[test]
fn settlement_pays_burn_tip_and_refund_and_conserves_funds() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice, net.bob);
    let burnt = Address::new_id(BURNT_FUNDS_ACTOR_ID);
    let reward = Address::new_id(REWARD_ACTOR_ID);
    let total_before =
        net.balance(&alice) + net.balance(&bob) + net.balance(&burnt) + net.balance(&reward);
    let msg = net.message(&alice, bob, METHOD_SEND, RawBytes::default(), 1_000);
    let alice_before = net.balance(&alice);
    let ret = net.apply(&msg);
    let out = &ret.gas_outputs;
    let used = ret.receipt.gas_used;
    assert_eq!(out.base_fee_burn, TokenAmount::from_atto(BASE_FEE * used));
    assert_eq!(
        out.miner_tip,
        TokenAmount::from_atto(10 * msg.gas_limit),
        "tip is on the gas limit"
    );
    assert!(out.over_estimation_burn.is_positive(), "1e9 limit for ~1.7e6 used is over-estimated");
    assert_eq!(net.balance(&burnt), &out.base_fee_burn + &out.over_estimation_burn);
    assert_eq!(net.balance(&reward), out.miner_tip);
    let spent = &alice_before - net.balance(&alice);
    assert_eq!(
        spent,
        TokenAmount::from_atto(1_000)
            + &out.base_fee_burn
            + &out.over_estimation_burn
            + &out.miner_tip
    );
    let total_after =
        net.balance(&alice) + net.balance(&bob) + net.balance(&burnt) + net.balance(&reward);
    assert_eq!(total_before, total_after);
}

#[test]
fn implicit_messages_pay_no_fees_and_keep_the_nonce() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice, net.bob);
    let msg = net.message(&alice, bob, METHOD_SEND, RawBytes::default(), 5);
    let before = net.balance(&alice);
    let ret = net.exec.apply_message(&msg, ApplyKind::Implicit).unwrap();
    assert_eq!(ret.receipt.exit_code, ExitCode::OK);
    assert_eq!(net.balance(&alice), before - TokenAmount::from_atto(5));
    assert_eq!(net.nonce(&alice), 0);
    assert_eq!(ret.gas_outputs, filecoin_vm::GasOutputs::default());
}

#[test]
fn calls_charge_the_inclusion_cost_but_skip_sender_checks_and_fees() {
    let mut net = Net::new();
    let (alice, bob) = (net.alice, net.bob);
    let explicit = net.message(&alice, bob, METHOD_SEND, RawBytes::default(), 5);
    let mut call = explicit.clone();
    // A wrong nonce and a fee cap the sender could never pay are ignored by a call.
    call.sequence = 77;
    call.gas_fee_cap = TokenAmount::from_whole(1_000_000_000);
    let before = net.balance(&alice);
    let called = net.exec.apply_message(&call, ApplyKind::Call { chain_len: 100 }).unwrap();
    assert_eq!(called.receipt.exit_code, ExitCode::OK);
    assert_eq!(called.gas_outputs, filecoin_vm::GasOutputs::default());
    assert_eq!(net.nonce(&alice), 0);
    assert_eq!(net.balance(&alice), before - TokenAmount::from_atto(5));
    // The gas used is what the same message uses when it is applied for real.
    let applied = net.apply(&explicit);
    assert_eq!(called.receipt.gas_used, applied.receipt.gas_used);

    let mut starved = call.clone();
    starved.gas_limit = 1_000;
    let ret = net.exec.apply_message(&starved, ApplyKind::Call { chain_len: 100 }).unwrap();
    assert_eq!(ret.receipt.exit_code, ExitCode::SYS_OUT_OF_GAS);
}
