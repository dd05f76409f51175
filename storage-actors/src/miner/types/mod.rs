//! The miner's method numbers, exit codes and every parameter and return type of its methods
//! (builtin-actors v18 `actors/miner/src/{lib.rs,types.rs}`), with the network's encodings:
//! CBOR tuples in field order, single-field wrappers transparent exactly where upstream marks
//! them so, byte strings strict. Shapes other actors already declare (power's constructor and
//! cron parameters, reward's `ApplyRewards`, the market's `SectorChanges`) are re-exported so
//! that both sides share one definition.
//!
//! - [`control`]: owner, worker, beneficiary, peer info, balances and the read-only getters.
//! - [`sectors`]: pre-commit, prove-commit, PoSt, faults, terminations, extensions, updates and
//!   the `SectorContentChanged` notification.

pub mod control;
pub mod sectors;

use fvm_ipld_encoding::tuple::*;
use fvm_shared::MethodNum;
use fvm_shared::error::ExitCode;

pub use control::*;
pub use sectors::*;

pub use super::records::{SectorPreCommitInfo, WorkerKeyChange};
pub use crate::power::{DeferredCronEventParams, MinerConstructorParams};
pub use crate::reward::ApplyRewardParams;
pub use fvm_shared::randomness::Randomness;
pub use fvm_shared::sector::PoStProof;

/// `Constructor` (init only).
pub const CONSTRUCTOR_METHOD: MethodNum = 1;
/// `ControlAddresses`.
pub const CONTROL_ADDRESSES_METHOD: MethodNum = 2;
/// `ChangeWorkerAddress`.
pub const CHANGE_WORKER_ADDRESS_METHOD: MethodNum = 3;
/// `ChangePeerID`.
pub const CHANGE_PEER_ID_METHOD: MethodNum = 4;
/// `SubmitWindowedPoSt`.
pub const SUBMIT_WINDOWED_POST_METHOD: MethodNum = 5;
/// `TerminateSectors`.
pub const TERMINATE_SECTORS_METHOD: MethodNum = 9;
/// `DeclareFaults`.
pub const DECLARE_FAULTS_METHOD: MethodNum = 10;
/// `DeclareFaultsRecovered`.
pub const DECLARE_FAULTS_RECOVERED_METHOD: MethodNum = 11;
/// `OnDeferredCronEvent` (power only).
pub const ON_DEFERRED_CRON_EVENT_METHOD: MethodNum = 12;
/// `CheckSectorProven`.
pub const CHECK_SECTOR_PROVEN_METHOD: MethodNum = 13;
/// `ApplyRewards` (reward only).
pub const APPLY_REWARDS_METHOD: MethodNum = 14;
/// `ReportConsensusFault`.
pub const REPORT_CONSENSUS_FAULT_METHOD: MethodNum = 15;
/// `WithdrawBalance`.
pub const WITHDRAW_BALANCE_METHOD: MethodNum = 16;
/// `InternalSectorSetupForPreseal` (system only, genesis).
pub const INTERNAL_SECTOR_SETUP_FOR_PRESEAL_METHOD: MethodNum = 17;
/// `ChangeMultiaddrs`.
pub const CHANGE_MULTIADDRS_METHOD: MethodNum = 18;
/// `CompactPartitions`.
pub const COMPACT_PARTITIONS_METHOD: MethodNum = 19;
/// `CompactSectorNumbers`.
pub const COMPACT_SECTOR_NUMBERS_METHOD: MethodNum = 20;
/// `ConfirmChangeWorkerAddress`.
pub const CONFIRM_CHANGE_WORKER_ADDRESS_METHOD: MethodNum = 21;
/// `RepayDebt`.
pub const REPAY_DEBT_METHOD: MethodNum = 22;
/// `ChangeOwnerAddress`.
pub const CHANGE_OWNER_ADDRESS_METHOD: MethodNum = 23;
/// `DisputeWindowedPoSt`.
pub const DISPUTE_WINDOWED_POST_METHOD: MethodNum = 24;
/// `PreCommitSectorBatch2` (6, 7, 8, 25, 26, 27 and 29 are retired).
pub const PRE_COMMIT_SECTOR_BATCH2_METHOD: MethodNum = 28;
/// `ChangeBeneficiary`.
pub const CHANGE_BENEFICIARY_METHOD: MethodNum = 30;
/// `GetBeneficiary`.
pub const GET_BENEFICIARY_METHOD: MethodNum = 31;
/// `ExtendSectorExpiration2`.
pub const EXTEND_SECTOR_EXPIRATION2_METHOD: MethodNum = 32;
/// `ProveCommitSectors3` (33, `MovePartitions`, is not in v18).
pub const PROVE_COMMIT_SECTORS3_METHOD: MethodNum = 34;
/// `ProveReplicaUpdates3`.
pub const PROVE_REPLICA_UPDATES3_METHOD: MethodNum = 35;
/// `ProveCommitSectorsNI`.
pub const PROVE_COMMIT_SECTORS_NI_METHOD: MethodNum = 36;

/// FRC-42 `ChangeWorkerAddress` (= 3).
pub const CHANGE_WORKER_ADDRESS_EXPORTED: MethodNum = 3_302_309_124;
/// FRC-42 `ChangePeerID` (= 4).
pub const CHANGE_PEER_ID_EXPORTED: MethodNum = 1_236_548_004;
/// FRC-42 `WithdrawBalance` (= 16).
pub const WITHDRAW_BALANCE_EXPORTED: MethodNum = 2_280_458_852;
/// FRC-42 `ChangeMultiaddrs` (= 18).
pub const CHANGE_MULTIADDRS_EXPORTED: MethodNum = 1_063_480_576;
/// FRC-42 `ConfirmChangeWorkerAddress` (= 21).
pub const CONFIRM_CHANGE_WORKER_ADDRESS_EXPORTED: MethodNum = 2_354_970_453;
/// FRC-42 `RepayDebt` (= 22).
pub const REPAY_DEBT_EXPORTED: MethodNum = 3_665_352_697;
/// FRC-42 `ChangeOwnerAddress` (= 23).
pub const CHANGE_OWNER_ADDRESS_EXPORTED: MethodNum = 1_010_589_339;
/// FRC-42 `ChangeBeneficiary` (= 30).
pub const CHANGE_BENEFICIARY_EXPORTED: MethodNum = 1_570_634_796;
/// FRC-42 `GetBeneficiary` (= 31).
pub const GET_BENEFICIARY_EXPORTED: MethodNum = 4_158_972_569;
/// FRC-42 `GetOwner`.
pub const GET_OWNER_EXPORTED: MethodNum = 3_275_365_574;
/// FRC-42 `IsControllingAddress`.
pub const IS_CONTROLLING_ADDRESS_EXPORTED: MethodNum = 348_244_887;
/// FRC-42 `GetSectorSize`.
pub const GET_SECTOR_SIZE_EXPORTED: MethodNum = 3_858_292_296;
/// FRC-42 `GetAvailableBalance`.
pub const GET_AVAILABLE_BALANCE_EXPORTED: MethodNum = 4_026_106_874;
/// FRC-42 `GetVestingFunds`.
pub const GET_VESTING_FUNDS_EXPORTED: MethodNum = 1_726_876_304;
/// FRC-42 `GetPeerID`.
pub const GET_PEER_ID_EXPORTED: MethodNum = 2_812_875_329;
/// FRC-42 `GetMultiaddrs`.
pub const GET_MULTIADDRS_EXPORTED: MethodNum = 1_332_909_407;
/// FRC-42 `MaxTerminationFee`.
pub const MAX_TERMINATION_FEE_EXPORTED: MethodNum = 4_127_382_196;
/// FRC-42 `InitialPledge`.
pub const INITIAL_PLEDGE_EXPORTED: MethodNum = 3_180_523_767;
/// FRC-42 `GenerateSectorLocation` (FIP-0112).
pub const GENERATE_SECTOR_LOCATION_EXPORTED: MethodNum = 1_321_604_665;
/// FRC-42 `ValidateSectorStatus` (FIP-0112).
pub const VALIDATE_SECTOR_STATUS_EXPORTED: MethodNum = 3_092_458_564;
/// FRC-42 `GetNominalSectorExpiration`.
pub const GET_NOMINAL_SECTOR_EXPIRATION_EXPORTED: MethodNum = 3_010_055_991;

/// FRC-42 `SectorContentChanged`, the notification the miner sends (FIP-0076).
pub const SECTOR_CONTENT_CHANGED_METHOD: MethodNum = crate::market::SECTOR_CONTENT_CHANGED_METHOD;

/// The miner's balance would no longer cover its locked funds, deposits and pledge.
pub const ERR_BALANCE_INVARIANTS_BROKEN: ExitCode = ExitCode::new(1000);
/// A required `SectorContentChanged` notification could not be sent.
pub const ERR_NOTIFICATION_SEND_FAILED: ExitCode = ExitCode::new(1001);
/// A required notification's receiver aborted.
pub const ERR_NOTIFICATION_RECEIVER_ABORTED: ExitCode = ExitCode::new(1002);
/// A required notification's return was missing, undecodable or of the wrong shape.
pub const ERR_NOTIFICATION_RESPONSE_INVALID: ExitCode = ExitCode::new(1003);
/// A required notification's receiver rejected a piece.
pub const ERR_NOTIFICATION_REJECTED: ExitCode = ExitCode::new(1004);

/// A cron callback's kind (`CronEventPayload::event_type`).
pub type CronEvent = i64;
/// Apply a pending worker key change (no longer enrolled; kept for its number).
pub const CRON_EVENT_WORKER_KEY_CHANGE: CronEvent = 0;
/// End of a proving deadline.
pub const CRON_EVENT_PROVING_DEADLINE: CronEvent = 1;
/// Continue early terminations that did not fit in one message.
pub const CRON_EVENT_PROCESS_EARLY_TERMINATIONS: CronEvent = 2;

/// The payload the miner enrolls with power's cron: `[event_type]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CronEventPayload {
    /// One of the `CRON_EVENT_*` kinds.
    pub event_type: CronEvent,
}

/// A partition's address within the miner (not a wire type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartitionKey {
    /// Deadline index.
    pub deadline: u64,
    /// Partition index within it.
    pub partition: u64,
}

#[cfg(test)]
mod tests;
