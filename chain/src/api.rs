//! The interfaces the gateway sees: [`FullNode`], a Lotus-shaped subset of the full-node API
//! that a remote Lotus could also implement, and [`DevApi`], the powers only a local devnet has
//! (mining on request, the clock, and the keys of its dev accounts), which a gateway holds as an
//! optional capability.
//!
//! Everything here is synchronous. State reads hit the in-process block cache;
//! [`FullNode::state_call`] and [`FullNode::estimate_gas`] run the VM, which the gateway does on
//! the worker thread serving the request (a hand-off to a blocking thread cost more than a
//! typical call).

use std::sync::Arc;

use alloy_primitives::B256;
use cid::Cid;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::receipt::Receipt;
use fvm_shared::state::ActorState;
use tokio::sync::broadcast;

use crate::clock::Clock;
use crate::error::NodeResult;
use crate::eth_tx::TxError;
use crate::events::IndexedEvent;
use crate::execution::{EstimateError, InvocResult};
use crate::genesis::DevAccount;
use crate::logs::{IndexedLog, LogFilter};
use crate::mempool::{PendingMessage, PoolRefusal};
use crate::message::SignedMessage;
use crate::overrides::CallOverrides;
use crate::store::MessageLocation;
use crate::tipset::Tipset;

/// Why a message was not accepted into the pool. The messages use Geth's wording where
/// clients parse it ("nonce too low", "insufficient funds", "replacement transaction
/// underpriced", …).
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The raw transaction could not be decoded or verified.
    #[error(transparent)]
    Transaction(#[from] TxError),
    /// A native message's signature does not verify.
    #[error("invalid sender: {0}")]
    InvalidSignature(String),
    /// BLS messages need aggregation this devnet does not do.
    #[error("transaction type not supported: BLS-signed messages are not accepted by this devnet")]
    BlsUnsupported,
    /// The signed message is too large.
    #[error("oversized data: the message is {size} bytes, the limit is {max}")]
    Oversized {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The gas limit exceeds the block gas limit.
    #[error("exceeds block gas limit: gas limit {limit}, block gas limit {max}")]
    GasLimitTooHigh {
        /// The message's gas limit.
        limit: u64,
        /// The block gas limit.
        max: u64,
    },
    /// The gas limit does not cover the inclusion cost.
    #[error(
        "intrinsic gas too low: gas limit {limit} is below the {required} gas it costs to include \
         this message on chain (Filecoin gas: 560,663 + 1,300 per message byte; use \
         eth_estimateGas)"
    )]
    IntrinsicGasTooLow {
        /// The message's gas limit.
        limit: u64,
        /// The inclusion cost.
        required: u64,
    },
    /// The fee cap is below the next tipset's base fee.
    #[error(
        "max fee per gas less than block base fee: maxFeePerGas: {fee_cap}, baseFee: {base_fee}"
    )]
    FeeCapTooLow {
        /// The message's fee cap, attoFIL.
        fee_cap: TokenAmount,
        /// The base fee, attoFIL.
        base_fee: TokenAmount,
    },
    /// The premium exceeds the fee cap.
    #[error(
        "max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas: {premium}, \
         maxFeePerGas: {fee_cap}"
    )]
    PremiumAboveFeeCap {
        /// The premium, attoFIL.
        premium: TokenAmount,
        /// The fee cap, attoFIL.
        fee_cap: TokenAmount,
    },
    /// The nonce was already used.
    #[error("nonce too low: next nonce {next}, tx nonce {nonce}")]
    NonceTooLow {
        /// The sender's next nonce.
        next: u64,
        /// The message's nonce.
        nonce: u64,
    },
    /// The sender cannot send messages.
    #[error("invalid sender: {address} is {kind}, which cannot send messages")]
    NotAnAccount {
        /// The sender.
        address: String,
        /// What it is.
        kind: String,
    },
    /// The sender cannot pay.
    #[error(
        "insufficient funds for gas * price + value: balance {balance}, tx cost {cost} \
         (value + max fee per gas × gas limit, plus the sender's pending transactions)"
    )]
    InsufficientFunds {
        /// The sender's balance, attoFIL.
        balance: TokenAmount,
        /// What it must hold, attoFIL.
        cost: TokenAmount,
    },
    /// The pool's own rules.
    #[error(transparent)]
    Pool(#[from] PoolRefusal),
}

/// A Lotus-shaped view of a Filecoin node; see the module docs.
pub trait FullNode: Send + Sync + 'static {
    /// EIP-155 chain id.
    fn chain_id(&self) -> u64;
    /// The network's name.
    fn network_name(&self) -> String;
    /// The newest tipset. Its messages are already executed: the devnet executes a tipset when
    /// it builds it.
    fn chain_head(&self) -> Arc<Tipset>;
    /// The tipset at exactly `height`; `None` for a null round or a height beyond the head.
    fn chain_get_tipset_by_height(&self, height: ChainEpoch) -> NodeResult<Option<Arc<Tipset>>>;
    /// The last tipset at or below `height` (what state reads at a null round use).
    fn chain_get_tipset_at_or_before(&self, height: ChainEpoch) -> NodeResult<Option<Arc<Tipset>>>;
    /// The tipset whose Ethereum block hash (tipset-key CID digest) is `hash`.
    fn chain_get_tipset_by_hash(&self, hash: &B256) -> NodeResult<Option<Arc<Tipset>>>;
    /// A tipset's messages, in execution order.
    fn chain_get_messages(&self, tipset: &Tipset) -> NodeResult<Vec<SignedMessage>>;
    /// A tipset's receipts, in message order.
    fn chain_get_receipts(&self, tipset: &Tipset) -> NodeResult<Vec<Receipt>>;
    /// A tipset's Ethereum logs.
    fn chain_get_logs(&self, tipset: &Tipset) -> NodeResult<Vec<IndexedLog>>;
    /// Every actor event of a tipset, built-in actors' and EVM logs alike, in execution order,
    /// the end-of-epoch (cron, block reward) messages' included.
    fn chain_get_events(&self, tipset: &Tipset) -> NodeResult<Vec<IndexedEvent>>;
    /// A block (state, bytecode) from the store.
    fn chain_read_block(&self, cid: &Cid) -> NodeResult<Option<Vec<u8>>>;
    /// Where the message with this CID was included.
    fn state_search_msg(&self, cid: &Cid) -> NodeResult<Option<MessageLocation>>;
    /// Where the message with this Ethereum tx hash was included.
    fn state_search_tx(&self, hash: &B256) -> NodeResult<Option<MessageLocation>>;
    /// An actor at a tipset's state, with its ID.
    fn state_get_actor(
        &self,
        address: &Address,
        tipset: &Tipset,
    ) -> NodeResult<Option<(ActorID, ActorState)>>;
    /// Runs a message read-only on a tipset's state changed by `overrides`: any sender, even a
    /// contract or a missing address; the nonce is ignored; nothing is kept. A bad override
    /// fails with [`NodeError::InvalidOverride`](crate::NodeError::InvalidOverride).
    fn state_call(
        &self,
        msg: &Message,
        tipset: &Tipset,
        overrides: &CallOverrides,
    ) -> NodeResult<InvocResult>;
    /// The gas limit `msg` needs on a tipset's state changed by `overrides`; never too low.
    fn estimate_gas(
        &self,
        msg: &Message,
        tipset: &Tipset,
        overrides: &CallOverrides,
    ) -> Result<u64, EstimateError>;
    /// Validates and queues a signed Filecoin message; returns the pool entry. A refusal is
    /// [`NodeError::Refused`](crate::NodeError::Refused).
    fn mpool_push(&self, msg: SignedMessage) -> NodeResult<PendingMessage>;
    /// Decodes, validates and queues a signed Ethereum transaction; returns the pool entry.
    fn mpool_push_eth(&self, raw: &[u8]) -> NodeResult<PendingMessage>;
    /// Every pending message.
    fn mpool_pending(&self) -> Vec<PendingMessage>;
    /// A pending message by CID or Ethereum hash.
    fn mpool_find(&self, cid: Option<&Cid>, hash: Option<&B256>) -> Option<PendingMessage>;
    /// The nonce the sender's next message should carry, counting pending messages.
    fn mpool_get_nonce(&self, address: &Address) -> NodeResult<u64>;
    /// The base fee the next tipset will charge.
    fn next_base_fee(&self) -> TokenAmount;
    /// Logs of the tipsets in `from..=to` matching `filter`, in chain order.
    fn get_logs(
        &self,
        from: ChainEpoch,
        to: ChainEpoch,
        filter: &LogFilter,
    ) -> NodeResult<Vec<(Arc<Tipset>, IndexedLog)>>;
    /// New heads, as they are committed.
    fn subscribe_heads(&self) -> broadcast::Receiver<Arc<Tipset>>;
    /// Messages entering the pool.
    fn subscribe_pending(&self) -> broadcast::Receiver<PendingMessage>;
}

/// What only a local devnet can do: decide when tipsets are mined and what time they carry,
/// and sign with the keys it generated. A gateway in front of a node without these powers (a
/// remote Lotus, a fork) serves no dev methods and holds no accounts.
pub trait DevApi: Send + Sync + 'static {
    /// Accounts whose keys the node holds, in genesis order.
    fn dev_accounts(&self) -> &[DevAccount];
    /// Mines `count` tipsets now, whatever the mining mode; each takes every executable pending
    /// message that fits. Fails with [`NodeError::Unavailable`](crate::NodeError::Unavailable)
    /// once the node is shutting down.
    fn mine(&self, count: u64) -> NodeResult<Vec<Arc<Tipset>>>;
    /// Whether every executable message is mined as soon as it arrives (instant mining), so a
    /// sender may wait for its inclusion.
    fn automines(&self) -> bool;
    /// The clock the miner stamps tipsets with.
    fn clock(&self) -> &Clock;
}
