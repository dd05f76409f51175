//! The market's FIP-0083 events: each names the deal and its two parties (actor IDs), all
//! three indexed, after the `$type`.

use filecoin_vm::{ActorError, Runtime};
use fvm_shared::ActorID;

use super::types::DealID;
use crate::plumbing::EventBuilder;

fn deal_event(
    rt: &mut dyn Runtime,
    kind: &str,
    id: DealID,
    client: ActorID,
    provider: ActorID,
) -> Result<(), ActorError> {
    EventBuilder::new(kind)?
        .indexed("id", &id)?
        .indexed("client", &client)?
        .indexed("provider", &provider)?
        .emit(rt)
}

/// A deal was published.
pub(super) fn deal_published(
    rt: &mut dyn Runtime,
    id: DealID,
    client: ActorID,
    provider: ActorID,
) -> Result<(), ActorError> {
    deal_event(rt, "deal-published", id, client, provider)
}

/// A deal was activated in a sector.
pub(super) fn deal_activated(
    rt: &mut dyn Runtime,
    id: DealID,
    client: ActorID,
    provider: ActorID,
) -> Result<(), ActorError> {
    deal_event(rt, "deal-activated", id, client, provider)
}

/// A deal's sector was terminated early (its provider collateral slashed).
pub(super) fn deal_terminated(
    rt: &mut dyn Runtime,
    id: DealID,
    client: ActorID,
    provider: ActorID,
) -> Result<(), ActorError> {
    deal_event(rt, "deal-terminated", id, client, provider)
}

/// A deal ran to its end and was settled.
pub(super) fn deal_completed(
    rt: &mut dyn Runtime,
    id: DealID,
    client: ActorID,
    provider: ActorID,
) -> Result<(), ActorError> {
    deal_event(rt, "deal-completed", id, client, provider)
}
