//! Per-item results of a batch method (`BatchReturn [success_count, [[idx, code]…]]`), as the
//! verified registry, market and miner return them: the batch succeeds as a message while
//! items fail individually.

use fvm_ipld_encoding::tuple::*;
use fvm_shared::error::ExitCode;

/// One failed item: its index in the request and its exit code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct FailCode {
    /// Index of the item in the request.
    pub idx: u32,
    /// Why it failed.
    pub code: ExitCode,
}

/// The outcome of a batch: how many items succeeded and, in index order, which failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct BatchReturn {
    /// Number of items that succeeded.
    pub success_count: u32,
    /// The failures, by ascending index.
    pub fail_codes: Vec<FailCode>,
}

impl BatchReturn {
    /// A batch whose `n` items all succeeded.
    pub const fn ok(n: u32) -> Self {
        Self { success_count: n, fail_codes: Vec::new() }
    }

    /// The batch whose items ended with `codes`, in order.
    pub fn of(codes: &[ExitCode]) -> Self {
        let mut batch = BatchBuilder::default();
        codes.iter().for_each(|&code| batch.push(code));
        batch.finish()
    }

    /// Number of items.
    pub fn size(&self) -> usize {
        self.success_count as usize + self.fail_codes.len()
    }

    /// Whether no item failed.
    pub fn all_ok(&self) -> bool {
        self.fail_codes.is_empty()
    }

    /// The items of `items` (one per batch item) that succeeded, in order.
    pub fn successes<'a, T>(&self, items: &'a [T]) -> Vec<&'a T> {
        let codes = self.codes();
        items.iter().zip(codes).filter(|(_, code)| code.is_success()).map(|(i, _)| i).collect()
    }

    /// Chains batches that filtered one another: each batch's items are the successes of the
    /// one before. The result has the first batch's items, each with the first failure it met
    /// (how the miner reports validation, then proof, then data activation).
    pub fn stack(batches: &[Self]) -> Self {
        let Some((first, rest)) = batches.split_first() else { return Self::default() };
        let mut codes = first.codes();
        for batch in rest {
            let mut later = batch.codes().into_iter();
            for code in codes.iter_mut().filter(|c| c.is_success()) {
                *code = later.next().unwrap_or(ExitCode::OK);
            }
        }
        Self::of(&codes)
    }

    /// Every item's exit code, in order.
    pub fn codes(&self) -> Vec<ExitCode> {
        let mut codes = vec![ExitCode::OK; self.size()];
        for fail in &self.fail_codes {
            if let Some(slot) = codes.get_mut(fail.idx as usize) {
                *slot = fail.code;
            }
        }
        codes
    }
}

/// Builds a [`BatchReturn`] item by item.
#[derive(Debug, Default)]
pub struct BatchBuilder {
    next: u32,
    result: BatchReturn,
}

impl BatchBuilder {
    /// Records the next item's outcome.
    pub fn push(&mut self, code: ExitCode) {
        if code.is_success() {
            self.result.success_count += 1;
        } else {
            self.result.fail_codes.push(FailCode { idx: self.next, code });
        }
        self.next += 1;
    }

    /// Records a success.
    pub fn ok(&mut self) {
        self.push(ExitCode::OK);
    }

    /// The batch so far.
    pub fn finish(self) -> BatchReturn {
        self.result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_encode_as_tuples() {
        let codes = [ExitCode::OK, ExitCode::USR_NOT_FOUND, ExitCode::OK, ExitCode::USR_FORBIDDEN];
        let batch = BatchReturn::of(&codes);
        assert_eq!(batch.success_count, 2);
        assert_eq!(batch.codes(), codes);
        assert!(!batch.all_ok());
        assert_eq!(batch.successes(&["a", "b", "c", "d"]), [&"a", &"c"]);
        // Stage two saw items 0 and 2 and failed the second; stage three saw item 0.
        let stacked = BatchReturn::stack(&[
            batch.clone(),
            BatchReturn::of(&[ExitCode::OK, ExitCode::USR_ILLEGAL_ARGUMENT]),
            BatchReturn::ok(1),
        ]);
        assert_eq!(
            stacked.codes(),
            [
                ExitCode::OK,
                ExitCode::USR_NOT_FOUND,
                ExitCode::USR_ILLEGAL_ARGUMENT,
                ExitCode::USR_FORBIDDEN
            ]
        );
        // [2, [[1, 17], [3, 18]]]
        let bytes = fvm_ipld_encoding::to_vec(&batch).unwrap();
        assert_eq!(bytes, vec![0x82, 0x02, 0x82, 0x82, 0x01, 0x11, 0x82, 0x03, 0x12]);
    }
}
