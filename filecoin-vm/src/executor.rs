//! The executor: applies messages to a state tree, exactly as ref-fvm's `DefaultExecutor`.
//!
//! An explicit message goes through:
//! 1. **preflight** — its inclusion cost must fit its gas limit; the sender must resolve, be an
//!    Account or EthAccount by the state's [`Manifest`] (or a nonce-0 Placeholder with an f410
//!    address, which is promoted to the manifest's EthAccount on the spot), have the message's
//!    nonce and hold `fee_cap × gas_limit`. The nonce bump, the reservation of the funds and
//!    any promotion are written before execution and stay even if the message then fails;
//! 2. **invocation** through the [`CallManager`], with the inclusion cost already charged;
//! 3. **receipt** — exit code, return (1,300 gas per byte), gas used, events AMT root;
//! 4. **settlement** — base-fee burn and over-estimation burn to f099, the tip to f02, the
//!    rest back to the sender ([`GasOutputs`]).
//!
//! The manifest is read from the system actor once, when the executor is built (through the
//! [`RootCache`] when there is one, so a call on a busy head does not decode it again); f00's
//! state does not change after genesis.
//!
//! Implicit messages (genesis, cron) skip 1 and 4. Calls (`eth_call`, gas estimation) skip the
//! checks and fees of 1 and 4 but pay the inclusion gas, so their gas used is the real one.

use std::rc::Rc;
use std::sync::Arc;

use anyhow::{Result, anyhow};
use cid::Cid;
use fvm_ipld_amt::Amt;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{DAG_CBOR, RawBytes};
use fvm_shared::ActorID;
use fvm_shared::address::{Address, Payload};
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::event::StampedEvent;
use fvm_shared::message::Message;
use fvm_shared::receipt::Receipt;

use crate::actor::{ActorRegistry, BuiltinType};
use crate::blockstore::{BufferedBlockstore, SharedStore};
use crate::call_manager::{Abort, CallManager, Origin};
use crate::gas::{Gas, GasTracker, price};
use crate::manifest::Manifest;
use crate::runtime::{Externs, MachineContext};
use crate::settlement::GasOutputs;
use crate::state_tree::{RootCache, StateTree};
use crate::trace::CallTrace;

/// The reward actor (receives miner tips).
pub const REWARD_ACTOR_ID: ActorID = 2;
/// The burnt-funds actor (receives burnt fees).
pub const BURNT_FUNDS_ACTOR_ID: ActorID = 99;
/// Bit width of the events AMT in receipts.
pub const EVENTS_AMT_BITWIDTH: u32 = 5;

/// How a message is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyKind {
    /// A message from a block; `chain_len` is the length of its signed chain encoding.
    Explicit {
        /// Bytes the message takes on chain (sets the inclusion cost).
        chain_len: usize,
    },
    /// A message the node applies itself: no fees, no nonce.
    Implicit,
    /// A simulation (`eth_call`, gas estimation): any existing sender, no nonce, balance or
    /// sender-type checks and no fees, but the inclusion cost of a message of `chain_len`
    /// bytes is charged, so gas used is what the real message would use.
    Call {
        /// Bytes the real message would take on chain.
        chain_len: usize,
    },
}

/// Everything known about an applied message.
#[derive(Clone, Debug)]
pub struct ApplyRet {
    /// The receipt (what goes on chain).
    pub receipt: Receipt,
    /// The fee split (zero for implicit messages).
    pub gas_outputs: GasOutputs,
    /// Events kept (empty unless the message succeeded).
    pub events: Vec<StampedEvent>,
    /// The call tree, if the message got as far as being invoked.
    pub trace: Option<CallTrace>,
    /// Why the message failed, for logs and RPC errors.
    pub failure_info: Option<String>,
}

/// Applies messages on top of a state root. Writes go to a buffer until [`Executor::flush`].
pub struct Executor<B: Blockstore + 'static> {
    buffer: Rc<BufferedBlockstore<B>>,
    tree: StateTree<SharedStore>,
    machine: MachineContext,
    externs: Box<dyn Externs>,
    registry: Arc<ActorRegistry>,
    /// The state's built-in actor manifest, read once at construction.
    manifest: Arc<Manifest>,
    /// Event AMTs of the messages applied since the last flush, kept by it: receipts point to
    /// them, and a node serves them (`ChainGetEvents`) as Lotus does.
    event_roots: Vec<Cid>,
}

impl<B: Blockstore + 'static> std::fmt::Debug for Executor<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor").field("machine", &self.machine).finish_non_exhaustive()
    }
}

impl<B: Blockstore + 'static> Executor<B> {
    /// An executor over the state at `root` in `store`.
    pub fn new(
        store: B,
        root: &Cid,
        machine: MachineContext,
        externs: Box<dyn Externs>,
        registry: Arc<ActorRegistry>,
    ) -> Result<Self> {
        let buffer = Rc::new(BufferedBlockstore::new(store));
        let tree = StateTree::load(SharedStore::new(buffer.clone()), root)?;
        let manifest = tree.manifest()?;
        Ok(Self { buffer, tree, machine, externs, registry, manifest, event_roots: Vec::new() })
    }

    /// An executor over the state at `cache`'s root, sharing what it reads there with every
    /// other tree loaded through the same cache (see [`RootCache`]).
    pub fn new_shared(
        store: B,
        cache: Arc<RootCache>,
        machine: MachineContext,
        externs: Box<dyn Externs>,
        registry: Arc<ActorRegistry>,
    ) -> Result<Self> {
        let buffer = Rc::new(BufferedBlockstore::new(store));
        let tree = StateTree::load_shared(SharedStore::new(buffer.clone()), cache)?;
        let manifest = tree.manifest()?;
        Ok(Self { buffer, tree, machine, externs, registry, manifest, event_roots: Vec::new() })
    }

    /// The state tree (for reads, and for genesis-style direct writes).
    pub fn state_tree(&mut self) -> &mut StateTree<SharedStore> {
        &mut self.tree
    }

    /// The state's built-in actor manifest, as read when the executor was built.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The epoch context.
    pub const fn machine(&self) -> &MachineContext {
        &self.machine
    }

    /// Writes the state, and the event AMTs of the messages applied since the last flush, to the
    /// backing store; returns the state root.
    pub fn flush(&mut self) -> Result<Cid> {
        let root = self.tree.flush()?;
        let mut roots = std::mem::take(&mut self.event_roots);
        roots.push(root);
        self.buffer.flush_reachable(&roots)?;
        Ok(root)
    }

    /// The backing store.
    pub fn store(&self) -> &B {
        self.buffer.base()
    }

    /// Applies one message. An `Err` is a node failure (e.g. the store failed), not a message
    /// failure: message failures are exit codes in the receipt.
    pub fn apply_message(&mut self, msg: &Message, kind: ApplyKind) -> Result<ApplyRet> {
        let (sender, inclusion) = match kind {
            ApplyKind::Explicit { chain_len } => match self.preflight(msg, chain_len)? {
                Ok(ok) => ok,
                Err(failed) => return Ok(failed),
            },
            ApplyKind::Implicit | ApplyKind::Call { .. } => {
                let inclusion = match kind {
                    ApplyKind::Call { chain_len } => price::on_chain_message(chain_len),
                    _ => Gas::default(),
                };
                if inclusion.round_up() > msg.gas_limit {
                    return Ok(self.prevalidation_failure(
                        ExitCode::SYS_OUT_OF_GAS,
                        "gas limit below the inclusion cost",
                        TokenAmount::default(),
                    ));
                }
                match self.tree.lookup_id(&msg.from)? {
                    Some(id) if self.tree.get_actor(id)?.is_some() => (id, inclusion),
                    _ => {
                        return Ok(self.prevalidation_failure(
                            ExitCode::SYS_SENDER_INVALID,
                            &format!("sender {} not found", msg.from),
                            TokenAmount::default(),
                        ));
                    }
                }
            }
        };
        let gas = Rc::new(GasTracker::new(Gas::new(msg.gas_limit), inclusion));
        let premium = self.effective_premium(msg);
        let origin = Origin {
            id: sender,
            address: self.robust_address(sender, &msg.from)?,
            nonce: msg.sequence,
            gas_premium: premium,
        };
        let params = (!msg.params.is_empty())
            .then(|| IpldBlock { codec: DAG_CBOR, data: msg.params.bytes().to_vec() });

        let mut cm = CallManager::new(
            &mut self.tree,
            &self.registry,
            &self.manifest,
            &self.machine,
            &*self.externs,
            gas.clone(),
            origin,
        );
        let result = cm.send(sender, &msg.to, msg.method_num, params, &msg.value, None, false);
        let (events, trace, reason) = cm.finish();

        let (mut exit_code, mut return_data, mut failure_info) = match result {
            Ok(Ok(outcome)) => {
                let info = (!outcome.exit_code.is_success())
                    .then(|| reason.unwrap_or_else(|| format!("exit {}", outcome.exit_code)));
                (outcome.exit_code, outcome.return_data.map(|b| b.data).unwrap_or_default(), info)
            }
            Ok(Err(errno)) => {
                (syscall_exit_code(errno), Vec::new(), Some(format!("send failed: {errno:?}")))
            }
            Err(Abort::OutOfGas) => {
                (ExitCode::SYS_OUT_OF_GAS, Vec::new(), Some("out of gas".into()))
            }
            Err(Abort::Fatal(e)) => {
                tracing::error!(target: "vm", error = %e, "fatal error applying message");
                gas.charge(Gas::new(u64::MAX)).ok();
                (ExitCode::SYS_ASSERTION_FAILED, Vec::new(), Some(format!("fatal: {e:#}")))
            }
        };
        if gas.charge(price::ON_CHAIN_RETURN_PER_BYTE.times(return_data.len() as u64)).is_err() {
            exit_code = ExitCode::SYS_OUT_OF_GAS;
            return_data.clear();
            failure_info = Some("out of gas storing the return value".into());
        }
        let events = if exit_code.is_success() { events } else { Vec::new() };
        let events_root = self.events_root(&events)?;
        if let (Some(root), ApplyKind::Explicit { .. } | ApplyKind::Implicit) = (events_root, kind)
        {
            self.event_roots.push(root);
        }
        let gas_used = gas.used().round_up().min(msg.gas_limit);
        let gas_outputs = match kind {
            ApplyKind::Explicit { .. } => self.settle(msg, sender, gas_used)?,
            ApplyKind::Implicit | ApplyKind::Call { .. } => GasOutputs::default(),
        };
        let receipt =
            Receipt { exit_code, return_data: RawBytes::new(return_data), gas_used, events_root };
        Ok(ApplyRet { receipt, gas_outputs, events, trace, failure_info })
    }

    /// Inclusion cost and sender checks; on success the nonce is bumped and the funds reserved.
    fn preflight(
        &mut self,
        msg: &Message,
        chain_len: usize,
    ) -> Result<Result<(ActorID, Gas), ApplyRet>> {
        let inclusion = price::on_chain_message(chain_len);
        let base_fee = self.machine.base_fee.clone();
        if inclusion.round_up() > msg.gas_limit {
            let penalty = &base_fee * inclusion.round_up();
            return Ok(Err(self.prevalidation_failure(
                ExitCode::SYS_OUT_OF_GAS,
                "gas limit below the inclusion cost",
                penalty,
            )));
        }
        let penalty = &base_fee * msg.gas_limit;
        let fail = |this: &Self, code, why: String| {
            Ok(Err(this.prevalidation_failure(code, &why, penalty.clone())))
        };
        let Some(sender) = self.tree.lookup_id(&msg.from)? else {
            return fail(
                self,
                ExitCode::SYS_SENDER_INVALID,
                format!("sender {} not found", msg.from),
            );
        };
        let Some(mut actor) = self.tree.get_actor(sender)? else {
            return fail(
                self,
                ExitCode::SYS_SENDER_INVALID,
                format!("sender {} not found", msg.from),
            );
        };
        match self.manifest.builtin_type(&actor.code) {
            Some(t) if t.is_account_like() => {}
            Some(BuiltinType::Placeholder)
                if actor.sequence == 0 && is_f410(actor.delegated_address.as_ref()) =>
            {
                actor.code = self.manifest.code_of(BuiltinType::EthAccount);
            }
            _ => {
                return fail(
                    self,
                    ExitCode::SYS_SENDER_INVALID,
                    format!("sender {} is not an account", msg.from),
                );
            }
        }
        if msg.sequence != actor.sequence {
            return fail(
                self,
                ExitCode::SYS_SENDER_STATE_INVALID,
                format!("nonce {} expected, got {}", actor.sequence, msg.sequence),
            );
        }
        let reserve = &msg.gas_fee_cap * msg.gas_limit;
        if actor.balance < reserve {
            return fail(
                self,
                ExitCode::SYS_SENDER_STATE_INVALID,
                format!("balance {} below gas funds {}", actor.balance, reserve),
            );
        }
        actor.sequence += 1;
        actor.balance -= &reserve;
        self.tree.set_actor(sender, actor);
        Ok(Ok((sender, inclusion)))
    }

    fn prevalidation_failure(
        &self,
        exit_code: ExitCode,
        why: &str,
        penalty: TokenAmount,
    ) -> ApplyRet {
        ApplyRet {
            receipt: Receipt {
                exit_code,
                return_data: RawBytes::default(),
                gas_used: 0,
                events_root: None,
            },
            gas_outputs: GasOutputs { miner_penalty: penalty, ..GasOutputs::default() },
            events: Vec::new(),
            trace: None,
            failure_info: Some(format!("pre-validation failed: {why}")),
        }
    }

    /// Pays out the reserved funds.
    fn settle(&mut self, msg: &Message, sender: ActorID, gas_used: u64) -> Result<GasOutputs> {
        let out = GasOutputs::compute(
            gas_used,
            msg.gas_limit,
            &self.machine.base_fee,
            &msg.gas_fee_cap,
            &msg.gas_premium,
        );
        let burnt = &out.base_fee_burn + &out.over_estimation_burn;
        for (id, amount) in [
            (BURNT_FUNDS_ACTOR_ID, &burnt),
            (REWARD_ACTOR_ID, &out.miner_tip),
            (sender, &out.refund),
        ] {
            if amount.is_zero() {
                continue;
            }
            self.tree.mutate_actor(id, |a| {
                a.balance += amount;
                Ok(())
            })?;
        }
        Ok(out)
    }

    fn events_root(&self, events: &[StampedEvent]) -> Result<Option<Cid>> {
        if events.is_empty() {
            return Ok(None);
        }
        let root = Amt::new_from_iter_with_bit_width(
            self.tree.store(),
            EVENTS_AMT_BITWIDTH,
            events.iter().cloned(),
        )?;
        Ok(Some(root))
    }

    fn effective_premium(&self, msg: &Message) -> TokenAmount {
        let headroom = &msg.gas_fee_cap - &self.machine.base_fee;
        let premium = if msg.gas_premium < headroom { msg.gas_premium.clone() } else { headroom };
        if premium.is_negative() { TokenAmount::default() } else { premium }
    }

    /// The sender's robust address (seeds new actors' f2 addresses).
    fn robust_address(&self, id: ActorID, given: &Address) -> Result<Address> {
        if !matches!(given.payload(), Payload::ID(_)) {
            return Ok(*given);
        }
        let actor = self.tree.get_actor(id)?.ok_or_else(|| anyhow!("sender {id} vanished"))?;
        Ok(actor.delegated_address.unwrap_or(*given))
    }
}

fn is_f410(address: Option<&Address>) -> bool {
    matches!(address.map(Address::payload), Some(Payload::Delegated(d)) if d.namespace() == address_mapping::EAM_ACTOR_ID)
}

/// The receipt exit code of a top-level send that could not be made.
const fn syscall_exit_code(errno: ErrorNumber) -> ExitCode {
    match errno {
        ErrorNumber::InsufficientFunds => ExitCode::SYS_INSUFFICIENT_FUNDS,
        ErrorNumber::NotFound => ExitCode::SYS_INVALID_RECEIVER,
        _ => ExitCode::SYS_ASSERTION_FAILED,
    }
}
