//! Log queries and polled filters: `eth_getLogs`, `eth_newFilter`, `eth_newBlockFilter`,
//! `eth_newPendingTransactionFilter`, `eth_getFilterChanges`, `eth_getFilterLogs`,
//! `eth_uninstallFilter`.
//!
//! **Queries.** `eth_getLogs` takes `fromBlock`/`toBlock` (numbers or tags; an omitted bound is
//! the head, `earliest` is genesis) or `blockHash`, one address or several, and up to four topic
//! positions with `null` wildcards and OR-lists. A range wider than [`MAX_BLOCK_RANGE`] blocks,
//! or more than [`MAX_RESULTS`] logs from more than one block, is refused with −32005 (a single
//! block is exempt, as in Lotus). Logs come in block order, then by `logIndex`.
//!
//! **Filters.** Block and log filters remember the first height they have not reported yet and
//! read the chain from there on each `eth_getFilterChanges`, so a slow poller misses nothing.
//! A pending-transaction filter is fed by the node's pool broadcast through a small task of its
//! own, buffering up to [`MAX_PENDING_BUFFER`] entries between polls. `eth_getFilterLogs`
//! re-runs the filter's query from scratch, as Geth does (Lotus drains a buffer instead).
//! At most [`MAX_FILTERS`] filters exist at once; one not polled for [`FILTER_TIMEOUT`] is
//! removed (Geth's five minutes). Filter ids are random 128-bit hex strings.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use alloy_primitives::B256;
use alloy_rpc_types_eth::{
    BlockNumberOrTag, Filter, FilterBlockOption, FilterChanges, FilterId, Log,
    PendingTransactionFilterKind,
};
use chain::{LogFilter, PendingMessage};
use jsonrpsee::core::RegisterMethodError;
use tokio::sync::{broadcast, oneshot};

use super::{Module, RpcContext, convert};
use crate::error::{RpcError, RpcResult};
use crate::params::Positional;

/// Widest block range of one log query.
pub const MAX_BLOCK_RANGE: u64 = 10_000;
/// Most logs one query returns when they come from more than one block.
pub const MAX_RESULTS: usize = 10_000;
/// Most filters installed at once.
pub const MAX_FILTERS: usize = 1_000;
/// A filter not polled for this long is removed.
pub const FILTER_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Most pending transactions a filter keeps between two polls (the oldest go first).
pub const MAX_PENDING_BUFFER: usize = 10_000;

/// Heights scanned per node call while a query is checked against [`MAX_RESULTS`].
const SCAN_CHUNK: i64 = 1_000;
/// How often a pending-transaction feed checks whether its filter is still polled.
const FEED_CHECK_INTERVAL: Duration = Duration::from_secs(30);

/// Installed filters, by id.
#[derive(Default)]
pub struct FilterStore {
    filters: Mutex<HashMap<String, Installed>>,
    counter: AtomicU64,
    keys: RandomState,
}

impl std::fmt::Debug for FilterStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.filters.lock().map_or(0, |filters| filters.len());
        f.debug_struct("FilterStore").field("installed", &count).finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Installed {
    kind: Kind,
    last_poll: Instant,
}

#[derive(Debug)]
enum Kind {
    /// New block hashes; `next` is the first height not reported yet.
    Blocks { next: i64 },
    /// New logs matching `filter`; `next` as for blocks.
    Logs { filter: Box<Filter>, next: i64 },
    /// New pool entries, as hashes or full transactions. Dropping `_stop` ends the feed task.
    Pending { full: bool, feed: Arc<PendingFeed>, _stop: oneshot::Sender<()> },
}

/// What a pending-transaction filter's task collected since the last poll.
#[derive(Debug)]
struct PendingFeed {
    queue: Mutex<VecDeque<PendingMessage>>,
    last_poll: Mutex<Instant>,
}

impl PendingFeed {
    fn push(&self, message: PendingMessage) {
        if let Ok(mut queue) = self.queue.lock() {
            if queue.len() >= MAX_PENDING_BUFFER {
                queue.pop_front();
            }
            queue.push_back(message);
        }
    }

    fn take(&self) -> Vec<PendingMessage> {
        if let Ok(mut polled) = self.last_poll.lock() {
            *polled = Instant::now();
        }
        self.queue.lock().map(|mut q| q.drain(..).collect()).unwrap_or_default()
    }

    fn idle(&self) -> Duration {
        self.last_poll.lock().map_or(Duration::ZERO, |polled| polled.elapsed())
    }
}

/// What a poll of a filter has to do once the store's lock is released.
enum Poll {
    Blocks { from: i64, to: i64 },
    Logs { filter: Box<Filter>, from: i64, to: i64 },
    Pending { full: bool, feed: Arc<PendingFeed> },
}

impl FilterStore {
    fn lock(&self) -> RpcResult<MutexGuard<'_, HashMap<String, Installed>>> {
        let mut filters =
            self.filters.lock().map_err(|_| RpcError::internal("filter store lock poisoned"))?;
        filters.retain(|_, f| f.last_poll.elapsed() < FILTER_TIMEOUT);
        Ok(filters)
    }

    /// Installs a filter and returns its id.
    fn install(&self, kind: Kind) -> RpcResult<String> {
        let mut filters = self.lock()?;
        if filters.len() >= MAX_FILTERS {
            return Err(RpcError::LimitExceeded {
                what: "installed filters",
                max: MAX_FILTERS as u64,
                got: filters.len() as u64 + 1,
            });
        }
        let id = loop {
            let n = self.counter.fetch_add(1, Ordering::Relaxed);
            let id = format!("0x{:016x}{:016x}", self.keys.hash_one(n), self.keys.hash_one(!n));
            if !filters.contains_key(&id) {
                break id;
            }
        };
        filters.insert(id.clone(), Installed { kind, last_poll: Instant::now() });
        Ok(id)
    }

    /// Removes a filter; whether it existed.
    fn uninstall(&self, id: &str) -> RpcResult<bool> {
        Ok(self.lock()?.remove(id).is_some())
    }

    /// Marks a filter polled and claims what it has to report, up to `head`.
    fn poll(&self, id: &str, head: i64) -> RpcResult<Poll> {
        let mut filters = self.lock()?;
        let installed = filters.get_mut(id).ok_or(RpcError::FilterNotFound)?;
        installed.last_poll = Instant::now();
        Ok(match &mut installed.kind {
            Kind::Blocks { next } => {
                Poll::Blocks { from: std::mem::replace(next, head + 1), to: head }
            }
            Kind::Logs { filter, next } => {
                let from = std::mem::replace(next, head + 1);
                Poll::Logs { filter: filter.clone(), from, to: head }
            }
            Kind::Pending { full, feed, .. } => Poll::Pending { full: *full, feed: feed.clone() },
        })
    }

    /// The query of a log filter (and marks it polled).
    fn log_query(&self, id: &str) -> RpcResult<Box<Filter>> {
        let mut filters = self.lock()?;
        let installed = filters.get_mut(id).ok_or(RpcError::FilterNotFound)?;
        installed.last_poll = Instant::now();
        match &installed.kind {
            Kind::Logs { filter, .. } => Ok(filter.clone()),
            // Geth answers "filter not found" for a block or pending filter too.
            Kind::Blocks { .. } | Kind::Pending { .. } => Err(RpcError::FilterNotFound),
        }
    }
}

/// Registers this file's methods.
pub(crate) fn register(module: &mut Module) -> Result<(), RegisterMethodError> {
    module.register_blocking_method("eth_getLogs", |params, ctx, _| {
        let filter: Filter = Positional::new(&params).required("filter")?;
        logs(&ctx, &filter)
    })?;
    module.register_method("eth_newFilter", |params, ctx, _| {
        let filter: Filter = Positional::new(&params).required("filter")?;
        new_filter(ctx, filter)
    })?;
    module.register_method("eth_newBlockFilter", |_, ctx, _| new_block_filter(ctx))?;
    module.register_method("eth_newPendingTransactionFilter", |params, ctx, _| {
        let kind: Option<PendingTransactionFilterKind> =
            Positional::new(&params).optional("kind")?;
        new_pending_transaction_filter(ctx, kind == Some(PendingTransactionFilterKind::Full))
    })?;
    module.register_blocking_method("eth_getFilterChanges", |params, ctx, _| {
        let id: FilterId = Positional::new(&params).required("filter id")?;
        filter_changes(&ctx, &filter_key(id))
    })?;
    module.register_blocking_method("eth_getFilterLogs", |params, ctx, _| {
        let id: FilterId = Positional::new(&params).required("filter id")?;
        filter_logs(&ctx, &filter_key(id))
    })?;
    module.register_method("eth_uninstallFilter", |params, ctx, _| {
        let id: FilterId = Positional::new(&params).required("filter id")?;
        ctx.filters.uninstall(&filter_key(id))
    })?;
    Ok(())
}

/// The store key of a filter id (ids are compared case-insensitively, as hex).
fn filter_key(id: FilterId) -> String {
    match id {
        FilterId::Str(s) => s.to_ascii_lowercase(),
        FilterId::Num(n) => format!("0x{n:x}"),
    }
}

/// Handler for: `eth_getLogs`; also what `eth_getFilterLogs` runs.
pub fn logs(ctx: &RpcContext, filter: &Filter) -> RpcResult<Vec<Log>> {
    let wanted = log_filter(filter);
    let node = &ctx.node;
    let (from, to) = match filter.block_option {
        FilterBlockOption::AtBlockHash(hash) => {
            let tipset = node
                .chain_get_tipset_by_hash(&hash)
                .map_err(RpcError::from)?
                .ok_or_else(|| RpcError::ResourceNotFound(format!("unknown block {hash}")))?;
            let logs = node.chain_get_logs(&tipset).map_err(RpcError::from)?;
            return Ok(logs
                .iter()
                .filter(|log| wanted.matches(log))
                .map(|log| convert::log(&tipset, log))
                .collect());
        }
        FilterBlockOption::Range { from_block, to_block } => (from_block, to_block),
    };
    let head = node.chain_head().height();
    let (from, to) = (height(from, head), height(to, head));
    // Only an explicit `toBlock` below `fromBlock` is an error; a `fromBlock` beyond the head
    // with `toBlock` "latest" simply has no logs yet.
    let explicit_to = matches!(
        filter.block_option.get_to_block(),
        Some(BlockNumberOrTag::Number(_) | BlockNumberOrTag::Earliest)
    );
    if from > to && explicit_to {
        return Err(RpcError::InvalidParams(format!(
            "invalid block range: fromBlock {from} is after toBlock {to}"
        )));
    }
    let to = to.min(head);
    if from > to {
        return Ok(Vec::new());
    }
    let span = u64::try_from(to - from).unwrap_or(u64::MAX).saturating_add(1);
    if span > MAX_BLOCK_RANGE {
        return Err(RpcError::LimitExceeded {
            what: "block range",
            max: MAX_BLOCK_RANGE,
            got: span,
        });
    }
    let mut found = Vec::new();
    let mut start = from;
    while start <= to {
        let end = to.min(start.saturating_add(SCAN_CHUNK - 1));
        found.extend(node.get_logs(start, end, &wanted).map_err(RpcError::from)?);
        let several_blocks = match (found.first(), found.last()) {
            (Some((first, _)), Some((last, _))) => first.height() != last.height(),
            _ => false,
        };
        if found.len() > MAX_RESULTS && several_blocks {
            return Err(RpcError::LimitExceeded {
                what: "query results",
                max: MAX_RESULTS as u64,
                got: found.len() as u64,
            });
        }
        start = end + 1;
    }
    found.sort_by_key(|(tipset, log)| (tipset.height(), log.log_index));
    Ok(found.iter().map(|(tipset, log)| convert::log(tipset, log)).collect())
}

/// The node's form of a query's addresses and topics.
pub fn log_filter(filter: &Filter) -> LogFilter {
    let mut topics: Vec<Vec<B256>> =
        filter.topics.iter().map(|position| position.iter().copied().collect()).collect();
    while topics.last().is_some_and(Vec::is_empty) {
        topics.pop();
    }
    LogFilter { addresses: filter.address.iter().copied().collect(), topics }
}

/// The height a query bound names: the head when omitted or a tag other than `earliest`.
fn height(bound: Option<BlockNumberOrTag>, head: i64) -> i64 {
    match bound {
        Some(BlockNumberOrTag::Number(n)) => i64::try_from(n).unwrap_or(i64::MAX),
        Some(BlockNumberOrTag::Earliest) => 0,
        None
        | Some(
            BlockNumberOrTag::Latest
            | BlockNumberOrTag::Safe
            | BlockNumberOrTag::Finalized
            | BlockNumberOrTag::Pending,
        ) => head,
    }
}

/// Handler for: `eth_newFilter`: reports logs of blocks mined from now on.
fn new_filter(ctx: &RpcContext, filter: Filter) -> RpcResult<String> {
    let next = ctx.node.chain_head().height() + 1;
    ctx.filters.install(Kind::Logs { filter: Box::new(filter), next })
}

/// Handler for: `eth_newBlockFilter`: reports hashes of blocks mined from now on.
fn new_block_filter(ctx: &RpcContext) -> RpcResult<String> {
    let next = ctx.node.chain_head().height() + 1;
    ctx.filters.install(Kind::Blocks { next })
}

/// Handler for: `eth_newPendingTransactionFilter`: reports transactions entering the pool from
/// now on (their hashes, or full objects when `full`).
fn new_pending_transaction_filter(ctx: &RpcContext, full: bool) -> RpcResult<String> {
    let feed = Arc::new(PendingFeed {
        queue: Mutex::new(VecDeque::new()),
        last_poll: Mutex::new(Instant::now()),
    });
    let (stop, stopped) = oneshot::channel();
    let id = ctx.filters.install(Kind::Pending { full, feed: feed.clone(), _stop: stop })?;
    tokio::spawn(feed_pending(ctx.node.subscribe_pending(), feed, stopped));
    Ok(id)
}

/// Copies pool entries into a filter's feed until the filter is removed or stops being polled.
async fn feed_pending(
    mut pool: broadcast::Receiver<PendingMessage>,
    feed: Arc<PendingFeed>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut check = tokio::time::interval(FEED_CHECK_INTERVAL);
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            _ = check.tick() => {
                if feed.idle() >= FILTER_TIMEOUT {
                    return;
                }
            }
            entry = pool.recv() => match entry {
                Ok(message) => feed.push(message),
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(target: "fevm::rpc", missed, "pending filter fell behind the pool");
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

/// Handler for: `eth_getFilterChanges`.
fn filter_changes(ctx: &RpcContext, id: &str) -> RpcResult<FilterChanges> {
    let node = &ctx.node;
    let changes = match ctx.filters.poll(id, node.chain_head().height())? {
        Poll::Blocks { from, to } => {
            let mut hashes = Vec::new();
            for h in from..=to {
                if let Some(tipset) = node.chain_get_tipset_by_height(h).map_err(RpcError::from)? {
                    hashes.push(tipset.hash);
                }
            }
            FilterChanges::Hashes(hashes)
        }
        Poll::Logs { filter, from, to } => {
            let (from, to) = match filter.block_option {
                // A block-hash filter's block is already mined: nothing new ever matches.
                FilterBlockOption::AtBlockHash(_) => (1, 0),
                FilterBlockOption::Range { from_block, to_block } => {
                    (from.max(lower_bound(from_block)), to.min(upper_bound(to_block, to)))
                }
            };
            if from > to {
                return Ok(FilterChanges::Logs(Vec::new()));
            }
            let found = node.get_logs(from, to, &log_filter(&filter)).map_err(RpcError::from)?;
            FilterChanges::Logs(found.iter().map(|(ts, log)| convert::log(ts, log)).collect())
        }
        Poll::Pending { full, feed } => {
            let entries = feed.take();
            if full {
                let txs = entries
                    .iter()
                    .map(|p| convert::transaction(ctx, &p.message, None))
                    .collect::<RpcResult<Vec<_>>>()?;
                FilterChanges::Transactions(txs)
            } else {
                FilterChanges::Hashes(entries.iter().map(|p| p.eth_hash).collect())
            }
        }
    };
    Ok(changes)
}

/// The lowest height a log filter's `fromBlock` admits among new blocks.
fn lower_bound(from: Option<BlockNumberOrTag>) -> i64 {
    match from {
        Some(BlockNumberOrTag::Number(n)) => i64::try_from(n).unwrap_or(i64::MAX),
        _ => 0,
    }
}

/// The highest height a log filter's `toBlock` admits, given the head.
fn upper_bound(to: Option<BlockNumberOrTag>, head: i64) -> i64 {
    match to {
        Some(BlockNumberOrTag::Number(n)) => i64::try_from(n).unwrap_or(i64::MAX),
        Some(BlockNumberOrTag::Earliest) => 0,
        _ => head,
    }
}

/// Handler for: `eth_getFilterLogs`: the filter's whole query, run again.
fn filter_logs(ctx: &RpcContext, id: &str) -> RpcResult<Vec<Log>> {
    let filter = ctx.filters.log_query(id)?;
    logs(ctx, &filter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Address;

    #[test]
    fn topics_keep_positions_and_drop_trailing_wildcards() {
        let a = B256::repeat_byte(1);
        let b = B256::repeat_byte(2);
        let filter = Filter::new()
            .address(vec![Address::repeat_byte(9), Address::repeat_byte(8)])
            .topic1(vec![a, b]);
        let parsed = log_filter(&filter);
        assert_eq!(parsed.addresses.len(), 2);
        assert_eq!(parsed.topics.len(), 2);
        assert!(parsed.topics[0].is_empty());
        assert_eq!(parsed.topics[1].len(), 2);
    }

    #[test]
    fn bounds_resolve_against_the_head() {
        assert_eq!(height(None, 7), 7);
        assert_eq!(height(Some(BlockNumberOrTag::Earliest), 7), 0);
        assert_eq!(height(Some(BlockNumberOrTag::Number(3)), 7), 3);
        assert_eq!(height(Some(BlockNumberOrTag::Pending), 7), 7);
        assert_eq!(upper_bound(Some(BlockNumberOrTag::Number(3)), 7), 3);
        assert_eq!(lower_bound(Some(BlockNumberOrTag::Latest)), 0);
    }

    #[test]
    fn ids_are_unique_and_hex() {
        let store = FilterStore::default();
        let a = store.install(Kind::Blocks { next: 0 }).unwrap();
        let b = store.install(Kind::Blocks { next: 0 }).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 34);
        assert!(a.starts_with("0x") && a[2..].chars().all(|c| c.is_ascii_hexdigit()));
        assert!(store.uninstall(&a).unwrap());
        assert!(!store.uninstall(&a).unwrap());
        assert!(matches!(store.poll(&a, 0), Err(RpcError::FilterNotFound)));
    }
}
