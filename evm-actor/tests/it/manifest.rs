//! A state forked from a real network: its manifest gives the EVM actor, the EAM and the
//! account kinds Wasm-bundle CIDs. Only our static CIDs are registered, so everything here runs
//! because the VM resolves codes through the state's manifest.

use alloy_primitives::{Address, U256};
use cid::Cid;
use filecoin_vm::builtin::SystemState;
use filecoin_vm::genesis::builtin_manifest;
use filecoin_vm::{BuiltinType, SharedStore, StateTree};
use fvm_ipld_encoding::CborStore;
use fvm_shared::econ::TokenAmount;
use multihash_codetable::{Code, MultihashDigest};
use solidity_fixtures::Destructible;

use crate::harness::{Vm, call, deploy_with_value};

/// The kinds the fork names by bundle CIDs.
const FORKED: [&str; 4] = ["evm", "eam", "ethaccount", "placeholder"];

/// A code CID shaped like a real bundle's (`bafk2bzace…`).
fn bundle(name: &str) -> Cid {
    Cid::new_v1(fvm_shared::IPLD_RAW, Code::Blake2b256.digest(format!("wasm/{name}").as_bytes()))
}

fn fork(tree: &mut StateTree<SharedStore>) {
    let mut entries = builtin_manifest();
    for (name, code) in &mut entries {
        if FORKED.contains(&name.as_str()) {
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

fn code_at(vm: &mut Vm, address: &Address) -> Option<Cid> {
    let tree = vm.exec.state_tree();
    let id = tree.lookup_id(&evm_actor::addressing::to_filecoin(address)).unwrap()?;
    tree.get_actor(id).unwrap().map(|a| a.code)
}

#[test]
fn a_forked_state_deploys_over_its_placeholders_with_its_evm_code() {
    let mut vm = Vm::with_genesis(fork);
    let alice = vm.alice;
    assert_eq!(code_at(&mut vm, &alice), Some(bundle("ethaccount")));
    // Fund alice's next deployment address: the VM creates a placeholder with the fork's code.
    let target = evm_actor::eam::compute_create_address(&alice, 1);
    let out = vm.call(&alice, &target, &[], 500);
    assert_eq!(out.exit(), 0, "{:?}", out.ret.failure_info);
    assert_eq!(code_at(&mut vm, &target), Some(bundle("placeholder")));
    // The EAM (bundle code) sees alice as an EthAccount and the target as a placeholder, and
    // deploys with the manifest's EVM code, which runs our EVM actor.
    let deployed = deploy_with_value(&mut vm, &Destructible::BYTECODE, 20);
    assert_eq!(deployed, target);
    assert_eq!(code_at(&mut vm, &target), Some(bundle("evm")));
    assert_eq!(vm.balance(&target), TokenAmount::from_atto(520));
    assert_eq!(call(&mut vm, &target, &Destructible::storedCall {}, 0), U256::from(1));
}

#[test]
fn genesis_contracts_keep_the_static_evm_code() {
    let mut vm = Vm::new();
    let deployed = deploy_with_value(&mut vm, &Destructible::BYTECODE, 0);
    assert_eq!(code_at(&mut vm, &deployed), Some(BuiltinType::Evm.code_cid()));
}
