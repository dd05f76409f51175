//! Baseline: apply one plain value-transfer message (method 0) between two EthAccounts through
#![allow(missing_docs)] // criterion_group! generates undocumented items
//! the executor, state already warm. Later work (EVM, chain) is measured against this.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use filecoin_vm::accounts::create_eth_account;
use filecoin_vm::builtin::register_builtins;
use filecoin_vm::genesis::install_singletons;
use filecoin_vm::{
    ActorRegistry, ApplyKind, BufferedBlockstore, Executor, Externs, MachineContext,
    MemoryBlockstore, SharedStore, StateTree,
};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;

struct NoExterns;

impl Externs for NoExterns {
    fn tipset_cid(&self, _: i64) -> anyhow::Result<cid::Cid> {
        anyhow::bail!("not needed")
    }
    fn beacon_randomness(&self, _: i64) -> anyhow::Result<[u8; 32]> {
        anyhow::bail!("not needed")
    }
    fn circulating_supply(&self) -> anyhow::Result<TokenAmount> {
        Ok(TokenAmount::default())
    }
}

fn executor() -> (Executor<Arc<MemoryBlockstore>>, Address, Address) {
    let store = Arc::new(MemoryBlockstore::new());
    let buffered = std::rc::Rc::new(BufferedBlockstore::new(store.clone()));
    let mut tree = StateTree::new(SharedStore::new(buffered.clone()));
    install_singletons(&mut tree, "bench").unwrap();
    let (alice, bob) = (
        Address::new_delegated(10, &[1; 20]).unwrap(),
        Address::new_delegated(10, &[2; 20]).unwrap(),
    );
    create_eth_account(&mut tree, alice, TokenAmount::from_whole(1_000_000)).unwrap();
    create_eth_account(&mut tree, bob, TokenAmount::from_whole(1)).unwrap();
    let root = tree.flush().unwrap();
    buffered.flush(&root).unwrap();
    let mut registry = ActorRegistry::new();
    register_builtins(&mut registry);
    let machine = MachineContext {
        epoch: 1,
        timestamp: 0,
        chain_id: 31_415_926,
        base_fee: TokenAmount::from_atto(100),
        network_name: "bench".into(),
    };
    let exec =
        Executor::new(store, &root, machine, Box::new(NoExterns), Arc::new(registry)).unwrap();
    (exec, alice, bob)
}

/// A 1 attoFIL transfer with method 0 (no code runs at the recipient).
fn transfer(from: Address, to: Address, sequence: u64) -> Message {
    Message {
        version: 0,
        from,
        to,
        sequence,
        value: TokenAmount::from_atto(1),
        method_num: 0,
        params: Default::default(),
        gas_limit: 10_000_000,
        gas_fee_cap: TokenAmount::from_atto(200),
        gas_premium: TokenAmount::from_atto(10),
    }
}

fn value_transfer(c: &mut Criterion) {
    let (mut exec, alice, bob) = executor();
    let mut nonce = 0;
    c.bench_function("apply value transfer (method 0)", |b| {
        b.iter(|| {
            let msg = transfer(alice, bob, nonce);
            nonce += 1;
            let ret = exec
                .apply_message(black_box(&msg), ApplyKind::Explicit { chain_len: 150 })
                .unwrap();
            assert!(ret.receipt.exit_code.is_success());
            ret
        })
    });
    c.bench_function("flush state root after 1000 transfers", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                let msg = transfer(alice, bob, nonce);
                nonce += 1;
                exec.apply_message(&msg, ApplyKind::Explicit { chain_len: 150 }).unwrap();
            }
            exec.flush().unwrap()
        })
    });
}

criterion_group!(benches, value_transfer);
criterion_main!(benches);
