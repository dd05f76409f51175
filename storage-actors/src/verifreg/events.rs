//! The registry's FIP-0083 events, field for field and flag for flag as builtin-actors'
//! `actors/verifreg/src/emit.rs`: parties and the piece CID indexed, sizes and epochs not.

use filecoin_vm::{ActorError, Runtime};
use fvm_shared::ActorID;
use fvm_shared::bigint::bigint_ser::BigIntSer;

use super::state::{Allocation, Claim};
use super::types::DataCap;
use crate::plumbing::EventBuilder;

/// `verifier-balance`: a verifier's allowance is now `balance` bytes (with the client when
/// the change was a grant).
pub(super) fn verifier_balance(
    rt: &mut dyn Runtime,
    verifier: ActorID,
    balance: &DataCap,
    client: Option<ActorID>,
) -> Result<(), ActorError> {
    let mut event = EventBuilder::new("verifier-balance")?
        .indexed("verifier", &verifier)?
        .field("balance", &BigIntSer(balance))?;
    if let Some(client) = client {
        event = event.indexed("client", &client)?;
    }
    event.emit(rt)
}

/// `allocation` (made) or `allocation-removed` (expired and returned).
pub(super) fn allocation(
    rt: &mut dyn Runtime,
    kind: &str,
    id: u64,
    alloc: &Allocation,
) -> Result<(), ActorError> {
    EventBuilder::new(kind)?
        .indexed("id", &id)?
        .indexed("client", &alloc.client)?
        .indexed("provider", &alloc.provider)?
        .indexed("piece-cid", &alloc.data)?
        .field("piece-size", &alloc.size.0)?
        .field("term-min", &alloc.term_min)?
        .field("term-max", &alloc.term_max)?
        .field("expiration", &alloc.expiration)?
        .emit(rt)
}

/// `claim` (made), `claim-updated` (term extended) or `claim-removed` (expired).
pub(super) fn claim(
    rt: &mut dyn Runtime,
    kind: &str,
    id: u64,
    claim: &Claim,
) -> Result<(), ActorError> {
    EventBuilder::new(kind)?
        .indexed("id", &id)?
        .indexed("client", &claim.client)?
        .indexed("provider", &claim.provider)?
        .indexed("piece-cid", &claim.data)?
        .field("piece-size", &claim.size.0)?
        .field("term-min", &claim.term_min)?
        .field("term-max", &claim.term_max)?
        .field("term-start", &claim.term_start)?
        .indexed("sector", &claim.sector)?
        .emit(rt)
}
