//! Hand-assembled bytecode: the smallest programs that pin each rule down.

use alloy_primitives::U256;

use crate::harness::Vm;

/// Runtime: `sstore(0, calldataload(0)); mstore(0, sload(0)); return(0, 32)`.
const STORE_AND_ECHO: [u8; 17] = [
    0x60, 0x00, 0x35, 0x60, 0x00, 0x55, 0x60, 0x00, 0x54, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00,
    0xf3,
];

/// Initcode returning `runtime`.
fn deployer(runtime: &[u8]) -> Vec<u8> {
    let len = u8::try_from(runtime.len()).unwrap();
    let mut code = vec![0x60, len, 0x60, 12, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3];
    code.extend_from_slice(runtime);
    code
}

#[test]
fn deploy_store_and_read_back() {
    let mut vm = Vm::new();
    let alice = vm.alice;
    let (out, address) = vm.deploy(&alice, &deployer(&STORE_AND_ECHO), 0);
    assert_eq!(out.exit(), 0, "{:?}", out.ret.failure_info);
    let address = address.unwrap();
    // The address of an Ethereum deployment: hash20(rlp([sender, nonce])).
    assert_eq!(address, evm_actor::eam::compute_create_address(&alice, 0));
    let word = U256::from(0x1234_5678).to_be_bytes::<32>();
    let out = vm.call(&alice, &address, &word, 0);
    assert_eq!(out.exit(), 0, "{:?}", out.ret.failure_info);
    assert_eq!(out.output.as_ref(), &word);
    // A second call reads the stored value back (storage persisted in the KAMT).
    let zero = [0u8; 32];
    let out = vm.call(&alice, &address, &zero, 0);
    assert_eq!(out.output.as_ref(), &zero, "the second call overwrote the slot with 0");
}

#[test]
fn undefined_opcodes_exit_35_and_invalid_34() {
    let mut vm = Vm::new();
    let alice = vm.alice;
    for (op, code) in [(0xf2u8, 35), (0x49, 35), (0x4a, 35), (0x0c, 35), (0xfe, 34)] {
        let (_, address) = vm.deploy(&alice, &deployer(&[op]), 0);
        let out = vm.call(&alice, &address.unwrap(), &[], 0);
        assert_eq!(out.exit(), code, "opcode {op:#x}");
    }
}

#[test]
fn memory_is_capped_at_512_mib() {
    let mut vm = Vm::new();
    let alice = vm.alice;
    // mstore(0x20000000, 1): touches the byte just past 512 MiB.
    let runtime = [0x60, 0x01, 0x63, 0x20, 0x00, 0x00, 0x00, 0x52, 0x00];
    let (_, address) = vm.deploy(&alice, &deployer(&runtime), 0);
    let out = vm.call(&alice, &address.unwrap(), &[], 0);
    assert_eq!(out.exit(), 38);
}
