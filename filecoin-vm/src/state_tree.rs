//! The state tree: every actor by ID, and the init actor's address map, in Filecoin's encoding.
//!
//! On disk it is what Lotus and ref-fvm write: a `StateRoot` tuple (version 5) whose `actors`
//! field is a HAMT (bit width 5) from ID-address bytes to `ActorState`, and the init actor's
//! state `[address_map, next_id, network_name]` whose map is a HAMT from address bytes to IDs.
//!
//! In memory, changes sit in *layers* above the HAMTs. [`StateTree::begin_transaction`] pushes a
//! layer and [`StateTree::end_transaction`] either drops it (revert) or folds it into the layer
//! below, so nested call frames can be undone cheaply without touching any block. Only
//! [`StateTree::flush`] writes blocks, once per batch of messages, and the same set of changes
//! always yields the same root (HAMTs are canonical; dirty actors are written in ID order).
//!
//! Reads are cached at two levels. Each tree keeps what it read; and trees loaded with
//! [`StateTree::load_shared`] also share a [`RootCache`] with every other tree loaded at the
//! same root, on any thread. A state root is content-addressed, so whatever was read under it
//! stays true: a node serving many calls against its head decodes each HAMT node once rather
//! than once per call. The actors HAMT itself is only loaded when a read misses both caches.
//! The same cache holds the state's decoded built-in actor [`Manifest`].

mod root_cache;

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_hamt::{BytesKey, Config, Hamt};
use fvm_shared::ActorID;
use fvm_shared::address::{Address, Payload};
use fvm_shared::state::{ActorState, StateInfo0, StateRoot, StateTreeVersion};
use multihash_codetable::Code;

pub use root_cache::RootCache;

use crate::call_manager::SYSTEM_ACTOR_ID;
use crate::manifest::Manifest;

/// The init actor's ID.
pub const INIT_ACTOR_ID: ActorID = 1;
/// The first ID given to a non-singleton actor.
pub const FIRST_NON_SINGLETON_ID: ActorID = 100;

/// HAMT parameters used by builtin-actors for the state tree and init's address map.
pub fn hamt_config() -> Config {
    Config { bit_width: fvm_shared::HAMT_BIT_WIDTH, min_data_depth: 0, max_array_width: 3 }
}

/// The init actor's state (builtin-actors `init::State`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct InitState {
    /// HAMT: address bytes → actor ID, for every robust (f1/f2/f3) and f4 address.
    pub address_map: Cid,
    /// The next ID to assign.
    pub next_id: ActorID,
    /// The network name given at genesis.
    pub network_name: String,
}

impl InitState {
    /// A fresh init state with an empty address map written to `store`.
    pub fn new(store: &impl Blockstore, network_name: &str) -> Result<Self> {
        let address_map = Hamt::<_, ActorID>::new_with_config(store, hamt_config()).flush()?;
        Ok(Self { address_map, next_id: FIRST_NON_SINGLETON_ID, network_name: network_name.into() })
    }
}

/// Changes made inside one transaction.
#[derive(Debug, Default)]
struct Layer {
    /// `None` marks a deleted actor.
    actors: HashMap<ActorID, Option<ActorState>>,
    addresses: HashMap<Address, ActorID>,
    next_id: Option<ActorID>,
}

/// See the module docs.
pub struct StateTree<BS: Blockstore> {
    store: BS,
    /// The actors HAMT, loaded from `actors_root` on the first read that misses the caches.
    actors: OnceCell<Hamt<BS, ActorState>>,
    actors_root: Option<Cid>,
    /// Reads shared with other trees at the same root, until this tree flushes.
    shared: Option<Arc<RootCache>>,
    /// `layers[0]` holds the changes since the last flush; the rest are open transactions.
    layers: Vec<Layer>,
    /// Clean copies of actors read from the HAMT.
    read_cache: RefCell<HashMap<ActorID, ActorState>>,
    /// Clean address resolutions read from init's map.
    resolve_cache: RefCell<HashMap<Address, ActorID>>,
    /// Init's state as of the last flush, loaded on first use.
    init: RefCell<Option<InitState>>,
}

impl<BS: Blockstore> std::fmt::Debug for StateTree<BS> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateTree").field("depth", &self.layers.len()).finish_non_exhaustive()
    }
}

impl<BS: Blockstore + Clone> StateTree<BS> {
    /// An empty tree (genesis starts here).
    pub fn new(store: BS) -> Self {
        let actors = OnceCell::from(Hamt::new_with_config(store.clone(), hamt_config()));
        Self::with_actors(store, actors, None, None)
    }

    /// The tree at `root`.
    pub fn load(store: BS, root: &Cid) -> Result<Self> {
        let actors_root = actors_root(&store, root)?;
        Ok(Self::with_actors(store, OnceCell::new(), Some(actors_root), None))
    }

    /// The tree at `cache`'s root, sharing reads through `cache` (see the module docs).
    pub fn load_shared(store: BS, cache: Arc<RootCache>) -> Result<Self> {
        let actors_root = actors_root(&store, cache.root())?;
        Ok(Self::with_actors(store, OnceCell::new(), Some(actors_root), Some(cache)))
    }

    fn with_actors(
        store: BS,
        actors: OnceCell<Hamt<BS, ActorState>>,
        actors_root: Option<Cid>,
        shared: Option<Arc<RootCache>>,
    ) -> Self {
        Self {
            store,
            actors,
            actors_root,
            shared,
            layers: vec![Layer::default()],
            read_cache: RefCell::default(),
            resolve_cache: RefCell::default(),
            init: RefCell::default(),
        }
    }

    /// The actors HAMT, loaded on first use.
    fn actors(&self) -> Result<&Hamt<BS, ActorState>> {
        if let Some(actors) = self.actors.get() {
            return Ok(actors);
        }
        let root = self.actors_root.ok_or_else(|| anyhow!("state tree has no actors root"))?;
        let loaded = Hamt::load_with_config(&root, self.store.clone(), hamt_config())?;
        Ok(self.actors.get_or_init(|| loaded))
    }
}

/// The actors HAMT root of the state root `root`.
fn actors_root(store: &impl Blockstore, root: &Cid) -> Result<Cid> {
    let root: StateRoot =
        store.get_cbor(root)?.ok_or_else(|| anyhow!("state root {root} not found"))?;
    if root.version != StateTreeVersion::V5 {
        bail!("unsupported state tree version {:?}", root.version);
    }
    Ok(root.actors)
}

impl<BS: Blockstore + Clone> StateTree<BS> {
    /// The blockstore.
    pub const fn store(&self) -> &BS {
        &self.store
    }

    fn top(&mut self) -> &mut Layer {
        // There is always at least the base layer.
        let last = self.layers.len().saturating_sub(1);
        &mut self.layers[last]
    }

    /// The actor with this ID, if it exists.
    pub fn get_actor(&self, id: ActorID) -> Result<Option<ActorState>> {
        for layer in self.layers.iter().rev() {
            if let Some(entry) = layer.actors.get(&id) {
                return Ok(entry.clone());
            }
        }
        if let Some(actor) = self.read_cache.borrow().get(&id) {
            return Ok(Some(actor.clone()));
        }
        if let Some(actor) = self.shared.as_ref().and_then(|c| c.actor(id)) {
            self.read_cache.borrow_mut().insert(id, actor.clone());
            return Ok(Some(actor));
        }
        let key = BytesKey(Address::new_id(id).to_bytes());
        let actor =
            self.actors()?.get(&key).with_context(|| format!("loading actor {id}"))?.cloned();
        if let Some(actor) = &actor {
            if let Some(shared) = &self.shared {
                shared.remember_actor(id, actor);
            }
            self.read_cache.borrow_mut().insert(id, actor.clone());
        }
        Ok(actor)
    }

    /// Writes (creates or replaces) the actor with this ID.
    pub fn set_actor(&mut self, id: ActorID, actor: ActorState) {
        self.top().actors.insert(id, Some(actor));
    }

    /// Deletes the actor with this ID.
    pub fn delete_actor(&mut self, id: ActorID) {
        self.top().actors.insert(id, None);
    }

    /// Applies `f` to an existing actor and stores the result.
    pub fn mutate_actor<T>(
        &mut self,
        id: ActorID,
        f: impl FnOnce(&mut ActorState) -> Result<T>,
    ) -> Result<T> {
        let mut actor = self.get_actor(id)?.ok_or_else(|| anyhow!("actor {id} not found"))?;
        let out = f(&mut actor)?;
        self.set_actor(id, actor);
        Ok(out)
    }

    /// Resolves an address to an actor ID: ID addresses resolve to themselves (whether or not
    /// the actor exists, as in ref-fvm); others go through init's address map.
    pub fn lookup_id(&self, address: &Address) -> Result<Option<ActorID>> {
        if let Payload::ID(id) = address.payload() {
            return Ok(Some(*id));
        }
        for layer in self.layers.iter().rev() {
            if let Some(id) = layer.addresses.get(address) {
                return Ok(Some(*id));
            }
        }
        if let Some(id) = self.resolve_cache.borrow().get(address) {
            return Ok(Some(*id));
        }
        if let Some(id) = self.shared.as_ref().and_then(|c| c.address(address)) {
            self.resolve_cache.borrow_mut().insert(*address, id);
            return Ok(Some(id));
        }
        let map_root = self.with_init(|init| Ok(init.address_map))?;
        let map = Hamt::<_, ActorID>::load_with_config(&map_root, &self.store, hamt_config())?;
        let found = map.get(&BytesKey(address.to_bytes()))?.copied();
        if let Some(id) = found {
            if let Some(shared) = &self.shared {
                shared.remember_address(address, id);
            }
            self.resolve_cache.borrow_mut().insert(*address, id);
        }
        Ok(found)
    }

    /// Assigns the next free ID to `address` and records the mapping. The address must be a
    /// robust or delegated address not mapped yet.
    pub fn register_new_address(&mut self, address: &Address) -> Result<ActorID> {
        if address.protocol() == fvm_shared::address::Protocol::ID {
            bail!("cannot register an ID address");
        }
        if self.lookup_id(address)?.is_some() {
            bail!("address {address} is already mapped");
        }
        let id = self.next_id()?;
        let layer = self.top();
        layer.next_id = Some(id + 1);
        layer.addresses.insert(*address, id);
        Ok(id)
    }

    /// Maps an extra address (e.g. a new actor's f2) to an existing ID.
    pub fn map_address(&mut self, address: &Address, id: ActorID) -> Result<()> {
        if self.lookup_id(address)?.is_some() {
            bail!("address {address} is already mapped");
        }
        self.top().addresses.insert(*address, id);
        Ok(())
    }

    /// Makes the next registered address get at least `id` (genesis only): Filecoin networks
    /// number their genesis miners from f01000, after the accounts.
    pub fn skip_ids_to(&mut self, id: ActorID) -> Result<()> {
        if self.next_id()? < id {
            self.top().next_id = Some(id);
        }
        Ok(())
    }

    /// The ID the next registered address will get.
    pub fn next_id(&self) -> Result<ActorID> {
        for layer in self.layers.iter().rev() {
            if let Some(id) = layer.next_id {
                return Ok(id);
            }
        }
        self.with_init(|init| Ok(init.next_id))
    }

    /// The network name recorded in init's state.
    pub fn network_name(&self) -> Result<String> {
        self.with_init(|init| Ok(init.network_name.clone()))
    }

    /// The built-in actor manifest of this state (see [`Manifest`]): shared through the root
    /// cache while f00 is as the root has it, decoded afresh otherwise (genesis building, or a
    /// test that rewrites f00). Callers keep the result; it is not re-read per message.
    pub fn manifest(&self) -> Result<Arc<Manifest>> {
        let system_changed = self.layers.iter().any(|l| l.actors.contains_key(&SYSTEM_ACTOR_ID));
        let shared = self.shared.as_ref().filter(|_| !system_changed);
        if let Some(manifest) = shared.and_then(|c| c.manifest()) {
            return Ok(manifest);
        }
        let manifest = Manifest::load(self)?;
        if let Some(cache) = shared {
            cache.remember_manifest(&manifest);
        }
        Ok(manifest)
    }

    fn with_init<T>(&self, f: impl FnOnce(&InitState) -> Result<T>) -> Result<T> {
        if self.init.borrow().is_none() {
            let actor =
                self.get_actor(INIT_ACTOR_ID)?.ok_or_else(|| anyhow!("init actor missing"))?;
            let state: InitState = self
                .store
                .get_cbor(&actor.state)?
                .ok_or_else(|| anyhow!("init actor state {} missing", actor.state))?;
            *self.init.borrow_mut() = Some(state);
        }
        let init = self.init.borrow();
        f(init.as_ref().ok_or_else(|| anyhow!("init state not loaded"))?)
    }

    /// Opens a nested transaction (a call frame).
    pub fn begin_transaction(&mut self) {
        self.layers.push(Layer::default());
    }

    /// Closes the innermost transaction, undoing it when `revert` is true.
    pub fn end_transaction(&mut self, revert: bool) -> Result<()> {
        if self.layers.len() < 2 {
            bail!("no open transaction");
        }
        let Some(layer) = self.layers.pop() else { bail!("no open transaction") };
        if !revert {
            let below = self.top();
            below.actors.extend(layer.actors);
            below.addresses.extend(layer.addresses);
            if layer.next_id.is_some() {
                below.next_id = layer.next_id;
            }
        }
        Ok(())
    }

    /// Number of open transactions.
    pub fn transaction_depth(&self) -> usize {
        self.layers.len() - 1
    }

    /// Writes every change to the blockstore and returns the new state root.
    pub fn flush(&mut self) -> Result<Cid> {
        if self.layers.len() != 1 {
            bail!("cannot flush with {} open transactions", self.transaction_depth());
        }
        // From here on this tree's reads are of its own new root, not the shared one.
        self.shared = None;
        self.flush_init()?;
        self.actors()?;
        let base = std::mem::take(&mut self.layers[0]);
        let dirty: BTreeMap<_, _> = base.actors.into_iter().collect();
        let mut cache = self.read_cache.borrow_mut();
        let hamt = self.actors.get_mut().ok_or_else(|| anyhow!("actors HAMT not loaded"))?;
        for (id, actor) in dirty {
            let key = BytesKey(Address::new_id(id).to_bytes());
            match actor {
                Some(actor) => {
                    hamt.set(key, actor.clone())?;
                    cache.insert(id, actor);
                }
                None => {
                    hamt.delete(&key)?;
                    cache.remove(&id);
                }
            }
        }
        drop(cache);
        let actors = hamt.flush()?;
        let info = self.store.put_cbor(&StateInfo0::default(), Code::Blake2b256)?;
        let root = StateRoot { version: StateTreeVersion::V5, actors, info };
        self.store.put_cbor(&root, Code::Blake2b256)
    }

    /// Folds pending address registrations into init's HAMT and state.
    fn flush_init(&mut self) -> Result<()> {
        let base = &mut self.layers[0];
        if base.addresses.is_empty() && base.next_id.is_none() {
            return Ok(());
        }
        let addresses: BTreeMap<_, _> = std::mem::take(&mut base.addresses)
            .into_iter()
            .map(|(a, id)| (a.to_bytes(), id))
            .collect();
        let next_id = base.next_id.take();
        let mut init = self.with_init(|init| Ok(init.clone()))?;
        let mut map =
            Hamt::<_, ActorID>::load_with_config(&init.address_map, &self.store, hamt_config())?;
        for (bytes, id) in &addresses {
            map.set(BytesKey(bytes.clone()), *id)?;
        }
        init.address_map = map.flush()?;
        if let Some(next_id) = next_id {
            init.next_id = next_id;
        }
        let head = self.store.put_cbor(&init, Code::Blake2b256)?;
        let mut resolve = self.resolve_cache.borrow_mut();
        for (bytes, id) in addresses {
            resolve.insert(Address::from_bytes(&bytes)?, id);
        }
        drop(resolve);
        *self.init.borrow_mut() = Some(init);
        self.mutate_actor(INIT_ACTOR_ID, |actor| {
            actor.state = head;
            Ok(())
        })
    }

    /// Replaces init's state wholesale (genesis only), replacing the cached copy too; returns the
    /// new state's CID for the init actor's head.
    pub fn install_init_state(&mut self, state: &InitState) -> Result<Cid> {
        let head = self.store.put_cbor(state, Code::Blake2b256)?;
        *self.init.borrow_mut() = Some(state.clone());
        Ok(head)
    }
}
