//! The init actor (f01): owns the address → ID map and creates actors. On this devnet only
//! `Exec4` is reachable (the EAM deploying contracts at f410 addresses); `Exec` would create
//! multisigs and payment channels, which this devnet does not ship.
//!
//! The address map itself is kept by the state tree (so that resolution is cheap and reverts
//! with call frames); this actor drives it through the init-only runtime methods, and the tree
//! writes it back in init's own state layout.

use cid::Cid;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{CBOR, DAG_CBOR, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::error::ErrorNumber;
use fvm_shared::sys::SendFlags;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};

use super::require_system_caller;
use crate::actor::{Actor, ActorError, ActorResult, BuiltinType};
use crate::runtime::Runtime;

/// `Exec`: create a multisig or payment channel.
pub const EXEC_METHOD: MethodNum = 2;
/// `Exec4`: create an actor with an f4 address in the caller's namespace (EAM only).
pub const EXEC4_METHOD: MethodNum = 3;
/// The EAM's actor ID: the only permitted caller of `Exec4` on this network.
const EAM_ACTOR_ID: u64 = address_mapping::EAM_ACTOR_ID;

/// Parameters of `Exec4`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Exec4Params {
    /// Code of the actor to create.
    pub code_cid: Cid,
    /// Parameters passed to its constructor.
    pub constructor_params: RawBytes,
    /// The f4 subaddress (for the EAM: the 20-byte Ethereum address).
    pub subaddress: RawBytes,
}

/// Return of `Exec` and `Exec4`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ExecReturn {
    /// The new actor's ID address.
    pub id_address: Address,
    /// Its robust (f2) address.
    pub robust_address: Address,
}

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct InitActor;

impl Actor for InitActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        params: Option<IpldBlock>,
    ) -> ActorResult {
        match method {
            METHOD_CONSTRUCTOR => {
                require_system_caller(rt)?;
                Err(ActorError::forbidden("the init actor is installed at genesis"))
            }
            EXEC_METHOD => Err(ActorError::forbidden(
                "Exec creates multisig and payment-channel actors, which this devnet does not ship",
            )),
            EXEC4_METHOD => {
                let params: Exec4Params = params
                    .ok_or_else(|| ActorError::illegal_argument("missing Exec4 parameters"))?
                    .deserialize()?;
                exec4(rt, params)
            }
            m => Err(ActorError::unhandled_method(m)),
        }
    }
}

fn exec4(rt: &mut dyn Runtime, params: Exec4Params) -> ActorResult {
    let caller = rt.message().caller;
    if caller != EAM_ACTOR_ID {
        return Err(ActorError::forbidden("Exec4 may only be called by the EAM"));
    }
    let f4 = Address::new_delegated(caller, params.subaddress.bytes())
        .map_err(|e| ActorError::illegal_argument(format!("bad subaddress: {e}")))?;
    let robust = rt.next_actor_address()?;
    let id = match rt.resolve_address(&f4)? {
        Some(existing) => {
            let code = rt.actor_code(existing)?;
            if code.and_then(|c| rt.builtin_type(&c)) != Some(BuiltinType::Placeholder) {
                return Err(ActorError::forbidden(format!("{f4} is already assigned to an actor")));
            }
            existing
        }
        None => rt.register_new_address(&f4)?,
    };
    rt.map_address(&robust, id)?;
    rt.create_actor(&params.code_cid, id, Some(f4))?;

    let ctor_params = (!params.constructor_params.is_empty())
        .then(|| IpldBlock { codec: DAG_CBOR, data: params.constructor_params.to_vec() });
    let value = rt.message().value_received.clone();
    let outcome = rt.send(
        &Address::new_id(id),
        METHOD_CONSTRUCTOR,
        ctor_params,
        value,
        None,
        SendFlags::empty(),
    )?;
    match outcome {
        Ok(o) if o.exit_code.is_success() => {}
        Ok(o) => {
            return Err(ActorError::with_data(o.exit_code, o.return_data, "constructor failed"));
        }
        Err(errno) => return Err(send_error(errno)),
    }
    let ret = ExecReturn { id_address: Address::new_id(id), robust_address: robust };
    Ok(IpldBlock::serialize(CBOR, &ret).ok())
}

/// Maps a failed send to the exit code builtin-actors uses for it.
fn send_error(errno: ErrorNumber) -> ActorError {
    use fvm_shared::error::ExitCode;
    let code = match errno {
        ErrorNumber::InsufficientFunds => ExitCode::USR_INSUFFICIENT_FUNDS,
        ErrorNumber::NotFound => ExitCode::USR_NOT_FOUND,
        ErrorNumber::ReadOnly => ExitCode::USR_READ_ONLY,
        ErrorNumber::LimitExceeded => ExitCode::USR_ASSERTION_FAILED,
        _ => ExitCode::USR_UNSPECIFIED,
    };
    ActorError::new(code, format!("send failed: {errno:?}"))
}
