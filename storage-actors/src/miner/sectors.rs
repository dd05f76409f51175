//! The miner's table of proven sectors (builtin-actors `sectors.rs`): an AMT of
//! [`SectorOnChainInfo`] keyed by sector number. Also the sector power rules every queue sums
//! (`power_for_sector`, builtin-actors `lib.rs`/`policy.rs`), and the small error helpers this
//! part of the miner shares.

use std::collections::BTreeSet;
use std::fmt::Display;

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_amt::Amt;
use fvm_ipld_bitfield::BitField;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::bigint::BigInt;
use fvm_shared::sector::{SectorNumber, SectorSize};

use super::policy::MAX_SECTOR_NUMBER;
use super::records::{PowerPair, SectorOnChainInfo};
use crate::plumbing::store_error;

/// Bit width of the sectors AMT (and of a deadline's sectors snapshot).
pub const SECTORS_AMT_BITWIDTH: u32 = 5;

/// Adds context to an error while keeping its exit code, as builtin-actors' `downcast_wrap`
/// does, so that a `USR_NOT_FOUND` raised deep in a queue still reaches the caller as 17.
pub(crate) trait ErrorContext<T> {
    /// Prefixes the message with `context`.
    fn context(self, context: impl Display) -> Result<T, ActorError>;
}

impl<T> ErrorContext<T> for Result<T, ActorError> {
    fn context(self, context: impl Display) -> Self {
        self.map_err(|e| ActorError::new(e.exit_code(), format!("{context}: {}", e.message())))
    }
}

/// A failure of the store or of an AMT, with context: `USR_ILLEGAL_STATE`.
pub(crate) fn state_error<E: Display>(context: impl Display) -> impl FnOnce(E) -> ActorError {
    move |e| store_error(format!("{context}: {e}"))
}

/// A failure of an AMT operation, with context. An [`ActorError`] raised inside an iteration
/// callback keeps its exit code; anything else is `USR_ILLEGAL_STATE`.
pub(crate) fn amt_error(context: impl Display) -> impl FnOnce(fvm_ipld_amt::Error) -> ActorError {
    move |e| match e {
        fvm_ipld_amt::Error::Dynamic(inner) => match inner.downcast::<ActorError>() {
            Ok(actor) => {
                ActorError::new(actor.exit_code(), format!("{context}: {}", actor.message()))
            }
            Err(other) => store_error(format!("{context}: {other}")),
        },
        other => store_error(format!("{context}: {other}")),
    }
}

/// A bitfield from sector (or partition) numbers; only numbers ≥ 2^63 fail.
pub(crate) fn bitfield_of(bits: impl IntoIterator<Item = u64>) -> Result<BitField, ActorError> {
    BitField::try_from_bits(bits)
        .map_err(|_| ActorError::illegal_argument("bit index out of bitfield range"))
}

// The quality rules live with the other monetary policy; re-exported here, where the queues
// that sum power use them.
pub use super::monies::{
    qa_power_for_sector, qa_power_for_weight, qa_power_max, quality_for_weight,
};

/// A sector's raw and QA power.
pub fn power_for_sector(size: SectorSize, sector: &SectorOnChainInfo) -> PowerPair {
    PowerPair::new(BigInt::from(size as u64), qa_power_for_sector(size, sector))
}

/// The summed power of `sectors`.
pub fn power_for_sectors(size: SectorSize, sectors: &[SectorOnChainInfo]) -> PowerPair {
    let qa = sectors.iter().map(|s| qa_power_for_sector(size, s)).sum();
    PowerPair::new(BigInt::from(size as u64) * BigInt::from(sectors.len()), qa)
}

/// The summed daily fee (FIP-0100) of `sectors`.
pub fn daily_fee_for_sectors(sectors: &[SectorOnChainInfo]) -> fvm_shared::econ::TokenAmount {
    sectors.iter().map(|s| &s.daily_fee).sum()
}

/// The sectors table, loaded.
#[derive(Debug)]
pub struct Sectors<'db, BS> {
    /// The AMT itself (flush it to get the new root).
    pub amt: Amt<SectorOnChainInfo, &'db BS>,
}

impl<'db, BS: Blockstore> Sectors<'db, BS> {
    /// Loads the table at `root`.
    pub fn load(store: &'db BS, root: &Cid) -> Result<Self, ActorError> {
        Ok(Self { amt: Amt::load(root, store).map_err(state_error("failed to load sectors"))? })
    }

    /// An empty table.
    pub fn new(store: &'db BS) -> Self {
        Self { amt: Amt::new_with_bit_width(store, SECTORS_AMT_BITWIDTH) }
    }

    /// Stores the table, returning its root.
    pub fn flush(&mut self) -> Result<Cid, ActorError> {
        self.amt.flush().map_err(state_error("failed to store sectors"))
    }

    /// The infos of `sector_numbers`, in order; a missing sector is `USR_NOT_FOUND`.
    pub fn load_sectors(
        &self,
        sector_numbers: &BitField,
    ) -> Result<Vec<SectorOnChainInfo>, ActorError> {
        sector_numbers
            .iter()
            .map(|n| {
                self.get(n)?.ok_or_else(|| ActorError::not_found(format!("sector not found: {n}")))
            })
            .collect()
    }

    /// Deletes `sector_numbers`; a missing one is `USR_NOT_FOUND`.
    pub fn delete_sectors(&mut self, sector_numbers: &BitField) -> Result<(), ActorError> {
        for n in sector_numbers.iter() {
            let deleted = self
                .amt
                .delete(n)
                .map_err(state_error(format_args!("failed to delete sector {n}")))?;
            if deleted.is_none() {
                return Err(ActorError::not_found(format!("sector not found: {n}")));
            }
        }
        Ok(())
    }

    /// One sector's info, if present.
    pub fn get(
        &self,
        sector_number: SectorNumber,
    ) -> Result<Option<SectorOnChainInfo>, ActorError> {
        Ok(self
            .amt
            .get(sector_number)
            .map_err(state_error(format_args!("failed to get sector {sector_number}")))?
            .cloned())
    }

    /// One sector's info; missing is `USR_NOT_FOUND`.
    pub fn must_get(&self, sector_number: SectorNumber) -> Result<SectorOnChainInfo, ActorError> {
        self.get(sector_number)?
            .ok_or_else(|| ActorError::not_found(format!("sector {sector_number} not found")))
    }

    /// Writes `infos` (new or replacing), keyed by their numbers.
    pub fn store(&mut self, infos: Vec<SectorOnChainInfo>) -> Result<(), ActorError> {
        for info in infos {
            let n = info.sector_number;
            if n > MAX_SECTOR_NUMBER {
                return Err(ActorError::illegal_state(format!("sector number {n} out of range")));
            }
            self.amt
                .set(n, info)
                .map_err(state_error(format_args!("failed to store sector {n}")))?;
        }
        Ok(())
    }

    /// The infos a Window PoSt over `proven_sectors` is checked against. A sector expected to
    /// be faulty (and not recovering) is replaced by the first good sector, because the proof
    /// covers every challenged position and the prover proves a good sector in its place.
    /// Empty when every sector is faulty.
    pub fn load_for_proof(
        &self,
        proven_sectors: &BitField,
        expected_faults: &BitField,
    ) -> Result<Vec<SectorOnChainInfo>, ActorError> {
        let non_faults = proven_sectors - expected_faults;
        match non_faults.first() {
            None => Ok(Vec::new()),
            Some(good) => self.load_with_fault_max(proven_sectors, expected_faults, good),
        }
    }

    /// The infos of `sectors`, with `fault_stand_in`'s info in place of each of `faults`.
    pub fn load_with_fault_max(
        &self,
        sectors: &BitField,
        faults: &BitField,
        fault_stand_in: SectorNumber,
    ) -> Result<Vec<SectorOnChainInfo>, ActorError> {
        let stand_in = self.must_get(fault_stand_in)?;
        let fault_set: BTreeSet<u64> = faults.iter().collect();
        sectors
            .iter()
            .map(|n| if fault_set.contains(&n) { Ok(stand_in.clone()) } else { self.must_get(n) })
            .collect()
    }
}

/// The infos among `sectors` whose numbers are in `field`, in `sectors`' order; an error if any
/// number in `field` is missing from `sectors`.
pub fn select_sectors(
    sectors: &[SectorOnChainInfo],
    field: &BitField,
) -> Result<Vec<SectorOnChainInfo>, ActorError> {
    let mut wanted: BTreeSet<u64> = field.iter().collect();
    let selected = sectors.iter().filter(|s| wanted.remove(&s.sector_number)).cloned().collect();
    if !wanted.is_empty() {
        return Err(ActorError::illegal_state(format!(
            "failed to find {} expected sectors",
            wanted.len()
        )));
    }
    Ok(selected)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::miner::records::DealWeight;
    use fvm_ipld_blockstore::MemoryBlockstore;
    use fvm_shared::clock::ChainEpoch;
    use fvm_shared::econ::TokenAmount;
    use fvm_shared::error::ExitCode;
    use fvm_shared::sector::RegisteredSealProof;

    /// A test sector (as upstream's `test_sector`): verified weight counts, deal weight not.
    pub(crate) fn test_sector(
        expiration: ChainEpoch,
        number: SectorNumber,
        deal_weight: u64,
        verified_weight: u64,
        pledge: u64,
        daily_fee: u64,
    ) -> SectorOnChainInfo {
        SectorOnChainInfo {
            sector_number: number,
            seal_proof: RegisteredSealProof::StackedDRG2KiBV1P1,
            sealed_cid: Cid::default(),
            deprecated_deal_ids: vec![],
            activation: 0,
            expiration,
            deal_weight: DealWeight::from(deal_weight),
            verified_deal_weight: DealWeight::from(verified_weight),
            initial_pledge: TokenAmount::from_atto(pledge),
            expected_day_reward: None,
            expected_storage_pledge: None,
            power_base_epoch: 0,
            replaced_day_reward: None,
            sector_key_cid: None,
            flags: 0,
            daily_fee: TokenAmount::from_atto(daily_fee),
        }
    }

    fn bf(bits: &[u64]) -> BitField {
        BitField::try_from_bits(bits.iter().copied()).unwrap()
    }

    #[test]
    fn qa_power_counts_verified_space_tenfold() {
        let size = SectorSize::_2KiB;
        let plain = test_sector(100, 1, 500, 0, 0, 0);
        assert_eq!(power_for_sector(size, &plain), PowerPair::new(2048.into(), 2048.into()));
        // Half the space-time verified: quality 5.5.
        let half = test_sector(100, 2, 0, 2048 * 50, 0, 0);
        assert_eq!(qa_power_for_sector(size, &half), BigInt::from(11264));
        let full = test_sector(100, 3, 0, 2048 * 100, 0, 0);
        assert_eq!(qa_power_for_sector(size, &full), qa_power_max(size));
        assert_eq!(qa_power_max(size), BigInt::from(20480));
        let total = power_for_sectors(size, &[plain, half]);
        assert_eq!(total, PowerPair::new(4096.into(), (2048 + 11264).into()));
        // A zero-length life counts as plain space rather than dividing by zero.
        assert_eq!(qa_power_for_sector(size, &test_sector(0, 4, 0, 0, 0, 0)), BigInt::from(2048));
    }

    #[test]
    fn stores_loads_and_substitutes_faults() {
        let store = MemoryBlockstore::default();
        let mut sectors = Sectors::new(&store);
        sectors
            .store((0..5).map(|n| test_sector(100 + n as i64, n, 0, 0, n, 0)).collect())
            .unwrap();
        let root = sectors.flush().unwrap();
        let sectors = Sectors::load(&store, &root).unwrap();

        let loaded = sectors.load_sectors(&bf(&[1, 3])).unwrap();
        assert_eq!(loaded.iter().map(|s| s.expiration).collect::<Vec<_>>(), vec![101, 103]);
        let err = sectors.load_sectors(&bf(&[1, 9])).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_NOT_FOUND);
        assert_eq!(sectors.must_get(7).unwrap_err().exit_code(), ExitCode::USR_NOT_FOUND);
        assert!(sectors.get(7).unwrap().is_none());

        let proof = sectors.load_for_proof(&bf(&[0, 1, 2, 3]), &bf(&[0, 2])).unwrap();
        let numbers: Vec<_> = proof.iter().map(|s| s.sector_number).collect();
        assert_eq!(numbers, vec![1, 1, 1, 3]);
        assert!(sectors.load_for_proof(&bf(&[0, 2]), &bf(&[0, 2])).unwrap().is_empty());

        let all = sectors.load_sectors(&bf(&[0, 1, 2, 3, 4])).unwrap();
        let picked = select_sectors(&all, &bf(&[4, 2])).unwrap();
        assert_eq!(picked.iter().map(|s| s.sector_number).collect::<Vec<_>>(), vec![2, 4]);
        assert!(select_sectors(&all, &bf(&[5])).is_err());

        let mut sectors = sectors;
        sectors.delete_sectors(&bf(&[0, 4])).unwrap();
        assert!(sectors.get(0).unwrap().is_none());
        assert_eq!(
            sectors.delete_sectors(&bf(&[0])).unwrap_err().exit_code(),
            ExitCode::USR_NOT_FOUND
        );
        let mut bad = test_sector(1, 0, 0, 0, 0, 0);
        bad.sector_number = MAX_SECTOR_NUMBER + 1;
        assert!(sectors.store(vec![bad]).is_err());
    }
}
