//! What is decoded once per state root and shared by every tree loaded at it (see the
//! [`state_tree`](super) module docs).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use cid::Cid;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::ActorState;

use crate::manifest::Manifest;

/// Actors, address resolutions and the built-in actor [`Manifest`] read under one state root,
/// shared by every [`StateTree`](super::StateTree) loaded at that root. Only clean reads go in:
/// a tree's own changes never do, and a tree stops using the cache once it flushes.
#[derive(Debug)]
pub struct RootCache {
    root: Cid,
    actors: RwLock<HashMap<ActorID, ActorState>>,
    addresses: RwLock<HashMap<Address, ActorID>>,
    /// Decoded on the first executor built at this root; every later one (each `eth_call` on
    /// the head) clones the `Arc` instead of reading f00 and decoding its manifest again.
    manifest: OnceLock<Arc<Manifest>>,
    /// The circulating supply at this root, once the node has computed it (it reads actor
    /// states the VM does not know, so the VM only keeps the value).
    circ_supply: OnceLock<TokenAmount>,
}

impl RootCache {
    /// An empty cache for the state at `root`.
    pub fn new(root: Cid) -> Self {
        Self {
            root,
            actors: RwLock::default(),
            addresses: RwLock::default(),
            manifest: OnceLock::new(),
            circ_supply: OnceLock::new(),
        }
    }

    /// The state root it caches.
    pub const fn root(&self) -> &Cid {
        &self.root
    }

    pub(super) fn actor(&self, id: ActorID) -> Option<ActorState> {
        self.actors.read().ok()?.get(&id).cloned()
    }

    pub(super) fn remember_actor(&self, id: ActorID, actor: &ActorState) {
        if let Ok(mut actors) = self.actors.write() {
            actors.insert(id, actor.clone());
        }
    }

    pub(super) fn address(&self, address: &Address) -> Option<ActorID> {
        self.addresses.read().ok()?.get(address).copied()
    }

    pub(super) fn remember_address(&self, address: &Address, id: ActorID) {
        if let Ok(mut addresses) = self.addresses.write() {
            addresses.insert(*address, id);
        }
    }

    pub(super) fn manifest(&self) -> Option<Arc<Manifest>> {
        self.manifest.get().cloned()
    }

    /// Keeps `manifest` unless another thread got there first (both decoded the same block).
    pub(super) fn remember_manifest(&self, manifest: &Arc<Manifest>) {
        let _ = self.manifest.set(manifest.clone());
    }

    /// The circulating supply at this root, if it was remembered.
    pub fn circ_supply(&self) -> Option<TokenAmount> {
        self.circ_supply.get().cloned()
    }

    /// Remembers the circulating supply at this root (the first value wins; all are equal).
    pub fn remember_circ_supply(&self, supply: &TokenAmount) {
        let _ = self.circ_supply.set(supply.clone());
    }
}
