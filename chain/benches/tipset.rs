//! A tipset of 10,000 pre-signed ERC-20 transfers: pool admission (decode, signature recovery,
//! state checks), then execution and the atomic commit of the tipset; and an empty tipset, the
//! fixed cost of every block.
//!
//! `cargo bench -p chain --bench tipset`; divide 10,000 by the medians for tx/s.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::SolCall;
use chain::{ChainConfig, DevApi, DevNode, FullNode, MiningMode};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use solidity_fixtures::{Token, initcode};

const TRANSFERS: usize = 10_000;
const SENDERS: usize = 10;
/// Gas limit of each transfer: comfortably above what one costs with 200 holders.
const TRANSFER_GAS: u64 = 30_000_000;

/// A node with a token whose supply is spread over the dev accounts, and 10,000 signed
/// transfers ready to submit.
fn setup() -> (DevNode, Vec<Vec<u8>>) {
    // A transfer's Filecoin gas grows with the token's holders (about 5.5M on a fresh token,
    // 15M at 200), so each gets TRANSFER_GAS and the tipset holds all 10,000 limits.
    let config = ChainConfig {
        mining: MiningMode::Manual,
        tipset_gas_limit: TRANSFERS as u64 * TRANSFER_GAS,
        ..ChainConfig::default()
    };
    let node = DevNode::start(config).expect("node");
    let keys: Vec<_> = node.dev_accounts().iter().map(|a| a.signer.clone()).collect();
    let supply = Token::constructorCall { supply: U256::from(1_000_000_000u64) };
    let deploy = sign(&keys[0], 0, None, initcode(&Token::BYTECODE, &supply));
    let deployed = node.mpool_push_eth(&deploy).expect("deploy");
    node.mine(1).expect("mine");
    let at = node.state_search_tx(&deployed.eth_hash).unwrap().expect("deployed");
    let ts = node.chain_get_tipset_by_height(at.height).unwrap().unwrap();
    let ret = &node.chain_get_receipts(&ts).unwrap()[0];
    let created: evm_actor::methods::EamReturn =
        fvm_ipld_encoding::from_slice(ret.return_data.bytes()).unwrap();
    let token = Address::from(created.eth_address);
    // Fund every sender with tokens.
    for (i, key) in keys.iter().enumerate().skip(1) {
        let call = Token::transferCall { to: key.address(), value: U256::from(1_000_000u64) };
        node.mpool_push_eth(&sign(&keys[0], i as u64, Some(token), call.abi_encode())).unwrap();
    }
    let funded = node.mine(1).expect("mine");
    assert_all_succeeded(&node, &funded[0]);
    let transfers = (0..TRANSFERS)
        .map(|i| {
            let sender = i % SENDERS;
            let nonce = (i / SENDERS) as u64 + if sender == 0 { SENDERS as u64 } else { 0 };
            let to = Address::with_last_byte((i % 200) as u8 + 1);
            let call = Token::transferCall { to, value: U256::from(1u64) };
            sign(&keys[sender], nonce, Some(token), call.abi_encode())
        })
        .collect();
    (node, transfers)
}

fn sign(
    key: &alloy_signer_local::PrivateKeySigner,
    nonce: u64,
    to: Option<Address>,
    input: Vec<u8>,
) -> Vec<u8> {
    let tx = TxEip1559 {
        chain_id: chain::config::DEFAULT_CHAIN_ID,
        nonce,
        gas_limit: if to.is_some() { TRANSFER_GAS } else { 1_000_000_000 },
        max_fee_per_gas: 1_000_000_000,
        max_priority_fee_per_gas: 1_000,
        to: to.map_or(TxKind::Create, TxKind::Call),
        value: U256::ZERO,
        access_list: Default::default(),
        input: input.into(),
    };
    let sig = key.sign_hash_sync(&tx.signature_hash()).expect("sign");
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718()
}

/// A benchmark of failing transfers would measure the wrong thing.
fn assert_all_succeeded(node: &DevNode, tipset: &chain::Tipset) {
    // Receipts land in the next tipset's header but are indexed with the tipset itself.
    let receipts = node.chain_get_receipts(tipset).expect("receipts");
    assert_eq!(receipts.len(), tipset.messages.len());
    let failed = receipts.iter().filter(|r| !r.exit_code.is_success()).count();
    assert_eq!(failed, 0, "{failed} of {} messages failed", receipts.len());
}

fn submit(node: &DevNode, transfers: &[Vec<u8>]) {
    for raw in transfers {
        node.mpool_push_eth(black_box(raw)).expect("admitted");
    }
}

fn tipset_of_transfers(c: &mut Criterion) {
    // Once, untimed: every transfer of the measured tipset succeeds.
    let (node, txs) = setup();
    submit(&node, &txs);
    assert_all_succeeded(&node, &node.mine(1).expect("mine")[0]);

    let mut group = c.benchmark_group("tipset_10k_erc20_transfers");
    group.sample_size(10);
    group.bench_function("admit", |b| {
        b.iter_batched(setup, |(node, txs)| submit(&node, &txs), BatchSize::PerIteration);
    });
    group.bench_function("execute_and_commit", |b| {
        b.iter_batched(
            || {
                let (node, txs) = setup();
                submit(&node, &txs);
                node
            },
            |node| {
                let ts = node.mine(1).expect("mine");
                assert_eq!(ts[0].messages.len(), TRANSFERS);
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

/// What every tipset costs before its messages: building and committing an empty one, with
/// the end-of-epoch cron (power, reward and market bookkeeping). Under automine this is paid
/// once per transaction.
fn empty_tipset(c: &mut Criterion) {
    let node = DevNode::start(ChainConfig { mining: MiningMode::Manual, ..ChainConfig::default() })
        .expect("node");
    c.bench_function("empty_tipset", |b| b.iter(|| node.mine(1).expect("mine")));
    // The default devnet has a genesis provider, whom each tipset pays its block reward.
    let config = ChainConfig { mining: MiningMode::Manual, providers: 1, ..ChainConfig::default() };
    let node = DevNode::start(config).expect("node");
    c.bench_function("empty_tipset_with_provider", |b| b.iter(|| node.mine(1).expect("mine")));
}

criterion_group!(benches, empty_tipset, tipset_of_transfers);
criterion_main!(benches);
