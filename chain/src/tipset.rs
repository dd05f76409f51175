//! Tipsets as the node keeps them: the block header plus what executing its messages produced.
//!
//! The devnet executes a tipset's messages as soon as it builds the tipset (Lotus executes
//! tipset N only when N+1 arrives). The result — state root, receipts — is recorded with the
//! tipset here, and appears in the *next* header's `parent_state_root` and
//! `parent_message_receipts`, exactly where Filecoin puts it.

use alloy_primitives::{B256, Bloom};
use anyhow::{Result, bail};
use cid::Cid;
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;

use crate::block::{BlockHeader, tipset_key_cid};
use crate::eth_tx::eth_hash_from_cid as eth_hash;

/// A tipset (one block on the devnet) and its execution results.
#[derive(Clone, Debug)]
pub struct Tipset {
    /// The block header.
    pub header: BlockHeader,
    /// The header's CID (the tipset key's only element).
    pub header_cid: Cid,
    /// The tipset-key CID.
    pub key_cid: Cid,
    /// The Ethereum block hash: the digest of the tipset-key CID.
    pub hash: B256,
    /// The parent's Ethereum block hash.
    pub parent_hash: B256,
    /// The state after executing this tipset's messages.
    pub state_root: Cid,
    /// AMT v0 root of this tipset's receipts.
    pub receipts_root: Cid,
    /// Signed-message CIDs in execution order.
    pub messages: Vec<Cid>,
    /// Ethereum transaction hash of each message (keccak for Ethereum txs, CID digest else).
    pub eth_hashes: Vec<B256>,
    /// Total fee each message paid: base-fee burn + over-estimation burn + miner tip.
    pub fees: Vec<TokenAmount>,
    /// Sum of the receipts' gas used.
    pub gas_used: u64,
    /// Bloom of every log in the tipset.
    pub bloom: Bloom,
}

impl Tipset {
    /// The epoch.
    pub const fn height(&self) -> ChainEpoch {
        self.header.height
    }

    /// Unix seconds.
    pub const fn timestamp(&self) -> u64 {
        self.header.timestamp
    }

    /// The base fee this tipset's messages paid.
    pub const fn base_fee(&self) -> &TokenAmount {
        &self.header.parent_base_fee
    }

    /// The tipset key.
    pub fn key(&self) -> Vec<Cid> {
        vec![self.header_cid]
    }

    /// Assembles a tipset from its header and execution record.
    pub(crate) fn new(header: BlockHeader, record: TipsetRecord) -> Result<Self> {
        let header_cid = header.cid()?;
        if header_cid != record.header {
            bail!("tipset record points at {}, header hashes to {header_cid}", record.header);
        }
        let key_cid = tipset_key_cid(&[header_cid])?;
        let parent_hash = if header.parents.is_empty() {
            B256::ZERO
        } else {
            eth_hash(&tipset_key_cid(&header.parents)?)
        };
        if record.eth_hashes.len() != record.messages.len() * 32
            || record.fees.len() != record.messages.len()
            || record.bloom.len() != 256
        {
            bail!("corrupt tipset record at height {}", header.height);
        }
        Ok(Self {
            hash: eth_hash(&key_cid),
            parent_hash,
            key_cid,
            header_cid,
            state_root: record.state_root,
            receipts_root: record.receipts,
            eth_hashes: record.eth_hashes.chunks_exact(32).map(B256::from_slice).collect(),
            messages: record.messages,
            fees: record.fees,
            gas_used: record.gas_used,
            bloom: Bloom::from_slice(&record.bloom),
            header,
        })
    }

    /// The record stored for this tipset.
    pub(crate) fn record(&self) -> TipsetRecord {
        TipsetRecord {
            header: self.header_cid,
            state_root: self.state_root,
            receipts: self.receipts_root,
            messages: self.messages.clone(),
            eth_hashes: self.eth_hashes.iter().flat_map(|h| h.0).collect(),
            fees: self.fees.clone(),
            gas_used: self.gas_used,
            bloom: self.bloom.to_vec(),
        }
    }
}

/// What the store keeps per tipset besides the header block.
#[derive(Clone, Debug, Serialize_tuple, Deserialize_tuple)]
pub(crate) struct TipsetRecord {
    pub(crate) header: Cid,
    pub(crate) state_root: Cid,
    pub(crate) receipts: Cid,
    pub(crate) messages: Vec<Cid>,
    #[serde(with = "strict_bytes")]
    pub(crate) eth_hashes: Vec<u8>,
    pub(crate) fees: Vec<TokenAmount>,
    pub(crate) gas_used: u64,
    #[serde(with = "strict_bytes")]
    pub(crate) bloom: Vec<u8>,
}
