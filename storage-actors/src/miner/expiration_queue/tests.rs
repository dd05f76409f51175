//! Ports of builtin-actors `tests/expiration_queue.rs` and `src/expiration_queue/tests.rs`.

use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_shared::bigint::BigInt;
use fvm_shared::error::ExitCode;

use super::*;
use crate::miner::quantize::NO_QUANTIZATION;
use crate::miner::sectors::power_for_sectors;
use crate::miner::sectors::tests::test_sector;

const SIZE: SectorSize = SectorSize::_2KiB;

fn bf(bits: &[u64]) -> BitField {
    BitField::try_from_bits(bits.iter().copied()).unwrap()
}

fn pp(raw: i64, qa: i64) -> PowerPair {
    PowerPair::new(BigInt::from(raw), BigInt::from(qa))
}

fn atto(n: u64) -> TokenAmount {
    TokenAmount::from_atto(n)
}

/// `factor · 2^shift` raw, twice that QA.
fn power_pair(factor: i64, shift: u32) -> PowerPair {
    pp(factor << shift, factor << (shift + 1))
}

fn default_set() -> ExpirationSet {
    let mut set = ExpirationSet::empty();
    set.add(
        &bf(&[5, 8, 9]),
        &bf(&[2, 3]),
        &atto(1000),
        &pp(1 << 13, 1 << 14),
        &pp(1 << 11, 1 << 12),
        &atto(2000),
    )
    .unwrap();
    set
}

fn sectors() -> Vec<SectorOnChainInfo> {
    vec![
        test_sector(2, 1, 50, 60, 1000, 3000),
        test_sector(3, 2, 51, 61, 1001, 4000),
        test_sector(7, 3, 52, 62, 1002, 5000),
        test_sector(8, 4, 53, 63, 1003, 6000),
        test_sector(11, 5, 54, 64, 1004, 7000),
        test_sector(13, 6, 55, 65, 1005, 8000),
    ]
}

fn empty_queue(
    store: &MemoryBlockstore,
    quant: QuantSpec,
) -> ExpirationQueue<'_, MemoryBlockstore> {
    let root = Amt::<(), _>::new_with_bit_width(store, 4).flush().unwrap();
    ExpirationQueue::new(store, &root, quant).unwrap()
}

fn require_no_groups_before(epoch: ChainEpoch, queue: &mut ExpirationQueue<'_, MemoryBlockstore>) {
    queue.amt.flush().unwrap();
    let set = queue.pop_until(epoch - 1).unwrap();
    assert!(set.is_empty(), "unexpected entry before {epoch}");
}

#[test]
fn set_add_and_remove() {
    let set = default_set();
    assert_eq!(set.len(), 5);
    let mut set2 = set.clone();
    set2.add(
        &bf(&[6, 7, 11]),
        &bf(&[1, 4]),
        &atto(300),
        &power_pair(3, 13),
        &power_pair(3, 11),
        &atto(500),
    )
    .unwrap();
    assert_eq!(set2.on_time_sectors, bf(&[5, 6, 7, 8, 9, 11]));
    assert_eq!(set2.early_sectors, bf(&[1, 2, 3, 4]));
    assert_eq!(set2.on_time_pledge, atto(1300));
    assert_eq!(set2.active_power, power_pair(1, 15));
    assert_eq!(set2.faulty_power, power_pair(1, 13));
    assert_eq!(set2.fee_deduction, atto(2500));

    let mut set3 = set;
    set3.remove(
        &bf(&[9]),
        &bf(&[2]),
        &atto(800),
        &power_pair(3, 11),
        &power_pair(3, 9),
        &atto(1200),
    )
    .unwrap();
    assert_eq!(set3.on_time_sectors, bf(&[5, 8]));
    assert_eq!(set3.early_sectors, bf(&[3]));
    assert_eq!(set3.on_time_pledge, atto(200));
    assert_eq!(set3.active_power, power_pair(1, 11));
    assert_eq!(set3.faulty_power, power_pair(1, 9));
    assert_eq!(set3.fee_deduction, atto(800));
}

#[test]
fn set_remove_failures() {
    let cases: Vec<(BitField, BitField, u64, PowerPair, PowerPair, u64, &str)> = vec![
        (bf(&[9]), bf(&[2]), 1200, power_pair(3, 11), power_pair(3, 9), 800, "pledge underflow"),
        (
            bf(&[9]),
            bf(&[2]),
            800,
            power_pair(3, 11),
            power_pair(3, 9),
            2200,
            "fee deduction underflow",
        ),
        (bf(&[12]), bf(&[]), 0, power_pair(3, 11), power_pair(3, 9), 0, "not contained"),
        (bf(&[0]), bf(&[8]), 0, power_pair(3, 11), power_pair(3, 9), 0, "not contained"),
        (bf(&[9]), bf(&[2]), 200, power_pair(3, 12), power_pair(3, 9), 600, "power underflow"),
        (bf(&[9]), bf(&[2]), 200, power_pair(3, 11), power_pair(3, 10), 700, "power underflow"),
    ];
    for (on_time, early, pledge, active, faulty, fee, msg) in cases {
        let mut set = default_set();
        let err =
            set.remove(&on_time, &early, &atto(pledge), &active, &faulty, &atto(fee)).unwrap_err();
        assert!(err.message().contains(msg), "{err}");
        assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_STATE);
    }
    let mut set = default_set();
    set.remove(
        &bf(&[5, 8, 9]),
        &bf(&[2, 3]),
        &atto(1000),
        &pp(1 << 13, 1 << 14),
        &pp(1 << 11, 1 << 12),
        &atto(2000),
    )
    .unwrap();
    assert!(set.is_empty());
    assert_eq!(set.len(), 0);
}

#[test]
fn set_encoding_has_six_fields_and_reads_five() {
    let set = default_set();
    let bytes = fvm_ipld_encoding::to_vec(&set).unwrap();
    assert_eq!(bytes[0], 0x86, "a six-element CBOR array");
    let back: ExpirationSet = fvm_ipld_encoding::from_slice(&bytes).unwrap();
    assert_eq!(back, set);
    // A pre-FIP-0100 set: five fields, fee deduction read as zero.
    let old = (bf(&[1]), bf(&[]), atto(7), pp(2048, 2048), PowerPair::zero());
    let bytes = fvm_ipld_encoding::to_vec(&old).unwrap();
    let back: ExpirationSet = fvm_ipld_encoding::from_slice(&bytes).unwrap();
    assert_eq!(back.on_time_pledge, atto(7));
    assert!(back.fee_deduction.is_zero());
}

#[test]
fn added_sectors_can_be_popped_off_queue() {
    let store = MemoryBlockstore::default();
    let mut queue = empty_queue(&store, NO_QUANTIZATION);
    let (numbers, power, pledge, fee) = queue.add_active_sectors(&sectors(), SIZE).unwrap();
    assert_eq!(numbers, bf(&[1, 2, 3, 4, 5, 6]));
    assert_eq!(power, power_for_sectors(SIZE, &sectors()));
    assert_eq!(power.raw, BigInt::from(6 * 2048));
    assert_eq!(pledge, atto(6015));
    assert_eq!(fee, atto(33000));
    assert_eq!(queue.amt.count(), 6);

    let set = queue.pop_until(7).unwrap();
    assert_eq!(queue.amt.count(), 3);
    assert_eq!(set.on_time_sectors, bf(&[1, 2, 3]));
    assert!(set.early_sectors.is_empty());
    assert_eq!(set.on_time_pledge, atto(3003));
    assert_eq!(set.active_power, power_for_sectors(SIZE, &sectors()[0..3]));
    assert_eq!(set.fee_deduction, atto(12000));
    assert!(set.faulty_power.is_zero());

    let set = queue.pop_until(20).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[4, 5, 6]));
    assert_eq!(set.on_time_pledge, atto(3012));
    assert_eq!(set.fee_deduction, atto(21000));
    assert_eq!(queue.amt.count(), 0);
}

#[test]
fn quantizes_added_sectors_by_expiration() {
    let store = MemoryBlockstore::default();
    let mut queue = empty_queue(&store, QuantSpec { unit: 5, offset: 3 });
    queue.add_active_sectors(&sectors(), SIZE).unwrap();
    assert_eq!(queue.amt.count(), 3);
    assert!(queue.pop_until(2).unwrap().on_time_sectors.is_empty());
    assert_eq!(queue.pop_until(3).unwrap().on_time_sectors, bf(&[1, 2]));
    assert!(queue.pop_until(7).unwrap().on_time_sectors.is_empty());
    assert_eq!(queue.pop_until(8).unwrap().on_time_sectors, bf(&[3, 4]));
    assert!(queue.pop_until(12).unwrap().on_time_sectors.is_empty());
    assert_eq!(queue.pop_until(13).unwrap().on_time_sectors, bf(&[5, 6]));
    assert_eq!(queue.amt.count(), 0);
}

#[test]
fn reschedules_sectors_as_faults() {
    let store = MemoryBlockstore::default();
    let mut queue = empty_queue(&store, QuantSpec { unit: 4, offset: 1 });
    queue.add_active_sectors(&sectors(), SIZE).unwrap();
    let delta = queue.reschedule_as_faults(6, &sectors()[1..5], SIZE).unwrap();
    assert_eq!(delta, power_for_sectors(SIZE, &sectors()[1..5]));

    require_no_groups_before(5, &mut queue);
    let set = queue.pop_until(5).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[1, 2]));
    assert!(set.early_sectors.is_empty());
    assert_eq!(set.on_time_pledge, atto(2001));
    assert_eq!(set.active_power, power_for_sectors(SIZE, &sectors()[0..1]));
    assert_eq!(set.faulty_power, power_for_sectors(SIZE, &sectors()[1..2]));
    assert_eq!(set.fee_deduction, atto(7000));

    require_no_groups_before(9, &mut queue);
    let set = queue.pop_until(9).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[3, 4]));
    assert_eq!(set.early_sectors, bf(&[5]));
    assert_eq!(set.on_time_pledge, atto(2005));
    assert!(set.active_power.is_zero());
    assert_eq!(set.faulty_power, power_for_sectors(SIZE, &sectors()[2..5]));
    // Sector 5's fee moves with it.
    assert_eq!(set.fee_deduction, atto(5000 + 6000 + 7000));

    require_no_groups_before(13, &mut queue);
    let set = queue.pop_until(13).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[6]));
    assert_eq!(set.on_time_pledge, atto(1005));
    assert_eq!(set.active_power, power_for_sectors(SIZE, &sectors()[5..]));
    assert!(set.faulty_power.is_zero());
    assert_eq!(set.fee_deduction, atto(8000));
}

#[test]
fn reschedules_all_sectors_as_faults() {
    let store = MemoryBlockstore::default();
    let mut queue = empty_queue(&store, QuantSpec { unit: 4, offset: 1 });
    queue.add_active_sectors(&sectors(), SIZE).unwrap();
    queue.reschedule_all_as_faults(6).unwrap();

    require_no_groups_before(5, &mut queue);
    let set = queue.pop_until(5).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[1, 2]));
    assert_eq!(set.on_time_pledge, atto(2001));
    assert!(set.active_power.is_zero());
    assert_eq!(set.faulty_power, power_for_sectors(SIZE, &sectors()[0..2]));

    require_no_groups_before(9, &mut queue);
    let set = queue.pop_until(9).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[3, 4]));
    assert_eq!(set.early_sectors, bf(&[5, 6]));
    assert_eq!(set.on_time_pledge, atto(2005));
    assert!(set.active_power.is_zero());
    assert_eq!(set.faulty_power, power_for_sectors(SIZE, &sectors()[2..]));
    assert_eq!(set.fee_deduction, atto(5000 + 6000 + 7000 + 8000));

    require_no_groups_before(13, &mut queue);
    assert!(queue.pop_until(13).unwrap().is_empty());
    assert_eq!(queue.amt.count(), 0);
}

#[test]
fn reschedule_recover_restores_all_sector_stats() {
    let store = MemoryBlockstore::default();
    let mut queue = empty_queue(&store, QuantSpec { unit: 4, offset: 1 });
    queue.add_active_sectors(&sectors(), SIZE).unwrap();
    queue.reschedule_as_faults(6, &sectors()[1..5], SIZE).unwrap();
    let recovered = queue.reschedule_recovered(sectors()[1..5].to_vec(), SIZE).unwrap();
    assert_eq!(recovered, power_for_sectors(SIZE, &sectors()[1..5]));

    require_no_groups_before(5, &mut queue);
    let set = queue.pop_until(5).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[1, 2]));
    assert_eq!(set.on_time_pledge, atto(2001));
    assert_eq!(set.active_power, power_for_sectors(SIZE, &sectors()[0..2]));
    assert!(set.faulty_power.is_zero());

    require_no_groups_before(9, &mut queue);
    let set = queue.pop_until(9).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[3, 4]));
    assert!(set.early_sectors.is_empty());
    assert_eq!(set.on_time_pledge, atto(2005));
    assert_eq!(set.active_power, power_for_sectors(SIZE, &sectors()[2..4]));
    assert_eq!(set.fee_deduction, atto(11000));

    require_no_groups_before(13, &mut queue);
    let set = queue.pop_until(13).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[5, 6]));
    assert_eq!(set.on_time_pledge, atto(2009));
    assert_eq!(set.active_power, power_for_sectors(SIZE, &sectors()[4..]));
    assert!(set.faulty_power.is_zero());
    assert_eq!(set.fee_deduction, atto(15000));

    // Recovering a sector the queue does not hold fails.
    let err = queue.reschedule_recovered(vec![test_sector(20, 9, 0, 0, 0, 0)], SIZE).unwrap_err();
    assert!(err.message().contains("not found"));
}

#[test]
fn replaces_sectors_with_new_sectors() {
    let store = MemoryBlockstore::default();
    let mut queue = empty_queue(&store, QuantSpec { unit: 4, offset: 1 });
    let s = sectors();
    queue
        .add_active_sectors(&[s[0].clone(), s[1].clone(), s[3].clone(), s[5].clone()], SIZE)
        .unwrap();
    let to_remove = [s[0].clone(), s[1].clone(), s[3].clone()];
    let to_add = [s[2].clone(), s[4].clone()];
    let (removed, added, power_delta, pledge_delta, fee_delta) =
        queue.replace_sectors(&to_remove, &to_add, SIZE).unwrap();
    assert_eq!(removed, bf(&[1, 2, 4]));
    assert_eq!(added, bf(&[3, 5]));
    assert_eq!(
        power_delta,
        &power_for_sectors(SIZE, &to_add) - &power_for_sectors(SIZE, &to_remove)
    );
    assert_eq!(power_delta.raw, BigInt::from(-2048));
    assert_eq!(pledge_delta, TokenAmount::from_atto(1002 + 1004 - 1000 - 1001 - 1003));
    assert_eq!(fee_delta, TokenAmount::from_atto(5000 + 7000 - 3000 - 4000 - 6000));

    require_no_groups_before(9, &mut queue);
    let set = queue.pop_until(9).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[3]));
    assert_eq!(set.on_time_pledge, atto(1002));
    require_no_groups_before(13, &mut queue);
    let set = queue.pop_until(13).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[5, 6]));
    assert_eq!(set.on_time_pledge, atto(2009));
    assert_eq!(set.active_power, power_for_sectors(SIZE, &s[4..]));
}

#[test]
fn removes_sectors() {
    let store = MemoryBlockstore::default();
    let mut queue = empty_queue(&store, QuantSpec { unit: 4, offset: 1 });
    queue.add_active_sectors(&sectors(), SIZE).unwrap();
    queue.reschedule_as_faults(6, &sectors()[1..], SIZE).unwrap();

    let s = sectors();
    let to_remove = [s[0].clone(), s[3].clone(), s[4].clone(), s[5].clone()];
    let (removed, recovering_power) =
        queue.remove_sectors(&to_remove, &bf(&[4, 5, 6]), &bf(&[6]), SIZE).unwrap();
    assert_eq!(removed.on_time_sectors, bf(&[1, 4]));
    assert_eq!(removed.early_sectors, bf(&[5, 6]));
    assert_eq!(removed.on_time_pledge, atto(1000 + 1003));
    assert_eq!(removed.active_power, power_for_sectors(SIZE, &s[0..1]));
    assert_eq!(removed.faulty_power, power_for_sectors(SIZE, &s[3..6]));
    assert_eq!(removed.fee_deduction, atto(3000 + 6000 + 7000 + 8000));
    assert_eq!(recovering_power, power_for_sectors(SIZE, &s[5..6]));

    require_no_groups_before(5, &mut queue);
    let set = queue.pop_until(5).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[2]));
    assert_eq!(set.on_time_pledge, atto(1001));
    assert!(set.active_power.is_zero());
    assert_eq!(set.faulty_power, power_for_sectors(SIZE, &s[1..2]));
    assert_eq!(set.fee_deduction, atto(4000));

    require_no_groups_before(9, &mut queue);
    let set = queue.pop_until(9).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[3]));
    assert!(set.early_sectors.is_empty());
    assert_eq!(set.on_time_pledge, atto(1002));
    assert_eq!(set.faulty_power, power_for_sectors(SIZE, &s[2..3]));
    assert_eq!(set.fee_deduction, atto(5000));
    require_no_groups_before(20, &mut queue);
}

#[test]
fn empty_operations_leave_the_queue_unchanged() {
    let store = MemoryBlockstore::default();
    let mut queue = empty_queue(&store, QuantSpec { unit: 4, offset: 1 });
    queue.add_active_sectors(&[], SIZE).unwrap();
    assert_eq!(queue.amt.count(), 0);
    queue.reschedule_recovered(vec![], SIZE).unwrap();
    assert_eq!(queue.amt.count(), 0);

    queue.add_active_sectors(&sectors(), SIZE).unwrap();
    let length = queue.amt.count();
    // Everything expires by 15 anyway.
    let power = queue.reschedule_as_faults(15, &sectors(), SIZE).unwrap();
    assert_eq!(power, power_for_sectors(SIZE, &sectors()));
    assert_eq!(queue.amt.count(), length);
    queue.reschedule_all_as_faults(15).unwrap();
    assert_eq!(queue.amt.count(), length);
}

#[test]
fn reschedules_expirations_and_rejects_grouping_early_sectors() {
    let store = MemoryBlockstore::default();
    let mut queue = empty_queue(&store, NO_QUANTIZATION);
    queue.add_active_sectors(&sectors(), SIZE).unwrap();
    // Move sectors 1 and 6 to epoch 20.
    let s = sectors();
    queue.reschedule_expirations(20, &[s[0].clone(), s[5].clone()], SIZE).unwrap();
    let set = queue.pop_until(19).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[2, 3, 4, 5]));
    let set = queue.pop_until(20).unwrap();
    assert_eq!(set.on_time_sectors, bf(&[1, 6]));
    assert_eq!(set.on_time_pledge, atto(2005));
    assert_eq!(set.fee_deduction, atto(11000));

    // An early (faulty) sector cannot be treated as active.
    let mut queue = empty_queue(&store, NO_QUANTIZATION);
    queue.add_active_sectors(&s, SIZE).unwrap();
    queue.reschedule_as_faults(4, &s[4..5], SIZE).unwrap();
    let err = queue.reschedule_expirations(30, &s[4..5], SIZE).unwrap_err();
    assert!(err.message().contains("early expiration"), "{err}");
}
