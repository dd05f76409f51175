//! Parameters and returns of the miner's control, balance and getter methods.

use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{BytesDe, strict_bytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::bigint_ser;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::{SectorNumber, SectorSize, StoragePower};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::miner::records::{BeneficiaryTerm, PendingBeneficiaryChange};

/// `ControlAddresses` return: `[owner, worker, [control…]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetControlAddressesReturn {
    /// Owner.
    pub owner: Address,
    /// Worker.
    pub worker: Address,
    /// The other control addresses.
    pub control_addresses: Vec<Address>,
}

/// `ChangeWorkerAddress` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ChangeWorkerAddressParams {
    /// The new worker (queued for `WORKER_KEY_CHANGE_DELAY` when it differs).
    pub new_worker: Address,
    /// The new control list, replacing the old one at once.
    pub new_control_addresses: Vec<Address>,
}

/// `ChangeOwnerAddress` parameters: a bare address on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct ChangeOwnerAddressParams {
    /// The proposed (or confirming) owner; must be an ID address.
    pub new_owner: Address,
}

/// `ChangePeerID` parameters: `[bytes]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ChangePeerIDParams {
    /// libp2p peer ID.
    #[serde(with = "strict_bytes")]
    pub new_id: Vec<u8>,
}

/// `ChangeMultiaddrs` parameters: `[[bytes…]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ChangeMultiaddrsParams {
    /// The new multiaddresses.
    pub new_multi_addrs: Vec<BytesDe>,
}

/// `WithdrawBalance` parameters: `[amount]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct WithdrawBalanceParams {
    /// At most this much (capped by the available balance and the beneficiary's quota).
    pub amount_requested: TokenAmount,
}

/// `WithdrawBalance` return: a bare token amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct WithdrawBalanceReturn {
    /// What was sent to the beneficiary.
    pub amount_withdrawn: TokenAmount,
}

/// `ChangeBeneficiary` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ChangeBeneficiaryParams {
    /// The nominee.
    pub new_beneficiary: Address,
    /// Its quota (zero when the nominee is the owner).
    pub new_quota: TokenAmount,
    /// Its term's end (zero when the nominee is the owner).
    pub new_expiration: ChainEpoch,
}

/// The beneficiary in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ActiveBeneficiary {
    /// Who receives withdrawals.
    pub beneficiary: Address,
    /// Its allowance.
    pub term: BeneficiaryTerm,
}

/// `GetBeneficiary` return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetBeneficiaryReturn {
    /// The beneficiary in force.
    pub active: ActiveBeneficiary,
    /// A pending proposal, if any.
    pub proposed: Option<PendingBeneficiaryChange>,
}

/// `GetOwner` return: `[owner, proposed|null]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetOwnerReturn {
    /// The owner.
    pub owner: Address,
    /// A proposed owner awaiting confirmation.
    pub proposed: Option<Address>,
}

/// `IsControllingAddress` parameters: a bare address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct IsControllingAddressParam {
    /// The address to check.
    pub address: Address,
}

/// `IsControllingAddress` return: a bare bool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct IsControllingAddressReturn {
    /// Whether it is the owner, the worker or a control address.
    pub is_controlling: bool,
}

/// `GetSectorSize` return: a bare integer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct GetSectorSizeReturn {
    /// Bytes per sector.
    pub sector_size: SectorSize,
}

/// `GetAvailableBalance` return: a bare token amount (may be negative).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct GetAvailableBalanceReturn {
    /// Balance minus locked funds, deposits, pledge and fee debt.
    pub available_balance: TokenAmount,
}

/// `GetVestingFunds` return: `[[[epoch, amount]…]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetVestingFundsReturn {
    /// The vesting table, earliest first.
    pub vesting_funds: Vec<(ChainEpoch, TokenAmount)>,
}

/// `GetPeerID` return: `[bytes]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetPeerIDReturn {
    /// libp2p peer ID.
    #[serde(with = "strict_bytes")]
    pub peer_id: Vec<u8>,
}

/// `GetMultiaddrs` return: `[[bytes…]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetMultiaddrsReturn {
    /// Multiaddresses.
    pub multi_addrs: Vec<BytesDe>,
}

/// `MaxTerminationFee` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MaxTerminationFeeParams {
    /// QA power of the sectors.
    #[serde(with = "bigint_ser")]
    pub power: StoragePower,
    /// Their initial pledge.
    pub initial_pledge: TokenAmount,
}

/// `MaxTerminationFee` return: a bare token amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct MaxTerminationFeeReturn {
    /// The fee of sectors past the lifetime cap.
    pub max_fee: TokenAmount,
}

/// `InitialPledge` return: a bare token amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct InitialPledgeReturn {
    /// The miner's total initial pledge.
    pub initial_pledge: TokenAmount,
}

/// A sector's status (FIP-0112), a bare `u8` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SectorStatusCode {
    /// Terminated, expired or never proven.
    Dead = 0,
    /// Live and not faulty.
    Active = 1,
    /// Live but faulty.
    Faulty = 2,
}

impl Serialize for SectorStatusCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(*self as u8)
    }
}

impl<'de> Deserialize<'de> for SectorStatusCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u8::deserialize(d)? {
            0 => Ok(Self::Dead),
            1 => Ok(Self::Active),
            2 => Ok(Self::Faulty),
            other => Err(D::Error::custom(format!("invalid sector status code {other}"))),
        }
    }
}

/// `SectorLocation.deadline` of a sector in no deadline.
pub const NO_DEADLINE: i64 = -1;
/// `SectorLocation.partition` of a sector in no partition.
pub const NO_PARTITION: i64 = -1;

/// Where a sector sits (the CBOR of `GenerateSectorLocationReturn::aux_data`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SectorLocation {
    /// Deadline index, or [`NO_DEADLINE`].
    pub deadline: i64,
    /// Partition index, or [`NO_PARTITION`].
    pub partition: i64,
}

/// `GenerateSectorLocation` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GenerateSectorLocationParams {
    /// The sector.
    pub sector_number: SectorNumber,
}

/// `GenerateSectorLocation` return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GenerateSectorLocationReturn {
    /// The sector's status.
    pub status: SectorStatusCode,
    /// CBOR of its [`SectorLocation`].
    #[serde(with = "strict_bytes")]
    pub aux_data: Vec<u8>,
}

/// `ValidateSectorStatus` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ValidateSectorStatusParams {
    /// The sector.
    pub sector_number: SectorNumber,
    /// The status claimed.
    pub status: SectorStatusCode,
    /// CBOR of the [`SectorLocation`] claimed.
    #[serde(with = "strict_bytes")]
    pub aux_data: Vec<u8>,
}

/// `ValidateSectorStatus` return: a bare bool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct ValidateSectorStatusReturn {
    /// Whether the claim holds.
    pub valid: bool,
}

/// `GetNominalSectorExpiration` parameters: a bare sector number.
pub type GetNominalSectorExpirationParams = SectorNumber;

/// `GetNominalSectorExpiration` return: a bare epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
#[serde(transparent)]
pub struct GetNominalSectorExpirationReturn {
    /// The sector's expiration.
    pub expiration: ChainEpoch,
}
