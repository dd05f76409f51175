//! One invocation's view of the VM: the [`Runtime`] implementation handed to an actor.

use anyhow::anyhow;
use cid::Cid;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::event::ActorEvent;
use fvm_shared::state::ActorState;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, MethodNum};

use super::{Abort, CallManager};
use crate::actor::{ActorError, BuiltinType};
use crate::events;
use crate::gas::{Gas, price};
use crate::runtime::{ActorStore, MachineContext, MessageContext, Runtime, SendOutcome};
use crate::state_tree::INIT_ACTOR_ID;

/// The runtime of one invocation.
pub(super) struct Frame<'c, 'a> {
    cm: &'c mut CallManager<'a>,
    context: MessageContext,
}

impl<'c, 'a> Frame<'c, 'a> {
    pub(super) const fn new(cm: &'c mut CallManager<'a>, context: MessageContext) -> Self {
        Self { cm, context }
    }

    /// Turns an abort into the error an actor propagates; a fatal error is parked in the call
    /// manager so that it wins over whatever the actor does with the error.
    fn abort(&mut self, abort: Abort) -> ActorError {
        match abort {
            Abort::OutOfGas => ActorError::out_of_gas(),
            Abort::Fatal(e) => {
                let error = ActorError::new(ExitCode::SYS_ASSERTION_FAILED, e.to_string());
                self.cm.fatal.get_or_insert(e);
                error
            }
        }
    }

    fn syscall(&mut self) -> Result<(), ActorError> {
        self.cm.charge(price::SYSCALL).map_err(|a| self.abort(a))
    }

    fn load(&mut self, id: ActorID) -> Result<Option<ActorState>, ActorError> {
        self.cm.load_actor(id).map_err(|a| self.abort(a))
    }

    fn receiver_actor(&mut self) -> Result<ActorState, ActorError> {
        let id = self.context.receiver;
        self.load(id)?.ok_or_else(|| self.abort(Abort::Fatal(anyhow!("receiver {id} missing"))))
    }

    fn require_init(&self, what: &str) -> Result<(), ActorError> {
        if self.context.receiver == INIT_ACTOR_ID {
            Ok(())
        } else {
            Err(ActorError::forbidden(format!("only the init actor may {what}")))
        }
    }

    fn require_writable(&self, what: &str) -> Result<(), ActorError> {
        if self.context.read_only {
            Err(ActorError::read_only(format!("cannot {what} in a read-only context")))
        } else {
            Ok(())
        }
    }

    /// Charges a lookback of `epoch` from the current epoch; refuses epochs out of range.
    fn charge_lookback(
        &mut self,
        epoch: ChainEpoch,
        allow_current: bool,
    ) -> Result<(), ActorError> {
        let current = self.cm.machine.epoch;
        let limit = if allow_current { current } else { current - 1 };
        if epoch < 0 || epoch > limit {
            return Err(ActorError::illegal_argument(format!(
                "epoch {epoch} out of range (current {current})"
            )));
        }
        let lookback = u64::try_from(current - epoch).unwrap_or(u64::MAX);
        self.charge_gas(price::lookback(lookback))
    }
}

impl Runtime for Frame<'_, '_> {
    fn message(&self) -> &MessageContext {
        &self.context
    }

    fn machine(&self) -> &MachineContext {
        self.cm.machine
    }

    fn state_root(&mut self) -> Result<Cid, ActorError> {
        self.syscall()?;
        Ok(self.receiver_actor()?.state)
    }

    fn set_state_root(&mut self, root: &Cid) -> Result<(), ActorError> {
        self.require_writable("change state")?;
        self.syscall()?;
        let id = self.context.receiver;
        let mut actor = self.receiver_actor()?;
        self.cm.charge_update(id).map_err(|a| self.abort(a))?;
        actor.state = *root;
        self.cm.tree.set_actor(id, actor);
        Ok(())
    }

    fn delete_actor(&mut self) -> Result<(), ActorError> {
        self.require_writable("delete itself")?;
        self.syscall()?;
        let id = self.context.receiver;
        let actor = self.receiver_actor()?;
        if !actor.balance.is_zero() {
            return Err(ActorError::illegal_state(format!(
                "cannot delete actor f0{id} holding {} FIL",
                actor.balance
            )));
        }
        self.cm.charge_update(id).map_err(|a| self.abort(a))?;
        self.cm.tree.delete_actor(id);
        Ok(())
    }

    fn store(&self) -> ActorStore {
        self.cm.actor_store()
    }

    fn current_balance(&mut self) -> Result<TokenAmount, ActorError> {
        self.syscall()?;
        Ok(self.receiver_actor()?.balance)
    }

    fn balance_of(&mut self, id: ActorID) -> Result<Option<TokenAmount>, ActorError> {
        self.syscall()?;
        Ok(self.load(id)?.map(|a| a.balance))
    }

    fn send(
        &mut self,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
        value: TokenAmount,
        gas_limit: Option<u64>,
        flags: SendFlags,
    ) -> Result<Result<SendOutcome, ErrorNumber>, ActorError> {
        self.syscall()?;
        let read_only = self.context.read_only || flags.read_only();
        let from = self.context.receiver;
        let limit = gas_limit.map(Gas::new);
        self.cm.send(from, to, method, params, &value, limit, read_only).map_err(|a| self.abort(a))
    }

    fn resolve_address(&mut self, address: &Address) -> Result<Option<ActorID>, ActorError> {
        self.syscall()?;
        let id = self.cm.lookup_id(address).map_err(|a| self.abort(a))?;
        // An ID address of a missing actor resolves to nothing.
        match id {
            Some(id) if self.load(id)?.is_some() => Ok(Some(id)),
            _ => Ok(None),
        }
    }

    fn lookup_delegated_address(&mut self, id: ActorID) -> Result<Option<Address>, ActorError> {
        self.syscall()?;
        Ok(self.load(id)?.and_then(|a| a.delegated_address))
    }

    fn actor_code(&mut self, id: ActorID) -> Result<Option<Cid>, ActorError> {
        self.syscall()?;
        Ok(self.load(id)?.map(|a| a.code))
    }

    fn builtin_type(&self, code: &Cid) -> Option<BuiltinType> {
        self.cm.manifest.builtin_type(code)
    }

    fn builtin_code(&self, kind: BuiltinType) -> Cid {
        self.cm.manifest.code_of(kind)
    }

    fn emit_event(&mut self, event: &ActorEvent) -> Result<(), ActorError> {
        self.require_writable("emit events")?;
        self.syscall()?;
        let gas = events::validate(event)
            .map_err(|e| ActorError::new(ExitCode::USR_ASSERTION_FAILED, e.to_string()))?;
        self.charge_gas(gas)?;
        self.cm.events.record(self.context.receiver, event.clone());
        Ok(())
    }

    fn charge_gas(&mut self, gas: Gas) -> Result<(), ActorError> {
        self.cm.gas.charge(gas).map_err(|_| ActorError::out_of_gas())
    }

    fn gas_available(&self) -> u64 {
        self.cm.gas.available().round_down()
    }

    fn tipset_cid(&mut self, epoch: ChainEpoch) -> Result<Cid, ActorError> {
        self.syscall()?;
        self.charge_lookback(epoch, false)?;
        self.cm.externs.tipset_cid(epoch).map_err(|e| self.abort(Abort::Fatal(e)))
    }

    fn beacon_randomness(&mut self, epoch: ChainEpoch) -> Result<[u8; 32], ActorError> {
        self.syscall()?;
        self.charge_lookback(epoch, true)?;
        self.cm.externs.beacon_randomness(epoch).map_err(|e| self.abort(Abort::Fatal(e)))
    }

    fn chain_randomness(&mut self, epoch: ChainEpoch) -> Result<[u8; 32], ActorError> {
        self.syscall()?;
        self.charge_lookback(epoch, true)?;
        self.cm.externs.chain_randomness(epoch).map_err(|e| self.abort(Abort::Fatal(e)))
    }

    fn total_fil_circ_supply(&mut self) -> Result<TokenAmount, ActorError> {
        self.syscall()?;
        self.cm.externs.circulating_supply().map_err(|e| self.abort(Abort::Fatal(e)))
    }

    fn next_actor_address(&mut self) -> Result<Address, ActorError> {
        self.require_init("derive actor addresses")?;
        let mut seed = self.cm.origin.address.to_bytes();
        seed.extend_from_slice(&self.cm.origin.nonce.to_be_bytes());
        seed.extend_from_slice(&self.cm.actors_created.to_be_bytes());
        self.cm.actors_created += 1;
        Ok(Address::new_actor(&seed))
    }

    fn register_new_address(&mut self, address: &Address) -> Result<ActorID, ActorError> {
        self.require_init("assign addresses")?;
        self.charge_gas(price::ADDRESS_ASSIGNMENT.plus(price::ADDRESS_LOOKUP))?;
        let id = self.cm.tree.register_new_address(address).map_err(|e| self.abort(e.into()))?;
        self.cm.access.resolved.insert(*address);
        Ok(id)
    }

    fn map_address(&mut self, address: &Address, id: ActorID) -> Result<(), ActorError> {
        self.require_init("assign addresses")?;
        self.charge_gas(price::ADDRESS_ASSIGNMENT)?;
        self.cm.tree.map_address(address, id).map_err(|e| self.abort(e.into()))
    }

    fn create_actor(
        &mut self,
        code: &Cid,
        id: ActorID,
        delegated_address: Option<Address>,
    ) -> Result<(), ActorError> {
        self.require_init("create actors")?;
        self.require_writable("create actors")?;
        if self.builtin_type(code) == Some(BuiltinType::Placeholder) {
            return Err(ActorError::forbidden("placeholders cannot be constructed explicitly"));
        }
        if self.cm.registry.resolve(code, self.cm.manifest).is_none() {
            return Err(ActorError::illegal_argument(format!("unknown actor code {code}")));
        }
        self.charge_gas(price::create_actor(false))?;
        let actor = match self.load(id)? {
            Some(existing)
                if self.builtin_type(&existing.code) == Some(BuiltinType::Placeholder) =>
            {
                ActorState { code: *code, ..existing }
            }
            Some(_) => return Err(ActorError::forbidden(format!("actor {id} already exists"))),
            None => ActorState::new_empty(*code, delegated_address),
        };
        self.cm.access.loaded.insert(id);
        self.cm.access.updated.insert(id);
        self.cm.tree.set_actor(id, actor);
        Ok(())
    }
}
