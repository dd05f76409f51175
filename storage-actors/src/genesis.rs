//! The storage actors' part of a genesis state, installed directly on the state tree (no
//! messages), next to the singletons `filecoin_vm::genesis` installs: each actor's state is
//! what its constructor would write, as on a fresh network.

use anyhow::Result;
use filecoin_vm::genesis::install_singleton;
use filecoin_vm::{BuiltinType, REWARD_ACTOR_ID, StateTree};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_shared::address::Address;
use fvm_shared::sector::StoragePower;
use multihash_codetable::Code;

use crate::cron::{CronEntry, CronState};
use crate::{
    CRON_ACTOR_ID, DATACAP_ACTOR_ID, MARKET_ACTOR_ID, POWER_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID,
    datacap, market, power, reward, verifreg,
};

/// Power's end-of-epoch hook and the market's deal cron, called in this order every epoch.
pub fn cron_entries() -> Vec<CronEntry> {
    vec![
        CronEntry {
            receiver: Address::new_id(POWER_ACTOR_ID),
            method_num: power::ON_EPOCH_TICK_END_METHOD,
        },
        CronEntry {
            receiver: Address::new_id(MARKET_ACTOR_ID),
            method_num: market::CRON_TICK_METHOD,
        },
    ]
}

/// Installs cron (f03) with its entries, reward (f02, replacing the VM's placeholder state with
/// the schedule at zero power; its balance is kept), power (f04), the market (f05) and datacap
/// (f07, governed by the verified registry f06, the only actor that mints it). The verified
/// registry itself needs a root key: [`install_verified_registry`].
pub fn install<BS: Blockstore + Clone>(tree: &mut StateTree<BS>) -> Result<()> {
    let store = tree.store().clone();
    let cron = store.put_cbor(&CronState { entries: cron_entries() }, Code::Blake2b256)?;
    install_singleton(tree, CRON_ACTOR_ID, BuiltinType::Cron.code_cid(), cron);

    let reward = reward::genesis_state(&store, &StoragePower::default())?;
    let mut reward_actor = tree
        .get_actor(REWARD_ACTOR_ID)?
        .ok_or_else(|| anyhow::anyhow!("install the VM's singletons (f02) first"))?;
    reward_actor.state = reward;
    tree.set_actor(REWARD_ACTOR_ID, reward_actor);

    let power = power::genesis_state(&store)?;
    install_singleton(tree, POWER_ACTOR_ID, BuiltinType::Power.code_cid(), power);
    let market = market::genesis_state(&store)?;
    install_singleton(tree, MARKET_ACTOR_ID, BuiltinType::Market.code_cid(), market);

    let governor = Address::new_id(VERIFIED_REGISTRY_ACTOR_ID);
    let datacap = datacap::genesis_state(&store, governor)?;
    install_singleton(tree, DATACAP_ACTOR_ID, BuiltinType::DataCap.code_cid(), datacap);
    Ok(())
}

/// Installs the verified registry (f06) with `root` as its root key (the address that adds
/// verifiers). The root must already have an actor; it is stored as its ID address.
pub fn install_verified_registry<BS: Blockstore + Clone>(
    tree: &mut StateTree<BS>,
    root: &Address,
) -> Result<()> {
    let id = tree
        .lookup_id(root)?
        .ok_or_else(|| anyhow::anyhow!("the verified registry's root {root} has no actor"))?;
    let state = verifreg::genesis_state(&tree.store().clone(), Address::new_id(id))?;
    install_singleton(
        tree,
        VERIFIED_REGISTRY_ACTOR_ID,
        BuiltinType::VerifiedRegistry.code_cid(),
        state,
    );
    Ok(())
}

/// Makes `verifier` (an existing actor other than the root) a verifier allowed to grant
/// `allowance` bytes of datacap, as the root's `AddVerifier` would (a genesis has no events).
pub fn add_verifier<BS: Blockstore + Clone>(
    tree: &mut StateTree<BS>,
    verifier: &Address,
    allowance: &verifreg::DataCap,
) -> Result<()> {
    let id = tree
        .lookup_id(verifier)?
        .ok_or_else(|| anyhow::anyhow!("the verifier {verifier} has no actor"))?;
    let mut registry = tree
        .get_actor(VERIFIED_REGISTRY_ACTOR_ID)?
        .ok_or_else(|| anyhow::anyhow!("no verified registry"))?;
    let store = tree.store().clone();
    let mut state: verifreg::VerifregState = store
        .get_cbor(&registry.state)?
        .ok_or_else(|| anyhow::anyhow!("the verified registry's state is missing"))?;
    let id = Address::new_id(id);
    anyhow::ensure!(id != state.root_key, "the root key cannot be a verifier");
    state.put_verifier(&store, &id, allowance).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    registry.state = store.put_cbor(&state, Code::Blake2b256)?;
    tree.set_actor(VERIFIED_REGISTRY_ACTOR_ID, registry);
    Ok(())
}
