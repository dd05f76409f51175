//! Precompiles, HandleFilecoinMethod, call depth, read-only calls, the code-size cap, CLZ and
//! GetStorageAt (FEVM.md §1.7, §2, §3.1, §3.5).

use alloy_primitives::{Address, Bytes, U256, hex};
use alloy_sol_types::SolCall;
use fvm_ipld_encoding::{BytesSer, RawBytes};
use fvm_shared::address::Address as FilAddress;
use fvm_shared::econ::TokenAmount;
use solidity_fixtures::{
    BigContract, Caller, Clz, Counter, EthPrecompiles, FilecoinPrecompiles, FilecoinReceiver,
    Recursive, TooBigContract,
};

use crate::harness::{EPOCH, TestExterns, Vm, call, deploy, f410};

fn precompile(k: u16) -> Address {
    let mut a = [0u8; 20];
    a[18..].copy_from_slice(&k.to_be_bytes());
    Address::from(a)
}

#[test]
fn ethereum_precompiles() {
    let mut vm = Vm::new();
    let p = deploy(&mut vm, &EthPrecompiles::BYTECODE);
    let abc = Bytes::from_static(b"abc");
    let r = call(&mut vm, &p, &EthPrecompiles::sha256RawCall { data: abc.clone() }, 0);
    assert!(r.ok);
    assert_eq!(
        r.output.as_ref(),
        hex!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    let r = call(&mut vm, &p, &EthPrecompiles::ripemd160RawCall { data: abc.clone() }, 0);
    assert_eq!(
        r.output[12..],
        hex!("8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
        "left-padded to 32 bytes"
    );
    let r = call(&mut vm, &p, &EthPrecompiles::identityCall { data: abc.clone() }, 0);
    assert_eq!(r.output, abc);
    // KZG (0x0a) is an empty slot on FEVM: success, no output.
    let r = call(
        &mut vm,
        &p,
        &EthPrecompiles::kzgPointEvaluationCall { input: Bytes::from(vec![1; 192]) },
        0,
    );
    assert!(r.ok && r.output.is_empty());
    // ecrecover never reverts: a bad signature gives empty output.
    let zero = alloy_primitives::B256::ZERO;
    let r = call(
        &mut vm,
        &p,
        &EthPrecompiles::ecRecoverCall { hash: zero, v: 27, r: zero, s: zero },
        0,
    );
    assert!(r.ok && r.output.is_empty());
    // A BLS operation on malformed input fails the call.
    let r = call(&mut vm, &p, &EthPrecompiles::blsG1AddCall { input: Bytes::from(vec![0; 3]) }, 0);
    assert!(!r.ok);
    // Value sent to a precompile lands at its f410 address.
    let r = call(
        &mut vm,
        &p,
        &EthPrecompiles::callPrecompileWithValueCall { precompile: precompile(4), input: abc },
        77,
    );
    assert!(r.ok);
    assert_eq!(vm.balance(&precompile(4)), TokenAmount::from_atto(77));
}

#[test]
fn filecoin_precompiles() {
    let mut vm = Vm::new();
    let p = deploy(&mut vm, &FilecoinPrecompiles::BYTECODE);
    let alice = vm.alice;
    let alice_id = vm.exec.state_tree().lookup_id(&f410(&alice)).unwrap().unwrap();
    let r = call(
        &mut vm,
        &p,
        &FilecoinPrecompiles::resolveAddressToIdCall { filAddress: f410(&alice).to_bytes().into() },
        0,
    );
    assert!(r.found);
    assert_eq!(r.actorId, alice_id);
    let r = call(
        &mut vm,
        &p,
        &FilecoinPrecompiles::resolveAddressCall {
            filAddress: f410(&Address::repeat_byte(0x31)).to_bytes().into(),
        },
        0,
    );
    assert!(r.ok && r.output.is_empty(), "unknown address: success, empty");
    let r = call(
        &mut vm,
        &p,
        &FilecoinPrecompiles::resolveAddressCall { filAddress: Bytes::from_static(&[9, 9]) },
        0,
    );
    assert!(!r.ok, "an unparsable address fails the precompile");
    let r = call(
        &mut vm,
        &p,
        &FilecoinPrecompiles::lookupDelegatedAddressCall { actorId: alice_id },
        0,
    );
    assert_eq!(r.output.as_ref(), f410(&alice).to_bytes());
    let r =
        call(&mut vm, &p, &FilecoinPrecompiles::getRandomnessCall { epoch: U256::from(EPOCH) }, 0);
    let expected =
        <TestExterns as filecoin_vm::Externs>::beacon_randomness(&TestExterns, EPOCH).unwrap();
    assert_eq!(r.output.as_ref(), expected);

    // FIL to a never-seen f1 address through call_actor: the account is created and paid.
    let key = FilAddress::new_secp256k1(&[4; 65]).unwrap();
    let r = call(
        &mut vm,
        &p,
        &FilecoinPrecompiles::sendFilCall {
            filAddress: key.to_bytes().into(),
            value: U256::from(100),
        },
        100,
    );
    assert!(r.ok);
    assert_eq!(r.exitCode, alloy_primitives::I256::ZERO);
    let id = vm.exec.state_tree().lookup_id(&key).unwrap().unwrap();
    assert_eq!(
        vm.exec.state_tree().get_actor(id).unwrap().unwrap().balance,
        TokenAmount::from_atto(100)
    );
    // call_actor refuses anything but DELEGATECALL.
    let r = call(
        &mut vm,
        &p,
        &FilecoinPrecompiles::callPrecompileAsCall {
            precompile: crate_precompile(3),
            input: Bytes::new(),
            kind: 0,
        },
        0,
    );
    assert!(!r.ok);
}

fn crate_precompile(k: u8) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0xfe;
    a[19] = k;
    Address::from(a)
}

#[test]
fn handle_filecoin_method_answers_native_callers() {
    let mut vm = Vm::new();
    let receiver = deploy(&mut vm, &FilecoinReceiver::BYTECODE);
    let alice = vm.alice;
    let params = RawBytes::serialize(BytesSer(b"hi")).unwrap();
    let ret = vm.send_raw(&alice, evm_actor::addressing::to_filecoin(&receiver), 4_242, params, 5);
    assert_eq!(ret.receipt.exit_code.value(), 0, "{:?}", ret.failure_info);
    assert_eq!(call(&mut vm, &receiver, &FilecoinReceiver::lastMethodCall {}, 0), 4_242);
    assert_eq!(call(&mut vm, &receiver, &FilecoinReceiver::lastValueCall {}, 0), U256::from(5));
    // Methods 7..1023 are not handled.
    let ret = vm.send_raw(
        &alice,
        evm_actor::addressing::to_filecoin(&receiver),
        500,
        RawBytes::default(),
        0,
    );
    assert_eq!(ret.receipt.exit_code.value(), 22);
    // A configured error exit code becomes the actor's exit code.
    call(
        &mut vm,
        &receiver,
        &FilecoinReceiver::setResponseCall { exitCode: 20, codec: 0, data: Bytes::new() },
        0,
    );
    let ret = vm.send_raw(
        &alice,
        evm_actor::addressing::to_filecoin(&receiver),
        4_242,
        RawBytes::default(),
        0,
    );
    assert_eq!(ret.receipt.exit_code.value(), 20);
}

#[test]
fn deep_recursion_is_bounded_by_gas_forwarding_and_caught() {
    let (depth, recurse_exit) = crate::harness::on_small_stack(|| {
        let mut vm = Vm::new();
        let r = deploy(&mut vm, &Recursive::BYTECODE);
        let depth = call(&mut vm, &r, &Recursive::probeDepthCall { n: U256::from(2_000) }, 0);
        let alice = vm.alice;
        let out =
            vm.call(&alice, &r, &Recursive::recurseCall { n: U256::from(2_000) }.abi_encode(), 0);
        (depth, out.exit())
    });
    // Each level forwards 63/64 of what is left, so with a 5e9 limit the chain runs dry after a
    // few hundred levels — well before the 1,024-frame limit (tested in filecoin-vm). The
    // deepest failure is caught by the level above it.
    assert!(depth > U256::from(100) && depth < U256::from(1_024), "depth {depth}");
    // Without try/catch the failure propagates up as a revert of every level.
    assert_eq!(recurse_exit, 33);
}

#[test]
fn writes_under_staticcall_fail_the_callee() {
    let mut vm = Vm::new();
    let caller = deploy(&mut vm, &Caller::BYTECODE);
    let counter = deploy(&mut vm, &Counter::BYTECODE);
    let data: Bytes = Counter::incrementCall {}.abi_encode().into();
    let r = call(&mut vm, &caller, &Caller::staticcallTargetCall { target: counter, data }, 0);
    assert!(!r.ok);
    let read: Bytes = Counter::getCall {}.abi_encode().into();
    let r =
        call(&mut vm, &caller, &Caller::staticcallTargetCall { target: counter, data: read }, 0);
    assert!(r.ok);
}

#[test]
fn runtime_code_is_capped_at_24576_bytes() {
    let mut vm = Vm::new();
    let alice = vm.alice;
    assert_eq!(vm.deploy(&alice, &BigContract::BYTECODE, 0).0.exit(), 0);
    assert_eq!(vm.deploy(&alice, &TooBigContract::BYTECODE, 0).0.exit(), 16);
    // Code starting with 0xEF is refused (EIP-3541): initcode returning [0xef].
    let ef = [0x60, 0xef, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3];
    assert_eq!(vm.deploy(&alice, &ef, 0).0.exit(), 16);
}

#[test]
fn clz_counts_leading_zeros() {
    let mut vm = Vm::new();
    let c = deploy(&mut vm, &Clz::BYTECODE);
    assert_eq!(call(&mut vm, &c, &Clz::clzCall { x: U256::ZERO }, 0), U256::from(256));
    assert_eq!(call(&mut vm, &c, &Clz::clzCall { x: U256::from(1) }, 0), U256::from(255));
    assert_eq!(call(&mut vm, &c, &Clz::clzCall { x: U256::from(1) << 255 }, 0), U256::ZERO);
}

#[test]
fn get_storage_at_is_for_the_system_actor_only() {
    let mut vm = Vm::new();
    let counter = deploy(&mut vm, &Counter::BYTECODE);
    call(&mut vm, &counter, &Counter::setCall { value: U256::from(41) }, 0);
    let key = evm_actor::state::Word(U256::ZERO);
    let params =
        RawBytes::serialize(evm_actor::methods::GetStorageAtParams { storage_key: key }).unwrap();
    let to = evm_actor::addressing::to_filecoin(&counter);
    let ret = vm.send_implicit(FilAddress::new_id(0), to, 5, params.clone());
    assert_eq!(ret.receipt.exit_code.value(), 0, "{:?}", ret.failure_info);
    let value: evm_actor::state::Word =
        fvm_ipld_encoding::from_slice(ret.receipt.return_data.bytes()).unwrap();
    assert_eq!(value.0, U256::from(41));
    let alice = vm.alice;
    assert_eq!(vm.send_raw(&alice, to, 5, params, 0).receipt.exit_code.value(), 18);
}
