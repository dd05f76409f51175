//! (being written)

use filecoin_vm::{ActorError, ActorResult, Runtime};

use crate::miner::types::ExtendSectorExpiration2Params;

/// Not yet implemented.
pub fn extend_sector_expiration2(
    _rt: &mut dyn Runtime,
    _params: ExtendSectorExpiration2Params,
) -> ActorResult {
    Err(ActorError::unhandled_method(32))
}
