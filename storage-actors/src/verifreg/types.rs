//! The verified registry's method numbers, policy and wire types: every parameter and return
//! is the network's CBOR tuple (builtin-actors `actors/verifreg/src/types.rs`), so the market,
//! the miner and contracts built against the network talk to ours unchanged.

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::address::Address;
use fvm_shared::bigint::{BigInt, bigint_ser};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, MethodNum};

use super::state::Claim;
use crate::plumbing::BatchReturn;

/// Constructor (system only): the root key.
pub const CONSTRUCTOR_METHOD: MethodNum = 1;
/// `AddVerifier` (root key only).
pub const ADD_VERIFIER_METHOD: MethodNum = 2;
/// `RemoveVerifier` (root key only).
pub const REMOVE_VERIFIER_METHOD: MethodNum = 3;
/// `AddVerifiedClient` (a verifier).
pub const ADD_VERIFIED_CLIENT_METHOD: MethodNum = 4;
/// `RemoveVerifiedClientDataCap` (root key, with two verifiers' signatures).
pub const REMOVE_VERIFIED_CLIENT_DATA_CAP_METHOD: MethodNum = 7;
/// `RemoveExpiredAllocations` (anyone).
pub const REMOVE_EXPIRED_ALLOCATIONS_METHOD: MethodNum = 8;
/// `ClaimAllocations` (miners; not exported).
pub const CLAIM_ALLOCATIONS_METHOD: MethodNum = 9;
/// `GetClaims` (anyone).
pub const GET_CLAIMS_METHOD: MethodNum = 10;
/// `ExtendClaimTerms` (each claim's client).
pub const EXTEND_CLAIM_TERMS_METHOD: MethodNum = 11;
/// `RemoveExpiredClaims` (anyone).
pub const REMOVE_EXPIRED_CLAIMS_METHOD: MethodNum = 12;
/// FRC-42 `AddVerifiedClient`.
pub const ADD_VERIFIED_CLIENT_EXPORTED: MethodNum = 3_916_220_144;
/// FRC-42 `RemoveExpiredAllocations`.
pub const REMOVE_EXPIRED_ALLOCATIONS_EXPORTED: MethodNum = 2_421_068_268;
/// FRC-42 `GetClaims`.
pub const GET_CLAIMS_EXPORTED: MethodNum = 2_199_871_187;
/// FRC-42 `ExtendClaimTerms`.
pub const EXTEND_CLAIM_TERMS_EXPORTED: MethodNum = 1_752_273_514;
/// FRC-42 `RemoveExpiredClaims`.
pub const REMOVE_EXPIRED_CLAIMS_EXPORTED: MethodNum = 2_873_373_899;
/// FRC-42 `Receive`: the FRC-46 hook datacap (f07) calls when tokens arrive here.
pub const RECEIVE_METHOD: MethodNum = crate::token::RECEIVER_HOOK_METHOD;

/// Epochs in a day (30-second epochs).
pub const EPOCHS_IN_DAY: ChainEpoch = 2880;
/// Epochs in a year (365.24 days of 30-second epochs, as builtin-actors rounds it).
pub const EPOCHS_IN_YEAR: ChainEpoch = 31_556_925 / 30;
/// Smallest allocation (and verifier or client allowance), in bytes: the devnet bundle's
/// `small-deals` value. Mainnet's 1 MiB could never fit a 2KiB sector.
pub const MINIMUM_VERIFIED_ALLOCATION_SIZE: u64 = 256;
/// Shortest term an allocation may ask for: 180 days.
pub const MINIMUM_VERIFIED_ALLOCATION_TERM: ChainEpoch = 180 * EPOCHS_IN_DAY;
/// Longest term an allocation or claim may reach: 5 years.
pub const MAXIMUM_VERIFIED_ALLOCATION_TERM: ChainEpoch = 5 * EPOCHS_IN_YEAR;
/// Furthest an allocation's expiration may lie from now: 60 days.
pub const MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION: ChainEpoch = 60 * EPOCHS_IN_DAY;

/// Datacap in the registry: whole bytes (datacap tokens are bytes × 10^18).
pub type DataCap = BigInt;
/// An allocation's identifier (0 means none; the first is 1).
pub type AllocationID = u64;
/// A claim's identifier: the identifier of the allocation it claimed.
pub type ClaimID = u64;

/// What a verifier signs (before the CBOR of a [`RemoveDataCapProposal`]) to agree to remove
/// a client's datacap.
pub const SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP: &[u8] = b"fil_removedatacap:";

/// What `AddVerifier` and `AddVerifiedClient` take: `[address, allowance]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct VerifierParams {
    /// The verifier (or client) to credit.
    pub address: Address,
    /// Bytes it may grant (or hold).
    #[serde(with = "bigint_ser")]
    pub allowance: DataCap,
}

/// `AddVerifier`'s parameters.
pub type AddVerifierParams = VerifierParams;
/// `AddVerifiedClient`'s parameters.
pub type AddVerifiedClientParams = VerifierParams;

/// What `RemoveVerifiedClientDataCap` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RemoveDataCapParams {
    /// The client whose datacap is destroyed.
    pub verified_client_to_remove: Address,
    /// How many bytes (capped at the client's balance).
    #[serde(with = "bigint_ser")]
    pub data_cap_amount_to_remove: DataCap,
    /// The first verifier's agreement.
    pub verifier_request_1: RemoveDataCapRequest,
    /// The second (different) verifier's agreement.
    pub verifier_request_2: RemoveDataCapRequest,
}

/// One verifier's signed agreement to a removal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RemoveDataCapRequest {
    /// The verifier (its AuthenticateMessage checks the signature).
    pub verifier: Address,
    /// Its signature over the domain tag and the CBOR proposal.
    pub signature: Signature,
}

/// What `RemoveVerifiedClientDataCap` returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RemoveDataCapReturn {
    /// The client, as an ID address.
    pub verified_client: Address,
    /// Bytes actually destroyed.
    #[serde(with = "bigint_ser")]
    pub data_cap_removed: DataCap,
}

/// A (verifier, client) pair's next removal proposal number: `[id]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RemoveDataCapProposalID {
    /// Starts at 0; each removal using it moves it on.
    pub id: u64,
}

/// What each verifier signs (after [`SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RemoveDataCapProposal {
    /// The client, as an ID address.
    pub verified_client: Address,
    /// Bytes to remove.
    #[serde(with = "bigint_ser")]
    pub data_cap_amount: DataCap,
    /// The verifier's current proposal number for this client.
    pub removal_proposal_id: RemoveDataCapProposalID,
}

/// What `RemoveExpiredAllocations` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RemoveExpiredAllocationsParams {
    /// Whose allocations.
    pub client: ActorID,
    /// Which; empty means every expired one.
    pub allocation_ids: Vec<AllocationID>,
}

/// What `RemoveExpiredAllocations` returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RemoveExpiredAllocationsReturn {
    /// The ids named, or found expired.
    pub considered: Vec<AllocationID>,
    /// One result per considered id.
    pub results: BatchReturn,
    /// Bytes given back to the client.
    #[serde(with = "bigint_ser")]
    pub datacap_recovered: DataCap,
}

/// One sector's claims in `ClaimAllocations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorAllocationClaims {
    /// The sector holding the pieces.
    pub sector: SectorNumber,
    /// Its expiration epoch (bounds the claims' terms).
    pub expiry: ChainEpoch,
    /// The allocations it claims.
    pub claims: Vec<AllocationClaim>,
}

/// One allocation claimed: must match the allocation exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AllocationClaim {
    /// The allocation's client.
    pub client: ActorID,
    /// The allocation.
    pub allocation_id: AllocationID,
    /// The piece CID.
    pub data: Cid,
    /// The piece size.
    pub size: PaddedPieceSize,
}

/// What `ClaimAllocations` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ClaimAllocationsParams {
    /// Claims grouped by sector; a failed claim fails its whole sector.
    pub sectors: Vec<SectorAllocationClaims>,
    /// Abort the call (16) if any sector fails.
    pub all_or_nothing: bool,
}

/// Bytes claimed in one successful sector (a bare BigInt on the wire).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct SectorClaimSummary {
    /// Sum of the sector's claimed sizes.
    #[serde(with = "bigint_ser")]
    pub claimed_space: BigInt,
}

/// What `ClaimAllocations` returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ClaimAllocationsReturn {
    /// One result per sector.
    pub sector_results: BatchReturn,
    /// One summary per successful sector.
    pub sector_claims: Vec<SectorClaimSummary>,
}

/// One claim's new maximum term.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ClaimTerm {
    /// The claim's provider.
    pub provider: ActorID,
    /// The claim.
    pub claim_id: ClaimID,
    /// New maximum term (epochs after `term_start`).
    pub term_max: ChainEpoch,
}

/// What `ExtendClaimTerms` takes: `[[terms…]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ExtendClaimTermsParams {
    /// The extensions.
    pub terms: Vec<ClaimTerm>,
}

/// What `ExtendClaimTerms` returns.
pub type ExtendClaimTermsReturn = BatchReturn;

/// A request, in a datacap transfer's operator data, for a new allocation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AllocationRequest {
    /// The miner that may claim it.
    pub provider: ActorID,
    /// The piece CID.
    pub data: Cid,
    /// The piece size (the datacap spent).
    pub size: PaddedPieceSize,
    /// Minimum term the provider must commit to.
    pub term_min: ChainEpoch,
    /// Maximum term the claim may earn power for.
    pub term_max: ChainEpoch,
    /// Last epoch it can be claimed.
    pub expiration: ChainEpoch,
}

/// A request, paid with datacap, to extend a claim beyond its original limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ClaimExtensionRequest {
    /// The claim's provider.
    pub provider: ActorID,
    /// The claim.
    pub claim: ClaimID,
    /// Its new maximum term.
    pub term_max: ChainEpoch,
}

/// The operator data of a datacap transfer to the registry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AllocationRequests {
    /// New allocations (the sender is their client).
    pub allocations: Vec<AllocationRequest>,
    /// Claims to extend.
    pub extensions: Vec<ClaimExtensionRequest>,
}

/// What the Receive hook returns (the transfer's `recipient_data`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AllocationsResponse {
    /// One result per allocation request (all succeed, or the transfer fails).
    pub allocation_results: BatchReturn,
    /// One result per extension request.
    pub extension_results: BatchReturn,
    /// The new allocations' ids, in request order.
    pub new_allocations: Vec<AllocationID>,
}

/// What `GetClaims` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetClaimsParams {
    /// The provider.
    pub provider: ActorID,
    /// Its claims to read.
    pub claim_ids: Vec<ClaimID>,
}

/// What `GetClaims` returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetClaimsReturn {
    /// One result per id (17 for unknown ones).
    pub batch_info: BatchReturn,
    /// The claims found, in request order.
    pub claims: Vec<Claim>,
}

/// What `RemoveExpiredClaims` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RemoveExpiredClaimsParams {
    /// Whose claims (need not be the caller).
    pub provider: ActorID,
    /// Which; empty means every expired one.
    pub claim_ids: Vec<ClaimID>,
}

/// What `RemoveExpiredClaims` returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RemoveExpiredClaimsReturn {
    /// The ids named, or found expired.
    pub considered: Vec<ClaimID>,
    /// One result per considered id.
    pub results: BatchReturn,
}
