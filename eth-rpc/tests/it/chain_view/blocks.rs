//! `eth_blockNumber`, `eth_getBlockByNumber`/`ByHash` and the transaction counts.

use alloy_consensus::{EMPTY_OMMER_ROOT_HASH, EMPTY_ROOT_HASH};
use alloy_primitives::{Address, B256, Bloom, BloomInput};
use chain::{ChainConfig, FullNode, MiningMode};
use serde_json::{Value, json};

use super::{Scenario, from_json, mine, qty, tipset, topic};
use crate::support::TestNet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocks_by_number_and_hash_describe_the_tipsets() {
    let s = Scenario::build().await;
    let net = &s.net;
    assert_eq!(net.call("eth_blockNumber", json!([])).await, qty(2u64));

    let ts = tipset(net, 1);
    let block = net.call("eth_getBlockByNumber", json!(["0x1", false])).await;
    assert_eq!(block["number"], qty(1u64));
    assert_eq!(from_json::<B256>(block["hash"].clone()), ts.hash);
    assert_eq!(from_json::<B256>(block["parentHash"].clone()), tipset(net, 0).hash);
    assert_eq!(block["transactions"], json!([s.deploy, s.transfer1]));
    assert_eq!(block["timestamp"], qty(ts.timestamp()));
    assert_eq!(block["gasLimit"], qty(10_000_000_000u64));
    let receipts = net.node.chain_get_receipts(&ts).unwrap();
    let gas: u64 = receipts.iter().map(|r| r.gas_used).sum();
    assert!(gas > 0);
    assert_eq!(block["gasUsed"], qty(gas));
    let base_fee = u128::try_from(ts.base_fee().atto()).unwrap();
    assert_eq!(block["baseFeePerGas"], qty(base_fee));
    let bloom: Bloom = from_json(block["logsBloom"].clone());
    assert_eq!(bloom, ts.bloom);
    assert!(bloom.contains_input(BloomInput::Raw(s.token.as_slice())));
    assert!(bloom.contains_input(BloomInput::Raw(topic(s.accounts[1]).as_slice())));
    assert!(!bloom.contains_input(BloomInput::Raw(topic(s.accounts[2]).as_slice())));
    // Fields without a Filecoin equivalent.
    assert_eq!(from_json::<B256>(block["transactionsRoot"].clone()), B256::ZERO);
    assert_eq!(from_json::<B256>(block["receiptsRoot"].clone()), B256::ZERO);
    assert_eq!(from_json::<B256>(block["stateRoot"].clone()), B256::ZERO);
    assert_eq!(from_json::<B256>(block["sha3Uncles"].clone()), EMPTY_OMMER_ROOT_HASH);
    assert_eq!(from_json::<Address>(block["miner"].clone()), Address::ZERO);
    assert_eq!(block["difficulty"], "0x0");
    assert_eq!(block["nonce"], "0x0000000000000000");
    assert_eq!(block["extraData"], "0x");
    assert_eq!(block["uncles"], json!([]));
    let size = block["size"].as_str().expect("size");
    assert!(u64::from_str_radix(&size[2..], 16).unwrap() > 500, "size {size}");

    // The same block by hash, and with full transactions.
    let by_hash = net.call("eth_getBlockByHash", json!([ts.hash, false])).await;
    assert_eq!(by_hash, block);
    let full = net.call("eth_getBlockByHash", json!([ts.hash, true])).await;
    let txs = full["transactions"].as_array().expect("transactions");
    assert_eq!(txs.len(), 2);
    for (i, (tx, hash)) in txs.iter().zip([s.deploy, s.transfer1]).enumerate() {
        assert_eq!(tx["hash"], json!(hash));
        assert_eq!(tx["blockHash"], json!(ts.hash));
        assert_eq!(tx["blockNumber"], qty(1u64));
        assert_eq!(tx["transactionIndex"], qty(i as u64));
        let by_hash = net.call("eth_getTransactionByHash", json!([hash])).await;
        assert_eq!(tx, &by_hash);
    }
    let mut without_txs = full.clone();
    without_txs["transactions"] = block["transactions"].clone();
    assert_eq!(without_txs, block, "only the transactions differ");

    // Genesis: empty, with the empty-trie transactions root; tags.
    let genesis = net.call("eth_getBlockByNumber", json!(["earliest", true])).await;
    assert_eq!(genesis["number"], "0x0");
    assert_eq!(genesis["transactions"], json!([]));
    assert_eq!(from_json::<B256>(genesis["transactionsRoot"].clone()), EMPTY_ROOT_HASH);
    assert_eq!(genesis["parentHash"], json!(B256::ZERO));
    let latest = net.call("eth_getBlockByNumber", json!(["latest", false])).await;
    assert_eq!(latest["hash"], json!(tipset(net, 2).hash));
    assert_eq!(latest, net.call("eth_getBlockByNumber", json!(["0x2", false])).await);
    // The full flag is optional.
    assert_eq!(latest, net.call("eth_getBlockByNumber", json!(["latest"])).await);

    // Counts.
    async fn count(net: &TestNet, method: &str, param: Value) -> Value {
        net.call(method, json!([param])).await
    }
    assert_eq!(count(net, "eth_getBlockTransactionCountByNumber", json!("0x1")).await, "0x2");
    assert_eq!(count(net, "eth_getBlockTransactionCountByNumber", json!("earliest")).await, "0x0");
    assert_eq!(count(net, "eth_getBlockTransactionCountByHash", json!(ts.hash)).await, "0x2");

    // Unknown blocks are null.
    let unknown = B256::repeat_byte(0xab);
    assert_eq!(net.call("eth_getBlockByHash", json!([unknown, false])).await, Value::Null);
    assert_eq!(net.call("eth_getBlockByNumber", json!(["0x64", false])).await, Value::Null);
    let by_hash = count(net, "eth_getBlockTransactionCountByHash", json!(unknown)).await;
    assert_eq!(by_hash, Value::Null);
    let future = count(net, "eth_getBlockTransactionCountByNumber", json!("0x64")).await;
    assert_eq!(future, Value::Null);
    // A malformed parameter is invalid params.
    let err = net.error("eth_getBlockByNumber", json!(["nope", false])).await;
    assert_eq!(err["code"], -32602);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn null_rounds_have_no_block() {
    let config = ChainConfig { mining: MiningMode::Manual, null_rounds: 2, ..Default::default() };
    let net = TestNet::with(config).await;
    let ts = mine(&net);
    assert_eq!(ts.height(), 3);
    assert_eq!(net.call("eth_blockNumber", json!([])).await, "0x3");
    for height in ["0x1", "0x2"] {
        assert_eq!(net.call("eth_getBlockByNumber", json!([height, false])).await, Value::Null);
        let count = net.call("eth_getBlockTransactionCountByNumber", json!([height])).await;
        assert_eq!(count, Value::Null);
    }
    let block = net.call("eth_getBlockByNumber", json!(["0x3", false])).await;
    assert_eq!(block["parentHash"], json!(tipset(&net, 0).hash), "the parent skips the nulls");
}
