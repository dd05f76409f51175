//! The storage actors' part of a genesis state, installed directly on the state tree (no
//! messages), next to the singletons `filecoin_vm::genesis` installs.

use anyhow::Result;
use filecoin_vm::BuiltinType;
use filecoin_vm::StateTree;
use filecoin_vm::genesis::install_singleton;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use multihash_codetable::Code;

use fvm_shared::address::Address;

use crate::cron::CronState;
use crate::{CRON_ACTOR_ID, DATACAP_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID, datacap};

/// Installs cron (f03) and datacap (f07, governed by the verified registry f06, the only actor
/// that mints it). Cron's entries are the end-of-epoch hooks of the storage actors present in
/// this genesis (none yet: power and market add theirs as they land).
pub fn install<BS: Blockstore + Clone>(tree: &mut StateTree<BS>) -> Result<()> {
    let cron = tree.store().put_cbor(&CronState::default(), Code::Blake2b256)?;
    install_singleton(tree, CRON_ACTOR_ID, BuiltinType::Cron.code_cid(), cron);
    let governor = Address::new_id(VERIFIED_REGISTRY_ACTOR_ID);
    let datacap = datacap::genesis_state(&tree.store(), governor)?;
    install_singleton(tree, DATACAP_ACTOR_ID, BuiltinType::DataCap.code_cid(), datacap);
    Ok(())
}
