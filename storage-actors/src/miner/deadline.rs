//! One deadline's state (builtin-actors `deadline_state.rs`): its partitions, a queue telling
//! which partitions have sectors expiring when (so the cron visits only those), the partitions
//! proven in the current window, and snapshots of the previous window kept for disputes of
//! optimistically accepted proofs. The deadline also memoizes sector counts, faulty and live
//! power, and the daily fee (FIP-0100) its live sectors owe.
//!
//! Window PoSt processing (`record_proven_sectors` and the proof bookkeeping) lives in
//! [`post`].

mod faults;
mod post;
mod termination;

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_amt::Amt;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::{PoStProof, SectorSize};
use num_traits::{Signed, Zero};

use super::bitfield_queue::BitFieldQueue;
use super::expiration_queue::ExpirationSet;
use super::partition::{Partition, empty_amt};
use super::quantize::QuantSpec;
use super::records::{PowerPair, SectorOnChainInfo};
use super::sector_map::PartitionSectorMap;
use super::sectors::{ErrorContext, SECTORS_AMT_BITWIDTH, amt_error, bitfield_of};

/// The `SubmitWindowedPoSt` partition parameter `[index, skipped]` (defined with the
/// method parameters), which [`Deadline::record_proven_sectors`] takes.
pub use super::types::PoStPartition;
pub use post::PoStResult;

/// Bit width of a deadline's partitions AMT (and its snapshot).
pub const DEADLINE_PARTITIONS_AMT_BITWIDTH: u32 = 3;
/// Bit width of a deadline's partition expiration queue.
pub const DEADLINE_EXPIRATIONS_AMT_BITWIDTH: u32 = 5;
/// Bit width of the optimistic PoSt submissions AMT (and its snapshot).
pub const DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH: u32 = 2;

/// A deadline's state, as the network stores it.
#[derive(Clone, Debug, PartialEq, Serialize_tuple, Deserialize_tuple)]
pub struct Deadline {
    /// AMT of [`Partition`] (bit width 3), keys 0, 1, 2… in order.
    pub partitions: Cid,
    /// Queue (AMT of BitField, bit width 5) of partitions that may have sectors expiring (on
    /// time or as faults) by each quantized epoch. Entries are never removed early: a
    /// recovered sector may still expire then.
    pub expirations_epochs: Cid,
    /// Partitions proven in the current window (optimistically or verified).
    pub partitions_posted: BitField,
    /// Partitions with early terminations awaiting their fee.
    pub early_terminations: BitField,
    /// Non-terminated sectors (faulty included).
    pub live_sectors: u64,
    /// All sectors, terminated ones included, until compacted away.
    pub total_sectors: u64,
    /// Sum of the partitions' faulty power.
    pub faulty_power: PowerPair,
    /// AMT of [`WindowedPoSt`] (bit width 2) accepted without verification this window.
    pub optimistic_post_submissions: Cid,
    /// The sectors AMT as of the end of the previous window, if a proof may be disputed
    /// (an empty AMT of bit width 5 otherwise).
    pub sectors_snapshot: Cid,
    /// The partitions as of the end of the previous window.
    pub partitions_snapshot: Cid,
    /// The optimistic proofs of the previous window; disputed ones are removed.
    pub optimistic_post_submissions_snapshot: Cid,
    /// Power of all non-terminated sectors (faulty and unproven included): caps the daily fee.
    pub live_power: PowerPair,
    /// Daily fee (FIP-0100) owed for the deadline's live sectors.
    pub daily_fee: TokenAmount,
}

/// An optimistically accepted Window PoSt.
#[derive(Clone, Debug, PartialEq, Serialize_tuple, Deserialize_tuple)]
pub struct WindowedPoSt {
    /// The partitions it proved.
    pub partitions: BitField,
    /// One proof per PoSt type among the sectors (in practice one).
    pub proofs: Vec<PoStProof>,
}

/// What a dispute of a past Window PoSt must check and would penalize.
#[derive(Clone, Debug, PartialEq)]
pub struct DisputeInfo {
    /// Every sector of the disputed partitions.
    pub all_sector_nos: BitField,
    /// Those the proof did not cover (faulty, terminated, unproven).
    pub ignored_sector_nos: BitField,
    /// The active sectors to mark faulty if the dispute succeeds, by partition.
    pub disputed_sectors: PartitionSectorMap,
    /// Their power.
    pub disputed_power: PowerPair,
}

/// The AMT of partitions.
pub type PartitionsAmt<'db, BS> = Amt<Partition, &'db BS>;

impl Deadline {
    /// An empty deadline.
    pub fn new<BS: Blockstore>(store: &BS) -> Result<Self, ActorError> {
        let partitions = empty_amt(store, DEADLINE_PARTITIONS_AMT_BITWIDTH)?;
        let posts = empty_amt(store, DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH)?;
        Ok(Self {
            partitions,
            expirations_epochs: empty_amt(store, DEADLINE_EXPIRATIONS_AMT_BITWIDTH)?,
            partitions_posted: BitField::new(),
            early_terminations: BitField::new(),
            live_sectors: 0,
            total_sectors: 0,
            faulty_power: PowerPair::zero(),
            optimistic_post_submissions: posts,
            sectors_snapshot: empty_amt(store, SECTORS_AMT_BITWIDTH)?,
            partitions_snapshot: partitions,
            optimistic_post_submissions_snapshot: posts,
            live_power: PowerPair::zero(),
            daily_fee: TokenAmount::zero(),
        })
    }

    /// The partitions, loaded.
    pub fn partitions_amt<'db, BS: Blockstore>(
        &self,
        store: &'db BS,
    ) -> Result<PartitionsAmt<'db, BS>, ActorError> {
        Amt::load(&self.partitions, store).map_err(amt_error("failed to load partitions"))
    }

    /// The optimistic proofs of this window, loaded.
    pub fn optimistic_proofs_amt<'db, BS: Blockstore>(
        &self,
        store: &'db BS,
    ) -> Result<Amt<WindowedPoSt, &'db BS>, ActorError> {
        Amt::load(&self.optimistic_post_submissions, store)
            .map_err(amt_error("failed to load post proofs"))
    }

    /// The partitions as of the previous window, loaded.
    pub fn partitions_snapshot_amt<'db, BS: Blockstore>(
        &self,
        store: &'db BS,
    ) -> Result<PartitionsAmt<'db, BS>, ActorError> {
        Amt::load(&self.partitions_snapshot, store)
            .map_err(amt_error("failed to load partitions snapshot"))
    }

    /// The optimistic proofs of the previous window, loaded.
    pub fn optimistic_proofs_snapshot_amt<'db, BS: Blockstore>(
        &self,
        store: &'db BS,
    ) -> Result<Amt<WindowedPoSt, &'db BS>, ActorError> {
        Amt::load(&self.optimistic_post_submissions_snapshot, store)
            .map_err(amt_error("failed to load post proofs snapshot"))
    }

    /// One partition; a missing one is `USR_NOT_FOUND`.
    pub fn load_partition<BS: Blockstore>(
        &self,
        store: &BS,
        partition_idx: u64,
    ) -> Result<Partition, ActorError> {
        get_partition(&self.partitions_amt(store)?, partition_idx)?
            .ok_or_else(|| ActorError::not_found(format!("no partition {partition_idx}")))
    }

    /// One partition as of the previous window; a missing one is `USR_NOT_FOUND`.
    pub fn load_partition_snapshot<BS: Blockstore>(
        &self,
        store: &BS,
        partition_idx: u64,
    ) -> Result<Partition, ActorError> {
        get_partition(&self.partitions_snapshot_amt(store)?, partition_idx)?
            .ok_or_else(|| ActorError::not_found(format!("no partition snapshot {partition_idx}")))
    }

    /// Records that `partitions` may have sectors expiring at `expiration_epoch`.
    pub fn add_expiration_partitions<BS: Blockstore>(
        &mut self,
        store: &BS,
        expiration_epoch: ChainEpoch,
        partitions: &[u64],
        quant: QuantSpec,
    ) -> Result<(), ActorError> {
        if partitions.is_empty() {
            return Ok(());
        }
        let mut queue = BitFieldQueue::new(store, &self.expirations_epochs, quant)
            .context("failed to load expiration queue")?;
        queue
            .add_to_queue_values(expiration_epoch, partitions.iter().copied())
            .context("failed to mutate expiration queue")?;
        self.expirations_epochs =
            queue.amt.flush().map_err(amt_error("failed to save expiration queue"))?;
        Ok(())
    }

    /// Terminates the sectors of every partition whose expirations are due by `until`.
    /// Returns the sums of what expired.
    pub fn pop_expired_sectors<BS: Blockstore>(
        &mut self,
        store: &BS,
        until: ChainEpoch,
        quant: QuantSpec,
    ) -> Result<ExpirationSet, ActorError> {
        let (expired_partitions, modified) = self.pop_expired_partitions(store, until, quant)?;
        if !modified {
            return Ok(ExpirationSet::empty());
        }
        let mut partitions = self.partitions_amt(store)?;
        let mut total = ExpirationSet::empty();
        let mut on_time = Vec::new();
        let mut early = Vec::new();
        let mut with_early_terminations = Vec::new();
        for idx in expired_partitions.iter() {
            let mut partition = get_partition(&partitions, idx)?.ok_or_else(|| {
                ActorError::illegal_state(format!("missing expected partition {idx}"))
            })?;
            let expired = partition
                .pop_expired_sectors(store, until, quant)
                .context(format_args!("failed to pop expired sectors from partition {idx}"))?;
            if !expired.early_sectors.is_empty() {
                with_early_terminations.push(idx);
            }
            on_time.push(expired.on_time_sectors);
            early.push(expired.early_sectors);
            total.active_power += &expired.active_power;
            total.faulty_power += &expired.faulty_power;
            total.on_time_pledge += &expired.on_time_pledge;
            total.fee_deduction += &expired.fee_deduction;
            set_partition(&mut partitions, idx, partition)?;
        }
        self.partitions = partitions.flush().map_err(amt_error("failed to store partitions"))?;
        self.early_terminations |= &bitfield_of(with_early_terminations)?;

        total.on_time_sectors = BitField::union(&on_time);
        total.early_sectors = BitField::union(&early);
        self.live_sectors = self
            .live_sectors
            .checked_sub(total.on_time_sectors.len() + total.early_sectors.len())
            .ok_or_else(|| ActorError::illegal_state("deadline live sector count underflow"))?;
        self.faulty_power -= &total.faulty_power;
        self.live_power -= &total.faulty_power;
        self.live_power -= &total.active_power;
        self.daily_fee -= &total.fee_deduction;
        Ok(total)
    }

    /// Adds sectors (assumed healthy), filling the last partition first and opening new ones
    /// of `partition_size`. `proven` is false for new sectors (power at their first PoSt);
    /// `new_fees` is false when sectors only move between partitions (their fee is already
    /// counted). The deadline must not be open. Returns the power and daily fee added.
    #[allow(clippy::too_many_arguments)]
    pub fn add_sectors<BS: Blockstore>(
        &mut self,
        store: &BS,
        partition_size: u64,
        proven: bool,
        new_fees: bool,
        mut sectors: &[SectorOnChainInfo],
        sector_size: SectorSize,
        quant: QuantSpec,
    ) -> Result<(PowerPair, TokenAmount), ActorError> {
        let mut total_power = PowerPair::zero();
        let mut total_fee = TokenAmount::zero();
        if sectors.is_empty() {
            return Ok((total_power, total_fee));
        }
        self.live_sectors += sectors.len() as u64;
        self.total_sectors += sectors.len() as u64;

        let mut partitions = self.partitions_amt(store)?;
        let mut expirations = Vec::with_capacity(sectors.len());
        let mut idx = partitions.count().saturating_sub(1);
        while !sectors.is_empty() {
            let mut partition = match get_partition(&partitions, idx)? {
                Some(p) => p,
                None => Partition::new(store)?,
            };
            let count = partition.sectors.len();
            if count >= partition_size {
                idx += 1;
                continue;
            }
            let take = (partition_size - count).min(sectors.len() as u64) as usize;
            let (batch, rest) = sectors.split_at(take);
            sectors = rest;
            let (power, fee) = partition.add_sectors(store, proven, batch, sector_size, quant)?;
            total_power += &power;
            if new_fees {
                total_fee += &fee;
            }
            set_partition(&mut partitions, idx, partition)?;
            expirations.extend(batch.iter().map(|s| (s.expiration, idx)));
            idx += 1;
        }
        self.partitions = partitions.flush().map_err(amt_error("failed to store partitions"))?;

        let mut queue = BitFieldQueue::new(store, &self.expirations_epochs, quant)
            .context("failed to load expiration epochs")?;
        queue
            .add_many_to_queue_values(expirations)
            .context("failed to add expirations for new deadlines")?;
        self.expirations_epochs =
            queue.amt.flush().map_err(amt_error("failed to save expiration epochs"))?;
        self.daily_fee += &total_fee;
        self.live_power += &total_power;
        Ok((total_power, total_fee))
    }

    /// Pops the partitions whose expirations are due by `until`, and whether any were.
    pub fn pop_expired_partitions<BS: Blockstore>(
        &mut self,
        store: &BS,
        until: ChainEpoch,
        quant: QuantSpec,
    ) -> Result<(BitField, bool), ActorError> {
        let mut queue = BitFieldQueue::new(store, &self.expirations_epochs, quant)?;
        let (popped, modified) =
            queue.pop_until(until).context("failed to pop expiring partitions")?;
        if modified {
            self.expirations_epochs =
                queue.amt.flush().map_err(amt_error("failed to save expiration queue"))?;
        }
        Ok((popped, modified))
    }

    /// Calls `f` on every partition, in order.
    pub fn for_each<BS: Blockstore>(
        &self,
        store: &BS,
        mut f: impl FnMut(u64, &Partition) -> Result<(), ActorError>,
    ) -> Result<(), ActorError> {
        self.partitions_amt(store)?
            .for_each(|idx, partition| f(idx, partition).map_err(Into::into))
            .map_err(amt_error("failed to walk partitions"))
    }

    /// Checks the memos: no more live than total sectors, no negative faulty power.
    pub fn validate_state(&self) -> Result<(), ActorError> {
        if self.live_sectors > self.total_sectors {
            return Err(ActorError::illegal_state(
                "deadline left with more live sectors than total",
            ));
        }
        if self.faulty_power.raw.is_negative() || self.faulty_power.qa.is_negative() {
            return Err(ActorError::illegal_state("deadline left with negative faulty power"));
        }
        Ok(())
    }

    /// Whether the deadline's cron still has work: live sectors, or state left over from the
    /// last window (posted partitions, changed partitions, proofs to clear from the snapshot).
    pub fn is_live(&self) -> bool {
        self.live_sectors > 0
            || !self.partitions_posted.is_empty()
            || self.partitions != self.partitions_snapshot
            || self.optimistic_post_submissions != self.optimistic_post_submissions_snapshot
    }
}

/// A partition by index, if present.
pub(crate) fn get_partition<BS: Blockstore>(
    partitions: &PartitionsAmt<'_, BS>,
    idx: u64,
) -> Result<Option<Partition>, ActorError> {
    Ok(partitions
        .get(idx)
        .map_err(amt_error(format_args!("failed to load partition {idx}")))?
        .cloned())
}

/// Stores a partition at an index.
pub(crate) fn set_partition<BS: Blockstore>(
    partitions: &mut PartitionsAmt<'_, BS>,
    idx: u64,
    partition: Partition,
) -> Result<(), ActorError> {
    partitions
        .set(idx, partition)
        .map_err(amt_error(format_args!("failed to store partition {idx}")))
}

#[cfg(test)]
mod tests;
