//! What the market sends to and receives from other actors: the miner's control queries and
//! sector-content notifications (declared here, as builtin-actors' market does, until the
//! miner lands), and the verified registry's allocation requests carried by a datacap transfer
//! (the registry's own types).

use cid::Cid;
use fvm_ipld_encoding::RawBytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::MethodNum;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;

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

pub use crate::verifreg::{
    AllocationRequest, AllocationRequests, AllocationsResponse, ClaimExtensionRequest,
};
