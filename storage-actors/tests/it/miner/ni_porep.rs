//! Non-interactive PoRep with the real miner: CC sectors onboarded by one aggregate proof into
//! a deadline of the provider's choosing, powered by their first Window PoSt, and the NI
//! commits the network refuses.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::{RegisteredAggregateProof, RegisteredSealProof, SectorNumber};
use storage_actors::POWER_ACTOR_ID;
use storage_actors::miner::monies::daily_proof_fee;
use storage_actors::miner::policy::MAX_PROVE_COMMIT_NI_LOOKBACK;
use storage_actors::miner::records::{SIMPLE_QA_POWER, SectorOnChainInfo};
use storage_actors::miner::types::*;
use storage_actors::power::PowerState;

use super::replica_update::{CIRCULATING_SUPPLY, expected_pledge};
use super::setup::*;
use crate::harness::{Net, assert_exit, decode};

const SEAL_NI_2K: RegisteredSealProof = RegisteredSealProof::StackedDRG2KiBV1P2_Feat_NiPoRep;

fn ni_sector(net: &Net, miner: &Address, number: SectorNumber) -> SectorNIActivationInfo {
    SectorNIActivationInfo {
        sealing_number: number,
        sealer_id: miner.id().unwrap(),
        sealed_cid: comm_r(number as u8),
        sector_number: number,
        seal_rand_epoch: net.epoch - 10,
        expiration: net.epoch + 220 * DAY,
    }
}

fn ni_params(
    sectors: Vec<SectorNIActivationInfo>,
    proving_deadline: u64,
    require: bool,
) -> ProveCommitSectorsNIParams {
    ProveCommitSectorsNIParams {
        sectors,
        aggregate_proof: RawBytes::new(vec![5; 1024]),
        seal_proof_type: SEAL_NI_2K,
        aggregate_proof_type: RegisteredAggregateProof::SnarkPackV2,
        proving_deadline,
        require_activation_success: require,
    }
}

/// A deadline two windows ahead: mutable now.
fn later_deadline(net: &mut Net, miner: &Address) -> u64 {
    (deadline_now(net, miner).index + 2) % 48
}

fn sector(net: &mut Net, miner: &Address, number: SectorNumber) -> Option<SectorOnChainInfo> {
    miner_state(net, miner).get_sector(net.exec.store(), number).unwrap()
}

#[track_caller]
fn refused(ret: &filecoin_vm::ApplyRet, code: ExitCode, why: &str) {
    assert_exit(ret, code);
    let info = ret.failure_info.as_deref().unwrap_or_default();
    assert!(info.contains(why), "expected {why:?} in {info:?}");
}

#[test]
fn two_cc_sectors_are_onboarded_non_interactively_into_a_chosen_deadline() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let target = later_deadline(&mut net, &miner);
    let sectors = vec![ni_sector(&net, &miner, 1), ni_sector(&net, &miner, 2)];
    let pledge = expected_pledge(&mut net, &BigInt::from(2048));
    let ret = from_worker(
        &mut net,
        &miner,
        PROVE_COMMIT_SECTORS_NI_METHOD,
        &ni_params(sectors.clone(), target, true),
    );
    assert_exit(&ret, ExitCode::OK);
    let results: ProveCommitSectorsNIReturn = decode(&ret);
    assert_eq!(results.activation_results.codes(), [ExitCode::OK, ExitCode::OK]);

    // Raw-power sectors, activated now, with a new sector's pledge and daily fee.
    let now = net.epoch;
    let fee = daily_proof_fee(&TokenAmount::from_atto(CIRCULATING_SUPPLY), &BigInt::from(2048));
    for ni in &sectors {
        assert_eq!(
            sector(&mut net, &miner, ni.sector_number),
            Some(SectorOnChainInfo {
                sector_number: ni.sector_number,
                seal_proof: SEAL_NI_2K,
                sealed_cid: ni.sealed_cid,
                deprecated_deal_ids: vec![],
                activation: now,
                expiration: ni.expiration,
                deal_weight: BigInt::from(0),
                verified_deal_weight: BigInt::from(0),
                initial_pledge: pledge.clone(),
                expected_day_reward: None,
                expected_storage_pledge: None,
                power_base_epoch: now,
                replaced_day_reward: None,
                sector_key_cid: None,
                flags: SIMPLE_QA_POWER,
                daily_fee: fee.clone(),
            })
        );
        assert_eq!(locate(&mut net, &miner, ni.sector_number), (target, 0));
    }
    let st = miner_state(&mut net, &miner);
    assert_eq!(st.initial_pledge, &pledge * 2u64);
    assert!(st.deadline_cron_active);
    let deadline = st
        .load_deadlines(net.exec.store())
        .unwrap()
        .load_deadline(net.exec.store(), target)
        .unwrap();
    assert_eq!(deadline.live_sectors, 2);
    let partition = deadline.load_partition(net.exec.store(), 0).unwrap();
    assert_eq!(partition.unproven.iter().collect::<Vec<_>>(), [1, 2]);
    let power: PowerState = net.state(&Address::new_id(POWER_ACTOR_ID));
    assert_eq!(power.total_pledge_collateral, st.initial_pledge);

    // One `sector-activated` per sector, with no data.
    let miner_id = miner.id().unwrap();
    let activated: Vec<(u64, Option<cid::Cid>, usize)> = ret
        .events
        .iter()
        .filter(|e| e.emitter == miner_id)
        .map(|e| {
            let entries = &e.event.entries;
            let kind: String = fvm_ipld_encoding::from_slice(&entries[0].value).unwrap();
            assert_eq!(kind, "sector-activated");
            let keys: Vec<&str> = entries.iter().map(|x| x.key.as_str()).collect();
            assert_eq!(keys, ["$type", "sector", "unsealed-cid"]);
            (
                fvm_ipld_encoding::from_slice(&entries[1].value).unwrap(),
                fvm_ipld_encoding::from_slice(&entries[2].value).unwrap(),
                entries.len(),
            )
        })
        .collect();
    assert_eq!(activated, [(1, None, 3), (2, None, 3)]);

    // Their numbers are taken.
    let again = ni_params(vec![ni_sector(&net, &miner, 2)], target, true);
    let ret = from_worker(&mut net, &miner, PROVE_COMMIT_SECTORS_NI_METHOD, &again);
    refused(&ret, ExitCode::USR_ILLEGAL_ARGUMENT, "sector numbers [2] already allocated");

    // The chosen deadline's first Window PoSt gives them power.
    let mut dl = deadline_now(&mut net, &miner);
    while dl.index != target {
        run_to(&mut net, &miner, dl.last() + 1);
        dl = deadline_now(&mut net, &miner);
    }
    let infos = [sector(&mut net, &miner, 1).unwrap(), sector(&mut net, &miner, 2).unwrap()];
    let post = window_post(&mut net, &miner, &dl, &[0], &infos);
    assert_exit(&from_worker(&mut net, &miner, SUBMIT_WINDOWED_POST_METHOD, &post), ExitCode::OK);
    let power: PowerState = net.state(&Address::new_id(POWER_ACTOR_ID));
    assert_eq!(power.total_bytes_committed, BigInt::from(4096));
    assert_eq!(power.total_qa_bytes_committed, BigInt::from(4096));
}

#[test]
fn ni_commits_the_network_refuses() {
    let mut net = net();
    // Old enough a chain that seal randomness can be too old.
    net.advance(MAX_PROVE_COMMIT_NI_LOOKBACK + 100);
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let target = later_deadline(&mut net, &miner);
    let one = |net: &Net, n| vec![ni_sector(net, &miner, n)];
    let send = |net: &mut Net, p: &ProveCommitSectorsNIParams| {
        from_worker(net, &miner, PROVE_COMMIT_SECTORS_NI_METHOD, p)
    };

    let bob = net.bob.address();
    let p = ni_params(one(&net, 1), target, true);
    let ret =
        net.send(&bob, &miner, PROVE_COMMIT_SECTORS_NI_METHOD, Some(&p), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    refused(
        &send(&mut net, &ni_params(vec![], target, true)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "too few sectors addressed, addressed 0 want >= 1",
    );
    let many = (1..=66).map(|n| ni_sector(&net, &miner, n)).collect();
    refused(
        &send(&mut net, &ni_params(many, target, true)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "too many sectors addressed, addressed 66 want <= 65",
    );
    let p = ni_params(one(&net, 1), 48, true);
    refused(
        &send(&mut net, &p),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "proving deadline index 48 invalid",
    );
    let current = deadline_now(&mut net, &miner).index;
    let p = ni_params(one(&net, 1), current, true);
    refused(
        &send(&mut net, &p),
        ExitCode::USR_FORBIDDEN,
        "must not be the current or next deadline",
    );
    let mut interactive = ni_params(one(&net, 1), target, true);
    interactive.seal_proof_type = SEAL_2K;
    refused(
        &send(&mut net, &interactive),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "unsupported seal proof type 5",
    );
    let mut v1 = ni_params(one(&net, 1), target, true);
    v1.aggregate_proof_type = RegisteredAggregateProof::SnarkPackV1;
    refused(
        &send(&mut net, &v1),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "aggregate proof type must be SnarkPackV2",
    );

    // A duplicate number, or randomness from now on, fails the message whatever is required.
    let dup = vec![ni_sector(&net, &miner, 1), ni_sector(&net, &miner, 1)];
    refused(
        &send(&mut net, &ni_params(dup, target, false)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "duplicate sector number 1",
    );
    let mut future = one(&net, 1);
    future[0].seal_rand_epoch = net.epoch;
    refused(
        &send(&mut net, &ni_params(future, target, false)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "must be before now",
    );

    // A wrong sealer, randomness older than 180 days, a sealing number other than the sector
    // number: each fails its sector, or the message when all must succeed.
    let mut sectors: Vec<_> = (1..=4).map(|n| ni_sector(&net, &miner, n)).collect();
    sectors[1].sealer_id += 1;
    sectors[2].seal_rand_epoch = net.epoch - MAX_PROVE_COMMIT_NI_LOOKBACK - 1;
    sectors[3].sealing_number = 40;
    for invalid in &sectors[1..] {
        let p = ni_params(vec![invalid.clone()], target, true);
        refused(
            &send(&mut net, &p),
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "invalid NI commit 0 while requiring activation success",
        );
        let p = ni_params(vec![invalid.clone()], target, false);
        refused(
            &send(&mut net, &p),
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "no valid NI commits specified",
        );
    }
    let ret = send(&mut net, &ni_params(sectors, target, false));
    assert_exit(&ret, ExitCode::OK);
    let results: ProveCommitSectorsNIReturn = decode(&ret);
    let bad = ExitCode::USR_ILLEGAL_ARGUMENT;
    assert_eq!(results.activation_results.codes(), [ExitCode::OK, bad, bad, bad]);
    assert!(sector(&mut net, &miner, 1).is_some());
    for n in 2..=4 {
        assert_eq!(sector(&mut net, &miner, n), None);
    }
    // The failed sectors' numbers were taken all the same, as on the network.
    let p = ni_params(one(&net, 3), target, true);
    refused(
        &send(&mut net, &p),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "sector numbers [3] already allocated",
    );
    let p = ni_params(one(&net, 5), target, true);
    assert_exit(&send(&mut net, &p), ExitCode::OK);
}
