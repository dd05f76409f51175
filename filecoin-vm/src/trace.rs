//! Execution traces: the call tree of a message, kept for the tracing APIs
//! (`trace_transaction`, `debug_traceTransaction`) and for debugging.

use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{ActorID, MethodNum};

/// One call in the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallTrace {
    /// The caller.
    pub from: ActorID,
    /// The recipient as the caller named it.
    pub to: Address,
    /// The recipient's ID, once resolved (or created).
    pub to_id: Option<ActorID>,
    /// The recipient's code CID, if it was invoked.
    pub to_code: Option<cid::Cid>,
    /// The method invoked.
    pub method: MethodNum,
    /// The parameters.
    pub params: Option<IpldBlock>,
    /// Value sent.
    pub value: TokenAmount,
    /// The gas limit given to the call, if it had its own.
    pub gas_limit: Option<u64>,
    /// Whether the call ran read-only.
    pub read_only: bool,
    /// The outcome.
    pub exit_code: ExitCode,
    /// Returned (or failure) data.
    pub return_data: Option<IpldBlock>,
    /// The syscall error, when the send could not be made (recipient missing, funds…).
    pub syscall_error: Option<String>,
    /// Gas used by this call and everything below it.
    pub gas_used: u64,
    /// Calls made by this one, in order.
    pub subcalls: Vec<Self>,
}

/// Builds the tree while calls nest.
#[derive(Debug, Default)]
pub struct TraceBuilder {
    stack: Vec<CallTrace>,
    root: Option<CallTrace>,
}

impl TraceBuilder {
    /// A call starts.
    pub fn enter(&mut self, call: CallTrace) {
        self.stack.push(call);
    }

    /// The current call, to fill in as it proceeds.
    pub fn current(&mut self) -> Option<&mut CallTrace> {
        self.stack.last_mut()
    }

    /// The current call ends.
    pub fn exit(&mut self) {
        let Some(call) = self.stack.pop() else { return };
        match self.stack.last_mut() {
            Some(parent) => parent.subcalls.push(call),
            None => self.root = Some(call),
        }
    }

    /// The finished tree.
    pub fn finish(self) -> Option<CallTrace> {
        self.root
    }
}
