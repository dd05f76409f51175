//! `CompactPartitions` (19) and `CompactSectorNumbers` (20): housekeeping that keeps a
//! long-lived miner's state small. Compacting partitions drops terminated and expired sectors
//! from a deadline (and from the sectors table) and packs the live ones into as few partitions
//! as possible, which shortens every later Window PoSt. Compacting sector numbers marks unused
//! numbers allocated, so that the allocation bitfield collapses into fewer runs.

use filecoin_vm::{ActorError, ActorResult, Runtime};

use super::common::{check_control_caller, load};
use crate::miner::deadline_info::deadline_available_for_compaction;
use crate::miner::policy::{
    MAX_SECTOR_NUMBER, WPOST_DISPUTE_WINDOW, WPOST_PERIOD_DEADLINES, load_partitions_sectors_max,
};
use crate::miner::sectors::{ErrorContext, Sectors};
use crate::miner::state::{CollisionPolicy, MinerState};
use crate::miner::types::{CompactPartitionsParams, CompactSectorNumbersParams};
use crate::plumbing::{ret_none, save_state};

/// `CompactPartitions`: rewrites the named partitions of one deadline without their dead
/// sectors. Refused while the deadline is being proven (or is next), and while its last proofs
/// may still be disputed, since a dispute must find the sectors where the proof saw them.
pub fn compact_partitions(rt: &mut dyn Runtime, params: CompactPartitionsParams) -> ActorResult {
    if params.deadline >= WPOST_PERIOD_DEADLINES {
        return Err(ActorError::illegal_argument(format!("invalid deadline {}", params.deadline)));
    }
    let partition_count = params.partitions.len();
    let now = rt.machine().epoch;
    let (mut state, info): (MinerState, _) = load(rt)?;
    check_control_caller(rt, &info)?;

    if !deadline_available_for_compaction(
        state.current_proving_period_start(now),
        params.deadline,
        now,
    ) {
        return Err(ActorError::forbidden(format!(
            "cannot compact deadline {} during its challenge window, or the prior challenge \
             window, or before {WPOST_DISPUTE_WINDOW} epochs have passed since its last \
             challenge window ended",
            params.deadline
        )));
    }
    let limit = load_partitions_sectors_max(info.window_post_partition_sectors);
    if partition_count > limit {
        return Err(ActorError::illegal_argument(format!(
            "too many partitions {partition_count}, limit {limit}"
        )));
    }

    let quant = state.quant_spec_for_deadline(params.deadline);
    let store = rt.store();
    let mut deadlines = state.load_deadlines(&store)?;
    let mut deadline = deadlines.load_deadline(&store, params.deadline)?;
    // Moving sectors between partitions must not change what the deadline owes.
    let fee_before = deadline.daily_fee.clone();
    let mut sectors = Sectors::load(&store, &state.sectors)?;
    let dead = deadline
        .compact_partitions(
            &store,
            &sectors,
            info.sector_size,
            info.window_post_partition_sectors,
            &params.partitions,
            quant,
        )
        .context(format_args!("failed to remove partitions from deadline {}", params.deadline))?;
    sectors
        .delete_sectors(&dead)
        .context("failed to delete sectors removed during partition compaction")?;
    state.sectors = sectors.flush()?;
    deadlines.update_deadline(&store, params.deadline, &deadline)?;
    state.save_deadlines(&store, deadlines)?;
    if deadline.daily_fee != fee_before {
        return Err(ActorError::illegal_state(
            "unexpected daily fee change during partition compaction",
        ));
    }
    save_state(rt, &state)?;
    ret_none()
}

/// `CompactSectorNumbers`: marks every number in the mask allocated, so they can never be
/// used. The mask's size is bounded when it is decoded (a bitfield's encoding is capped), so
/// here only emptiness and the largest number are checked.
pub fn compact_sector_numbers(
    rt: &mut dyn Runtime,
    params: CompactSectorNumbersParams,
) -> ActorResult {
    let last = params
        .mask_sector_numbers
        .last()
        .ok_or_else(|| ActorError::illegal_argument("invalid mask bitfield"))?;
    if last > MAX_SECTOR_NUMBER {
        return Err(ActorError::illegal_argument(format!(
            "masked sector number {last} exceeded max sector number"
        )));
    }
    let (mut state, info): (MinerState, _) = load(rt)?;
    check_control_caller(rt, &info)?;
    let store = rt.store();
    // Numbers already in use are fine to mask again: the mask only ever grows the set.
    state.allocate_sector_numbers(
        &store,
        &params.mask_sector_numbers,
        CollisionPolicy::AllowCollisions,
    )?;
    save_state(rt, &state)?;
    ret_none()
}
