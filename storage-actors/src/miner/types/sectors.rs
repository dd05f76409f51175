//! Parameters and returns of the miner's sector methods, and the `SectorContentChanged`
//! notification it sends.

use cid::Cid;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{RawBytes, strict_bytes};
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::bigint::bigint_ser;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::randomness::Randomness;
use fvm_shared::sector::{
    PoStProof, RegisteredAggregateProof, RegisteredSealProof, RegisteredUpdateProof, SectorNumber,
    StoragePower,
};

use crate::miner::records::SectorPreCommitInfo;
use crate::plumbing::BatchReturn;
use crate::smoothing::FilterEstimate;
use crate::verifreg::{AllocationID, ClaimID};

pub use crate::market::ext::{PieceChange, SectorChanges};

/// `InternalSectorSetupForPreseal` parameters (genesis).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct InternalSectorSetupForPresealParams {
    /// Pre-committed sectors to activate without proof.
    pub sectors: Vec<SectorNumber>,
    /// Reward's smoothed estimate.
    pub reward_smoothed: FilterEstimate,
    /// Reward's baseline power.
    #[serde(with = "bigint_ser")]
    pub reward_baseline_power: StoragePower,
    /// Power's smoothed QA power estimate.
    pub quality_adj_power_smoothed: FilterEstimate,
}

/// One partition proven by a Window PoSt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PoStPartition {
    /// Partition index within the deadline.
    pub index: u64,
    /// Sectors skipped (not already faulty): they become faults.
    pub skipped: BitField,
}

/// `SubmitWindowedPoSt` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SubmitWindowedPoStParams {
    /// The deadline proven (must be the open one).
    pub deadline: u64,
    /// The partitions proven.
    pub partitions: Vec<PoStPartition>,
    /// Exactly one proof, of the miner's PoSt type.
    pub proofs: Vec<PoStProof>,
    /// The chain the proof commits to …
    pub chain_commit_epoch: ChainEpoch,
    /// … and its ticket randomness there.
    pub chain_commit_rand: Randomness,
}

/// A non-interactive (NI-PoRep) sector to onboard. No CommD: such sectors hold no data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorNIActivationInfo {
    /// The number the replica was sealed under.
    pub sealing_number: SectorNumber,
    /// The sealing miner (must be this one).
    pub sealer_id: ActorID,
    /// CommR.
    pub sealed_cid: Cid,
    /// The number to store it under.
    pub sector_number: SectorNumber,
    /// Seal randomness epoch.
    pub seal_rand_epoch: ChainEpoch,
    /// Expiration.
    pub expiration: ChainEpoch,
}

/// `ProveCommitSectorsNI` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ProveCommitSectorsNIParams {
    /// The sectors.
    pub sectors: Vec<SectorNIActivationInfo>,
    /// Their aggregate proof.
    pub aggregate_proof: RawBytes,
    /// Their seal proof type (an NI-PoRep variant).
    pub seal_proof_type: RegisteredSealProof,
    /// The aggregation type.
    pub aggregate_proof_type: RegisteredAggregateProof,
    /// The deadline to assign them to.
    pub proving_deadline: u64,
    /// Abort if any sector fails.
    pub require_activation_success: bool,
}

/// `ProveCommitSectorsNI` return: a bare `BatchReturn`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct ProveCommitSectorsNIReturn {
    /// One result per sector.
    pub activation_results: BatchReturn,
}

/// `ProveCommitSectors3` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ProveCommitSectors3Params {
    /// One manifest per sector.
    pub sector_activations: Vec<SectorActivationManifest>,
    /// One proof per sector, or empty with an aggregate.
    pub sector_proofs: Vec<RawBytes>,
    /// An aggregate proof, or empty.
    pub aggregate_proof: RawBytes,
    /// The aggregate's type (null without one).
    pub aggregate_proof_type: Option<RegisteredAggregateProof>,
    /// Abort if any sector fails.
    pub require_activation_success: bool,
    /// Abort if any notification fails or is rejected.
    pub require_notification_success: bool,
}

/// What one sector holds: every piece in order (zeros fill the rest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorActivationManifest {
    /// The sector.
    pub sector_number: SectorNumber,
    /// Its pieces.
    pub pieces: Vec<PieceActivationManifest>,
}

/// One piece: its commitment, its verified allocation and whom to notify.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PieceActivationManifest {
    /// Piece CID (CommP).
    pub cid: Cid,
    /// Padded size.
    pub size: PaddedPieceSize,
    /// The verified allocation it claims, if any.
    pub verified_allocation_key: Option<VerifiedAllocationKey>,
    /// Actors to notify (`SectorContentChanged`) once activated.
    pub notify: Vec<DataActivationNotification>,
}

/// A verified allocation: its client and ID.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct VerifiedAllocationKey {
    /// The allocation's client.
    pub client: ActorID,
    /// The allocation.
    pub id: AllocationID,
}

/// A notification to send for a piece.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DataActivationNotification {
    /// Receiver.
    pub address: Address,
    /// Receiver-specific payload (for the market, the CBOR deal ID).
    pub payload: RawBytes,
}

/// `ProveCommitSectors3` return: a bare `BatchReturn`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct ProveCommitSectors3Return {
    /// One result per sector.
    pub activation_results: BatchReturn,
}

/// `CheckSectorProven` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CheckSectorProvenParams {
    /// The sector.
    pub sector_number: SectorNumber,
}

/// `ExtendSectorExpiration2` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ExtendSectorExpiration2Params {
    /// One entry per partition.
    pub extensions: Vec<ExpirationExtension2>,
}

/// A sector with verified claims to extend, and which claims it keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorClaim {
    /// The sector.
    pub sector_number: SectorNumber,
    /// Claims kept (their terms must reach the new expiration).
    pub maintain_claims: Vec<ClaimID>,
    /// Claims dropped (only near the sector's end).
    pub drop_claims: Vec<ClaimID>,
}

/// One partition's extension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ExpirationExtension2 {
    /// Deadline index.
    pub deadline: u64,
    /// Partition index.
    pub partition: u64,
    /// Sectors without verified claims.
    pub sectors: BitField,
    /// Sectors with verified claims.
    pub sectors_with_claims: Vec<SectorClaim>,
    /// The new expiration.
    pub new_expiration: ChainEpoch,
}

/// `TerminateSectors` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TerminateSectorsParams {
    /// One entry per partition.
    pub terminations: Vec<TerminationDeclaration>,
}

/// Sectors of one partition to terminate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TerminationDeclaration {
    /// Deadline index.
    pub deadline: u64,
    /// Partition index.
    pub partition: u64,
    /// The sectors.
    pub sectors: BitField,
}

/// `TerminateSectors` return: `[done]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TerminateSectorsReturn {
    /// Whether every early termination has been processed (else cron continues them).
    pub done: bool,
}

/// `DeclareFaults` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DeclareFaultsParams {
    /// One entry per partition.
    pub faults: Vec<FaultDeclaration>,
}

/// Sectors of one partition declared faulty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct FaultDeclaration {
    /// Deadline index.
    pub deadline: u64,
    /// Partition index.
    pub partition: u64,
    /// The sectors.
    pub sectors: BitField,
}

/// `DeclareFaultsRecovered` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DeclareFaultsRecoveredParams {
    /// One entry per partition.
    pub recoveries: Vec<RecoveryDeclaration>,
}

/// Sectors of one partition declared recovered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RecoveryDeclaration {
    /// Deadline index.
    pub deadline: u64,
    /// Partition index.
    pub partition: u64,
    /// The sectors.
    pub sectors: BitField,
}

/// `CompactPartitions` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CompactPartitionsParams {
    /// The deadline.
    pub deadline: u64,
    /// Its partitions to compact.
    pub partitions: BitField,
}

/// `CompactSectorNumbers` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CompactSectorNumbersParams {
    /// Numbers to mark allocated.
    pub mask_sector_numbers: BitField,
}

/// `ReportConsensusFault` parameters: two block headers and an optional third.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ReportConsensusFaultParams {
    /// First header.
    #[serde(with = "strict_bytes")]
    pub header1: Vec<u8>,
    /// Second header.
    #[serde(with = "strict_bytes")]
    pub header2: Vec<u8>,
    /// Parent-grinding witness.
    #[serde(with = "strict_bytes")]
    pub header_extra: Vec<u8>,
}

/// `PreCommitSectorBatch2` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PreCommitSectorBatchParams2 {
    /// The sectors.
    pub sectors: Vec<SectorPreCommitInfo>,
}

/// Alias of [`PreCommitSectorBatchParams2`] (the name methods already use).
pub type PreCommitSectorBatch2Params = PreCommitSectorBatchParams2;

/// `DisputeWindowedPoSt` parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DisputeWindowedPoStParams {
    /// The deadline.
    pub deadline: u64,
    /// Index of the optimistically accepted proof in it.
    pub post_index: u64,
}

/// `ProveReplicaUpdates3` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ProveReplicaUpdates3Params {
    /// One manifest per sector.
    pub sector_updates: Vec<SectorUpdateManifest>,
    /// One proof per sector.
    pub sector_proofs: Vec<RawBytes>,
    /// Aggregate proof (not supported: must be empty).
    pub aggregate_proof: RawBytes,
    /// The update proof type.
    pub update_proofs_type: RegisteredUpdateProof,
    /// The aggregate's type (null).
    pub aggregate_proof_type: Option<RegisteredAggregateProof>,
    /// Abort if any sector fails.
    pub require_activation_success: bool,
    /// Abort if any notification fails or is rejected.
    pub require_notification_success: bool,
}

/// One sector's update.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorUpdateManifest {
    /// The sector.
    pub sector: SectorNumber,
    /// Its deadline.
    pub deadline: u64,
    /// Its partition.
    pub partition: u64,
    /// The new CommR.
    pub new_sealed_cid: Cid,
    /// The new content, in order.
    pub pieces: Vec<PieceActivationManifest>,
}

/// `ProveReplicaUpdates3` return: a bare `BatchReturn`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct ProveReplicaUpdates3Return {
    /// One result per sector.
    pub activation_results: BatchReturn,
}

/// `SectorContentChanged` parameters: a bare list of sectors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct SectorContentChangedParams {
    /// Distinct sectors with new content.
    pub sectors: Vec<SectorChanges>,
}

/// `SectorContentChanged` return: a bare list, one entry per sector notified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct SectorContentChangedReturn {
    /// Per sector, in request order.
    pub sectors: Vec<SectorReturn>,
}

/// One sector's answer: a bare list, one entry per piece.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct SectorReturn {
    /// Per piece, in request order.
    pub added: Vec<PieceReturn>,
}

/// One piece's answer: a bare bool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct PieceReturn {
    /// Whether the receiver accepted it.
    pub accepted: bool,
}
