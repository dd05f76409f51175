//! A queue of bitfields by epoch (builtin-actors `bitfield_queue.rs`): an AMT from quantized
//! epoch to a set of numbers (partitions expiring in a deadline, sectors terminated early in a
//! partition). Quantizing keys (upwards) keeps the number of entries to one per deadline cron.

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_amt::Amt;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;

use super::quantize::QuantSpec;
use super::sectors::{bitfield_of, state_error};

/// The queue, loaded.
#[derive(Debug)]
pub struct BitFieldQueue<'db, BS> {
    /// The AMT itself (flush it to get the new root).
    pub amt: Amt<BitField, &'db BS>,
    quant: QuantSpec,
}

/// The AMT key of an epoch; negative epochs cannot be keys.
fn epoch_key(epoch: ChainEpoch) -> Result<u64, ActorError> {
    u64::try_from(epoch)
        .map_err(|_| ActorError::illegal_state(format!("negative queue epoch {epoch}")))
}

impl<'db, BS: Blockstore> BitFieldQueue<'db, BS> {
    /// Loads the queue at `root`, bucketing epochs with `quant`.
    pub fn new(store: &'db BS, root: &Cid, quant: QuantSpec) -> Result<Self, ActorError> {
        let amt = Amt::load(root, store).map_err(state_error("failed to load bitfield queue"))?;
        Ok(Self { amt, quant })
    }

    /// Adds `values` to the entry of `raw_epoch` (quantized up).
    pub fn add_to_queue(
        &mut self,
        raw_epoch: ChainEpoch,
        values: &BitField,
    ) -> Result<(), ActorError> {
        if values.is_empty() {
            return Ok(());
        }
        let epoch = epoch_key(self.quant.quantize_up(raw_epoch))?;
        let current = self
            .amt
            .get(epoch)
            .map_err(state_error(format_args!("failed to look up queue epoch {epoch}")))?
            .cloned()
            .unwrap_or_default();
        self.amt
            .set(epoch, &current | values)
            .map_err(state_error(format_args!("failed to set queue epoch {epoch}")))
    }

    /// Adds numbers to the entry of `epoch`.
    pub fn add_to_queue_values(
        &mut self,
        epoch: ChainEpoch,
        values: impl IntoIterator<Item = u64>,
    ) -> Result<(), ActorError> {
        self.add_to_queue(epoch, &bitfield_of(values)?)
    }

    /// Removes the numbers of `to_cut` from every entry, shifting the numbers above each cut
    /// one down (as `BitField::cut`), and drops entries left empty. Used when partitions are
    /// compacted away and the later ones renumbered.
    pub fn cut(&mut self, to_cut: &BitField) -> Result<(), ActorError> {
        let mut emptied = Vec::new();
        self.amt
            .for_each_mut(|epoch, bitfield| {
                let cut = bitfield.cut(to_cut);
                if cut.is_empty() {
                    emptied.push(epoch);
                } else {
                    **bitfield = cut;
                }
                Ok(())
            })
            .map_err(state_error("failed to cut from bitfield queue"))?;
        self.amt
            .batch_delete(emptied, true)
            .map_err(state_error("failed to remove empty epochs from bitfield queue"))?;
        Ok(())
    }

    /// Adds many `(epoch, value)` pairs, touching each quantized entry once.
    pub fn add_many_to_queue_values(
        &mut self,
        values: impl IntoIterator<Item = (ChainEpoch, u64)>,
    ) -> Result<(), ActorError> {
        let mut quantized: Vec<(ChainEpoch, u64)> =
            values.into_iter().map(|(e, v)| (self.quant.quantize_up(e), v)).collect();
        quantized.sort_unstable();
        quantized.dedup();
        for group in quantized.chunk_by(|a, b| a.0 == b.0) {
            self.add_to_queue_values(group[0].0, group.iter().map(|&(_, v)| v))?;
        }
        Ok(())
    }

    /// Removes every entry with key ≤ `until`, returning their union and whether anything was
    /// removed.
    pub fn pop_until(&mut self, until: ChainEpoch) -> Result<(BitField, bool), ActorError> {
        let mut popped = BitField::new();
        let mut keys = Vec::new();
        self.amt
            .for_each_while(|epoch, bitfield| {
                if epoch as ChainEpoch > until {
                    return Ok(false);
                }
                keys.push(epoch);
                popped |= bitfield;
                Ok(true)
            })
            .map_err(state_error("failed to walk bitfield queue"))?;
        if keys.is_empty() {
            return Ok((BitField::new(), false));
        }
        self.amt.batch_delete(keys, true).map_err(state_error("failed to pop bitfield queue"))?;
        Ok((popped, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::miner::quantize::NO_QUANTIZATION;
    use fvm_ipld_blockstore::MemoryBlockstore;

    fn bf(bits: &[u64]) -> BitField {
        BitField::try_from_bits(bits.iter().copied()).unwrap()
    }

    fn empty(store: &MemoryBlockstore, quant: QuantSpec) -> BitFieldQueue<'_, MemoryBlockstore> {
        let root = Amt::<BitField, _>::new_with_bit_width(store, 3).flush().unwrap();
        BitFieldQueue::new(store, &root, quant).unwrap()
    }

    fn entries(q: &BitFieldQueue<'_, MemoryBlockstore>) -> Vec<(u64, Vec<u64>)> {
        let mut out = Vec::new();
        q.amt
            .for_each(|k, v| {
                out.push((k, v.iter().collect()));
                Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn adds_values_to_empty_queue_and_merges() {
        let store = MemoryBlockstore::default();
        let mut q = empty(&store, NO_QUANTIZATION);
        q.add_to_queue_values(42, [1, 2, 3, 4]).unwrap();
        q.add_to_queue(42, &bf(&[3, 5])).unwrap();
        q.add_to_queue(43, &bf(&[])).unwrap();
        q.add_to_queue_values(93, [7]).unwrap();
        assert_eq!(entries(&q), vec![(42, vec![1, 2, 3, 4, 5]), (93, vec![7])]);
    }

    #[test]
    fn quantizes_added_epochs() {
        let store = MemoryBlockstore::default();
        let mut q = empty(&store, QuantSpec { unit: 5, offset: 3 });
        for (epoch, value) in [(0, 0), (2, 1), (3, 2), (4, 3), (7, 4), (8, 5), (9, 6)] {
            q.add_to_queue_values(epoch, [value]).unwrap();
        }
        assert_eq!(entries(&q), vec![(3, vec![0, 1, 2]), (8, vec![3, 4, 5]), (13, vec![6])]);
    }

    #[test]
    fn add_many_merges_and_quantizes() {
        let store = MemoryBlockstore::default();
        let mut q = empty(&store, QuantSpec { unit: 5, offset: 3 });
        q.add_many_to_queue_values([(0, 10), (4, 11), (2, 12), (8, 11), (3, 10), (20, 1)]).unwrap();
        assert_eq!(entries(&q), vec![(3, vec![10, 12]), (8, vec![11]), (23, vec![1])]);
    }

    #[test]
    fn pop_until_and_cut() {
        let store = MemoryBlockstore::default();
        let mut q = empty(&store, NO_QUANTIZATION);
        q.add_to_queue_values(1, [1, 5, 9]).unwrap();
        q.add_to_queue_values(2, [2, 3]).unwrap();
        q.add_to_queue_values(4, [4]).unwrap();
        q.add_to_queue_values(7, [3, 6]).unwrap();

        let (none, modified) = q.pop_until(0).unwrap();
        assert!(none.is_empty() && !modified);
        let (popped, modified) = q.pop_until(2).unwrap();
        assert!(modified);
        assert_eq!(popped, bf(&[1, 2, 3, 5, 9]));
        assert_eq!(entries(&q), vec![(4, vec![4]), (7, vec![3, 6])]);

        // Cutting 4 empties epoch 4 and renumbers 6 to 5.
        q.cut(&bf(&[4])).unwrap();
        assert_eq!(entries(&q), vec![(7, vec![3, 5])]);
        let (popped, _) = q.pop_until(100).unwrap();
        assert_eq!(popped, bf(&[3, 5]));
        assert_eq!(q.amt.count(), 0);
    }
}
