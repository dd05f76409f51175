//! The message pool: pending messages per sender in nonce order, replace-by-fee, and the
//! selection of a tipset's messages.
//!
//! Validation against state (nonce, balance, sender type, signature) happens in the node
//! before [`Mempool::insert`]; this module owns the rules that only need the pool itself.
//!
//! * **Gaps.** A message whose nonce is ahead of the sender's next one waits, and is never
//!   selected until the gap is filled; at most [`MAX_NONCE_GAP`] ahead is accepted.
//! * **Replacement.** A message with the nonce of a pending one replaces it only when both its
//!   fee cap and its premium are at least [`REPLACE_BUMP_PERCENT`] % higher (Geth's rule, which
//!   wallets' "speed up" buttons follow; Lotus asks 25 % more premium).
//! * **Selection.** Each sender's consecutive run from its state nonce, merged across senders
//!   by effective premium, until the tipset gas limit; messages whose fee cap is below the base
//!   fee wait.

use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::Arc;

use alloy_primitives::B256;
use cid::Cid;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

use crate::basefee::effective_premium;
use crate::message::SignedMessage;

/// How far ahead of a sender's next nonce a message may be.
pub const MAX_NONCE_GAP: u64 = 1_000;
/// Minimum raise of both fee cap and premium for a replacement, in percent.
pub const REPLACE_BUMP_PERCENT: u64 = 10;
/// The largest signed message the pool takes, in bytes (Lotus's `MaxMessageSize`).
pub const MAX_MESSAGE_BYTES: usize = 64 << 10;

/// A message waiting in the pool.
#[derive(Clone, Debug)]
pub struct PendingMessage {
    /// The signed message.
    pub message: Arc<SignedMessage>,
    /// Its CID.
    pub cid: Cid,
    /// Its Ethereum tx hash (keccak of the signed RLP, or the CID digest of a native message).
    pub eth_hash: B256,
    /// Its length on chain (sets the inclusion gas).
    pub chain_len: usize,
}

impl PendingMessage {
    /// A pool entry for `message` with its Ethereum hash.
    pub fn new(message: SignedMessage, eth_hash: B256) -> Self {
        let (cid, chain_len) = message.cid_and_chain_length();
        Self { message: Arc::new(message), cid, eth_hash, chain_len }
    }

    fn nonce(&self) -> u64 {
        self.message.message.sequence
    }

    /// Everything the sender must hold for it: value + fee cap × gas limit.
    pub fn max_cost(&self) -> TokenAmount {
        let m = &self.message.message;
        &m.value + &m.gas_fee_cap * m.gas_limit
    }
}

/// Why the pool refused a message (on top of the node's state checks).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PoolRefusal {
    /// The identical message is already pending.
    #[error("already known")]
    AlreadyKnown,
    /// A pending message has the nonce and this one does not pay enough more.
    #[error(
        "replacement transaction underpriced: a replacement must raise both the fee cap and the \
         premium by at least {REPLACE_BUMP_PERCENT}% (pending: fee cap {old_fee_cap}, premium \
         {old_premium})"
    )]
    ReplacementUnderpriced {
        /// The pending message's fee cap, attoFIL.
        old_fee_cap: TokenAmount,
        /// The pending message's premium, attoFIL.
        old_premium: TokenAmount,
    },
    /// The nonce is too far ahead.
    #[error("nonce too high: next nonce {next}, tx nonce {nonce} (at most {MAX_NONCE_GAP} ahead)")]
    NonceTooHigh {
        /// The sender's next nonce.
        next: u64,
        /// The message's nonce.
        nonce: u64,
    },
}

#[derive(Debug, Default)]
struct SenderQueue {
    by_nonce: BTreeMap<u64, PendingMessage>,
    /// Sum of [`PendingMessage::max_cost`] over `by_nonce`.
    total_cost: TokenAmount,
    /// A known run of consecutive nonces `start..end` in `by_nonce`, so that the pending nonce
    /// of a long queue is found without walking it on every submission.
    run: std::cell::Cell<Option<(u64, u64)>>,
}

impl SenderQueue {
    /// The first nonce at or after `from` that is not queued.
    fn run_end(&self, from: u64) -> u64 {
        if let Some((start, end)) = self.run.get()
            && start <= from
            && from <= end
        {
            return end;
        }
        let mut end = from;
        while self.by_nonce.contains_key(&end) {
            end += 1;
        }
        self.run.set(Some((from, end)));
        end
    }
}

/// Pending messages; see the module docs.
#[derive(Debug, Default)]
pub struct Mempool {
    senders: HashMap<Address, SenderQueue>,
    by_cid: HashMap<Cid, (Address, u64)>,
    by_hash: HashMap<B256, Cid>,
}

impl Mempool {
    /// Number of pending messages.
    pub fn len(&self) -> usize {
        self.by_cid.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.by_cid.is_empty()
    }

    /// What `sender`'s pending messages may cost in total, counting `msg` in place of the one
    /// with its nonce: the balance must cover all of it.
    pub fn total_cost_with(&self, msg: &PendingMessage) -> TokenAmount {
        let m = &msg.message.message;
        let Some(queue) = self.senders.get(&m.from) else { return msg.max_cost() };
        let replaced = queue.by_nonce.get(&m.sequence).map(PendingMessage::max_cost);
        &queue.total_cost + msg.max_cost() - replaced.unwrap_or_default()
    }

    /// The next nonce after `sender`'s consecutive pending run starting at `state_nonce`.
    pub fn pending_nonce(&self, sender: &Address, state_nonce: u64) -> u64 {
        self.senders.get(sender).map_or(state_nonce, |q| q.run_end(state_nonce))
    }

    /// Adds a validated message whose nonce is at least the sender's state nonce; returns the
    /// message it replaced, if any.
    pub fn insert(
        &mut self,
        msg: PendingMessage,
        state_nonce: u64,
    ) -> Result<Option<PendingMessage>, PoolRefusal> {
        let sender = msg.message.message.from;
        let nonce = msg.nonce();
        if self.by_cid.contains_key(&msg.cid) {
            return Err(PoolRefusal::AlreadyKnown);
        }
        let next = self.pending_nonce(&sender, state_nonce);
        if nonce > next.saturating_add(MAX_NONCE_GAP) {
            return Err(PoolRefusal::NonceTooHigh { next, nonce });
        }
        let queue = self.senders.entry(sender).or_default();
        if let Some(old) = queue.by_nonce.get(&nonce) {
            let (o, n) = (&old.message.message, &msg.message.message);
            if !bumped(&o.gas_fee_cap, &n.gas_fee_cap) || !bumped(&o.gas_premium, &n.gas_premium) {
                return Err(PoolRefusal::ReplacementUnderpriced {
                    old_fee_cap: o.gas_fee_cap.clone(),
                    old_premium: o.gas_premium.clone(),
                });
            }
        }
        self.by_cid.insert(msg.cid, (sender, nonce));
        self.by_hash.insert(msg.eth_hash, msg.cid);
        queue.total_cost += msg.max_cost();
        let replaced = queue.by_nonce.insert(nonce, msg);
        if let Some(old) = &replaced {
            queue.total_cost -= old.max_cost();
            self.by_cid.remove(&old.cid);
            self.by_hash.remove(&old.eth_hash);
        }
        if let Some((start, end)) = queue.run.get()
            && nonce == end
        {
            let mut end = end + 1;
            while queue.by_nonce.contains_key(&end) {
                end += 1;
            }
            queue.run.set(Some((start, end)));
        }
        Ok(replaced)
    }

    /// The pending message with this CID.
    pub fn get(&self, cid: &Cid) -> Option<&PendingMessage> {
        let (sender, nonce) = self.by_cid.get(cid)?;
        self.senders.get(sender)?.by_nonce.get(nonce)
    }

    /// The pending message with this Ethereum tx hash.
    pub fn get_by_hash(&self, hash: &B256) -> Option<&PendingMessage> {
        self.get(self.by_hash.get(hash)?)
    }

    /// Every pending message, by sender then nonce.
    pub fn pending(&self) -> Vec<PendingMessage> {
        self.senders.values().flat_map(|q| q.by_nonce.values().cloned()).collect()
    }

    /// Senders with pending messages.
    pub fn senders(&self) -> Vec<Address> {
        self.senders.keys().copied().collect()
    }

    /// Drops `sender`'s messages below `state_nonce` (included, or made stale).
    pub fn prune(&mut self, sender: &Address, state_nonce: u64) {
        let Some(queue) = self.senders.get_mut(sender) else { return };
        let kept = queue.by_nonce.split_off(&state_nonce);
        for (_, gone) in std::mem::replace(&mut queue.by_nonce, kept) {
            queue.total_cost -= gone.max_cost();
            self.by_cid.remove(&gone.cid);
            self.by_hash.remove(&gone.eth_hash);
        }
        if queue.by_nonce.is_empty() {
            self.senders.remove(sender);
        }
    }

    /// Messages for the next tipset, within `gas_limit` in total; `state_nonce` gives each
    /// sender's next nonce on chain.
    pub fn select(
        &self,
        base_fee: &TokenAmount,
        gas_limit: u64,
        mut state_nonce: impl FnMut(&Address) -> u64,
    ) -> Vec<PendingMessage> {
        // One runnable chain per sender: consecutive nonces from the state nonce, stopping at
        // the first message that cannot pay the base fee.
        let chains: Vec<Vec<&PendingMessage>> = self
            .senders
            .iter()
            .map(|(sender, queue)| {
                let first = state_nonce(sender);
                queue
                    .by_nonce
                    .range(first..)
                    .zip(first..)
                    .take_while(|((nonce, msg), expected)| {
                        **nonce == *expected && msg.message.message.gas_fee_cap >= *base_fee
                    })
                    .map(|((_, msg), _)| msg)
                    .collect::<Vec<_>>()
            })
            .filter(|c| !c.is_empty())
            .collect();

        let premium = |m: &PendingMessage| {
            let msg = &m.message.message;
            effective_premium(&msg.gas_fee_cap, &msg.gas_premium, base_fee)
        };
        let mut heap: BinaryHeap<(TokenAmount, std::cmp::Reverse<usize>, usize)> = chains
            .iter()
            .enumerate()
            .map(|(i, c)| (premium(c[0]), std::cmp::Reverse(i), 0))
            .collect();
        let mut selected = Vec::new();
        let mut gas = 0u64;
        while let Some((_, std::cmp::Reverse(chain), pos)) = heap.pop() {
            let msg = chains[chain][pos];
            let limit = msg.message.message.gas_limit;
            if gas.saturating_add(limit) > gas_limit {
                continue; // the rest of this sender's chain waits for the next tipset
            }
            gas += limit;
            selected.push(msg.clone());
            if let Some(next) = chains[chain].get(pos + 1) {
                heap.push((premium(next), std::cmp::Reverse(chain), pos + 1));
            }
        }
        selected
    }
}

/// Whether `new` is at least [`REPLACE_BUMP_PERCENT`] % above `old`.
fn bumped(old: &TokenAmount, new: &TokenAmount) -> bool {
    new.atto() * 100u32 >= old.atto() * (100 + REPLACE_BUMP_PERCENT)
}
