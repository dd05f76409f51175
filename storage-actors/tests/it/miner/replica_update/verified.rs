//! A snap deal with a verified piece: the update claims the client's allocation from the
//! verified registry, so the sector's power grows tenfold, and with it its pledge and fee.

use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use storage_actors::market::{
    ADD_BALANCE_METHOD, PUBLISH_STORAGE_DEALS_METHOD, PublishStorageDealsParams,
    PublishStorageDealsReturn,
};
use storage_actors::miner::monies::{daily_proof_fee_adjust, qa_power_for_weight};
use storage_actors::power::PowerState;
use storage_actors::verifreg::{
    ADD_VERIFIED_CLIENT_METHOD, ADD_VERIFIER_METHOD, VerifierParams, VerifregState,
};
use storage_actors::{POWER_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID, genesis};

use super::*;
use crate::harness::Key;

#[test]
fn a_verified_piece_claims_its_allocation_and_multiplies_the_sectors_power() {
    // Alice is the registry's root, bob a verifier, carol (the worker) the verified client.
    let mut net = Net::with_real_miners(|tree| {
        genesis::install(tree).unwrap();
        genesis::install_verified_registry(tree, &Key::secp(1).address()).unwrap();
    });
    let (alice, bob, carol) = (net.alice.address(), net.bob.address(), net.carol.address());
    let registry = Address::new_id(VERIFIED_REGISTRY_ACTOR_ID);
    let zero = TokenAmount::default();
    let verifier = VerifierParams { address: bob, allowance: BigInt::from(1 << 20) };
    let ret = net.send(&alice, &registry, ADD_VERIFIER_METHOD, Some(&verifier), zero.clone());
    assert_exit(&ret, ExitCode::OK);
    let client = VerifierParams { address: carol, allowance: BigInt::from(4096) };
    let ret = net.send(&bob, &registry, ADD_VERIFIED_CLIENT_METHOD, Some(&client), zero.clone());
    assert_exit(&ret, ExitCode::OK);

    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    onboard_cc(&mut net, &miner, &[1, 2]);
    let at = prove_first_post(&mut net, &miner);
    let dl = deadline_now(&mut net, &miner);
    run_to(&mut net, &miner, dl.last() + 1);

    // Carol's verified deal: publishing it moves her datacap into allocation 1.
    let ret = net.send(&carol, &f05(), ADD_BALANCE_METHOD, Some(&carol), client_lock());
    assert_exit(&ret, ExitCode::OK);
    let ret =
        net.send(&alice, &f05(), ADD_BALANCE_METHOD, Some(&miner), TokenAmount::from_atto(FIL));
    assert_exit(&ret, ExitCode::OK);
    let mut deal = proposal(carol, miner.id().unwrap(), net.epoch + 1000, 7);
    deal.verified_deal = true;
    let key = net.carol.clone();
    let publish = PublishStorageDealsParams { deals: vec![signed(&key, deal)] };
    let ret = net.send(&carol, &f05(), PUBLISH_STORAGE_DEALS_METHOD, Some(&publish), zero);
    let id = decode::<PublishStorageDealsReturn>(&ret).ids[0];
    let carol_id = net.id(&carol);
    let mut piece_manifest = deal_piece(id);
    piece_manifest.cid = piece(7);
    piece_manifest.verified_allocation_key =
        Some(VerifiedAllocationKey { client: carol_id, id: 1 });

    let old = sector(&mut net, &miner, 1);
    let power_before: PowerState = net.state(&Address::new_id(POWER_ACTOR_ID));
    let st = miner_state(&mut net, &miner);
    let store = net.exec.store();
    let dl_before = st.load_deadlines(store).unwrap().load_deadline(store, at.0).unwrap();
    let ret = from_worker(
        &mut net,
        &miner,
        PROVE_REPLICA_UPDATES3_METHOD,
        &params(vec![update(1, at, vec![piece_manifest])], true),
    );
    assert_exit(&ret, ExitCode::OK);

    // The whole sector is verified: ten times the QA power over the rest of its life.
    let now = net.epoch;
    let duration = old.expiration - now;
    let weight = BigInt::from(2048) * duration;
    let qa = qa_power_for_weight(fvm_shared::sector::SectorSize::_2KiB, duration, &weight);
    assert_eq!(qa, BigInt::from(20480));
    let new = sector(&mut net, &miner, 1);
    let pledge = expected_pledge(&mut net, &qa);
    assert!(pledge > old.initial_pledge, "more power, more pledge");
    let fee = daily_proof_fee_adjust(&old.daily_fee, &BigInt::from(2048), &qa);
    assert_eq!(
        new,
        SectorOnChainInfo {
            sealed_cid: comm_r(101),
            sector_key_cid: Some(comm_r(1)),
            verified_deal_weight: weight,
            power_base_epoch: now,
            initial_pledge: pledge.clone(),
            daily_fee: fee.clone(),
            ..old.clone()
        }
    );
    assert_eq!(
        sector_updated(&ret, miner.id().unwrap()),
        vec![(1, Some(piece(7)), vec![(piece(7), 2048)])]
    );

    // Power and pledge follow (UpdateClaimedPower, UpdatePledgeTotal); so do the deadline's.
    let growth = &pledge - &old.initial_pledge;
    let power: PowerState = net.state(&Address::new_id(POWER_ACTOR_ID));
    assert_eq!(power.total_bytes_committed, power_before.total_bytes_committed);
    assert_eq!(power.total_qa_bytes_committed, &power_before.total_qa_bytes_committed + 18432);
    assert_eq!(power.total_pledge_collateral, &power_before.total_pledge_collateral + &growth);
    let st2 = miner_state(&mut net, &miner);
    assert_eq!(st2.initial_pledge, &st.initial_pledge + &growth);
    let store = net.exec.store();
    let dl_after = st2.load_deadlines(store).unwrap().load_deadline(store, at.0).unwrap();
    assert_eq!(dl_after.live_power.qa, &dl_before.live_power.qa + 18432);
    assert_eq!(dl_after.daily_fee, &dl_before.daily_fee + &fee - &old.daily_fee);

    // The registry turned the allocation into the miner's claim on sector 1.
    let verifreg: VerifregState = net.state(&registry);
    let miner_id = miner.id().unwrap();
    let claim =
        verifreg.claims(net.exec.store()).unwrap().get(miner_id, 1).unwrap().expect("a claim");
    assert_eq!(
        (claim.client, claim.data, claim.sector, claim.term_start),
        (carol_id, piece(7), 1, now)
    );
    assert_eq!(verifreg.allocations(net.exec.store()).unwrap().get(carol_id, 1).unwrap(), None);
}
