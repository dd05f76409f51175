//! Where VM work (a call, an estimate, a storage read) runs for a request handler.

use crate::error::RpcResult;

/// Runs `work` for a request handler.
///
/// It runs right here, on the async worker serving the request. Handing it to another thread
/// (`spawn_blocking` or `block_in_place`) costs more than the work: a quick `eth_call` is tens
/// of microseconds, and measured with 16 calls in flight the hand-offs halved throughput and,
/// with a thread per hand-off, grew the resident set to hundreds of MiB. A long call (a loop
/// that burns billions of gas) holds one worker for its duration while the other workers keep
/// serving; on a devnet that is the better trade.
pub(crate) async fn run_vm<T>(work: impl FnOnce() -> RpcResult<T>) -> RpcResult<T> {
    work()
}
