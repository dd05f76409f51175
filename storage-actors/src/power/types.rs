//! The power actor's method numbers, parameters and returns, and what it sends to init, the
//! reward actor and miners, as the network encodes them (CBOR tuples; single values
//! transparent).

use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{BytesDe, RawBytes, strict_bytes};
use fvm_shared::ActorID;
use fvm_shared::MethodNum;
use fvm_shared::address::Address;
use fvm_shared::bigint::bigint_ser;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::{RegisteredPoStProof, StoragePower};

use crate::smoothing::FilterEstimate;

/// `CreateMiner` (any caller; the value is the new miner's initial balance).
pub const CREATE_MINER_METHOD: MethodNum = 2;
/// `UpdateClaimedPower` (miners only).
pub const UPDATE_CLAIMED_POWER_METHOD: MethodNum = 3;
/// `EnrollCronEvent` (miners only).
pub const ENROLL_CRON_EVENT_METHOD: MethodNum = 4;
/// `OnEpochTickEnd` (cron only).
pub const ON_EPOCH_TICK_END_METHOD: MethodNum = 5;
/// `UpdatePledgeTotal` (miners only).
pub const UPDATE_PLEDGE_TOTAL_METHOD: MethodNum = 6;
/// `CurrentTotalPower` (any built-in caller).
pub const CURRENT_TOTAL_POWER_METHOD: MethodNum = 9;
/// FRC-42 `CreateMiner`.
pub const CREATE_MINER_EXPORTED: MethodNum = 1_173_380_165;
/// FRC-42 `NetworkRawPower`.
pub const NETWORK_RAW_POWER_METHOD: MethodNum = 931_722_534;
/// FRC-42 `MinerRawPower`.
pub const MINER_RAW_POWER_METHOD: MethodNum = 3_753_401_894;
/// FRC-42 `MinerCount`.
pub const MINER_COUNT_METHOD: MethodNum = 1_987_646_258;
/// FRC-42 `MinerConsensusCount`.
pub const MINER_CONSENSUS_COUNT_METHOD: MethodNum = 196_739_875;
/// FRC-42 `MinerPower`.
pub const MINER_POWER_METHOD: MethodNum = 36_284_446;

/// The miner's `OnDeferredCronEvent`, which power calls for each due cron event.
pub const ON_DEFERRED_CRON_EVENT_METHOD: MethodNum = 12;
/// `CreateMiner`'s parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CreateMinerParams {
    /// The miner's owner (resolved by the miner's constructor).
    pub owner: Address,
    /// Its worker key.
    pub worker: Address,
    /// The Window PoSt proof type, which fixes the sector size.
    pub window_post_proof_type: RegisteredPoStProof,
    /// libp2p peer ID bytes.
    #[serde(with = "strict_bytes")]
    pub peer: Vec<u8>,
    /// Multiaddresses, as bytes.
    pub multiaddrs: Vec<BytesDe>,
}

/// `CreateMiner`'s return: the new miner's addresses (init's `Exec` return).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CreateMinerReturn {
    /// Its ID address.
    pub id_address: Address,
    /// Its robust (f2) address.
    pub robust_address: Address,
}

/// The storage miner's constructor parameters, as power passes them through init.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MinerConstructorParams {
    /// Owner.
    pub owner: Address,
    /// Worker.
    pub worker: Address,
    /// Control addresses (none when created through power).
    pub control_addresses: Vec<Address>,
    /// Window PoSt proof type.
    pub window_post_proof_type: RegisteredPoStProof,
    /// Peer ID bytes.
    #[serde(with = "strict_bytes")]
    pub peer_id: Vec<u8>,
    /// Multiaddresses.
    pub multi_addresses: Vec<BytesDe>,
}

/// `UpdateClaimedPower`'s parameters: signed deltas to the calling miner's claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct UpdateClaimedPowerParams {
    /// Raw-byte power delta.
    #[serde(with = "bigint_ser")]
    pub raw_byte_delta: StoragePower,
    /// Quality-adjusted power delta.
    #[serde(with = "bigint_ser")]
    pub quality_adjusted_delta: StoragePower,
}

/// `EnrollCronEvent`'s parameters: call the miner back at `event_epoch` with `payload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct EnrollCronEventParams {
    /// When.
    pub event_epoch: ChainEpoch,
    /// What the miner gets back.
    pub payload: RawBytes,
}

/// `CurrentTotalPower`'s return: the totals frozen at the last cron tick.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CurrentTotalPowerReturn {
    /// Raw-byte power.
    #[serde(with = "bigint_ser")]
    pub raw_byte_power: StoragePower,
    /// Quality-adjusted power.
    #[serde(with = "bigint_ser")]
    pub quality_adj_power: StoragePower,
    /// Total pledge collateral.
    pub pledge_collateral: TokenAmount,
    /// The smoothed quality-adjusted power estimate.
    pub quality_adj_power_smoothed: FilterEstimate,
    /// FIP-0081 pledge ramp start.
    pub ramp_start_epoch: i64,
    /// FIP-0081 pledge ramp length.
    pub ramp_duration_epochs: u64,
}

/// `MinerRawPower`'s return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MinerRawPowerReturn {
    /// The miner's raw-byte power.
    #[serde(with = "bigint_ser")]
    pub raw_byte_power: StoragePower,
    /// Whether it counts towards consensus.
    pub meets_consensus_minimum: bool,
}

/// `MinerPower`'s return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MinerPowerReturn {
    /// Raw-byte power.
    #[serde(with = "bigint_ser")]
    pub raw_byte_power: StoragePower,
    /// Quality-adjusted power.
    #[serde(with = "bigint_ser")]
    pub quality_adj_power: StoragePower,
}

/// What a miner's `OnDeferredCronEvent` receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DeferredCronEventParams {
    /// The payload the miner enrolled.
    #[serde(with = "strict_bytes")]
    pub event_payload: Vec<u8>,
    /// The reward actor's smoothed per-epoch reward.
    pub reward_smoothed: FilterEstimate,
    /// Power's smoothed quality-adjusted power, as of the previous tick.
    pub quality_adj_power_smoothed: FilterEstimate,
}

/// A miner's power claim (the value of the claims HAMT, keyed by the miner's ID address).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Claim {
    /// The miner's PoSt proof type, which fixes its consensus minimum.
    pub window_post_proof_type: RegisteredPoStProof,
    /// Raw-byte power of its active sectors.
    #[serde(with = "bigint_ser")]
    pub raw_byte_power: StoragePower,
    /// Quality-adjusted power of its active sectors.
    #[serde(with = "bigint_ser")]
    pub quality_adj_power: StoragePower,
}

/// A queued miner callback (the cron queue's AMT values).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CronEvent {
    /// The miner to call.
    pub miner_addr: Address,
    /// Its payload.
    pub callback_payload: RawBytes,
}

/// The miner ID parameter of `MinerRawPower` and `MinerPower` (a bare integer on the wire).
pub type MinerIdParam = ActorID;
