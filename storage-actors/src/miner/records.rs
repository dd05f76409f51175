//! The records the miner keeps in its state, field for field as the network stores them
//! (builtin-actors v18 `actors/miner/src/{state.rs,types.rs,beneficiary.rs,vesting_state.rs,
//! partition_state.rs}`), so that tools reading a miner's state read ours. Behaviour lives in
//! the modules that use them; here are only the shapes and the arithmetic that belongs to them.

use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{BytesDe, strict_bytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::bigint_ser;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::{
    RegisteredPoStProof, RegisteredSealProof, SectorNumber, SectorSize, StoragePower,
};
use num_traits::{Signed, Zero};

/// A deal ID (the market's).
pub type DealID = u64;
/// Weight of deals in a sector: bytes × epochs.
pub type DealWeight = fvm_shared::bigint::BigInt;

/// The miner's mostly-static facts, stored in a block of their own (`State::info`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MinerInfo {
    /// Owns the miner: may change the worker, the owner and the beneficiary.
    pub owner: Address,
    /// Signs the miner's day-to-day messages and blocks; always a BLS account (ID address).
    pub worker: Address,
    /// Other ID addresses allowed to send the miner's day-to-day messages.
    pub control_addresses: Vec<Address>,
    /// A worker change waiting for its epoch.
    pub pending_worker_key: Option<WorkerKeyChange>,
    /// libp2p peer ID.
    #[serde(with = "strict_bytes")]
    pub peer_id: Vec<u8>,
    /// libp2p multiaddresses.
    pub multi_address: Vec<BytesDe>,
    /// The Window PoSt proof type, fixing the sector size.
    pub window_post_proof_type: RegisteredPoStProof,
    /// Bytes per sector.
    pub sector_size: SectorSize,
    /// Sectors per Window PoSt partition.
    pub window_post_partition_sectors: u64,
    /// First epoch after a reported consensus fault stops barring the miner (−1: none).
    pub consensus_fault_elapsed: ChainEpoch,
    /// A proposed owner that has not confirmed yet.
    pub pending_owner_address: Option<Address>,
    /// Receives every withdrawal.
    pub beneficiary: Address,
    /// What the beneficiary may still withdraw, and until when.
    pub beneficiary_term: BeneficiaryTerm,
    /// A proposed beneficiary change and who has approved it.
    pub pending_beneficiary_term: Option<PendingBeneficiaryChange>,
}

/// A queued worker change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct WorkerKeyChange {
    /// The new worker (ID address).
    pub new_worker: Address,
    /// When it takes effect.
    pub effective_at: ChainEpoch,
}

/// A beneficiary's allowance. The owner as beneficiary has an unlimited one (all zero).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BeneficiaryTerm {
    /// Total the beneficiary may withdraw.
    pub quota: TokenAmount,
    /// What it has withdrawn so far.
    pub used_quota: TokenAmount,
    /// After this epoch it may withdraw nothing.
    pub expiration: ChainEpoch,
}

impl BeneficiaryTerm {
    /// What the beneficiary may still withdraw at `now`.
    pub fn available(&self, now: ChainEpoch) -> TokenAmount {
        if self.expiration > now {
            (&self.quota - &self.used_quota).max(TokenAmount::zero())
        } else {
            TokenAmount::zero()
        }
    }
}

/// A proposed beneficiary change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PendingBeneficiaryChange {
    /// The nominee.
    pub new_beneficiary: Address,
    /// Its quota.
    pub new_quota: TokenAmount,
    /// Its term's end.
    pub new_expiration: ChainEpoch,
    /// Whether the current beneficiary approved.
    pub approved_by_beneficiary: bool,
    /// Whether the nominee approved.
    pub approved_by_nominee: bool,
}

/// What a pre-commit declares about a sector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorPreCommitInfo {
    /// The seal proof type.
    pub seal_proof: RegisteredSealProof,
    /// The sector's number (allocated once, never reused).
    pub sector_number: SectorNumber,
    /// CommR.
    pub sealed_cid: Cid,
    /// Epoch of the ticket randomness the sector was sealed with.
    pub seal_rand_epoch: ChainEpoch,
    /// Deals (legacy; must be empty for `ProveCommitSectors3`).
    pub deal_ids: Vec<DealID>,
    /// Epoch the sector expires.
    pub expiration: ChainEpoch,
    /// CommD, or `None` for a sector of zeros (committed capacity).
    pub unsealed_cid: Option<Cid>,
}

/// A pre-commit as the miner stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorPreCommitOnChainInfo {
    /// What was declared.
    pub info: SectorPreCommitInfo,
    /// The deposit it locked.
    pub pre_commit_deposit: TokenAmount,
    /// When it landed.
    pub pre_commit_epoch: ChainEpoch,
}

/// `SectorOnChainInfo.flags`: power computed by the simple QA rule of FIP-0045.
pub const SIMPLE_QA_POWER: u32 = 0x1;

/// A proven sector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorOnChainInfo {
    /// The sector's number.
    pub sector_number: SectorNumber,
    /// The seal proof type (fixes the PoSt type).
    pub seal_proof: RegisteredSealProof,
    /// CommR.
    pub sealed_cid: Cid,
    /// Always empty for sectors activated by current methods.
    pub deprecated_deal_ids: Vec<DealID>,
    /// When the proof was accepted.
    pub activation: ChainEpoch,
    /// When the sector expires.
    pub expiration: ChainEpoch,
    /// Unverified deal bytes × remaining epochs at activation.
    #[serde(with = "bigint_ser")]
    pub deal_weight: DealWeight,
    /// Verified bytes × remaining epochs at activation.
    #[serde(with = "bigint_ser")]
    pub verified_deal_weight: DealWeight,
    /// Pledge locked for the sector.
    pub initial_pledge: TokenAmount,
    /// Unused by new sectors (written as zero).
    pub expected_day_reward: Option<TokenAmount>,
    /// Unused by new sectors (written as zero).
    pub expected_storage_pledge: Option<TokenAmount>,
    /// When the sector's power was last set.
    pub power_base_epoch: ChainEpoch,
    /// Unused by new sectors (written as zero).
    pub replaced_day_reward: Option<TokenAmount>,
    /// The original CommR, once a replica update replaced it.
    pub sector_key_cid: Option<Cid>,
    /// [`SIMPLE_QA_POWER`] for every sector activated today.
    pub flags: u32,
    /// Fee per day the sector owes (FIP-0100).
    #[serde(default)]
    pub daily_fee: TokenAmount,
}

impl SectorOnChainInfo {
    /// A sector activated `now` as the current methods activate one (no deals by ID, simple QA
    /// power, power counted from today); weights, pledge and fee are the caller's to set.
    pub fn activated(
        sector_number: SectorNumber,
        seal_proof: RegisteredSealProof,
        sealed_cid: Cid,
        now: ChainEpoch,
        expiration: ChainEpoch,
    ) -> Self {
        Self {
            sector_number,
            seal_proof,
            sealed_cid,
            deprecated_deal_ids: Vec::new(),
            activation: now,
            expiration,
            deal_weight: DealWeight::zero(),
            verified_deal_weight: DealWeight::zero(),
            initial_pledge: TokenAmount::zero(),
            expected_day_reward: None,
            expected_storage_pledge: None,
            power_base_epoch: now,
            replaced_day_reward: None,
            sector_key_cid: None,
            flags: SIMPLE_QA_POWER,
            daily_fee: TokenAmount::zero(),
        }
    }
}

/// Raw and quality-adjusted power together.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PowerPair {
    /// Raw bytes.
    #[serde(with = "bigint_ser")]
    pub raw: StoragePower,
    /// Quality-adjusted bytes.
    #[serde(with = "bigint_ser")]
    pub qa: StoragePower,
}

impl PowerPair {
    /// A pair from its parts.
    pub fn new(raw: StoragePower, qa: StoragePower) -> Self {
        Self { raw, qa }
    }

    /// Zero power.
    pub fn zero() -> Self {
        Self::default()
    }

    /// Whether both parts are zero.
    pub fn is_zero(&self) -> bool {
        self.raw.is_zero() && self.qa.is_zero()
    }

    /// Whether either part is negative (a bookkeeping error).
    pub fn is_negative(&self) -> bool {
        self.raw.is_negative() || self.qa.is_negative()
    }
}

impl Add for &PowerPair {
    type Output = PowerPair;
    fn add(self, other: &PowerPair) -> PowerPair {
        PowerPair { raw: &self.raw + &other.raw, qa: &self.qa + &other.qa }
    }
}

impl Sub for &PowerPair {
    type Output = PowerPair;
    fn sub(self, other: &PowerPair) -> PowerPair {
        PowerPair { raw: &self.raw - &other.raw, qa: &self.qa - &other.qa }
    }
}

impl Add for PowerPair {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        &self + &other
    }
}

impl Sub for PowerPair {
    type Output = Self;
    fn sub(self, other: Self) -> Self {
        &self - &other
    }
}

impl AddAssign<&Self> for PowerPair {
    fn add_assign(&mut self, other: &Self) {
        self.raw += &other.raw;
        self.qa += &other.qa;
    }
}

impl SubAssign<&Self> for PowerPair {
    fn sub_assign(&mut self, other: &Self) {
        self.raw -= &other.raw;
        self.qa -= &other.qa;
    }
}

impl Neg for PowerPair {
    type Output = Self;
    fn neg(self) -> Self {
        Self { raw: -self.raw, qa: -self.qa }
    }
}

/// Funds that vest (unlock) at an epoch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct VestingFund {
    /// When they vest.
    pub epoch: ChainEpoch,
    /// How much.
    pub amount: TokenAmount,
}
