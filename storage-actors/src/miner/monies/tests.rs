//! Vectors from builtin-actors' `monies_test.rs`, `pledge_penalty_for_termination.rs`,
//! `expected_reward_for_power_clampted_at_atto_fil_test.rs`, `fip0081_initial_pledge.rs`,
//! `precommit_deposit_and_initial_pledge_positive_test.rs`, `policy_test.rs` and
//! `internal_tests.rs`, plus pinned values of the small formulas.

use num_traits::Signed;

use super::*;
use fvm_shared::sector::SectorSize;

fn estimate(position: impl Into<BigInt>, velocity: impl Into<BigInt>) -> FilterEstimate {
    FilterEstimate::new(position.into(), velocity.into())
}

fn atto(n: impl Into<BigInt>) -> TokenAmount {
    TokenAmount::from_atto(n)
}

#[test]
fn negative_br_is_clamped() {
    let reward = estimate(1u64 << 50, 0);
    let power = estimate(1u64 << 10, -(1i64 << 10));
    assert!(power.extrapolate(4) < BigInt::from(1u64 << 10));
    let br = expected_reward_for_power(&reward, &power, &BigInt::from(1u64 << 36), 4);
    assert!(br.is_zero());
    let clamped = expected_reward_for_power_clamped_at_atto_fil(
        &reward,
        &power,
        &BigInt::from(1u64 << 36),
        4,
    );
    assert_eq!(clamped, atto(1));
}

#[test]
fn zero_power_costs_nothing_but_clamps_to_one_atto() {
    let reward = estimate(1u64 << 50, 0);
    let power = estimate(1u64 << 10, 1u64 << 10);
    assert!(pledge_penalty_for_continued_fault(&reward, &power, &BigInt::zero()).is_zero());
    let clamped =
        expected_reward_for_power_clamped_at_atto_fil(&reward, &power, &BigInt::zero(), 1);
    assert_eq!(clamped, atto(1));
}

#[test]
fn no_network_power_means_the_reward_estimate() {
    let reward = estimate(12_345, 0);
    let br = expected_reward_for_power(&reward, &FilterEstimate::default(), &BigInt::from(7), 100);
    assert_eq!(br, atto(12_345));
}

#[test]
fn aggregate_fault_penalty_matches_the_sum_of_sectors() {
    let reward = estimate(1u64 << 50, 0);
    let power = estimate(1u64 << 10, 1u64 << 10);
    for (n, qa) in [(10, 1u64 << 6), (10, 1 << 36), (10, 1 << 50), (1000, 1 << 6), (1000, 1 << 36)]
    {
        let qa = BigInt::from(qa);
        let aggregate = pledge_penalty_for_continued_fault(&reward, &power, &(&qa * n));
        let single = pledge_penalty_for_continued_fault(&reward, &power, &qa);
        assert!(aggregate.is_positive());
        let diff = (aggregate.atto() - (single * n).atto()).abs();
        assert!(diff <= BigInt::from(n), "n={n} qa={qa} diff={diff}");
    }
}

#[test]
fn termination_fee_follows_fip_0098() {
    let pledge = atto(1 << 10);
    // Older than the cap: 8.5 % of 1024 = 87.
    let old = (TERMINATION_LIFETIME_CAP + 1) * EPOCHS_IN_DAY;
    assert_eq!(pledge_penalty_for_termination(&pledge, old, &TokenAmount::zero()), atto(87));
    // Half the cap: 87 × 70 / 140 = 43.
    let half = (TERMINATION_LIFETIME_CAP / 2) * EPOCHS_IN_DAY;
    assert_eq!(pledge_penalty_for_termination(&pledge, half, &TokenAmount::zero()), atto(43));
    // A fault fee of 1024 lifts it to 105 % of that: 1075.
    assert_eq!(pledge_penalty_for_termination(&pledge, old, &atto(1 << 10)), atto(1075));
    // Brand new: the 2 % floor, 20.
    assert_eq!(pledge_penalty_for_termination(&pledge, 0, &TokenAmount::zero()), atto(20));
}

fn fip0081_pledge(since_ramp: i64, ramp: u64) -> TokenAmount {
    initial_pledge_for_power(
        &BigInt::from(1u64 << 36),
        &BigInt::from(1u64 << 37),
        &estimate(0, 0),
        &estimate(1u64 << 10, 1u64 << 10),
        &TokenAmount::from_whole(1),
        since_ramp,
        ramp,
    )
}

#[test]
fn initial_pledge_ramps_per_fip_0081() {
    let expect =
        |ten_thousandths: i64| atto(1) + TokenAmount::from_whole(ten_thousandths).div_floor(10_000);
    // Before and at the ramp start: all baseline, 0.3 × 2^36 / 2^37 = 0.15 FIL.
    assert_eq!(fip0081_pledge(-100, 100), expect(1500));
    assert_eq!(fip0081_pledge(-1, 10), expect(1500));
    assert_eq!(fip0081_pledge(0, 100), expect(1500));
    // 3 % simple after one tenth of the ramp.
    assert_eq!(fip0081_pledge(10, 100), expect(1545));
    assert_eq!(fip0081_pledge(1, 10), expect(1545));
    // Mid-ramp: 15 % simple.
    assert_eq!(fip0081_pledge(50, 100), expect(1725));
    // After the ramp, or with no ramp at all: 30 % simple.
    assert_eq!(fip0081_pledge(150, 100), expect(1950));
    assert_eq!(fip0081_pledge(500, 100), expect(1950));
    assert_eq!(fip0081_pledge(0, 0), expect(1950));
    assert_eq!(fip0081_pledge(10, 0), expect(1950));
}

#[test]
fn pledge_and_deposit_are_at_least_one_atto() {
    let reward = estimate(0, 0);
    let power = estimate(1u64 << 10, 1u64 << 10);
    let qa = BigInt::from(1u64 << 36);
    let pledge = initial_pledge_for_power(
        &qa,
        &BigInt::from(1u64 << 10),
        &reward,
        &power,
        &TokenAmount::zero(),
        0,
        0,
    );
    assert_eq!(pledge, atto(1));
    assert_eq!(pre_commit_deposit_for_power(&reward, &power, &qa), atto(1));
}

#[test]
fn initial_pledge_is_capped_and_survives_an_empty_network() {
    assert_eq!(initial_pledge_max_per_byte(), atto(29_103_830));
    // A huge supply: the cap (1 FIL / 32 GiB) binds: 2048 × 29103830.
    let capped = initial_pledge_for_power(
        &BigInt::from(2048),
        &BigInt::zero(),
        &estimate(0, 0),
        &estimate(0, 0),
        &TokenAmount::from_whole(1_000_000),
        0,
        0,
    );
    assert_eq!(capped, atto(2048u64 * 29_103_830));
    // No power anywhere: no division by zero, just the 1 atto storage pledge.
    let empty = initial_pledge_for_power(
        &BigInt::zero(),
        &BigInt::zero(),
        &estimate(0, 0),
        &estimate(0, 0),
        &TokenAmount::from_whole(1),
        0,
        0,
    );
    assert_eq!(empty, TokenAmount::zero());
}

const SIZES: [SectorSize; 5] = [
    SectorSize::_2KiB,
    SectorSize::_8MiB,
    SectorSize::_512MiB,
    SectorSize::_32GiB,
    SectorSize::_64GiB,
];

fn weight(size: SectorSize, duration: ChainEpoch) -> BigInt {
    BigInt::from(size as u64) * duration
}

#[test]
fn quality_is_independent_of_size_and_duration() {
    let empty = BigInt::from(1 << SECTOR_QUALITY_PRECISION);
    let verified = &empty * 10;
    let half = &empty / 2 + &verified / 2;
    for size in SIZES {
        for duration in [1, 10, 1000, 1000 * EPOCHS_IN_DAY] {
            let full = weight(size, duration);
            assert_eq!(quality_for_weight(size, duration, &BigInt::zero()), empty);
            assert_eq!(quality_for_weight(size, duration, &full), verified);
            assert_eq!(quality_for_weight(size, duration, &(&full / 2)), half);
            assert_eq!(
                qa_power_for_weight(size, duration, &BigInt::zero()),
                BigInt::from(size as u64)
            );
            assert_eq!(qa_power_for_weight(size, duration, &full), BigInt::from(size as u64) * 10);
        }
    }
}

#[test]
fn quality_scales_with_verified_proportion() {
    let empty = BigInt::from(1 << SECTOR_QUALITY_PRECISION);
    let verified_quality = &empty * 10;
    let (size, duration) = (SectorSize::_64GiB, 1_000_000);
    let sector_weight = weight(size, duration);
    for space in [0i64, 1, 1 << 10, 2 << 20, 5 << 20, 1 << 30, (2 << 35) - 1, 2 << 35] {
        let verified = BigInt::from(space) * duration;
        let unverified = BigInt::from(size as i64 - space) * duration;
        let expected = (unverified * &empty + &verified * &verified_quality) / &sector_weight;
        assert_eq!(quality_for_weight(size, duration, &verified), expected, "space {space}");
    }
}

#[test]
fn standard_sectors_and_edge_cases() {
    let duration = 180 * EPOCHS_IN_DAY;
    let size = SectorSize::_32GiB;
    let half = weight(size, duration) / 2;
    assert_eq!(qa_power_for_weight(size, duration, &half), BigInt::from(11 * (32u64 << 30) / 2));
    assert_eq!(qa_power_max(SectorSize::_2KiB), BigInt::from(20_480));
    assert_eq!(raw_power_for_sector(SectorSize::_2KiB), BigInt::from(2048));
    // Zero duration: base quality instead of a division by zero.
    assert_eq!(qa_power_for_weight(SectorSize::_2KiB, 0, &BigInt::zero()), BigInt::from(2048));
}

#[test]
fn br_is_exact_for_constant_estimates() {
    let fifty_fil = TokenAmount::from_whole(50);
    let reward = estimate(fifty_fil.atto().clone(), 0);
    let ten_pow_18: BigInt = BigInt::from(10u64).pow(18u32);
    for network in [&ten_pow_18 * 10u32, &ten_pow_18 * 600u32, &ten_pow_18 * 20_000u32] {
        let network: BigInt = network;
        let power = estimate(BigInt::clone(&network), 0);
        for qa in [BigInt::from(32u64 << 30), BigInt::from(1u64 << 60)] {
            let expected = (&qa * EPOCHS_IN_DAY * fifty_fil.atto()).div_floor(&network);
            let br = expected_reward_for_power(&reward, &power, &qa, EPOCHS_IN_DAY);
            assert_eq!(br.atto(), &expected);
        }
    }
}

#[test]
fn fault_penalties_are_linear_in_power() {
    let reward = estimate(100u64 << 53, 0);
    let power = estimate(100u64 << 50, 0);
    let parts = [1u64 << 50, 19 << 50, 63 << 50].map(BigInt::from);
    let total: BigInt = parts.iter().sum();
    for f in [pledge_penalty_for_continued_fault, pledge_penalty_for_termination_lower_bound] {
        let sum: TokenAmount = parts.iter().map(|p| f(&reward, &power, p)).sum();
        let diff = f(&reward, &power, &total) - sum;
        assert!(!diff.is_negative() && diff < atto(3));
    }
}

#[test]
fn daily_fee_matches_fip_0100() {
    // 680M FIL of supply: 3 780 793 052 776 attoFIL per 32 GiB (±10).
    let supply = TokenAmount::from_whole(680_000_000);
    let reference = 3_780_793_052_776i64;
    for (gib, mult) in [(32u64, 1i64), (64, 2), (320, 10), (160, 5), (640, 20)] {
        let fee = daily_proof_fee(&supply, &(BigInt::from(gib) << 30));
        assert!((fee.atto() - BigInt::from(reference * mult)).abs() <= BigInt::from(10));
    }
    let fee = daily_proof_fee(&supply, &BigInt::from(32u64 << 30));
    assert_eq!(fee, atto(3_780_793_052_776u64));
    assert_eq!(daily_proof_fee_payable(&atto(100), &atto(150)), atto(75));
    assert_eq!(daily_proof_fee_payable(&atto(100), &atto(1000)), atto(100));
    assert_eq!(daily_proof_fee_adjust(&atto(100), &BigInt::from(3), &BigInt::from(5)), atto(166));
    assert_eq!(daily_proof_fee_adjust(&atto(100), &BigInt::zero(), &BigInt::from(5)), atto(100));
}

#[test]
fn rewards_and_penalties_of_the_epoch_reward() {
    let reward = atto(1_000_003);
    assert_eq!(consensus_fault_penalty(reward.clone()), atto(1_000_003));
    assert_eq!(reward_for_consensus_slash_report(&reward), atto(50_000));
    let (locked, spec) = locked_reward_from_reward(atto(1001));
    assert_eq!(locked, atto(750));
    assert_eq!(
        *spec,
        VestSpec {
            initial_delay: 0,
            vest_period: 518_400,
            step_duration: 2880,
            quantization: 1440
        }
    );
    let disputed = reward_for_disputed_window_post(
        RegisteredPoStProof::StackedDRGWindow2KiBV1P1,
        PowerPair::zero(),
    );
    assert_eq!(disputed, TokenAmount::from_whole(4));
    let invalid =
        pledge_penalty_for_invalid_windowpost(&estimate(0, 0), &estimate(1, 0), &BigInt::zero());
    assert_eq!(invalid, TokenAmount::from_whole(20));
    assert_eq!(CONTINUED_FAULT_PROJECTION_PERIOD, 10_108);
    assert_eq!(INVALID_WINDOW_POST_PROJECTION_PERIOD, 15_868);
}
