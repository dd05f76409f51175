//! The storage actors' part of a genesis state, installed directly on the state tree (no
//! messages), next to the singletons `filecoin_vm::genesis` installs.

use anyhow::Result;
use filecoin_vm::BuiltinType;
use filecoin_vm::StateTree;
use filecoin_vm::genesis::install_singleton;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use multihash_codetable::Code;

use crate::CRON_ACTOR_ID;
use crate::cron::CronState;

/// Installs cron (f03). Its entries are the end-of-epoch hooks of the storage actors present in
/// this genesis (none yet: power and market add theirs as they land).
pub fn install<BS: Blockstore + Clone>(tree: &mut StateTree<BS>) -> Result<()> {
    let cron = tree.store().put_cbor(&CronState::default(), Code::Blake2b256)?;
    install_singleton(tree, CRON_ACTOR_ID, BuiltinType::Cron.code_cid(), cron);
    Ok(())
}
