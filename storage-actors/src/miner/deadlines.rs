//! The miner's 48 deadlines (builtin-actors `deadline_state.rs` `Deadlines`, `deadlines.rs`)
//! and the assignment of new sectors to them (`deadline_assignment.rs`).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_amt::Amt;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::sector::SectorNumber;
use multihash_codetable::Code;

use super::deadline::Deadline;
use super::partition::Partition;
use super::policy::WPOST_PERIOD_DEADLINES;
use super::records::SectorOnChainInfo;
use super::sectors::{ErrorContext, amt_error, state_error};

/// The CIDs of the 48 deadline blocks (stored as `[due]`).
#[derive(Clone, Debug, PartialEq, Serialize_tuple, Deserialize_tuple)]
pub struct Deadlines {
    /// Deadline `i`'s block.
    pub due: Vec<Cid>,
}

impl Deadlines {
    /// Every deadline pointing at the same (empty) deadline block.
    pub fn new(empty_deadline_cid: Cid) -> Self {
        Self { due: vec![empty_deadline_cid; WPOST_PERIOD_DEADLINES as usize] }
    }

    /// Loads deadline `idx` (an index out of range is `USR_ILLEGAL_ARGUMENT`).
    pub fn load_deadline<BS: Blockstore>(
        &self,
        store: &BS,
        idx: u64,
    ) -> Result<Deadline, ActorError> {
        let cid = self.due.get(idx as usize).ok_or_else(|| {
            ActorError::illegal_argument(format!(
                "invalid deadline index {idx} of {}",
                self.due.len()
            ))
        })?;
        store
            .get_cbor(cid)
            .map_err(state_error(format_args!("failed to load deadline {idx}")))?
            .ok_or_else(|| ActorError::illegal_argument(format!("no deadline {idx}")))
    }

    /// Calls `f` on every deadline, in order.
    pub fn for_each<BS: Blockstore>(
        &self,
        store: &BS,
        mut f: impl FnMut(u64, Deadline) -> Result<(), ActorError>,
    ) -> Result<(), ActorError> {
        for idx in 0..self.due.len() as u64 {
            f(idx, self.load_deadline(store, idx)?)?;
        }
        Ok(())
    }

    /// Validates and stores deadline `idx`.
    pub fn update_deadline<BS: Blockstore>(
        &mut self,
        store: &BS,
        idx: u64,
        deadline: &Deadline,
    ) -> Result<(), ActorError> {
        if idx >= WPOST_PERIOD_DEADLINES || idx as usize >= self.due.len() {
            return Err(ActorError::illegal_state(format!("invalid deadline {idx}")));
        }
        deadline.validate_state()?;
        self.due[idx as usize] = store
            .put_cbor(deadline, Code::Blake2b256)
            .map_err(state_error(format_args!("failed to store deadline {idx}")))?;
        Ok(())
    }

    /// The (deadline, partition) holding `sector_number`, terminated or not. Not finding it is
    /// `USR_NOT_FOUND`.
    pub fn find_sector<BS: Blockstore>(
        &self,
        store: &BS,
        sector_number: SectorNumber,
    ) -> Result<(u64, u64), ActorError> {
        for deadline_idx in 0..self.due.len() as u64 {
            let deadline = self.load_deadline(store, deadline_idx)?;
            let partitions = Amt::<Partition, _>::load(&deadline.partitions, store)
                .map_err(amt_error("failed to load partitions"))?;
            let mut found = None;
            partitions
                .for_each_while(|idx, partition| {
                    if partition.sectors.get(sector_number) {
                        found = Some(idx);
                        Ok(false)
                    } else {
                        Ok(true)
                    }
                })
                .map_err(amt_error("failed to walk partitions"))?;
            if let Some(partition_idx) = found {
                return Ok((deadline_idx, partition_idx));
            }
        }
        Err(ActorError::not_found(format!("sector {sector_number} not due at any deadline")))
            .context("failed to find sector")
    }
}

/// What deadline assignment needs to know of a deadline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeadlineAssignmentInfo {
    /// Non-terminated sectors.
    pub live_sectors: u64,
    /// All sectors, terminated ones included.
    pub total_sectors: u64,
}

/// Anything that can report a deadline's sector counts: a [`Deadline`] or a bare
/// [`DeadlineAssignmentInfo`].
pub trait DeadlineSectorCounts {
    /// Non-terminated sectors.
    fn live_sectors(&self) -> u64;
    /// All sectors, terminated ones included.
    fn total_sectors(&self) -> u64;
}

impl DeadlineSectorCounts for Deadline {
    fn live_sectors(&self) -> u64 {
        self.live_sectors
    }
    fn total_sectors(&self) -> u64 {
        self.total_sectors
    }
}

impl DeadlineSectorCounts for DeadlineAssignmentInfo {
    fn live_sectors(&self) -> u64 {
        self.live_sectors
    }
    fn total_sectors(&self) -> u64 {
        self.total_sectors
    }
}

/// One candidate deadline during assignment.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    index: usize,
    live_sectors: u64,
    total_sectors: u64,
    partition_size: u64,
}

impl Candidate {
    fn partitions_after_assignment(&self) -> u64 {
        (self.total_sectors + 1).div_ceil(self.partition_size)
    }

    fn compact_partitions_after_assignment(&self) -> u64 {
        (self.live_sectors + 1).div_ceil(self.partition_size)
    }

    fn is_full_now(&self) -> bool {
        self.total_sectors.is_multiple_of(self.partition_size)
    }

    fn max_partitions_reached(&self, max_partitions: u64) -> bool {
        self.total_sectors >= self.partition_size.saturating_mul(max_partitions)
    }

    /// Preference order (`Less` = assign here first): fewest partitions after compaction (so
    /// the most partitions any deadline needs proven grows last), then fewest partitions
    /// before compaction (putting off compaction), then an open partition over a new one, the
    /// fuller of two open partitions (runs of sector numbers stay together), fewest live
    /// sectors, lowest index.
    fn preference(&self, other: &Self) -> Ordering {
        self.compact_partitions_after_assignment()
            .cmp(&other.compact_partitions_after_assignment())
            .then_with(|| {
                self.partitions_after_assignment().cmp(&other.partitions_after_assignment())
            })
            .then_with(|| self.is_full_now().cmp(&other.is_full_now()))
            .then_with(|| {
                if !self.is_full_now() && !other.is_full_now() {
                    other.total_sectors.cmp(&self.total_sectors)
                } else {
                    Ordering::Equal
                }
            })
            .then_with(|| self.live_sectors.cmp(&other.live_sectors))
            .then_with(|| self.index.cmp(&other.index))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.preference(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    /// Reversed so that `BinaryHeap` (a max-heap) yields the preferred deadline first.
    fn cmp(&self, other: &Self) -> Ordering {
        self.preference(other).reverse()
    }
}

/// Assigns `sectors`, one at a time in order, to the deadlines given as `Some` (the others —
/// those open or about to be — are skipped), each to the preferred deadline at that moment
/// (see [`Candidate::preference`]). Returns the sectors for each deadline index. Fails if
/// every deadline has reached `max_partitions` partitions of `partition_size`.
pub fn assign_deadlines<D: DeadlineSectorCounts>(
    max_partitions: u64,
    partition_size: u64,
    deadlines: &[Option<D>],
    sectors: Vec<SectorOnChainInfo>,
) -> Result<Vec<Vec<SectorOnChainInfo>>, ActorError> {
    if partition_size == 0 {
        return Err(ActorError::illegal_state("partition size must be positive"));
    }
    let mut heap: BinaryHeap<Candidate> = deadlines
        .iter()
        .enumerate()
        .filter_map(|(index, d)| {
            d.as_ref().map(|d| Candidate {
                index,
                live_sectors: d.live_sectors(),
                total_sectors: d.total_sectors(),
                partition_size,
            })
        })
        .collect();
    if heap.is_empty() {
        return Err(ActorError::illegal_state("no deadline available for sector assignment"));
    }

    let mut changes = vec![Vec::new(); deadlines.len().max(WPOST_PERIOD_DEADLINES as usize)];
    for sector in sectors {
        let Some(mut best) = heap.peek_mut() else {
            return Err(ActorError::illegal_state("no deadline available for sector assignment"));
        };
        if best.max_partitions_reached(max_partitions) {
            return Err(ActorError::illegal_state(format!(
                "max partitions limit {max_partitions} reached for all deadlines"
            )));
        }
        changes[best.index].push(sector);
        best.live_sectors += 1;
        best.total_sectors += 1;
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::miner::deadline::Deadline;
    use crate::miner::sectors::tests::test_sector;
    use fvm_ipld_blockstore::MemoryBlockstore;
    use fvm_shared::error::ExitCode;
    use fvm_shared::sector::SectorSize;

    fn info(live: u64, dead: u64) -> Option<DeadlineAssignmentInfo> {
        Some(DeadlineAssignmentInfo { live_sectors: live, total_sectors: live + dead })
    }

    fn numbers(n: u64) -> Vec<SectorOnChainInfo> {
        (0..n).map(|i| test_sector(100, i, 0, 0, 0, 0)).collect()
    }

    #[test]
    fn assignment_vectors() {
        // (sectors, deadlines as (live, dead, expected) or None)
        type Spec = Option<(u64, u64, Vec<u64>)>;
        let cases: Vec<(u64, Vec<Spec>)> = vec![
            // Even assignment and striping.
            (10, vec![Some((0, 0, vec![0, 1, 2, 3, 8, 9])), Some((0, 0, vec![4, 5, 6, 7]))]),
            // Fill non-full first.
            (5, vec![Some((0, 0, vec![3, 4])), None, None, Some((1, 0, vec![0, 1, 2]))]),
            // Fewest live partitions.
            (1, vec![Some((8, 0, vec![])), Some((7, 5, vec![0]))]),
            // Avoid increasing max partitions.
            (1, vec![Some((4, 4, vec![])), Some((4, 0, vec![0]))]),
            // Most full open partition first.
            (1, vec![Some((1, 0, vec![])), Some((2, 0, vec![0]))]),
            // Dead sectors count.
            (1, vec![Some((1, 0, vec![])), Some((0, 2, vec![0]))]),
            (1, vec![Some((0, 1, vec![])), Some((0, 2, vec![0]))]),
            // Equally full: fewer live sectors.
            (1, vec![Some((1, 1, vec![])), Some((0, 2, vec![0]))]),
        ];
        for (n, (count, specs)) in cases.into_iter().enumerate() {
            let deadlines: Vec<_> =
                specs.iter().map(|s| s.as_ref().and_then(|(l, d, _)| info(*l, *d))).collect();
            let assigned = assign_deadlines(100, 4, &deadlines, numbers(count)).unwrap();
            assert_eq!(assigned.len(), 48);
            for (i, got) in assigned.iter().enumerate() {
                let got: Vec<u64> = got.iter().map(|s| s.sector_number).collect();
                let expected =
                    specs.get(i).and_then(|s| s.as_ref()).map(|s| s.2.clone()).unwrap_or_default();
                assert_eq!(got, expected, "case {n}, deadline {i}");
            }
        }
    }

    #[test]
    fn assignment_respects_max_partitions() {
        let empty = vec![info(0, 0); 48];
        assert!(assign_deadlines(5, 5, &empty, numbers(1201)).is_err());
        let full = assign_deadlines(5, 5, &empty, numbers(1200)).unwrap();
        assert!(full.iter().all(|d| d.len() == 25));
        let used = vec![info(1, 1); 48];
        let err = assign_deadlines(5, 5, &used, numbers(1105)).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_STATE);
        assert!(assign_deadlines(5, 5, &used, numbers(1104)).is_ok());
        let none: Vec<Option<DeadlineAssignmentInfo>> = vec![None; 48];
        assert!(assign_deadlines(5, 5, &none, numbers(1)).is_err());
    }

    #[test]
    fn stores_loads_and_finds_sectors() {
        let store = MemoryBlockstore::default();
        let empty = Deadline::new(&store).unwrap();
        let empty_cid = store.put_cbor(&empty, Code::Blake2b256).unwrap();
        let mut deadlines = Deadlines::new(empty_cid);
        assert_eq!(deadlines.due.len(), 48);
        // [due]: a one-element array holding 48 CIDs.
        let bytes = fvm_ipld_encoding::to_vec(&deadlines).unwrap();
        assert_eq!(&bytes[..3], &[0x81, 0x98, 48]);

        let quant = crate::miner::deadline_info::new_deadline_info(0, 5, 0).quant_spec();
        let mut dl = deadlines.load_deadline(&store, 5).unwrap();
        let infos: Vec<_> = (10..15).map(|n| test_sector(10_000, n, 0, 0, 1, 1)).collect();
        dl.add_sectors(&store, 2, true, true, &infos, SectorSize::_2KiB, quant).unwrap();
        deadlines.update_deadline(&store, 5, &dl).unwrap();

        assert_eq!(deadlines.find_sector(&store, 10).unwrap(), (5, 0));
        assert_eq!(deadlines.find_sector(&store, 13).unwrap(), (5, 1));
        assert_eq!(deadlines.find_sector(&store, 14).unwrap(), (5, 2));
        assert_eq!(
            deadlines.find_sector(&store, 99).unwrap_err().exit_code(),
            ExitCode::USR_NOT_FOUND
        );
        assert_eq!(
            deadlines.load_deadline(&store, 48).unwrap_err().exit_code(),
            ExitCode::USR_ILLEGAL_ARGUMENT
        );
        assert!(deadlines.update_deadline(&store, 48, &dl).is_err());

        let mut seen = Vec::new();
        deadlines
            .for_each(&store, |i, d| {
                if d.live_sectors > 0 {
                    seen.push((i, d.live_sectors));
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, vec![(5, 5)]);

        // A Deadline also works as assignment input.
        let dls: Vec<Option<Deadline>> = (0..48).map(|i| (i < 2).then(|| dl.clone())).collect();
        let assigned = assign_deadlines(10, 2, &dls, numbers(2)).unwrap();
        assert_eq!(assigned[0].len() + assigned[1].len(), 2);
    }
}
