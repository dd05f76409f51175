//! The devnet node: opens or creates the chain, runs the miner, and serves the [`FullNode`]
//! interface.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;

use anyhow::{Context, Result, anyhow, bail};
use filecoin_vm::{ActorRegistry, RootCache, StateTree};
use fvm_ipld_amt::Amtv0;
use fvm_ipld_encoding::CborStore;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::receipt::Receipt;
use fvm_shared::state::ActorState;
use multihash_codetable::Code;
use tokio::sync::broadcast;

use crate::basefee::INITIAL_BASE_FEE;
use crate::block::{BlockHeader, TxMeta};
use crate::clock::Clock;
use crate::config::{ChainConfig, MiningMode};
use crate::genesis::{DevAccount, NativeAccount, build_genesis, dev_accounts, native_accounts};
use crate::mempool::{Mempool, PendingMessage};
use crate::miner::{Built, DEVNET_MINER_ID, build_tipset, premium_samples};
use crate::store::ChainStore;
use crate::tipset::{Tipset, TipsetRecord};

/// Head changes buffered per subscriber before the slowest ones start missing some.
const BROADCAST_CAPACITY: usize = 4096;

/// The head and the base fee its successor will charge.
#[derive(Clone)]
struct Head {
    tipset: Arc<Tipset>,
    next_base_fee: TokenAmount,
}

/// State shared by the node's handles and its miner thread.
pub(crate) struct Inner {
    pub(crate) config: ChainConfig,
    pub(crate) store: Arc<ChainStore>,
    pub(crate) registry: Arc<ActorRegistry>,
    head: RwLock<Head>,
    tipsets: RwLock<HashMap<i64, Arc<Tipset>>>,
    pub(crate) mempool: Mutex<Mempool>,
    mining: Mutex<()>,
    pub(crate) heads: broadcast::Sender<Arc<Tipset>>,
    pub(crate) pending: broadcast::Sender<PendingMessage>,
    wake: (Mutex<bool>, Condvar),
    pub(crate) stop: AtomicBool,
    /// The time tipsets are stamped with.
    pub(crate) clock: Clock,
    pub(crate) dev_accounts: Vec<DevAccount>,
    pub(crate) native_accounts: Vec<NativeAccount>,
    /// Read caches of the most recently used state roots, newest last.
    root_caches: Mutex<VecDeque<Arc<RootCache>>>,
    /// FIL issued (to the genesis accounts): the base of the circulating supply.
    pub(crate) issued: TokenAmount,
}

/// How many state roots keep a shared read cache: the head, its parent, and a few that calls
/// at past blocks ask for.
const ROOT_CACHES: usize = 8;

/// A running devnet node. Cheap to share (`Arc` inside); [`DevNode::shutdown`] stops the miner.
pub struct DevNode {
    pub(crate) inner: Arc<Inner>,
    miner: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for DevNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevNode").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

impl DevNode {
    /// Opens the chain in `config.data_dir` (resuming it) or creates it, and starts mining.
    pub fn start(config: ChainConfig) -> Result<Self> {
        let store = Arc::new(ChainStore::open(config.data_dir.as_deref())?);
        let mut registry = ActorRegistry::new();
        filecoin_vm::builtin::register_builtins(&mut registry);
        evm_actor::register(&mut registry);
        storage_actors::register(&mut registry);
        let registry = Arc::new(registry);
        let identity = fvm_ipld_encoding::to_vec(&(config.chain_id, &config.network_name))?;

        let clock = Clock::default();
        let head = match store.head_height()? {
            Some(height) => {
                let stored = store.identity()?.unwrap_or_default();
                if stored != identity {
                    let (chain_id, network): (u64, String) =
                        fvm_ipld_encoding::from_slice(&stored).context("corrupt chain identity")?;
                    bail!(
                        "the data directory holds chain id {chain_id} (network {network:?}), \
                         not {} ({:?}); start with the same --chain-id or use another --data-dir",
                        config.chain_id,
                        config.network_name
                    );
                }
                load_tipset(&store, height)?
                    .ok_or_else(|| anyhow!("head tipset {height} missing"))?
            }
            None => Arc::new(create_genesis(&store, &config, &identity, &clock, &registry)?),
        };
        let next_base_fee = next_base_fee_after(&store, &head)?;
        let (heads, _) = broadcast::channel(BROADCAST_CAPACITY);
        let (pending, _) = broadcast::channel(BROADCAST_CAPACITY);
        let issued = config.issued();
        let inner = Arc::new(Inner {
            dev_accounts: dev_accounts(&config.mnemonic, config.accounts)?,
            native_accounts: native_accounts(&config.mnemonic, config.f1_accounts)?,
            config,
            store,
            registry,
            tipsets: RwLock::new(HashMap::from([(head.height(), head.clone())])),
            head: RwLock::new(Head { tipset: head, next_base_fee }),
            mempool: Mutex::new(Mempool::default()),
            mining: Mutex::new(()),
            heads,
            pending,
            wake: (Mutex::new(false), Condvar::new()),
            stop: AtomicBool::new(false),
            clock,
            root_caches: Mutex::default(),
            issued,
        });
        let miner = match inner.config.mining {
            MiningMode::Manual => None,
            mode => {
                let inner = inner.clone();
                Some(
                    std::thread::Builder::new()
                        .name("fevm-miner".into())
                        .spawn(move || miner_loop(&inner, mode))?,
                )
            }
        };
        Ok(Self { inner, miner: Mutex::new(miner) })
    }

    /// Stops the miner after the tipset it may be building is committed. Idempotent.
    pub fn shutdown(&self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        self.inner.wake_miner();
        let handle = self.miner.lock().ok().and_then(|mut h| h.take());
        if let Some(handle) = handle
            && handle.join().is_err()
        {
            tracing::error!(target: "fevm::chain", "the miner thread panicked");
        }
    }

    /// The node's configuration.
    pub fn config(&self) -> &ChainConfig {
        &self.inner.config
    }

    /// The native f1 accounts the node holds keys for.
    pub fn native_accounts(&self) -> &[NativeAccount] {
        &self.inner.native_accounts
    }

    /// The block store (state, messages, headers).
    pub fn store(&self) -> &Arc<ChainStore> {
        &self.inner.store
    }
}

impl Drop for DevNode {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Inner {
    pub(crate) fn head(&self) -> Arc<Tipset> {
        self.head.read().map_or_else(|p| p.into_inner().tipset.clone(), |h| h.tipset.clone())
    }

    pub(crate) fn next_base_fee(&self) -> TokenAmount {
        self.head
            .read()
            .map_or_else(|p| p.into_inner().next_base_fee.clone(), |h| h.next_base_fee.clone())
    }

    pub(crate) fn wake_miner(&self) {
        let (flag, cvar) = &self.wake;
        if let Ok(mut woken) = flag.lock() {
            *woken = true;
            cvar.notify_all();
        }
    }

    /// The tipset at exactly `height` (`None` for a null round or beyond the head).
    ///
    /// Reads the store, not the in-memory head: the miner commits a tipset (and its message
    /// index) before it moves the head, so a message found by hash must find its tipset too.
    pub(crate) fn tipset_at(&self, height: i64) -> Result<Option<Arc<Tipset>>> {
        if let Some(ts) = self.tipsets.read().map_err(poisoned)?.get(&height) {
            return Ok(Some(ts.clone()));
        }
        let Some(ts) = load_tipset(&self.store, height)? else { return Ok(None) };
        self.tipsets.write().map_err(poisoned)?.insert(height, ts.clone());
        Ok(Some(ts))
    }

    /// The shared read cache of the state at `root` (see [`RootCache`]): every read-only tree
    /// and executor at that root goes through it, so a busy head is decoded once.
    pub(crate) fn root_cache(&self, root: &cid::Cid) -> Result<Arc<RootCache>> {
        let mut caches = self.root_caches.lock().map_err(poisoned)?;
        if let Some(i) = caches.iter().position(|c| c.root() == root) {
            let cache = caches.remove(i).ok_or_else(|| anyhow!("root cache {i} vanished"))?;
            caches.push_back(cache.clone());
            return Ok(cache);
        }
        let cache = Arc::new(RootCache::new(*root));
        if caches.len() == ROOT_CACHES {
            caches.pop_front();
        }
        caches.push_back(cache.clone());
        Ok(cache)
    }

    /// A read-only state tree at `root`, sharing reads through its root cache.
    pub(crate) fn tree_at(&self, root: &cid::Cid) -> Result<StateTree<&ChainStore>> {
        StateTree::load_shared(&*self.store, self.root_cache(root)?)
    }

    /// An actor at a state root, by any of its addresses.
    pub(crate) fn actor_at(
        &self,
        state_root: &cid::Cid,
        address: &Address,
    ) -> Result<Option<(ActorID, ActorState)>> {
        let tree = self.tree_at(state_root)?;
        let Some(id) = tree.lookup_id(address)? else { return Ok(None) };
        Ok(tree.get_actor(id)?.map(|a| (id, a)))
    }

    /// Mines one tipset with whatever is selectable now; `None` when `only_if_pending` and
    /// nothing could be selected.
    pub(crate) fn mine_once(&self, only_if_pending: bool) -> Result<Option<Arc<Tipset>>> {
        let _mining = self.mining.lock().map_err(poisoned)?;
        let (parent, base_fee) = {
            let head = self.head.read().map_err(poisoned)?;
            (head.tipset.clone(), head.next_base_fee.clone())
        };
        let tree = self.tree_at(&parent.state_root)?;
        let state_nonce = |sender: &Address| -> u64 {
            let actor =
                tree.lookup_id(sender).ok().flatten().and_then(|id| tree.get_actor(id).ok());
            actor.flatten().map_or(0, |a| a.sequence)
        };
        let selected = self.mempool.lock().map_err(poisoned)?.select(
            &base_fee,
            self.config.tipset_gas_limit,
            state_nonce,
        );
        if only_if_pending && selected.is_empty() {
            return Ok(None);
        }
        let Built { tipset, next_base_fee, included } =
            build_tipset(self, &parent, &base_fee, selected, self.config.null_rounds)?;

        self.tipsets.write().map_err(poisoned)?.insert(tipset.height(), tipset.clone());
        *self.head.write().map_err(poisoned)? = Head { tipset: tipset.clone(), next_base_fee };
        let tree = self.tree_at(&tipset.state_root)?;
        let mut pool = self.mempool.lock().map_err(poisoned)?;
        let mut senders: Vec<Address> = included.iter().map(|m| m.message.message.from).collect();
        senders.dedup();
        for sender in senders {
            let nonce = match tree.lookup_id(&sender)? {
                Some(id) => tree.get_actor(id)?.map_or(0, |a| a.sequence),
                None => 0,
            };
            pool.prune(&sender, nonce);
        }
        drop(pool);
        tracing::info!(
            target: "fevm::chain",
            height = tipset.height(),
            messages = tipset.messages.len(),
            gas_used = tipset.gas_used,
            "mined tipset"
        );
        // Nobody listening is fine.
        let _ = self.heads.send(tipset.clone());
        Ok(Some(tipset))
    }
}

fn miner_loop(inner: &Inner, mode: MiningMode) {
    let (flag, cvar) = &inner.wake;
    loop {
        {
            let Ok(mut woken) = flag.lock() else { return };
            match mode {
                MiningMode::Interval(every) => {
                    let Ok((guard, _)) = cvar.wait_timeout(woken, every) else { return };
                    woken = guard;
                }
                _ => {
                    while !*woken && !inner.stop.load(Ordering::SeqCst) {
                        let Ok(guard) = cvar.wait(woken) else { return };
                        woken = guard;
                    }
                }
            }
            *woken = false;
        }
        if inner.stop.load(Ordering::SeqCst) {
            return;
        }
        let result = match mode {
            // Keep going while messages are selectable: a full block leaves the rest pending.
            MiningMode::Instant => loop {
                match inner.mine_once(true) {
                    Ok(Some(_)) => continue,
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e),
                }
            },
            _ => inner.mine_once(false).map(|_| ()),
        };
        if let Err(e) = result {
            tracing::error!(target: "fevm::chain", error = %format!("{e:#}"), "mining failed");
        }
    }
}

fn create_genesis(
    store: &Arc<ChainStore>,
    config: &ChainConfig,
    identity: &[u8],
    clock: &Clock,
    registry: &Arc<ActorRegistry>,
) -> Result<Tipset> {
    let timestamp = config.genesis_time.unwrap_or_else(|| clock.now());
    let state_root = build_genesis(&**store, config)?;
    let state_root =
        crate::providers::install(store.clone(), &state_root, config, registry.clone(), timestamp)?;
    let receipts = Amtv0::<Receipt, _>::new_from_iter(&**store, std::iter::empty::<Receipt>())?;
    let header = BlockHeader {
        miner: Address::new_id(DEVNET_MINER_ID),
        ticket: None,
        election_proof: None,
        beacon_entries: Vec::new(),
        win_post_proof: Vec::new(),
        parents: Vec::new(),
        parent_weight: BigInt::from(0),
        height: 0,
        parent_state_root: state_root,
        parent_message_receipts: receipts,
        messages: TxMeta::store(&**store, &[])?,
        bls_aggregate: None,
        timestamp,
        block_sig: None,
        fork_signaling: 0,
        parent_base_fee: TokenAmount::from_atto(INITIAL_BASE_FEE),
    };
    store.put_cbor(&header, Code::Blake2b256)?;
    let record = TipsetRecord {
        header: header.cid()?,
        state_root,
        receipts,
        messages: Vec::new(),
        eth_hashes: Vec::new(),
        fees: Vec::new(),
        gas_used: 0,
        bloom: vec![0; 256],
    };
    let tipset = Tipset::new(header, record)?;
    store.commit_tipset(&tipset, &[], &[], Some(identity))?;
    Ok(tipset)
}

pub(crate) fn load_tipset(store: &ChainStore, height: i64) -> Result<Option<Arc<Tipset>>> {
    let Some(record) = store.record(height)? else { return Ok(None) };
    let header: BlockHeader = store
        .get_cbor(&record.header)?
        .ok_or_else(|| anyhow!("header {} of tipset {height} missing", record.header))?;
    Ok(Some(Arc::new(Tipset::new(header, record)?)))
}

/// The base fee of the tipset after `tipset`, from its messages (FIP-0115).
fn next_base_fee_after(store: &Arc<ChainStore>, tipset: &Tipset) -> Result<TokenAmount> {
    let mut messages = Vec::with_capacity(tipset.messages.len());
    for cid in &tipset.messages {
        let bytes = fvm_ipld_blockstore::Blockstore::get(&**store, cid)?
            .ok_or_else(|| anyhow!("message {cid} missing"))?;
        let smsg = crate::message::SignedMessage::from_bytes(&bytes)?;
        // Only the fee fields matter for the base fee; the hash is not needed.
        messages.push(PendingMessage::new(smsg, alloy_primitives::B256::ZERO));
    }
    Ok(crate::basefee::next_base_fee(
        tipset.base_fee(),
        premium_samples(&messages, tipset.base_fee()),
    ))
}

pub(crate) fn poisoned<T>(_: std::sync::PoisonError<T>) -> anyhow::Error {
    anyhow!("node lock poisoned")
}
