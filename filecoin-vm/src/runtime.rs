//! What an actor sees while it runs: the [`Runtime`] (ref-fvm's kernel syscalls, as a trait),
//! the per-message and per-epoch context, and the [`Externs`] the node supplies.

use std::rc::Rc;

use anyhow::Result;
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::{ErrorNumber, ExitCode};
use fvm_shared::event::ActorEvent;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, MethodNum};

use crate::actor::{ActorError, BuiltinType};
use crate::crypto;
use crate::gas::{Gas, GasTracker, price};

/// The chain position a batch of messages executes at. Supplied by the node per tipset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineContext {
    /// The epoch being executed (EVM `NUMBER`).
    pub epoch: ChainEpoch,
    /// The tipset's timestamp, unix seconds (EVM `TIMESTAMP`).
    pub timestamp: u64,
    /// EIP-155 chain id (EVM `CHAINID`); 31415926 for local devnets.
    pub chain_id: u64,
    /// Base fee in attoFIL per gas (EVM `BASEFEE`).
    pub base_fee: TokenAmount,
    /// The network's name, as in init's state.
    pub network_name: String,
}

/// Chain data the VM cannot know by itself: tipset CIDs and randomness of past epochs.
pub trait Externs {
    /// The CID of the tipset at `epoch` (a null round resolves to the previous non-null tipset).
    fn tipset_cid(&self, epoch: ChainEpoch) -> Result<Cid>;
    /// The chain (ticket) randomness digest for `epoch`: blake2b-256 of the winning ticket of
    /// the tipset at or before it (ref-fvm's `get_chain_randomness`). Chains without tickets
    /// may keep this default, the digest of that tipset's CID, which is as unpredictable and
    /// as fixed once the tipset exists.
    fn chain_randomness(&self, epoch: ChainEpoch) -> Result<[u8; 32]> {
        let cid = self.tipset_cid(epoch)?;
        let digest = blake2b_simd::Params::new().hash_length(32).hash(&cid.to_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(digest.as_bytes());
        Ok(out)
    }
    /// The beacon randomness digest for `epoch` (32 bytes, blake2b-256 of the beacon entry).
    fn beacon_randomness(&self, epoch: ChainEpoch) -> Result<[u8; 32]>;
    /// FIL in circulation at the state messages run on (the FVM's `total_fil_circ_supply`).
    /// Asked for only when an actor needs it (the market's collateral minimum), because
    /// computing it reads actor states the VM knows nothing of.
    fn circulating_supply(&self) -> Result<TokenAmount>;
}

/// The facts of the current call frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageContext {
    /// The top-level sender's ID.
    pub origin: ActorID,
    /// The top-level message's sequence (nonce).
    pub origin_nonce: u64,
    /// The immediate caller's ID.
    pub caller: ActorID,
    /// This actor's ID.
    pub receiver: ActorID,
    /// The method being invoked.
    pub method: MethodNum,
    /// Value sent with this call.
    pub value_received: TokenAmount,
    /// The message's effective premium: `max(0, min(premium, fee_cap − base_fee))`.
    pub gas_premium: TokenAmount,
    /// Whether this frame runs read-only (state changes, value and events are refused).
    pub read_only: bool,
}

/// A completed send: the callee's exit code and return block. A send that could not even be
/// attempted (missing recipient, insufficient funds, depth limit, read-only) is a syscall
/// [`ErrorNumber`] instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendOutcome {
    /// The callee's exit code.
    pub exit_code: ExitCode,
    /// The callee's return (or failure) block.
    pub return_data: Option<IpldBlock>,
}

/// The syscall interface actors run against (ref-fvm's kernel). Methods that can run out of gas
/// return `ActorError` with exit code `SYS_OUT_OF_GAS`; the call manager unwinds accordingly.
pub trait Runtime {
    /// Facts of this call frame.
    fn message(&self) -> &MessageContext;
    /// Facts of the epoch being executed.
    fn machine(&self) -> &MachineContext;

    /// This actor's state root.
    fn state_root(&mut self) -> Result<Cid, ActorError>;
    /// Replaces this actor's state root (refused while read-only).
    fn set_state_root(&mut self, root: &Cid) -> Result<(), ActorError>;
    /// The blockstore, charging gas for each block read or written.
    fn store(&self) -> ActorStore;

    /// This actor's balance.
    fn current_balance(&mut self) -> Result<TokenAmount, ActorError>;
    /// Another actor's balance, if it exists.
    fn balance_of(&mut self, id: ActorID) -> Result<Option<TokenAmount>, ActorError>;

    /// Sends a message. `gas_limit` caps the callee (within what is available); the READ_ONLY
    /// flag makes the callee and everything below it read-only.
    fn send(
        &mut self,
        to: &Address,
        method: MethodNum,
        params: Option<IpldBlock>,
        value: TokenAmount,
        gas_limit: Option<u64>,
        flags: SendFlags,
    ) -> Result<Result<SendOutcome, ErrorNumber>, ActorError>;

    /// Resolves any address to an ID (no actor is created).
    fn resolve_address(&mut self, address: &Address) -> Result<Option<ActorID>, ActorError>;
    /// The f4 address of an actor, if it has one.
    fn lookup_delegated_address(&mut self, id: ActorID) -> Result<Option<Address>, ActorError>;
    /// The code CID of an actor, if it exists.
    fn actor_code(&mut self, id: ActorID) -> Result<Option<Cid>, ActorError>;
    /// The built-in type a code CID stands for in this state, per its manifest (see
    /// [`Manifest`](crate::Manifest)): a forked state's Wasm-bundle CIDs resolve too. The
    /// default, for runtimes without a state, knows only the static table.
    fn builtin_type(&self, code: &Cid) -> Option<BuiltinType> {
        BuiltinType::from_code(code)
    }
    /// The code CID of `kind` in this state, per its manifest: what an actor creating another
    /// (the EAM deploying a contract) must ask for. The default is the static table.
    fn builtin_code(&self, kind: BuiltinType) -> Cid {
        kind.code_cid()
    }

    /// Records an event (validated and charged; refused while read-only). It is kept only if
    /// this frame and every frame above it succeed.
    fn emit_event(&mut self, event: &ActorEvent) -> Result<(), ActorError>;

    /// Charges gas; fails with out-of-gas when the frame has too little.
    fn charge_gas(&mut self, gas: Gas) -> Result<(), ActorError>;
    /// Gas left to this frame, in whole units.
    fn gas_available(&self) -> u64;

    /// blake2b-256 of `data` (ref-fvm's `hash` syscall), charged per byte.
    fn hash_blake2b(&mut self, data: &[u8]) -> Result<[u8; 32], ActorError> {
        self.charge_gas(
            price::SYSCALL.plus(price::HASH_BLAKE2B_PER_BYTE.times(data.len() as u64)),
        )?;
        Ok(crypto::blake2b_256(data))
    }

    /// The uncompressed key that signed `digest` (ref-fvm's `recover_secp_public_key`);
    /// `None` for a signature that recovers no key (the syscall's `IllegalArgument`).
    fn recover_secp_public_key(
        &mut self,
        digest: &[u8; 32],
        signature: &[u8; crypto::SECP_SIG_LEN],
    ) -> Result<Option<[u8; crypto::SECP_PUB_LEN]>, ActorError> {
        self.charge_gas(price::SYSCALL.plus(price::SECP256K1_RECOVER))?;
        Ok(crypto::recover_secp_public_key(digest, signature))
    }

    /// Whether a BLS aggregate signature is valid (ref-fvm's `verify_bls_aggregate`): one
    /// pairing per signer plus one, and hashing of every plaintext byte.
    fn verify_bls_aggregate(
        &mut self,
        signature: &[u8; crypto::BLS_SIG_LEN],
        public_keys: &[[u8; crypto::BLS_PUB_LEN]],
        plaintexts: &[&[u8]],
    ) -> Result<bool, ActorError> {
        let bytes: usize = plaintexts.iter().map(|p| p.len()).sum();
        let pairings = price::BLS_PAIRING.times(public_keys.len() as u64 + 1);
        self.charge_gas(
            price::SYSCALL.plus(pairings).plus(price::BLS_HASHING_PER_BYTE.times(bytes as u64)),
        )?;
        Ok(crypto::verify_bls_aggregate(signature, public_keys, plaintexts))
    }

    /// Whether `signature` is `signer`'s (an f1 or f3 address) over `plaintext`, charged as
    /// the actors' SDK is charged when it builds this check from the syscalls above: a
    /// secp256k1 check pays a blake2b hash and a key recovery, a BLS check an aggregate of one.
    /// `USR_ILLEGAL_ARGUMENT`, uncharged, when the signature cannot be checked against that
    /// signer at all (wrong kind of signer, wrong length).
    fn verify_signature(
        &mut self,
        signature: &crypto::Signature,
        signer: &Address,
        plaintext: &[u8],
    ) -> Result<bool, ActorError> {
        crypto::check_signature_shape(signature, signer).map_err(ActorError::illegal_argument)?;
        self.charge_gas(price::verify_signature(signature.signature_type(), plaintext.len()))?;
        crypto::verify_signature(signature, signer, plaintext).map_err(ActorError::illegal_argument)
    }

    /// The CID of the tipset at `epoch`, which must be before the current epoch.
    fn tipset_cid(&mut self, epoch: ChainEpoch) -> Result<Cid, ActorError>;
    /// Beacon randomness for `epoch` (at or before the current epoch).
    fn beacon_randomness(&mut self, epoch: ChainEpoch) -> Result<[u8; 32], ActorError>;
    /// Chain (ticket) randomness for `epoch` (at or before the current epoch); actors draw
    /// seal and PoSt-commitment randomness from it.
    fn chain_randomness(&mut self, epoch: ChainEpoch) -> Result<[u8; 32], ActorError>;
    /// FIL in circulation (the FVM's `total_fil_circ_supply` syscall).
    fn total_fil_circ_supply(&mut self) -> Result<TokenAmount, ActorError>;
    /// Deletes the running actor (the FVM's `self_destruct` without burning): refused while
    /// read-only, and while it still holds funds (`USR_ILLEGAL_STATE`, as the FVM refuses the
    /// syscall); a payment channel pays out first, then deletes itself.
    fn delete_actor(&mut self) -> Result<(), ActorError>;

    // --- What the init actor needs to create actors. Refused for any other actor. ---

    /// A fresh robust (f2) address, unique per origin, nonce and actor created in the message.
    fn next_actor_address(&mut self) -> Result<Address, ActorError>;
    /// Assigns a new ID to `address` (which must not be mapped yet).
    fn register_new_address(&mut self, address: &Address) -> Result<ActorID, ActorError>;
    /// Maps another address to an existing ID.
    fn map_address(&mut self, address: &Address, id: ActorID) -> Result<(), ActorError>;
    /// Creates (or replaces a placeholder with) an actor of `code` at `id`, empty state, keeping
    /// any balance already there.
    fn create_actor(
        &mut self,
        code: &Cid,
        id: ActorID,
        delegated_address: Option<Address>,
    ) -> Result<(), ActorError>;
}

/// The blockstore as actors see it: every read pays for opening the block, every write for
/// persisting it. Cheap to clone; holds no borrow of the runtime, so an actor can keep a HAMT
/// open while it sends.
#[derive(Clone)]
pub struct ActorStore {
    inner: Rc<dyn Blockstore>,
    gas: Rc<GasTracker>,
}

impl std::fmt::Debug for ActorStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActorStore").field("gas", &self.gas).finish_non_exhaustive()
    }
}

impl ActorStore {
    /// A charging view of `inner`.
    pub fn new(inner: Rc<dyn Blockstore>, gas: Rc<GasTracker>) -> Self {
        Self { inner, gas }
    }
}

impl Blockstore for ActorStore {
    fn get(&self, k: &Cid) -> Result<Option<Vec<u8>>> {
        let block = self.inner.get(k)?;
        let len = block.as_ref().map_or(0, Vec::len);
        self.gas.charge(price::block_open(len))?;
        Ok(block)
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> Result<()> {
        self.gas.charge(price::block_persist(block.len()))?;
        self.inner.put_keyed(k, block)
    }

    fn has(&self, k: &Cid) -> Result<bool> {
        self.inner.has(k)
    }
}
