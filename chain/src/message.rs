//! Filecoin signed messages, with the wire encodings Lotus uses.
//!
//! A [`SignedMessage`] is the unit the mempool, the miner and the block store handle: an unsigned
//! [`Message`] (from `fvm_shared`) plus a [`Signature`]. Its DAG-CBOR encoding is the 2-tuple
//! `[Message, Signature]`, and the signature is a single CBOR byte string `type ‖ data`, exactly
//! like Lotus's `types.SignedMessage` and `crypto.Signature`, so CIDs computed here match the ones
//! a Lotus node would compute for the same message.
//!
//! Three signature types exist ([`SigType`]); `fvm_shared`'s `SignatureType` knows only the first
//! two, which is why this module has its own:
//!
//! * **secp256k1** (f1 accounts): 65 bytes `r ‖ s ‖ v` with `v` ∈ {0, 1}, over
//!   blake2b-256 of the unsigned message CID bytes. [`sign_secp`] and [`verify_secp`] implement
//!   it, and [`secp_address`] derives the f1 address of a key.
//! * **BLS** (f3 accounts): carried and encoded, but not produced or checked by this devnet. A
//!   BLS message is identified by its *unsigned* CID and is included in blocks without its
//!   signature, which is why [`SignedMessage::cid`] and [`SignedMessage::chain_length`] special
//!   case it.
//! * **Delegated** (f410 Ethereum accounts, FIP-0055): the bytes encode an Ethereum transaction
//!   signature; see [`crate::eth_tx`] for their layout and verification.

use address_mapping::{DisplayAddress, Network, display_address};
use alloy_primitives::B256;
use alloy_signer::SignerSync;
use alloy_signer::k256::ecdsa::VerifyingKey;
use alloy_signer_local::PrivateKeySigner;
use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{BytesDe, DAG_CBOR, strict_bytes};
use fvm_shared::address::{Address, Payload};
use fvm_shared::message::Message;
use multihash_codetable::{Code, MultihashDigest};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Length of a secp256k1 message signature: `r ‖ s ‖ v`.
pub const SECP_SIGNATURE_LEN: usize = 65;

/// The signature schemes a Filecoin message can carry, with Lotus's type bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SigType {
    /// secp256k1 ECDSA over blake2b-256 of the message CID (f1 senders).
    Secp256k1 = 1,
    /// BLS12-381 (f3 senders).
    Bls = 2,
    /// An Ethereum transaction signature (f410 senders, FIP-0055).
    Delegated = 3,
}

impl SigType {
    /// The type for a wire type byte, if it names one.
    pub const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(Self::Secp256k1),
            2 => Some(Self::Bls),
            3 => Some(Self::Delegated),
            _ => None,
        }
    }

    /// The wire type byte.
    pub const fn as_byte(self) -> u8 {
        self as u8
    }
}

impl std::fmt::Display for SigType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Secp256k1 => "secp256k1",
            Self::Bls => "bls",
            Self::Delegated => "delegated",
        })
    }
}

/// A message signature: its scheme and the scheme-specific bytes.
///
/// Encoded as one CBOR byte string whose first byte is the [`SigType`] and whose remaining bytes
/// are [`Signature::bytes`]. Decoding rejects an empty string and unknown type bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    /// The signature scheme.
    pub sig_type: SigType,
    /// The signature data, without the type byte.
    pub bytes: Vec<u8>,
}

impl Signature {
    /// A signature of the given type.
    pub const fn new(sig_type: SigType, bytes: Vec<u8>) -> Self {
        Self { sig_type, bytes }
    }

    /// The wire form: the type byte followed by the signature data.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes.len() + 1);
        out.push(self.sig_type.as_byte());
        out.extend_from_slice(&self.bytes);
        out
    }

    /// Parses the wire form (type byte, then data).
    pub fn from_wire(wire: &[u8]) -> Result<Self, MessageError> {
        let (&type_byte, data) = wire.split_first().ok_or(MessageError::EmptySignature)?;
        let sig_type =
            SigType::from_byte(type_byte).ok_or(MessageError::UnknownSignatureType(type_byte))?;
        Ok(Self { sig_type, bytes: data.to_vec() })
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        strict_bytes::Serialize::serialize(&self.to_wire(), serializer)
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = BytesDe::deserialize(deserializer)?;
        Self::from_wire(&wire.0).map_err(D::Error::custom)
    }
}

/// Errors decoding messages and signatures.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// A signature's byte string was empty (no type byte).
    #[error("signature is empty")]
    EmptySignature,
    /// A signature's first byte is not a known [`SigType`].
    #[error("unknown signature type {0}")]
    UnknownSignatureType(u8),
    /// The bytes are not a DAG-CBOR `[Message, Signature]` tuple (or have trailing data).
    #[error("invalid signed message encoding: {0}")]
    Decode(String),
    /// The bytes decode, but are not the canonical encoding of what they decode to, so they would
    /// not hash to the message's CID.
    #[error("signed message encoding is not canonical")]
    NonCanonical,
}

/// A Filecoin message with its signature, encoded as the CBOR tuple `[Message, Signature]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize_tuple, Deserialize_tuple)]
pub struct SignedMessage {
    /// The unsigned message.
    pub message: Message,
    /// The sender's signature over it.
    pub signature: Signature,
}

impl SignedMessage {
    /// Pairs a message with its signature.
    pub const fn new(message: Message, signature: Signature) -> Self {
        Self { message, signature }
    }

    /// The DAG-CBOR encoding `[Message, Signature]`.
    ///
    /// # Panics
    ///
    /// Only if a token amount in the message is larger than 2^1016 attoFIL, which the CBOR
    /// encoding cannot represent. No message decoded by [`Self::from_bytes`] or built by
    /// [`crate::eth_tx`] can hold such a value.
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decodes [`Self::to_bytes`] output. Rejects trailing bytes, unknown signature types and
    /// non-canonical encodings; never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MessageError> {
        let smsg: Self = fvm_ipld_encoding::from_slice(bytes)
            .map_err(|e| MessageError::Decode(e.to_string()))?;
        match fvm_ipld_encoding::to_vec(&smsg) {
            Ok(canonical) if canonical == bytes => Ok(smsg),
            _ => Err(MessageError::NonCanonical),
        }
    }

    /// The message's identity on chain: for BLS the unsigned message's CID (BLS signatures are
    /// aggregated per block and not stored with the message), otherwise the CID of the signed
    /// encoding.
    ///
    /// # Panics
    ///
    /// As [`Self::to_bytes`].
    pub fn cid(&self) -> Cid {
        match self.signature.sig_type {
            SigType::Bls => message_cid(&self.message),
            SigType::Secp256k1 | SigType::Delegated => dag_cbor_cid(&self.to_bytes()),
        }
    }

    /// [`Self::cid`] and [`Self::chain_length`] from a single encoding (the pool needs both for
    /// every message it admits).
    ///
    /// # Panics
    ///
    /// As [`Self::to_bytes`].
    pub fn cid_and_chain_length(&self) -> (Cid, usize) {
        match self.signature.sig_type {
            SigType::Bls => {
                let unsigned = encode(&self.message);
                (dag_cbor_cid(&unsigned), unsigned.len())
            }
            SigType::Secp256k1 | SigType::Delegated => {
                let signed = self.to_bytes();
                (dag_cbor_cid(&signed), signed.len())
            }
        }
    }

    /// The number of bytes the message occupies on chain, which sets its inclusion gas: the
    /// unsigned encoding for BLS, the signed encoding otherwise.
    ///
    /// # Panics
    ///
    /// As [`Self::to_bytes`].
    pub fn chain_length(&self) -> usize {
        match self.signature.sig_type {
            SigType::Bls => encode(&self.message).len(),
            SigType::Secp256k1 | SigType::Delegated => self.to_bytes().len(),
        }
    }
}

/// The CID of an unsigned message: CIDv1, DAG-CBOR, blake2b-256 of its encoding.
///
/// # Panics
///
/// As [`SignedMessage::to_bytes`].
pub fn message_cid(message: &Message) -> Cid {
    dag_cbor_cid(&encode(message))
}

/// CIDv1 DAG-CBOR blake2b-256 of already encoded bytes.
pub(crate) fn dag_cbor_cid(bytes: &[u8]) -> Cid {
    Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(bytes))
}

/// DAG-CBOR encoding of a message or signed message.
#[allow(clippy::expect_used)] // see the `# Panics` sections of the public callers
fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    fvm_ipld_encoding::to_vec(value)
        .expect("messages encode unless a token amount exceeds the 128-byte CBOR bigint limit")
}

/// Errors signing or verifying secp256k1 messages.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The message is not signed with secp256k1.
    #[error("expected a secp256k1 signature, found {0}")]
    WrongType(SigType),
    /// A secp256k1 signature is not 65 bytes long.
    #[error("secp256k1 signature must be 65 bytes, got {0}")]
    InvalidLength(usize),
    /// The recovery byte is not 0 or 1.
    #[error("secp256k1 recovery id must be 0 or 1, got {0}")]
    InvalidRecoveryId(u8),
    /// No public key can be recovered from the signature.
    #[error("cannot recover a public key from the signature: {0}")]
    Recovery(String),
    /// The sender is not an f1 (secp256k1 key) address, so a secp256k1 signature cannot
    /// authenticate it.
    #[error("sender {} is not a secp256k1 (f1) address", fil(.0))]
    SenderNotSecp(Address),
    /// The signature is valid but was made by a different key than the sender's.
    #[error("signature is by {}, but the message is from {}", fil(.recovered), fil(.from))]
    WrongSigner {
        /// The message's `from`.
        from: Box<Address>,
        /// The f1 address of the key that signed.
        recovered: Box<Address>,
    },
    /// The signing key failed to sign.
    #[error("signing failed: {0}")]
    Signing(String),
}

/// Filecoin text form of an address for error messages, always with the mainnet `f` prefix
/// (the process-global network of `fvm_shared` is never consulted).
pub(crate) fn fil(address: &Address) -> DisplayAddress<'_> {
    display_address(address, Network::Mainnet)
}

/// The f1 address of a secp256k1 public key: blake2b-160 of its 65-byte uncompressed form.
#[allow(clippy::expect_used)] // an uncompressed SEC1 point is always 65 bytes
pub fn secp_address(pubkey: &VerifyingKey) -> Address {
    let point = pubkey.to_encoded_point(false);
    Address::new_secp256k1(point.as_bytes()).expect("uncompressed secp256k1 keys are 65 bytes")
}

/// The digest a secp256k1 message signature covers: blake2b-256 of the unsigned CID bytes.
fn secp_signing_digest(message: &Message) -> B256 {
    let hash = blake2b_simd::Params::new().hash_length(32).hash(&message_cid(message).to_bytes());
    B256::from_slice(hash.as_bytes())
}

/// Signs `message` as a native f1 message: a 65-byte `r ‖ s ‖ v` signature over blake2b-256 of
/// the unsigned message CID bytes.
///
/// The message's `from` is not checked; [`verify_secp`] will reject the result unless it is
/// [`secp_address`] of `key`.
pub fn sign_secp(
    message: Message,
    key: &PrivateKeySigner,
) -> Result<SignedMessage, SignatureError> {
    let digest = secp_signing_digest(&message);
    let sig = key.sign_hash_sync(&digest).map_err(|e| SignatureError::Signing(e.to_string()))?;
    let mut bytes = Vec::with_capacity(SECP_SIGNATURE_LEN);
    bytes.extend_from_slice(&sig.r().to_be_bytes::<32>());
    bytes.extend_from_slice(&sig.s().to_be_bytes::<32>());
    bytes.push(u8::from(sig.v()));
    Ok(SignedMessage::new(message, Signature::new(SigType::Secp256k1, bytes)))
}

/// Checks a secp256k1-signed message: recovers the signing key and requires its f1 address to
/// be the message's `from`.
pub fn verify_secp(smsg: &SignedMessage) -> Result<(), SignatureError> {
    if smsg.signature.sig_type != SigType::Secp256k1 {
        return Err(SignatureError::WrongType(smsg.signature.sig_type));
    }
    let from = smsg.message.from;
    if !matches!(from.payload(), Payload::Secp256k1(_)) {
        return Err(SignatureError::SenderNotSecp(from));
    }
    let bytes: &[u8; SECP_SIGNATURE_LEN] = smsg
        .signature
        .bytes
        .as_slice()
        .try_into()
        .map_err(|_| SignatureError::InvalidLength(smsg.signature.bytes.len()))?;
    let (rs, v) = bytes.split_at(64);
    let parity = match v {
        [0] => false,
        [1] => true,
        [other, ..] => return Err(SignatureError::InvalidRecoveryId(*other)),
        [] => return Err(SignatureError::InvalidLength(bytes.len())),
    };
    let sig = alloy_primitives::Signature::from_bytes_and_parity(rs, parity);
    let pubkey = sig
        .recover_from_prehash(&secp_signing_digest(&smsg.message))
        .map_err(|e| SignatureError::Recovery(e.to_string()))?;
    let recovered = secp_address(&pubkey);
    if recovered == from {
        Ok(())
    } else {
        Err(SignatureError::WrongSigner { from: Box::new(from), recovered: Box::new(recovered) })
    }
}
