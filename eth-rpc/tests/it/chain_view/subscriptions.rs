//! `eth_subscribe` / `eth_unsubscribe` over WebSocket: raw frames (tokio-tungstenite) for the
//! wire format, and alloy's WebSocket provider for client compatibility.

use std::collections::VecDeque;
use std::time::Duration;

use alloy::providers::{Provider, ProviderBuilder, WsConnect};
use alloy_primitives::B256;
use chain::DevApi;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use super::{Scenario, eip1559, from_json, key, mine, qty, send_raw, tipset, topic, transfer};

const TIMEOUT: Duration = Duration::from_secs(10);

/// A raw JSON-RPC WebSocket client that keeps notifications aside while waiting for answers.
struct Ws {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
    next_id: u64,
    notifications: VecDeque<Value>,
}

impl Ws {
    async fn connect(url: &str) -> Self {
        let stream = tokio_tungstenite::connect_async(url).await.expect("handshake").0;
        Self { stream, next_id: 1, notifications: VecDeque::new() }
    }

    async fn frame(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(TIMEOUT, self.stream.next())
                .await
                .expect("a frame in time")
                .expect("stream open")
                .expect("valid frame");
            if let Message::Text(text) = msg {
                return serde_json::from_str(text.as_str()).expect("JSON");
            }
        }
    }

    /// The whole response object of a call.
    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let call = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        self.stream.send(Message::text(call.to_string())).await.expect("send");
        loop {
            let frame = self.frame().await;
            if frame["id"] == id {
                return frame;
            }
            self.notifications.push_back(frame);
        }
    }

    /// The `result` of a call.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params).await;
        response.get("result").cloned().unwrap_or_else(|| panic!("{method}: {response}"))
    }

    /// The next notification of subscription `id`.
    async fn notification(&mut self, id: &Value) -> Value {
        loop {
            let frame =
                match self.notifications.iter().position(|n| n["params"]["subscription"] == *id) {
                    Some(i) => self.notifications.remove(i).expect("present"),
                    None => self.frame().await,
                };
            if frame["params"]["subscription"] == *id {
                assert_eq!(frame["method"], "eth_subscription", "{frame}");
                return frame["params"]["result"].clone();
            }
            self.notifications.push_back(frame);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heads_logs_and_pending_transactions_are_pushed() {
    let s = Scenario::build().await;
    let net = &s.net;
    let mut ws = Ws::connect(&net.ws_url).await;
    let heads = ws.call("eth_subscribe", json!(["newHeads"])).await;
    let filter = json!({ "address": s.token, "topics": [null, null, topic(s.accounts[1])] });
    let logs = ws.call("eth_subscribe", json!(["logs", filter])).await;
    let all_logs = ws.call("eth_subscribe", json!(["logs"])).await;
    let pending = ws.call("eth_subscribe", json!(["newPendingTransactions"])).await;
    let pending_full = ws.call("eth_subscribe", json!(["newPendingTransactions", true])).await;
    let ids = [&heads, &logs, &all_logs, &pending, &pending_full];
    for (i, a) in ids.iter().enumerate() {
        assert!(!a.is_null());
        assert!(ids[i + 1..].iter().all(|b| a != b), "distinct ids");
    }

    // A transfer to account 1 and one to account 2 enter the pool, then get mined.
    let k0 = key(net, 0);
    let to1 = send_raw(net, &eip1559(&k0, 3, Some(s.token), transfer(s.accounts[1], 1))).await;
    let to2 = send_raw(net, &eip1559(&k0, 4, Some(s.token), transfer(s.accounts[2], 1))).await;
    assert_eq!(ws.notification(&pending).await, json!(to1));
    assert_eq!(ws.notification(&pending).await, json!(to2));
    let full = ws.notification(&pending_full).await;
    assert_eq!(full["hash"], json!(to1));
    assert_eq!(full["blockHash"], Value::Null);
    assert_eq!(ws.notification(&pending_full).await["hash"], json!(to2));

    let ts = mine(net);
    let header = ws.notification(&heads).await;
    assert_eq!(header["number"], qty(3u64));
    assert_eq!(header["hash"], json!(ts.hash));
    assert_eq!(header["parentHash"], json!(tipset(net, 2).hash));
    let block = net.call("eth_getBlockByNumber", json!(["0x3", false])).await;
    for field in ["logsBloom", "gasUsed", "timestamp", "baseFeePerGas", "miner", "stateRoot"] {
        assert_eq!(header[field], block[field], "{field}");
    }
    let block_logs = net.call("eth_getLogs", json!([{ "fromBlock": "0x3" }])).await;
    assert_eq!(block_logs.as_array().unwrap().len(), 2);
    assert_eq!(ws.notification(&logs).await, block_logs[0], "only the transfer to account 1");
    assert_eq!(ws.notification(&all_logs).await, block_logs[0]);
    assert_eq!(ws.notification(&all_logs).await, block_logs[1]);

    // Several blocks at once arrive in order, one header each.
    let mined = net.node.mine(3).expect("mines");
    for ts in &mined {
        assert_eq!(from_json::<B256>(ws.notification(&heads).await["hash"].clone()), ts.hash);
    }

    // Unsubscribe: true once; the other subscriptions keep going.
    assert_eq!(ws.call("eth_unsubscribe", json!([heads])).await, true);
    assert_eq!(ws.call("eth_unsubscribe", json!([heads])).await, false);
    send_raw(net, &eip1559(&k0, 5, Some(s.token), transfer(s.accounts[1], 1))).await;
    mine(net);
    let log = ws.notification(&logs).await;
    assert_eq!(log["blockNumber"], qty(7u64));
    assert!(ws.notifications.iter().all(|n| n["params"]["subscription"] != heads));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kinds_and_bad_parameters_are_invalid_params() {
    let s = Scenario::build().await;
    let mut ws = Ws::connect(&s.net.ws_url).await;
    for params in [
        json!(["nonsense"]),
        json!(["syncing"]),
        json!(["newHeads", { "address": s.token }]),
        json!(["newPendingTransactions", { "address": s.token }]),
        json!([]),
    ] {
        let response = ws.request("eth_subscribe", params.clone()).await;
        assert_eq!(response["error"]["code"], -32602, "{params}: {response}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alloy_ws_provider_receives_blocks_and_logs() {
    let s = Scenario::build().await;
    let net = &s.net;
    let provider =
        ProviderBuilder::new().connect_ws(WsConnect::new(net.ws_url.clone())).await.expect("ws");
    let mut blocks = provider.subscribe_blocks().await.expect("subscribe").into_stream();
    let filter = alloy::rpc::types::Filter::new().address(s.token);
    let mut logs = provider.subscribe_logs(&filter).await.expect("subscribe").into_stream();

    let k0 = key(net, 0);
    let hash = send_raw(net, &eip1559(&k0, 3, Some(s.token), transfer(s.accounts[1], 1))).await;
    let ts = mine(net);
    let header =
        tokio::time::timeout(TIMEOUT, blocks.next()).await.expect("in time").expect("a block");
    assert_eq!(header.hash, ts.hash);
    assert_eq!(header.number, 3);
    let log = tokio::time::timeout(TIMEOUT, logs.next()).await.expect("in time").expect("a log");
    assert_eq!(log.transaction_hash, Some(hash));
    assert_eq!(log.address(), s.token);
    assert_eq!(provider.get_block_number().await.expect("block number"), 3);
}
