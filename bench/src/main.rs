//! `fevm-bench`: the same JSON-RPC client workloads against fevm and anvil, alternating, on
//! the same machine, with medians, the fevm/anvil ratio and DESIGN.md's budget per workload.
//!
//! Run it through `bench/run.sh [--quick]`, which installs anvil and builds fevm first. The
//! table goes to stdout; `bench/results/<timestamp>.{md,json}` keep it, and the nodes' logs go
//! to `bench/results/logs/`.
//!
//! | module | what |
//! |---|---|
//! | [`affinity`] | client and node on one CPU for the sequential workloads |
//! | [`cli`] | flags and the plan (rounds, window, transfers) |
//! | [`node`] | spawning a node, its `Listening on` line, peak RSS, SIGTERM |
//! | [`rpc`] | the keep-alive JSON-RPC client both nodes are measured with |
//! | [`session`] | a node plus its client: fees, nonces, sending, receipts |
//! | [`txs`] | dev keys and pre-signed transactions |
//! | [`fixture`] | the ERC-20 and the compute contract, deployed on each node |
//! | [`workloads`] | the workload groups and their alternating rounds |
//! | [`report`] | the table, markdown and JSON |
//! | [`stats`] | median and percentiles |

mod affinity;
mod cli;
mod fixture;
mod meta;
mod node;
mod report;
mod rpc;
mod session;
mod stats;
mod txs;
mod workloads;

use anyhow::{Context, Result};
use clap::Parser;

use crate::cli::{Args, Plan, Workload};
use crate::node::Binaries;
use crate::report::Report;

fn main() -> Result<()> {
    let args = Args::parse();
    let plan = Plan::new(&args);
    let logs = args.out.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("create {}", logs.display()))?;
    let bins = Binaries { fevm: args.fevm.clone(), anvil: args.anvil.clone(), log_dir: logs };
    for path in [&bins.fevm, &bins.anvil] {
        anyhow::ensure!(path.is_file(), "{} not found (run bench/run.sh)", path.display());
    }
    let keys = txs::dev_keys()?;
    let mut report = Report { meta: meta::collect(&args, &plan, &bins), ..Report::default() };
    eprintln!(
        "{}",
        report.meta.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n")
    );

    // One thread: the client stays cheap and leaves the other core to the node.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        if plan.runs(Workload::ColdStart) {
            eprintln!("cold start…");
            workloads::cold_start(&bins, &plan, &mut report).await?;
        }
        eprintln!("workloads 1, 2, 4 (reads)…");
        workloads::reads(&bins, &plan, &keys, &mut report).await?;
        if plan.runs(Workload::Transfers) {
            eprintln!("workload 3 (transfers until receipt)…");
            workloads::transfers::group(&bins, &plan, &keys, &mut report).await?;
        }
        if plan.runs(Workload::Block) {
            eprintln!("workload 5 (pending transfers, evm_mine)…");
            workloads::block::group(&bins, &plan, &keys, &mut report).await?;
        }
        anyhow::Ok(())
    })?;
    // The in-process node runs its own threads; keep it out of the client's runtime.
    if plan.runs(Workload::InProcess) {
        eprintln!("workload 5 in-process (chain crate)…");
        workloads::tipset_in_process(&plan, &keys, &mut report)?;
    }
    report.notes.extend(meta::notes());

    println!("\n{}", report.text_table());
    let (md, json) = meta::write(&args.out, &report)?;
    println!("\nwritten: {}\n         {}", md.display(), json.display());
    Ok(())
}
