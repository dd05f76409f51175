//! The market's state and its collections, laid out as the network stores them
//! (builtin-actors v18 `actors/market/src/state.rs`), so tools that read market state read ours:
//!
//! - `proposals`: AMT (bit width 5) DealID → [`DealProposal`];
//! - `states`: AMT (bit width 6) DealID → [`DealState`], for activated deals only;
//! - `pending_proposals`: HAMT set (bit width 5) of proposal CIDs, values `null`, which refuses
//!   a proposal published twice;
//! - `escrow_table` / `locked_table`: HAMT (bit width 6) address bytes → TokenAmount;
//! - `deal_ops_by_epoch`: HAMT (5) zigzag epoch → root of a HAMT set (5) of varint DealIDs;
//! - `pending_deal_allocation_ids`: HAMT (5) DealID → verified AllocationID;
//! - `provider_sectors`: HAMT (5) provider ActorID → root of a HAMT (5) SectorNumber → [DealID].
//!
//! The last two are handled in `sectors.rs`.

use std::collections::BTreeMap;

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_amt::Amt;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;

use super::types::{AllocationID, DealID, DealProposal, DealState, EX_DEAL_EXPIRED};
use crate::plumbing::{i64_key, store_error, u64_key};

/// Bit width of the proposals AMT.
pub const PROPOSALS_AMT_BIT_WIDTH: u32 = 5;
/// Bit width of the deal states AMT.
pub const STATES_AMT_BIT_WIDTH: u32 = 6;
/// Bit width of the balance tables.
pub const BALANCE_TABLE_BIT_WIDTH: u32 = 6;
/// Bit width of every other HAMT of the market.
pub const HAMT_BIT_WIDTH: u32 = 5;
/// Cron probes up to this many epochs one by one; a longer gap walks the schedule instead.
const PROBE_LIMIT: ChainEpoch = 4096;

/// The market actor's state, field for field as the network stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MarketState {
    /// Deals published and not yet removed.
    pub proposals: Cid,
    /// Activated deals' states.
    pub states: Cid,
    /// CIDs of proposals not yet activated or processed.
    pub pending_proposals: Cid,
    /// Escrow per party (locked funds included).
    pub escrow_table: Cid,
    /// Locked part of each party's escrow.
    pub locked_table: Cid,
    /// Next deal ID.
    pub next_id: DealID,
    /// Deals cron looks at, by epoch.
    pub deal_ops_by_epoch: Cid,
    /// Last epoch cron processed (−1 before the first tick).
    pub last_cron: ChainEpoch,
    /// Sum of locked client collateral.
    pub total_client_locked_collateral: TokenAmount,
    /// Sum of locked provider collateral.
    pub total_provider_locked_collateral: TokenAmount,
    /// Sum of locked, not yet paid storage fees.
    pub total_client_storage_fee: TokenAmount,
    /// Verified allocations of deals not yet activated.
    pub pending_deal_allocation_ids: Cid,
    /// Activated deals by provider and sector.
    pub provider_sectors: Cid,
}

pub(super) type Proposals<'a, BS> = Amt<DealProposal, &'a BS>;
pub(super) type States<'a, BS> = Amt<DealState, &'a BS>;
pub(super) type Set<'a, BS> = Hamt<&'a BS, (), BytesKey>;
pub(super) type CidMap<'a, BS> = Hamt<&'a BS, Cid, BytesKey>;
pub(super) type AllocationIds<'a, BS> = Hamt<&'a BS, AllocationID, BytesKey>;
pub(super) type SectorDealsMap<'a, BS> = Hamt<&'a BS, Vec<DealID>, BytesKey>;

/// Deals to drop from `provider_sectors`: provider → sector → deals.
pub type ProviderSectorDeals = BTreeMap<ActorID, BTreeMap<SectorNumber, Vec<DealID>>>;

fn empty_hamt<BS: Blockstore, V: serde::Serialize + serde::de::DeserializeOwned>(
    store: &BS,
    bit_width: u32,
) -> Result<Cid, ActorError> {
    Hamt::<&BS, V, BytesKey>::new_with_bit_width(store, bit_width).flush().map_err(store_error)
}

fn cid_key(cid: &Cid) -> BytesKey {
    BytesKey(cid.to_bytes())
}

impl MarketState {
    /// The constructor's state: every collection empty, no deals, cron never run.
    pub fn new<BS: Blockstore>(store: &BS) -> Result<Self, ActorError> {
        let proposals = Proposals::new_with_bit_width(store, PROPOSALS_AMT_BIT_WIDTH)
            .flush()
            .map_err(store_error)?;
        let states =
            States::new_with_bit_width(store, STATES_AMT_BIT_WIDTH).flush().map_err(store_error)?;
        let empty_set = empty_hamt::<BS, ()>(store, HAMT_BIT_WIDTH)?;
        let balances = empty_hamt::<BS, TokenAmount>(store, BALANCE_TABLE_BIT_WIDTH)?;
        Ok(Self {
            proposals,
            states,
            pending_proposals: empty_set,
            escrow_table: balances,
            locked_table: balances,
            next_id: 0,
            deal_ops_by_epoch: empty_set,
            last_cron: -1,
            total_client_locked_collateral: TokenAmount::default(),
            total_provider_locked_collateral: TokenAmount::default(),
            total_client_storage_fee: TokenAmount::default(),
            pending_deal_allocation_ids: empty_set,
            provider_sectors: empty_set,
        })
    }

    /// Everything the market holds locked (it counts against the circulating supply).
    pub fn total_locked(&self) -> TokenAmount {
        &self.total_client_locked_collateral
            + &self.total_provider_locked_collateral
            + &self.total_client_storage_fee
    }

    // ---- proposals and deal states ----

    pub(super) fn load_proposals<'a, BS: Blockstore>(
        &self,
        store: &'a BS,
    ) -> Result<Proposals<'a, BS>, ActorError> {
        Amt::load(&self.proposals, store).map_err(store_error)
    }

    pub(super) fn load_states<'a, BS: Blockstore>(
        &self,
        store: &'a BS,
    ) -> Result<States<'a, BS>, ActorError> {
        Amt::load(&self.states, store).map_err(store_error)
    }

    /// The proposal of deal `id`, if it is stored.
    pub fn find_proposal<BS: Blockstore>(
        &self,
        store: &BS,
        id: DealID,
    ) -> Result<Option<DealProposal>, ActorError> {
        Ok(self.load_proposals(store)?.get(id).map_err(store_error)?.cloned())
    }

    /// The proposal of deal `id`: `USR_NOT_FOUND` if it was never published, [`EX_DEAL_EXPIRED`]
    /// if it was and is gone.
    pub fn get_proposal<BS: Blockstore>(
        &self,
        store: &BS,
        id: DealID,
    ) -> Result<DealProposal, ActorError> {
        self.find_proposal(store, id)?.ok_or_else(|| self.missing_deal(id))
    }

    /// The error for a deal that is not stored.
    pub fn missing_deal(&self, id: DealID) -> ActorError {
        if id < self.next_id {
            ActorError::new(EX_DEAL_EXPIRED, format!("deal {id} expired"))
        } else {
            ActorError::not_found(format!("no such deal {id}"))
        }
    }

    pub(super) fn put_proposals<BS: Blockstore>(
        &mut self,
        store: &BS,
        proposals: &[(DealID, DealProposal)],
    ) -> Result<(), ActorError> {
        let mut amt = self.load_proposals(store)?;
        for (id, p) in proposals {
            amt.set(*id, p.clone()).map_err(store_error)?;
        }
        self.proposals = amt.flush().map_err(store_error)?;
        Ok(())
    }

    pub(super) fn remove_proposal<BS: Blockstore>(
        &mut self,
        store: &BS,
        id: DealID,
    ) -> Result<Option<DealProposal>, ActorError> {
        let mut amt = self.load_proposals(store)?;
        let removed = amt.delete(id).map_err(store_error)?;
        self.proposals = amt.flush().map_err(store_error)?;
        Ok(removed)
    }

    /// The state of deal `id`, if it was activated and not removed.
    pub fn find_deal_state<BS: Blockstore>(
        &self,
        store: &BS,
        id: DealID,
    ) -> Result<Option<DealState>, ActorError> {
        Ok(self.load_states(store)?.get(id).map_err(store_error)?.copied())
    }

    pub(super) fn put_deal_states<BS: Blockstore>(
        &mut self,
        store: &BS,
        states: &[(DealID, DealState)],
    ) -> Result<(), ActorError> {
        if states.is_empty() {
            return Ok(());
        }
        let mut amt = self.load_states(store)?;
        for (id, s) in states {
            amt.set(*id, *s).map_err(store_error)?;
        }
        self.states = amt.flush().map_err(store_error)?;
        Ok(())
    }

    /// Removes both the proposal and the state of a finished deal (both must exist).
    pub(super) fn remove_completed_deal<BS: Blockstore>(
        &mut self,
        store: &BS,
        id: DealID,
    ) -> Result<(), ActorError> {
        let mut amt = self.load_states(store)?;
        if amt.delete(id).map_err(store_error)?.is_none() {
            return Err(ActorError::illegal_state(format!("no state to delete for deal {id}")));
        }
        self.states = amt.flush().map_err(store_error)?;
        if self.remove_proposal(store, id)?.is_none() {
            return Err(ActorError::illegal_state(format!("no proposal to delete for deal {id}")));
        }
        Ok(())
    }

    // ---- pending proposals ----

    pub(super) fn load_pending<'a, BS: Blockstore>(
        &self,
        store: &'a BS,
    ) -> Result<Set<'a, BS>, ActorError> {
        Hamt::load_with_bit_width(&self.pending_proposals, store, HAMT_BIT_WIDTH)
            .map_err(store_error)
    }

    /// Whether a proposal with this CID is pending.
    pub fn has_pending_proposal<BS: Blockstore>(
        &self,
        store: &BS,
        cid: &Cid,
    ) -> Result<bool, ActorError> {
        self.load_pending(store)?.contains_key(&cid_key(cid)).map_err(store_error)
    }

    pub(super) fn put_pending_proposals<BS: Blockstore>(
        &mut self,
        store: &BS,
        cids: &[Cid],
    ) -> Result<(), ActorError> {
        let mut set = self.load_pending(store)?;
        for cid in cids {
            set.set(cid_key(cid), ()).map_err(store_error)?;
        }
        self.pending_proposals = set.flush().map_err(store_error)?;
        Ok(())
    }

    /// Removes a pending proposal; whether it was there.
    pub(super) fn remove_pending_proposal<BS: Blockstore>(
        &mut self,
        store: &BS,
        cid: &Cid,
    ) -> Result<bool, ActorError> {
        let mut set = self.load_pending(store)?;
        let removed = set.delete(&cid_key(cid)).map_err(store_error)?.is_some();
        if removed {
            self.pending_proposals = set.flush().map_err(store_error)?;
        }
        Ok(removed)
    }

    // ---- deal ops by epoch ----

    fn load_deal_ops<'a, BS: Blockstore>(
        &self,
        store: &'a BS,
    ) -> Result<CidMap<'a, BS>, ActorError> {
        Hamt::load_with_bit_width(&self.deal_ops_by_epoch, store, HAMT_BIT_WIDTH)
            .map_err(store_error)
    }

    /// Schedules each deal for cron at its epoch.
    pub(super) fn put_deal_ops<BS: Blockstore>(
        &mut self,
        store: &BS,
        ops: &[(ChainEpoch, DealID)],
    ) -> Result<(), ActorError> {
        if ops.is_empty() {
            return Ok(());
        }
        let mut by_epoch: BTreeMap<ChainEpoch, Vec<DealID>> = BTreeMap::new();
        for &(epoch, id) in ops {
            by_epoch.entry(epoch).or_default().push(id);
        }
        let mut outer = self.load_deal_ops(store)?;
        for (epoch, ids) in by_epoch {
            let key = i64_key(epoch);
            let mut inner: Set<'_, BS> = match outer.get(&key).map_err(store_error)? {
                Some(root) => Hamt::load_with_bit_width(root, store, HAMT_BIT_WIDTH),
                None => Ok(Hamt::new_with_bit_width(store, HAMT_BIT_WIDTH)),
            }
            .map_err(store_error)?;
            for id in ids {
                inner.set(u64_key(id), ()).map_err(store_error)?;
            }
            let root = inner.flush().map_err(store_error)?;
            outer.set(key, root).map_err(store_error)?;
        }
        self.deal_ops_by_epoch = outer.flush().map_err(store_error)?;
        Ok(())
    }

    /// The deals scheduled at `epoch`, ascending.
    pub fn deals_at_epoch<BS: Blockstore>(
        &self,
        store: &BS,
        epoch: ChainEpoch,
    ) -> Result<Vec<DealID>, ActorError> {
        let outer = self.load_deal_ops(store)?;
        let Some(root) = outer.get(&i64_key(epoch)).map_err(store_error)? else {
            return Ok(Vec::new());
        };
        let inner: Set<'_, BS> =
            Hamt::load_with_bit_width(root, store, HAMT_BIT_WIDTH).map_err(store_error)?;
        let mut ids = Vec::new();
        inner
            .for_each(|k, _| {
                if let Some(id) = crate::plumbing::parse_u64_key(&k.0) {
                    ids.push(id);
                }
                Ok(())
            })
            .map_err(store_error)?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// The epochs in `from..=to` that have deals scheduled, ascending.
    pub fn scheduled_epochs<BS: Blockstore>(
        &self,
        store: &BS,
        from: ChainEpoch,
        to: ChainEpoch,
    ) -> Result<Vec<ChainEpoch>, ActorError> {
        let ops = self.load_deal_ops(store)?;
        let mut epochs = Vec::new();
        // Cron runs every epoch, so the range is usually one epoch: probe it, as upstream
        // does. Only a long gap (a chain restarted far ahead) walks the whole table instead.
        if to.saturating_sub(from) < PROBE_LIMIT {
            for epoch in from..=to {
                if ops.contains_key(&i64_key(epoch)).map_err(store_error)? {
                    epochs.push(epoch);
                }
            }
            return Ok(epochs);
        }
        ops.for_each(|k, _| {
            if let Some(epoch) = crate::plumbing::parse_i64_key(&k.0)
                && (from..=to).contains(&epoch)
            {
                epochs.push(epoch);
            }
            Ok(())
        })
        .map_err(store_error)?;
        epochs.sort_unstable();
        Ok(epochs)
    }

    pub(super) fn remove_deal_ops_epochs<BS: Blockstore>(
        &mut self,
        store: &BS,
        epochs: &[ChainEpoch],
    ) -> Result<(), ActorError> {
        if epochs.is_empty() {
            return Ok(());
        }
        let mut outer = self.load_deal_ops(store)?;
        for &epoch in epochs {
            outer.delete(&i64_key(epoch)).map_err(store_error)?;
        }
        self.deal_ops_by_epoch = outer.flush().map_err(store_error)?;
        Ok(())
    }
}
