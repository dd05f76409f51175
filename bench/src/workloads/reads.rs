//! Rate measurements of one prebuilt request: a sequential client on one keep-alive
//! connection, or N clients each with its own connection and one request in flight.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use tokio::task::JoinSet;

use crate::rpc::{Client, has_error};
use crate::stats::percentile_us;

/// One measurement.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rate {
    /// Answered requests per second inside the window.
    pub(crate) per_sec: f64,
    /// Median latency (sequential client only).
    pub(crate) p50_us: Option<f64>,
}

/// One client, one request at a time, for `warmup` untimed then `window` timed.
pub(crate) async fn sequential(
    client: &mut Client,
    body: &Bytes,
    warmup: Duration,
    window: Duration,
) -> Result<Rate> {
    let start = Instant::now() + warmup;
    let end = start + window;
    let mut latencies = Vec::with_capacity(65_536);
    loop {
        let sent = Instant::now();
        if sent >= end {
            break;
        }
        let response = client.post(body).await?;
        let done = Instant::now();
        if has_error(&response) {
            bail!("error response: {}", String::from_utf8_lossy(&response));
        }
        if sent >= start && done <= end {
            latencies.push(done - sent);
        }
    }
    let per_sec = latencies.len() as f64 / window.as_secs_f64();
    Ok(Rate { per_sec, p50_us: percentile_us(&mut latencies, 50.0) })
}

/// `clients` connections, each sending the next request as soon as its answer arrives;
/// answers completed inside the window count.
pub(crate) async fn in_flight(
    addr: SocketAddr,
    body: &Bytes,
    clients: usize,
    warmup: Duration,
    window: Duration,
) -> Result<Rate> {
    let mut connections = Vec::with_capacity(clients);
    for _ in 0..clients {
        connections.push(Client::connect(addr).await?);
    }
    let start = Instant::now() + warmup;
    let end = start + window;
    let mut tasks = JoinSet::new();
    for mut client in connections {
        let body = body.clone();
        tasks.spawn(async move {
            let mut answered = 0u64;
            while Instant::now() < end {
                let response = client.post(&body).await?;
                if has_error(&response) {
                    bail!("error response: {}", String::from_utf8_lossy(&response));
                }
                let done = Instant::now();
                if done >= start && done <= end {
                    answered += 1;
                }
            }
            anyhow::Ok(answered)
        });
    }
    let mut answered = 0;
    while let Some(result) = tasks.join_next().await {
        answered += result.context("client task panicked")??;
    }
    Ok(Rate { per_sec: answered as f64 / window.as_secs_f64(), p50_us: None })
}
