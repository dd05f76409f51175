//! (being written)

use filecoin_vm::{ActorError, ActorResult, Runtime};

use crate::miner::types::CompactPartitionsParams;

/// Not yet implemented.
pub fn compact_partitions(_rt: &mut dyn Runtime, _params: CompactPartitionsParams) -> ActorResult {
    Err(ActorError::unhandled_method(19))
}

/// Not yet implemented.
pub fn compact_sector_numbers(
    _rt: &mut dyn Runtime,
    _params: crate::miner::types::CompactSectorNumbersParams,
) -> ActorResult {
    Err(ActorError::unhandled_method(20))
}
