//! Blocks, transactions and receipts: `eth_blockNumber`, `eth_getBlockBy*`,
//! `eth_getBlockTransactionCountBy*`, `eth_getTransactionBy*`, `eth_getTransactionReceipt`,
//! `eth_getBlockReceipts`, and Lotus's `Filecoin.EthGetMessageCidByTransactionHash` /
//! `Filecoin.EthGetTransactionHashByCid`.
//!
//! Where Ethereum answers `null` (an unknown block or transaction, a null round, a future
//! height, an index past the end of a block) these do too; Lotus errors in several of those
//! cases. A transaction is looked up on chain first, then in the pool, so a pending transaction
//! has no block fields and no receipt.

use std::sync::Arc;

use alloy_primitives::{B256, U64};
use alloy_rpc_types_eth::{
    Block, BlockId, BlockNumberOrTag, Index, Transaction, TransactionReceipt,
};
use chain::{SignedMessage, Tipset};
use cid::Cid;
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::{ErrorObjectOwned, Params};
use serde::{Deserialize, Serialize};

use super::resolve::tipset_for_block;
use super::{EthContext, EthModule, convert};
use crate::error::{RpcError, RpcResult};

/// A CID as Lotus's JSON writes it: `{"/": "bafy…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CidJson {
    /// The CID's string form.
    #[serde(rename = "/")]
    pub(crate) cid: String,
}

/// A CID parameter: Lotus's `{"/": "bafy…"}` or the bare string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CidParam {
    Lotus(CidJson),
    Text(String),
}

impl CidParam {
    fn parse(self) -> RpcResult<Cid> {
        let text = match self {
            Self::Lotus(CidJson { cid }) | Self::Text(cid) => cid,
        };
        Cid::try_from(text.as_str())
            .map_err(|err| RpcError::InvalidParams(format!("invalid CID {text:?}: {err}")))
    }
}

/// Registers this file's methods.
pub(crate) fn register(module: &mut EthModule) -> Result<(), RegisterMethodError> {
    module.register_method("eth_blockNumber", |_, ctx, _| block_number(ctx))?;
    module.register_method("eth_getBlockByNumber", |params, ctx, _| {
        let (tag, full): (BlockNumberOrTag, Option<bool>) = two(&params)?;
        Ok::<_, ErrorObjectOwned>(block_by_number(ctx, tag, full.unwrap_or(false))?)
    })?;
    module.register_method("eth_getBlockByHash", |params, ctx, _| {
        let (hash, full): (B256, Option<bool>) = two(&params)?;
        Ok::<_, ErrorObjectOwned>(block_by_hash(ctx, hash, full.unwrap_or(false))?)
    })?;
    module.register_method("eth_getBlockTransactionCountByNumber", |params, ctx, _| {
        let tag: BlockNumberOrTag = params.sequence().next()?;
        Ok::<_, ErrorObjectOwned>(transaction_count(tipset_for_block(ctx, tag)?))
    })?;
    module.register_method("eth_getBlockTransactionCountByHash", |params, ctx, _| {
        let hash: B256 = params.sequence().next()?;
        Ok::<_, ErrorObjectOwned>(transaction_count(tipset_by_hash(ctx, &hash)?))
    })?;
    module.register_method("eth_getTransactionByHash", |params, ctx, _| {
        let hash: B256 = params.sequence().next()?;
        Ok::<_, ErrorObjectOwned>(transaction_by_hash(ctx, &hash)?)
    })?;
    module.register_method("eth_getTransactionByBlockHashAndIndex", |params, ctx, _| {
        let (hash, index): (B256, Index) = two_required(&params)?;
        let tipset = tipset_by_hash(ctx, &hash)?;
        Ok::<_, ErrorObjectOwned>(transaction_by_index(ctx, tipset, index)?)
    })?;
    module.register_method("eth_getTransactionByBlockNumberAndIndex", |params, ctx, _| {
        let (tag, index): (BlockNumberOrTag, Index) = two_required(&params)?;
        let tipset = tipset_for_block(ctx, tag)?;
        Ok::<_, ErrorObjectOwned>(transaction_by_index(ctx, tipset, index)?)
    })?;
    module.register_method("eth_getTransactionReceipt", |params, ctx, _| {
        let hash: B256 = params.sequence().next()?;
        Ok::<_, ErrorObjectOwned>(transaction_receipt(ctx, &hash)?)
    })?;
    module.register_method("eth_getBlockReceipts", |params, ctx, _| {
        let block: BlockId = params.sequence().next()?;
        Ok::<_, ErrorObjectOwned>(block_receipts(ctx, block)?)
    })?;
    module.register_method("Filecoin.EthGetMessageCidByTransactionHash", |params, ctx, _| {
        let hash: B256 = params.sequence().next()?;
        Ok::<_, ErrorObjectOwned>(message_cid_by_hash(ctx, &hash)?)
    })?;
    module.register_method("Filecoin.EthGetTransactionHashByCid", |params, ctx, _| {
        let cid: CidParam = params.sequence().next()?;
        Ok::<_, ErrorObjectOwned>(hash_by_cid(ctx, &cid.parse()?)?)
    })?;
    Ok(())
}

/// A required first and an optional second parameter.
fn two<A, B>(params: &Params<'_>) -> Result<(A, Option<B>), ErrorObjectOwned>
where
    A: serde::de::DeserializeOwned,
    B: serde::de::DeserializeOwned,
{
    let mut seq = params.sequence();
    let first = seq.next()?;
    Ok((first, seq.optional_next()?))
}

/// Two required parameters.
fn two_required<A, B>(params: &Params<'_>) -> Result<(A, B), ErrorObjectOwned>
where
    A: serde::de::DeserializeOwned,
    B: serde::de::DeserializeOwned,
{
    let mut seq = params.sequence();
    let first = seq.next()?;
    Ok((first, seq.next()?))
}

/// Handler for: `eth_blockNumber` (the head: the devnet executes a tipset when it builds it).
fn block_number(ctx: &EthContext) -> RpcResult<U64> {
    Ok(U64::from(convert::block_number(&ctx.node.chain_head())))
}

/// Handler for: `eth_getBlockByNumber`.
fn block_by_number(
    ctx: &EthContext,
    tag: BlockNumberOrTag,
    full: bool,
) -> RpcResult<Option<Block>> {
    tipset_for_block(ctx, tag)?.map(|ts| convert::block(ctx, &ts, full)).transpose()
}

/// Handler for: `eth_getBlockByHash`.
fn block_by_hash(ctx: &EthContext, hash: B256, full: bool) -> RpcResult<Option<Block>> {
    tipset_by_hash(ctx, &hash)?.map(|ts| convert::block(ctx, &ts, full)).transpose()
}

/// Handler for: `eth_getBlockTransactionCountBy{Number,Hash}`.
fn transaction_count(tipset: Option<Arc<Tipset>>) -> Option<U64> {
    tipset.map(|ts| U64::from(ts.messages.len()))
}

/// Handler for: `eth_getTransactionByHash`: mined, then pending.
fn transaction_by_hash(ctx: &EthContext, hash: &B256) -> RpcResult<Option<Transaction>> {
    if let Some((tipset, index, message)) = mined(ctx, hash)? {
        return convert::transaction(ctx, &message, Some((&tipset, index))).map(Some);
    }
    match ctx.node.mpool_find(None, Some(hash)) {
        Some(pending) => convert::transaction(ctx, &pending.message, None).map(Some),
        None => Ok(None),
    }
}

/// Handler for: `eth_getTransactionByBlock{Hash,Number}AndIndex`; `null` past the end.
fn transaction_by_index(
    ctx: &EthContext,
    tipset: Option<Arc<Tipset>>,
    index: Index,
) -> RpcResult<Option<Transaction>> {
    let Some(tipset) = tipset else { return Ok(None) };
    let index = usize::from(index);
    match message_at(ctx, &tipset, index)? {
        Some(message) => convert::transaction(ctx, &message, Some((&tipset, index))).map(Some),
        None => Ok(None),
    }
}

/// Handler for: `eth_getTransactionReceipt`; `null` while pending.
fn transaction_receipt(ctx: &EthContext, hash: &B256) -> RpcResult<Option<TransactionReceipt>> {
    let Some((tipset, index, message)) = mined(ctx, hash)? else { return Ok(None) };
    let node = &ctx.node;
    let receipts = node.chain_get_receipts(&tipset).map_err(RpcError::internal)?;
    let logs = node.chain_get_logs(&tipset).map_err(RpcError::internal)?;
    convert::receipt(ctx, &tipset, index, &message, &receipts, &logs).map(Some)
}

/// Handler for: `eth_getBlockReceipts` (number, tag, hash or EIP-1898 object).
fn block_receipts(ctx: &EthContext, block: BlockId) -> RpcResult<Option<Vec<TransactionReceipt>>> {
    let tipset = match block {
        BlockId::Hash(hash) => tipset_by_hash(ctx, &hash.block_hash)?,
        BlockId::Number(tag) => tipset_for_block(ctx, tag)?,
    };
    tipset.map(|ts| convert::block_receipts(ctx, &ts)).transpose()
}

/// Handler for: `Filecoin.EthGetMessageCidByTransactionHash`: mined, then pending.
fn message_cid_by_hash(ctx: &EthContext, hash: &B256) -> RpcResult<Option<CidJson>> {
    let node = &ctx.node;
    let mined = match node.state_search_tx(hash).map_err(RpcError::internal)? {
        Some(at) => node
            .chain_get_tipset_by_height(at.height)
            .map_err(RpcError::internal)?
            .and_then(|ts| ts.messages.get(at.index as usize).copied()),
        None => None,
    };
    let cid = mined.or_else(|| node.mpool_find(None, Some(hash)).map(|p| p.cid));
    Ok(cid.map(|cid| CidJson { cid: cid.to_string() }))
}

/// Handler for: `Filecoin.EthGetTransactionHashByCid`: mined, then pending.
fn hash_by_cid(ctx: &EthContext, cid: &Cid) -> RpcResult<Option<B256>> {
    let node = &ctx.node;
    if let Some(at) = node.state_search_msg(cid).map_err(RpcError::internal)?
        && let Some(tipset) =
            node.chain_get_tipset_by_height(at.height).map_err(RpcError::internal)?
        && let Some(hash) = tipset.eth_hashes.get(at.index as usize)
    {
        return Ok(Some(*hash));
    }
    Ok(node.mpool_find(Some(cid), None).map(|p| p.eth_hash))
}

/// The tipset with this block hash.
pub(crate) fn tipset_by_hash(ctx: &EthContext, hash: &B256) -> RpcResult<Option<Arc<Tipset>>> {
    ctx.node.chain_get_tipset_by_hash(hash).map_err(RpcError::internal)
}

/// The mined message with this transaction hash: its tipset, index and the message.
fn mined(ctx: &EthContext, hash: &B256) -> RpcResult<Option<(Arc<Tipset>, usize, SignedMessage)>> {
    let node = &ctx.node;
    let Some(at) = node.state_search_tx(hash).map_err(RpcError::internal)? else {
        return Ok(None);
    };
    let Some(tipset) = node.chain_get_tipset_by_height(at.height).map_err(RpcError::internal)?
    else {
        return Ok(None);
    };
    let index = at.index as usize;
    Ok(message_at(ctx, &tipset, index)?.map(|message| (tipset, index, message)))
}

/// Message `index` of `tipset`, if it has that many.
fn message_at(ctx: &EthContext, tipset: &Tipset, index: usize) -> RpcResult<Option<SignedMessage>> {
    let Some(cid) = tipset.messages.get(index) else { return Ok(None) };
    let bytes =
        ctx.node.chain_read_block(cid).map_err(RpcError::internal)?.ok_or_else(|| {
            RpcError::internal(format!("message {cid} is missing from the store"))
        })?;
    SignedMessage::from_bytes(&bytes).map(Some).map_err(RpcError::internal)
}
