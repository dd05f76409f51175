//! The JSON-RPC client both nodes are measured with: one HTTP/1.1 keep-alive connection per
//! client, request bodies built before the clock starts.
//!
//! It is hyper's bare connection API rather than a pooled client (reqwest), so a request costs
//! the client little more than a write and a read: on a 2-core machine the client shares the
//! CPU with the node, and a heavy client would flatten the difference between the nodes.

use std::net::SocketAddr;

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONTENT_TYPE, HOST, HeaderValue};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;

/// One keep-alive connection to a node.
#[derive(Debug)]
pub(crate) struct Client {
    sender: SendRequest<Full<Bytes>>,
    host: HeaderValue,
    addr: SocketAddr,
}

impl Client {
    /// Opens a connection (Nagle off: requests are small and latency-bound).
    pub(crate) async fn connect(addr: SocketAddr) -> Result<Self> {
        let stream = TcpStream::connect(addr).await.with_context(|| format!("connect {addr}"))?;
        stream.set_nodelay(true).context("TCP_NODELAY")?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .with_context(|| format!("HTTP handshake with {addr}"))?;
        // The connection task ends when the sender is dropped or the node closes the socket;
        // a failure shows up as an error on the next request.
        tokio::spawn(connection);
        let host = HeaderValue::from_str(&addr.to_string()).context("host header")?;
        Ok(Self { sender, host, addr })
    }

    /// The node this client talks to.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// POSTs a prebuilt body and returns the response body (any JSON-RPC error inside it is
    /// the caller's to check: the timed loops only look for one, see [`has_error`]).
    pub(crate) async fn post(&mut self, body: &Bytes) -> Result<Bytes> {
        self.sender.ready().await.context("connection closed by the node")?;
        let request = Request::builder()
            .method(Method::POST)
            .uri("/")
            .header(HOST, self.host.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(body.clone()))
            .context("build request")?;
        let response = self.sender.send_request(request).await.context("send request")?;
        let status = response.status();
        let body = response.into_body().collect().await.context("read response")?.to_bytes();
        if !status.is_success() {
            bail!("HTTP {status}: {}", String::from_utf8_lossy(&body));
        }
        Ok(body)
    }

    /// Calls `method` and returns its `result`, or the node's error as an error.
    pub(crate) async fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        let body =
            self.post(&request_body(method, &params)).await.with_context(|| method.to_string())?;
        result_of(&body).with_context(|| format!("{method} {params}"))
    }
}

/// A JSON-RPC 2.0 request body.
pub(crate) fn request_body(method: &str, params: &Value) -> Bytes {
    Bytes::from(json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string())
}

/// A JSON-RPC batch body of already serialised requests.
pub(crate) fn batch_body<'a>(requests: impl IntoIterator<Item = &'a Bytes>) -> Bytes {
    let mut out = Vec::with_capacity(4096);
    out.push(b'[');
    for (i, r) in requests.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(r);
    }
    out.push(b']');
    Bytes::from(out)
}

/// The `result` of one response, or its `error` as an error.
pub(crate) fn result_of(body: &[u8]) -> Result<Value> {
    let mut response: Value = serde_json::from_slice(body)
        .with_context(|| format!("response is not JSON: {}", String::from_utf8_lossy(body)))?;
    if let Some(error) = response.get("error") {
        bail!("node answered an error: {error}");
    }
    response.get_mut("result").map(Value::take).ok_or_else(|| anyhow!("no result in {response}"))
}

/// Whether a response carries a JSON-RPC error: a substring test, cheap enough for the timed
/// loops (a successful result here is a hex string, which never contains the key).
pub(crate) fn has_error(body: &[u8]) -> bool {
    body.windows(7).any(|w| w == b"\"error\"")
}

/// A `0x…` quantity as u128.
pub(crate) fn quantity(value: &Value) -> Result<u128> {
    let text = value.as_str().ok_or_else(|| anyhow!("expected a hex quantity, got {value}"))?;
    let digits = text.strip_prefix("0x").ok_or_else(|| anyhow!("no 0x prefix: {text}"))?;
    u128::from_str_radix(digits, 16).with_context(|| format!("bad quantity {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_errors_and_quantities() {
        let ok = br#"{"jsonrpc":"2.0","id":1,"result":"0x1f"}"#;
        assert_eq!(quantity(&result_of(ok).unwrap()).unwrap(), 31);
        assert!(!has_error(ok));
        let err = br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nonce too low"}}"#;
        assert!(has_error(err));
        assert!(result_of(err).unwrap_err().to_string().contains("nonce too low"));
        assert!(quantity(&json!("12")).is_err());
        let batch = batch_body(&[request_body("a", &json!([])), request_body("b", &json!([1]))]);
        let parsed: Vec<Value> = serde_json::from_slice(&batch).unwrap();
        assert_eq!(parsed[1]["method"], "b");
    }
}
