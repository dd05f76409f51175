//! Who may call: checks on the immediate caller (all `USR_FORBIDDEN` when they fail, as in
//! builtin-actors) and the resolution of addresses named in parameters to actor IDs.

use filecoin_vm::{ActorError, BuiltinType, Runtime};
use fvm_shared::ActorID;
use fvm_shared::METHOD_SEND;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

pub use filecoin_vm::builtin::restrict_internal_api;

/// The built-in kind of the immediate caller, per the state's manifest (`None` for a
/// non-built-in code, which today means nothing: every code we run is built in).
pub fn caller_kind(rt: &mut dyn Runtime) -> Result<Option<BuiltinType>, ActorError> {
    let caller = rt.message().caller;
    Ok(rt.actor_code(caller)?.and_then(|code| rt.builtin_type(&code)))
}

/// Refuses the call unless the immediate caller is one of `ids`.
pub fn caller_is(rt: &dyn Runtime, ids: &[ActorID]) -> Result<(), ActorError> {
    let caller = rt.message().caller;
    if ids.contains(&caller) {
        Ok(())
    } else {
        Err(ActorError::forbidden(format!("caller f0{caller} is not one of the permitted callers")))
    }
}

/// Refuses the call unless the immediate caller is an actor of one of `kinds`; returns its kind.
pub fn caller_type_is(
    rt: &mut dyn Runtime,
    kinds: &[BuiltinType],
) -> Result<BuiltinType, ActorError> {
    match caller_kind(rt)? {
        Some(kind) if kinds.contains(&kind) => Ok(kind),
        other => Err(ActorError::forbidden(format!(
            "caller f0{} of kind {} may not call this method",
            rt.message().caller,
            other.map_or("unknown", BuiltinType::name)
        ))),
    }
}

/// The actor ID behind `address`. A key or f410 address without an actor gets one by a
/// zero-value send first, as builtin-actors does for parameters naming new parties; with
/// `must_exist`, an address that names no actor is `USR_NOT_FOUND`.
pub fn resolve_to_actor_id(
    rt: &mut dyn Runtime,
    address: &Address,
    must_exist: bool,
) -> Result<ActorID, ActorError> {
    // ref-fvm resolves an ID address to itself whether or not an actor is there; the
    // existence check below then decides.
    let known = match address.id() {
        Ok(id) => Some(id),
        Err(_) => rt.resolve_address(address)?,
    };
    let id = match known {
        Some(id) => id,
        None => {
            crate::plumbing::send(rt, address, METHOD_SEND, None, TokenAmount::default()).map_err(
                |e| {
                    ActorError::new(
                        e.exit_code(),
                        format!("failed to send zero balance to {address}: {}", e.message()),
                    )
                },
            )?;
            rt.resolve_address(address)?.ok_or_else(|| {
                ActorError::illegal_argument(format!("failed to resolve or initialize {address}"))
            })?
        }
    };
    if must_exist && rt.actor_code(id)?.is_none() {
        return Err(ActorError::not_found(format!("no code for address {address}")));
    }
    Ok(id)
}
