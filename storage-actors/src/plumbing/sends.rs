//! Sends from an actor, as builtin-actors' `extract_send_result` sees them: a send that could
//! not be attempted becomes the mapped exit code, a callee that failed passes its exit code (and
//! return block) up unchanged, and success yields the callee's return block.

use filecoin_vm::builtin::send_failure;
use filecoin_vm::{ActorError, BURNT_FUNDS_ACTOR_ID, Runtime};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sys::SendFlags;
use fvm_shared::{METHOD_SEND, MethodNum};

/// Sends and requires success.
pub fn send(
    rt: &mut dyn Runtime,
    to: &Address,
    method: MethodNum,
    params: Option<IpldBlock>,
    value: TokenAmount,
) -> Result<Option<IpldBlock>, ActorError> {
    send_with_flags(rt, to, method, params, value, SendFlags::empty())
}

/// A read-only send (no state change, value or event anywhere below it) that must succeed.
pub fn send_read_only(
    rt: &mut dyn Runtime,
    to: &Address,
    method: MethodNum,
    params: Option<IpldBlock>,
) -> Result<Option<IpldBlock>, ActorError> {
    send_with_flags(rt, to, method, params, TokenAmount::default(), SendFlags::READ_ONLY)
}

/// Moves `value` to `to` (method 0).
pub fn transfer(rt: &mut dyn Runtime, to: &Address, value: TokenAmount) -> Result<(), ActorError> {
    send(rt, to, METHOD_SEND, None, value).map(drop)
}

/// Burns `amount` by sending it to the burnt-funds actor (f099); zero is a no-op.
pub fn burn(rt: &mut dyn Runtime, amount: TokenAmount) -> Result<(), ActorError> {
    if amount.is_zero() {
        return Ok(());
    }
    transfer(rt, &Address::new_id(BURNT_FUNDS_ACTOR_ID), amount)
}

fn send_with_flags(
    rt: &mut dyn Runtime,
    to: &Address,
    method: MethodNum,
    params: Option<IpldBlock>,
    value: TokenAmount,
    flags: SendFlags,
) -> Result<Option<IpldBlock>, ActorError> {
    match rt.send(to, method, params, value, None, flags)? {
        Ok(outcome) if outcome.exit_code.is_success() => Ok(outcome.return_data),
        Ok(outcome) => Err(ActorError::with_data(
            outcome.exit_code,
            outcome.return_data,
            format!("send to {to} method {method} failed"),
        )),
        Err(errno) => Err(send_failure(errno)),
    }
}
