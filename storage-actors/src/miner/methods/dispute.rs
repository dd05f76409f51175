//! (being written)

use filecoin_vm::{ActorError, ActorResult, Runtime};

use crate::miner::types::DisputeWindowedPoStParams;

/// Not yet implemented.
pub fn dispute_windowed_post(
    _rt: &mut dyn Runtime,
    _params: DisputeWindowedPoStParams,
) -> ActorResult {
    Err(ActorError::unhandled_method(24))
}
