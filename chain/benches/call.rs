//! A read-only `balanceOf` call on the head: what every `eth_call` costs inside the node
//! (loading the state through the head's shared cache, the EVM actor, the call's own executor).
//!
//! `cargo bench -p chain --bench call`.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::SolCall;
use chain::{CallOverrides, ChainConfig, DevApi, DevNode, FullNode, MiningMode};
use criterion::{Criterion, criterion_group, criterion_main};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use solidity_fixtures::{Token, initcode};

/// A node with a deployed token; returns it and the token's address.
fn setup() -> (DevNode, Address) {
    let node = DevNode::start(ChainConfig { mining: MiningMode::Manual, ..ChainConfig::default() })
        .expect("node");
    let key = node.dev_accounts()[0].signer.clone();
    let supply = Token::constructorCall { supply: U256::from(1_000_000u64) };
    let tx = TxEip1559 {
        chain_id: chain::config::DEFAULT_CHAIN_ID,
        nonce: 0,
        gas_limit: 1_000_000_000,
        max_fee_per_gas: 1_000_000_000,
        max_priority_fee_per_gas: 1_000,
        to: TxKind::Create,
        value: U256::ZERO,
        access_list: Default::default(),
        input: initcode(&Token::BYTECODE, &supply).into(),
    };
    let sig = key.sign_hash_sync(&tx.signature_hash()).expect("sign");
    let deployed =
        node.mpool_push_eth(&TxEnvelope::from(tx.into_signed(sig)).encoded_2718()).expect("push");
    node.mine(1).expect("mine");
    let at = node.state_search_tx(&deployed.eth_hash).unwrap().expect("deployed");
    let ts = node.chain_get_tipset_by_height(at.height).unwrap().unwrap();
    let ret = &node.chain_get_receipts(&ts).unwrap()[0];
    assert!(ret.exit_code.is_success(), "deploy failed");
    let created: evm_actor::methods::EamReturn =
        fvm_ipld_encoding::from_slice(ret.return_data.bytes()).unwrap();
    (node, Address::from(created.eth_address))
}

fn balance_of_call(c: &mut Criterion) {
    let (node, token) = setup();
    let holder = node.dev_accounts()[0].address;
    let msg = Message {
        version: 0,
        from: address_mapping::eth_to_filecoin(&holder).unwrap(),
        to: address_mapping::eth_to_filecoin(&token).unwrap(),
        sequence: 0,
        value: TokenAmount::default(),
        method_num: evm_actor::methods::INVOKE_CONTRACT_METHOD,
        params: RawBytes::serialize(fvm_ipld_encoding::BytesSer(
            &Token::balanceOfCall { account: holder }.abi_encode(),
        ))
        .unwrap(),
        gas_limit: 10_000_000_000,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
    };
    let head = node.chain_head();
    c.bench_function("state_call_erc20_balance_of", |b| {
        b.iter(|| {
            let ret = node.state_call(black_box(&msg), &head, &CallOverrides::NONE).unwrap();
            assert!(ret.receipt.exit_code.is_success());
        });
    });
}

criterion_group!(benches, balance_of_call);
criterion_main!(benches);
