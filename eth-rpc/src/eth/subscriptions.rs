//! `eth_subscribe` / `eth_unsubscribe` over WebSocket; notifications are `eth_subscription`
//! messages carrying `{subscription, result}`.
//!
//! * `newHeads`: the header of every new block.
//! * `logs`: every log of a new block matching the optional `{address, topics}` (a block range
//!   in the filter is ignored: a subscription follows the chain from now on).
//! * `newPendingTransactions`: the hash of every transaction entering the pool, or the full
//!   transaction with the parameter `true`.
//!
//! The node's head broadcast only wakes a subscription up: blocks and logs are then read from
//! the chain, from the first height not sent yet up to the new head, so a subscriber that falls
//! behind the broadcast still gets every block once, in order. Other kinds (`syncing`, …) are
//! refused with an invalid-params error.

use std::sync::Arc;

use alloy_rpc_types_eth::pubsub::{Params as SubscriptionParams, SubscriptionKind};
use chain::{LogFilter, PendingMessage, Tipset};
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::{PendingSubscriptionSink, SubscriptionSink};
use serde::Serialize;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::{Module, RpcContext, convert, filters};
use crate::error::RpcError;
use crate::params::Positional;

/// What a subscription sends.
enum Feed {
    Heads,
    Logs(LogFilter),
    Pending { full: bool },
}

/// Registers this file's methods.
pub(crate) fn register(module: &mut Module) -> Result<(), RegisterMethodError> {
    module.register_subscription(
        "eth_subscribe",
        "eth_subscription",
        "eth_unsubscribe",
        |params, pending: PendingSubscriptionSink, ctx, _| async move {
            let feed = match parse(&params) {
                Ok(feed) => feed,
                Err(err) => return pending.reject(err).await,
            };
            // Listen before accepting: whatever happens once the client has the id is sent.
            let source = Source::open(&ctx, feed);
            let Ok(sink) = pending.accept().await else { return };
            match source {
                Source::Chain { heads, next, feed } => {
                    follow_chain(&ctx, &sink, heads, next, &feed).await;
                }
                Source::Pool { pool, full } => follow_pool(&ctx, &sink, pool, full).await,
            }
        },
    )?;
    Ok(())
}

/// The kind and its optional parameter.
fn parse(params: &Params<'_>) -> Result<Feed, ErrorObjectOwned> {
    let mut p = Positional::new(params);
    let kind: SubscriptionKind = p.required("subscription kind")?;
    let extra: Option<SubscriptionParams> = p.optional("subscription params")?;
    let extra = extra.unwrap_or_default();
    let invalid = |what: String| ErrorObjectOwned::from(RpcError::InvalidParams(what));
    match (kind, extra) {
        (SubscriptionKind::NewHeads, SubscriptionParams::None) => Ok(Feed::Heads),
        (SubscriptionKind::Logs, SubscriptionParams::None) => Ok(Feed::Logs(LogFilter::default())),
        (SubscriptionKind::Logs, SubscriptionParams::Logs(filter)) => {
            Ok(Feed::Logs(filters::log_filter(&filter)))
        }
        (SubscriptionKind::NewPendingTransactions, SubscriptionParams::None) => {
            Ok(Feed::Pending { full: false })
        }
        (SubscriptionKind::NewPendingTransactions, SubscriptionParams::Bool(full)) => {
            Ok(Feed::Pending { full })
        }
        (
            SubscriptionKind::NewHeads
            | SubscriptionKind::Logs
            | SubscriptionKind::NewPendingTransactions,
            _,
        ) => Err(invalid(format!("invalid parameter for the {kind} subscription"))),
        (SubscriptionKind::Syncing | SubscriptionKind::TransactionReceipts, _) => {
            Err(invalid(format!("unsupported subscription kind: {kind}")))
        }
    }
}

/// The node channel a subscription listens to, opened before the client learns its id.
enum Source {
    /// New heads; `next` is the first height to send.
    Chain { heads: broadcast::Receiver<Arc<Tipset>>, next: i64, feed: Feed },
    /// Pool entries.
    Pool { pool: broadcast::Receiver<PendingMessage>, full: bool },
}

impl Source {
    fn open(ctx: &RpcContext, feed: Feed) -> Self {
        let node = &ctx.node;
        match feed {
            Feed::Pending { full } => Self::Pool { pool: node.subscribe_pending(), full },
            feed => {
                let heads = node.subscribe_heads();
                Self::Chain { heads, next: node.chain_head().height() + 1, feed }
            }
        }
    }
}

/// Sends one notification; `false` once the client is gone.
async fn send(sink: &SubscriptionSink, item: &impl Serialize) -> bool {
    match serde_json::value::to_raw_value(item) {
        Ok(json) => sink.send(json).await.is_ok(),
        Err(err) => {
            tracing::warn!(target: "fevm::rpc", %err, "subscription item does not serialize");
            true
        }
    }
}

/// `newHeads` and `logs`: every block from now on, read from the chain on each new head.
async fn follow_chain(
    ctx: &RpcContext,
    sink: &SubscriptionSink,
    mut heads: broadcast::Receiver<Arc<Tipset>>,
    mut next: i64,
    feed: &Feed,
) {
    let node = &ctx.node;
    loop {
        let head = tokio::select! {
            () = sink.closed() => return,
            head = heads.recv() => match head {
                Ok(tipset) => tipset.height(),
                Err(RecvError::Lagged(_)) => node.chain_head().height(),
                Err(RecvError::Closed) => return,
            },
        };
        if head < next {
            continue;
        }
        let sent = match feed {
            Feed::Logs(filter) => send_logs(ctx, sink, filter, next, head).await,
            _ => send_heads(ctx, sink, next, head).await,
        };
        match sent {
            Ok(true) => next = head + 1,
            Ok(false) => return,
            Err(err) => {
                tracing::warn!(target: "fevm::rpc", %err, "subscription cannot read the chain");
                return;
            }
        }
    }
}

/// Headers of the blocks in `from..=to`; `Ok(false)` once the client is gone.
async fn send_heads(
    ctx: &RpcContext,
    sink: &SubscriptionSink,
    from: i64,
    to: i64,
) -> anyhow::Result<bool> {
    for height in from..=to {
        if let Some(tipset) = ctx.node.chain_get_tipset_by_height(height)?
            && !send(sink, &convert::header(&tipset)).await
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Matching logs of the blocks in `from..=to`; `Ok(false)` once the client is gone.
async fn send_logs(
    ctx: &RpcContext,
    sink: &SubscriptionSink,
    filter: &LogFilter,
    from: i64,
    to: i64,
) -> anyhow::Result<bool> {
    for (tipset, log) in ctx.node.get_logs(from, to, filter)? {
        if !send(sink, &convert::log(&tipset, &log)).await {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `newPendingTransactions`: every pool entry from now on.
async fn follow_pool(
    ctx: &RpcContext,
    sink: &SubscriptionSink,
    mut pool: broadcast::Receiver<PendingMessage>,
    full: bool,
) {
    loop {
        let entry = tokio::select! {
            () = sink.closed() => return,
            entry = pool.recv() => match entry {
                Ok(entry) => entry,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(target: "fevm::rpc", missed, "pending subscription fell behind");
                    continue;
                }
                Err(RecvError::Closed) => return,
            },
        };
        let delivered = if full {
            match convert::transaction(ctx, &entry.message, None) {
                Ok(tx) => send(sink, &tx).await,
                Err(err) => {
                    tracing::warn!(target: "fevm::rpc", %err, "pending transaction");
                    true
                }
            }
        } else {
            send(sink, &entry.eth_hash).await
        };
        if !delivered {
            return;
        }
    }
}
