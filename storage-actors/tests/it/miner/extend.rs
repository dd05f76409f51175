//! `ExtendSectorExpiration2` through the VM: a proven CC sector extended (its expiration queue
//! entries move, its power and fee stay), and the declarations the miner refuses.

use fvm_ipld_amt::Amt;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::bigint::BigInt;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;
use storage_actors::datacap::TRANSFER_METHOD;
use storage_actors::miner::deadline_info::DeadlineInfo;
use storage_actors::miner::expiration_queue::ExpirationSet;
use storage_actors::miner::partition::Partition;
use storage_actors::miner::records::{PowerPair, SectorOnChainInfo};
use storage_actors::miner::types::*;
use storage_actors::power::PowerState;
use storage_actors::token::{TransferParams, TransferReturn};
use storage_actors::verifreg::{
    ADD_VERIFIED_CLIENT_METHOD, ADD_VERIFIER_METHOD, AllocationRequest, AllocationRequests,
    AllocationsResponse, VerifierParams,
};
use storage_actors::{DATACAP_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID, genesis};

use super::setup::*;
use crate::harness::{Key, Net, assert_exit, decode};
use crate::market::piece;

/// Runs the chain (cron included) until deadline `index` is open.
pub(super) fn to_deadline(net: &mut Net, miner: &Address, index: u64) -> DeadlineInfo {
    let mut dl = deadline_now(net, miner);
    while dl.index != index {
        run_to(net, miner, dl.last() + 1);
        dl = deadline_now(net, miner);
    }
    dl
}

/// A stored sector's info.
pub(super) fn sector(net: &mut Net, miner: &Address, number: SectorNumber) -> SectorOnChainInfo {
    let st = miner_state(net, miner);
    st.get_sector(net.exec.store(), number).unwrap().expect("sector stored")
}

/// A partition as the miner holds it now.
pub(super) fn partition(net: &mut Net, miner: &Address, deadline: u64, idx: u64) -> Partition {
    let st = miner_state(net, miner);
    let dls = st.load_deadlines(net.exec.store()).unwrap();
    let dl = dls.load_deadline(net.exec.store(), deadline).unwrap();
    dl.load_partition(net.exec.store(), idx).unwrap()
}

/// The miner's claimed (raw, QA) power at the power actor.
pub(super) fn claimed_power(net: &mut Net, miner: &Address) -> PowerPair {
    let st: PowerState = net.state(&power());
    let claim = st.claim(net.exec.store(), miner).unwrap().expect("miner has a claim");
    PowerPair::new(claim.raw_byte_power, claim.quality_adj_power)
}

pub(super) fn bits(numbers: &[u64]) -> BitField {
    BitField::try_from_bits(numbers.iter().copied()).unwrap()
}

/// Onboards CC `sectors`, all in one partition, and proves them at their deadline with a
/// valid proof; returns (deadline, partition) and the deadline just proven, still open.
pub(super) fn proven_sectors(
    net: &mut Net,
    miner: &Address,
    sectors: &[SectorNumber],
) -> ((u64, u64), DeadlineInfo) {
    onboard_cc(net, miner, sectors);
    let at = locate(net, miner, sectors[0]);
    for &n in sectors {
        assert_eq!(locate(net, miner, n), at, "one partition");
    }
    let dl = to_deadline(net, miner, at.0);
    let infos: Vec<_> = sectors.iter().map(|&n| sector(net, miner, n)).collect();
    let params = window_post(net, miner, &dl, &[at.1], &infos);
    assert_exit(&from_worker(net, miner, SUBMIT_WINDOWED_POST_METHOD, &params), ExitCode::OK);
    (at, dl)
}

/// The partition's expiration queue: (quantized epoch, set).
fn expirations(net: &mut Net, part: &Partition) -> Vec<(i64, ExpirationSet)> {
    let amt: Amt<ExpirationSet, _> = Amt::load(&part.expirations_epochs, net.exec.store()).unwrap();
    let mut out = Vec::new();
    amt.for_each(|k, set| {
        out.push((k as i64, set.clone()));
        Ok(())
    })
    .unwrap();
    out
}

fn extension(
    (deadline, partition): (u64, u64),
    sectors: &[u64],
    new_expiration: i64,
) -> ExtendSectorExpiration2Params {
    ExtendSectorExpiration2Params {
        extensions: vec![ExpirationExtension2 {
            deadline,
            partition,
            sectors: bits(sectors),
            sectors_with_claims: vec![],
            new_expiration,
        }],
    }
}

#[test]
fn a_cc_sector_is_extended_and_its_expiration_moves_while_power_and_fee_stay() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let (at, dl) = proven_sectors(&mut net, &miner, &[1]);
    // Past the deadline's close, so it is not being proven.
    run_to(&mut net, &miner, dl.last());
    net.advance(1);
    let old = sector(&mut net, &miner, 1);
    assert_eq!(claimed_power(&mut net, &miner), PowerPair::new(2048.into(), 2048.into()));
    assert!(old.daily_fee.is_positive());
    let quant = miner_state(&mut net, &miner).quant_spec_for_deadline(at.0);
    let part = partition(&mut net, &miner, at.0, at.1);
    let before = expirations(&mut net, &part);
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].0, quant.quantize_up(old.expiration));

    let new_expiration = old.expiration + 42 * DAY + 7;
    let ret = from_worker(
        &mut net,
        &miner,
        EXTEND_SECTOR_EXPIRATION2_METHOD,
        &extension(at, &[1], new_expiration),
    );
    assert_exit(&ret, ExitCode::OK);

    let new = sector(&mut net, &miner, 1);
    assert_eq!(new.expiration, new_expiration);
    assert_eq!(new.power_base_epoch, net.epoch);
    assert_eq!(new.activation, old.activation);
    assert_eq!(new.initial_pledge, old.initial_pledge, "pledge is not recomputed");
    assert_eq!(new.daily_fee, old.daily_fee, "CC power, hence the fee, is unchanged");
    assert_eq!(new.verified_deal_weight, BigInt::from(0));

    // The sector left its old queue entry for the new one, which carries its power and fee.
    let part = partition(&mut net, &miner, at.0, at.1);
    let after = expirations(&mut net, &part);
    assert_eq!(after.len(), 1, "{after:?}");
    let (epoch, set) = &after[0];
    assert_eq!(*epoch, quant.quantize_up(new_expiration));
    assert!(*epoch > new_expiration - 2880 && *epoch >= new_expiration);
    assert_eq!(set.on_time_sectors, bits(&[1]));
    assert_eq!(set.active_power, PowerPair::new(2048.into(), 2048.into()));
    assert_eq!(set.fee_deduction, old.daily_fee);
    assert_eq!(part.live_power, PowerPair::new(2048.into(), 2048.into()));

    // The deadline now knows the partition has sectors expiring at the new epoch.
    let st = miner_state(&mut net, &miner);
    let dls = st.load_deadlines(net.exec.store()).unwrap();
    let deadline = dls.load_deadline(net.exec.store(), at.0).unwrap();
    let queue: Amt<BitField, _> =
        Amt::load(&deadline.expirations_epochs, net.exec.store()).unwrap();
    let due = queue.get(quant.quantize_up(new_expiration) as u64).unwrap().cloned();
    assert_eq!(due, Some(bits(&[at.1])));
    assert_eq!(deadline.daily_fee, old.daily_fee);
    assert_eq!(deadline.live_power, PowerPair::new(2048.into(), 2048.into()));

    // Power is unchanged at the power actor (no update was needed).
    assert_eq!(claimed_power(&mut net, &miner), PowerPair::new(2048.into(), 2048.into()));
}

#[test]
fn extensions_that_shorten_overreach_or_come_from_strangers_are_refused() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let (at, dl) = proven_sectors(&mut net, &miner, &[1]);
    run_to(&mut net, &miner, dl.last());
    net.advance(1);
    let old = sector(&mut net, &miner, 1);
    let send = |net: &mut Net, params: &ExtendSectorExpiration2Params| {
        from_worker(net, &miner, EXTEND_SECTOR_EXPIRATION2_METHOD, params)
    };

    // An expiration cannot decrease.
    let ret = send(&mut net, &extension(at, &[1], old.expiration - 1));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    // Nor go beyond 1278 days from now.
    let too_far = net.epoch + 1278 * DAY + 1;
    let ret = send(&mut net, &extension(at, &[1], too_far));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    // Deadlines are 0..48.
    let ret = send(&mut net, &extension((48, 0), &[1], old.expiration + DAY));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    // A partition that does not exist.
    let ret = send(&mut net, &extension((at.0, at.1 + 5), &[1], old.expiration + DAY));
    assert_exit(&ret, ExitCode::USR_NOT_FOUND);
    // A sector that does not exist.
    let ret = send(&mut net, &extension(at, &[9], old.expiration + DAY));
    assert_exit(&ret, ExitCode::USR_NOT_FOUND);
    // Only the owner, worker or a control address may extend.
    let bob = net.bob.address();
    let ret = net.send(
        &bob,
        &miner,
        EXTEND_SECTOR_EXPIRATION2_METHOD,
        Some(&extension(at, &[1], old.expiration + DAY)),
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    // Nothing changed.
    assert_eq!(sector(&mut net, &miner, 1), old);
    // Extending to the same expiration is allowed (a no-op on the queues).
    let ret = send(&mut net, &extension(at, &[1], old.expiration));
    assert_exit(&ret, ExitCode::OK);
    assert_eq!(sector(&mut net, &miner, 1).expiration, old.expiration);
}

/// builtin-actors v18 does not check deadline mutability for extensions (only terminations,
/// replica updates and compaction do): the sector's presence in the proof does not change,
/// only when it leaves. This pins that behaviour while the deadline is being proven.
#[test]
fn a_sector_is_extended_even_while_its_deadline_is_being_proven() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let (at, dl) = proven_sectors(&mut net, &miner, &[1]);
    // The deadline is open right now: immutable for terminations.
    let now = deadline_now(&mut net, &miner);
    assert_eq!((now.index, now.open), (dl.index, dl.open));
    let terminate = TerminateSectorsParams {
        terminations: vec![TerminationDeclaration {
            deadline: at.0,
            partition: at.1,
            sectors: bits(&[1]),
        }],
    };
    let ret = from_worker(&mut net, &miner, TERMINATE_SECTORS_METHOD, &terminate);
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);

    let old = sector(&mut net, &miner, 1);
    let new_expiration = old.expiration + 10 * DAY;
    let ret = from_worker(
        &mut net,
        &miner,
        EXTEND_SECTOR_EXPIRATION2_METHOD,
        &extension(at, &[1], new_expiration),
    );
    assert_exit(&ret, ExitCode::OK);
    assert_eq!(sector(&mut net, &miner, 1).expiration, new_expiration);
    // The deadline still closes normally: the sector stays proven and powered.
    run_to(&mut net, &miner, dl.last());
    let part = partition(&mut net, &miner, at.0, at.1);
    assert!(part.faults.is_empty());
    assert_eq!(claimed_power(&mut net, &miner), PowerPair::new(2048.into(), 2048.into()));
}

/// A net whose verified registry has alice as root, bob as verifier and carol (the miner's
/// worker) as a client with 4096 bytes of datacap.
fn verified_net() -> Net {
    let mut net = Net::with_real_miners(|tree| {
        genesis::install(tree).unwrap();
        genesis::install_verified_registry(tree, &Key::secp(1).address()).unwrap();
    });
    let (alice, bob, carol) = (net.alice.address(), net.bob.address(), net.carol.address());
    let registry = Address::new_id(VERIFIED_REGISTRY_ACTOR_ID);
    let verifier = VerifierParams { address: bob, allowance: BigInt::from(1 << 20) };
    let ret =
        net.send(&alice, &registry, ADD_VERIFIER_METHOD, Some(&verifier), TokenAmount::default());
    assert_exit(&ret, ExitCode::OK);
    let client = VerifierParams { address: carol, allowance: BigInt::from(4096) };
    let ret = net.send(
        &bob,
        &registry,
        ADD_VERIFIED_CLIENT_METHOD,
        Some(&client),
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::OK);
    net
}

/// Carol allocates a 2 KiB piece to `miner` with the given maximum term; returns its id.
fn allocate(net: &mut Net, miner: &Address, term_max: i64) -> u64 {
    let request = AllocationRequest {
        provider: miner.id().unwrap(),
        data: piece(1),
        size: PaddedPieceSize(2048),
        term_min: 180 * DAY,
        term_max,
        expiration: net.epoch + 30 * DAY,
    };
    let ops = AllocationRequests { allocations: vec![request], extensions: vec![] };
    let params = TransferParams {
        to: Address::new_id(VERIFIED_REGISTRY_ACTOR_ID),
        amount: TokenAmount::from_whole(2048),
        operator_data: RawBytes::new(fvm_ipld_encoding::to_vec(&ops).unwrap()),
    };
    let carol = net.carol.address();
    let datacap = Address::new_id(DATACAP_ACTOR_ID);
    let ret = net.send(&carol, &datacap, TRANSFER_METHOD, Some(&params), TokenAmount::default());
    let transfer: TransferReturn = decode(&ret);
    let response: AllocationsResponse =
        fvm_ipld_encoding::from_slice(&transfer.recipient_data).unwrap();
    response.new_allocations[0]
}

fn with_claims(
    at: (u64, u64),
    maintain_claims: Vec<u64>,
    drop_claims: Vec<u64>,
    new_expiration: i64,
) -> ExtendSectorExpiration2Params {
    ExtendSectorExpiration2Params {
        extensions: vec![ExpirationExtension2 {
            deadline: at.0,
            partition: at.1,
            sectors: BitField::new(),
            sectors_with_claims: vec![SectorClaim {
                sector_number: 1,
                maintain_claims,
                drop_claims,
            }],
            new_expiration,
        }],
    }
}

#[test]
fn a_verified_sector_lists_its_claims_and_drops_them_only_near_its_end() {
    let mut net = verified_net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let claim = allocate(&mut net, &miner, 230 * DAY);

    // Sector 1 holds the verified piece: pre-committed with its CommD, proven claiming it.
    let mut precommit = cc_precommit(&net, 1, 220 * DAY);
    precommit.unsealed_cid = Some(piece(1));
    let params = PreCommitSectorBatch2Params { sectors: vec![precommit] };
    assert_exit(
        &from_worker(&mut net, &miner, PRE_COMMIT_SECTOR_BATCH2_METHOD, &params),
        ExitCode::OK,
    );
    net.advance(11);
    let mut params = prove_params(&[1]);
    let client = net.id(&net.carol.address());
    params.sector_activations[0].pieces = vec![PieceActivationManifest {
        cid: piece(1),
        size: PaddedPieceSize(2048),
        verified_allocation_key: Some(VerifiedAllocationKey { client, id: claim }),
        notify: vec![],
    }];
    assert_exit(
        &from_worker(&mut net, &miner, PROVE_COMMIT_SECTORS3_METHOD, &params),
        ExitCode::OK,
    );
    let claim_start = net.epoch;
    let at = locate(&mut net, &miner, 1);
    let dl = to_deadline(&mut net, &miner, at.0);
    let info = sector(&mut net, &miner, 1);
    let post = window_post(&mut net, &miner, &dl, &[at.1], std::slice::from_ref(&info));
    assert_exit(&from_worker(&mut net, &miner, SUBMIT_WINDOWED_POST_METHOD, &post), ExitCode::OK);
    run_to(&mut net, &miner, dl.last());
    net.advance(1);
    let full = PowerPair::new(2048.into(), 20480.into());
    assert_eq!(claimed_power(&mut net, &miner), full, "verified data counts ten times");
    let old = sector(&mut net, &miner, 1);
    assert!(old.daily_fee.is_positive(), "the fee is owed, so its rescaling shows");
    let send = |net: &mut Net, params: &ExtendSectorExpiration2Params| {
        from_worker(net, &miner, EXTEND_SECTOR_EXPIRATION2_METHOD, params).receipt.exit_code
    };

    // A sector with verified weight must name its claims.
    let bare = extension(at, &[1], old.expiration + 5 * DAY);
    assert_eq!(send(&mut net, &bare), ExitCode::USR_ILLEGAL_ARGUMENT);
    // An unknown claim fails at the registry's GetClaims.
    let unknown = with_claims(at, vec![claim + 99], vec![], old.expiration + 5 * DAY);
    assert_eq!(send(&mut net, &unknown), ExitCode::USR_ILLEGAL_ARGUMENT);
    // A kept claim's term must reach the new expiration.
    let term_end = claim_start + 230 * DAY;
    let beyond = with_claims(at, vec![claim], vec![], term_end + 1);
    assert_eq!(send(&mut net, &beyond), ExitCode::USR_FORBIDDEN);
    // Dropping a claim is refused with more than 30 days left.
    let early_drop = with_claims(at, vec![], vec![claim], old.expiration + 5 * DAY);
    assert_eq!(send(&mut net, &early_drop), ExitCode::USR_FORBIDDEN);
    assert_eq!(sector(&mut net, &miner, 1), old);

    // Kept to the end of its term: the weight is rebased on now, the power unchanged.
    let keep = with_claims(at, vec![claim], vec![], term_end);
    assert_eq!(send(&mut net, &keep), ExitCode::OK);
    let kept = sector(&mut net, &miner, 1);
    assert_eq!(kept.expiration, term_end);
    assert_eq!(kept.verified_deal_weight, BigInt::from(2048) * (term_end - net.epoch));
    assert_eq!(kept.daily_fee, old.daily_fee);
    assert_eq!(claimed_power(&mut net, &miner), full);

    // 29 days before the end (the clock jumps; no cron is needed to extend), the claim may be
    // dropped: the sector keeps going as CC with a tenth of its QA power and fee.
    net.advance(term_end - 29 * DAY - net.epoch);
    let drop = with_claims(at, vec![], vec![claim], term_end + 10 * DAY);
    assert_eq!(send(&mut net, &drop), ExitCode::OK);
    let dropped = sector(&mut net, &miner, 1);
    assert_eq!(dropped.expiration, term_end + 10 * DAY);
    assert_eq!(dropped.verified_deal_weight, BigInt::from(0));
    assert_eq!(dropped.daily_fee, old.daily_fee.div_floor(10));
    assert_eq!(claimed_power(&mut net, &miner), PowerPair::new(2048.into(), 2048.into()));
    let part = partition(&mut net, &miner, at.0, at.1);
    assert_eq!(part.live_power, PowerPair::new(2048.into(), 2048.into()));
}
