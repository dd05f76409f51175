//! The EVM actor and the Ethereum Address Manager for the Filecoin VM, on revm.
//!
//! One revm interpreter runs per actor invocation. Everything that leaves the contract — calls,
//! creation, self-destruct, value, logs, storage — goes through the Filecoin VM with FEVM's
//! semantics (FEVM.md): calls are actor sends, storage is a KAMT in the actor's state, logs are
//! actor events, gas is Filecoin gas ([`gas_model`]).
//!
//! Register both actors with [`register`]; install the EAM at f010 at genesis.

pub mod actor;
pub mod addressing;
pub mod eam;
pub mod gas_model;
mod hashing;
pub mod interpreter;
pub mod methods;
pub mod precompiles;
pub mod state;
pub mod system;
pub mod units;

use std::sync::Arc;

pub use actor::EvmActor;
pub use eam::EamActor;
use filecoin_vm::{ActorRegistry, BuiltinType};

/// Registers the EVM actor and the EAM under their static code CIDs. A state whose manifest
/// gives them other CIDs (a fork of a real network) runs them too: the VM resolves such a CID
/// through the manifest's name to these registrations (`ActorRegistry::resolve`), and the EAM
/// deploys contracts with the manifest's EVM code (`Runtime::builtin_code`).
pub fn register(registry: &mut ActorRegistry) {
    registry.register(BuiltinType::Evm.code_cid(), Arc::new(EvmActor));
    registry.register(BuiltinType::Eam.code_cid(), Arc::new(EamActor));
}
