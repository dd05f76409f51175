//! A partition's fault bookkeeping: declared, skipped and missed-PoSt faults, declared and
//! proven recoveries. A faulty sector is rescheduled to expire early (at the fault-max-age
//! epoch) unless it expires on time before then, and its power moves from active to faulty.

use filecoin_vm::ActorError;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::sector::SectorSize;

use super::{Partition, validate_partition_contains_sectors};
use crate::miner::quantize::QuantSpec;
use crate::miner::records::{PowerPair, SectorOnChainInfo};
use crate::miner::sectors::{ErrorContext, Sectors, power_for_sectors, select_sectors};

impl Partition {
    /// Marks `sectors` (not yet faulty) faulty, rescheduling them to `fault_expiration`.
    /// Returns the change in active power (unproven sectors had none to lose) and the new
    /// faulty power.
    pub fn add_faults<BS: Blockstore>(
        &mut self,
        store: &BS,
        sector_numbers: &BitField,
        sectors: &[SectorOnChainInfo],
        fault_expiration: ChainEpoch,
        sector_size: SectorSize,
        quant: QuantSpec,
    ) -> Result<(PowerPair, PowerPair), ActorError> {
        let mut queue = self.load_expirations(store, quant)?;
        let new_faulty_power = queue
            .reschedule_as_faults(fault_expiration, sectors, sector_size)
            .context("failed to add faults to partition queue")?;
        self.save_expirations(&mut queue)?;

        self.faults |= sector_numbers;
        self.faulty_power += &new_faulty_power;

        // A faulty sector is no longer unproven; its power was never counted as active.
        let unproven = sector_numbers & &self.unproven;
        self.unproven -= &unproven;
        let mut power_delta = -new_faulty_power.clone();
        let unproven_infos =
            select_sectors(sectors, &unproven).context("failed to select unproven sectors")?;
        if !unproven_infos.is_empty() {
            let lost = power_for_sectors(sector_size, &unproven_infos);
            self.unproven_power -= &lost;
            power_delta += &lost;
        }
        self.validate_state()?;
        Ok((power_delta, new_faulty_power))
    }

    /// Declares sectors faulty: terminated and already-faulty ones are ignored, and recovering
    /// ones go back to plain faults. Returns the new faults, the change in active power and
    /// the new faulty power.
    pub fn record_faults<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        sector_numbers: &BitField,
        fault_expiration_epoch: ChainEpoch,
        sector_size: SectorSize,
        quant: QuantSpec,
    ) -> Result<(BitField, PowerPair, PowerPair), ActorError> {
        validate_partition_contains_sectors(self, sector_numbers)
            .context("failed fault declaration")?;

        let retracted_recoveries = &self.recoveries & sector_numbers;
        let new_faults =
            &(&(sector_numbers - &retracted_recoveries) - &self.terminated) - &self.faults;

        let new_fault_sectors =
            sectors.load_sectors(&new_faults).context("failed to load fault sectors")?;
        let (power_delta, new_faulty_power) = if new_fault_sectors.is_empty() {
            (PowerPair::zero(), PowerPair::zero())
        } else {
            self.add_faults(
                store,
                &new_faults,
                &new_fault_sectors,
                fault_expiration_epoch,
                sector_size,
                quant,
            )
            .context("failed to add faults")?
        };

        let retracted_sectors = sectors
            .load_sectors(&retracted_recoveries)
            .context("failed to load recovery sectors")?;
        if !retracted_sectors.is_empty() {
            let power = power_for_sectors(sector_size, &retracted_sectors);
            self.remove_recoveries(&retracted_recoveries, &power);
        }
        self.validate_state()?;
        Ok((new_faults, power_delta, new_faulty_power))
    }

    /// Turns all recoveries into healthy sectors (after a Window PoSt proved them), moving them
    /// back to their on-time expirations. Returns the recovered power.
    pub fn recover_faults<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        sector_size: SectorSize,
        quant: QuantSpec,
    ) -> Result<PowerPair, ActorError> {
        let recovered =
            sectors.load_sectors(&self.recoveries).context("failed to load recovered sectors")?;
        let mut queue = self.load_expirations(store, quant)?;
        let power = queue
            .reschedule_recovered(recovered, sector_size)
            .context("failed to reschedule faults in partition queue")?;
        self.save_expirations(&mut queue)?;

        self.faults -= &self.recoveries;
        self.recoveries = BitField::new();
        self.faulty_power -= &power;
        self.recovering_power -= &power;
        self.validate_state()?;
        Ok(power)
    }

    /// Declares faulty sectors recovering (non-faulty and already recovering ones are skipped);
    /// their power returns at the next Window PoSt.
    pub fn declare_faults_recovered<BS: Blockstore>(
        &mut self,
        sectors: &Sectors<'_, BS>,
        sector_size: SectorSize,
        sector_numbers: &BitField,
    ) -> Result<(), ActorError> {
        validate_partition_contains_sectors(self, sector_numbers)
            .context("failed fault declaration")?;
        let recoveries = &(sector_numbers & &self.faults) - &self.recoveries;
        let infos = sectors.load_sectors(&recoveries).context("failed to load recovery sectors")?;
        self.recoveries |= &recoveries;
        self.recovering_power += &power_for_sectors(sector_size, &infos);
        self.validate_state()
    }

    /// Takes sectors (faulty and recovering) out of the recoveries.
    pub fn remove_recoveries(&mut self, sector_numbers: &BitField, power: &PowerPair) {
        if sector_numbers.is_empty() {
            return;
        }
        self.recoveries -= sector_numbers;
        self.recovering_power -= power;
    }

    /// The partition missed its Window PoSt: every live sector becomes faulty (rescheduled to
    /// `fault_expiration`) and recoveries are dropped. Returns the change in active power, the
    /// power to penalize (new faults and failed recoveries) and the new faulty power.
    pub fn record_missed_post<BS: Blockstore>(
        &mut self,
        store: &BS,
        fault_expiration: ChainEpoch,
        quant: QuantSpec,
    ) -> Result<(PowerPair, PowerPair, PowerPair), ActorError> {
        let mut queue = self.load_expirations(store, quant)?;
        queue
            .reschedule_all_as_faults(fault_expiration)
            .context("failed to reschedule all as faults")?;
        self.save_expirations(&mut queue)?;

        let new_faulty_power = &self.live_power - &self.faulty_power;
        let penalized_power = &self.recovering_power + &new_faulty_power;
        // Unproven power was never active, so it is not lost.
        let power_delta = &self.unproven_power - &new_faulty_power;

        self.faults = self.live_sectors();
        self.recoveries = BitField::new();
        self.unproven = BitField::new();
        self.faulty_power = self.live_power.clone();
        self.recovering_power = PowerPair::zero();
        self.unproven_power = PowerPair::zero();
        self.validate_state()?;
        Ok((power_delta, penalized_power, new_faulty_power))
    }

    /// Records the sectors a Window PoSt skipped: they become faults (unless already faulty or
    /// terminated), and skipped recoveries are retracted. Returns the change in active power,
    /// the new faulty power, the retracted recovery power, and whether there were new faults.
    pub fn record_skipped_faults<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: &Sectors<'_, BS>,
        sector_size: SectorSize,
        quant: QuantSpec,
        fault_expiration: ChainEpoch,
        skipped: &BitField,
    ) -> Result<(PowerPair, PowerPair, PowerPair, bool), ActorError> {
        if skipped.is_empty() {
            return Ok((PowerPair::zero(), PowerPair::zero(), PowerPair::zero(), false));
        }
        if !self.sectors.contains_all(skipped) {
            return Err(ActorError::illegal_argument(
                "skipped faults contains sectors outside partition",
            ));
        }
        let retracted = &self.recoveries & skipped;
        let retracted_sectors =
            sectors.load_sectors(&retracted).context("failed to load sectors")?;
        let retracted_power = power_for_sectors(sector_size, &retracted_sectors);

        let new_faults = &(skipped - &self.terminated) - &self.faults;
        let new_fault_sectors =
            sectors.load_sectors(&new_faults).context("failed to load sectors")?;
        let (power_delta, new_fault_power) = self
            .add_faults(
                store,
                &new_faults,
                &new_fault_sectors,
                fault_expiration,
                sector_size,
                quant,
            )
            .context("failed to add skipped faults")?;
        self.remove_recoveries(&retracted, &retracted_power);
        self.validate_state()?;
        Ok((power_delta, new_fault_power, retracted_power, !new_fault_sectors.is_empty()))
    }
}
