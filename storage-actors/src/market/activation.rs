//! Deals meeting their sectors. Since FIP-0076 a miner activates deals by notifying the market
//! of a proven sector's pieces (`SectorContentChanged`, one payload per piece: the CBOR deal
//! ID); each piece is accepted or not on its own. The older per-sector methods remain for
//! pre-commits that list deal IDs (`VerifyDealsForActivation`, read-only, computes CommD) and
//! for genesis pre-seals (`BatchActivateDeals`).
//!
//! A deal can be activated once, by its provider, by its start epoch, into a sector that lives
//! at least until the deal's end.

use std::collections::{BTreeSet, HashSet};

use filecoin_vm::{ActorError, ActorResult, BuiltinType, Runtime};
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::SectorNumber;

use super::commd::compute_unsealed_sector_cid;
use super::ext::{SectorChanges, SectorReturn};
use super::state::{Proposals, Set, States};
use super::types::*;
use super::{MarketState, deal_cid, emit};
use crate::plumbing::{BatchBuilder, caller_type_is, load_state, ret, save_state};

/// Why a deal cannot be activated now into this sector.
fn check_can_activate(
    proposal: &DealProposal,
    miner: ActorID,
    sector_expiry: ChainEpoch,
    now: ChainEpoch,
) -> Result<(), ActorError> {
    if proposal.provider != Address::new_id(miner) {
        return Err(ActorError::forbidden(format!(
            "proposal has provider {}, must be f0{miner}",
            proposal.provider
        )));
    }
    if now > proposal.start_epoch {
        return Err(ActorError::new(
            EX_DEAL_EXPIRED,
            format!("deal start {} has passed at {now}", proposal.start_epoch),
        ));
    }
    if proposal.end_epoch > sector_expiry {
        return Err(ActorError::illegal_argument(format!(
            "deal ends at {}, after the sector's expiration {sector_expiry}",
            proposal.end_epoch
        )));
    }
    Ok(())
}

/// The deal's state tables, loaded once per message.
struct Tables<'a, BS: Blockstore> {
    proposals: Proposals<'a, BS>,
    states: States<'a, BS>,
    pending: Set<'a, BS>,
    next_id: DealID,
}

impl<'a, BS: Blockstore> Tables<'a, BS> {
    fn load(st: &MarketState, store: &'a BS) -> Result<Self, ActorError> {
        Ok(Self {
            proposals: st.load_proposals(store)?,
            states: st.load_states(store)?,
            pending: st.load_pending(store)?,
            next_id: st.next_id,
        })
    }

    fn proposal(&self, id: DealID) -> Result<DealProposal, ActorError> {
        match self.proposals.get(id).map_err(crate::plumbing::store_error)? {
            Some(p) => Ok(p.clone()),
            None if id < self.next_id => {
                Err(ActorError::new(EX_DEAL_EXPIRED, format!("deal {id} expired")))
            }
            None => Err(ActorError::not_found(format!("no such deal {id}"))),
        }
    }

    /// The deal's proposal if it may be activated now (inner error: this deal fails; outer
    /// error: the message fails).
    fn preactivate(
        &self,
        rt: &mut dyn Runtime,
        id: DealID,
        miner: ActorID,
        sector_expiry: ChainEpoch,
        now: ChainEpoch,
    ) -> Result<Result<DealProposal, ActorError>, ActorError> {
        let proposal = match self.proposal(id) {
            Ok(p) => p,
            Err(e) if [ExitCode::USR_NOT_FOUND, EX_DEAL_EXPIRED].contains(&e.exit_code()) => {
                return Ok(Err(e));
            }
            Err(e) => return Err(e),
        };
        if let Err(e) = check_can_activate(&proposal, miner, sector_expiry, now) {
            return Ok(Err(e));
        }
        if self.states.get(id).map_err(crate::plumbing::store_error)?.is_some() {
            return Ok(Err(ActorError::illegal_argument(format!("deal {id} already activated"))));
        }
        let cid = deal_cid(rt, &proposal)?;
        let key = fvm_ipld_hamt::BytesKey(cid.to_bytes());
        if !self.pending.contains_key(&key).map_err(crate::plumbing::store_error)? {
            return Ok(Err(ActorError::illegal_state(format!("deal {id} is not pending"))));
        }
        Ok(Ok(proposal))
    }
}

fn new_state(sector: SectorNumber, now: ChainEpoch) -> DealState {
    DealState {
        sector_number: sector,
        sector_start_epoch: now,
        last_updated_epoch: -1,
        slash_epoch: -1,
    }
}

/// Checks a pre-commit's deals (read-only) and returns each sector's CommD.
pub(super) fn verify_deals_for_activation(
    rt: &mut dyn Runtime,
    p: VerifyDealsForActivationParams,
) -> ActorResult {
    caller_type_is(rt, &[BuiltinType::Miner])?;
    let miner = rt.message().caller;
    let now = rt.machine().epoch;
    let st: MarketState = load_state(rt)?;
    let store = rt.store();
    let tables = Tables::load(&st, &store)?;
    let mut unsealed_cids = Vec::with_capacity(p.sectors.len());
    for sector in &p.sectors {
        let mut seen = BTreeSet::new();
        let mut proposals = Vec::with_capacity(sector.deal_ids.len());
        for &id in &sector.deal_ids {
            if !seen.insert(id) {
                return Err(ActorError::illegal_argument(format!("duplicate deal {id} in sector")));
            }
            let proposal = tables.proposal(id)?;
            check_can_activate(&proposal, miner, sector.sector_expiry, now)?;
            proposals.push(proposal);
        }
        let size = sector
            .sector_type
            .sector_size()
            .map_err(|e| ActorError::illegal_argument(format!("unknown sector size: {e}")))?
            as u64;
        let total = proposals.iter().map(|p| p.piece_size.0).fold(0u64, u64::saturating_add);
        if total > size {
            return Err(ActorError::illegal_argument(format!(
                "deals too large to fit in sector: {total} > {size}"
            )));
        }
        unsealed_cids.push(if proposals.is_empty() {
            None
        } else {
            Some(compute_unsealed_sector_cid(sector.sector_type, &proposals)?)
        });
    }
    ret(&VerifyDealsForActivationReturn { unsealed_cids })
}

/// Activates whole sectors' deals (each sector all or nothing, sectors independent).
pub(super) fn batch_activate_deals(
    rt: &mut dyn Runtime,
    p: BatchActivateDealsParams,
) -> ActorResult {
    caller_type_is(rt, &[BuiltinType::Miner])?;
    let miner = rt.message().caller;
    let now = rt.machine().epoch;
    let mut st: MarketState = load_state(rt)?;
    let store = rt.store();
    let tables = Tables::load(&st, &store)?;
    let mut results = BatchBuilder::default();
    let mut activations = Vec::new();
    let mut activated: HashSet<DealID> = HashSet::new();
    let mut new_states = Vec::new();
    let mut sector_deals = Vec::new();
    'sector: for sector in p.sectors {
        let unique: BTreeSet<DealID> = sector.deal_ids.iter().copied().collect();
        if unique.len() != sector.deal_ids.len() {
            results.push(ExitCode::USR_ILLEGAL_ARGUMENT);
            continue;
        }
        let mut proposals = Vec::with_capacity(sector.deal_ids.len());
        for &id in &sector.deal_ids {
            if activated.contains(&id) {
                results.push(ExitCode::USR_ILLEGAL_ARGUMENT);
                continue 'sector;
            }
            match tables.preactivate(rt, id, miner, sector.sector_expiry, now)? {
                Ok(proposal) => proposals.push(proposal),
                Err(e) => {
                    results.push(e.exit_code());
                    continue 'sector;
                }
            }
        }
        let mut deals = Vec::with_capacity(proposals.len());
        for (&id, proposal) in sector.deal_ids.iter().zip(&proposals) {
            activated.insert(id);
            let allocation_id = st.remove_allocation_id(&store, id)?.unwrap_or(NO_ALLOCATION_ID);
            deals.push(ActivatedDeal {
                client: proposal.client_id(),
                allocation_id,
                data: proposal.piece_cid,
                size: proposal.piece_size,
            });
            new_states.push((id, new_state(sector.sector_number, now)));
        }
        let unsealed_cid = if p.compute_cid && !proposals.is_empty() {
            Some(compute_unsealed_sector_cid(sector.sector_type, &proposals)?)
        } else {
            None
        };
        for (&id, proposal) in sector.deal_ids.iter().zip(&proposals) {
            emit::deal_activated(rt, id, proposal.client_id(), proposal.provider_id())?;
        }
        sector_deals.push((sector.sector_number, sector.deal_ids));
        activations.push(SectorDealActivation { activated: deals, unsealed_cid });
        results.ok();
    }
    st.put_deal_states(&store, &new_states)?;
    st.put_sector_deals(&store, miner, &sector_deals)?;
    save_state(rt, &st)?;
    ret(&BatchActivateDealsResult { activation_results: results.finish(), activations })
}

/// The miner's notification of new pieces in proven sectors: each piece whose payload names a
/// deal of this miner that matches it (CID and size) and may be activated now is activated
/// and accepted; every other piece is answered `false`.
pub(super) fn sector_content_changed(
    rt: &mut dyn Runtime,
    sectors: Vec<SectorChanges>,
) -> ActorResult {
    caller_type_is(rt, &[BuiltinType::Miner])?;
    let miner = rt.message().caller;
    let now = rt.machine().epoch;
    let mut st: MarketState = load_state(rt)?;
    let store = rt.store();
    let tables = Tables::load(&st, &store)?;
    let mut activated: HashSet<DealID> = HashSet::new();
    let mut new_states = Vec::new();
    let mut sector_deals = Vec::new();
    let mut answers: Vec<SectorReturn> = Vec::with_capacity(sectors.len());
    for sector in &sectors {
        let mut ids = Vec::new();
        let mut accepted = Vec::with_capacity(sector.added.len());
        for piece in &sector.added {
            let ok = match fvm_ipld_encoding::from_slice::<DealID>(&piece.payload) {
                Ok(id) if !activated.contains(&id) => {
                    match tables.preactivate(rt, id, miner, sector.minimum_commitment_epoch, now)? {
                        Ok(p) if p.piece_cid == piece.data && p.piece_size == piece.size => {
                            activated.insert(id);
                            emit::deal_activated(rt, id, p.client_id(), p.provider_id())?;
                            st.remove_allocation_id(&store, id)?;
                            new_states.push((id, new_state(sector.sector, now)));
                            ids.push(id);
                            true
                        }
                        _ => false,
                    }
                }
                _ => false,
            };
            accepted.push(ok);
        }
        sector_deals.push((sector.sector, ids));
        answers.push(accepted);
    }
    st.put_deal_states(&store, &new_states)?;
    st.put_sector_deals(&store, miner, &sector_deals)?;
    save_state(rt, &st)?;
    ret(&answers)
}
