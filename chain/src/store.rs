//! The node's storage: IPLD blocks, tipsets and indices in one redb database, committed
//! atomically once per tipset.
//!
//! Blocks are served from an in-process cache, so state reads on the hot path never touch the
//! disk once a block has been seen. Blocks written between two commits are staged in memory and
//! reach the database in the same write transaction as the tipset that references them: a
//! process killed at any moment reopens at the last committed tipset, complete. Without a data
//! directory the database lives in memory (redb's in-memory backend) and the block cache is the
//! block store.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, RwLock};

use alloy_primitives::B256;
use anyhow::{Context, Result, anyhow};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use redb::backends::InMemoryBackend;
use redb::{Database, ReadableDatabase, TableDefinition};

use crate::events::{IndexedEvent, StoredEvent};
use crate::logs::{IndexedLog, StoredLog};
use crate::tipset::{Tipset, TipsetRecord};

/// CID bytes → block bytes.
const BLOCKS: TableDefinition<'_, &[u8], &[u8]> = TableDefinition::new("blocks");
/// Height → DAG-CBOR [`TipsetRecord`].
const TIPSETS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("tipsets");
/// Ethereum block hash → height.
const TIPSET_BY_HASH: TableDefinition<'_, &[u8], u64> = TableDefinition::new("tipset_by_hash");
/// Ethereum tx hash → (height, index in tipset).
const TX_BY_HASH: TableDefinition<'_, &[u8], (u64, u32)> = TableDefinition::new("tx_by_hash");
/// Message CID bytes → (height, index in tipset).
const TX_BY_CID: TableDefinition<'_, &[u8], (u64, u32)> = TableDefinition::new("tx_by_cid");
/// Height → DAG-CBOR list of the tipset's logs (absent when it has none).
const LOGS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("logs");
/// Tipset height → the CBOR list of every actor event of the tipset (see [`crate::events`]).
const EVENTS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("events");
/// Named values: the head height, the chain's identity.
const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");

const HEAD_KEY: &str = "head";
const IDENTITY_KEY: &str = "identity";
const DB_FILE: &str = "chain.redb";

/// Where a message was included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageLocation {
    /// The tipset's height.
    pub height: ChainEpoch,
    /// The message's index in the tipset.
    pub index: u32,
}

/// Blocks, tipsets and indices; see the module docs.
pub struct ChainStore {
    db: Database,
    persistent: bool,
    cache: RwLock<HashMap<Cid, Vec<u8>>>,
    staged: Mutex<Vec<(Cid, Vec<u8>)>>,
}

impl std::fmt::Debug for ChainStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainStore").field("persistent", &self.persistent).finish_non_exhaustive()
    }
}

impl ChainStore {
    /// Opens (or creates) the store in `dir`, or an in-memory store when `dir` is `None`.
    pub fn open(dir: Option<&Path>) -> Result<Self> {
        let db = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating data directory {}", dir.display()))?;
                let path = dir.join(DB_FILE);
                Database::create(&path).with_context(|| format!("opening {}", path.display()))?
            }
            None => Database::builder().create_with_backend(InMemoryBackend::new())?,
        };
        let txn = db.begin_write()?;
        txn.open_table(BLOCKS)?;
        txn.open_table(TIPSETS)?;
        txn.open_table(TIPSET_BY_HASH)?;
        txn.open_table(TX_BY_HASH)?;
        txn.open_table(TX_BY_CID)?;
        txn.open_table(LOGS)?;
        txn.open_table(EVENTS)?;
        txn.open_table(META)?;
        txn.commit()?;
        Ok(Self {
            db,
            persistent: dir.is_some(),
            cache: RwLock::new(HashMap::new()),
            staged: Mutex::new(Vec::new()),
        })
    }

    /// Whether the store survives the process.
    pub const fn is_persistent(&self) -> bool {
        self.persistent
    }

    /// The committed head height, if any tipset was committed.
    pub fn head_height(&self) -> Result<Option<ChainEpoch>> {
        let txn = self.db.begin_read()?;
        let meta = txn.open_table(META)?;
        let Some(v) = meta.get(HEAD_KEY)? else { return Ok(None) };
        let bytes: [u8; 8] = v.value().try_into().map_err(|_| anyhow!("corrupt head record"))?;
        Ok(Some(u64::from_be_bytes(bytes) as ChainEpoch))
    }

    /// The chain identity recorded at genesis (chain id, network name), if any.
    pub fn identity(&self) -> Result<Option<Vec<u8>>> {
        let txn = self.db.begin_read()?;
        let meta = txn.open_table(META)?;
        Ok(meta.get(IDENTITY_KEY)?.map(|v| v.value().to_vec()))
    }

    /// The record of the tipset at exactly `height`.
    pub(crate) fn record(&self, height: ChainEpoch) -> Result<Option<TipsetRecord>> {
        let Ok(h) = u64::try_from(height) else { return Ok(None) };
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TIPSETS)?;
        table.get(h)?.map(|v| Ok(fvm_ipld_encoding::from_slice(v.value())?)).transpose()
    }

    /// The height of the last tipset at or below `height` (skipping null rounds).
    pub fn height_at_or_before(&self, height: ChainEpoch) -> Result<Option<ChainEpoch>> {
        let Ok(h) = u64::try_from(height) else { return Ok(None) };
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TIPSETS)?;
        let last = table.range(..=h)?.next_back().transpose()?;
        Ok(last.map(|(k, _)| k.value() as ChainEpoch))
    }

    /// The height of the tipset with this Ethereum block hash.
    pub fn height_by_hash(&self, hash: &B256) -> Result<Option<ChainEpoch>> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TIPSET_BY_HASH)?;
        Ok(table.get(hash.as_slice())?.map(|v| v.value() as ChainEpoch))
    }

    /// Where the message with this Ethereum tx hash was included.
    pub fn locate_tx(&self, hash: &B256) -> Result<Option<MessageLocation>> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TX_BY_HASH)?;
        Ok(table.get(hash.as_slice())?.map(|v| location(v.value())))
    }

    /// Where the message with this CID was included.
    pub fn locate_message(&self, cid: &Cid) -> Result<Option<MessageLocation>> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TX_BY_CID)?;
        Ok(table.get(cid.to_bytes().as_slice())?.map(|v| location(v.value())))
    }

    /// The logs of the tipset at `height`.
    pub fn logs(&self, height: ChainEpoch) -> Result<Vec<IndexedLog>> {
        let Ok(h) = u64::try_from(height) else { return Ok(Vec::new()) };
        let txn = self.db.begin_read()?;
        let table = txn.open_table(LOGS)?;
        let Some(v) = table.get(h)? else { return Ok(Vec::new()) };
        let stored: Vec<StoredLog> = fvm_ipld_encoding::from_slice(v.value())?;
        stored.into_iter().map(IndexedLog::try_from).collect()
    }

    /// The actor events of the tipset at `height`, in execution order.
    pub fn events(&self, height: ChainEpoch) -> Result<Vec<IndexedEvent>> {
        let Ok(h) = u64::try_from(height) else { return Ok(Vec::new()) };
        let txn = self.db.begin_read()?;
        let table = txn.open_table(EVENTS)?;
        let Some(v) = table.get(h)? else { return Ok(Vec::new()) };
        let stored: Vec<StoredEvent> = fvm_ipld_encoding::from_slice(v.value())?;
        stored.into_iter().map(IndexedEvent::try_from).collect()
    }

    /// Commits a tipset with everything it references: staged blocks, its record, its indices,
    /// logs and events, and the new head — one write transaction.
    pub(crate) fn commit_tipset(
        &self,
        tipset: &Tipset,
        logs: &[IndexedLog],
        events: &[IndexedEvent],
        identity: Option<&[u8]>,
    ) -> Result<()> {
        let height = u64::try_from(tipset.height()).context("negative height")?;
        let staged = std::mem::take(&mut *self.staged.lock().map_err(poisoned)?);
        let record = fvm_ipld_encoding::to_vec(&tipset.record())?;
        let txn = self.db.begin_write()?;
        {
            if self.persistent {
                let mut blocks = txn.open_table(BLOCKS)?;
                for (cid, data) in &staged {
                    blocks.insert(cid.to_bytes().as_slice(), data.as_slice())?;
                }
            }
            txn.open_table(TIPSETS)?.insert(height, record.as_slice())?;
            txn.open_table(TIPSET_BY_HASH)?.insert(tipset.hash.as_slice(), height)?;
            let mut by_hash = txn.open_table(TX_BY_HASH)?;
            let mut by_cid = txn.open_table(TX_BY_CID)?;
            for (i, (cid, hash)) in tipset.messages.iter().zip(&tipset.eth_hashes).enumerate() {
                let at = (height, u32::try_from(i)?);
                by_hash.insert(hash.as_slice(), at)?;
                by_cid.insert(cid.to_bytes().as_slice(), at)?;
            }
            if !logs.is_empty() {
                let stored: Vec<StoredLog> = logs.iter().map(StoredLog::from).collect();
                let bytes = fvm_ipld_encoding::to_vec(&stored)?;
                txn.open_table(LOGS)?.insert(height, bytes.as_slice())?;
            }
            if !events.is_empty() {
                let stored: Vec<StoredEvent> = events.iter().map(StoredEvent::from).collect();
                let bytes = fvm_ipld_encoding::to_vec(&stored)?;
                txn.open_table(EVENTS)?.insert(height, bytes.as_slice())?;
            }
            let mut meta = txn.open_table(META)?;
            meta.insert(HEAD_KEY, height.to_be_bytes().as_slice())?;
            if let Some(identity) = identity {
                meta.insert(IDENTITY_KEY, identity)?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    fn read_block(&self, cid: &Cid) -> Result<Option<Vec<u8>>> {
        if !self.persistent {
            return Ok(None);
        }
        let txn = self.db.begin_read()?;
        let table = txn.open_table(BLOCKS)?;
        Ok(table.get(cid.to_bytes().as_slice())?.map(|v| v.value().to_vec()))
    }
}

impl Blockstore for ChainStore {
    fn get(&self, k: &Cid) -> Result<Option<Vec<u8>>> {
        if let Some(data) = self.cache.read().map_err(poisoned)?.get(k) {
            return Ok(Some(data.clone()));
        }
        let Some(data) = self.read_block(k)? else { return Ok(None) };
        self.cache.write().map_err(poisoned)?.insert(*k, data.clone());
        Ok(Some(data))
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> Result<()> {
        self.put_many_keyed([(*k, block)])
    }

    fn put_many_keyed<D, I>(&self, blocks: I) -> Result<()>
    where
        Self: Sized,
        D: AsRef<[u8]>,
        I: IntoIterator<Item = (Cid, D)>,
    {
        let mut cache = self.cache.write().map_err(poisoned)?;
        let mut staged = self.staged.lock().map_err(poisoned)?;
        for (cid, data) in blocks {
            if cache.contains_key(&cid) {
                continue;
            }
            let data = data.as_ref().to_vec();
            if self.persistent {
                staged.push((cid, data.clone()));
            }
            cache.insert(cid, data);
        }
        Ok(())
    }

    fn has(&self, k: &Cid) -> Result<bool> {
        Ok(self.get(k)?.is_some())
    }
}

fn location((height, index): (u64, u32)) -> MessageLocation {
    MessageLocation { height: height as ChainEpoch, index }
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> anyhow::Error {
    anyhow!("chain store lock poisoned")
}
