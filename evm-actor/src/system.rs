//! One invocation's access to the contract's own state and to the VM (builtin-actors'
//! `System`): storage and transient storage in KAMTs, the nonce, the tombstone, and sends that
//! flush state first and reload it after, so reentrant calls see and keep each other's writes.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use alloy_primitives::{B256, Bytes, U256, keccak256};
use cid::Cid;
use filecoin_vm::{ActorError, ActorStore, Runtime, SendOutcome};
use fvm_ipld_blockstore::{Block, Blockstore};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{CborStore, IPLD_RAW};
use fvm_ipld_kamt::Kamt;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ErrorNumber;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, MethodNum};
use multihash_codetable::Code;
use revm::bytecode::Bytecode;

use crate::state::{
    EvmState, SlotKey, Tombstone, TransientData, TransientLifespan, Word, storage_kamt_config,
};

type Slots = Kamt<ActorStore, Word, Word, SlotKey, 32>;

/// keccak256 of the empty string: the code hash of an account without code.
pub const EMPTY_CODE_HASH: B256 = alloy_primitives::KECCAK256_EMPTY;

/// Analysed bytecode by CID (see [`System::load_analysed_bytecode`]). Bounded by emptying it
/// when full: a devnet runs far fewer distinct contracts than this.
static ANALYSED: LazyLock<Mutex<HashMap<Cid, Bytecode>>> = LazyLock::new(Mutex::default);
const ANALYSED_CAPACITY: usize = 1024;

/// See the module docs.
pub struct System<'r> {
    /// The VM.
    pub rt: &'r mut dyn Runtime,
    state: EvmState,
    slots: Slots,
    transient: Option<Slots>,
    /// Whether state differs from what was last written.
    dirty: bool,
    /// The state root last written or read.
    saved_root: Option<Cid>,
    /// Whether this invocation may change state.
    pub read_only: bool,
    /// True while initcode runs (EXTCODESIZE of itself is 0 then).
    pub constructing: bool,
}

impl std::fmt::Debug for System<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("System").field("state", &self.state).finish_non_exhaustive()
    }
}

fn state_error(e: impl std::fmt::Display) -> ActorError {
    ActorError::illegal_state(e.to_string())
}

impl<'r> System<'r> {
    /// A brand-new contract (constructor): empty code and storage, nonce 1.
    pub fn create(rt: &'r mut dyn Runtime) -> Result<Self, ActorError> {
        let store = rt.store();
        let mut slots = Slots::new_with_config(store.clone(), storage_kamt_config());
        let empty = slots.flush().map_err(state_error)?;
        let bytecode = put_raw(&store, &[])?;
        let state = EvmState {
            bytecode,
            bytecode_hash: EMPTY_CODE_HASH.to_vec(),
            contract_state: empty,
            transient_data: None,
            nonce: 1,
            tombstone: None,
        };
        let read_only = rt.message().read_only;
        Ok(Self {
            rt,
            state,
            slots,
            transient: None,
            dirty: true,
            saved_root: None,
            read_only,
            constructing: false,
        })
    }

    /// The contract as stored.
    pub fn load(rt: &'r mut dyn Runtime) -> Result<Self, ActorError> {
        let root = rt.state_root()?;
        let store = rt.store();
        let state: EvmState = store
            .get_cbor(&root)
            .map_err(state_error)?
            .ok_or_else(|| ActorError::illegal_state("EVM state missing"))?;
        let slots = Slots::load_with_config(&state.contract_state, store, storage_kamt_config())
            .map_err(state_error)?;
        let read_only = rt.message().read_only;
        Ok(Self {
            rt,
            state,
            slots,
            transient: None,
            dirty: false,
            saved_root: Some(root),
            read_only,
            constructing: false,
        })
    }

    /// The stored state.
    pub const fn state(&self) -> &EvmState {
        &self.state
    }

    /// Whether the contract is dead as seen from the current message.
    pub fn is_dead(&self) -> bool {
        let m = self.rt.message();
        self.state.is_dead(m.origin, m.origin_nonce)
    }

    /// Reads a storage slot (0 when absent).
    pub fn get_storage(&mut self, key: U256) -> Result<U256, ActorError> {
        Ok(self.slots.get(&Word(key)).map_err(state_error)?.map_or(U256::ZERO, |w| w.0))
    }

    /// Writes a storage slot; 0 deletes it. Only a real change marks the state dirty.
    pub fn set_storage(&mut self, key: U256, value: U256) -> Result<(), ActorError> {
        let changed = if value.is_zero() {
            self.slots.delete(&Word(key)).map_err(state_error)?.is_some()
        } else {
            self.slots.set(Word(key), Word(value)).map_err(state_error)? != Some(Word(value))
        };
        self.dirty |= changed;
        Ok(())
    }

    fn lifespan(&self) -> TransientLifespan {
        let m = self.rt.message();
        TransientLifespan { origin: m.origin, nonce: m.origin_nonce }
    }

    /// The transient KAMT of the current message, loading it (or starting it empty).
    fn transient(&mut self) -> Result<&mut Slots, ActorError> {
        if self.transient.is_none() {
            let store = self.rt.store();
            let kamt = match self.state.transient_data {
                Some(data) if data.transient_data_lifespan == self.lifespan() => {
                    Slots::load_with_config(
                        &data.transient_data_state,
                        store,
                        storage_kamt_config(),
                    )
                    .map_err(state_error)?
                }
                _ => Slots::new_with_config(store, storage_kamt_config()),
            };
            self.transient = Some(kamt);
        }
        self.transient.as_mut().ok_or_else(|| ActorError::illegal_state("transient storage"))
    }

    /// TLOAD.
    pub fn get_transient(&mut self, key: U256) -> Result<U256, ActorError> {
        let kamt = self.transient()?;
        Ok(kamt.get(&Word(key)).map_err(state_error)?.map_or(U256::ZERO, |w| w.0))
    }

    /// TSTORE.
    pub fn set_transient(&mut self, key: U256, value: U256) -> Result<(), ActorError> {
        let kamt = self.transient()?;
        if value.is_zero() {
            kamt.delete(&Word(key)).map_err(state_error)?;
        } else {
            kamt.set(Word(key), Word(value)).map_err(state_error)?;
        }
        let root = kamt.flush().map_err(state_error)?;
        let lifespan = self.lifespan();
        self.state.transient_data =
            Some(TransientData { transient_data_state: root, transient_data_lifespan: lifespan });
        self.dirty = true;
        Ok(())
    }

    /// The CREATE nonce.
    pub const fn nonce(&self) -> u64 {
        self.state.nonce
    }

    /// Bumps the CREATE nonce (before the EAM call, as FEVM does).
    pub fn increment_nonce(&mut self) {
        self.state.nonce = self.state.nonce.saturating_add(1);
        self.dirty = true;
    }

    /// Marks the contract destroyed at the end of the current message.
    pub fn mark_selfdestructed(&mut self) {
        let m = self.rt.message();
        self.state.tombstone = Some(Tombstone { origin: m.origin, nonce: m.origin_nonce });
        self.dirty = true;
    }

    /// Stores `code` as the contract's runtime bytecode.
    pub fn set_bytecode(&mut self, code: &[u8]) -> Result<(), ActorError> {
        self.state.bytecode = put_raw(&self.rt.store(), code)?;
        self.state.bytecode_hash = keccak256(code).to_vec();
        self.dirty = true;
        Ok(())
    }

    /// Reads a bytecode block.
    pub fn load_bytecode(&self, cid: &Cid) -> Result<Bytes, ActorError> {
        let code = self
            .rt
            .store()
            .get(cid)
            .map_err(state_error)?
            .ok_or_else(|| ActorError::not_found(format!("bytecode {cid} missing")))?;
        Ok(Bytes::from(code))
    }

    /// The bytecode block `cid`, analysed for execution (jump destinations found), with the
    /// analysis from the process-wide cache when an earlier invocation already ran it. A CID
    /// names its bytes, so a cached analysis is valid under every state root. The block is read
    /// through the store either way: reading it is what FEVM charges gas for, and gas must not
    /// depend on what ran before.
    pub fn load_analysed_bytecode(&self, cid: &Cid) -> Result<Bytecode, ActorError> {
        let raw = self.load_bytecode(cid)?;
        if let Some(code) = ANALYSED.lock().ok().and_then(|cache| cache.get(cid).cloned()) {
            return Ok(code);
        }
        let code = Bytecode::new_raw(raw);
        if let Ok(mut cache) = ANALYSED.lock() {
            if cache.len() >= ANALYSED_CAPACITY {
                cache.clear();
            }
            cache.insert(*cid, code.clone());
        }
        Ok(code)
    }

    /// Writes changed state and records the new root (refused while read-only).
    pub fn flush(&mut self) -> Result<(), ActorError> {
        if !self.dirty {
            return Ok(());
        }
        if self.read_only {
            return Err(ActorError::read_only("cannot change state in a read-only context"));
        }
        self.state.contract_state = self.slots.flush().map_err(state_error)?;
        let root = self.rt.store().put_cbor(&self.state, Code::Blake2b256).map_err(state_error)?;
        self.rt.set_state_root(&root)?;
        self.saved_root = Some(root);
        self.dirty = false;
        Ok(())
    }

    /// Reloads state if someone (a reentrant call) changed it.
    fn reload(&mut self) -> Result<(), ActorError> {
        let root = self.rt.state_root()?;
        if Some(root) == self.saved_root {
            return Ok(());
        }
        let store = self.rt.store();
        self.state = store
            .get_cbor(&root)
            .map_err(state_error)?
            .ok_or_else(|| ActorError::illegal_state("EVM state missing"))?;
        self.slots =
            Slots::load_with_config(&self.state.contract_state, store, storage_kamt_config())
                .map_err(state_error)?;
        self.transient = None;
        self.saved_root = Some(root);
        Ok(())
    }

    /// Sends a message: flushes state first, reloads it after a successful call.
    #[allow(clippy::too_many_arguments)]
    pub fn send(
        &mut self,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
        value: TokenAmount,
        gas_limit: Option<u64>,
        flags: SendFlags,
    ) -> Result<Result<SendOutcome, ErrorNumber>, ActorError> {
        self.flush()?;
        let outcome = self.rt.send(to, method, params, value, gas_limit, flags)?;
        if matches!(&outcome, Ok(o) if o.exit_code.is_success()) {
            self.reload()?;
        }
        Ok(outcome)
    }

    /// Whether initcode is running.
    pub const fn is_constructing(&self) -> bool {
        self.constructing
    }

    /// The contract's own ID.
    pub fn receiver(&self) -> ActorID {
        self.rt.message().receiver
    }
}

/// Writes a raw IPLD block (bytecode).
fn put_raw(store: &ActorStore, data: &[u8]) -> Result<Cid, ActorError> {
    store.put(Code::Blake2b256, &Block::new(IPLD_RAW, data)).map_err(state_error)
}
