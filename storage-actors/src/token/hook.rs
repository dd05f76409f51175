//! The recipient's `Receive` hook, called after the token's state is saved so that the
//! recipient can already spend what arrived (or re-enter the token) while it decides.
//!
//! A hook that aborts aborts the operation that triggered it, with the recipient's exit code:
//! the actor returns that error and the VM discards every change the call made.

use filecoin_vm::{ActorError, Runtime};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{CBOR, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

use super::types::{Frc46TokenReceived, UniversalReceiverParams};
use super::{FRC46_TOKEN_TYPE, RECEIVER_HOOK_METHOD};
use crate::plumbing::send;

/// A hook the token owes a recipient: returned by mint and transfers, to be called once the
/// caller has saved the token's state.
#[must_use = "a mint or transfer is not finished until its recipient's hook has been called"]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingHook {
    /// The recipient, as the operation named it.
    pub recipient: Address,
    /// What the recipient is told.
    pub received: Frc46TokenReceived,
}

impl PendingHook {
    /// Sends `Receive` to the recipient and returns its return bytes (the operation's
    /// `recipient_data`; empty when the hook returned nothing). A hook that fails, or a send
    /// that cannot be made, is an error with the recipient's (or the send's) exit code.
    pub fn call(self, rt: &mut dyn Runtime) -> Result<RawBytes, ActorError> {
        let payload = fvm_ipld_encoding::to_vec(&self.received).map_err(|e| {
            ActorError::serialization(format!("failed to encode hook payload: {e}"))
        })?;
        let params = UniversalReceiverParams { type_: FRC46_TOKEN_TYPE, payload: payload.into() };
        let block = IpldBlock::serialize(CBOR, &params)
            .map_err(|e| ActorError::serialization(format!("failed to encode hook params: {e}")))?;
        match send(rt, &self.recipient, RECEIVER_HOOK_METHOD, Some(block), TokenAmount::default()) {
            Ok(returned) => Ok(returned.map(|b| RawBytes::new(b.data)).unwrap_or_default()),
            // The FRC-46 library keeps the code and drops the recipient's return data.
            Err(e) => Err(ActorError::new(
                e.exit_code(),
                format!("receiver hook of {} failed: {}", self.recipient, e.message()),
            )),
        }
    }
}
