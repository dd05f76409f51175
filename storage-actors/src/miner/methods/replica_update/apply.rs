//! Writing proven replica updates into the miner's state: each sector's new info replaces the
//! old one in its partition's expiration queue (which moves its power, pledge and daily fee),
//! the deadlines' memoized power and fee follow, and the extra pledge is locked from the
//! unlocked balance.

use std::collections::BTreeMap;

use cid::Cid;
use filecoin_vm::{ActorError, Runtime};
use fvm_shared::bigint::BigInt;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::SectorSize;
use num_traits::Zero;

use crate::miner::deadline::{get_partition, set_partition};
use crate::miner::ext::{request_current_epoch_block_reward, request_current_total_power};
use crate::miner::methods::common::check_balance_invariants;
use crate::miner::methods::prove_commit::NetworkPledgeInputs;
use crate::miner::monies::{
    daily_proof_fee, daily_proof_fee_adjust, initial_pledge_for_power, qa_power_for_weight,
};
use crate::miner::records::{PowerPair, SIMPLE_QA_POWER, SectorOnChainInfo};
use crate::miner::sectors::amt_error;
use crate::miner::state::MinerState;
use crate::plumbing::{load_state, save_state};

/// One update whose proof and data activation succeeded.
#[derive(Clone, Debug)]
pub(super) struct ActivatedUpdate<'a> {
    /// The sector's partition in its deadline.
    pub partition: u64,
    /// The sector as it was.
    pub sector: &'a SectorOnChainInfo,
    /// The new CommR.
    pub new_sealed_cid: Cid,
    /// Bytes of unverified pieces.
    pub unverified_space: BigInt,
    /// Bytes of claimed verified pieces.
    pub verified_space: BigInt,
}

/// Replaces the updated sectors, deadline by deadline (in index order), and locks the extra
/// pledge. Returns the changes of active power and of pledge, for power to be told.
pub(super) fn update_replica_states(
    rt: &mut dyn Runtime,
    by_deadline: &BTreeMap<u64, Vec<ActivatedUpdate<'_>>>,
    expected_count: usize,
    sector_size: SectorSize,
) -> Result<(PowerPair, TokenAmount), ActorError> {
    let now = rt.machine().epoch;
    let reward = request_current_epoch_block_reward(rt)?;
    let power = request_current_total_power(rt)?;
    let inputs = NetworkPledgeInputs {
        network_qap: power.quality_adj_power_smoothed,
        network_baseline: reward.this_epoch_baseline_power,
        circulating_supply: rt.total_fil_circ_supply()?,
        epoch_reward: reward.this_epoch_reward_smoothed,
        epochs_since_ramp_start: now - power.ramp_start_epoch,
        ramp_duration_epochs: power.ramp_duration_epochs,
    };

    let mut state: MinerState = load_state(rt)?;
    let store = rt.store();
    let mut deadlines = state.load_deadlines(&store)?;
    let mut new_sectors = Vec::with_capacity(expected_count);
    let mut power_delta = PowerPair::zero();
    let mut pledge_delta = TokenAmount::zero();
    for (&index, updates) in by_deadline {
        let mut deadline = deadlines.load_deadline(&store, index)?;
        let mut partitions = deadline.partitions_amt(&store)?;
        let quant = state.quant_spec_for_deadline(index);
        let mut deadline_power = PowerPair::zero();
        let mut deadline_fee = TokenAmount::zero();
        for update in updates {
            let new_info = update_existing_sector_info(update, &inputs, sector_size, now);
            let mut partition = get_partition(&partitions, update.partition)?.ok_or_else(|| {
                ActorError::not_found(format!(
                    "no such deadline {index} partition {}",
                    update.partition
                ))
            })?;
            let (power, pledge, fee) = partition
                .replace_sectors(
                    &store,
                    std::slice::from_ref(update.sector),
                    std::slice::from_ref(&new_info),
                    sector_size,
                    quant,
                )
                .map_err(|e| {
                    ActorError::illegal_state(format!(
                        "failed to replace sector at deadline {index} partition {}: {}",
                        update.partition,
                        e.message()
                    ))
                })?;
            deadline_power += &power;
            pledge_delta += &pledge;
            deadline_fee += &fee;
            set_partition(&mut partitions, update.partition, partition)?;
            new_sectors.push(new_info);
        }
        deadline.live_power += &deadline_power;
        deadline.daily_fee += &deadline_fee;
        power_delta += &deadline_power;
        deadline.partitions = partitions
            .flush()
            .map_err(amt_error(format_args!("failed to save partitions for deadline {index}")))?;
        deadlines.update_deadline(&store, index, &deadline)?;
    }
    if new_sectors.len() != expected_count {
        return Err(ActorError::illegal_state(format!(
            "unexpected new_sectors len {} != {expected_count}",
            new_sectors.len()
        )));
    }
    state.put_sectors(&store, new_sectors)?;
    state.save_deadlines(&store, deadlines)?;

    let balance = rt.current_balance()?;
    if pledge_delta.is_positive() {
        let unlocked = state.get_unlocked_balance(&balance)?;
        if unlocked < pledge_delta {
            return Err(ActorError::new(
                ExitCode::USR_INSUFFICIENT_FUNDS,
                format!(
                    "insufficient funds for aggregate initial pledge requirement {pledge_delta}, \
                     available: {unlocked}"
                ),
            ));
        }
    }
    state.add_initial_pledge(&pledge_delta)?;
    check_balance_invariants(rt, &state)?;
    save_state(rt, &state)?;
    Ok((power_delta, pledge_delta))
}

/// The sector's info once `update`'s data is in it. Its power is re-based at `now` (over the
/// rest of its life), its weights come from the new data, and its pledge never goes down: it
/// is the larger of the old pledge and a new sector's pledge for the new power. The daily fee
/// scales with the power, or is set afresh for a sector from before fees existed.
pub(super) fn update_existing_sector_info(
    update: &ActivatedUpdate<'_>,
    inputs: &NetworkPledgeInputs,
    sector_size: SectorSize,
    now: ChainEpoch,
) -> SectorOnChainInfo {
    let old = update.sector;
    let mut new = old.clone();
    new.flags |= SIMPLE_QA_POWER;
    new.sealed_cid = update.new_sealed_cid;
    // The first update keeps the original CommR; later ones keep that same key.
    new.sector_key_cid = Some(old.sector_key_cid.unwrap_or(old.sealed_cid));
    new.power_base_epoch = now;
    let duration = new.expiration - new.power_base_epoch;
    new.deal_weight = &update.unverified_space * duration;
    new.verified_deal_weight = &update.verified_space * duration;
    let new_power = qa_power_for_weight(sector_size, duration, &new.verified_deal_weight);
    new.expected_day_reward = None;
    new.replaced_day_reward = None;
    new.expected_storage_pledge = None;
    let pledge = initial_pledge_for_power(
        &new_power,
        &inputs.network_baseline,
        &inputs.epoch_reward,
        &inputs.network_qap,
        &inputs.circulating_supply,
        inputs.epochs_since_ramp_start,
        inputs.ramp_duration_epochs,
    );
    new.initial_pledge = new.initial_pledge.max(pledge);
    if new.daily_fee.is_zero() {
        new.daily_fee = daily_proof_fee(&inputs.circulating_supply, &new_power);
    } else {
        // The old power over the same remaining life, so only the data's effect counts.
        let old_power = qa_power_for_weight(sector_size, duration, &old.verified_deal_weight);
        if old_power != new_power {
            new.daily_fee = daily_proof_fee_adjust(&new.daily_fee, &old_power, &new_power);
        }
    }
    new
}
