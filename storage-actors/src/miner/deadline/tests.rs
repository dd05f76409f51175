//! Ports of builtin-actors `tests/deadline_state_test.rs`, with the deadline's memos checked
//! against its partitions after every step.

use std::collections::BTreeMap;

use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::RegisteredPoStProof;

use super::*;
use crate::miner::sectors::tests::test_sector;
use crate::miner::sectors::{Sectors, daily_fee_for_sectors, power_for_sectors, select_sectors};

const SIZE: SectorSize = SectorSize::_2KiB;
const QUANT: QuantSpec = QuantSpec { unit: 4, offset: 1 };
const PARTITION_SIZE: u64 = 4;

fn bf(bits: &[u64]) -> BitField {
    BitField::try_from_bits(bits.iter().copied()).unwrap()
}

fn sectors() -> Vec<SectorOnChainInfo> {
    vec![
        test_sector(2, 1, 50, 2048, 1000, 1000),
        test_sector(3, 2, 51, 0, 1001, 2000),
        test_sector(7, 3, 52, 2048 * 3, 1002, 3000),
        test_sector(8, 4, 53, 0, 1003, 4000),
        test_sector(8, 5, 54, 2048 * 2, 1004, 5000),
        test_sector(11, 6, 55, 0, 1005, 6000),
        test_sector(13, 7, 56, 2048 * 13, 1006, 7000),
        test_sector(8, 8, 57, 0, 1007, 8000),
        test_sector(8, 9, 58, 2048, 1008, 9000),
    ]
}

fn extra_sectors() -> Vec<SectorOnChainInfo> {
    vec![test_sector(8, 10, 58, 68, 1008, 9000)]
}

fn all_sectors() -> Vec<SectorOnChainInfo> {
    [sectors(), extra_sectors()].concat()
}

fn power(numbers: &[u64]) -> PowerPair {
    power_for_sectors(SIZE, &select_sectors(&all_sectors(), &bf(numbers)).unwrap())
}

fn table(store: &MemoryBlockstore) -> Sectors<'_, MemoryBlockstore> {
    let mut t = Sectors::new(store);
    t.store(all_sectors()).unwrap();
    let root = t.flush().unwrap();
    Sectors::load(store, &root).unwrap()
}

fn psm(entries: &[(u64, &[u64])]) -> PartitionSectorMap {
    let mut m = PartitionSectorMap::default();
    for (p, s) in entries {
        m.add(*p, bf(s)).unwrap();
    }
    m
}

/// The expected state of a deadline: union sets over its partitions plus each partition's
/// sectors.
#[derive(Default)]
struct Expect {
    faults: Vec<u64>,
    recovering: Vec<u64>,
    terminations: Vec<u64>,
    unproven: Vec<u64>,
    posts: Vec<u64>,
    partitions: Vec<Vec<u64>>,
}

impl Expect {
    fn check(&self, store: &MemoryBlockstore, dl: &Deadline) {
        let mut faults = Vec::new();
        let mut recovering = Vec::new();
        let mut terminated = Vec::new();
        let mut unproven = Vec::new();
        let mut partitions = Vec::new();
        let mut live_power = PowerPair::zero();
        let mut faulty_power = PowerPair::zero();
        let mut live = 0;
        let mut total = 0;
        dl.for_each(store, |_, p| {
            p.validate_state()?;
            faults.push(p.faults.clone());
            recovering.push(p.recoveries.clone());
            terminated.push(p.terminated.clone());
            unproven.push(p.unproven.clone());
            partitions.push(p.sectors.iter().collect::<Vec<_>>());
            live_power += &p.live_power;
            faulty_power += &p.faulty_power;
            live += p.live_sectors().len();
            total += p.sectors.len();
            let live_numbers: Vec<u64> = p.live_sectors().iter().collect();
            assert_eq!(p.live_power, power(&live_numbers), "partition live power");
            let fault_numbers: Vec<u64> = p.faults.iter().collect();
            assert_eq!(p.faulty_power, power(&fault_numbers), "partition faulty power");
            Ok(())
        })
        .unwrap();
        assert_eq!(BitField::union(&faults), bf(&self.faults), "faults");
        assert_eq!(BitField::union(&recovering), bf(&self.recovering), "recovering");
        assert_eq!(BitField::union(&terminated), bf(&self.terminations), "terminations");
        assert_eq!(BitField::union(&unproven), bf(&self.unproven), "unproven");
        assert_eq!(dl.partitions_posted, bf(&self.posts), "posts");
        assert_eq!(partitions, self.partitions, "partitions");
        assert_eq!(dl.faulty_power, faulty_power, "deadline faulty power");
        assert_eq!(dl.live_power, live_power, "deadline live power");
        assert_eq!(dl.live_sectors, live, "live sectors");
        assert_eq!(dl.total_sectors, total, "total sectors");
        dl.validate_state().unwrap();
    }
}

fn three_partitions() -> Vec<Vec<u64>> {
    vec![vec![1, 2, 3, 4], vec![5, 6, 7, 8], vec![9]]
}

/// Partitions 0: 1–4, 1: 5–8, 2: 9; proven through a full window if `prove`.
fn add_sectors(store: &MemoryBlockstore, dl: &mut Deadline, prove: bool) {
    let (power_added, fee) =
        dl.add_sectors(store, PARTITION_SIZE, false, true, &sectors(), SIZE, QUANT).unwrap();
    assert_eq!(power_added, power_for_sectors(SIZE, &sectors()));
    assert_eq!(fee, daily_fee_for_sectors(&sectors()));
    assert_eq!(dl.daily_fee, TokenAmount::from_atto(45000));
    Expect { unproven: (1..=9).collect(), partitions: three_partitions(), ..Default::default() }
        .check(store, dl);
    if !prove {
        return;
    }
    let t = table(store);
    let result = dl
        .record_proven_sectors(
            store,
            &t,
            SIZE,
            QUANT,
            0,
            &mut [0, 1, 2].map(|index| PoStPartition { index, skipped: bf(&[]) }),
        )
        .unwrap();
    assert_eq!(result.power_delta, power_for_sectors(SIZE, &sectors()));
    let (delta, penalized) = dl.process_deadline_end(store, QUANT, 0, Cid::default()).unwrap();
    assert!(delta.is_zero() && penalized.is_zero());
    Expect { partitions: three_partitions(), ..Default::default() }.check(store, dl);
}

fn add_then_terminate(store: &MemoryBlockstore, dl: &mut Deadline, prove: bool) {
    add_sectors(store, dl, prove);
    let t = table(store);
    let lost = dl
        .terminate_sectors(store, &t, 15, &mut psm(&[(0, &[1, 3]), (1, &[6])]), SIZE, QUANT)
        .unwrap();
    let (expected, unproven) = if prove {
        (power(&[1, 3, 6]), vec![])
    } else {
        (PowerPair::zero(), vec![2, 4, 5, 7, 8, 9])
    };
    assert_eq!(lost, expected);
    assert_eq!(dl.daily_fee, TokenAmount::from_atto(45000 - 1000 - 3000 - 6000));
    assert_eq!(dl.early_terminations, bf(&[0, 1]));
    Expect {
        terminations: vec![1, 3, 6],
        unproven,
        partitions: three_partitions(),
        ..Default::default()
    }
    .check(store, dl);
}

fn add_then_mark_faulty(store: &MemoryBlockstore, dl: &mut Deadline, prove: bool) {
    add_sectors(store, dl, prove);
    let t = table(store);
    let delta =
        dl.record_faults(store, &t, SIZE, QUANT, 9, &mut psm(&[(0, &[1]), (1, &[5, 6])])).unwrap();
    let (expected, unproven) = if prove {
        (power(&[1, 5, 6]), vec![])
    } else {
        (PowerPair::zero(), vec![2, 3, 4, 7, 8, 9])
    };
    assert_eq!(delta, -expected);
    Expect {
        faults: vec![1, 5, 6],
        unproven,
        partitions: three_partitions(),
        ..Default::default()
    }
    .check(store, dl);
}

#[test]
fn new_deadline_encoding_and_bit_widths() {
    let store = MemoryBlockstore::default();
    let dl = Deadline::new(&store).unwrap();
    let bytes = fvm_ipld_encoding::to_vec(&dl).unwrap();
    assert_eq!(bytes[0], 0x8d, "a thirteen-element CBOR array");
    let back: Deadline = fvm_ipld_encoding::from_slice(&bytes).unwrap();
    assert_eq!(back, dl);
    // Distinct bit widths give distinct empty roots; snapshots start equal to the live ones.
    assert_ne!(dl.partitions, dl.expirations_epochs);
    assert_ne!(dl.partitions, dl.optimistic_post_submissions);
    assert_ne!(dl.expirations_epochs, dl.optimistic_post_submissions);
    assert_eq!(dl.sectors_snapshot, dl.expirations_epochs, "both bit width 5");
    assert_eq!(dl.partitions_snapshot, dl.partitions);
    assert_eq!(dl.optimistic_post_submissions_snapshot, dl.optimistic_post_submissions);
    assert!(!dl.is_live());
}

#[test]
fn adds_sectors_and_proves() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_sectors(&store, &mut dl, false);
    assert!(dl.is_live());
    let mut dl = Deadline::new(&store).unwrap();
    add_sectors(&store, &mut dl, true);
    assert_eq!(dl.live_power, power_for_sectors(SIZE, &sectors()));
}

#[test]
fn terminates_proven_and_unproven_sectors() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_then_terminate(&store, &mut dl, true);
    let mut dl = Deadline::new(&store).unwrap();
    add_then_terminate(&store, &mut dl, false);
}

#[test]
fn pops_early_terminations_then_compacts() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_then_terminate(&store, &mut dl, true);

    // Compaction is refused while early terminations are pending.
    let t = table(&store);
    let err =
        dl.compact_partitions(&store, &t, SIZE, PARTITION_SIZE, &bf(&[0]), QUANT).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);

    let (result, more) = dl.pop_early_terminations(&store, 100, 100).unwrap();
    assert!(!more);
    assert_eq!((result.partitions_processed, result.sectors_processed), (2, 3));
    assert_eq!(result.sectors, BTreeMap::from([(15, bf(&[1, 3, 6]))]));
    assert!(dl.early_terminations.is_empty());
    Expect { terminations: vec![1, 3, 6], partitions: three_partitions(), ..Default::default() }
        .check(&store, &dl);

    let fee_before = dl.daily_fee.clone();
    let dead = dl.compact_partitions(&store, &t, SIZE, PARTITION_SIZE, &bf(&[0]), QUANT).unwrap();
    assert_eq!(dead, bf(&[1, 3]));
    assert_eq!(dl.daily_fee, fee_before, "compaction leaves the fee alone");
    Expect {
        terminations: vec![6],
        partitions: vec![vec![5, 6, 7, 8], vec![2, 4, 9]],
        ..Default::default()
    }
    .check(&store, &dl);

    // Removing nothing does nothing; a missing partition is refused.
    assert!(
        dl.compact_partitions(&store, &t, SIZE, PARTITION_SIZE, &bf(&[]), QUANT)
            .unwrap()
            .is_empty()
    );
    let err =
        dl.compact_partitions(&store, &t, SIZE, PARTITION_SIZE, &bf(&[2]), QUANT).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn pops_early_terminations_in_multiple_steps() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_then_terminate(&store, &mut dl, true);
    let mut all = BTreeMap::new();
    let (r, more) = dl.pop_early_terminations(&store, 100, 1).unwrap();
    assert!(more);
    assert_eq!((r.partitions_processed, r.sectors_processed), (1, 1));
    all.insert(1, r.sectors[&15].clone());
    let (r, more) = dl.pop_early_terminations(&store, 1, 100).unwrap();
    assert!(more);
    assert_eq!((r.partitions_processed, r.sectors_processed), (1, 1));
    all.insert(2, r.sectors[&15].clone());
    let (r, more) = dl.pop_early_terminations(&store, 100, 100).unwrap();
    assert!(!more);
    assert_eq!((r.partitions_processed, r.sectors_processed), (1, 1));
    all.insert(3, r.sectors[&15].clone());
    assert_eq!(BitField::union(all.values()), bf(&[1, 3, 6]));
}

#[test]
fn marks_faulty_and_refuses_compacting_faulty_partitions() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_then_mark_faulty(&store, &mut dl, false);
    let mut dl = Deadline::new(&store).unwrap();
    add_then_mark_faulty(&store, &mut dl, true);
    let t = table(&store);
    let err =
        dl.compact_partitions(&store, &t, SIZE, PARTITION_SIZE, &bf(&[0]), QUANT).unwrap_err();
    assert!(err.message().contains("has faults"), "{err}");
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn terminates_faulty_sectors() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_then_mark_faulty(&store, &mut dl, true);
    let t = table(&store);
    // 1 and 6 faulty, 3 healthy: only 3's power was active.
    let lost = dl
        .terminate_sectors(&store, &t, 15, &mut psm(&[(0, &[1, 3]), (1, &[6])]), SIZE, QUANT)
        .unwrap();
    assert_eq!(lost, power(&[3]));
    Expect {
        faults: vec![5],
        terminations: vec![1, 3, 6],
        partitions: three_partitions(),
        ..Default::default()
    }
    .check(&store, &dl);

    // Missing sector / partition / already terminated.
    let err =
        dl.terminate_sectors(&store, &t, 15, &mut psm(&[(0, &[6])]), SIZE, QUANT).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    let err =
        dl.terminate_sectors(&store, &t, 15, &mut psm(&[(4, &[6])]), SIZE, QUANT).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_NOT_FOUND);
    let err =
        dl.terminate_sectors(&store, &t, 15, &mut psm(&[(0, &[1])]), SIZE, QUANT).unwrap_err();
    assert!(err.message().contains("can only terminate live sectors"));
}

#[test]
fn faulty_sectors_expire() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_then_mark_faulty(&store, &mut dl, true);
    let expired = dl.pop_expired_sectors(&store, 9, QUANT).unwrap();
    assert_eq!(expired.on_time_sectors, bf(&[1, 2, 3, 4, 5, 8, 9]));
    assert_eq!(expired.early_sectors, bf(&[6]));
    assert_eq!(expired.fee_deduction, TokenAmount::from_atto(45000 - 7000));
    assert_eq!(dl.daily_fee, TokenAmount::from_atto(7000));
    assert_eq!(expired.faulty_power, power(&[1, 5, 6]));
    Expect {
        terminations: vec![1, 2, 3, 4, 5, 6, 8, 9],
        partitions: three_partitions(),
        ..Default::default()
    }
    .check(&store, &dl);
    let (r, more) = dl.pop_early_terminations(&store, 100, 100).unwrap();
    assert!(!more);
    assert_eq!((r.partitions_processed, r.sectors_processed), (1, 1));
    assert_eq!(r.sectors, BTreeMap::from([(9, bf(&[6]))]));
    // Nothing more expires before sector 7 at 13.
    assert!(dl.pop_expired_sectors(&store, 12, QUANT).unwrap().is_empty());
    assert_eq!(dl.pop_expired_sectors(&store, 13, QUANT).unwrap().on_time_sectors, bf(&[7]));
    assert!(dl.daily_fee.is_zero());
    assert!(dl.live_power.is_zero());
}

#[test]
fn cannot_pop_expired_sectors_before_proving() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_sectors(&store, &mut dl, false);
    let err = dl.pop_expired_sectors(&store, 9, QUANT).unwrap_err();
    assert!(
        err.message().contains("cannot pop expired sectors from a partition with unproven sectors")
    );
}

#[test]
fn post_all_the_things() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_sectors(&store, &mut dl, true);
    let (p, fee) =
        dl.add_sectors(&store, PARTITION_SIZE, false, true, &extra_sectors(), SIZE, QUANT).unwrap();
    assert_eq!(p, power(&[10]));
    assert_eq!(fee, TokenAmount::from_atto(9000));
    let t = table(&store);
    let parts = vec![vec![1, 2, 3, 4], vec![5, 6, 7, 8], vec![9, 10]];

    let r = dl
        .record_proven_sectors(
            &store,
            &t,
            SIZE,
            QUANT,
            13,
            &mut [0, 1].map(|index| PoStPartition { index, skipped: bf(&[]) }),
        )
        .unwrap();
    assert_eq!(r.sectors, bf(&[1, 2, 3, 4, 5, 6, 7, 8]));
    assert!(r.ignored_sectors.is_empty());
    assert!(
        r.new_faulty_power.is_zero()
            && r.retracted_recovery_power.is_zero()
            && r.recovered_power.is_zero()
    );
    assert!(r.power_delta.is_zero());
    assert_eq!(r.partitions, bf(&[0, 1]));
    Expect {
        posts: vec![0, 1],
        unproven: vec![10],
        partitions: parts.clone(),
        ..Default::default()
    }
    .check(&store, &dl);

    let r = dl
        .record_proven_sectors(
            &store,
            &t,
            SIZE,
            QUANT,
            13,
            &mut [PoStPartition { index: 2, skipped: bf(&[]) }],
        )
        .unwrap();
    assert_eq!(r.sectors, bf(&[9, 10]));
    assert_eq!(r.power_delta, power(&[10]));
    Expect { posts: vec![0, 1, 2], partitions: parts.clone(), ..Default::default() }
        .check(&store, &dl);

    let (delta, penalized) = dl.process_deadline_end(&store, QUANT, 13, Cid::default()).unwrap();
    assert!(delta.is_zero() && penalized.is_zero());
    Expect { partitions: parts, ..Default::default() }.check(&store, &dl);
}

#[test]
fn post_with_faults_recoveries_and_retractions() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_then_mark_faulty(&store, &mut dl, true);
    dl.add_sectors(&store, PARTITION_SIZE, false, true, &extra_sectors(), SIZE, QUANT).unwrap();
    let t = table(&store);
    dl.declare_faults_recovered(&store, &t, SIZE, &mut psm(&[(0, &[1]), (1, &[6])])).unwrap();
    let parts = vec![vec![1, 2, 3, 4], vec![5, 6, 7, 8], vec![9, 10]];
    Expect {
        recovering: vec![1, 6],
        faults: vec![1, 5, 6],
        unproven: vec![10],
        partitions: parts.clone(),
        ..Default::default()
    }
    .check(&store, &dl);

    let mut posts = [
        PoStPartition { index: 0, skipped: bf(&[1]) },
        PoStPartition { index: 1, skipped: bf(&[7]) },
    ];
    let r = dl.record_proven_sectors(&store, &t, SIZE, QUANT, 13, &mut posts).unwrap();
    assert_eq!(r.sectors, bf(&[1, 2, 3, 4, 5, 6, 7, 8]));
    assert_eq!(r.ignored_sectors, bf(&[1, 5, 7]));
    assert_eq!(r.new_faulty_power, power(&[7]));
    assert_eq!(r.retracted_recovery_power, power(&[1]));
    assert_eq!(r.recovered_power, power(&[6]));
    assert_eq!(r.power_delta, &power(&[6]) - &power(&[7]));
    Expect {
        posts: vec![0, 1],
        faults: vec![1, 5, 7],
        unproven: vec![10],
        partitions: parts.clone(),
        ..Default::default()
    }
    .check(&store, &dl);

    let (delta, penalized) = dl.process_deadline_end(&store, QUANT, 13, Cid::default()).unwrap();
    // Partition 2 was not proven: 9 loses its power, 10 never had any; both are penalized.
    assert_eq!(delta, -power(&[9]));
    assert_eq!(penalized, power(&[9, 10]));
    Expect { faults: vec![1, 5, 7, 9, 10], partitions: parts, ..Default::default() }
        .check(&store, &dl);
}

#[test]
fn post_with_skipped_unproven() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_sectors(&store, &mut dl, true);
    dl.add_sectors(&store, PARTITION_SIZE, false, true, &extra_sectors(), SIZE, QUANT).unwrap();
    let t = table(&store);
    let mut posts = [PoStPartition { index: 2, skipped: bf(&[10]) }];
    let r = dl.record_proven_sectors(&store, &t, SIZE, QUANT, 13, &mut posts).unwrap();
    assert_eq!(r.sectors, bf(&[9, 10]));
    assert_eq!(r.ignored_sectors, bf(&[10]));
    assert_eq!(r.new_faulty_power, power(&[10]));
    // 10 was never active: no power lost.
    assert!(r.power_delta.is_zero());
    let (delta, penalized) = dl.process_deadline_end(&store, QUANT, 13, Cid::default()).unwrap();
    assert_eq!(delta, -power(&[1, 2, 3, 4, 5, 6, 7, 8]));
    assert_eq!(penalized, power(&[1, 2, 3, 4, 5, 6, 7, 8]));
    let parts = vec![vec![1, 2, 3, 4], vec![5, 6, 7, 8], vec![9, 10]];
    Expect { faults: vec![1, 2, 3, 4, 5, 6, 7, 8, 10], partitions: parts, ..Default::default() }
        .check(&store, &dl);
}

#[test]
fn post_errors() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_sectors(&store, &mut dl, true);
    let t = table(&store);
    let err = dl
        .record_proven_sectors(
            &store,
            &t,
            SIZE,
            QUANT,
            13,
            &mut [0, 3].map(|index| PoStPartition { index, skipped: bf(&[]) }),
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_NOT_FOUND);
    let err = dl
        .record_proven_sectors(
            &store,
            &t,
            SIZE,
            QUANT,
            13,
            &mut [1, 1].map(|index| PoStPartition { index, skipped: bf(&[]) }),
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    dl.record_proven_sectors(
        &store,
        &t,
        SIZE,
        QUANT,
        13,
        &mut [PoStPartition { index: 1, skipped: bf(&[]) }],
    )
    .unwrap();
    let err = dl
        .record_proven_sectors(
            &store,
            &t,
            SIZE,
            QUANT,
            13,
            &mut [PoStPartition { index: 1, skipped: bf(&[]) }],
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    assert!(err.message().contains("partition already proven"));
    let err = dl
        .record_proven_sectors(
            &store,
            &t,
            SIZE,
            QUANT,
            13,
            &mut [PoStPartition { index: 0, skipped: bf(&[5]) }],
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn retract_recoveries_and_missing_partitions() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_then_mark_faulty(&store, &mut dl, true);
    let t = table(&store);
    dl.declare_faults_recovered(&store, &t, SIZE, &mut psm(&[(0, &[1]), (1, &[6])])).unwrap();
    // Re-declaring 1 faulty retracts its recovery.
    let delta = dl.record_faults(&store, &t, SIZE, QUANT, 13, &mut psm(&[(0, &[1])])).unwrap();
    assert!(delta.is_zero());
    let parts = three_partitions();
    Expect {
        faults: vec![1, 5, 6],
        recovering: vec![6],
        partitions: parts.clone(),
        ..Default::default()
    }
    .check(&store, &dl);

    // A missed PoSt penalizes the failed recovery and all healthy power.
    let (delta, penalized) = dl.process_deadline_end(&store, QUANT, 13, Cid::default()).unwrap();
    assert_eq!(delta, -power(&[2, 3, 4, 7, 8, 9]));
    assert_eq!(penalized, power(&[2, 3, 4, 6, 7, 8, 9]));
    Expect { faults: (1..=9).collect(), partitions: parts, ..Default::default() }
        .check(&store, &dl);

    let err = dl.record_faults(&store, &t, SIZE, QUANT, 17, &mut psm(&[(4, &[1])])).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_NOT_FOUND);
    let err = dl.declare_faults_recovered(&store, &t, SIZE, &mut psm(&[(4, &[1])])).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_NOT_FOUND);
    let err = dl.record_faults(&store, &t, SIZE, QUANT, 17, &mut psm(&[(0, &[5])])).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn optimistic_proofs_snapshots_and_disputes() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_sectors(&store, &mut dl, true);
    let t = table(&store);
    let empty_snapshot = dl.sectors_snapshot;
    // A window with no stored proof leaves the sectors snapshot empty.
    assert_eq!(dl.sectors_snapshot, empty_amt(&store, SECTORS_AMT_BITWIDTH).unwrap());

    let proof = PoStProof {
        post_proof: RegisteredPoStProof::StackedDRGWindow2KiBV1P1,
        proof_bytes: vec![7; 192],
    };
    dl.record_proven_sectors(
        &store,
        &t,
        SIZE,
        QUANT,
        13,
        &mut [0, 1].map(|index| PoStPartition { index, skipped: bf(&[]) }),
    )
    .unwrap();
    dl.record_post_proofs(&store, &bf(&[0, 1]), std::slice::from_ref(&proof)).unwrap();
    dl.record_post_proofs(&store, &bf(&[2]), std::slice::from_ref(&proof)).unwrap();
    assert_eq!(dl.optimistic_proofs_amt(&store).unwrap().count(), 2);

    // Partition 2 was posted too (as its proof was stored), so no faults at the end.
    dl.record_proven_sectors(
        &store,
        &t,
        SIZE,
        QUANT,
        13,
        &mut [PoStPartition { index: 2, skipped: bf(&[]) }],
    )
    .unwrap();
    let sectors_root = Cid::new_v1(0x71, cid::multihash::Multihash::wrap(0x0, b"sectors").unwrap());
    dl.process_deadline_end(&store, QUANT, 13, sectors_root).unwrap();
    assert_eq!(dl.sectors_snapshot, sectors_root);
    assert_ne!(dl.sectors_snapshot, empty_snapshot);
    assert_eq!(dl.optimistic_proofs_amt(&store).unwrap().count(), 0);
    assert!(dl.partitions_posted.is_empty());
    assert_eq!(dl.partitions_snapshot, dl.partitions);

    let info = dl.load_partitions_for_dispute(&store, bf(&[0, 1])).unwrap();
    assert_eq!(info.all_sector_nos, bf(&[1, 2, 3, 4, 5, 6, 7, 8]));
    assert!(info.ignored_sector_nos.is_empty());
    assert_eq!(info.disputed_power, power(&[1, 2, 3, 4, 5, 6, 7, 8]));
    let mut disputed = info.disputed_sectors;
    assert_eq!(disputed.count().unwrap(), (2, 8));
    assert!(dl.load_partitions_for_dispute(&store, bf(&[5])).is_err());

    let (parts, proofs) = dl.take_post_proofs(&store, 0).unwrap();
    assert_eq!(parts, bf(&[0, 1]));
    assert_eq!(proofs, vec![proof.clone()]);
    let err = dl.take_post_proofs(&store, 0).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    let (parts, _) = dl.take_post_proofs(&store, 1).unwrap();
    assert_eq!(parts, bf(&[2]));

    // The next window (no proofs stored) empties the sectors snapshot again.
    dl.record_proven_sectors(
        &store,
        &t,
        SIZE,
        QUANT,
        13,
        &mut [0, 1, 2].map(|index| PoStPartition { index, skipped: bf(&[]) }),
    )
    .unwrap();
    dl.process_deadline_end(&store, QUANT, 13, sectors_root).unwrap();
    assert_eq!(dl.sectors_snapshot, empty_snapshot);
    assert_eq!(dl.load_partition_snapshot(&store, 2).unwrap().sectors, bf(&[9]));
    assert_eq!(
        dl.load_partition_snapshot(&store, 3).unwrap_err().exit_code(),
        ExitCode::USR_NOT_FOUND
    );
    assert_eq!(dl.load_partition(&store, 3).unwrap_err().exit_code(), ExitCode::USR_NOT_FOUND);
}

#[test]
fn reschedules_sector_expirations() {
    let store = MemoryBlockstore::default();
    let mut dl = Deadline::new(&store).unwrap();
    add_then_mark_faulty(&store, &mut dl, true);
    let t = table(&store);
    // 1 is faulty (skipped), 9 is moved, partition 7 does not exist (skipped).
    let moved = dl
        .reschedule_sector_expirations(
            &store,
            &t,
            21,
            &mut psm(&[(0, &[1, 2]), (2, &[9]), (7, &[3])]),
            SIZE,
            QUANT,
        )
        .unwrap();
    assert_eq!(moved.iter().map(|s| s.sector_number).collect::<Vec<_>>(), vec![2, 9]);
    // Popping through 20 leaves 2 and 9 alive.
    let expired = dl.pop_expired_sectors(&store, 20, QUANT).unwrap();
    assert_eq!(&expired.on_time_sectors | &expired.early_sectors, bf(&[1, 3, 4, 5, 6, 7, 8]));
    assert_eq!(dl.live_sectors, 2);
    assert_eq!(dl.live_power, power(&[2, 9]));
    assert_eq!(dl.daily_fee, TokenAmount::from_atto(2000 + 9000));
    let expired = dl.pop_expired_sectors(&store, 21, QUANT).unwrap();
    assert_eq!(expired.on_time_sectors, bf(&[2, 9]));
    assert_eq!(dl.live_sectors, 0);

    let mut dl2 = Deadline::new(&store).unwrap();
    dl2.adjust_daily_fee(&TokenAmount::from_atto(5)).unwrap();
    assert!(dl2.adjust_daily_fee(&TokenAmount::from_atto(-6)).is_err());
    assert_eq!(dl2.daily_fee, TokenAmount::from_atto(5));
}
