//! The cron actor (f03): at the end of every tipset the node sends it `EpochTick` as an implicit
//! message from the system actor, and it calls each registered entry in order — the power
//! actor's end-of-epoch hook (which drives miners' deadlines) and the market's deal cron.
//!
//! An entry that fails does not stop the others: its own changes are undone (as any failed send
//! is) and the tick goes on, so one broken actor cannot halt every deadline on the chain.

use filecoin_vm::{Actor, ActorError, ActorResult, Runtime, SYSTEM_ACTOR_ID};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sys::SendFlags;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};

use crate::plumbing::{caller_is, load_state, params, save_state};

/// `EpochTick`: run every entry (system actor only).
pub const EPOCH_TICK_METHOD: MethodNum = 2;

/// One call cron makes every epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CronEntry {
    /// The actor called.
    pub receiver: Address,
    /// The method called, with no parameters and no value.
    pub method_num: MethodNum,
}

/// Cron's state, and its constructor's parameters: the entries, in call order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct CronState {
    /// Called in this order at every tick.
    pub entries: Vec<CronEntry>,
}

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct CronActor;

impl Actor for CronActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        params_block: Option<IpldBlock>,
    ) -> ActorResult {
        match method {
            METHOD_CONSTRUCTOR => {
                caller_is(rt, &[SYSTEM_ACTOR_ID])?;
                let state: CronState = params(params_block)?;
                save_state(rt, &state)?;
                Ok(None)
            }
            EPOCH_TICK_METHOD => {
                caller_is(rt, &[SYSTEM_ACTOR_ID])?;
                let state: CronState = load_state(rt)?;
                for entry in state.entries {
                    let outcome = rt.send(
                        &entry.receiver,
                        entry.method_num,
                        None,
                        TokenAmount::default(),
                        None,
                        SendFlags::empty(),
                    )?;
                    // A failed entry is logged by the trace and skipped; see the module docs.
                    let _ = outcome;
                }
                Ok(None)
            }
            m => Err(ActorError::unhandled_method(m)),
        }
    }
}
