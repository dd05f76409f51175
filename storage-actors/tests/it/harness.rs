//! A devnet-like VM for the storage actors: the singletons, f1 (secp256k1) and f3 (BLS) accounts
//! whose keys can sign, an f410 EthAccount, and a "contract" — a scriptable actor registered under
//! the EVM's code CID, so the actors see a smart-contract caller.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;

use cid::Cid;
use filecoin_vm::accounts::{create_account, create_eth_account};
use filecoin_vm::builtin::register_builtins;
use filecoin_vm::crypto::{BLS_DST, Signature, blake2b_256};
use filecoin_vm::genesis::install_singletons;
use filecoin_vm::{
    Actor, ActorRegistry, ActorResult, ApplyKind, ApplyRet, BufferedBlockstore, BuiltinType,
    Executor, Externs, MachineContext, MemoryBlockstore, Runtime, SharedStore, StateTree,
};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{CBOR, CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;
use fvm_shared::state::ActorState;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, EMPTY_ARR_CID, MethodNum};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub const FIL: u128 = 1_000_000_000_000_000_000;
pub const BASE_FEE: u64 = 100;
pub const NETWORK: &str = "fevm-storage-test";

/// A key that can sign as Filecoin does: secp256k1 over blake2b-256 (f1), or BLS (f3).
#[derive(Clone)]
pub enum Key {
    Secp(secp256k1::SecretKey),
    Bls(blst::min_pk::SecretKey),
}

impl Key {
    pub fn secp(seed: u8) -> Self {
        Self::Secp(secp256k1::SecretKey::from_byte_array([seed; 32]).unwrap())
    }

    pub fn bls(seed: u8) -> Self {
        Self::Bls(blst::min_pk::SecretKey::key_gen(&[seed; 32], &[]).unwrap())
    }

    pub fn address(&self) -> Address {
        match self {
            Self::Secp(k) => {
                Address::new_secp256k1(&k.public_key(secp256k1::SECP256K1).serialize_uncompressed())
                    .unwrap()
            }
            Self::Bls(k) => Address::new_bls(&k.sk_to_pk().compress()).unwrap(),
        }
    }

    /// A typed signature over `data` (what vouchers and proposals carry).
    pub fn sign(&self, data: &[u8]) -> Signature {
        match self {
            Self::Secp(k) => {
                let digest = secp256k1::Message::from_digest(blake2b_256(data));
                let (id, rs) =
                    secp256k1::SECP256K1.sign_ecdsa_recoverable(digest, k).serialize_compact();
                let mut bytes = rs.to_vec();
                bytes.push(i32::from(id) as u8);
                Signature::new_secp256k1(bytes)
            }
            Self::Bls(k) => Signature::new_bls(k.sign(data, BLS_DST, &[]).compress().to_vec()),
        }
    }
}

/// What the contract stand-in does when invoked with [`CONTRACT_RUN`]: forward one send and
/// return the callee's exit code and return bytes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Forward {
    pub to: Address,
    pub method: MethodNum,
    pub params: Option<RawBytes>,
    pub value: TokenAmount,
}

/// The method the contract stand-in forwards on.
pub const CONTRACT_RUN: MethodNum = 3_844_450_837;

/// Makes a stand-in refuse the listed methods from now on (params: `[MethodNum]`), e.g. a
/// miner whose cron callback fails.
pub const STAND_IN_REFUSE: MethodNum = 3_844_450_838;

/// Makes a stand-in answer `method` with fixed CBOR return bytes from now on (params:
/// `[MethodNum, bytes]`), e.g. a miner's `ControlAddresses`.
pub const STAND_IN_ANSWER: MethodNum = 3_844_450_839;

/// What a stand-in was told: methods it refuses and methods it answers with fixed bytes.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct StandInScript {
    refused: Vec<MethodNum>,
    answers: Vec<(MethodNum, RawBytes)>,
}

/// Invoked with [`CONTRACT_RUN`], forwards a [`Forward`] and returns `(exit code, return
/// bytes)`; every other method succeeds with its params echoed (as a contract that accepts
/// any hook would), unless [`STAND_IN_REFUSE`] listed it (then it fails with
/// `USR_ASSERTION_FAILED`) or [`STAND_IN_ANSWER`] scripted its return.
#[derive(Debug)]
pub struct ContractStandIn;

impl Actor for ContractStandIn {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        params: Option<IpldBlock>,
    ) -> ActorResult {
        let root = rt.state_root()?;
        let mut script: StandInScript =
            rt.store().get_cbor(&root).ok().flatten().unwrap_or_default();
        let scripted = match method {
            STAND_IN_REFUSE => {
                script.refused = params.as_ref().expect("refused methods").deserialize()?;
                true
            }
            STAND_IN_ANSWER => {
                let answer: (MethodNum, RawBytes) =
                    params.as_ref().expect("answer").deserialize()?;
                script.answers.retain(|(m, _)| *m != answer.0);
                script.answers.push(answer);
                true
            }
            _ => false,
        };
        if scripted {
            let root = rt.store().put_cbor(&script, multihash_codetable::Code::Blake2b256);
            rt.set_state_root(&root.expect("store"))?;
            return Ok(None);
        }
        if method != CONTRACT_RUN {
            if script.refused.contains(&method) {
                return Err(filecoin_vm::ActorError::new(
                    ExitCode::USR_ASSERTION_FAILED,
                    format!("stand-in refuses method {method}"),
                ));
            }
            if let Some((_, bytes)) = script.answers.iter().find(|(m, _)| *m == method) {
                return Ok(Some(IpldBlock { codec: CBOR, data: bytes.to_vec() }));
            }
            return Ok(params);
        }
        let fwd: Forward = params.map(|p| p.deserialize()).transpose()?.expect("forward params");
        let params = fwd.params.map(|p| IpldBlock { codec: CBOR, data: p.to_vec() });
        let out = rt.send(&fwd.to, fwd.method, params, fwd.value, None, SendFlags::empty())?;
        let (code, data) = match out {
            Ok(o) => (o.exit_code.value(), o.return_data.map(|b| b.data).unwrap_or_default()),
            Err(errno) => (1000 + errno as u32, Vec::new()),
        };
        Ok(IpldBlock::serialize(CBOR, &(code, RawBytes::new(data))).ok())
    }
}

struct NoExterns;

/// The chain randomness digest the harness's externs give for `epoch` (the VM's default:
/// blake2b-256 of the tipset CID), for tests that must reproduce a draw.
pub fn chain_digest(epoch: i64) -> [u8; 32] {
    blake2b_256(&NoExterns.tipset_cid(epoch).unwrap().to_bytes())
}

/// The beacon digest the harness's externs give for `epoch`.
pub fn beacon_digest(epoch: i64) -> [u8; 32] {
    blake2b_256(&epoch.to_be_bytes())
}

impl Externs for NoExterns {
    fn tipset_cid(&self, epoch: i64) -> anyhow::Result<Cid> {
        let digest = cid::multihash::Multihash::wrap(0, &epoch.to_be_bytes())?;
        Ok(Cid::new_v1(0x71, digest))
    }
    fn beacon_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        Ok(blake2b_256(&epoch.to_be_bytes()))
    }
    fn circulating_supply(&self) -> anyhow::Result<TokenAmount> {
        Ok(TokenAmount::from_atto(5 * 1000 * FIL))
    }
}

/// The actors: every built-in, contracts as stand-ins, and miners either real or stand-ins
/// (actors of miner code that forward on [`CONTRACT_RUN`] and accept every other method,
/// construction included), which lets the market and power be tested against scripted miners.
pub fn registry(real_miners: bool) -> Arc<ActorRegistry> {
    let mut registry = ActorRegistry::new();
    register_builtins(&mut registry);
    storage_actors::register(&mut registry);
    registry.register(BuiltinType::Evm.code_cid(), Arc::new(ContractStandIn));
    if !real_miners {
        registry.register(BuiltinType::Miner.code_cid(), Arc::new(ContractStandIn));
    }
    Arc::new(registry)
}

/// The VM and its parties. `alice` and `bob` are f1, `carol` is f3, `dave` an f410 EthAccount,
/// `contract` a contract stand-in; all hold 1,000 FIL.
pub struct Net {
    pub store: Arc<MemoryBlockstore>,
    pub exec: Executor<Arc<MemoryBlockstore>>,
    pub epoch: ChainEpoch,
    pub alice: Key,
    pub bob: Key,
    pub carol: Key,
    pub dave: Address,
    pub contract: ActorID,
    /// Whether miners are the real miner actor rather than stand-ins.
    pub real_miners: bool,
}

fn context(epoch: ChainEpoch) -> MachineContext {
    MachineContext {
        epoch,
        timestamp: 1_700_000_000 + epoch as u64 * 30,
        chain_id: 31_415_926,
        base_fee: TokenAmount::from_atto(BASE_FEE),
        network_name: NETWORK.into(),
    }
}

impl Net {
    pub fn new() -> Self {
        Self::with_genesis(|_| {})
    }

    /// A net whose genesis is edited by `edit` after the parties are created.
    pub fn with_genesis(edit: impl FnOnce(&mut StateTree<SharedStore>)) -> Self {
        Self::build(edit, false)
    }

    /// As [`Net::with_genesis`], with the real miner actor.
    pub fn with_real_miners(edit: impl FnOnce(&mut StateTree<SharedStore>)) -> Self {
        Self::build(edit, true)
    }

    fn build(edit: impl FnOnce(&mut StateTree<SharedStore>), real_miners: bool) -> Self {
        let store = Arc::new(MemoryBlockstore::new());
        let buffered = std::rc::Rc::new(BufferedBlockstore::new(store.clone()));
        let mut tree = StateTree::new(SharedStore::new(buffered.clone()));
        install_singletons(&mut tree, NETWORK).unwrap();
        let (alice, bob, carol) = (Key::secp(1), Key::secp(2), Key::bls(3));
        let balance = TokenAmount::from_atto(1000 * FIL);
        for key in [&alice, &bob, &carol] {
            create_account(&mut tree, key.address(), balance.clone()).unwrap();
        }
        let dave = Address::new_delegated(10, &[0xda; 20]).unwrap();
        create_eth_account(&mut tree, dave, balance.clone()).unwrap();
        let contract_address = Address::new_delegated(10, &[0xc0; 20]).unwrap();
        let contract = tree.register_new_address(&contract_address).unwrap();
        let code = BuiltinType::Evm.code_cid();
        tree.set_actor(
            contract,
            ActorState::new(code, EMPTY_ARR_CID, balance, 0, Some(contract_address)),
        );
        edit(&mut tree);
        let root = tree.flush().unwrap();
        buffered.flush(&root).unwrap();
        let epoch = 100;
        let exec = Executor::new(
            store.clone(),
            &root,
            context(epoch),
            Box::new(NoExterns),
            registry(real_miners),
        )
        .unwrap();
        Self { store, exec, epoch, alice, bob, carol, dave, contract, real_miners }
    }

    /// Moves the chain `epochs` forward (state carried over).
    pub fn advance(&mut self, epochs: ChainEpoch) {
        let root = self.exec.flush().unwrap();
        self.epoch += epochs;
        self.exec = Executor::new(
            self.store.clone(),
            &root,
            context(self.epoch),
            Box::new(NoExterns),
            registry(self.real_miners),
        )
        .unwrap();
    }

    pub fn actor(&mut self, who: &Address) -> Option<ActorState> {
        let tree = self.exec.state_tree();
        let id = tree.lookup_id(who).unwrap()?;
        tree.get_actor(id).unwrap()
    }

    pub fn id(&mut self, who: &Address) -> ActorID {
        self.exec.state_tree().lookup_id(who).unwrap().expect("address has an actor")
    }

    pub fn balance(&mut self, who: &Address) -> TokenAmount {
        self.actor(who).map(|a| a.balance).unwrap_or_default()
    }

    /// The state of the actor at `who`, decoded (flushes the executor's buffer first, so
    /// blocks written by earlier messages are readable).
    pub fn state<T: DeserializeOwned>(&mut self, who: &Address) -> T {
        self.exec.flush().unwrap();
        let head = self.actor(who).expect("actor exists").state;
        fvm_ipld_encoding::CborStore::get_cbor(self.exec.store(), &head).unwrap().unwrap()
    }

    /// Applies a message from `from` (any account-like address) with CBOR `params`.
    pub fn send<P: Serialize>(
        &mut self,
        from: &Address,
        to: &Address,
        method: MethodNum,
        params: Option<&P>,
        value: TokenAmount,
    ) -> ApplyRet {
        let params = params
            .map(|p| RawBytes::new(fvm_ipld_encoding::to_vec(p).unwrap()))
            .unwrap_or_default();
        self.send_raw(from, to, method, params, value)
    }

    /// Applies a message with raw parameter bytes (for malformed-input tests).
    pub fn send_raw(
        &mut self,
        from: &Address,
        to: &Address,
        method: MethodNum,
        params: RawBytes,
        value: TokenAmount,
    ) -> ApplyRet {
        let sequence = self.actor(from).map_or(0, |a| a.sequence);
        let msg = Message {
            version: 0,
            from: *from,
            to: *to,
            sequence,
            value,
            method_num: method,
            params,
            gas_limit: 5_000_000_000,
            gas_fee_cap: TokenAmount::from_atto(200),
            gas_premium: TokenAmount::from_atto(10),
        };
        self.exec.apply_message(&msg, ApplyKind::Explicit { chain_len: 200 }).unwrap()
    }

    /// Applies an implicit message from the system actor (as the node applies cron's tick and
    /// block rewards).
    pub fn implicit<P: Serialize>(
        &mut self,
        to: &Address,
        method: MethodNum,
        params: Option<&P>,
    ) -> ApplyRet {
        let params = params
            .map(|p| RawBytes::new(fvm_ipld_encoding::to_vec(p).unwrap()))
            .unwrap_or_default();
        let msg = Message {
            version: 0,
            from: Address::new_id(filecoin_vm::SYSTEM_ACTOR_ID),
            to: *to,
            sequence: 0,
            value: TokenAmount::default(),
            method_num: method,
            params,
            gas_limit: 100_000_000_000_000,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        };
        self.exec.apply_message(&msg, ApplyKind::Implicit).unwrap()
    }

    /// Ends the current epoch as the node does: cron's `EpochTick` (f03 method 2).
    pub fn cron_tick(&mut self) -> ApplyRet {
        self.implicit::<()>(&Address::new_id(3), 2, None)
    }

    /// Tells the stand-in `who` to answer `method` with `value` (CBOR) from now on.
    pub fn script_answer<V: Serialize>(&mut self, who: ActorID, method: MethodNum, value: &V) {
        let answer = (method, RawBytes::new(fvm_ipld_encoding::to_vec(value).unwrap()));
        let alice = self.alice.address();
        let ret = self.send(
            &alice,
            &Address::new_id(who),
            STAND_IN_ANSWER,
            Some(&answer),
            TokenAmount::default(),
        );
        assert_eq!(ret.receipt.exit_code, ExitCode::OK, "scripting the stand-in failed");
    }

    /// Tells the stand-in `who` to refuse `methods` from now on.
    pub fn script_refusals(&mut self, who: ActorID, methods: &[MethodNum]) {
        let alice = self.alice.address();
        let ret = self.send(
            &alice,
            &Address::new_id(who),
            STAND_IN_REFUSE,
            Some(&methods.to_vec()),
            TokenAmount::default(),
        );
        assert_eq!(ret.receipt.exit_code, ExitCode::OK, "scripting the stand-in failed");
    }

    /// Has the contract stand-in call `to` (a message from `alice` tells it to); returns the
    /// callee's exit code and return bytes.
    pub fn contract_call<P: Serialize>(
        &mut self,
        to: &Address,
        method: MethodNum,
        params: Option<&P>,
        value: TokenAmount,
    ) -> (ExitCode, RawBytes) {
        let contract = self.contract;
        self.call_via(contract, to, method, params, value)
    }

    /// Has the stand-in `via` (the contract, or a miner stand-in) call `to`, on a message from
    /// `alice`; returns the callee's exit code and return bytes.
    pub fn call_via<P: Serialize>(
        &mut self,
        via: ActorID,
        to: &Address,
        method: MethodNum,
        params: Option<&P>,
        value: TokenAmount,
    ) -> (ExitCode, RawBytes) {
        let fwd = Forward {
            to: *to,
            method,
            params: params.map(|p| RawBytes::new(fvm_ipld_encoding::to_vec(p).unwrap())),
            value,
        };
        let alice = self.alice.address();
        let ret = self.send(
            &alice,
            &Address::new_id(via),
            CONTRACT_RUN,
            Some(&fwd),
            TokenAmount::default(),
        );
        assert_eq!(ret.receipt.exit_code, ExitCode::OK, "the contract stand-in itself failed");
        let (code, data): (u32, RawBytes) = ret.receipt.return_data.deserialize().unwrap();
        (ExitCode::new(code), data)
    }
}

/// Installs, in a genesis being edited, a fresh actor of `kind` with empty state and
/// `balance` (e.g. a miner stand-in for actors that check their caller's kind); returns its ID.
pub fn install_actor(
    tree: &mut StateTree<SharedStore>,
    kind: BuiltinType,
    balance: TokenAmount,
) -> ActorID {
    let robust = Address::new_actor(&tree.next_id().unwrap().to_be_bytes());
    let id = tree.register_new_address(&robust).unwrap();
    tree.set_actor(id, ActorState::new(kind.code_cid(), EMPTY_ARR_CID, balance, 0, None));
    id
}

/// Decodes a receipt's return bytes.
pub fn decode<T: DeserializeOwned>(ret: &ApplyRet) -> T {
    assert!(ret.receipt.exit_code.is_success(), "message failed: {:?}", ret.receipt.exit_code);
    ret.receipt.return_data.deserialize().unwrap()
}

/// Asserts a receipt's exit code, printing the failure message when it differs.
#[track_caller]
pub fn assert_exit(ret: &ApplyRet, code: ExitCode) {
    assert_eq!(
        ret.receipt.exit_code, code,
        "unexpected exit code; failure: {:?}",
        ret.failure_info
    );
}
