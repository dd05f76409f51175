//! Transport tests: a real server on 127.0.0.1:0, driven over HTTP (reqwest), raw TCP and
//! WebSocket (tokio-tungstenite).

use std::{net::SocketAddr, time::Duration};

use eth_rpc::{RunningServer, ServerConfig, start, web3};
use futures_util::{SinkExt, StreamExt};
use jsonrpsee::{PendingSubscriptionSink, RpcModule, types::ErrorObjectOwned};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use tokio_tungstenite::tungstenite::Message;

const TIMEOUT: Duration = Duration::from_secs(10);

/// The product's `web3` module plus test-only methods: a slow call and a subscription.
fn methods() -> RpcModule<()> {
    let mut module = RpcModule::new(());
    module.merge(web3::module(31_415_926).expect("web3 module")).expect("merge");
    module
        .register_async_method("test_sleep", |params, _, _| async move {
            let (ms,): (u64,) = params.parse()?;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok::<_, ErrorObjectOwned>("slept")
        })
        .expect("register test_sleep");
    module
        .register_subscription(
            "test_subscribe",
            "test_subscription",
            "test_unsubscribe",
            |_, pending: PendingSubscriptionSink, _, _| async move {
                let Ok(sink) = pending.accept().await else { return };
                for i in 0..3u32 {
                    let msg = serde_json::value::to_raw_value(&i).expect("json");
                    if sink.send(msg).await.is_err() {
                        return;
                    }
                }
                // Stays subscribed until unsubscribed or the session ends.
                sink.closed().await;
            },
        )
        .expect("register test_subscribe");
    module
}

async fn spawn_with(config: ServerConfig) -> RunningServer {
    start(ServerConfig { port: 0, ..config }, methods()).await.expect("server starts")
}

async fn spawn() -> RunningServer {
    spawn_with(ServerConfig::default()).await
}

/// POST `body` as JSON to `url`; returns the status and the parsed answer (`Null` if empty).
async fn post(url: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request succeeds");
    let status = response.status();
    let text = response.text().await.expect("body");
    let value =
        if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON") };
    (status, value)
}

fn call(method: &str, params: Value, id: u64) -> String {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string()
}

fn error_code(answer: &Value) -> i64 {
    answer["error"]["code"].as_i64().unwrap_or_else(|| panic!("not an error: {answer}"))
}

#[tokio::test]
async fn single_call_works_on_both_paths() {
    let server = spawn().await;
    for path in ["/", "/rpc/v1"] {
        let url = format!("{}{path}", server.http_url());
        let (status, answer) = post(&url, call("web3_clientVersion", json!([]), 7)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["id"], 7);
        assert_eq!(answer["result"], web3::CLIENT_VERSION);
    }
    let (_, answer) = post(&server.http_url(), call("net_listening", json!([]), 1)).await;
    assert_eq!(answer["result"], true);
}

#[tokio::test]
async fn missing_content_type_is_taken_as_json() {
    let server = spawn().await;
    let response = reqwest::Client::new()
        .post(server.http_url())
        .body(call("net_listening", json!([]), 1))
        .send()
        .await
        .expect("request succeeds");
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.expect("JSON");
    assert_eq!(answer["result"], true);
}

#[tokio::test]
async fn batch_answers_in_order() {
    let server = spawn().await;
    let batch = format!(
        "[{},{},{}]",
        call("web3_sha3", json!(["0x68656c6c6f"]), 1),
        call("net_listening", json!([]), 2),
        call("web3_clientVersion", json!([]), 3),
    );
    let (status, answer) = post(&server.http_url(), batch).await;
    assert_eq!(status, StatusCode::OK);
    let answers = answer.as_array().expect("batch answer is an array");
    assert_eq!(answers.len(), 3);
    let ids: Vec<_> = answers.iter().map(|a| a["id"].as_u64()).collect();
    assert_eq!(ids, [Some(1), Some(2), Some(3)]);
    assert_eq!(
        answers[0]["result"],
        "0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8"
    );
    assert_eq!(answers[1]["result"], true);
    assert_eq!(answers[2]["result"], web3::CLIENT_VERSION);
}

#[tokio::test]
async fn batch_over_the_cap_is_rejected() {
    let server = spawn_with(ServerConfig { max_batch_len: 2, ..Default::default() }).await;
    let entries: Vec<_> = (0..3).map(|id| call("net_listening", json!([]), id)).collect();
    let (_, answer) = post(&server.http_url(), format!("[{}]", entries.join(","))).await;
    assert_eq!(error_code(&answer), -32010, "{answer}");
    // At the cap it is served.
    let (_, answer) = post(&server.http_url(), format!("[{}]", entries[..2].join(","))).await;
    assert_eq!(answer.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn protocol_errors_have_standard_codes() {
    let server = spawn().await;
    let url = server.http_url();
    let (_, answer) = post(&url, r#"{"jsonrpc":"2.0","id":1,"method":"#).await;
    assert_eq!(error_code(&answer), -32700, "malformed JSON: {answer}");
    let (_, answer) = post(&url, "not json at all").await;
    assert_eq!(error_code(&answer), -32700, "not JSON: {answer}");
    let (_, answer) = post(&url, r#"{"foo":1}"#).await;
    assert_eq!(error_code(&answer), -32600, "not a request: {answer}");
    let (_, answer) = post(&url, call("eth_doesNotExist", json!([]), 1)).await;
    assert_eq!(error_code(&answer), -32601, "unknown method: {answer}");
    assert_eq!(answer["id"], 1);
}

#[tokio::test]
async fn wrong_params_are_invalid_params() {
    let server = spawn().await;
    let url = server.http_url();
    for params in [json!([]), json!([123]), json!(["0xzz"]), json!(["68656c6c6f"])] {
        let (_, answer) = post(&url, call("web3_sha3", params.clone(), 1)).await;
        assert_eq!(error_code(&answer), -32602, "params {params}: {answer}");
    }
}

#[tokio::test]
async fn oversized_body_gets_a_json_rpc_error_and_server_keeps_serving() {
    // The default 32 MiB cap, exceeded by a declared Content-Length.
    let server = spawn().await;
    let url = server.http_url();
    let huge = vec![b' '; 40 * 1024 * 1024];
    let (status, answer) = post(&url, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&answer), -32007, "{answer}");
    let (status, answer) = post(&url, call("net_listening", json!([]), 1)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["result"], true);
}

#[tokio::test]
async fn body_limit_is_exact() {
    let limit = 1024;
    let server = spawn_with(ServerConfig { max_request_bytes: limit, ..Default::default() }).await;
    let request = call("net_listening", json!([]), 1);
    let pad = |len: usize| format!("{request:<len$}");
    let (status, answer) = post(&server.http_url(), pad(limit as usize)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = post(&server.http_url(), pad(limit as usize + 1)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&answer), -32007);
}

/// Send a raw HTTP/1.1 request, writing the whole body before reading the answer, as Node's
/// `fetch` does; a server that answers early and closes makes the write fail (`EPIPE`).
async fn raw_post(addr: SocketAddr, framing: &str, body_chunks: &[Vec<u8>]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST / HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n\
         connection: close\r\n{framing}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("write head");
    for chunk in body_chunks {
        stream.write_all(chunk).await.expect("server reads the whole body");
    }
    let mut response = String::new();
    tokio::time::timeout(TIMEOUT, stream.read_to_string(&mut response))
        .await
        .expect("answered in time")
        .expect("read");
    response
}

#[tokio::test]
async fn oversized_body_is_read_before_answering() {
    let server = spawn().await;
    let body = vec![b' '; 40 * 1024 * 1024];
    let framing = format!("content-length: {}", body.len());
    let response = raw_post(server.local_addr(), &framing, &[body]).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("-32007"), "{response}");
}

#[tokio::test]
async fn oversized_chunked_body_gets_a_json_rpc_error() {
    let server = spawn_with(ServerConfig { max_request_bytes: 1024, ..Default::default() }).await;
    let mut chunks = Vec::new();
    for _ in 0..16 {
        let mut chunk = format!("{:x}\r\n", 4096).into_bytes();
        chunk.extend_from_slice(&[b' '; 4096]);
        chunk.extend_from_slice(b"\r\n");
        chunks.push(chunk);
    }
    chunks.push(b"0\r\n\r\n".to_vec());
    let response = raw_post(server.local_addr(), "transfer-encoding: chunked", &chunks).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("-32007"), "{response}");
}

#[tokio::test]
async fn cors_preflight_and_simple_requests_are_allowed() {
    let server = spawn().await;
    let client = reqwest::Client::new();
    let response = client
        .request(reqwest::Method::OPTIONS, server.http_url())
        .header("origin", "http://example.com")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert!(response.status().is_success(), "{}", response.status());
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(headers.contains_key("access-control-allow-methods"));
    assert!(headers.contains_key("access-control-allow-headers"));

    let response = client
        .post(server.http_url())
        .header("origin", "http://example.com")
        .header("content-type", "application/json")
        .body(call("net_listening", json!([]), 1))
        .send()
        .await
        .expect("request");
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn health_answers_ok() {
    let server = spawn().await;
    let response = reqwest::get(format!("{}/health", server.http_url())).await.expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body, json!({ "status": "ok" }));
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

async fn ws_connect(url: &str) -> Ws {
    tokio_tungstenite::connect_async(url).await.expect("WebSocket handshake").0
}

async fn ws_next(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(TIMEOUT, ws.next())
            .await
            .expect("message in time")
            .expect("stream open")
            .expect("valid frame");
        if let Message::Text(text) = msg {
            return serde_json::from_str(text.as_str()).expect("JSON");
        }
    }
}

/// Geth's and Lotus's form of a subscription id: `0x` and 32 hex digits. viem drops every
/// notification whose id is not the string it got back.
fn is_hex_id(id: &Value) -> bool {
    id.as_str().is_some_and(|s| {
        s.len() == 34 && s.starts_with("0x") && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[tokio::test]
async fn websocket_calls_and_subscriptions_work_on_both_paths() {
    let server = spawn().await;
    let mut ids = Vec::new();
    for path in ["/", "/rpc/v1"] {
        let mut ws = ws_connect(&format!("{}{path}", server.ws_url())).await;
        ws.send(Message::text(call("web3_clientVersion", json!([]), 1))).await.expect("send");
        let answer = ws_next(&mut ws).await;
        assert_eq!(answer["result"], web3::CLIENT_VERSION, "{answer}");

        ws.send(Message::text(call("test_subscribe", json!([]), 2))).await.expect("send");
        let answer = ws_next(&mut ws).await;
        assert_eq!(answer["id"], 2, "{answer}");
        let sub_id = answer["result"].clone();
        assert!(!sub_id.is_null(), "{answer}");
        assert!(is_hex_id(&sub_id), "subscription id {sub_id} is not a 0x hex string");
        for i in 0..3 {
            let note = ws_next(&mut ws).await;
            assert_eq!(note["method"], "test_subscription", "{note}");
            assert_eq!(note["params"]["subscription"], sub_id);
            assert_eq!(note["params"]["result"], i);
        }
        // Unsubscribing takes the string id back, once.
        for (id, expected) in [(3, true), (4, false)] {
            let unsubscribe = call("test_unsubscribe", json!([sub_id]), id);
            ws.send(Message::text(unsubscribe)).await.expect("send");
            let answer = ws_next(&mut ws).await;
            assert_eq!(answer["result"], expected, "{answer}");
        }
        ids.push(sub_id);
    }
    assert_ne!(ids[0], ids[1], "distinct subscriptions have distinct ids");
}

#[tokio::test]
async fn stop_lets_in_flight_requests_finish_and_closes_the_port() {
    let server = spawn().await;
    let addr = server.local_addr();
    let url = server.http_url();
    let in_flight =
        tokio::spawn(async move { post(&url, call("test_sleep", json!([500]), 9)).await });
    tokio::time::sleep(Duration::from_millis(150)).await;

    server.stop();
    let (status, answer) = in_flight.await.expect("task");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["result"], "slept");
    tokio::time::timeout(TIMEOUT, server.stopped()).await.expect("stops in time");
    assert!(server.is_stopped());
    assert_port_closed(addr).await;
}

#[tokio::test]
async fn stop_closes_websocket_sessions() {
    let server = spawn().await;
    let mut ws = ws_connect(&server.ws_url()).await;
    ws.send(Message::text(call("net_listening", json!([]), 1))).await.expect("send");
    assert_eq!(ws_next(&mut ws).await["result"], true);

    server.stop();
    tokio::time::timeout(TIMEOUT, server.stopped()).await.expect("stops in time");
    // The session ends: a close frame, then the end of the stream (or an error).
    let ended = tokio::time::timeout(TIMEOUT, async {
        while let Some(Ok(msg)) = ws.next().await {
            if msg.is_close() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "WebSocket still open after stop");
    assert_port_closed(server.local_addr()).await;
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let server = spawn().await;
    let addr = server.local_addr();
    drop(server);
    let closed = tokio::time::timeout(TIMEOUT, async {
        while TcpStream::connect(addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(closed.is_ok(), "port still open after drop");
}

async fn assert_port_closed(addr: SocketAddr) {
    assert!(TcpStream::connect(addr).await.is_err(), "port {addr} still accepts connections");
}
