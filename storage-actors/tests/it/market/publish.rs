//! `PublishStorageDeals`: clients of every kind, each invalid deal dropped on its own, and the
//! few failures that fail the whole message.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::crypto::signature::Signature;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use storage_actors::MARKET_ACTOR_ID;
use storage_actors::market::*;

use super::*;
use crate::harness::{FIL, Key, assert_exit, decode};

const AUTHENTICATE_MESSAGE: u64 = 2_643_134_072;

#[test]
fn f1_f3_and_contract_clients_publish_together() {
    let mut w = world();
    let (alice, bob, carol) = (w.net.alice.address(), w.net.bob.address(), w.net.carol.address());
    let contract = Address::new_id(w.net.contract);
    let contract_f4 = w.net.actor(&contract).unwrap().delegated_address.unwrap();
    for who in [bob, carol, contract] {
        assert_exit(&fund(&mut w.net, &alice, &who, 10 * FIL), ExitCode::OK);
    }
    assert_exit(&fund(&mut w.net, &alice, &Address::new_id(w.miner), 10 * FIL), ExitCode::OK);
    w.net.script_answer(w.net.contract, AUTHENTICATE_MESSAGE, &true);

    let (bob_key, carol_key) = (w.net.bob.clone(), w.net.carol.clone());
    let mut by_contract = proposal(contract_f4, w.miner, 300, 3);
    by_contract.label = Label::Bytes(vec![0xca, 0xfe]);
    let deals = vec![
        signed(&bob_key, proposal(bob, w.miner, 300, 1)),
        signed(&carol_key, proposal(carol, w.miner, 300, 2)),
        // Boost's dummy signature for contract clients: the contract decides.
        ClientDealProposal {
            proposal: by_contract.clone(),
            client_signature: Signature::new_bls(vec![0xde, 0xad]),
        },
    ];
    let ret = publish(&mut w.net, deals);
    let out: PublishStorageDealsReturn = decode(&ret);
    assert_eq!(out.ids, vec![0, 1, 2]);
    assert_eq!(out.valid_deals.iter().collect::<Vec<_>>(), vec![0, 1, 2]);

    let ids: Vec<u64> = [bob, carol, contract].iter().map(|a| w.net.id(a)).collect();
    let events = market_events(&ret);
    let expected: Vec<_> =
        (0..3).map(|i| ("deal-published".to_string(), i as u64, ids[i], w.miner)).collect();
    assert_eq!(events, expected);

    // Funds are locked on both sides.
    for who in [bob, carol, contract] {
        assert_eq!(balance(&mut w.net, &who).1, client_lock());
    }
    let miner = Address::new_id(w.miner);
    assert_eq!(
        balance(&mut w.net, &miner).1,
        TokenAmount::from_atto(3 * PROVIDER_COLLATERAL as u128)
    );

    // The contract authenticated the proposal as submitted (f410 client, read-only) and was
    // notified of the stored one (ID client) with its ID.
    let trace = ret.trace.unwrap();
    let market = trace.subcalls.iter().find(|c| c.to_id == Some(MARKET_ACTOR_ID)).unwrap_or(&trace);
    let to_contract: Vec<_> =
        market.subcalls.iter().filter(|c| c.to_id == Some(w.net.contract)).collect();
    assert_eq!(to_contract.len(), 2);
    assert_eq!(to_contract[0].method, AUTHENTICATE_MESSAGE);
    assert_eq!(to_contract[0].to, contract_f4);
    let auth: (RawBytes, RawBytes) = to_contract[0].params.as_ref().unwrap().deserialize().unwrap();
    assert_eq!(auth.0.to_vec(), vec![0xde, 0xad]);
    assert_eq!(auth.1.to_vec(), fvm_ipld_encoding::to_vec(&by_contract).unwrap());
    assert_eq!(to_contract[1].method, MARKET_NOTIFY_DEAL_METHOD);
    assert_eq!(to_contract[1].to, contract);
    let notify: MarketNotifyDealParams =
        to_contract[1].params.as_ref().unwrap().deserialize().unwrap();
    assert_eq!(notify.deal_id, 2);
    let stored: DealProposal = fvm_ipld_encoding::from_slice(&notify.proposal).unwrap();
    assert_eq!(stored, DealProposal { client: contract, ..by_contract });

    // Stored normalised, pending under the stored proposal's CID, scheduled for cron.
    let st = state(&mut w.net);
    assert_eq!(st.next_id, 3);
    let store = w.net.exec.store();
    let p = st.get_proposal(store, 0).unwrap();
    assert_eq!((p.client, p.provider), (Address::new_id(ids[0]), miner));
    let cid = cid::Cid::new_v1(
        0x71,
        multihash_codetable::MultihashDigest::digest(
            &multihash_codetable::Code::Blake2b256,
            &fvm_ipld_encoding::to_vec(&p).unwrap(),
        ),
    );
    assert!(st.has_pending_proposal(store, &cid).unwrap());
    // Deal 0 starting at 300 is first looked at on epoch 86400 (≡ 0 mod 30 days).
    assert_eq!(st.deals_at_epoch(store, 86_400).unwrap(), vec![0]);
    assert_eq!(st.deals_at_epoch(store, 300).unwrap(), Vec::<u64>::new());
    assert_eq!(st.deals_at_epoch(store, 86_401).unwrap(), vec![1]);
}

#[test]
fn each_invalid_deal_is_dropped_alone() {
    let mut w = world();
    let (alice, bob, carol) = (w.net.alice.address(), w.net.bob.address(), w.net.carol.address());
    assert_exit(&fund(&mut w.net, &alice, &bob, 10 * FIL), ExitCode::OK);
    // Carol can afford exactly one deal.
    let one = client_lock().atto().try_into().unwrap();
    assert_exit(&fund(&mut w.net, &alice, &carol, one), ExitCode::OK);
    assert_exit(&fund(&mut w.net, &alice, &Address::new_id(w.miner), 100 * FIL), ExitCode::OK);
    let (bob_key, carol_key) = (w.net.bob.clone(), w.net.carol.clone());
    let now = w.net.epoch;
    let base = |n| proposal(bob, w.miner, 500, n);
    let floor = policy::min_provider_collateral(
        2048,
        &RAW_POWER.into(),
        &BASELINE_POWER.into(),
        &TokenAmount::from_atto(5000 * FIL),
    );
    assert!(floor.is_positive());

    let mut bad_signature = signed(&bob_key, base(2));
    bad_signature.proposal.label = Label::String("changed after signing".into());
    let with = |f: &dyn Fn(&mut DealProposal), n| {
        let mut p = base(n);
        f(&mut p);
        signed(&bob_key, p)
    };
    let deals = vec![
        /* 0 */ signed(&bob_key, base(1)),
        /* 1 */ bad_signature,
        /* 2 */ with(&|p| p.end_epoch = p.start_epoch + DURATION - 1, 3),
        /* 3 */ with(&|p| p.end_epoch = p.start_epoch + 3_680_641, 4),
        /* 4 */ with(&|p| p.storage_price_per_epoch = TokenAmount::from_atto(-1), 5),
        /* 5 */
        with(&|p| p.provider_collateral = floor.clone() - TokenAmount::from_atto(1), 6),
        /* 6 */ with(&|p| p.client_collateral = TokenAmount::from_whole(2_000_000_001), 7),
        /* 7 */ with(&|p| p.provider = Address::new_id(w.other_miner), 8),
        /* 8 */ with(&|p| p.start_epoch = now - 1, 9),
        /* 9 */ with(&|p| p.label = Label::Bytes(vec![0; 257]), 10),
        /* 10 */ with(&|p| p.piece_size = PaddedPieceSize(1000), 11),
        /* 11 */ with(&|p| p.piece_cid = cid::Cid::new_v1(0x55, *piece(12).hash()), 12),
        /* 12 */ signed(&bob_key, base(1)), // duplicate of 0
        /* 13 */ signed(&carol_key, proposal(carol, w.miner, 500, 13)),
        /* 14 */
        signed(&carol_key, proposal(carol, w.miner, 500, 14)), // carol is out of funds
        /* 15 */ with(&|p| p.provider_collateral = floor.clone(), 15),
        /* 16 */ with(&|p| p.label = Label::Bytes(vec![7; 256]), 16),
        // Verified, but bob holds no datacap (f07 Balance says 0).
        /* 17 */
        with(&|p| p.verified_deal = true, 17),
    ];
    let ret = publish(&mut w.net, deals);
    let out: PublishStorageDealsReturn = decode(&ret);
    assert_eq!(out.valid_deals.iter().collect::<Vec<_>>(), vec![0, 13, 15, 16]);
    assert_eq!(out.ids, vec![0, 1, 2, 3]);
    assert_eq!(market_events(&ret).len(), 4);
    assert_eq!(balance(&mut w.net, &carol).1, client_lock());

    // The same proposal again, in a later message: nothing valid left.
    let ret = publish(&mut w.net, vec![signed(&bob_key, base(1))]);
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn some_failures_fail_the_whole_message() {
    let mut w = world();
    let (alice, bob) = (w.net.alice.address(), w.net.bob.address());
    let contract = Address::new_id(w.net.contract);
    for who in [bob, contract, Address::new_id(w.miner)] {
        assert_exit(&fund(&mut w.net, &alice, &who, 10 * FIL), ExitCode::OK);
    }
    let bob_key = w.net.bob.clone();
    let good = || signed(&bob_key, proposal(bob, w.miner, 500, 1));

    assert_exit(&publish(&mut w.net, vec![]), ExitCode::USR_ILLEGAL_ARGUMENT);
    let mut bad = good();
    bad.proposal.piece_size = PaddedPieceSize(100);
    assert_exit(&publish(&mut w.net, vec![bad]), ExitCode::USR_ILLEGAL_ARGUMENT);
    // The provider must exist and be a miner.
    let mut unknown = good();
    unknown.proposal.provider = Key::secp(99).address();
    assert_exit(&publish(&mut w.net, vec![unknown]), ExitCode::USR_NOT_FOUND);
    let mut not_miner = good();
    not_miner.proposal.provider = bob;
    assert_exit(&publish(&mut w.net, vec![not_miner]), ExitCode::USR_ILLEGAL_ARGUMENT);

    // A contract client that refuses to authenticate loses its deal only.
    w.net.script_refusals(w.net.contract, &[AUTHENTICATE_MESSAGE]);
    let by_contract = ClientDealProposal {
        proposal: proposal(contract, w.miner, 500, 2),
        client_signature: Signature::new_bls(vec![0xde, 0xad]),
    };
    let out: PublishStorageDealsReturn =
        decode(&publish(&mut w.net, vec![by_contract.clone(), good()]));
    assert_eq!((out.ids, out.valid_deals.iter().collect::<Vec<_>>()), (vec![0], vec![1]));

    // A contract client that refuses the notification fails the whole message.
    w.net.script_answer(w.net.contract, AUTHENTICATE_MESSAGE, &true);
    w.net.script_refusals(w.net.contract, &[MARKET_NOTIFY_DEAL_METHOD]);
    let mut other = good();
    other.proposal.piece_cid = piece(5);
    let other = signed(&bob_key, other.proposal);
    assert_exit(&publish(&mut w.net, vec![other, by_contract]), ExitCode::USR_ILLEGAL_ARGUMENT);
    assert_eq!(state(&mut w.net).next_id, 1);
    assert_eq!(balance(&mut w.net, &contract).1, TokenAmount::default());

    // Only a controlling address of the provider may publish.
    w.net.script_answer(w.miner, ext::MINER_IS_CONTROLLING_ADDRESS_METHOD, &false);
    let mut fresh = good();
    fresh.proposal.piece_cid = piece(6);
    assert_exit(
        &publish(&mut w.net, vec![signed(&bob_key, fresh.proposal)]),
        ExitCode::USR_FORBIDDEN,
    );
}
