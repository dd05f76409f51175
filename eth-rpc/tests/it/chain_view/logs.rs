//! `eth_getLogs`: block ranges and hashes, address and topic filters, order, and the caps.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use chain::{ChainConfig, DevApi, FullNode, MiningMode};
use serde_json::{Value, json};
use solidity_fixtures::Events;

use super::{
    CHAIN_ID, FEE_CAP, Scenario, TIP, from_json, key, mine, qty, send_raw, sign_1559 as sign,
    tipset, topic,
};
use crate::support::TestNet;

/// The logs of `eth_getLogs(filter)`.
async fn logs(net: &TestNet, filter: Value) -> Vec<Value> {
    let result = net.call("eth_getLogs", json!([filter])).await;
    result.as_array().unwrap_or_else(|| panic!("logs: {result}")).clone()
}

/// The receipt logs of a transaction.
async fn receipt_logs(net: &TestNet, hash: B256) -> Vec<Value> {
    let receipt = net.call("eth_getTransactionReceipt", json!([hash])).await;
    receipt["logs"].as_array().expect("logs").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_filtered_by_range_address_and_topics() {
    let s = Scenario::build().await;
    let net = &s.net;
    let (a0, a1, a2) = (topic(s.accounts[0]), topic(s.accounts[1]), topic(s.accounts[2]));
    let transfer = Scenario::transfer_topic();

    // Everything, in block then log order, exactly as the receipts show the logs.
    let all = logs(net, json!({ "fromBlock": "earliest", "toBlock": "latest" })).await;
    let mut expected = receipt_logs(net, s.deploy).await;
    expected.extend(receipt_logs(net, s.transfer1).await);
    expected.extend(receipt_logs(net, s.transfer2).await);
    assert_eq!(all, expected);
    let positions: Vec<(&Value, &Value)> =
        all.iter().map(|l| (&l["blockNumber"], &l["logIndex"])).collect();
    assert_eq!(
        positions,
        [(&qty(1u64), &qty(0u64)), (&qty(1u64), &qty(1u64)), (&qty(2u64), &qty(0u64))]
    );
    assert_eq!(all[2]["transactionHash"], json!(s.transfer2));
    assert_eq!(all[2]["blockHash"], json!(tipset(net, 2).hash));

    // No range: the latest block only.
    assert_eq!(logs(net, json!({})).await, vec![all[2].clone()]);
    // Ranges and block hashes.
    assert_eq!(logs(net, json!({ "fromBlock": "0x1", "toBlock": "0x1" })).await, all[..2]);
    assert_eq!(logs(net, json!({ "fromBlock": "0x2" })).await, all[2..]);
    assert_eq!(logs(net, json!({ "blockHash": tipset(net, 1).hash })).await, all[..2]);
    assert_eq!(logs(net, json!({ "fromBlock": "0x5" })).await, Vec::<Value>::new());

    // Addresses: one, several, none matching.
    let other = Address::repeat_byte(0x42);
    let from0 = json!({ "fromBlock": "0x0", "address": s.token });
    assert_eq!(logs(net, from0).await, all);
    assert_eq!(logs(net, json!({ "fromBlock": "0x0", "address": [other, s.token] })).await, all);
    assert!(logs(net, json!({ "fromBlock": "0x0", "address": other })).await.is_empty());

    // Topics: positions AND-ed, null wildcards, OR-lists.
    let to_a1 = json!({ "fromBlock": "0x0", "topics": [transfer, null, a1] });
    assert_eq!(logs(net, to_a1).await, vec![all[1].clone()]);
    let to_a1_or_a2 = json!({ "fromBlock": "0x0", "topics": [transfer, null, [a1, a2]] });
    assert_eq!(logs(net, to_a1_or_a2).await, all[1..]);
    let from_a0 = json!({ "fromBlock": "0x0", "topics": [null, a0] });
    assert_eq!(logs(net, from_a0).await, all[1..]);
    let any_first = json!({ "fromBlock": "0x0", "topics": [[], [a0, topic(Address::ZERO)]] });
    assert_eq!(logs(net, any_first).await, all);
    let approval = solidity_fixtures::Token::Approval::SIGNATURE_HASH;
    assert!(logs(net, json!({ "fromBlock": "0x0", "topics": [approval] })).await.is_empty());
    let trailing_null = json!({ "fromBlock": "0x0", "topics": [transfer, a0, a1, null] });
    assert_eq!(logs(net, trailing_null).await, vec![all[1].clone()]);
    let fourth = json!({ "fromBlock": "0x0", "topics": [transfer, a0, a1, a2] });
    assert!(logs(net, fourth).await.is_empty(), "a fourth topic must exist to match");

    // Errors.
    let unknown = net.error("eth_getLogs", json!([{ "blockHash": B256::repeat_byte(7) }])).await;
    assert_eq!(unknown["code"], -32001);
    let reversed =
        net.error("eth_getLogs", json!([{ "fromBlock": "0x2", "toBlock": "0x1" }])).await;
    assert_eq!(reversed["code"], -32602);
    let five = json!([{ "topics": [null, null, null, null, null] }]);
    assert_eq!(net.error("eth_getLogs", five).await["code"], -32602);
    let both = json!([{ "blockHash": tipset(net, 1).hash, "fromBlock": "0x1" }]);
    assert_eq!(net.error("eth_getLogs", both).await["code"], -32602);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranges_wider_than_10000_blocks_are_refused() {
    let config =
        ChainConfig { mining: MiningMode::Manual, null_rounds: 5_000, ..ChainConfig::default() };
    let net = TestNet::with(config).await;
    net.node.mine(3).expect("mines");
    let head = net.node.chain_head().height();
    assert_eq!(head, 15_003);

    let err = net.error("eth_getLogs", json!([{ "fromBlock": "earliest" }])).await;
    assert_eq!(err["code"], -32005);
    assert_eq!(err["message"], "block range exceeds maximum of 10000 (got 15004)");
    let from = json!([{ "fromBlock": qty((head - 10_000) as u64) }]);
    assert_eq!(net.error("eth_getLogs", from).await["code"], -32005);
    let from = json!([{ "fromBlock": qty((head - 9_999) as u64), "toBlock": "latest" }]);
    assert_eq!(net.call("eth_getLogs", from).await, json!([]));
    // A far-future toBlock is clamped to the head before the range is measured.
    let future = json!([{ "fromBlock": qty((head - 9_999) as u64), "toBlock": "0xffffffff" }]);
    assert_eq!(net.call("eth_getLogs", future).await, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_10000_logs_from_several_blocks_are_refused() {
    let net = TestNet::manual().await;
    let k0 = key(&net, 0);
    let emitter = k0.address().create(0);
    let call = |nonce: u64, input: Vec<u8>, to: Option<Address>| {
        let tx = alloy_consensus::TxEip1559 {
            chain_id: CHAIN_ID,
            nonce,
            gas_limit: 3_000_000_000,
            max_fee_per_gas: FEE_CAP,
            max_priority_fee_per_gas: TIP,
            to: to.map_or(alloy_primitives::TxKind::Create, alloy_primitives::TxKind::Call),
            value: U256::ZERO,
            access_list: Default::default(),
            input: input.into(),
        };
        sign(&k0, tx)
    };
    let emit = |n: u64| Events::emitManyCall { n: U256::from(n) }.abi_encode();
    send_raw(&net, &call(0, Events::BYTECODE.to_vec(), None)).await;
    mine(&net);
    let mut heights = Vec::new();
    for (nonce, n) in [(1, 6_000), (2, 5_000), (3, 10_500)] {
        let hash = send_raw(&net, &call(nonce, emit(n), Some(emitter))).await;
        let ts = mine(&net);
        assert_eq!(ts.eth_hashes, vec![hash]);
        let receipt = net.call("eth_getTransactionReceipt", json!([hash])).await;
        assert_eq!(receipt["status"], "0x1", "emitMany({n}) failed: {}", receipt["gasUsed"]);
        heights.push(ts.height() as u64);
    }

    // 11,000 logs from two blocks: refused.
    let two = json!([{ "fromBlock": qty(heights[0]), "toBlock": qty(heights[1]) }]);
    let err = net.error("eth_getLogs", two).await;
    assert_eq!(err["code"], -32005, "{err}");
    assert!(err["message"].as_str().unwrap().starts_with("query results exceeds maximum of 10000"));

    // Each block alone is fine; a single block may exceed the cap (as in Lotus).
    let one = net
        .call("eth_getLogs", json!([{ "blockHash": tipset(&net, heights[0] as i64).hash }]))
        .await;
    assert_eq!(one.as_array().unwrap().len(), 6_000);
    let big = json!([{ "fromBlock": qty(heights[2]), "toBlock": qty(heights[2]) }]);
    let big = net.call("eth_getLogs", big).await;
    let big = big.as_array().unwrap();
    assert_eq!(big.len(), 10_500);
    // In order, each with its index as log index and topic.
    for (i, log) in big.iter().enumerate().step_by(997) {
        assert_eq!(log["logIndex"], qty(i as u64));
        assert_eq!(
            log["topics"],
            json!([Events::Numbered::SIGNATURE_HASH, B256::from(U256::from(i))])
        );
    }
    // A filter that narrows the result below the cap is fine across blocks.
    let narrow = json!([{
        "fromBlock": qty(heights[0]),
        "toBlock": qty(heights[2]),
        "topics": [null, B256::from(U256::from(4_999u64))],
    }]);
    let narrow: Vec<Value> = from_json(net.call("eth_getLogs", narrow).await);
    assert_eq!(narrow.len(), 3);
}
