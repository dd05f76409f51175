//! The minting schedule (Filecoin's "hybrid" minting): a simple exponential decay over 330M FIL
//! plus 770M FIL released as the network's cumulative realized power keeps up with a baseline
//! that doubles every year. All values Q.128 with flooring division, as builtin-actors, so the
//! per-epoch reward is the network's to the attoFIL.

use std::sync::LazyLock;

use fvm_shared::bigint::{BigInt, Integer};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::StoragePower;

use crate::smoothing::{PRECISION, coefficients, poly_val};

/// The baseline's per-epoch growth factor, Q.128: it doubles in a year of 30-second epochs.
fn baseline_exponent() -> &'static BigInt {
    // Just above 2^128, so it does not fit a u128.
    static EXPONENT: LazyLock<BigInt> =
        LazyLock::new(|| coefficients(&["340282591298641078465964189926313473653"]).remove(0));
    &EXPONENT
}

/// The baseline at the network's launch: 2.5057 EiB (2,888,888,880,000,000,000 bytes).
pub fn baseline_initial_value() -> StoragePower {
    StoragePower::from(2_888_888_880_000_000_000u128)
}

/// The baseline one epoch before launch (what the constructor's first step grows from).
pub fn init_baseline_power() -> StoragePower {
    ((baseline_initial_value() << (2 * PRECISION)) / baseline_exponent()) >> PRECISION
}

/// FIL minted on the simple schedule.
pub(super) fn simple_total() -> TokenAmount {
    TokenAmount::from_whole(330_000_000)
}

/// FIL minted on the baseline schedule.
pub(super) fn baseline_total() -> TokenAmount {
    TokenAmount::from_whole(770_000_000)
}

/// e^λ − 1 and λ = ln 2 / (6 years of epochs), Q.128: the six-year half-life.
fn exp_lambda_minus_one() -> BigInt {
    BigInt::from(37_396_273_494_747_879_394_193_016_954_629u128)
}

fn lambda() -> BigInt {
    BigInt::from(37_396_271_439_864_487_274_534_522_888_786u128)
}

/// The baseline one epoch after `previous`.
pub fn baseline_power_from_prev(previous: &StoragePower) -> StoragePower {
    (previous * baseline_exponent()) >> PRECISION
}

/// The effective network time with its fraction (Q.128): how far along the baseline the
/// network's cumulative realized power has come.
pub(super) fn compute_r_theta(
    effective_network_time: ChainEpoch,
    baseline_at_effective_time: &BigInt,
    cumsum_realized: &BigInt,
    cumsum_baseline: &BigInt,
) -> BigInt {
    if effective_network_time == 0 {
        return BigInt::default();
    }
    let whole = BigInt::from(effective_network_time) << PRECISION;
    let shortfall =
        ((cumsum_baseline - cumsum_realized) << PRECISION).div_floor(baseline_at_effective_time);
    whole - shortfall
}

/// The reward for `epoch` given the effective network time before and after it.
pub(super) fn compute_reward(
    epoch: ChainEpoch,
    prev_theta: &BigInt,
    curr_theta: &BigInt,
    simple_total: &TokenAmount,
    baseline_total: &TokenAmount,
) -> TokenAmount {
    let simple =
        (simple_total.atto() * exp_lambda_minus_one() * expneg(&(lambda() * epoch))) >> PRECISION;
    let baseline = baseline_supply(curr_theta, baseline_total.atto())
        - baseline_supply(prev_theta, baseline_total.atto());
    TokenAmount::from_atto((simple + baseline) >> PRECISION)
}

/// Baseline-minted supply at effective time `theta`, Q.128: total × (1 − e^(−λθ)).
fn baseline_supply(theta: &BigInt, baseline_total: &BigInt) -> BigInt {
    let theta_lambda = (theta * lambda()) >> PRECISION;
    ((BigInt::from(1) << PRECISION) - expneg(&theta_lambda)) * baseline_total
}

/// e^(−x): numerator and denominator of the rational approximation, Q.128.
static EXPNEG_NUM: LazyLock<Vec<BigInt>> = LazyLock::new(|| {
    coefficients(&[
        "-648770010757830093818553637600",
        "67469480939593786226847644286976",
        "-3197587544499098424029388939001856",
        "89244641121992890118377641805348864",
        "-1579656163641440567800982336819953664",
        "17685496037279256458459817590917169152",
        "-115682590513835356866803355398940131328",
        "340282366920938463463374607431768211456",
    ])
});
static EXPNEG_DENOM: LazyLock<Vec<BigInt>> = LazyLock::new(|| {
    coefficients(&[
        "1225524182432722209606361",
        "114095592300906098243859450",
        "5665570424063336070530214243",
        "194450132448609991765137938448",
        "5068267641632683791026134915072",
        "104716890604972796896895427629056",
        "1748338658439454459487681798864896",
        "23704654329841312470660182937960448",
        "259380097567996910282699886670381056",
        "2250336698853390384720606936038375424",
        "14978272436876548034486263159246028800",
        "72144088983913131323343765784380833792",
        "224599776407103106596571252037123047424",
        "340282366920938463463374607431768211456",
    ])
});

/// e^(−x) for Q.128 `x` ≥ 0, by the network's rational approximation.
fn expneg(x: &BigInt) -> BigInt {
    (poly_val(&EXPNEG_NUM, x) << PRECISION).div_floor(&poly_val(&EXPNEG_DENOM, x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_minting_matches_the_networks_golden_values() {
        // Lines of builtin-actors' TestSimpleReward.golden: (epoch, reward).
        for (epoch, reward) in [
            (0, 36_266_264_293_777_134_739u128),
            (5000, 36_246_341_860_983_438_171),
            (10_000, 36_226_430_372_336_764_970),
            (490_000, 34_364_980_812_279_232_031),
            (2_555_000, 27_387_841_182_142_501_307),
        ] {
            let zero = BigInt::default();
            let got = compute_reward(epoch, &zero, &zero, &simple_total(), &baseline_total());
            assert_eq!(got, TokenAmount::from_atto(reward), "epoch {epoch}");
        }
    }

    #[test]
    fn baseline_minting_matches_the_networks_golden_values() {
        // TestBaselineReward.golden: (θ0, θ1, reward beyond the simple part).
        let simple = compute_reward(
            0,
            &BigInt::default(),
            &BigInt::default(),
            &simple_total(),
            &baseline_total(),
        );
        for (t0, t1, reward) in [
            ("0", "340282366920938463463374607398434878123", 84_621_274_052_457_285_111u128),
            (
                "1701411834604692317316873037158763279502223",
                "1701752116971613255780336411766161714380346",
                84_574_788_381_047_331_439,
            ),
        ] {
            let (t0, t1): (BigInt, BigInt) = (t0.parse().unwrap(), t1.parse().unwrap());
            let got = compute_reward(0, &t0, &t1, &simple_total(), &baseline_total()) - &simple;
            assert_eq!(got, TokenAmount::from_atto(reward));
        }
    }

    #[test]
    fn effective_time_is_fractional() {
        let at = |epoch: i64| BigInt::from((epoch + 1) * 2048);
        let theta = compute_r_theta(1, &at(1), &BigInt::from(2048 + 2048), &BigInt::from(3 * 2048));
        assert_eq!(theta, BigInt::from(1) << (PRECISION - 1), "one half");
    }

    #[test]
    fn the_baseline_doubles_in_a_year() {
        let mut baseline = StoragePower::from(1u64 << 50);
        for _ in 0..365 * 2880 {
            baseline = baseline_power_from_prev(&baseline);
        }
        let expected = StoragePower::from(1u64 << 51);
        // Within 1e-8 of double, as the network's own test allows.
        assert!((&expected - &baseline) * 100_000_000 < expected);
    }
}
