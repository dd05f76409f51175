//! What one pass over early terminations processed (builtin-actors `termination.rs`): the
//! sectors by termination epoch, so the caller can compute each sector's termination fee at
//! the epoch it ended, and counts against the per-pass limits that bound cron work.

use std::collections::BTreeMap;
use std::ops::AddAssign;

use fvm_ipld_bitfield::BitField;
use fvm_shared::clock::ChainEpoch;

/// Sectors terminated early, by epoch, with the work done to collect them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TerminationResult {
    /// Termination epoch → sectors that ended then.
    pub sectors: BTreeMap<ChainEpoch, BitField>,
    /// Partitions visited.
    pub partitions_processed: u64,
    /// Sectors collected.
    pub sectors_processed: u64,
}

impl AddAssign for TerminationResult {
    fn add_assign(&mut self, rhs: Self) {
        self.partitions_processed += rhs.partitions_processed;
        self.sectors_processed += rhs.sectors_processed;
        for (epoch, sectors) in rhs.sectors {
            self.sectors
                .entry(epoch)
                .and_modify(|existing| *existing |= &sectors)
                .or_insert(sectors);
        }
    }
}

impl TerminationResult {
    /// Nothing processed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether both counts are still below their limits (another partition may be visited).
    pub fn below_limit(&self, partition_limit: u64, sector_limit: u64) -> bool {
        self.partitions_processed < partition_limit && self.sectors_processed < sector_limit
    }

    /// Whether no sector was collected.
    pub fn is_empty(&self) -> bool {
        self.sectors_processed == 0
    }

    /// The sectors by epoch, earliest first.
    pub fn iter(&self) -> impl Iterator<Item = (ChainEpoch, &BitField)> {
        self.sectors.iter().map(|(&epoch, sectors)| (epoch, sectors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bf(bits: &[u64]) -> BitField {
        BitField::try_from_bits(bits.iter().copied()).unwrap()
    }

    #[test]
    fn merges_results_and_checks_limits() {
        let mut a = TerminationResult {
            sectors: [(3, bf(&[9])), (1, bf(&[1, 2, 4]))].into_iter().collect(),
            partitions_processed: 1,
            sectors_processed: 4,
        };
        assert!(!a.is_empty());
        assert!(a.below_limit(2, 5));
        assert!(!a.below_limit(1, 5));
        assert!(!a.below_limit(2, 4));
        let b = TerminationResult {
            sectors: [(1, bf(&[3])), (2, bf(&[5]))].into_iter().collect(),
            partitions_processed: 1,
            sectors_processed: 2,
        };
        a += b;
        assert_eq!((a.partitions_processed, a.sectors_processed), (2, 6));
        let flat: Vec<(ChainEpoch, Vec<u64>)> =
            a.iter().map(|(e, s)| (e, s.iter().collect())).collect();
        assert_eq!(flat, vec![(1, vec![1, 2, 3, 4]), (2, vec![5]), (3, vec![9])]);
        assert!(TerminationResult::new().is_empty());
    }
}
