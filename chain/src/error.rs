//! The node's one error type: what a caller of [`FullNode`](crate::FullNode) or
//! [`DevApi`](crate::DevApi) can get back, sorted by whose fault it is, so that each API above
//! (the Ethereum gateway, later Lotus's) maps it to its own codes with one exhaustive match and
//! never has to look inside.

use fvm_shared::address::Address;

use crate::api::PushError;
use crate::overrides::OverrideError;

/// Result of a node call.
pub type NodeResult<T> = Result<T, NodeError>;

/// Why a node call failed.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// A state or block override of a read-only call cannot be applied (an unknown masked ID,
    /// code for a native actor, …): the caller's mistake, nothing ran.
    #[error(transparent)]
    InvalidOverride(#[from] OverrideError),
    /// A read-only call from an address that names no actor and cannot be created for the
    /// call (only missing f410, f1 and f3 senders are).
    #[error("sender {0} not found")]
    UnknownSender(Address),
    /// The pool refused a message: the sender's mistake (bad signature, nonce too low, too
    /// little gas or funds, …). Nothing was queued.
    #[error(transparent)]
    Refused(#[from] PushError),
    /// The node is shutting down and takes no more work of this kind (mining on request).
    #[error("the node is shutting down")]
    Unavailable,
    /// A failure on the node's side that the caller cannot fix: a block missing from the
    /// node's own store, a corrupt record, a poisoned lock. Carries the whole cause chain.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}
