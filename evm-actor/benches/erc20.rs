//! An ERC-20 `transfer(bob, 1)` applied through the VM (EthAccount → InvokeContract → EVM actor),
//! and the same Token bytecode run in bare revm over an in-memory `CacheDB`. The ratio of the two
//! single-transfer medians is the VM's overhead over the interpreter (message validation, gas
//! accounting, actor dispatch, IPLD state, event conversion, …).
#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use criterion::{Criterion, criterion_group, criterion_main};
use evm_actor::methods::{
    EAM_ACTOR_ID, EAM_CREATE_EXTERNAL_METHOD, EamReturn, INVOKE_CONTRACT_METHOD,
};
use filecoin_vm::accounts::create_eth_account;
use filecoin_vm::builtin::register_builtins;
use filecoin_vm::genesis::{install_singleton, install_singletons};
use filecoin_vm::{
    ActorRegistry, ApplyKind, BufferedBlockstore, BuiltinType, Executor, Externs, MachineContext,
    MemoryBlockstore, SharedStore, StateTree,
};
use fvm_ipld_encoding::{BytesSer, RawBytes};
use fvm_shared::address::Address as FilAddress;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::{EMPTY_ARR_CID, MethodNum};
use revm::context::{Context, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::state::AccountInfo;
use revm::{ExecuteCommitEvm, MainBuilder, MainContext};
use solidity_fixtures::{Token, initcode};

const ALICE: Address = Address::repeat_byte(0xa1);
const BOB: Address = Address::repeat_byte(0xb0);

/// Enough tokens that no benchmark run can exhaust alice's balance at 1 token per transfer.
fn supply() -> U256 {
    U256::from(u128::MAX)
}

fn deploy_data() -> Vec<u8> {
    initcode(&Token::BYTECODE, &Token::constructorCall { supply: supply() })
}

fn transfer_calldata() -> Vec<u8> {
    Token::transferCall { to: BOB, value: U256::from(1) }.abi_encode()
}

// ---------------------------------------------------------------------------------------------
// The VM, set up as the devnet does: singletons, the EAM, funded EthAccounts.

struct NoExterns;

impl Externs for NoExterns {
    fn tipset_cid(&self, _: i64) -> anyhow::Result<cid::Cid> {
        anyhow::bail!("not needed by an ERC-20 transfer")
    }
    fn beacon_randomness(&self, _: i64) -> anyhow::Result<[u8; 32]> {
        anyhow::bail!("not needed by an ERC-20 transfer")
    }
    fn circulating_supply(&self) -> anyhow::Result<TokenAmount> {
        Ok(TokenAmount::default())
    }
}

fn f410(address: &Address) -> FilAddress {
    FilAddress::new_delegated(10, address.as_slice()).unwrap()
}

struct Vm {
    exec: Executor<Arc<MemoryBlockstore>>,
    /// Alice's next message sequence.
    nonce: u64,
}

impl Vm {
    fn new() -> Self {
        let store = Arc::new(MemoryBlockstore::new());
        let buffered = std::rc::Rc::new(BufferedBlockstore::new(store.clone()));
        let mut tree = StateTree::new(SharedStore::new(buffered.clone()));
        install_singletons(&mut tree, "bench").unwrap();
        install_singleton(&mut tree, EAM_ACTOR_ID, BuiltinType::Eam.code_cid(), EMPTY_ARR_CID);
        let fil = TokenAmount::from_whole(1_000_000_000);
        create_eth_account(&mut tree, f410(&ALICE), fil.clone()).unwrap();
        create_eth_account(&mut tree, f410(&BOB), fil).unwrap();
        let root = tree.flush().unwrap();
        buffered.flush(&root).unwrap();
        let mut registry = ActorRegistry::new();
        register_builtins(&mut registry);
        evm_actor::register(&mut registry);
        let machine = MachineContext {
            epoch: 1_000,
            timestamp: 1_700_000_000,
            chain_id: 31_415_926,
            base_fee: TokenAmount::from_atto(100),
            network_name: "bench".into(),
        };
        let exec =
            Executor::new(store, &root, machine, Box::new(NoExterns), Arc::new(registry)).unwrap();
        Self { exec, nonce: 0 }
    }

    /// The next message from alice (sequence taken and incremented).
    fn message(&mut self, to: FilAddress, method_num: MethodNum, params: RawBytes) -> Message {
        let sequence = self.nonce;
        self.nonce += 1;
        Message {
            version: 0,
            from: f410(&ALICE),
            to,
            sequence,
            value: TokenAmount::default(),
            method_num,
            params,
            gas_limit: 5_000_000_000,
            gas_fee_cap: TokenAmount::from_atto(200),
            gas_premium: TokenAmount::from_atto(10),
        }
    }

    fn apply(&mut self, msg: &Message) -> filecoin_vm::ApplyRet {
        self.exec.apply_message(msg, ApplyKind::Explicit { chain_len: 200 }).unwrap()
    }

    /// Deploys the Token through EAM.CreateExternal and returns its Ethereum address.
    fn deploy_token(&mut self) -> Address {
        let params = RawBytes::serialize(BytesSer(&deploy_data())).unwrap();
        let msg =
            self.message(FilAddress::new_id(EAM_ACTOR_ID), EAM_CREATE_EXTERNAL_METHOD, params);
        let ret = self.apply(&msg);
        assert!(ret.receipt.exit_code.is_success(), "deploy failed: {:?}", ret.failure_info);
        let ret: EamReturn =
            fvm_ipld_encoding::from_slice(ret.receipt.return_data.bytes()).unwrap();
        Address::from(ret.eth_address)
    }
}

fn vm_benches(c: &mut Criterion) {
    let mut vm = Vm::new();
    let token = vm.deploy_token();
    let to = evm_actor::addressing::to_filecoin(&token);
    let params = RawBytes::serialize(BytesSer(&transfer_calldata())).unwrap();

    // Warm the contract's storage slots and bob's balance entry before measuring.
    let msg = vm.message(to, INVOKE_CONTRACT_METHOD, params.clone());
    let ret = vm.apply(&msg);
    assert!(ret.receipt.exit_code.is_success(), "transfer failed: {:?}", ret.failure_info);
    vm.exec.flush().unwrap();

    // Only `apply_message` is timed. Every 100 messages the state is flushed (untimed), as a
    // tipset would be: the write buffer keeps every block put until a flush, so hundreds of
    // thousands of unflushed messages would measure a huge, ever-growing buffer instead.
    c.bench_function("vm/erc20 transfer (explicit message)", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let msg = vm.message(to, INVOKE_CONTRACT_METHOD, params.clone());
                let start = Instant::now();
                let ret = vm.apply(black_box(&msg));
                timed += start.elapsed();
                assert!(ret.receipt.exit_code.is_success());
                if vm.nonce.is_multiple_of(100) {
                    vm.exec.flush().unwrap();
                }
            }
            timed
        })
    });
    vm.exec.flush().unwrap();

    c.bench_function("vm/erc20 transfer + flush per 100", |b| {
        b.iter(|| {
            for _ in 0..100 {
                let msg = vm.message(to, INVOKE_CONTRACT_METHOD, params.clone());
                let ret = vm.apply(black_box(&msg));
                assert!(ret.receipt.exit_code.is_success());
            }
            vm.exec.flush().unwrap()
        })
    });
}

// ---------------------------------------------------------------------------------------------
// Bare revm: the same bytecode, mainnet handler, an in-memory database, no Filecoin around it.

fn revm_benches(c: &mut Criterion) {
    let mut db = CacheDB::new(EmptyDB::new());
    db.insert_account_info(ALICE, AccountInfo::from_balance(U256::from(10u128.pow(30))));
    let mut evm = Context::mainnet()
        .modify_cfg_chained(|cfg| cfg.chain_id = 31_415_926)
        .with_db(db)
        .build_mainnet();
    assert_eq!(evm.ctx.cfg.spec, SpecId::OSAKA, "compare against the actor's fork");

    let mut nonce = 0;
    let mut tx = |kind: Option<Address>, data: Bytes| {
        let builder = TxEnv::builder()
            .caller(ALICE)
            .nonce(nonce)
            .chain_id(Some(31_415_926))
            .gas_limit(1_000_000)
            .data(data);
        nonce += 1;
        match kind {
            Some(to) => builder.call(to),
            None => builder.create(),
        }
        .build_fill()
    };

    let deployed = evm.transact_commit(tx(None, deploy_data().into())).unwrap();
    let token = deployed.created_address().unwrap_or_else(|| panic!("deploy: {deployed:?}"));
    let calldata = Bytes::from(transfer_calldata());

    // Same warm-up as the VM: bob's balance slot exists before measuring.
    let warm = evm.transact_commit(tx(Some(token), calldata.clone())).unwrap();
    assert!(warm.is_success(), "transfer failed: {warm:?}");

    c.bench_function("revm/erc20 transfer (bare, CacheDB)", |b| {
        b.iter(|| {
            let result = evm.transact_commit(black_box(tx(Some(token), calldata.clone()))).unwrap();
            assert!(result.is_success());
            result
        })
    });
}

criterion_group!(benches, vm_benches, revm_benches);
criterion_main!(benches);
