//! Workload 3: ERC-20 transfers until receipt, with instant mining on both nodes.
//!
//! The transfers are signed before the clock starts (nonces read from the node, round-robin
//! over the ten dev accounts). Timed: send 50 with sequential `eth_sendRawTransaction`, then
//! poll `eth_getTransactionReceipt` until all 50 are there (status 1), then the next 50. This
//! is how a test suite or a script drives a dev node, and it is the measurement behind
//! anvil's 465 tx/s in TOOLING.md §6.
//!
//! Every round starts a fresh pair of nodes: on one reused node anvil slows down round after
//! round as its chain grows (one block per transfer with instant mining), so a median over
//! rounds would depend on how many rounds ran before.

use std::time::Instant;

use alloy_signer_local::PrivateKeySigner;
use anyhow::Result;

use super::{Pair, order, rss_row, side};
use crate::cli::Plan;
use crate::fixture::TokenSetup;
use crate::node::{Binaries, Options};
use crate::report::{Budget, Report, Row, Unit};
use crate::session::Session;
use crate::txs::{SignedTx, transfers};

/// The workload: `plan.rounds` rounds, each on a fresh pair with instant mining.
pub(crate) async fn group(
    bins: &Binaries,
    plan: &Plan,
    keys: &[PrivateKeySigner],
    report: &mut Report,
) -> Result<()> {
    let (n, batch) = (plan.transfers, plan.batch);
    let name = format!("ERC-20 transfers, batches of {batch} until receipts ({n} per round)");
    let mut row = Row::new("3", name, Unit::PerSec, Budget::AtLeastAnvil(2.0));
    let mut rss = rss_row("RSS-3", "nodes of workload 3");
    let (mut gas, mut blocks) = ([Vec::new(), Vec::new()], [Vec::new(), Vec::new()]);
    for round_no in 0..plan.rounds {
        let (mut pair, tokens) = Pair::with_tokens(bins, Options::default(), keys).await?;
        for kind in order(round_no) {
            let token = tokens[side(kind)];
            let s = pair.get(kind);
            let txs = presign(s, keys, token, n).await?;
            let first = s.block_number().await?;
            row.push(kind, round(s, &txs, batch).await?, None);
            blocks[side(kind)].push(s.block_number().await? - first);
            gas[side(kind)].push(token.transfer_gas);
        }
        pair.stop(&mut rss).await?;
    }
    report.notes.push(format!(
        "3 and 5: gas limit per transfer = the largest of 8 eth_estimateGas samples on the \
         funded token (200 holders) + 10 % + 30 %; FEVM charges Filecoin gas. Workload 3: \
         fevm {:?}, anvil {:?}.",
        gas[0], gas[1]
    ));
    report.notes.push(format!(
        "3: blocks (tipsets) mined per round: fevm {:?}, anvil {:?}.",
        blocks[0], blocks[1]
    ));
    report.rows.extend([row, rss]);
    Ok(())
}

/// Signs `n` transfers for this node from its current nonces and fees (untimed).
pub(crate) async fn presign(
    session: &mut Session,
    keys: &[PrivateKeySigner],
    token: TokenSetup,
    n: usize,
) -> Result<Vec<SignedTx>> {
    let mut nonces = Vec::with_capacity(keys.len());
    for key in keys {
        nonces.push(session.nonce(key.address(), "pending").await?);
    }
    let fees = session.fees().await?;
    transfers(keys, &mut nonces, token.token, token.transfer_gas, fees, n)
}

/// One timed round; returns transactions per second until the last receipt.
pub(crate) async fn round(session: &mut Session, txs: &[SignedTx], batch: usize) -> Result<f64> {
    let started = Instant::now();
    for chunk in txs.chunks(batch.max(1)) {
        for tx in chunk {
            session.send(tx).await?;
        }
        session.wait_receipts(chunk).await?;
    }
    Ok(txs.len() as f64 / started.elapsed().as_secs_f64())
}
