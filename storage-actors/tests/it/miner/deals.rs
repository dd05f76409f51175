//! A storage deal end to end with the real miner: published by the provider's worker,
//! pre-committed with the deal's CommD, proven with a piece manifest that notifies the market,
//! which activates the deal; the sector carries the deal's weight.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use storage_actors::market::{
    ADD_BALANCE_METHOD, GET_DEAL_ACTIVATION_METHOD, GetDealActivationReturn,
    PUBLISH_STORAGE_DEALS_METHOD, PublishStorageDealsParams, PublishStorageDealsReturn,
};
use storage_actors::miner::types::*;

use super::setup::*;
use crate::harness::{FIL, assert_exit, decode};
use crate::market::{client_lock, f05, piece, proposal, signed};

#[test]
fn a_deal_is_activated_by_the_sector_that_proves_its_piece() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let (bob, carol, alice) = (net.bob.address(), net.carol.address(), net.alice.address());
    // Escrow: the client for price and collateral, the provider for its collateral.
    let ret = net.send(&bob, &f05(), ADD_BALANCE_METHOD, Some(&bob), client_lock());
    assert_exit(&ret, ExitCode::OK);
    let ret =
        net.send(&alice, &f05(), ADD_BALANCE_METHOD, Some(&miner), TokenAmount::from_atto(FIL));
    assert_exit(&ret, ExitCode::OK);

    // The worker publishes bob's deal, starting late enough that a
    // sector holding it meets the minimum lifetime however late it is proven.
    let start = net.epoch + 90_000;
    let key = net.bob.clone();
    let deal = signed(&key, proposal(bob, miner.id().unwrap(), start, 1));
    let params = PublishStorageDealsParams { deals: vec![deal.clone()] };
    let ret = net.send(
        &carol,
        &f05(),
        PUBLISH_STORAGE_DEALS_METHOD,
        Some(&params),
        TokenAmount::default(),
    );
    let published: PublishStorageDealsReturn = decode(&ret);
    let id = published.ids[0];

    // One piece filling the 2 KiB sector: its CommD is the piece commitment itself.
    let mut precommit = cc_precommit(&net, 3, 0);
    precommit.expiration = deal.proposal.end_epoch + 10;
    precommit.unsealed_cid = Some(piece(1));
    let sectors = vec![precommit];
    let ret = from_worker(
        &mut net,
        &miner,
        PRE_COMMIT_SECTOR_BATCH2_METHOD,
        &PreCommitSectorBatch2Params { sectors },
    );
    assert_exit(&ret, ExitCode::OK);
    net.advance(11);

    let manifest = |cid| PieceActivationManifest {
        cid,
        size: PaddedPieceSize(2048),
        verified_allocation_key: None,
        notify: vec![DataActivationNotification {
            address: f05(),
            payload: RawBytes::new(fvm_ipld_encoding::to_vec(&id).unwrap()),
        }],
    };
    let mut params = prove_params(&[3]);
    // A piece that does not match the pre-committed CommD fails the whole message.
    params.sector_activations[0].pieces = vec![manifest(piece(2))];
    let ret = from_worker(&mut net, &miner, PROVE_COMMIT_SECTORS3_METHOD, &params);
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    params.sector_activations[0].pieces = vec![manifest(piece(1))];
    let ret = from_worker(&mut net, &miner, PROVE_COMMIT_SECTORS3_METHOD, &params);
    assert_exit(&ret, ExitCode::OK);
    // The miner's event names the sector; the market's, the activated deal.
    let kinds: Vec<(u64, String)> = ret
        .events
        .iter()
        .map(|e| (e.emitter, fvm_ipld_encoding::from_slice(&e.event.entries[0].value).unwrap()))
        .collect();
    let miner_id = miner.id().unwrap();
    assert!(kinds.contains(&(miner_id, "sector-activated".to_string())), "{kinds:?}");
    assert!(kinds.contains(&(5, "deal-activated".to_string())), "{kinds:?}");

    // The market took the notification: the deal is active in sector 3.
    let ret = net.send(&bob, &f05(), GET_DEAL_ACTIVATION_METHOD, Some(&id), TokenAmount::default());
    let activation: GetDealActivationReturn = decode(&ret);
    assert_eq!(activation.activated, net.epoch);
    let st = miner_state(&mut net, &miner);
    let sector = st.get_sector(net.exec.store(), 3).unwrap().unwrap();
    let duration = sector.expiration - sector.activation;
    assert_eq!(sector.deal_weight, BigInt::from(2048) * duration);
    assert_eq!(sector.verified_deal_weight, BigInt::from(0));
}
