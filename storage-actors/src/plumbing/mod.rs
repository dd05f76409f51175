//! What every storage actor needs and builtin-actors' runtime crate gives its actors: parameter
//! and return blocks, caller checks, sends whose failures become exit codes, state load/save,
//! and FRC-42 method numbers. Written once here so each actor reads as its methods.

mod callers;
mod frc42;
mod params;
mod sends;
mod state;

pub use callers::{
    caller_is, caller_kind, caller_type_is, resolve_to_actor_id, restrict_internal_api,
};
pub use frc42::method_hash;
pub use params::{decode_return, no_params, params, ret, ret_none};
pub use sends::{burn, send, send_read_only, transfer};
pub use state::{load_state, save_state, store_error};
