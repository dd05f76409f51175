//! Block tags, numbers, hashes and EIP-1898 objects → tipsets.
//!
//! The devnet executes a tipset when it builds it, so the head is already executed:
//! `latest`, `safe`, `finalized` and `pending` all name the head (a devnet does not reorg;
//! pending messages are not executed speculatively). `earliest` is genesis. Lotus instead
//! answers `latest` with the head's parent and refuses `earliest`.
//!
//! Block queries ([`tipset_for_block`]) answer `None` (JSON `null`) for a null round or a height
//! beyond the head, as Ethereum does for a missing block; Lotus errors with code 12. State
//! queries ([`tipset_for_state`]) read a null round as the tipset before it, and refuse a
//! future height ("header not found", as Geth).

use std::sync::Arc;

use alloy_rpc_types_eth::{BlockId, BlockNumberOrTag};
use chain::Tipset;

use super::RpcContext;
use crate::error::{RpcError, RpcResult};

/// The tipset a block query names; `None` when there is no such block.
pub fn tipset_for_block(ctx: &RpcContext, tag: BlockNumberOrTag) -> RpcResult<Option<Arc<Tipset>>> {
    let node = &ctx.node;
    match tag {
        BlockNumberOrTag::Number(n) => {
            let Ok(height) = i64::try_from(n) else { return Ok(None) };
            node.chain_get_tipset_by_height(height).map_err(RpcError::from)
        }
        BlockNumberOrTag::Earliest => node.chain_get_tipset_by_height(0).map_err(RpcError::from),
        BlockNumberOrTag::Latest
        | BlockNumberOrTag::Safe
        | BlockNumberOrTag::Finalized
        | BlockNumberOrTag::Pending => Ok(Some(node.chain_head())),
    }
}

/// The tipset whose state a state query reads (an omitted block means `latest`).
pub fn tipset_for_state(ctx: &RpcContext, block: Option<BlockId>) -> RpcResult<Arc<Tipset>> {
    let node = &ctx.node;
    match block.unwrap_or(BlockId::Number(BlockNumberOrTag::Latest)) {
        BlockId::Hash(hash) => node
            .chain_get_tipset_by_hash(&hash.block_hash)
            .map_err(RpcError::from)?
            .ok_or_else(|| {
                RpcError::ResourceNotFound(format!("header for hash {} not found", hash.block_hash))
            }),
        BlockId::Number(BlockNumberOrTag::Number(n)) => {
            let head = node.chain_head();
            if i64::try_from(n).map_or(true, |h| h > head.height()) {
                return Err(RpcError::ResourceNotFound(format!(
                    "header not found: block {n} is beyond the head ({})",
                    head.height()
                )));
            }
            node.chain_get_tipset_at_or_before(n as i64)
                .map_err(RpcError::from)?
                .ok_or_else(|| RpcError::ResourceNotFound(format!("header not found: block {n}")))
        }
        BlockId::Number(tag) => tipset_for_block(ctx, tag)?
            .ok_or_else(|| RpcError::ResourceNotFound("header not found".into())),
    }
}
