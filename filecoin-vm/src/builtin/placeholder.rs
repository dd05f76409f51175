//! The placeholder: what an unassigned f410 address becomes when something is sent to it. It
//! accepts every method and does nothing, so funds can wait there until the address deploys a
//! contract (through the EAM) or sends its first message (promotion to EthAccount).

use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::MethodNum;

use crate::actor::{Actor, ActorResult};
use crate::runtime::Runtime;

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlaceholderActor;

impl Actor for PlaceholderActor {
    fn invoke(&self, _: &mut dyn Runtime, _: MethodNum, _: Option<IpldBlock>) -> ActorResult {
        Ok(None)
    }
}
