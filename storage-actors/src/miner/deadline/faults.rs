//! A deadline's fault bookkeeping: declarations, the end of a challenge window (missed
//! proofs become faults; snapshots are taken for disputes), and what a dispute involves.

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::sector::SectorSize;

use super::{
    DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH, Deadline, DisputeInfo, get_partition,
    set_partition,
};
use crate::miner::partition::empty_amt;
use crate::miner::quantize::QuantSpec;
use crate::miner::records::PowerPair;
use crate::miner::sector_map::PartitionSectorMap;
use crate::miner::sectors::{ErrorContext, SECTORS_AMT_BITWIDTH, Sectors, amt_error};

impl Deadline {
    /// Declares faults, by partition (a missing partition is `USR_NOT_FOUND`). Returns the
    /// change in active power.
    pub fn record_faults<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        sector_size: SectorSize,
        quant: QuantSpec,
        fault_expiration_epoch: ChainEpoch,
        partition_sectors: &mut PartitionSectorMap,
    ) -> Result<PowerPair, ActorError> {
        let mut partitions = self.partitions_amt(store)?;
        let mut with_faults = Vec::with_capacity(partition_sectors.len());
        let mut power_delta = PowerPair::zero();
        for (idx, numbers) in partition_sectors.iter() {
            let mut partition = get_partition(&partitions, idx)?
                .ok_or_else(|| ActorError::not_found(format!("no such partition {idx}")))?;
            let (new_faults, delta, new_faulty_power) = partition
                .record_faults(store, sectors, numbers, fault_expiration_epoch, sector_size, quant)
                .context(format_args!("failed to declare faults in partition {idx}"))?;
            self.faulty_power += &new_faulty_power;
            power_delta += &delta;
            if !new_faults.is_empty() {
                with_faults.push(idx);
            }
            set_partition(&mut partitions, idx, partition)?;
        }
        self.partitions =
            partitions.flush().map_err(amt_error("failed to store partitions root"))?;
        self.add_expiration_partitions(store, fault_expiration_epoch, &with_faults, quant)
            .context("failed to update expirations for partitions with faults")?;
        Ok(power_delta)
    }

    /// Declares faults recovering, by partition; their power returns at the next PoSt.
    pub fn declare_faults_recovered<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        sector_size: SectorSize,
        partition_sectors: &mut PartitionSectorMap,
    ) -> Result<(), ActorError> {
        let mut partitions = self.partitions_amt(store)?;
        for (idx, numbers) in partition_sectors.iter() {
            let mut partition = get_partition(&partitions, idx)?
                .ok_or_else(|| ActorError::not_found(format!("no such partition {idx}")))?;
            partition
                .declare_faults_recovered(sectors, sector_size, numbers)
                .context("failed to add recoveries")?;
            set_partition(&mut partitions, idx, partition)?;
        }
        self.partitions =
            partitions.flush().map_err(amt_error("failed to store partitions root"))?;
        Ok(())
    }

    /// Closes the window: partitions not proven lose all their power to faults (and their
    /// recoveries), proofs and partitions are snapshotted for disputes, and the sectors table
    /// root `sectors` is snapshotted only if some proof may be disputed. Returns the change in
    /// active power and the power to penalize.
    pub fn process_deadline_end<BS: Blockstore>(
        &mut self,
        store: &BS,
        quant: QuantSpec,
        fault_expiration_epoch: ChainEpoch,
        sectors: Cid,
    ) -> Result<(PowerPair, PowerPair), ActorError> {
        let mut partitions = self.partitions_amt(store)?;
        let mut detected_any = false;
        let mut rescheduled = Vec::new();
        let mut power_delta = PowerPair::zero();
        let mut penalized_power = PowerPair::zero();
        for idx in 0..partitions.count() {
            if self.partitions_posted.get(idx) {
                continue;
            }
            let mut partition = get_partition(&partitions, idx)?
                .ok_or_else(|| ActorError::illegal_state(format!("no partition {idx}")))?;
            // Nothing to do for a partition already all faulty and not recovering.
            if partition.recovering_power.is_zero()
                && partition.faulty_power == partition.live_power
            {
                continue;
            }
            detected_any = true;
            let (delta, penalized, new_faulty) = partition
                .record_missed_post(store, fault_expiration_epoch, quant)
                .context(format_args!("failed to record missed PoSt for partition {idx}"))?;
            if !new_faulty.is_zero() {
                rescheduled.push(idx);
            }
            set_partition(&mut partitions, idx, partition)?;
            self.faulty_power += &new_faulty;
            power_delta += &delta;
            penalized_power += &penalized;
        }
        if detected_any {
            self.partitions =
                partitions.flush().map_err(amt_error("failed to store partitions"))?;
        }
        self.add_expiration_partitions(store, fault_expiration_epoch, &rescheduled, quant)
            .context("failed to update deadline expiration queue")?;

        self.partitions_posted = BitField::new();
        self.partitions_snapshot = self.partitions;
        self.optimistic_post_submissions_snapshot = self.optimistic_post_submissions;
        self.optimistic_post_submissions =
            empty_amt(store, DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH)?;
        // The new (empty) submissions root differs from the snapshot iff proofs were stored.
        self.sectors_snapshot =
            if self.optimistic_post_submissions != self.optimistic_post_submissions_snapshot {
                sectors
            } else {
                empty_amt(store, SECTORS_AMT_BITWIDTH)?
            };
        Ok((power_delta, penalized_power))
    }

    /// What disputing a proof of `partitions` (from the previous window) involves.
    pub fn load_partitions_for_dispute<BS: Blockstore>(
        &self,
        store: &BS,
        partitions: BitField,
    ) -> Result<DisputeInfo, ActorError> {
        let snapshot = self.partitions_snapshot_amt(store)?;
        let mut all = Vec::new();
        let mut ignored = Vec::new();
        let mut disputed_sectors = PartitionSectorMap::default();
        let mut disputed_power = PowerPair::zero();
        for idx in partitions.iter() {
            let partition = get_partition(&snapshot, idx)?.ok_or_else(|| {
                ActorError::illegal_state(format!("failed to find partition {idx}"))
            })?;
            all.push(partition.sectors.clone());
            ignored.push(partition.faults.clone());
            ignored.push(partition.terminated.clone());
            ignored.push(partition.unproven.clone());
            disputed_sectors.add(idx, partition.active_sectors())?;
            // Includes power activated at the end of that window and since-expired sectors.
            disputed_power += &partition.active_power();
        }
        Ok(DisputeInfo {
            all_sector_nos: BitField::union(&all),
            ignored_sector_nos: BitField::union(&ignored),
            disputed_sectors,
            disputed_power,
        })
    }
}
