//! Allocations: made when a client's datacap arrives through the FRC-46 `Receive` hook (its
//! operator data says what for), and removed once expired unclaimed, the datacap going back
//! to the client (`RemoveExpiredAllocations`). The hook also extends claims beyond their
//! original limits, paid with (burned) datacap.
//!
//! The hook accepts all the requests or none: any invalid one fails it, which fails the
//! datacap transfer, so the client keeps its datacap.

use filecoin_vm::{ActorError, ActorResult, BuiltinType, Runtime};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::error::ExitCode;
use num_traits::Zero;
use serde::de::DeserializeOwned;

use super::state::{Allocation, Claim, check_expired, find_expired};
use super::types::*;
use super::{burn, events, load_state, ret, tokens_to_datacap, transaction, transfer_datacap};
use crate::DATACAP_ACTOR_ID;
use crate::plumbing::{BatchReturn, caller_is};
use crate::token::{FRC46_TOKEN_TYPE, Frc46TokenReceived, UniversalReceiverParams};

fn decode<T: DeserializeOwned>(bytes: &RawBytes, what: &str) -> Result<T, ActorError> {
    fvm_ipld_encoding::from_slice(bytes)
        .map_err(|e| ActorError::serialization(format!("failed to decode {what}: {e}")))
}

/// Receive (f07 only): datacap arrived; its operator data must be [`AllocationRequests`] and
/// the amount exactly the sum of the requested sizes and of the extended claims' sizes.
/// Returns the new allocations' ids as the transfer's `recipient_data`.
pub(super) fn receive(rt: &mut dyn Runtime, p: UniversalReceiverParams) -> ActorResult {
    caller_is(rt, &[DATACAP_ACTOR_ID])?;
    let now = rt.machine().epoch;
    let received = tokens_received(&p, rt.message().receiver)?;
    let client = received.from;
    let reqs: AllocationRequests = decode(&received.operator_data, "allocation requests")?;

    let mut total = DataCap::zero();
    let mut new_allocs = Vec::with_capacity(reqs.allocations.len());
    for req in &reqs.allocations {
        validate_new_allocation(req, now)?;
        check_miner(rt, req.provider)?;
        new_allocs.push(Allocation {
            client,
            provider: req.provider,
            data: req.data,
            size: req.size,
            term_min: req.term_min,
            term_max: req.term_max,
            expiration: req.expiration,
        });
        total += req.size.0;
    }

    let state: super::VerifregState = load_state(rt)?;
    let store = rt.store();
    let mut claims = state.claims(&store)?;
    let mut updated = Vec::with_capacity(reqs.extensions.len());
    let mut extension_total = DataCap::zero();
    for req in &reqs.extensions {
        // Anyone may pay to extend any claim; the claim keeps its client.
        let claim = claims.get(req.provider, req.claim)?.ok_or_else(|| {
            ActorError::not_found(format!("no claim {} for provider {}", req.claim, req.provider))
        })?;
        validate_claim_extension(req, &claim, now)?;
        total += claim.size.0;
        extension_total += claim.size.0;
        updated.push((req.claim, Claim { term_max: req.term_max, ..claim }));
    }

    let received_bytes = tokens_to_datacap(&received.amount);
    if total != received_bytes {
        return Err(ActorError::illegal_argument(format!(
            "total allocation size {total} must match the datacap received {received_bytes}"
        )));
    }

    // Datacap spent on extensions is gone now; that of allocations is burned when they are
    // claimed, or given back when they expire.
    burn(rt, &extension_total)?;

    let allocation_results = BatchReturn::ok(len_u32(new_allocs.len())?);
    let extension_results = BatchReturn::ok(len_u32(updated.len())?);
    let new_allocations = transaction(rt, |st, rt| {
        let store = rt.store();
        let ids = st.insert_allocations(&store, client, new_allocs.clone())?;
        for (id, alloc) in ids.iter().zip(&new_allocs) {
            events::allocation(rt, "allocation", *id, alloc)?;
        }
        if !updated.is_empty() {
            let mut claims = st.claims(&store)?;
            for (id, claim) in &updated {
                claims.put(claim.provider, *id, claim.clone())?;
            }
            st.claims = claims.flush()?;
        }
        for (id, claim) in &updated {
            events::claim(rt, "claim-updated", *id, claim)?;
        }
        Ok(ids)
    })?;
    ret(&AllocationsResponse { allocation_results, extension_results, new_allocations })
}

/// A batch size as the wire's u32.
pub(super) fn len_u32(n: usize) -> Result<u32, ActorError> {
    u32::try_from(n).map_err(|_| ActorError::illegal_argument("too many items in one batch"))
}

/// The FRC-46 payload of a hook call, which must be a transfer to this actor.
fn tokens_received(
    p: &UniversalReceiverParams,
    me: ActorID,
) -> Result<Frc46TokenReceived, ActorError> {
    if p.type_ != FRC46_TOKEN_TYPE {
        return Err(ActorError::illegal_argument(format!(
            "invalid token type {}, expected {FRC46_TOKEN_TYPE} (FRC-46)",
            p.type_
        )));
    }
    let payload: Frc46TokenReceived = decode(&p.payload, "receiver hook payload")?;
    if payload.to != me {
        return Err(ActorError::illegal_argument(format!(
            "token receiver expected to be f0{me}, was f0{}",
            payload.to
        )));
    }
    Ok(payload)
}

/// A new allocation's size and terms against the policy (`USR_ILLEGAL_ARGUMENT`).
fn validate_new_allocation(req: &AllocationRequest, now: ChainEpoch) -> Result<(), ActorError> {
    let max_expiration = now.saturating_add(MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION);
    let problem = if req.size.0 < MINIMUM_VERIFIED_ALLOCATION_SIZE {
        format!("allocation size {} below minimum {MINIMUM_VERIFIED_ALLOCATION_SIZE}", req.size.0)
    } else if req.term_min < MINIMUM_VERIFIED_ALLOCATION_TERM {
        format!("allocation term min {} below {MINIMUM_VERIFIED_ALLOCATION_TERM}", req.term_min)
    } else if req.term_max > MAXIMUM_VERIFIED_ALLOCATION_TERM {
        format!("allocation term max {} above {MAXIMUM_VERIFIED_ALLOCATION_TERM}", req.term_max)
    } else if req.term_min > req.term_max {
        format!("allocation term min {} exceeds term max {}", req.term_min, req.term_max)
    } else if req.expiration < now {
        format!("allocation expiration {} has passed (now {now})", req.expiration)
    } else if req.expiration > max_expiration {
        format!("allocation expiration {} exceeds maximum {max_expiration}", req.expiration)
    } else {
        return Ok(());
    };
    Err(ActorError::illegal_argument(problem))
}

/// A paid extension: no further than the policy's term from now, strictly longer than the
/// current term (16), and only while the claim has not expired (18).
fn validate_claim_extension(
    req: &ClaimExtensionRequest,
    claim: &Claim,
    now: ChainEpoch,
) -> Result<(), ActorError> {
    let limit =
        now.saturating_add(MAXIMUM_VERIFIED_ALLOCATION_TERM).saturating_sub(claim.term_start);
    if req.term_max > limit {
        return Err(ActorError::illegal_argument(format!(
            "term_max {} for claim {} exceeds maximum {limit} at epoch {now}",
            req.term_max, req.claim
        )));
    }
    if req.term_max <= claim.term_max {
        return Err(ActorError::illegal_argument(format!(
            "term_max {} for claim {} is not larger than the current {}",
            req.term_max, req.claim, claim.term_max
        )));
    }
    let expired_at = claim.term_start.saturating_add(claim.term_max);
    if now > expired_at {
        return Err(ActorError::forbidden(format!(
            "claim {} expired at {expired_at}, now {now}",
            req.claim
        )));
    }
    Ok(())
}

/// Requires `id` to be a miner actor, so that datacap is not locked up in an allocation no
/// one can claim (`USR_ILLEGAL_ARGUMENT`).
fn check_miner(rt: &mut dyn Runtime, id: ActorID) -> Result<(), ActorError> {
    let code = rt
        .actor_code(id)?
        .ok_or_else(|| ActorError::illegal_argument(format!("no code CID for provider {id}")))?;
    match rt.builtin_type(&code) {
        Some(BuiltinType::Miner) => Ok(()),
        other => Err(ActorError::illegal_argument(format!(
            "allocation provider {id} must be a miner actor, was {}",
            other.map_or("not built in", BuiltinType::name)
        ))),
    }
}

/// RemoveExpiredAllocations (anyone): removes the client's expired allocations (the listed
/// ones, or all of them) and transfers their datacap back to the client.
pub(super) fn remove_expired_allocations(
    rt: &mut dyn Runtime,
    p: RemoveExpiredAllocationsParams,
) -> ActorResult {
    let now = rt.machine().epoch;
    let (considered, results, recovered) = transaction(rt, |st, rt| {
        let store = rt.store();
        let mut allocs = st.allocations(&store)?;
        let (considered, results) = if p.allocation_ids.is_empty() {
            let found = find_expired(&mut allocs, p.client, now)?;
            let n = len_u32(found.len())?;
            (found, BatchReturn::ok(n))
        } else {
            let codes = check_expired(&mut allocs, p.client, &p.allocation_ids, now)?;
            (p.allocation_ids.clone(), BatchReturn::of(&codes))
        };
        let mut recovered = DataCap::zero();
        for (id, code) in considered.iter().zip(results.codes()) {
            if code != ExitCode::OK {
                continue;
            }
            // Only an id listed twice gets here without an allocation; upstream's unwrap
            // aborts then (24).
            let alloc = allocs.remove(p.client, *id)?.ok_or_else(|| {
                ActorError::new(ExitCode::USR_ASSERTION_FAILED, format!("allocation {id} gone"))
            })?;
            events::allocation(rt, "allocation-removed", *id, &alloc)?;
            recovered += alloc.size.0;
        }
        st.allocations = allocs.flush()?;
        Ok((considered, results, recovered))
    })?;

    transfer_datacap(rt, p.client, &recovered)?;
    ret(&RemoveExpiredAllocationsReturn { considered, results, datacap_recovered: recovered })
}
