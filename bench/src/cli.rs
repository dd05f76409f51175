//! Command line and the plan it makes: how many rounds, how long each, which workloads.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// Runs the same JSON-RPC workloads against fevm and anvil, alternating, and reports medians
/// and the fevm/anvil ratio against the performance budget in DESIGN.md.
#[derive(Debug, Parser)]
#[command(name = "fevm-bench")]
pub(crate) struct Args {
    /// The fevm binary (a release build).
    #[arg(long, default_value = "target/release/fevm")]
    pub(crate) fevm: PathBuf,
    /// The anvil binary (bench/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil).
    #[arg(long, default_value = "bench/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")]
    pub(crate) anvil: PathBuf,
    /// A smoke run: one short round per workload, 2,000 transfers for the block workloads.
    #[arg(long)]
    pub(crate) quick: bool,
    /// Alternating rounds per workload (default 5, or 1 with --quick).
    #[arg(long)]
    pub(crate) rounds: Option<usize>,
    /// Seconds each rate measurement runs (default 3, or 0.5 with --quick).
    #[arg(long)]
    pub(crate) secs: Option<f64>,
    /// Transfers per round of workload 3 (default 1,000, or 200 with --quick).
    #[arg(long)]
    pub(crate) transfers: Option<usize>,
    /// Pending transfers mined at once in workload 5 (default 10,000, or 2,000 with --quick).
    #[arg(long)]
    pub(crate) block_transfers: Option<usize>,
    /// Only these workloads (comma-separated); all by default.
    #[arg(long, value_delimiter = ',')]
    pub(crate) only: Vec<Workload>,
    /// Where `<timestamp>.md`, `<timestamp>.json` and the node logs go.
    #[arg(long, default_value = "bench/results")]
    pub(crate) out: PathBuf,
}

/// The workloads, by the numbers the issue gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Workload {
    /// 1: `eth_blockNumber`, sequential and 16 in flight.
    BlockNumber,
    /// 2: `eth_call` of ERC-20 `balanceOf`, sequential and 16 in flight.
    Call,
    /// 3: pre-signed ERC-20 transfers in batches of 50 until every receipt is present.
    Transfers,
    /// 4: compute-heavy `eth_call` (keccak loop, arithmetic loop).
    Compute,
    /// 5: pending transfers mined with `evm_mine` (both nodes, over RPC).
    Block,
    /// 5, in-process: one fevm tipset of all the transfers through the chain crate.
    InProcess,
    /// Spawn → first answered request, alone.
    ColdStart,
}

/// What to run, resolved from [`Args`].
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// Alternating rounds per workload.
    pub(crate) rounds: usize,
    /// Length of one rate measurement.
    pub(crate) window: Duration,
    /// Untimed requests before each rate measurement (connections, caches).
    pub(crate) warmup: Duration,
    /// Requests in flight for the concurrent variants.
    pub(crate) in_flight: usize,
    /// Transfers per round of workload 3.
    pub(crate) transfers: usize,
    /// Transfers per `eth_sendRawTransaction` batch in workload 3.
    pub(crate) batch: usize,
    /// Pending transfers in workload 5.
    pub(crate) block_transfers: usize,
    /// Iterations of the compute loops in workload 4.
    pub(crate) compute_iterations: u64,
    /// Selected workloads.
    pub(crate) only: Vec<Workload>,
}

impl Plan {
    /// The plan for these arguments.
    pub(crate) fn new(args: &Args) -> Self {
        let quick = args.quick;
        Self {
            rounds: args.rounds.unwrap_or(if quick { 1 } else { 5 }).max(1),
            window: Duration::from_secs_f64(args.secs.unwrap_or(if quick { 0.5 } else { 3.0 })),
            warmup: Duration::from_millis(if quick { 100 } else { 300 }),
            in_flight: 16,
            transfers: args.transfers.unwrap_or(if quick { 200 } else { 1_000 }),
            batch: 50,
            block_transfers: args.block_transfers.unwrap_or(if quick { 2_000 } else { 10_000 }),
            compute_iterations: 10_000,
            only: args.only.clone(),
        }
    }

    /// Whether `w` is selected.
    pub(crate) fn runs(&self, w: Workload) -> bool {
        self.only.is_empty() || self.only.contains(&w)
    }
}
