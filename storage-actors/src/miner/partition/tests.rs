//! Ports of builtin-actors `tests/miner_actor_test_partitions.rs` and
//! `tests/record_skipped_faults.rs`, with a cross-check of the partition's power memos against
//! its sectors after every step.

use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_shared::bigint::BigInt;
use fvm_shared::error::ExitCode;

use super::*;
use crate::miner::sectors::daily_fee_for_sectors;
use crate::miner::sectors::tests::test_sector;

const SIZE: SectorSize = SectorSize::_2KiB;
const QUANT: QuantSpec = QuantSpec { unit: 4, offset: 1 };

fn bf(bits: &[u64]) -> BitField {
    BitField::try_from_bits(bits.iter().copied()).unwrap()
}

fn sectors() -> Vec<SectorOnChainInfo> {
    // Verified weights make QA power differ between sectors (2 KiB × 13 epochs = 26624).
    vec![
        test_sector(2, 1, 50, 0, 1000, 3000),
        test_sector(3, 2, 51, 2048 * 3, 1001, 4000),
        test_sector(7, 3, 52, 0, 1002, 5000),
        test_sector(8, 4, 53, 2048 * 8, 1003, 6000),
        test_sector(11, 5, 54, 0, 1004, 7000),
        test_sector(13, 6, 55, 2048 * 6, 1005, 8000),
    ]
}

fn pick(all: &[SectorOnChainInfo], numbers: &[u64]) -> Vec<SectorOnChainInfo> {
    select_sectors(all, &bf(numbers)).unwrap()
}

fn power(all: &[SectorOnChainInfo], numbers: &[u64]) -> PowerPair {
    power_for_sectors(SIZE, &pick(all, numbers))
}

fn sectors_table(
    store: &MemoryBlockstore,
    infos: Vec<SectorOnChainInfo>,
) -> Sectors<'_, MemoryBlockstore> {
    let mut table = Sectors::new(store);
    table.store(infos).unwrap();
    let root = table.flush().unwrap();
    Sectors::load(store, &root).unwrap()
}

/// Checks the sets, then that every memo equals the power of the sectors it summarizes and
/// that the expiration queue holds exactly the live sectors.
#[allow(clippy::too_many_arguments)]
fn assert_state(
    store: &MemoryBlockstore,
    p: &Partition,
    all: &[SectorOnChainInfo],
    sectors: &[u64],
    faults: &[u64],
    recoveries: &[u64],
    terminated: &[u64],
    unproven: &[u64],
) {
    assert_eq!(p.sectors, bf(sectors), "sectors");
    assert_eq!(p.faults, bf(faults), "faults");
    assert_eq!(p.recoveries, bf(recoveries), "recoveries");
    assert_eq!(p.terminated, bf(terminated), "terminated");
    assert_eq!(p.unproven, bf(unproven), "unproven");
    p.validate_state().unwrap();
    let live: Vec<u64> = p.live_sectors().iter().collect();
    assert_eq!(p.live_power, power(all, &live), "live power");
    assert_eq!(p.faulty_power, power(all, faults), "faulty power");
    assert_eq!(p.recovering_power, power(all, recoveries), "recovering power");
    assert_eq!(p.unproven_power, power(all, unproven), "unproven power");

    let mut queue = ExpirationQueue::new(store, &p.expirations_epochs, QUANT).unwrap();
    let everything = queue.pop_until(i64::MAX).unwrap();
    assert_eq!(&everything.on_time_sectors | &everything.early_sectors, p.live_sectors());
    let faulty_in_queue = &p.faults & &p.live_sectors();
    let faulty: Vec<u64> = faulty_in_queue.iter().collect();
    assert_eq!(everything.faulty_power, power(all, &faulty), "queue faulty power");
}

fn assert_queue(store: &MemoryBlockstore, p: &Partition, groups: &[(ChainEpoch, &[u64])]) {
    let mut queue = ExpirationQueue::new(store, &p.expirations_epochs, QUANT).unwrap();
    for &(epoch, expected) in groups {
        let before = queue.pop_until(epoch - 1).unwrap();
        assert!(before.is_empty(), "entry before {epoch}");
        let set = queue.pop_until(epoch).unwrap();
        assert_eq!(&set.on_time_sectors | &set.early_sectors, bf(expected), "epoch {epoch}");
    }
    assert!(queue.pop_until(i64::MAX).unwrap().is_empty(), "entries after the last group");
}

fn early_terminations(store: &MemoryBlockstore, p: &Partition) -> Vec<(u64, Vec<u64>)> {
    let q = BitFieldQueue::new(store, &p.early_terminated, NO_QUANTIZATION).unwrap();
    let mut out = Vec::new();
    q.amt
        .for_each(|k, v| {
            out.push((k, v.iter().collect()));
            Ok(())
        })
        .unwrap();
    out
}

fn setup_unproven(store: &MemoryBlockstore) -> Partition {
    let mut p = Partition::new(store).unwrap();
    let (power, fee) = p.add_sectors(store, false, &sectors(), SIZE, QUANT).unwrap();
    assert_eq!(power, power_for_sectors(SIZE, &sectors()));
    assert_eq!(power.raw, BigInt::from(6 * 2048));
    assert_eq!(fee, daily_fee_for_sectors(&sectors()));
    assert_eq!(fee, TokenAmount::from_atto(33000));
    p
}

fn setup(store: &MemoryBlockstore) -> Partition {
    let mut p = setup_unproven(store);
    assert_eq!(p.activate_unproven(), power_for_sectors(SIZE, &sectors()));
    p
}

#[test]
fn new_partition_encoding() {
    let store = MemoryBlockstore::default();
    let p = Partition::new(&store).unwrap();
    let bytes = fvm_ipld_encoding::to_vec(&p).unwrap();
    assert_eq!(bytes[0], 0x8b, "an eleven-element CBOR array");
    let back: Partition = fvm_ipld_encoding::from_slice(&bytes).unwrap();
    assert_eq!(back, p);
    assert_ne!(p.expirations_epochs, p.early_terminated, "bit widths 4 and 3 differ");
}

#[test]
fn adds_sectors_and_reports_stats() {
    let store = MemoryBlockstore::default();
    let p = setup_unproven(&store);
    assert_state(&store, &p, &sectors(), &[1, 2, 3, 4, 5, 6], &[], &[], &[], &[1, 2, 3, 4, 5, 6]);
    assert!(p.active_power().is_zero());
    let p = setup(&store);
    assert_state(&store, &p, &sectors(), &[1, 2, 3, 4, 5, 6], &[], &[], &[], &[]);
    assert_eq!(p.active_power(), p.live_power);
    assert_eq!(p.active_sectors(), bf(&[1, 2, 3, 4, 5, 6]));
    assert_queue(&store, &p, &[(5, &[1, 2]), (9, &[3, 4]), (13, &[5, 6])]);
}

#[test]
fn does_not_add_sectors_twice() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let err = p.add_sectors(&store, false, &sectors(), SIZE, QUANT).unwrap_err();
    assert!(err.message().contains("not all added sectors are new"));
}

fn adds_faults(proven: bool) {
    let store = MemoryBlockstore::default();
    let mut p = setup_unproven(&store);
    if proven {
        p.activate_unproven();
    }
    let table = sectors_table(&store, sectors());
    let (new_faults, delta, faulty) =
        p.record_faults(&store, &table, &bf(&[4, 5]), 7, SIZE, QUANT).unwrap();
    assert_eq!(new_faults, bf(&[4, 5]));
    let expected = power(&sectors(), &[4, 5]);
    assert_eq!(faulty, expected);
    assert_eq!(delta, if proven { -expected } else { PowerPair::zero() });
    let unproven: &[u64] = if proven { &[] } else { &[1, 2, 3, 6] };
    assert_state(&store, &p, &sectors(), &[1, 2, 3, 4, 5, 6], &[4, 5], &[], &[], unproven);
    assert_queue(&store, &p, &[(5, &[1, 2]), (9, &[3, 4, 5]), (13, &[6])]);
}

#[test]
fn adds_faults_proven() {
    adds_faults(true);
}

#[test]
fn adds_faults_unproven() {
    adds_faults(false);
}

#[test]
fn re_adding_faults_is_a_no_op() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let table = sectors_table(&store, sectors());
    p.record_faults(&store, &table, &bf(&[4, 5]), 7, SIZE, QUANT).unwrap();
    let (new_faults, delta, faulty) =
        p.record_faults(&store, &table, &bf(&[5, 6]), 3, SIZE, QUANT).unwrap();
    assert_eq!(new_faults, bf(&[6]));
    assert_eq!(faulty, power(&sectors(), &[6]));
    assert_eq!(delta, -power(&sectors(), &[6]));
    assert_state(&store, &p, &sectors(), &[1, 2, 3, 4, 5, 6], &[4, 5, 6], &[], &[], &[]);
    assert_queue(&store, &p, &[(5, &[1, 2, 6]), (9, &[3, 4, 5])]);
}

#[test]
fn fails_to_add_faults_for_missing_sectors() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let table = sectors_table(&store, sectors());
    let err = p.record_faults(&store, &table, &bf(&[99]), 7, SIZE, QUANT).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    assert!(err.message().contains("not all sectors are assigned to the partition"));
    let err = p.declare_faults_recovered(&table, SIZE, &bf(&[99])).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn adds_and_retracts_recoveries() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let table = sectors_table(&store, sectors());
    p.record_faults(&store, &table, &bf(&[4, 5, 6]), 7, SIZE, QUANT).unwrap();
    p.declare_faults_recovered(&table, SIZE, &bf(&[4, 5])).unwrap();
    assert_state(&store, &p, &sectors(), &[1, 2, 3, 4, 5, 6], &[4, 5, 6], &[4, 5], &[], &[]);
    // Declaring again, or declaring healthy sectors, changes nothing (power counted once).
    p.declare_faults_recovered(&table, SIZE, &bf(&[1, 4, 5])).unwrap();
    assert_eq!(p.recovering_power, power(&sectors(), &[4, 5]));

    let (new_faults, _, _) = p.record_faults(&store, &table, &bf(&[]), 7, SIZE, QUANT).unwrap();
    assert!(new_faults.is_empty());
    let (new_faults, delta, _) =
        p.record_faults(&store, &table, &bf(&[5]), 10, SIZE, QUANT).unwrap();
    assert!(new_faults.is_empty());
    assert!(delta.is_zero());
    assert_state(&store, &p, &sectors(), &[1, 2, 3, 4, 5, 6], &[4, 5, 6], &[4], &[], &[]);
}

#[test]
fn recovers_faults() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let table = sectors_table(&store, sectors());
    p.record_faults(&store, &table, &bf(&[4, 5, 6]), 7, SIZE, QUANT).unwrap();
    p.declare_faults_recovered(&table, SIZE, &bf(&[4, 5])).unwrap();
    let recovered = p.recover_faults(&store, &table, SIZE, QUANT).unwrap();
    assert_eq!(recovered, power(&sectors(), &[4, 5]));
    assert_state(&store, &p, &sectors(), &[1, 2, 3, 4, 5, 6], &[6], &[], &[], &[]);
    assert_queue(&store, &p, &[(5, &[1, 2]), (9, &[3, 4, 6]), (13, &[5])]);
}

#[test]
fn reschedules_expirations_of_active_sectors_only() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let table = sectors_table(&store, sectors());
    p.record_faults(&store, &table, &bf(&[2]), 7, SIZE, QUANT).unwrap();
    // 2 is faulty and 99 is not here: both skipped.
    let moved =
        p.reschedule_expirations(&store, &table, 18, &bf(&[2, 4, 6, 99]), SIZE, QUANT).unwrap();
    assert_eq!(moved.iter().map(|s| s.sector_number).collect::<Vec<_>>(), vec![4, 6]);
    assert_queue(&store, &p, &[(5, &[1, 2]), (9, &[3]), (13, &[5]), (21, &[4, 6])]);
}

#[test]
fn replaces_sectors() {
    let store = MemoryBlockstore::default();
    let mut p = Partition::new(&store).unwrap();
    let all = sectors();
    p.add_sectors(&store, true, &pick(&all, &[1, 2, 5, 6]), SIZE, QUANT).unwrap();
    let old = pick(&all, &[1, 2, 5, 6])[2..].to_vec(); // 5 and 6
    let new =
        vec![test_sector(10, 7, 0, 2048 * 10, 2000, 9000), test_sector(18, 8, 0, 0, 2001, 9500)];
    let (delta, pledge_delta, fee_delta) =
        p.replace_sectors(&store, &old, &new, SIZE, QUANT).unwrap();
    assert_eq!(delta, &power_for_sectors(SIZE, &new) - &power_for_sectors(SIZE, &old));
    assert_eq!(pledge_delta, TokenAmount::from_atto(2000 + 2001 - 1004 - 1005));
    assert_eq!(fee_delta, TokenAmount::from_atto(9000 + 9500 - 7000 - 8000));
    assert_eq!(p.sectors, bf(&[1, 2, 7, 8]));
    assert_queue(&store, &p, &[(5, &[1, 2]), (13, &[7]), (21, &[8])]);

    // Faulty or unproven sectors may not be replaced.
    let mut all2 = all.clone();
    all2.extend(new.clone());
    let table = sectors_table(&store, all2.clone());
    p.record_faults(&store, &table, &bf(&[1]), 7, SIZE, QUANT).unwrap();
    let err = p.replace_sectors(&store, &pick(&all2, &[1]), &[], SIZE, QUANT).unwrap_err();
    assert!(
        err.message().contains("refusing to replace inactive sectors")
            || err.message().contains("early"),
        "{err}"
    );
    let mut q = Partition::new(&store).unwrap();
    q.add_sectors(&store, false, &pick(&all, &[3]), SIZE, QUANT).unwrap();
    let err = q.replace_sectors(&store, &pick(&all, &[3]), &[], SIZE, QUANT).unwrap_err();
    assert!(err.message().contains("refusing to replace inactive sectors"), "{err}");
}

#[test]
fn terminates_sectors() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let unproven = vec![test_sector(13, 7, 55, 65, 1006, 9000)];
    let mut all = sectors();
    all.extend(unproven.clone());
    let table = sectors_table(&store, all.clone());
    let (power_added, fee) = p.add_sectors(&store, false, &unproven, SIZE, QUANT).unwrap();
    assert_eq!(power_added, power_for_sectors(SIZE, &unproven));
    assert_eq!(fee, TokenAmount::from_atto(9000));

    p.record_faults(&store, &table, &bf(&[3, 4, 5, 6]), 7, SIZE, QUANT).unwrap();
    p.declare_faults_recovered(&table, SIZE, &bf(&[4, 5])).unwrap();
    let (removed, removed_unproven) =
        p.terminate_sectors(&store, &table, 3, &bf(&[1, 3, 5, 7]), SIZE, QUANT).unwrap();
    assert_eq!(removed.active_power, power(&all, &[1]));
    assert_eq!(removed.faulty_power, power(&all, &[3, 5]));
    assert_eq!(removed_unproven, power(&all, &[7]));
    assert_eq!(removed.on_time_sectors, bf(&[1, 3, 7]));
    assert_eq!(removed.early_sectors, bf(&[5]));
    assert_eq!(removed.on_time_pledge, TokenAmount::from_atto(1000 + 1002 + 1006));
    assert_eq!(removed.fee_deduction, TokenAmount::from_atto(3000 + 5000 + 7000 + 9000));
    assert_state(&store, &p, &all, &[1, 2, 3, 4, 5, 6, 7], &[4, 6], &[4], &[1, 3, 5, 7], &[]);
    assert_queue(&store, &p, &[(5, &[2]), (9, &[4, 6])]);
    assert_eq!(early_terminations(&store, &p), vec![(3, vec![1, 3, 5, 7])]);

    // Terminating again, or something absent, is refused.
    for bad in [&[1u64][..], &[99]] {
        let err = p.terminate_sectors(&store, &table, 4, &bf(bad), SIZE, QUANT).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
        assert!(err.message().contains("can only terminate live sectors"));
    }
    // Faults declared for terminated sectors are ignored.
    let (new_faults, delta, faulty) =
        p.record_faults(&store, &table, &bf(&[1, 3]), 5, SIZE, QUANT).unwrap();
    assert!(new_faults.is_empty() && delta.is_zero() && faulty.is_zero());
}

#[test]
fn pops_expiring_sectors() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let table = sectors_table(&store, sectors());
    p.record_faults(&store, &table, &bf(&[4]), 2, SIZE, QUANT).unwrap();
    let set = p.pop_expired_sectors(&store, 5, QUANT).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[1, 2]));
    assert_eq!(set.early_sectors, bf(&[4]));
    assert_eq!(set.on_time_pledge, TokenAmount::from_atto(2001));
    assert_eq!(set.active_power, power(&sectors(), &[1, 2]));
    assert_eq!(set.faulty_power, power(&sectors(), &[4]));
    assert_eq!(set.fee_deduction, TokenAmount::from_atto(3000 + 4000 + 6000));
    assert_state(&store, &p, &sectors(), &[1, 2, 3, 4, 5, 6], &[], &[], &[1, 2, 4], &[]);
    assert_queue(&store, &p, &[(9, &[3]), (13, &[5, 6])]);
    assert_eq!(early_terminations(&store, &p), vec![(5, vec![4])]);
}

#[test]
fn pop_expiring_sectors_refuses_recoveries_and_unproven() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let table = sectors_table(&store, sectors());
    p.record_faults(&store, &table, &bf(&[5]), 2, SIZE, QUANT).unwrap();
    p.declare_faults_recovered(&table, SIZE, &bf(&[5])).unwrap();
    let err = p.pop_expired_sectors(&store, 5, QUANT).unwrap_err();
    assert!(err.message().contains("unexpected recoveries while processing expirations"));

    let mut p = setup_unproven(&store);
    let err = p.pop_expired_sectors(&store, 5, QUANT).unwrap_err();
    assert!(
        err.message().contains("cannot pop expired sectors from a partition with unproven sectors")
    );
}

#[test]
fn records_missing_post() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let unproven = vec![test_sector(13, 7, 55, 65, 1006, 5000)];
    let mut all = sectors();
    all.extend(unproven.clone());
    let table = sectors_table(&store, all.clone());
    p.add_sectors(&store, false, &unproven, SIZE, QUANT).unwrap();
    p.record_faults(&store, &table, &bf(&[4, 5, 6]), 7, SIZE, QUANT).unwrap();
    p.declare_faults_recovered(&table, SIZE, &bf(&[4, 5])).unwrap();

    let (delta, penalized, new_faulty) = p.record_missed_post(&store, 6, QUANT).unwrap();
    // 6 was faulty already: only the ongoing penalty applies to it.
    assert_eq!(penalized, &power_for_sectors(SIZE, &all) - &power(&all, &[6]));
    // Power is lost for 1–3 only (4–6 were faulty, 7 never active).
    assert_eq!(delta, -power(&all, &[1, 2, 3]));
    assert_eq!(new_faulty, power(&all, &[1, 2, 3, 7]));
    assert_state(&store, &p, &all, &[1, 2, 3, 4, 5, 6, 7], &[1, 2, 3, 4, 5, 6, 7], &[], &[], &[]);
    assert_queue(&store, &p, &[(5, &[1, 2]), (9, &[3, 4, 5, 6, 7])]);
}

#[test]
fn pops_early_terminations_in_batches() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let table = sectors_table(&store, sectors());
    p.record_faults(&store, &table, &bf(&[3, 4, 5, 6]), 7, SIZE, QUANT).unwrap();
    p.declare_faults_recovered(&table, SIZE, &bf(&[4, 5])).unwrap();
    p.terminate_sectors(&store, &table, 3, &bf(&[1, 3, 5]), SIZE, QUANT).unwrap();

    let (result, more) = p.pop_early_terminations(&store, 1).unwrap();
    assert_eq!((result.partitions_processed, result.sectors_processed), (1, 1));
    assert_eq!(result.sectors[&3], bf(&[1]));
    assert!(more);
    assert_eq!(early_terminations(&store, &p), vec![(3, vec![3, 5])]);

    let (result, more) = p.pop_early_terminations(&store, 5).unwrap();
    assert_eq!(result.sectors_processed, 2);
    assert_eq!(result.sectors[&3], bf(&[3, 5]));
    assert!(!more);
    assert!(early_terminations(&store, &p).is_empty());
}

#[test]
fn records_skipped_faults() {
    let store = MemoryBlockstore::default();
    let mut p = setup(&store);
    let table = sectors_table(&store, sectors());

    // Empty: nothing happens.
    let r = p.record_skipped_faults(&store, &table, SIZE, QUANT, 7, &bf(&[])).unwrap();
    assert_eq!(r, (PowerPair::zero(), PowerPair::zero(), PowerPair::zero(), false));
    // Outside the partition: illegal argument.
    let err = p.record_skipped_faults(&store, &table, SIZE, QUANT, 7, &bf(&[1, 99])).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);

    // 5 and 6 faulty, 5 recovering; then a PoSt skips 1, 5 and 6.
    p.record_faults(&store, &table, &bf(&[5, 6]), 7, SIZE, QUANT).unwrap();
    p.declare_faults_recovered(&table, SIZE, &bf(&[5])).unwrap();
    let (delta, new_faulty, retracted, any_new) =
        p.record_skipped_faults(&store, &table, SIZE, QUANT, 7, &bf(&[1, 5, 6])).unwrap();
    assert_eq!(delta, -power(&sectors(), &[1]));
    assert_eq!(new_faulty, power(&sectors(), &[1]));
    assert_eq!(retracted, power(&sectors(), &[5]));
    assert!(any_new);
    assert_state(&store, &p, &sectors(), &[1, 2, 3, 4, 5, 6], &[1, 5, 6], &[], &[], &[]);

    // Skipping only existing faults adds nothing new.
    let (_, new_faulty, _, any_new) =
        p.record_skipped_faults(&store, &table, SIZE, QUANT, 7, &bf(&[1])).unwrap();
    assert!(new_faulty.is_zero() && !any_new);
}

#[test]
fn handles_a_full_partition_of_sectors() {
    let store = MemoryBlockstore::default();
    let mut p = Partition::new(&store).unwrap();
    let infos: Vec<_> =
        (0..2349u64).map(|n| test_sector(100 + (n % 7) as i64, n, 0, 0, 1, 2)).collect();
    let (power_added, fee) = p.add_sectors(&store, false, &infos, SIZE, QUANT).unwrap();
    assert_eq!(power_added.raw, BigInt::from(2349 * 2048));
    assert_eq!(fee, TokenAmount::from_atto(2 * 2349));
    assert_eq!(p.unproven.len(), 2349);
    p.activate_unproven();
    let table = sectors_table(&store, infos);
    let all = bf(&(0..2349).collect::<Vec<_>>());
    let (removed, _) = p.terminate_sectors(&store, &table, 50, &all, SIZE, QUANT).unwrap();
    assert_eq!(removed.on_time_sectors.len(), 2349);
    assert!(p.live_power.is_zero());
    let (result, more) = p.pop_early_terminations(&store, 1000).unwrap();
    assert_eq!(result.sectors_processed, 1000);
    assert!(more);
}
