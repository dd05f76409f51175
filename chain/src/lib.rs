//! The FEVM devnet node: it turns the Filecoin VM into a running chain.
//!
//! Reading order: [`config`] says what a devnet is; [`genesis`] builds its first state;
//! [`eth_tx`] turns signed Ethereum transactions into Filecoin [`message`]s and back; the
//! [`mempool`] queues them; [`execution`] runs read-only calls (with [`overrides`]); [`miner`] builds [`tipset`]s with real [`block`] headers,
//! executing them at once, stamped by the [`clock`]; [`store`] commits each tipset atomically to
//! redb; [`node`] runs it all and serves the Lotus-shaped [`api::FullNode`] interface the
//! gateway uses, plus the devnet's own powers, [`api::DevApi`]. Every call fails with one
//! [`error::NodeError`].
//!
//! This is the only crate that knows the disk.

pub mod api;
pub mod basefee;
pub mod block;
pub mod clock;
pub mod config;
mod dev_api;
pub mod error;
pub mod eth_tx;
pub mod events;
pub mod execution;
pub mod genesis;
pub mod logs;
pub mod mempool;
pub mod message;
pub mod miner;
pub mod node;
mod node_api;
pub mod overrides;
pub mod providers;
pub mod store;
pub mod tipset;

pub use api::{DevApi, FullNode, PushError};
pub use clock::Clock;
pub use config::{ChainConfig, MiningMode};
pub use error::{NodeError, NodeResult};
pub use events::{EventSource, IndexedEvent};
pub use execution::{EstimateError, InvocResult};
pub use genesis::DevAccount;
pub use logs::{IndexedLog, LogFilter};
pub use mempool::PendingMessage;
pub use message::SignedMessage;
pub use node::DevNode;
pub use overrides::{
    AccountOverride, BlockOverride, CallOverrides, OverrideError, StorageOverride,
};
pub use store::MessageLocation;
pub use tipset::Tipset;
