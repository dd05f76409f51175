//! Sends from an actor, as builtin-actors' `extract_send_result` sees them: a send that could
//! not be attempted becomes the mapped exit code, a callee that failed passes its user exit code
//! (and return block) up (system codes become user codes), and success yields the callee's
//! return block.

use filecoin_vm::{ActorError, BURNT_FUNDS_ACTOR_ID, Runtime};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
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
            callee_exit_code(outcome.exit_code),
            outcome.return_data,
            format!("send to {to} method {method} failed"),
        )),
        Err(errno) => Err(ActorError::new(
            send_error_code(errno),
            format!("send to {to} method {method} failed: {errno:?}"),
        )),
    }
}

/// A callee's exit code as builtin-actors reports it (`ActorError::checked`): user codes pass,
/// a callee that misbehaved is `USR_UNSPECIFIED`, any other system code `USR_ASSERTION_FAILED`.
pub fn callee_exit_code(code: ExitCode) -> ExitCode {
    match code {
        c if c.is_success() => c,
        ExitCode::SYS_MISSING_RETURN
        | ExitCode::SYS_ILLEGAL_INSTRUCTION
        | ExitCode::SYS_ILLEGAL_EXIT_CODE => ExitCode::USR_UNSPECIFIED,
        c if c.is_system_error() => ExitCode::USR_ASSERTION_FAILED,
        c => c,
    }
}

/// The code of a send that could not be attempted (the syscall's error number), as
/// builtin-actors' runtime maps it: a missing receiver is `USR_UNSPECIFIED` there.
pub fn send_error_code(errno: ErrorNumber) -> ExitCode {
    filecoin_vm::builtin::send_failure(errno).exit_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_sends_map_to_builtin_actors_codes() {
        assert_eq!(callee_exit_code(ExitCode::OK), ExitCode::OK);
        assert_eq!(callee_exit_code(ExitCode::USR_FORBIDDEN), ExitCode::USR_FORBIDDEN);
        assert_eq!(callee_exit_code(ExitCode::SYS_OUT_OF_GAS), ExitCode::USR_ASSERTION_FAILED);
        assert_eq!(callee_exit_code(ExitCode::SYS_MISSING_RETURN), ExitCode::USR_UNSPECIFIED);
        assert_eq!(send_error_code(ErrorNumber::NotFound), ExitCode::USR_UNSPECIFIED);
        assert_eq!(
            send_error_code(ErrorNumber::InsufficientFunds),
            ExitCode::USR_INSUFFICIENT_FUNDS
        );
    }
}
