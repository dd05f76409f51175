//! The datacap actor (f07): verified-storage allowance as an FRC-46 token (work in progress: every method is refused until implemented).

use filecoin_vm::{Actor, ActorError, ActorResult, Runtime};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::MethodNum;

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct DataCapActor;

impl Actor for DataCapActor {
    fn invoke(&self, _: &mut dyn Runtime, method: MethodNum, _: Option<IpldBlock>) -> ActorResult {
        Err(ActorError::unhandled_method(method))
    }
}
