//! Filecoin gas: the unit, the tracker with nested limits, and the price list.
//!
//! All gas is **Filecoin gas**. Internally it is counted in milligas (1/1000 gas) as ref-fvm does,
//! so that per-instruction charges smaller than one gas (the EVM actor's compute rate) add up
//! exactly; receipts report whole gas, rounded up.
//!
//! The tracker is shared by reference (`Cell`s inside) because the charging blockstore handed to
//! actors must charge without holding a mutable borrow of the whole call manager.

use std::cell::Cell;

/// Milligas per gas unit.
pub const MILLIGAS_PER_GAS: i64 = 1000;

/// An amount of gas, stored in milligas. Arithmetic saturates: a charge can never wrap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gas(i64);

impl Gas {
    /// Whole gas units.
    pub const fn new(gas: u64) -> Self {
        let gas = if gas > (i64::MAX / MILLIGAS_PER_GAS) as u64 {
            i64::MAX / MILLIGAS_PER_GAS
        } else {
            gas as i64
        };
        Self(gas * MILLIGAS_PER_GAS)
    }

    /// Milligas units (1/1000 gas).
    pub const fn from_milligas(milligas: i64) -> Self {
        Self(milligas)
    }

    /// The value in milligas.
    pub const fn as_milligas(self) -> i64 {
        self.0
    }

    /// Whole gas, rounded up (what receipts report).
    pub const fn round_up(self) -> u64 {
        if self.0 <= 0 { 0 } else { ((self.0 + MILLIGAS_PER_GAS - 1) / MILLIGAS_PER_GAS) as u64 }
    }

    /// Whole gas, rounded down (what an actor is told is available).
    pub const fn round_down(self) -> u64 {
        if self.0 <= 0 { 0 } else { (self.0 / MILLIGAS_PER_GAS) as u64 }
    }

    /// `self * n`, saturating.
    pub const fn times(self, n: u64) -> Self {
        let n = if n > i64::MAX as u64 { i64::MAX } else { n as i64 };
        Self(self.0.saturating_mul(n))
    }

    /// `self + other`, saturating.
    pub const fn plus(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

impl std::ops::Add for Gas {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        self.plus(rhs)
    }
}

/// The frame ran out of gas. Carries no data: the tracker knows how much was used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("out of gas")]
pub struct OutOfGas;

/// Gas accounting for one message, with nested limits for sub-calls.
///
/// `used` only grows. Each call frame runs under a *ceiling*: the absolute amount of `used` at
/// which that frame is out of gas. A sub-call with a gas limit gets `min(parent ceiling,
/// used + limit)`; when it returns, the parent's ceiling comes back. A charge that would pass
/// the ceiling sets `used` to the ceiling (the frame has burnt everything it had) and fails,
/// exactly as ref-fvm's tracker does.
#[derive(Debug)]
pub struct GasTracker {
    used: Cell<i64>,
    ceiling: Cell<i64>,
}

impl GasTracker {
    /// A tracker for a message with this gas limit, of which `used` is already consumed.
    pub fn new(limit: Gas, used: Gas) -> Self {
        Self { used: Cell::new(used.0), ceiling: Cell::new(limit.0) }
    }

    /// Charges `gas`, or fails (leaving the frame with nothing) if it is more than is left.
    pub fn charge(&self, gas: Gas) -> Result<(), OutOfGas> {
        let used = self.used.get().saturating_add(gas.0.max(0));
        if used > self.ceiling.get() {
            self.used.set(self.ceiling.get());
            return Err(OutOfGas);
        }
        self.used.set(used);
        Ok(())
    }

    /// Gas still available to the current frame.
    pub fn available(&self) -> Gas {
        Gas(self.ceiling.get() - self.used.get())
    }

    /// Total gas used by the message so far.
    pub fn used(&self) -> Gas {
        Gas(self.used.get())
    }

    /// True once the current frame has nothing left.
    pub fn is_exhausted(&self) -> bool {
        self.used.get() >= self.ceiling.get()
    }

    /// Enters a sub-call limited to `limit` (if any); returns the ceiling to restore afterwards.
    pub fn push_limit(&self, limit: Option<Gas>) -> i64 {
        let previous = self.ceiling.get();
        if let Some(limit) = limit {
            let child = self.used.get().saturating_add(limit.0.max(0));
            self.ceiling.set(child.min(previous));
        }
        previous
    }

    /// Leaves a sub-call, restoring the parent's ceiling.
    pub fn pop_limit(&self, previous: i64) {
        self.ceiling.set(previous);
    }
}

/// The charges of the FVM price list that this VM applies (ref-fvm's current schedule, the
/// one FIP-0071 introduced). Each constant is documented with what it pays for.
pub mod price {
    use super::Gas;

    /// Compute part of including a message on chain.
    pub const ON_CHAIN_MESSAGE_COMPUTE: Gas = Gas::new(38_863);
    /// Storage part of including a message: flat `36` bytes plus its length, at this per byte.
    pub const ON_CHAIN_STORAGE_PER_BYTE: Gas = Gas::new(1_300);
    /// Metadata bytes assumed per message on chain.
    pub const ON_CHAIN_STORAGE_BASE_BYTES: u64 = 36;
    /// Updating an actor in the state tree (first write of an actor in a message).
    pub const ACTOR_UPDATE: Gas = Gas::new(475_000);
    /// Loading an actor from the state tree (first read of an actor in a message).
    pub const ACTOR_LOOKUP: Gas = Gas::new(500_000);
    /// Storing a new actor in the state tree.
    pub const ACTOR_CREATE_STORAGE: Gas = Gas::new(650_000);
    /// Resolving a non-ID address through the init actor's map (first time in a message).
    pub const ADDRESS_LOOKUP: Gas = Gas::new(1_050_000);
    /// Assigning a new address in the init actor's map.
    pub const ADDRESS_ASSIGNMENT: Gas = Gas::new(1_000_000);
    /// Moving value with a send.
    pub const SEND_TRANSFER_FUNDS: Gas = Gas::new(6_000);
    /// Invoking a method (any method other than the bare value send, method 0).
    pub const SEND_INVOKE_METHOD: Gas = Gas::new(75_000);
    /// The overhead of any syscall.
    pub const SYSCALL: Gas = Gas::new(14_000);
    /// Opening (reading) a block, benchmarked by ref-fvm.
    pub const BLOCK_OPEN: Gas = Gas::new(187_440);
    /// Minimum memory-retention charge per byte of a block read or written.
    pub const BLOCK_RETENTION_PER_BYTE: Gas = Gas::new(10);
    /// Persisting a block: flat storage charge (about 100 bytes of metadata).
    pub const BLOCK_PERSIST_STORAGE_BASE: Gas = Gas::new(334_000);
    /// Persisting a block: storage charge per byte.
    pub const BLOCK_PERSIST_STORAGE_PER_BYTE: Gas = Gas::new(3_340);
    /// Persisting a block: compute charge for flushing it.
    pub const BLOCK_PERSIST_COMPUTE: Gas = Gas::new(172_000);
    /// Each byte of a top-level message's return value (stored in the receipt).
    pub const ON_CHAIN_RETURN_PER_BYTE: Gas = Gas::new(1_300);
    /// Fetching a randomness seed or a tipset CID: flat part (FIP-0075).
    pub const LOOKBACK_BASE: Gas = Gas::new(146_200);
    /// Fetching a randomness seed or a tipset CID: per epoch of lookback (FIP-0075).
    pub const LOOKBACK_PER_EPOCH: Gas = Gas::new(75);
    /// Validating an emitted event: flat part.
    pub const EVENT_VALIDATION_BASE: Gas = Gas::new(1_750);
    /// Validating an emitted event: per byte of its estimated size.
    pub const EVENT_VALIDATION_PER_BYTE: Gas = Gas::new(25);
    /// Hashing, per byte: keccak-256.
    pub const HASH_KECCAK_PER_BYTE: Gas = Gas::new(33);
    /// Hashing, per byte: sha-256.
    pub const HASH_SHA256_PER_BYTE: Gas = Gas::new(7);
    /// Hashing, per byte: ripemd-160.
    pub const HASH_RIPEMD_PER_BYTE: Gas = Gas::new(35);
    /// Hashing, per byte: blake2b.
    pub const HASH_BLAKE2B_PER_BYTE: Gas = Gas::new(10);
    /// Recovering a secp256k1 public key (ecrecover).
    pub const SECP256K1_RECOVER: Gas = Gas::new(1_637_292);
    /// One BLS12-381 pairing (Miller loop) of an aggregate signature check: a check over `n`
    /// signers pays `n + 1` of these.
    pub const BLS_PAIRING: Gas = Gas::new(8_299_302);
    /// Hashing BLS plaintexts to G2, per byte.
    pub const BLS_HASHING_PER_BYTE: Gas = Gas::new(7);
    /// Actors the FVM treats as always loaded: no lookup or update charge (FIP-0055/0071).
    pub const PRELOADED_ACTORS: [u64; 10] = [0, 1, 2, 3, 4, 5, 6, 7, 10, 99];

    /// Checking a signature over `len` bytes the way the actors' SDK does it: secp256k1 is two
    /// syscalls (blake2b the plaintext, recover the key); BLS one aggregate check of one signer
    /// (two pairings) that hashes the plaintext to the curve.
    pub fn verify_signature(kind: fvm_shared::crypto::signature::SignatureType, len: usize) -> Gas {
        use fvm_shared::crypto::signature::SignatureType;
        match kind {
            SignatureType::Secp256k1 => SYSCALL
                .times(2)
                .plus(HASH_BLAKE2B_PER_BYTE.times(len as u64))
                .plus(SECP256K1_RECOVER),
            SignatureType::BLS => {
                SYSCALL.plus(BLS_PAIRING.times(2)).plus(BLS_HASHING_PER_BYTE.times(len as u64))
            }
        }
    }

    /// Inclusion cost of a message whose chain encoding is `len` bytes:
    /// `560,663 + 1,300·len` gas.
    pub const fn on_chain_message(len: usize) -> Gas {
        ON_CHAIN_MESSAGE_COMPUTE
            .plus(ACTOR_UPDATE)
            .plus(ON_CHAIN_STORAGE_PER_BYTE.times(ON_CHAIN_STORAGE_BASE_BYTES + len as u64))
    }

    /// Reading a block of `len` bytes.
    pub const fn block_open(len: usize) -> Gas {
        BLOCK_OPEN.plus(BLOCK_RETENTION_PER_BYTE.times(len as u64))
    }

    /// Writing a block of `len` bytes.
    pub const fn block_persist(len: usize) -> Gas {
        BLOCK_PERSIST_STORAGE_BASE
            .plus(BLOCK_PERSIST_STORAGE_PER_BYTE.times(len as u64))
            .plus(BLOCK_PERSIST_COMPUTE)
            .plus(BLOCK_RETENTION_PER_BYTE.times(len as u64))
    }

    /// Creating an actor; `new_address` when an address is assigned for it as well.
    pub const fn create_actor(new_address: bool) -> Gas {
        if new_address {
            ACTOR_CREATE_STORAGE.plus(ADDRESS_ASSIGNMENT).plus(ADDRESS_LOOKUP)
        } else {
            ACTOR_CREATE_STORAGE
        }
    }

    /// Looking back `epochs` epochs for randomness or a tipset CID.
    pub const fn lookback(epochs: u64) -> Gas {
        LOOKBACK_BASE.plus(LOOKBACK_PER_EPOCH.times(epochs))
    }

    /// Emitting an event with `entries` entries whose keys and values total the given bytes.
    ///
    /// Estimated size = 12 + 9·entries + key bytes + value bytes. Compute covers validation, two
    /// copies (memcpy + allocation), per-entry work and key handling; storage covers hashing the
    /// event into the events AMT plus the copy returned to the client (ref-fvm's
    /// `on_actor_event`).
    pub const fn actor_event(entries: usize, key_bytes: usize, value_bytes: usize) -> Gas {
        let estimated = 12 + 9 * entries as u64 + key_bytes as u64 + value_bytes as u64;
        let copies = Gas::from_milligas(400).times(estimated).plus(Gas::new(2).times(estimated));
        EVENT_VALIDATION_BASE
            .plus(EVENT_VALIDATION_PER_BYTE.times(estimated))
            .plus(copies.times(3))
            .plus(Gas::new(2_000).plus(Gas::new(1_400).times(entries as u64)))
            .plus(Gas::new(500).plus(Gas::new(16).times(key_bytes as u64)))
            .plus(HASH_BLAKE2B_PER_BYTE.times(estimated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusion_cost_matches_the_fvm_formula() {
        assert_eq!(price::on_chain_message(0).round_up(), 560_663);
        assert_eq!(price::on_chain_message(100).round_up(), 560_663 + 130_000);
    }

    #[test]
    fn rounding_of_milligas() {
        assert_eq!(Gas::from_milligas(1).round_up(), 1);
        assert_eq!(Gas::from_milligas(1).round_down(), 0);
        assert_eq!(Gas::from_milligas(2000).round_up(), 2);
        assert_eq!(Gas::from_milligas(-5).round_up(), 0);
    }

    #[test]
    fn nested_limit_exhaustion_leaves_the_parent_its_gas() {
        let t = GasTracker::new(Gas::new(1000), Gas::new(0));
        t.charge(Gas::new(100)).unwrap();
        let prev = t.push_limit(Some(Gas::new(50)));
        assert_eq!(t.available(), Gas::new(50));
        assert_eq!(t.charge(Gas::new(60)), Err(OutOfGas));
        assert!(t.is_exhausted());
        t.pop_limit(prev);
        assert_eq!(t.used(), Gas::new(150));
        assert_eq!(t.available(), Gas::new(850));
        assert!(!t.is_exhausted());
    }

    #[test]
    fn a_child_limit_never_exceeds_the_parent() {
        let t = GasTracker::new(Gas::new(100), Gas::new(0));
        let prev = t.push_limit(Some(Gas::new(1_000_000)));
        assert_eq!(t.available(), Gas::new(100));
        t.pop_limit(prev);
    }
}
