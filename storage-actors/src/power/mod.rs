//! The storage power actor (f04): creates miners (through init) and keeps their power claims,
//! the network's totals, and a queue of callbacks that drives every miner's proving deadlines.
//!
//! Totals move only by the rules the network uses for consensus: a miner's power counts once it
//! reaches the consensus minimum (2 KiB on this devnet, one sector), except while fewer than four
//! miners do, when every committed byte counts. The values other actors and contracts read
//! (`CurrentTotalPower`, `NetworkRawPower`) are frozen at the end of each epoch by cron's
//! `OnEpochTickEnd`, so they do not change while an epoch's messages run.
//!
//! `OnEpochTickEnd` also calls back every miner whose event is due, in epoch order; a miner
//! whose callback fails loses its claim (its power leaves the totals) and is not called again,
//! as on the network. Then it reports the frozen raw power to the reward actor.

mod state;
mod types;

use filecoin_vm::{
    Actor, ActorError, ActorResult, BuiltinType, INIT_ACTOR_ID, REWARD_ACTOR_ID, Runtime,
    SYSTEM_ACTOR_ID,
};
use fvm_ipld_encoding::RawBytes;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::bigint::bigint_ser::BigIntSer;
use fvm_shared::econ::TokenAmount;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};
use num_traits::Zero;

pub use state::*;
pub use types::*;

use crate::CRON_ACTOR_ID;
use crate::plumbing::{
    caller_is, caller_type_is, cbor_block, decode_return, load_state, no_params, params,
    restrict_internal_api, ret, ret_none, save_state, send,
};
use crate::reward::{THIS_EPOCH_REWARD_METHOD, ThisEpochRewardReturn, UPDATE_NETWORK_KPI_METHOD};

/// Init's `Exec`.
const INIT_EXEC_METHOD: MethodNum = 2;

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct PowerActor;

impl Actor for PowerActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        block: Option<IpldBlock>,
    ) -> ActorResult {
        restrict_internal_api(rt, method)?;
        match method {
            METHOD_CONSTRUCTOR => {
                caller_is(rt, &[SYSTEM_ACTOR_ID])?;
                let state = PowerState::new(&rt.store())?;
                save_state(rt, &state)?;
                ret_none()
            }
            CREATE_MINER_METHOD | CREATE_MINER_EXPORTED => create_miner(rt, params(block)?),
            UPDATE_CLAIMED_POWER_METHOD => update_claimed_power(rt, params(block)?),
            ENROLL_CRON_EVENT_METHOD => enroll_cron_event(rt, params(block)?),
            ON_EPOCH_TICK_END_METHOD => no_params(&block).and_then(|()| on_epoch_tick_end(rt)),
            UPDATE_PLEDGE_TOTAL_METHOD => update_pledge_total(rt, params(block)?),
            CURRENT_TOTAL_POWER_METHOD => {
                no_params(&block)?;
                let st: PowerState = load_state(rt)?;
                ret(&CurrentTotalPowerReturn {
                    raw_byte_power: st.this_epoch_raw_byte_power,
                    quality_adj_power: st.this_epoch_quality_adj_power,
                    pledge_collateral: st.this_epoch_pledge_collateral,
                    quality_adj_power_smoothed: st.this_epoch_qa_power_smoothed,
                    ramp_start_epoch: st.ramp_start_epoch,
                    ramp_duration_epochs: st.ramp_duration_epochs,
                })
            }
            NETWORK_RAW_POWER_METHOD => {
                no_params(&block)?;
                ret(&BigIntSer(&load_state::<PowerState>(rt)?.this_epoch_raw_byte_power))
            }
            MINER_RAW_POWER_METHOD => {
                let miner: MinerIdParam = params(block)?;
                let st: PowerState = load_state(rt)?;
                let (raw_byte_power, meets_consensus_minimum) =
                    st.miner_nominal_power(&rt.store(), &Address::new_id(miner))?;
                ret(&MinerRawPowerReturn { raw_byte_power, meets_consensus_minimum })
            }
            MINER_COUNT_METHOD => {
                no_params(&block)?;
                ret(&load_state::<PowerState>(rt)?.miner_count)
            }
            MINER_CONSENSUS_COUNT_METHOD => {
                no_params(&block)?;
                ret(&load_state::<PowerState>(rt)?.miner_above_min_power_count)
            }
            MINER_POWER_METHOD => {
                let miner: MinerIdParam = params(block)?;
                let st: PowerState = load_state(rt)?;
                let claim = st
                    .claim(&rt.store(), &Address::new_id(miner))?
                    .ok_or_else(|| ActorError::not_found(format!("miner f0{miner} not found")))?;
                ret(&MinerPowerReturn {
                    raw_byte_power: claim.raw_byte_power,
                    quality_adj_power: claim.quality_adj_power,
                })
            }
            other => Err(ActorError::unhandled_method(other)),
        }
    }
}

/// Creates a miner through init (forwarding the value as its balance), then gives it an empty
/// claim. Any caller may; the miner's constructor checks the owner and worker.
fn create_miner(rt: &mut dyn Runtime, p: CreateMinerParams) -> ActorResult {
    let constructor = MinerConstructorParams {
        owner: p.owner,
        worker: p.worker,
        control_addresses: Vec::new(),
        window_post_proof_type: p.window_post_proof_type,
        peer_id: p.peer,
        multi_addresses: p.multiaddrs,
    };
    let constructor_params = fvm_ipld_encoding::to_vec(&constructor)
        .map(RawBytes::new)
        .map_err(|e| ActorError::serialization(e.to_string()))?;
    let exec = filecoin_vm::builtin::ExecParams {
        code_cid: rt.builtin_code(BuiltinType::Miner),
        constructor_params,
    };
    let exec = cbor_block(&exec)?;
    let value = rt.message().value_received.clone();
    let created: CreateMinerReturn =
        decode_return(send(rt, &Address::new_id(INIT_ACTOR_ID), INIT_EXEC_METHOD, exec, value)?)?;

    let mut st: PowerState = load_state(rt)?;
    st.add_miner(&rt.store(), &created.id_address, p.window_post_proof_type)?;
    save_state(rt, &st)?;
    ret(&created)
}

/// The calling miner's power changed (sectors activated, faulted, recovered or ended).
fn update_claimed_power(rt: &mut dyn Runtime, p: UpdateClaimedPowerParams) -> ActorResult {
    caller_type_is(rt, &[BuiltinType::Miner])?;
    let miner = Address::new_id(rt.message().caller);
    let mut st: PowerState = load_state(rt)?;
    st.add_to_claim(&rt.store(), &miner, &p.raw_byte_delta, &p.quality_adjusted_delta)?;
    save_state(rt, &st)?;
    ret_none()
}

/// The calling miner asks to be called back at an epoch (its next deadline).
fn enroll_cron_event(rt: &mut dyn Runtime, p: EnrollCronEventParams) -> ActorResult {
    caller_type_is(rt, &[BuiltinType::Miner])?;
    if p.event_epoch < 0 {
        return Err(ActorError::illegal_argument(format!(
            "cron event epoch {} cannot be less than zero",
            p.event_epoch
        )));
    }
    let event =
        CronEvent { miner_addr: Address::new_id(rt.message().caller), callback_payload: p.payload };
    let mut st: PowerState = load_state(rt)?;
    st.enqueue_cron_event(&rt.store(), p.event_epoch, event)?;
    save_state(rt, &st)?;
    ret_none()
}

/// The calling miner's pledge changed by a signed amount.
fn update_pledge_total(rt: &mut dyn Runtime, delta: TokenAmount) -> ActorResult {
    caller_type_is(rt, &[BuiltinType::Miner])?;
    let miner = Address::new_id(rt.message().caller);
    let mut st: PowerState = load_state(rt)?;
    if !st.has_claim(&rt.store(), &miner)? {
        return Err(ActorError::forbidden(format!(
            "unknown miner {miner} forbidden to interact with power actor"
        )));
    }
    st.total_pledge_collateral += delta;
    // A miner locks its create-miner deposit (FIP-0077) without reporting it here, yet reports
    // its release when it vests or pays debt, as on the network. Mainnet's total absorbs that;
    // a devnet's few miners would drive it negative and fail their cron callbacks (losing
    // their power), so the total stops at zero instead of refusing (upstream: USR_ILLEGAL_STATE).
    if st.total_pledge_collateral.is_negative() {
        st.total_pledge_collateral = TokenAmount::zero();
    }
    save_state(rt, &st)?;
    ret_none()
}

/// Cron's end-of-epoch hook: due miner callbacks, then the frozen totals, then the reward
/// actor's network KPI.
fn on_epoch_tick_end(rt: &mut dyn Runtime) -> ActorResult {
    caller_is(rt, &[CRON_ACTOR_ID])?;
    let reward = Address::new_id(REWARD_ACTOR_ID);
    let this_epoch: ThisEpochRewardReturn =
        decode_return(send(rt, &reward, THIS_EPOCH_REWARD_METHOD, None, TokenAmount::default())?)?;

    process_deferred_cron_events(rt, this_epoch)?;

    let mut st: PowerState = load_state(rt)?;
    st.end_epoch();
    save_state(rt, &st)?;

    let kpi = cbor_block(&BigIntSer(&st.this_epoch_raw_byte_power))?;
    send(rt, &reward, UPDATE_NETWORK_KPI_METHOD, kpi, TokenAmount::default())?;
    ret_none()
}

/// Calls every due miner callback; the miners whose callback failed lose their claims.
fn process_deferred_cron_events(
    rt: &mut dyn Runtime,
    reward: ThisEpochRewardReturn,
) -> Result<(), ActorError> {
    let now = rt.machine().epoch;
    let mut st: PowerState = load_state(rt)?;
    // Miners get the estimate as it stood before this tick.
    let qa_smoothed = st.this_epoch_qa_power_smoothed.clone();
    let due = st.take_due_cron_events(&rt.store(), now)?;
    save_state(rt, &st)?;

    let mut failed = Vec::new();
    for event in due {
        let callback = DeferredCronEventParams {
            event_payload: event.callback_payload.to_vec(),
            reward_smoothed: reward.this_epoch_reward_smoothed.clone(),
            quality_adj_power_smoothed: qa_smoothed.clone(),
        };
        let block = cbor_block(&callback)?;
        let outcome = send(
            rt,
            &event.miner_addr,
            ON_DEFERRED_CRON_EVENT_METHOD,
            block,
            TokenAmount::default(),
        );
        if outcome.is_err() {
            failed.push(event.miner_addr);
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    let mut st: PowerState = load_state(rt)?;
    let store = rt.store();
    for miner in failed {
        // Upstream logs and skips a claim it cannot remove; so do we.
        if st.delete_claim(&store, &miner).unwrap_or(false) {
            st.miner_count -= 1;
        }
    }
    save_state(rt, &st)
}

/// A power state as its constructor leaves it, written to `store`, for genesis.
pub fn genesis_state<BS: fvm_ipld_blockstore::Blockstore>(store: &BS) -> anyhow::Result<cid::Cid> {
    use fvm_ipld_encoding::CborStore;
    let state = PowerState::new(store).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    store.put_cbor(&state, multihash_codetable::Code::Blake2b256)
}
