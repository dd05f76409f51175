//! Money after publication: settling payments (anyone, any time; completion after the end),
//! early termination by the miner (provider collateral slashed), and the timeout of a deal that
//! missed its start. Cron shares the per-deal bookkeeping here (see `cron.rs`).

use std::collections::BTreeMap;

use cid::Cid;
use filecoin_vm::{ActorError, ActorResult, BuiltinType, Runtime};
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;

use super::balance_table::LockReason;
use super::policy::activation_missed_penalty;
use super::types::*;
use super::{BitField, MarketState, ProviderSectorDeals, deal_cid, emit};
use crate::plumbing::{BatchBuilder, burn, caller_type_is, load_state, ret, ret_none, save_state};

/// What looking up an activated deal found.
pub(super) enum Loaded {
    /// Not activated, and its start is still ahead: nothing to do yet.
    TooEarly,
    /// Not activated by its start: timed out and removed; the penalty to burn.
    TimedOut(TokenAmount),
    /// Activated.
    Active(DealState),
}

/// The outcome of one settlement.
pub(super) struct Update {
    /// Provider collateral to burn (legacy terminated deals only).
    pub slashed: TokenAmount,
    /// Paid to the provider now.
    pub payment: TokenAmount,
    /// The deal ran to its end.
    pub completed: bool,
    /// The deal is finished and must be removed.
    pub remove: bool,
}

impl MarketState {
    /// Finds an activated deal's state, or times the deal out if its start has passed.
    pub(super) fn active_or_timeout<BS: Blockstore>(
        &mut self,
        store: &BS,
        now: ChainEpoch,
        id: DealID,
        deal: &DealProposal,
        cid: &Cid,
    ) -> Result<Loaded, ActorError> {
        if let Some(state) = self.find_deal_state(store, id)? {
            return Ok(Loaded::Active(state));
        }
        if now < deal.start_epoch {
            return Ok(Loaded::TooEarly);
        }
        self.unlock(store, &deal.client, &deal.total_storage_fee(), LockReason::ClientStorageFee)?;
        self.unlock(store, &deal.client, &deal.client_collateral, LockReason::ClientCollateral)?;
        let penalty = activation_missed_penalty(&deal.provider_collateral);
        self.slash(store, &deal.provider, &penalty, LockReason::ProviderCollateral)?;
        let rest = &deal.provider_collateral - &penalty;
        self.unlock(store, &deal.provider, &rest, LockReason::ProviderCollateral)?;
        if self.remove_proposal(store, id)?.is_none() {
            return Err(ActorError::illegal_state(format!("no proposal to delete for deal {id}")));
        }
        if !self.remove_pending_proposal(store, cid)? {
            return Err(ActorError::illegal_state(format!("deal {id} ({cid}) was not pending")));
        }
        self.remove_allocation_id(store, id)?;
        Ok(Loaded::TimedOut(penalty))
    }

    /// Pays an activated deal up to `now` (or its end); past the end, releases collaterals.
    pub(super) fn process_deal_update<BS: Blockstore>(
        &mut self,
        store: &BS,
        state: &DealState,
        deal: &DealProposal,
        cid: &Cid,
        now: ChainEpoch,
    ) -> Result<Update, ActorError> {
        let zero = TokenAmount::default();
        let ever_updated = state.last_updated_epoch != -1;
        let slashed = state.slash_epoch != -1;
        if !ever_updated {
            // Cron may already have dropped it.
            self.remove_pending_proposal(store, cid)?;
        }
        if ever_updated && state.last_updated_epoch > now {
            return Err(ActorError::illegal_state("deal updated at a future epoch".to_string()));
        }
        if deal.start_epoch > now {
            let payment = zero.clone();
            return Ok(Update { slashed: zero, payment, completed: false, remove: false });
        }
        let end = if slashed {
            if now < state.slash_epoch || state.slash_epoch > deal.end_epoch {
                return Err(ActorError::illegal_state("inconsistent slash epoch".to_string()));
            }
            state.slash_epoch
        } else {
            deal.end_epoch.min(now)
        };
        let start = if ever_updated && state.last_updated_epoch > deal.start_epoch {
            state.last_updated_epoch
        } else {
            deal.start_epoch
        };
        let payment = &deal.storage_price_per_epoch * (end - start).max(0);
        self.pay(store, &deal.client, &deal.provider, &payment)?;
        if slashed {
            let slashed = self.terminate_deal(store, deal, state.slash_epoch)?;
            let payment = payment + remaining_fee(deal, state.slash_epoch);
            return Ok(Update { slashed, payment, completed: false, remove: true });
        }
        if now >= deal.end_epoch {
            if state.sector_start_epoch == -1 {
                return Err(ActorError::illegal_state("activated deal without start".to_string()));
            }
            self.unlock(
                store,
                &deal.provider,
                &deal.provider_collateral,
                LockReason::ProviderCollateral,
            )?;
            self.unlock(
                store,
                &deal.client,
                &deal.client_collateral,
                LockReason::ClientCollateral,
            )?;
            return Ok(Update { slashed: zero, payment, completed: true, remove: true });
        }
        Ok(Update { slashed: zero, payment, completed: false, remove: false })
    }

    /// Ends a deal at `epoch` after payment up to it: the client's unpaid fee and collateral
    /// unlock, the provider's collateral is slashed; returns the amount to burn.
    fn terminate_deal<BS: Blockstore>(
        &mut self,
        store: &BS,
        deal: &DealProposal,
        epoch: ChainEpoch,
    ) -> Result<TokenAmount, ActorError> {
        let remaining = remaining_fee(deal, epoch);
        self.unlock(store, &deal.client, &remaining, LockReason::ClientStorageFee)?;
        self.unlock(store, &deal.client, &deal.client_collateral, LockReason::ClientCollateral)?;
        self.slash(
            store,
            &deal.provider,
            &deal.provider_collateral,
            LockReason::ProviderCollateral,
        )?;
        Ok(deal.provider_collateral.clone())
    }
}

/// The fee for the epochs from `epoch` (or the start, if later) to the end.
fn remaining_fee(deal: &DealProposal, epoch: ChainEpoch) -> TokenAmount {
    let from = epoch.max(deal.start_epoch);
    &deal.storage_price_per_epoch * (deal.end_epoch - from).max(0)
}

/// Settles the listed deals: payment up to now, completion past the end, timeout of deals
/// never activated by their start (32, penalty burnt), 32 for deals that are gone.
pub(super) fn settle_deal_payments(rt: &mut dyn Runtime, ids: BitField) -> ActorResult {
    let now = rt.machine().epoch;
    let mut st: MarketState = load_state(rt)?;
    let store = rt.store();
    let mut results = BatchBuilder::default();
    let mut settlements = Vec::new();
    let mut burnt = TokenAmount::default();
    let mut new_states = Vec::new();
    let mut drop: ProviderSectorDeals = BTreeMap::new();
    for id in ids.iter() {
        let Ok(deal) = st.get_proposal(&store, id) else {
            results.push(EX_DEAL_EXPIRED);
            continue;
        };
        let cid = deal_cid(rt, &deal)?;
        let state = match st.active_or_timeout(&store, now, id, &deal, &cid) {
            Ok(Loaded::TooEarly) => {
                settlements.push(DealSettlementSummary {
                    payment: TokenAmount::default(),
                    completed: false,
                });
                results.ok();
                continue;
            }
            Ok(Loaded::TimedOut(penalty)) => {
                burnt += penalty;
                results.push(EX_DEAL_EXPIRED);
                continue;
            }
            Ok(Loaded::Active(state)) => state,
            Err(e) => {
                results.push(e.exit_code());
                continue;
            }
        };
        if state.slash_epoch != -1 {
            return Err(ActorError::illegal_argument(format!(
                "deal {id} is marked for termination and cannot be settled"
            )));
        }
        let update = match st.process_deal_update(&store, &state, &deal, &cid, now) {
            Ok(update) => update,
            Err(e) => {
                results.push(e.exit_code());
                continue;
            }
        };
        if update.remove {
            st.remove_completed_deal(&store, id)?;
            drop.entry(deal.provider_id())
                .or_default()
                .entry(state.sector_number)
                .or_default()
                .push(id);
            if !update.completed {
                emit::deal_terminated(rt, id, deal.client_id(), deal.provider_id())?;
            }
        } else {
            new_states.push((id, DealState { last_updated_epoch: now, ..state }));
        }
        settlements
            .push(DealSettlementSummary { payment: update.payment, completed: update.remove });
        results.ok();
        if update.completed {
            emit::deal_completed(rt, id, deal.client_id(), deal.provider_id())?;
        }
    }
    st.put_deal_states(&store, &new_states)?;
    st.remove_sector_deals(&store, &drop)?;
    save_state(rt, &st)?;
    burn(rt, burnt)?;
    ret(&SettleDealPaymentsReturn { results: results.finish(), settlements })
}

/// The calling miner terminated sectors at `epoch`: each of their deals not yet ended is paid
/// up to then, its client's remaining funds unlock, its provider collateral is burnt, and it
/// is removed.
pub(super) fn on_miner_sectors_terminate(
    rt: &mut dyn Runtime,
    p: OnMinerSectorsTerminateParams,
) -> ActorResult {
    caller_type_is(rt, &[BuiltinType::Miner])?;
    let miner = rt.message().caller;
    let mut st: MarketState = load_state(rt)?;
    let store = rt.store();
    let ids = st.pop_sector_deals(&store, miner, p.sectors.iter())?;
    let mut burnt = TokenAmount::default();
    for id in ids {
        // Settled or expired deals may be gone already.
        let Some(deal) = st.find_proposal(&store, id)? else { continue };
        if deal.provider_id() != miner {
            return Err(ActorError::illegal_state(format!(
                "caller f0{miner} is not the provider of deal {id}"
            )));
        }
        if deal.end_epoch <= p.epoch {
            continue; // ended: not slashed
        }
        let mut state = st
            .find_deal_state(&store, id)?
            .ok_or_else(|| ActorError::illegal_argument(format!("no state for deal {id}")))?;
        if state.last_updated_epoch == -1 {
            let cid = deal_cid(rt, &deal)?;
            st.remove_pending_proposal(&store, &cid)?;
        }
        state.slash_epoch = p.epoch;
        let from = deal.start_epoch.max(state.last_updated_epoch);
        let to = deal.end_epoch.min(state.slash_epoch);
        let payment = &deal.storage_price_per_epoch * (to - from).max(0);
        st.pay(&store, &deal.client, &deal.provider, &payment)?;
        burnt += st.terminate_deal(&store, &deal, state.slash_epoch)?;
        st.remove_completed_deal(&store, id)?;
        emit::deal_terminated(rt, id, deal.client_id(), deal.provider_id())?;
    }
    save_state(rt, &st)?;
    burn(rt, burnt)?;
    ret_none()
}
