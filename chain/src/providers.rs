//! Storage providers at genesis: miner actors f01000, f01001, … (Filecoin networks number
//! their genesis miners from f01000, after the accounts), each with a BLS worker key derived
//! from the devnet's mnemonic, so a developer has a provider to publish deals with, to point
//! contracts at (`MinerAPI`), and whose keys they can recover.
//!
//! The miners are made the way a user would make one: genesis state is built, then the worker
//! sends power's `CreateMiner` through the VM at epoch 0 (the constructor's checks, the
//! create-miner deposit locked in vesting, the power claim). They start with no sectors: a
//! genesis sector would need a Window PoSt every day from its first deadline, which only a
//! running provider sends; without one it would turn faulty and be terminated.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use cid::Cid;
use filecoin_vm::accounts::create_account;
use filecoin_vm::{ActorRegistry, ApplyKind, Executor, Externs, MachineContext, StateTree};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{BytesDe, RawBytes};
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::sector::RegisteredPoStProof;
use storage_actors::POWER_ACTOR_ID;
use storage_actors::power::{CREATE_MINER_METHOD, CreateMinerParams, CreateMinerReturn};

use crate::basefee::INITIAL_BASE_FEE;
use crate::config::ChainConfig;

/// The first genesis miner's ID.
pub const FIRST_PROVIDER_ID: ActorID = 1000;
/// What each genesis miner is created with (its create-miner deposit comes out of this; the
/// rest is available for pre-commit deposits and pledge).
pub const PROVIDER_STAKE_FIL: u64 = 1000;
/// Derivation path of the first worker key; provider `i` uses index `i`.
pub const WORKER_KEY_PATH: &str = "m/44'/461'/1'/0/0";

/// A genesis provider's identity.
#[derive(Clone)]
pub struct ProviderKey {
    /// The miner actor's ID.
    pub miner: ActorID,
    /// The worker (and owner): an f3 address.
    pub worker: Address,
    /// The worker's BLS secret key (blst's big-endian scalar).
    pub secret: [u8; 32],
}

impl std::fmt::Debug for ProviderKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderKey")
            .field("miner", &self.miner)
            .field("worker", &self.worker)
            .finish_non_exhaustive()
    }
}

impl PartialEq for ProviderKey {
    fn eq(&self, other: &Self) -> bool {
        self.miner == other.miner && self.worker == other.worker && self.secret == other.secret
    }
}

/// The keys of `count` genesis providers: BLS keys generated (IETF KeyGen) from the secp256k1
/// keys at m/44'/461'/1'/0/i, so they are fixed by the mnemonic.
pub fn provider_keys(mnemonic: &str, count: u32) -> Result<Vec<ProviderKey>> {
    let seeds = crate::genesis::derive_keys(mnemonic, WORKER_KEY_PATH, count)?;
    seeds
        .into_iter()
        .zip(FIRST_PROVIDER_ID..)
        .map(|(seed, miner)| {
            let sk = blst::min_pk::SecretKey::key_gen(&seed, &[])
                .map_err(|e| anyhow::anyhow!("BLS key generation failed: {e:?}"))?;
            let worker = Address::new_bls(&sk.sk_to_pk().compress())?;
            Ok(ProviderKey { miner, worker, secret: sk.to_bytes() })
        })
        .collect()
}

/// Genesis needs no chain data: miners are created at epoch 0 from a known supply.
struct GenesisExterns {
    supply: TokenAmount,
}

impl Externs for GenesisExterns {
    fn tipset_cid(&self, epoch: ChainEpoch) -> Result<Cid> {
        bail!("no tipset at epoch {epoch} during genesis")
    }

    fn beacon_randomness(&self, epoch: ChainEpoch) -> Result<[u8; 32]> {
        Ok(filecoin_vm::crypto::blake2b_256(&crate::execution::beacon_entry_data(epoch)))
    }

    fn circulating_supply(&self) -> Result<TokenAmount> {
        Ok(self.supply.clone())
    }
}

/// Adds the genesis providers to the genesis state at `root`; returns the new root.
pub fn install<B: Blockstore + Clone + 'static>(
    store: B,
    root: &Cid,
    config: &ChainConfig,
    registry: Arc<ActorRegistry>,
    timestamp: u64,
) -> Result<Cid> {
    let keys = provider_keys(&config.mnemonic, config.providers)?;
    if keys.is_empty() {
        return Ok(*root);
    }
    let mut tree = StateTree::load(store.clone(), root)?;
    for key in &keys {
        create_account(&mut tree, key.worker, config.balance.clone())?;
    }
    tree.skip_ids_to(FIRST_PROVIDER_ID)?;
    let supply = storage_actors::supply::circulating_supply(&tree, &config.issued())?;
    let root = tree.flush()?;
    let machine = MachineContext {
        epoch: 0,
        timestamp,
        chain_id: config.chain_id,
        base_fee: TokenAmount::from_atto(INITIAL_BASE_FEE),
        network_name: config.network_name.clone(),
    };
    let mut exec =
        Executor::new(store, &root, machine, Box::new(GenesisExterns { supply }), registry)?;
    for key in &keys {
        let params = CreateMinerParams {
            owner: key.worker,
            worker: key.worker,
            window_post_proof_type: RegisteredPoStProof::StackedDRGWindow2KiBV1P1,
            peer: format!("fevm-provider-{}", key.miner).into_bytes(),
            multiaddrs: vec![BytesDe(b"/ip4/127.0.0.1/tcp/0".to_vec())],
        };
        let msg = Message {
            version: 0,
            from: key.worker,
            to: Address::new_id(POWER_ACTOR_ID),
            sequence: 0,
            value: TokenAmount::from_whole(PROVIDER_STAKE_FIL),
            method_num: CREATE_MINER_METHOD,
            params: RawBytes::serialize(&params)?,
            gas_limit: 10_000_000_000,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        };
        let ret = exec.apply_message(&msg, ApplyKind::Implicit)?;
        if !ret.receipt.exit_code.is_success() {
            bail!(
                "creating genesis provider f0{} failed: {}",
                key.miner,
                ret.failure_info.unwrap_or_default()
            );
        }
        let created: CreateMinerReturn =
            ret.receipt.return_data.deserialize().context("CreateMiner return")?;
        if created.id_address != Address::new_id(key.miner) {
            bail!("genesis provider got {} instead of f0{}", created.id_address, key.miner);
        }
    }
    exec.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use filecoin_vm::BuiltinType;
    use fvm_ipld_encoding::CborStore;
    use storage_actors::miner::state::MinerState;

    #[test]
    fn genesis_providers_are_miners_from_f01000_with_bls_workers() {
        let store = Arc::new(filecoin_vm::MemoryBlockstore::new());
        let config = ChainConfig { providers: 2, ..ChainConfig::default() };
        let root = crate::genesis::build_genesis(&*store, &config).unwrap();
        let mut registry = ActorRegistry::new();
        filecoin_vm::builtin::register_builtins(&mut registry);
        evm_actor::register(&mut registry);
        storage_actors::register(&mut registry);
        let root =
            install(store.clone(), &root, &config, Arc::new(registry), 1_700_000_000).unwrap();

        let keys = provider_keys(&config.mnemonic, 2).unwrap();
        // Fixed by the mnemonic: the same keys on every machine.
        assert_eq!(keys, provider_keys(crate::config::DEFAULT_MNEMONIC, 2).unwrap());
        assert_ne!(keys[0].worker, keys[1].worker);
        let tree = StateTree::load(&*store, &root).unwrap();
        for key in &keys {
            let actor = tree.get_actor(key.miner).unwrap().expect("miner at its ID");
            assert_eq!(actor.code, BuiltinType::Miner.code_cid());
            assert_eq!(actor.balance, TokenAmount::from_whole(PROVIDER_STAKE_FIL));
            let state: MinerState = store.get_cbor(&actor.state).unwrap().unwrap();
            let info = state.get_info(&*store).unwrap();
            let worker = tree.lookup_id(&key.worker).unwrap().unwrap();
            assert_eq!(
                (info.owner, info.worker),
                (Address::new_id(worker), Address::new_id(worker))
            );
            assert!(state.locked_funds.is_positive(), "the create-miner deposit is locked");
            let account = tree.get_actor(worker).unwrap().unwrap();
            let left = config.balance.clone() - TokenAmount::from_whole(PROVIDER_STAKE_FIL);
            assert_eq!(account.balance, left);
        }
        // Actors created later come after the providers.
        assert_eq!(tree.next_id().unwrap(), FIRST_PROVIDER_ID + 2);
    }
}
