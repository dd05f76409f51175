//! The per-request log line. A separate test binary: `tracing` caches per-callsite interest
//! process-wide, so a thread-local subscriber is unreliable while other tests log concurrently.

use std::sync::{Arc, Mutex};

use eth_rpc::{ServerConfig, start, web3};
use serde_json::json;

/// Collects formatted log lines.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn every_method_name_is_logged_at_info() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter("fevm::rpc=info")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let methods = web3::module(31_415_926).expect("web3 module");
    let server =
        start(ServerConfig { port: 0, ..Default::default() }, methods).await.expect("start");
    let client = reqwest::Client::new();
    let single = json!({ "jsonrpc": "2.0", "id": 1, "method": "web3_clientVersion" });
    let batch = json!([
        { "jsonrpc": "2.0", "id": 2, "method": "net_listening" },
        { "jsonrpc": "2.0", "id": 3, "method": "web3_sha3", "params": ["0x"] },
    ]);
    for body in [single, batch] {
        let response = client.post(server.http_url()).json(&body).send().await.expect("request");
        assert!(response.status().is_success());
    }

    let text = String::from_utf8(logs.0.lock().expect("log buffer").clone()).expect("UTF-8");
    for method in ["web3_clientVersion", "net_listening", "web3_sha3"] {
        let expected = format!(" INFO fevm::rpc: {method}");
        assert!(text.lines().any(|line| line.contains(&expected)), "{method} not in:\n{text}");
    }
}
