//! The built-in actors this VM ships: system, init, account, placeholder, ethaccount and reward.
//! (The EVM actor and the EAM live in `evm-actor` and are registered by the node.)

mod account;
mod ethaccount;
mod init;
mod placeholder;
mod reward;
mod system;

use std::sync::Arc;

use fvm_shared::MethodNum;
use fvm_shared::error::{ErrorNumber, ExitCode};

pub use account::{
    AUTHENTICATE_MESSAGE_METHOD, AccountActor, AccountState, AuthenticateMessageParams,
    PUBKEY_ADDRESS_METHOD,
};
pub use ethaccount::EthAccountActor;
pub use init::{EXEC_METHOD, EXEC4_METHOD, Exec4Params, ExecParams, ExecReturn, InitActor};
pub use placeholder::PlaceholderActor;
pub use reward::RewardActor;
pub use system::{SystemActor, SystemState};

use crate::actor::{ActorError, ActorRegistry, BuiltinType};
use crate::runtime::Runtime;

/// Methods at or above this number are exported (FRC-42) and callable by anyone (FIP-0050).
pub const FIRST_EXPORTED_METHOD_NUMBER: MethodNum = 1 << 24;

/// Registers every built-in actor this crate implements.
pub fn register_builtins(registry: &mut ActorRegistry) {
    registry
        .register(BuiltinType::System.code_cid(), Arc::new(SystemActor))
        .register(BuiltinType::Init.code_cid(), Arc::new(InitActor))
        .register(BuiltinType::Account.code_cid(), Arc::new(AccountActor))
        .register(BuiltinType::Placeholder.code_cid(), Arc::new(PlaceholderActor))
        .register(BuiltinType::EthAccount.code_cid(), Arc::new(EthAccountActor))
        .register(BuiltinType::Reward.code_cid(), Arc::new(RewardActor));
}

/// FIP-0050: a method below [`FIRST_EXPORTED_METHOD_NUMBER`] may be called only by a built-in
/// actor; EVM contracts and unknown code are refused.
pub fn restrict_internal_api(rt: &mut dyn Runtime, method: MethodNum) -> Result<(), ActorError> {
    if method >= FIRST_EXPORTED_METHOD_NUMBER {
        return Ok(());
    }
    let caller = rt.message().caller;
    let code = rt.actor_code(caller)?;
    match code.and_then(|c| rt.builtin_type(&c)) {
        None | Some(BuiltinType::Evm) => Err(ActorError::forbidden(format!(
            "method {method} is internal and may only be called by built-in actors"
        ))),
        Some(_) => Ok(()),
    }
}

/// Refuses the call unless it comes from the system actor.
pub(crate) fn require_system_caller(rt: &dyn Runtime) -> Result<(), ActorError> {
    if rt.message().caller == crate::call_manager::SYSTEM_ACTOR_ID {
        Ok(())
    } else {
        Err(ActorError::forbidden("only the system actor may call this method"))
    }
}

/// The exit code an actor fails with when a send it made could not even be attempted (the
/// syscall's error number), as builtin-actors' runtime maps it.
pub fn send_failure(errno: ErrorNumber) -> ActorError {
    let code = match errno {
        ErrorNumber::InsufficientFunds => ExitCode::USR_INSUFFICIENT_FUNDS,
        // builtin-actors: a missing receiver is "unspecified", anything unexpected an assertion.
        ErrorNumber::NotFound => ExitCode::USR_UNSPECIFIED,
        ErrorNumber::ReadOnly => ExitCode::USR_READ_ONLY,
        _ => ExitCode::USR_ASSERTION_FAILED,
    };
    ActorError::new(code, format!("send failed: {errno:?}"))
}
