//! Subscription ids on the wire: `0x`-prefixed hex strings, as Geth and Lotus send them.
//!
//! Regression: jsonrpsee's default ids are JSON numbers, and viem only routes an
//! `eth_subscription` notification to a subscriber when `eth_subscribe` answered with a string,
//! so `watchBlockNumber` / `watchContractEvent` over WebSocket never fired.

use std::time::Duration;

use eth_rpc::{ServerConfig, start};
use futures_util::{SinkExt, StreamExt};
use jsonrpsee::{PendingSubscriptionSink, RpcModule};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

const TIMEOUT: Duration = Duration::from_secs(10);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A subscription that sends 0, 1, 2 and then stays open until unsubscribed.
fn methods() -> RpcModule<()> {
    let mut module = RpcModule::new(());
    module
        .register_subscription(
            "idtest_subscribe",
            "idtest_subscription",
            "idtest_unsubscribe",
            |_, pending: PendingSubscriptionSink, _, _| async move {
                let Ok(sink) = pending.accept().await else { return };
                for i in 0..3u32 {
                    let msg = serde_json::value::to_raw_value(&i).expect("json");
                    if sink.send(msg).await.is_err() {
                        return;
                    }
                }
                sink.closed().await;
            },
        )
        .expect("register idtest_subscribe");
    module
}

async fn next_frame(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(TIMEOUT, ws.next())
            .await
            .expect("a frame in time")
            .expect("stream open")
            .expect("valid frame");
        if let Message::Text(text) = msg {
            return serde_json::from_str(text.as_str()).expect("JSON");
        }
    }
}

/// Sends a call and returns its answer, keeping notifications that arrive first.
async fn request(
    ws: &mut Ws,
    id: u64,
    method: &str,
    params: Value,
    notes: &mut Vec<Value>,
) -> Value {
    let call = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
    ws.send(Message::text(call.to_string())).await.expect("send");
    loop {
        let frame = next_frame(ws).await;
        if frame["id"] == id {
            return frame;
        }
        notes.push(frame);
    }
}

fn is_hex_id(id: &Value) -> bool {
    id.as_str().is_some_and(|s| {
        s.len() == 34 && s.starts_with("0x") && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[tokio::test]
async fn subscription_ids_are_hex_strings_and_match_their_notifications() {
    let server = start(ServerConfig { port: 0, ..ServerConfig::default() }, methods())
        .await
        .expect("server");
    let mut ws = tokio_tungstenite::connect_async(server.ws_url()).await.expect("handshake").0;
    let mut notes = Vec::new();

    let first =
        request(&mut ws, 1, "idtest_subscribe", json!([]), &mut notes).await["result"].clone();
    let second =
        request(&mut ws, 2, "idtest_subscribe", json!([]), &mut notes).await["result"].clone();
    assert!(is_hex_id(&first), "subscription id {first} is not a 0x hex string");
    assert!(is_hex_id(&second), "subscription id {second} is not a 0x hex string");
    assert_ne!(first, second, "distinct ids");

    // Every notification names its subscription with the very same string.
    while notes.len() < 6 {
        notes.push(next_frame(&mut ws).await);
    }
    for id in [&first, &second] {
        let mine: Vec<_> = notes.iter().filter(|n| n["params"]["subscription"] == *id).collect();
        assert_eq!(mine.len(), 3, "notifications of {id}: {notes:?}");
        for (i, note) in mine.iter().enumerate() {
            assert_eq!(note["method"], "idtest_subscription", "{note}");
            assert_eq!(note["params"]["result"], i, "{note}");
        }
    }

    // Unsubscribing takes the string id back.
    let answer = request(&mut ws, 3, "idtest_unsubscribe", json!([first]), &mut notes).await;
    assert_eq!(answer["result"], true, "{answer}");
    let answer = request(&mut ws, 4, "idtest_unsubscribe", json!([first]), &mut notes).await;
    assert_eq!(answer["result"], false, "{answer}");
    server.stop();
}
