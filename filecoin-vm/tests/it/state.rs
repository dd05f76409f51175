//! State roots: persistence, determinism and the init actor's address map.

use std::sync::Arc;

use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::METHOD_SEND;
use fvm_shared::address::Address;

use crate::harness::{Net, NoExterns, Op, context, eth, registry};
use filecoin_vm::{Executor, INIT_ACTOR_ID, InitState, MemoryBlockstore, RootCache, StateTree};
use fvm_ipld_blockstore::Blockstore;

fn run_scenario() -> (cid::Cid, Arc<MemoryBlockstore>) {
    let mut net = Net::new();
    let (alice, bob) = (net.alice, net.bob);
    for n in 0..3u8 {
        let msg = net.message(&alice, eth(0x10 + n), METHOD_SEND, RawBytes::default(), 1_000);
        net.apply(&msg);
    }
    let msg = net.message(&alice, bob, METHOD_SEND, RawBytes::default(), 77);
    net.apply(&msg);
    net.script(vec![Op::Store(42), Op::Emit(vec![9])]);
    (net.exec.flush().unwrap(), net.store)
}

#[test]
fn the_same_messages_give_the_same_state_root() {
    let (a, _) = run_scenario();
    let (b, _) = run_scenario();
    assert_eq!(a, b);
}

#[test]
fn a_flushed_root_reloads_with_everything_in_it() {
    let (root, store) = run_scenario();
    let tree = StateTree::load(store.clone(), &root).unwrap();
    // Placeholders created by sends are in init's map on disk, with consecutive IDs.
    let ids: Vec<_> = (0..3u8).map(|n| tree.lookup_id(&eth(0x10 + n)).unwrap().unwrap()).collect();
    assert_eq!(ids[1], ids[0] + 1);
    assert_eq!(ids[2], ids[0] + 2);
    let init = tree.get_actor(INIT_ACTOR_ID).unwrap().unwrap();
    let state: InitState = store.get_cbor(&init.state).unwrap().unwrap();
    assert_eq!(state.next_id, ids[2] + 1);
    assert_eq!(state.network_name, "fevm-test");
    // And an executor can continue from it.
    let mut exec =
        Executor::new(store, &root, context(11), Box::new(NoExterns), registry()).unwrap();
    let bob = exec.state_tree().lookup_id(&eth(0xb0)).unwrap().unwrap();
    assert!(exec.state_tree().get_actor(bob).unwrap().unwrap().balance.is_positive());
}

#[test]
fn nested_transactions_revert_only_their_own_changes() {
    let store = Arc::new(MemoryBlockstore::new());
    let (root, _, _) = crate::harness::genesis_root(&store);
    let mut tree = StateTree::load(store, &root).unwrap();
    let alice = tree.lookup_id(&eth(0xa1)).unwrap().unwrap();
    let balance = |t: &StateTree<_>| t.get_actor(alice).unwrap().unwrap().balance;
    let start = balance(&tree);
    tree.begin_transaction();
    tree.mutate_actor(alice, |a| {
        a.sequence = 1;
        Ok(())
    })
    .unwrap();
    tree.begin_transaction();
    tree.mutate_actor(alice, |a| {
        a.sequence = 2;
        Ok(())
    })
    .unwrap();
    let new_id = tree.register_new_address(&Address::new_actor(b"x")).unwrap();
    tree.end_transaction(true).unwrap();
    assert_eq!(tree.get_actor(alice).unwrap().unwrap().sequence, 1);
    assert_eq!(tree.lookup_id(&Address::new_actor(b"x")).unwrap(), None);
    assert_eq!(tree.next_id().unwrap(), new_id, "the reverted ID is handed out again");
    tree.end_transaction(false).unwrap();
    assert_eq!(tree.get_actor(alice).unwrap().unwrap().sequence, 1);
    assert_eq!(balance(&tree), start);
    assert!(tree.end_transaction(false).is_err(), "no transaction left to close");
}

#[test]
fn trees_sharing_a_root_cache_share_clean_reads_only() {
    let (root, store) = run_scenario();
    let cache = Arc::new(RootCache::new(root));
    let mut writer = StateTree::load_shared(store.clone(), cache.clone()).unwrap();
    let bob = writer.lookup_id(&eth(0xb0)).unwrap().unwrap();
    let original = writer.get_actor(bob).unwrap().unwrap();
    // The writer's own change stays its own.
    writer
        .mutate_actor(bob, |a| {
            a.sequence += 7;
            Ok(())
        })
        .unwrap();

    // A second tree at the same root reads through the cache, even with no store behind it:
    // what the first tree read is served from memory, not decoded again.
    let empty = Arc::new(MemoryBlockstore::new());
    empty.put_keyed(&root, &store.get(&root).unwrap().unwrap()).unwrap();
    let state_root: fvm_shared::state::StateRoot = store.get_cbor(&root).unwrap().unwrap();
    let hamt_root = store.get(&state_root.actors).unwrap().unwrap();
    empty.put_keyed(&state_root.actors, &hamt_root).unwrap();
    let reader = StateTree::load_shared(empty, cache).unwrap();
    assert_eq!(reader.lookup_id(&eth(0xb0)).unwrap(), Some(bob));
    assert_eq!(reader.get_actor(bob).unwrap(), Some(original.clone()));

    // After the writer flushes it reads its own new root, and the cache still holds the old.
    let new_root = writer.flush().unwrap();
    assert_ne!(new_root, root);
    assert_eq!(writer.get_actor(bob).unwrap().unwrap().sequence, original.sequence + 7);
    assert_eq!(reader.get_actor(bob).unwrap(), Some(original));
}
