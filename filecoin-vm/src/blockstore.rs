//! Blockstores: an in-memory store, and a buffered write-back layer.
//!
//! Execution writes many intermediate blocks (every HAMT/KAMT node rewritten on each state
//! change). Only those still reachable from the new state root need to reach the backing store,
//! so [`BufferedBlockstore`] keeps writes in memory and [`BufferedBlockstore::flush`] copies
//! exactly the buffered blocks reachable from a root, walking DAG-CBOR links. Blocks that are
//! not in the buffer are already in the backing store, and so are their children: the walk stops
//! there.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::RwLock;

use anyhow::{Result, anyhow};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::DAG_CBOR;

/// A thread-safe in-memory blockstore (fvm_ipld's own is single-threaded).
#[derive(Debug, Default)]
pub struct MemoryBlockstore {
    blocks: RwLock<HashMap<Cid, Vec<u8>>>,
}

impl MemoryBlockstore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of blocks held.
    pub fn len(&self) -> usize {
        self.blocks.read().map(|b| b.len()).unwrap_or(0)
    }

    /// True if no block is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Blockstore for MemoryBlockstore {
    fn get(&self, k: &Cid) -> Result<Option<Vec<u8>>> {
        let blocks = self.blocks.read().map_err(|_| anyhow!("blockstore lock poisoned"))?;
        Ok(blocks.get(k).cloned())
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> Result<()> {
        let mut blocks = self.blocks.write().map_err(|_| anyhow!("blockstore lock poisoned"))?;
        blocks.entry(*k).or_insert_with(|| block.to_vec());
        Ok(())
    }

    fn has(&self, k: &Cid) -> Result<bool> {
        let blocks = self.blocks.read().map_err(|_| anyhow!("blockstore lock poisoned"))?;
        Ok(blocks.contains_key(k))
    }
}

/// A cheaply cloned handle on a type-erased blockstore, so that the state tree, the call
/// manager and the stores handed to actors share one buffer without generic parameters
/// spreading through every type.
#[derive(Clone)]
pub struct SharedStore(Rc<dyn Blockstore>);

impl SharedStore {
    /// Wraps a store.
    pub fn new(inner: Rc<dyn Blockstore>) -> Self {
        Self(inner)
    }

    /// The shared store itself.
    pub fn inner(&self) -> Rc<dyn Blockstore> {
        self.0.clone()
    }
}

impl std::fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedStore")
    }
}

impl Blockstore for SharedStore {
    fn get(&self, k: &Cid) -> Result<Option<Vec<u8>>> {
        self.0.get(k)
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> Result<()> {
        self.0.put_keyed(k, block)
    }

    fn has(&self, k: &Cid) -> Result<bool> {
        self.0.has(k)
    }
}

/// A write buffer over a backing store; see the module docs.
#[derive(Debug)]
pub struct BufferedBlockstore<BS> {
    base: BS,
    buffer: RefCell<HashMap<Cid, Vec<u8>>>,
}

impl<BS: Blockstore> BufferedBlockstore<BS> {
    /// A buffer over `base`.
    pub fn new(base: BS) -> Self {
        Self { base, buffer: RefCell::new(HashMap::new()) }
    }

    /// The backing store.
    pub const fn base(&self) -> &BS {
        &self.base
    }

    /// Number of blocks waiting in the buffer.
    pub fn buffered(&self) -> usize {
        self.buffer.borrow().len()
    }

    /// Copies every buffered block reachable from `root` to the backing store, then empties the
    /// buffer (what is not reachable is garbage). Returns how many blocks were written.
    pub fn flush(&self, root: &Cid) -> Result<usize> {
        self.flush_reachable(std::slice::from_ref(root))
    }

    /// As [`flush`](Self::flush), keeping what any of `roots` reaches (a state root and the
    /// event AMTs that receipts point to, say).
    pub fn flush_reachable(&self, roots: &[Cid]) -> Result<usize> {
        let mut buffer = self.buffer.borrow_mut();
        let mut reachable = Vec::new();
        let mut stack = roots.to_vec();
        while let Some(cid) = stack.pop() {
            let Some(data) = buffer.remove(&cid) else { continue };
            if cid.codec() == DAG_CBOR {
                scan_links(&data, |link| stack.push(link))?;
            }
            reachable.push((cid, data));
        }
        let written = reachable.len();
        self.base.put_many_keyed(reachable)?;
        buffer.clear();
        Ok(written)
    }

    /// Drops everything buffered (e.g. after a read-only call).
    pub fn discard(&self) {
        self.buffer.borrow_mut().clear();
    }
}

impl<BS: Blockstore> Blockstore for BufferedBlockstore<BS> {
    fn get(&self, k: &Cid) -> Result<Option<Vec<u8>>> {
        if let Some(data) = self.buffer.borrow().get(k) {
            return Ok(Some(data.clone()));
        }
        self.base.get(k)
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> Result<()> {
        self.buffer.borrow_mut().entry(*k).or_insert_with(|| block.to_vec());
        Ok(())
    }

    fn has(&self, k: &Cid) -> Result<bool> {
        Ok(self.buffer.borrow().contains_key(k) || self.base.has(k)?)
    }
}

/// Calls `f` with every CID linked (CBOR tag 42) from a DAG-CBOR block.
///
/// A small iterative walk over the CBOR item structure: it counts the items still to visit
/// instead of decoding values, so it allocates nothing and never recurses. Malformed input is
/// an error, never a panic.
pub fn scan_links(data: &[u8], mut f: impl FnMut(Cid)) -> Result<()> {
    let mut reader = CborReader { data, pos: 0 };
    let mut remaining: u64 = 1;
    while remaining > 0 {
        remaining -= 1;
        let (major, value) = reader.header()?;
        match major {
            0 | 1 | 7 => {}
            2 | 3 => reader.skip(value)?,
            4 => remaining = remaining.checked_add(value).ok_or_else(too_long)?,
            5 => {
                let items = value.checked_mul(2).ok_or_else(too_long)?;
                remaining = remaining.checked_add(items).ok_or_else(too_long)?;
            }
            6 if value == 42 => {
                let (major, len) = reader.header()?;
                let bytes = reader.take(len)?;
                match (major, bytes.split_first()) {
                    (2, Some((0, cid))) => f(Cid::try_from(cid)?),
                    _ => return Err(anyhow!("tag 42 must wrap a 0x00-prefixed CID byte string")),
                }
            }
            6 => remaining = remaining.checked_add(1).ok_or_else(too_long)?,
            _ => return Err(anyhow!("invalid CBOR major type {major}")),
        }
    }
    Ok(())
}

fn too_long() -> anyhow::Error {
    anyhow!("CBOR collection too long")
}

struct CborReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> CborReader<'a> {
    fn take(&mut self, len: u64) -> Result<&'a [u8]> {
        let len = usize::try_from(len).map_err(|_| too_long())?;
        let end = self.pos.checked_add(len).ok_or_else(too_long)?;
        let bytes = self.data.get(self.pos..end).ok_or_else(|| anyhow!("truncated CBOR"))?;
        self.pos = end;
        Ok(bytes)
    }

    fn skip(&mut self, len: u64) -> Result<()> {
        self.take(len).map(|_| ())
    }

    /// Reads an item header: (major type, argument). Floats and simple values of major type 7
    /// have their payload skipped here.
    fn header(&mut self) -> Result<(u8, u64)> {
        let first = *self.take(1)?.first().ok_or_else(|| anyhow!("truncated CBOR"))?;
        let major = first >> 5;
        let info = first & 0x1f;
        let width = match info {
            0..=23 => return Ok((major, u64::from(info))),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => return Err(anyhow!("indefinite or reserved CBOR length (not DAG-CBOR)")),
        };
        let mut value = 0u64;
        for byte in self.take(width)? {
            value = (value << 8) | u64::from(*byte);
        }
        Ok((major, value))
    }
}

#[cfg(test)]
mod tests {
    use fvm_ipld_blockstore::Block;
    use fvm_ipld_encoding::{CborStore, IPLD_RAW};
    use multihash_codetable::Code;

    use super::*;

    fn raw(store: &impl Blockstore, data: &[u8]) -> Cid {
        store.put(Code::Blake2b256, &Block::new(IPLD_RAW, data)).unwrap()
    }

    #[test]
    fn flush_writes_only_what_is_reachable() {
        let base = MemoryBlockstore::new();
        let buffered = BufferedBlockstore::new(&base);
        let leaf = raw(&buffered, b"leaf");
        let garbage = raw(&buffered, b"garbage");
        let root = buffered.put_cbor(&(leaf, 7u64, vec![leaf]), Code::Blake2b256).unwrap();
        assert_eq!(buffered.flush(&root).unwrap(), 2);
        assert!(base.has(&root).unwrap());
        assert!(base.has(&leaf).unwrap());
        assert!(!base.has(&garbage).unwrap());
        assert_eq!(buffered.buffered(), 0);
    }

    #[test]
    fn flush_stops_at_blocks_already_in_the_base() {
        let base = MemoryBlockstore::new();
        let old = raw(&base, b"old");
        let buffered = BufferedBlockstore::new(&base);
        let root = buffered.put_cbor(&vec![old], Code::Blake2b256).unwrap();
        assert_eq!(buffered.flush(&root).unwrap(), 1);
    }

    #[test]
    fn scan_finds_nested_links_and_rejects_garbage() {
        let base = MemoryBlockstore::new();
        let a = raw(&base, b"a");
        let b = raw(&base, b"b");
        let nested = fvm_ipld_encoding::to_vec(&(1u8, (vec![a], "x"), Some(b))).unwrap();
        let mut found = Vec::new();
        scan_links(&nested, |c| found.push(c)).unwrap();
        assert_eq!(found, vec![a, b]);
        assert!(scan_links(&[0x9f], |_| {}).is_err());
        assert!(scan_links(&[0x5a, 0xff, 0xff, 0xff, 0xff], |_| {}).is_err());
        assert!(scan_links(&[0xd8, 0x2a, 0x41, 0x01], |_| {}).is_err());
        assert!(scan_links(&[], |_| {}).is_err());
    }
}
