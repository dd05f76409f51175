//! The revm [`Host`] of one invocation, and the bridge between revm's gas meter and Filecoin gas.
//!
//! Every FEVM-specific opcode is a custom instruction (see `instructions`), which reaches the VM
//! through [`FevmHost`] directly; the `Host` trait methods revm's own instructions would use for
//! those opcodes are therefore never called and answer conservatively.

use alloy_primitives::{Address, B256, Log, U256};
use filecoin_vm::{ActorError, Gas as FilGas};
use revm::context_interface::Host;
use revm::context_interface::cfg::GasParams;
use revm::context_interface::context::{SStoreResult, SelfDestructResult, StateLoad};
use revm::context_interface::host::LoadError;
use revm::context_interface::journaled_state::AccountInfoLoad;
use revm::interpreter::{Gas, InstructionResult};
use revm::primitives::{StorageKey, StorageValue};

use crate::gas_model;
use crate::system::System;
use crate::units::token_to_u256;

/// The EVM's GASLIMIT: a constant on FEVM.
pub const BLOCK_GAS_LIMIT: u64 = 10_000_000_000;

/// See the module docs.
pub struct FevmHost<'s, 'r> {
    /// The contract's state and the VM.
    pub sys: &'s mut System<'r>,
    /// The first VM error an instruction hit; it decides the invocation's exit code.
    pub error: Option<ActorError>,
    /// The executing contract's Ethereum address.
    pub receiver: Address,
    /// Dynamic compute prices (memory, copies, hashing) for revm's own instructions.
    pub gas_params: GasParams,
    /// revm gas already charged as Filecoin gas.
    compute_charged: u64,
    basefee: U256,
    gas_price: U256,
    chain_id: U256,
    number: U256,
    timestamp: U256,
}

impl std::fmt::Debug for FevmHost<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FevmHost").field("receiver", &self.receiver).finish_non_exhaustive()
    }
}

impl<'s, 'r> FevmHost<'s, 'r> {
    /// A host for `sys`, executing as `receiver`.
    pub fn new(sys: &'s mut System<'r>, receiver: Address) -> Self {
        let machine = sys.rt.machine();
        let basefee = token_to_u256(&machine.base_fee);
        let gas_price = basefee + token_to_u256(&sys.rt.message().gas_premium);
        let chain_id = U256::from(machine.chain_id);
        let number = U256::from(machine.epoch.max(0));
        let timestamp = U256::from(machine.timestamp);
        Self {
            sys,
            error: None,
            receiver,
            gas_params: gas_model::gas_params(),
            compute_charged: 0,
            basefee,
            gas_price,
            chain_id,
            number,
            timestamp,
        }
    }

    /// Charges the compute revm metered since the last sync as Filecoin gas, then lowers revm's
    /// remaining gas to what Filecoin has left (syscalls spend Filecoin gas revm does not see).
    pub fn sync_gas(&mut self, gas: &mut Gas) -> Result<(), ActorError> {
        let spent = gas.total_gas_spent();
        let delta = spent.saturating_sub(self.compute_charged);
        self.compute_charged = spent;
        self.sys.rt.charge_gas(FilGas::new(delta))?;
        let available = self.sys.rt.gas_available();
        if gas.remaining() > available {
            let cut = gas.remaining() - available;
            gas.set_remaining(available);
            self.compute_charged += cut;
        }
        Ok(())
    }

    /// Runs a VM operation from inside an instruction: gas is synced before and after, and an
    /// error is parked in the host (the instruction then halts the interpreter).
    pub fn syscall<T>(
        &mut self,
        gas: &mut Gas,
        op: impl FnOnce(&mut Self) -> Result<T, ActorError>,
    ) -> Result<T, InstructionResult> {
        let result = self.sync_gas(gas).and_then(|()| op(self));
        let result = result.and_then(|value| self.sync_gas(gas).map(|()| value));
        result.map_err(|e| {
            self.error.get_or_insert(e);
            InstructionResult::FatalExternalError
        })
    }
}

impl Host for FevmHost<'_, '_> {
    fn basefee(&self) -> U256 {
        self.basefee
    }
    fn blob_gasprice(&self) -> U256 {
        U256::ZERO
    }
    fn gas_limit(&self) -> U256 {
        U256::from(BLOCK_GAS_LIMIT)
    }
    fn difficulty(&self) -> U256 {
        U256::ZERO
    }
    fn prevrandao(&self) -> Option<U256> {
        None
    }
    fn block_number(&self) -> U256 {
        self.number
    }
    fn timestamp(&self) -> U256 {
        self.timestamp
    }
    fn beneficiary(&self) -> Address {
        Address::ZERO
    }
    fn slot_num(&self) -> U256 {
        self.number
    }
    fn chain_id(&self) -> U256 {
        self.chain_id
    }
    fn effective_gas_price(&self) -> U256 {
        self.gas_price
    }
    fn caller(&self) -> Address {
        // ORIGIN is a custom instruction; nothing asks the host.
        Address::ZERO
    }
    fn blob_hash(&self, _: usize) -> Option<U256> {
        None
    }
    fn max_initcode_size(&self) -> usize {
        usize::MAX
    }
    fn gas_params(&self) -> &GasParams {
        &self.gas_params
    }
    fn is_amsterdam_eip8037_enabled(&self) -> bool {
        false
    }
    fn block_hash(&mut self, _: u64) -> Option<B256> {
        None
    }
    fn selfdestruct(
        &mut self,
        _: Address,
        _: Address,
        _: bool,
    ) -> Result<StateLoad<SelfDestructResult>, LoadError> {
        Err(LoadError::DBError)
    }
    fn log(&mut self, _: Log) {}
    fn sstore_skip_cold_load(
        &mut self,
        _: Address,
        _: StorageKey,
        _: StorageValue,
        _: bool,
    ) -> Result<StateLoad<SStoreResult>, LoadError> {
        Err(LoadError::DBError)
    }
    fn sload_skip_cold_load(
        &mut self,
        _: Address,
        _: StorageKey,
        _: bool,
    ) -> Result<StateLoad<StorageValue>, LoadError> {
        Err(LoadError::DBError)
    }
    fn tstore(&mut self, _: Address, _: StorageKey, _: StorageValue) {}
    fn tload(&mut self, _: Address, _: StorageKey) -> StorageValue {
        U256::ZERO
    }
    fn load_account_info_skip_cold_load(
        &mut self,
        _: Address,
        _: bool,
        _: bool,
    ) -> Result<AccountInfoLoad<'_>, LoadError> {
        Err(LoadError::DBError)
    }
}
