//! Questions about the miner's sectors that other actors and contracts ask (whether a sector
//! is proven, where it is and in what status, when it expires), and `ReportConsensusFault`,
//! which anyone may call with evidence against the miner.
//!
//! FIP-0112's location pair splits a status check in two: `GenerateSectorLocation` searches
//! every deadline once, off-chain, and returns the (deadline, partition) as opaque `aux_data`;
//! `ValidateSectorStatus` then reads that one partition on chain.

use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_shared::sector::SectorNumber;

use crate::miner::partition::Partition;
use crate::miner::policy::MAX_SECTOR_NUMBER;
use crate::miner::proofs::verify_consensus_fault;
use crate::miner::state::MinerState;
use crate::miner::types::{
    CheckSectorProvenParams, GenerateSectorLocationParams, GenerateSectorLocationReturn,
    GetNominalSectorExpirationParams, GetNominalSectorExpirationReturn, NO_DEADLINE, NO_PARTITION,
    ReportConsensusFaultParams, SectorLocation, SectorStatusCode, ValidateSectorStatusParams,
    ValidateSectorStatusReturn,
};
use crate::plumbing::{load_state, ret, ret_none};

/// `CheckSectorProven`: succeeds iff the sector is in the sectors table (proven and not yet
/// removed by compaction); `USR_NOT_FOUND` otherwise.
pub fn check_sector_proven(rt: &mut dyn Runtime, params: CheckSectorProvenParams) -> ActorResult {
    let number = params.sector_number;
    if number > MAX_SECTOR_NUMBER {
        return Err(ActorError::illegal_argument("sector number out of range"));
    }
    let state: MinerState = load_state(rt)?;
    match state.get_sector(&rt.store(), number) {
        Err(e) => Err(ActorError::illegal_state(format!(
            "failed to load proven sector {number}: {}",
            e.message()
        ))),
        Ok(None) => Err(ActorError::not_found(format!("sector {number} not proven"))),
        Ok(Some(_)) => ret_none(),
    }
}

/// `GenerateSectorLocation` (FIP-0112): the sector's status and CBOR(location). A sector not
/// in the sectors table (never proven, or terminated and compacted away) is `Dead` at
/// (`NO_DEADLINE`, `NO_PARTITION`); checking the table first spares the search of all 48
/// deadlines for it. Every sector in the table is in some partition, so failing to find one
/// is a broken state.
pub fn generate_sector_location(
    rt: &mut dyn Runtime,
    params: GenerateSectorLocationParams,
) -> ActorResult {
    let number = params.sector_number;
    let state: MinerState = load_state(rt)?;
    let store = rt.store();
    if state.get_sector(&store, number)?.is_none() {
        let location = SectorLocation { deadline: NO_DEADLINE, partition: NO_PARTITION };
        return ret(&GenerateSectorLocationReturn {
            status: SectorStatusCode::Dead,
            aux_data: encode_location(&location)?,
        });
    }
    let (deadline_index, partition_index) = state.find_sector(&store, number).map_err(|e| {
        ActorError::illegal_state(format!("failed to find sector location: {}", e.message()))
    })?;
    let partition = state
        .load_deadlines(&store)?
        .load_deadline(&store, deadline_index)?
        .load_partition(&store, partition_index)?;
    let status = if partition.terminated.get(number) {
        SectorStatusCode::Dead
    } else if partition.faults.get(number) {
        SectorStatusCode::Faulty
    } else {
        SectorStatusCode::Active
    };
    let location =
        SectorLocation { deadline: deadline_index as i64, partition: partition_index as i64 };
    ret(&GenerateSectorLocationReturn { status, aux_data: encode_location(&location)? })
}

/// `ValidateSectorStatus` (FIP-0112): whether the sector has `status` at the location in
/// `aux_data`, reading only that partition. (`NO_DEADLINE`, `NO_PARTITION`) can only vouch for
/// `Dead`, and only for a sector gone from the sectors table; a sector still in the table is
/// somewhere else, so that location is `USR_NOT_FOUND`, as is a partition without the sector.
/// An unproven sector counts as `Active` unless faulty or terminated, as upstream has it.
pub fn validate_sector_status(
    rt: &mut dyn Runtime,
    params: ValidateSectorStatusParams,
) -> ActorResult {
    let number = params.sector_number;
    let state: MinerState = load_state(rt)?;
    let location: SectorLocation = fvm_ipld_encoding::from_slice(&params.aux_data)
        .map_err(|e| ActorError::illegal_argument(format!("invalid aux_data: {e}")))?;
    let no_deadline = location.deadline == NO_DEADLINE;
    let no_partition = location.partition == NO_PARTITION;
    if no_deadline != no_partition {
        return Err(ActorError::illegal_argument(
            "invalid sector location: deadline and partition must both be NO or both be set",
        ));
    }
    let store = rt.store();
    if no_deadline {
        if state.get_sector(&store, number)?.is_none() {
            return ret(&ValidateSectorStatusReturn {
                valid: params.status == SectorStatusCode::Dead,
            });
        }
        return Err(ActorError::not_found(format!(
            "sector {number} not found at NO_DEADLINE, NO_PARTITION"
        )));
    }
    // Other negative indices become huge unsigned ones, which no deadline or partition has;
    // loading them fails as upstream's cast makes it fail.
    let partition = load_located_partition(&state, &store, &location)?;
    if !partition.sectors.get(number) {
        return Err(ActorError::not_found(format!(
            "sector {number} not found at deadline {} partition {}",
            location.deadline, location.partition
        )));
    }
    let terminated = partition.terminated.get(number);
    let faulty = partition.faults.get(number);
    let valid = match params.status {
        SectorStatusCode::Active => !terminated && !faulty,
        SectorStatusCode::Dead => terminated,
        SectorStatusCode::Faulty => faulty,
    };
    ret(&ValidateSectorStatusReturn { valid })
}

/// `GetNominalSectorExpiration`: the expiration recorded for a sector in the sectors table
/// (its scheduled end, even if it is faulty or terminated but not yet compacted);
/// `USR_NOT_FOUND` for a sector not there.
pub fn get_nominal_sector_expiration(
    rt: &mut dyn Runtime,
    params: GetNominalSectorExpirationParams,
) -> ActorResult {
    let number: SectorNumber = params;
    let state: MinerState = load_state(rt)?;
    let sector = state
        .get_sector(&rt.store(), number)?
        .ok_or_else(|| ActorError::not_found(format!("sector {number} not found")))?;
    ret(&GetNominalSectorExpirationReturn { expiration: sector.expiration })
}

/// `ReportConsensusFault`. The verification is charged as on the network, but on this devnet
/// (a single block producer, see [`verify_consensus_fault`]) it never finds a fault, so the
/// report fails exactly as the network fails a report of no fault: `USR_ILLEGAL_ARGUMENT`,
/// with no penalty, reporter reward or change to the miner. The headers are therefore never
/// decoded.
pub fn report_consensus_fault(
    rt: &mut dyn Runtime,
    _params: ReportConsensusFaultParams,
) -> ActorResult {
    if verify_consensus_fault(rt)? {
        // The devnet verifier yields no fault record (offender, epoch) to act on; should it
        // ever report one, refuse rather than penalize blindly.
        return Err(ActorError::illegal_state(
            "consensus fault verified without a fault record to apply",
        ));
    }
    Err(ActorError::illegal_argument("No consensus fault found"))
}

/// The partition at a located (deadline, partition), both non-negative by then or cast as
/// upstream casts them.
fn load_located_partition<BS: fvm_ipld_blockstore::Blockstore>(
    state: &MinerState,
    store: &BS,
    location: &SectorLocation,
) -> Result<Partition, ActorError> {
    let deadline = state
        .load_deadlines(store)?
        .load_deadline(store, location.deadline as u64)
        .map_err(|e| wrap(e, "failed to load deadline"))?;
    deadline.load_partition(store, location.partition as u64)
}

/// CBOR of a location, the `aux_data` of FIP-0112.
fn encode_location(location: &SectorLocation) -> Result<Vec<u8>, ActorError> {
    fvm_ipld_encoding::to_vec(location).map_err(|e| ActorError::illegal_state(e.to_string()))
}

/// Prefixes an error's message, keeping its exit code.
fn wrap(e: ActorError, what: &str) -> ActorError {
    ActorError::new(e.exit_code(), format!("{what}: {}", e.message()))
}
