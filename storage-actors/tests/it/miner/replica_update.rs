//! Snap deals with the real miner: CC sectors proven by a Window PoSt, then one filled with a
//! deal's piece by `ProveReplicaUpdates3` (the market notified, activating the deal), and the
//! updates the network refuses.

use cid::Cid;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::{RegisteredAggregateProof, RegisteredUpdateProof, SectorNumber};
use storage_actors::POWER_ACTOR_ID;
use storage_actors::market::{
    ADD_BALANCE_METHOD, GET_DEAL_ACTIVATION_METHOD, GET_DEAL_SECTOR_METHOD,
    GetDealActivationReturn, PUBLISH_STORAGE_DEALS_METHOD, PublishStorageDealsParams,
    PublishStorageDealsReturn,
};
use storage_actors::miner::monies::initial_pledge_for_power;
use storage_actors::miner::records::SectorOnChainInfo;
use storage_actors::miner::types::*;
use storage_actors::power::PowerState;
use storage_actors::reward::RewardState;

use super::setup::*;
use crate::harness::{FIL, Net, assert_exit, decode};
use crate::market::{client_lock, f05, piece, proposal, signed};

mod verified;

/// The circulating supply the test net's externs report.
pub(super) const CIRCULATING_SUPPLY: u128 = 5000 * FIL;

/// The pledge a sector of `qa` power gets at the current epoch: the network inputs read from
/// the reward and power actors' states, as the miner asks them.
pub(super) fn expected_pledge(net: &mut Net, qa: &BigInt) -> TokenAmount {
    let reward: RewardState = net.state(&Address::new_id(filecoin_vm::REWARD_ACTOR_ID));
    let power: PowerState = net.state(&Address::new_id(POWER_ACTOR_ID));
    initial_pledge_for_power(
        qa,
        &reward.this_epoch_baseline_power,
        &reward.this_epoch_reward_smoothed,
        &power.this_epoch_qa_power_smoothed,
        &TokenAmount::from_atto(CIRCULATING_SUPPLY),
        net.epoch - power.ramp_start_epoch,
        power.ramp_duration_epochs,
    )
}

fn sector(net: &mut Net, miner: &Address, number: SectorNumber) -> SectorOnChainInfo {
    miner_state(net, miner).get_sector(net.exec.store(), number).unwrap().unwrap()
}

/// Runs to the sector's deadline and proves its partition with both sectors (1 and 2).
fn prove_first_post(net: &mut Net, miner: &Address) -> (u64, u64) {
    let (deadline, partition) = locate(net, miner, 1);
    assert_eq!(locate(net, miner, 2), (deadline, partition), "one 2-sector partition");
    let mut dl = deadline_now(net, miner);
    while dl.index != deadline {
        run_to(net, miner, dl.last() + 1);
        dl = deadline_now(net, miner);
    }
    let sectors = [sector(net, miner, 1), sector(net, miner, 2)];
    let params = window_post(net, miner, &dl, &[partition], &sectors);
    assert_exit(&from_worker(net, miner, SUBMIT_WINDOWED_POST_METHOD, &params), ExitCode::OK);
    (deadline, partition)
}

/// Bob's deal with the miner, published by its worker; returns its ID.
fn publish_deal(net: &mut Net, miner: &Address, start: ChainEpoch) -> DealID {
    let (bob, carol, alice) = (net.bob.address(), net.carol.address(), net.alice.address());
    let ret = net.send(&bob, &f05(), ADD_BALANCE_METHOD, Some(&bob), client_lock());
    assert_exit(&ret, ExitCode::OK);
    let ret =
        net.send(&alice, &f05(), ADD_BALANCE_METHOD, Some(miner), TokenAmount::from_atto(FIL));
    assert_exit(&ret, ExitCode::OK);
    let key = net.bob.clone();
    let deal = signed(&key, proposal(bob, miner.id().unwrap(), start, 1));
    let params = PublishStorageDealsParams { deals: vec![deal] };
    let ret = net.send(
        &carol,
        &f05(),
        PUBLISH_STORAGE_DEALS_METHOD,
        Some(&params),
        TokenAmount::default(),
    );
    let published: PublishStorageDealsReturn = decode(&ret);
    published.ids[0]
}

/// The deal's piece (filling the 2 KiB sector), notifying the market with the deal ID.
fn deal_piece(id: DealID) -> PieceActivationManifest {
    PieceActivationManifest {
        cid: piece(1),
        size: PaddedPieceSize(2048),
        verified_allocation_key: None,
        notify: vec![DataActivationNotification {
            address: f05(),
            payload: RawBytes::new(fvm_ipld_encoding::to_vec(&id).unwrap()),
        }],
    }
}

fn update(
    sector: SectorNumber,
    at: (u64, u64),
    pieces: Vec<PieceActivationManifest>,
) -> SectorUpdateManifest {
    SectorUpdateManifest {
        sector,
        deadline: at.0,
        partition: at.1,
        new_sealed_cid: comm_r(100 + sector as u8),
        pieces,
    }
}

fn params(updates: Vec<SectorUpdateManifest>, require: bool) -> ProveReplicaUpdates3Params {
    ProveReplicaUpdates3Params {
        sector_proofs: updates.iter().map(|_| RawBytes::new(vec![9; 1024])).collect(),
        sector_updates: updates,
        aggregate_proof: RawBytes::default(),
        update_proofs_type: RegisteredUpdateProof::StackedDRG2KiBV1,
        aggregate_proof_type: None,
        require_activation_success: require,
        require_notification_success: true,
    }
}

#[track_caller]
fn refused(ret: &filecoin_vm::ApplyRet, code: ExitCode, why: &str) {
    assert_exit(ret, code);
    let info = ret.failure_info.as_deref().unwrap_or_default();
    assert!(info.contains(why), "expected {why:?} in {info:?}");
}

/// One `sector-updated` event: (sector, CommD, [(piece, size)]).
type SectorUpdated = (u64, Option<Cid>, Vec<(Cid, u64)>);

/// The miner's `sector-updated` events.
fn sector_updated(ret: &filecoin_vm::ApplyRet, miner: u64) -> Vec<SectorUpdated> {
    ret.events
        .iter()
        .filter(|e| e.emitter == miner)
        .filter(|e| {
            fvm_ipld_encoding::from_slice::<String>(&e.event.entries[0].value).unwrap()
                == "sector-updated"
        })
        .map(|e| {
            let entries = &e.event.entries;
            let keys: Vec<&str> = entries.iter().map(|x| x.key.as_str()).collect();
            assert_eq!(keys[..3], ["$type", "sector", "unsealed-cid"]);
            let pieces = entries[3..]
                .chunks(2)
                .map(|pair| {
                    assert_eq!(
                        (pair[0].key.as_str(), pair[1].key.as_str()),
                        ("piece-cid", "piece-size")
                    );
                    (
                        fvm_ipld_encoding::from_slice(&pair[0].value).unwrap(),
                        fvm_ipld_encoding::from_slice(&pair[1].value).unwrap(),
                    )
                })
                .collect();
            (
                fvm_ipld_encoding::from_slice(&entries[1].value).unwrap(),
                fvm_ipld_encoding::from_slice(&entries[2].value).unwrap(),
                pieces,
            )
        })
        .collect()
}

#[test]
fn a_proven_cc_sector_takes_a_deal_by_replica_update() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    onboard_cc(&mut net, &miner, &[1, 2]);
    let at = prove_first_post(&mut net, &miner);
    let start = net.epoch + 1000;
    let id = publish_deal(&mut net, &miner, start);

    // The deadline is being proven right now: its sectors cannot change.
    let good = update(1, at, vec![deal_piece(id)]);
    let ret = from_worker(
        &mut net,
        &miner,
        PROVE_REPLICA_UPDATES3_METHOD,
        &params(vec![good.clone()], true),
    );
    refused(
        &ret,
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "invalid update 0 while requiring activation success: cannot upgrade sectors in \
         immutable deadline",
    );
    let ret = from_worker(
        &mut net,
        &miner,
        PROVE_REPLICA_UPDATES3_METHOD,
        &params(vec![good.clone()], false),
    );
    refused(&ret, ExitCode::USR_ILLEGAL_ARGUMENT, "no valid updates");
    let dl = deadline_now(&mut net, &miner);
    run_to(&mut net, &miner, dl.last() + 1);

    // Aggregated update proofs are not supported.
    let mut aggregate = params(vec![good.clone()], true);
    aggregate.sector_proofs = vec![];
    aggregate.aggregate_proof = RawBytes::new(vec![1; 64]);
    aggregate.aggregate_proof_type = Some(RegisteredAggregateProof::SnarkPackV2);
    let ret = from_worker(&mut net, &miner, PROVE_REPLICA_UPDATES3_METHOD, &aggregate);
    refused(&ret, ExitCode::USR_ILLEGAL_ARGUMENT, "aggregate update proofs not yet supported");
    // A proof over 4096 bytes fails its update: the whole message when all must succeed...
    let mut big = params(vec![good.clone()], true);
    big.sector_proofs[0] = RawBytes::new(vec![9; 4097]);
    let ret = from_worker(&mut net, &miner, PROVE_REPLICA_UPDATES3_METHOD, &big);
    refused(&ret, ExitCode::USR_ILLEGAL_ARGUMENT, "update proof is too large (4097)");

    // ...or just that sector otherwise.
    let old = sector(&mut net, &miner, 1);
    let old_2 = sector(&mut net, &miner, 2);
    let st = miner_state(&mut net, &miner);
    let (pledge_before, dl_before) = (
        st.initial_pledge.clone(),
        st.load_deadlines(net.exec.store()).unwrap().load_deadline(net.exec.store(), at.0).unwrap(),
    );
    let mut batch = params(vec![good, update(2, at, vec![])], false);
    batch.sector_proofs[1] = RawBytes::new(vec![9; 4097]);
    let expected = expected_pledge(&mut net, &BigInt::from(2048));
    let power_before: PowerState = net.state(&Address::new_id(POWER_ACTOR_ID));
    let ret = from_worker(&mut net, &miner, PROVE_REPLICA_UPDATES3_METHOD, &batch);
    assert_exit(&ret, ExitCode::OK);
    let results: ProveReplicaUpdates3Return = decode(&ret);
    assert_eq!(results.activation_results.success_count, 1);
    assert_eq!(results.activation_results.codes(), [ExitCode::OK, ExitCode::USR_ILLEGAL_ARGUMENT]);

    // Sector 1 now holds the deal: new CommR, the old one as its key, weight over the rest of
    // its life from now, and a pledge that never goes down.
    let now = net.epoch;
    let new = sector(&mut net, &miner, 1);
    let duration = old.expiration - now;
    let pledge = old.initial_pledge.clone().max(expected);
    assert_eq!(
        new,
        SectorOnChainInfo {
            sealed_cid: comm_r(101),
            sector_key_cid: Some(comm_r(1)),
            deal_weight: BigInt::from(2048) * duration,
            verified_deal_weight: BigInt::from(0),
            power_base_epoch: now,
            initial_pledge: pledge.clone(),
            ..old.clone()
        }
    );
    assert_eq!(sector(&mut net, &miner, 2), old_2, "the failed update left sector 2 alone");
    let miner_id = miner.id().unwrap();
    assert_eq!(sector_updated(&ret, miner_id), vec![(1, Some(piece(1)), vec![(piece(1), 2048)])]);

    // Unverified data leaves power alone; the pledge grows by what the sector's grew, and
    // power is told of that growth.
    let st = miner_state(&mut net, &miner);
    let growth = &pledge - &old.initial_pledge;
    assert_eq!(st.initial_pledge, &pledge_before + &growth);
    let power: PowerState = net.state(&Address::new_id(POWER_ACTOR_ID));
    assert_eq!(power.total_pledge_collateral, &power_before.total_pledge_collateral + &growth);
    assert_eq!(power.total_bytes_committed, BigInt::from(4096));
    assert_eq!(power.total_qa_bytes_committed, BigInt::from(4096));
    let dl_after =
        st.load_deadlines(net.exec.store()).unwrap().load_deadline(net.exec.store(), at.0).unwrap();
    assert_eq!(dl_after.live_power, dl_before.live_power);
    assert_eq!(dl_after.daily_fee, dl_before.daily_fee);

    // The market took the notification: the deal is active in sector 1.
    let bob = net.bob.address();
    let ret = net.send(&bob, &f05(), GET_DEAL_ACTIVATION_METHOD, Some(&id), TokenAmount::default());
    let activation: GetDealActivationReturn = decode(&ret);
    assert_eq!((activation.activated, activation.terminated), (now, -1));
    let ret = net.send(&bob, &f05(), GET_DEAL_SECTOR_METHOD, Some(&id), TokenAmount::default());
    assert_eq!(decode::<u64>(&ret), 1);

    // A sector that holds data cannot be updated again.
    let mut again = update(1, at, vec![]);
    again.new_sealed_cid = comm_r(200);
    let ret =
        from_worker(&mut net, &miner, PROVE_REPLICA_UPDATES3_METHOD, &params(vec![again], true));
    refused(
        &ret,
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "cannot update sector with non-zero data, skipping sector 1",
    );
}

#[test]
fn updates_are_checked_before_anything_changes() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    onboard_cc(&mut net, &miner, &[1, 2]);
    let at = locate(&mut net, &miner, 1);
    let send = |net: &mut Net, p: &ProveReplicaUpdates3Params| {
        from_worker(net, &miner, PROVE_REPLICA_UPDATES3_METHOD, p)
    };

    // Only the owner, worker or a control address; every sector must exist.
    let bob = net.bob.address();
    let p = params(vec![update(1, at, vec![])], true);
    let ret =
        net.send(&bob, &miner, PROVE_REPLICA_UPDATES3_METHOD, Some(&p), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let ret = send(&mut net, &params(vec![update(9, at, vec![])], true));
    refused(&ret, ExitCode::USR_NOT_FOUND, "sector 9 not found");
    let mut none = params(vec![update(1, at, vec![])], true);
    none.sector_proofs = vec![];
    refused(
        &send(&mut net, &none),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "exactly one of sector proofs or aggregate proof",
    );

    // Not yet proven by a Window PoSt: not active.
    let ret = send(&mut net, &params(vec![update(1, at, vec![])], true));
    refused(&ret, ExitCode::USR_ILLEGAL_ARGUMENT, "sector isn't active, skipping sector 1");
    let at = prove_first_post(&mut net, &miner);
    let dl = deadline_now(&mut net, &miner);
    run_to(&mut net, &miner, dl.last() + 1);

    // A sector named twice; a wrong update proof type; a deadline out of range; a CommR
    // that is not one.
    let ret = send(&mut net, &params(vec![update(1, at, vec![]), update(1, at, vec![])], true));
    refused(
        &ret,
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "invalid update 1 while requiring activation success: skipping duplicate sector 1",
    );
    let mut wrong_type = params(vec![update(1, at, vec![])], true);
    wrong_type.update_proofs_type = RegisteredUpdateProof::StackedDRG8MiBV1;
    refused(
        &send(&mut net, &wrong_type),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "expected proof type 0, was 1",
    );
    let ret = send(&mut net, &params(vec![update(1, (48, 0), vec![])], true));
    refused(&ret, ExitCode::USR_ILLEGAL_ARGUMENT, "deadline 48 not in range 0..48");
    let mut bad_cid = update(1, at, vec![]);
    bad_cid.new_sealed_cid = piece(3);
    refused(
        &send(&mut net, &params(vec![bad_cid], true)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "new sealed CID had wrong prefix",
    );
    // Mismatched proof count is found after validation.
    let mut short = params(vec![update(1, at, vec![]), update(2, at, vec![])], true);
    short.sector_proofs.pop();
    refused(
        &send(&mut net, &short),
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "mismatched lengths: 2 sector updates, 1 proofs",
    );
    assert_eq!(sector(&mut net, &miner, 1).sector_key_cid, None);

    // An update with no pieces: the sector gets its new CommR (and key), no weight, and the
    // event says it holds zeros.
    let ret = send(&mut net, &params(vec![update(2, at, vec![])], true));
    assert_exit(&ret, ExitCode::OK);
    let updated = sector(&mut net, &miner, 2);
    assert_eq!((updated.sealed_cid, updated.sector_key_cid), (comm_r(102), Some(comm_r(2))));
    assert_eq!(updated.deal_weight, BigInt::from(0));
    assert_eq!(sector_updated(&ret, miner.id().unwrap()), vec![(2, None, vec![])]);
}
