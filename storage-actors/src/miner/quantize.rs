//! Epoch quantization: expiration queues bucket their entries at the end of the deadline that
//! owns them, so that one bucket is processed per deadline rather than one per epoch.

use fvm_shared::clock::ChainEpoch;

/// Rounds epochs to `offset + k·unit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuantSpec {
    /// Distance between two quantized epochs.
    pub unit: ChainEpoch,
    /// Any epoch congruent (mod `unit`) to the quantized epochs.
    pub offset: ChainEpoch,
}

/// No quantization at all (every epoch is its own bucket).
pub const NO_QUANTIZATION: QuantSpec = QuantSpec { unit: 1, offset: 0 };

impl QuantSpec {
    /// The smallest quantized epoch ≥ `epoch`.
    pub fn quantize_up(&self, epoch: ChainEpoch) -> ChainEpoch {
        let offset = self.offset.rem_euclid(self.unit);
        let over = (epoch - offset).rem_euclid(self.unit);
        if over == 0 { epoch } else { epoch + (self.unit - over) }
    }

    /// The largest quantized epoch ≤ `epoch`.
    pub fn quantize_down(&self, epoch: ChainEpoch) -> ChainEpoch {
        let up = self.quantize_up(epoch);
        if up == epoch { up } else { up - self.unit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_the_offset_grid() {
        let q = QuantSpec { unit: 10, offset: 3 };
        assert_eq!(q.quantize_up(3), 3);
        assert_eq!(q.quantize_up(4), 13);
        assert_eq!(q.quantize_up(-8), -7);
        assert_eq!(q.quantize_up(-7), -7);
        assert_eq!(q.quantize_down(12), 3);
        assert_eq!(q.quantize_down(13), 13);
        let wide = QuantSpec { unit: 10, offset: 25 };
        assert_eq!(wide.quantize_up(6), 15);
        assert_eq!(NO_QUANTIZATION.quantize_up(-5), -5);
    }
}
