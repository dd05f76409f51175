//! An actor's state: one DAG-CBOR block (blake2b-256) at the actor's state root.

use filecoin_vm::{ActorError, Runtime};
use fvm_ipld_encoding::CborStore;
use multihash_codetable::Code;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Reads this actor's state.
pub fn load_state<T: DeserializeOwned>(rt: &mut dyn Runtime) -> Result<T, ActorError> {
    let root = rt.state_root()?;
    rt.store()
        .get_cbor(&root)
        .map_err(store_error)?
        .ok_or_else(|| ActorError::illegal_state(format!("state block {root} is missing")))
}

/// Writes this actor's state (refused while read-only).
pub fn save_state<T: Serialize>(rt: &mut dyn Runtime, state: &T) -> Result<(), ActorError> {
    let root = rt.store().put_cbor(state, Code::Blake2b256).map_err(store_error)?;
    rt.set_state_root(&root)
}

/// A failure of the store or of a data structure over it: `USR_ILLEGAL_STATE`, as in
/// builtin-actors. (When the failure was the charging store running out of gas, the call
/// manager sees the exhausted tracker and unwinds with out-of-gas instead.)
pub fn store_error(e: impl std::fmt::Display) -> ActorError {
    ActorError::illegal_state(e.to_string())
}
