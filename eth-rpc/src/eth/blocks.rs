//! Blocks, transactions and receipts: `eth_blockNumber`, `eth_getBlockBy*`,
//! `eth_getBlockTransactionCountBy*`, `eth_getTransactionBy*`, `eth_getTransactionReceipt`,
//! and `eth_getBlockReceipts`.
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
use jsonrpsee::core::RegisterMethodError;

use super::resolve::tipset_for_block;
use super::{Module, RpcContext, convert};
use crate::error::{RpcError, RpcResult};
use crate::params::Positional;

/// Registers this file's methods.
pub(crate) fn register(module: &mut Module) -> Result<(), RegisterMethodError> {
    module.register_method("eth_blockNumber", |_, ctx, _| block_number(ctx))?;
    module.register_method("eth_getBlockByNumber", |params, ctx, _| {
        let mut p = Positional::new(&params);
        let tag: BlockNumberOrTag = p.required("block")?;
        let full: Option<bool> = p.optional("full transactions")?;
        block_by_number(ctx, tag, full.unwrap_or(false))
    })?;
    module.register_method("eth_getBlockByHash", |params, ctx, _| {
        let mut p = Positional::new(&params);
        let hash: B256 = p.required("block hash")?;
        let full: Option<bool> = p.optional("full transactions")?;
        block_by_hash(ctx, hash, full.unwrap_or(false))
    })?;
    module.register_method("eth_getBlockTransactionCountByNumber", |params, ctx, _| {
        let tag: BlockNumberOrTag = Positional::new(&params).required("block")?;
        RpcResult::Ok(transaction_count(tipset_for_block(ctx, tag)?))
    })?;
    module.register_method("eth_getBlockTransactionCountByHash", |params, ctx, _| {
        let hash: B256 = Positional::new(&params).required("block hash")?;
        RpcResult::Ok(transaction_count(tipset_by_hash(ctx, &hash)?))
    })?;
    module.register_method("eth_getTransactionByHash", |params, ctx, _| {
        let hash: B256 = Positional::new(&params).required("transaction hash")?;
        transaction_by_hash(ctx, &hash)
    })?;
    module.register_method("eth_getTransactionByBlockHashAndIndex", |params, ctx, _| {
        let mut p = Positional::new(&params);
        let hash: B256 = p.required("block hash")?;
        let index: Index = p.required("index")?;
        transaction_by_index(ctx, tipset_by_hash(ctx, &hash)?, index)
    })?;
    module.register_method("eth_getTransactionByBlockNumberAndIndex", |params, ctx, _| {
        let mut p = Positional::new(&params);
        let tag: BlockNumberOrTag = p.required("block")?;
        let index: Index = p.required("index")?;
        transaction_by_index(ctx, tipset_for_block(ctx, tag)?, index)
    })?;
    module.register_method("eth_getTransactionReceipt", |params, ctx, _| {
        let hash: B256 = Positional::new(&params).required("transaction hash")?;
        transaction_receipt(ctx, &hash)
    })?;
    module.register_method("eth_getBlockReceipts", |params, ctx, _| {
        let block: BlockId = Positional::new(&params).required("block")?;
        block_receipts(ctx, block)
    })?;
    Ok(())
}

/// Handler for: `eth_blockNumber` (the head: the devnet executes a tipset when it builds it).
fn block_number(ctx: &RpcContext) -> RpcResult<U64> {
    Ok(U64::from(convert::block_number(&ctx.node.chain_head())))
}

/// Handler for: `eth_getBlockByNumber`.
fn block_by_number(
    ctx: &RpcContext,
    tag: BlockNumberOrTag,
    full: bool,
) -> RpcResult<Option<Block>> {
    tipset_for_block(ctx, tag)?.map(|ts| convert::block(ctx, &ts, full)).transpose()
}

/// Handler for: `eth_getBlockByHash`.
fn block_by_hash(ctx: &RpcContext, hash: B256, full: bool) -> RpcResult<Option<Block>> {
    tipset_by_hash(ctx, &hash)?.map(|ts| convert::block(ctx, &ts, full)).transpose()
}

/// Handler for: `eth_getBlockTransactionCountBy{Number,Hash}`.
fn transaction_count(tipset: Option<Arc<Tipset>>) -> Option<U64> {
    tipset.map(|ts| U64::from(ts.messages.len()))
}

/// Handler for: `eth_getTransactionByHash`: mined, then pending.
fn transaction_by_hash(ctx: &RpcContext, hash: &B256) -> RpcResult<Option<Transaction>> {
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
    ctx: &RpcContext,
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
fn transaction_receipt(ctx: &RpcContext, hash: &B256) -> RpcResult<Option<TransactionReceipt>> {
    let Some((tipset, index, message)) = mined(ctx, hash)? else { return Ok(None) };
    let node = &ctx.node;
    let receipts = node.chain_get_receipts(&tipset).map_err(RpcError::from)?;
    let logs = node.chain_get_logs(&tipset).map_err(RpcError::from)?;
    convert::receipt(ctx, &tipset, index, &message, &receipts, &logs).map(Some)
}

/// Handler for: `eth_getBlockReceipts` (number, tag, hash or EIP-1898 object).
fn block_receipts(ctx: &RpcContext, block: BlockId) -> RpcResult<Option<Vec<TransactionReceipt>>> {
    let tipset = match block {
        BlockId::Hash(hash) => tipset_by_hash(ctx, &hash.block_hash)?,
        BlockId::Number(tag) => tipset_for_block(ctx, tag)?,
    };
    tipset.map(|ts| convert::block_receipts(ctx, &ts)).transpose()
}

/// The tipset with this block hash.
pub(crate) fn tipset_by_hash(ctx: &RpcContext, hash: &B256) -> RpcResult<Option<Arc<Tipset>>> {
    ctx.node.chain_get_tipset_by_hash(hash).map_err(RpcError::from)
}

/// The mined message with this transaction hash: its tipset, index and the message.
fn mined(ctx: &RpcContext, hash: &B256) -> RpcResult<Option<(Arc<Tipset>, usize, SignedMessage)>> {
    let node = &ctx.node;
    let Some(at) = node.state_search_tx(hash).map_err(RpcError::from)? else {
        return Ok(None);
    };
    let Some(tipset) = node.chain_get_tipset_by_height(at.height).map_err(RpcError::from)? else {
        return Ok(None);
    };
    let index = at.index as usize;
    Ok(message_at(ctx, &tipset, index)?.map(|message| (tipset, index, message)))
}

/// Message `index` of `tipset`, if it has that many.
fn message_at(ctx: &RpcContext, tipset: &Tipset, index: usize) -> RpcResult<Option<SignedMessage>> {
    let Some(cid) = tipset.messages.get(index) else { return Ok(None) };
    let bytes =
        ctx.node.chain_read_block(cid).map_err(RpcError::from)?.ok_or_else(|| {
            RpcError::internal(format!("message {cid} is missing from the store"))
        })?;
    SignedMessage::from_bytes(&bytes).map(Some).map_err(RpcError::internal)
}
