//! Ethereum JSON-RPC gateway for the FEVM devnet.
//!
//! Clients (MetaMask, ethers, viem, web3.js, Hardhat, Foundry) speak Ethereum JSON-RPC; this
//! crate serves it over HTTP and WebSocket on one port and translates it into the node's
//! Filecoin-shaped interface. It is the only crate that knows JSON-RPC and its error codes.
//!
//! * [`server`]: the transport — an axum router with jsonrpsee mounted inside, batches, body
//!   and batch limits, CORS, `/health`, WebSocket subscriptions, graceful shutdown.
//! * [`gateway`]: the namespaces assembled over a [`gateway::Backend`] (a node, and its dev
//!   powers if it has any).
//! * One module per JSON-RPC namespace: [`eth`] (`eth_`), [`web3`] (`web3_`, `net_`),
//!   [`filecoin`] (Lotus's `Filecoin.*`), [`dev`] (`evm_`/`anvil_`, only with dev powers).
//! * What they share: [`context`] (what every handler sees), [`params`] (positional
//!   parameters), [`lotus_json`] (Lotus's JSON forms), [`vm`] (where VM work runs).
//! * [`error`]: [`RpcError`], the single mapping from failures (the node's included) to
//!   JSON-RPC error objects; [`revert`]: decoding of Solidity revert data.
//! * [`logging`]: the per-request log line (`fevm::rpc` target), an RPC middleware.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use eth_rpc::{ServerConfig, start, web3};
//! use jsonrpsee::RpcModule;
//!
//! let mut rpc = RpcModule::new(());
//! rpc.merge(web3::module(31_415_926)?)?;
//! let server = start(ServerConfig::default(), rpc).await?;
//! println!("listening on {}", server.local_addr());
//! server.stopped().await;
//! # Ok(())
//! # }
//! ```

#![cfg_attr(not(test), warn(unused_crate_dependencies))]
// Client input flows through the transport and the handlers: forbid hidden panics.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::unreachable
    )
)]

pub mod context;
pub mod dev;
pub mod error;
pub mod eth;
pub mod filecoin;
pub mod gateway;
pub mod logging;
pub mod lotus_json;
pub mod params;
pub mod revert;
pub mod server;
pub mod vm;
pub mod web3;

pub use error::{RpcError, RpcResult};
pub use server::{RunningServer, ServerConfig, start};
