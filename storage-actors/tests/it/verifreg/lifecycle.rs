//! The whole verified-data path through f06 and f07: verifier, client, allocation, claim,
//! extension and expiry, with events and the state layout checked on the way.

use super::*;

#[test]
fn root_verifier_client_allocation_claim_extension_and_expiry() {
    let mut s = setup();
    let (alice, bob) = (s.net.alice.address(), s.net.bob.address());
    let (alice_id, miner, client_id) = (s.net.id(&alice), s.miner, s.client_id);

    let ret = add_verifier(&mut s.net, &alice, 10_000);
    assert_exit(&ret, ExitCode::OK);
    let balance_10k = cbor(&fvm_shared::bigint::bigint_ser::BigIntSer(&BigInt::from(10_000)));
    assert_eq!(
        events(&ret, "verifier-balance"),
        vec![vec![("verifier".into(), 3, cbor(&alice_id)), ("balance".into(), 1, balance_10k)]]
    );

    let p = VerifierParams { address: s.client, allowance: 4096.into() };
    let ret = call(&mut s.net, &alice, ADD_VERIFIED_CLIENT_EXPORTED, &p);
    assert_exit(&ret, ExitCode::OK);
    let ev = events(&ret, "verifier-balance");
    assert_eq!(ev[0][2], ("client".into(), 3, cbor(&client_id)));
    assert_eq!(ev[0][1].2, cbor(&fvm_shared::bigint::bigint_ser::BigIntSer(&BigInt::from(5904))));
    assert_eq!(datacap_of(&mut s.net, &s.client.clone()), whole(4096));

    // The client spends 2048 on an allocation with the miner: id 1, datacap held by f06.
    let now = s.net.epoch;
    let (term_min, term_max) =
        (MINIMUM_VERIFIED_ALLOCATION_TERM, MINIMUM_VERIFIED_ALLOCATION_TERM + 90 * EPOCHS_IN_DAY);
    let ret = allocate(
        &mut s,
        vec![request(miner, piece(1), 2048, term_min, term_max, now + 1000)],
        None,
    );
    assert_exit(&ret, ExitCode::OK);
    let moved: TransferReturn = decode(&ret);
    let resp: AllocationsResponse = bytes(&moved.recipient_data);
    assert_eq!(resp.new_allocations, vec![1]);
    assert_eq!(
        (resp.allocation_results, resp.extension_results),
        (BatchReturn::ok(1), BatchReturn::ok(0))
    );
    let terms = [("term-min", term_min), ("term-max", term_max), ("expiration", now + 1000)];
    assert_eq!(
        events(&ret, "allocation"),
        vec![expected_fields(1, client_id, miner, piece(1), 2048, &terms, None)]
    );
    assert_eq!(datacap_of(&mut s.net, &s.client.clone()), whole(2048));
    assert_eq!(datacap_of(&mut s.net, &REGISTRY), whole(2048));

    // The state as the network lays it out.
    let st: VerifregState = s.net.state(&REGISTRY);
    assert_eq!((st.root_key, st.next_allocation_id), (Address::new_id(s.net.id(&bob)), 2));
    let store = s.net.exec.store();
    let outer: Hamt<_, Cid, BytesKey> =
        Hamt::load_with_bit_width(&st.allocations, store, 5).unwrap();
    let inner_root = *outer.get(&u64_key(client_id)).unwrap().unwrap();
    let inner: Hamt<_, Allocation, BytesKey> =
        Hamt::load_with_bit_width(&inner_root, store, 5).unwrap();
    let expected = Allocation {
        client: client_id,
        provider: miner,
        data: piece(1),
        size: PaddedPieceSize(2048),
        term_min,
        term_max,
        expiration: now + 1000,
    };
    assert_eq!(inner.get(&u64_key(1)).unwrap(), Some(&expected));
    let verifiers: Hamt<_, BigIntDe, BytesKey> =
        Hamt::load_with_bit_width(&st.verifiers, store, 5).unwrap();
    assert_eq!(
        verifiers.get(&address_key(&Address::new_id(alice_id))).unwrap().unwrap().0,
        BigInt::from(5904)
    );

    // The miner claims it in sector 7: a claim with the same id, f06's datacap burned.
    let sector = SectorAllocationClaims {
        sector: 7,
        expiry: now + term_min + 100,
        claims: vec![AllocationClaim {
            client: client_id,
            allocation_id: 1,
            data: piece(1),
            size: PaddedPieceSize(2048),
        }],
    };
    let claim_params = ClaimAllocationsParams { sectors: vec![sector], all_or_nothing: true };
    let (ret, code, data) = via(&mut s.net, miner, CLAIM_ALLOCATIONS_METHOD, &claim_params);
    assert_eq!(code, ExitCode::OK);
    let claimed: ClaimAllocationsReturn = bytes(&data);
    assert_eq!(claimed.sector_results, BatchReturn::ok(1));
    assert_eq!(claimed.sector_claims, vec![SectorClaimSummary { claimed_space: 2048.into() }]);
    let terms = [("term-min", term_min), ("term-max", term_max), ("term-start", now)];
    assert_eq!(
        events(&ret, "claim"),
        vec![expected_fields(1, client_id, miner, piece(1), 2048, &terms, Some(7))]
    );
    assert_eq!(datacap_of(&mut s.net, &REGISTRY), whole(0));
    let supply: TokenAmount = decode(&s.net.send(
        &alice,
        &DATACAP,
        TOTAL_SUPPLY_METHOD,
        None::<&()>,
        TokenAmount::default(),
    ));
    assert_eq!(supply, whole(2048));
    // Claiming again: the allocation is gone (17 in the batch; 16 for all-or-nothing).
    let (_, code, _) = via(&mut s.net, miner, CLAIM_ALLOCATIONS_METHOD, &claim_params);
    assert_eq!(code, ExitCode::USR_ILLEGAL_ARGUMENT);
    let st: VerifregState = s.net.state(&REGISTRY);
    let outer: Hamt<_, Cid, BytesKey> =
        Hamt::load_with_bit_width(&st.allocations, s.net.exec.store(), 5).unwrap();
    assert!(outer.is_empty(), "the client's emptied allocation map is dropped");

    // GetClaims.
    let get = GetClaimsParams { provider: miner, claim_ids: vec![1, 2] };
    let got: GetClaimsReturn = decode(&call(&mut s.net, &alice, GET_CLAIMS_EXPORTED, &get));
    assert_eq!(got.batch_info.codes(), vec![ExitCode::OK, ExitCode::USR_NOT_FOUND]);
    let claim = Claim {
        provider: miner,
        client: client_id,
        data: piece(1),
        size: PaddedPieceSize(2048),
        term_min,
        term_max,
        term_start: now,
        sector: 7,
    };
    assert_eq!(got.claims, vec![claim]);

    // Only the client extends the term (18 in the batch for anyone else).
    let ext = |term_max| ExtendClaimTermsParams {
        terms: vec![ClaimTerm { provider: miner, claim_id: 1, term_max }],
    };
    let out: BatchReturn =
        decode(&call(&mut s.net, &alice, EXTEND_CLAIM_TERMS_EXPORTED, &ext(term_max + 10)));
    assert_eq!(out.codes(), vec![ExitCode::USR_FORBIDDEN]);
    let client = s.client;
    for (term, code) in [
        (MAXIMUM_VERIFIED_ALLOCATION_TERM + 1, ExitCode::USR_ILLEGAL_ARGUMENT),
        (term_max - 1, ExitCode::USR_ILLEGAL_ARGUMENT),
    ] {
        let out: BatchReturn =
            decode(&call(&mut s.net, &client, EXTEND_CLAIM_TERMS_METHOD, &ext(term)));
        assert_eq!(out.codes(), vec![code]);
    }
    let ret = call(
        &mut s.net,
        &client,
        EXTEND_CLAIM_TERMS_METHOD,
        &ext(MAXIMUM_VERIFIED_ALLOCATION_TERM),
    );
    assert_eq!(decode::<BatchReturn>(&ret), BatchReturn::ok(1));
    let terms = [
        ("term-min", term_min),
        ("term-max", MAXIMUM_VERIFIED_ALLOCATION_TERM),
        ("term-start", now),
    ];
    assert_eq!(
        events(&ret, "claim-updated"),
        vec![expected_fields(1, client_id, miner, piece(1), 2048, &terms, Some(7))]
    );

    // Not expired yet (18); after its term anyone removes it.
    let rm = RemoveExpiredClaimsParams { provider: miner, claim_ids: vec![1] };
    let out: RemoveExpiredClaimsReturn =
        decode(&call(&mut s.net, &alice, REMOVE_EXPIRED_CLAIMS_EXPORTED, &rm));
    assert_eq!(out.results.codes(), vec![ExitCode::USR_FORBIDDEN]);
    s.net.advance(MAXIMUM_VERIFIED_ALLOCATION_TERM);
    let rm_all = RemoveExpiredClaimsParams { provider: miner, claim_ids: vec![] };
    let ret = call(&mut s.net, &alice, REMOVE_EXPIRED_CLAIMS_METHOD, &rm_all);
    let out: RemoveExpiredClaimsReturn = decode(&ret);
    assert_eq!((out.considered, out.results), (vec![1], BatchReturn::ok(1)));
    assert_eq!(events(&ret, "claim-removed").len(), 1);
    let got: GetClaimsReturn = decode(&call(&mut s.net, &alice, GET_CLAIMS_METHOD, &get));
    assert_eq!(got.batch_info.codes(), vec![ExitCode::USR_NOT_FOUND; 2]);
}

#[test]
fn expired_allocations_return_their_datacap_to_the_client() {
    let mut s = setup();
    verified_client(&mut s);
    let (miner, now, client) = (s.miner, s.net.epoch, s.client);
    let t = MINIMUM_VERIFIED_ALLOCATION_TERM;
    let reqs = vec![
        request(miner, piece(1), 256, t, t, now + 50),
        request(miner, piece(2), 512, t, t, now + 50),
    ];
    let resp: TransferReturn = decode(&allocate(&mut s, reqs, None));
    assert_eq!(bytes::<AllocationsResponse>(&resp.recipient_data).new_allocations, vec![1, 2]);
    assert_eq!(datacap_of(&mut s.net, &client), whole(4096 - 768));

    let rm = |ids| RemoveExpiredAllocationsParams { client: s.client_id, allocation_ids: ids };
    let out: RemoveExpiredAllocationsReturn =
        decode(&call(&mut s.net, &client, REMOVE_EXPIRED_ALLOCATIONS_METHOD, &rm(vec![1, 9])));
    assert_eq!(out.results.codes(), vec![ExitCode::USR_FORBIDDEN, ExitCode::USR_NOT_FOUND]);
    assert_eq!(out.datacap_recovered, BigInt::from(0));

    s.net.advance(50);
    let alice = s.net.alice.address();
    let ret = call(&mut s.net, &alice, REMOVE_EXPIRED_ALLOCATIONS_EXPORTED, &rm(vec![]));
    let mut out: RemoveExpiredAllocationsReturn = decode(&ret);
    out.considered.sort_unstable();
    assert_eq!(
        (out.considered, out.results, out.datacap_recovered),
        (vec![1, 2], BatchReturn::ok(2), BigInt::from(768))
    );
    assert_eq!(events(&ret, "allocation-removed").len(), 2);
    assert_eq!(datacap_of(&mut s.net, &client), whole(4096));
    assert_eq!(datacap_of(&mut s.net, &REGISTRY), whole(0));
    assert_eq!(s.net.state::<VerifregState>(&REGISTRY).next_allocation_id, 3);
}

#[test]
fn failed_sectors_claim_nothing_and_datacap_pays_for_extensions() {
    let mut s = setup();
    verified_client(&mut s);
    let (miner, now, client, client_id) = (s.miner, s.net.epoch, s.client, s.client_id);
    let t = MINIMUM_VERIFIED_ALLOCATION_TERM;
    let reqs = vec![
        request(miner, piece(1), 256, t, t, now + 50),
        request(miner, piece(2), 512, t, t, now + 50),
    ];
    assert_exit(&allocate(&mut s, reqs, None), ExitCode::OK);

    // Sector 1 claims allocation 1; sector 2 gets allocation 2's size wrong (18); sector 3
    // names an allocation that does not exist (17). Only the first is claimed and burned.
    let claim = |id, size| AllocationClaim {
        client: client_id,
        allocation_id: id,
        data: piece(id as u8),
        size: PaddedPieceSize(size),
    };
    let sector = |n, claims| SectorAllocationClaims { sector: n, expiry: now + t, claims };
    let p = ClaimAllocationsParams {
        sectors: vec![
            sector(1, vec![claim(1, 256)]),
            sector(2, vec![claim(2, 256)]),
            sector(3, vec![claim(99, 256)]),
        ],
        all_or_nothing: false,
    };
    let (ret, code, data) = via(&mut s.net, miner, CLAIM_ALLOCATIONS_METHOD, &p);
    assert_eq!(code, ExitCode::OK);
    let out: ClaimAllocationsReturn = bytes(&data);
    let codes = vec![ExitCode::OK, ExitCode::USR_FORBIDDEN, ExitCode::USR_NOT_FOUND];
    assert_eq!(out.sector_results.codes(), codes);
    assert_eq!(out.sector_claims, vec![SectorClaimSummary { claimed_space: 256.into() }]);
    assert_eq!(events(&ret, "claim").len(), 1);
    assert_eq!(datacap_of(&mut s.net, &REGISTRY), whole(512));

    // The client pays 256 (the claim's size) to push claim 1's term further.
    let extend = |term_max, claim| {
        let ext = ClaimExtensionRequest { provider: miner, claim, term_max };
        let ops = AllocationRequests { allocations: vec![], extensions: vec![ext] };
        TransferParams {
            to: REGISTRY,
            amount: whole(256),
            operator_data: RawBytes::new(cbor(&ops)),
        }
    };
    let send = |net: &mut Net, p: &TransferParams| {
        net.send(&client, &DATACAP, TRANSFER_METHOD, Some(p), TokenAmount::default())
    };
    let before = datacap_of(&mut s.net, &client);
    for (term_max, id, code) in
        [(t, 1, ExitCode::USR_ILLEGAL_ARGUMENT), (t + 1000, 9, ExitCode::USR_NOT_FOUND)]
    {
        assert_exit(&send(&mut s.net, &extend(term_max, id)), code);
        assert_eq!(datacap_of(&mut s.net, &client), before);
    }
    let ret = send(&mut s.net, &extend(t + 1000, 1));
    assert_exit(&ret, ExitCode::OK);
    let resp: AllocationsResponse = bytes(&decode::<TransferReturn>(&ret).recipient_data);
    assert_eq!((resp.extension_results, resp.new_allocations), (BatchReturn::ok(1), vec![]));
    let terms = [("term-min", t), ("term-max", t + 1000), ("term-start", now)];
    let fields = expected_fields(1, client_id, miner, piece(1), 256, &terms, Some(1));
    assert_eq!(events(&ret, "claim-updated"), vec![fields]);
    assert_eq!(datacap_of(&mut s.net, &client), before - whole(256));
    assert_eq!(datacap_of(&mut s.net, &REGISTRY), whole(512), "the extension's datacap is burned");
    let alice = s.net.alice.address();
    let get = GetClaimsParams { provider: miner, claim_ids: vec![1] };
    let got: GetClaimsReturn = decode(&call(&mut s.net, &alice, GET_CLAIMS_METHOD, &get));
    assert_eq!(got.claims[0].term_max, t + 1000);
}
