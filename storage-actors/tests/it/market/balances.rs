//! Escrow: who may add and withdraw, where a miner's withdrawal goes, and what stays locked.

use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use storage_actors::market::*;
use storage_actors::plumbing::method_hash;

use super::*;
use crate::harness::{FIL, Key, assert_exit, decode};

#[test]
fn method_numbers_are_the_networks() {
    for (number, name) in [
        (ADD_BALANCE_EXPORTED, "AddBalance"),
        (WITHDRAW_BALANCE_EXPORTED, "WithdrawBalance"),
        (PUBLISH_STORAGE_DEALS_EXPORTED, "PublishStorageDeals"),
        (GET_BALANCE_METHOD, "GetBalance"),
        (GET_DEAL_DATA_COMMITMENT_METHOD, "GetDealDataCommitment"),
        (GET_DEAL_CLIENT_METHOD, "GetDealClient"),
        (GET_DEAL_PROVIDER_METHOD, "GetDealProvider"),
        (GET_DEAL_LABEL_METHOD, "GetDealLabel"),
        (GET_DEAL_TERM_METHOD, "GetDealTerm"),
        (GET_DEAL_TOTAL_PRICE_METHOD, "GetDealTotalPrice"),
        (GET_DEAL_CLIENT_COLLATERAL_METHOD, "GetDealClientCollateral"),
        (GET_DEAL_PROVIDER_COLLATERAL_METHOD, "GetDealProviderCollateral"),
        (GET_DEAL_VERIFIED_METHOD, "GetDealVerified"),
        (GET_DEAL_ACTIVATION_METHOD, "GetDealActivation"),
        (GET_DEAL_SECTOR_METHOD, "GetDealSector"),
        (SETTLE_DEAL_PAYMENTS_METHOD, "SettleDealPayments"),
        (SECTOR_CONTENT_CHANGED_METHOD, "SectorContentChanged"),
        (MARKET_NOTIFY_DEAL_METHOD, "MarketNotifyDeal"),
        (ext::MINER_IS_CONTROLLING_ADDRESS_METHOD, "IsControllingAddress"),
    ] {
        assert_eq!(number, method_hash(name), "{name}");
    }
}

#[test]
fn clients_add_and_withdraw_their_own_escrow() {
    let mut w = world();
    let net = &mut w.net;
    let (alice, bob) = (net.alice.address(), net.bob.address());
    // Anyone may fund anyone; the exported number works from a contract too.
    assert_exit(&fund(net, &alice, &bob, 3 * FIL), ExitCode::OK);
    let (code, _) = net.contract_call(
        &f05(),
        ADD_BALANCE_EXPORTED,
        Some(&bob),
        TokenAmount::from_atto(2 * FIL),
    );
    assert_eq!(code, ExitCode::OK);
    assert_eq!(balance(net, &bob), (TokenAmount::from_atto(5 * FIL), TokenAmount::default()));

    // Nothing to add, or nobody to add it to.
    assert_exit(&fund(net, &bob, &bob, 0), ExitCode::USR_ILLEGAL_ARGUMENT);
    let nobody = Key::secp(77).address();
    assert_exit(&fund(net, &bob, &nobody, FIL), ExitCode::USR_ILLEGAL_ARGUMENT);
    let (code, _) = get(net, GET_BALANCE_METHOD, &nobody);
    assert_eq!(code, ExitCode::USR_ILLEGAL_ARGUMENT);

    // Only the client withdraws its escrow, never a negative amount, at most what it has.
    let params =
        WithdrawBalanceParams { provider_or_client: bob, amount: TokenAmount::from_atto(FIL) };
    let ret =
        net.send(&alice, &f05(), WITHDRAW_BALANCE_METHOD, Some(&params), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let negative = WithdrawBalanceParams { amount: TokenAmount::from_atto(-1), ..params.clone() };
    let ret =
        net.send(&bob, &f05(), WITHDRAW_BALANCE_METHOD, Some(&negative), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    let market_before = net.balance(&f05());
    let ret =
        net.send(&bob, &f05(), WITHDRAW_BALANCE_METHOD, Some(&params), TokenAmount::default());
    assert_eq!(decode::<TokenAmount>(&ret), TokenAmount::from_atto(FIL));
    assert_eq!(net.balance(&f05()), market_before - TokenAmount::from_atto(FIL));
    let all = WithdrawBalanceParams { amount: TokenAmount::from_atto(100 * FIL), ..params };
    let ret = net.send(&bob, &f05(), WITHDRAW_BALANCE_EXPORTED, Some(&all), TokenAmount::default());
    assert_eq!(decode::<TokenAmount>(&ret), TokenAmount::from_atto(4 * FIL));
    assert_eq!(balance(net, &bob), (TokenAmount::default(), TokenAmount::default()));
}

#[test]
fn a_miners_escrow_is_withdrawn_by_owner_or_worker_to_the_owner() {
    let mut w = world();
    let (alice, bob, carol) = (w.net.alice.address(), w.net.bob.address(), w.net.carol.address());
    let miner = Address::new_id(w.miner);
    // Owner alice, worker carol.
    w.net.script_answer(
        w.miner,
        ext::MINER_CONTROL_ADDRESSES_METHOD,
        &(alice, carol, Vec::<Address>::new()),
    );
    assert_exit(&fund(&mut w.net, &bob, &miner, 5 * FIL), ExitCode::OK);
    assert_eq!(balance(&mut w.net, &miner).0, TokenAmount::from_atto(5 * FIL));

    let params = WithdrawBalanceParams {
        provider_or_client: miner,
        amount: TokenAmount::from_atto(2 * FIL),
    };
    // Bob (who funded it) is neither owner nor worker.
    let ret =
        w.net.send(&bob, &f05(), WITHDRAW_BALANCE_METHOD, Some(&params), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    // The worker withdraws; the owner receives.
    let owner_before = w.net.balance(&alice);
    let ret =
        w.net.send(&carol, &f05(), WITHDRAW_BALANCE_METHOD, Some(&params), TokenAmount::default());
    assert_eq!(decode::<TokenAmount>(&ret), TokenAmount::from_atto(2 * FIL));
    assert_eq!(w.net.balance(&alice), owner_before + TokenAmount::from_atto(2 * FIL));
    assert_eq!(balance(&mut w.net, &miner).0, TokenAmount::from_atto(3 * FIL));
}

#[test]
fn locked_funds_cannot_be_withdrawn() {
    let mut w = world();
    let id = one_deal(&mut w, 200, 1);
    assert_eq!(id, 0);
    let (alice, bob) = (w.net.alice.address(), w.net.bob.address());
    let miner = Address::new_id(w.miner);
    let (escrow, locked) = balance(&mut w.net, &bob);
    assert_eq!((escrow.clone(), locked.clone()), (TokenAmount::from_atto(10 * FIL), client_lock()));
    let all = TokenAmount::from_atto(100 * FIL);
    let params = WithdrawBalanceParams { provider_or_client: bob, amount: all.clone() };
    let ret =
        w.net.send(&bob, &f05(), WITHDRAW_BALANCE_METHOD, Some(&params), TokenAmount::default());
    assert_eq!(decode::<TokenAmount>(&ret), escrow - &locked);
    assert_eq!(balance(&mut w.net, &bob), (locked.clone(), locked));

    let params = WithdrawBalanceParams { provider_or_client: miner, amount: all };
    let ret =
        w.net.send(&alice, &f05(), WITHDRAW_BALANCE_METHOD, Some(&params), TokenAmount::default());
    let provider_lock = TokenAmount::from_atto(PROVIDER_COLLATERAL);
    assert_eq!(decode::<TokenAmount>(&ret), TokenAmount::from_atto(10 * FIL) - &provider_lock);
    assert_eq!(balance(&mut w.net, &miner), (provider_lock.clone(), provider_lock));
}
