//! End-to-end tests of the devnet node through its `FullNode` and `DevApi` interfaces.

mod events;
mod harness;
mod mempool;
mod mining;
mod overrides;
mod persistence;
mod providers;
mod state;
