//! [`FullNode`] for the embedded devnet.

use std::sync::Arc;

use alloy_primitives::B256;
use anyhow::{Context as _, anyhow};
use cid::Cid;
use filecoin_vm::BuiltinType;
use filecoin_vm::gas::price;
use fvm_ipld_amt::Amtv0;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::receipt::Receipt;
use fvm_shared::state::ActorState;
use tokio::sync::broadcast;

use crate::api::{FullNode, PushError};
use crate::basefee::BLOCK_GAS_LIMIT;
use crate::config::MiningMode;
use crate::error::NodeResult;
use crate::eth_tx::{
    decode_raw_transaction, eth_hash_from_cid, eth_hash_of_message, verify_delegated,
};
use crate::events::IndexedEvent;
use crate::execution::{self, EstimateError, InvocResult, machine_for};
use crate::logs::{IndexedLog, LogFilter};
use crate::mempool::{MAX_MESSAGE_BYTES, PendingMessage};
use crate::message::{SigType, SignedMessage, verify_secp};
use crate::node::{DevNode, poisoned};
use crate::overrides::CallOverrides;
use crate::store::MessageLocation;
use crate::tipset::Tipset;

impl DevNode {
    /// Pool admission for a message whose signature is verified; a refusal is a
    /// [`PushError`] inside [`NodeError::Refused`].
    fn admit(&self, pending: PendingMessage) -> NodeResult<PendingMessage> {
        let inner = &self.inner;
        let msg = &pending.message.message;
        if pending.chain_len > MAX_MESSAGE_BYTES {
            return Err(
                PushError::Oversized { size: pending.chain_len, max: MAX_MESSAGE_BYTES }.into()
            );
        }
        if msg.gas_limit > BLOCK_GAS_LIMIT {
            return Err(
                PushError::GasLimitTooHigh { limit: msg.gas_limit, max: BLOCK_GAS_LIMIT }.into()
            );
        }
        let required = price::on_chain_message(pending.chain_len).round_up();
        if msg.gas_limit < required {
            return Err(PushError::IntrinsicGasTooLow { limit: msg.gas_limit, required }.into());
        }
        let base_fee = inner.next_base_fee();
        if msg.gas_fee_cap < base_fee {
            return Err(
                PushError::FeeCapTooLow { fee_cap: msg.gas_fee_cap.clone(), base_fee }.into()
            );
        }
        if msg.gas_premium > msg.gas_fee_cap {
            return Err(PushError::PremiumAboveFeeCap {
                premium: msg.gas_premium.clone(),
                fee_cap: msg.gas_fee_cap.clone(),
            }
            .into());
        }
        let head = inner.head();
        let (state_nonce, balance) = match inner.actor_at(&head.state_root, &msg.from)? {
            None => (0, TokenAmount::default()),
            Some((_, actor)) => {
                let kind = BuiltinType::from_code(&actor.code);
                let can_send = kind.is_some_and(BuiltinType::is_account_like)
                    || (kind == Some(BuiltinType::Placeholder) && actor.sequence == 0);
                if !can_send {
                    let kind = kind.map_or("an unknown actor", |k| k.name());
                    return Err(PushError::NotAnAccount {
                        address: msg.from.to_string(),
                        kind: format!("a {kind} actor"),
                    }
                    .into());
                }
                (actor.sequence, actor.balance)
            }
        };
        if msg.sequence < state_nonce {
            return Err(PushError::NonceTooLow { next: state_nonce, nonce: msg.sequence }.into());
        }
        let mut pool = inner.mempool.lock().map_err(poisoned)?;
        let cost = pool.total_cost_with(&pending);
        if cost > balance {
            return Err(PushError::InsufficientFunds { balance, cost }.into());
        }
        pool.insert(pending.clone(), state_nonce).map_err(PushError::from)?;
        drop(pool);
        tracing::debug!(target: "fevm::chain", cid = %pending.cid, "message queued");
        // Nobody listening is fine.
        let _ = inner.pending.send(pending.clone());
        if inner.config.mining == MiningMode::Instant {
            inner.wake_miner();
        }
        Ok(pending)
    }
}

impl FullNode for DevNode {
    fn chain_id(&self) -> u64 {
        self.inner.config.chain_id
    }

    fn network_name(&self) -> String {
        self.inner.config.network_name.clone()
    }

    fn chain_head(&self) -> Arc<Tipset> {
        self.inner.head()
    }

    fn chain_get_tipset_by_height(&self, height: ChainEpoch) -> NodeResult<Option<Arc<Tipset>>> {
        Ok(self.inner.tipset_at(height)?)
    }

    fn chain_get_tipset_at_or_before(&self, height: ChainEpoch) -> NodeResult<Option<Arc<Tipset>>> {
        let head = self.inner.head();
        if height >= head.height() {
            return Ok(Some(head));
        }
        match self.inner.store.height_at_or_before(height)? {
            Some(h) => Ok(self.inner.tipset_at(h)?),
            None => Ok(None),
        }
    }

    fn chain_get_tipset_by_hash(&self, hash: &B256) -> NodeResult<Option<Arc<Tipset>>> {
        match self.inner.store.height_by_hash(hash)? {
            Some(h) => Ok(self.inner.tipset_at(h)?),
            None => Ok(None),
        }
    }

    fn chain_get_messages(&self, tipset: &Tipset) -> NodeResult<Vec<SignedMessage>> {
        tipset
            .messages
            .iter()
            .map(|cid| {
                let bytes =
                    self.inner.store.get(cid)?.ok_or_else(|| anyhow!("message {cid} missing"))?;
                Ok(SignedMessage::from_bytes(&bytes)
                    .with_context(|| format!("stored message {cid} does not decode"))?)
            })
            .collect()
    }

    fn chain_get_receipts(&self, tipset: &Tipset) -> NodeResult<Vec<Receipt>> {
        let receipts_root = &tipset.receipts_root;
        let amt = Amtv0::<Receipt, _>::load(receipts_root, &*self.inner.store)
            .with_context(|| format!("receipts {receipts_root} do not load"))?;
        let mut receipts = Vec::with_capacity(tipset.messages.len());
        amt.for_each(|_, r| {
            receipts.push(r.clone());
            Ok(())
        })
        .with_context(|| format!("receipts {receipts_root} do not load"))?;
        Ok(receipts)
    }

    fn chain_get_logs(&self, tipset: &Tipset) -> NodeResult<Vec<IndexedLog>> {
        Ok(self.inner.store.logs(tipset.height())?)
    }

    fn chain_get_events(&self, tipset: &Tipset) -> NodeResult<Vec<IndexedEvent>> {
        Ok(self.inner.store.events(tipset.height())?)
    }

    fn chain_read_block(&self, cid: &Cid) -> NodeResult<Option<Vec<u8>>> {
        Ok(self.inner.store.get(cid)?)
    }

    fn state_search_msg(&self, cid: &Cid) -> NodeResult<Option<MessageLocation>> {
        Ok(self.inner.store.locate_message(cid)?)
    }

    fn state_search_tx(&self, hash: &B256) -> NodeResult<Option<MessageLocation>> {
        Ok(self.inner.store.locate_tx(hash)?)
    }

    fn state_get_actor(
        &self,
        address: &Address,
        tipset: &Tipset,
    ) -> NodeResult<Option<(ActorID, ActorState)>> {
        Ok(self.inner.actor_at(&tipset.state_root, address)?)
    }

    fn state_call(
        &self,
        msg: &Message,
        tipset: &Tipset,
        overrides: &CallOverrides,
    ) -> NodeResult<InvocResult> {
        let inner = &self.inner;
        let machine = machine_for(tipset, inner.config.chain_id, &inner.config.network_name);
        let state = (inner.root_cache(&tipset.state_root)?, inner.issued.clone());
        execution::call(&inner.store, &inner.registry, machine, state, msg, overrides)
    }

    fn estimate_gas(
        &self,
        msg: &Message,
        tipset: &Tipset,
        overrides: &CallOverrides,
    ) -> Result<u64, EstimateError> {
        execution::estimate_gas(|limit| {
            self.state_call(&execution::with_gas_limit(msg, limit), tipset, overrides)
        })
    }

    fn mpool_push(&self, msg: SignedMessage) -> NodeResult<PendingMessage> {
        let chain_id = self.inner.config.chain_id;
        let eth_hash = match msg.signature.sig_type {
            SigType::Delegated => {
                verify_delegated(&msg, chain_id).map_err(PushError::from)?;
                eth_hash_of_message(&msg, chain_id).map_err(PushError::from)?
            }
            SigType::Secp256k1 => {
                verify_secp(&msg).map_err(|e| PushError::InvalidSignature(e.to_string()))?;
                eth_hash_from_cid(&msg.cid())
            }
            SigType::Bls => return Err(PushError::BlsUnsupported.into()),
        };
        self.admit(PendingMessage::new(msg, eth_hash))
    }

    fn mpool_push_eth(&self, raw: &[u8]) -> NodeResult<PendingMessage> {
        let tx =
            decode_raw_transaction(raw, self.inner.config.chain_id).map_err(PushError::from)?;
        let eth_hash = tx.hash();
        self.admit(PendingMessage::new(tx.into_message(), eth_hash))
    }

    fn mpool_pending(&self) -> Vec<PendingMessage> {
        self.inner.mempool.lock().map(|p| p.pending()).unwrap_or_default()
    }

    fn mpool_find(&self, cid: Option<&Cid>, hash: Option<&B256>) -> Option<PendingMessage> {
        let pool = self.inner.mempool.lock().ok()?;
        cid.and_then(|c| pool.get(c)).or_else(|| hash.and_then(|h| pool.get_by_hash(h))).cloned()
    }

    fn mpool_get_nonce(&self, address: &Address) -> NodeResult<u64> {
        let head = self.inner.head();
        let state_nonce =
            self.inner.actor_at(&head.state_root, address)?.map_or(0, |(_, a)| a.sequence);
        let pool = self.inner.mempool.lock().map_err(poisoned)?;
        Ok(pool.pending_nonce(address, state_nonce))
    }

    fn next_base_fee(&self) -> TokenAmount {
        self.inner.next_base_fee()
    }

    fn get_logs(
        &self,
        from: ChainEpoch,
        to: ChainEpoch,
        filter: &LogFilter,
    ) -> NodeResult<Vec<(Arc<Tipset>, IndexedLog)>> {
        let mut out = Vec::new();
        let to = to.min(self.inner.head().height());
        for height in from.max(0)..=to {
            let Some(tipset) = self.inner.tipset_at(height)? else { continue };
            if !filter.may_match(&tipset.bloom) {
                continue;
            }
            for log in self.inner.store.logs(height)? {
                if filter.matches(&log) {
                    out.push((tipset.clone(), log));
                }
            }
        }
        Ok(out)
    }

    fn subscribe_heads(&self) -> broadcast::Receiver<Arc<Tipset>> {
        self.inner.heads.subscribe()
    }

    fn subscribe_pending(&self) -> broadcast::Receiver<PendingMessage> {
        self.inner.pending.subscribe()
    }
}
