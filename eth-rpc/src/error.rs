//! The one place where errors become JSON-RPC error objects.
//!
//! Method handlers return [`RpcResult`]; jsonrpsee turns the [`RpcError`] into the wire error
//! through `impl From<RpcError> for ErrorObjectOwned`, an exhaustive match below. The node's
//! errors ([`chain::NodeError`]) become an [`RpcError`] through one exhaustive `From` here too.
//! Nothing else in the crate picks error codes.
//!
//! | node error | becomes |
//! | --- | --- |
//! | `InvalidOverride`, `UnknownSender` | [`InvalidParams`](RpcError::InvalidParams) (−32602) |
//! | `Refused` (a pool refusal) | [`TxRejected`](RpcError::TxRejected) (−32000, Geth's words) |
//! | `Unavailable` | [`Internal`](RpcError::Internal) (−32603) |
//! | `Internal` | [`Internal`](RpcError::Internal) (−32603), logged |
//!
//! Protocol-level failures — malformed JSON (−32700), a body that is not a request (−32600), an
//! unknown method (−32601), parameters that do not deserialize (−32602), oversized requests and
//! batches — are produced by jsonrpsee itself with those standard codes.
//!
//! Code choices (see `spec/ETH_RPC.md` §5.3 and EIP-1474):
//!
//! | variant | code | message |
//! | --- | --- | --- |
//! | [`InvalidParams`](RpcError::InvalidParams) | −32602 | as given |
//! | [`Unsupported`](RpcError::Unsupported) | −32602 | as given (a parameter value we refuse, e.g. `earliest`) |
//! | [`Internal`](RpcError::Internal) | −32603 | as given |
//! | [`TxRejected`](RpcError::TxRejected) | −32000 | Geth's pool wording, verbatim |
//! | [`OutOfGas`](RpcError::OutOfGas) | −32000 | `out of gas` |
//! | [`FilterNotFound`](RpcError::FilterNotFound) | −32000 | `filter not found` (ethers reinstalls on it) |
//! | [`ResourceNotFound`](RpcError::ResourceNotFound) | −32001 | as given |
//! | [`LimitExceeded`](RpcError::LimitExceeded) | −32005 | `<what> exceeds maximum of N (got M)` |
//! | [`ExecutionReverted`](RpcError::ExecutionReverted) | 3 | `execution reverted[: reason]`, `data` = revert bytes |

use std::fmt::Display;

use alloy_primitives::{Bytes, hex};
use chain::NodeError;
use jsonrpsee::types::ErrorObjectOwned;

use crate::revert::RevertReason;

/// Result of a JSON-RPC method handler.
pub type RpcResult<T> = Result<T, RpcError>;

/// The JSON-RPC error codes this crate emits.
pub mod codes {
    /// Geth's catch-all server error; pool rejections and out-of-gas use it.
    pub const SERVER_ERROR: i32 = -32000;
    /// EIP-1474 "resource not found" (unknown block, transaction, …).
    pub const RESOURCE_NOT_FOUND: i32 = -32001;
    /// EIP-1474 "limit exceeded" (block range of `eth_getLogs`, …).
    pub const LIMIT_EXCEEDED: i32 = -32005;
    /// JSON-RPC "invalid params".
    pub const INVALID_PARAMS: i32 = -32602;
    /// JSON-RPC "internal error".
    pub const INTERNAL_ERROR: i32 = -32603;
    /// Execution reverted; `data` holds the revert bytes (Geth, ethers, viem, Lotus ≥ 1.35).
    pub const EXECUTION_REVERTED: i32 = 3;
}

/// Filecoin exit code of an EVM `REVERT` (`USR_ASSERTION_FAILED` + EVM offset, as in FEVM).
pub const EVM_REVERT_EXIT_CODE: u32 = 33;

/// An error returned by a JSON-RPC method handler.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    /// The parameters deserialized but their values are invalid (bad hex, bad block tag, …).
    #[error("{0}")]
    InvalidParams(String),
    /// A parameter value that is valid Ethereum but deliberately not supported here
    /// (for example the `earliest` block tag outside `eth_getLogs`, as in Lotus).
    #[error("{0}")]
    Unsupported(String),
    /// A failure inside the node that is not the client's fault.
    #[error("{0}")]
    Internal(String),
    /// A block, transaction or other object that does not exist.
    #[error("{0}")]
    ResourceNotFound(String),
    /// A request that asks for more than a configured cap allows.
    #[error("{what} exceeds maximum of {max} (got {got})")]
    LimitExceeded {
        /// What is limited, e.g. `"block range"`.
        what: &'static str,
        /// The cap.
        max: u64,
        /// What the request asked for.
        got: u64,
    },
    /// The mempool refused a transaction; the message is Geth's wording
    /// (`nonce too low`, `insufficient funds for gas * price + value`, …) so clients recognise it.
    #[error("{0}")]
    TxRejected(String),
    /// Execution failed. For an EVM `REVERT` the exit code is [`EVM_REVERT_EXIT_CODE`] and `data`
    /// holds the revert bytes; other Filecoin exit codes may carry a `failure` description.
    #[error("{}", execution_reverted_message(*exit_code, data, failure.as_deref()))]
    ExecutionReverted {
        /// The Filecoin exit code of the message.
        exit_code: u32,
        /// The raw revert bytes (CBOR wrapper already removed); empty for a bare revert.
        data: Bytes,
        /// A description of a non-EVM failure (actor error), if any.
        failure: Option<String>,
    },
    /// Execution ran out of gas.
    #[error("out of gas")]
    OutOfGas,
    /// `eth_getFilterChanges` / `eth_uninstallFilter` on an unknown or expired filter.
    #[error("filter not found")]
    FilterNotFound,
}

impl RpcError {
    /// An internal error from anything displayable (logs it at `warn` under `fevm::rpc`).
    pub fn internal(err: impl Display) -> Self {
        let message = err.to_string();
        tracing::warn!(target: "fevm::rpc", error = %message, "internal error");
        Self::Internal(message)
    }

    /// An invalid-params error from anything displayable.
    pub fn invalid_params(err: impl Display) -> Self {
        Self::InvalidParams(err.to_string())
    }

    /// The JSON-RPC error code of this error.
    pub const fn code(&self) -> i32 {
        match self {
            Self::InvalidParams(_) | Self::Unsupported(_) => codes::INVALID_PARAMS,
            Self::Internal(_) => codes::INTERNAL_ERROR,
            Self::ResourceNotFound(_) => codes::RESOURCE_NOT_FOUND,
            Self::LimitExceeded { .. } => codes::LIMIT_EXCEEDED,
            Self::TxRejected(_) | Self::OutOfGas | Self::FilterNotFound => codes::SERVER_ERROR,
            Self::ExecutionReverted { .. } => codes::EXECUTION_REVERTED,
        }
    }
}

impl From<RpcError> for ErrorObjectOwned {
    fn from(err: RpcError) -> Self {
        let code = err.code();
        let message = err.to_string();
        match err {
            RpcError::ExecutionReverted { data, .. } => {
                Self::owned(code, message, Some(hex::encode_prefixed(&data)))
            }
            RpcError::InvalidParams(_)
            | RpcError::Unsupported(_)
            | RpcError::Internal(_)
            | RpcError::ResourceNotFound(_)
            | RpcError::LimitExceeded { .. }
            | RpcError::TxRejected(_)
            | RpcError::OutOfGas
            | RpcError::FilterNotFound => Self::owned(code, message, None::<()>),
        }
    }
}

impl From<NodeError> for RpcError {
    fn from(err: NodeError) -> Self {
        match err {
            NodeError::InvalidOverride(_) | NodeError::UnknownSender(_) => {
                Self::InvalidParams(err.to_string())
            }
            NodeError::Refused(refusal) => Self::TxRejected(refusal.to_string()),
            NodeError::Unavailable => Self::Internal(err.to_string()),
            NodeError::Internal(_) => Self::internal(err),
        }
    }
}

/// Geth's wording, which ethers, viem and Hardhat parse: `execution reverted` followed by the
/// decoded reason, or by the failure of a non-EVM exit code.
fn execution_reverted_message(exit_code: u32, data: &[u8], failure: Option<&str>) -> String {
    if let Some(reason) = RevertReason::decode(data) {
        return format!("execution reverted: {reason}");
    }
    match (exit_code, failure) {
        (EVM_REVERT_EXIT_CODE, None) => "execution reverted".to_owned(),
        (EVM_REVERT_EXIT_CODE, Some(failure)) => format!("execution reverted: {failure}"),
        (exit, Some(failure)) => format!("execution reverted: {failure} (exit code {exit})"),
        (exit, None) => format!("execution reverted (exit code {exit})"),
    }
}

#[cfg(test)]
mod tests {
    use alloy_sol_types::{Revert, SolError};
    use serde_json::json;

    use super::*;

    fn wire(err: RpcError) -> serde_json::Value {
        serde_json::to_value(ErrorObjectOwned::from(err)).expect("error objects serialize")
    }

    #[test]
    fn plain_errors_keep_their_message_and_code() {
        let cases = [
            (RpcError::InvalidParams("bad hex".into()), -32602, "bad hex"),
            (
                RpcError::Unsupported("earliest is not supported".into()),
                -32602,
                "earliest is not supported",
            ),
            (RpcError::Internal("boom".into()), -32603, "boom"),
            (RpcError::ResourceNotFound("block not found".into()), -32001, "block not found"),
            (RpcError::TxRejected("nonce too low".into()), -32000, "nonce too low"),
            (
                RpcError::TxRejected("insufficient funds for gas * price + value".into()),
                -32000,
                "insufficient funds for gas * price + value",
            ),
            (RpcError::OutOfGas, -32000, "out of gas"),
            (RpcError::FilterNotFound, -32000, "filter not found"),
        ];
        for (err, code, message) in cases {
            assert_eq!(wire(err), json!({ "code": code, "message": message }));
        }
    }

    #[test]
    fn limit_exceeded_matches_lotus() {
        let err = RpcError::LimitExceeded { what: "block range", max: 2880, got: 3000 };
        assert_eq!(
            wire(err),
            json!({ "code": -32005, "message": "block range exceeds maximum of 2880 (got 3000)" })
        );
    }

    #[test]
    fn node_errors_map_by_whose_fault_they_are() {
        let bad = chain::OverrideError::StorageWithoutCode(fvm_shared::address::Address::new_id(7));
        let err = RpcError::from(NodeError::from(bad));
        assert_eq!(
            wire(err),
            json!({
                "code": -32602,
                "message": "cannot override the storage of f07: it has no code (set `code` as well)",
            })
        );
        let sender = fvm_shared::address::Address::new_id(99);
        assert_eq!(RpcError::from(NodeError::UnknownSender(sender)).code(), -32602);
        let refused = NodeError::Refused(chain::PushError::NonceTooLow { next: 3, nonce: 1 });
        assert_eq!(
            wire(refused.into()),
            json!({ "code": -32000, "message": "nonce too low: next nonce 3, tx nonce 1" })
        );
        assert_eq!(
            wire(NodeError::Unavailable.into()),
            json!({ "code": -32603, "message": "the node is shutting down" })
        );
        let broken = NodeError::Internal(anyhow::anyhow!("block bafy… missing"));
        assert_eq!(
            wire(broken.into()),
            json!({ "code": -32603, "message": "internal error: block bafy… missing" })
        );
    }

    #[test]
    fn revert_with_reason_string() {
        let data = Bytes::from(Revert::from("not owner").abi_encode());
        let hex = hex::encode_prefixed(&data);
        let err = RpcError::ExecutionReverted { exit_code: 33, data, failure: None };
        assert_eq!(
            wire(err),
            json!({ "code": 3, "message": "execution reverted: not owner", "data": hex })
        );
    }

    #[test]
    fn empty_revert_has_0x_data() {
        let err = RpcError::ExecutionReverted { exit_code: 33, data: Bytes::new(), failure: None };
        assert_eq!(wire(err), json!({ "code": 3, "message": "execution reverted", "data": "0x" }));
    }

    #[test]
    fn custom_error_keeps_raw_bytes() {
        let data = Bytes::from_static(&[0xde, 0xad, 0xbe, 0xef, 0x01]);
        let err = RpcError::ExecutionReverted { exit_code: 33, data, failure: None };
        assert_eq!(
            wire(err),
            json!({ "code": 3, "message": "execution reverted", "data": "0xdeadbeef01" })
        );
    }

    #[test]
    fn non_evm_failure_names_exit_code() {
        let err = RpcError::ExecutionReverted {
            exit_code: 6,
            data: Bytes::new(),
            failure: Some("illegal argument".into()),
        };
        assert_eq!(err.to_string(), "execution reverted: illegal argument (exit code 6)");
        let err = RpcError::ExecutionReverted { exit_code: 6, data: Bytes::new(), failure: None };
        assert_eq!(err.to_string(), "execution reverted (exit code 6)");
    }
}
