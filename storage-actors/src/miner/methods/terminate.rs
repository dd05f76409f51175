//! `TerminateSectors` (9): a provider ends sectors before their expiration. Their power goes
//! at once; each pays a termination fee (FIP-0098) from its pledge, the rest of the pledge is
//! released, and the market settles the sectors' deals. Work beyond one message's bound
//! continues in a cron callback next epoch.

use filecoin_vm::{ActorError, ActorResult, Runtime};

use super::common::{check_balance_invariants, check_control_caller, load};
use super::cron::{process_early_terminations, schedule_early_termination_work};
use super::faults::sector_map;
use crate::miner::deadline_info::deadline_is_mutable;
use crate::miner::ext::{
    request_current_epoch_block_reward, request_current_total_power, request_update_power,
};
use crate::miner::records::PowerPair;
use crate::miner::sectors::Sectors;
use crate::miner::state::MinerState;
use crate::miner::types::{TerminateSectorsParams, TerminateSectorsReturn};
use crate::plumbing::{load_state, ret, save_state};

/// `TerminateSectors`.
pub fn terminate_sectors(rt: &mut dyn Runtime, params: TerminateSectorsParams) -> ActorResult {
    // Pre-committed, unproven sectors cannot be terminated: they expire and lose the deposit.
    let mut map =
        sector_map(params.terminations.into_iter().map(|t| (t.deadline, t.partition, t.sectors)))?;
    let now = rt.machine().epoch;
    let (mut state, info): (MinerState, _) = load(rt)?;
    check_control_caller(rt, &info)?;
    let had_early_terminations = !state.early_terminations.is_empty();
    let store = rt.store();
    let mut deadlines = state.load_deadlines(&store)?;
    let sectors = Sectors::load(&store, &state.sectors)?;
    let period_start = state.current_proving_period_start(now);
    let mut power_delta = PowerPair::zero();
    for (index, partitions) in map.iter() {
        // The deadline being proven, and the next, are frozen.
        if !deadline_is_mutable(period_start, index, now) {
            return Err(ActorError::illegal_argument(format!(
                "cannot terminate sectors in immutable deadline {index}"
            )));
        }
        let quant = state.quant_spec_for_deadline(index);
        let mut deadline = deadlines.load_deadline(&store, index)?;
        let removed = deadline.terminate_sectors(
            &store,
            &sectors,
            now,
            partitions,
            info.sector_size,
            quant,
        )?;
        state.early_terminations.set(index);
        power_delta -= &removed;
        deadlines.update_deadline(&store, index, &deadline)?;
    }
    state.save_deadlines(&store, deadlines)?;
    save_state(rt, &state)?;

    let reward = request_current_epoch_block_reward(rt)?;
    let power = request_current_total_power(rt)?;
    let more = process_early_terminations(
        rt,
        &reward.this_epoch_reward_smoothed,
        &power.quality_adj_power_smoothed,
    )?;
    if more && !had_early_terminations {
        schedule_early_termination_work(rt)?;
    }
    let state: MinerState = load_state(rt)?;
    check_balance_invariants(rt, &state)?;
    request_update_power(rt, &power_delta)?;
    ret(&TerminateSectorsReturn { done: !more })
}
