//! Expiration queue operations for faults, recoveries and removals: moving sectors between
//! on-time and early entries and their power between active and faulty.

use std::collections::{BTreeMap, BTreeSet};

use filecoin_vm::ActorError;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::{SectorNumber, SectorSize};
use num_traits::Zero;

use super::{ExpirationQueue, ExpirationSet, SectorExpirationSet, expand_entry};
use crate::miner::policy::ADDRESSED_SECTORS_MAX;
use crate::miner::records::{PowerPair, SectorOnChainInfo};
use crate::miner::sectors::{ErrorContext, amt_error, bitfield_of, power_for_sector};

impl<BS: Blockstore> ExpirationQueue<'_, BS> {
    /// Marks active sectors faulty: those expiring on time by the (quantized) fault expiration
    /// stay where they are with their power now faulty; the others move to the fault expiration
    /// as early sectors, leaving their pledge behind. Returns the power now faulty.
    pub fn reschedule_as_faults(
        &mut self,
        new_expiration: ChainEpoch,
        sectors: &[SectorOnChainInfo],
        sector_size: SectorSize,
    ) -> Result<PowerPair, ActorError> {
        let mut moved_sectors = Vec::new();
        let mut expiring_power = PowerPair::zero();
        let mut moved_power = PowerPair::zero();
        let mut moved_fee = TokenAmount::zero();

        let groups = self.find_sectors_by_expiration(sector_size, sectors)?;
        let quantized_expiration = self.quant.quantize_up(new_expiration);
        for group in groups {
            let SectorExpirationSet { sector_epoch_set: found, expiration_set: mut set } = group;
            if found.epoch <= quantized_expiration {
                set.active_power -= &found.power;
                set.faulty_power += &found.power;
                expiring_power += &found.power;
            } else {
                let numbers = bitfield_of(found.sectors.iter().copied())?;
                set.on_time_sectors -= &numbers;
                set.on_time_pledge -= &found.pledge;
                set.active_power -= &found.power;
                set.fee_deduction -= &found.daily_fee;
                moved_sectors.extend_from_slice(&found.sectors);
                moved_power += &found.power;
                moved_fee += &found.daily_fee;
            }
            set.validate_state()?;
            self.must_update_or_delete(found.epoch, set)?;
        }

        if !moved_sectors.is_empty() {
            let early = bitfield_of(moved_sectors)?;
            self.add(
                new_expiration,
                &BitField::new(),
                &early,
                &PowerPair::zero(),
                &moved_power,
                &TokenAmount::zero(),
                &moved_fee,
            )?;
        }
        Ok(&moved_power + &expiring_power)
    }

    /// Marks every sector faulty (a missed Window PoSt): entries up to the fault expiration keep
    /// their sectors with all power faulty; later entries collapse into the fault expiration as
    /// early sectors.
    pub fn reschedule_all_as_faults(
        &mut self,
        fault_expiration: ChainEpoch,
    ) -> Result<(), ActorError> {
        let mut moved_epochs = Vec::new();
        let mut moved_sectors = BitField::new();
        let mut moved_power = PowerPair::zero();
        let mut moved_fee = TokenAmount::zero();
        let mut kept = Vec::<(ChainEpoch, ExpirationSet)>::new();

        let quantized_expiration = self.quant.quantize_up(fault_expiration);
        self.amt
            .for_each(|k, set| {
                let epoch = k as ChainEpoch;
                if epoch <= quantized_expiration {
                    let mut set = set.clone();
                    set.faulty_power += &set.active_power;
                    set.active_power = PowerPair::zero();
                    kept.push((epoch, set));
                } else {
                    moved_epochs.push(k);
                    if !set.early_sectors.is_empty() {
                        return Err(ActorError::illegal_state(
                            "attempted to re-schedule early expirations to an earlier epoch",
                        )
                        .into());
                    }
                    moved_sectors |= &set.on_time_sectors;
                    moved_power += &set.active_power;
                    moved_power += &set.faulty_power;
                    moved_fee += &set.fee_deduction;
                }
                Ok(())
            })
            .map_err(amt_error("failed to walk expiration queue"))?;

        for (epoch, set) in kept {
            set.validate_state()?;
            self.must_update(epoch, set)?;
        }
        if moved_epochs.is_empty() {
            return Ok(());
        }
        self.add(
            fault_expiration,
            &BitField::new(),
            &moved_sectors,
            &PowerPair::zero(),
            &moved_power,
            &TokenAmount::zero(),
            &moved_fee,
        )?;
        self.amt
            .batch_delete(moved_epochs, true)
            .map_err(amt_error("failed to trim rescheduled epochs"))?;
        Ok(())
    }

    /// Recovers faulty sectors: on-time ones get their power back as active where they are;
    /// early ones go back to their on-time expiration with their pledge. Returns the power
    /// recovered; every sector must be found.
    pub fn reschedule_recovered(
        &mut self,
        sectors: Vec<SectorOnChainInfo>,
        sector_size: SectorSize,
    ) -> Result<PowerPair, ActorError> {
        let mut remaining: BTreeMap<SectorNumber, &SectorOnChainInfo> =
            sectors.iter().map(|s| (s.sector_number, s)).collect();
        let mut rescheduled = Vec::<&SectorOnChainInfo>::new();
        let mut recovered_power = PowerPair::zero();

        self.iter_while_mut(|_, set| {
            let mut faulty_delta = PowerPair::zero();
            let mut active_delta = PowerPair::zero();
            let mut fee_delta = TokenAmount::zero();
            for n in set.on_time_sectors.iter() {
                if let Some(sector) = remaining.remove(&n) {
                    let power = power_for_sector(sector_size, sector);
                    faulty_delta -= &power;
                    active_delta += &power;
                    recovered_power += &power;
                }
            }
            let mut early_unset = Vec::new();
            for n in set.early_sectors.iter() {
                if let Some(sector) = remaining.remove(&n) {
                    early_unset.push(n);
                    let power = power_for_sector(sector_size, sector);
                    faulty_delta -= &power;
                    fee_delta -= &sector.daily_fee;
                    rescheduled.push(sector);
                    recovered_power += &power;
                }
            }
            if !early_unset.is_empty() || !faulty_delta.is_zero() || !active_delta.is_zero() {
                let set = &mut **set;
                set.active_power += &active_delta;
                set.faulty_power += &faulty_delta;
                set.fee_deduction += &fee_delta;
                set.early_sectors -= &bitfield_of(early_unset)?;
            }
            set.validate_state()?;
            Ok(!remaining.is_empty())
        })?;

        if !remaining.is_empty() {
            return Err(ActorError::illegal_state(format!(
                "sectors not found in expiration queue: {:?}",
                remaining.keys().collect::<Vec<_>>()
            )));
        }
        self.add_active_sectors(rescheduled, sector_size)?;
        Ok(recovered_power)
    }

    /// Removes sectors, active or faulty, on time or early. Returns what was removed and the
    /// power of the removed sectors that were recovering; every sector must be found.
    pub fn remove_sectors(
        &mut self,
        sectors: &[SectorOnChainInfo],
        faults: &BitField,
        recovering: &BitField,
        sector_size: SectorSize,
    ) -> Result<(ExpirationSet, PowerPair), ActorError> {
        let expand = |bf: &BitField, what: &str| -> Result<BTreeSet<u64>, ActorError> {
            bf.bounded_iter(ADDRESSED_SECTORS_MAX)
                .map(|it| it.collect())
                .ok_or_else(|| ActorError::illegal_state(format!("too many {what} to expand")))
        };
        let faults_set = expand(faults, "faults")?;
        let recovering_set = expand(recovering, "recoveries")?;

        let mut remaining: BTreeSet<SectorNumber> = BTreeSet::new();
        let mut non_faulty = Vec::new();
        let mut faulty = Vec::<&SectorOnChainInfo>::new();
        for sector in sectors {
            if faults_set.contains(&sector.sector_number) {
                faulty.push(sector);
                remaining.insert(sector.sector_number);
            } else {
                non_faulty.push(sector.clone());
            }
        }

        // Active sectors are always on time at their declared (or rescheduled) expiration.
        let mut removed = ExpirationSet::empty();
        let mut recovering_power = PowerPair::zero();
        let (numbers, power, pledge, fee) = self
            .remove_active_sectors(&non_faulty, sector_size)
            .context("failed to remove on-time recoveries")?;
        removed.on_time_sectors = numbers;
        removed.active_power = power;
        removed.on_time_pledge = pledge;
        removed.fee_deduction = fee;

        // Faulty sectors sit within the first fault-max-age worth of entries.
        self.iter_while_mut(|_, set| {
            let on_time = expand_entry(&set.on_time_sectors, "on-time sectors")?;
            let early = expand_entry(&set.early_sectors, "early sectors")?;
            for sector in &faulty {
                let n = sector.sector_number;
                let found = if on_time.contains(&n) {
                    let set = &mut **set;
                    set.on_time_sectors.unset(n);
                    removed.on_time_sectors.set(n);
                    set.on_time_pledge -= &sector.initial_pledge;
                    removed.on_time_pledge += &sector.initial_pledge;
                    true
                } else if early.contains(&n) {
                    set.early_sectors.unset(n);
                    removed.early_sectors.set(n);
                    true
                } else {
                    false
                };
                if found {
                    let power = power_for_sector(sector_size, sector);
                    if faults_set.contains(&n) {
                        set.faulty_power -= &power;
                        removed.faulty_power += &power;
                    } else {
                        set.active_power -= &power;
                        removed.active_power += &power;
                    }
                    if recovering_set.contains(&n) {
                        recovering_power += &power;
                    }
                    remaining.remove(&n);
                    removed.fee_deduction += &sector.daily_fee;
                    set.fee_deduction -= &sector.daily_fee;
                }
            }
            set.validate_state()?;
            Ok(!remaining.is_empty())
        })?;

        if !remaining.is_empty() {
            return Err(ActorError::illegal_state(format!(
                "sectors not found in expiration queue: {:?}",
                remaining
            )));
        }
        Ok((removed, recovering_power))
    }
}
