//! The reward actor (f02). On a devnet there are no block rewards to pay; it exists because the
//! executor pays every message's miner tip to it, so tips stay visible and conserved.

use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};

use super::require_system_caller;
use crate::actor::{Actor, ActorError, ActorResult};
use crate::runtime::Runtime;

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct RewardActor;

impl Actor for RewardActor {
    fn invoke(&self, rt: &mut dyn Runtime, method: MethodNum, _: Option<IpldBlock>) -> ActorResult {
        match method {
            METHOD_CONSTRUCTOR => require_system_caller(rt).map(|()| None),
            m => Err(ActorError::unhandled_method(m)),
        }
    }
}
