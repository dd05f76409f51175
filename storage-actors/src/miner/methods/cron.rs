//! `OnDeferredCronEvent` (12), called by power at the end of each of the miner's deadlines:
//! missed proofs become faults, expired pre-commits lose their deposit, faulty sectors pay
//! the continued-fault fee, sectors pay their daily fee (FIP-0100), due sectors expire, funds
//! vest; then the next deadline's callback is enrolled. Early terminations are processed here
//! too, in bounded batches.

use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_ipld_bitfield::BitField;
use fvm_shared::econ::TokenAmount;
use num_traits::{Signed, Zero};

use super::common::{check_balance_invariants, load};
use crate::POWER_ACTOR_ID;
use crate::miner::emit;
use crate::miner::ext::{
    burn_funds, enroll_cron_event, notify_pledge_changed, request_terminate_deals,
    request_update_power,
};
use crate::miner::monies::{
    daily_proof_fee_payable, expected_reward_for_power, pledge_penalty_for_continued_fault,
    pledge_penalty_for_termination, qa_power_for_sector,
};
use crate::miner::policy::{ADDRESSED_PARTITIONS_MAX, ADDRESSED_SECTORS_MAX, EPOCHS_IN_DAY};
use crate::miner::records::{MinerInfo, PowerPair};
use crate::miner::sectors::Sectors;
use crate::miner::state::MinerState;
use crate::miner::types::{
    CRON_EVENT_PROCESS_EARLY_TERMINATIONS, CRON_EVENT_PROVING_DEADLINE, CronEventPayload,
    DeferredCronEventParams,
};
use crate::plumbing::{caller_is, load_state, ret_none, save_state};
use crate::smoothing::FilterEstimate;

/// `OnDeferredCronEvent`.
pub fn on_deferred_cron_event(
    rt: &mut dyn Runtime,
    params: DeferredCronEventParams,
) -> ActorResult {
    caller_is(rt, &[POWER_ACTOR_ID])?;
    let payload: CronEventPayload = fvm_ipld_encoding::from_slice(&params.event_payload)
        .map_err(|e| ActorError::illegal_state(format!("bad miner cron payload: {e}")))?;
    match payload.event_type {
        CRON_EVENT_PROVING_DEADLINE => handle_proving_deadline(
            rt,
            &params.reward_smoothed,
            &params.quality_adj_power_smoothed,
        )?,
        CRON_EVENT_PROCESS_EARLY_TERMINATIONS
            if process_early_terminations(
                rt,
                &params.reward_smoothed,
                &params.quality_adj_power_smoothed,
            )? =>
        {
            schedule_early_termination_work(rt)?;
        }
        // Unknown events are ignored, as upstream logs and ignores them.
        _ => {}
    }
    let state: MinerState = load_state(rt)?;
    check_balance_invariants(rt, &state)?;
    ret_none()
}

/// A pending worker change takes effect once its epoch has come.
pub fn process_pending_worker(
    rt: &mut dyn Runtime,
    state: &mut MinerState,
    info: &mut MinerInfo,
) -> Result<(), ActorError> {
    let Some(pending) = &info.pending_worker_key else { return Ok(()) };
    if rt.machine().epoch < pending.effective_at {
        return Ok(());
    }
    info.worker = pending.new_worker;
    info.pending_worker_key = None;
    state.save_info(&rt.store(), info)
}

fn handle_proving_deadline(
    rt: &mut dyn Runtime,
    reward_smoothed: &FilterEstimate,
    qa_power_smoothed: &FilterEstimate,
) -> Result<(), ActorError> {
    let now = rt.machine().epoch;
    let (mut state, mut info) = load(rt)?;
    let store = rt.store();
    process_pending_worker(rt, &mut state, &mut info)?;

    let deposit_to_burn = state.cleanup_expired_pre_commits(&store, now)?;
    state.apply_penalty(&deposit_to_burn)?;
    let had_early_terminations = !state.early_terminations.is_empty();

    let result = state.advance_deadline(&store, now)?;
    // New faults (missed proofs) pay nothing now; sectors that stayed faulty pay the fault fee.
    let fault_fee = pledge_penalty_for_continued_fault(
        reward_smoothed,
        qa_power_smoothed,
        &result.previously_faulty_power.qa,
    );
    let mut power_delta = PowerPair::zero();
    power_delta += &result.power_delta;
    let mut pledge_delta = result.pledge_delta.clone();
    state.apply_penalty(&fault_fee)?;
    if result.daily_fee.is_positive() {
        let day_reward = expected_reward_for_power(
            reward_smoothed,
            qa_power_smoothed,
            &result.live_power.qa,
            EPOCHS_IN_DAY,
        );
        state.apply_penalty(&daily_proof_fee_payable(&result.daily_fee, &day_reward))?;
    }
    let balance = rt.current_balance()?;
    let (penalty, unlocked) = state.repay_partial_debt_in_priority_order(&store, now, &balance)?;
    pledge_delta -= unlocked;
    pledge_delta -= state.unlock_vested_funds(&store, now)?;
    let continue_cron = state.continue_deadline_cron();
    if !continue_cron {
        state.deadline_cron_active = false;
    }
    save_state(rt, &state)?;

    request_update_power(rt, &power_delta)?;
    burn_funds(rt, penalty)?;
    notify_pledge_changed(rt, &pledge_delta)?;
    if continue_cron {
        let next = state.deadline_info(now + 1);
        enroll_cron_event(
            rt,
            next.last(),
            &CronEventPayload { event_type: CRON_EVENT_PROVING_DEADLINE },
        )?;
    }
    // Terminations that appeared with this deadline are handled now, and the rest next epoch;
    // ones that were already queued have their own callback.
    if !had_early_terminations
        && !state.early_terminations.is_empty()
        && process_early_terminations(rt, reward_smoothed, qa_power_smoothed)?
    {
        schedule_early_termination_work(rt)?;
    }
    Ok(())
}

/// Enrolls a callback next epoch to continue early terminations.
pub fn schedule_early_termination_work(rt: &mut dyn Runtime) -> Result<(), ActorError> {
    let next = rt.machine().epoch + 1;
    enroll_cron_event(
        rt,
        next,
        &CronEventPayload { event_type: CRON_EVENT_PROCESS_EARLY_TERMINATIONS },
    )
}

/// Processes a bounded batch of early terminations: each sector pays its termination fee and
/// releases its pledge, and the market settles the terminated sectors' deals. Returns whether
/// more remain.
pub fn process_early_terminations(
    rt: &mut dyn Runtime,
    reward_smoothed: &FilterEstimate,
    qa_power_smoothed: &FilterEstimate,
) -> Result<bool, ActorError> {
    let now = rt.machine().epoch;
    let (mut state, info) = load(rt)?;
    let store = rt.store();
    let (result, more) =
        state.pop_early_terminations(&store, ADDRESSED_PARTITIONS_MAX, ADDRESSED_SECTORS_MAX)?;
    if result.is_empty() {
        return Ok(more);
    }
    let sectors = Sectors::load(&store, &state.sectors)?;
    let mut terminated = Vec::new();
    let mut with_data = Vec::new();
    let mut total_pledge = TokenAmount::zero();
    let mut total_penalty = TokenAmount::zero();
    for (epoch, numbers) in result.iter() {
        for sector in sectors.load_sectors(numbers)? {
            total_pledge += &sector.initial_pledge;
            let power = qa_power_for_sector(info.sector_size, &sector);
            let fault_fee =
                pledge_penalty_for_continued_fault(reward_smoothed, qa_power_smoothed, &power);
            total_penalty += pledge_penalty_for_termination(
                &sector.initial_pledge,
                epoch - sector.activation,
                &fault_fee,
            );
            terminated.push(sector.sector_number);
            if sector.deal_weight.is_positive() || sector.verified_deal_weight.is_positive() {
                with_data.push(sector.sector_number);
            }
        }
    }
    state.apply_penalty(&total_penalty)?;
    let mut pledge_delta = -total_pledge;
    state.add_initial_pledge(&pledge_delta)?;
    let balance = rt.current_balance()?;
    let (penalty, unlocked) = state.repay_partial_debt_in_priority_order(&store, now, &balance)?;
    pledge_delta -= unlocked;
    save_state(rt, &state)?;

    burn_funds(rt, penalty)?;
    notify_pledge_changed(rt, &pledge_delta)?;
    let with_data = BitField::try_from_bits(with_data)
        .map_err(|e| ActorError::illegal_state(format!("invalid sector number: {e}")))?;
    request_terminate_deals(rt, now, &with_data)?;
    for number in terminated {
        emit::sector_terminated(rt, number)?;
    }
    Ok(more)
}
