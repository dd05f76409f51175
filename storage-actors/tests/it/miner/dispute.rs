//! `DisputeWindowedPoSt` through the VM: a Window PoSt accepted optimistically (it recovered
//! no power) is challenged by bob after its deadline closed. A valid proof survives the
//! dispute; an invalid one costs the miner the proven sectors' power and the invalid-PoSt
//! penalty, from which bob is rewarded.

use fvm_ipld_amt::Amt;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use storage_actors::miner::deadline::WindowedPoSt;
use storage_actors::miner::monies::{
    base_reward_for_disputed_window_post, pledge_penalty_for_invalid_windowpost,
};
use storage_actors::miner::records::PowerPair;
use storage_actors::miner::types::*;
use storage_actors::power::PowerState;
use storage_actors::reward::RewardState;

use super::extend::{bits, claimed_power, partition, sector, to_deadline};
use super::setup::*;
use crate::harness::{Net, assert_exit};

/// Onboards sectors 1 and 2 and proves their partition at its deadline with `proof` (the
/// valid devnet proof if `None`); runs until just after that deadline closed. Returns the
/// (deadline, partition) and the deadline's close.
fn proven_then_closed(net: &mut Net, miner: &Address, proof: Option<Vec<u8>>) -> (u64, u64, i64) {
    onboard_cc(net, miner, &[1, 2]);
    let (deadline, part) = locate(net, miner, 1);
    assert_eq!(locate(net, miner, 2), (deadline, part));
    let dl = to_deadline(net, miner, deadline);
    let infos = vec![sector(net, miner, 1), sector(net, miner, 2)];
    let mut params = window_post(net, miner, &dl, &[part], &infos);
    if let Some(bytes) = proof {
        params.proofs[0].proof_bytes = bytes;
    }
    // New sectors recover no power, so even a wrong proof is accepted, for later dispute.
    assert_exit(&from_worker(net, miner, SUBMIT_WINDOWED_POST_METHOD, &params), ExitCode::OK);
    assert_eq!(claimed_power(net, miner), PowerPair::new(4096.into(), 4096.into()));
    // Cron closes the deadline at its last epoch, snapshotting the proof for disputes.
    run_to(net, miner, dl.last());
    net.advance(1);
    (deadline, part, dl.close)
}

/// The optimistic proofs kept in the deadline's snapshot.
fn snapshot_proofs(net: &mut Net, miner: &Address, deadline: u64) -> u64 {
    let st = miner_state(net, miner);
    let dls = st.load_deadlines(net.exec.store()).unwrap();
    let dl = dls.load_deadline(net.exec.store(), deadline).unwrap();
    let amt: Amt<WindowedPoSt, _> =
        Amt::load(&dl.optimistic_post_submissions_snapshot, net.exec.store()).unwrap();
    let mut count = 0;
    amt.for_each(|_, _| {
        count += 1;
        Ok(())
    })
    .unwrap();
    count
}

fn dispute(
    net: &mut Net,
    miner: &Address,
    deadline: u64,
    post_index: u64,
) -> filecoin_vm::ApplyRet {
    let bob = net.bob.address();
    let params = DisputeWindowedPoStParams { deadline, post_index };
    net.send(&bob, miner, DISPUTE_WINDOWED_POST_METHOD, Some(&params), TokenAmount::default())
}

/// What the sender paid for gas.
fn gas_paid(ret: &filecoin_vm::ApplyRet) -> TokenAmount {
    let g = &ret.gas_outputs;
    &g.base_fee_burn + &g.over_estimation_burn + &g.miner_tip
}

#[test]
fn disputing_a_valid_optimistic_proof_fails_and_leaves_it_disputable() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let (deadline, part, close) = proven_then_closed(&mut net, &miner, None);
    assert_eq!(snapshot_proofs(&mut net, &miner, deadline), 1);

    let ret = dispute(&mut net, &miner, deadline, 0);
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    // Rolled back: the proof is still there, the sectors healthy and powered.
    assert_eq!(snapshot_proofs(&mut net, &miner, deadline), 1);
    assert!(partition(&mut net, &miner, deadline, part).faults.is_empty());
    assert_eq!(claimed_power(&mut net, &miner), PowerPair::new(4096.into(), 4096.into()));

    // No such proof; no such deadline.
    assert_exit(&dispute(&mut net, &miner, deadline, 1), ExitCode::USR_ILLEGAL_ARGUMENT);
    assert_exit(&dispute(&mut net, &miner, 48, 0), ExitCode::USR_ILLEGAL_ARGUMENT);

    // After the 1800-epoch dispute window the proof is final.
    run_to(&mut net, &miner, close + 1799);
    assert_exit(&dispute(&mut net, &miner, deadline, 0), ExitCode::USR_ILLEGAL_ARGUMENT);
    run_to(&mut net, &miner, close + 1800);
    assert_exit(&dispute(&mut net, &miner, deadline, 0), ExitCode::USR_FORBIDDEN);
}

#[test]
fn disputing_an_invalid_optimistic_proof_faults_the_sectors_and_rewards_the_disputer() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let (deadline, part, _) = proven_then_closed(&mut net, &miner, Some(vec![0xee; 192]));
    assert_eq!(snapshot_proofs(&mut net, &miner, deadline), 1);

    // The penalty: 5.51 days of the disputed power's expected reward plus 20 FIL, and the
    // disputer's 4 FIL on top, at today's estimates.
    let reward: RewardState = net.state(&Address::new_id(filecoin_vm::REWARD_ACTOR_ID));
    let power_state: PowerState = net.state(&power());
    let penalty = pledge_penalty_for_invalid_windowpost(
        &reward.this_epoch_reward_smoothed,
        &power_state.this_epoch_qa_power_smoothed,
        &4096.into(),
    );
    let bounty = base_reward_for_disputed_window_post();
    assert_eq!(bounty, TokenAmount::from_whole(4));
    let bob = net.bob.address();
    let burnt = Address::new_id(filecoin_vm::BURNT_FUNDS_ACTOR_ID);
    let (bob_before, miner_before, burnt_before) =
        (net.balance(&bob), net.balance(&miner), net.balance(&burnt));

    let ret = dispute(&mut net, &miner, deadline, 0);
    assert_exit(&ret, ExitCode::OK);

    // The sectors the proof claimed are faulty now and their power is gone.
    let p = partition(&mut net, &miner, deadline, part);
    assert_eq!(p.faults, bits(&[1, 2]));
    assert_eq!(p.faulty_power, PowerPair::new(4096.into(), 4096.into()));
    assert_eq!(claimed_power(&mut net, &miner), PowerPair::new(0.into(), 0.into()));
    // The miner paid the whole penalty and the bounty (it had the funds: no debt remains).
    let st = miner_state(&mut net, &miner);
    assert!(st.fee_debt.is_zero());
    assert_eq!(&miner_before - net.balance(&miner), &penalty + &bounty);
    // Bob got the bounty (less his gas); the penalty itself was burnt.
    assert_eq!(net.balance(&bob), &bob_before - gas_paid(&ret) + &bounty);
    let gas_burnt = &ret.gas_outputs.base_fee_burn + &ret.gas_outputs.over_estimation_burn;
    assert_eq!(net.balance(&burnt), &burnt_before + &penalty + gas_burnt);

    // The proof was taken out of the snapshot: it cannot be disputed twice.
    assert_eq!(snapshot_proofs(&mut net, &miner, deadline), 0);
    assert_exit(&dispute(&mut net, &miner, deadline, 0), ExitCode::USR_ILLEGAL_ARGUMENT);
}
