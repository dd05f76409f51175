//! The base-fee rule: FIP-0115, Filecoin's current rule.
//!
//! The next base fee follows what senders are willing to pay on top of it rather than how full
//! blocks are: take every message of the tipset (deduplicated by sender and nonce), weight its
//! effective premium by its gas limit, pad the distribution with zero premiums up to the block
//! gas limit, and read the 20th percentile `P`. With `max_adj = ⌈base / 8⌉`,
//! `next = max(MINIMUM_BASE_FEE, base + min(max_adj, P − max_adj))`.
//!
//! So an empty or lightly used devnet decays 12.5 % per tipset to the 100 attoFIL floor, and
//! the fee only rises when more than 80 % of a block's gas goes to messages that tip more than
//! `max_adj`.

use fvm_shared::econ::TokenAmount;

/// Gas a tipset's messages may reserve in total (Filecoin's block gas limit).
pub const BLOCK_GAS_LIMIT: u64 = 10_000_000_000;
/// The floor of the base fee, attoFIL per gas.
pub const MINIMUM_BASE_FEE: u64 = 100;
/// The genesis base fee, attoFIL per gas (Lotus's `InitialBaseFee`).
pub const INITIAL_BASE_FEE: u64 = 100_000_000;
/// The percentile of gas-weighted premiums that drives the rule.
const PREMIUM_PERCENTILE: u64 = 20;

/// One message's contribution: its gas limit and its effective premium
/// (`min(premium, fee_cap − base_fee)`, not below zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PremiumSample {
    /// The message's gas limit.
    pub gas_limit: u64,
    /// What it pays per gas on top of the base fee.
    pub premium: TokenAmount,
}

/// The effective premium of a message at `base_fee`.
pub fn effective_premium(
    fee_cap: &TokenAmount,
    premium: &TokenAmount,
    base_fee: &TokenAmount,
) -> TokenAmount {
    let headroom = fee_cap - base_fee;
    let p = if premium < &headroom { premium.clone() } else { headroom };
    if p.is_negative() { TokenAmount::default() } else { p }
}

/// The base fee of the next tipset, from this tipset's base fee and messages (already
/// deduplicated by sender and nonce).
pub fn next_base_fee(base_fee: &TokenAmount, mut samples: Vec<PremiumSample>) -> TokenAmount {
    let max_adj = ceil_div8(base_fee);
    let p = percentile_premium(&mut samples);
    let adjustment = {
        let rise = &p - &max_adj;
        if rise < max_adj { rise } else { max_adj }
    };
    let next = base_fee + adjustment;
    let floor = TokenAmount::from_atto(MINIMUM_BASE_FEE);
    if next < floor { floor } else { next }
}

fn ceil_div8(x: &TokenAmount) -> TokenAmount {
    TokenAmount::from_atto((x.atto() + 7u8) / 8u8)
}

/// The gas-weighted percentile of premiums, the distribution padded with zeros (or truncated
/// from the top) to exactly the block gas limit.
fn percentile_premium(samples: &mut [PremiumSample]) -> TokenAmount {
    samples.sort_by(|a, b| a.premium.cmp(&b.premium));
    let total: u128 = samples.iter().map(|s| u128::from(s.gas_limit)).sum();
    let limit = u128::from(BLOCK_GAS_LIMIT);
    let padding = limit.saturating_sub(total);
    // The smallest premium whose cumulative weight (zeros first) reaches the percentile.
    let target = limit * u128::from(PREMIUM_PERCENTILE) / 100;
    if padding >= target {
        return TokenAmount::default();
    }
    let mut cumulative = padding;
    for sample in samples.iter() {
        cumulative += u128::from(sample.gas_limit);
        if cumulative >= target {
            return sample.premium.clone();
        }
    }
    samples.last().map(|s| s.premium.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atto(n: u64) -> TokenAmount {
        TokenAmount::from_atto(n)
    }

    #[test]
    fn an_empty_tipset_lowers_the_fee_by_an_eighth_rounded_up() {
        assert_eq!(next_base_fee(&atto(100_000_000), vec![]), atto(87_500_000));
        assert_eq!(next_base_fee(&atto(1_001), vec![]), atto(1_001 - 126));
    }

    #[test]
    fn the_fee_never_goes_below_the_minimum() {
        assert_eq!(next_base_fee(&atto(105), vec![]), atto(100));
        assert_eq!(next_base_fee(&atto(100), vec![]), atto(100));
    }

    #[test]
    fn a_full_block_of_high_premiums_raises_it_by_at_most_an_eighth() {
        let full = vec![PremiumSample { gas_limit: BLOCK_GAS_LIMIT, premium: atto(1_000_000) }];
        assert_eq!(next_base_fee(&atto(800), full), atto(900));
    }

    #[test]
    fn a_premium_between_zero_and_twice_the_step_moves_the_fee_proportionally() {
        // 90 % of the block at premium 150 with base 800 (max_adj 100): P = 150, +50.
        let samples = vec![PremiumSample { gas_limit: 9_000_000_000, premium: atto(150) }];
        assert_eq!(next_base_fee(&atto(800), samples), atto(850));
    }

    #[test]
    fn a_block_less_than_eighty_percent_full_reads_a_zero_premium() {
        let samples = vec![PremiumSample { gas_limit: 7_900_000_000, premium: atto(1_000_000) }];
        assert_eq!(next_base_fee(&atto(800), samples), atto(700));
    }

    #[test]
    fn effective_premium_is_capped_by_the_fee_cap_headroom() {
        assert_eq!(effective_premium(&atto(150), &atto(80), &atto(100)), atto(50));
        assert_eq!(effective_premium(&atto(90), &atto(80), &atto(100)), atto(0));
        assert_eq!(effective_premium(&atto(500), &atto(80), &atto(100)), atto(80));
    }
}
