//! The power actor (f04) through the VM: miners created through init, claims and the totals
//! that count towards consensus, the cron callback queue, and the end-of-epoch freeze that
//! contracts read.

use filecoin_vm::BuiltinType;
use fvm_ipld_encoding::{BytesDe, RawBytes};
use fvm_shared::address::{Address, Protocol};
use fvm_shared::bigint::BigInt;
use fvm_shared::bigint::bigint_ser::BigIntDe;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::{RegisteredPoStProof, StoragePower};
use storage_actors::plumbing::method_hash;
use storage_actors::power::*;
use storage_actors::{POWER_ACTOR_ID, genesis};

use crate::harness::{FIL, Net, assert_exit, decode, install_actor};

const POST_2K: RegisteredPoStProof = RegisteredPoStProof::StackedDRGWindow2KiBV1P1;

fn power() -> Address {
    Address::new_id(POWER_ACTOR_ID)
}

fn net() -> Net {
    Net::with_genesis(|tree| genesis::install(tree).unwrap())
}

/// Alice creates a miner through power with `deposit`; returns its ID.
fn create_miner(net: &mut Net, deposit: u128) -> u64 {
    let alice = net.alice.address();
    let params = CreateMinerParams {
        owner: alice,
        worker: alice,
        window_post_proof_type: POST_2K,
        peer: b"peer".to_vec(),
        multiaddrs: vec![BytesDe(b"/ip4/127.0.0.1".to_vec())],
    };
    let ret = net.send(
        &alice,
        &power(),
        CREATE_MINER_METHOD,
        Some(&params),
        TokenAmount::from_atto(deposit),
    );
    let created: CreateMinerReturn = decode(&ret);
    assert_eq!(created.robust_address.protocol(), Protocol::Actor);
    created.id_address.id().unwrap()
}

fn claim_power(net: &mut Net, miner: u64, raw: i64, qa: i64) -> ExitCode {
    let params = UpdateClaimedPowerParams {
        raw_byte_delta: BigInt::from(raw),
        quality_adjusted_delta: BigInt::from(qa),
    };
    let zero = TokenAmount::default();
    net.call_via(miner, &power(), UPDATE_CLAIMED_POWER_METHOD, Some(&params), zero).0
}

fn read<R: serde::de::DeserializeOwned>(net: &mut Net, method: u64, params: Option<&u64>) -> R {
    let (code, ret) = net.contract_call(&power(), method, params, TokenAmount::default());
    assert_eq!(code, ExitCode::OK);
    fvm_ipld_encoding::from_slice(&ret).unwrap()
}

#[test]
fn method_numbers_are_the_networks() {
    for (number, name) in [
        (CREATE_MINER_EXPORTED, "CreateMiner"),
        (NETWORK_RAW_POWER_METHOD, "NetworkRawPower"),
        (MINER_RAW_POWER_METHOD, "MinerRawPower"),
        (MINER_COUNT_METHOD, "MinerCount"),
        (MINER_CONSENSUS_COUNT_METHOD, "MinerConsensusCount"),
        (MINER_POWER_METHOD, "MinerPower"),
    ] {
        assert_eq!(number, method_hash(name), "{name}");
    }
}

#[test]
fn create_miner_goes_through_init_and_records_an_empty_claim() {
    let mut net = net();
    let miner = create_miner(&mut net, 5 * FIL);
    let id = Address::new_id(miner);
    let actor = net.actor(&id).expect("the miner exists");
    assert_eq!(actor.code, BuiltinType::Miner.code_cid());
    assert_eq!(actor.balance, TokenAmount::from_atto(5 * FIL), "the deposit went to the miner");

    let st: PowerState = net.state(&power());
    assert_eq!(st.miner_count, 1);
    assert_eq!(st.miner_above_min_power_count, 0);
    let claim = st.claim(&*net.store, &id).unwrap().expect("a claim");
    assert_eq!(claim.window_post_proof_type, POST_2K);
    assert_eq!(claim.raw_byte_power, StoragePower::default());

    // Contracts read it through the exported methods.
    assert_eq!(read::<i64>(&mut net, MINER_COUNT_METHOD, None), 1);
    assert_eq!(read::<i64>(&mut net, MINER_CONSENSUS_COUNT_METHOD, None), 0);
    let p: MinerPowerReturn = read(&mut net, MINER_POWER_METHOD, Some(&miner));
    assert_eq!(p.raw_byte_power, BigInt::from(0));
    let raw: MinerRawPowerReturn = read(&mut net, MINER_RAW_POWER_METHOD, Some(&miner));
    assert!(!raw.meets_consensus_minimum, "no power, no consensus");

    // Unknown miners: MinerPower is not-found, MinerRawPower illegal-argument (as upstream).
    let zero = TokenAmount::default();
    let (code, _) = net.contract_call(&power(), MINER_POWER_METHOD, Some(&9999u64), zero.clone());
    assert_eq!(code, ExitCode::USR_NOT_FOUND);
    let (code, _) = net.contract_call(&power(), MINER_RAW_POWER_METHOD, Some(&9999u64), zero);
    assert_eq!(code, ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn contracts_use_exported_numbers_only() {
    let mut net = net();
    let alice = net.alice.address();
    let params = CreateMinerParams {
        owner: alice,
        worker: alice,
        window_post_proof_type: POST_2K,
        peer: vec![],
        multiaddrs: vec![],
    };
    let zero = TokenAmount::default();
    let (code, _) = net.contract_call(&power(), CREATE_MINER_METHOD, Some(&params), zero.clone());
    assert_eq!(code, ExitCode::USR_FORBIDDEN, "internal number from a contract");
    let (code, ret) = net.contract_call(&power(), CREATE_MINER_EXPORTED, Some(&params), zero);
    assert_eq!(code, ExitCode::OK);
    let created: CreateMinerReturn = fvm_ipld_encoding::from_slice(&ret).unwrap();
    assert!(created.id_address.id().is_ok());
}

#[test]
fn power_counts_once_a_miner_reaches_the_consensus_minimum_and_freezes_at_cron() {
    let mut net = net();
    let miner = create_miner(&mut net, FIL);
    // Half a sector: committed, below the minimum.
    assert_eq!(claim_power(&mut net, miner, 1024, 1024), ExitCode::OK);
    let st: PowerState = net.state(&power());
    assert_eq!(st.total_bytes_committed, BigInt::from(1024));
    assert_eq!(st.total_raw_byte_power, BigInt::from(0));
    assert_eq!(st.miner_above_min_power_count, 0);
    // A whole 2KiB sector reaches the devnet minimum; verified deals weigh 10×.
    assert_eq!(claim_power(&mut net, miner, 1024, 10 * 2048 - 1024), ExitCode::OK);
    let st: PowerState = net.state(&power());
    assert_eq!(st.total_raw_byte_power, BigInt::from(2048));
    assert_eq!(st.total_quality_adj_power, BigInt::from(20480));
    assert_eq!(st.miner_above_min_power_count, 1);

    // Nothing is visible to readers until the epoch ends.
    assert_eq!(read::<BigIntDe>(&mut net, NETWORK_RAW_POWER_METHOD, None).0, BigInt::from(0));
    assert_exit(&net.cron_tick(), ExitCode::OK);
    assert_eq!(read::<BigIntDe>(&mut net, NETWORK_RAW_POWER_METHOD, None).0, BigInt::from(2048));
    // CurrentTotalPower is internal: built-in actors (here the miner) read it, contracts not.
    let zero = TokenAmount::default();
    let (code, _) =
        net.contract_call::<()>(&power(), CURRENT_TOTAL_POWER_METHOD, None, zero.clone());
    assert_eq!(code, ExitCode::USR_FORBIDDEN);
    let (code, ret) = net.call_via::<()>(miner, &power(), CURRENT_TOTAL_POWER_METHOD, None, zero);
    assert_eq!(code, ExitCode::OK);
    let total: CurrentTotalPowerReturn = fvm_ipld_encoding::from_slice(&ret).unwrap();
    assert_eq!(total.quality_adj_power, BigInt::from(20480));
    assert_ne!(total.quality_adj_power_smoothed, initial_qa_power_estimate(), "filter moved");
    let raw: MinerRawPowerReturn = read(&mut net, MINER_RAW_POWER_METHOD, Some(&miner));
    assert_eq!((raw.raw_byte_power, raw.meets_consensus_minimum), (BigInt::from(2048), true));

    // Dropping below the minimum takes the whole claim out of the qualified totals.
    assert_eq!(claim_power(&mut net, miner, -1, -1), ExitCode::OK);
    let st: PowerState = net.state(&power());
    assert_eq!(st.total_raw_byte_power, BigInt::from(0));
    assert_eq!(st.total_bytes_committed, BigInt::from(2047));
    assert_eq!(st.miner_above_min_power_count, 0);
    // A claim cannot go negative.
    assert_eq!(claim_power(&mut net, miner, -4096, 0), ExitCode::USR_ILLEGAL_STATE);
}

#[test]
fn only_miners_claim_power_or_pledge_and_only_cron_ends_the_epoch() {
    let mut net = net();
    let alice = net.alice.address();
    let zero = TokenAmount::default();
    let params =
        UpdateClaimedPowerParams { raw_byte_delta: 1.into(), quality_adjusted_delta: 1.into() };
    let ret = net.send(&alice, &power(), UPDATE_CLAIMED_POWER_METHOD, Some(&params), zero.clone());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    let ret = net.send::<()>(&alice, &power(), ON_EPOCH_TICK_END_METHOD, None, zero.clone());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);

    // A miner-code actor that power did not create has no claim.
    let mut net = Net::with_genesis(|tree| {
        genesis::install(tree).unwrap();
        install_actor(tree, BuiltinType::Miner, TokenAmount::default());
    });
    let stray = net.id(&Address::new_id(net.contract)) + 1;
    let delta = TokenAmount::from_atto(5);
    let (code, _) =
        net.call_via(stray, &power(), UPDATE_PLEDGE_TOTAL_METHOD, Some(&delta), zero.clone());
    assert_eq!(code, ExitCode::USR_FORBIDDEN);
    assert_eq!(claim_power(&mut net, stray, 1, 1), ExitCode::USR_NOT_FOUND);

    // Pledge from a real miner adds up, and stops at zero (a miner reports releasing its
    // create-miner deposit, which it never reported locking).
    let miner = create_miner(&mut net, FIL);
    let (code, _) =
        net.call_via(miner, &power(), UPDATE_PLEDGE_TOTAL_METHOD, Some(&delta), zero.clone());
    assert_eq!(code, ExitCode::OK);
    let st: PowerState = net.state(&power());
    assert_eq!(st.total_pledge_collateral, delta);
    let minus = TokenAmount::from_atto(-6);
    let (code, _) = net.call_via(miner, &power(), UPDATE_PLEDGE_TOTAL_METHOD, Some(&minus), zero);
    assert_eq!(code, ExitCode::OK);
    let st: PowerState = net.state(&power());
    assert!(st.total_pledge_collateral.is_zero());
}

#[test]
fn cron_calls_miners_back_when_due_and_drops_a_miner_whose_callback_fails() {
    let mut net = net();
    let (good, bad) = (create_miner(&mut net, FIL), create_miner(&mut net, FIL));
    assert_eq!(claim_power(&mut net, bad, 2048, 2048), ExitCode::OK);
    let zero = TokenAmount::default();
    net.script_refusals(bad, &[ON_DEFERRED_CRON_EVENT_METHOD]);
    let due = net.epoch + 2;
    for (miner, payload) in [(good, b"good".to_vec()), (bad, b"bad".to_vec())] {
        let params = EnrollCronEventParams { event_epoch: due, payload: RawBytes::new(payload) };
        let (code, _) =
            net.call_via(miner, &power(), ENROLL_CRON_EVENT_METHOD, Some(&params), zero.clone());
        assert_eq!(code, ExitCode::OK);
    }
    let params = EnrollCronEventParams { event_epoch: -1, payload: RawBytes::default() };
    let (code, _) = net.call_via(good, &power(), ENROLL_CRON_EVENT_METHOD, Some(&params), zero);
    assert_eq!(code, ExitCode::USR_ILLEGAL_ARGUMENT);

    // Not due yet: no miner is called.
    let callbacks = |ret: &filecoin_vm::ApplyRet| -> Vec<(u64, u32, Vec<u8>)> {
        let trace = ret.trace.as_ref().expect("a trace");
        let mut out = Vec::new();
        let mut stack: Vec<_> = trace.subcalls.iter().collect();
        while let Some(call) = stack.pop() {
            if call.method == ON_DEFERRED_CRON_EVENT_METHOD {
                let params: DeferredCronEventParams =
                    call.params.as_ref().unwrap().deserialize().unwrap();
                out.push((call.to_id.unwrap(), call.exit_code.value(), params.event_payload));
            }
            stack.extend(call.subcalls.iter());
        }
        out.sort();
        out
    };
    assert!(callbacks(&net.cron_tick()).is_empty());
    net.advance(2);
    let ret = net.cron_tick();
    assert_exit(&ret, ExitCode::OK);
    let mut expected = vec![
        (good, 0, b"good".to_vec()),
        (bad, ExitCode::USR_ASSERTION_FAILED.value(), b"bad".to_vec()),
    ];
    expected.sort();
    assert_eq!(callbacks(&ret), expected);

    // The failing miner lost its claim and its power; each event ran once.
    let st: PowerState = net.state(&power());
    assert_eq!(st.miner_count, 1);
    assert!(st.claim(&*net.store, &Address::new_id(bad)).unwrap().is_none());
    assert_eq!(st.total_bytes_committed, BigInt::from(0));
    assert_eq!(st.first_cron_epoch, net.epoch + 1);
    net.advance(1);
    assert!(callbacks(&net.cron_tick()).is_empty());
}
