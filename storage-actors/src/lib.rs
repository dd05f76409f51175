//! Filecoin's storage-side built-in actors, natively in Rust, for the fevm devnet: the actors
//! that make a chain Filecoin rather than only an EVM: cron, reward, power, the storage market,
//! the storage miner, the verified registry, datacap, multisig and payment channels.
//!
//! They sit beside `evm-actor` and, like it, implement `filecoin-vm`'s [`Actor`] trait and are
//! registered by code CID ([`register`]); the VM knows nothing of them. State, parameters and
//! method numbers are the network's (builtin-actors v18), so tools that read Filecoin state read
//! ours. Reading order: [`plumbing`] (what every actor shares), then one module per actor.
//!
//! [`Actor`]: filecoin_vm::Actor

pub mod plumbing;

pub mod cron;
pub mod datacap;
pub mod genesis;
pub mod market;
pub mod miner;
pub mod multisig;
pub mod paych;
pub mod power;
pub mod reward;
pub mod smoothing;
pub mod supply;
pub mod token;
pub mod verifreg;

use std::sync::Arc;

use filecoin_vm::{ActorRegistry, BuiltinType};
use fvm_shared::ActorID;

/// The cron actor's ID (f03).
pub const CRON_ACTOR_ID: ActorID = 3;
/// The storage power actor's ID (f04).
pub const POWER_ACTOR_ID: ActorID = 4;
/// The storage market actor's ID (f05).
pub const MARKET_ACTOR_ID: ActorID = 5;
/// The verified registry's ID (f06).
pub const VERIFIED_REGISTRY_ACTOR_ID: ActorID = 6;
/// The datacap actor's ID (f07).
pub const DATACAP_ACTOR_ID: ActorID = 7;

/// Registers every actor of this crate under its code CID.
pub fn register(registry: &mut ActorRegistry) {
    registry
        .register(BuiltinType::Cron.code_cid(), Arc::new(cron::CronActor))
        .register(BuiltinType::Multisig.code_cid(), Arc::new(multisig::MultisigActor))
        .register(BuiltinType::PaymentChannel.code_cid(), Arc::new(paych::PaychActor))
        .register(BuiltinType::DataCap.code_cid(), Arc::new(datacap::DataCapActor))
        .register(
            BuiltinType::VerifiedRegistry.code_cid(),
            Arc::new(verifreg::VerifiedRegistryActor),
        )
        .register(BuiltinType::Power.code_cid(), Arc::new(power::PowerActor))
        .register(BuiltinType::Reward.code_cid(), Arc::new(reward::RewardActor))
        .register(BuiltinType::Market.code_cid(), Arc::new(market::MarketActor))
        .register(BuiltinType::Miner.code_cid(), Arc::new(miner::methods::MinerActor));
}
