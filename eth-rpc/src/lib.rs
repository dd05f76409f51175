//! Ethereum JSON-RPC gateway for the FEVM devnet.
//!
//! Clients (MetaMask, ethers, viem, web3.js, Hardhat, Foundry) speak Ethereum JSON-RPC; this
//! crate serves it over HTTP and WebSocket on one port and translates it into the node's
//! Filecoin-shaped interface. It is the only crate that knows JSON-RPC and its error codes.
//!
//! * [`server`]: the transport — an axum router with jsonrpsee mounted inside, batches, body
//!   and batch limits, CORS, `/health`, WebSocket subscriptions, graceful shutdown.
//! * [`logging`]: the per-request log line (`fevm::rpc` target), an RPC middleware.
//! * [`error`]: [`RpcError`], the single mapping from failures to JSON-RPC error objects.
//! * [`revert`]: decoding of Solidity revert data (`Error(string)`, `Panic(uint256)`).
//! * [`methods`]: the method modules (`web3_`, `net_`, …), each an `RpcModule` merged into the
//!   [`jsonrpsee::Methods`] handed to [`server::start`].
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use eth_rpc::{ServerConfig, methods, start};
//! use jsonrpsee::RpcModule;
//!
//! let mut rpc = RpcModule::new(());
//! rpc.merge(methods::web3::module()?)?;
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

pub mod cli;
pub mod error;
pub mod eth;
pub mod gateway;
pub mod logging;
pub mod methods;
pub mod revert;
pub mod server;
pub mod txlog;

pub use error::{RpcError, RpcResult};
/// The allocator the `fevm` binary installs: mimalloc, because serving a request allocates
/// and frees many small buffers (JSON, CBOR, HAMT nodes) and glibc's malloc was a quarter of an
/// `eth_call`'s instructions.
pub use mimalloc::MiMalloc as Allocator;

// Used by the `fevm` binary only.
pub use server::{RunningServer, ServerConfig, start};
use tracing_subscriber as _;
