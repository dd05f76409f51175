//! `eth_sendRawTransaction` of every accepted type, every pool refusal, `eth_sendTransaction`
//! from dev accounts, and a signing alloy provider.

use alloy::network::EthereumWallet;
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy_consensus::TxEip1559;
use alloy_primitives::{Address, B256, TxKind, U256, hex, keccak256};
use chain::{DevApi, FullNode};
use fvm_shared::econ::TokenAmount;
use serde_json::{Value, json};

use super::*;
use crate::support::TestNet;

async fn balance(net: &TestNet, who: Address) -> U256 {
    from_json(net.call("eth_getBalance", json!([who, "latest"])).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_transactions_of_every_accepted_type() {
    let net = TestNet::start().await;
    let alice = key(&net, 0);
    let bob = Address::repeat_byte(0xb0);
    let cases = [
        eip1559(&alice, 0, Some(bob), 1, vec![], GAS),
        legacy(&alice, 1, bob, 10, Some(CHAIN_ID)),
        legacy(&alice, 2, bob, 100, None),
    ];
    for raw in cases {
        let hash = send_raw(&net, &raw).await;
        assert_eq!(hash, keccak256(&raw), "the hash is keccak of the signed bytes");
        let at = mined(&net, hash).await;
        assert!(receipt(&net, at).exit_code.is_success());
    }
    assert_eq!(balance(&net, bob).await, U256::from(111u64));
    let nonce: U256 =
        from_json(net.call("eth_getTransactionCount", json!([alice.address(), "latest"])).await);
    assert_eq!(nonce, U256::from(3u64));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instant_mining_sends_return_once_the_receipt_exists() {
    let net = TestNet::start().await;
    let alice = key(&net, 0);
    let dev = net.node.dev_accounts()[1].address;
    let bob = Address::repeat_byte(0xb1);
    for nonce in 0..10 {
        let raw = hex::encode_prefixed(eip1559(&alice, nonce, Some(bob), 1, vec![], GAS));
        let hash: B256 = from_json(net.call("eth_sendRawTransaction", json!([raw])).await);
        let receipt = net.call("eth_getTransactionReceipt", json!([hash])).await;
        assert_eq!(receipt["status"], "0x1", "receipt right after the send: {receipt}");
        let hash: B256 = from_json(
            net.call("eth_sendTransaction", json!([{ "from": dev, "to": bob, "value": "0x1" }]))
                .await,
        );
        let receipt = net.call("eth_getTransactionReceipt", json!([hash])).await;
        assert_eq!(receipt["status"], "0x1", "receipt right after the send: {receipt}");
    }
    // Behind a nonce gap a send returns unmined (it cannot be mined until the gap is filled),
    // and is mined with the transactions that fill the gap.
    let raw = hex::encode_prefixed(eip1559(&alice, 12, Some(bob), 1, vec![], GAS));
    let gapped: B256 = from_json(net.call("eth_sendRawTransaction", json!([raw])).await);
    assert_eq!(net.call("eth_getTransactionReceipt", json!([gapped])).await, Value::Null);
    let pending = net.call("eth_getTransactionByHash", json!([gapped])).await;
    assert_eq!(pending["blockNumber"], Value::Null, "{pending}");
    for nonce in [10, 11] {
        let raw = hex::encode_prefixed(eip1559(&alice, nonce, Some(bob), 1, vec![], GAS));
        let _: B256 = from_json(net.call("eth_sendRawTransaction", json!([raw])).await);
    }
    let receipt = net.call("eth_getTransactionReceipt", json!([gapped])).await;
    assert_eq!(receipt["status"], "0x1", "the gap is filled: {receipt}");
}

/// The error object of an `eth_sendRawTransaction` the pool refuses.
async fn refusal(net: &TestNet, raw: &[u8]) -> Value {
    net.error("eth_sendRawTransaction", json!([alloy_primitives::hex::encode_prefixed(raw)])).await
}

fn assert_refused(err: &Value, prefix: &str) {
    assert_eq!(err["code"], -32000, "{err}");
    let message = err["message"].as_str().unwrap_or_default();
    assert!(message.starts_with(prefix), "{message:?} should start with {prefix:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_refusals_keep_geth_wording() {
    let net = TestNet::manual().await;
    let alice = key(&net, 0);
    let bob = Address::repeat_byte(0xb0);
    execute(&net, &eip1559(&alice, 0, Some(bob), 1, vec![], GAS), true).await;

    let err = refusal(&net, &eip1559(&alice, 0, Some(bob), 1, vec![], GAS)).await;
    assert_refused(&err, "nonce too low: next nonce 1, tx nonce 0");

    let everything = 10_001 * FIL;
    let err = refusal(&net, &eip1559(&alice, 1, Some(bob), everything, vec![], GAS)).await;
    assert_refused(&err, "insufficient funds for gas * price + value");

    let err = refusal(&net, &eip1559(&alice, 1, Some(bob), 1, vec![], 21_000)).await;
    assert_refused(&err, "intrinsic gas too low");

    send_raw(&net, &eip1559(&alice, 1, Some(bob), 1, vec![], GAS)).await;
    // Same nonce and fees, different value: not a replacement that pays more.
    let err = refusal(&net, &eip1559(&alice, 1, Some(bob), 2, vec![], GAS)).await;
    assert_refused(&err, "replacement transaction underpriced");

    let other_chain = TxEip1559 {
        chain_id: 1,
        nonce: 2,
        gas_limit: GAS,
        max_fee_per_gas: FEE_CAP,
        max_priority_fee_per_gas: TIP,
        to: TxKind::Call(bob),
        value: U256::from(1),
        access_list: Default::default(),
        input: Default::default(),
    };
    let err = refusal(&net, &sign_1559(&alice, other_chain)).await;
    assert_refused(&err, "invalid chain id: expected 31415926, got 1");
    let err = refusal(&net, &legacy(&alice, 2, bob, 1, Some(5))).await;
    assert_refused(&err, "invalid chain id: expected 31415926, got 5");

    // Bytes that are no transaction at all.
    let err = net.error("eth_sendRawTransaction", json!(["0x02c0"])).await;
    assert_eq!(err["code"], -32000, "{err}");
    let err = net.error("eth_sendRawTransaction", json!(["not hex"])).await;
    assert_eq!(err["code"], -32602, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_transaction_signs_for_dev_accounts() {
    let net = TestNet::start().await;
    let dev = key(&net, 1).address();
    let bob = Address::repeat_byte(0xb1);

    // EIP-1559 with everything filled in.
    let hash: B256 = from_json(
        net.call("eth_sendTransaction", json!([{ "from": dev, "to": bob, "value": "0x5" }])).await,
    );
    let at = mined(&net, hash).await;
    assert!(receipt(&net, at).exit_code.is_success());
    assert_eq!(balance(&net, bob).await, U256::from(5u64));
    let ts = net.node.chain_get_tipset_by_height(at.height).unwrap().unwrap();
    let msg = net.node.chain_get_messages(&ts).unwrap().swap_remove(at.index as usize).message;
    assert_eq!(msg.sequence, 0);
    assert_eq!(msg.gas_premium, TokenAmount::from_atto(100_000), "eth_maxPriorityFeePerGas");
    assert!(msg.gas_fee_cap > msg.gas_premium, "a dynamic-fee transaction");
    assert!(msg.gas_limit < GAS, "estimated: {}", msg.gas_limit);

    // gasPrice makes it a legacy EIP-155 transaction: fee cap = premium = gasPrice.
    let price = 1_000_000_000u64;
    let hash: B256 = from_json(
        net.call(
            "eth_sendTransaction",
            json!([{ "from": dev, "to": bob, "value": "0x6", "gasPrice": qty(price), "gas": qty(GAS) }]),
        )
        .await,
    );
    let at = mined(&net, hash).await;
    let ts = net.node.chain_get_tipset_by_height(at.height).unwrap().unwrap();
    let msg = net.node.chain_get_messages(&ts).unwrap().swap_remove(at.index as usize).message;
    assert_eq!(msg.sequence, 1);
    assert_eq!(msg.gas_limit, GAS);
    assert_eq!(msg.gas_fee_cap, TokenAmount::from_atto(price));
    assert_eq!(msg.gas_premium, TokenAmount::from_atto(price));
    assert_eq!(balance(&net, bob).await, U256::from(11u64));

    // Not a dev account: -32000 unknown account.
    let stranger = Address::repeat_byte(0x99);
    let err = net.error("eth_sendTransaction", json!([{ "from": stranger, "to": bob }])).await;
    assert_eq!(err, json!({ "code": -32000, "message": "unknown account" }));
    // Both fee styles at once.
    let err = net
        .error(
            "eth_sendTransaction",
            json!([{ "from": dev, "to": bob, "gasPrice": "0x1", "maxFeePerGas": "0x2" }]),
        )
        .await;
    assert_eq!(err["code"], -32602, "{err}");
    // More than the account holds: the estimate fails as Geth's does.
    let err = net
        .error(
            "eth_sendTransaction",
            json!([{ "from": dev, "to": bob, "value": qty(20_000 * FIL) }]),
        )
        .await;
    assert_eq!(err, json!({ "code": -32000, "message": "insufficient funds for transfer" }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alloy_wallet_provider_fills_signs_and_sends() {
    let net = TestNet::start().await;
    let signer = key(&net, 2);
    let me = signer.address();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(net.url.parse().unwrap());
    assert_eq!(provider.get_chain_id().await.unwrap(), CHAIN_ID);
    assert_eq!(provider.get_accounts().await.unwrap().len(), 10);

    let bob = Address::repeat_byte(0xb2);
    for (i, value) in [7u64, 8].into_iter().enumerate() {
        let tx = TransactionRequest::default().to(bob).value(U256::from(value));
        let pending = provider.send_transaction(tx).await.unwrap();
        let at = mined(&net, *pending.tx_hash()).await;
        assert!(receipt(&net, at).exit_code.is_success(), "transfer {i}");
    }
    assert_eq!(provider.get_balance(bob).await.unwrap(), U256::from(15u64));
    assert_eq!(provider.get_transaction_count(me).await.unwrap(), 2);
}
