//! The reward actor's state (field order as the network stores it) and its per-epoch update.

use fvm_ipld_encoding::tuple::*;
use fvm_shared::bigint::bigint_ser;
use fvm_shared::clock::{ChainEpoch, EPOCH_UNDEFINED};
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::StoragePower;

use super::logic::*;
use crate::smoothing::{self, FilterEstimate};

/// The reward actor's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RewardState {
    /// Target `cumsum_realized` must reach for the effective network time to advance
    /// (byte-epochs).
    #[serde(with = "bigint_ser")]
    pub cumsum_baseline: StoragePower,
    /// Cumulative realized power, each epoch capped at that epoch's baseline (byte-epochs).
    #[serde(with = "bigint_ser")]
    pub cumsum_realized: StoragePower,
    /// Whole epochs of baseline the network has caught up with.
    pub effective_network_time: ChainEpoch,
    /// The baseline at the effective network time.
    #[serde(with = "bigint_ser")]
    pub effective_baseline_power: StoragePower,
    /// Reward per win this epoch.
    pub this_epoch_reward: TokenAmount,
    /// Its smoothed estimate.
    pub this_epoch_reward_smoothed: FilterEstimate,
    /// The baseline this epoch.
    #[serde(with = "bigint_ser")]
    pub this_epoch_baseline_power: StoragePower,
    /// The epoch these values are for.
    pub epoch: ChainEpoch,
    /// All block rewards paid so far.
    pub total_storage_power_reward: TokenAmount,
    /// The simple schedule's total (in state for historical reasons).
    pub simple_total: TokenAmount,
    /// The baseline schedule's total.
    pub baseline_total: TokenAmount,
}

impl RewardState {
    /// The state at construction with `realized` power: epoch 0's values.
    pub fn new(realized: &StoragePower) -> Self {
        // 36.266260308195979333 FIL, falling 1.0989e-7 FIL an epoch: the simple reward's
        // start and slope.
        let smoothed = FilterEstimate::new(
            36_266_260_308_195_979_333u128.into(),
            (-109_897_758_509i64).into(),
        );
        let mut state = Self {
            cumsum_baseline: StoragePower::default(),
            cumsum_realized: StoragePower::default(),
            effective_network_time: 0,
            effective_baseline_power: baseline_initial_value(),
            this_epoch_reward: TokenAmount::default(),
            this_epoch_reward_smoothed: smoothed,
            this_epoch_baseline_power: init_baseline_power(),
            epoch: EPOCH_UNDEFINED,
            total_storage_power_reward: TokenAmount::default(),
            simple_total: simple_total(),
            baseline_total: baseline_total(),
        };
        state.next_epoch_with_reward(realized);
        state
    }

    /// Advances one epoch (baseline, capped realized power, effective time) without
    /// recomputing the reward: how null rounds are caught up.
    pub fn next_epoch(&mut self, realized: &StoragePower) {
        self.epoch += 1;
        self.this_epoch_baseline_power = baseline_power_from_prev(&self.this_epoch_baseline_power);
        self.cumsum_realized += realized.min(&self.this_epoch_baseline_power);
        while self.cumsum_realized > self.cumsum_baseline {
            self.effective_network_time += 1;
            self.effective_baseline_power =
                baseline_power_from_prev(&self.effective_baseline_power);
            self.cumsum_baseline += &self.effective_baseline_power;
        }
    }

    /// Advances one epoch and sets its reward from the change in effective network time.
    pub fn next_epoch_with_reward(&mut self, realized: &StoragePower) {
        let before = self.theta();
        self.next_epoch(realized);
        let after = self.theta();
        self.this_epoch_reward =
            compute_reward(self.epoch, &before, &after, &self.simple_total, &self.baseline_total);
    }

    /// Feeds this epoch's reward to the smoothed estimate, `delta` epochs after the last one.
    pub fn update_smoothed_estimate(&mut self, delta: ChainEpoch) {
        self.this_epoch_reward_smoothed = smoothing::next_estimate(
            &self.this_epoch_reward_smoothed,
            self.this_epoch_reward.atto(),
            delta,
        );
    }

    fn theta(&self) -> fvm_shared::bigint::BigInt {
        compute_r_theta(
            self.effective_network_time,
            &self.effective_baseline_power,
            &self.cumsum_realized,
            &self.cumsum_baseline,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// builtin-actors' reward at epoch 0 for zero power.
    const EPOCH_ZERO_REWARD: u128 = 36_266_264_293_777_134_739;

    #[test]
    fn construction_with_zero_power_is_the_networks_epoch_zero() {
        let st = RewardState::new(&StoragePower::default());
        assert_eq!(st.epoch, 0);
        assert_eq!(st.cumsum_realized, StoragePower::default());
        assert_eq!(st.this_epoch_reward, TokenAmount::from_atto(EPOCH_ZERO_REWARD));
        assert_eq!(st.this_epoch_baseline_power, baseline_initial_value() - 1);
        assert_eq!(st.effective_baseline_power, baseline_initial_value());
    }

    #[test]
    fn construction_with_power_counts_it_up_to_the_baseline() {
        let some = StoragePower::from(1u64 << 39);
        let st = RewardState::new(&some);
        assert_eq!(st.cumsum_realized, some);
        assert!(st.this_epoch_reward > TokenAmount::from_atto(EPOCH_ZERO_REWARD));
        // Power beyond the baseline earns nothing more.
        let at_baseline = RewardState::new(&baseline_initial_value());
        let doubled = RewardState::new(&(baseline_initial_value() * 2));
        assert_eq!(at_baseline.this_epoch_reward, doubled.this_epoch_reward);
    }

    #[test]
    fn the_state_encodes_as_an_eleven_field_tuple() {
        let st = RewardState::new(&StoragePower::default());
        let bytes = fvm_ipld_encoding::to_vec(&st).unwrap();
        assert_eq!(bytes[0], 0x8b);
        let back: RewardState = fvm_ipld_encoding::from_slice(&bytes).unwrap();
        assert_eq!(back, st);
    }
}
