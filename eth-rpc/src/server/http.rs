//! HTTP request and response shaping around jsonrpsee.
//!
//! * [`buffer_body`] reads the body before jsonrpsee sees it. A body over the cap is drained
//!   (bounded) and answered with `413` and JSON-RPC error −32007. Answering without reading
//!   the body makes the kernel reset the connection while the client is still writing, and
//!   Node's `fetch` (viem, ethers) then reports `EPIPE` instead of the error.
//! * [`fix_invalid_request`] corrects jsonrpsee's answer to a JSON object that is not a
//!   request and has no `id` (e.g. `{"foo":1}`): jsonrpsee says −32700 (parse error), the
//!   JSON-RPC 2.0 specification says −32600 (invalid request).

use std::{future::poll_fn, pin::Pin, time::Duration};

use axum::{
    body::{Body, Bytes, HttpBody},
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use jsonrpsee::types::{
    ErrorObjectOwned, Id, Response as RpcResponse, ResponsePayload,
    error::{ErrorCode, reject_too_big_request},
};

/// How much of an oversized body is read and discarded so that the client sees the JSON-RPC
/// error; beyond this the connection is simply closed.
const MAX_DRAIN_BYTES: usize = 512 * 1024 * 1024;
/// How long draining an oversized body may take.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// Responses at most this long are inspected by [`fix_invalid_request`].
const MAX_INSPECTED_RESPONSE: usize = 256;

/// A request whose body has been read into memory.
#[derive(Debug)]
pub(super) struct Buffered {
    /// The request, with the body replaced by the bytes read.
    pub(super) request: Request,
    /// The body bytes (a cheap clone of what the request carries).
    pub(super) body: Bytes,
}

/// Read the whole request body (at most `limit` bytes) so that jsonrpsee gets a body of known
/// length. An oversized body is drained and answered with `413` + JSON-RPC error −32007.
/// A missing `Content-Type` is taken as JSON (curl without `-H`).
pub(super) async fn buffer_body(request: Request, limit: usize) -> Result<Buffered, Response> {
    let (mut parts, mut body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        drain(body).await;
        return Err(too_large(limit));
    }

    let capacity = declared.map_or(0, |len| usize::try_from(len).unwrap_or(limit).min(limit));
    let mut buffer = Vec::with_capacity(capacity);
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(frame) = frame else {
            // The client went away mid-body; nobody reads this answer.
            return Err(StatusCode::BAD_REQUEST.into_response());
        };
        if let Ok(data) = frame.into_data() {
            if buffer.len().saturating_add(data.len()) > limit {
                drain(body).await;
                return Err(too_large(limit));
            }
            buffer.extend_from_slice(&data);
        }
    }

    if !parts.headers.contains_key(header::CONTENT_TYPE) {
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let body = Bytes::from(buffer);
    Ok(Buffered { request: Request::from_parts(parts, Body::from(body.clone())), body })
}

/// Read and discard the rest of a body, bounded in size and time.
async fn drain(mut body: Body) {
    let drained = async {
        let mut seen = 0usize;
        while let Some(Ok(frame)) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            if let Ok(data) = frame.into_data() {
                seen = seen.saturating_add(data.len());
                if seen > MAX_DRAIN_BYTES {
                    break;
                }
            }
        }
    };
    // A timeout only means the client is slow; the connection is then closed.
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, drained).await;
}

fn too_large(limit: usize) -> Response {
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    rpc_error_response(StatusCode::PAYLOAD_TOO_LARGE, reject_too_big_request(limit))
}

/// A JSON-RPC error response with a null id.
pub(super) fn rpc_error_response(status: StatusCode, err: ErrorObjectOwned) -> Response {
    match serde_json::to_string(&null_id_error(err)) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body)
            .into_response(),
        Err(_) => status.into_response(),
    }
}

fn null_id_error(err: ErrorObjectOwned) -> RpcResponse<'static, ()> {
    RpcResponse::new(ResponsePayload::error(err), Id::Null)
}

/// Length of jsonrpsee's parse-error answer; only responses of exactly this length are
/// inspected, so the check costs nothing on ordinary answers.
pub(super) fn parse_error_len() -> Option<u64> {
    let answer = null_id_error(ErrorCode::ParseError.into());
    serde_json::to_vec(&answer).ok().map(|bytes| bytes.len() as u64)
}

/// Turn jsonrpsee's −32700 into −32600 when the request body was valid JSON (see the module
/// docs); any other response is returned unchanged.
pub(super) async fn fix_invalid_request(
    response: Response,
    request_body: &[u8],
    parse_error_len: Option<u64>,
) -> Response {
    let len = response.body().size_hint().exact();
    if len.is_none() || len != parse_error_len || !is_json_object(request_body) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_INSPECTED_RESPONSE).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let is_parse_error = serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|answer| {
        answer.pointer("/error/code").and_then(serde_json::Value::as_i64)
            == Some(ErrorCode::ParseError.code().into())
    });
    if is_parse_error {
        return rpc_error_response(parts.status, ErrorCode::InvalidRequest.into());
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn is_json_object(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_len_is_known() {
        let len = parse_error_len().expect("serializes");
        assert_eq!(
            len as usize,
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#.len()
        );
    }

    #[tokio::test]
    async fn valid_json_that_is_not_a_request_becomes_invalid_request() {
        let parse_error = rpc_error_response(StatusCode::OK, ErrorCode::ParseError.into());
        let fixed = fix_invalid_request(parse_error, br#"{"foo":1}"#, parse_error_len()).await;
        let body = axum::body::to_bytes(fixed.into_body(), 1024).await.expect("body");
        let answer: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(answer["error"]["code"], -32600);
        assert_eq!(answer["id"], serde_json::Value::Null);
    }

    #[tokio::test]
    async fn malformed_json_stays_a_parse_error() {
        let parse_error = rpc_error_response(StatusCode::OK, ErrorCode::ParseError.into());
        let kept = fix_invalid_request(parse_error, br#"{"foo":"#, parse_error_len()).await;
        let body = axum::body::to_bytes(kept.into_body(), 1024).await.expect("body");
        let answer: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(answer["error"]["code"], -32700);
    }
}
