//! Method numbers and parameter/return encodings of the EVM actor and the EAM (FEVM.md §1.6–1.7).

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{RawBytes, strict_bytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::{ActorID, MethodNum};

/// The EAM's actor ID (f010).
pub const EAM_ACTOR_ID: ActorID = address_mapping::EAM_ACTOR_ID;

/// EVM `Constructor`: `[creator, initcode]`, caller must be init.
pub const CONSTRUCTOR_METHOD: MethodNum = 1;
/// EVM `Resurrect`: same params, caller must be the EAM, contract must be dead.
pub const RESURRECT_METHOD: MethodNum = 2;
/// EVM `GetBytecode`: nullable CID of the raw bytecode block.
pub const GET_BYTECODE_METHOD: MethodNum = 3;
/// EVM `GetBytecodeHash`: keccak256 of the code (keccak("") when dead).
pub const GET_BYTECODE_HASH_METHOD: MethodNum = 4;
/// EVM `GetStorageAt`: `[key]` → value; system caller only.
pub const GET_STORAGE_AT_METHOD: MethodNum = 5;
/// EVM `InvokeContractDelegate`: the DELEGATECALL trampoline (self only).
pub const INVOKE_CONTRACT_DELEGATE_METHOD: MethodNum = 6;
/// EVM `InvokeContract` = FRC-42 `InvokeEVM`.
pub const INVOKE_CONTRACT_METHOD: MethodNum = 3_844_450_837;
/// Methods from here up (other than `InvokeContract`) go to `handle_filecoin_method`.
pub const FIRST_FILECOIN_METHOD: MethodNum = 1024;

/// EAM `Create` (EVM callers).
pub const EAM_CREATE_METHOD: MethodNum = 2;
/// EAM `Create2` (EVM callers).
pub const EAM_CREATE2_METHOD: MethodNum = 3;
/// EAM `CreateExternal` (the message origin, an account).
pub const EAM_CREATE_EXTERNAL_METHOD: MethodNum = 4;

/// EVM constructor (and resurrect) parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    /// The creator's Ethereum address.
    #[serde(with = "strict_bytes")]
    pub creator: [u8; 20],
    /// Initcode to run.
    pub initcode: RawBytes,
}

/// `InvokeContractDelegate` parameters (DAG-CBOR).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct InvokeDelegateParams {
    /// The bytecode block to run.
    pub code: Cid,
    /// Calldata.
    pub input: RawBytes,
    /// CALLER to present (the delegating frame's caller).
    #[serde(with = "strict_bytes")]
    pub caller: [u8; 20],
    /// CALLVALUE to present.
    pub value: TokenAmount,
}

/// `GetStorageAt` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetStorageAtParams {
    /// The slot.
    pub storage_key: crate::state::Word,
}

/// EAM `Create` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct EamCreateParams {
    /// Initcode.
    pub initcode: RawBytes,
    /// The creating contract's nonce.
    pub nonce: u64,
}

/// EAM `Create2` parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct EamCreate2Params {
    /// Initcode.
    pub initcode: RawBytes,
    /// The salt.
    #[serde(with = "strict_bytes")]
    pub salt: [u8; 32],
}

/// What every EAM create method returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct EamReturn {
    /// The new (or resurrected) actor's ID.
    pub actor_id: ActorID,
    /// Its f2 address; null when a dead contract was resurrected.
    pub robust_address: Option<Address>,
    /// Its Ethereum address.
    #[serde(with = "strict_bytes")]
    pub eth_address: [u8; 20],
}

/// Decodes a method's parameters; missing parameters are an illegal argument.
pub(crate) fn decode_params<T: serde::de::DeserializeOwned>(
    params: Option<fvm_ipld_encoding::ipld_block::IpldBlock>,
) -> Result<T, filecoin_vm::ActorError> {
    params
        .ok_or_else(|| filecoin_vm::ActorError::illegal_argument("missing parameters"))?
        .deserialize()
        .map_err(Into::into)
}
