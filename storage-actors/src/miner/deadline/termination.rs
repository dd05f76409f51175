//! A deadline's terminations: early terminations by partition, their collection for the
//! termination fee, and compaction of partitions holding dead sectors.

use std::collections::BTreeSet;

use filecoin_vm::ActorError;
use fvm_ipld_amt::Amt;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::sector::SectorSize;

use super::{DEADLINE_PARTITIONS_AMT_BITWIDTH, Deadline, get_partition, set_partition};
use crate::miner::bitfield_queue::BitFieldQueue;
use crate::miner::partition::Partition;
use crate::miner::quantize::QuantSpec;
use crate::miner::records::PowerPair;
use crate::miner::sector_map::PartitionSectorMap;
use crate::miner::sectors::{ErrorContext, Sectors, amt_error};
use crate::miner::termination::TerminationResult;

impl Deadline {
    /// Collects early terminations from the partitions marked as having some, up to the
    /// limits. Returns them and whether any remain.
    pub fn pop_early_terminations<BS: Blockstore>(
        &mut self,
        store: &BS,
        max_partitions: u64,
        max_sectors: u64,
    ) -> Result<(TerminationResult, bool), ActorError> {
        let mut partitions = self.partitions_amt(store)?;
        let mut finished = Vec::new();
        let mut result = TerminationResult::new();
        for idx in self.early_terminations.iter() {
            let Some(mut partition) = get_partition(&partitions, idx)? else {
                finished.push(idx);
                continue;
            };
            let (partition_result, more) = partition
                .pop_early_terminations(store, max_sectors.saturating_sub(result.sectors_processed))
                .context("failed to pop terminations from partition")?;
            result += partition_result;
            if !more {
                finished.push(idx);
            }
            set_partition(&mut partitions, idx, partition)?;
            if !result.below_limit(max_partitions, max_sectors) {
                break;
            }
        }
        for idx in finished {
            self.early_terminations.unset(idx);
        }
        self.partitions = partitions.flush().map_err(amt_error("failed to update partitions"))?;
        Ok((result, !self.early_terminations.is_empty()))
    }

    /// Terminates sectors at `epoch`, by partition (a missing partition is `USR_NOT_FOUND`).
    /// Returns the active power lost.
    #[allow(clippy::too_many_arguments)]
    pub fn terminate_sectors<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        epoch: ChainEpoch,
        partition_sectors: &mut PartitionSectorMap,
        sector_size: SectorSize,
        quant: QuantSpec,
    ) -> Result<PowerPair, ActorError> {
        let mut partitions = self.partitions_amt(store)?;
        let mut power_lost = PowerPair::zero();
        for (idx, numbers) in partition_sectors.iter() {
            let mut partition = get_partition(&partitions, idx)?
                .ok_or_else(|| ActorError::not_found(format!("failed to find partition {idx}")))?;
            let (removed, removed_unproven) = partition
                .terminate_sectors(store, sectors, epoch, numbers, sector_size, quant)
                .context(format_args!("failed to terminate sectors in partition {idx}"))?;
            set_partition(&mut partitions, idx, partition)?;
            if !removed.is_empty() {
                self.early_terminations.set(idx);
                self.live_sectors =
                    self.live_sectors.checked_sub(removed.len()).ok_or_else(|| {
                        ActorError::illegal_state("deadline live sector count underflow")
                    })?;
            }
            self.faulty_power -= &removed.faulty_power;
            self.live_power -= &removed.active_power;
            self.live_power -= &removed.faulty_power;
            self.live_power -= &removed_unproven;
            self.daily_fee -= &removed.fee_deduction;
            power_lost += &removed.active_power;
        }
        self.partitions = partitions.flush().map_err(amt_error("failed to persist partitions"))?;
        Ok(power_lost)
    }

    /// Removes the partitions `to_remove` (which must have no faults, unproven sectors or
    /// pending early terminations), renumbering the rest, and re-adds their live sectors to the
    /// deadline as proven sectors. Returns the dead sectors they held. The deadline's daily fee
    /// is left unchanged (the moved sectors keep owing it).
    pub fn compact_partitions<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        sector_size: SectorSize,
        window_post_partition_sectors: u64,
        to_remove: &BitField,
        quant: QuantSpec,
    ) -> Result<BitField, ActorError> {
        let old = self.partitions_amt(store).context("failed to load partitions")?;
        let count = old.count();
        let to_remove_set: BTreeSet<u64> = to_remove
            .bounded_iter(count)
            .ok_or_else(|| ActorError::illegal_argument("partitions to remove exceeds total"))?
            .collect();
        match to_remove_set.last() {
            None => return Ok(BitField::new()),
            Some(&max) if max >= count => {
                return Err(ActorError::illegal_argument(format!(
                    "partition index {max} out of range [0, {count})"
                )));
            }
            Some(_) => {}
        }
        if !self.early_terminations.is_empty() {
            return Err(ActorError::illegal_argument(
                "cannot remove partitions from deadline with early terminations",
            ));
        }

        let mut kept =
            Amt::<Partition, _>::new_with_bit_width(store, DEADLINE_PARTITIONS_AMT_BITWIDTH);
        let mut dead = Vec::new();
        let mut live = Vec::new();
        let mut removed_power = PowerPair::zero();
        old.for_each(|idx, partition| {
            if !to_remove_set.contains(&idx) {
                kept.set(kept.count(), partition.clone())?;
                return Ok(());
            }
            if !partition.faults.is_empty() {
                return Err(ActorError::illegal_argument(format!(
                    "cannot remove partition {idx}: has faults"
                ))
                .into());
            }
            if !partition.unproven.is_empty() {
                return Err(ActorError::illegal_argument(format!(
                    "cannot remove partition {idx}: has unproven sectors"
                ))
                .into());
            }
            dead.push(partition.terminated.clone());
            live.push(partition.live_sectors());
            removed_power += &partition.live_power;
            Ok(())
        })
        .map_err(amt_error("while removing partitions"))?;
        self.partitions =
            kept.flush().map_err(amt_error("failed to persist new partition table"))?;

        let dead = BitField::union(&dead);
        let live = BitField::union(&live);
        let underflow = || ActorError::illegal_state("deadline sector count underflow");
        self.live_sectors = self.live_sectors.checked_sub(live.len()).ok_or_else(underflow)?;
        self.total_sectors =
            self.total_sectors.checked_sub(live.len() + dead.len()).ok_or_else(underflow)?;
        self.live_power -= &removed_power;

        let mut queue = BitFieldQueue::new(store, &self.expirations_epochs, quant)
            .context("failed to load expiration queue")?;
        queue
            .cut(to_remove)
            .context("failed cut removed partitions from deadline expiration queue")?;
        self.expirations_epochs =
            queue.amt.flush().map_err(amt_error("failed persist deadline expiration queue"))?;

        let live_infos = sectors.load_sectors(&live)?;
        let (added_power, added_fee) = self
            .add_sectors(
                store,
                window_post_partition_sectors,
                true,
                false,
                &live_infos,
                sector_size,
                quant,
            )
            .context("failed to add back moved sectors")?;
        if !added_fee.is_zero() {
            return Err(ActorError::illegal_state(format!(
                "unexpected fee when adding back moved sectors: {added_fee}"
            )));
        }
        if removed_power != added_power {
            return Err(ActorError::illegal_state(format!(
                "power changed when compacting partitions: was {removed_power:?}, is now {added_power:?}"
            )));
        }
        Ok(dead)
    }

    /// The Go actors' name for [`Self::compact_partitions`].
    pub fn remove_partitions<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        sector_size: SectorSize,
        window_post_partition_sectors: u64,
        to_remove: &BitField,
        quant: QuantSpec,
    ) -> Result<BitField, ActorError> {
        self.compact_partitions(
            store,
            sectors,
            sector_size,
            window_post_partition_sectors,
            to_remove,
            quant,
        )
    }
}
