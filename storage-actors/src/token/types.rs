//! FRC-46's parameters and returns, and the receiver hook's payload, encoded as the FRC-46
//! library encodes them: every struct is a CBOR tuple (even those of one field).

use fvm_ipld_encoding::RawBytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

/// What `Transfer` takes: the caller moves its own tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TransferParams {
    /// The recipient (its Receive hook is called).
    pub to: Address,
    /// How much to move.
    pub amount: TokenAmount,
    /// Passed to the recipient's hook untouched.
    pub operator_data: RawBytes,
}

/// What `Transfer` returns, read after the recipient's hook ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TransferReturn {
    /// The sender's balance afterwards.
    pub from_balance: TokenAmount,
    /// The recipient's balance afterwards.
    pub to_balance: TokenAmount,
    /// What the recipient's hook returned.
    pub recipient_data: RawBytes,
}

/// What `TransferFrom` takes: the caller moves another holder's tokens within its allowance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TransferFromParams {
    /// The holder debited.
    pub from: Address,
    /// The recipient (its Receive hook is called).
    pub to: Address,
    /// How much to move.
    pub amount: TokenAmount,
    /// Passed to the recipient's hook untouched.
    pub operator_data: RawBytes,
}

/// What `TransferFrom` returns, read after the recipient's hook ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TransferFromReturn {
    /// The holder's balance afterwards.
    pub from_balance: TokenAmount,
    /// The recipient's balance afterwards.
    pub to_balance: TokenAmount,
    /// The caller's remaining allowance over the holder.
    pub allowance: TokenAmount,
    /// What the recipient's hook returned.
    pub recipient_data: RawBytes,
}

/// What `Mint` returns, read after the recipient's hook ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MintReturn {
    /// The recipient's balance afterwards.
    pub balance: TokenAmount,
    /// The total supply afterwards.
    pub supply: TokenAmount,
    /// What the recipient's hook returned.
    pub recipient_data: RawBytes,
}

/// What `IncreaseAllowance` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct IncreaseAllowanceParams {
    /// Who may spend the caller's tokens.
    pub operator: Address,
    /// Added to its allowance (non-negative).
    pub increase: TokenAmount,
}

/// What `DecreaseAllowance` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct DecreaseAllowanceParams {
    /// Whose allowance over the caller's tokens shrinks.
    pub operator: Address,
    /// Taken off its allowance (non-negative; the allowance floors at zero).
    pub decrease: TokenAmount,
}

/// What `RevokeAllowance` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RevokeAllowanceParams {
    /// Whose allowance over the caller's tokens is removed.
    pub operator: Address,
}

/// What `Allowance` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct GetAllowanceParams {
    /// The holder.
    pub owner: Address,
    /// The spender.
    pub operator: Address,
}

/// What `Burn` takes: the caller destroys its own tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BurnParams {
    /// How much to destroy.
    pub amount: TokenAmount,
}

/// What `Burn` (and datacap's `Destroy`) returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BurnReturn {
    /// The holder's balance afterwards.
    pub balance: TokenAmount,
}

/// What `BurnFrom` takes: the caller destroys another holder's tokens within its allowance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BurnFromParams {
    /// The holder debited.
    pub owner: Address,
    /// How much to destroy.
    pub amount: TokenAmount,
}

/// What `BurnFrom` returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BurnFromReturn {
    /// The holder's balance afterwards.
    pub balance: TokenAmount,
    /// The caller's remaining allowance over the holder.
    pub allowance: TokenAmount,
}

/// The universal receiver hook's parameters (`Receive`): the kind of asset and its payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct UniversalReceiverParams {
    /// The asset type; [`FRC46_TOKEN_TYPE`](super::FRC46_TOKEN_TYPE) for these tokens.
    pub type_: u32,
    /// The CBOR of an [`Frc46TokenReceived`] for FRC-46 tokens.
    pub payload: RawBytes,
}

/// The FRC-46 payload of the receiver hook: who moved what to whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Frc46TokenReceived {
    /// The holder debited (the token actor itself for a mint).
    pub from: ActorID,
    /// The recipient.
    pub to: ActorID,
    /// Who initiated the move (the holder for a plain transfer, the minter for a mint).
    pub operator: ActorID,
    /// How much arrived.
    pub amount: TokenAmount,
    /// What the operator attached.
    pub operator_data: RawBytes,
    /// What the token actor attached.
    pub token_data: RawBytes,
}
