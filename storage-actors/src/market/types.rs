//! The market's method numbers, records and parameter tuples, field for field as the network
//! encodes them (builtin-actors v18 `actors/market/src/{types.rs,deal.rs}`).

use cid::Cid;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::{RegisteredSealProof, SectorNumber};
use fvm_shared::{ActorID, MethodNum};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::plumbing::BatchReturn;
use fvm_ipld_bitfield::BitField;

/// A deal's ID (`next_id` at publication).
pub type DealID = u64;
/// A verified registry allocation's ID (0: none).
pub type AllocationID = u64;
/// The allocation ID of a deal that has none.
pub const NO_ALLOCATION_ID: AllocationID = 0;

/// `Constructor` (system only).
pub const CONSTRUCTOR_METHOD: MethodNum = 1;
/// `AddBalance`.
pub const ADD_BALANCE_METHOD: MethodNum = 2;
/// `WithdrawBalance`.
pub const WITHDRAW_BALANCE_METHOD: MethodNum = 3;
/// `PublishStorageDeals`.
pub const PUBLISH_STORAGE_DEALS_METHOD: MethodNum = 4;
/// `VerifyDealsForActivation` (miners).
pub const VERIFY_DEALS_FOR_ACTIVATION_METHOD: MethodNum = 5;
/// `BatchActivateDeals` (miners).
pub const BATCH_ACTIVATE_DEALS_METHOD: MethodNum = 6;
/// `OnMinerSectorsTerminate` (miners).
pub const ON_MINER_SECTORS_TERMINATE_METHOD: MethodNum = 7;
/// `CronTick` (cron only).
pub const CRON_TICK_METHOD: MethodNum = 9;
/// FRC-42 `AddBalance`.
pub const ADD_BALANCE_EXPORTED: MethodNum = 822_473_126;
/// FRC-42 `WithdrawBalance`.
pub const WITHDRAW_BALANCE_EXPORTED: MethodNum = 2_280_458_852;
/// FRC-42 `PublishStorageDeals`.
pub const PUBLISH_STORAGE_DEALS_EXPORTED: MethodNum = 2_236_929_350;
/// FRC-42 `GetBalance`.
pub const GET_BALANCE_METHOD: MethodNum = 726_108_461;
/// FRC-42 `GetDealDataCommitment`.
pub const GET_DEAL_DATA_COMMITMENT_METHOD: MethodNum = 1_157_985_802;
/// FRC-42 `GetDealClient`.
pub const GET_DEAL_CLIENT_METHOD: MethodNum = 128_053_329;
/// FRC-42 `GetDealProvider`.
pub const GET_DEAL_PROVIDER_METHOD: MethodNum = 935_081_690;
/// FRC-42 `GetDealLabel`.
pub const GET_DEAL_LABEL_METHOD: MethodNum = 46_363_526;
/// FRC-42 `GetDealTerm`.
pub const GET_DEAL_TERM_METHOD: MethodNum = 163_777_312;
/// FRC-42 `GetDealTotalPrice`.
pub const GET_DEAL_TOTAL_PRICE_METHOD: MethodNum = 4_287_162_428;
/// FRC-42 `GetDealClientCollateral`.
pub const GET_DEAL_CLIENT_COLLATERAL_METHOD: MethodNum = 200_567_895;
/// FRC-42 `GetDealProviderCollateral`.
pub const GET_DEAL_PROVIDER_COLLATERAL_METHOD: MethodNum = 2_986_712_137;
/// FRC-42 `GetDealVerified`.
pub const GET_DEAL_VERIFIED_METHOD: MethodNum = 2_627_389_465;
/// FRC-42 `GetDealActivation`.
pub const GET_DEAL_ACTIVATION_METHOD: MethodNum = 2_567_238_399;
/// FRC-42 `GetDealSector`.
pub const GET_DEAL_SECTOR_METHOD: MethodNum = 2_611_213_344;
/// FRC-42 `SettleDealPayments`.
pub const SETTLE_DEAL_PAYMENTS_METHOD: MethodNum = 1_900_091_594;
/// FRC-42 `SectorContentChanged` (the miner's notification, FIP-0076).
pub const SECTOR_CONTENT_CHANGED_METHOD: MethodNum = 2_034_386_435;

/// FRC-42 `MarketNotifyDeal`, sent to each new deal's client.
pub const MARKET_NOTIFY_DEAL_METHOD: MethodNum = 4_186_741_094;

/// The deal existed but is gone (settled, terminated or timed out), or its start has passed.
pub const EX_DEAL_EXPIRED: ExitCode = ExitCode::new(32);
/// The deal is published but not activated yet.
pub const EX_DEAL_NOT_ACTIVATED: ExitCode = ExitCode::new(33);

/// A deal's label: CBOR text or bytes, the major type decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Label {
    /// A UTF-8 string (CBOR major type 3).
    String(String),
    /// Raw bytes (CBOR major type 2).
    Bytes(Vec<u8>),
}

impl Label {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Self::String(s) => s.len(),
            Self::Bytes(b) => b.len(),
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Serialize for Label {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::String(v) => s.serialize_str(v),
            Self::Bytes(v) => s.serialize_bytes(v),
        }
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LabelVisitor;
        impl Visitor<'_> for LabelVisitor {
            type Value = Label;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a text or byte string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Label, E> {
                Ok(Label::String(v.to_owned()))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Label, E> {
                Ok(Label::Bytes(v.to_vec()))
            }
        }
        d.deserialize_any(LabelVisitor)
    }
}

/// What client and provider agreed on; stored (with ID addresses) under the deal's ID.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealProposal {
    /// The piece's commitment (CommP, an unsealed-commitment CID).
    pub piece_cid: Cid,
    /// The piece's padded size: a power of two ≥ 128.
    pub piece_size: PaddedPieceSize,
    /// Whether the piece is paid for with datacap.
    pub verified_deal: bool,
    /// The client (who pays).
    pub client: Address,
    /// The storage provider (a miner).
    pub provider: Address,
    /// Free-form label (≤ 256 bytes).
    pub label: Label,
    /// First epoch of storage; the deal must be activated by then.
    pub start_epoch: ChainEpoch,
    /// Epoch the deal ends.
    pub end_epoch: ChainEpoch,
    /// Client → provider payment per epoch.
    pub storage_price_per_epoch: TokenAmount,
    /// Locked from the provider; slashed if it fails the deal.
    pub provider_collateral: TokenAmount,
    /// Locked from the client until the deal ends.
    pub client_collateral: TokenAmount,
}

impl DealProposal {
    /// `end − start`.
    pub fn duration(&self) -> ChainEpoch {
        self.end_epoch.saturating_sub(self.start_epoch)
    }

    /// Price × duration.
    pub fn total_storage_fee(&self) -> TokenAmount {
        &self.storage_price_per_epoch * self.duration()
    }

    /// What publication locks from the client: fee plus collateral.
    pub fn client_balance_requirement(&self) -> TokenAmount {
        self.total_storage_fee() + &self.client_collateral
    }

    /// The client's actor ID (stored proposals always carry ID addresses).
    pub fn client_id(&self) -> ActorID {
        self.client.id().unwrap_or_default()
    }

    /// The provider's actor ID.
    pub fn provider_id(&self) -> ActorID {
        self.provider.id().unwrap_or_default()
    }
}

/// A proposal with the client's signature over its CBOR bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ClientDealProposal {
    /// The proposal as signed.
    pub proposal: DealProposal,
    /// Typed signature (for a contract client, whatever its AuthenticateMessage accepts).
    pub client_signature: Signature,
}

/// An activated deal's progress (−1 = not yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealState {
    /// The sector holding the piece.
    pub sector_number: SectorNumber,
    /// Epoch of activation.
    pub sector_start_epoch: ChainEpoch,
    /// Epoch payments were last settled up to.
    pub last_updated_epoch: ChainEpoch,
    /// Epoch the deal was terminated (legacy: terminations are now immediate).
    pub slash_epoch: ChainEpoch,
}

/// `WithdrawBalance` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct WithdrawBalanceParams {
    /// Whose escrow.
    pub provider_or_client: Address,
    /// At most this much.
    pub amount: TokenAmount,
}

/// `GetBalance` return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetBalanceReturn {
    /// Escrow, locked included.
    pub balance: TokenAmount,
    /// The locked part.
    pub locked: TokenAmount,
}

/// `PublishStorageDeals` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PublishStorageDealsParams {
    /// The signed proposals, all for one provider.
    pub deals: Vec<ClientDealProposal>,
}

/// `PublishStorageDeals` return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct PublishStorageDealsReturn {
    /// New deal IDs, in the order of the valid inputs.
    pub ids: Vec<DealID>,
    /// Indexes of the inputs that were published.
    pub valid_deals: BitField,
}

/// One sector's deals, as `VerifyDealsForActivation` and `BatchActivateDeals` take them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorDeals {
    /// The sector.
    pub sector_number: SectorNumber,
    /// Its seal proof (gives the sector size).
    pub sector_type: RegisteredSealProof,
    /// Its expiration.
    pub sector_expiry: ChainEpoch,
    /// Deals in piece order.
    pub deal_ids: Vec<DealID>,
}

/// `VerifyDealsForActivation` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct VerifyDealsForActivationParams {
    /// Sectors to check.
    pub sectors: Vec<SectorDeals>,
}

/// `VerifyDealsForActivation` return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct VerifyDealsForActivationReturn {
    /// Per sector, CommD of its deals (null for a sector without deals).
    pub unsealed_cids: Vec<Option<Cid>>,
}

/// `BatchActivateDeals` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BatchActivateDealsParams {
    /// Sectors whose deals to activate.
    pub sectors: Vec<SectorDeals>,
    /// Whether to compute each sector's CommD.
    pub compute_cid: bool,
}

/// One activated deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ActivatedDeal {
    /// The client.
    pub client: ActorID,
    /// Its verified allocation, or [`NO_ALLOCATION_ID`].
    pub allocation_id: AllocationID,
    /// The piece.
    pub data: Cid,
    /// The piece size.
    pub size: PaddedPieceSize,
}

/// One sector's activation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorDealActivation {
    /// Its deals.
    pub activated: Vec<ActivatedDeal>,
    /// CommD, when asked for.
    pub unsealed_cid: Option<Cid>,
}

/// `BatchActivateDeals` return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BatchActivateDealsResult {
    /// Per sector: activated or why not.
    pub activation_results: BatchReturn,
    /// The successful sectors' activations.
    pub activations: Vec<SectorDealActivation>,
}

/// `OnMinerSectorsTerminate` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct OnMinerSectorsTerminateParams {
    /// Termination epoch.
    pub epoch: ChainEpoch,
    /// Terminated sectors.
    pub sectors: BitField,
}

/// `GetDealDataCommitment` return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetDealDataCommitmentReturn {
    /// The piece CID.
    pub data: Cid,
    /// The piece size.
    pub size: PaddedPieceSize,
}

/// `GetDealTerm` return: the second field is a duration, not an end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetDealTermReturn {
    /// Start epoch.
    pub start: ChainEpoch,
    /// Duration in epochs.
    pub duration: ChainEpoch,
}

/// `GetDealActivation` return (−1 = not yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetDealActivationReturn {
    /// Activation epoch.
    pub activated: ChainEpoch,
    /// Termination epoch.
    pub terminated: ChainEpoch,
}

/// `MarketNotifyDeal` parameters (to the client).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MarketNotifyDealParams {
    /// CBOR of the stored (normalised) proposal.
    #[serde(with = "strict_bytes")]
    pub proposal: Vec<u8>,
    /// The new deal's ID.
    pub deal_id: DealID,
}

/// `SettleDealPayments` return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SettleDealPaymentsReturn {
    /// Per deal (ascending ID): settled or why not.
    pub results: BatchReturn,
    /// The successful deals' settlements.
    pub settlements: Vec<DealSettlementSummary>,
}

/// One deal's settlement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DealSettlementSummary {
    /// Paid to the provider now.
    pub payment: TokenAmount,
    /// Whether the deal is finished (and removed).
    pub completed: bool,
}
