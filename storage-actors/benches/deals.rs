//! Storage deals at scale (issue 14), on states built with real messages through the real
//! actors: reward, power, market, cron and a real storage miner (f1 owner, BLS worker, 2 KiB
//! sectors, the devnet proof rule); no stand-ins. Clients are 10 f1 accounts whose deal
//! signatures the market checks through `AuthenticateMessage`; the worker publishes 100 deals
//! a message, pre-commits 256 sectors a message (`PreCommitSectorBatch2`, CommD = the deal's
//! piece) and proves 256 a message (`ProveCommitSectors3` with one aggregate proof and a piece
//! manifest per sector that notifies the market, which activates the deal). Each state is
//! built once (about 2 s for 10,000 deals) and every iteration runs on a fresh executor over
//! its root, so nothing carries over.
//!
//! - `market_cron_1000_deals/{activated,timed_out}`: the market's `CronTick` (called from f03,
//!   as cron calls it) and the state flush, over 1,000 deals coming due: activated ones are
//!   dropped from the pending proposals; unactivated ones time out (client funds unlocked,
//!   provider collateral burnt, deal removed). Deal IDs spread the market's cron work over 30
//!   days (deal `id` is looked at on the first epoch ≥ its start that is ≡ `id` mod 86,400), so
//!   an epoch has a second deal due only once 86,400 more deals were published: 1,000 come due
//!   in one tick only when it covers 1,000 epochs, as the node's tick after 999 null rounds
//!   does. That is what is measured (last tick at 86,399, deals due at 86,400…87,399, tick at
//!   87,399).
//! - `empty_tipset_10000_deals/*`: what the node does at the end of an empty tipset
//!   (`chain/src/miner.rs` `end_epoch`): `AwardBlockReward` to the miner, cron's `EpochTick`
//!   (power's `OnEpochTickEnd` → the miner's deadline callback when due → reward's
//!   `UpdateNetworkKPI`; then the market's `CronTick`), and the state flush, on a state with
//!   10,000 active deals in 10,000 proven sectors of one miner (a full proving period of
//!   Window PoSts, 3 partitions a message, was run so every sector has power). `typical_epoch`
//!   is mid-deadline (no miner callback; one deal due at the market); `deadline_close` is the
//!   last epoch of a deadline (108 partitions, 216 sectors) whose proofs were all submitted;
//!   `deadline_close_missed_post` the same epoch when they were not (216 sectors turn faulty,
//!   power drops): the worst end of epoch of the proving period.
//!
//! Medians on this 2-vCPU VM, 2026-12-05 (`bench` profile, fat LTO; three runs, other
//! builds sharing the machine):
//!
//! | bench | medians | gas |
//! |---|---|---|
//! | `market_cron_1000_deals/activated` | 46.0, 44.4, 46.1 ms | 10.0 G |
//! | `market_cron_1000_deals/timed_out` | 77.2, 84.6, 80.7 ms | 24.3 G |
//! | `empty_tipset_10000_deals/typical_epoch` | 0.20, 0.21, 0.23 ms | 56 M |
//! | `empty_tipset_10000_deals/deadline_close` | 0.27, 0.28, 0.30 ms | 75 M |
//! | `empty_tipset_10000_deals/deadline_close_missed_post` | 1.58, 1.62, 1.67 ms | 598 M |
//!
//! The tipset is far inside the 50 ms budget. The market's tick costs about 45 µs
//! per activated deal and 80 µs per timed-out one, because every deal reloads, and every
//! removal re-flushes, whole tables (`perf` of a non-LTO build; activated:
//! `MarketState::find_proposal` reloads the proposals AMT and decodes a 32-proposal leaf per
//! deal, 33 %; `remove_pending_proposal` loads, deletes from and flushes the pending HAMT per
//! deal, 26 %; `deals_at_epoch` reloads the deal-ops HAMT per epoch, 25 %; `find_deal_state`
//! reloads the states AMT per deal, 10 %; timed out: `active_or_timeout` 69 %, in
//! `remove_proposal`, `remove_pending_proposal` and four `unlock`/`slash` load-and-flush
//! cycles of the balance tables per deal). Loading each table once per tick would remove most
//! of it.
//!
//! `cargo bench -p storage-actors --bench deals` (setup output prints each state's build
//! time, the measured tick's gas, and the cron call tree with each call's gas)

#![allow(missing_docs)] // criterion_group! generates undocumented items

mod common;
#[path = "deals/world.rs"]
mod world;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cid::Cid;
use common::{
    AWARD_GAS_LIMIT, CRON_GAS_LIMIT, Chain, Store, address, beacon_digest, chain_digest, decode,
    implicit, secp_key, sign,
};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use filecoin_vm::accounts::create_account;
use filecoin_vm::trace::CallTrace;
use filecoin_vm::{ActorRegistry, ApplyKind, ApplyRet, Executor, REWARD_ACTOR_ID, SYSTEM_ACTOR_ID};
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::randomness::Randomness;
use fvm_shared::sector::{
    PoStProof, RegisteredAggregateProof, RegisteredPoStProof, RegisteredSealProof, SectorInfo,
    StoragePower,
};
use storage_actors::market::policy::MIN_DEAL_DURATION;
use storage_actors::market::{
    ADD_BALANCE_METHOD, CRON_TICK_METHOD, ClientDealProposal, DealID, DealProposal, Label,
    MarketState, PUBLISH_STORAGE_DEALS_METHOD, PublishStorageDealsParams,
    PublishStorageDealsReturn, commd,
};
use storage_actors::miner::deadline_info::DeadlineInfo;
use storage_actors::miner::partition::Partition;
use storage_actors::miner::policy::{
    EPOCHS_IN_DAY, MAX_PROVE_COMMIT_DURATION, MIN_SECTOR_EXPIRATION, POSTED_PARTITIONS_MAX,
    PRE_COMMIT_CHALLENGE_DELAY, WPOST_PROVING_PERIOD,
};
use storage_actors::miner::proofs::expected_window_post_proof;
use storage_actors::miner::records::SectorPreCommitInfo;
use storage_actors::miner::state::MinerState;
use storage_actors::miner::types::{
    DataActivationNotification, PRE_COMMIT_SECTOR_BATCH2_METHOD, PROVE_COMMIT_SECTORS3_METHOD,
    PieceActivationManifest, PoStPartition, PreCommitSectorBatch2Params, ProveCommitSectors3Params,
    SUBMIT_WINDOWED_POST_METHOD, SectorActivationManifest, SubmitWindowedPoStParams,
};
use storage_actors::plumbing::{DomainSeparationTag, draw_randomness};
use storage_actors::power::{
    CREATE_MINER_METHOD, CreateMinerParams, CreateMinerReturn, PowerState,
};
use storage_actors::reward::{AWARD_BLOCK_REWARD_METHOD, AwardBlockRewardParams};
use storage_actors::{CRON_ACTOR_ID, MARKET_ACTOR_ID, POWER_ACTOR_ID, genesis};
use world::world;

/// f1 clients; deal `n` is client `n % CLIENTS`'s.
const CLIENTS: usize = 10;
/// Deals per `PublishStorageDeals`.
const PUBLISH_BATCH: usize = 100;
/// Sectors per `PreCommitSectorBatch2` (the network's batch limit).
const PRE_COMMIT_BATCH: usize = 256;
/// Sectors per `ProveCommitSectors3`, with one aggregate proof (256 single proofs would be
/// 10.75 billion gas, over the block limit).
const PROVE_BATCH: usize = 256;
/// Epoch of the genesis tipset's successor, where setup starts.
const FIRST_EPOCH: ChainEpoch = 100;
const PRICE_PER_EPOCH: u128 = 1_000_000_000;
const CLIENT_COLLATERAL: u128 = 1_000_000_000_000;
const PROVIDER_COLLATERAL: u128 = 1_000_000_000_000_000;
const SEAL: RegisteredSealProof = RegisteredSealProof::StackedDRG2KiBV1P1;
const POST: RegisteredPoStProof = RegisteredPoStProof::StackedDRGWindow2KiBV1P1;

/// Deals whose cron epochs the market's 1,000-deal tick covers.
const CRON_DEALS: usize = 1_000;
/// Their start: a multiple of the 30-day deal-update interval, so deal `id` (0…999) is due at
/// `CRON_START + id`.
const CRON_START: ChainEpoch = 86_400;
/// Active deals in the tipset bench.
const TIPSET_DEALS: usize = 10_000;
/// Their start, after their activation: deal `id` ≥ 1,000 is due at epoch `id`, so each
/// measured epoch (in the 3,000s to 6,000s) has one deal due, as a busy market has.
const TIPSET_START: ChainEpoch = 1_000;

/// The node's end of a tipset (`chain/src/miner.rs` `end_epoch`): `AwardBlockReward` to the
/// block's miner, then cron's `EpochTick` (power's `OnEpochTickEnd` with the miners' deadline
/// callbacks and reward's `UpdateNetworkKPI`, then the market's `CronTick`).
fn end_epoch(exec: &mut Executor<Store>, miner: &Address) -> (ApplyRet, ApplyRet) {
    let award = AwardBlockRewardParams {
        miner: *miner,
        penalty: TokenAmount::default(),
        gas_reward: TokenAmount::default(),
        win_count: 1,
    };
    let award = implicit(
        SYSTEM_ACTOR_ID,
        REWARD_ACTOR_ID,
        AWARD_BLOCK_REWARD_METHOD,
        RawBytes::serialize(&award).unwrap(),
        AWARD_GAS_LIMIT,
    );
    let tick = implicit(
        SYSTEM_ACTOR_ID,
        CRON_ACTOR_ID,
        storage_actors::cron::EPOCH_TICK_METHOD,
        RawBytes::default(),
        CRON_GAS_LIMIT,
    );
    let award = exec.apply_message(&award, ApplyKind::Implicit).unwrap();
    assert!(award.receipt.exit_code.is_success(), "award: {:?}", award.failure_info);
    let tick = exec.apply_message(&tick, ApplyKind::Implicit).unwrap();
    assert!(tick.receipt.exit_code.is_success(), "cron: {:?}", tick.failure_info);
    (award, tick)
}

/// The market's `CronTick`, called as cron calls it.
fn market_cron_tick(exec: &mut Executor<Store>) -> ApplyRet {
    let (method, params) = (CRON_TICK_METHOD, RawBytes::default());
    let tick = implicit(CRON_ACTOR_ID, MARKET_ACTOR_ID, method, params, CRON_GAS_LIMIT);
    let ret = exec.apply_message(&tick, ApplyKind::Implicit).unwrap();
    assert!(ret.receipt.exit_code.is_success(), "market cron: {:?}", ret.failure_info);
    ret
}

/// Cron survives a failing entry, so a successful tick can hide a failed callback: none may.
fn assert_no_failed_call(trace: &CallTrace) {
    assert!(
        trace.exit_code.is_success() && trace.syscall_error.is_none(),
        "call to {} method {} failed: {:?} {:?}",
        trace.to,
        trace.method,
        trace.exit_code,
        trace.syscall_error
    );
    trace.subcalls.iter().for_each(assert_no_failed_call);
}

/// The gas of each call in a trace, indented by depth (setup output, to read costs by).
fn print_gas(trace: &CallTrace, depth: usize) {
    eprintln!(
        "{:indent$}{} m{}: {:.1} Mgas",
        "",
        trace.to,
        trace.method,
        trace.gas_used as f64 / 1e6,
        indent = 2 * depth + 4
    );
    if depth < 3 {
        trace.subcalls.iter().for_each(|t| print_gas(t, depth + 1));
    }
}

/// A flushed state root and the epoch to apply the next tipset's end on.
#[derive(Clone)]
struct Snapshot {
    store: Store,
    registry: Arc<ActorRegistry>,
    root: Cid,
    epoch: ChainEpoch,
    miner: Address,
}

impl Snapshot {
    fn executor(&self) -> Executor<Store> {
        common::executor(&self.store, &self.registry, &self.root, self.epoch)
    }

    fn market(&self) -> MarketState {
        let mut exec = self.executor();
        let head = exec.state_tree().get_actor(MARKET_ACTOR_ID).unwrap().unwrap().state;
        fvm_ipld_encoding::CborStore::get_cbor(&*self.store, &head).unwrap().unwrap()
    }
}

fn count_amt<V: serde::de::DeserializeOwned + serde::Serialize>(store: &Store, root: &Cid) -> u64 {
    fvm_ipld_amt::Amt::<V, _>::load(root, store).unwrap().count()
}

// ---------------------------------------------------------------------------------------------
// 1. The market's cron over 1,000 due deals.

/// 1,000 deals published from 10 f1 clients, then either activated through the real miner
/// (1,000 sectors of 2 KiB, one deal each) or left to time out. Deal IDs spread cron work over
/// the 30-day interval (deal `id` is due at the first epoch ≥ its start that is ≡ `id` mod
/// 86,400), so no epoch ever has more than one of them due; 1,000 come due in one `CronTick`
/// only when it covers 1,000 epochs, as after 999 null rounds. So the market ticks at
/// `CRON_START − 1` and next at `CRON_START + 999`, the measured tick.
fn market_cron_state(activate: bool) -> Snapshot {
    let started = Instant::now();
    let mut w = world();
    let deals = w.publish(CRON_DEALS, CRON_START);
    assert_eq!(deals.last().unwrap().0, CRON_DEALS as u64 - 1);
    if activate {
        w.chain.advance_to(FIRST_EPOCH + 1);
        w.onboard(&deals, CRON_START + MIN_DEAL_DURATION);
    }
    // Only the market is ticked from here (the miner's deadlines are not measured).
    w.chain.advance_to(CRON_START - 1);
    market_cron_tick(&mut w.chain.exec);
    w.chain.advance_to(CRON_START + CRON_DEALS as i64 - 1);
    let snapshot = w.snapshot();
    let market = snapshot.market();
    assert_eq!(market.last_cron, CRON_START - 1);
    let activated = count_amt::<storage_actors::market::DealState>(&snapshot.store, &market.states);
    assert_eq!(activated, if activate { CRON_DEALS as u64 } else { 0 });
    eprintln!(
        "market cron setup ({}): {:.1} s",
        if activate { "activated" } else { "timed out" },
        started.elapsed().as_secs_f64()
    );
    snapshot
}

fn market_cron(c: &mut Criterion) {
    let mut group = c.benchmark_group("market_cron_1000_deals");
    group.sample_size(10).measurement_time(Duration::from_secs(15));
    for (name, activate) in [("activated", true), ("timed_out", false)] {
        let s = market_cron_state(activate);
        // Once, untimed: check what the tick did, and time its parts.
        let mut exec = s.executor();
        let t = Instant::now();
        let ret = market_cron_tick(&mut exec);
        let applied = t.elapsed();
        let t = Instant::now();
        let root = exec.flush().unwrap();
        let flushed = t.elapsed();
        let after = Snapshot { root, ..s.clone() };
        let market = after.market();
        assert_eq!(market.last_cron, s.epoch);
        let proposals = count_amt::<DealProposal>(&s.store, &market.proposals);
        assert_eq!(proposals, if activate { CRON_DEALS as u64 } else { 0 });
        eprintln!(
            "market cron {name}: {:.1} Ggas, {} events; once: apply {applied:?}, flush {flushed:?}",
            ret.receipt.gas_used as f64 / 1e9,
            ret.events.len()
        );
        group.bench_function(name, |b| {
            b.iter_batched(
                || s.executor(),
                |mut exec| {
                    market_cron_tick(&mut exec);
                    exec.flush().unwrap();
                    exec
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// 2. An empty tipset on a state with 10,000 active deals.

struct TipsetStates {
    /// Mid-deadline: no miner callback due, one (activated) deal due at the market.
    typical: Snapshot,
    /// The last epoch of a deadline whose ~109 partitions were all proven.
    close_proven: Snapshot,
    /// The same deadline's last epoch when its proofs were missed: its sectors turn faulty.
    close_missed: Snapshot,
}

/// 10,000 deals (100 `PublishStorageDeals` of 100) in 10,000 sectors of 2 KiB (40 pre-commit
/// batches, 40 prove-commits), then a full proving period of Window PoSts so every sector is
/// active, then the three states measured.
fn tipset_states() -> TipsetStates {
    let started = Instant::now();
    let mut w = world();
    let deals = w.publish(TIPSET_DEALS, TIPSET_START);
    eprintln!("published {} deals: {:.1} s", deals.len(), started.elapsed().as_secs_f64());
    w.run_to(FIRST_EPOCH + 1);
    w.onboard(&deals, TIPSET_START + MIN_DEAL_DURATION);
    eprintln!("onboarded at {}: {:.1} s", w.chain.epoch, started.elapsed().as_secs_f64());
    let proven_from = w.chain.epoch;
    w.prove_until(proven_from + WPOST_PROVING_PERIOD);
    eprintln!("proving period done at {}: {:.1} s", w.chain.epoch, started.elapsed().as_secs_f64());
    let power: PowerState = w.chain.state(&Address::new_id(POWER_ACTOR_ID));
    assert_eq!(power.total_raw_byte_power, StoragePower::from(TIPSET_DEALS as u64 * 2048));
    // A deadline with partitions, at its open epoch.
    let (dl, partitions) = loop {
        let (dl, partitions) = w.partitions();
        if !partitions.is_empty() {
            break (dl, partitions);
        }
        w.prove_until(w.chain.epoch + 1);
    };
    let live: u64 = partitions.iter().map(|(_, s)| s.len()).sum();
    eprintln!("measured deadline {}: {} partitions, {live} sectors", dl.index, partitions.len());

    let mut missed = w.chain.fork();
    w.post_deadline();
    w.run_to(dl.open + 29);
    w.end_epoch();
    w.chain.advance_to(dl.open + 30);
    let typical = w.snapshot();
    w.run_to(dl.last() - 1);
    w.end_epoch();
    w.chain.advance_to(dl.last());
    let close_proven = w.snapshot();

    std::mem::swap(&mut w.chain, &mut missed);
    w.run_to(dl.last() - 1);
    w.end_epoch();
    w.chain.advance_to(dl.last());
    let close_missed = w.snapshot();
    let market = typical.market();
    let activated = count_amt::<storage_actors::market::DealState>(&typical.store, &market.states);
    assert_eq!(activated, TIPSET_DEALS as u64);
    eprintln!("tipset setup: {:.1} s", started.elapsed().as_secs_f64());
    TipsetStates { typical, close_proven, close_missed }
}

fn empty_tipset(c: &mut Criterion) {
    let states = tipset_states();
    let mut group = c.benchmark_group("empty_tipset_10000_deals");
    group.sample_size(20);
    for (name, s) in [
        ("typical_epoch", &states.typical),
        ("deadline_close", &states.close_proven),
        ("deadline_close_missed_post", &states.close_missed),
    ] {
        let mut exec = s.executor();
        let t = Instant::now();
        let (award, tick) = end_epoch(&mut exec, &s.miner);
        let applied = t.elapsed();
        let t = Instant::now();
        exec.flush().unwrap();
        let flushed = t.elapsed();
        assert_no_failed_call(award.trace.as_ref().unwrap());
        let trace = tick.trace.as_ref().unwrap();
        assert_no_failed_call(trace);
        eprintln!(
            "{name} at {}: award {:.1} Mgas, cron {:.1} Mgas; once: apply {applied:?}, flush \
             {flushed:?}",
            s.epoch,
            award.receipt.gas_used as f64 / 1e6,
            tick.receipt.gas_used as f64 / 1e6
        );
        print_gas(trace, 0);
        group.bench_function(name, |b| {
            b.iter_batched(
                || s.executor(),
                |mut exec| {
                    end_epoch(&mut exec, &s.miner);
                    exec.flush().unwrap();
                    exec
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_secs(1))
}

criterion_group! {
    name = benches;
    config = config();
    targets = market_cron, empty_tipset
}
criterion_main!(benches);
