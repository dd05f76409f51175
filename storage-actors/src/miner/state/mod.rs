//! The miner's root state, field for field as the network stores it (builtin-actors v18
//! `actors/miner/src/state.rs`), and the operations on its collections:
//!
//! - `info`: the [`MinerInfo`] block;
//! - `pre_committed_sectors`: HAMT (bit width 5) sector number → [`SectorPreCommitOnChainInfo`];
//! - `pre_committed_sectors_cleanup`: AMT (bit width 6) epoch → sectors whose pre-commit
//!   expires then (a [`BitFieldQueue`] quantized to deadline ends);
//! - `allocated_sectors`: a bitfield of every sector number ever used (never reused);
//! - `sectors`: AMT (bit width 5) of proven sectors;
//! - `deadlines`: the 48 deadlines' roots.
//!
//! Funds (vesting, deposits, pledge, fee debt) are in `funds.rs`; the proving schedule's
//! bookkeeping (assigning sectors, advancing deadlines, early terminations) in `schedule.rs`.

mod funds;
mod schedule;

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_amt::Amt;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;
use multihash_codetable::Code;
use num_traits::Zero;

pub use schedule::AdvanceDeadlineResult;

use super::deadline::Deadline;
use super::deadline_info::{
    DeadlineInfo, new_deadline_info, new_deadline_info_from_offset_and_epoch,
};
use super::deadlines::Deadlines;
use super::policy::{MAX_SECTOR_NUMBER, WPOST_CHALLENGE_WINDOW};
use super::quantize::QuantSpec;
use super::records::{MinerInfo, SectorOnChainInfo, SectorPreCommitOnChainInfo};
use super::sectors::{SECTORS_AMT_BITWIDTH, Sectors};
use super::vesting::VestingFunds;
use crate::plumbing::{store_error, u64_key};

/// Bit width of the pre-commit HAMT.
pub const PRECOMMIT_HAMT_BITWIDTH: u32 = 5;
/// Bit width of the pre-commit clean-up queue.
pub const PRECOMMIT_EXPIRY_AMT_BITWIDTH: u32 = 6;

/// The pre-commits, by sector number.
pub type PreCommitMap<BS> = Hamt<BS, SectorPreCommitOnChainInfo, BytesKey>;

/// The miner actor's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MinerState {
    /// The [`MinerInfo`] block.
    pub info: Cid,
    /// Deposits locked by pre-commits not yet proven or expired.
    pub pre_commit_deposits: TokenAmount,
    /// Rewards (and other funds) locked in the vesting table.
    pub locked_funds: TokenAmount,
    /// The vesting table.
    pub vesting_funds: VestingFunds,
    /// Fees and penalties the miner could not pay yet.
    pub fee_debt: TokenAmount,
    /// Pledge locked by all active sectors.
    pub initial_pledge: TokenAmount,
    /// Pre-commits waiting for their proof.
    pub pre_committed_sectors: Cid,
    /// When each pre-commit expires unproven.
    pub pre_committed_sectors_cleanup: Cid,
    /// The bitfield of every sector number ever allocated.
    pub allocated_sectors: Cid,
    /// Proven sectors (until their partition is compacted).
    pub sectors: Cid,
    /// First epoch of the current proving period.
    pub proving_period_start: ChainEpoch,
    /// The next deadline cron will close.
    pub current_deadline: u64,
    /// The 48 deadlines.
    pub deadlines: Cid,
    /// Deadlines that hold early terminations not yet processed.
    pub early_terminations: BitField,
    /// Whether the miner's deadline cron is enrolled.
    pub deadline_cron_active: bool,
}

/// Whether allocating sector numbers already used is an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollisionPolicy {
    /// Re-allocation is fine (used when a pre-commit is replaced).
    AllowCollisions,
    /// Re-allocation is `USR_ILLEGAL_ARGUMENT`.
    DenyCollisions,
}

impl MinerState {
    /// A new miner's state: empty collections, the given info block and schedule.
    pub fn new<BS: Blockstore>(
        store: &BS,
        info: Cid,
        period_start: ChainEpoch,
        deadline_index: u64,
    ) -> Result<Self, ActorError> {
        let pre_committed_sectors =
            PreCommitMap::new_with_bit_width(store, PRECOMMIT_HAMT_BITWIDTH)
                .flush()
                .map_err(store_error)?;
        let pre_committed_sectors_cleanup =
            Amt::<BitField, _>::new_with_bit_width(store, PRECOMMIT_EXPIRY_AMT_BITWIDTH)
                .flush()
                .map_err(store_error)?;
        let sectors = Amt::<SectorOnChainInfo, _>::new_with_bit_width(store, SECTORS_AMT_BITWIDTH)
            .flush()
            .map_err(store_error)?;
        let allocated_sectors =
            store.put_cbor(&BitField::new(), Code::Blake2b256).map_err(store_error)?;
        let empty_deadline =
            store.put_cbor(&Deadline::new(store)?, Code::Blake2b256).map_err(store_error)?;
        let deadlines = store
            .put_cbor(&Deadlines::new(empty_deadline), Code::Blake2b256)
            .map_err(store_error)?;
        Ok(Self {
            info,
            pre_commit_deposits: TokenAmount::zero(),
            locked_funds: TokenAmount::zero(),
            vesting_funds: VestingFunds::new(),
            fee_debt: TokenAmount::zero(),
            initial_pledge: TokenAmount::zero(),
            pre_committed_sectors,
            pre_committed_sectors_cleanup,
            allocated_sectors,
            sectors,
            proving_period_start: period_start,
            current_deadline: deadline_index,
            deadlines,
            early_terminations: BitField::new(),
            deadline_cron_active: false,
        })
    }

    /// The miner's info.
    pub fn get_info<BS: Blockstore>(&self, store: &BS) -> Result<MinerInfo, ActorError> {
        store
            .get_cbor(&self.info)
            .map_err(store_error)?
            .ok_or_else(|| ActorError::not_found("miner info is missing"))
    }

    /// Replaces the miner's info.
    pub fn save_info<BS: Blockstore>(
        &mut self,
        store: &BS,
        info: &MinerInfo,
    ) -> Result<(), ActorError> {
        self.info = store.put_cbor(info, Code::Blake2b256).map_err(store_error)?;
        Ok(())
    }

    /// The deadline `now` falls in, by the miner's proving-period offset.
    pub fn deadline_info(&self, now: ChainEpoch) -> DeadlineInfo {
        new_deadline_info_from_offset_and_epoch(self.proving_period_start, now)
    }

    /// The deadline the state records as current (stale while the cron is not enrolled).
    pub fn recorded_deadline_info(&self, now: ChainEpoch) -> DeadlineInfo {
        new_deadline_info(self.proving_period_start, self.current_deadline, now)
    }

    /// Start of the proving period `now` falls in.
    pub fn current_proving_period_start(&self, now: ChainEpoch) -> ChainEpoch {
        self.deadline_info(now).period_start
    }

    /// How a deadline quantizes its expirations (to its last epoch).
    pub fn quant_spec_for_deadline(&self, deadline_index: u64) -> QuantSpec {
        new_deadline_info(self.proving_period_start, deadline_index, 0).quant_spec()
    }

    /// Buckets at every deadline end (the pre-commit clean-up queue's quantization).
    pub fn quant_spec_every_deadline(&self) -> QuantSpec {
        QuantSpec { unit: WPOST_CHALLENGE_WINDOW, offset: self.proving_period_start }
    }

    /// Marks sector numbers allocated; with [`CollisionPolicy::DenyCollisions`] any number
    /// already allocated is `USR_ILLEGAL_ARGUMENT`.
    pub fn allocate_sector_numbers<BS: Blockstore>(
        &mut self,
        store: &BS,
        numbers: &BitField,
        policy: CollisionPolicy,
    ) -> Result<(), ActorError> {
        let prior: BitField = store
            .get_cbor(&self.allocated_sectors)
            .map_err(store_error)?
            .ok_or_else(|| ActorError::illegal_state("allocated sectors bitfield is missing"))?;
        if policy == CollisionPolicy::DenyCollisions {
            let collisions = &prior & numbers;
            if !collisions.is_empty() {
                let listed: Vec<u64> = collisions.iter().take(16).collect();
                return Err(ActorError::illegal_argument(format!(
                    "sector numbers {listed:?} already allocated"
                )));
            }
        }
        self.allocated_sectors =
            store.put_cbor(&(&prior | numbers), Code::Blake2b256).map_err(store_error)?;
        Ok(())
    }

    fn precommits<'s, BS: Blockstore>(
        &self,
        store: &'s BS,
    ) -> Result<PreCommitMap<&'s BS>, ActorError> {
        Hamt::load_with_bit_width(&self.pre_committed_sectors, store, PRECOMMIT_HAMT_BITWIDTH)
            .map_err(store_error)
    }

    /// Stores pre-commits; a number already pre-committed is `USR_ILLEGAL_STATE` (the caller
    /// checked allocation first, so this is a bookkeeping failure).
    pub fn put_precommitted_sectors<BS: Blockstore>(
        &mut self,
        store: &BS,
        precommits: Vec<SectorPreCommitOnChainInfo>,
    ) -> Result<(), ActorError> {
        let mut map = self.precommits(store)?;
        for precommit in precommits {
            let number = precommit.info.sector_number;
            if !map.set_if_absent(u64_key(number), precommit).map_err(store_error)? {
                return Err(ActorError::illegal_state(format!(
                    "sector {number} already pre-committed"
                )));
            }
        }
        self.pre_committed_sectors = map.flush().map_err(store_error)?;
        Ok(())
    }

    /// A pre-commit, if there is one.
    pub fn get_precommitted_sector<BS: Blockstore>(
        &self,
        store: &BS,
        number: SectorNumber,
    ) -> Result<Option<SectorPreCommitOnChainInfo>, ActorError> {
        Ok(self.precommits(store)?.get(&u64_key(number)).map_err(store_error)?.cloned())
    }

    /// The pre-commits of `numbers`, every one required: a missing one is `USR_NOT_FOUND`.
    pub fn get_precommitted_sectors<BS: Blockstore>(
        &self,
        store: &BS,
        numbers: impl IntoIterator<Item = SectorNumber>,
    ) -> Result<Vec<SectorPreCommitOnChainInfo>, ActorError> {
        let map = self.precommits(store)?;
        numbers
            .into_iter()
            .map(|number| {
                if number > MAX_SECTOR_NUMBER {
                    return Err(ActorError::illegal_argument("sector number greater than maximum"));
                }
                map.get(&u64_key(number))
                    .map_err(store_error)?
                    .cloned()
                    .ok_or_else(|| ActorError::not_found(format!("sector {number} not found")))
            })
            .collect()
    }

    /// Deletes pre-commits, each of which must exist.
    pub fn delete_precommitted_sectors<BS: Blockstore>(
        &mut self,
        store: &BS,
        numbers: &[SectorNumber],
    ) -> Result<(), ActorError> {
        let mut map = self.precommits(store)?;
        for &number in numbers {
            if map.delete(&u64_key(number)).map_err(store_error)?.is_none() {
                return Err(ActorError::illegal_state(format!(
                    "sector {number} not pre-committed"
                )));
            }
        }
        self.pre_committed_sectors = map.flush().map_err(store_error)?;
        Ok(())
    }

    /// Stores (or replaces) proven sectors.
    pub fn put_sectors<BS: Blockstore>(
        &mut self,
        store: &BS,
        sectors: Vec<SectorOnChainInfo>,
    ) -> Result<(), ActorError> {
        let mut table = Sectors::load(store, &self.sectors)?;
        table.store(sectors)?;
        self.sectors = table.amt.flush().map_err(store_error)?;
        Ok(())
    }

    /// A proven sector, if it is still in the table.
    pub fn get_sector<BS: Blockstore>(
        &self,
        store: &BS,
        number: SectorNumber,
    ) -> Result<Option<SectorOnChainInfo>, ActorError> {
        Sectors::load(store, &self.sectors)?.get(number)
    }

    /// The infos of `numbers`, every one required.
    pub fn load_sector_infos<BS: Blockstore>(
        &self,
        store: &BS,
        numbers: &BitField,
    ) -> Result<Vec<SectorOnChainInfo>, ActorError> {
        Sectors::load(store, &self.sectors)?.load_sectors(numbers)
    }

    /// The (deadline, partition) a sector is assigned to.
    pub fn find_sector<BS: Blockstore>(
        &self,
        store: &BS,
        number: SectorNumber,
    ) -> Result<(u64, u64), ActorError> {
        self.load_deadlines(store)?.find_sector(store, number)
    }

    /// The deadlines' roots.
    pub fn load_deadlines<BS: Blockstore>(&self, store: &BS) -> Result<Deadlines, ActorError> {
        store.get_cbor(&self.deadlines).map_err(store_error)?.ok_or_else(|| {
            ActorError::illegal_state(format!("deadlines {} missing", self.deadlines))
        })
    }

    /// Replaces the deadlines' roots.
    pub fn save_deadlines<BS: Blockstore>(
        &mut self,
        store: &BS,
        deadlines: Deadlines,
    ) -> Result<(), ActorError> {
        self.deadlines = store.put_cbor(&deadlines, Code::Blake2b256).map_err(store_error)?;
        Ok(())
    }

    /// Whether a sector is in its partition and neither faulty nor terminated (nor, with
    /// `require_proven`, unproven). A sector not in the partition is `USR_NOT_FOUND`.
    pub fn check_sector_active<BS: Blockstore>(
        &self,
        store: &BS,
        deadline_index: u64,
        partition_index: u64,
        number: SectorNumber,
        require_proven: bool,
    ) -> Result<bool, ActorError> {
        let deadline = self.load_deadlines(store)?.load_deadline(store, deadline_index)?;
        let partition = deadline.load_partition(store, partition_index)?;
        if !partition.sectors.get(number) {
            return Err(ActorError::not_found(format!(
                "sector {number} not a member of partition {partition_index}, deadline {deadline_index}"
            )));
        }
        let excluded = partition.faults.get(number)
            || partition.terminated.get(number)
            || (require_proven && partition.unproven.get(number));
        Ok(!excluded)
    }

    /// Whether the miner still needs its deadline cron: it does while it holds any deposit,
    /// pledge or locked funds.
    pub fn continue_deadline_cron(&self) -> bool {
        !self.pre_commit_deposits.is_zero()
            || !self.initial_pledge.is_zero()
            || !self.locked_funds.is_zero()
    }
}
