//! Network identity, Filecoin address conversion and dev-node methods: `eth_chainId`,
//! `net_version`, `eth_protocolVersion`, `eth_syncing`, `Filecoin.EthAddressToFilecoinAddress`,
//! `Filecoin.FilecoinAddressToEthAddress`, `evm_mine` and `anvil_mine`.
//!
//! * `net_version` is the chain id in decimal; `eth_protocolVersion` is, as in Lotus, the
//!   Filecoin network version whose rules the devnet follows ([`NETWORK_VERSION`]).
//! * `eth_syncing` is always `false`: the devnet produces its own chain.
//! * `Filecoin.EthAddressToFilecoinAddress [0x…]`: a masked ID becomes `f0<id>`, any other
//!   address `f410f…` (mainnet prefix, as Lotus prints).
//! * `Filecoin.FilecoinAddressToEthAddress [address, block?]`: `f0` and `f410f` addresses
//!   (either network prefix) convert directly; `f1`/`f2`/`f3` are resolved to their actor ID in
//!   the state at `block` (latest when omitted; Lotus defaults to `finalized`, the same tipset
//!   on a devnet) and returned as the masked ID. An address with no actor yet is −32001.
//! * `evm_mine [timestamp?]` (Hardhat, Ganache, anvil) mines one tipset now and answers `"0x0"`;
//!   `anvil_mine [count?, interval?]` mines `count` (default 1, at most [`MAX_MINE_COUNT`]) and
//!   answers `null`. Tipset timestamps come from the node's clock, so an explicit timestamp or a
//!   non-zero interval is refused (−32602) rather than ignored.

use address_mapping::{Network, filecoin_to_eth, format_address, masked_id_address, parse_address};
use alloy_primitives::{Address as EthAddress, U64, U256};
use alloy_rpc_types_eth::BlockId;
use fvm_shared::address::Payload;
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;
use serde_json::Value;

use super::call_methods::{Positional, to_filecoin};
use super::resolve::tipset_for_state;
use super::{EthContext, EthModule};
use crate::error::{RpcError, RpcResult};

/// The Filecoin network version `eth_protocolVersion` reports: nv27, whose FEVM rules
/// (FIP-0054 events, FIP-0055 delegated signatures, FIP-0091 legacy transactions) the devnet
/// implements.
pub(crate) const NETWORK_VERSION: u64 = 27;
/// The most tipsets one `anvil_mine` call produces.
pub(crate) const MAX_MINE_COUNT: u64 = 10_000;

/// Registers this file's methods.
pub(crate) fn register(module: &mut EthModule) -> Result<(), RegisterMethodError> {
    module.register_method("eth_chainId", |_, ctx, _| chain_id(ctx))?;
    module.register_method("net_version", |_, ctx, _| net_version(ctx))?;
    module.register_method("eth_protocolVersion", |_, _, _| protocol_version())?;
    module.register_method("eth_syncing", |_, _, _| syncing())?;
    module.register_method("Filecoin.EthAddressToFilecoinAddress", |params, _, _| {
        eth_to_filecoin_address(&params)
    })?;
    module.register_method("Filecoin.FilecoinAddressToEthAddress", |params, ctx, _| {
        filecoin_to_eth_address(ctx, &params)
    })?;
    module.register_blocking_method("evm_mine", |params, ctx, _| evm_mine(&ctx, &params))?;
    module.register_blocking_method("anvil_mine", |params, ctx, _| anvil_mine(&ctx, &params))?;
    Ok(())
}

/// Handler for: `eth_chainId`.
fn chain_id(ctx: &EthContext) -> RpcResult<U64> {
    Ok(U64::from(ctx.chain_id()))
}

/// Handler for: `net_version`: the chain id as a decimal string.
fn net_version(ctx: &EthContext) -> RpcResult<String> {
    Ok(ctx.chain_id().to_string())
}

/// Handler for: `eth_protocolVersion`.
fn protocol_version() -> RpcResult<U64> {
    Ok(U64::from(NETWORK_VERSION))
}

/// Handler for: `eth_syncing`.
fn syncing() -> RpcResult<bool> {
    Ok(false)
}

/// Handler for: `Filecoin.EthAddressToFilecoinAddress` (`[address]`).
fn eth_to_filecoin_address(params: &Params<'_>) -> RpcResult<String> {
    let address: EthAddress = Positional::new(params).required("address")?;
    Ok(format_address(&to_filecoin(address)?, Network::Mainnet))
}

/// Handler for: `Filecoin.FilecoinAddressToEthAddress` (`[address, block?]`).
fn filecoin_to_eth_address(ctx: &EthContext, params: &Params<'_>) -> RpcResult<EthAddress> {
    let mut p = Positional::new(params);
    let text: String = p.required("address")?;
    let block: Option<BlockId> = p.optional("block")?;
    let (address, _network) = parse_address(&text)
        .map_err(|e| RpcError::InvalidParams(format!("invalid Filecoin address {text:?}: {e}")))?;
    match address.payload() {
        Payload::ID(_) | Payload::Delegated(_) => filecoin_to_eth(&address)
            .map_err(|e| RpcError::InvalidParams(format!("{text} has no 0x form: {e}"))),
        Payload::Secp256k1(_) | Payload::Actor(_) | Payload::BLS(_) => {
            let tipset = tipset_for_state(ctx, block)?;
            let found = ctx.node.state_get_actor(&address, &tipset).map_err(RpcError::internal)?;
            let (id, _) = found.ok_or_else(|| {
                RpcError::ResourceNotFound(format!(
                    "failed to look up the ID address of {text} at block {}: no actor has this \
                     address yet (send it funds or a message to create it)",
                    tipset.height()
                ))
            })?;
            Ok(masked_id_address(id))
        }
    }
}

/// Handler for: `evm_mine` (`[timestamp?]`).
fn evm_mine(ctx: &EthContext, params: &Params<'_>) -> RpcResult<&'static str> {
    let timestamp: Option<Value> = Positional::new(params).optional("timestamp")?;
    if timestamp.is_some() {
        return Err(RpcError::Unsupported(
            "evm_mine: a tipset's timestamp cannot be chosen on this devnet".into(),
        ));
    }
    mine(ctx, 1)?;
    Ok("0x0")
}

/// Handler for: `anvil_mine` (`[count?, interval?]`).
fn anvil_mine(ctx: &EthContext, params: &Params<'_>) -> RpcResult<()> {
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
    mine(ctx, count)
}

fn mine(ctx: &EthContext, count: u64) -> RpcResult<()> {
    let mined = ctx.node.mine(count).map_err(RpcError::internal)?;
    tracing::debug!(target: "fevm::rpc", count = mined.len(), "mined on request");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eth_addresses_convert_to_f0_or_f410() {
        let params = Params::new(Some(r#"["0xff000000000000000000000000000000000004d2"]"#));
        assert_eq!(eth_to_filecoin_address(&params).unwrap(), "f01234");
        let params = Params::new(Some(r#"["0x0000000000000000000000000000000000000000"]"#));
        assert_eq!(
            eth_to_filecoin_address(&params).unwrap(),
            "f410faaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaonc6iji"
        );
        assert!(matches!(
            eth_to_filecoin_address(&Params::new(Some(r#"["0x12"]"#))),
            Err(RpcError::InvalidParams(_))
        ));
    }
}
