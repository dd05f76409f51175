//! `CompactPartitions` and `CompactSectorNumbers` through the VM: a terminated sector is
//! dropped from its partition and from the sectors table once its deadline's proofs can no
//! longer be disputed; unused sector numbers are masked.

use fvm_ipld_bitfield::BitField;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use storage_actors::miner::records::PowerPair;
use storage_actors::miner::types::*;

use super::extend::{bits, claimed_power, partition, proven_sectors, sector};
use super::setup::*;
use crate::harness::{Net, assert_exit};

fn compact(
    net: &mut Net,
    miner: &fvm_shared::address::Address,
    deadline: u64,
    parts: &[u64],
) -> ExitCode {
    let params = CompactPartitionsParams { deadline, partitions: bits(parts) };
    from_worker(net, miner, COMPACT_PARTITIONS_METHOD, &params).receipt.exit_code
}

#[test]
fn compaction_after_a_termination_removes_the_dead_sector_once_disputes_are_over() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let ((deadline, part), dl) = proven_sectors(&mut net, &miner, &[1, 2]);
    assert_eq!(claimed_power(&mut net, &miner), PowerPair::new(4096.into(), 4096.into()));

    // While the deadline is being proven it cannot be compacted.
    assert_eq!(compact(&mut net, &miner, deadline, &[part]), ExitCode::USR_FORBIDDEN);

    // It closes; sector 1 is terminated.
    run_to(&mut net, &miner, dl.last());
    net.advance(1);
    let terminate = TerminateSectorsParams {
        terminations: vec![TerminationDeclaration {
            deadline,
            partition: part,
            sectors: bits(&[1]),
        }],
    };
    let ret = from_worker(&mut net, &miner, TERMINATE_SECTORS_METHOD, &terminate);
    assert_exit(&ret, ExitCode::OK);
    let p = partition(&mut net, &miner, deadline, part);
    assert_eq!((p.sectors.clone(), p.terminated), (bits(&[1, 2]), bits(&[1])));
    assert_eq!(claimed_power(&mut net, &miner), PowerPair::new(2048.into(), 2048.into()));

    // Within the 1800-epoch dispute window after the close, compaction is refused.
    assert_eq!(compact(&mut net, &miner, deadline, &[part]), ExitCode::USR_FORBIDDEN);
    run_to(&mut net, &miner, dl.close + 1799);
    assert_eq!(compact(&mut net, &miner, deadline, &[part]), ExitCode::USR_FORBIDDEN);

    // Once it has passed (and before the deadline's next challenge), it goes ahead.
    run_to(&mut net, &miner, dl.close + 1800);
    let survivor = sector(&mut net, &miner, 2);
    let fee_before = {
        let st = miner_state(&mut net, &miner);
        let dls = st.load_deadlines(net.exec.store()).unwrap();
        dls.load_deadline(net.exec.store(), deadline).unwrap().daily_fee
    };
    // More partitions than a message may address are refused (3000).
    let many: Vec<u64> = (0..3001).collect();
    assert_eq!(compact(&mut net, &miner, deadline, &many), ExitCode::USR_ILLEGAL_ARGUMENT);
    // Only the owner, worker or a control address may compact.
    let bob = net.bob.address();
    let ret = net.send(
        &bob,
        &miner,
        COMPACT_PARTITIONS_METHOD,
        Some(&CompactPartitionsParams { deadline, partitions: bits(&[part]) }),
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    assert_eq!(compact(&mut net, &miner, 48, &[part]), ExitCode::USR_ILLEGAL_ARGUMENT);
    assert_eq!(compact(&mut net, &miner, deadline, &[part]), ExitCode::OK);

    // The terminated sector is gone from the sectors table; the live one stays.
    let st = miner_state(&mut net, &miner);
    assert_eq!(st.get_sector(net.exec.store(), 1).unwrap(), None);
    assert_eq!(st.get_sector(net.exec.store(), 2).unwrap(), Some(survivor));
    // The deadline holds one partition with just the live sector, fee and power unchanged.
    let dls = st.load_deadlines(net.exec.store()).unwrap();
    let dl_state = dls.load_deadline(net.exec.store(), deadline).unwrap();
    assert_eq!((dl_state.live_sectors, dl_state.total_sectors), (1, 1));
    assert_eq!(dl_state.daily_fee, fee_before);
    assert_eq!(dl_state.live_power, PowerPair::new(2048.into(), 2048.into()));
    let p = partition(&mut net, &miner, deadline, 0);
    assert_eq!(p.sectors, bits(&[2]));
    assert!(p.terminated.is_empty() && p.faults.is_empty() && p.unproven.is_empty());
    assert_eq!(p.live_power, PowerPair::new(2048.into(), 2048.into()));
    assert_eq!(claimed_power(&mut net, &miner), PowerPair::new(2048.into(), 2048.into()));
    // The sector is found at its new place.
    assert_eq!(locate(&mut net, &miner, 2), (deadline, 0));
}

fn allocated(net: &mut Net, miner: &fvm_shared::address::Address) -> BitField {
    let st = miner_state(net, miner);
    fvm_ipld_encoding::CborStore::get_cbor(net.exec.store(), &st.allocated_sectors)
        .unwrap()
        .unwrap()
}

#[test]
fn masked_sector_numbers_are_allocated_and_cannot_be_pre_committed() {
    let mut net = net();
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    onboard_cc(&mut net, &miner, &[1, 2]);
    assert_eq!(allocated(&mut net, &miner), bits(&[1, 2]));
    let mask = |numbers: BitField| CompactSectorNumbersParams { mask_sector_numbers: numbers };

    // An empty mask is refused; so is a stranger.
    let ret = from_worker(&mut net, &miner, COMPACT_SECTOR_NUMBERS_METHOD, &mask(BitField::new()));
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    let bob = net.bob.address();
    let ret = net.send(
        &bob,
        &miner,
        COMPACT_SECTOR_NUMBERS_METHOD,
        Some(&mask(bits(&[3]))),
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);

    // Masking 2..=99 (2 is already in use, which is fine) collapses the field into one run.
    let range: Vec<u64> = (2..100).collect();
    let ret = from_worker(&mut net, &miner, COMPACT_SECTOR_NUMBERS_METHOD, &mask(bits(&range)));
    assert_exit(&ret, ExitCode::OK);
    let expected: Vec<u64> = (1..100).collect();
    assert_eq!(allocated(&mut net, &miner), bits(&expected));
    assert_eq!(allocated(&mut net, &miner).ranges().count(), 1);

    // A masked number can no longer be pre-committed; the next free one can.
    let sectors = vec![cc_precommit(&net, 50, 220 * DAY)];
    let ret = from_worker(
        &mut net,
        &miner,
        PRE_COMMIT_SECTOR_BATCH2_METHOD,
        &PreCommitSectorBatch2Params { sectors },
    );
    assert_exit(&ret, ExitCode::USR_ILLEGAL_ARGUMENT);
    let sectors = vec![cc_precommit(&net, 100, 220 * DAY)];
    let ret = from_worker(
        &mut net,
        &miner,
        PRE_COMMIT_SECTOR_BATCH2_METHOD,
        &PreCommitSectorBatch2Params { sectors },
    );
    assert_exit(&ret, ExitCode::OK);
}
