//! [`TxError`]: why an Ethereum transaction or a delegated-signature message was refused.

use address_mapping::AddressError;
use alloy_primitives::{Address as EthAddress, U256};
use fvm_shared::MethodNum;
use fvm_shared::address::Address;

use crate::message::{SigType, fil};

/// Every reason [`super::decode_raw_transaction`], [`super::eth_transaction_from_message`] and
/// [`super::verify_delegated`] refuse their input. Each rejection has its own variant so the RPC
/// layer can report it precisely; all of them are the client's fault (invalid params / rejected
/// transaction), none is a node error.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    // --- raw transaction bytes -------------------------------------------------------------
    /// The raw transaction is empty.
    #[error("empty transaction")]
    Empty,
    /// The raw transaction is longer than [`super::MAX_RAW_TX_BYTES`].
    #[error("transaction is {size} bytes, more than the {max}-byte limit")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The bytes are not a valid RLP encoding of a transaction of their type (truncated,
    /// wrong item count or shape, an item of the wrong kind, ...).
    #[error("malformed transaction RLP: {0}")]
    MalformedRlp(String),
    /// The RLP is valid but not canonical (an integer with a leading zero, a length prefix
    /// longer than needed, a single byte wrapped as a string, ...).
    #[error("non-canonical transaction RLP: {0}")]
    NonCanonicalRlp(String),
    /// A numeric field does not fit its type (nonce or gas limit over 2^64 − 1, fee over
    /// 2^128 − 1).
    #[error("a numeric transaction field is out of range")]
    FieldOutOfRange,
    /// Bytes follow the end of the transaction.
    #[error("{0} trailing bytes after the transaction")]
    TrailingBytes(usize),
    /// Type 0x01.
    #[error("EIP-2930 transactions are not supported")]
    Eip2930NotSupported,
    /// Type 0x03.
    #[error("EIP-4844 blob transactions (type 3) are not supported")]
    BlobNotSupported,
    /// Type 0x04.
    #[error("EIP-7702 set-code transactions (type 4) are not supported")]
    Eip7702NotSupported,
    /// Any other EIP-2718 type byte.
    #[error("unsupported transaction type {0:#04x}")]
    UnsupportedType(u8),
    /// A legacy transaction whose `v` is neither 27/28 (Homestead) nor chainId·2 + 35/36
    /// (EIP-155).
    #[error("invalid legacy transaction v {0}: expected 27, 28 or chainId*2+35/36")]
    InvalidLegacyV(U256),
    /// The transaction is signed for another chain.
    #[error("invalid chain id: expected {expected}, got {got}")]
    WrongChainId {
        /// This chain's id.
        expected: u64,
        /// The transaction's.
        got: u64,
    },
    /// An EIP-1559 transaction with a non-empty access list (FEVM has no warm/cold accounting).
    #[error("access lists are not supported (got {0} entries)")]
    NonEmptyAccessList(usize),
    /// No sender can be recovered from the signature (invalid r/s, high s, not on the curve).
    #[error("invalid transaction signature: {0}")]
    InvalidSignature(String),
    /// The gas limit exceeds what a Filecoin message can carry (2^63 − 1).
    #[error("gas limit {0} exceeds the Filecoin maximum of 2^63-1")]
    GasLimitOutOfRange(u64),
    /// The `to` address cannot be a Filecoin recipient (address-mapping refuses it, or it names
    /// the EAM, which only accepts deployments).
    #[error("invalid recipient: {0}")]
    InvalidRecipient(String),
    /// The sender's f410 address cannot be formed.
    #[error("invalid sender {0}")]
    InvalidSender(EthAddress),

    // --- Filecoin message → Ethereum transaction --------------------------------------------
    /// The message is not signed with a delegated (Ethereum) signature.
    #[error("expected a delegated signature, found {0}")]
    NotDelegated(SigType),
    /// The sender is not an f410 (EAM namespace) address.
    #[error("sender {} is not an f410 Ethereum address", fil(.0))]
    SenderNotF410(Address),
    /// The message version is not 0.
    #[error("unsupported message version {0}")]
    UnsupportedVersion(u64),
    /// Neither InvokeContract nor `CreateExternal` on the EAM.
    #[error("method {method} to {} is not an Ethereum transaction", fil(.to))]
    UnsupportedMethod {
        /// The recipient.
        to: Address,
        /// The method number.
        method: MethodNum,
    },
    /// The recipient has no 0x form.
    #[error("recipient {} has no Ethereum address: {source}", fil(.to))]
    RecipientNotEth {
        /// The recipient.
        to: Address,
        /// Why it has none.
        source: AddressError,
    },
    /// The params are not empty and not a single non-empty CBOR byte string.
    #[error("invalid params for an Ethereum transaction: {0}")]
    InvalidParams(&'static str),
    /// A token amount is negative or too large for its Ethereum field.
    #[error("{0} is out of range for an Ethereum transaction")]
    AmountOutOfRange(&'static str),
    /// The delegated signature bytes match none of the three layouts.
    #[error("invalid delegated signature encoding: {0}")]
    InvalidSignatureEncoding(String),
    /// Rebuilding the message from the transaction does not give back the original message.
    #[error("message does not round-trip through its Ethereum transaction")]
    RoundTripMismatch,
    /// The signature is valid but was made by someone other than the message's sender.
    #[error("signature is by {recovered}, but the message is from {}", fil(.from))]
    WrongSigner {
        /// The message's `from`.
        from: Address,
        /// The address that signed.
        recovered: EthAddress,
    },
}

impl From<alloy_rlp::Error> for TxError {
    fn from(error: alloy_rlp::Error) -> Self {
        use alloy_rlp::Error as E;
        match error {
            E::LeadingZero | E::NonCanonicalSingleByte | E::NonCanonicalSize => {
                Self::NonCanonicalRlp(error.to_string())
            }
            E::Overflow => Self::FieldOutOfRange,
            _ => Self::MalformedRlp(error.to_string()),
        }
    }
}

impl From<alloy_eips::eip2718::Eip2718Error> for TxError {
    fn from(error: alloy_eips::eip2718::Eip2718Error) -> Self {
        use alloy_eips::eip2718::Eip2718Error as E;
        match error {
            E::RlpError(rlp) => rlp.into(),
            E::UnexpectedType(ty) => Self::UnsupportedType(ty),
            // The enum is non-exhaustive.
            other => Self::MalformedRlp(other.to_string()),
        }
    }
}
