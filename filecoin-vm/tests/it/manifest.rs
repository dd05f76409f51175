//! The state's built-in actor manifest: genesis writes the static table and it loads back; a
//! forked state's own code CIDs are what the VM creates and recognises; trees without a system
//! actor fall back to the static table.

use std::sync::Arc;

use cid::Cid;
use filecoin_vm::builtin::{
    AccountActor, EthAccountActor, PUBKEY_ADDRESS_METHOD, PlaceholderActor, SystemState,
    register_builtins,
};
use filecoin_vm::genesis::{builtin_manifest, install_singletons};
use filecoin_vm::{
    ActorRegistry, BuiltinType, Executor, Manifest, MemoryBlockstore, RootCache, StateTree,
};
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::state::ActorState;
use fvm_shared::{EMPTY_ARR_CID, METHOD_SEND};
use multihash_codetable::{Code, MultihashDigest};

use crate::harness::{
    FIL, GenesisTree, Net, NoExterns, Op, context, eth, genesis_root, genesis_root_with, registry,
    script_code,
};

/// A code CID shaped like a real Wasm bundle's (`bafk2bzace…`: raw, blake2b-256).
fn bundle(name: &str) -> Cid {
    Cid::new_v1(fvm_shared::IPLD_RAW, Code::Blake2b256.digest(format!("wasm/{name}").as_bytes()))
}

/// The kinds a forked state gives bundle CIDs in these tests.
const FORKED: [BuiltinType; 3] =
    [BuiltinType::Account, BuiltinType::Placeholder, BuiltinType::EthAccount];

/// Rewrites f00's state so that its manifest gives the `FORKED` kinds bundle CIDs, as the
/// manifest of a state forked from a real network does.
fn fork_manifest(tree: &mut GenesisTree) {
    let mut entries = builtin_manifest();
    for (name, code) in &mut entries {
        if FORKED.iter().any(|k| k.name() == name) {
            *code = bundle(name);
        }
    }
    let manifest = tree.store().put_cbor(&entries, Code::Blake2b256).unwrap();
    let state = SystemState { builtin_actors: manifest };
    let head = tree.store().put_cbor(&state, Code::Blake2b256).unwrap();
    tree.mutate_actor(0, |a| {
        a.state = head;
        Ok(())
    })
    .unwrap();
}

/// A funded nonce-0 placeholder at 0xc0…, the code the tree's manifest gives placeholders.
fn add_placeholder(tree: &mut GenesisTree) {
    let f410 = eth(0xc0);
    let code = tree.manifest().unwrap().code_of(BuiltinType::Placeholder);
    let id = tree.register_new_address(&f410).unwrap();
    let funds = TokenAmount::from_atto(FIL);
    tree.set_actor(id, ActorState::new(code, EMPTY_ARR_CID, funds, 0, Some(f410)));
}

fn forked_net(registry: Arc<ActorRegistry>) -> Net {
    Net::with_genesis(
        |tree| {
            fork_manifest(tree);
            add_placeholder(tree);
        },
        registry,
    )
}

/// Our built-ins registered under the bundle CIDs too, as a node running a fork could do.
fn registry_with_bundles() -> Arc<ActorRegistry> {
    let mut registry = ActorRegistry::new();
    register_builtins(&mut registry);
    registry
        .register(bundle("account"), Arc::new(AccountActor))
        .register(bundle("placeholder"), Arc::new(PlaceholderActor))
        .register(bundle("ethaccount"), Arc::new(EthAccountActor))
        .register(script_code(), Arc::new(crate::harness::ScriptActor));
    Arc::new(registry)
}

#[test]
fn the_genesis_manifest_loads_back_as_the_static_table() {
    let store = Arc::new(MemoryBlockstore::new());
    let (root, _, _) = genesis_root(&store);
    let tree = StateTree::load(store.clone(), &root).unwrap();
    // What f00 points at is exactly the static table, pair for pair.
    let system = tree.get_actor(0).unwrap().unwrap();
    let state: SystemState = store.get_cbor(&system.state).unwrap().unwrap();
    let entries: Vec<(String, Cid)> = store.get_cbor(&state.builtin_actors).unwrap().unwrap();
    let expected: Vec<_> =
        BuiltinType::ALL.iter().map(|k| (k.name().to_string(), k.code_cid())).collect();
    assert_eq!(entries, expected);
    assert_eq!(Manifest::new(entries).unwrap(), *Manifest::genesis());
    // Loading it recognises the genesis manifest by its CID and shares the static copy.
    let loaded = tree.manifest().unwrap();
    assert!(Arc::ptr_eq(&loaded, &Manifest::genesis()));
    for kind in BuiltinType::ALL {
        assert_eq!(loaded.code_of(kind), kind.code_cid(), "{}", kind.name());
    }
    let exec = Executor::new(store, &root, context(1), Box::new(NoExterns), registry()).unwrap();
    assert_eq!(*exec.manifest(), *Manifest::genesis());
}

#[test]
fn a_forked_manifest_is_loaded_instead_of_the_static_table() {
    let store = Arc::new(MemoryBlockstore::new());
    let (root, _, _) = genesis_root_with(&store, fork_manifest);
    let manifest = StateTree::load(store.clone(), &root).unwrap().manifest().unwrap();
    for kind in BuiltinType::ALL {
        let expected = if FORKED.contains(&kind) { bundle(kind.name()) } else { kind.code_cid() };
        assert_eq!(manifest.code_of(kind), expected, "{}", kind.name());
        assert_eq!(manifest.builtin_type(&expected), Some(kind));
    }
    // Genesis helpers create accounts with the state's codes.
    let tree = StateTree::load(store, &root).unwrap();
    let alice = tree.lookup_id(&eth(0xa1)).unwrap().unwrap();
    assert_eq!(tree.get_actor(alice).unwrap().unwrap().code, bundle("ethaccount"));
}

#[test]
fn a_forked_state_creates_and_recognises_actors_by_its_own_codes() {
    let mut net = forked_net(registry_with_bundles());
    let alice = net.alice;
    let key = Address::new_secp256k1(&[7; 65]).unwrap();
    let fresh = eth(0x77);
    let send = |to| Op::Send {
        to,
        method: METHOD_SEND,
        value: 5,
        gas_limit: None,
        read_only: false,
        script: None,
    };
    // Alice is an EthAccount by the manifest only: the executor must accept her as a sender.
    let (ret, results) =
        net.script(vec![send(key), send(fresh), Op::Kind(key), Op::Kind(fresh), Op::Kind(alice)]);
    assert_eq!(ret.receipt.exit_code, ExitCode::OK, "{:?}", ret.failure_info);
    let kinds = [BuiltinType::Account, BuiltinType::Placeholder, BuiltinType::EthAccount];
    assert_eq!(results, [vec![0, 0], kinds.map(|k| k as i64).to_vec()].concat());
    assert_eq!(net.actor(&key).unwrap().code, bundle("account"));
    assert_eq!(net.actor(&fresh).unwrap().code, bundle("placeholder"));
    assert_eq!(net.actor(&fresh).unwrap().delegated_address, Some(fresh));
}

#[test]
fn a_placeholder_sender_is_promoted_to_the_manifests_ethaccount() {
    let mut net = forked_net(registry_with_bundles());
    let carol = eth(0xc0);
    assert_eq!(net.actor(&carol).unwrap().code, bundle("placeholder"));
    let bob = net.bob;
    for _ in 0..2 {
        let msg = net.message(&carol, bob, METHOD_SEND, RawBytes::default(), 1);
        let ret = net.apply(&msg);
        assert_eq!(ret.receipt.exit_code, ExitCode::OK, "{:?}", ret.failure_info);
        assert_eq!(net.actor(&carol).unwrap().code, bundle("ethaccount"));
    }
    assert_eq!(net.nonce(&carol), 2);
}

#[test]
fn bundle_codes_run_our_implementations_through_their_manifest_names() {
    // Only the static CIDs are registered: the bundle CIDs must resolve by name.
    let mut net = forked_net(registry());
    let key = Address::new_secp256k1(&[8; 65]).unwrap();
    let (ret, _) = net.script(vec![Op::Send {
        to: key,
        method: METHOD_SEND,
        value: 5,
        gas_limit: None,
        read_only: false,
        script: None,
    }]);
    assert_eq!(ret.receipt.exit_code, ExitCode::OK, "{:?}", ret.failure_info);
    let account = net.actor(&key).unwrap();
    assert_eq!(account.code, bundle("account"));
    assert_ne!(account.state, EMPTY_ARR_CID, "the account constructor ran");
    // PubkeyAddress is internal (FIP-0050): it answers Alice only if the Runtime names her
    // bundle-coded EthAccount a built-in.
    let alice = net.alice;
    let msg = net.message(&alice, key, PUBKEY_ADDRESS_METHOD, RawBytes::default(), 0);
    let ret = net.apply(&msg);
    assert_eq!(ret.receipt.exit_code, ExitCode::OK, "{:?}", ret.failure_info);
    let returned: Address = fvm_ipld_encoding::from_slice(ret.receipt.return_data.bytes()).unwrap();
    assert_eq!(returned, key);
}

#[test]
fn a_tree_without_a_system_actor_uses_the_static_table() {
    let bare = StateTree::new(Arc::new(MemoryBlockstore::new()));
    assert!(Arc::ptr_eq(&bare.manifest().unwrap(), &Manifest::genesis()));
    // A whole net without f00: it loads, runs, and creates actors with the static codes.
    let mut net = Net::with_genesis(|tree| tree.delete_actor(0), registry());
    assert!(net.exec.state_tree().get_actor(0).unwrap().is_none());
    let alice = net.alice;
    assert_eq!(net.actor(&alice).unwrap().code, BuiltinType::EthAccount.code_cid());
    let fresh = eth(0x78);
    let (ret, results) = net.script(vec![
        Op::Send {
            to: fresh,
            method: METHOD_SEND,
            value: 1,
            gas_limit: None,
            read_only: false,
            script: None,
        },
        Op::Kind(fresh),
    ]);
    assert_eq!(ret.receipt.exit_code, ExitCode::OK, "{:?}", ret.failure_info);
    assert_eq!(results, vec![0, BuiltinType::Placeholder as i64]);
    assert_eq!(net.actor(&fresh).unwrap().code, BuiltinType::Placeholder.code_cid());
}

#[test]
fn a_missing_manifest_block_is_an_error_not_a_silent_fallback() {
    let store = Arc::new(MemoryBlockstore::new());
    let mut tree = StateTree::new(store.clone());
    install_singletons(&mut tree, "fevm-test").unwrap();
    let state = SystemState { builtin_actors: bundle("nowhere") };
    let head = store.put_cbor(&state, Code::Blake2b256).unwrap();
    tree.mutate_actor(0, |a| {
        a.state = head;
        Ok(())
    })
    .unwrap();
    let err = tree.manifest().unwrap_err();
    assert!(format!("{err:#}").contains("manifest"), "{err:#}");
    let root = tree.flush().unwrap();
    let err = Executor::new(store, &root, context(1), Box::new(NoExterns), registry()).unwrap_err();
    assert!(format!("{err:#}").contains("manifest"), "{err:#}");
}

#[test]
fn executors_at_one_root_share_one_decoded_manifest() {
    let store = Arc::new(MemoryBlockstore::new());
    let (root, _, _) = genesis_root_with(&store, fork_manifest);
    let cache = Arc::new(RootCache::new(root));
    let build = |cache: &Arc<RootCache>| {
        Executor::new_shared(
            store.clone(),
            cache.clone(),
            context(1),
            Box::new(NoExterns),
            registry(),
        )
        .unwrap()
    };
    let (a, b) = (build(&cache), build(&cache));
    assert!(std::ptr::eq(a.manifest(), b.manifest()), "decoded once per root");
    assert_eq!(a.manifest().code_of(BuiltinType::Account), bundle("account"));
    // Without the cache each tree decodes its own copy (same content).
    let unshared = StateTree::load(store.clone(), &root).unwrap().manifest().unwrap();
    assert!(!std::ptr::eq(a.manifest(), &*unshared));
    assert_eq!(*a.manifest(), *unshared);
    // A tree that changed f00 does not take the root's manifest from the cache.
    let mut tree = StateTree::load_shared(store.clone(), cache).unwrap();
    let genesis_manifest = store.put_cbor(&builtin_manifest(), Code::Blake2b256).unwrap();
    let state = SystemState { builtin_actors: genesis_manifest };
    let head = store.put_cbor(&state, Code::Blake2b256).unwrap();
    tree.mutate_actor(0, |actor| {
        actor.state = head;
        Ok(())
    })
    .unwrap();
    assert!(Arc::ptr_eq(&tree.manifest().unwrap(), &Manifest::genesis()));
}
