//! The init actor (f01): owns the address → ID map and creates actors. `Exec` creates
//! multisigs and payment channels for any built-in caller, and storage miners for the power
//! actor only; `Exec4` creates contracts at f410 addresses for the EAM.
//!
//! The address map itself is kept by the state tree (so that resolution is cheap and reverts
//! with call frames); this actor drives it through the init-only runtime methods, and the tree
//! writes it back in init's own state layout.

use cid::Cid;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{CBOR, DAG_CBOR, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::sys::SendFlags;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};

use super::{require_system_caller, restrict_internal_api, send_failure};
use crate::actor::{Actor, ActorError, ActorResult, BuiltinType};
use crate::runtime::Runtime;

/// `Exec`: create a multisig, a payment channel, or (for the power actor) a miner.
pub const EXEC_METHOD: MethodNum = 2;
/// `Exec4`: create an actor with an f4 address in the caller's namespace (EAM only).
pub const EXEC4_METHOD: MethodNum = 3;
/// The EAM's actor ID: the only permitted caller of `Exec4` on this network.
const EAM_ACTOR_ID: u64 = address_mapping::EAM_ACTOR_ID;

/// Parameters of `Exec`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ExecParams {
    /// Code of the actor to create.
    pub code_cid: Cid,
    /// Parameters passed to its constructor.
    pub constructor_params: RawBytes,
}

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
            EXEC_METHOD => {
                // Not exported (FIP-0050): contracts cannot create multisigs or channels.
                restrict_internal_api(rt, method)?;
                let params: ExecParams = params
                    .ok_or_else(|| ActorError::illegal_argument("missing Exec parameters"))?
                    .deserialize()?;
                exec(rt, params)
            }
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

/// Whether an actor of kind `caller` may create one of kind `created`: multisigs and payment
/// channels for anyone, miners only for the power actor (which keeps their claims).
fn can_exec(caller: Option<BuiltinType>, created: Option<BuiltinType>) -> bool {
    match created {
        Some(BuiltinType::Multisig | BuiltinType::PaymentChannel) => true,
        Some(BuiltinType::Miner) => caller == Some(BuiltinType::Power),
        _ => false,
    }
}

fn exec(rt: &mut dyn Runtime, params: ExecParams) -> ActorResult {
    let caller = rt.message().caller;
    let caller_code = rt
        .actor_code(caller)?
        .ok_or_else(|| ActorError::illegal_state(format!("no code for caller f0{caller}")))?;
    let caller_kind = rt.builtin_type(&caller_code);
    if !can_exec(caller_kind, rt.builtin_type(&params.code_cid)) {
        return Err(ActorError::forbidden(format!(
            "an actor of code {caller_code} cannot exec an actor of code {}",
            params.code_cid
        )));
    }
    let robust = rt.next_actor_address()?;
    let id = rt.register_new_address(&robust)?;
    rt.create_actor(&params.code_cid, id, None)?;
    construct(rt, id, params.constructor_params)?;
    let ret = ExecReturn { id_address: Address::new_id(id), robust_address: robust };
    Ok(IpldBlock::serialize(CBOR, &ret).ok())
}

/// Calls the new actor's constructor with the value this call received; a failing
/// constructor fails the whole exec with its exit code (and undoes the creation).
fn construct(rt: &mut dyn Runtime, id: u64, params: RawBytes) -> Result<(), ActorError> {
    let params = (!params.is_empty()).then(|| IpldBlock { codec: DAG_CBOR, data: params.to_vec() });
    let value = rt.message().value_received.clone();
    let to = Address::new_id(id);
    match rt.send(&to, METHOD_CONSTRUCTOR, params, value, None, SendFlags::empty())? {
        Ok(o) if o.exit_code.is_success() => Ok(()),
        Ok(o) => Err(ActorError::with_data(o.exit_code, o.return_data, "constructor failed")),
        Err(errno) => Err(send_failure(errno)),
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
    construct(rt, id, params.constructor_params)?;
    let ret = ExecReturn { id_address: Address::new_id(id), robust_address: robust };
    Ok(IpldBlock::serialize(CBOR, &ret).ok())
}
