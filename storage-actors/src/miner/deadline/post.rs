//! A deadline's Window PoSt bookkeeping (builtin-actors `deadline_state.rs`, second half):
//! recording which partitions a proof covers, its skipped faults and proven recoveries, the
//! optimistically accepted proofs kept for dispute, and extensions of sector expirations.

use filecoin_vm::ActorError;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::sector::{PoStProof, SectorSize};

use super::{Deadline, PoStPartition, WindowedPoSt, get_partition, set_partition};
use crate::miner::quantize::QuantSpec;
use crate::miner::records::{PowerPair, SectorOnChainInfo};
use crate::miner::sector_map::PartitionSectorMap;
use crate::miner::sectors::{ErrorContext, Sectors, amt_error};

/// What recording a Window PoSt changed, and what its proof must then cover.
#[derive(Clone, Debug, PartialEq)]
pub struct PoStResult {
    /// Change in active power (activated unproven sectors and recoveries, minus new faults).
    pub power_delta: PowerPair,
    /// Power of sectors the proof skipped that were healthy.
    pub new_faulty_power: PowerPair,
    /// Power of recovering sectors the proof skipped.
    pub retracted_recovery_power: PowerPair,
    /// Power of recoveries the proof covers.
    pub recovered_power: PowerPair,
    /// Every sector of the proven partitions.
    pub sectors: BitField,
    /// The subset of `sectors` the proof does not cover (faulty, terminated).
    pub ignored_sectors: BitField,
    /// The proven partitions.
    pub partitions: BitField,
}

impl Deadline {
    /// Records a Window PoSt over `post_partitions` (without verifying it): skipped sectors
    /// become faults, recoveries become healthy, unproven sectors gain power, and the
    /// partitions are marked posted. Duplicate or already-proven partitions are
    /// `USR_ILLEGAL_ARGUMENT`, unknown ones `USR_NOT_FOUND`. The caller verifies the proof
    /// against the returned `sectors` minus `ignored_sectors` (and aborts, rolling this back,
    /// if it fails).
    pub fn record_proven_sectors<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        sector_size: SectorSize,
        quant: QuantSpec,
        fault_expiration: ChainEpoch,
        post_partitions: &mut [PoStPartition],
    ) -> Result<PoStResult, ActorError> {
        let partition_indexes = BitField::try_from_bits(post_partitions.iter().map(|p| p.index))
            .map_err(|_| ActorError::illegal_argument("partition index out of bitfield range"))?;
        if partition_indexes.len() != post_partitions.len() as u64 {
            return Err(ActorError::illegal_argument("duplicate partitions proven"));
        }
        let already_proven = &self.partitions_posted & &partition_indexes;
        if !already_proven.is_empty() {
            return Err(ActorError::illegal_argument(format!(
                "partition already proven: {:?}",
                already_proven.iter().collect::<Vec<_>>()
            )));
        }

        let mut partitions = self.partitions_amt(store)?;
        let mut all_sectors = Vec::with_capacity(post_partitions.len());
        let mut all_ignored = Vec::with_capacity(post_partitions.len() * 2);
        let mut new_faulty_power = PowerPair::zero();
        let mut retracted_recovery_power = PowerPair::zero();
        let mut recovered_power = PowerPair::zero();
        let mut rescheduled = Vec::new();
        let mut power_delta = PowerPair::zero();

        for post in post_partitions.iter() {
            let idx = post.index;
            let mut partition = get_partition(&partitions, idx)?
                .ok_or_else(|| ActorError::not_found(format!("no such partition {idx}")))?;
            let (mut delta, new_fault_power, retracted, has_new_faults) = partition
                .record_skipped_faults(
                    store,
                    sectors,
                    sector_size,
                    quant,
                    fault_expiration,
                    &post.skipped,
                )
                .context(format_args!("failed to add skipped faults to partition {idx}"))?;
            if has_new_faults {
                rescheduled.push(idx);
            }
            let recovered = partition
                .recover_faults(store, sectors, sector_size, quant)
                .context(format_args!("failed to recover faulty sectors for partition {idx}"))?;
            delta += &partition.activate_unproven();

            // The partition's faults now are exactly what the proof must skip.
            all_sectors.push(partition.sectors.clone());
            all_ignored.push(partition.faults.clone());
            all_ignored.push(partition.terminated.clone());
            set_partition(&mut partitions, idx, partition)?;

            new_faulty_power += &new_fault_power;
            retracted_recovery_power += &retracted;
            recovered_power += &recovered;
            power_delta += &delta;
            power_delta += &recovered;
            self.partitions_posted.set(idx);
        }

        self.add_expiration_partitions(store, fault_expiration, &rescheduled, quant)
            .context("failed to update expirations for partitions with faults")?;
        self.faulty_power -= &recovered_power;
        self.faulty_power += &new_faulty_power;
        self.partitions = partitions.flush().map_err(amt_error("failed to persist partitions"))?;

        Ok(PoStResult {
            power_delta,
            new_faulty_power,
            retracted_recovery_power,
            recovered_power,
            sectors: BitField::union(&all_sectors),
            ignored_sectors: BitField::union(&all_ignored),
            partitions: partition_indexes,
        })
    }

    /// Stores an optimistically accepted proof of `partitions`, to be disputable after the
    /// window closes.
    pub fn record_post_proofs<BS: Blockstore>(
        &mut self,
        store: &BS,
        partitions: &BitField,
        proofs: &[PoStProof],
    ) -> Result<(), ActorError> {
        let mut proofs_amt = self.optimistic_proofs_amt(store)?;
        let next = proofs_amt.count();
        proofs_amt
            .set(next, WindowedPoSt { partitions: partitions.clone(), proofs: proofs.to_vec() })
            .map_err(amt_error("failed to store proof"))?;
        self.optimistic_post_submissions =
            proofs_amt.flush().map_err(amt_error("failed to save proofs"))?;
        Ok(())
    }

    /// Removes and returns proof `idx` of the previous window (for a dispute), leaving a hole
    /// so other proofs keep their indexes. A missing proof is `USR_ILLEGAL_ARGUMENT`.
    pub fn take_post_proofs<BS: Blockstore>(
        &mut self,
        store: &BS,
        idx: u64,
    ) -> Result<(BitField, Vec<PoStProof>), ActorError> {
        let mut proofs_amt = self.optimistic_proofs_snapshot_amt(store)?;
        let post = proofs_amt
            .delete(idx)
            .map_err(amt_error(format_args!("failed to retrieve proof {idx}")))?
            .ok_or_else(|| ActorError::illegal_argument(format!("proof {idx} not found")))?;
        self.optimistic_post_submissions_snapshot =
            proofs_amt.flush().map_err(amt_error("failed to save proofs"))?;
        Ok((post.partitions, post.proofs))
    }

    /// Moves the expirations of the given sectors to `expiration` (an extension). Sectors and
    /// partitions that cannot be found (compacted away, terminated, faulty) are skipped: the
    /// declaration may predate a compaction. Returns the infos of the sectors moved.
    pub fn reschedule_sector_expirations<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        expiration: ChainEpoch,
        partition_sectors: &mut PartitionSectorMap,
        sector_size: SectorSize,
        quant: QuantSpec,
    ) -> Result<Vec<SectorOnChainInfo>, ActorError> {
        let mut partitions = self.partitions_amt(store)?;
        let mut rescheduled = Vec::new();
        let mut moved = Vec::new();
        for (idx, numbers) in partition_sectors.iter() {
            let Some(mut partition) = get_partition(&partitions, idx)? else {
                continue;
            };
            let replaced = partition
                .reschedule_expirations(store, sectors, expiration, numbers, sector_size, quant)
                .context(format_args!("failed to reschedule expirations in partition {idx}"))?;
            if replaced.is_empty() {
                continue;
            }
            moved.extend(replaced);
            rescheduled.push(idx);
            set_partition(&mut partitions, idx, partition)?;
        }
        if !rescheduled.is_empty() {
            self.partitions = partitions.flush().map_err(amt_error("failed to save partitions"))?;
            self.add_expiration_partitions(store, expiration, &rescheduled, quant)
                .context("failed to reschedule partition expirations")?;
        }
        Ok(moved)
    }

    /// Adds `delta` to the deadline's daily fee (FIP-0100), as replica updates and extensions
    /// that change sectors' fees do; the fee may not go negative.
    pub fn adjust_daily_fee(
        &mut self,
        delta: &fvm_shared::econ::TokenAmount,
    ) -> Result<(), ActorError> {
        let updated = &self.daily_fee + delta;
        if updated.is_negative() {
            return Err(ActorError::illegal_state(format!(
                "deadline daily fee would go negative: {updated}"
            )));
        }
        self.daily_fee = updated;
        Ok(())
    }
}
