//! A devnet-like VM: singletons, the EAM at f010, funded EthAccounts; helpers to deploy and call
//! contracts exactly as Ethereum transactions arrive (EAM.CreateExternal / InvokeContract).

use std::sync::Arc;

use alloy_primitives::{Address, Bytes};
use alloy_sol_types::SolCall;
use cid::Cid;
use evm_actor::methods::{
    EAM_ACTOR_ID, EAM_CREATE_EXTERNAL_METHOD, EamReturn, INVOKE_CONTRACT_METHOD,
};
use filecoin_vm::accounts::create_eth_account;
use filecoin_vm::builtin::register_builtins;
use filecoin_vm::genesis::{install_singleton, install_singletons};
use filecoin_vm::{
    ActorRegistry, ApplyKind, ApplyRet, BufferedBlockstore, BuiltinType, Executor, Externs,
    MachineContext, MemoryBlockstore, SharedStore, StateTree,
};
use fvm_ipld_encoding::{BytesDe, BytesSer, RawBytes};
use fvm_shared::address::Address as FilAddress;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::{EMPTY_ARR_CID, MethodNum};

pub(crate) struct TestExterns;

impl Externs for TestExterns {
    fn tipset_cid(&self, epoch: i64) -> anyhow::Result<Cid> {
        let digest = multihash_codetable::MultihashDigest::digest(
            &multihash_codetable::Code::Blake2b256,
            &epoch.to_be_bytes(),
        );
        Ok(Cid::new_v1(0x71, digest))
    }
    fn beacon_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        let mut r = [7u8; 32];
        r[..8].copy_from_slice(&epoch.to_be_bytes());
        Ok(r)
    }
    fn circulating_supply(&self) -> anyhow::Result<TokenAmount> {
        Ok(TokenAmount::default())
    }
}

pub(crate) const EPOCH: i64 = 1_000;
pub(crate) const BASE_FEE: u64 = 100;

pub(crate) fn eth(byte: u8) -> Address {
    Address::repeat_byte(byte)
}

pub(crate) fn f410(address: &Address) -> FilAddress {
    FilAddress::new_delegated(10, address.as_slice()).unwrap()
}

/// A VM with the EAM and funded EthAccounts 0xa1…, 0xb0….
#[allow(dead_code)] // fields and helpers shared by test modules as they grow
pub(crate) struct Vm {
    pub(crate) exec: Executor<Arc<MemoryBlockstore>>,
    pub(crate) alice: Address,
    pub(crate) bob: Address,
}

/// The result of an applied message, decoded for an Ethereum caller.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) ret: ApplyRet,
    /// Return (or revert) bytes unwrapped from CBOR.
    pub(crate) output: Bytes,
}

impl Outcome {
    pub(crate) fn exit(&self) -> u32 {
        self.ret.receipt.exit_code.value()
    }
}

#[allow(dead_code)]
impl Vm {
    pub(crate) fn new() -> Self {
        Self::with_genesis(|_| {})
    }

    /// A VM whose genesis tree is edited by `edit` right after the singletons are installed
    /// (before the EAM, which gets the code the tree's manifest gives it, and the accounts).
    pub(crate) fn with_genesis(edit: impl FnOnce(&mut StateTree<SharedStore>)) -> Self {
        let store = Arc::new(MemoryBlockstore::new());
        let buffered = std::rc::Rc::new(BufferedBlockstore::new(store.clone()));
        let mut tree = StateTree::new(SharedStore::new(buffered.clone()));
        install_singletons(&mut tree, "evm-test").unwrap();
        edit(&mut tree);
        let eam = tree.manifest().unwrap().code_of(BuiltinType::Eam);
        install_singleton(&mut tree, EAM_ACTOR_ID, eam, EMPTY_ARR_CID);
        let fil = TokenAmount::from_whole(1_000_000);
        create_eth_account(&mut tree, f410(&eth(0xa1)), fil.clone()).unwrap();
        create_eth_account(&mut tree, f410(&eth(0xb0)), fil).unwrap();
        let root = tree.flush().unwrap();
        buffered.flush(&root).unwrap();
        let mut registry = ActorRegistry::new();
        register_builtins(&mut registry);
        evm_actor::register(&mut registry);
        let machine = MachineContext {
            epoch: EPOCH,
            timestamp: 1_700_000_000,
            chain_id: 31_415_926,
            base_fee: TokenAmount::from_atto(BASE_FEE),
            network_name: "evm-test".into(),
        };
        let exec = Executor::new(store, &root, machine, Box::new(TestExterns), Arc::new(registry))
            .unwrap();
        Self { exec, alice: eth(0xa1), bob: eth(0xb0) }
    }

    pub(crate) fn nonce(&mut self, who: &Address) -> u64 {
        let tree = self.exec.state_tree();
        let id = tree.lookup_id(&f410(who)).unwrap();
        id.and_then(|id| tree.get_actor(id).unwrap()).map_or(0, |a| a.sequence)
    }

    pub(crate) fn balance(&mut self, who: &Address) -> TokenAmount {
        let tree = self.exec.state_tree();
        let target = evm_actor::addressing::to_filecoin(who);
        let id = tree.lookup_id(&target).unwrap();
        id.and_then(|id| tree.get_actor(id).unwrap())
            .map_or_else(TokenAmount::default, |a| a.balance)
    }

    /// Applies an explicit message and returns its `ApplyRet`.
    pub(crate) fn send_raw(
        &mut self,
        from: &Address,
        to: FilAddress,
        method: MethodNum,
        params: RawBytes,
        value: u128,
    ) -> ApplyRet {
        self.send(from, to, method, params, value).ret
    }

    /// Applies an implicit message (no fees, any sender), as the node does for queries.
    pub(crate) fn send_implicit(
        &mut self,
        from: FilAddress,
        to: FilAddress,
        method: MethodNum,
        params: RawBytes,
    ) -> ApplyRet {
        let msg = Message {
            version: 0,
            from,
            to,
            sequence: 0,
            value: TokenAmount::default(),
            method_num: method,
            params,
            gas_limit: 5_000_000_000,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        };
        self.exec.apply_message(&msg, ApplyKind::Implicit).unwrap()
    }

    fn send(
        &mut self,
        from: &Address,
        to: FilAddress,
        method: MethodNum,
        params: RawBytes,
        value: u128,
    ) -> Outcome {
        let msg = Message {
            version: 0,
            from: f410(from),
            to,
            sequence: self.nonce(from),
            value: TokenAmount::from_atto(value),
            method_num: method,
            params,
            gas_limit: 5_000_000_000,
            gas_fee_cap: TokenAmount::from_atto(200),
            gas_premium: TokenAmount::from_atto(10),
        };
        let ret = self.exec.apply_message(&msg, ApplyKind::Explicit { chain_len: 200 }).unwrap();
        let output = fvm_ipld_encoding::from_slice::<BytesDe>(ret.receipt.return_data.bytes())
            .map(|b| Bytes::from(b.0))
            .unwrap_or_else(|_| Bytes::from(ret.receipt.return_data.bytes().to_vec()));
        Outcome { ret, output }
    }

    /// Deploys `initcode` as an Ethereum deployment transaction from `from`.
    pub(crate) fn deploy(
        &mut self,
        from: &Address,
        initcode: &[u8],
        value: u128,
    ) -> (Outcome, Option<Address>) {
        let params = RawBytes::serialize(BytesSer(initcode)).unwrap();
        let out = self.send(
            from,
            FilAddress::new_id(EAM_ACTOR_ID),
            EAM_CREATE_EXTERNAL_METHOD,
            params,
            value,
        );
        let address = out.ret.receipt.exit_code.is_success().then(|| {
            let ret: EamReturn =
                fvm_ipld_encoding::from_slice(out.ret.receipt.return_data.bytes()).unwrap();
            Address::from(ret.eth_address)
        });
        (out, address)
    }

    /// Calls a contract as an Ethereum transaction (InvokeContract with CBOR-bytes calldata).
    pub(crate) fn call(
        &mut self,
        from: &Address,
        to: &Address,
        calldata: &[u8],
        value: u128,
    ) -> Outcome {
        let params = if calldata.is_empty() {
            RawBytes::default()
        } else {
            RawBytes::serialize(BytesSer(calldata)).unwrap()
        };
        self.send(
            from,
            evm_actor::addressing::to_filecoin(to),
            INVOKE_CONTRACT_METHOD,
            params,
            value,
        )
    }
}

/// Runs `f` on a thread with a 2 MiB stack: deep call chains must not depend on a big thread
/// stack, because the VM grows its own (stacker).
pub(crate) fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().unwrap()
}

/// Deploys `code` from alice and expects success.
pub(crate) fn deploy(vm: &mut Vm, code: &[u8]) -> Address {
    deploy_with_value(vm, code, 0)
}

/// Deploys `code` from alice with an endowment and expects success.
pub(crate) fn deploy_with_value(vm: &mut Vm, code: &[u8], value: u128) -> Address {
    let alice = vm.alice;
    let (out, address) = vm.deploy(&alice, code, value);
    assert_eq!(out.exit(), 0, "deploy failed: {:?}", out.ret.failure_info);
    address.expect("a successful deployment returns its address")
}

/// Calls a contract function from alice, expects success and decodes the return.
pub(crate) fn call<C: SolCall>(vm: &mut Vm, to: &Address, call: &C, value: u128) -> C::Return {
    let alice = vm.alice;
    let out = vm.call(&alice, to, &call.abi_encode(), value);
    assert_eq!(out.exit(), 0, "call failed: {:?} {:?}", out.ret.failure_info, out.output);
    C::abi_decode_returns(&out.output).expect("return data decodes")
}
