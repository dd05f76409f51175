//! A devnet and its gateway on 127.0.0.1:0 per test, and a raw JSON-RPC client for asserting
//! exact wire formats.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;

use alloy_primitives::{B256, hex};
use alloy_signer_local::PrivateKeySigner;
use chain::{ChainConfig, DevApi, DevNode, MiningMode};
use eth_rpc::gateway::Backend;
use eth_rpc::{RunningServer, ServerConfig};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
pub use test_support::{CHAIN_ID, FEE_CAP, Tx, sign_1559};

/// A running node and gateway; dropping it stops both.
pub struct TestNet {
    pub node: Arc<DevNode>,
    pub server: RunningServer,
    pub url: String,
    pub ws_url: String,
    client: reqwest::Client,
}

impl TestNet {
    /// Instant mining, 10 dev accounts, chain id 31415926.
    pub async fn start() -> Self {
        Self::with(ChainConfig::default()).await
    }

    /// Manual mining (`evm_mine`/`node.mine`).
    pub async fn manual() -> Self {
        Self::with(ChainConfig { mining: MiningMode::Manual, ..ChainConfig::default() }).await
    }

    pub async fn with(config: ChainConfig) -> Self {
        let node = Arc::new(DevNode::start(config).expect("node starts"));
        let config = ServerConfig { port: 0, ..ServerConfig::default() };
        let backend = Backend::devnet(node.clone());
        let server = eth_rpc::gateway::serve(backend, config).await.expect("gateway starts");
        let (url, ws_url) = (server.http_url(), server.ws_url());
        Self { node, server, url, ws_url, client: reqwest::Client::new() }
    }

    /// The whole JSON-RPC response object of one call.
    pub async fn raw(&self, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let response = self.client.post(&self.url).json(&body).send().await.expect("HTTP");
        response.json().await.expect("JSON body")
    }

    /// The `result` of a call; panics with the error object otherwise.
    pub async fn call(&self, method: &str, params: Value) -> Value {
        let response = self.raw(method, params).await;
        match response.get("result") {
            Some(result) => result.clone(),
            None => panic!("{method} failed: {response}"),
        }
    }

    /// The `error` object of a call that must fail.
    pub async fn error(&self, method: &str, params: Value) -> Value {
        let response = self.raw(method, params).await;
        match response.get("error") {
            Some(error) => error.clone(),
            None => panic!("{method} should have failed: {response}"),
        }
    }
}

impl Drop for TestNet {
    fn drop(&mut self) {
        self.server.stop();
        self.node.shutdown();
    }
}

/// A gas limit comfortably above what the fixtures need (Filecoin gas).
pub const GAS: u64 = 200_000_000;
/// A tip.
pub const TIP: u128 = 1_000_000;

/// Dev account `i`'s key.
pub fn key(net: &TestNet, i: usize) -> PrivateKeySigner {
    net.node.dev_accounts()[i].signer.clone()
}

/// `eth_sendRawTransaction`; returns the hash.
pub async fn send_raw(net: &TestNet, raw: &[u8]) -> B256 {
    from_json(
        net.call("eth_sendRawTransaction", serde_json::json!([hex::encode_prefixed(raw)])).await,
    )
}

/// A JSON value as a typed value.
pub fn from_json<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"))
}
