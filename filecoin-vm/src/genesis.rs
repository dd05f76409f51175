//! Building a genesis state directly on a [`StateTree`] (no messages): the singletons every
//! network has. The node's genesis (`chain`) composes these with prefunded accounts
//! ([`crate::accounts`]) and adds the EAM, whose implementation this crate does not know.
//!
//! Singletons get the static code CIDs: this is where the static table becomes the state's
//! manifest.

use anyhow::Result;
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::ActorState;
use fvm_shared::{ActorID, EMPTY_ARR_CID};
use multihash_codetable::Code;

use crate::actor::BuiltinType;
use crate::builtin::{AccountState, SystemState};
use crate::executor::{BURNT_FUNDS_ACTOR_ID, REWARD_ACTOR_ID};
use crate::state_tree::{INIT_ACTOR_ID, InitState, StateTree};

/// The built-in actor registry the system actor records: (manifest name, code CID).
pub fn builtin_manifest() -> Vec<(String, Cid)> {
    BuiltinType::ALL.iter().map(|t| (t.name().to_string(), t.code_cid())).collect()
}

/// Installs system (f00), init (f01), reward (f02) and burnt funds (f099).
pub fn install_singletons<BS: Blockstore + Clone>(
    tree: &mut StateTree<BS>,
    network_name: &str,
) -> Result<()> {
    let store = tree.store();
    let manifest = store.put_cbor(&builtin_manifest(), Code::Blake2b256)?;
    let system = store.put_cbor(&SystemState { builtin_actors: manifest }, Code::Blake2b256)?;
    tree.set_actor(0, actor(BuiltinType::System, system, None));

    let init_state = InitState::new(tree.store(), network_name)?;
    let init = tree.install_init_state(&init_state)?;
    tree.set_actor(INIT_ACTOR_ID, actor(BuiltinType::Init, init, None));

    tree.set_actor(REWARD_ACTOR_ID, actor(BuiltinType::Reward, EMPTY_ARR_CID, None));

    // Burnt funds is an account keyed by its own ID address, as on every Filecoin network.
    let burnt = AccountState { address: Address::new_id(BURNT_FUNDS_ACTOR_ID) };
    let burnt = tree.store().put_cbor(&burnt, Code::Blake2b256)?;
    tree.set_actor(BURNT_FUNDS_ACTOR_ID, actor(BuiltinType::Account, burnt, None));
    Ok(())
}

/// Installs a singleton of any (registered) code at a fixed ID, e.g. the EAM at f010.
pub fn install_singleton<BS: Blockstore + Clone>(
    tree: &mut StateTree<BS>,
    id: ActorID,
    code: Cid,
    state: Cid,
) {
    tree.set_actor(id, ActorState::new(code, state, TokenAmount::default(), 0, None));
}

fn actor(kind: BuiltinType, state: Cid, delegated: Option<Address>) -> ActorState {
    ActorState::new(kind.code_cid(), state, TokenAmount::default(), 0, delegated)
}
