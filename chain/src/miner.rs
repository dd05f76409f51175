//! Building a tipset: select messages, execute them on the parent's state, write the
//! receipts, message lists and header, and commit it all.

use std::sync::Arc;

use alloy_primitives::{Address as EthAddress, Bloom};
use anyhow::{Context, Result};
use cid::Cid;
use filecoin_vm::{ApplyKind, Executor};
use fvm_ipld_amt::Amtv0;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_shared::address::{Address, Payload};
use fvm_shared::bigint::BigInt;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::receipt::Receipt;
use multihash_codetable::Code;

use crate::basefee::{PremiumSample, effective_premium, next_base_fee};
use crate::block::{BeaconEntry, BlockHeader, ElectionProof, Ticket, TxMeta};
use crate::events::{EventSource, IndexedEvent};
use crate::execution::{ChainExterns, beacon_entry_data, ticket_vrf_proof};
use crate::logs::{IndexedLog, accrue_bloom, log_from_event};
use crate::mempool::PendingMessage;
use crate::node::Inner;
use crate::tipset::Tipset;

/// The miner address in devnet headers (Lotus devnets' first miner; no actor exists there).
pub const DEVNET_MINER_ID: u64 = 1000;

/// What a built tipset changed, for the node to publish.
pub(crate) struct Built {
    pub(crate) tipset: Arc<Tipset>,
    pub(crate) next_base_fee: TokenAmount,
    pub(crate) included: Vec<PendingMessage>,
}

/// Builds, executes and commits the tipset after `parent` holding `messages`.
pub(crate) fn build_tipset(
    node: &Inner,
    parent: &Tipset,
    base_fee: &TokenAmount,
    messages: Vec<PendingMessage>,
    null_rounds: u64,
) -> Result<Built> {
    let height = parent.height() + 1 + ChainEpoch::try_from(null_rounds)?;
    let timestamp = node.clock.tipset_timestamp(parent.timestamp());
    let store = &node.store;

    // As Lotus does, every null round between the parent and this tipset gets its cron tick,
    // each at its own epoch, so deadlines and deal schedules never run late.
    let mut events = Vec::new();
    let mut pre_state = parent.state_root;
    for epoch in parent.height() + 1..height {
        let mut exec = executor(node, &pre_state, epoch, timestamp, base_fee)?;
        cron_tick(&mut exec, epoch, &mut events)?;
        pre_state = exec.flush()?;
    }
    let mut exec = executor(node, &pre_state, height, timestamp, base_fee)?;

    let mut receipts: Vec<Receipt> = Vec::with_capacity(messages.len());
    let mut fees = Vec::with_capacity(messages.len());
    let mut logs = Vec::new();
    let mut bloom = Bloom::default();
    let mut gas_used = 0u64;
    let mut tip_total = TokenAmount::default();
    for (index, pending) in messages.iter().enumerate() {
        let ret = exec
            .apply_message(
                &pending.message.message,
                ApplyKind::Explicit { chain_len: pending.chain_len },
            )
            .with_context(|| format!("applying message {}", pending.cid))?;
        let source = EventSource::Message(u32::try_from(index)?);
        events.extend(IndexedEvent::from_message(&source, &ret.events));
        for event in &ret.events {
            let Some((topics, data)) = log_from_event(&event.event) else { continue };
            let address = emitter_address(&mut exec, event.emitter)?;
            accrue_bloom(&mut bloom, &address, &topics);
            logs.push(IndexedLog {
                message_index: u32::try_from(index)?,
                log_index: u32::try_from(logs.len())?,
                emitter: event.emitter,
                address,
                topics,
                data,
            });
        }
        let out = &ret.gas_outputs;
        tip_total += &out.miner_tip;
        fees.push(&out.base_fee_burn + &out.over_estimation_burn + &out.miner_tip);
        gas_used += ret.receipt.gas_used;
        receipts.push(ret.receipt);
    }
    end_epoch(&mut exec, height, &tip_total, &mut events)?;
    let state_root = exec.flush()?;

    for pending in &messages {
        store.put_keyed(&pending.cid, &pending.message.to_bytes())?;
    }
    let cids: Vec<Cid> = messages.iter().map(|m| m.cid).collect();
    let receipts_root = Amtv0::new_from_iter(&**store, receipts.iter())?;
    let header = BlockHeader {
        miner: Address::new_id(DEVNET_MINER_ID),
        ticket: Some(Ticket { vrf_proof: ticket_vrf_proof(height) }),
        election_proof: Some(ElectionProof { win_count: 1, vrf_proof: beacon_entry_data(-height) }),
        beacon_entries: vec![BeaconEntry {
            round: u64::try_from(height)?,
            data: beacon_entry_data(height),
        }],
        win_post_proof: Vec::new(),
        parents: parent.key(),
        parent_weight: parent.header.parent_weight.clone() + BigInt::from(1),
        height,
        parent_state_root: parent.state_root,
        parent_message_receipts: parent.receipts_root,
        messages: TxMeta::store(&**store, &cids)?,
        bls_aggregate: None,
        timestamp,
        block_sig: None,
        fork_signaling: 0,
        parent_base_fee: base_fee.clone(),
    };
    store.put_cbor(&header, Code::Blake2b256)?;
    let record = crate::tipset::TipsetRecord {
        header: header.cid()?,
        state_root,
        receipts: receipts_root,
        messages: cids,
        eth_hashes: messages.iter().flat_map(|m| m.eth_hash.0).collect(),
        fees,
        gas_used,
        bloom: bloom.to_vec(),
    };
    let tipset = Arc::new(Tipset::new(header, record)?);
    store.commit_tipset(&tipset, &logs, &events, None)?;

    let next_base_fee = next_base_fee(base_fee, premium_samples(&messages, base_fee));
    Ok(Built { tipset, next_base_fee, included: messages })
}

/// An executor for `epoch` over the state at `root`.
fn executor(
    node: &Inner,
    root: &Cid,
    epoch: ChainEpoch,
    timestamp: u64,
    base_fee: &TokenAmount,
) -> Result<Executor<Arc<crate::store::ChainStore>>> {
    let machine = filecoin_vm::MachineContext {
        epoch,
        timestamp,
        chain_id: node.config.chain_id,
        base_fee: base_fee.clone(),
        network_name: node.config.network_name.clone(),
    };
    let cache = node.root_cache(root)?;
    let externs = Box::new(ChainExterns {
        store: node.store.clone(),
        state: cache.clone(),
        issued: node.issued.clone(),
    });
    Executor::new_shared(node.store.clone(), cache, machine, externs, node.registry.clone())
}

/// Ends the epoch as the network does after the tipset's messages: the block reward, then the
/// cron tick. Their events join the tipset's.
fn end_epoch<B: Blockstore + 'static>(
    exec: &mut Executor<B>,
    height: ChainEpoch,
    tips: &TokenAmount,
    events: &mut Vec<IndexedEvent>,
) -> Result<()> {
    award_block_reward(exec, height, tips, events)?;
    cron_tick(exec, height, events)
}

/// The system actor sends cron `EpochTick` as an implicit message (no fees; Lotus's nonce, the
/// epoch, and gas limit, 10,000 blocks' worth), and cron calls the actors that keep deadlines,
/// deals and power moving.
///
/// On the network a failing tick is a consensus failure. Here it would wedge the devnet for good,
/// so it is logged loudly and the tipset is still produced; no test or flow expects one.
fn cron_tick<B: Blockstore + 'static>(
    exec: &mut Executor<B>,
    epoch: ChainEpoch,
    events: &mut Vec<IndexedEvent>,
) -> Result<()> {
    if exec.state_tree().get_actor(storage_actors::CRON_ACTOR_ID)?.is_none() {
        // A chain created before cron was part of genesis: nothing to tick.
        return Ok(());
    }
    let tick = implicit_message(
        storage_actors::CRON_ACTOR_ID,
        storage_actors::cron::EPOCH_TICK_METHOD,
        Default::default(),
        epoch,
        crate::basefee::BLOCK_GAS_LIMIT.saturating_mul(10_000),
    )?;
    apply_implicit(exec, &tick, epoch, events, "cron tick")
}

/// Pays the block's producer as the network does after a block's messages: the system actor
/// sends reward's `AwardBlockReward` (one win, no penalty, the tips the block's messages paid
/// to f02), and reward sends the miner its share through `ApplyRewards`, where three quarters
/// vest. Only when the block's miner (f01000) is a storage miner: a devnet started without
/// providers has no one to pay, and the tips stay with f02.
fn award_block_reward<B: Blockstore + 'static>(
    exec: &mut Executor<B>,
    height: ChainEpoch,
    tips: &TokenAmount,
    events: &mut Vec<IndexedEvent>,
) -> Result<()> {
    let miner = exec.state_tree().get_actor(DEVNET_MINER_ID)?;
    if miner.is_none_or(|m| m.code != filecoin_vm::BuiltinType::Miner.code_cid()) {
        return Ok(());
    }
    let params = storage_actors::reward::AwardBlockRewardParams {
        miner: Address::new_id(DEVNET_MINER_ID),
        penalty: TokenAmount::default(),
        gas_reward: tips.clone(),
        win_count: 1,
    };
    let award = implicit_message(
        filecoin_vm::REWARD_ACTOR_ID,
        storage_actors::reward::AWARD_BLOCK_REWARD_METHOD,
        fvm_ipld_encoding::RawBytes::serialize(&params)?,
        height,
        1 << 30,
    )?;
    apply_implicit(exec, &award, height, events, "block reward")
}

/// A message from the system actor as Lotus builds its implicit ones: the epoch as the nonce,
/// no value, no fees.
fn implicit_message(
    to: fvm_shared::ActorID,
    method_num: fvm_shared::MethodNum,
    params: fvm_ipld_encoding::RawBytes,
    epoch: ChainEpoch,
    gas_limit: u64,
) -> Result<fvm_shared::message::Message> {
    Ok(fvm_shared::message::Message {
        version: 0,
        from: Address::new_id(filecoin_vm::SYSTEM_ACTOR_ID),
        to: Address::new_id(to),
        sequence: u64::try_from(epoch)?,
        value: TokenAmount::default(),
        method_num,
        params,
        gas_limit,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
    })
}

/// Applies an implicit message and keeps its events; a failure is logged, not fatal (see
/// [`cron_tick`]).
fn apply_implicit<B: Blockstore + 'static>(
    exec: &mut Executor<B>,
    msg: &fvm_shared::message::Message,
    epoch: ChainEpoch,
    events: &mut Vec<IndexedEvent>,
    what: &str,
) -> Result<()> {
    let ret = exec
        .apply_message(msg, ApplyKind::Implicit)
        .with_context(|| format!("applying the {what}"))?;
    if !ret.receipt.exit_code.is_success() {
        tracing::error!(
            epoch,
            exit_code = ret.receipt.exit_code.value(),
            failure = ret.failure_info.as_deref().unwrap_or(""),
            "{what} failed"
        );
    }
    let source = EventSource::Implicit { cid: crate::message::message_cid(msg), epoch };
    events.extend(IndexedEvent::from_message(&source, &ret.events));
    Ok(())
}

/// The samples FIP-0115 reads from a tipset's messages.
pub(crate) fn premium_samples(
    messages: &[PendingMessage],
    base_fee: &TokenAmount,
) -> Vec<PremiumSample> {
    messages
        .iter()
        .map(|m| {
            let msg = &m.message.message;
            PremiumSample {
                gas_limit: msg.gas_limit,
                premium: effective_premium(&msg.gas_fee_cap, &msg.gas_premium, base_fee),
            }
        })
        .collect()
}

/// A log emitter's 0x address: its f410 address, or its masked ID.
fn emitter_address<B: Blockstore + 'static>(
    exec: &mut Executor<B>,
    id: fvm_shared::ActorID,
) -> Result<EthAddress> {
    let delegated = exec.state_tree().get_actor(id)?.and_then(|a| a.delegated_address);
    if let Some(Payload::Delegated(d)) = delegated.as_ref().map(Address::payload)
        && d.namespace() == address_mapping::EAM_ACTOR_ID
        && d.subaddress().len() == 20
    {
        return Ok(EthAddress::from_slice(d.subaddress()));
    }
    Ok(address_mapping::masked_id_address(id))
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use filecoin_vm::genesis::install_singletons;
    use filecoin_vm::{
        Actor, ActorRegistry, ActorResult, BufferedBlockstore, BuiltinType, Externs,
        MachineContext, MemoryBlockstore, Runtime, SharedStore, StateTree,
    };
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_shared::MethodNum;
    use fvm_shared::event::{ActorEvent, Entry, Flags};
    use fvm_shared::state::ActorState;

    use super::*;

    /// A cron that emits one event per tick, naming the epoch it ran at.
    struct EmittingCron;

    impl Actor for EmittingCron {
        fn invoke(&self, rt: &mut dyn Runtime, _: MethodNum, _: Option<IpldBlock>) -> ActorResult {
            let epoch = rt.machine().epoch;
            let entry = Entry {
                flags: Flags::FLAG_INDEXED_ALL,
                key: "epoch".into(),
                codec: fvm_ipld_encoding::CBOR,
                value: fvm_ipld_encoding::to_vec(&epoch)
                    .map_err(|e| filecoin_vm::ActorError::serialization(e.to_string()))?,
            };
            rt.emit_event(&ActorEvent { entries: vec![entry] })?;
            Ok(None)
        }
    }

    struct NoExterns;

    impl Externs for NoExterns {
        fn tipset_cid(&self, _: i64) -> Result<Cid> {
            anyhow::bail!("not needed")
        }
        fn beacon_randomness(&self, _: i64) -> Result<[u8; 32]> {
            anyhow::bail!("not needed")
        }
        fn circulating_supply(&self) -> Result<TokenAmount> {
            Ok(TokenAmount::default())
        }
    }

    #[test]
    fn a_cron_ticks_events_are_kept_as_its_implicit_messages_at_its_epoch() {
        let store = Arc::new(MemoryBlockstore::new());
        let buffered = Rc::new(BufferedBlockstore::new(store.clone()));
        let mut tree = StateTree::new(SharedStore::new(buffered.clone()));
        install_singletons(&mut tree, "test").unwrap();
        let cron = ActorState::new(
            BuiltinType::Cron.code_cid(),
            fvm_shared::EMPTY_ARR_CID,
            TokenAmount::default(),
            0,
            None,
        );
        tree.set_actor(storage_actors::CRON_ACTOR_ID, cron);
        let root = tree.flush().unwrap();
        buffered.flush(&root).unwrap();
        let mut registry = ActorRegistry::new();
        filecoin_vm::builtin::register_builtins(&mut registry);
        registry.register(BuiltinType::Cron.code_cid(), Arc::new(EmittingCron));
        let machine = MachineContext {
            epoch: 7,
            timestamp: 0,
            chain_id: 1,
            base_fee: TokenAmount::from_atto(100),
            network_name: "test".into(),
        };
        let mut exec =
            Executor::new(store, &root, machine, Box::new(NoExterns), Arc::new(registry)).unwrap();

        let mut events = Vec::new();
        cron_tick(&mut exec, 7, &mut events).unwrap();
        assert_eq!(events.len(), 1);
        let tick = implicit_message(
            storage_actors::CRON_ACTOR_ID,
            storage_actors::cron::EPOCH_TICK_METHOD,
            Default::default(),
            7,
            crate::basefee::BLOCK_GAS_LIMIT.saturating_mul(10_000),
        )
        .unwrap();
        assert_eq!(tick.sequence, 7, "Lotus's nonce for implicit messages: the epoch");
        let expected = EventSource::Implicit { cid: crate::message::message_cid(&tick), epoch: 7 };
        assert_eq!(events[0].source, expected);
        assert_eq!(events[0].emitter, storage_actors::CRON_ACTOR_ID);
        assert_eq!(events[0].value("epoch"), Some(&[7u8][..]));
    }
}
