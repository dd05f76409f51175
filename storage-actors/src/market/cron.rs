//! `CronTick` (f03 only, once per epoch): the deals scheduled for each epoch since the last tick.
//!
//! Each new deal is scheduled once, at the first epoch at or after its start that matches its
//! ID modulo 30 days. By then it is either activated (its pending-proposal entry is dropped and
//! nothing else happens: payments are `SettleDealPayments`' business since FIP-0074) or timed
//! out (provider collateral burnt, client funds unlocked, deal removed). A deal that was
//! already settled before its cron epoch is processed as the network's legacy deals are:
//! paid, and rescheduled every 30 days until it ends.

use std::collections::BTreeMap;

use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;

use super::deals::next_update_epoch;
use super::payments::Loaded;
use super::policy::DEAL_UPDATES_INTERVAL;
use super::types::*;
use super::{MarketState, ProviderSectorDeals, deal_cid, emit};
use crate::CRON_ACTOR_ID;
use crate::plumbing::{burn, caller_is, load_state, ret_none, save_state};

pub(super) fn cron_tick(rt: &mut dyn Runtime) -> ActorResult {
    caller_is(rt, &[CRON_ACTOR_ID])?;
    let now = rt.machine().epoch;
    let mut st: MarketState = load_state(rt)?;
    let store = rt.store();
    let mut burnt = TokenAmount::default();
    let mut drop: ProviderSectorDeals = BTreeMap::new();
    let mut rescheduled: Vec<(ChainEpoch, DealID)> = Vec::new();
    let epochs = st.scheduled_epochs(&store, st.last_cron + 1, now)?;
    for &epoch in &epochs {
        for id in st.deals_at_epoch(&store, epoch)? {
            // Settled or terminated deals may be gone already.
            let Some(deal) = st.find_proposal(&store, id)? else { continue };
            let cid = deal_cid(rt, &deal)?;
            let mut state = match st.active_or_timeout(&store, now, id, &deal, &cid)? {
                Loaded::Active(state) => state,
                Loaded::TimedOut(penalty) => {
                    burnt += penalty;
                    continue;
                }
                Loaded::TooEarly => {
                    return Err(ActorError::illegal_state(format!(
                        "deal {id} processed before its start {}",
                        deal.start_epoch
                    )));
                }
            };
            if state.last_updated_epoch == -1 {
                if !st.remove_pending_proposal(&store, &cid)? {
                    return Err(ActorError::illegal_state(format!("deal {id} was not pending")));
                }
                continue;
            }
            // A deal settled before its first cron epoch: legacy processing.
            let update = st.process_deal_update(&store, &state, &deal, &cid, now)?;
            if update.remove {
                burnt += update.slashed;
                st.remove_completed_deal(&store, id)?;
                let sectors = drop.entry(deal.provider_id()).or_default();
                sectors.entry(state.sector_number).or_default().push(id);
                if !update.completed {
                    emit::deal_terminated(rt, id, deal.client_id(), deal.provider_id())?;
                }
            } else {
                if !update.slashed.is_zero() {
                    return Err(ActorError::illegal_state(format!(
                        "continuing deal {id} cannot be slashed"
                    )));
                }
                state.last_updated_epoch = now;
                st.put_deal_states(&store, &[(id, state)])?;
                rescheduled.push((next_update_epoch(id, DEAL_UPDATES_INTERVAL, now + 1), id));
            }
            if update.completed {
                emit::deal_completed(rt, id, deal.client_id(), deal.provider_id())?;
            }
        }
    }
    st.remove_sector_deals(&store, &drop)?;
    st.remove_deal_ops_epochs(&store, &epochs)?;
    st.put_deal_ops(&store, &rescheduled)?;
    st.last_cron = now;
    save_state(rt, &st)?;
    burn(rt, burnt)?;
    ret_none()
}
