//! Sectors addressed by a message, by deadline and partition (builtin-actors `sector_map.rs`):
//! declarations, terminations and extensions name `(deadline, partition, sectors)` triples,
//! which are merged here and checked against the per-message limits before any state is read.

use std::collections::BTreeMap;

use filecoin_vm::ActorError;
use fvm_ipld_bitfield::BitField;

use super::policy::WPOST_PERIOD_DEADLINES;
use super::sectors::bitfield_of;

/// Deadline → partitions → sectors.
#[derive(Clone, Debug, Default)]
pub struct DeadlineSectorMap(BTreeMap<u64, PartitionSectorMap>);

impl DeadlineSectorMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fails (`USR_ILLEGAL_ARGUMENT`) if the map addresses more than `max_partitions`
    /// partitions or `max_sectors` sectors in total.
    pub fn check(&mut self, max_partitions: u64, max_sectors: u64) -> Result<(), ActorError> {
        let (partitions, sectors) = self.count()?;
        if partitions > max_partitions {
            return Err(ActorError::illegal_argument(format!(
                "too many partitions {partitions}, max {max_partitions}"
            )));
        }
        if sectors > max_sectors {
            return Err(ActorError::illegal_argument(format!(
                "too many sectors {sectors}, max {max_sectors}"
            )));
        }
        Ok(())
    }

    /// Counts partitions and sectors over all deadlines.
    pub fn count(&mut self) -> Result<(u64, u64), ActorError> {
        self.0.values_mut().try_fold((0u64, 0u64), |(partitions, sectors), map| {
            let (p, s) = map.count()?;
            let overflow = || ActorError::illegal_argument("integer overflow when counting");
            Ok((
                partitions.checked_add(p).ok_or_else(overflow)?,
                sectors.checked_add(s).ok_or_else(overflow)?,
            ))
        })
    }

    /// Adds `sector_numbers` at a deadline and partition (merged with earlier additions).
    pub fn add(
        &mut self,
        deadline_idx: u64,
        partition_idx: u64,
        sector_numbers: BitField,
    ) -> Result<(), ActorError> {
        if deadline_idx >= WPOST_PERIOD_DEADLINES {
            return Err(ActorError::illegal_argument(format!("invalid deadline {deadline_idx}")));
        }
        self.0.entry(deadline_idx).or_default().add(partition_idx, sector_numbers)
    }

    /// Adds sector numbers at a deadline and partition.
    pub fn add_values(
        &mut self,
        deadline_idx: u64,
        partition_idx: u64,
        sector_numbers: &[u64],
    ) -> Result<(), ActorError> {
        self.add(deadline_idx, partition_idx, bitfield_of(sector_numbers.iter().copied())?)
    }

    /// The deadlines addressed, in order.
    pub fn deadlines(&self) -> impl Iterator<Item = u64> + '_ {
        self.0.keys().copied()
    }

    /// The deadlines addressed with their partitions, in deadline order.
    pub fn iter(&mut self) -> impl Iterator<Item = (u64, &mut PartitionSectorMap)> + '_ {
        self.0.iter_mut().map(|(&i, m)| (i, m))
    }
}

/// Partition → sectors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartitionSectorMap(BTreeMap<u64, BitField>);

impl PartitionSectorMap {
    /// Adds sector numbers at a partition.
    pub fn add_values(
        &mut self,
        partition_idx: u64,
        sector_numbers: Vec<u64>,
    ) -> Result<(), ActorError> {
        self.add(partition_idx, bitfield_of(sector_numbers)?)
    }

    /// Adds `sector_numbers` at a partition, merged with earlier additions.
    pub fn add(&mut self, partition_idx: u64, sector_numbers: BitField) -> Result<(), ActorError> {
        match self.0.get_mut(&partition_idx) {
            Some(existing) => *existing |= &sector_numbers,
            None => {
                self.0.insert(partition_idx, sector_numbers);
            }
        }
        Ok(())
    }

    /// Counts partitions and sectors.
    pub fn count(&mut self) -> Result<(u64, u64), ActorError> {
        let sectors = self.0.values().try_fold(0u64, |n, bf| {
            n.checked_add(bf.len()).ok_or_else(|| {
                ActorError::illegal_argument("integer overflow when counting sectors")
            })
        })?;
        Ok((self.0.len() as u64, sectors))
    }

    /// The partitions addressed, in order.
    pub fn partitions(&self) -> impl Iterator<Item = u64> + '_ {
        self.0.keys().copied()
    }

    /// The partitions with their sectors, in partition order.
    pub fn iter(&mut self) -> impl Iterator<Item = (u64, &mut BitField)> + '_ {
        self.0.iter_mut().map(|(&i, bf)| (i, bf))
    }

    /// Number of partitions.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no partition is addressed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_shared::error::ExitCode;

    #[test]
    fn merges_counts_and_checks_limits() {
        let mut map = DeadlineSectorMap::new();
        map.add_values(0, 0, &[0, 1, 2, 3]).unwrap();
        map.add_values(0, 0, &[3, 4]).unwrap();
        map.add_values(0, 1, &[10]).unwrap();
        map.add_values(3, 0, &[20, 21]).unwrap();
        assert_eq!(map.count().unwrap(), (3, 8));
        assert_eq!(map.deadlines().collect::<Vec<_>>(), vec![0, 3]);
        map.check(3, 8).unwrap();
        let err = map.check(2, 8).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
        assert!(err.message().contains("too many partitions"));
        assert!(map.check(3, 7).unwrap_err().message().contains("too many sectors"));
        assert_eq!(
            map.add_values(48, 0, &[1]).unwrap_err().exit_code(),
            ExitCode::USR_ILLEGAL_ARGUMENT
        );

        type Walk = Vec<(u64, Vec<(u64, Vec<u64>)>)>;
        let walked: Walk = map
            .iter()
            .map(|(d, pm)| (d, pm.iter().map(|(p, bf)| (p, bf.iter().collect())).collect()))
            .collect();
        assert_eq!(
            walked,
            vec![(0, vec![(0, vec![0, 1, 2, 3, 4]), (1, vec![10])]), (3, vec![(0, vec![20, 21])])]
        );

        let mut pm = PartitionSectorMap::default();
        assert!(pm.is_empty());
        pm.add_values(5, vec![1, 2]).unwrap();
        pm.add_values(2, vec![7]).unwrap();
        assert_eq!(pm.len(), 2);
        assert_eq!(pm.partitions().collect::<Vec<_>>(), vec![2, 5]);
        assert_eq!(pm.count().unwrap(), (2, 3));
    }
}
