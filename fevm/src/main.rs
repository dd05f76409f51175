//! `fevm`: start the devnet and its gateway, or `fevm address <x>`.
//!
//! The binary wires the pieces the libraries provide: a [`DevNode`] (the devnet; later a forked
//! node or a remote Lotus), the `eth_rpc` gateway over it, the mined-transaction log, the
//! command line ([`cli`]), the log subscriber and the allocator. Nothing here is a library API.

mod cli;
mod txlog;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use chain::{DevApi, DevNode, FullNode};
use clap::Parser;
use cli::{Cli, Command, banner, describe_address};
use eth_rpc::gateway::Backend;
use tracing_subscriber::EnvFilter;

/// mimalloc, because serving a request allocates and frees many small buffers (JSON, CBOR, HAMT
/// nodes) and glibc's malloc was a quarter of an `eth_call`'s instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Address { address }) = &cli.command {
        return match describe_address(address) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    let default_level = if cli.quiet { "warn" } else { "info" };
    let filter =
        EnvFilter::try_from_env("FEVM_LOG").unwrap_or_else(|_| EnvFilter::new(default_level));
    // Colours only on a terminal: logs piped to a file stay plain text.
    let ansi = std::io::stdout().is_terminal();
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_ansi(ansi).init();

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.chain_config()?;
    let node = {
        let config = config.clone();
        Arc::new(tokio::task::spawn_blocking(move || DevNode::start(config)).await??)
    };
    let server =
        eth_rpc::gateway::serve(Backend::devnet(node.clone()), cli.server_config()).await?;
    let dyn_node: Arc<dyn FullNode> = node.clone();
    let tx_log = tokio::spawn(txlog::log_mined_transactions(dyn_node));
    println!("{}\n", banner(&config, node.dev_accounts(), node.native_accounts()));
    println!("Listening on {}", server.local_addr());

    shutdown_signal().await;
    tracing::info!(target: "fevm::server", "shutting down");
    server.stop();
    server.stopped().await;
    tx_log.abort();
    tokio::task::spawn_blocking(move || node.shutdown()).await?;
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
