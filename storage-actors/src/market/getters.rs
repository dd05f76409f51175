//! The exported read methods contracts use (filecoin-solidity's `MarketAPI`). Every deal getter
//! fails with 17 for a deal never published and 32 for one published and since removed; the
//! activation getters also hide a (legacy) terminated deal behind 32, and `GetDealSector`
//! answers 33 for a deal not activated yet.

use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_shared::MethodNum;
use fvm_shared::address::Address;

use super::types::*;
use super::{MarketState, resolve_id};
use crate::plumbing::{load_state, ret};

/// `GetBalance`: an address's escrow and locked funds (16 if it does not resolve).
pub(super) fn get_balance(rt: &mut dyn Runtime, who: Address) -> ActorResult {
    let id = resolve_id(rt, &who)?
        .ok_or_else(|| ActorError::illegal_argument(format!("failed to resolve address {who}")))?;
    let st: MarketState = load_state(rt)?;
    let (balance, locked) = st.balances(&rt.store(), &Address::new_id(id))?;
    ret(&GetBalanceReturn { balance, locked })
}

/// Every `GetDeal*` method but `GetBalance`.
pub(super) fn get_deal_field(rt: &mut dyn Runtime, method: MethodNum, id: DealID) -> ActorResult {
    let st: MarketState = load_state(rt)?;
    let store = rt.store();
    let deal = st.get_proposal(&store, id)?;
    match method {
        GET_DEAL_DATA_COMMITMENT_METHOD => {
            ret(&GetDealDataCommitmentReturn { data: deal.piece_cid, size: deal.piece_size })
        }
        GET_DEAL_CLIENT_METHOD => ret(&deal.client_id()),
        GET_DEAL_PROVIDER_METHOD => ret(&deal.provider_id()),
        GET_DEAL_LABEL_METHOD => ret(&deal.label),
        GET_DEAL_TERM_METHOD => {
            ret(&GetDealTermReturn { start: deal.start_epoch, duration: deal.duration() })
        }
        GET_DEAL_TOTAL_PRICE_METHOD => ret(&deal.total_storage_fee()),
        GET_DEAL_CLIENT_COLLATERAL_METHOD => ret(&deal.client_collateral),
        GET_DEAL_PROVIDER_COLLATERAL_METHOD => ret(&deal.provider_collateral),
        GET_DEAL_VERIFIED_METHOD => ret(&deal.verified_deal),
        GET_DEAL_ACTIVATION_METHOD | GET_DEAL_SECTOR_METHOD => {
            let state = st.find_deal_state(&store, id)?;
            match (method, state) {
                (_, Some(s)) if s.slash_epoch != -1 => {
                    Err(ActorError::new(EX_DEAL_EXPIRED, format!("deal {id} expired")))
                }
                (GET_DEAL_ACTIVATION_METHOD, Some(s)) => ret(&GetDealActivationReturn {
                    activated: s.sector_start_epoch,
                    terminated: s.slash_epoch,
                }),
                (GET_DEAL_ACTIVATION_METHOD, None) => {
                    ret(&GetDealActivationReturn { activated: -1, terminated: -1 })
                }
                (_, Some(s)) => ret(&s.sector_number),
                (_, None) => Err(ActorError::new(
                    EX_DEAL_NOT_ACTIVATED,
                    format!("deal {id} not yet activated"),
                )),
            }
        }
        other => Err(ActorError::unhandled_method(other)),
    }
}
