//! The reward actor (f02): the block reward schedule, and the payer of block rewards.
//!
//! At the end of every epoch power reports the network's raw power (`UpdateNetworkKPI`), and
//! the actor advances the baseline and computes the next epoch's reward per win (catching up
//! null rounds first). For every block the node sends `AwardBlockReward` from the system
//! actor: the block's share of the epoch reward plus the gas it earned goes to the winning
//! miner's `ApplyRewards`, capped at what the actor holds; a miner that refuses it sees it
//! burnt. `ThisEpochReward` is what power, the market and miners read to size collateral.
//!
//! It also receives every message's miner tip from the executor (its balance pays rewards),
//! as the minimal reward actor of `filecoin-vm` it replaces did.

mod logic;
mod state;
mod types;

use filecoin_vm::{Actor, ActorError, ActorResult, BURNT_FUNDS_ACTOR_ID, Runtime, SYSTEM_ACTOR_ID};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::{METHOD_CONSTRUCTOR, METHOD_SEND, MethodNum};

pub use logic::{baseline_initial_value, baseline_power_from_prev, init_baseline_power};
pub use state::RewardState;
pub use types::*;

use crate::POWER_ACTOR_ID;
use crate::plumbing::{
    caller_is, cbor_block, load_state, no_params, params, restrict_internal_api, ret, ret_none,
    save_state, send,
};

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct RewardActor;

impl Actor for RewardActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        block: Option<IpldBlock>,
    ) -> ActorResult {
        restrict_internal_api(rt, method)?;
        match method {
            METHOD_CONSTRUCTOR => {
                let power: Option<BigIntParam> = params(block)?;
                caller_is(rt, &[SYSTEM_ACTOR_ID])?;
                let power = power
                    .ok_or_else(|| ActorError::illegal_argument("argument should not be nil"))?;
                save_state(rt, &RewardState::new(&power.0))?;
                ret_none()
            }
            AWARD_BLOCK_REWARD_METHOD => award_block_reward(rt, params(block)?),
            THIS_EPOCH_REWARD_METHOD => {
                no_params(&block)?;
                let st: RewardState = load_state(rt)?;
                ret(&ThisEpochRewardReturn {
                    this_epoch_reward_smoothed: st.this_epoch_reward_smoothed,
                    this_epoch_baseline_power: st.this_epoch_baseline_power,
                })
            }
            UPDATE_NETWORK_KPI_METHOD => update_network_kpi(rt, params(block)?),
            other => Err(ActorError::unhandled_method(other)),
        }
    }
}

/// Pays a block's winner: `win_count` fifths of the epoch reward plus the gas reward, capped at
/// the balance; the penalty (tripled) is passed on for the miner to burn from its funds.
fn award_block_reward(rt: &mut dyn Runtime, p: AwardBlockRewardParams) -> ActorResult {
    caller_is(rt, &[SYSTEM_ACTOR_ID])?;
    let balance = rt.current_balance()?;
    if p.penalty.is_negative() {
        return Err(ActorError::illegal_argument(format!("negative penalty {}", p.penalty)));
    }
    if p.gas_reward.is_negative() {
        return Err(ActorError::illegal_argument(format!("negative gas reward {}", p.gas_reward)));
    }
    if balance < p.gas_reward {
        return Err(ActorError::illegal_state(format!(
            "actor balance {balance} insufficient to pay gas reward {}",
            p.gas_reward
        )));
    }
    if p.win_count <= 0 {
        return Err(ActorError::illegal_argument(format!("invalid win count {}", p.win_count)));
    }
    let miner = rt
        .resolve_address(&p.miner)?
        .ok_or_else(|| ActorError::not_found("failed to resolve given owner address"))?;

    let mut st: RewardState = load_state(rt)?;
    let mut block_reward =
        (&st.this_epoch_reward * p.win_count as u64).div_floor(EXPECTED_LEADERS_PER_EPOCH);
    let mut total = &p.gas_reward + &block_reward;
    if total > balance {
        total = balance;
        block_reward = &total - &p.gas_reward;
    }
    // A devnet's f02 holds only tips, so the minted part is usually zero and the state is
    // unchanged: writing it again would produce the same root.
    if !block_reward.is_zero() {
        st.total_storage_power_reward += block_reward;
        save_state(rt, &st)?;
    }

    let penalty = &p.penalty * PENALTY_MULTIPLIER;
    let apply = cbor_block(&ApplyRewardParams { reward: total.clone(), penalty })?;
    let paid = send(rt, &Address::new_id(miner), APPLY_REWARDS_METHOD, apply, total.clone());
    if paid.is_err() {
        // The miner is at fault; the reward is burnt rather than kept (and a failure to burn
        // is ignored, as upstream does).
        let burnt = Address::new_id(BURNT_FUNDS_ACTOR_ID);
        let _ = send(rt, &burnt, METHOD_SEND, None, total);
    }
    ret_none()
}

/// Power's end-of-epoch report: catch up null rounds, then compute the next reward.
fn update_network_kpi(rt: &mut dyn Runtime, power: Option<BigIntParam>) -> ActorResult {
    caller_is(rt, &[POWER_ACTOR_ID])?;
    let realized = power.ok_or_else(|| ActorError::illegal_argument("argument cannot be None"))?.0;
    let now = rt.machine().epoch;
    let mut st: RewardState = load_state(rt)?;
    let previous = st.epoch;
    while st.epoch < now {
        st.next_epoch(&realized);
    }
    st.next_epoch_with_reward(&realized);
    st.update_smoothed_estimate(st.epoch - previous);
    save_state(rt, &st)?;
    ret_none()
}

/// A reward state as the constructor leaves it for `realized` power, written to `store`.
pub fn genesis_state<BS: fvm_ipld_blockstore::Blockstore>(
    store: &BS,
    realized: &fvm_shared::sector::StoragePower,
) -> anyhow::Result<cid::Cid> {
    use fvm_ipld_encoding::CborStore;
    store.put_cbor(&RewardState::new(realized), multihash_codetable::Code::Blake2b256)
}
