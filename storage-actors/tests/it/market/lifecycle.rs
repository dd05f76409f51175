//! A deal after publication: activation by the miner's notification (and the older sector
//! methods), payments, completion, cron timeouts, termination, the getters and the state.

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::RegisteredSealProof;
use storage_actors::market::ext::{PieceChange, SectorChanges};
use storage_actors::market::*;

use super::*;
use crate::harness::{FIL, assert_exit, decode};

const START: i64 = 300;
const BURNT: Address = Address::new_id(99);

fn change(data: cid::Cid, size: u64, payload: &impl serde::Serialize) -> PieceChange {
    let payload = RawBytes::new(fvm_ipld_encoding::to_vec(payload).unwrap());
    PieceChange { data, size: PaddedPieceSize(size), payload }
}

/// The miner `miner` notifies the market of `sectors`; returns the receipt and the answers.
fn notify(net: &mut Net, miner: u64, sectors: Vec<SectorChanges>) -> (ApplyRet, Vec<Vec<bool>>) {
    let (ret, code, data) = via(net, miner, &f05(), SECTOR_CONTENT_CHANGED_METHOD, Some(&sectors));
    assert_eq!(code, ExitCode::OK);
    (ret, fvm_ipld_encoding::from_slice(&data).unwrap())
}

fn activate(w: &mut World, id: DealID, n: u8, sector: u64) {
    let end = START + DURATION;
    let good = SectorChanges {
        sector,
        minimum_commitment_epoch: end,
        added: vec![change(piece(n), 2048, &id)],
    };
    assert_eq!(notify(&mut w.net, w.miner, vec![good]).1, vec![vec![true]]);
}

fn settle(net: &mut Net, ids: &[u64]) -> (ApplyRet, SettleDealPaymentsReturn) {
    let bob = net.bob.address();
    let bf = BitField::try_from_bits(ids.iter().copied()).unwrap();
    let ret =
        net.send(&bob, &f05(), SETTLE_DEAL_PAYMENTS_METHOD, Some(&bf), TokenAmount::default());
    let out = decode(&ret);
    (ret, out)
}

fn code_of<P: serde::Serialize>(net: &mut Net, method: u64, p: &P) -> ExitCode {
    get(net, method, p).0
}

fn atto(n: u128) -> TokenAmount {
    TokenAmount::from_atto(n)
}

#[test]
fn the_miner_activates_deals_piece_by_piece() {
    let mut w = world();
    let id = one_deal(&mut w, START, 1);
    let end = START + DURATION;
    let bad = vec![
        SectorChanges {
            sector: 7,
            minimum_commitment_epoch: end,
            added: vec![
                change(piece(2), 2048, &id),          // another piece
                change(piece(1), 1024, &id),          // another size
                change(piece(1), 2048, &99u64),       // no such deal
                change(piece(1), 2048, &"not an id"), // not a deal ID
            ],
        },
        // The sector expires before the deal ends.
        SectorChanges {
            sector: 8,
            minimum_commitment_epoch: end - 1,
            added: vec![change(piece(1), 2048, &id)],
        },
    ];
    let (ret, answers) = notify(&mut w.net, w.miner, bad);
    assert_eq!(answers, vec![vec![false; 4], vec![false]]);
    assert!(market_events(&ret).is_empty());
    // Another miner's notification cannot activate this miner's deal.
    let other = SectorChanges {
        sector: 7,
        minimum_commitment_epoch: end,
        added: vec![change(piece(1), 2048, &id)],
    };
    assert_eq!(notify(&mut w.net, w.other_miner, vec![other.clone()]).1, vec![vec![false]]);
    // Only miners may notify.
    let (code, _) = w.net.contract_call(
        &f05(),
        SECTOR_CONTENT_CHANGED_METHOD,
        Some(&vec![other.clone()]),
        TokenAmount::default(),
    );
    assert_eq!(code, ExitCode::USR_FORBIDDEN);

    let (ret, answers) = notify(&mut w.net, w.miner, vec![other.clone()]);
    assert_eq!(answers, vec![vec![true]]);
    let bob = w.net.bob.address();
    let bob_id = w.net.id(&bob);
    assert_eq!(market_events(&ret), vec![("deal-activated".into(), id, bob_id, w.miner)]);
    // Once only.
    assert_eq!(notify(&mut w.net, w.miner, vec![other]).1, vec![vec![false]]);

    let st = state(&mut w.net);
    let store = w.net.exec.store();
    let expected = DealState {
        sector_number: 7,
        sector_start_epoch: 100,
        last_updated_epoch: -1,
        slash_epoch: -1,
    };
    assert_eq!(st.find_deal_state(store, id).unwrap(), Some(expected));
    assert_eq!(st.sector_deals(store, w.miner, 7).unwrap(), vec![id]);
    let (code, bytes) = get(&mut w.net, GET_DEAL_ACTIVATION_METHOD, &id);
    assert_eq!(code, ExitCode::OK);
    let activation: GetDealActivationReturn = fvm_ipld_encoding::from_slice(&bytes).unwrap();
    assert_eq!(activation, GetDealActivationReturn { activated: 100, terminated: -1 });
    let (code, bytes) = get(&mut w.net, GET_DEAL_SECTOR_METHOD, &id);
    assert_eq!((code, fvm_ipld_encoding::from_slice::<u64>(&bytes).unwrap()), (ExitCode::OK, 7));

    // Too late: a deal whose start has passed cannot be activated.
    let late = one_deal(&mut w, START, 2);
    w.net.advance(START + 1 - w.net.epoch);
    let late_piece = SectorChanges {
        sector: 9,
        minimum_commitment_epoch: end,
        added: vec![change(piece(2), 2048, &late)],
    };
    assert_eq!(notify(&mut w.net, w.miner, vec![late_piece]).1, vec![vec![false]]);
}

#[test]
fn settlement_pays_elapsed_epochs_and_completes_after_the_end() {
    let mut w = world();
    let id = one_deal(&mut w, START, 1);
    activate(&mut w, id, 1, 7);
    let (bob, miner) = (w.net.bob.address(), Address::new_id(w.miner));
    let price = PRICE as u128;

    w.net.advance(START + 1000 - w.net.epoch);
    let (_, out) = settle(&mut w.net, &[id]);
    assert!(out.results.all_ok());
    assert_eq!(
        out.settlements,
        vec![DealSettlementSummary { payment: atto(price * 1000), completed: false }]
    );
    assert_eq!(
        balance(&mut w.net, &miner),
        (atto(10 * FIL + price * 1000), atto(PROVIDER_COLLATERAL.into()))
    );
    assert_eq!(
        balance(&mut w.net, &bob),
        (atto(10 * FIL - price * 1000), client_lock() - atto(price * 1000))
    );
    // Nothing more in the same epoch.
    let (_, out) = settle(&mut w.net, &[id]);
    assert_eq!(out.settlements[0].payment, TokenAmount::default());

    w.net.advance(START + DURATION + 10 - w.net.epoch);
    let (ret, out) = settle(&mut w.net, &[id, 1000]);
    assert_eq!(out.results.codes(), vec![ExitCode::OK, EX_DEAL_EXPIRED]);
    let rest = price * (DURATION as u128 - 1000);
    assert_eq!(
        out.settlements,
        vec![DealSettlementSummary { payment: atto(rest), completed: true }]
    );
    let bob_id = w.net.id(&bob);
    assert_eq!(market_events(&ret), vec![("deal-completed".into(), id, bob_id, w.miner)]);
    let total = price * DURATION as u128;
    assert_eq!(balance(&mut w.net, &bob), (atto(10 * FIL - total), TokenAmount::default()));
    assert_eq!(balance(&mut w.net, &miner), (atto(10 * FIL + total), TokenAmount::default()));
    // Gone: 32 for the getters and for settlement.
    assert_eq!(code_of(&mut w.net, GET_DEAL_CLIENT_METHOD, &id), EX_DEAL_EXPIRED);
    assert_eq!(settle(&mut w.net, &[id]).1.results.codes(), vec![EX_DEAL_EXPIRED]);
    let st = state(&mut w.net);
    assert!(st.sector_deals(w.net.exec.store(), w.miner, 7).unwrap().is_empty());
    assert_eq!(st.total_locked(), TokenAmount::default());
}

#[test]
fn cron_times_out_unactivated_deals_and_forgets_activated_ones() {
    let mut w = world();
    let (alice, bob) = (w.net.alice.address(), w.net.bob.address());
    let miner = Address::new_id(w.miner);
    assert_exit(&fund(&mut w.net, &alice, &bob, 10 * FIL), ExitCode::OK);
    assert_exit(&fund(&mut w.net, &alice, &miner, 10 * FIL), ExitCode::OK);
    let key = w.net.bob.clone();
    let deals = (1..=3).map(|n| signed(&key, proposal(bob, w.miner, START, n))).collect();
    let out: PublishStorageDealsReturn = decode(&publish(&mut w.net, deals));
    assert_eq!(out.ids, vec![0, 1, 2]);
    activate(&mut w, 0, 1, 7);
    assert_exit(&w.net.cron_tick(), ExitCode::OK);
    // Only cron may tick the market.
    let ret = w.net.send::<()>(&bob, &f05(), CRON_TICK_METHOD, None, TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);

    // Settling a deal not activated: nothing before its start, a timeout after it.
    w.net.advance(200 - w.net.epoch);
    let (_, out) = settle(&mut w.net, &[2]);
    assert_eq!(
        out.settlements,
        vec![DealSettlementSummary { payment: TokenAmount::default(), completed: false }]
    );
    w.net.advance(START + 100 - w.net.epoch);
    let (ret, out) = settle(&mut w.net, &[2]);
    assert_eq!(out.results.codes(), vec![EX_DEAL_EXPIRED]);
    assert_eq!(burnt_by_market(&ret), atto(PROVIDER_COLLATERAL.into()));

    // Deal 0 is due on epoch 86400, deal 1 on 86401, deal 2 (already gone) on 86402.
    w.net.advance(86_402 - w.net.epoch);
    let escrow_before = balance(&mut w.net, &bob).0;
    let burnt_before = w.net.balance(&BURNT);
    let ret = w.net.cron_tick();
    assert_exit(&ret, ExitCode::OK);
    // Cron's tick is implicit (no gas burnt): f099 gains exactly deal 1's collateral.
    assert_eq!(burnt_by_market(&ret), atto(PROVIDER_COLLATERAL.into()));
    assert_eq!(w.net.balance(&BURNT), burnt_before + atto(PROVIDER_COLLATERAL.into()));
    let slashed = atto(2 * PROVIDER_COLLATERAL as u128);
    assert_eq!(balance(&mut w.net, &bob), (escrow_before, client_lock()));
    let provider_left = atto(10 * FIL) - slashed;
    assert_eq!(balance(&mut w.net, &miner), (provider_left, atto(PROVIDER_COLLATERAL.into())));
    assert_eq!(code_of(&mut w.net, GET_DEAL_ACTIVATION_METHOD, &1u64), EX_DEAL_EXPIRED);
    assert_eq!(code_of(&mut w.net, GET_DEAL_SECTOR_METHOD, &0u64), ExitCode::OK);

    let st = state(&mut w.net);
    let store = w.net.exec.store();
    assert_eq!(st.last_cron, 86_402);
    let empty = MarketState::new(store).unwrap();
    assert_eq!(st.pending_proposals, empty.pending_proposals, "no proposal pending any more");
    assert_eq!(st.deal_ops_by_epoch, empty.deal_ops_by_epoch, "nothing rescheduled");
    assert_eq!(st.find_deal_state(store, 0).unwrap().unwrap().last_updated_epoch, -1);
}

#[test]
fn terminating_a_sector_slashes_its_deals() {
    let mut w = world();
    let id = one_deal(&mut w, START, 1);
    activate(&mut w, id, 1, 7);
    let (bob, miner) = (w.net.bob.address(), Address::new_id(w.miner));
    w.net.advance(START + 1000 - w.net.epoch);
    let now = w.net.epoch;
    let params = OnMinerSectorsTerminateParams {
        epoch: now,
        sectors: BitField::try_from_bits([7, 8]).unwrap(),
    };
    // Only miners.
    let ret = w.net.send(
        &bob,
        &f05(),
        ON_MINER_SECTORS_TERMINATE_METHOD,
        Some(&params),
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);

    let (ret, code, _) =
        via(&mut w.net, w.miner, &f05(), ON_MINER_SECTORS_TERMINATE_METHOD, Some(&params));
    assert_eq!(code, ExitCode::OK);
    let bob_id = w.net.id(&bob);
    assert_eq!(market_events(&ret), vec![("deal-terminated".into(), id, bob_id, w.miner)]);
    let paid = atto(PRICE as u128 * 1000);
    let collateral = atto(PROVIDER_COLLATERAL.into());
    assert_eq!(burnt_by_market(&ret), collateral);
    assert_eq!(balance(&mut w.net, &bob), (atto(10 * FIL) - paid.clone(), TokenAmount::default()));
    assert_eq!(
        balance(&mut w.net, &miner),
        (atto(10 * FIL) + paid - collateral, TokenAmount::default())
    );
    assert_eq!(code_of(&mut w.net, GET_DEAL_ACTIVATION_METHOD, &id), EX_DEAL_EXPIRED);
    let st = state(&mut w.net);
    assert!(st.sector_deals(w.net.exec.store(), w.miner, 7).unwrap().is_empty());
    assert_eq!(st.total_locked(), TokenAmount::default());
}

#[test]
fn getters_answer_17_32_and_33_as_the_network() {
    let mut w = world();
    let id = one_deal(&mut w, START, 1);
    let bob = w.net.bob.address();
    let bob_id = w.net.id(&bob);
    let all = [
        GET_DEAL_DATA_COMMITMENT_METHOD,
        GET_DEAL_CLIENT_METHOD,
        GET_DEAL_PROVIDER_METHOD,
        GET_DEAL_LABEL_METHOD,
        GET_DEAL_TERM_METHOD,
        GET_DEAL_TOTAL_PRICE_METHOD,
        GET_DEAL_CLIENT_COLLATERAL_METHOD,
        GET_DEAL_PROVIDER_COLLATERAL_METHOD,
        GET_DEAL_VERIFIED_METHOD,
        GET_DEAL_ACTIVATION_METHOD,
        GET_DEAL_SECTOR_METHOD,
    ];
    for method in all {
        assert_eq!(code_of(&mut w.net, method, &5u64), ExitCode::USR_NOT_FOUND, "{method}");
    }
    fn value<T: serde::de::DeserializeOwned>(net: &mut Net, method: u64, id: u64) -> T {
        let (code, bytes) = get(net, method, &id);
        assert_eq!(code, ExitCode::OK, "{method}");
        fvm_ipld_encoding::from_slice(&bytes).unwrap()
    }
    let net = &mut w.net;
    let commitment: GetDealDataCommitmentReturn = value(net, GET_DEAL_DATA_COMMITMENT_METHOD, id);
    assert_eq!(
        commitment,
        GetDealDataCommitmentReturn { data: piece(1), size: PaddedPieceSize(2048) }
    );
    assert_eq!(value::<u64>(net, GET_DEAL_CLIENT_METHOD, id), bob_id);
    assert_eq!(value::<u64>(net, GET_DEAL_PROVIDER_METHOD, id), w.miner);
    let (_, label) = get(net, GET_DEAL_LABEL_METHOD, &id);
    assert_eq!(label.to_vec(), b"\x66deal 1".to_vec(), "a text label is a CBOR text string");
    let term: GetDealTermReturn = value(net, GET_DEAL_TERM_METHOD, id);
    assert_eq!(term, GetDealTermReturn { start: START, duration: DURATION });
    let total: TokenAmount = value(net, GET_DEAL_TOTAL_PRICE_METHOD, id);
    assert_eq!(total, atto(PRICE as u128 * DURATION as u128));
    let cc: TokenAmount = value(net, GET_DEAL_CLIENT_COLLATERAL_METHOD, id);
    assert_eq!(cc, atto(CLIENT_COLLATERAL.into()));
    let pc: TokenAmount = value(net, GET_DEAL_PROVIDER_COLLATERAL_METHOD, id);
    assert_eq!(pc, atto(PROVIDER_COLLATERAL.into()));
    assert!(!value::<bool>(net, GET_DEAL_VERIFIED_METHOD, id));
    let activation: GetDealActivationReturn = value(net, GET_DEAL_ACTIVATION_METHOD, id);
    assert_eq!(activation, GetDealActivationReturn { activated: -1, terminated: -1 });
    assert_eq!(code_of(net, GET_DEAL_SECTOR_METHOD, &id), EX_DEAL_NOT_ACTIVATED);
    // A byte label comes back as CBOR bytes.
    let bytes_label: Label = fvm_ipld_encoding::from_slice(&[0x42, 0xca, 0xfe]).unwrap();
    assert_eq!(bytes_label, Label::Bytes(vec![0xca, 0xfe]));
    assert_eq!(fvm_ipld_encoding::to_vec(&bytes_label).unwrap(), vec![0x42, 0xca, 0xfe]);
}

#[test]
fn sector_methods_check_deals_and_compute_commd() {
    let mut w = world();
    let id = one_deal(&mut w, START, 1);
    let proof = RegisteredSealProof::StackedDRG2KiBV1P1;
    let end = START + DURATION;
    let sector = |n, deal_ids: Vec<u64>, expiry| SectorDeals {
        sector_number: n,
        sector_type: proof,
        sector_expiry: expiry,
        deal_ids,
    };
    let verify = |w: &mut World, sectors: Vec<SectorDeals>| {
        let p = VerifyDealsForActivationParams { sectors };
        via(&mut w.net, w.miner, &f05(), VERIFY_DEALS_FOR_ACTIVATION_METHOD, Some(&p))
    };
    let (_, code, data) = verify(&mut w, vec![sector(1, vec![id], end), sector(2, vec![], end)]);
    assert_eq!(code, ExitCode::OK);
    let out: VerifyDealsForActivationReturn = fvm_ipld_encoding::from_slice(&data).unwrap();
    // One full-size piece: the sector's CommD is the piece's commitment.
    assert_eq!(out.unsealed_cids, vec![Some(piece(1)), None]);
    assert_eq!(
        verify(&mut w, vec![sector(1, vec![id, id], end)]).1,
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    assert_eq!(verify(&mut w, vec![sector(1, vec![7], end)]).1, ExitCode::USR_NOT_FOUND);
    assert_eq!(
        verify(&mut w, vec![sector(1, vec![id], end - 1)]).1,
        ExitCode::USR_ILLEGAL_ARGUMENT
    );

    let p = BatchActivateDealsParams {
        sectors: vec![sector(1, vec![id], end), sector(2, vec![id], end), sector(3, vec![9], end)],
        compute_cid: true,
    };
    let (ret, code, data) = via(&mut w.net, w.miner, &f05(), BATCH_ACTIVATE_DEALS_METHOD, Some(&p));
    assert_eq!(code, ExitCode::OK);
    let out: BatchActivateDealsResult = fvm_ipld_encoding::from_slice(&data).unwrap();
    assert_eq!(
        out.activation_results.codes(),
        vec![ExitCode::OK, ExitCode::USR_ILLEGAL_ARGUMENT, ExitCode::USR_NOT_FOUND]
    );
    let bob = w.net.bob.address();
    let bob_id = w.net.id(&bob);
    let activated = ActivatedDeal {
        client: bob_id,
        allocation_id: NO_ALLOCATION_ID,
        data: piece(1),
        size: PaddedPieceSize(2048),
    };
    assert_eq!(
        out.activations,
        vec![SectorDealActivation { activated: vec![activated], unsealed_cid: Some(piece(1)) }]
    );
    assert_eq!(market_events(&ret), vec![("deal-activated".into(), id, bob_id, w.miner)]);
}

#[test]
fn state_layout_is_the_networks() {
    let mut w = world();
    let st = state(&mut w.net);
    let store = w.net.exec.store();
    let amt = |bw| fvm_ipld_amt::Amt::<(), _>::new_with_bit_width(store, bw).flush().unwrap();
    let hamt = fvm_ipld_hamt::Hamt::<_, (), fvm_ipld_hamt::BytesKey>::new_with_bit_width(store, 5)
        .flush()
        .unwrap();
    assert_eq!(st.proposals, amt(5));
    assert_eq!(st.states, amt(6));
    assert_ne!(st.proposals, st.states, "the AMT root records its bit width");
    for root in [
        st.pending_proposals,
        st.escrow_table,
        st.locked_table,
        st.deal_ops_by_epoch,
        st.pending_deal_allocation_ids,
        st.provider_sectors,
    ] {
        assert_eq!(root, hamt);
    }
    assert_eq!(hamt.to_string(), "bafy2bzaceamp42wmmgr2g2ymg46euououzfyck7szknvfacqscohrvaikwfay");
    assert_eq!((st.next_id, st.last_cron), (0, -1));
    assert_eq!(st.total_locked(), TokenAmount::default());
    // Thirteen fields, as a CBOR tuple.
    let raw = fvm_ipld_encoding::to_vec(&st).unwrap();
    assert_eq!(raw[0], 0x8d);
    // A proposal is an 11-tuple whose CID is tag 42 and whose label keeps its major type.
    let p = proposal(Address::new_id(100), 1000, START, 1);
    let bytes = fvm_ipld_encoding::to_vec(&p).unwrap();
    assert_eq!(&bytes[..3], &[0x8b, 0xd8, 0x2a]);
}
