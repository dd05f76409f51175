//! The miner's money arithmetic (builtin-actors v18 `monies.rs` and the power and fee half of
//! `policy.rs`): sector quality and power, the expected reward "BR(t)" of some power over a
//! projection, and from it the pre-commit deposit, the initial pledge (FIP-0081), the fault and
//! termination penalties (FIP-0098), the daily proof fee (FIP-0100) and the block reward's
//! vesting schedule.
//!
//! Every value here is charged or locked on chain, so each formula and each rounding (always a
//! floor) is the network's to the attoFIL. The few inputs upstream would divide by zero on
//! return a documented value instead of panicking.

use fvm_shared::bigint::{BigInt, Integer};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::{RegisteredPoStProof, SectorSize, StoragePower};
use fvm_shared::version::NetworkVersion;
use num_traits::Zero;

use super::policy::{EPOCHS_IN_DAY, EPOCHS_IN_HOUR, SECTOR_QUALITY_PRECISION};
use super::records::{DealWeight, PowerPair, SectorOnChainInfo};
use crate::reward::EXPECTED_LEADERS_PER_EPOCH;
use crate::smoothing::{FilterEstimate, PRECISION, extrapolated_cum_sum_of_ratio};

/// Quality of committed capacity (no verified data), in tenths.
pub const QUALITY_BASE_MULTIPLIER: i64 = 10;
/// Quality of verified data, in tenths: ten times committed capacity.
pub const VERIFIED_DEAL_WEIGHT_MULTIPLIER: i64 = 100;

/// Days of expected reward a pre-commit deposits.
pub const PRE_COMMIT_DEPOSIT_FACTOR: i64 = 20;
/// Days of expected reward in a sector's storage pledge.
pub const INITIAL_PLEDGE_FACTOR: i64 = 20;
/// The pre-commit deposit's projection (20 days).
pub const PRE_COMMIT_DEPOSIT_PROJECTION_PERIOD: ChainEpoch =
    PRE_COMMIT_DEPOSIT_FACTOR * EPOCHS_IN_DAY;
/// The storage pledge's projection (20 days).
pub const INITIAL_PLEDGE_PROJECTION_PERIOD: ChainEpoch = INITIAL_PLEDGE_FACTOR * EPOCHS_IN_DAY;
/// The consensus pledge targets this share (3/10) of the circulating supply: numerator.
pub const LOCK_TARGET_FACTOR_NUM: u32 = 3;
/// … and denominator.
pub const LOCK_TARGET_FACTOR_DENOM: u32 = 10;
/// Share of a block reward that vests rather than being free at once (3/4): numerator.
pub const LOCKED_REWARD_FACTOR_NUM: u32 = 3;
/// … and denominator.
pub const LOCKED_REWARD_FACTOR_DENOM: u32 = 4;
/// FIP-0098: the base termination fee is 8.5 % of the initial pledge: numerator.
pub const TERM_FEE_PLEDGE_MULTIPLE_NUM: u32 = 85;
/// … and denominator.
pub const TERM_FEE_PLEDGE_MULTIPLE_DENOM: u32 = 1000;
/// FIP-0098: the fee is never below 2 % of the initial pledge: numerator.
pub const TERM_FEE_MIN_PLEDGE_MULTIPLE_NUM: u32 = 2;
/// … and denominator.
pub const TERM_FEE_MIN_PLEDGE_MULTIPLE_DENOM: u32 = 100;
/// FIP-0098: nor below 105 % of the sector's continued-fault fee: numerator.
pub const TERM_FEE_MAX_FAULT_FEE_MULTIPLE_NUM: u32 = 105;
/// … and denominator.
pub const TERM_FEE_MAX_FAULT_FEE_MULTIPLE_DENOM: u32 = 100;
/// Days of age after which a sector's termination fee stops growing.
pub const TERMINATION_LIFETIME_CAP: ChainEpoch = 140;
/// Continued-fault fee: 3.51 days of expected reward.
pub const CONTINUED_FAULT_PROJECTION_PERIOD: ChainEpoch = (EPOCHS_IN_DAY * 351) / 100;
/// The undeclared-fault lower bound of a termination penalty: 3.5 days.
pub const TERMINATION_PENALTY_LOWER_BOUND_PROJECTIONS_PERIOD: ChainEpoch =
    (EPOCHS_IN_DAY * 35) / 10;
/// An invalid (disputed) Window PoSt costs the fault fee plus two days of reward.
pub const INVALID_WINDOW_POST_PROJECTION_PERIOD: ChainEpoch =
    CONTINUED_FAULT_PROJECTION_PERIOD + 2 * EPOCHS_IN_DAY;
/// A consensus fault costs this many per-winner block rewards.
pub const CONSENSUS_FAULT_FACTOR: u64 = 5;
/// The reporter of a consensus fault earns 1/(leaders × this) of the epoch reward.
pub const CONSENSUS_FAULT_REPORTER_DEFAULT_SHARE: u64 = 4;
/// Fixed-point scale of FIP-0081's gamma (3 decimal places).
pub const GAMMA_FIXED_POINT_FACTOR: u64 = 1000;
/// FIP-0081 at full effect moves 300‰ of the consensus pledge to the simple formula.
pub const FIP_0081_ACTIVATION_PERMILLE: i64 = 300;
/// FIP-0100: daily fee per byte of QA power per attoFIL of supply, 161817e-30: numerator.
pub const DAILY_FEE_CIRCULATING_SUPPLY_QAP_MULTIPLIER_NUM: u64 = 161_817;
/// … and denominator (10^30).
pub const DAILY_FEE_CIRCULATING_SUPPLY_QAP_MULTIPLIER_DENOM: u128 =
    1_000_000_000_000_000_000_000_000_000_000;
/// FIP-0100: the fee charged is at most 1/2 of the sectors' expected day reward.
pub const DAILY_FEE_BLOCK_REWARD_CAP_DENOM: i64 = 2;
/// From this network version the daily fee applies to extended legacy (fee-less) sectors.
pub const FIP_0100_GRACE_PERIOD_END_VERSION: NetworkVersion = NetworkVersion::V26;

/// Reward for a successful Window PoSt dispute: 4 FIL.
pub fn base_reward_for_disputed_window_post() -> TokenAmount {
    TokenAmount::from_whole(4)
}

/// Penalty on top of the projection for a disputed Window PoSt: 20 FIL.
pub fn base_penalty_for_disputed_window_post() -> TokenAmount {
    TokenAmount::from_whole(20)
}

/// The pledge cap per byte of QA power: 1 FIL per 32 GiB, floored (29 103 830 attoFIL).
pub fn initial_pledge_max_per_byte() -> TokenAmount {
    TokenAmount::from_whole(1).div_floor(32i64 << 30)
}

/// A linear vesting schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VestSpec {
    /// Epochs before the clock starts.
    pub initial_delay: ChainEpoch,
    /// Epochs over which the whole amount vests once the clock starts.
    pub vest_period: ChainEpoch,
    /// Epochs between two increments.
    pub step_duration: ChainEpoch,
    /// Increments are aligned to this grid (offset by the proving period start), bounding the
    /// vesting table's size.
    pub quantization: ChainEpoch,
}

/// Block rewards vest linearly over 180 days, daily, in half-day buckets.
pub const REWARD_VESTING_SPEC: VestSpec = VestSpec {
    initial_delay: 0,
    vest_period: 180 * EPOCHS_IN_DAY,
    step_duration: EPOCHS_IN_DAY,
    quantization: 12 * EPOCHS_IN_HOUR,
};

/// A sector's quality, with [`SECTOR_QUALITY_PRECISION`] fractional bits: the space-time
/// weighted average of 1 (committed capacity) and 10 (verified data). A sector of no
/// space-time (zero duration) has base quality (upstream would divide by zero).
pub fn quality_for_weight(
    size: SectorSize,
    duration: ChainEpoch,
    verified_weight: &DealWeight,
) -> BigInt {
    let space_time = BigInt::from(size as u64) * duration;
    if space_time.is_zero() {
        return BigInt::from(1) << SECTOR_QUALITY_PRECISION;
    }
    let base = (&space_time - verified_weight) * QUALITY_BASE_MULTIPLIER;
    let verified = verified_weight * VERIFIED_DEAL_WEIGHT_MULTIPLIER;
    let scaled: BigInt = (base + verified) << SECTOR_QUALITY_PRECISION;
    scaled.div_floor(&space_time).div_floor(&BigInt::from(QUALITY_BASE_MULTIPLIER))
}

/// The most QA power a sector of `size` can have (fully verified): ten times its size.
pub fn qa_power_max(size: SectorSize) -> StoragePower {
    (BigInt::from(size as u64) * VERIFIED_DEAL_WEIGHT_MULTIPLIER)
        .div_floor(&BigInt::from(QUALITY_BASE_MULTIPLIER))
}

/// QA power of a sector of `size` living `duration` epochs with `verified_weight`.
pub fn qa_power_for_weight(
    size: SectorSize,
    duration: ChainEpoch,
    verified_weight: &DealWeight,
) -> StoragePower {
    let quality = quality_for_weight(size, duration, verified_weight);
    (BigInt::from(size as u64) * quality) >> SECTOR_QUALITY_PRECISION
}

/// QA power of a stored sector, over its life since its power was last set.
pub fn qa_power_for_sector(size: SectorSize, sector: &SectorOnChainInfo) -> StoragePower {
    let duration = sector.expiration - sector.power_base_epoch;
    qa_power_for_weight(size, duration, &sector.verified_deal_weight)
}

/// Raw power of a sector: its size.
pub fn raw_power_for_sector(size: SectorSize) -> StoragePower {
    BigInt::from(size as u64)
}

/// BR(t): the reward `qa_sector_power` is expected to earn over `projection_duration`, the
/// integral of reward / network power from the two estimates. With no network power it is the
/// reward estimate itself; never negative.
pub fn expected_reward_for_power(
    reward_estimate: &FilterEstimate,
    network_qa_power_estimate: &FilterEstimate,
    qa_sector_power: &StoragePower,
    projection_duration: ChainEpoch,
) -> TokenAmount {
    if network_qa_power_estimate.estimate().is_zero() {
        return TokenAmount::from_atto(reward_estimate.estimate());
    }
    let ratio = extrapolated_cum_sum_of_ratio(
        projection_duration,
        0,
        reward_estimate,
        network_qa_power_estimate,
    );
    let br: BigInt = (qa_sector_power * ratio) >> PRECISION;
    TokenAmount::from_atto(br.max(BigInt::zero()))
}

/// BR(t), but at least 1 attoFIL: deposits and pledges derived from it must be positive so
/// that they mark a sector's existence.
pub fn expected_reward_for_power_clamped_at_atto_fil(
    reward_estimate: &FilterEstimate,
    network_qa_power_estimate: &FilterEstimate,
    qa_sector_power: &StoragePower,
    projection_duration: ChainEpoch,
) -> TokenAmount {
    let br = expected_reward_for_power(
        reward_estimate,
        network_qa_power_estimate,
        qa_sector_power,
        projection_duration,
    );
    if br.is_positive() { br } else { TokenAmount::from_atto(1) }
}

/// FF(t): charged per proving period for faulty power (3.51 days of its expected reward).
pub fn pledge_penalty_for_continued_fault(
    reward_estimate: &FilterEstimate,
    network_qa_power_estimate: &FilterEstimate,
    qa_sector_power: &StoragePower,
) -> TokenAmount {
    expected_reward_for_power(
        reward_estimate,
        network_qa_power_estimate,
        qa_sector_power,
        CONTINUED_FAULT_PROJECTION_PERIOD,
    )
}

/// SP(t): the expected reward over 3.5 days (kept for parity; no current method charges it).
pub fn pledge_penalty_for_termination_lower_bound(
    reward_estimate: &FilterEstimate,
    network_qa_power_estimate: &FilterEstimate,
    qa_sector_power: &StoragePower,
) -> TokenAmount {
    expected_reward_for_power(
        reward_estimate,
        network_qa_power_estimate,
        qa_sector_power,
        TERMINATION_PENALTY_LOWER_BOUND_PROJECTIONS_PERIOD,
    )
}

/// FIP-0098 termination fee of a sector `sector_age` epochs old: 8.5 % of its pledge, scaled
/// down linearly for sectors younger than 140 days, but at least the larger of 2 % of the
/// pledge and 105 % of its continued-fault fee.
pub fn pledge_penalty_for_termination(
    initial_pledge: &TokenAmount,
    sector_age: ChainEpoch,
    fault_fee: &TokenAmount,
) -> TokenAmount {
    let simple =
        (initial_pledge * TERM_FEE_PLEDGE_MULTIPLE_NUM).div_floor(TERM_FEE_PLEDGE_MULTIPLE_DENOM);
    let by_age = (&simple * sector_age).div_floor(TERMINATION_LIFETIME_CAP * EPOCHS_IN_DAY);
    let base = simple.min(by_age);
    let floor_pledge = (initial_pledge * TERM_FEE_MIN_PLEDGE_MULTIPLE_NUM)
        .div_floor(TERM_FEE_MIN_PLEDGE_MULTIPLE_DENOM);
    let floor_fault = (fault_fee * TERM_FEE_MAX_FAULT_FEE_MULTIPLE_NUM)
        .div_floor(TERM_FEE_MAX_FAULT_FEE_MULTIPLE_DENOM);
    base.max(floor_pledge.max(floor_fault))
}

/// Penalty for power proven by a Window PoSt later shown invalid: 5.51 days of its expected
/// reward plus 20 FIL.
pub fn pledge_penalty_for_invalid_windowpost(
    reward_estimate: &FilterEstimate,
    network_qa_power_estimate: &FilterEstimate,
    qa_sector_power: &StoragePower,
) -> TokenAmount {
    expected_reward_for_power(
        reward_estimate,
        network_qa_power_estimate,
        qa_sector_power,
        INVALID_WINDOW_POST_PROJECTION_PERIOD,
    ) + base_penalty_for_disputed_window_post()
}

/// A pre-commit's deposit: 20 days of the power's expected reward, at least 1 attoFIL.
pub fn pre_commit_deposit_for_power(
    reward_estimate: &FilterEstimate,
    network_qa_power_estimate: &FilterEstimate,
    qa_sector_power: &StoragePower,
) -> TokenAmount {
    expected_reward_for_power_clamped_at_atto_fil(
        reward_estimate,
        network_qa_power_estimate,
        qa_sector_power,
        PRE_COMMIT_DEPOSIT_PROJECTION_PERIOD,
    )
}

/// The initial pledge of new QA power: a storage pledge (20 days of expected reward, at least
/// 1 attoFIL) plus a consensus pledge, the power's share of 30 % of the circulating supply.
/// The share's denominator blends (FIP-0081) max(network, baseline, power) with
/// max(network, power): 0 ‰ of the latter before the ramp, rising linearly over
/// `ramp_duration_epochs` to 300 ‰. Capped at 1 FIL per 32 GiB of power.
/// `epochs_since_ramp_start` is `now − ramp_start_epoch` from power's `CurrentTotalPower`.
pub fn initial_pledge_for_power(
    qa_power: &StoragePower,
    baseline_power: &StoragePower,
    reward_estimate: &FilterEstimate,
    network_qa_power_estimate: &FilterEstimate,
    circulating_supply: &TokenAmount,
    epochs_since_ramp_start: i64,
    ramp_duration_epochs: u64,
) -> TokenAmount {
    let storage_pledge = expected_reward_for_power_clamped_at_atto_fil(
        reward_estimate,
        network_qa_power_estimate,
        qa_power,
        INITIAL_PLEDGE_PROJECTION_PERIOD,
    );
    let network_qa_power = network_qa_power_estimate.estimate();

    let skew: u64 = if epochs_since_ramp_start < 0 {
        0
    } else if ramp_duration_epochs == 0 || epochs_since_ramp_start >= ramp_duration_epochs as i64 {
        FIP_0081_ACTIVATION_PERMILLE as u64
    } else {
        // In i128: the product cannot overflow (upstream's i64 could only for absurd ramps).
        (i128::from(epochs_since_ramp_start) * i128::from(FIP_0081_ACTIVATION_PERMILLE)
            / i128::from(ramp_duration_epochs)) as u64
    };
    let gamma = GAMMA_FIXED_POINT_FACTOR - skew;

    // lock target × pledge share, before the share's denominators.
    let numerator = circulating_supply.atto() * LOCK_TARGET_FACTOR_NUM * qa_power;
    let baseline_denom = network_qa_power.clone().max(baseline_power.clone()).max(qa_power.clone());
    let simple_denom = network_qa_power.max(qa_power.clone());
    // A zero denominator means zero power everywhere, hence a zero numerator: the term is 0.
    let share = |weight: u64, denom: BigInt| -> BigInt {
        let denom = denom * LOCK_TARGET_FACTOR_DENOM * GAMMA_FIXED_POINT_FACTOR;
        if denom.is_zero() { BigInt::zero() } else { (&numerator * weight).div_floor(&denom) }
    };
    let consensus_pledge =
        share(gamma, baseline_denom) + share(GAMMA_FIXED_POINT_FACTOR - gamma, simple_denom);

    let nominal = storage_pledge + TokenAmount::from_atto(consensus_pledge);
    let cap = TokenAmount::from_atto(initial_pledge_max_per_byte().atto() * qa_power);
    nominal.min(cap)
}

/// A consensus fault's penalty: five per-winner rewards of the epoch.
pub fn consensus_fault_penalty(this_epoch_reward: TokenAmount) -> TokenAmount {
    (this_epoch_reward * CONSENSUS_FAULT_FACTOR).div_floor(EXPECTED_LEADERS_PER_EPOCH)
}

/// How much of a block reward to lock (75 %), and the schedule it vests on.
pub fn locked_reward_from_reward(reward: TokenAmount) -> (TokenAmount, &'static VestSpec) {
    let locked = (reward * LOCKED_REWARD_FACTOR_NUM).div_floor(LOCKED_REWARD_FACTOR_DENOM);
    (locked, &REWARD_VESTING_SPEC)
}

/// What the reporter of a consensus fault earns: 1/20 of the epoch reward.
pub fn reward_for_consensus_slash_report(epoch_reward: &TokenAmount) -> TokenAmount {
    epoch_reward.div_floor(EXPECTED_LEADERS_PER_EPOCH * CONSENSUS_FAULT_REPORTER_DEFAULT_SHARE)
}

/// What a successful Window PoSt disputer earns: the 4 FIL base, whatever the power.
pub fn reward_for_disputed_window_post(
    _proof_type: RegisteredPoStProof,
    _disputed_power: PowerPair,
) -> TokenAmount {
    base_reward_for_disputed_window_post()
}

/// FIP-0100 daily fee of `qa_power`: 161817e-30 × circulating supply × power, floored.
pub fn daily_proof_fee(circulating_supply: &TokenAmount, qa_power: &StoragePower) -> TokenAmount {
    let num = BigInt::from(DAILY_FEE_CIRCULATING_SUPPLY_QAP_MULTIPLIER_NUM)
        * circulating_supply.atto()
        * qa_power;
    TokenAmount::from_atto(
        num.div_floor(&BigInt::from(DAILY_FEE_CIRCULATING_SUPPLY_QAP_MULTIPLIER_DENOM)),
    )
}

/// A daily fee rescaled by a change of QA power, `fee × new / old`. Unchanged when the powers
/// are equal, and also when `old` is zero (no sector has zero power; upstream would divide by
/// zero).
pub fn daily_proof_fee_adjust(
    daily_fee: &TokenAmount,
    old_qa_power: &StoragePower,
    new_qa_power: &StoragePower,
) -> TokenAmount {
    if old_qa_power == new_qa_power || old_qa_power.is_zero() {
        return daily_fee.clone();
    }
    TokenAmount::from_atto((daily_fee.atto() * new_qa_power).div_floor(old_qa_power))
}

/// The daily fee actually payable: at most half the sectors' estimated day reward.
pub fn daily_proof_fee_payable(
    daily_fee: &TokenAmount,
    estimated_day_reward: &TokenAmount,
) -> TokenAmount {
    let cap = estimated_day_reward.div_floor(DAILY_FEE_BLOCK_REWARD_CAP_DENOM);
    cap.min(daily_fee.clone())
}

#[cfg(test)]
mod tests;
