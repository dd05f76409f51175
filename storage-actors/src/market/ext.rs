//! What the market sends to and receives from other actors: the miner's control queries and
//! sector-content notifications, and the verified registry's allocation requests carried by a
//! datacap transfer. Declared here, as builtin-actors' market does, so the market depends only
//! on the wire format and not on those actors' code.

use cid::Cid;
use fvm_ipld_encoding::RawBytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, MethodNum};

use super::types::AllocationID;
use crate::plumbing::BatchReturn;

/// Miner `ControlAddresses`.
pub const MINER_CONTROL_ADDRESSES_METHOD: MethodNum = 2;
/// Miner FRC-42 `IsControllingAddress` (params `Address`, returns `bool`).
pub const MINER_IS_CONTROLLING_ADDRESS_METHOD: MethodNum = 348_244_887;

/// The miner's `ControlAddresses` return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ControlAddresses {
    /// Owner (receives the miner's market withdrawals).
    pub owner: Address,
    /// Worker.
    pub worker: Address,
    /// Other control addresses.
    pub control_addresses: Vec<Address>,
}

/// One sector's new pieces, as the miner's `SectorContentChanged` lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorChanges {
    /// The sector.
    pub sector: SectorNumber,
    /// The sector's expiration: a deal must end by then.
    pub minimum_commitment_epoch: ChainEpoch,
    /// The pieces, in manifest order.
    pub added: Vec<PieceChange>,
}

/// One piece: for the market, the payload is the CBOR deal ID.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PieceChange {
    /// Piece CID.
    pub data: Cid,
    /// Piece size.
    pub size: PaddedPieceSize,
    /// Notification payload.
    pub payload: RawBytes,
}

/// One sector's answer: one `accepted` bool per piece (transparent at every level on the wire,
/// so the whole return is `[[bool…]…]`).
pub type SectorReturn = Vec<bool>;

/// A verified allocation request, one per verified deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AllocationRequest {
    /// The provider.
    pub provider: ActorID,
    /// The piece.
    pub data: Cid,
    /// Its size.
    pub size: PaddedPieceSize,
    /// Shortest claim term.
    pub term_min: ChainEpoch,
    /// Longest claim term.
    pub term_max: ChainEpoch,
    /// Last epoch it can be claimed.
    pub expiration: ChainEpoch,
}

/// A claim extension request (the market never makes one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ClaimExtensionRequest {
    /// The provider.
    pub provider: ActorID,
    /// The claim.
    pub claim: u64,
    /// New longest term.
    pub term_max: ChainEpoch,
}

/// The operator data of the market's datacap transfer to the verified registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AllocationRequests {
    /// New allocations.
    pub allocations: Vec<AllocationRequest>,
    /// Extensions.
    pub extensions: Vec<ClaimExtensionRequest>,
}

/// What the registry's receiver hook returns (the transfer's `recipient_data`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AllocationsResponse {
    /// Per allocation request.
    pub allocation_results: BatchReturn,
    /// Per extension request.
    pub extension_results: BatchReturn,
    /// IDs of the new allocations, in request order.
    pub new_allocations: Vec<AllocationID>,
}
