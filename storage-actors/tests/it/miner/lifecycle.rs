//! A miner's life: creation, a CC sector pre-committed, proven, powered by its first Window
//! PoSt, faulted by a missed proof, recovered, and terminated.

use fvm_ipld_bitfield::BitField;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use storage_actors::miner::types::*;
use storage_actors::power::{MINER_RAW_POWER_METHOD, MinerRawPowerReturn, PowerState};

use super::setup::*;
use crate::harness::{FIL, Net, assert_exit, decode};

fn raw_power(net: &mut Net, miner: &fvm_shared::address::Address) -> BigInt {
    let alice = net.alice.address();
    let id = miner.id().unwrap();
    let ret = net.send(&alice, &power(), MINER_RAW_POWER_METHOD, Some(&id), TokenAmount::default());
    let power: MinerRawPowerReturn = decode(&ret);
    power.raw_byte_power
}

#[test]
fn a_miner_needs_a_bls_worker_and_its_deposit() {
    let mut net = net();
    let alice = net.alice.address();
    // An f1 worker cannot sign blocks: refused by the constructor, through power and init.
    let ret = try_create_miner(&mut net, alice, TokenAmount::from_atto(ENOUGH));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    // The create-miner deposit (FIP-0077) must be sent along.
    let carol = net.carol.address();
    let ret = try_create_miner(&mut net, carol, TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_INSUFFICIENT_FUNDS);

    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let st = miner_state(&mut net, &miner);
    assert!(st.locked_funds.is_positive(), "the deposit vests like a reward");
    assert!(st.locked_funds < TokenAmount::from_atto(ENOUGH));
    let ret =
        net.send::<()>(&alice, &miner, CONTROL_ADDRESSES_METHOD, None, TokenAmount::default());
    let control: GetControlAddressesReturn = decode(&ret);
    assert_eq!(control.owner.id().unwrap(), net.id(&alice));
    assert_eq!(control.worker.id().unwrap(), net.id(&carol));
    assert!(control.control_addresses.is_empty());
    let ret =
        net.send::<()>(&alice, &miner, GET_SECTOR_SIZE_EXPORTED, None, TokenAmount::default());
    let size: GetSectorSizeReturn = decode(&ret);
    assert_eq!(size.sector_size as u64, 2048);
}

#[test]
fn a_cc_sector_gets_power_at_its_first_window_post_and_loses_it_when_a_proof_is_missed() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));

    // Pre-commit: a deposit is locked and the number is taken.
    let sectors = vec![cc_precommit(&net, 1, 220 * DAY)];
    let ret = from_worker(
        &mut net,
        &miner,
        PRE_COMMIT_SECTOR_BATCH2_METHOD,
        &PreCommitSectorBatch2Params { sectors },
    );
    assert_exit(&ret, ExitCode::OK);
    let st = miner_state(&mut net, &miner);
    let deposit = st.pre_commit_deposits.clone();
    assert!(deposit.is_positive());
    assert!(st.deadline_cron_active);
    let sectors = vec![cc_precommit(&net, 1, 220 * DAY)];
    let ret = from_worker(
        &mut net,
        &miner,
        PRE_COMMIT_SECTOR_BATCH2_METHOD,
        &PreCommitSectorBatch2Params { sectors },
    );
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);

    // The interactive challenge exists only after the 10-epoch delay.
    net.advance(5);
    let ret = from_worker(&mut net, &miner, PROVE_COMMIT_SECTORS3_METHOD, &prove_params(&[1]));
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    // Only the worker, owner or a control address may prove.
    let bob = net.bob.address();
    let ret = net.send(
        &bob,
        &miner,
        PROVE_COMMIT_SECTORS3_METHOD,
        Some(&prove_params(&[1])),
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    net.advance(6);
    let ret = from_worker(&mut net, &miner, PROVE_COMMIT_SECTORS3_METHOD, &prove_params(&[1]));
    assert_exit(&ret, ExitCode::OK);
    let activation: ProveCommitSectors3Return = decode(&ret);
    assert_eq!(activation.activation_results.success_count, 1);

    let st = miner_state(&mut net, &miner);
    assert!(st.pre_commit_deposits.is_zero(), "the deposit is released");
    assert!(st.initial_pledge.is_positive(), "pledge is locked");
    let sector = st.get_sector(net.exec.store(), 1).unwrap().expect("sector stored");
    assert_eq!(sector.activation, net.epoch);
    let pledge_total: PowerState = net.state(&power());
    assert_eq!(pledge_total.total_pledge_collateral, st.initial_pledge);
    // Unproven: no power yet.
    assert_eq!(raw_power(&mut net, &miner), BigInt::from(0));

    // Its deadline opens; the first proof gives the sector its power.
    let (deadline, partition) = locate(&mut net, &miner, 1);
    let mut dl = deadline_now(&mut net, &miner);
    while dl.index != deadline {
        run_to(&mut net, &miner, dl.last() + 1);
        dl = deadline_now(&mut net, &miner);
    }
    assert!(dl.is_open());
    let params = window_post(&mut net, &miner, &dl, &[partition], std::slice::from_ref(&sector));
    let ret = from_worker(&mut net, &miner, SUBMIT_WINDOWED_POST_METHOD, &params);
    assert_exit(&ret, ExitCode::OK);
    assert_eq!(raw_power(&mut net, &miner), BigInt::from(2048));

    // The same deadline a proving period later, with no proof: the sector turns faulty and
    // its power goes when the deadline closes.
    let next = dl.next_period_start() + (dl.open - dl.period_start);
    run_to(&mut net, &miner, next + 60);
    let st = miner_state(&mut net, &miner);
    let dls = st.load_deadlines(net.exec.store()).unwrap();
    let deadline_state = dls.load_deadline(net.exec.store(), deadline).unwrap();
    let part = deadline_state.load_partition(net.exec.store(), partition).unwrap();
    assert!(part.faults.get(1), "a missed proof makes the sector faulty");
    assert_eq!(raw_power(&mut net, &miner), BigInt::from(0));

    // Recovered before the next occurrence's fault cutoff, then proven: power returns, and
    // this time the proof is checked (a wrong one is refused).
    let mut sectors = BitField::new();
    sectors.set(1);
    let ret = from_worker(
        &mut net,
        &miner,
        DECLARE_FAULTS_RECOVERED_METHOD,
        &DeclareFaultsRecoveredParams {
            recoveries: vec![RecoveryDeclaration { deadline, partition, sectors }],
        },
    );
    assert_exit(&ret, ExitCode::OK);
    let mut dl = deadline_now(&mut net, &miner);
    while dl.index != deadline {
        run_to(&mut net, &miner, dl.last() + 1);
        dl = deadline_now(&mut net, &miner);
    }
    let mut params = window_post(&mut net, &miner, &dl, &[partition], &[sector]);
    let good = params.proofs[0].proof_bytes.clone();
    params.proofs[0].proof_bytes = vec![0; 32];
    let ret = from_worker(&mut net, &miner, SUBMIT_WINDOWED_POST_METHOD, &params);
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    params.proofs[0].proof_bytes = good;
    let ret = from_worker(&mut net, &miner, SUBMIT_WINDOWED_POST_METHOD, &params);
    assert_exit(&ret, ExitCode::OK);
    assert_eq!(raw_power(&mut net, &miner), BigInt::from(2048));

    // Terminated early: power and pledge go, part of the pledge is burnt as the fee.
    net.advance(DAY / 2);
    let (deadline, partition) = locate(&mut net, &miner, 1);
    let mut sectors = BitField::new();
    sectors.set(1);
    let pledge_before = miner_state(&mut net, &miner).initial_pledge;
    let ret = from_worker(
        &mut net,
        &miner,
        TERMINATE_SECTORS_METHOD,
        &TerminateSectorsParams {
            terminations: vec![TerminationDeclaration { deadline, partition, sectors }],
        },
    );
    if ret.receipt.exit_code == ExitCode::USR_ILLEGAL_ARGUMENT {
        // The sector's deadline is being proven right now; try once it is past.
        net.advance(120);
        let mut sectors = BitField::new();
        sectors.set(1);
        let ret = from_worker(
            &mut net,
            &miner,
            TERMINATE_SECTORS_METHOD,
            &TerminateSectorsParams {
                terminations: vec![TerminationDeclaration { deadline, partition, sectors }],
            },
        );
        assert_exit(&ret, ExitCode::OK);
    } else {
        assert_exit(&ret, ExitCode::OK);
    }
    let st = miner_state(&mut net, &miner);
    assert!(st.initial_pledge < pledge_before);
    assert!(st.initial_pledge.is_zero());
    assert_eq!(raw_power(&mut net, &miner), BigInt::from(0));
    let _ = FIL;
}
