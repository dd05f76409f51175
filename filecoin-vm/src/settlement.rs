//! Fee settlement of an explicit message: who receives what of the `fee_cap × gas_limit` the
//! sender reserved. Follows ref-fvm's `GasOutputs::compute` to the attoFIL.

use fvm_shared::econ::TokenAmount;

/// The split of a message's reserved funds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GasOutputs {
    /// `min(base_fee, fee_cap) × gas_used`, burnt (to f099).
    pub base_fee_burn: TokenAmount,
    /// Base fee on the over-estimated gas, burnt (to f099).
    pub over_estimation_burn: TokenAmount,
    /// What the miner owes when the base fee exceeds the fee cap (charged to the block producer,
    /// not the sender).
    pub miner_penalty: TokenAmount,
    /// `min(premium, fee_cap − base fee paid) × gas_limit`, to the reward actor (f02).
    pub miner_tip: TokenAmount,
    /// Returned to the sender.
    pub refund: TokenAmount,
    /// Gas whose base fee was burnt as over-estimation.
    pub gas_burned: u64,
    /// Gas refunded (neither used nor burnt).
    pub gas_refund: u64,
}

/// How much of the unused gas is burnt: the first 10% of over-estimation is free; beyond that a
/// growing share of the unused gas is, all of it at 2× or more. Returns `(refund, burned)` in gas.
pub const fn compute_gas_overestimation_burn(gas_used: u64, gas_limit: u64) -> (u64, u64) {
    const NUM: u128 = 11;
    const DEN: u128 = 10;
    if gas_used == 0 {
        return (0, gas_limit);
    }
    let (used, limit) = (gas_used as u128, gas_limit as u128);
    let mut over = limit.saturating_sub((NUM * used) / DEN);
    if over == 0 {
        return (limit.saturating_sub(used) as u64, 0);
    }
    if over > used {
        over = used;
    }
    let unused = limit.saturating_sub(used);
    let burned = unused * over / used;
    ((unused - burned) as u64, burned as u64)
}

impl GasOutputs {
    /// The settlement of a message that used `gas_used` of `gas_limit`.
    pub fn compute(
        gas_used: u64,
        gas_limit: u64,
        base_fee: &TokenAmount,
        fee_cap: &TokenAmount,
        gas_premium: &TokenAmount,
    ) -> Self {
        let gas_used = gas_used.min(gas_limit);
        let base_fee_to_pay = if base_fee > fee_cap { fee_cap } else { base_fee };
        let mut out = Self { base_fee_burn: base_fee_to_pay * gas_used, ..Self::default() };
        let mut miner_tip = gas_premium.clone();
        let headroom = fee_cap - base_fee_to_pay;
        if miner_tip > headroom {
            miner_tip = headroom;
        }
        if miner_tip.is_negative() {
            miner_tip = TokenAmount::default();
        }
        out.miner_tip = &miner_tip * gas_limit;
        if base_fee > fee_cap {
            out.miner_penalty = (base_fee - fee_cap) * gas_used;
        }
        let (refund, burned) = compute_gas_overestimation_burn(gas_used, gas_limit);
        out.gas_refund = refund;
        out.gas_burned = burned;
        if burned != 0 {
            out.over_estimation_burn = base_fee_to_pay * burned;
            out.miner_penalty += (base_fee - base_fee_to_pay) * burned;
        }
        let required = fee_cap * gas_limit;
        out.refund = required - &out.base_fee_burn - &out.miner_tip - &out.over_estimation_burn;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overestimation_vectors_of_ref_fvm() {
        let vectors: [(u64, u64, u64, u64); 12] = [
            (100, 200, 10, 90),
            (100, 150, 30, 20),
            (1_000, 1_300, 240, 60),
            (500, 700, 140, 60),
            (200, 200, 0, 0),
            (20_000, 21_000, 1_000, 0),
            (0, 2_000, 0, 2_000),
            (500, 651, 121, 30),
            (500, 5_000, 0, 4_500),
            (7_499_000_000, 7_500_000_000, 1_000_000, 0),
            (3_750_000_000, 7_500_000_000, 375_000_000, 3_375_000_000),
            (1, 7_500_000_000, 0, 7_499_999_999),
        ];
        for (used, limit, refund, burned) in vectors {
            assert_eq!(
                compute_gas_overestimation_burn(used, limit),
                (refund, burned),
                "used {used} limit {limit}"
            );
        }
    }

    #[test]
    fn full_outputs_with_base_fee_ten() {
        // (used, limit, cap, premium) -> (burn, over, penalty, tip, refund)
        let vectors: [([u64; 4], [u64; 5]); 4] = [
            ([100, 110, 11, 1], [1_000, 0, 0, 110, 100]),
            ([100, 130, 11, 1], [1_000, 60, 0, 130, 240]),
            ([100, 110, 10, 1], [1_000, 0, 0, 0, 100]),
            ([100, 110, 6, 1], [600, 0, 400, 0, 60]),
        ];
        let atto = |v: u64| TokenAmount::from_atto(v);
        for ([used, limit, cap, prem], [burn, over, penalty, tip, refund]) in vectors {
            let out = GasOutputs::compute(used, limit, &atto(10), &atto(cap), &atto(prem));
            assert_eq!(out.base_fee_burn, atto(burn), "burn {used}/{limit}/{cap}");
            assert_eq!(out.over_estimation_burn, atto(over), "over {used}/{limit}/{cap}");
            assert_eq!(out.miner_penalty, atto(penalty), "penalty {used}/{limit}/{cap}");
            assert_eq!(out.miner_tip, atto(tip), "tip {used}/{limit}/{cap}");
            assert_eq!(out.refund, atto(refund), "refund {used}/{limit}/{cap}");
            let total =
                &out.base_fee_burn + &out.over_estimation_burn + &out.miner_tip + &out.refund;
            assert_eq!(total, atto(cap * limit), "funds conserved");
        }
    }
}
