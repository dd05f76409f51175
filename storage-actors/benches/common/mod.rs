//! What the storage-actor benches share: deterministic externs, the epoch context, messages,
//! f1 (secp256k1) signing, and [`Chain`], a VM over an in-memory store that moves from epoch
//! to epoch and can be forked at any flushed state root.

// Each bench compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::sync::Arc;

use cid::Cid;
use filecoin_vm::builtin::register_builtins;
use filecoin_vm::crypto::{Signature, blake2b_256};
use filecoin_vm::genesis::install_singletons;
use filecoin_vm::{
    ActorRegistry, ApplyKind, ApplyRet, BufferedBlockstore, Executor, Externs, MachineContext,
    MemoryBlockstore, SharedStore, StateTree,
};
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::MethodNum;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) const FIL: u128 = 1_000_000_000_000_000_000;
/// Gas limit of explicit messages: the node's block gas limit.
pub(crate) const GAS_LIMIT: u64 = 10_000_000_000;
/// Gas limit of cron's implicit `EpochTick`, as the node sets it (block limit × 10,000).
pub(crate) const CRON_GAS_LIMIT: u64 = GAS_LIMIT * 10_000;
/// Gas limit of the implicit `AwardBlockReward`, as the node sets it.
pub(crate) const AWARD_GAS_LIMIT: u64 = 1 << 30;

pub(crate) type Store = Arc<MemoryBlockstore>;

/// Deterministic chain and beacon randomness (the storage-actor tests' rule: the tipset CID
/// of an epoch is the identity hash of its number, the beacon is blake2b of it), and a fixed
/// circulating supply.
pub(crate) struct BenchExterns;

impl Externs for BenchExterns {
    fn tipset_cid(&self, epoch: i64) -> anyhow::Result<Cid> {
        let digest = cid::multihash::Multihash::wrap(0, &epoch.to_be_bytes())?;
        Ok(Cid::new_v1(0x71, digest))
    }
    fn beacon_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        Ok(blake2b_256(&epoch.to_be_bytes()))
    }
    fn circulating_supply(&self) -> anyhow::Result<TokenAmount> {
        Ok(TokenAmount::from_whole(1_000_000))
    }
}

/// The chain randomness digest the VM draws from at `epoch` (blake2b of the tipset CID).
pub(crate) fn chain_digest(epoch: i64) -> [u8; 32] {
    blake2b_256(&BenchExterns.tipset_cid(epoch).unwrap().to_bytes())
}

/// The beacon digest at `epoch`.
pub(crate) fn beacon_digest(epoch: i64) -> [u8; 32] {
    blake2b_256(&epoch.to_be_bytes())
}

pub(crate) fn machine(epoch: i64) -> MachineContext {
    MachineContext {
        epoch,
        timestamp: 1_700_000_000 + epoch as u64 * 30,
        chain_id: 31_415_926,
        base_fee: TokenAmount::from_atto(100),
        network_name: "bench".into(),
    }
}

pub(crate) fn message(
    from: Address,
    to: Address,
    sequence: u64,
    method: MethodNum,
    params: RawBytes,
    value: TokenAmount,
) -> Message {
    Message {
        version: 0,
        from,
        to,
        sequence,
        value,
        method_num: method,
        params,
        gas_limit: GAS_LIMIT,
        gas_fee_cap: TokenAmount::from_atto(200),
        gas_premium: TokenAmount::from_atto(10),
    }
}

/// An implicit message from `from` (the system actor, or cron for the market's tick).
pub(crate) fn implicit(
    from: u64,
    to: u64,
    method: MethodNum,
    params: RawBytes,
    gas_limit: u64,
) -> Message {
    Message {
        version: 0,
        from: Address::new_id(from),
        to: Address::new_id(to),
        sequence: 0,
        value: TokenAmount::default(),
        method_num: method,
        params,
        gas_limit,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
    }
}

pub(crate) fn secp_key(seed: [u8; 32]) -> secp256k1::SecretKey {
    secp256k1::SecretKey::from_byte_array(seed).unwrap()
}

pub(crate) fn address(key: &secp256k1::SecretKey) -> Address {
    Address::new_secp256k1(&key.public_key(secp256k1::SECP256K1).serialize_uncompressed()).unwrap()
}

/// A secp256k1 signature over blake2b-256 of `data`, as an f1 account verifies it.
pub(crate) fn sign(key: &secp256k1::SecretKey, data: &[u8]) -> Signature {
    let digest = secp256k1::Message::from_digest(blake2b_256(data));
    let (id, rs) = secp256k1::SECP256K1.sign_ecdsa_recoverable(digest, key).serialize_compact();
    let mut bytes = rs.to_vec();
    bytes.push(i32::from(id) as u8);
    Signature::new_secp256k1(bytes)
}

/// Every built-in actor and every storage actor, as the node registers them.
pub(crate) fn registry() -> ActorRegistry {
    let mut registry = ActorRegistry::new();
    register_builtins(&mut registry);
    storage_actors::register(&mut registry);
    registry
}

/// A genesis: the VM's singletons, then `edit` (which installs the storage actors and
/// accounts it wants); returns the store and the flushed root.
pub(crate) fn genesis(edit: impl FnOnce(&mut StateTree<SharedStore>)) -> (Store, Cid) {
    let store = Arc::new(MemoryBlockstore::new());
    let buffered = std::rc::Rc::new(BufferedBlockstore::new(store.clone()));
    let mut tree = StateTree::new(SharedStore::new(buffered.clone()));
    install_singletons(&mut tree, "bench").unwrap();
    edit(&mut tree);
    let root = tree.flush().unwrap();
    buffered.flush(&root).unwrap();
    (store, root)
}

/// A chain of states: an executor at `epoch` over the state it was started from, whose
/// messages land in that epoch until [`Chain::advance_to`] flushes and moves on.
pub(crate) struct Chain {
    pub(crate) store: Store,
    pub(crate) registry: Arc<ActorRegistry>,
    pub(crate) exec: Executor<Store>,
    pub(crate) epoch: ChainEpoch,
}

impl Chain {
    pub(crate) fn new(
        store: Store,
        registry: Arc<ActorRegistry>,
        root: &Cid,
        epoch: ChainEpoch,
    ) -> Self {
        let exec = executor(&store, &registry, root, epoch);
        Self { store, registry, exec, epoch }
    }

    /// The state so far, flushed to the store (it stays readable there: a fork point).
    pub(crate) fn root(&mut self) -> Cid {
        self.exec.flush().unwrap()
    }

    /// A second chain from this one's current state and epoch.
    pub(crate) fn fork(&mut self) -> Self {
        let root = self.root();
        Self::new(self.store.clone(), self.registry.clone(), &root, self.epoch)
    }

    /// Flushes and moves to `epoch` (state carried over).
    pub(crate) fn advance_to(&mut self, epoch: ChainEpoch) {
        assert!(epoch >= self.epoch, "cannot go back from {} to {epoch}", self.epoch);
        let root = self.root();
        self.epoch = epoch;
        self.exec = executor(&self.store, &self.registry, &root, epoch);
    }

    /// Applies an explicit message from `from` with CBOR `params`, at the sender's nonce.
    pub(crate) fn send<P: Serialize>(
        &mut self,
        from: &Address,
        to: &Address,
        method: MethodNum,
        params: Option<&P>,
        value: TokenAmount,
    ) -> ApplyRet {
        let params = params.map(|p| RawBytes::serialize(p).unwrap()).unwrap_or_default();
        let tree = self.exec.state_tree();
        let id = tree.lookup_id(from).unwrap().expect("sender exists");
        let sequence = tree.get_actor(id).unwrap().expect("sender exists").sequence;
        let chain_len = params.len() + 100;
        let msg = message(*from, *to, sequence, method, params, value);
        self.exec.apply_message(&msg, ApplyKind::Explicit { chain_len }).unwrap()
    }

    /// As [`Chain::send`], and the message must succeed.
    #[track_caller]
    pub(crate) fn send_ok<P: Serialize>(
        &mut self,
        from: &Address,
        to: &Address,
        method: MethodNum,
        params: Option<&P>,
        value: TokenAmount,
    ) -> ApplyRet {
        let ret = self.send(from, to, method, params, value);
        assert!(
            ret.receipt.exit_code.is_success(),
            "method {method} to {to} failed at {}: {:?} {:?}",
            self.epoch,
            ret.receipt.exit_code,
            ret.failure_info
        );
        ret
    }

    /// Applies an implicit message, which must succeed.
    #[track_caller]
    pub(crate) fn implicit_ok(&mut self, msg: &Message) -> ApplyRet {
        let ret = self.exec.apply_message(msg, ApplyKind::Implicit).unwrap();
        assert!(
            ret.receipt.exit_code.is_success(),
            "implicit method {} to {} failed at {}: {:?} {:?}",
            msg.method_num,
            msg.to,
            self.epoch,
            ret.receipt.exit_code,
            ret.failure_info
        );
        ret
    }

    /// The state of the actor at `who`, decoded (after a flush, so it is all in the store).
    pub(crate) fn state<T: DeserializeOwned>(&mut self, who: &Address) -> T {
        self.exec.flush().unwrap();
        let tree = self.exec.state_tree();
        let id = tree.lookup_id(who).unwrap().expect("actor exists");
        let head = tree.get_actor(id).unwrap().expect("actor exists").state;
        self.store.get_cbor(&head).unwrap().unwrap()
    }
}

/// A successful message's return, decoded.
pub(crate) fn decode<R: DeserializeOwned>(ret: &ApplyRet) -> R {
    ret.receipt.return_data.deserialize().unwrap()
}

/// An executor over `root` at `epoch`.
pub(crate) fn executor(
    store: &Store,
    registry: &Arc<ActorRegistry>,
    root: &Cid,
    epoch: ChainEpoch,
) -> Executor<Store> {
    Executor::new(store.clone(), root, machine(epoch), Box::new(BenchExterns), registry.clone())
        .unwrap()
}
