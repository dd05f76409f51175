//! A partition (builtin-actors `partition_state.rs`): the unit a Window PoSt proves, a
//! fixed-size group of sectors (2 on this devnet) inside a deadline. It tracks which of its
//! sectors are unproven, faulty, recovering or terminated, memoizes the power of each state,
//! and owns two queues: expirations (by quantized epoch) and early terminations (by epoch,
//! awaiting their termination fee).
//!
//! Invariants (checked after every operation): faults and unproven sectors are never
//! terminated, recoveries ⊆ faults, and recovering ≤ faulty ≤ live power.

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_amt::Amt;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorSize;
use num_traits::Signed;

use super::bitfield_queue::BitFieldQueue;
use super::expiration_queue::{ExpirationQueue, ExpirationSet};
use super::quantize::{NO_QUANTIZATION, QuantSpec};
use super::records::{PowerPair, SectorOnChainInfo};
use super::sectors::{ErrorContext, Sectors, amt_error, power_for_sectors, select_sectors};
use super::termination::TerminationResult;

/// Bit width of a partition's expiration queue.
pub const PARTITION_EXPIRATION_AMT_BITWIDTH: u32 = 4;
/// Bit width of a partition's early-termination queue.
pub const PARTITION_EARLY_TERMINATION_ARRAY_AMT_BITWIDTH: u32 = 3;

/// One partition's state, as the network stores it.
#[derive(Clone, Debug, PartialEq, Serialize_tuple, Deserialize_tuple)]
pub struct Partition {
    /// Every sector assigned here, including faulty, unproven and terminated ones.
    pub sectors: BitField,
    /// Sectors not proven yet: they gain power at the partition's first Window PoSt (or become
    /// faults at its deadline's end).
    pub unproven: BitField,
    /// Faulty sectors (declared, skipped or missed), excluded from proofs.
    pub faults: BitField,
    /// Faults declared recovered, to be proven at the next Window PoSt.
    pub recoveries: BitField,
    /// Terminated sectors not yet compacted away.
    pub terminated: BitField,
    /// Expiration queue root: AMT of [`ExpirationSet`], bit width 4, quantized.
    pub expirations_epochs: Cid,
    /// Early-termination queue root: AMT of BitField by termination epoch, bit width 3, not
    /// quantized (the fee depends on the exact epoch).
    pub early_terminated: Cid,
    /// Power of all non-terminated sectors (faulty and unproven included).
    pub live_power: PowerPair,
    /// Power of unproven sectors.
    pub unproven_power: PowerPair,
    /// Power of faulty sectors.
    pub faulty_power: PowerPair,
    /// Power of recovering sectors.
    pub recovering_power: PowerPair,
}

/// Checks that `sectors` are all assigned to `partition`.
pub fn validate_partition_contains_sectors(
    partition: &Partition,
    sectors: &BitField,
) -> Result<(), ActorError> {
    if partition.sectors.contains_all(sectors) {
        Ok(())
    } else {
        Err(ActorError::illegal_argument("not all sectors are assigned to the partition"))
    }
}

/// An empty AMT's root with the given bit width.
pub(crate) fn empty_amt<BS: Blockstore>(store: &BS, bit_width: u32) -> Result<Cid, ActorError> {
    Amt::<(), _>::new_with_bit_width(store, bit_width)
        .flush()
        .map_err(amt_error("failed to create empty array"))
}

impl Partition {
    /// An empty partition.
    pub fn new<BS: Blockstore>(store: &BS) -> Result<Self, ActorError> {
        Ok(Self {
            sectors: BitField::new(),
            unproven: BitField::new(),
            faults: BitField::new(),
            recoveries: BitField::new(),
            terminated: BitField::new(),
            expirations_epochs: empty_amt(store, PARTITION_EXPIRATION_AMT_BITWIDTH)?,
            early_terminated: empty_amt(store, PARTITION_EARLY_TERMINATION_ARRAY_AMT_BITWIDTH)?,
            live_power: PowerPair::zero(),
            unproven_power: PowerPair::zero(),
            faulty_power: PowerPair::zero(),
            recovering_power: PowerPair::zero(),
        })
    }

    /// Sectors not terminated (possibly faulty or unproven).
    pub fn live_sectors(&self) -> BitField {
        &self.sectors - &self.terminated
    }

    /// Sectors contributing power: live, not faulty, proven.
    pub fn active_sectors(&self) -> BitField {
        &(&self.live_sectors() - &self.faults) - &self.unproven
    }

    /// Power of the active sectors.
    pub fn active_power(&self) -> PowerPair {
        &(&self.live_power - &self.faulty_power) - &self.unproven_power
    }

    fn load_expirations<'db, BS: Blockstore>(
        &self,
        store: &'db BS,
        quant: QuantSpec,
    ) -> Result<ExpirationQueue<'db, BS>, ActorError> {
        ExpirationQueue::new(store, &self.expirations_epochs, quant)
            .context("failed to load sector expirations")
    }

    fn save_expirations<BS: Blockstore>(
        &mut self,
        queue: &mut ExpirationQueue<'_, BS>,
    ) -> Result<(), ActorError> {
        self.expirations_epochs =
            queue.amt.flush().map_err(amt_error("failed to store sector expirations"))?;
        Ok(())
    }

    /// Adds new, non-faulty sectors, scheduled at their expirations; `proven` is false for
    /// newly committed sectors, whose power waits for the first Window PoSt. Returns their
    /// power and daily fee.
    pub fn add_sectors<BS: Blockstore>(
        &mut self,
        store: &BS,
        proven: bool,
        sectors: &[SectorOnChainInfo],
        sector_size: SectorSize,
        quant: QuantSpec,
    ) -> Result<(PowerPair, TokenAmount), ActorError> {
        let mut queue = self.load_expirations(store, quant)?;
        let (numbers, power, _, daily_fee) = queue
            .add_active_sectors(sectors, sector_size)
            .context("failed to record new sector expirations")?;
        self.save_expirations(&mut queue)?;
        if self.sectors.contains_any(&numbers) {
            return Err(ActorError::illegal_state("not all added sectors are new"));
        }
        self.sectors |= &numbers;
        self.live_power += &power;
        if !proven {
            self.unproven_power += &power;
            self.unproven |= &numbers;
        }
        self.validate_state()?;
        Ok((power, daily_fee))
    }

    /// Marks every unproven sector proven, returning the power they now contribute.
    pub fn activate_unproven(&mut self) -> PowerPair {
        self.unproven = BitField::new();
        std::mem::take(&mut self.unproven_power)
    }

    /// Moves the active sectors among `sector_numbers` to `new_expiration` (an extension),
    /// skipping those not here, terminated or faulty. Returns the infos of those moved.
    pub fn reschedule_expirations<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        new_expiration: ChainEpoch,
        sector_numbers: &BitField,
        sector_size: SectorSize,
        quant: QuantSpec,
    ) -> Result<Vec<SectorOnChainInfo>, ActorError> {
        let present = sector_numbers & &self.sectors;
        let active = &(&present - &self.terminated) - &self.faults;
        let infos = sectors.load_sectors(&active)?;
        let mut queue = self.load_expirations(store, quant)?;
        queue.reschedule_expirations(new_expiration, &infos, sector_size)?;
        self.save_expirations(&mut queue)?;
        self.validate_state()?;
        Ok(infos)
    }

    /// Replaces active sectors with new infos (replica updates, extensions that change power).
    /// Returns the changes in power, pledge and daily fee.
    pub fn replace_sectors<BS: Blockstore>(
        &mut self,
        store: &BS,
        old_sectors: &[SectorOnChainInfo],
        new_sectors: &[SectorOnChainInfo],
        sector_size: SectorSize,
        quant: QuantSpec,
    ) -> Result<(PowerPair, TokenAmount, TokenAmount), ActorError> {
        let mut queue = self.load_expirations(store, quant)?;
        let (old_numbers, new_numbers, power_delta, pledge_delta, fee_delta) = queue
            .replace_sectors(old_sectors, new_sectors, sector_size)
            .context("failed to replace sector expirations")?;
        self.save_expirations(&mut queue)?;

        if !self.active_sectors().contains_all(&old_numbers) {
            return Err(ActorError::illegal_state("refusing to replace inactive sectors"));
        }
        self.sectors -= &old_numbers;
        self.sectors |= &new_numbers;
        self.live_power += &power_delta;
        self.validate_state()?;
        Ok((power_delta, pledge_delta, fee_delta))
    }

    /// Queues sectors that ended early at `epoch`, for their termination fee.
    pub fn record_early_termination<BS: Blockstore>(
        &mut self,
        store: &BS,
        epoch: ChainEpoch,
        sectors: &BitField,
    ) -> Result<(), ActorError> {
        let mut queue = BitFieldQueue::new(store, &self.early_terminated, NO_QUANTIZATION)
            .context("failed to load early termination queue")?;
        queue.add_to_queue(epoch, sectors).context("failed to add to early termination queue")?;
        self.early_terminated =
            queue.amt.flush().map_err(amt_error("failed to save early termination queue"))?;
        Ok(())
    }

    /// Terminates live sectors at `epoch`: out of the queue, faults and recoveries, into
    /// `terminated` and the early-termination queue. Returns what was removed (its active power
    /// excluding unproven sectors) and the unproven power removed.
    #[allow(clippy::too_many_arguments)]
    pub fn terminate_sectors<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        epoch: ChainEpoch,
        sector_numbers: &BitField,
        sector_size: SectorSize,
        quant: QuantSpec,
    ) -> Result<(ExpirationSet, PowerPair), ActorError> {
        if !self.live_sectors().contains_all(sector_numbers) {
            return Err(ActorError::illegal_argument("can only terminate live sectors"));
        }
        let infos = sectors.load_sectors(sector_numbers)?;
        let mut queue = self.load_expirations(store, quant)?;
        let (mut removed, removed_recovering) = queue
            .remove_sectors(&infos, &self.faults, &self.recoveries, sector_size)
            .context("failed to remove sector expirations")?;
        self.save_expirations(&mut queue)?;

        let removed_sectors = &removed.on_time_sectors | &removed.early_sectors;
        self.record_early_termination(store, epoch, &removed_sectors)
            .context("failed to record early sector termination")?;

        let unproven = &removed_sectors & &self.unproven;
        self.faults -= &removed_sectors;
        self.recoveries -= &removed_sectors;
        self.terminated |= &removed_sectors;
        self.live_power -= &removed.active_power;
        self.live_power -= &removed.faulty_power;
        self.faulty_power -= &removed.faulty_power;
        self.recovering_power -= &removed_recovering;
        self.unproven -= &unproven;

        let unproven_infos = select_sectors(&infos, &unproven)?;
        let removed_unproven_power = power_for_sectors(sector_size, &unproven_infos);
        self.unproven_power -= &removed_unproven_power;
        removed.active_power -= &removed_unproven_power;
        self.validate_state()?;
        Ok((removed, removed_unproven_power))
    }

    /// Terminates every sector whose queue entry is ≤ `until` (on time or early), at the
    /// deadline's end. Proofs must have been processed first: no unproven sectors or pending
    /// recoveries may remain. Returns the popped sums.
    pub fn pop_expired_sectors<BS: Blockstore>(
        &mut self,
        store: &BS,
        until: ChainEpoch,
        quant: QuantSpec,
    ) -> Result<ExpirationSet, ActorError> {
        if !self.unproven.is_empty() {
            return Err(ActorError::illegal_state(
                "cannot pop expired sectors from a partition with unproven sectors",
            ));
        }
        let mut queue = self.load_expirations(store, quant)?;
        let popped = queue
            .pop_until(until)
            .context(format_args!("failed to pop expiration queue until {until}"))?;
        self.save_expirations(&mut queue)?;

        let expired = &popped.on_time_sectors | &popped.early_sectors;
        if !self.recoveries.is_empty() {
            return Err(ActorError::illegal_state(
                "unexpected recoveries while processing expirations",
            ));
        }
        if !self.recovering_power.is_zero() {
            return Err(ActorError::illegal_state(
                "unexpected recovering power while processing expirations",
            ));
        }
        if self.terminated.contains_any(&expired) {
            return Err(ActorError::illegal_state("expiring sectors already terminated"));
        }
        self.terminated |= &expired;
        self.faults -= &expired;
        self.live_power -= &(&popped.active_power + &popped.faulty_power);
        self.faulty_power -= &popped.faulty_power;
        self.record_early_termination(store, until, &popped.early_sectors)
            .context("failed to record early terminations")?;
        self.validate_state()?;
        Ok(popped)
    }

    /// Takes up to `max_sectors` sectors off the early-termination queue, oldest first.
    /// Returns them by epoch and whether more remain.
    pub fn pop_early_terminations<BS: Blockstore>(
        &mut self,
        store: &BS,
        max_sectors: u64,
    ) -> Result<(TerminationResult, bool), ActorError> {
        let mut queue = BitFieldQueue::new(store, &self.early_terminated, NO_QUANTIZATION)?;
        let mut processed = Vec::new();
        let mut remaining: Option<(BitField, u64)> = None;
        let mut result = TerminationResult::new();
        result.partitions_processed = 1;

        queue
            .amt
            .for_each_while(|k, sectors| {
                let count = sectors.len();
                let limit = max_sectors.saturating_sub(result.sectors_processed);
                let to_process = if limit < count {
                    let part = sectors.slice(0, limit).ok_or_else(|| {
                        ActorError::illegal_state("expected more sectors in bitfield")
                    })?;
                    remaining = Some((sectors - &part, k));
                    result.sectors_processed += limit;
                    part
                } else {
                    processed.push(k);
                    result.sectors_processed += count;
                    sectors.clone()
                };
                result.sectors.insert(k as ChainEpoch, to_process);
                Ok(result.sectors_processed < max_sectors)
            })
            .map_err(amt_error("failed to walk early terminations queue"))?;

        queue
            .amt
            .batch_delete(processed, true)
            .map_err(amt_error("failed to remove entries from early terminations queue"))?;
        if let Some((rest, k)) = remaining {
            queue
                .amt
                .set(k, rest)
                .map_err(amt_error("failed to update remaining entry early terminations queue"))?;
        }
        self.early_terminated =
            queue.amt.flush().map_err(amt_error("failed to store early terminations queue"))?;
        self.validate_state()?;
        let has_more = queue.amt.count() > 0;
        Ok((result, has_more))
    }

    /// Checks the power memos: none negative, and recovering ≤ faulty ≤ live, unproven ≤ live.
    pub fn validate_power_state(&self) -> Result<(), ActorError> {
        let fail =
            |what: &str| Err(ActorError::illegal_state(format!("Partition left with {what}")));
        let negative = |p: &PowerPair| p.raw.is_negative() || p.qa.is_negative();
        if negative(&self.live_power) {
            return fail("negative live power");
        }
        if negative(&self.unproven_power) {
            return fail("negative unproven power");
        }
        if negative(&self.faulty_power) {
            return fail("negative faulty power");
        }
        if negative(&self.recovering_power) {
            return fail("negative recovering power");
        }
        if self.unproven_power.raw > self.live_power.raw {
            return fail("invalid unproven power");
        }
        if self.faulty_power.raw > self.live_power.raw {
            return fail("invalid faulty power");
        }
        if self.recovering_power.raw > self.live_power.raw
            || self.recovering_power.raw > self.faulty_power.raw
        {
            return fail("invalid recovering power");
        }
        Ok(())
    }

    /// Checks the sector sets against each other.
    pub fn validate_bf_state(&self) -> Result<(), ActorError> {
        let mut merged = &self.unproven | &self.faults;
        if self.terminated.contains_any(&merged) {
            return Err(ActorError::illegal_state(
                "Partition left with terminated sectors in multiple states",
            ));
        }
        merged |= &self.terminated;
        if !self.sectors.contains_all(&merged) {
            return Err(ActorError::illegal_state("Partition left with invalid sector state"));
        }
        if !self.faults.contains_all(&self.recoveries) {
            return Err(ActorError::illegal_state("Partition left with invalid recovery state"));
        }
        Ok(())
    }

    /// Checks every invariant.
    pub fn validate_state(&self) -> Result<(), ActorError> {
        self.validate_power_state()?;
        self.validate_bf_state()
    }
}

mod faults;
#[cfg(test)]
mod tests;
