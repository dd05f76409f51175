//! Filecoin's storage-side built-in actors, natively in Rust, for the fevm devnet: the actors
//! that make a chain Filecoin rather than only an EVM (cron, multisig, payment channels,
//! datacap, and — as they land — power, market, miner and the verified registry).
//!
//! They sit beside `evm-actor` and, like it, implement `filecoin-vm`'s [`Actor`] trait and are
//! registered by code CID ([`register`]); the VM knows nothing of them. State, parameters and
//! method numbers are the network's (builtin-actors v18), so tools that read Filecoin state read
//! ours. Reading order: [`plumbing`] (what every actor shares), then one module per actor.
//!
//! [`Actor`]: filecoin_vm::Actor

pub mod plumbing;

pub mod datacap;
pub mod multisig;
pub mod paych;
pub mod token;

use std::sync::Arc;

use filecoin_vm::{ActorRegistry, BuiltinType};

/// Registers every actor of this crate under its code CID.
pub fn register(registry: &mut ActorRegistry) {
    registry
        .register(BuiltinType::Multisig.code_cid(), Arc::new(multisig::MultisigActor))
        .register(BuiltinType::PaymentChannel.code_cid(), Arc::new(paych::PaychActor))
        .register(BuiltinType::DataCap.code_cid(), Arc::new(datacap::DataCapActor));
}
