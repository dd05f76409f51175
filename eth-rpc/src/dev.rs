//! Dev methods (Hardhat's, Ganache's and anvil's names), served only for a node with dev powers
//! ([`chain::DevApi`]): `evm_mine` and `anvil_mine`.
//!
//! * `evm_mine [timestamp?]` mines one tipset now and answers `"0x0"`.
//! * `anvil_mine [count?, interval?]` mines `count` (default 1, at most [`MAX_MINE_COUNT`]) and
//!   answers `null`.
//!
//! Tipset timestamps come from the node's clock, so an explicit timestamp or a non-zero
//! interval is refused (−32602) rather than ignored.

use std::sync::Arc;

use alloy_primitives::U256;
use chain::DevApi;
use jsonrpsee::RpcModule;
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;
use serde_json::Value;

use crate::error::{RpcError, RpcResult};
use crate::params::Positional;

/// The most tipsets one `anvil_mine` call produces.
pub(crate) const MAX_MINE_COUNT: u64 = 10_000;

/// The dev methods over `dev`.
pub fn module(dev: Arc<dyn DevApi>) -> Result<RpcModule<Arc<dyn DevApi>>, RegisterMethodError> {
    let mut module = RpcModule::new(dev);
    module.register_blocking_method("evm_mine", |params, dev, _| evm_mine(&**dev, &params))?;
    module.register_blocking_method("anvil_mine", |params, dev, _| anvil_mine(&**dev, &params))?;
    Ok(module)
}

/// Handler for: `evm_mine` (`[timestamp?]`).
fn evm_mine(dev: &dyn DevApi, params: &Params<'_>) -> RpcResult<&'static str> {
    let timestamp: Option<Value> = Positional::new(params).optional("timestamp")?;
    if timestamp.is_some() {
        return Err(RpcError::Unsupported(
            "evm_mine: a tipset's timestamp cannot be chosen on this devnet".into(),
        ));
    }
    mine(dev, 1)?;
    Ok("0x0")
}

/// Handler for: `anvil_mine` (`[count?, interval?]`).
fn anvil_mine(dev: &dyn DevApi, params: &Params<'_>) -> RpcResult<()> {
    let mut p = Positional::new(params);
    let count: Option<U256> = p.optional("block count")?;
    let interval: Option<U256> = p.optional("interval")?;
    if interval.is_some_and(|i| !i.is_zero()) {
        return Err(RpcError::Unsupported(
            "anvil_mine: an interval between tipset timestamps cannot be set on this devnet".into(),
        ));
    }
    let count = count.map_or(1, |c| u64::try_from(c).unwrap_or(u64::MAX));
    if count > MAX_MINE_COUNT {
        return Err(RpcError::LimitExceeded {
            what: "block count",
            max: MAX_MINE_COUNT,
            got: count,
        });
    }
    mine(dev, count)
}

fn mine(dev: &dyn DevApi, count: u64) -> RpcResult<()> {
    let mined = dev.mine(count)?;
    tracing::debug!(target: "fevm::rpc", count = mined.len(), "mined on request");
    Ok(())
}
