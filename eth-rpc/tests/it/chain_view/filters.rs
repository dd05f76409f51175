//! Polled filters: `eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`,
//! `eth_getFilterChanges`, `eth_getFilterLogs`, `eth_uninstallFilter`.

use alloy_primitives::{Address, B256};
use chain::DevApi;
use serde_json::{Value, json};

use super::{Scenario, eip1559, from_json, key, mine, send_raw, topic, transfer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_filters_report_new_logs_once_and_rerun_their_query() {
    let s = Scenario::build().await;
    let net = &s.net;
    let k0 = key(net, 0);
    let transfer_topic = Scenario::transfer_topic();
    // Logs of transfers to account 1 from the start of the chain on.
    let spec = json!({ "fromBlock": "earliest", "address": s.token,
                       "topics": [transfer_topic, null, topic(s.accounts[1])] });
    let id: String = from_json(net.call("eth_newFilter", json!([spec])).await);
    assert!(id.starts_with("0x") && id.len() > 2, "{id}");
    let all_ids = json!({ "fromBlock": "earliest" });
    let everything: String = from_json(net.call("eth_newFilter", json!([all_ids])).await);

    // Nothing new yet: the past is not "changes".
    assert_eq!(net.call("eth_getFilterChanges", json!([id])).await, json!([]));
    // …but getFilterLogs runs the whole query.
    let history = net.call("eth_getLogs", json!([spec])).await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(net.call("eth_getFilterLogs", json!([id])).await, history);

    // Two blocks: a matching transfer, then a non-matching one and another matching one.
    send_raw(net, &eip1559(&k0, 3, Some(s.token), transfer(s.accounts[1], 1))).await;
    mine(net);
    send_raw(net, &eip1559(&k0, 4, Some(s.token), transfer(s.accounts[2], 2))).await;
    send_raw(net, &eip1559(&k0, 5, Some(s.token), transfer(s.accounts[1], 3))).await;
    mine(net);
    let changes = net.call("eth_getFilterChanges", json!([id])).await;
    let new_logs = net
        .call(
            "eth_getLogs",
            json!([{ "fromBlock": "0x3", "address": s.token,
        "topics": [transfer_topic, null, topic(s.accounts[1])] }]),
        )
        .await;
    assert_eq!(changes, new_logs);
    assert_eq!(changes.as_array().unwrap().len(), 2);
    assert_eq!(net.call("eth_getFilterChanges", json!([id])).await, json!([]), "reported once");
    let all_new = net.call("eth_getFilterChanges", json!([everything])).await;
    assert_eq!(all_new.as_array().unwrap().len(), 3);
    let rerun = net.call("eth_getFilterLogs", json!([id])).await;
    assert_eq!(rerun.as_array().unwrap().len(), 3, "history plus the two new ones");

    // Uninstall: true once, then unknown.
    assert_eq!(net.call("eth_uninstallFilter", json!([id])).await, true);
    assert_eq!(net.call("eth_uninstallFilter", json!([id])).await, false);
    let err = net.error("eth_getFilterChanges", json!([id])).await;
    assert_eq!(
        (err["code"].clone(), err["message"].clone()),
        (json!(-32000), json!("filter not found"))
    );
    assert_eq!(net.error("eth_getFilterLogs", json!([id])).await["code"], -32000);
    assert_eq!(net.call("eth_uninstallFilter", json!(["0x1234"])).await, false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_filters_respect_their_block_range() {
    let s = Scenario::build().await;
    let net = &s.net;
    let k0 = key(net, 0);
    // Only block 4 (the second block from now).
    let id: String = from_json(
        net.call("eth_newFilter", json!([{ "fromBlock": "0x4", "toBlock": "0x4" }])).await,
    );
    for nonce in 3..6 {
        send_raw(net, &eip1559(&k0, nonce, Some(s.token), transfer(s.accounts[1], 1))).await;
        let ts = mine(net);
        let changes = net.call("eth_getFilterChanges", json!([id])).await;
        let expected = if ts.height() == 4 { 1 } else { 0 };
        assert_eq!(changes.as_array().unwrap().len(), expected, "block {}", ts.height());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_filters_report_every_new_block_hash() {
    let s = Scenario::build().await;
    let net = &s.net;
    let id: String = from_json(net.call("eth_newBlockFilter", json!([])).await);
    assert_eq!(net.call("eth_getFilterChanges", json!([id])).await, json!([]));
    let mined = net.node.mine(3).expect("mines");
    let expected: Vec<B256> = mined.iter().map(|ts| ts.hash).collect();
    assert_eq!(net.call("eth_getFilterChanges", json!([id])).await, json!(expected));
    assert_eq!(net.call("eth_getFilterChanges", json!([id])).await, json!([]));
    let again = mine(net);
    assert_eq!(net.call("eth_getFilterChanges", json!([id])).await, json!([again.hash]));
    // A block filter has no logs to re-run.
    assert_eq!(net.error("eth_getFilterLogs", json!([id])).await["code"], -32000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_filters_report_transactions_entering_the_pool() {
    let s = Scenario::build().await;
    let net = &s.net;
    let k0 = key(net, 0);
    let hashes_id: String = from_json(net.call("eth_newPendingTransactionFilter", json!([])).await);
    let full_id: String =
        from_json(net.call("eth_newPendingTransactionFilter", json!([true])).await);
    assert_eq!(net.call("eth_getFilterChanges", json!([hashes_id])).await, json!([]));

    let a = send_raw(net, &eip1559(&k0, 3, Some(s.token), transfer(s.accounts[1], 1))).await;
    let b = send_raw(net, &eip1559(&k0, 4, Some(Address::repeat_byte(1)), Vec::new())).await;
    // The feed is a task: give it a moment.
    let changes = poll_until(net, &hashes_id, 2).await;
    assert_eq!(changes, json!([a, b]));
    assert_eq!(net.call("eth_getFilterChanges", json!([hashes_id])).await, json!([]));

    let full = poll_until(net, &full_id, 2).await;
    let full = full.as_array().unwrap();
    assert_eq!(full[0]["hash"], json!(a));
    assert_eq!(full[0]["blockHash"], Value::Null);
    assert_eq!(full[1]["hash"], json!(b));
    assert_eq!(full[1], net.call("eth_getTransactionByHash", json!([b])).await);

    mine(net);
    assert_eq!(net.call("eth_getFilterChanges", json!([hashes_id])).await, json!([]));
    assert_eq!(net.call("eth_uninstallFilter", json!([hashes_id])).await, true);
}

/// Polls a filter until it has reported `count` entries in total; all of them.
async fn poll_until(net: &crate::support::TestNet, id: &str, count: usize) -> Value {
    let mut seen = Vec::new();
    for _ in 0..200 {
        let changes = net.call("eth_getFilterChanges", json!([id])).await;
        seen.extend(changes.as_array().expect("changes").iter().cloned());
        if seen.len() >= count {
            return Value::Array(seen);
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("filter {id} reported only {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_1000_filters_exist_at_once() {
    let net = crate::support::TestNet::manual().await;
    let mut first = None;
    for _ in 0..1_000 {
        let id = net.call("eth_newBlockFilter", json!([])).await;
        first.get_or_insert(id);
    }
    let err = net.error("eth_newBlockFilter", json!([])).await;
    assert_eq!(err["code"], -32005);
    assert_eq!(err["message"], "installed filters exceeds maximum of 1000 (got 1001)");
    assert_eq!(net.call("eth_uninstallFilter", json!([first])).await, true);
    net.call("eth_newFilter", json!([{}])).await;
}
