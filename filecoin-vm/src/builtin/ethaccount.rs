//! The EthAccount: an Ethereum-style account (an f410 address whose key signs delegated
//! messages). It has no state. Exported methods (≥ 2^24) succeed and do nothing, so contracts
//! can send value to it with `InvokeContract`; it has no `AuthenticateMessage`.

use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Payload;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};

use super::{FIRST_EXPORTED_METHOD_NUMBER, require_system_caller};
use crate::actor::{Actor, ActorError, ActorResult};
use crate::runtime::Runtime;

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct EthAccountActor;

impl Actor for EthAccountActor {
    fn invoke(&self, rt: &mut dyn Runtime, method: MethodNum, _: Option<IpldBlock>) -> ActorResult {
        match method {
            METHOD_CONSTRUCTOR => {
                require_system_caller(rt)?;
                let me = rt.message().receiver;
                match rt.lookup_delegated_address(me)?.as_ref().map(|a| a.payload()) {
                    Some(Payload::Delegated(d))
                        if d.namespace() == address_mapping::EAM_ACTOR_ID =>
                    {
                        Ok(None)
                    }
                    _ => Err(ActorError::illegal_argument("an EthAccount needs an f410 address")),
                }
            }
            m if m >= FIRST_EXPORTED_METHOD_NUMBER => Ok(None),
            m => Err(ActorError::unhandled_method(m)),
        }
    }
}
