//! The miner state's proving-schedule operations: placing new sectors in deadlines, closing a
//! deadline (missed proofs become faults, due sectors expire), and draining early
//! terminations and expired pre-commits.

use filecoin_vm::ActorError;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::{SectorNumber, SectorSize};
use num_traits::Zero;

use super::MinerState;
use crate::miner::bitfield_queue::BitFieldQueue;
use crate::miner::deadline::Deadline;
use crate::miner::deadline_info::{
    deadline_is_mutable, new_deadline_info, quant_spec_for_deadline,
};
use crate::miner::deadlines::assign_deadlines;
use crate::miner::policy::{
    FAULT_MAX_AGE, MAX_PARTITIONS_PER_DEADLINE, WPOST_PERIOD_DEADLINES, WPOST_PROVING_PERIOD,
};
use crate::miner::records::{PowerPair, SectorOnChainInfo};
use crate::miner::sector_map::DeadlineSectorMap;
use crate::miner::sectors::Sectors;
use crate::miner::termination::TerminationResult;
use crate::plumbing::store_error;

/// What closing a deadline changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdvanceDeadlineResult {
    /// Pledge released by sectors that expired on time (negative).
    pub pledge_delta: TokenAmount,
    /// Change of the miner's active power.
    pub power_delta: PowerPair,
    /// Power that was faulty before the deadline closed (recovering included).
    pub previously_faulty_power: PowerPair,
    /// Power of new faults and failed recoveries.
    pub detected_faulty_power: PowerPair,
    /// Faulty power after detection, before expirations.
    pub total_faulty_power: PowerPair,
    /// The deadline's daily fee (FIP-0100).
    pub daily_fee: TokenAmount,
    /// The deadline's live power (active, faulty and unproven).
    pub live_power: PowerPair,
}

impl MinerState {
    /// Places new (unproven) sectors in the mutable deadlines, filling partitions as the
    /// network's assignment algorithm does.
    pub fn assign_sectors_to_deadlines<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
        mut sectors: Vec<SectorOnChainInfo>,
        partition_size: u64,
        sector_size: SectorSize,
    ) -> Result<(), ActorError> {
        let mut deadlines = self.load_deadlines(store)?;
        // Sorted numbers make long runs in the partitions' bitfields.
        sectors.sort_by_key(|s| s.sector_number);
        let period_start = self.current_proving_period_start(now);
        let mut open: Vec<Option<Deadline>> = Vec::with_capacity(WPOST_PERIOD_DEADLINES as usize);
        for index in 0..WPOST_PERIOD_DEADLINES {
            open.push(if deadline_is_mutable(period_start, index, now) {
                Some(deadlines.load_deadline(store, index)?)
            } else {
                None
            });
        }
        let assigned =
            assign_deadlines(MAX_PARTITIONS_PER_DEADLINE, partition_size, &open, sectors)?;
        for (index, due) in assigned.into_iter().enumerate() {
            if due.is_empty() {
                continue;
            }
            let quant = self.quant_spec_for_deadline(index as u64);
            let deadline = open[index].as_mut().ok_or_else(|| {
                ActorError::illegal_state(format!("sectors assigned to immutable deadline {index}"))
            })?;
            // Unproven: their power counts from the first Window PoSt, not now.
            deadline.add_sectors(store, partition_size, false, true, &due, sector_size, quant)?;
            deadlines.update_deadline(store, index as u64, deadline)?;
        }
        self.save_deadlines(store, deadlines)
    }

    /// Places new sectors in one chosen deadline, which must be mutable.
    pub fn assign_sectors_to_deadline<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
        mut sectors: Vec<SectorOnChainInfo>,
        partition_size: u64,
        sector_size: SectorSize,
        deadline_index: u64,
    ) -> Result<(), ActorError> {
        if !deadline_is_mutable(self.current_proving_period_start(now), deadline_index, now) {
            return Err(ActorError::illegal_argument(format!(
                "proving deadline {deadline_index} must not be the current or next deadline"
            )));
        }
        sectors.sort_by_key(|s| s.sector_number);
        let mut deadlines = self.load_deadlines(store)?;
        let mut deadline = deadlines.load_deadline(store, deadline_index)?;
        let quant = self.quant_spec_for_deadline(deadline_index);
        deadline.add_sectors(store, partition_size, false, true, &sectors, sector_size, quant)?;
        deadlines.update_deadline(store, deadline_index, &deadline)?;
        self.save_deadlines(store, deadlines)
    }

    /// Moves sectors (being replaced) to expire at the end of their deadline's next
    /// occurrence; missing, faulty or terminated ones are skipped. Returns those moved.
    pub fn reschedule_sector_expirations<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
        sector_size: SectorSize,
        mut deadline_sectors: DeadlineSectorMap,
    ) -> Result<Vec<SectorOnChainInfo>, ActorError> {
        let mut deadlines = self.load_deadlines(store)?;
        let sectors = Sectors::load(store, &self.sectors)?;
        let period_start = self.current_proving_period_start(now);
        let mut moved = Vec::new();
        for (index, partition_sectors) in deadline_sectors.iter() {
            let info = new_deadline_info(period_start, index, now).next_not_elapsed();
            let mut deadline = deadlines.load_deadline(store, index)?;
            moved.extend(deadline.reschedule_sector_expirations(
                store,
                &sectors,
                info.last(),
                partition_sectors,
                sector_size,
                info.quant_spec(),
            )?);
            deadlines.update_deadline(store, index, &deadline)?;
        }
        self.save_deadlines(store, deadlines)?;
        Ok(moved)
    }

    /// Takes up to the given numbers of partitions and sectors of early terminations, across
    /// deadlines in order. Returns them and whether more remain.
    pub fn pop_early_terminations<BS: Blockstore>(
        &mut self,
        store: &BS,
        max_partitions: u64,
        max_sectors: u64,
    ) -> Result<(TerminationResult, bool), ActorError> {
        if self.early_terminations.is_empty() {
            return Ok((TerminationResult::new(), false));
        }
        let mut deadlines = self.load_deadlines(store)?;
        let mut result = TerminationResult::new();
        let mut drained = Vec::new();
        for index in self.early_terminations.iter() {
            let mut deadline = deadlines.load_deadline(store, index)?;
            let (popped, more) = deadline.pop_early_terminations(
                store,
                max_partitions - result.partitions_processed,
                max_sectors - result.sectors_processed,
            )?;
            result += popped;
            if !more {
                drained.push(index);
            }
            deadlines.update_deadline(store, index, &deadline)?;
            if !result.below_limit(max_partitions, max_sectors) {
                break;
            }
        }
        for index in drained {
            self.early_terminations.unset(index);
        }
        self.save_deadlines(store, deadlines)?;
        Ok((result, !self.early_terminations.is_empty()))
    }

    /// Schedules pre-commit clean-ups: (epoch, sector number) pairs.
    pub fn add_pre_commit_clean_ups<BS: Blockstore>(
        &mut self,
        store: &BS,
        events: Vec<(ChainEpoch, SectorNumber)>,
    ) -> Result<(), ActorError> {
        let mut queue = BitFieldQueue::new(
            store,
            &self.pre_committed_sectors_cleanup,
            self.quant_spec_every_deadline(),
        )?;
        queue.add_many_to_queue_values(events)?;
        self.pre_committed_sectors_cleanup = queue.amt.flush().map_err(store_error)?;
        Ok(())
    }

    /// Deletes pre-commits whose proving window passed before `now`; returns their deposits,
    /// which the caller burns.
    pub fn cleanup_expired_pre_commits<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
    ) -> Result<TokenAmount, ActorError> {
        let mut queue = BitFieldQueue::new(
            store,
            &self.pre_committed_sectors_cleanup,
            self.quant_spec_every_deadline(),
        )?;
        let (due, modified) = queue.pop_until(now)?;
        if modified {
            self.pre_committed_sectors_cleanup = queue.amt.flush().map_err(store_error)?;
        }
        let mut to_burn = TokenAmount::zero();
        let mut expired = Vec::new();
        for number in due.iter() {
            // Proven (or already cleaned) pre-commits are gone: nothing to do for them.
            if let Some(precommit) = self.get_precommitted_sector(store, number)? {
                to_burn += precommit.pre_commit_deposit;
                expired.push(number);
            }
        }
        if !expired.is_empty() {
            self.delete_precommitted_sectors(store, &expired)?;
        }
        self.pre_commit_deposits -= &to_burn;
        if self.pre_commit_deposits.is_negative() {
            return Err(ActorError::illegal_state(format!(
                "pre-commit clean-up left negative deposits: {}",
                self.pre_commit_deposits
            )));
        }
        Ok(to_burn)
    }

    /// Closes the deadline `now` falls in: partitions without a proof become faulty, sectors
    /// due expire, and the state moves on to the next deadline (and period).
    pub fn advance_deadline<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
    ) -> Result<AdvanceDeadlineResult, ActorError> {
        let info = self.deadline_info(now);
        if !info.period_started() {
            return Ok(AdvanceDeadlineResult::default());
        }
        self.current_deadline = (info.index + 1) % WPOST_PERIOD_DEADLINES;
        if self.current_deadline == 0 {
            self.proving_period_start = info.period_start + WPOST_PROVING_PERIOD;
        }
        let mut deadlines = self.load_deadlines(store)?;
        let mut deadline = deadlines.load_deadline(store, info.index)?;
        let previously_faulty_power = deadline.faulty_power.clone();
        if !deadline.is_live() {
            return Ok(AdvanceDeadlineResult {
                previously_faulty_power,
                total_faulty_power: deadline.faulty_power.clone(),
                ..Default::default()
            });
        }
        let quant = quant_spec_for_deadline(&info);
        let fault_expiration = info.last() + FAULT_MAX_AGE;
        let (mut power_delta, detected_faulty_power) =
            deadline.process_deadline_end(store, quant, fault_expiration, self.sectors)?;
        // Faulty power after detection, before faulty sectors expire with this deadline.
        let total_faulty_power = deadline.faulty_power.clone();
        let expired = deadline.pop_expired_sectors(store, info.last(), quant)?;
        // Pledge of sectors expiring early stays locked to back their termination fee.
        let pledge_delta = -expired.on_time_pledge.clone();
        self.add_initial_pledge(&pledge_delta)?;
        power_delta -= &expired.active_power;
        if !expired.early_sectors.is_empty() {
            self.early_terminations.set(info.index);
        }
        deadlines.update_deadline(store, info.index, &deadline)?;
        self.save_deadlines(store, deadlines)?;
        Ok(AdvanceDeadlineResult {
            pledge_delta,
            power_delta,
            previously_faulty_power,
            detected_faulty_power,
            total_faulty_power,
            daily_fee: deadline.daily_fee.clone(),
            live_power: deadline.live_power.clone(),
        })
    }
}
