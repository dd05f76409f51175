//! State and block overrides for read-only calls: Geth's third and fourth `eth_call`
//! parameters, in Filecoin terms.
//!
//! Overrides are applied to the call's own copy of the state tree (its writes go to the
//! executor's in-memory buffer and are dropped with it), so nothing reaches the chain.
//!
//! How each Ethereum override maps onto actors:
//!
//! | override | account-like actor (EthAccount, placeholder, missing f410) | EVM contract |
//! |---|---|---|
//! | `balance` | the actor's balance | the actor's balance |
//! | `nonce` | the actor's sequence | the contract's CREATE nonce (`EvmState.nonce`) |
//! | `code` | turns it into an EVM contract with that runtime code, empty storage, CREATE nonce 1 | replaces the runtime code and its hash, keeps storage |
//! | `state` | (needs `code` too) | replaces all of storage |
//! | `stateDiff` | (needs `code` too) | writes just the given slots (zero deletes) |
//!
//! A missing f410 address is created first (an EthAccount, or a contract when `code` is set). A
//! masked-ID address must name an existing actor. Native f1 accounts and other built-in actors
//! can have their balance and sequence overridden, but not code or storage: they run no EVM code.

use alloy_primitives::{U256, keccak256};
use cid::Cid;
use evm_actor::state::{EvmState, SlotKey, Word, storage_kamt_config};
use filecoin_vm::accounts::create_eth_account;
use filecoin_vm::{BuiltinType, MachineContext, SharedStore, StateTree};
use fvm_ipld_blockstore::{Block, Blockstore};
use fvm_ipld_encoding::{CborStore, IPLD_RAW};
use fvm_ipld_kamt::Kamt;
use fvm_shared::address::{Address, Payload};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::state::ActorState;
use multihash_codetable::Code;

use crate::error::NodeResult;

/// Everything a read-only call may change before it runs. `Default` changes nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallOverrides {
    /// Per-address changes, applied in order.
    pub accounts: Vec<(Address, AccountOverride)>,
    /// Changes to the context the call runs in.
    pub block: BlockOverride,
}

impl CallOverrides {
    /// No overrides: the call runs on the tipset's state as it is.
    pub const NONE: Self = Self {
        accounts: Vec::new(),
        block: BlockOverride { epoch: None, timestamp: None, base_fee: None },
    };

    /// Whether this changes nothing.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty() && self.block == BlockOverride::default()
    }
}

/// Changes to one address; see the module docs for what each means per actor type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountOverride {
    /// The balance, attoFIL.
    pub balance: Option<TokenAmount>,
    /// The nonce.
    pub nonce: Option<u64>,
    /// EVM runtime code.
    pub code: Option<Vec<u8>>,
    /// Contract storage.
    pub storage: Option<StorageOverride>,
}

/// New contract storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageOverride {
    /// Exactly these slots; every other slot reads zero (Geth's `state`).
    Replace(Vec<(U256, U256)>),
    /// These slots changed, the rest kept (Geth's `stateDiff`).
    Patch(Vec<(U256, U256)>),
}

/// Changes to the machine context (Geth's block overrides that mean something on Filecoin).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockOverride {
    /// The epoch the call sees (`NUMBER`).
    pub epoch: Option<ChainEpoch>,
    /// The timestamp the call sees (`TIMESTAMP`).
    pub timestamp: Option<u64>,
    /// The base fee the call sees (`BASEFEE`).
    pub base_fee: Option<TokenAmount>,
}

impl BlockOverride {
    /// `machine` with these changes.
    pub(crate) fn apply(&self, mut machine: MachineContext) -> MachineContext {
        if let Some(epoch) = self.epoch {
            machine.epoch = epoch;
        }
        if let Some(timestamp) = self.timestamp {
            machine.timestamp = timestamp;
        }
        if let Some(base_fee) = &self.base_fee {
            machine.base_fee = base_fee.clone();
        }
        machine
    }
}

/// An override that cannot be applied: the caller's mistake, not the node's.
#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    /// A masked-ID (or other non-f410) address that names no actor.
    #[error("cannot override {0}: no actor has that address")]
    NoSuchActor(Address),
    /// Code or storage for an actor that runs no EVM code.
    #[error(
        "cannot override the {what} of {address}: it is a {kind} actor, which runs no EVM code"
    )]
    NotEvm {
        /// The address.
        address: Address,
        /// The actor's type.
        kind: String,
        /// "code" or "storage".
        what: &'static str,
    },
    /// Storage for an account without code.
    #[error("cannot override the storage of {0}: it has no code (set `code` as well)")]
    StorageWithoutCode(Address),
}

/// Applies `accounts` to `tree`, in order. A bad override is
/// [`NodeError::InvalidOverride`]; a node failure (a missing block) is [`NodeError::Internal`].
pub(crate) fn apply_accounts(
    tree: &mut StateTree<SharedStore>,
    accounts: &[(Address, AccountOverride)],
) -> NodeResult<()> {
    for (address, change) in accounts {
        apply_account(tree, address, change)?;
    }
    Ok(())
}

fn apply_account(
    tree: &mut StateTree<SharedStore>,
    address: &Address,
    change: &AccountOverride,
) -> NodeResult<()> {
    let id = match tree.lookup_id(address)? {
        Some(id) => id,
        None if matches!(address.payload(), Payload::Delegated(_)) => {
            create_eth_account(tree, *address, TokenAmount::default())?
        }
        None => return Err(OverrideError::NoSuchActor(*address).into()),
    };
    let mut actor = tree.get_actor(id)?.ok_or(OverrideError::NoSuchActor(*address))?;
    // The state's manifest says what the code is (a forked state has its own CIDs).
    let manifest = tree.manifest()?;
    let kind = manifest.builtin_type(&actor.code);
    let store = tree.store().clone();

    let mut evm: Option<EvmState> = match kind {
        Some(BuiltinType::Evm) => Some(
            store
                .get_cbor(&actor.state)?
                .ok_or_else(|| anyhow::anyhow!("EVM state {} of f0{id} missing", actor.state))?,
        ),
        _ => None,
    };
    if let Some(code) = &change.code {
        let bytecode = store.put(Code::Blake2b256, &Block::new(IPLD_RAW, code.as_slice()))?;
        let bytecode_hash = keccak256(code).to_vec();
        evm = Some(match evm.take() {
            Some(state) => EvmState { bytecode, bytecode_hash, ..state },
            None if matches!(kind, Some(BuiltinType::EthAccount | BuiltinType::Placeholder)) => {
                actor.code = manifest.code_of(BuiltinType::Evm);
                become_contract(&store, &mut actor, bytecode, bytecode_hash)?
            }
            None => return Err(not_evm(address, kind, "code").into()),
        });
    }
    if let Some(storage) = &change.storage {
        let Some(state) = evm.as_mut() else {
            return Err(match kind {
                Some(BuiltinType::EthAccount | BuiltinType::Placeholder) | None => {
                    OverrideError::StorageWithoutCode(*address)
                }
                _ => not_evm(address, kind, "storage"),
            }
            .into());
        };
        state.contract_state = write_storage(&store, &state.contract_state, storage)?;
    }
    if let Some(nonce) = change.nonce {
        match evm.as_mut() {
            Some(state) => state.nonce = nonce,
            None => actor.sequence = nonce,
        }
    }
    if let Some(balance) = &change.balance {
        actor.balance = balance.clone();
    }
    if let Some(state) = &evm {
        actor.state = store.put_cbor(state, Code::Blake2b256)?;
    }
    tree.set_actor(id, actor);
    Ok(())
}

fn not_evm(address: &Address, kind: Option<BuiltinType>, what: &'static str) -> OverrideError {
    OverrideError::NotEvm {
        address: *address,
        kind: kind.map_or_else(|| "non-builtin".to_string(), |k| k.name().to_string()),
        what,
    }
}

/// Turns an account-like actor into an EVM contract running `bytecode`, with empty storage and
/// CREATE nonce 1, as a freshly constructed one has (the caller gives it the EVM code CID).
fn become_contract(
    store: &SharedStore,
    actor: &mut ActorState,
    bytecode: Cid,
    bytecode_hash: Vec<u8>,
) -> anyhow::Result<EvmState> {
    let empty = Slots::new_with_config(store.clone(), storage_kamt_config()).flush()?;
    actor.sequence = 0;
    Ok(EvmState {
        bytecode,
        bytecode_hash,
        contract_state: empty,
        transient_data: None,
        nonce: 1,
        tombstone: None,
    })
}

type Slots = Kamt<SharedStore, Word, Word, SlotKey, 32>;

fn write_storage(
    store: &SharedStore,
    root: &Cid,
    storage: &StorageOverride,
) -> anyhow::Result<Cid> {
    let (mut slots, entries) = match storage {
        StorageOverride::Replace(entries) => {
            (Slots::new_with_config(store.clone(), storage_kamt_config()), entries)
        }
        StorageOverride::Patch(entries) => {
            (Slots::load_with_config(root, store.clone(), storage_kamt_config())?, entries)
        }
    };
    for (key, value) in entries {
        if value.is_zero() {
            slots.delete(&Word(*key))?;
        } else {
            slots.set(Word(*key), Word(*value))?;
        }
    }
    Ok(slots.flush()?)
}
