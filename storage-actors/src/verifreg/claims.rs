//! Claims: a miner that sealed an allocated piece claims the allocation (`ClaimAllocations`),
//! which becomes a claim of the same id and burns the datacap; the claim's client may lengthen
//! its term up to the policy limit (`ExtendClaimTerms`), and anyone may remove it once its term
//! is over (`RemoveExpiredClaims`). `GetClaims` reads them.
//!
//! `ClaimAllocations` and `GetClaims` are what the miner and the market call, so their
//! parameters and returns are exactly the network's.

use filecoin_vm::{ActorError, ActorResult, BuiltinType, Runtime};
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::error::ExitCode;
use num_traits::Zero;

use super::allocations::len_u32;
use super::state::{Allocation, Claim, check_expired, find_expired};
use super::types::*;
use super::{burn, events, load_state, ret, transaction};
use crate::plumbing::{BatchBuilder, BatchReturn, caller_type_is};

/// Whether `provider`, sealing a sector that expires at `expiry`, may claim `alloc` now.
fn can_claim(
    claim: &AllocationClaim,
    provider: ActorID,
    alloc: &Allocation,
    now: ChainEpoch,
    expiry: ChainEpoch,
) -> bool {
    let lifetime = expiry.saturating_sub(now);
    provider == alloc.provider
        && claim.client == alloc.client
        && claim.data == alloc.data
        && claim.size == alloc.size
        && now <= alloc.expiration
        && lifetime >= alloc.term_min
        && lifetime <= alloc.term_max
}

/// ClaimAllocations (miners): per sector, every listed allocation must exist (17) and match
/// the caller, piece and sector lifetime (18), or the whole sector fails; with
/// `all_or_nothing`, any failure fails the call (16). Claimed datacap is burned.
pub(super) fn claim_allocations(rt: &mut dyn Runtime, p: ClaimAllocationsParams) -> ActorResult {
    caller_type_is(rt, &[BuiltinType::Miner])?;
    let provider = rt.message().caller;
    if p.sectors.is_empty() {
        return Err(ActorError::illegal_argument("claim allocations called with no claims"));
    }
    let now = rt.machine().epoch;

    let (batch, summaries, total) = transaction(rt, |st, rt| {
        let store = rt.store();
        let mut claims = st.claims(&store)?;
        let mut allocs = st.allocations(&store)?;
        let mut batch = BatchBuilder::default();
        let mut summaries = Vec::new();
        let mut total = DataCap::zero();

        'sectors: for sector in &p.sectors {
            let mut new_claims = Vec::with_capacity(sector.claims.len());
            for claim in &sector.claims {
                let Some(alloc) = allocs.get(claim.client, claim.allocation_id)? else {
                    batch.push(ExitCode::USR_NOT_FOUND);
                    continue 'sectors;
                };
                if !can_claim(claim, provider, &alloc, now, sector.expiry) {
                    batch.push(ExitCode::USR_FORBIDDEN);
                    continue 'sectors;
                }
                new_claims.push((
                    claim.allocation_id,
                    Claim {
                        provider,
                        client: alloc.client,
                        data: alloc.data,
                        size: alloc.size,
                        term_min: alloc.term_min,
                        term_max: alloc.term_max,
                        term_start: now,
                        sector: sector.sector,
                    },
                ));
            }

            let mut space = DataCap::zero();
            for (id, claim) in new_claims {
                if !claims.put_if_absent(provider, id, claim.clone())? {
                    return Err(ActorError::illegal_argument(format!("claim {id} already exists")));
                }
                events::claim(rt, "claim", id, &claim)?;
                allocs.remove(claim.client, id)?;
                space += claim.size.0;
            }
            total += &space;
            summaries.push(SectorClaimSummary { claimed_space: space });
            batch.ok();
        }
        st.allocations = allocs.flush()?;
        st.claims = claims.flush()?;
        Ok((batch.finish(), summaries, total))
    })?;

    if p.all_or_nothing && !batch.all_ok() {
        return Err(ActorError::illegal_argument(format!(
            "claim failed with all-or-nothing: {:?}",
            batch.fail_codes
        )));
    }
    burn(rt, &total)?;
    ret(&ClaimAllocationsReturn { sector_results: batch, sector_claims: summaries })
}

/// GetClaims (anyone): the provider's listed claims; unknown ids fail in the batch (17).
pub(super) fn get_claims(rt: &mut dyn Runtime, p: GetClaimsParams) -> ActorResult {
    let state: super::VerifregState = load_state(rt)?;
    let store = rt.store();
    let mut table = state.claims(&store)?;
    let mut batch = BatchBuilder::default();
    let mut claims = Vec::new();
    for id in &p.claim_ids {
        match table.get(p.provider, *id)? {
            Some(claim) => {
                batch.ok();
                claims.push(claim);
            }
            None => batch.push(ExitCode::USR_NOT_FOUND),
        }
    }
    ret(&GetClaimsReturn { batch_info: batch.finish(), claims })
}

/// ExtendClaimTerms (each claim's client, 18 otherwise): raises claims' maximum terms, never
/// lowering them (16) nor beyond the policy's maximum term (16); unknown claims are 17. An
/// expired claim may still be extended this way, within its original limit.
pub(super) fn extend_claim_terms(rt: &mut dyn Runtime, p: ExtendClaimTermsParams) -> ActorResult {
    let caller = rt.message().caller;
    let batch = transaction(rt, |st, rt| {
        let store = rt.store();
        let mut claims = st.claims(&store)?;
        let mut batch = BatchBuilder::default();
        for term in &p.terms {
            if term.term_max > MAXIMUM_VERIFIED_ALLOCATION_TERM {
                batch.push(ExitCode::USR_ILLEGAL_ARGUMENT);
                continue;
            }
            let Some(claim) = claims.get(term.provider, term.claim_id)? else {
                batch.push(ExitCode::USR_NOT_FOUND);
                continue;
            };
            if claim.client != caller {
                batch.push(ExitCode::USR_FORBIDDEN);
                continue;
            }
            if term.term_max < claim.term_max {
                batch.push(ExitCode::USR_ILLEGAL_ARGUMENT);
                continue;
            }
            let updated = Claim { term_max: term.term_max, ..claim };
            claims.put(term.provider, term.claim_id, updated.clone())?;
            batch.ok();
            events::claim(rt, "claim-updated", term.claim_id, &updated)?;
        }
        st.claims = claims.flush()?;
        Ok(batch.finish())
    })?;
    ret(&batch)
}

/// RemoveExpiredClaims (anyone): removes the provider's claims whose term is over (the listed
/// ones: 18 if not expired, 17 if unknown; or all of them).
pub(super) fn remove_expired_claims(
    rt: &mut dyn Runtime,
    p: RemoveExpiredClaimsParams,
) -> ActorResult {
    let now = rt.machine().epoch;
    let (considered, results) = transaction(rt, |st, rt| {
        let store = rt.store();
        let mut claims = st.claims(&store)?;
        let (considered, results) = if p.claim_ids.is_empty() {
            let found = find_expired(&mut claims, p.provider, now)?;
            let n = len_u32(found.len())?;
            (found, BatchReturn::ok(n))
        } else {
            let codes = check_expired(&mut claims, p.provider, &p.claim_ids, now)?;
            (p.claim_ids.clone(), BatchReturn::of(&codes))
        };
        for (id, code) in considered.iter().zip(results.codes()) {
            if code != ExitCode::OK {
                continue;
            }
            // Only an id listed twice gets here without a claim; upstream's unwrap aborts (24).
            let claim = claims.remove(p.provider, *id)?.ok_or_else(|| {
                ActorError::new(ExitCode::USR_ASSERTION_FAILED, format!("claim {id} gone"))
            })?;
            events::claim(rt, "claim-removed", *id, &claim)?;
        }
        st.claims = claims.flush()?;
        Ok((considered, results))
    })?;
    ret(&RemoveExpiredClaimsReturn { considered, results })
}
