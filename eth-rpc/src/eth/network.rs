//! Network identity: `eth_chainId`, `eth_protocolVersion` and `eth_syncing`.
//!
//! * `eth_protocolVersion` is, as in Lotus, the Filecoin network version whose rules the devnet
//!   follows ([`NETWORK_VERSION`]).
//! * `eth_syncing` is always `false`: the devnet produces its own chain.

use alloy_primitives::U64;
use jsonrpsee::core::RegisterMethodError;

use super::{Module, RpcContext};
use crate::error::RpcResult;

/// The Filecoin network version `eth_protocolVersion` reports: nv27, whose FEVM rules
/// (FIP-0054 events, FIP-0055 delegated signatures, FIP-0091 legacy transactions) the devnet
/// implements.
pub(crate) const NETWORK_VERSION: u64 = 27;

/// Registers this file's methods.
pub(crate) fn register(module: &mut Module) -> Result<(), RegisterMethodError> {
    module.register_method("eth_chainId", |_, ctx, _| chain_id(ctx))?;
    module.register_method("eth_protocolVersion", |_, _, _| protocol_version())?;
    module.register_method("eth_syncing", |_, _, _| syncing())?;
    Ok(())
}

/// Handler for: `eth_chainId`.
fn chain_id(ctx: &RpcContext) -> RpcResult<U64> {
    Ok(U64::from(ctx.chain_id()))
}

/// Handler for: `eth_protocolVersion`.
fn protocol_version() -> RpcResult<U64> {
    Ok(U64::from(NETWORK_VERSION))
}

/// Handler for: `eth_syncing`.
fn syncing() -> RpcResult<bool> {
    Ok(false)
}
