//! A partition's expiration queue (builtin-actors `expiration_queue.rs`): an AMT from quantized
//! epoch to the [`ExpirationSet`] of sectors leaving the partition then, either "on time" (at
//! their committed expiration) or "early" (faulty for too long). Each set also carries the sums
//! the deadline cron needs when it pops the entry: pledge to release, power to remove, and the
//! daily fee (FIP-0100) that stops being owed.
//!
//! On-time sectors may be active or faulty (a sector faulting shortly before its expiration
//! stays on time, its power moved to faulty); early sectors are always faulty, and their pledge
//! is not counted here since it is settled by the termination fee.

use std::collections::{BTreeMap, BTreeSet};

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_amt::{Amt, ValueMut};
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorSize;
use num_traits::Zero;

use super::quantize::QuantSpec;
use super::records::{PowerPair, SectorOnChainInfo};
use super::sectors::{ErrorContext, amt_error, bitfield_of, power_for_sector};

/// Most sectors one queue entry may expand to while removing sectors; above any partition size.
const ENTRY_SECTORS_MAX: u64 = 10_000;

/// The queue, loaded.
#[derive(Debug)]
pub struct ExpirationQueue<'db, BS> {
    /// The AMT itself (flush it to get the new root).
    pub amt: Amt<ExpirationSet, &'db BS>,
    /// How epochs are bucketed (at the owning deadline's last epoch).
    pub quant: QuantSpec,
}

/// Some sectors of one queue entry, with their sums.
#[derive(Clone)]
struct SectorEpochSet {
    epoch: ChainEpoch,
    sectors: Vec<u64>,
    power: PowerPair,
    pledge: TokenAmount,
    daily_fee: TokenAmount,
}

/// A [`SectorEpochSet`] with the entry it was found in.
struct SectorExpirationSet {
    sector_epoch_set: SectorEpochSet,
    expiration_set: ExpirationSet,
}

/// An AMT key from an epoch; negative epochs cannot be keys.
fn key(epoch: ChainEpoch) -> Result<u64, ActorError> {
    u64::try_from(epoch)
        .map_err(|_| ActorError::illegal_state(format!("negative queue epoch {epoch}")))
}

impl<'db, BS: Blockstore> ExpirationQueue<'db, BS> {
    /// Loads the queue at `root`; epochs given to it later are bucketed with `quant`.
    pub fn new(store: &'db BS, root: &Cid, quant: QuantSpec) -> Result<Self, ActorError> {
        let amt = Amt::load(root, store).map_err(amt_error("failed to load expiration queue"))?;
        Ok(Self { amt, quant })
    }

    /// Schedules active sectors at their (quantized) expirations. Returns their numbers, power,
    /// pledge and daily fee.
    pub fn add_active_sectors<'a>(
        &mut self,
        sectors: impl IntoIterator<Item = &'a SectorOnChainInfo>,
        sector_size: SectorSize,
    ) -> Result<(BitField, PowerPair, TokenAmount, TokenAmount), ActorError> {
        let mut total_power = PowerPair::zero();
        let mut total_pledge = TokenAmount::zero();
        let mut total_fee = TokenAmount::zero();
        let mut numbers = Vec::new();
        for group in group_new_sectors_by_declared_expiration(sector_size, sectors, self.quant) {
            let group_numbers = bitfield_of(group.sectors.iter().copied())?;
            self.add(
                group.epoch,
                &group_numbers,
                &BitField::new(),
                &group.power,
                &PowerPair::zero(),
                &group.pledge,
                &group.daily_fee,
            )
            .context("failed to record new sector expirations")?;
            numbers.push(group_numbers);
            total_power += &group.power;
            total_pledge += &group.pledge;
            total_fee += &group.daily_fee;
        }
        Ok((BitField::union(numbers.iter()), total_power, total_pledge, total_fee))
    }

    /// Moves active sectors to a new on-time expiration, keeping their power and pledge.
    pub fn reschedule_expirations(
        &mut self,
        new_expiration: ChainEpoch,
        sectors: &[SectorOnChainInfo],
        sector_size: SectorSize,
    ) -> Result<(), ActorError> {
        if sectors.is_empty() {
            return Ok(());
        }
        let (numbers, power, pledge, fee) = self
            .remove_active_sectors(sectors, sector_size)
            .context("failed to remove sector expirations")?;
        self.add(
            new_expiration,
            &numbers,
            &BitField::new(),
            &power,
            &PowerPair::zero(),
            &pledge,
            &fee,
        )
        .context("failed to record new sector expirations")
    }

    /// Replaces active sectors by others (a replica update). Returns the old and new numbers
    /// and the changes (new − old) in power, pledge and daily fee.
    #[allow(clippy::type_complexity)]
    pub fn replace_sectors(
        &mut self,
        old_sectors: &[SectorOnChainInfo],
        new_sectors: &[SectorOnChainInfo],
        sector_size: SectorSize,
    ) -> Result<(BitField, BitField, PowerPair, TokenAmount, TokenAmount), ActorError> {
        let (old_numbers, old_power, old_pledge, old_fee) = self
            .remove_active_sectors(old_sectors, sector_size)
            .context("failed to remove replaced sectors")?;
        let (new_numbers, new_power, new_pledge, new_fee) = self
            .add_active_sectors(new_sectors, sector_size)
            .context("failed to add replacement sectors")?;
        Ok((
            old_numbers,
            new_numbers,
            &new_power - &old_power,
            new_pledge - old_pledge,
            new_fee - old_fee,
        ))
    }

    /// Removes and sums every entry up to and including `until`.
    pub fn pop_until(&mut self, until: ChainEpoch) -> Result<ExpirationSet, ActorError> {
        let mut popped = ExpirationSet::empty();
        let mut keys = Vec::new();
        self.amt
            .for_each_while(|k, set| {
                if k as ChainEpoch > until {
                    return Ok(false);
                }
                keys.push(k);
                popped.on_time_sectors |= &set.on_time_sectors;
                popped.early_sectors |= &set.early_sectors;
                popped.active_power += &set.active_power;
                popped.faulty_power += &set.faulty_power;
                popped.on_time_pledge += &set.on_time_pledge;
                popped.fee_deduction += &set.fee_deduction;
                Ok(true)
            })
            .map_err(amt_error("failed to walk expiration queue"))?;
        self.amt.batch_delete(keys, true).map_err(amt_error("failed to pop expiration queue"))?;
        Ok(popped)
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        raw_epoch: ChainEpoch,
        on_time_sectors: &BitField,
        early_sectors: &BitField,
        active_power: &PowerPair,
        faulty_power: &PowerPair,
        pledge: &TokenAmount,
        daily_fee: &TokenAmount,
    ) -> Result<(), ActorError> {
        let epoch = self.quant.quantize_up(raw_epoch);
        let mut set = self.may_get(epoch)?;
        set.add(on_time_sectors, early_sectors, pledge, active_power, faulty_power, daily_fee)
            .context(format_args!("failed to add expiration values for epoch {epoch}"))?;
        self.must_update(epoch, set)
    }

    #[allow(clippy::too_many_arguments)]
    fn remove(
        &mut self,
        raw_epoch: ChainEpoch,
        on_time_sectors: &BitField,
        early_sectors: &BitField,
        active_power: &PowerPair,
        faulty_power: &PowerPair,
        pledge: &TokenAmount,
        fee_deduction: &TokenAmount,
    ) -> Result<(), ActorError> {
        let epoch = self.quant.quantize_up(raw_epoch);
        let mut set = self
            .amt
            .get(key(epoch)?)
            .map_err(amt_error(format_args!("failed to look up queue epoch {epoch}")))?
            .cloned()
            .ok_or_else(|| {
                ActorError::illegal_state(format!(
                    "missing expected expiration set at epoch {epoch}"
                ))
            })?;
        set.remove(
            on_time_sectors,
            early_sectors,
            pledge,
            active_power,
            faulty_power,
            fee_deduction,
        )
        .context(format_args!("failed to remove expiration values for queue epoch {epoch}"))?;
        self.must_update_or_delete(epoch, set)
    }

    fn remove_active_sectors(
        &mut self,
        sectors: &[SectorOnChainInfo],
        sector_size: SectorSize,
    ) -> Result<(BitField, PowerPair, TokenAmount, TokenAmount), ActorError> {
        let mut numbers = Vec::new();
        let mut power = PowerPair::zero();
        let mut pledge = TokenAmount::zero();
        let mut fee = TokenAmount::zero();
        for group in self.find_sectors_by_expiration(sector_size, sectors)? {
            let found = group.sector_epoch_set;
            let group_numbers = bitfield_of(found.sectors.iter().copied())?;
            self.remove(
                found.epoch,
                &group_numbers,
                &BitField::new(),
                &found.power,
                &PowerPair::zero(),
                &found.pledge,
                &found.daily_fee,
            )?;
            numbers.extend(found.sectors);
            power += &found.power;
            pledge += &found.pledge;
            fee += &found.daily_fee;
        }
        Ok((bitfield_of(numbers)?, power, pledge, fee))
    }

    /// Walks the queue letting `f` change entries (only those it changes are rewritten), then
    /// deletes the entries left empty.
    fn iter_while_mut(
        &mut self,
        mut f: impl FnMut(ChainEpoch, &mut ValueMut<'_, ExpirationSet>) -> Result<bool, ActorError>,
    ) -> Result<(), ActorError> {
        let mut emptied = Vec::new();
        self.amt
            .for_each_while_mut(|k, set| {
                let keep_going = f(k as ChainEpoch, set)?;
                if set.is_empty() {
                    emptied.push(k);
                }
                Ok(keep_going)
            })
            .map_err(amt_error("failed to walk expiration queue"))?;
        self.amt
            .batch_delete(emptied, true)
            .map_err(amt_error("failed to delete empty entries"))?;
        Ok(())
    }

    fn may_get(&self, epoch: ChainEpoch) -> Result<ExpirationSet, ActorError> {
        Ok(self
            .amt
            .get(key(epoch)?)
            .map_err(amt_error(format_args!("failed to look up queue epoch {epoch}")))?
            .cloned()
            .unwrap_or_default())
    }

    fn must_update(&mut self, epoch: ChainEpoch, set: ExpirationSet) -> Result<(), ActorError> {
        self.amt
            .set(key(epoch)?, set)
            .map_err(amt_error(format_args!("failed to set queue epoch {epoch}")))
    }

    /// Writes `set`, or deletes the entry if it is empty (not for use while iterating).
    fn must_update_or_delete(
        &mut self,
        epoch: ChainEpoch,
        set: ExpirationSet,
    ) -> Result<(), ActorError> {
        if set.is_empty() {
            self.amt
                .delete(key(epoch)?)
                .map_err(amt_error(format_args!("failed to delete queue epoch {epoch}")))?;
            Ok(())
        } else {
            self.must_update(epoch, set)
        }
    }

    /// Finds active sectors in the queue, grouped by the entry holding them, earliest first.
    /// A sector is looked for first at its declared expiration, then (if it was rescheduled
    /// earlier) in the other entries in order. Finding one among early sectors is an error:
    /// only active sectors may be grouped.
    fn find_sectors_by_expiration(
        &self,
        sector_size: SectorSize,
        sectors: &[SectorOnChainInfo],
    ) -> Result<Vec<SectorExpirationSet>, ActorError> {
        let mut declared = BTreeSet::<ChainEpoch>::new();
        let mut by_number = BTreeMap::<u64, &SectorOnChainInfo>::new();
        let mut remaining = BTreeSet::<u64>::new();
        for sector in sectors {
            declared.insert(self.quant.quantize_up(sector.expiration));
            remaining.insert(sector.sector_number);
            by_number.insert(sector.sector_number, sector);
        }

        let mut groups = Vec::with_capacity(declared.len());
        for &epoch in &declared {
            let set = self.may_get(epoch)?;
            let group = group_expiration_set(sector_size, &by_number, &mut remaining, set, epoch);
            if !group.sector_epoch_set.sectors.is_empty() {
                groups.push(group);
            }
        }

        if !remaining.is_empty() {
            self.amt
                .for_each_while(|k, set| {
                    let epoch = k as ChainEpoch;
                    if declared.contains(&epoch) {
                        return Ok(true);
                    }
                    if let Some(n) = set.early_sectors.iter().find(|n| remaining.contains(n)) {
                        return Err(ActorError::illegal_state(format!(
                            "invalid attempt to group sector {n} with an early expiration"
                        ))
                        .into());
                    }
                    let group = group_expiration_set(
                        sector_size,
                        &by_number,
                        &mut remaining,
                        set.clone(),
                        epoch,
                    );
                    if !group.sector_epoch_set.sectors.is_empty() {
                        groups.push(group);
                    }
                    Ok(!remaining.is_empty())
                })
                .map_err(amt_error("failed to walk expiration queue"))?;
        }

        if !remaining.is_empty() {
            return Err(ActorError::illegal_state("some sectors not found in expiration queue"));
        }
        groups.sort_by_key(|g| g.sector_epoch_set.epoch);
        Ok(groups)
    }
}

/// Expands an entry's bitfield, bounded.
fn expand_entry(bf: &BitField, what: &str) -> Result<BTreeSet<u64>, ActorError> {
    bf.bounded_iter(ENTRY_SECTORS_MAX)
        .map(|it| it.collect())
        .ok_or_else(|| ActorError::illegal_state(format!("too many {what} to expand")))
}

/// Groups new sectors by quantized expiration, earliest first, keeping the given order within
/// an epoch.
fn group_new_sectors_by_declared_expiration<'a>(
    sector_size: SectorSize,
    sectors: impl IntoIterator<Item = &'a SectorOnChainInfo>,
    quant: QuantSpec,
) -> Vec<SectorEpochSet> {
    let mut by_expiration = BTreeMap::<ChainEpoch, Vec<&SectorOnChainInfo>>::new();
    for sector in sectors {
        by_expiration.entry(quant.quantize_up(sector.expiration)).or_default().push(sector);
    }
    by_expiration
        .into_iter()
        .map(|(epoch, group)| {
            let mut set = SectorEpochSet {
                epoch,
                sectors: Vec::with_capacity(group.len()),
                power: PowerPair::zero(),
                pledge: TokenAmount::zero(),
                daily_fee: TokenAmount::zero(),
            };
            for sector in group {
                set.sectors.push(sector.sector_number);
                set.power += &power_for_sector(sector_size, sector);
                set.pledge += &sector.initial_pledge;
                set.daily_fee += &sector.daily_fee;
            }
            set
        })
        .collect()
}

/// The sectors of `include` that are on time in `set`, taken out of `include`.
fn group_expiration_set(
    sector_size: SectorSize,
    sectors: &BTreeMap<u64, &SectorOnChainInfo>,
    include: &mut BTreeSet<u64>,
    set: ExpirationSet,
    epoch: ChainEpoch,
) -> SectorExpirationSet {
    let mut found = SectorEpochSet {
        epoch,
        sectors: Vec::new(),
        power: PowerPair::zero(),
        pledge: TokenAmount::zero(),
        daily_fee: TokenAmount::zero(),
    };
    for n in set.on_time_sectors.iter() {
        if !include.remove(&n) {
            continue;
        }
        if let Some(sector) = sectors.get(&n) {
            found.sectors.push(n);
            found.power += &power_for_sector(sector_size, sector);
            found.pledge += &sector.initial_pledge;
            found.daily_fee += &sector.daily_fee;
        }
    }
    SectorExpirationSet { sector_epoch_set: found, expiration_set: set }
}

mod faults;
mod set;

pub use set::ExpirationSet;
#[cfg(test)]
mod tests;
