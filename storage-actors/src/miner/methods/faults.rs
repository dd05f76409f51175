//! `DeclareFaults` (10) and `DeclareFaultsRecovered` (11): a provider announces sectors it
//! cannot prove (their power goes at once; the fee waits for the deadline's cron), or sectors
//! it can prove again (their power returns with the next Window PoSt that includes them).
//! Both must come before the target deadline's fault cutoff (70 epochs before it opens).

use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_ipld_bitfield::BitField;
use fvm_shared::clock::ChainEpoch;

use super::common::{
    check_balance_invariants, check_control_caller, consensus_fault_active, load,
    repay_debts_or_abort,
};
use crate::miner::deadline_info::{DeadlineInfo, new_deadline_info};
use crate::miner::ext::{burn_funds, request_update_power};
use crate::miner::policy::{
    ADDRESSED_PARTITIONS_MAX, ADDRESSED_SECTORS_MAX, FAULT_MAX_AGE, WPOST_PERIOD_DEADLINES,
};
use crate::miner::records::PowerPair;
use crate::miner::sector_map::DeadlineSectorMap;
use crate::miner::sectors::Sectors;
use crate::miner::state::MinerState;
use crate::miner::types::{DeclareFaultsParams, DeclareFaultsRecoveredParams};
use crate::plumbing::{load_state, ret_none, save_state};

/// Gathers (deadline, partition, sectors) declarations, bounded as the network bounds them.
pub fn sector_map(
    declarations: impl IntoIterator<Item = (u64, u64, BitField)>,
) -> Result<DeadlineSectorMap, ActorError> {
    let mut map = DeadlineSectorMap::new();
    for (deadline, partition, sectors) in declarations {
        map.add(deadline, partition, sectors).map_err(|e| {
            ActorError::illegal_argument(format!(
                "failed to process deadline {deadline}, partition {partition}: {}",
                e.message()
            ))
        })?;
    }
    map.check(ADDRESSED_PARTITIONS_MAX, ADDRESSED_SECTORS_MAX).map_err(|e| {
        ActorError::illegal_argument(format!(
            "cannot process requested parameters: {}",
            e.message()
        ))
    })?;
    Ok(map)
}

/// The next occurrence of a deadline that has not closed, refusing it once its fault cutoff
/// has passed.
fn declaration_deadline(
    period_start: ChainEpoch,
    index: u64,
    now: ChainEpoch,
    what: &str,
) -> Result<DeadlineInfo, ActorError> {
    if index >= WPOST_PERIOD_DEADLINES {
        return Err(ActorError::illegal_argument(format!(
            "invalid {what} declaration deadline {index}: must be < {WPOST_PERIOD_DEADLINES}"
        )));
    }
    let target = new_deadline_info(period_start, index, now).next_not_elapsed();
    if target.fault_cutoff_passed() {
        return Err(ActorError::illegal_argument(format!(
            "failed {what} declaration at deadline {index}: late fault or recovery declaration"
        )));
    }
    Ok(target)
}

/// `DeclareFaults`.
pub fn declare_faults(rt: &mut dyn Runtime, params: DeclareFaultsParams) -> ActorResult {
    let mut map =
        sector_map(params.faults.into_iter().map(|f| (f.deadline, f.partition, f.sectors)))?;
    let now = rt.machine().epoch;
    let (mut state, info): (MinerState, _) = load(rt)?;
    check_control_caller(rt, &info)?;
    let store = rt.store();
    let mut deadlines = state.load_deadlines(&store)?;
    let sectors = Sectors::load(&store, &state.sectors)?;
    let period_start = state.current_proving_period_start(now);
    let mut power_delta = PowerPair::zero();
    for (index, partitions) in map.iter() {
        let target = declaration_deadline(period_start, index, now, "fault")?;
        let mut deadline = deadlines.load_deadline(&store, index)?;
        let removed = deadline.record_faults(
            &store,
            &sectors,
            info.sector_size,
            target.quant_spec(),
            target.last() + FAULT_MAX_AGE,
            partitions,
        )?;
        deadlines.update_deadline(&store, index, &deadline)?;
        power_delta += &removed;
    }
    state.save_deadlines(&store, deadlines)?;
    save_state(rt, &state)?;
    // The fee for these faults is charged by the deadline's cron, not here.
    request_update_power(rt, &power_delta)?;
    ret_none()
}

/// `DeclareFaultsRecovered`.
pub fn declare_faults_recovered(
    rt: &mut dyn Runtime,
    params: DeclareFaultsRecoveredParams,
) -> ActorResult {
    let mut map =
        sector_map(params.recoveries.into_iter().map(|r| (r.deadline, r.partition, r.sectors)))?;
    let now = rt.machine().epoch;
    let (mut state, info): (MinerState, _) = load(rt)?;
    // Recovering requires the miner to be out of debt.
    let fee_to_burn = repay_debts_or_abort(rt, &mut state)?;
    check_control_caller(rt, &info)?;
    if consensus_fault_active(&info, now) {
        return Err(ActorError::forbidden("recovery not allowed during active consensus fault"));
    }
    let store = rt.store();
    let mut deadlines = state.load_deadlines(&store)?;
    let sectors = Sectors::load(&store, &state.sectors)?;
    let period_start = state.current_proving_period_start(now);
    for (index, partitions) in map.iter() {
        declaration_deadline(period_start, index, now, "recovery")?;
        let mut deadline = deadlines.load_deadline(&store, index)?;
        deadline.declare_faults_recovered(&store, &sectors, info.sector_size, partitions)?;
        deadlines.update_deadline(&store, index, &deadline)?;
    }
    state.save_deadlines(&store, deadlines)?;
    save_state(rt, &state)?;
    burn_funds(rt, fee_to_burn)?;
    let state: MinerState = load_state(rt)?;
    check_balance_invariants(rt, &state)?;
    // Power returns when a Window PoSt proves the recovered sectors.
    ret_none()
}
