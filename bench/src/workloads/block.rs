//! Workload 5 over RPC: many pending ERC-20 transfers, then `evm_mine` until all are in.
//!
//! Both nodes run with `--no-mining`. The transfers are submitted in JSON-RPC batches of 100
//! (timed separately, as pool admission), then the clock runs from the first `evm_mine` until
//! every sender's mined nonce shows all of them included. fevm's tipset gas limit is one
//! block's 10 billion, which holds ~400 transfers at the ~23M-gas limit the estimate gives on
//! the funded token, so fevm needs many tipsets for 10,000 (the `fevm` CLI has no flag for
//! `ChainConfig::tipset_gas_limit`); anvil is started with a block gas limit that holds them
//! all. The in-process variant measures the single 10,000-transfer tipset the budget speaks
//! of. Every round starts a fresh pair of nodes, so each round mines into the same chain.

use std::time::{Duration, Instant};

use alloy_primitives::Address;
use alloy_signer_local::PrivateKeySigner;
use anyhow::{Context, Result, bail};
use bytes::Bytes;

use super::transfers::presign;
use super::{Pair, order, rss_row, side};
use crate::cli::Plan;
use crate::fixture::confirm;
use crate::node::{Binaries, Options};
use crate::report::{Budget, Report, Row, Unit};
use crate::rpc::batch_body;
use crate::session::Session;
use crate::txs::SignedTx;

/// Requests per JSON-RPC batch when filling the pool.
const SUBMIT_BATCH: usize = 100;
/// Blocks after which a workload that has not emptied its pool is an error.
const MAX_BLOCKS: u32 = 200;

/// The workload: `plan.rounds` rounds, each on a fresh pair with manual mining.
pub(crate) async fn group(
    bins: &Binaries,
    plan: &Plan,
    keys: &[PrivateKeySigner],
    report: &mut Report,
) -> Result<()> {
    let n = plan.block_transfers;
    // anvil's default block gas limit (30M) holds ~600 ERC-20 transfers; raise it so that one
    // block can take them all, as one fevm tipset would if the CLI could raise its limit.
    let anvil_gas_limit = (n as u64 * 100_000).max(30_000_000);
    let options = Options { manual_mining: true, anvil_gas_limit: Some(anvil_gas_limit) };
    let name = format!("{n} pending transfers: evm_mine until all included");
    let mut mine = Row::new("5", name, Unit::Secs, Budget::UnderSecs(1.0));
    let name = format!("{n} transfers into the pool (batches of {SUBMIT_BATCH})");
    let mut admit = Row::new("5-admit", name, Unit::PerSec, Budget::None);
    let mut rss = rss_row("RSS-5", "nodes of workload 5");
    let mut blocks = [Vec::new(), Vec::new()];
    let mut gas = [Vec::new(), Vec::new()];
    for round_no in 0..plan.rounds {
        let (mut pair, tokens) = Pair::with_tokens(bins, options, keys).await?;
        for kind in order(round_no) {
            let s = pair.get(kind);
            let txs = presign(s, keys, tokens[side(kind)], n).await?;
            let r = round(s, keys, &txs).await?;
            mine.push(kind, r.mine.as_secs_f64(), None);
            admit.push(kind, r.admitted_per_sec, None);
            blocks[side(kind)].push(r.blocks);
            gas[side(kind)].push(tokens[side(kind)].transfer_gas);
        }
        pair.stop(&mut rss).await?;
    }
    report.notes.push(format!(
        "5: blocks per round: fevm {:?} (a tipset holds 10e9 gas; transfer gas {:?}), anvil \
         {:?} (--gas-limit {anvil_gas_limit}; transfer gas {:?}).",
        blocks[0], gas[0], blocks[1], gas[1]
    ));
    report.rows.extend([mine, admit, rss]);
    Ok(())
}

/// One measured round.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockRound {
    /// Admission rate of the batched submissions, tx/s.
    pub(crate) admitted_per_sec: f64,
    /// First `evm_mine` → all included.
    pub(crate) mine: Duration,
    /// Blocks (tipsets) it took.
    pub(crate) blocks: u32,
}

/// Submits `txs` (signed by [`super::transfers::presign`]) and mines them; checks a sample of
/// receipts afterwards, untimed.
pub(crate) async fn round(
    session: &mut Session,
    keys: &[PrivateKeySigner],
    txs: &[SignedTx],
) -> Result<BlockRound> {
    let mut targets: Vec<(Address, u64)> = Vec::with_capacity(keys.len());
    for key in keys {
        targets.push((key.address(), session.nonce(key.address(), "pending").await?));
    }
    let batches: Vec<Bytes> =
        txs.chunks(SUBMIT_BATCH).map(|c| batch_body(c.iter().map(|t| &t.send_body))).collect();
    let started = Instant::now();
    for body in &batches {
        session.batch(body).await.context("submit pending transfers")?;
    }
    let admitted_per_sec = txs.len() as f64 / started.elapsed().as_secs_f64();
    // Targets: each sender's pending nonce now that everything is in the pool.
    for (address, target) in &mut targets {
        *target = session.nonce(*address, "pending").await?;
    }

    let started = Instant::now();
    let mut blocks = 0;
    loop {
        session.mine().await?;
        blocks += 1;
        if all_included(session, &targets).await? {
            break;
        }
        if blocks >= MAX_BLOCKS {
            bail!("{}: transfers still pending after {MAX_BLOCKS} blocks", session.kind().name());
        }
    }
    let mine = started.elapsed();
    // Every 97th receipt and the last one must be successes (a failed transfer would be a
    // cheap one and flatter the figure).
    for tx in txs.iter().step_by(97).chain(txs.last()) {
        confirm(session, tx).await?;
    }
    Ok(BlockRound { admitted_per_sec, mine, blocks })
}

async fn all_included(session: &mut Session, targets: &[(Address, u64)]) -> Result<bool> {
    for (address, target) in targets {
        if session.nonce(*address, "latest").await? < *target {
            return Ok(false);
        }
    }
    Ok(true)
}
