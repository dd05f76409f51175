//! The reward actor's method numbers, parameters and returns.

use fvm_ipld_encoding::tuple::*;
use fvm_shared::MethodNum;
use fvm_shared::address::Address;
use fvm_shared::bigint::bigint_ser::{self, BigIntDe};
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::StoragePower;

use crate::smoothing::FilterEstimate;

/// `AwardBlockReward` (system only).
pub const AWARD_BLOCK_REWARD_METHOD: MethodNum = 2;
/// `ThisEpochReward` (any caller).
pub const THIS_EPOCH_REWARD_METHOD: MethodNum = 3;
/// `UpdateNetworkKPI` (power only).
pub const UPDATE_NETWORK_KPI_METHOD: MethodNum = 4;
/// The miner's `ApplyRewards`, which receives block rewards.
pub const APPLY_REWARDS_METHOD: MethodNum = 14;

/// Block producers expected per epoch: one win is a fifth of the epoch reward.
pub const EXPECTED_LEADERS_PER_EPOCH: u64 = 5;
/// A block's penalty is multiplied by this before the miner burns it.
pub const PENALTY_MULTIPLIER: u64 = 3;

/// A big integer parameter (constructor, `UpdateNetworkKPI`): `Option<BigInt>` on the wire,
/// null refused.
pub type BigIntParam = BigIntDe;

/// `AwardBlockReward`'s parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AwardBlockRewardParams {
    /// The winning miner.
    pub miner: Address,
    /// Penalty for the block's bad messages.
    pub penalty: TokenAmount,
    /// Gas premiums the block earned.
    pub gas_reward: TokenAmount,
    /// How many tickets won.
    pub win_count: i64,
}

/// `ThisEpochReward`'s return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ThisEpochRewardReturn {
    /// The smoothed per-epoch reward.
    pub this_epoch_reward_smoothed: FilterEstimate,
    /// The baseline power this epoch.
    #[serde(with = "bigint_ser")]
    pub this_epoch_baseline_power: StoragePower,
}

/// The miner's `ApplyRewards` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ApplyRewardParams {
    /// Funds sent with the call.
    pub reward: TokenAmount,
    /// What the miner must burn.
    pub penalty: TokenAmount,
}
