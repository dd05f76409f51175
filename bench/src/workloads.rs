//! The workload groups. A group starts a fresh fevm and a fresh anvil (workloads 3 and 5: a
//! fresh pair every round, as their state grows), sets both up the same way, then runs every
//! round on both, alternating which goes first (fevm first in even rounds), so that drift in
//! the machine's state (caches, other processes, chain growth) falls on both alike. Before a
//! pair stops, both nodes' peak RSS is read.

pub(crate) mod block;
pub(crate) mod in_process;
pub(crate) mod reads;
pub(crate) mod transfers;

use alloy_primitives::{Address, B256, U256};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use serde_json::{Value, json};
use solidity_fixtures::{Compute, Token};

use crate::affinity::OneCpu;
use crate::cli::{Plan, Workload};
use crate::fixture;
use crate::node::{Binaries, Kind, Node, Options};
use crate::report::{Budget, Report, Row, Unit};
use crate::rpc::{request_body, result_of};
use crate::session::Session;

/// fevm and anvil, started alike.
#[derive(Debug)]
pub(crate) struct Pair([Session; 2]);

impl Pair {
    /// Starts both nodes.
    pub(crate) async fn start(bins: &Binaries, options: Options) -> Result<Self> {
        let fevm = Session::start(bins, Kind::Fevm, options).await?;
        let anvil = Session::start(bins, Kind::Anvil, options).await?;
        Ok(Self([fevm, anvil]))
    }

    /// Starts both nodes and deploys and funds the token on each (fevm's first).
    pub(crate) async fn with_tokens(
        bins: &Binaries,
        options: Options,
        keys: &[PrivateKeySigner],
    ) -> Result<(Self, [fixture::TokenSetup; 2])> {
        let mut pair = Self::start(bins, options).await?;
        let fevm = fixture::token(pair.get(Kind::Fevm), keys, true).await?;
        let anvil = fixture::token(pair.get(Kind::Anvil), keys, true).await?;
        Ok((pair, [fevm, anvil]))
    }

    /// One node.
    pub(crate) fn get(&mut self, kind: Kind) -> &mut Session {
        &mut self.0[side(kind)]
    }

    /// Stops both and records their peak RSS (MiB) in `rss`.
    pub(crate) async fn stop(self, rss: &mut Row) -> Result<()> {
        for session in self.0 {
            let kind = session.kind();
            rss.push(kind, session.stop().await? as f64 / 1024.0, None);
        }
        Ok(())
    }
}

/// 0 for fevm, 1 for anvil: the index of per-node arrays.
pub(crate) fn side(kind: Kind) -> usize {
    usize::from(kind == Kind::Anvil)
}

/// A row for the nodes' peak RSS.
pub(crate) fn rss_row(id: &'static str, what: &str) -> Row {
    Row::new(id, format!("peak RSS, {what}"), Unit::MiB, Budget::None)
}

/// Round `r`'s order: fevm first in even rounds, anvil first in odd ones.
pub(crate) fn order(round: usize) -> [Kind; 2] {
    if round.is_multiple_of(2) { [Kind::Fevm, Kind::Anvil] } else { [Kind::Anvil, Kind::Fevm] }
}

/// How a read workload's client sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Client {
    /// One request at a time on one keep-alive connection, wherever the scheduler puts it.
    Sequential,
    /// The same, with the client and the node pinned to one CPU ([`OneCpu`]).
    SequentialOneCpu,
    /// `Plan::in_flight` connections, each with one request in flight.
    InFlight,
}

/// One read measurement: its row, its client, and the request each node gets (the contract
/// addresses may differ).
#[derive(Debug)]
struct Measure {
    row: Row,
    client: Client,
    bodies: [Bytes; 2],
}

/// Workloads 1, 2 and 4: read-only requests, one pair of nodes for all of them.
pub(crate) async fn reads(
    bins: &Binaries,
    plan: &Plan,
    keys: &[PrivateKeySigner],
    report: &mut Report,
) -> Result<()> {
    if ![Workload::BlockNumber, Workload::Call, Workload::Compute].iter().any(|w| plan.runs(*w)) {
        return Ok(());
    }
    let mut pair = Pair::start(bins, Options::default()).await?;
    let mut contracts = Vec::new();
    for kind in [Kind::Fevm, Kind::Anvil] {
        let s = pair.get(kind);
        contracts
            .push((fixture::token(s, keys, false).await?.token, fixture::compute(s, keys).await?));
    }
    // The same request for each node, with that node's contract addresses.
    let both = |f: &dyn Fn(Address, Address) -> Bytes| -> [Bytes; 2] {
        let ((t0, c0), (t1, c1)) = (contracts[0], contracts[1]);
        [f(t0, c0), f(t1, c1)]
    };
    let measure = |id, name: String, client, bodies| Measure {
        row: Row::new(id, name, Unit::PerSec, Budget::AtLeastAnvil(1.0)),
        client,
        bodies,
    };
    // A sequential workload runs twice: as the scheduler places it, and with client and node
    // on one CPU, the same request without the placement lottery of a 2-vCPU VM (`affinity`).
    let both_placements = |ids: [&'static str; 2], name: String, bodies: [Bytes; 2]| {
        [
            measure(ids[0], name.clone(), Client::Sequential, bodies.clone()),
            measure(ids[1], format!("{name}, one CPU"), Client::SequentialOneCpu, bodies),
        ]
    };
    let (c, iters) = (plan.in_flight, plan.compute_iterations);
    let owner = keys[0].address();
    let n = U256::from(iters);
    let mut measures = Vec::new();
    if plan.runs(Workload::BlockNumber) {
        let b = both(&|_, _| request_body("eth_blockNumber", &json!([])));
        measures.extend(both_placements(
            ["1a", "1a-1cpu"],
            "eth_blockNumber, sequential".into(),
            b.clone(),
        ));
        measures.push(measure(
            "1b",
            format!("eth_blockNumber, {c} in flight"),
            Client::InFlight,
            b,
        ));
    }
    if plan.runs(Workload::Call) {
        let b = both(&|t, _| eth_call(t, Token::balanceOfCall { account: owner }.abi_encode()));
        measures.extend(both_placements(
            ["2a", "2a-1cpu"],
            "eth_call balanceOf, sequential".into(),
            b.clone(),
        ));
        measures.push(measure(
            "2b",
            format!("eth_call balanceOf, {c} in flight"),
            Client::InFlight,
            b,
        ));
    }
    if plan.runs(Workload::Compute) {
        let seed = B256::repeat_byte(7);
        let b = both(&|_, c| eth_call(c, Compute::hashLoopCall { seed, n }.abi_encode()));
        measures.extend(both_placements(
            ["4a", "4a-1cpu"],
            format!("eth_call keccak loop ×{iters}, sequential"),
            b,
        ));
        let seed = U256::from(7u64);
        let b = both(&|_, c| eth_call(c, Compute::arithCall { seed, n }.abi_encode()));
        measures.extend(both_placements(
            ["4b", "4b-1cpu"],
            format!("eth_call arithmetic loop ×{iters}, sequential"),
            b,
        ));
    }
    for m in &mut measures {
        if !m.row.id.starts_with('1') && m.client != Client::SequentialOneCpu {
            same_answers(&mut pair, &m.bodies).await?;
        }
        for round in 0..plan.rounds {
            for kind in order(round) {
                let body = &m.bodies[side(kind)];
                let s = pair.get(kind);
                let rate = match m.client {
                    Client::Sequential => {
                        reads::sequential(&mut s.client, body, plan.warmup, plan.window).await?
                    }
                    Client::SequentialOneCpu => {
                        let _pinned = OneCpu::pin(s.node.pid())?;
                        reads::sequential(&mut s.client, body, plan.warmup, plan.window).await?
                    }
                    Client::InFlight => {
                        reads::in_flight(s.client.addr(), body, c, plan.warmup, plan.window).await?
                    }
                };
                m.row.push(kind, rate.per_sec, rate.p50_us);
            }
        }
        eprintln!("  done: {} {}", m.row.id, m.row.name);
    }
    report.rows.extend(measures.into_iter().map(|m| m.row));
    let mut rss = rss_row("RSS-a", "nodes of workloads 1, 2, 4");
    pair.stop(&mut rss).await?;
    report.rows.push(rss);
    Ok(())
}

fn eth_call(to: Address, data: Vec<u8>) -> Bytes {
    let input = format!("0x{}", alloy_primitives::hex::encode(data));
    request_body("eth_call", &json!([{"to": to, "data": input}, "latest"]))
}

/// Both nodes must compute the same result, or the comparison means nothing.
async fn same_answers(pair: &mut Pair, bodies: &[Bytes; 2]) -> Result<()> {
    let fevm: Value =
        result_of(&pair.get(Kind::Fevm).client.post(&bodies[0]).await?).context("fevm")?;
    let anvil: Value =
        result_of(&pair.get(Kind::Anvil).client.post(&bodies[1]).await?).context("anvil")?;
    if fevm != anvil {
        bail!("fevm answered {fevm}, anvil {anvil} to {}", String::from_utf8_lossy(&bodies[0]));
    }
    Ok(())
}

/// Spawn → first answered request, each node alone, `rounds` times.
pub(crate) async fn cold_start(bins: &Binaries, plan: &Plan, report: &mut Report) -> Result<()> {
    let mut row = Row::new("0", "cold start: spawn → first answer", Unit::Millis, Budget::None);
    for round in 0..plan.rounds.max(3) {
        for kind in order(round) {
            let node = Node::start(bins, kind, Options::default()).await?;
            row.push(kind, node.cold_start.as_secs_f64() * 1e3, None);
            node.stop().await?;
        }
    }
    report.rows.push(row);
    Ok(())
}

/// Workload 5 in-process (fevm only): see [`in_process`].
pub(crate) fn tipset_in_process(
    plan: &Plan,
    keys: &[PrivateKeySigner],
    report: &mut Report,
) -> Result<()> {
    let n = plan.block_transfers;
    let mut mine = Row::new(
        "5-chain",
        format!("one tipset of {n} transfers, execute + commit (chain crate, fevm only)"),
        Unit::Secs,
        Budget::UnderSecs(1.0),
    );
    let mut admit = Row::new(
        "5-chain-admit",
        format!("{n} transfers into the pool (chain crate, fevm only)"),
        Unit::PerSec,
        Budget::None,
    );
    for _ in 0..plan.rounds {
        let r = in_process::round(keys, n)?;
        mine.push(Kind::Fevm, r.execute_and_commit.as_secs_f64(), None);
        admit.push(Kind::Fevm, n as f64 / r.admit.as_secs_f64(), None);
    }
    report.notes.push(format!(
        "5-chain: chain crate in-process, MiningMode::Manual, tipset_gas_limit = {n} × 30M gas \
         (the gas limit of each transfer), same token state as over RPC (10 senders, {} \
         holders); every receipt is checked to be a success.",
        crate::txs::RECIPIENTS
    ));
    report.rows.extend([mine, admit]);
    Ok(())
}
