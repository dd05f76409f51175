//! A verified deal across the real market, datacap and verified registry: the client's datacap
//! moves to the registry as an allocation for the deal's provider when the deal is published,
//! and the market remembers the allocation until the deal is activated.

use fvm_ipld_hamt::Hamt;
use fvm_shared::bigint::BigInt;
use fvm_shared::error::ExitCode;
use storage_actors::datacap::BALANCE_METHOD;
use storage_actors::plumbing::u64_key;
use storage_actors::verifreg::{
    ADD_VERIFIED_CLIENT_METHOD, ADD_VERIFIER_METHOD, VerifierParams, VerifregState,
};
use storage_actors::{DATACAP_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID};

use super::*;
use crate::harness::assert_exit;

const ONE_TOKEN: u128 = 1_000_000_000_000_000_000;

fn datacap_of(net: &mut Net, who: &Address) -> TokenAmount {
    let (code, bytes) = net.contract_call(
        &Address::new_id(DATACAP_ACTOR_ID),
        BALANCE_METHOD,
        Some(who),
        TokenAmount::default(),
    );
    assert_eq!(code, ExitCode::OK);
    fvm_ipld_encoding::from_slice(&bytes).unwrap()
}

#[test]
fn a_verified_deal_allocates_the_clients_datacap_to_its_provider() {
    // Alice is the registry's root; Bob a verifier; Carol (f3) the verified client.
    let mut w = world_with(|tree| {
        let alice = Key::secp(1).address();
        genesis::install_verified_registry(tree, &alice).unwrap();
    });
    let net = &mut w.net;
    let (alice, bob, carol) = (net.alice.address(), net.bob.address(), net.carol.address());
    let registry = Address::new_id(VERIFIED_REGISTRY_ACTOR_ID);
    let zero = TokenAmount::default();
    let verifier = VerifierParams { address: bob, allowance: BigInt::from(1 << 20) };
    assert_exit(
        &net.send(&alice, &registry, ADD_VERIFIER_METHOD, Some(&verifier), zero.clone()),
        ExitCode::OK,
    );
    let client = VerifierParams { address: carol, allowance: BigInt::from(4096) };
    assert_exit(
        &net.send(&bob, &registry, ADD_VERIFIED_CLIENT_METHOD, Some(&client), zero),
        ExitCode::OK,
    );
    assert_eq!(datacap_of(net, &carol), TokenAmount::from_atto(4096 * ONE_TOKEN));

    // Carol publishes a verified 2 KiB deal with the miner.
    assert_exit(&fund(net, &carol, &carol, 10 * FIL), ExitCode::OK);
    let miner = Address::new_id(w.miner);
    assert_exit(&fund(net, &alice, &miner, 10 * FIL), ExitCode::OK);
    let start = net.epoch + 100;
    let mut deal = proposal(carol, w.miner, start, 7);
    deal.verified_deal = true;
    let key = net.carol.clone();
    let ret = publish(net, vec![signed(&key, deal.clone())]);
    let published: PublishStorageDealsReturn = decode(&ret);
    let id = published.ids[0];

    // The datacap went to the registry as allocation 1 for this provider and piece.
    assert_eq!(datacap_of(net, &carol), TokenAmount::from_atto(2048 * ONE_TOKEN));
    assert_eq!(datacap_of(net, &registry), TokenAmount::from_atto(2048 * ONE_TOKEN));
    let market: MarketState = net.state(&f05());
    let pending: Hamt<_, u64> =
        Hamt::load_with_bit_width(&market.pending_deal_allocation_ids, &*net.store, 5).unwrap();
    let allocation_id = *pending.get(&u64_key(id)).unwrap().expect("an allocation for the deal");
    assert_eq!(allocation_id, 1);
    let verifreg: VerifregState = net.state(&registry);
    let carol_id = net.id(&carol);
    let allocation = verifreg
        .allocations(&*net.store)
        .unwrap()
        .get(carol_id, allocation_id)
        .unwrap()
        .expect("the allocation");
    assert_eq!(
        (allocation.provider, allocation.data, allocation.size.0),
        (w.miner, deal.piece_cid, 2048)
    );
    assert_eq!(allocation.term_min, DURATION);
    assert_eq!(allocation.expiration, start);
    assert!(get(net, GET_DEAL_VERIFIED_METHOD, &id).1.as_slice() == [0xf5], "GetDealVerified");
}
