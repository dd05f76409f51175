//! The storage market (f05) through the VM: escrow, publication by a miner stand-in's control
//! address with f1, f3 and contract clients, activation by the miner's notification, payments,
//! cron timeouts, termination, the exported getters, and the state layout.
//!
//! Reward (f02) and power (f04) are stand-ins here whose `ThisEpochReward` and
//! `CurrentTotalPower` answers are scripted, so the provider collateral floor is known.

mod balances;
mod lifecycle;
mod publish;
mod verified;

use cid::Cid;
use filecoin_vm::genesis::install_singleton;
use filecoin_vm::{ApplyRet, BuiltinType};
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::bigint::bigint_ser::BigIntSer;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::{ActorID, EMPTY_ARR_CID, MethodNum};
use multihash_codetable::Code;
use serde::Serialize;
use storage_actors::cron::{CronEntry, CronState};
use storage_actors::market::{self, *};
use storage_actors::{CRON_ACTOR_ID, MARKET_ACTOR_ID, POWER_ACTOR_ID, genesis};

use crate::harness::{CONTRACT_RUN, FIL, Forward, Key, Net, decode};

/// Baseline power the reward stand-in reports (1 TiB), above the network's raw power.
pub(super) const BASELINE_POWER: u64 = 1 << 40;
/// Network raw power the power stand-in reports.
pub(super) const RAW_POWER: u64 = 1 << 30;
/// Price per epoch of the test deals.
pub(super) const PRICE: u64 = 1_000_000_000;
/// Client collateral of the test deals.
pub(super) const CLIENT_COLLATERAL: u64 = 1_000_000_000_000;
/// Provider collateral of the test deals.
pub(super) const PROVIDER_COLLATERAL: u64 = 1_000_000_000_000_000;
/// Shortest allowed deal.
pub(super) const DURATION: i64 = 518_400;

/// The world of a market test: the net, the miner stand-in (owner and worker alice) and
/// its (second) rival miner.
pub(super) struct World {
    pub net: Net,
    pub miner: ActorID,
    pub other_miner: ActorID,
}

pub(super) fn f05() -> Address {
    Address::new_id(MARKET_ACTOR_ID)
}

/// A net with the market, cron ticking it, reward/power stand-ins and two miner stand-ins.
pub(super) fn world() -> World {
    world_with(|_| {})
}

/// [`world`], with `extra` applied to its genesis after the storage actors are installed.
pub(super) fn world_with(
    extra: impl FnOnce(&mut filecoin_vm::StateTree<filecoin_vm::SharedStore>),
) -> World {
    let mut miners = (0, 0);
    let mut net = Net::with_genesis(|tree| {
        genesis::install(tree).unwrap();
        extra(tree);
        let entries = vec![CronEntry { receiver: f05(), method_num: CRON_TICK_METHOD }];
        let cron = tree.store().put_cbor(&CronState { entries }, Code::Blake2b256).unwrap();
        install_singleton(tree, CRON_ACTOR_ID, BuiltinType::Cron.code_cid(), cron);
        let state = market::genesis_state(&tree.store()).unwrap();
        install_singleton(tree, MARKET_ACTOR_ID, BuiltinType::Market.code_cid(), state);
        for id in [filecoin_vm::REWARD_ACTOR_ID, POWER_ACTOR_ID] {
            install_singleton(tree, id, BuiltinType::Evm.code_cid(), EMPTY_ARR_CID);
        }
        let balance = TokenAmount::from_atto(100 * FIL);
        miners.0 = crate::harness::install_actor(tree, BuiltinType::Miner, balance.clone());
        miners.1 = crate::harness::install_actor(tree, BuiltinType::Miner, balance);
    });
    let zero = BigInt::from(0);
    let baseline = BigInt::from(BASELINE_POWER);
    let reward = ((BigIntSer(&zero), BigIntSer(&zero)), BigIntSer(&baseline));
    net.script_answer(filecoin_vm::REWARD_ACTOR_ID, 3, &reward);
    let raw = BigInt::from(RAW_POWER);
    let power = (
        BigIntSer(&raw),
        BigIntSer(&raw),
        TokenAmount::default(),
        (BigIntSer(&zero), BigIntSer(&zero)),
        0i64,
        0u64,
    );
    net.script_answer(POWER_ACTOR_ID, 9, &power);
    let alice = net.alice.address();
    for miner in [miners.0, miners.1] {
        net.script_answer(miner, ext::MINER_IS_CONTROLLING_ADDRESS_METHOD, &true);
        net.script_answer(
            miner,
            ext::MINER_CONTROL_ADDRESSES_METHOD,
            &(alice, alice, Vec::<Address>::new()),
        );
    }
    World { net, miner: miners.0, other_miner: miners.1 }
}

/// A piece CID whose digest is `n` repeated.
pub(super) fn piece(n: u8) -> Cid {
    commd::piece_cid(&[n & 0x3f; 32]).unwrap()
}

/// A valid 2 KiB deal for `client` with `provider`, starting `start`, for [`DURATION`].
pub(super) fn proposal(client: Address, provider: ActorID, start: i64, n: u8) -> DealProposal {
    DealProposal {
        piece_cid: piece(n),
        piece_size: PaddedPieceSize(2048),
        verified_deal: false,
        client,
        provider: Address::new_id(provider),
        label: Label::String(format!("deal {n}")),
        start_epoch: start,
        end_epoch: start + DURATION,
        storage_price_per_epoch: TokenAmount::from_atto(PRICE),
        provider_collateral: TokenAmount::from_atto(PROVIDER_COLLATERAL),
        client_collateral: TokenAmount::from_atto(CLIENT_COLLATERAL),
    }
}

/// `proposal` signed by `key`.
pub(super) fn signed(key: &Key, proposal: DealProposal) -> ClientDealProposal {
    let signature = key.sign(&fvm_ipld_encoding::to_vec(&proposal).unwrap());
    ClientDealProposal { proposal, client_signature: signature }
}

/// What a client locks for one test deal.
pub(super) fn client_lock() -> TokenAmount {
    TokenAmount::from_atto(PRICE as u128 * DURATION as u128 + CLIENT_COLLATERAL as u128)
}

/// Alice (the miners' owner and worker) adds `atto` to `who`'s escrow.
pub(super) fn fund(net: &mut Net, from: &Address, who: &Address, atto: u128) -> ApplyRet {
    net.send(from, &f05(), ADD_BALANCE_METHOD, Some(who), TokenAmount::from_atto(atto))
}

/// Publishes `deals` from alice (the miner's worker).
pub(super) fn publish(net: &mut Net, deals: Vec<ClientDealProposal>) -> ApplyRet {
    let alice = net.alice.address();
    let params = PublishStorageDealsParams { deals };
    net.send(&alice, &f05(), PUBLISH_STORAGE_DEALS_METHOD, Some(&params), TokenAmount::default())
}

/// Funds bob and the miner and publishes one deal from bob; returns its ID.
pub(super) fn one_deal(w: &mut World, start: i64, n: u8) -> DealID {
    let bob = w.net.bob.address();
    let miner = Address::new_id(w.miner);
    assert!(fund(&mut w.net, &bob, &bob, 10 * FIL).receipt.exit_code.is_success());
    let alice = w.net.alice.address();
    assert!(fund(&mut w.net, &alice, &miner, 10 * FIL).receipt.exit_code.is_success());
    let key = w.net.bob.clone();
    let ret: PublishStorageDealsReturn =
        decode(&publish(&mut w.net, vec![signed(&key, proposal(bob, w.miner, start, n))]));
    ret.ids[0]
}

/// Has the stand-in `via` call `to` and returns the whole receipt (events included); the
/// callee's exit code and return bytes are the receipt's return.
pub(super) fn via<P: Serialize>(
    net: &mut Net,
    via: ActorID,
    to: &Address,
    method: MethodNum,
    params: Option<&P>,
) -> (ApplyRet, fvm_shared::error::ExitCode, RawBytes) {
    let fwd = Forward {
        to: *to,
        method,
        params: params.map(|p| RawBytes::new(fvm_ipld_encoding::to_vec(p).unwrap())),
        value: TokenAmount::default(),
    };
    let alice = net.alice.address();
    let ret =
        net.send(&alice, &Address::new_id(via), CONTRACT_RUN, Some(&fwd), TokenAmount::default());
    let (code, data): (u32, RawBytes) = decode(&ret);
    (ret, fvm_shared::error::ExitCode::new(code), data)
}

/// A getter called by the contract stand-in: exit code and return bytes.
pub(super) fn get<P: Serialize>(
    net: &mut Net,
    method: MethodNum,
    params: &P,
) -> (fvm_shared::error::ExitCode, RawBytes) {
    net.contract_call(&f05(), method, Some(params), TokenAmount::default())
}

/// `GetBalance` of `who`: (escrow, locked).
pub(super) fn balance(net: &mut Net, who: &Address) -> (TokenAmount, TokenAmount) {
    let (code, bytes) = get(net, GET_BALANCE_METHOD, who);
    assert!(code.is_success(), "GetBalance failed: {code:?}");
    let r: GetBalanceReturn = fvm_ipld_encoding::from_slice(&bytes).unwrap();
    (r.balance, r.locked)
}

/// The market's events in a receipt: (type, id, client, provider).
pub(super) fn market_events(ret: &ApplyRet) -> Vec<(String, u64, u64, u64)> {
    ret.events
        .iter()
        .filter(|e| e.emitter == MARKET_ACTOR_ID)
        .map(|e| {
            let entries = &e.event.entries;
            assert_eq!(entries.len(), 4);
            assert!(entries.iter().all(|x| x.flags.bits() == 3 && x.codec == 0x51));
            let keys: Vec<&str> = entries.iter().map(|x| x.key.as_str()).collect();
            assert_eq!(keys, ["$type", "id", "client", "provider"]);
            let kind: String = fvm_ipld_encoding::from_slice(&entries[0].value).unwrap();
            let n = |i: usize| fvm_ipld_encoding::from_slice::<u64>(&entries[i].value).unwrap();
            (kind, n(1), n(2), n(3))
        })
        .collect()
}

/// The market's state.
pub(super) fn state(net: &mut Net) -> MarketState {
    net.state(&f05())
}

/// FIL the market burnt (sent to f099) in a message, anywhere in its call tree.
pub(super) fn burnt_by_market(ret: &ApplyRet) -> TokenAmount {
    fn walk(call: &filecoin_vm::CallTrace, sum: &mut TokenAmount) {
        if call.from == MARKET_ACTOR_ID && call.to_id == Some(filecoin_vm::BURNT_FUNDS_ACTOR_ID) {
            *sum += &call.value;
        }
        call.subcalls.iter().for_each(|c| walk(c, sum));
    }
    let mut sum = TokenAmount::default();
    if let Some(trace) = &ret.trace {
        walk(trace, &mut sum);
    }
    sum
}
