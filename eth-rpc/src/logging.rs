//! Per-request logging, as a jsonrpsee RPC middleware.
//!
//! Every call, notification and batch entry logs its method name at `info` under the target
//! [`RPC_LOG_TARGET`] (like anvil, which prints the method of every request), and its duration
//! and outcome at `debug`. A CLI `-q` flag silences it with a filter such as `fevm::rpc=warn`.

use std::{borrow::Cow, future::Future, time::Instant};

use jsonrpsee::{
    core::middleware::{Batch, BatchEntry, Notification, RpcServiceT},
    server::MethodResponse,
    types::Request,
};

/// The `tracing` target of the per-request log lines.
pub const RPC_LOG_TARGET: &str = "fevm::rpc";

/// Layer that wraps an RPC service in [`RpcLogger`]; add it with
/// `RpcServiceBuilder::new().layer(RpcLoggerLayer)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RpcLoggerLayer;

impl<S> tower::Layer<S> for RpcLoggerLayer {
    type Service = RpcLogger<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RpcLogger { inner }
    }
}

/// RPC middleware that logs each method name (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct RpcLogger<S> {
    inner: S,
}

impl<S> RpcServiceT for RpcLogger<S>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Send
        + Sync,
{
    type MethodResponse = MethodResponse;
    type NotificationResponse = MethodResponse;
    type BatchResponse = MethodResponse;

    fn call<'a>(&self, request: Request<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        let method: Cow<'a, str> = request.method.clone();
        tracing::info!(target: RPC_LOG_TARGET, "{method}");
        let started = Instant::now();
        let response = self.inner.call(request);
        async move {
            let response = response.await;
            log_outcome(&method, started, &response);
            response
        }
    }

    fn batch<'a>(&self, batch: Batch<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        let len = batch.len();
        for entry in batch.iter() {
            match entry {
                Ok(BatchEntry::Call(request)) => {
                    let method = request.method_name();
                    tracing::info!(target: RPC_LOG_TARGET, batch = len, "{method}");
                }
                Ok(BatchEntry::Notification(notification)) => {
                    tracing::info!(target: RPC_LOG_TARGET, batch = len, "{}", notification.method);
                }
                Err(_) => {
                    tracing::debug!(target: RPC_LOG_TARGET, batch = len, "invalid batch entry");
                }
            }
        }
        let started = Instant::now();
        let response = self.inner.batch(batch);
        async move {
            let response = response.await;
            log_outcome("batch", started, &response);
            response
        }
    }

    fn notification<'a>(
        &self,
        notification: Notification<'a>,
    ) -> impl Future<Output = MethodResponse> + Send + 'a {
        tracing::info!(target: RPC_LOG_TARGET, notification = true, "{}", notification.method);
        self.inner.notification(notification)
    }
}

fn log_outcome(method: &str, started: Instant, response: &MethodResponse) {
    tracing::debug!(
        target: RPC_LOG_TARGET,
        method,
        elapsed_us = started.elapsed().as_micros(),
        error_code = response.as_error_code(),
        "done",
    );
}
