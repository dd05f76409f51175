//! The multisig's state and its pending-transaction map, laid out as the network stores them:
//! `[signers, num_approvals_threshold, next_tx_id, initial_balance, start_epoch,
//! unlock_duration, pending_txs]`, with `pending_txs` a HAMT (bit width 5) from the zigzag
//! varint of a transaction ID to its [`Transaction`].
//!
//! Vesting is linear: `initial_balance` is locked at `start_epoch` and the locked part falls to
//! zero over `unlock_duration` epochs, rounded up so that no atto unlocks early.

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::address::Address;
use fvm_shared::bigint::{BigInt, Integer};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use super::types::{Transaction, TxnId};
use crate::plumbing::{i64_key, parse_i64_key, store_error};

/// The bit width of the pending-transaction HAMT (builtin-actors' default HAMT config).
pub const PENDING_TXS_BIT_WIDTH: u32 = 5;

/// The multisig's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct MultisigState {
    /// The signers, as ID addresses, in the order they were added.
    pub signers: Vec<Address>,
    /// Approvals a transaction needs before it executes.
    pub num_approvals_threshold: u64,
    /// The ID the next proposal gets.
    pub next_tx_id: TxnId,
    /// The amount locked at `start_epoch` (zero when nothing vests).
    pub initial_balance: TokenAmount,
    /// The epoch vesting starts.
    pub start_epoch: ChainEpoch,
    /// Epochs over which `initial_balance` unlocks (0: no lock).
    pub unlock_duration: ChainEpoch,
    /// Root of the pending-transaction HAMT.
    pub pending_txs: Cid,
}

impl MultisigState {
    /// Whether `address` (an ID address) is a signer.
    pub fn is_signer(&self, address: &Address) -> bool {
        self.signers.contains(address)
    }

    /// Locks `amount`, to vest linearly over `unlock_duration` epochs from `start_epoch`.
    pub fn set_locked(
        &mut self,
        start_epoch: ChainEpoch,
        unlock_duration: ChainEpoch,
        amount: TokenAmount,
    ) {
        self.start_epoch = start_epoch;
        self.unlock_duration = unlock_duration;
        self.initial_balance = amount;
    }

    /// What is still locked `elapsed` epochs after the start: all of it before the start,
    /// nothing from `unlock_duration` on, and `ceil(initial × remaining / duration)` between.
    pub fn amount_locked(&self, elapsed: ChainEpoch) -> TokenAmount {
        if elapsed >= self.unlock_duration {
            return TokenAmount::default();
        }
        if elapsed <= 0 {
            return self.initial_balance.clone();
        }
        // 0 < elapsed < unlock_duration, so neither the difference nor the divisor is zero.
        let remaining = self.unlock_duration - elapsed;
        let numerator = self.initial_balance.atto() * BigInt::from(remaining);
        TokenAmount::from_atto(numerator.div_ceil(&BigInt::from(self.unlock_duration)))
    }

    /// Refuses to spend `amount` out of `balance` at `epoch` when it is negative
    /// (`USR_ILLEGAL_ARGUMENT`), exceeds the balance, or would dip into the locked part
    /// (`USR_INSUFFICIENT_FUNDS`). Spending nothing is always allowed.
    pub fn check_available(
        &self,
        balance: &TokenAmount,
        amount: &TokenAmount,
        epoch: ChainEpoch,
    ) -> Result<(), ActorError> {
        if amount.is_negative() {
            return Err(ActorError::illegal_argument(format!(
                "amount to spend {amount} less than zero"
            )));
        }
        if balance < amount {
            return Err(ActorError::new(
                ExitCode::USR_INSUFFICIENT_FUNDS,
                format!("current balance {balance} less than amount to spend {amount}"),
            ));
        }
        if amount.is_zero() {
            return Ok(());
        }
        let remaining = balance - amount;
        let locked = self.amount_locked(epoch.saturating_sub(self.start_epoch));
        if remaining < locked {
            return Err(ActorError::new(
                ExitCode::USR_INSUFFICIENT_FUNDS,
                format!(
                    "balance {remaining} after spending {amount} would be less than the \
                     locked amount {locked}"
                ),
            ));
        }
        Ok(())
    }

    /// Takes `signer`'s approval off every pending transaction, deleting those left with
    /// none (a removed or swapped-out signer's approvals must not count).
    pub fn purge_approvals<BS: Blockstore>(
        &mut self,
        store: BS,
        signer: &Address,
    ) -> Result<(), ActorError> {
        let mut txns = PendingTxns::load(store, &self.pending_txs)?;
        for (id, mut txn) in txns.entries()? {
            if !txn.approved.contains(signer) {
                continue;
            }
            txn.approved.retain(|a| a != signer);
            if txn.approved.is_empty() {
                txns.delete(id)?;
            } else {
                txns.set(id, txn)?;
            }
        }
        self.pending_txs = txns.flush()?;
        Ok(())
    }
}

/// The pending-transaction HAMT over `BS`.
#[derive(Debug)]
pub struct PendingTxns<BS: Blockstore> {
    map: Hamt<BS, Transaction, BytesKey>,
}

impl<BS: Blockstore> PendingTxns<BS> {
    /// An empty map.
    pub fn empty(store: BS) -> Self {
        Self { map: Hamt::new_with_bit_width(store, PENDING_TXS_BIT_WIDTH) }
    }

    /// The map at `root`.
    pub fn load(store: BS, root: &Cid) -> Result<Self, ActorError> {
        let map = Hamt::load_with_bit_width(root, store, PENDING_TXS_BIT_WIDTH)
            .map_err(|e| ActorError::illegal_state(format!("failed to load pending txns: {e}")))?;
        Ok(Self { map })
    }

    /// The transaction `id`, if pending.
    pub fn get(&self, id: TxnId) -> Result<Option<Transaction>, ActorError> {
        Ok(self.map.get(&i64_key(id)).map_err(store_error)?.cloned())
    }

    /// Stores (or replaces) transaction `id`.
    pub fn set(&mut self, id: TxnId, txn: Transaction) -> Result<(), ActorError> {
        self.map.set(i64_key(id), txn).map_err(store_error)?;
        Ok(())
    }

    /// Removes transaction `id`, returning it if it was pending.
    pub fn delete(&mut self, id: TxnId) -> Result<Option<Transaction>, ActorError> {
        Ok(self.map.delete(&i64_key(id)).map_err(store_error)?.map(|(_, txn)| txn))
    }

    /// Every pending transaction, in the HAMT's order.
    pub fn entries(&self) -> Result<Vec<(TxnId, Transaction)>, ActorError> {
        let mut out = Vec::new();
        for entry in self.map.iter() {
            let (key, txn) = entry.map_err(store_error)?;
            let id = parse_i64_key(&key.0).ok_or_else(|| {
                ActorError::illegal_state(format!("malformed pending txn key {:?}", key.0))
            })?;
            out.push((id, txn.clone()));
        }
        Ok(out)
    }

    /// Writes the map; returns its root.
    pub fn flush(&mut self) -> Result<Cid, ActorError> {
        self.map.flush().map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_blockstore::MemoryBlockstore;
    use fvm_ipld_encoding::RawBytes;

    fn state(initial: u64, start: ChainEpoch, duration: ChainEpoch) -> MultisigState {
        state_in(&MemoryBlockstore::new(), initial, start, duration)
    }

    fn state_in(
        store: &MemoryBlockstore,
        initial: u64,
        start: ChainEpoch,
        duration: ChainEpoch,
    ) -> MultisigState {
        MultisigState {
            signers: vec![Address::new_id(101)],
            num_approvals_threshold: 1,
            next_tx_id: 0,
            initial_balance: TokenAmount::from_atto(initial),
            start_epoch: start,
            unlock_duration: duration,
            pending_txs: PendingTxns::empty(store).flush().unwrap(),
        }
    }

    #[test]
    fn vesting_is_linear_and_rounds_the_lock_up() {
        let st = state(100, 10, 3);
        assert_eq!(st.amount_locked(-5), TokenAmount::from_atto(100));
        assert_eq!(st.amount_locked(0), TokenAmount::from_atto(100));
        // ceil(100 × 2 / 3) = 67, ceil(100 × 1 / 3) = 34.
        assert_eq!(st.amount_locked(1), TokenAmount::from_atto(67));
        assert_eq!(st.amount_locked(2), TokenAmount::from_atto(34));
        assert_eq!(st.amount_locked(3), TokenAmount::default());
        // Epoch 11 is one epoch in: 34 of 100 may go, 35 may not.
        let balance = TokenAmount::from_atto(100);
        assert!(st.check_available(&balance, &TokenAmount::from_atto(33), 11).is_ok());
        let err = st.check_available(&balance, &TokenAmount::from_atto(34), 11).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_INSUFFICIENT_FUNDS);
        // More than the balance, a negative amount, and zero (always allowed).
        let err = st.check_available(&balance, &TokenAmount::from_atto(101), 99).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_INSUFFICIENT_FUNDS);
        let err = st.check_available(&balance, &TokenAmount::from_atto(-1), 99).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
        let empty = TokenAmount::default();
        assert!(st.check_available(&empty, &empty, 10).is_ok());
        // An extreme start epoch does not overflow.
        let st = state(100, i64::MIN, 3);
        assert!(st.check_available(&balance, &balance, i64::MAX).is_ok());
    }

    #[test]
    fn pending_txns_are_keyed_by_zigzag_ids_and_purged_per_signer() {
        let store = MemoryBlockstore::new();
        let (anne, bob) = (Address::new_id(101), Address::new_id(102));
        let txn = |approved: Vec<Address>| Transaction {
            to: Address::new_id(1000),
            value: TokenAmount::from_atto(1),
            method: 0,
            params: RawBytes::default(),
            approved,
        };
        let mut st = state_in(&store, 0, 0, 0);
        let mut txns = PendingTxns::load(&store, &st.pending_txs).unwrap();
        txns.set(0, txn(vec![anne])).unwrap();
        txns.set(64, txn(vec![anne, bob])).unwrap();
        st.pending_txs = txns.flush().unwrap();
        // 64 is stored under its zigzag varint 0x80 0x01.
        let raw: Hamt<_, Transaction, BytesKey> =
            Hamt::load_with_bit_width(&st.pending_txs, &store, 5).unwrap();
        assert!(raw.contains_key(&BytesKey(vec![0x80, 0x01])).unwrap());
        st.purge_approvals(&store, &anne).unwrap();
        let txns = PendingTxns::load(&store, &st.pending_txs).unwrap();
        assert_eq!(txns.entries().unwrap(), vec![(64, txn(vec![bob]))]);
    }
}
