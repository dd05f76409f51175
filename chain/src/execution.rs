//! Running messages against a tipset's state: the chain's [`Externs`], read-only calls from
//! any sender, and gas estimation.

use std::sync::Arc;

use anyhow::{Result, anyhow};
use cid::Cid;
use filecoin_vm::accounts::{create_account, create_eth_account};
use filecoin_vm::{
    ActorRegistry, ApplyKind, ApplyRet, CallTrace, Executor, Externs, MachineContext, RootCache,
    StateTree,
};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::{Payload, Protocol};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;
use fvm_shared::receipt::Receipt;

use crate::basefee::BLOCK_GAS_LIMIT;
use crate::block::tipset_key_cid;
use crate::error::{NodeError, NodeResult};
use crate::logs::log_from_event;
use crate::message::{SigType, Signature, SignedMessage};
use crate::overrides::{self, CallOverrides};
use crate::store::ChainStore;
use crate::tipset::Tipset;

/// Tipset CIDs and beacon randomness from the chain store.
pub(crate) struct ChainExterns {
    pub(crate) store: Arc<ChainStore>,
    /// The state messages run on, whose circulating supply actors may ask for.
    pub(crate) state: Arc<RootCache>,
    /// FIL issued at genesis.
    pub(crate) issued: TokenAmount,
}

impl Externs for ChainExterns {
    fn tipset_cid(&self, epoch: ChainEpoch) -> Result<Cid> {
        let height = self
            .store
            .height_at_or_before(epoch)?
            .ok_or_else(|| anyhow!("no tipset at or before epoch {epoch}"))?;
        let record =
            self.store.record(height)?.ok_or_else(|| anyhow!("tipset {height} missing"))?;
        tipset_key_cid(&[record.header])
    }

    fn beacon_randomness(&self, epoch: ChainEpoch) -> Result<[u8; 32]> {
        Ok(*blake2b_simd::Params::new()
            .hash_length(32)
            .hash(&beacon_entry_data(epoch))
            .as_bytes()
            .first_chunk::<32>()
            .ok_or_else(|| anyhow!("blake2b-256 digest"))?)
    }

    fn chain_randomness(&self, epoch: ChainEpoch) -> Result<[u8; 32]> {
        let height = self
            .store
            .height_at_or_before(epoch)?
            .ok_or_else(|| anyhow!("no tipset at or before epoch {epoch}"))?;
        Ok(ticket_digest(height))
    }

    fn circulating_supply(&self) -> Result<TokenAmount> {
        circulating_supply(&self.store, &self.state, &self.issued)
    }
}

/// FIL in circulation at the state `state` caches: what genesis issued less burnt and locked
/// FIL, computed at most once per state root (only when an actor asks).
pub(crate) fn circulating_supply(
    store: &ChainStore,
    state: &Arc<RootCache>,
    issued: &TokenAmount,
) -> Result<TokenAmount> {
    if let Some(supply) = state.circ_supply() {
        return Ok(supply);
    }
    let tree = StateTree::load_shared(store, state.clone())?;
    let supply = storage_actors::supply::circulating_supply(&tree, issued)?;
    state.remember_circ_supply(&supply);
    Ok(supply)
}

/// The devnet's beacon entry for a round: a deterministic stand-in for a drand signature.
pub(crate) fn beacon_entry_data(round: ChainEpoch) -> Vec<u8> {
    let mut input = b"fevm devnet beacon".to_vec();
    input.extend_from_slice(&round.to_be_bytes());
    blake2b_simd::Params::new().hash_length(32).hash(&input).as_bytes().to_vec()
}

/// The devnet's winning ticket for the tipset at `height` (a deterministic stand-in for the
/// block producer's VRF proof; the miner seals blocks with it).
pub(crate) fn ticket_vrf_proof(height: ChainEpoch) -> Vec<u8> {
    beacon_entry_data(-height)
}

/// blake2b-256 of the ticket at `height`: the chain randomness actors draw from there (what
/// ref-fvm's `get_chain_randomness` returns).
pub(crate) fn ticket_digest(height: ChainEpoch) -> [u8; 32] {
    let digest = blake2b_simd::Params::new().hash_length(32).hash(&ticket_vrf_proof(height));
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_bytes());
    out
}

/// The machine context messages run in on top of `tipset` (its epoch, time and base fee).
pub(crate) fn machine_for(tipset: &Tipset, chain_id: u64, network: &str) -> MachineContext {
    MachineContext {
        epoch: tipset.height(),
        timestamp: tipset.timestamp(),
        chain_id,
        base_fee: tipset.base_fee().clone(),
        network_name: network.to_string(),
    }
}

/// The outcome of a read-only call.
#[derive(Clone, Debug)]
pub struct InvocResult {
    /// The receipt the message would get (gas used includes the inclusion cost).
    pub receipt: Receipt,
    /// Ethereum logs it would emit: (emitter ID, topics, data).
    pub logs: Vec<(fvm_shared::ActorID, Vec<alloy_primitives::B256>, alloy_primitives::Bytes)>,
    /// Its call tree.
    pub trace: Option<CallTrace>,
    /// Why it failed, when it did.
    pub failure_info: Option<String>,
    /// For a successful deployment (EAM `CreateExternal`): the runtime code it installed.
    pub deployed_code: Option<alloy_primitives::Bytes>,
}

impl InvocResult {
    fn from_apply(ret: ApplyRet) -> Self {
        let logs = ret
            .events
            .iter()
            .filter_map(|e| log_from_event(&e.event).map(|(t, d)| (e.emitter, t, d)))
            .collect();
        Self {
            receipt: ret.receipt,
            logs,
            trace: ret.trace,
            failure_info: ret.failure_info,
            deployed_code: None,
        }
    }

    /// Whether any frame of the call tree ran out of gas (a starved nested call can fail this
    /// way while the message as a whole still succeeds or reverts).
    pub fn ran_out_of_gas(&self) -> bool {
        fn walk(t: &CallTrace) -> bool {
            t.exit_code == ExitCode::SYS_OUT_OF_GAS || t.subcalls.iter().any(walk)
        }
        self.receipt.exit_code == ExitCode::SYS_OUT_OF_GAS || self.trace.as_ref().is_some_and(walk)
    }
}

/// Runs the message read-only on the state `state` caches, changed by `overrides`: any sender (a missing
/// f410/f1/f3 sender is created for the call), the nonce is ignored, nothing is kept.
pub(crate) fn call(
    store: &Arc<ChainStore>,
    registry: &Arc<ActorRegistry>,
    machine: MachineContext,
    (state, issued): (Arc<RootCache>, TokenAmount),
    msg: &Message,
    overrides: &CallOverrides,
) -> NodeResult<InvocResult> {
    let externs = Box::new(ChainExterns { store: store.clone(), state: state.clone(), issued });
    let machine = overrides.block.apply(machine);
    let mut exec = Executor::new_shared(store.clone(), state, machine, externs, registry.clone())?;
    let tree = exec.state_tree();
    overrides::apply_accounts(tree, &overrides.accounts)?;
    let sender = match tree.lookup_id(&msg.from)? {
        Some(id) => id,
        None => match msg.from.payload() {
            Payload::Delegated(_) => create_eth_account(tree, msg.from, TokenAmount::default())?,
            Payload::Secp256k1(_) | Payload::BLS(_) => {
                create_account(tree, msg.from, TokenAmount::default())?
            }
            _ => return Err(NodeError::UnknownSender(msg.from)),
        },
    };
    let nonce = tree.get_actor(sender)?.map_or(0, |a| a.sequence);
    let msg = Message { sequence: nonce, ..msg.clone() };
    let chain_len = estimated_chain_len(&msg);
    let ret = exec.apply_message(&msg, ApplyKind::Call { chain_len })?;
    let mut result = InvocResult::from_apply(ret);
    if is_deployment(&msg) && result.receipt.exit_code.is_success() {
        result.deployed_code = deployed_code(&mut exec, result.receipt.return_data.bytes())?;
    }
    Ok(result)
}

fn is_deployment(msg: &Message) -> bool {
    msg.to == fvm_shared::address::Address::new_id(evm_actor::methods::EAM_ACTOR_ID)
        && msg.method_num == evm_actor::methods::EAM_CREATE_EXTERNAL_METHOD
}

/// The runtime code of the contract an EAM return names, read from the call's (unflushed)
/// state before it is thrown away.
fn deployed_code<B: fvm_ipld_blockstore::Blockstore + 'static>(
    exec: &mut Executor<B>,
    eam_return: &[u8],
) -> Result<Option<alloy_primitives::Bytes>> {
    use fvm_ipld_encoding::CborStore;
    let Ok(created) = fvm_ipld_encoding::from_slice::<evm_actor::methods::EamReturn>(eam_return)
    else {
        return Ok(None);
    };
    let tree = exec.state_tree();
    let Some(actor) = tree.get_actor(created.actor_id)? else { return Ok(None) };
    let Some(state) = tree.store().get_cbor::<evm_actor::state::EvmState>(&actor.state)? else {
        return Ok(None);
    };
    let code = fvm_ipld_blockstore::Blockstore::get(tree.store(), &state.bytecode)?;
    Ok(code.map(Into::into))
}

/// The on-chain length of `msg` once signed. Unknown until it is signed, so it assumes the
/// largest signature a devnet sender can carry (an EIP-155 delegated signature); gas estimates
/// built on it are never too low.
pub(crate) fn estimated_chain_len(msg: &Message) -> usize {
    let signature = match msg.from.protocol() {
        Protocol::Secp256k1 => Signature { sig_type: SigType::Secp256k1, bytes: vec![0; 65] },
        _ => Signature { sig_type: SigType::Delegated, bytes: vec![0xff; 72] },
    };
    SignedMessage { message: msg.clone(), signature }.chain_length()
}

/// The gas it costs just to include `msg` on chain (its on-chain length priced by the
/// network's price list); a gas limit below this cannot run anything.
pub fn inclusion_gas(msg: &Message) -> u64 {
    filecoin_vm::gas::price::on_chain_message(estimated_chain_len(msg)).round_up()
}

/// Why a gas estimate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum EstimateError {
    /// The message fails even with the block gas limit.
    #[error("message execution failed (exit {})", .0.receipt.exit_code)]
    Failed(Box<InvocResult>),
    /// The node could not run it (a bad override, an unknown sender, or an internal failure).
    #[error(transparent)]
    Node(#[from] NodeError),
}

/// Margin added to the smallest gas limit that works: 10 %, the over-estimation Filecoin does
/// not burn (FEVM.md §6), so the margin costs nothing and covers state that changes between
/// estimation and inclusion.
const ESTIMATE_MARGIN_PERCENT: u64 = 10;

/// The gas limit to use for `msg`: the smallest limit with which it succeeds (found by search,
/// because a nested call starved by the 63/64 rule can fail below the gas used at the block
/// limit), plus [`ESTIMATE_MARGIN_PERCENT`].
pub(crate) fn estimate_gas(
    mut run: impl FnMut(u64) -> NodeResult<InvocResult>,
) -> Result<u64, EstimateError> {
    let full = run(BLOCK_GAS_LIMIT)?;
    if !full.receipt.exit_code.is_success() {
        return Err(EstimateError::Failed(Box::new(full)));
    }
    let used = full.receipt.gas_used;
    let mut works = |limit: u64| -> NodeResult<bool> {
        let r = run(limit)?;
        Ok(r.receipt.exit_code.is_success() && !r.ran_out_of_gas())
    };
    let minimum = if works(used)? {
        used
    } else {
        // Exponential probe up, then bisect to 1 % of the answer.
        let (mut lo, mut hi) = (used, used.saturating_mul(2).min(BLOCK_GAS_LIMIT));
        while !works(hi)? {
            if hi == BLOCK_GAS_LIMIT {
                return Ok(BLOCK_GAS_LIMIT);
            }
            lo = hi;
            hi = hi.saturating_mul(2).min(BLOCK_GAS_LIMIT);
        }
        while hi - lo > (hi / 100).max(1) {
            let mid = lo + (hi - lo) / 2;
            if works(mid)? { hi = mid } else { lo = mid }
        }
        hi
    };
    let margin = minimum / 100 * ESTIMATE_MARGIN_PERCENT;
    Ok(minimum.saturating_add(margin).min(BLOCK_GAS_LIMIT))
}

/// A message for a read-only call or an estimate, with the given limit and no fees.
pub(crate) fn with_gas_limit(msg: &Message, gas_limit: u64) -> Message {
    Message {
        gas_limit,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
        params: RawBytes::new(msg.params.bytes().to_vec()),
        ..msg.clone()
    }
}
