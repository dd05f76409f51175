//! A genesis with real built-in actors plus a scriptable test actor, and helpers to apply
//! messages through the real executor.

use std::sync::Arc;

use cid::Cid;
use cid::multihash::Multihash;
use filecoin_vm::accounts::create_eth_account;
use filecoin_vm::builtin::register_builtins;
use filecoin_vm::genesis::install_singletons;
use filecoin_vm::{
    Actor, ActorError, ActorRegistry, ActorResult, ApplyKind, ApplyRet, Executor, Externs,
    MachineContext, MemoryBlockstore, Runtime, StateTree,
};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{CBOR, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::{ActorEvent, Entry, Flags};
use fvm_shared::message::Message;
use fvm_shared::state::ActorState;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, EMPTY_ARR_CID, MethodNum};
use serde::{Deserialize, Serialize};

/// What the script actor can be told to do, in order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) enum Op {
    /// Send and record the outcome (exit code, or minus the syscall error number).
    Send {
        to: Address,
        method: MethodNum,
        value: u64,
        gas_limit: Option<u64>,
        read_only: bool,
        script: Option<Vec<Self>>,
    },
    /// Emit an event with one `d` entry.
    Emit(Vec<u8>),
    /// Write a new state root (a raw block holding this number).
    Store(u64),
    /// Burn this much gas.
    Burn(u64),
    /// Fail with this exit code.
    Abort(u32),
    /// Send method 3 to itself, one level deeper, until a send fails; return the depth reached.
    Recurse,
    /// Record the built-in kind of the actor at this address as the runtime names it
    /// (`BuiltinType as i64`; -1 for none or no actor).
    Kind(Address),
}

/// The method the script actor runs scripts on.
pub(crate) const RUN: MethodNum = 2;
/// The method that recurses into itself.
pub(crate) const RECURSE: MethodNum = 3;

pub(crate) fn script_code() -> Cid {
    Cid::new_v1(fvm_shared::IPLD_RAW, Multihash::wrap(0, b"test/script").unwrap())
}

#[derive(Debug)]
pub(crate) struct ScriptActor;

impl Actor for ScriptActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        params: Option<IpldBlock>,
    ) -> ActorResult {
        match method {
            RUN => {
                let ops: Vec<Op> = params.map(|p| p.deserialize()).transpose()?.unwrap_or_default();
                let results = run(rt, ops)?;
                Ok(IpldBlock::serialize(CBOR, &results).ok())
            }
            RECURSE => {
                let depth: u64 = params.map(|p| p.deserialize()).transpose()?.unwrap_or(2);
                let me = Address::new_id(rt.message().receiver);
                let next = IpldBlock::serialize(CBOR, &(depth + 1)).ok();
                match rt.send(
                    &me,
                    RECURSE,
                    next,
                    TokenAmount::default(),
                    None,
                    SendFlags::empty(),
                )? {
                    Ok(o) if o.exit_code.is_success() => Ok(o.return_data),
                    _ => Ok(IpldBlock::serialize(CBOR, &depth).ok()),
                }
            }
            _ => Ok(None),
        }
    }
}

fn run(rt: &mut dyn Runtime, ops: Vec<Op>) -> Result<Vec<i64>, ActorError> {
    let mut results = Vec::new();
    for op in ops {
        match op {
            Op::Send { to, method, value, gas_limit, read_only, script } => {
                let params = script.map(|s| IpldBlock::serialize(CBOR, &s)).transpose()?;
                let flags = if read_only { SendFlags::READ_ONLY } else { SendFlags::empty() };
                let out =
                    rt.send(&to, method, params, TokenAmount::from_atto(value), gas_limit, flags)?;
                results.push(match out {
                    Ok(o) => i64::from(o.exit_code.value()),
                    Err(errno) => -(errno as i64),
                });
            }
            Op::Emit(data) => {
                let entry = Entry {
                    flags: Flags::FLAG_INDEXED_ALL,
                    key: "d".into(),
                    codec: fvm_shared::IPLD_RAW,
                    value: data,
                };
                rt.emit_event(&ActorEvent::from(vec![entry]))?;
            }
            Op::Store(n) => {
                let cid = fvm_ipld_encoding::CborStore::put_cbor(
                    &rt.store(),
                    &n,
                    multihash_codetable::Code::Blake2b256,
                )
                .map_err(|e| ActorError::illegal_state(e.to_string()))?;
                rt.set_state_root(&cid)?;
            }
            Op::Burn(gas) => rt.charge_gas(filecoin_vm::Gas::new(gas))?,
            Op::Abort(code) => return Err(ActorError::new(ExitCode::new(code), "scripted abort")),
            Op::Recurse => {
                let me = Address::new_id(rt.message().receiver);
                let out =
                    rt.send(&me, RECURSE, None, TokenAmount::default(), None, SendFlags::empty())?;
                let depth: u64 = match out {
                    Ok(o) => o.return_data.map(|d| d.deserialize()).transpose()?.unwrap_or(0),
                    Err(_) => 0,
                };
                results.push(depth as i64);
            }
            Op::Kind(address) => {
                let code = match rt.resolve_address(&address)? {
                    Some(id) => rt.actor_code(id)?,
                    None => None,
                };
                results.push(code.and_then(|c| rt.builtin_type(&c)).map_or(-1, |t| t as i64));
            }
        }
    }
    Ok(results)
}

pub(crate) struct NoExterns;

impl Externs for NoExterns {
    fn tipset_cid(&self, epoch: i64) -> anyhow::Result<Cid> {
        Ok(Cid::new_v1(0x71, Multihash::wrap(0, &epoch.to_be_bytes()).unwrap()))
    }
    fn beacon_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        let mut r = [0u8; 32];
        r[..8].copy_from_slice(&epoch.to_be_bytes());
        Ok(r)
    }
    fn circulating_supply(&self) -> anyhow::Result<TokenAmount> {
        Ok(TokenAmount::default())
    }
}

pub(crate) const BASE_FEE: u64 = 100;
pub(crate) const FIL: u64 = 1_000_000_000_000_000_000;

/// A devnet-like genesis: singletons, two funded f410 EthAccounts and two script actors.
pub(crate) struct Net {
    pub(crate) exec: Executor<Arc<MemoryBlockstore>>,
    pub(crate) store: Arc<MemoryBlockstore>,
    pub(crate) alice: Address,
    pub(crate) bob: Address,
    pub(crate) script_a: ActorID,
    pub(crate) script_b: ActorID,
}

pub(crate) fn eth(byte: u8) -> Address {
    Address::new_delegated(10, &[byte; 20]).unwrap()
}

pub(crate) fn registry() -> Arc<ActorRegistry> {
    let mut registry = ActorRegistry::new();
    register_builtins(&mut registry);
    registry.register(script_code(), Arc::new(ScriptActor));
    Arc::new(registry)
}

pub(crate) type GenesisTree = StateTree<filecoin_vm::SharedStore>;

pub(crate) fn genesis_root(store: &Arc<MemoryBlockstore>) -> (Cid, ActorID, ActorID) {
    genesis_root_with(store, |_| {})
}

/// The genesis of [`genesis_root`], with `edit` applied to the tree after the singletons are
/// installed and before any account is created.
pub(crate) fn genesis_root_with(
    store: &Arc<MemoryBlockstore>,
    edit: impl FnOnce(&mut GenesisTree),
) -> (Cid, ActorID, ActorID) {
    let buffered = std::rc::Rc::new(filecoin_vm::BufferedBlockstore::new(store.clone()));
    let mut tree = StateTree::new(filecoin_vm::SharedStore::new(buffered.clone()));
    install_singletons(&mut tree, "fevm-test").unwrap();
    edit(&mut tree);
    create_eth_account(&mut tree, eth(0xa1), TokenAmount::from_atto(1000 * FIL as u128)).unwrap();
    create_eth_account(&mut tree, eth(0xb0), TokenAmount::from_atto(10 * FIL as u128)).unwrap();
    let mut scripts = Vec::new();
    for n in 0..2u8 {
        let id = tree.register_new_address(&Address::new_actor(&[n])).unwrap();
        tree.set_actor(
            id,
            ActorState::new(script_code(), EMPTY_ARR_CID, TokenAmount::from_atto(FIL), 0, None),
        );
        scripts.push(id);
    }
    let root = tree.flush().unwrap();
    buffered.flush(&root).unwrap();
    (root, scripts[0], scripts[1])
}

pub(crate) fn context(epoch: i64) -> MachineContext {
    MachineContext {
        epoch,
        timestamp: 1_700_000_000 + epoch as u64 * 30,
        chain_id: 31_415_926,
        base_fee: TokenAmount::from_atto(BASE_FEE),
        network_name: "fevm-test".into(),
    }
}

impl Net {
    pub(crate) fn new() -> Self {
        Self::with_genesis(|_| {}, registry())
    }

    /// A net whose genesis is edited as [`genesis_root_with`] does, run with `registry`.
    pub(crate) fn with_genesis(
        edit: impl FnOnce(&mut GenesisTree),
        registry: Arc<ActorRegistry>,
    ) -> Self {
        let store = Arc::new(MemoryBlockstore::new());
        let (root, script_a, script_b) = genesis_root_with(&store, edit);
        let exec = Executor::new(store.clone(), &root, context(10), Box::new(NoExterns), registry)
            .unwrap();
        Self { exec, store, alice: eth(0xa1), bob: eth(0xb0), script_a, script_b }
    }

    pub(crate) fn nonce(&mut self, who: &Address) -> u64 {
        self.actor(who).map(|a| a.sequence).unwrap_or(0)
    }

    pub(crate) fn actor(&mut self, who: &Address) -> Option<ActorState> {
        let tree = self.exec.state_tree();
        let id = tree.lookup_id(who).unwrap()?;
        tree.get_actor(id).unwrap()
    }

    pub(crate) fn balance(&mut self, who: &Address) -> TokenAmount {
        self.actor(who).map(|a| a.balance).unwrap_or_default()
    }

    /// A message from `from` with its next nonce, generous gas, fee cap 200, premium 10.
    pub(crate) fn message(
        &mut self,
        from: &Address,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        value: u64,
    ) -> Message {
        Message {
            version: 0,
            from: *from,
            to,
            sequence: self.nonce(from),
            value: TokenAmount::from_atto(value),
            method_num: method,
            params,
            gas_limit: 1_000_000_000,
            gas_fee_cap: TokenAmount::from_atto(200),
            gas_premium: TokenAmount::from_atto(10),
        }
    }

    pub(crate) fn apply(&mut self, msg: &Message) -> ApplyRet {
        self.exec.apply_message(msg, ApplyKind::Explicit { chain_len: 100 }).unwrap()
    }

    /// Runs a script on `script_a` as a message from alice; returns the receipt and results.
    pub(crate) fn script(&mut self, ops: Vec<Op>) -> (ApplyRet, Vec<i64>) {
        let params = RawBytes::new(fvm_ipld_encoding::to_vec(&ops).unwrap());
        let to = Address::new_id(self.script_a);
        let alice = self.alice;
        let msg = self.message(&alice, to, RUN, params, 0);
        let ret = self.apply(&msg);
        let results = if ret.receipt.exit_code.is_success() {
            fvm_ipld_encoding::from_slice(ret.receipt.return_data.bytes()).unwrap()
        } else {
            Vec::new()
        };
        (ret, results)
    }
}

/// Runs `f` on a thread with a 2 MiB stack: deep call chains must not depend on a big thread
/// stack, because the VM grows its own (stacker).
pub(crate) fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().unwrap()
}
