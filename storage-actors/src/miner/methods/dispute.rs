//! `DisputeWindowedPoSt` (24): anyone may challenge a Window PoSt that was accepted without
//! verification (one that recovered no power), during the dispute window after its deadline
//! closed. The proof is checked against the sectors as they stood then; if it holds, the
//! dispute fails. If it does not, the sectors it claimed to prove become faulty at once, and
//! the miner owes the invalid-PoSt penalty plus the disputer's reward, which is paid out of
//! what the miner can pay now (the rest of the penalty stays as fee debt).

use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_shared::METHOD_SEND;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sys::SendFlags;

use super::common::{check_balance_invariants, load};
use super::post::verify_post;
use crate::miner::deadline_info::{
    deadline_available_for_optimistic_post_dispute, new_deadline_info,
};
use crate::miner::ext::{
    burn_funds, notify_pledge_changed, request_current_epoch_block_reward,
    request_current_total_power, request_update_power,
};
use crate::miner::monies::{
    pledge_penalty_for_invalid_windowpost, reward_for_disputed_window_post,
};
use crate::miner::policy::{
    FAULT_MAX_AGE, WPOST_DISPUTE_WINDOW, WPOST_PERIOD_DEADLINES, WPOST_PROVING_PERIOD,
};
use crate::miner::sectors::{ErrorContext, Sectors};
use crate::miner::state::MinerState;
use crate::miner::types::DisputeWindowedPoStParams;
use crate::plumbing::{load_state, ret_none, save_state};

/// `DisputeWindowedPoSt`.
pub fn dispute_windowed_post(
    rt: &mut dyn Runtime,
    params: DisputeWindowedPoStParams,
) -> ActorResult {
    let reporter = rt.message().caller;
    if params.deadline >= WPOST_PERIOD_DEADLINES {
        return Err(ActorError::illegal_argument(format!(
            "invalid deadline {} of {WPOST_PERIOD_DEADLINES}",
            params.deadline
        )));
    }
    let now = rt.machine().epoch;
    // Today's estimates stand in for those of the epoch the proof was submitted.
    let reward = request_current_epoch_block_reward(rt)?;
    let total_power = request_current_total_power(rt)?;

    let (mut state, info): (MinerState, _) = load(rt)?;
    let current = state.deadline_info(now);
    if !deadline_available_for_optimistic_post_dispute(current.period_start, params.deadline, now) {
        return Err(ActorError::forbidden(format!(
            "can only dispute window posts during the dispute window ({WPOST_DISPUTE_WINDOW} \
             epochs after the challenge window closes)"
        )));
    }
    // The disputed proof belongs to the deadline's most recent occurrence, which began in the
    // previous proving period if the deadline comes later in this one.
    let mut period_start = current.period_start;
    if current.index < params.deadline {
        period_start -= WPOST_PROVING_PERIOD;
    }
    let target = new_deadline_info(period_start, params.deadline, now);

    let store = rt.store();
    let mut deadlines = state.load_deadlines(&store)?;
    let mut deadline = deadlines.load_deadline(&store, params.deadline)?;
    // Taking the proof out of the snapshot means it can be disputed only once.
    let (partitions, proofs) = deadline
        .take_post_proofs(&store, params.post_index)
        .context("failed to load proof for dispute")?;
    let mut dispute = deadline
        .load_partitions_for_dispute(&store, partitions)
        .context("failed to load partition for dispute")?;
    // Includes power since terminated: it sizes the penalty, never the power change.
    let penalised_power = dispute.disputed_power.clone();
    let snapshot = Sectors::load(&store, &deadline.sectors_snapshot)?;
    let challenged = snapshot
        .load_for_proof(&dispute.all_sector_nos, &dispute.ignored_sector_nos)
        .context("failed to load sectors to dispute window post")?;
    if verify_post(rt, target.challenge, &challenged, &proofs)? {
        return Err(ActorError::illegal_argument("failed to dispute valid post"));
    }

    // The sectors are where the proof saw them (compaction waits for the dispute window to
    // pass); those terminated since are skipped.
    let fault_expiration = target.last() + FAULT_MAX_AGE;
    let power_delta = deadline
        .record_faults(
            &store,
            &snapshot,
            info.sector_size,
            target.quant_spec(),
            fault_expiration,
            &mut dispute.disputed_sectors,
        )
        .context("failed to declare faults")?;
    deadlines.update_deadline(&store, params.deadline, &deadline)?;
    state.save_deadlines(&store, deadlines)?;

    let penalty_base = pledge_penalty_for_invalid_windowpost(
        &reward.this_epoch_reward_smoothed,
        &total_power.quality_adj_power_smoothed,
        &penalised_power.qa,
    );
    let reward_target =
        reward_for_disputed_window_post(info.window_post_proof_type, penalised_power);
    // The reward is added to the penalty, not taken from it, so that a miner disputing its own
    // proof cannot win back part of what it pays.
    state.apply_penalty(&(&penalty_base + &reward_target)).map_err(|e| {
        ActorError::illegal_state(format!("failed to apply penalty: {}", e.message()))
    })?;
    let balance = rt.current_balance()?;
    let (paid, unlocked) = state
        .repay_partial_debt_in_priority_order(&store, now, &balance)
        .context("failed to pay debt")?;
    let to_reward = paid.clone().min(reward_target);
    let mut to_burn = paid - &to_reward;
    let pledge_delta = -unlocked;
    save_state(rt, &state)?;

    request_update_power(rt, &power_delta)?;
    if !to_reward.is_zero() && !pay_reporter(rt, reporter, &to_reward)? {
        // A reporter that cannot be paid forfeits the reward; it is burnt with the penalty.
        to_burn += &to_reward;
    }
    burn_funds(rt, to_burn)?;
    notify_pledge_changed(rt, &pledge_delta)?;
    let state: MinerState = load_state(rt)?;
    check_balance_invariants(rt, &state)?;
    ret_none()
}

/// Sends the disputer's reward; false if the transfer failed (the dispute stands regardless).
fn pay_reporter(
    rt: &mut dyn Runtime,
    reporter: fvm_shared::ActorID,
    amount: &TokenAmount,
) -> Result<bool, ActorError> {
    let to = Address::new_id(reporter);
    let outcome = rt.send(&to, METHOD_SEND, None, amount.clone(), None, SendFlags::empty())?;
    Ok(matches!(outcome, Ok(ref o) if o.exit_code.is_success()))
}
