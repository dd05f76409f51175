//! The storage market under load: `PublishStorageDeals` of 100 deals from 100 f1 clients (each
//! signature checked through the client's `AuthenticateMessage`), on a genesis with the real
//! reward, power, market, datacap and verified registry. The provider is a stand-in under the
//! miner's code that answers `IsControllingAddress`, so only the market is measured (the real
//! miner publishes in `benches/deals.rs`).
//!
//! `cargo bench -p storage-actors --bench market`

#![allow(missing_docs)] // criterion_group! generates undocumented items

mod common;

use std::sync::Arc;

use common::{address, machine, message, sign};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use filecoin_vm::accounts::create_account;
use filecoin_vm::{
    Actor, ActorRegistry, ActorResult, ApplyKind, BuiltinType, Executor, MemoryBlockstore, Runtime,
};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{CBOR, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::state::ActorState;
use fvm_shared::{EMPTY_ARR_CID, MethodNum};
use storage_actors::market::{self, *};
use storage_actors::{MARKET_ACTOR_ID, genesis};

use crate::common::{BenchExterns, FIL};

const DEALS: usize = 100;

/// A provider whose owner and worker is `0`: it vouches for any caller
/// (`IsControllingAddress` → true), names its control addresses, and accepts the rest.
struct Provider(Address);

impl Actor for Provider {
    fn invoke(&self, _: &mut dyn Runtime, method: MethodNum, _: Option<IpldBlock>) -> ActorResult {
        match method {
            market::ext::MINER_IS_CONTROLLING_ADDRESS_METHOD => {
                Ok(IpldBlock::serialize(CBOR, &true).ok())
            }
            market::ext::MINER_CONTROL_ADDRESSES_METHOD => {
                Ok(IpldBlock::serialize(CBOR, &(self.0, self.0, Vec::<Address>::new())).ok())
            }
            _ => Ok(None),
        }
    }
}

struct Setup {
    store: Arc<MemoryBlockstore>,
    root: cid::Cid,
    registry: Arc<ActorRegistry>,
    worker: Address,
    params: RawBytes,
}

/// Genesis, 100 funded clients with escrow, a provider with escrow, and the signed batch.
fn setup() -> Setup {
    let worker_key = secp256k1::SecretKey::from_byte_array([200; 32]).unwrap();
    let worker = address(&worker_key);
    let keys: Vec<_> = (1..=DEALS as u8)
        .map(|i| secp256k1::SecretKey::from_byte_array([i; 32]).unwrap())
        .collect();
    let code = BuiltinType::Miner.code_cid();
    let mut provider = 0;
    let (store, root) = common::genesis(|tree| {
        genesis::install(tree).unwrap();
        create_account(tree, worker, TokenAmount::from_whole(1_000_000)).unwrap();
        for key in &keys {
            create_account(tree, address(key), TokenAmount::from_whole(1_000)).unwrap();
        }
        let robust = Address::new_actor(b"bench provider");
        provider = tree.register_new_address(&robust).unwrap();
        tree.set_actor(
            provider,
            ActorState::new(code, EMPTY_ARR_CID, TokenAmount::default(), 0, None),
        );
    });

    let mut registry = common::registry();
    registry.register(code, Arc::new(Provider(worker)));
    let registry = Arc::new(registry);

    // Escrow for every client and the provider, applied once.
    let mut exec =
        Executor::new(store.clone(), &root, machine(10), Box::new(BenchExterns), registry.clone())
            .unwrap();
    let f05 = Address::new_id(MARKET_ACTOR_ID);
    let provider = Address::new_id(provider);
    for key in &keys {
        let who = address(key);
        let params = RawBytes::serialize(who).unwrap();
        let msg = message(who, f05, 0, ADD_BALANCE_METHOD, params, TokenAmount::from_whole(10));
        assert!(
            exec.apply_message(&msg, ApplyKind::Explicit { chain_len: 100 })
                .unwrap()
                .receipt
                .exit_code
                .is_success()
        );
    }
    let params = RawBytes::serialize(provider).unwrap();
    let msg = message(worker, f05, 0, ADD_BALANCE_METHOD, params, TokenAmount::from_whole(1_000));
    assert!(
        exec.apply_message(&msg, ApplyKind::Explicit { chain_len: 100 })
            .unwrap()
            .receipt
            .exit_code
            .is_success()
    );
    let root = exec.flush().unwrap();

    let start = 200;
    let deals = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let proposal = DealProposal {
                piece_cid: commd::piece_cid(&[i as u8 & 0x3f; 32]).unwrap(),
                piece_size: PaddedPieceSize(2048),
                verified_deal: false,
                client: address(key),
                provider,
                label: Label::String(format!("deal {i}")),
                start_epoch: start,
                end_epoch: start + 518_400,
                storage_price_per_epoch: TokenAmount::from_atto(1_000),
                provider_collateral: TokenAmount::from_atto(FIL),
                client_collateral: TokenAmount::default(),
            };
            let client_signature = sign(key, &fvm_ipld_encoding::to_vec(&proposal).unwrap());
            ClientDealProposal { proposal, client_signature }
        })
        .collect();
    let params = RawBytes::serialize(PublishStorageDealsParams { deals }).unwrap();
    Setup { store, root, registry, worker, params }
}

fn publish_storage_deals(c: &mut Criterion) {
    let s = setup();
    let publish = |s: &Setup| {
        let mut exec = Executor::new(
            s.store.clone(),
            &s.root,
            machine(11),
            Box::new(BenchExterns),
            s.registry.clone(),
        )
        .unwrap();
        let msg = message(
            s.worker,
            Address::new_id(MARKET_ACTOR_ID),
            1,
            PUBLISH_STORAGE_DEALS_METHOD,
            s.params.clone(),
            TokenAmount::default(),
        );
        exec.apply_message(&msg, ApplyKind::Explicit { chain_len: 100 }).unwrap()
    };
    // Once, untimed: all 100 deals are valid.
    let ret = publish(&s);
    let published: PublishStorageDealsReturn = ret.receipt.return_data.deserialize().unwrap();
    assert_eq!(published.ids.len(), DEALS, "{:?}", ret.failure_info);

    let mut group = c.benchmark_group("market");
    group.sample_size(20);
    group.bench_function("publish_storage_deals_100", |b| {
        b.iter_batched(|| (), |()| publish(&s), BatchSize::PerIteration);
    });
    group.finish();
}

criterion_group!(benches, publish_storage_deals);
criterion_main!(benches);
