//! The EVM actor's state, in FEVM's layout (builtin-actors `actors/evm/src/state.rs`):
//! a DAG-CBOR tuple `[bytecode, bytecode_hash, contract_state, transient_data, nonce,
//! tombstone]`, where `bytecode` is a raw IPLD block and `contract_state` a KAMT of storage.

use std::borrow::Cow;

use alloy_primitives::U256;
use cid::Cid;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_kamt::{AsHashedKey, Config, HashedKey};
use fvm_shared::ActorID;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// KAMT parameters of contract storage: bit width 5, data allowed at the root, one pair per
/// bucket, so Solidity's contiguous slots share long key prefixes (FIP-0054).
pub fn storage_kamt_config() -> Config {
    Config { bit_width: 5, min_data_depth: 0, max_array_width: 1 }
}

/// A 256-bit word encoded as a CBOR byte string of its minimal big-endian form (no leading
/// zero bytes; zero is the empty string), as FEVM encodes storage keys, values and U256 params.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Word(pub U256);

impl Serialize for Word {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes = self.0.to_be_bytes::<32>();
        let first = bytes.iter().position(|b| *b != 0).unwrap_or(32);
        strict_bytes::serialize(&bytes[first..], s)
    }
}

impl<'de> Deserialize<'de> for Word {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes: Vec<u8> = strict_bytes::deserialize(d)?;
        if bytes.len() > 32 {
            return Err(serde::de::Error::custom("U256 longer than 32 bytes"));
        }
        Ok(Self(U256::from_be_slice(&bytes)))
    }
}

/// Storage keys hash to themselves: the 32-byte big-endian slot number.
#[derive(Debug)]
pub struct SlotKey;

impl AsHashedKey<Word, 32> for SlotKey {
    fn as_hashed_key(key: &Word) -> Cow<'_, HashedKey<32>> {
        Cow::Owned(key.0.to_be_bytes::<32>())
    }
}

/// When transient storage was last written: it is only valid within that top-level message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TransientLifespan {
    /// The top-level sender.
    pub origin: ActorID,
    /// The top-level message's nonce.
    pub nonce: u64,
}

/// Transient storage (EIP-1153 / FIP-0097): a second KAMT with its lifespan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TransientData {
    /// KAMT root of the transient slots.
    pub transient_data_state: Cid,
    /// The message the data belongs to.
    pub transient_data_lifespan: TransientLifespan,
}

/// Set by SELFDESTRUCT: the message in which the contract died. It stays fully functional until
/// that message ends, and is dead afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Tombstone {
    /// The top-level sender of the destroying message.
    pub origin: ActorID,
    /// That message's nonce.
    pub nonce: u64,
}

/// The EVM actor's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct EvmState {
    /// Raw IPLD block of the runtime bytecode.
    pub bytecode: Cid,
    /// keccak256 of the bytecode.
    #[serde(with = "strict_bytes")]
    pub bytecode_hash: Vec<u8>,
    /// KAMT root of persistent storage.
    pub contract_state: Cid,
    /// Transient storage, if any was written.
    pub transient_data: Option<TransientData>,
    /// The CREATE nonce; starts at 1 (EIP-161).
    pub nonce: u64,
    /// Set once the contract self-destructed.
    pub tombstone: Option<Tombstone>,
}

impl EvmState {
    /// Whether the contract is dead as seen from the message `(origin, nonce)`: it has a
    /// tombstone from an earlier message.
    pub fn is_dead(&self, origin: ActorID, nonce: u64) -> bool {
        self.tombstone.is_some_and(|t| t != Tombstone { origin, nonce })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_encode_minimal_big_endian() {
        let enc = |v: u64| fvm_ipld_encoding::to_vec(&Word(U256::from(v))).unwrap();
        assert_eq!(enc(0), vec![0x40]);
        assert_eq!(enc(1), vec![0x41, 0x01]);
        assert_eq!(enc(0x0100), vec![0x42, 0x01, 0x00]);
        let max = fvm_ipld_encoding::to_vec(&Word(U256::MAX)).unwrap();
        assert_eq!(max.len(), 34);
        let back: Word = fvm_ipld_encoding::from_slice(&[0x42, 0x00, 0x05]).unwrap();
        assert_eq!(back, Word(U256::from(5)));
        assert!(fvm_ipld_encoding::from_slice::<Word>(&[0x58, 33, 0]).is_err());
    }
}
