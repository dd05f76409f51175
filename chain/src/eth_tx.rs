//! Ethereum transactions ⇄ Filecoin messages (FIP-0055, FIP-0091), as Lotus converts them.
//!
//! An Ethereum wallet submits a signed transaction with `eth_sendRawTransaction`;
//! [`decode_raw_transaction`] checks it and turns it into the Filecoin [`SignedMessage`] the
//! mempool, miner and VM handle. The message keeps everything needed to rebuild the original
//! transaction: [`eth_transaction_from_message`] does that (for `eth_getTransactionByHash`,
//! blocks and receipts), and [`verify_delegated`] uses it to authenticate a message.
//!
//! # Accepted transaction types
//!
//! | type | accepted | why |
//! |---|---|---|
//! | EIP-1559 (`0x02`) | yes, with an **empty access list** and this chain's id | FIP-0055; the FVM has no warm/cold access accounting an access list could pre-pay |
//! | legacy EIP-155 (`v` = chainId·2 + 35/36) | yes, with this chain's id | FIP-0091, for tools that still sign legacy transactions |
//! | legacy Homestead (`v` = 27/28) | yes | FIP-0091; pre-EIP-155 deployers (e.g. deterministic-deployment proxies) need them |
//! | EIP-2930 (`0x01`) | no | its only feature, the access list, has no meaning on the FVM; Lotus refuses it too |
//! | EIP-4844 (`0x03`) | no | Filecoin has no blobs |
//! | EIP-7702 (`0x04`) | no | FIP-0111 is a draft; the FEVM has no delegation designators |
//!
//! Input must be canonical RLP with nothing after it, at most [`MAX_RAW_TX_BYTES`] long, and
//! carry a recoverable low-`s` signature (EIP-2).
//!
//! # The message
//!
//! * `From` is the f410 address of the recovered sender.
//! * A deployment (`to` empty) goes to the EAM (`f010`) with method `CreateExternal` (4); any
//!   other transaction goes to the Filecoin form of `to` (f410, or f0 for a masked ID) with
//!   method `InvokeContract` (3844450837).
//! * `Params` is the input as one CBOR byte string, or empty when the input is empty.
//! * `Sequence`, `Value` and `GasLimit` are copied; `GasFeeCap`/`GasPremium` are
//!   `maxFeePerGas`/`maxPriorityFeePerGas`, or `gasPrice` for both; `Version` is 0.
//! * The signature is [`SigType::Delegated`](crate::message::SigType::Delegated), laid out by
//!   type: EIP-1559 `r ‖ s ‖ yParity` (65 bytes); Homestead `0x01 ‖ r ‖ s ‖ v` (66 bytes,
//!   `v` ∈ {27, 28}); EIP-155 `0x02 ‖ r ‖ s ‖ v` with `v` in minimal big-endian bytes (68 bytes
//!   for chain id 314159).
//!
//! The transaction hash ([`EthTransaction::hash`]) is keccak256 of the raw bytes and has no
//! relation to the message CID. Native (f1/f3) messages have no transaction; their Ethereum-style
//! hash is the CID's digest ([`eth_hash_from_cid`]).

mod decode;
mod error;
mod from_message;
mod params;
mod to_message;

use alloy_consensus::TxEnvelope;
use alloy_primitives::{Address as EthAddress, B256};
use cid::Cid;
use cid::multihash::Multihash;
use fvm_ipld_encoding::DAG_CBOR;

use crate::message::SignedMessage;

pub use decode::decode_raw_transaction;
pub use error::TxError;
pub use from_message::{eth_hash_of_message, eth_transaction_from_message, verify_delegated};
pub use to_message::EthMessage;

/// The largest raw transaction [`decode_raw_transaction`] accepts (128 KiB). The mempool caps
/// the resulting Filecoin message separately, at 64 KiB.
pub const MAX_RAW_TX_BYTES: usize = 128 * 1024;

/// First byte of a delegated signature for a legacy Homestead transaction.
pub const HOMESTEAD_SIGNATURE_PREFIX: u8 = 0x01;

/// First byte of a delegated signature for a legacy EIP-155 transaction.
pub const EIP155_SIGNATURE_PREFIX: u8 = 0x02;

/// Multihash code of blake2b-256.
const BLAKE2B_256: u64 = 0xb220;

/// The three accepted transaction kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EthTxKind {
    /// Type 2 (EIP-1559).
    Eip1559,
    /// Legacy with replay protection (EIP-155).
    Eip155,
    /// Legacy without a chain id (`v` = 27/28).
    Homestead,
}

/// A checked Ethereum transaction and the Filecoin message that carries it.
#[derive(Debug, Clone)]
pub struct EthTransaction {
    envelope: TxEnvelope,
    kind: EthTxKind,
    hash: B256,
    sender: EthAddress,
    message: SignedMessage,
}

impl EthTransaction {
    /// The decoded transaction (always the `Eip1559` or `Legacy` variant).
    pub const fn envelope(&self) -> &TxEnvelope {
        &self.envelope
    }

    /// Which of the accepted types it is.
    pub const fn kind(&self) -> EthTxKind {
        self.kind
    }

    /// keccak256 of the raw signed encoding: the hash `eth_sendRawTransaction` returns.
    pub const fn hash(&self) -> B256 {
        self.hash
    }

    /// The recovered sender.
    pub const fn sender(&self) -> EthAddress {
        self.sender
    }

    /// The Filecoin message with its delegated signature.
    pub const fn message(&self) -> &SignedMessage {
        &self.message
    }

    /// Takes the Filecoin message.
    pub fn into_message(self) -> SignedMessage {
        self.message
    }
}

/// The 32-byte Ethereum-style hash of a CID: the raw digest of its multihash, as Lotus derives
/// the hashes of native messages and tipset keys. Every CID this node produces is blake2b-256;
/// a digest of another length is right-aligned into 32 bytes (truncated on the left if longer).
pub fn eth_hash_from_cid(cid: &Cid) -> B256 {
    let mut out = B256::ZERO;
    let digest = cid.hash().digest();
    out.iter_mut().rev().zip(digest.iter().rev()).for_each(|(dst, src)| *dst = *src);
    out
}

/// The inverse of [`eth_hash_from_cid`] for this node's CIDs: the hash as a CIDv1 DAG-CBOR
/// blake2b-256 digest.
pub fn cid_from_eth_hash(hash: B256) -> Cid {
    // `wrap` only fails for digests over 64 bytes.
    match Multihash::wrap(BLAKE2B_256, hash.as_slice()) {
        Ok(multihash) => Cid::new_v1(DAG_CBOR, multihash),
        Err(_) => Cid::default(),
    }
}
