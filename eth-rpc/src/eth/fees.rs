//! Fee suggestions and history: `eth_gasPrice`, `eth_maxPriorityFeePerGas`, `eth_feeHistory`
//! and Lotus's `eth_baseFee`.
//!
//! Gas is Filecoin gas and 1 wei = 1 attoFIL. A message's **effective premium** in a tipset is
//! `min(premium, fee cap − base fee)`, never below 0: what it actually tipped per gas.
//!
//! * **Tip suggestion** (`eth_maxPriorityFeePerGas`): the median, weighted by gas used, of the
//!   effective premiums of the messages in the last [`TIP_LOOKBACK`] tipsets, and at least
//!   [`MIN_PRIORITY_FEE`] (Lotus's `MinGasPremium`, 100,000 attoFIL) — which is also the answer
//!   while those tipsets are empty. Lotus reads a point just below the median of the last two
//!   tipsets, doubles values under the minimum and adds random noise; this devnet's suggestion is
//!   deterministic.
//! * **Gas price** (`eth_gasPrice`): the next tipset's base fee plus the tip suggestion.
//! * **Base fee** (`eth_baseFee`): the base fee the next tipset will charge.
//! * **Fee history** (`eth_feeHistory [blockCount, newestBlock, rewardPercentiles?]`): at most
//!   [`MAX_FEE_HISTORY_BLOCKS`] tipsets (−32005 beyond), walking back from `newestBlock` over
//!   real tipsets (null rounds are skipped, as in Lotus) and stopping at genesis. Per tipset:
//!   its base fee, `gasUsed / 10e9` and, for each requested percentile (at most
//!   [`MAX_REWARD_PERCENTILES`], each in 0–100, ascending; −32602 otherwise), the gas-used
//!   weighted percentile of its messages' effective premiums (0 for an empty tipset, as in Geth;
//!   Lotus reports the minimum premium). `baseFeePerGas` has one more entry: the base fee of the
//!   tipset after the newest one — the node's real next base fee when the newest is the head
//!   (Lotus repeats the newest value instead).

use alloy_primitives::{U64, U256};
use alloy_rpc_types_eth::{BlockId, BlockNumberOrTag, FeeHistory};
use chain::Tipset;
use chain::basefee::{BLOCK_GAS_LIMIT, effective_premium};
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;
use serde_json::Value;

use super::resolve::tipset_for_state;
use super::{Module, RpcContext};
use crate::error::{RpcError, RpcResult};
use crate::params::Positional;
use evm_actor::units::token_to_u128;

/// The lowest tip suggested, attoFIL per gas (Lotus's `MinGasPremium`).
pub(crate) const MIN_PRIORITY_FEE: u128 = 100_000;
/// How many recent tipsets the tip suggestion looks at.
pub(crate) const TIP_LOOKBACK: usize = 10;
/// The most blocks one `eth_feeHistory` call covers (Geth and Lotus: 1024).
pub(crate) const MAX_FEE_HISTORY_BLOCKS: u64 = 1024;
/// The most reward percentiles one `eth_feeHistory` call asks for (Lotus: 100).
pub(crate) const MAX_REWARD_PERCENTILES: usize = 100;

/// Registers this file's methods.
pub(crate) fn register(module: &mut Module) -> Result<(), RegisterMethodError> {
    module.register_method("eth_gasPrice", |_, ctx, _| gas_price(ctx))?;
    module.register_method("eth_maxPriorityFeePerGas", |_, ctx, _| {
        suggested_tip(ctx).map(U256::from)
    })?;
    module.register_method("eth_baseFee", |_, ctx, _| base_fee(ctx))?;
    module.register_method("eth_feeHistory", |params, ctx, _| fee_history(ctx, &params))?;
    Ok(())
}

/// Handler for: `eth_gasPrice`: next base fee + suggested tip.
fn gas_price(ctx: &RpcContext) -> RpcResult<U256> {
    let base = token_to_u128(&ctx.node.next_base_fee());
    Ok(U256::from(base.saturating_add(suggested_tip(ctx)?)))
}

/// Handler for: `eth_baseFee`: the base fee of the next tipset.
fn base_fee(ctx: &RpcContext) -> RpcResult<U256> {
    Ok(U256::from(token_to_u128(&ctx.node.next_base_fee())))
}

/// Handler for: `eth_maxPriorityFeePerGas` (see the module docs).
pub(super) fn suggested_tip(ctx: &RpcContext) -> RpcResult<u128> {
    let mut samples = Vec::new();
    let mut tipset = Some(ctx.node.chain_head());
    for _ in 0..TIP_LOOKBACK {
        let Some(ts) = tipset else { break };
        samples.extend(premium_samples(ctx, &ts)?);
        tipset = parent(ctx, &ts)?;
    }
    let rewards = Rewards::new(samples);
    Ok(rewards.percentile(50.0).unwrap_or(0).max(MIN_PRIORITY_FEE))
}

/// Handler for: `eth_feeHistory` (see the module docs).
fn fee_history(ctx: &RpcContext, params: &Params<'_>) -> RpcResult<FeeHistory> {
    let mut p = Positional::new(params);
    let count = parse_block_count(&p.required::<Value>("block count")?)?;
    let newest: BlockNumberOrTag = p.required("newest block")?;
    let percentiles: Vec<f64> = p.optional("reward percentiles")?.unwrap_or_default();
    check_percentiles(&percentiles)?;
    if count > MAX_FEE_HISTORY_BLOCKS {
        return Err(RpcError::LimitExceeded {
            what: "block count",
            max: MAX_FEE_HISTORY_BLOCKS,
            got: count,
        });
    }
    let newest = tipset_for_state(ctx, Some(BlockId::Number(newest)))?;
    let mut history = FeeHistory::default();
    if count == 0 {
        return Ok(history);
    }
    let next_base_fee = next_base_fee_after(ctx, &newest)?;
    // Newest first while walking back; reversed below.
    let mut base_fees = Vec::new();
    let mut ratios = Vec::new();
    let mut rewards = Vec::new();
    let mut oldest = newest.height();
    let mut tipset = Some(newest);
    for _ in 0..count {
        let Some(ts) = tipset else { break };
        oldest = ts.height();
        base_fees.push(token_to_u128(ts.base_fee()));
        ratios.push(ts.gas_used as f64 / BLOCK_GAS_LIMIT as f64);
        if !percentiles.is_empty() {
            let samples = Rewards::new(premium_samples(ctx, &ts)?);
            rewards.push(percentiles.iter().map(|&p| samples.percentile(p).unwrap_or(0)).collect());
        }
        tipset = parent(ctx, &ts)?;
    }
    base_fees.reverse();
    base_fees.push(next_base_fee);
    ratios.reverse();
    rewards.reverse();
    history.oldest_block = u64::try_from(oldest).unwrap_or_default();
    history.base_fee_per_gas = base_fees;
    history.gas_used_ratio = ratios;
    history.reward = (!percentiles.is_empty()).then_some(rewards);
    Ok(history)
}

/// `blockCount`: a hex quantity, a decimal string or a JSON number.
fn parse_block_count(value: &Value) -> RpcResult<u64> {
    let invalid = || RpcError::InvalidParams(format!("invalid block count {value}"));
    match value {
        Value::Number(n) => n.as_u64().ok_or_else(invalid),
        Value::String(s) => match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            Some(hex) => serde_json::from_value::<U64>(Value::String(format!("0x{hex}")))
                .map(|v| v.to::<u64>())
                .map_err(|_| invalid()),
            None => s.parse().map_err(|_| invalid()),
        },
        _ => Err(invalid()),
    }
}

fn check_percentiles(percentiles: &[f64]) -> RpcResult<()> {
    if percentiles.len() > MAX_REWARD_PERCENTILES {
        return Err(RpcError::LimitExceeded {
            what: "reward percentiles",
            max: MAX_REWARD_PERCENTILES as u64,
            got: percentiles.len() as u64,
        });
    }
    let mut previous = 0.0;
    for &p in percentiles {
        if !(0.0..=100.0).contains(&p) {
            return Err(RpcError::InvalidParams(format!(
                "invalid reward percentile {p}: must be between 0 and 100"
            )));
        }
        if p < previous {
            return Err(RpcError::InvalidParams(format!(
                "invalid reward percentiles: {p} follows {previous}; they must be ascending"
            )));
        }
        previous = p;
    }
    Ok(())
}

/// The tipset before `tipset` (skipping null rounds); `None` at genesis.
fn parent(ctx: &RpcContext, tipset: &Tipset) -> RpcResult<Option<std::sync::Arc<Tipset>>> {
    if tipset.height() <= 0 {
        return Ok(None);
    }
    ctx.node.chain_get_tipset_at_or_before(tipset.height() - 1).map_err(RpcError::from)
}

/// The base fee of the tipset after `tipset`: the node's next base fee after the head.
fn next_base_fee_after(ctx: &RpcContext, tipset: &Tipset) -> RpcResult<u128> {
    let head = ctx.node.chain_head();
    for height in tipset.height() + 1..=head.height() {
        if let Some(next) = ctx.node.chain_get_tipset_by_height(height).map_err(RpcError::from)? {
            return Ok(token_to_u128(next.base_fee()));
        }
    }
    Ok(token_to_u128(&ctx.node.next_base_fee()))
}

/// One message's gas used and effective premium.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sample {
    gas_used: u64,
    premium: u128,
}

/// The messages of `tipset` as samples at its base fee.
fn premium_samples(ctx: &RpcContext, tipset: &Tipset) -> RpcResult<Vec<Sample>> {
    if tipset.messages.is_empty() {
        return Ok(Vec::new());
    }
    let messages = ctx.node.chain_get_messages(tipset).map_err(RpcError::from)?;
    let receipts = ctx.node.chain_get_receipts(tipset).map_err(RpcError::from)?;
    Ok(messages
        .iter()
        .zip(&receipts)
        .map(|(signed, receipt)| {
            let m = &signed.message;
            let premium = effective_premium(&m.gas_fee_cap, &m.gas_premium, tipset.base_fee());
            Sample { gas_used: receipt.gas_used, premium: token_to_u128(&premium) }
        })
        .collect())
}

/// Samples sorted by premium, for gas-weighted percentiles.
#[derive(Debug)]
struct Rewards {
    sorted: Vec<Sample>,
    total_gas: u128,
}

impl Rewards {
    fn new(mut samples: Vec<Sample>) -> Self {
        samples.sort_by_key(|s| s.premium);
        let total_gas = samples.iter().map(|s| u128::from(s.gas_used)).sum();
        Self { sorted: samples, total_gas }
    }

    /// The premium of the first sample at which the cumulative gas used reaches `p` % of the
    /// total (Geth's rule); `None` without samples.
    fn percentile(&self, p: f64) -> Option<u128> {
        let threshold = (self.total_gas as f64 * p / 100.0) as u128;
        let mut cumulative = 0u128;
        for sample in &self.sorted {
            cumulative += u128::from(sample.gas_used);
            if cumulative >= threshold {
                return Some(sample.premium);
            }
        }
        self.sorted.last().map(|s| s.premium)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn s(gas_used: u64, premium: u128) -> Sample {
        Sample { gas_used, premium }
    }

    #[test]
    fn percentiles_are_weighted_by_gas_used() {
        let r = Rewards::new(vec![s(10, 300), s(80, 100), s(10, 200)]);
        assert_eq!(r.percentile(0.0), Some(100));
        assert_eq!(r.percentile(50.0), Some(100));
        assert_eq!(r.percentile(80.0), Some(100));
        assert_eq!(r.percentile(85.0), Some(200));
        assert_eq!(r.percentile(95.0), Some(300));
        assert_eq!(r.percentile(100.0), Some(300));
        assert_eq!(Rewards::new(vec![]).percentile(50.0), None);
    }

    #[test]
    fn block_counts_take_every_spelling() {
        assert_eq!(parse_block_count(&json!("0x10")).unwrap(), 16);
        assert_eq!(parse_block_count(&json!("16")).unwrap(), 16);
        assert_eq!(parse_block_count(&json!(16)).unwrap(), 16);
        for bad in [json!("0xzz"), json!(-1), json!(1.5), json!(null), json!("ten")] {
            assert!(parse_block_count(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn percentiles_must_be_ascending_and_in_range() {
        assert!(check_percentiles(&[]).is_ok());
        assert!(check_percentiles(&[0.0, 25.0, 25.0, 100.0]).is_ok());
        assert!(matches!(check_percentiles(&[50.0, 10.0]), Err(RpcError::InvalidParams(_))));
        assert!(matches!(check_percentiles(&[101.0]), Err(RpcError::InvalidParams(_))));
        assert!(matches!(check_percentiles(&[-1.0]), Err(RpcError::InvalidParams(_))));
        assert!(matches!(check_percentiles(&[f64::NAN]), Err(RpcError::InvalidParams(_))));
        let many = vec![1.0; 101];
        assert!(matches!(check_percentiles(&many), Err(RpcError::LimitExceeded { .. })));
    }
}
