//! A deterministic, synchronous Filecoin virtual machine with native (Rust) actors.
//!
//! It reproduces what ref-fvm does for the messages an FEVM devnet sees — state tree, address
//! resolution, sends with auto-created accounts and placeholders, Filecoin gas, exit codes,
//! events and fee settlement — while the actors themselves are Rust code registered by code CID
//! (the EVM actor and the EAM come from the `evm-actor` crate, which this crate never imports).
//!
//! Reading order: [`executor`] applies a message; [`call_manager`] runs each send; actors see the
//! [`runtime::Runtime`]; state lives in the [`state_tree`] over a [`blockstore`]; [`gas`] prices it
//! all; [`settlement`] splits the fees; [`crypto`] checks signatures. Which code CID is which built-in actor is the state's own
//! [`manifest`], read from the system actor.

pub mod accounts;
pub mod actor;
pub mod blockstore;
pub mod builtin;
pub mod call_manager;
pub mod crypto;
pub mod events;
pub mod executor;
pub mod gas;
pub mod genesis;
pub mod manifest;
pub mod runtime;
pub mod settlement;
pub mod state_tree;
pub mod trace;

pub use actor::{Actor, ActorError, ActorRegistry, ActorResult, BuiltinType};
pub use blockstore::{BufferedBlockstore, MemoryBlockstore, SharedStore};
pub use call_manager::{MAX_CALL_DEPTH, SYSTEM_ACTOR_ID};
pub use executor::{ApplyKind, ApplyRet, BURNT_FUNDS_ACTOR_ID, Executor, REWARD_ACTOR_ID};
pub use gas::{Gas, GasTracker};
pub use manifest::Manifest;
pub use runtime::{ActorStore, Externs, MachineContext, MessageContext, Runtime, SendOutcome};
pub use settlement::GasOutputs;
pub use state_tree::{INIT_ACTOR_ID, InitState, RootCache, StateTree};
pub use trace::CallTrace;
