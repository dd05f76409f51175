//! The miner's owner side: changing owner and worker, withdrawing what is not locked, block
//! rewards vesting, and the read-only getters contracts call.

use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use storage_actors::miner::types::*;
use storage_actors::reward::{AWARD_BLOCK_REWARD_METHOD, AwardBlockRewardParams};

use super::setup::*;
use crate::harness::{FIL, Net, assert_exit, decode};

fn get<R: serde::de::DeserializeOwned>(net: &mut Net, miner: &Address, method: u64) -> R {
    let bob = net.bob.address();
    decode(&net.send::<()>(&bob, miner, method, None, TokenAmount::default()))
}

#[test]
fn withdrawals_pay_the_beneficiary_only_what_is_unlocked() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    onboard_cc(&mut net, &miner, &[1, 2]);
    let st = miner_state(&mut net, &miner);
    let balance = net.balance(&miner);
    let available: GetAvailableBalanceReturn =
        get(&mut net, &miner, GET_AVAILABLE_BALANCE_EXPORTED);
    assert_eq!(
        available.available_balance,
        &balance - &st.locked_funds - &st.initial_pledge - &st.pre_commit_deposits
    );

    // Only the owner (or beneficiary) withdraws, never more than is available, and the
    // funds go to the beneficiary (here the owner, alice).
    let (alice, carol) = (net.alice.address(), net.carol.address());
    let ask = WithdrawBalanceParams { amount_requested: TokenAmount::from_atto(1000 * FIL) };
    let ret = net.send(&carol, &miner, WITHDRAW_BALANCE_METHOD, Some(&ask), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let before = net.balance(&alice);
    let ret =
        net.send(&alice, &miner, WITHDRAW_BALANCE_EXPORTED, Some(&ask), TokenAmount::default());
    let withdrawn: WithdrawBalanceReturn = decode(&ret);
    assert_eq!(withdrawn.amount_withdrawn, available.available_balance);
    let fee = &ret.gas_outputs.base_fee_burn
        + &ret.gas_outputs.over_estimation_burn
        + &ret.gas_outputs.miner_tip;
    assert_eq!(net.balance(&alice), before + &withdrawn.amount_withdrawn - fee);
    let after: GetAvailableBalanceReturn = get(&mut net, &miner, GET_AVAILABLE_BALANCE_EXPORTED);
    assert!(after.available_balance.is_zero());
    let negative = WithdrawBalanceParams { amount_requested: TokenAmount::from_atto(-1) };
    let ret =
        net.send(&alice, &miner, WITHDRAW_BALANCE_METHOD, Some(&negative), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn block_rewards_vest_three_quarters() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let locked_before = miner_state(&mut net, &miner).locked_funds;
    let params = AwardBlockRewardParams {
        miner,
        penalty: TokenAmount::default(),
        gas_reward: TokenAmount::default(),
        win_count: 1,
    };
    let balance_before = net.balance(&miner);
    let ret = net.implicit(
        &Address::new_id(filecoin_vm::REWARD_ACTOR_ID),
        AWARD_BLOCK_REWARD_METHOD,
        Some(&params),
    );
    assert_exit(&ret, ExitCode::OK);
    let reward = net.balance(&miner) - balance_before;
    assert!(reward.is_positive());
    let locked = miner_state(&mut net, &miner).locked_funds - locked_before;
    assert_eq!(locked, (reward * 3u64).div_floor(4u64));
    let vesting: GetVestingFundsReturn = get(&mut net, &miner, GET_VESTING_FUNDS_EXPORTED);
    assert!(vesting.vesting_funds.len() > 1, "vesting is spread over 180 days");
}

#[test]
fn owner_changes_take_two_steps_and_workers_must_be_bls() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let (alice, bob) = (net.alice.address(), net.bob.address());
    let bob_id = Address::new_id(net.id(&bob));

    // Proposed by the owner, confirmed by the nominee.
    let ret =
        net.send(&bob, &miner, CHANGE_OWNER_ADDRESS_METHOD, Some(&bob_id), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let ret =
        net.send(&alice, &miner, CHANGE_OWNER_ADDRESS_METHOD, Some(&bob), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    let ret = net.send(
        &alice,
        &miner,
        CHANGE_OWNER_ADDRESS_METHOD,
        Some(&bob_id),
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::OK);
    let owner: GetOwnerReturn = get(&mut net, &miner, GET_OWNER_EXPORTED);
    assert_eq!(owner.proposed, Some(bob_id));
    let ret = net.send(
        &bob,
        &miner,
        CHANGE_OWNER_ADDRESS_EXPORTED,
        Some(&bob_id),
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::OK);
    let owner: GetOwnerReturn = get(&mut net, &miner, GET_OWNER_EXPORTED);
    assert_eq!((owner.owner, owner.proposed), (bob_id, None));
    let beneficiary: GetBeneficiaryReturn = get(&mut net, &miner, GET_BENEFICIARY_EXPORTED);
    assert_eq!(beneficiary.active.beneficiary, bob_id, "the owner's beneficiary follows the owner");

    // A secp worker is refused; the controlling check sees the owner and worker.
    let params = ChangeWorkerAddressParams { new_worker: alice, new_control_addresses: vec![] };
    let ret =
        net.send(&bob, &miner, CHANGE_WORKER_ADDRESS_METHOD, Some(&params), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    let carol = net.carol.address();
    for (who, expected) in [(carol, true), (bob, true), (alice, false)] {
        let ret = net.send(
            &alice,
            &miner,
            IS_CONTROLLING_ADDRESS_EXPORTED,
            Some(&who),
            TokenAmount::default(),
        );
        let answer: IsControllingAddressReturn = decode(&ret);
        assert_eq!(answer.is_controlling, expected, "{who}");
    }
}
