//! Parameter and return blocks, with builtin-actors' exit codes for what goes wrong: missing or
//! unexpected parameters are `USR_ILLEGAL_ARGUMENT`, undecodable ones `USR_SERIALIZATION`, and a
//! callee that returns nothing where a value was expected `USR_ASSERTION_FAILED`.

use filecoin_vm::{ActorError, ActorResult};
use fvm_ipld_encoding::CBOR;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::error::ExitCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes a method's required parameters.
pub fn params<T: DeserializeOwned>(params: Option<IpldBlock>) -> Result<T, ActorError> {
    params
        .ok_or_else(|| ActorError::illegal_argument("method expects parameters, none given"))?
        .deserialize()
        .map_err(|e| ActorError::serialization(format!("failed to decode parameters: {e}")))
}

/// Refuses parameters for a method that takes none.
pub fn no_params(params: &Option<IpldBlock>) -> Result<(), ActorError> {
    match params {
        None => Ok(()),
        Some(_) => Err(ActorError::illegal_argument("method expects no parameters")),
    }
}

/// Encodes a return value as a CBOR block.
pub fn ret<T: Serialize + ?Sized>(value: &T) -> ActorResult {
    IpldBlock::serialize(CBOR, value)
        .map(Some)
        .map_err(|e| ActorError::serialization(format!("failed to encode return: {e}")))
}

/// Encodes the parameters of a send as a CBOR block.
pub fn cbor_block<T: Serialize + ?Sized>(value: &T) -> Result<Option<IpldBlock>, ActorError> {
    IpldBlock::serialize(CBOR, value)
        .map(Some)
        .map_err(|e| ActorError::serialization(format!("failed to encode parameters: {e}")))
}

/// A method that returns nothing.
pub const fn ret_none() -> ActorResult {
    Ok(None)
}

/// Decodes what a callee returned where a value is expected.
pub fn decode_return<T: DeserializeOwned>(block: Option<IpldBlock>) -> Result<T, ActorError> {
    block
        .ok_or_else(|| {
            ActorError::new(ExitCode::USR_ASSERTION_FAILED, "expected a return value, got none")
        })?
        .deserialize()
        .map_err(|e| ActorError::serialization(format!("failed to decode return: {e}")))
}
