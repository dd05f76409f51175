//! One expiration queue entry: the sectors leaving a partition at one epoch, with the sums the
//! cron needs when it pops them.

use filecoin_vm::ActorError;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::econ::TokenAmount;
use num_traits::Signed;

use crate::miner::records::PowerPair;

/// The sectors leaving a partition at one (quantized) epoch, with their sums.
#[derive(Clone, Debug, Default, PartialEq, Serialize_tuple, Deserialize_tuple)]
pub struct ExpirationSet {
    /// Sectors reaching their committed expiration.
    pub on_time_sectors: BitField,
    /// Sectors terminated for being faulty too long.
    pub early_sectors: BitField,
    /// Pledge of the on-time sectors.
    pub on_time_pledge: TokenAmount,
    /// Power of the sectors that are not faulty (all on time).
    pub active_power: PowerPair,
    /// Power of the faulty sectors (on time or early).
    pub faulty_power: PowerPair,
    /// Daily fee (FIP-0100) of the sectors, to take off the deadline's fee when they go.
    /// Absent from sets written before FIP-0100 (read as zero); always written now.
    #[serde(default)]
    pub fee_deduction: TokenAmount,
}

impl ExpirationSet {
    /// An empty set.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Adds sectors and sums.
    pub fn add(
        &mut self,
        on_time_sectors: &BitField,
        early_sectors: &BitField,
        on_time_pledge: &TokenAmount,
        active_power: &PowerPair,
        faulty_power: &PowerPair,
        fee_deduction: &TokenAmount,
    ) -> Result<(), ActorError> {
        self.on_time_sectors |= on_time_sectors;
        self.early_sectors |= early_sectors;
        self.on_time_pledge += on_time_pledge;
        self.active_power += active_power;
        self.faulty_power += faulty_power;
        self.fee_deduction += fee_deduction;
        self.validate_state()
    }

    /// Removes sectors and sums; the sectors must be in the set and no sum may go negative.
    pub fn remove(
        &mut self,
        on_time_sectors: &BitField,
        early_sectors: &BitField,
        on_time_pledge: &TokenAmount,
        active_power: &PowerPair,
        faulty_power: &PowerPair,
        fee_deduction: &TokenAmount,
    ) -> Result<(), ActorError> {
        if !self.on_time_sectors.contains_all(on_time_sectors) {
            return Err(ActorError::illegal_state(format!(
                "removing on-time sectors {:?} not contained in {:?}",
                on_time_sectors.iter().collect::<Vec<_>>(),
                self.on_time_sectors.iter().collect::<Vec<_>>()
            )));
        }
        if !self.early_sectors.contains_all(early_sectors) {
            return Err(ActorError::illegal_state(format!(
                "removing early sectors {:?} not contained in {:?}",
                early_sectors.iter().collect::<Vec<_>>(),
                self.early_sectors.iter().collect::<Vec<_>>()
            )));
        }
        self.on_time_sectors -= on_time_sectors;
        self.early_sectors -= early_sectors;
        self.on_time_pledge -= on_time_pledge;
        self.active_power -= active_power;
        self.faulty_power -= faulty_power;
        self.fee_deduction -= fee_deduction;
        if self.on_time_pledge.is_negative() {
            return Err(ActorError::illegal_state("expiration set pledge underflow"));
        }
        if self.active_power.qa.is_negative() || self.faulty_power.qa.is_negative() {
            return Err(ActorError::illegal_state("expiration set power underflow"));
        }
        if self.fee_deduction.is_negative() {
            return Err(ActorError::illegal_state("expiration set fee deduction underflow"));
        }
        self.validate_state()
    }

    /// Whether the set has no sectors (its sums are then expected to be zero).
    pub fn is_empty(&self) -> bool {
        self.on_time_sectors.is_empty() && self.early_sectors.is_empty()
    }

    /// Number of sectors in the set.
    pub fn len(&self) -> u64 {
        self.on_time_sectors.len() + self.early_sectors.len()
    }

    /// Checks that no sum is negative.
    pub fn validate_state(&self) -> Result<(), ActorError> {
        let fail =
            |what: &str| Err(ActorError::illegal_state(format!("ExpirationSet left with {what}")));
        if self.on_time_pledge.is_negative() {
            return fail("negative pledge");
        }
        if self.active_power.raw.is_negative() {
            return fail("negative raw active power");
        }
        if self.active_power.qa.is_negative() {
            return fail("negative qa active power");
        }
        if self.faulty_power.raw.is_negative() {
            return fail("negative raw faulty power");
        }
        if self.faulty_power.qa.is_negative() {
            return fail("negative qa faulty power");
        }
        if self.fee_deduction.is_negative() {
            return fail("negative fee deduction");
        }
        Ok(())
    }
}
