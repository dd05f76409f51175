//! Lotus's `Filecoin.*` methods the gateway serves (so far the Ethereum helpers):
//! `Filecoin.EthAddressToFilecoinAddress`, `Filecoin.FilecoinAddressToEthAddress`,
//! `Filecoin.EthGetMessageCidByTransactionHash` and `Filecoin.EthGetTransactionHashByCid`.
//!
//! * `EthAddressToFilecoinAddress [0x…]`: a masked ID becomes `f0<id>`, any other address
//!   `f410f…` (mainnet prefix, as Lotus prints).
//! * `FilecoinAddressToEthAddress [address, block?]`: `f0` and `f410f` addresses (either network
//!   prefix) convert directly; `f1`/`f2`/`f3` are resolved to their actor ID in the state at
//!   `block` (latest when omitted; Lotus defaults to `finalized`, the same tipset on a devnet)
//!   and returned as the masked ID. An address with no actor yet is −32001.
//! * `EthGetMessageCidByTransactionHash [hash]` and `EthGetTransactionHashByCid [cid]`: mined,
//!   then pending; `null` when neither. CIDs are Lotus JSON (`{"/": …}`; a bare string is
//!   accepted too).

use address_mapping::{Network, filecoin_to_eth, format_address, masked_id_address, parse_address};
use alloy_primitives::{Address as EthAddress, B256};
use alloy_rpc_types_eth::BlockId;
use cid::Cid;
use fvm_shared::address::Payload;
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;

use crate::context::{Module, RpcContext};
use crate::error::{RpcError, RpcResult};
use crate::eth::resolve::tipset_for_state;
use crate::lotus_json::{CidJson, CidParam};
use crate::params::{Positional, to_filecoin};

/// Registers the `Filecoin.*` methods.
pub(crate) fn register(module: &mut Module) -> Result<(), RegisterMethodError> {
    module.register_method("Filecoin.EthAddressToFilecoinAddress", |params, _, _| {
        eth_to_filecoin_address(&params)
    })?;
    module.register_method("Filecoin.FilecoinAddressToEthAddress", |params, ctx, _| {
        filecoin_to_eth_address(ctx, &params)
    })?;
    module.register_method("Filecoin.EthGetMessageCidByTransactionHash", |params, ctx, _| {
        let hash: B256 = Positional::new(&params).required("transaction hash")?;
        message_cid_by_hash(ctx, &hash)
    })?;
    module.register_method("Filecoin.EthGetTransactionHashByCid", |params, ctx, _| {
        let cid: CidParam = Positional::new(&params).required("message CID")?;
        hash_by_cid(ctx, &cid.parse()?)
    })?;
    Ok(())
}

/// Handler for: `Filecoin.EthAddressToFilecoinAddress` (`[address]`).
fn eth_to_filecoin_address(params: &Params<'_>) -> RpcResult<String> {
    let address: EthAddress = Positional::new(params).required("address")?;
    Ok(format_address(&to_filecoin(address)?, Network::Mainnet))
}

/// Handler for: `Filecoin.FilecoinAddressToEthAddress` (`[address, block?]`).
fn filecoin_to_eth_address(ctx: &RpcContext, params: &Params<'_>) -> RpcResult<EthAddress> {
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
            let found = ctx.node.state_get_actor(&address, &tipset).map_err(RpcError::from)?;
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

/// Handler for: `Filecoin.EthGetMessageCidByTransactionHash`: mined, then pending.
fn message_cid_by_hash(ctx: &RpcContext, hash: &B256) -> RpcResult<Option<CidJson>> {
    let node = &ctx.node;
    let mined = match node.state_search_tx(hash).map_err(RpcError::from)? {
        Some(at) => node
            .chain_get_tipset_by_height(at.height)
            .map_err(RpcError::from)?
            .and_then(|ts| ts.messages.get(at.index as usize).copied()),
        None => None,
    };
    let cid = mined.or_else(|| node.mpool_find(None, Some(hash)).map(|p| p.cid));
    Ok(cid.map(|cid| CidJson::from(&cid)))
}

/// Handler for: `Filecoin.EthGetTransactionHashByCid`: mined, then pending.
fn hash_by_cid(ctx: &RpcContext, cid: &Cid) -> RpcResult<Option<B256>> {
    let node = &ctx.node;
    if let Some(at) = node.state_search_msg(cid).map_err(RpcError::from)?
        && let Some(tipset) = node.chain_get_tipset_by_height(at.height).map_err(RpcError::from)?
        && let Some(hash) = tipset.eth_hashes.get(at.index as usize)
    {
        return Ok(Some(*hash));
    }
    Ok(node.mpool_find(Some(cid), None).map(|p| p.eth_hash))
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
