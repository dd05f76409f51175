//! The miner's money: withdrawals to the beneficiary, fee-debt repayment, block rewards
//! arriving from the reward actor, and the getters of balances, vesting, pledge and the
//! termination fee. State is saved before any send, so that a callee sees (and power's pledge
//! total follows) the miner's books as they are after the change.

use filecoin_vm::{ActorError, ActorResult, REWARD_ACTOR_ID, Runtime};
use fvm_shared::address::Address;
use fvm_shared::error::ExitCode;

use super::common::{check_balance_invariants, check_control_caller, load, repay_debts_or_abort};
use crate::miner::ext::{
    burn_funds, notify_pledge_changed, request_current_epoch_block_reward,
    request_current_total_power,
};
use crate::miner::monies::{
    TERMINATION_LIFETIME_CAP, locked_reward_from_reward, pledge_penalty_for_continued_fault,
    pledge_penalty_for_termination,
};
use crate::miner::policy::EPOCHS_IN_DAY;
use crate::miner::state::MinerState;
use crate::miner::types::{
    ApplyRewardParams, GetAvailableBalanceReturn, GetVestingFundsReturn, InitialPledgeReturn,
    MaxTerminationFeeParams, MaxTerminationFeeReturn, WithdrawBalanceParams, WithdrawBalanceReturn,
};
use crate::plumbing::{caller_is, load_state, ret, ret_none, save_state, transfer};

/// `WithdrawBalance`, by the owner or the beneficiary; the funds always go to the beneficiary,
/// so an owner cannot route around a beneficiary's claim. At most the available balance
/// (after vesting what is due and paying all fee debt, which must be payable), and for a
/// beneficiary other than the owner at most what is left of its quota before it expires.
/// Refused while early terminations are pending, since their fees are not yet charged.
/// Returns the amount sent.
pub fn withdraw_balance(rt: &mut dyn Runtime, params: WithdrawBalanceParams) -> ActorResult {
    let requested = params.amount_requested;
    if requested.is_negative() {
        return Err(ActorError::illegal_argument(format!(
            "negative fund requested for withdrawal: {requested}"
        )));
    }
    let now = rt.machine().epoch;
    let (mut state, mut info) = load(rt)?;
    let caller = Address::new_id(rt.message().caller);
    if caller != info.owner && caller != info.beneficiary {
        return Err(ActorError::forbidden(format!(
            "caller {caller} is neither the owner nor the beneficiary"
        )));
    }
    if !state.early_terminations.is_empty() {
        return Err(ActorError::forbidden(format!(
            "cannot withdraw funds while {} deadlines have terminated sectors with outstanding \
             fees",
            state.early_terminations.len()
        )));
    }
    let store = rt.store();
    let newly_vested = state.unlock_vested_funds(&store, now)?;
    // The available balance already nets out fee debt, so it is read before the debt is paid.
    let balance = rt.current_balance()?;
    let available = state.get_available_balance(&balance)?;
    let fee_to_burn = repay_debts_or_abort(rt, &mut state)?;
    let mut amount = available.min(requested);
    if amount.is_negative() {
        return Err(ActorError::illegal_state(format!("negative amount to withdraw: {amount}")));
    }
    if info.beneficiary != info.owner {
        let remaining = info.beneficiary_term.available(now);
        if remaining.is_zero() {
            return Err(ActorError::forbidden(format!(
                "beneficiary expiration of epoch {} passed or quota of {} depleted with {} used",
                info.beneficiary_term.expiration,
                info.beneficiary_term.quota,
                info.beneficiary_term.used_quota
            )));
        }
        amount = amount.min(remaining);
        if amount.is_positive() {
            info.beneficiary_term.used_quota += &amount;
            state.save_info(&store, &info)?;
        }
    }
    save_state(rt, &state)?;

    if amount.is_positive() {
        transfer(rt, &info.beneficiary, amount.clone())?;
    }
    burn_funds(rt, fee_to_burn)?;
    notify_pledge_changed(rt, &-newly_vested)?;
    check_balance_invariants(rt, &state)?;
    ret(&WithdrawBalanceReturn { amount_withdrawn: amount })
}

/// `RepayDebt` (owner, worker or control): pays as much fee debt as the miner can, from
/// vesting funds first (soonest first) and then unlocked funds. Funds taken from vesting
/// leave power's pledge total.
pub fn repay_debt(rt: &mut dyn Runtime) -> ActorResult {
    let now = rt.machine().epoch;
    let (mut state, info) = load(rt)?;
    check_control_caller(rt, &info)?;
    let balance = rt.current_balance()?;
    let (to_burn, unlocked) =
        state.repay_partial_debt_in_priority_order(&rt.store(), now, &balance)?;
    save_state(rt, &state)?;

    notify_pledge_changed(rt, &-unlocked)?;
    burn_funds(rt, to_burn)?;
    check_balance_invariants(rt, &state)?;
    ret_none()
}

/// `ApplyRewards` (reward actor only), with a block reward sent along and a penalty to charge.
/// 75 % of the reward is locked to vest over 180 days, so that a miner has something to lose
/// for a fault; the rest is free at once. The penalty becomes fee debt and is paid at once as
/// far as vesting and unlocked funds allow (usually from the reward itself); what remains
/// stays as debt. Power's pledge total follows the locked funds.
pub fn apply_rewards(rt: &mut dyn Runtime, params: ApplyRewardParams) -> ActorResult {
    if params.reward.is_negative() {
        return Err(ActorError::illegal_argument("cannot lock up a negative amount of funds"));
    }
    if params.penalty.is_negative() {
        return Err(ActorError::illegal_argument("cannot penalize a negative amount of funds"));
    }
    let now = rt.machine().epoch;
    let mut state: MinerState = load_state(rt)?;
    caller_is(rt, &[REWARD_ACTOR_ID])?;

    let (to_lock, vest_spec) = locked_reward_from_reward(params.reward);
    // The reward arrived with this message, so this only fails if the reward actor sent less
    // than it reports.
    let balance = rt.current_balance()?;
    let unlocked = state.get_unlocked_balance(&balance)?;
    if unlocked < to_lock {
        return Err(ActorError::new(
            ExitCode::USR_INSUFFICIENT_FUNDS,
            format!("insufficient funds to lock, available: {unlocked}, requested: {to_lock}"),
        ));
    }
    let store = rt.store();
    let newly_vested = state.add_locked_funds(&store, now, &to_lock, vest_spec)?;
    let mut pledge_delta = &to_lock - &newly_vested;
    state.apply_penalty(&params.penalty)?;
    let (to_burn, from_vesting) =
        state.repay_partial_debt_in_priority_order(&store, now, &balance)?;
    pledge_delta -= from_vesting;
    save_state(rt, &state)?;

    notify_pledge_changed(rt, &pledge_delta)?;
    burn_funds(rt, to_burn)?;
    // Neither send re-enters this miner, so the state saved above is still current.
    check_balance_invariants(rt, &state)?;
    ret_none()
}

/// `GetAvailableBalance`: balance less vesting, deposits, pledge and fee debt; negative while
/// the miner owes more than its unlocked funds.
pub fn get_available_balance(rt: &mut dyn Runtime) -> ActorResult {
    let state: MinerState = load_state(rt)?;
    let balance = rt.current_balance()?;
    let available_balance = state.get_available_balance(&balance).map_err(|e| {
        ActorError::illegal_state(format!("failed to calculate available balance: {}", e.message()))
    })?;
    ret(&GetAvailableBalanceReturn { available_balance })
}

/// `GetVestingFunds`: the vesting table as (epoch, amount), earliest first. Nothing is vested
/// by reading it, so entries already due may still be listed.
pub fn get_vesting_funds(rt: &mut dyn Runtime) -> ActorResult {
    let state: MinerState = load_state(rt)?;
    let vesting_funds =
        state.vesting_funds.load(&rt.store())?.into_iter().map(|f| (f.epoch, f.amount)).collect();
    ret(&GetVestingFundsReturn { vesting_funds })
}

/// `InitialPledge`: the pledge locked by all the miner's sectors.
pub fn initial_pledge(rt: &mut dyn Runtime) -> ActorResult {
    let state: MinerState = load_state(rt)?;
    ret(&InitialPledgeReturn { initial_pledge: state.initial_pledge })
}

/// `MaxTerminationFee`: the termination fee of sectors of the given power and pledge once
/// they are past the fee's lifetime cap, i.e. the most terminating them can ever cost at
/// today's reward and network power.
pub fn max_termination_fee(rt: &mut dyn Runtime, params: MaxTerminationFeeParams) -> ActorResult {
    let reward_smoothed = request_current_epoch_block_reward(rt)?.this_epoch_reward_smoothed;
    let qa_power_smoothed = request_current_total_power(rt)?.quality_adj_power_smoothed;
    let fault_fee =
        pledge_penalty_for_continued_fault(&reward_smoothed, &qa_power_smoothed, &params.power);
    let max_fee = pledge_penalty_for_termination(
        &params.initial_pledge,
        TERMINATION_LIFETIME_CAP * EPOCHS_IN_DAY,
        &fault_fee,
    );
    ret(&MaxTerminationFeeReturn { max_fee })
}
