//! The market's policy: the bounds a deal must respect and the devnet constants behind them.
//! A 2KiB devnet bundle changes none of them (the "devnet" features shorten sectors, not
//! deals), so they are mainnet's (builtin-actors `actors/market/src/policy.rs` and the runtime
//! policy).

use fvm_shared::bigint::{BigInt, Integer};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::StoragePower;

/// Epochs in a day (30-second epochs).
pub const EPOCHS_IN_DAY: ChainEpoch = 2880;

/// Shortest deal: 180 days.
pub const MIN_DEAL_DURATION: ChainEpoch = 180 * EPOCHS_IN_DAY;
/// Longest deal: 1278 days.
pub const MAX_DEAL_DURATION: ChainEpoch = 1278 * EPOCHS_IN_DAY;

/// Longest label, in bytes.
pub const DEAL_MAX_LABEL_SIZE: usize = 256;

/// A deal is looked at by cron once per this many epochs (30 days), at an offset given by its ID.
pub const DEAL_UPDATES_INTERVAL: ChainEpoch = 30 * EPOCHS_IN_DAY;

/// The provider collateral floor is this share (num/denom) of the circulating supply, spread
/// over the network's power.
pub const PROV_COLLATERAL_PERCENT_SUPPLY_NUM: i64 = 1;
/// See [`PROV_COLLATERAL_PERCENT_SUPPLY_NUM`].
pub const PROV_COLLATERAL_PERCENT_SUPPLY_DENOM: i64 = 100;

/// Extra term a verified deal's allocation may be claimed for beyond the deal: 90 days.
pub const MARKET_DEFAULT_ALLOCATION_TERM_BUFFER: ChainEpoch = 90 * EPOCHS_IN_DAY;
/// Longest term of a verified allocation: 5 years.
pub const MAXIMUM_VERIFIED_ALLOCATION_TERM: ChainEpoch = 5 * 1_051_897;
/// Furthest an allocation's expiration may lie from now: 60 days.
pub const MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION: ChainEpoch = 60 * EPOCHS_IN_DAY;

/// All FIL there will ever be (2·10⁹): the ceiling of prices and collaterals.
pub fn total_filecoin() -> TokenAmount {
    TokenAmount::from_whole(2_000_000_000)
}

/// Smallest provider collateral for a piece of `size` bytes:
/// ⌊size × (num/denom × circulating supply) / max(baseline power, network raw power, size)⌋.
pub fn min_provider_collateral(
    size: u64,
    network_raw_power: &StoragePower,
    baseline_power: &StoragePower,
    circulating_supply: &TokenAmount,
) -> TokenAmount {
    let share_num = BigInt::from(size);
    let share_denom = network_raw_power.max(baseline_power).max(&share_num).clone();
    let lock_target = circulating_supply.atto() * PROV_COLLATERAL_PERCENT_SUPPLY_NUM;
    let num = share_num * lock_target;
    let denom = share_denom * PROV_COLLATERAL_PERCENT_SUPPLY_DENOM;
    TokenAmount::from_atto(num.div_floor(&denom))
}

/// What a provider loses when its deal was not activated by its start: all of its collateral.
pub fn activation_missed_penalty(provider_collateral: &TokenAmount) -> TokenAmount {
    provider_collateral.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_the_networks() {
        assert_eq!(MIN_DEAL_DURATION, 518_400);
        assert_eq!(MAX_DEAL_DURATION, 3_680_640);
        assert_eq!(DEAL_UPDATES_INTERVAL, 86_400);
    }

    #[test]
    fn collateral_floor_spreads_one_percent_of_supply_over_the_largest_power() {
        let supply = TokenAmount::from_atto(1_000_000u64);
        // Piece larger than any power: the whole 1 %.
        let zero = StoragePower::from(0);
        assert_eq!(
            min_provider_collateral(2048, &zero, &zero, &supply),
            TokenAmount::from_atto(10_000u64)
        );
        // Baseline 4096 > raw 1024: half of 1 %, floored.
        let raw = StoragePower::from(1024);
        let baseline = StoragePower::from(4096);
        assert_eq!(
            min_provider_collateral(2048, &raw, &baseline, &supply),
            TokenAmount::from_atto(5_000u64)
        );
        let supply = TokenAmount::from_atto(333u64);
        assert_eq!(
            min_provider_collateral(1, &raw, &zero, &supply),
            TokenAmount::from_atto(0u64) // 333 / 102400 floors to 0
        );
    }
}
