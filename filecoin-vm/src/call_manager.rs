//! The call manager: every send between actors goes through [`CallManager::send`].
//!
//! A send, in order (ref-fvm's `call_manager/default.rs` semantics):
//! 1. refuse it if the call stack is already [`MAX_CALL_DEPTH`] deep (`LimitExceeded`);
//! 2. narrow the gas limit to the one the caller gave, if any;
//! 3. open a state transaction, an events layer and a trace node;
//! 4. resolve the recipient; an unknown f1/f3 becomes a new Account (its constructor runs), an
//!    unknown f410 a new Placeholder, each with the code the state's [`Manifest`] gives that kind
//!    — but not while read-only (`ReadOnly`); anything else unknown is `NotFound`;
//! 5. move the value (`InsufficientFunds` if the sender lacks it, `ReadOnly` if read-only);
//! 6. for method 0 (a bare value send) stop there: no code runs; otherwise invoke the actor
//!    (found with [`ActorRegistry::resolve`], so a manifest's foreign CIDs run our actors);
//! 7. keep the transaction and events if the exit code is 0, undo them otherwise.
//!
//! A callee that runs out of its *own* gas limit while its caller still has gas comes back as an
//! ordinary result with exit code `SYS_OUT_OF_GAS`; when the whole message is out of gas, the
//! [`Abort`] unwinds every frame.
//!
//! State access is charged as FIP-0071 does: the first load of an actor in a message costs an
//! actor lookup, its first change an actor update, the first resolution of a non-ID address an
//! address lookup; the preloaded singletons are free.

mod frame;

use std::collections::HashSet;
use std::rc::Rc;

use anyhow::anyhow;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::{Address, Payload};
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::state::ActorState;
use fvm_shared::{ActorID, METHOD_CONSTRUCTOR, METHOD_SEND, MethodNum};

use crate::actor::{ActorRegistry, BuiltinType};
use crate::blockstore::SharedStore;
use crate::events::EventAccumulator;
use crate::gas::{Gas, GasTracker, OutOfGas, price};
use crate::manifest::Manifest;
use crate::runtime::{Externs, MachineContext, MessageContext, SendOutcome};
use crate::state_tree::StateTree;
use crate::trace::{CallTrace, TraceBuilder};

/// The deepest the call stack may grow, the top-level call included.
pub const MAX_CALL_DEPTH: u32 = 1024;
/// Stack that must remain before a frame runs on the current segment; one frame of actor code
/// (an EVM interpreter loop included) uses well under this between two sends.
const STACK_RED_ZONE: usize = 1 << 20;
/// Size of each extra stack segment allocated when the red zone is reached.
const STACK_SEGMENT: usize = 16 << 20;
/// The system actor's ID (the caller of constructors the VM runs itself).
pub const SYSTEM_ACTOR_ID: ActorID = 0;

/// Why a whole message stops: it ran out of gas, or the node itself failed (a missing block, an
/// unregistered code CID). Ordinary failures are exit codes, not aborts.
#[derive(Debug)]
pub enum Abort {
    /// The message has no gas left.
    OutOfGas,
    /// A node-level failure; the message fails with SYS_ASSERTION_FAILED.
    Fatal(anyhow::Error),
}

impl From<OutOfGas> for Abort {
    fn from(_: OutOfGas) -> Self {
        Self::OutOfGas
    }
}

impl From<anyhow::Error> for Abort {
    fn from(e: anyhow::Error) -> Self {
        Self::Fatal(e)
    }
}

/// A send's result: the callee's outcome, or the syscall error that prevented the send.
pub type SendResult = Result<Result<SendOutcome, ErrorNumber>, Abort>;

/// Which actors and addresses this message has paid to access (FIP-0071).
#[derive(Debug, Default)]
struct StateAccess {
    loaded: HashSet<ActorID>,
    updated: HashSet<ActorID>,
    resolved: HashSet<Address>,
}

/// The top-level message a call manager serves.
#[derive(Clone, Debug)]
pub struct Origin {
    /// The sender's ID.
    pub id: ActorID,
    /// The sender's robust address (used to derive new actors' f2 addresses).
    pub address: Address,
    /// The message's sequence.
    pub nonce: u64,
    /// The effective gas premium.
    pub gas_premium: TokenAmount,
}

/// Runs the sends of one message. See the module docs.
pub struct CallManager<'a> {
    tree: &'a mut StateTree<SharedStore>,
    store: SharedStore,
    registry: &'a ActorRegistry,
    /// The state's manifest, loaded once by whoever built the tree (the executor).
    manifest: &'a Manifest,
    machine: &'a MachineContext,
    externs: &'a dyn Externs,
    gas: Rc<GasTracker>,
    origin: Origin,
    depth: u32,
    actors_created: u64,
    access: StateAccess,
    events: EventAccumulator,
    trace: TraceBuilder,
    fatal: Option<anyhow::Error>,
    /// Why the message's receiver failed, in its own words (`exit N: reason`).
    failure: Option<String>,
}

impl std::fmt::Debug for CallManager<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallManager").field("depth", &self.depth).finish_non_exhaustive()
    }
}

impl<'a> CallManager<'a> {
    /// A call manager for one message; `gas` is already charged for inclusion, if explicit.
    /// `manifest` is `tree`'s ([`StateTree::manifest`]), passed in so that it is read once per
    /// tree rather than once per message.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        tree: &'a mut StateTree<SharedStore>,
        registry: &'a ActorRegistry,
        manifest: &'a Manifest,
        machine: &'a MachineContext,
        externs: &'a dyn Externs,
        gas: Rc<GasTracker>,
        origin: Origin,
    ) -> Self {
        let store = tree.store().clone();
        let mut access = StateAccess::default();
        access.loaded.insert(origin.id);
        access.updated.insert(origin.id);
        Self {
            tree,
            store,
            registry,
            manifest,
            machine,
            externs,
            gas,
            origin,
            depth: 0,
            actors_created: 0,
            access,
            events: EventAccumulator::default(),
            trace: TraceBuilder::default(),
            fatal: None,
            failure: None,
        }
    }

    /// The message's gas tracker.
    pub fn gas(&self) -> &GasTracker {
        &self.gas
    }

    /// Consumes the manager: the events kept and the call tree.
    pub fn finish(
        self,
    ) -> (Vec<fvm_shared::event::StampedEvent>, Option<CallTrace>, Option<String>) {
        (self.events.into_events(), self.trace.finish(), self.failure)
    }

    /// Sends a message from `from`; see the module docs for the steps.
    #[allow(clippy::too_many_arguments)]
    pub fn send(
        &mut self,
        from: ActorID,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
        value: &TokenAmount,
        gas_limit: Option<Gas>,
        read_only: bool,
    ) -> SendResult {
        if self.depth >= MAX_CALL_DEPTH {
            return Ok(Err(ErrorNumber::LimitExceeded));
        }
        self.trace.enter(CallTrace {
            from,
            to: *to,
            to_id: None,
            to_code: None,
            method,
            params: params.clone(),
            value: value.clone(),
            gas_limit: gas_limit.map(Gas::round_down),
            read_only,
            exit_code: ExitCode::OK,
            return_data: None,
            syscall_error: None,
            gas_used: 0,
            subcalls: Vec::new(),
        });
        let gas_before = self.gas.used();
        let parent_ceiling = self.gas.push_limit(gas_limit);
        self.tree.begin_transaction();
        self.events.push_frame();

        // Each frame may recurse into actor code that sends again, 1,024 frames deep. Growing
        // the stack on demand keeps that safe on any thread (async workers included) without
        // reserving a huge stack up front.
        let mut result = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            self.send_in_frame(from, to, method, params, value, read_only)
        });

        self.gas.pop_limit(parent_ceiling);
        if matches!(result, Err(Abort::OutOfGas)) && !self.gas.is_exhausted() {
            let outcome = SendOutcome { exit_code: ExitCode::SYS_OUT_OF_GAS, return_data: None };
            result = Ok(Ok(outcome));
        }
        let success = matches!(&result, Ok(Ok(o)) if o.exit_code.is_success());
        if let Err(e) = self.tree.end_transaction(!success) {
            result = Err(Abort::Fatal(e));
        }
        self.events.pop_frame(success);
        let gas_used = self.gas.used().as_milligas() - gas_before.as_milligas();
        if let Some(call) = self.trace.current() {
            call.gas_used = Gas::from_milligas(gas_used).round_up();
            match &result {
                Ok(Ok(outcome)) => {
                    call.exit_code = outcome.exit_code;
                    call.return_data.clone_from(&outcome.return_data);
                }
                Ok(Err(errno)) => call.syscall_error = Some(format!("{errno:?}")),
                Err(Abort::OutOfGas) => call.exit_code = ExitCode::SYS_OUT_OF_GAS,
                Err(Abort::Fatal(_)) => call.exit_code = ExitCode::SYS_ASSERTION_FAILED,
            }
        }
        self.trace.exit();
        result
    }

    fn send_in_frame(
        &mut self,
        from: ActorID,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
        value: &TokenAmount,
        read_only: bool,
    ) -> SendResult {
        let to_id = match self.resolve_or_create(to, read_only)? {
            Ok(id) => id,
            Err(errno) => return Ok(Err(errno)),
        };
        if let Some(call) = self.trace.current() {
            call.to_id = Some(to_id);
        }
        if !value.is_zero() {
            if read_only {
                return Ok(Err(ErrorNumber::ReadOnly));
            }
            self.charge(price::SEND_TRANSFER_FUNDS)?;
            if let Err(errno) = self.transfer(from, to_id, value)? {
                return Ok(Err(errno));
            }
        }
        if method == METHOD_SEND {
            return Ok(Ok(SendOutcome { exit_code: ExitCode::OK, return_data: None }));
        }
        self.charge(price::SEND_INVOKE_METHOD)?;
        let code = self.load_actor(to_id)?.ok_or_else(|| anyhow!("actor {to_id} vanished"))?.code;
        if let Some(call) = self.trace.current() {
            call.to_code = Some(code);
        }
        let actor = self
            .registry
            .resolve(&code, self.manifest)
            .cloned()
            .ok_or_else(|| anyhow!("no implementation registered for code {code}"))?;
        let context = MessageContext {
            origin: self.origin.id,
            origin_nonce: self.origin.nonce,
            caller: from,
            receiver: to_id,
            method,
            value_received: value.clone(),
            gas_premium: self.origin.gas_premium.clone(),
            read_only,
        };
        self.depth += 1;
        let result = actor.invoke(&mut frame::Frame::new(self, context), method, params);
        self.depth -= 1;
        if let Some(fatal) = self.fatal.take() {
            return Err(Abort::Fatal(fatal));
        }
        match result {
            Ok(return_data) => Ok(Ok(SendOutcome { exit_code: ExitCode::OK, return_data })),
            Err(_) if self.gas.is_exhausted() => Err(Abort::OutOfGas),
            Err(mut error) => {
                let code = error.exit_code();
                // Actors may not claim system exit codes (ref-fvm rewrites them).
                let exit_code = if code.value() < ExitCode::FIRST_USER_EXIT_CODE {
                    ExitCode::SYS_ILLEGAL_EXIT_CODE
                } else {
                    code
                };
                tracing::trace!(target: "vm", actor = to_id, method, %error, "call failed");
                if self.depth == 0 {
                    self.failure = Some(error.to_string());
                }
                Ok(Ok(SendOutcome { exit_code, return_data: error.take_data() }))
            }
        }
    }

    /// Resolves the recipient, creating an Account or Placeholder where FEVM would.
    fn resolve_or_create(
        &mut self,
        to: &Address,
        read_only: bool,
    ) -> Result<Result<ActorID, ErrorNumber>, Abort> {
        if let Some(id) = self.lookup_id(to)? {
            return Ok(if self.load_actor(id)?.is_some() {
                Ok(id)
            } else {
                Err(ErrorNumber::NotFound)
            });
        }
        let placeholder = match to.payload() {
            Payload::Secp256k1(_) | Payload::BLS(_) => false,
            Payload::Delegated(d) if d.namespace() == address_mapping::EAM_ACTOR_ID => true,
            _ => return Ok(Err(ErrorNumber::NotFound)),
        };
        if read_only {
            return Ok(Err(ErrorNumber::ReadOnly));
        }
        self.charge(price::create_actor(true))?;
        let id = self.tree.register_new_address(to)?;
        self.actors_created += 1;
        self.access.loaded.insert(id);
        self.access.updated.insert(id);
        if placeholder {
            let code = self.manifest.code_of(BuiltinType::Placeholder);
            self.tree.set_actor(id, ActorState::new_empty(code, Some(*to)));
            return Ok(Ok(id));
        }
        let code = self.manifest.code_of(BuiltinType::Account);
        self.tree.set_actor(id, ActorState::new_empty(code, None));
        let params = IpldBlock::serialize_cbor(to).map_err(|e| anyhow!("encoding {to}: {e}"))?;
        let zero = TokenAmount::default();
        let ctor = self.send(
            SYSTEM_ACTOR_ID,
            &Address::new_id(id),
            METHOD_CONSTRUCTOR,
            params,
            &zero,
            None,
            false,
        )?;
        match ctor {
            Ok(outcome) if outcome.exit_code.is_success() => Ok(Ok(id)),
            other => Err(Abort::Fatal(anyhow!("account constructor for {to} failed: {other:?}"))),
        }
    }

    /// Moves `value` between two existing actors.
    fn transfer(
        &mut self,
        from: ActorID,
        to: ActorID,
        value: &TokenAmount,
    ) -> Result<Result<(), ErrorNumber>, Abort> {
        if value.is_negative() {
            return Ok(Err(ErrorNumber::IllegalArgument));
        }
        let Some(sender) = self.load_actor(from)? else { return Ok(Err(ErrorNumber::NotFound)) };
        if &sender.balance < value {
            return Ok(Err(ErrorNumber::InsufficientFunds));
        }
        if from == to {
            return Ok(Ok(()));
        }
        self.charge_update(from)?;
        self.charge_update(to)?;
        self.tree.mutate_actor(from, |a| {
            a.balance -= value;
            Ok(())
        })?;
        self.tree.mutate_actor(to, |a| {
            a.balance += value;
            Ok(())
        })?;
        Ok(Ok(()))
    }

    fn charge(&self, gas: Gas) -> Result<(), Abort> {
        Ok(self.gas.charge(gas)?)
    }

    /// Resolves an address, charging an address lookup the first time in this message.
    fn lookup_id(&mut self, address: &Address) -> Result<Option<ActorID>, Abort> {
        if address.protocol() != fvm_shared::address::Protocol::ID
            && self.access.resolved.insert(*address)
        {
            self.charge(price::ADDRESS_LOOKUP)?;
        }
        Ok(self.tree.lookup_id(address)?)
    }

    /// Loads an actor, charging an actor lookup the first time in this message.
    fn load_actor(&mut self, id: ActorID) -> Result<Option<ActorState>, Abort> {
        if !price::PRELOADED_ACTORS.contains(&id) && self.access.loaded.insert(id) {
            self.charge(price::ACTOR_LOOKUP)?;
        }
        Ok(self.tree.get_actor(id)?)
    }

    /// Charges an actor update the first time an actor changes in this message.
    fn charge_update(&mut self, id: ActorID) -> Result<(), Abort> {
        if !price::PRELOADED_ACTORS.contains(&id) && self.access.updated.insert(id) {
            self.charge(price::ACTOR_UPDATE)?;
        }
        Ok(())
    }

    /// The store actors use (charging).
    fn actor_store(&self) -> crate::runtime::ActorStore {
        crate::runtime::ActorStore::new(self.store.inner(), self.gas.clone())
    }
}
