//! A scripted runtime for the miner's unit tests: it records every send and event, answers
//! sends from a queue (success with no return when the queue is empty), and refuses every other
//! syscall with an error rather than a panic.

use std::collections::VecDeque;
use std::rc::Rc;

use cid::Cid;
use filecoin_vm::{
    ActorError, ActorStore, Gas, GasTracker, MachineContext, MemoryBlockstore, MessageContext,
    Runtime, SendOutcome,
};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::event::ActorEvent;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, MethodNum};

/// One recorded send.
#[derive(Debug)]
pub(crate) struct Sent {
    pub(crate) to: Address,
    pub(crate) method: MethodNum,
    pub(crate) params: Option<IpldBlock>,
    pub(crate) value: TokenAmount,
}

impl Sent {
    /// The parameters' raw CBOR (empty when none).
    pub(crate) fn params_bytes(&self) -> Vec<u8> {
        self.params.as_ref().map(|b| b.data.clone()).unwrap_or_default()
    }
}

/// See the module docs.
pub(crate) struct MockRt {
    message: MessageContext,
    machine: MachineContext,
    store: Rc<MemoryBlockstore>,
    gas: Rc<GasTracker>,
    pub(crate) sent: Vec<Sent>,
    pub(crate) replies: VecDeque<Result<SendOutcome, ErrorNumber>>,
    pub(crate) events: Vec<ActorEvent>,
}

impl MockRt {
    /// A miner `f01000` called by its owner `f0100`, in a message from `origin`.
    pub(crate) fn new(origin: ActorID) -> Self {
        let message = MessageContext {
            origin,
            origin_nonce: 0,
            caller: 100,
            receiver: 1000,
            method: 0,
            value_received: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
            read_only: false,
        };
        let machine = MachineContext {
            epoch: 10,
            timestamp: 0,
            chain_id: 31_415_926,
            base_fee: TokenAmount::default(),
            network_name: "test".into(),
        };
        let gas = Rc::new(GasTracker::new(Gas::new(u64::MAX >> 2), Gas::new(0)));
        let store = Rc::new(MemoryBlockstore::new());
        let (sent, replies, events) = (Vec::new(), VecDeque::new(), Vec::new());
        Self { message, machine, store, gas, sent, replies, events }
    }

    /// Queues a successful reply carrying `ret` encoded as CBOR.
    pub(crate) fn reply<T: serde::Serialize>(&mut self, ret: &T) {
        let block = IpldBlock::serialize_cbor(ret).ok().flatten();
        self.replies.push_back(Ok(SendOutcome { exit_code: ExitCode::OK, return_data: block }));
    }

    /// Queues a reply with this exit code and no data.
    pub(crate) fn reply_code(&mut self, exit_code: ExitCode) {
        self.replies.push_back(Ok(SendOutcome { exit_code, return_data: None }));
    }

    /// Queues a send that cannot be attempted.
    pub(crate) fn reply_errno(&mut self, errno: ErrorNumber) {
        self.replies.push_back(Err(errno));
    }
}

fn refused() -> ActorError {
    ActorError::illegal_state("not available in the mock runtime")
}

impl Runtime for MockRt {
    fn message(&self) -> &MessageContext {
        &self.message
    }
    fn machine(&self) -> &MachineContext {
        &self.machine
    }
    fn state_root(&mut self) -> Result<Cid, ActorError> {
        Err(refused())
    }
    fn set_state_root(&mut self, _: &Cid) -> Result<(), ActorError> {
        Err(refused())
    }
    fn store(&self) -> ActorStore {
        ActorStore::new(self.store.clone(), self.gas.clone())
    }
    fn current_balance(&mut self) -> Result<TokenAmount, ActorError> {
        Ok(TokenAmount::default())
    }
    fn balance_of(&mut self, _: ActorID) -> Result<Option<TokenAmount>, ActorError> {
        Ok(None)
    }
    fn send(
        &mut self,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
        value: TokenAmount,
        _: Option<u64>,
        _: SendFlags,
    ) -> Result<Result<SendOutcome, ErrorNumber>, ActorError> {
        self.sent.push(Sent { to: *to, method, params, value });
        Ok(self
            .replies
            .pop_front()
            .unwrap_or(Ok(SendOutcome { exit_code: ExitCode::OK, return_data: None })))
    }
    fn resolve_address(&mut self, address: &Address) -> Result<Option<ActorID>, ActorError> {
        Ok(address.id().ok())
    }
    fn lookup_delegated_address(&mut self, _: ActorID) -> Result<Option<Address>, ActorError> {
        Ok(None)
    }
    fn actor_code(&mut self, _: ActorID) -> Result<Option<Cid>, ActorError> {
        Ok(None)
    }
    fn emit_event(&mut self, event: &ActorEvent) -> Result<(), ActorError> {
        self.events.push(event.clone());
        Ok(())
    }
    fn charge_gas(&mut self, _: Gas) -> Result<(), ActorError> {
        Ok(())
    }
    fn gas_available(&self) -> u64 {
        u64::MAX
    }
    fn tipset_cid(&mut self, _: ChainEpoch) -> Result<Cid, ActorError> {
        Err(refused())
    }
    fn beacon_randomness(&mut self, _: ChainEpoch) -> Result<[u8; 32], ActorError> {
        Err(refused())
    }
    fn chain_randomness(&mut self, _: ChainEpoch) -> Result<[u8; 32], ActorError> {
        Err(refused())
    }
    fn total_fil_circ_supply(&mut self) -> Result<TokenAmount, ActorError> {
        Err(refused())
    }
    fn delete_actor(&mut self) -> Result<(), ActorError> {
        Err(refused())
    }
    fn next_actor_address(&mut self) -> Result<Address, ActorError> {
        Err(refused())
    }
    fn register_new_address(&mut self, _: &Address) -> Result<ActorID, ActorError> {
        Err(refused())
    }
    fn map_address(&mut self, _: &Address, _: ActorID) -> Result<(), ActorError> {
        Err(refused())
    }
    fn create_actor(&mut self, _: &Cid, _: ActorID, _: Option<Address>) -> Result<(), ActorError> {
        Err(refused())
    }
}
