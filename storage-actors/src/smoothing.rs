//! The network's smoothed estimates (FIP-0004's alpha-beta filter): power keeps one of the
//! network's quality-adjusted power and reward one of the per-epoch reward, and miners size
//! pledges and fees from the ratio of the two, summed over a sector's life.
//!
//! All arithmetic is fixed point with 128 fractional bits ("Q.128") on big integers, and every
//! division floors, exactly as builtin-actors does: a pledge computed here must be the
//! network's to the attoFIL.

use std::sync::LazyLock;

use fvm_ipld_encoding::tuple::*;
use fvm_shared::bigint::{BigInt, Integer, Zero, bigint_ser};
use fvm_shared::clock::ChainEpoch;

/// Fractional bits of every Q.128 value.
pub const PRECISION: u64 = 128;

/// An estimate: a position and a velocity (per epoch), both Q.128.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct FilterEstimate {
    /// Position, Q.128.
    #[serde(with = "bigint_ser")]
    pub position: BigInt,
    /// Velocity per epoch, Q.128.
    #[serde(with = "bigint_ser")]
    pub velocity: BigInt,
}

impl FilterEstimate {
    /// An estimate from whole (Q.0) position and velocity.
    pub fn new(position: BigInt, velocity: BigInt) -> Self {
        Self { position: position << PRECISION, velocity: velocity << PRECISION }
    }

    /// The whole (Q.0) position.
    pub fn estimate(&self) -> BigInt {
        &self.position >> PRECISION
    }

    /// The position `delta` epochs ahead, Q.256.
    pub fn extrapolate(&self, delta: ChainEpoch) -> BigInt {
        (&self.velocity * (BigInt::from(delta) << PRECISION)) + (&self.position << PRECISION)
    }
}

/// The filter's gains, Q.128 (alpha ≈ 9.25e-4, beta ≈ 2.84e-7).
fn default_alpha() -> BigInt {
    BigInt::from(314_760_000_000_000_000_000_000_000_000_000_000u128)
}

fn default_beta() -> BigInt {
    BigInt::from(96_640_100_000_000_000_000_000_000_000_000u128)
}

/// The estimate after observing `observation` (Q.0) `epoch_delta` epochs after `previous`.
pub fn next_estimate(
    previous: &FilterEstimate,
    observation: &BigInt,
    epoch_delta: ChainEpoch,
) -> FilterEstimate {
    let delta_t = BigInt::from(epoch_delta) << PRECISION;
    let drift = (&delta_t * &previous.velocity) >> PRECISION;
    let predicted = drift + &previous.position;
    let residual = (observation << PRECISION) - &predicted;
    let position = predicted + ((default_alpha() * &residual) >> PRECISION);
    // A zero delta never happens on chain (upstream would divide by zero); keep the velocity.
    let velocity = if epoch_delta == 0 {
        previous.velocity.clone()
    } else {
        (residual * default_beta()).div_floor(&delta_t) + &previous.velocity
    };
    FilterEstimate { position, velocity }
}

/// ∫ numerator(t) / denominator(t) dt over `delta` epochs starting `relative_start` epochs
/// after both estimates were made, in closed form (Q.128). Miners use it for the expected
/// reward of a sector.
pub fn extrapolated_cum_sum_of_ratio(
    delta: ChainEpoch,
    relative_start: ChainEpoch,
    numerator: &FilterEstimate,
    denominator: &FilterEstimate,
) -> BigInt {
    let delta_t = BigInt::from(delta) << PRECISION;
    let t0 = BigInt::from(relative_start) << PRECISION;
    let (p1, v1) = (&numerator.position, &numerator.velocity);
    let (p2, v2) = (&denominator.position, &denominator.velocity);

    let v2_squared = (v2 * v2) >> PRECISION;
    // Below this (about 2^-50 squared) the denominator's velocity is treated as zero.
    let epsilon = BigInt::from(302_231_454_903_657_293_676_544u128);
    if v2_squared > epsilon {
        let start = ((v2 * &t0) >> PRECISION) + p2;
        let end = ((v2 * &delta_t) >> PRECISION) + &start;
        let (ln_start, ln_end) = (ln(&start), ln(&end));
        let m1 = ((&ln_end - &ln_start) * p1 * v2) >> PRECISION;
        let m2 = (((&ln_start - &ln_end) * p2 + v2 * &delta_t) * v1) >> PRECISION;
        return (m2 + m1).div_floor(&v2_squared);
    }
    // Callers guard a zero denominator (miners fall back to the reward estimate); were one to
    // slip through, zero rather than a division by zero.
    if p2.is_zero() {
        return BigInt::default();
    }
    let midpoint = ((v1 * (t0 + (&delta_t >> 1u32))) >> PRECISION) + p1;
    (midpoint * delta_t).div_floor(p2)
}

/// Evaluates a polynomial with Q.128 coefficients (highest degree first) at Q.128 `x`.
pub fn poly_val(coefficients: &[BigInt], x: &BigInt) -> BigInt {
    coefficients.iter().fold(BigInt::default(), |acc, c| ((acc * x) >> PRECISION) + c)
}

/// Parses decimal Q.128 coefficients (constants of this crate: a bad one is a bug).
pub(crate) fn coefficients(decimals: &[&str]) -> Vec<BigInt> {
    decimals.iter().map(|d| d.parse().unwrap_or_default()).collect()
}

/// ln on [1, 2): numerator and denominator of the rational approximation, Q.128.
static LN_NUM: LazyLock<Vec<BigInt>> = LazyLock::new(|| {
    coefficients(&[
        "261417938209272870992496419296200268025",
        "7266615505142943436908456158054846846897",
        "32458783941900493142649393804518050491988",
        "17078670566130897220338060387082146864806",
        "-35150353308172866634071793531642638290419",
        "-20351202052858059355702509232125230498980",
        "-1563932590352680681114104005183375350999",
    ])
});
static LN_DENOM: LazyLock<Vec<BigInt>> = LazyLock::new(|| {
    coefficients(&[
        "49928077726659937662124949977867279384",
        "2508163877009111928787629628566491583994",
        "21757751789594546643737445330202599887121",
        "53400635271583923415775576342898617051826",
        "41248834748603606604000911015235164348839",
        "9015227820322455780436733526367238305537",
        "340282366920938463463374607431768211456",
    ])
});

/// ln(z) for Q.128 `z` > 0: z = 2^k · x with x in [1, 2), ln z = k·ln 2 + ln x, the last by a
/// rational approximation.
pub fn ln(z: &BigInt) -> BigInt {
    let k = z.bits() as i64 - 1 - PRECISION as i64;
    let x = if k > 0 { z >> k as u64 } else { z << k.unsigned_abs() };
    let ln_2 = BigInt::from(235_865_763_225_513_294_137_944_142_764_154_484_399u128);
    let ratio = (poly_val(&LN_NUM, &x) << PRECISION).div_floor(&poly_val(&LN_DENOM, &x));
    BigInt::from(k) * ln_2 + ratio
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> BigInt {
        s.parse().unwrap()
    }

    #[test]
    fn natural_log_matches_the_networks_vectors() {
        // (input, expected), Q.128: ln 1, ln e, ln 100e18, ln 2e22, ln 0.0006, ln 1e-10.
        for (z, expected) in [
            ("340282366920938463463374607431768211456", "0"),
            ("924990000000000000000000000000000000000", "340282366920938463463374607431768211456"),
            (
                "34028236692093846346337460743176821145600000000000000000000",
                "15670582109617661336106769654068947397831",
            ),
            (
                "6805647338418769269267492148635364229120000000000000000000000",
                "17473506083804940763855390762239996622013",
            ),
            ("204169000000000000000000000000000000", "-2524410000000000000000000000000000000000"),
            ("34028236692093846346337460743", "-7835291054808830668053384827034473698915"),
        ] {
            assert_eq!(ln(&q(z)) >> PRECISION, q(expected) >> PRECISION, "ln({z})");
        }
    }

    #[test]
    fn the_filter_matches_the_networks_rounding_vector() {
        let previous = FilterEstimate {
            position: q("12340768897043811082913117521041414330876498465539749838848"),
            velocity: q("-37396269384748225153347462373739139597454335279104"),
        };
        let next = next_estimate(&previous, &BigInt::from(36_266_252_337_034_982_540u128), 3);
        assert_eq!(
            next.position.to_string(),
            "12340768782449774548722755900999027209659079673176744001536"
        );
        assert_eq!(
            next.velocity.to_string(),
            "-37396515542149801792802995707072472930787668612438"
        );
    }

    #[test]
    fn cumulative_ratio_of_constant_estimates() {
        let num = FilterEstimate::new(BigInt::from(4_000_000), BigInt::from(0));
        let denom = FilterEstimate::new(BigInt::from(1), BigInt::from(0));
        let sum = extrapolated_cum_sum_of_ratio(1000, 0, &num, &denom) >> PRECISION;
        assert_eq!(sum, BigInt::from(4_000_000_000u64));
        // With no velocity, the start does not matter.
        let later = extrapolated_cum_sum_of_ratio(1000, 1_000_000_000_000_000, &num, &denom);
        assert_eq!(later >> PRECISION, sum);
        // 1e12 / 200e12 over 100 epochs is one half: 5000 in ten-thousandths.
        let num = FilterEstimate::new(BigInt::from(1_000_000_000_000u64), BigInt::from(0));
        let denom = FilterEstimate::new(BigInt::from(200_000_000_000_000u64), BigInt::from(0));
        let half = extrapolated_cum_sum_of_ratio(100, 0, &num, &denom);
        assert_eq!(half.clone() >> PRECISION, BigInt::from(0));
        let ten_thousandths = (half * (BigInt::from(10_000) << PRECISION)) >> (2 * PRECISION);
        assert_eq!(ten_thousandths, BigInt::from(5000));
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let e = FilterEstimate::new(BigInt::from(7), BigInt::from(1));
        assert_eq!(next_estimate(&e, &BigInt::from(7), 0).velocity, e.velocity);
        let zero = FilterEstimate::default();
        assert_eq!(extrapolated_cum_sum_of_ratio(10, 0, &e, &zero), BigInt::default());
    }

    #[test]
    fn extrapolation_is_q256() {
        let e = FilterEstimate::new(BigInt::from(100), BigInt::from(-3));
        assert_eq!(e.extrapolate(10) >> (2 * PRECISION), BigInt::from(70));
        assert_eq!(e.estimate(), BigInt::from(100));
    }

    #[test]
    fn estimates_encode_as_tuples_of_big_integers() {
        let e = FilterEstimate::new(BigInt::from(1), BigInt::from(0));
        let bytes = fvm_ipld_encoding::to_vec(&e).unwrap();
        // [bytes(00 01 00…00 (16 zero bytes)), bytes()] — sign byte 0, then 2^128 big-endian.
        let mut expected = vec![0x82, 0x52, 0x00, 0x01];
        expected.extend([0u8; 16]);
        expected.push(0x40);
        assert_eq!(bytes, expected);
    }
}
