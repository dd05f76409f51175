//! The reward actor (f02) through the VM: the schedule at genesis, block rewards paid to the
//! winning miner (capped at the balance, burnt if the miner refuses them), and the epoch update
//! power drives from cron.

use filecoin_vm::genesis::install_singleton;
use filecoin_vm::{BURNT_FUNDS_ACTOR_ID, BuiltinType, REWARD_ACTOR_ID};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::EMPTY_ARR_CID;
use fvm_shared::address::Address;
use fvm_shared::bigint::bigint_ser::BigIntSer;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::StoragePower;
use storage_actors::reward::*;
use storage_actors::{POWER_ACTOR_ID, genesis, smoothing};

use crate::harness::{FIL, Net, assert_exit, install_actor};

fn reward() -> Address {
    Address::new_id(REWARD_ACTOR_ID)
}

/// Genesis with the storage actors, f02 funded with `balance`, and a miner stand-in.
fn net(balance: u128) -> (Net, u64) {
    let mut miner = 0;
    let net = Net::with_genesis(|tree| {
        genesis::install(tree).unwrap();
        let mut actor = tree.get_actor(REWARD_ACTOR_ID).unwrap().unwrap();
        actor.balance = TokenAmount::from_atto(balance);
        tree.set_actor(REWARD_ACTOR_ID, actor);
        miner = install_actor(tree, BuiltinType::Miner, TokenAmount::default());
    });
    (net, miner)
}

fn award(net: &mut Net, miner: u64, penalty: u128, gas: u128, wins: i64) -> filecoin_vm::ApplyRet {
    let params = AwardBlockRewardParams {
        miner: Address::new_id(miner),
        penalty: TokenAmount::from_atto(penalty),
        gas_reward: TokenAmount::from_atto(gas),
        win_count: wins,
    };
    net.implicit(&reward(), AWARD_BLOCK_REWARD_METHOD, Some(&params))
}

/// The network's reward for epoch 0 at zero power (builtin-actors' reward tests).
const EPOCH_ZERO_REWARD: u128 = 36_266_264_293_777_134_739;

#[test]
fn genesis_holds_the_schedule_at_epoch_zero() {
    let (mut net, _) = net(0);
    let st: RewardState = net.state(&reward());
    assert_eq!(st.epoch, 0);
    assert_eq!(st.this_epoch_reward, TokenAmount::from_atto(EPOCH_ZERO_REWARD));
    assert_eq!(st.this_epoch_baseline_power, baseline_initial_value() - 1);
    assert_eq!(st.effective_baseline_power, baseline_initial_value());
    assert_eq!(st, RewardState::new(&StoragePower::default()));
    // Anyone may read it; contracts through the internal number may not.
    let (code, _) =
        net.contract_call::<()>(&reward(), THIS_EPOCH_REWARD_METHOD, None, TokenAmount::default());
    assert_eq!(code, ExitCode::USR_FORBIDDEN);
}

#[test]
fn a_block_reward_pays_the_miner_its_share_and_the_gas() {
    let (mut net, miner) = net(1_000 * FIL);
    let before = net.balance(&reward());
    let ret = award(&mut net, miner, 100, 200, 1);
    assert_exit(&ret, ExitCode::OK);
    let expected = EPOCH_ZERO_REWARD / 5 + 200;
    assert_eq!(net.balance(&Address::new_id(miner)), TokenAmount::from_atto(expected));
    assert_eq!(net.balance(&reward()), before - TokenAmount::from_atto(expected));
    // ApplyRewards carried the reward and three times the penalty.
    let call = &ret.trace.as_ref().unwrap().subcalls[0];
    assert_eq!(call.method, APPLY_REWARDS_METHOD);
    let params: ApplyRewardParams = call.params.as_ref().unwrap().deserialize().unwrap();
    assert_eq!(params.reward, TokenAmount::from_atto(expected));
    assert_eq!(params.penalty, TokenAmount::from_atto(300));
    let st: RewardState = net.state(&reward());
    assert_eq!(st.total_storage_power_reward, TokenAmount::from_atto(EPOCH_ZERO_REWARD / 5));
}

#[test]
fn rewards_are_capped_at_the_balance_and_burnt_if_the_miner_refuses() {
    let (mut net, miner) = net(1_000);
    assert_exit(&award(&mut net, miner, 0, 300, 1), ExitCode::OK);
    assert_eq!(net.balance(&Address::new_id(miner)), TokenAmount::from_atto(1_000));
    let st: RewardState = net.state(&reward());
    assert_eq!(st.total_storage_power_reward, TokenAmount::from_atto(700));

    let (mut net, miner) = net_with_refusing_miner(5_000);
    // Everything f02 holds (scripting the stand-in paid a tip to it too).
    let paid = net.balance(&reward());
    let ret = award(&mut net, miner, 0, 0, 1);
    assert_exit(&ret, ExitCode::OK);
    let calls: Vec<_> = ret
        .trace
        .as_ref()
        .unwrap()
        .subcalls
        .iter()
        .map(|c| (c.to_id, c.exit_code, c.value.clone()))
        .collect();
    assert_eq!(
        calls,
        vec![
            (Some(miner), ExitCode::USR_ASSERTION_FAILED, paid.clone()),
            (Some(BURNT_FUNDS_ACTOR_ID), ExitCode::OK, paid),
        ]
    );
    assert_eq!(net.balance(&Address::new_id(miner)), TokenAmount::default());
}

fn net_with_refusing_miner(balance: u128) -> (Net, u64) {
    let (mut net, miner) = net(balance);
    net.script_refusals(miner, &[APPLY_REWARDS_METHOD]);
    (net, miner)
}

#[test]
fn bad_awards_and_callers_are_refused() {
    let (mut net, miner) = net(1_000);
    assert_exit(&award(&mut net, miner, 0, 0, 0), ExitCode::USR_ILLEGAL_ARGUMENT);
    let params = AwardBlockRewardParams {
        miner: Address::new_id(miner),
        penalty: TokenAmount::from_atto(-1),
        gas_reward: TokenAmount::default(),
        win_count: 1,
    };
    let ret = net.implicit(&reward(), AWARD_BLOCK_REWARD_METHOD, Some(&params));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    let negative_gas = AwardBlockRewardParams {
        penalty: TokenAmount::default(),
        gas_reward: TokenAmount::from_atto(-1),
        ..params.clone()
    };
    let ret = net.implicit(&reward(), AWARD_BLOCK_REWARD_METHOD, Some(&negative_gas));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    assert_exit(&award(&mut net, miner, 0, 2_000, 1), ExitCode::USR_ILLEGAL_STATE);
    assert_exit(&award(&mut net, 999_999, 0, 0, 1), ExitCode::USR_NOT_FOUND);

    let alice = net.alice.address();
    let ret = net.send(
        &alice,
        &reward(),
        AWARD_BLOCK_REWARD_METHOD,
        Some(&params),
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let kpi = BigIntSer(&StoragePower::from(1));
    let ret =
        net.send(&alice, &reward(), UPDATE_NETWORK_KPI_METHOD, Some(&kpi), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let ret = net.send_raw(
        &alice,
        &reward(),
        AWARD_BLOCK_REWARD_METHOD,
        RawBytes::new(vec![0xff]),
        TokenAmount::default(),
    );
    // Parameters are decoded before the caller is checked, as upstream's dispatch does.
    assert_exit(&ret, ExitCode::USR_SERIALIZATION);
}

#[test]
fn cron_moves_the_schedule_through_power_catching_up_null_rounds() {
    let (mut net, _) = net(0);
    let before: RewardState = net.state(&reward());
    net.advance(10);
    assert_exit(&net.cron_tick(), ExitCode::OK);
    let after: RewardState = net.state(&reward());
    // The state's epoch ends one past the tipset's (the reward for the next epoch).
    assert_eq!(after.epoch, net.epoch + 1);
    assert!(after.this_epoch_reward < before.this_epoch_reward, "simple minting decays");
    assert_ne!(after.this_epoch_reward_smoothed, before.this_epoch_reward_smoothed);
    assert!(after.this_epoch_baseline_power > before.this_epoch_baseline_power);
}

/// A net whose f04 is a miner-code stand-in (a built-in caller, which the internal method
/// numbers require; a contract stand-in would be refused as FORBIDDEN before the caller check).
fn net_with_power_stand_in() -> (Net, u64) {
    let mut miner = 0;
    let net = Net::with_genesis(|tree| {
        genesis::install(tree).unwrap();
        let code = BuiltinType::Miner.code_cid();
        install_singleton(tree, POWER_ACTOR_ID, code, EMPTY_ARR_CID);
        miner = install_actor(tree, BuiltinType::Miner, TokenAmount::default());
    });
    (net, miner)
}

fn update_kpi(net: &mut Net, power: Option<&StoragePower>) -> ExitCode {
    let param = power.map(BigIntSer);
    let (code, _) = net.call_via(
        POWER_ACTOR_ID,
        &reward(),
        UPDATE_NETWORK_KPI_METHOD,
        Some(&param),
        TokenAmount::default(),
    );
    code
}

fn this_epoch_reward(net: &mut Net, via: u64) -> ThisEpochRewardReturn {
    let (code, data) =
        net.call_via::<()>(via, &reward(), THIS_EPOCH_REWARD_METHOD, None, TokenAmount::default());
    assert_eq!(code, ExitCode::OK);
    data.deserialize().unwrap()
}

#[test]
fn kpi_updates_follow_the_networks_simple_schedule() {
    let (mut net, miner) = net_with_power_stand_in();
    let genesis: RewardState = net.state(&reward());
    let read = this_epoch_reward(&mut net, miner);
    assert_eq!(read.this_epoch_reward_smoothed, genesis.this_epoch_reward_smoothed);
    assert_eq!(read.this_epoch_baseline_power, baseline_initial_value() - 1);

    // A null argument is refused.
    assert_eq!(update_kpi(&mut net, None), ExitCode::USR_ILLEGAL_ARGUMENT);

    // At zero power only the simple schedule mints: builtin-actors' TestSimpleReward.golden
    // rows for epochs 5000 and 10000, reached across thousands of null rounds.
    net.advance(4999 - net.epoch);
    assert_eq!(update_kpi(&mut net, Some(&StoragePower::default())), ExitCode::OK);
    let st: RewardState = net.state(&reward());
    assert_eq!(st.epoch, 5000);
    assert_eq!(st.this_epoch_reward, TokenAmount::from_atto(36_246_341_860_983_438_171u128));
    assert_eq!(st.effective_network_time, 0);
    let mut baseline = baseline_initial_value() - 1;
    for _ in 0..5000 {
        baseline = baseline_power_from_prev(&baseline);
    }
    assert_eq!(st.this_epoch_baseline_power, baseline);
    // The smoothed reward took one filter step of 5000 epochs.
    let smoothed = smoothing::next_estimate(
        &genesis.this_epoch_reward_smoothed,
        st.this_epoch_reward.atto(),
        5000,
    );
    assert_eq!(st.this_epoch_reward_smoothed, smoothed);
    let read = this_epoch_reward(&mut net, miner);
    assert_eq!(read.this_epoch_reward_smoothed, smoothed);
    assert_eq!(read.this_epoch_baseline_power, baseline);

    net.advance(5000);
    assert_eq!(update_kpi(&mut net, Some(&StoragePower::default())), ExitCode::OK);
    let st: RewardState = net.state(&reward());
    assert_eq!(st.epoch, 10_000);
    assert_eq!(st.this_epoch_reward, TokenAmount::from_atto(36_226_430_372_336_764_970u128));

    // Realized power advances the effective network time and adds baseline minting.
    net.advance(1);
    let power = StoragePower::from(1u64 << 60);
    assert_eq!(update_kpi(&mut net, Some(&power)), ExitCode::OK);
    let st: RewardState = net.state(&reward());
    assert_eq!(st.epoch, 10_001, "no null round to catch up");
    assert!(st.effective_network_time > 0);
    let simple_only = TokenAmount::from_atto(36_226_430_372_336_764_970u128);
    assert!(st.this_epoch_reward > simple_only, "baseline minting adds to the reward");
}
