//! Creating accounts directly on a [`StateTree`], outside any message: the node's genesis funds
//! its dev accounts this way, and a read-only call (`eth_call`, gas estimation, a state
//! override) creates a sender or an overridden address that does not exist yet.
//!
//! The code comes from the tree's manifest, so a forked state gets its own Account and
//! EthAccount code.

use anyhow::{Result, bail};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_shared::address::{Address, Payload, Protocol};
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::ActorState;
use fvm_shared::{ActorID, EMPTY_ARR_CID};
use multihash_codetable::Code;

use crate::actor::BuiltinType;
use crate::builtin::AccountState;
use crate::state_tree::StateTree;

/// Creates an account for an f1/f3 key with a balance; returns its ID.
pub fn create_account<BS: Blockstore + Clone>(
    tree: &mut StateTree<BS>,
    key: Address,
    balance: TokenAmount,
) -> Result<ActorID> {
    if !matches!(key.protocol(), Protocol::Secp256k1 | Protocol::BLS) {
        bail!("{key} is not a key address");
    }
    let code = tree.manifest()?.code_of(BuiltinType::Account);
    let id = tree.register_new_address(&key)?;
    let head = tree.store().put_cbor(&AccountState { address: key }, Code::Blake2b256)?;
    let account = ActorState::new(code, head, balance, 0, None);
    tree.set_actor(id, account);
    Ok(id)
}

/// Creates an EthAccount at an f410 address with a balance; returns its ID.
pub fn create_eth_account<BS: Blockstore + Clone>(
    tree: &mut StateTree<BS>,
    f410: Address,
    balance: TokenAmount,
) -> Result<ActorID> {
    match f410.payload() {
        Payload::Delegated(d) if d.namespace() == address_mapping::EAM_ACTOR_ID => {}
        _ => bail!("{f410} is not an f410 address"),
    }
    let code = tree.manifest()?.code_of(BuiltinType::EthAccount);
    let id = tree.register_new_address(&f410)?;
    let account = ActorState::new(code, EMPTY_ARR_CID, balance, 0, Some(f410));
    tree.set_actor(id, account);
    Ok(id)
}
