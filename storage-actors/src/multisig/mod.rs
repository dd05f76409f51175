//! The multisig actor: funds spent by a threshold of signers (work in progress: every method is refused until implemented).

use filecoin_vm::{Actor, ActorError, ActorResult, Runtime};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::MethodNum;

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct MultisigActor;

impl Actor for MultisigActor {
    fn invoke(&self, _: &mut dyn Runtime, method: MethodNum, _: Option<IpldBlock>) -> ActorResult {
        Err(ActorError::unhandled_method(method))
    }
}
