//! (being written)

use filecoin_vm::{ActorError, ActorResult, Runtime};

use crate::miner::types::ProveReplicaUpdates3Params;

/// Not yet implemented.
pub fn prove_replica_updates3(
    _rt: &mut dyn Runtime,
    _params: ProveReplicaUpdates3Params,
) -> ActorResult {
    Err(ActorError::unhandled_method(35))
}
