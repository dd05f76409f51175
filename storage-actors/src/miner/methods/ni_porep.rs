//! (being written)

use filecoin_vm::{ActorError, ActorResult, Runtime};

use crate::miner::types::ProveCommitSectorsNIParams;

/// Not yet implemented.
pub fn prove_commit_sectors_ni(
    _rt: &mut dyn Runtime,
    _params: ProveCommitSectorsNIParams,
) -> ActorResult {
    Err(ActorError::unhandled_method(36))
}
