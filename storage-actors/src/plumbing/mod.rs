//! What every storage actor needs and builtin-actors' runtime crate gives its actors: parameter
//! and return blocks, caller checks, sends whose failures become exit codes, state load/save,
//! FRC-42 method numbers, HAMT keys, batch returns and FIP-0083 events. Written once here so each actor reads as its methods.

mod batch;
mod callers;
mod events;
mod frc42;
mod keys;
mod params;
mod randomness;
mod sends;
mod state;

pub use batch::{BatchBuilder, BatchReturn, FailCode};
pub use callers::{
    caller_is, caller_kind, caller_type_is, resolve_to_actor_id, restrict_internal_api,
};
pub use events::{EVENT_VALUE_CODEC, EventBuilder};
pub use frc42::method_hash;
pub use keys::{address_key, i64_key, parse_i64_key, parse_u64_key, u64_key};
pub use params::{cbor_block, decode_return, no_params, params, ret, ret_none};
pub use randomness::{DomainSeparationTag, beacon_randomness, draw_randomness, ticket_randomness};
pub use sends::{burn, callee_exit_code, send, send_error_code, send_read_only, transfer};
pub use state::{load_state, save_state, store_error};
