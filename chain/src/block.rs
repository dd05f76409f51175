//! Filecoin block headers, tipset keys and message metadata in Lotus's DAG-CBOR layouts.
//!
//! The devnet has a single miner, so every tipset holds exactly one block; the types still
//! carry tipset keys as lists so that hashes and encodings match a real network's.

use anyhow::{Context, Result};
use cid::Cid;
use fvm_ipld_amt::Amtv0;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{CborStore, DAG_CBOR, RawBytes, strict_bytes};
use fvm_shared::address::Address;
use fvm_shared::bigint::{BigInt, bigint_ser};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::PoStProof;
use multihash_codetable::{Code, MultihashDigest};

use crate::message::Signature;

/// The winning ticket of a block (a VRF proof; the devnet derives it from the height).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Ticket {
    /// The VRF output.
    #[serde(with = "strict_bytes")]
    pub vrf_proof: Vec<u8>,
}

/// The election proof of a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ElectionProof {
    /// How many times the miner won this round.
    pub win_count: i64,
    /// The VRF output.
    #[serde(with = "strict_bytes")]
    pub vrf_proof: Vec<u8>,
}

/// A randomness beacon entry (drand on real networks; a deterministic digest here).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BeaconEntry {
    /// The beacon round.
    pub round: u64,
    /// The beacon's signature bytes; `blake2b-256` of them is the epoch's randomness.
    #[serde(with = "strict_bytes")]
    pub data: Vec<u8>,
}

/// A Filecoin block header, field for field and in the order of Lotus's `BlockHeader`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BlockHeader {
    /// The miner that produced the block.
    pub miner: Address,
    /// The block's ticket.
    pub ticket: Option<Ticket>,
    /// The block's election proof.
    pub election_proof: Option<ElectionProof>,
    /// Beacon entries since the parent.
    pub beacon_entries: Vec<BeaconEntry>,
    /// Winning PoSt proofs (none on the devnet).
    pub win_post_proof: Vec<PoStProof>,
    /// The parent tipset's key.
    pub parents: Vec<Cid>,
    /// The chain weight of the parent tipset.
    #[serde(with = "bigint_ser")]
    pub parent_weight: BigInt,
    /// The block's epoch.
    pub height: ChainEpoch,
    /// The state after executing the parent tipset's messages.
    pub parent_state_root: Cid,
    /// The receipts (AMT v0) of the parent tipset's messages.
    pub parent_message_receipts: Cid,
    /// The block's messages ([`TxMeta`]).
    pub messages: Cid,
    /// Aggregate of the BLS messages' signatures (none: the devnet takes no BLS messages).
    pub bls_aggregate: Option<Signature>,
    /// Unix seconds.
    pub timestamp: u64,
    /// The miner's signature over the header (the devnet does not sign blocks).
    pub block_sig: Option<Signature>,
    /// Fork signalling bits.
    pub fork_signaling: u64,
    /// The base fee the block's messages pay, computed from the parent tipset.
    pub parent_base_fee: TokenAmount,
}

impl BlockHeader {
    /// The block's CID.
    pub fn cid(&self) -> Result<Cid> {
        cbor_cid(self)
    }
}

/// A block's message lists: AMT v0 roots of the CIDs of its BLS and secp/delegated messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TxMeta {
    /// Root of the BLS messages' CIDs.
    pub bls_messages: Cid,
    /// Root of the signed (secp256k1 and delegated) messages' CIDs.
    pub secpk_messages: Cid,
}

impl TxMeta {
    /// Writes the message lists and the meta block; returns the meta block's CID.
    pub fn store(store: &impl Blockstore, signed: &[Cid]) -> Result<Cid> {
        let bls = Amtv0::<Cid, _>::new_from_iter(store, std::iter::empty::<Cid>())?;
        let secpk = Amtv0::new_from_iter(store, signed.iter().copied())?;
        store.put_cbor(&Self { bls_messages: bls, secpk_messages: secpk }, Code::Blake2b256)
    }
}

/// The CID of a tipset key, as Lotus computes it: the key's CIDs concatenated, encoded as one
/// CBOR byte string and hashed as a DAG-CBOR block. Its digest is the Ethereum block hash.
pub fn tipset_key_cid(key: &[Cid]) -> Result<Cid> {
    let mut bytes = Vec::with_capacity(key.len() * 38);
    for cid in key {
        bytes.extend_from_slice(&cid.to_bytes());
    }
    let encoded = fvm_ipld_encoding::to_vec(&RawBytes::new(bytes))?;
    Ok(Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(&encoded)))
}

/// The CID of a value's DAG-CBOR encoding.
pub(crate) fn cbor_cid<T: serde::Serialize>(value: &T) -> Result<Cid> {
    let encoded = fvm_ipld_encoding::to_vec(value).context("encoding a block")?;
    Ok(Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(&encoded)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_encoding::from_slice;

    fn header() -> BlockHeader {
        let cid = Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(b"x"));
        BlockHeader {
            miner: Address::new_id(1000),
            ticket: Some(Ticket { vrf_proof: vec![1; 32] }),
            election_proof: Some(ElectionProof { win_count: 1, vrf_proof: vec![2; 32] }),
            beacon_entries: vec![BeaconEntry { round: 7, data: vec![3; 96] }],
            win_post_proof: Vec::new(),
            parents: vec![cid],
            parent_weight: BigInt::from(5),
            height: 7,
            parent_state_root: cid,
            parent_message_receipts: cid,
            messages: cid,
            bls_aggregate: None,
            timestamp: 1_700_000_000,
            block_sig: None,
            fork_signaling: 0,
            parent_base_fee: TokenAmount::from_atto(100),
        }
    }

    #[test]
    fn header_is_a_sixteen_field_tuple_that_round_trips() {
        let h = header();
        let bytes = fvm_ipld_encoding::to_vec(&h).unwrap();
        assert_eq!(bytes[0], 0x80 | 16, "a CBOR array of 16 items");
        assert_eq!(from_slice::<BlockHeader>(&bytes).unwrap(), h);
        assert_eq!(h.cid().unwrap(), cbor_cid(&h).unwrap());
    }

    #[test]
    fn tipset_key_cid_hashes_the_concatenated_cids_as_one_byte_string() {
        let a = header().cid().unwrap();
        let key_cid = tipset_key_cid(&[a]).unwrap();
        let mut expected = vec![0x58, 38];
        expected.extend_from_slice(&a.to_bytes());
        assert_eq!(key_cid, Cid::new_v1(DAG_CBOR, Code::Blake2b256.digest(&expected)));
        assert_ne!(tipset_key_cid(&[a, a]).unwrap(), key_cid);
    }
}
