//! The system actor (f00): constructed at genesis, holds the built-in actor registry's CID, and
//! is the caller of constructors and of `GetStorageAt`.

use cid::Cid;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};
use multihash_codetable::Code;

use super::require_system_caller;
use crate::actor::{Actor, ActorError, ActorResult};
use crate::runtime::Runtime;

/// State: the CID of the built-in actors registry (name → code CID pairs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SystemState {
    /// The registry of built-in actor code CIDs.
    pub builtin_actors: Cid,
}

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemActor;

impl Actor for SystemActor {
    fn invoke(&self, rt: &mut dyn Runtime, method: MethodNum, _: Option<IpldBlock>) -> ActorResult {
        if method != METHOD_CONSTRUCTOR {
            return Err(ActorError::unhandled_method(method));
        }
        require_system_caller(rt)?;
        let store = rt.store();
        let registry = store
            .put_cbor(&crate::genesis::builtin_manifest(), Code::Blake2b256)
            .map_err(|e| ActorError::illegal_state(e.to_string()))?;
        let head = store
            .put_cbor(&SystemState { builtin_actors: registry }, Code::Blake2b256)
            .map_err(|e| ActorError::illegal_state(e.to_string()))?;
        rt.set_state_root(&head)?;
        Ok(None)
    }
}
