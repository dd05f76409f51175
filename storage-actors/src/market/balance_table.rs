//! Escrow and locked balances: two HAMTs keyed by ID address, where the locked table says which
//! part of the escrow is committed to deals. Funds move only in these ways: added by
//! `AddBalance`, withdrawn from the unlocked part, locked by publication, paid from a client's
//! locked fee into a provider's escrow, unlocked when a deal ends, or slashed (taken out of
//! escrow to be burnt).
//!
//! A zero balance is not stored; the totals in the state track the locked amounts by reason.

use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;

use filecoin_vm::ActorError;

use super::state::{BALANCE_TABLE_BIT_WIDTH, MarketState};
use super::types::DealProposal;
use crate::plumbing::{address_key, store_error};

/// Why an amount is locked (which state total it counts in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockReason {
    /// A client's collateral.
    ClientCollateral,
    /// A client's unpaid storage fee.
    ClientStorageFee,
    /// A provider's collateral.
    ProviderCollateral,
}

/// One balance table (escrow or locked).
struct Table<'a, BS: Blockstore>(Hamt<&'a BS, TokenAmount, BytesKey>);

impl<'a, BS: Blockstore> Table<'a, BS> {
    fn load(store: &'a BS, root: &cid::Cid) -> Result<Self, ActorError> {
        Hamt::load_with_bit_width(root, store, BALANCE_TABLE_BIT_WIDTH)
            .map(Self)
            .map_err(store_error)
    }

    fn get(&self, who: &Address) -> Result<TokenAmount, ActorError> {
        Ok(self.0.get(&address_key(who)).map_err(store_error)?.cloned().unwrap_or_default())
    }

    /// Adds a signed amount; the balance may not go negative.
    fn add(&mut self, who: &Address, amount: &TokenAmount) -> Result<(), ActorError> {
        let sum = self.get(who)? + amount;
        if sum.is_negative() {
            return Err(ActorError::illegal_argument(format!(
                "balance of {who} would become negative ({sum})"
            )));
        }
        if sum.is_zero() {
            self.0.delete(&address_key(who)).map_err(store_error)?;
        } else {
            self.0.set(address_key(who), sum).map_err(store_error)?;
        }
        Ok(())
    }

    fn subtract(&mut self, who: &Address, amount: &TokenAmount) -> Result<(), ActorError> {
        let have = self.get(who)?;
        if amount > &have {
            return Err(ActorError::illegal_argument(format!(
                "balance of {who} is {have}, cannot subtract {amount}"
            )));
        }
        self.add(who, &-amount.clone())
    }

    fn flush(&mut self) -> Result<cid::Cid, ActorError> {
        self.0.flush().map_err(store_error)
    }
}

impl MarketState {
    /// `who`'s escrow (locked included) and its locked part.
    pub fn balances<BS: Blockstore>(
        &self,
        store: &BS,
        who: &Address,
    ) -> Result<(TokenAmount, TokenAmount), ActorError> {
        let escrow = Table::load(store, &self.escrow_table)?.get(who)?;
        let locked = Table::load(store, &self.locked_table)?.get(who)?;
        Ok((escrow, locked))
    }

    /// Credits `amount` to `who`'s escrow.
    pub(super) fn add_escrow<BS: Blockstore>(
        &mut self,
        store: &BS,
        who: &Address,
        amount: &TokenAmount,
    ) -> Result<(), ActorError> {
        let mut escrow = Table::load(store, &self.escrow_table)?;
        escrow.add(who, amount)?;
        self.escrow_table = escrow.flush()?;
        Ok(())
    }

    /// Takes up to `amount` from the unlocked part of `who`'s escrow; returns what was taken.
    pub(super) fn withdraw_escrow<BS: Blockstore>(
        &mut self,
        store: &BS,
        who: &Address,
        amount: &TokenAmount,
    ) -> Result<TokenAmount, ActorError> {
        let (escrow, locked) = self.balances(store, who)?;
        let available = (escrow - locked).max(TokenAmount::default());
        let taken = available.min(amount.clone());
        if taken.is_positive() {
            let mut table = Table::load(store, &self.escrow_table)?;
            table.subtract(who, &taken)?;
            self.escrow_table = table.flush()?;
        }
        Ok(taken)
    }

    /// Both tables, loaded once for the checks of a whole batch of deals.
    pub(super) fn load_balances<'a, BS: Blockstore>(
        &self,
        store: &'a BS,
    ) -> Result<Balances<'a, BS>, ActorError> {
        Ok(Balances {
            escrow: Table::load(store, &self.escrow_table)?,
            locked: Table::load(store, &self.locked_table)?,
        })
    }

    /// Locks new deals' funds (each client's fee and collateral, the provider's collateral),
    /// refusing with `USR_INSUFFICIENT_FUNDS` a lock the escrow does not cover. The tables are
    /// loaded and written once for the batch.
    pub(super) fn lock_deal_balances<'d, BS: Blockstore>(
        &mut self,
        store: &BS,
        deals: impl IntoIterator<Item = &'d DealProposal>,
    ) -> Result<(), ActorError> {
        let mut balances = self.load_balances(store)?;
        for deal in deals {
            balances.lock(&deal.client, &deal.client_balance_requirement())?;
            balances.lock(&deal.provider, &deal.provider_collateral)?;
            self.total_client_locked_collateral += &deal.client_collateral;
            self.total_client_storage_fee += deal.total_storage_fee();
            self.total_provider_locked_collateral += &deal.provider_collateral;
        }
        self.locked_table = balances.locked.flush()?;
        Ok(())
    }

    /// Releases `amount` of `who`'s locked funds (they stay in escrow).
    pub(super) fn unlock<BS: Blockstore>(
        &mut self,
        store: &BS,
        who: &Address,
        amount: &TokenAmount,
        reason: LockReason,
    ) -> Result<(), ActorError> {
        if amount.is_negative() {
            return Err(ActorError::illegal_state(format!("cannot unlock negative {amount}")));
        }
        let mut locked = Table::load(store, &self.locked_table)?;
        locked.subtract(who, amount)?;
        self.locked_table = locked.flush()?;
        let total = match reason {
            LockReason::ClientCollateral => &mut self.total_client_locked_collateral,
            LockReason::ClientStorageFee => &mut self.total_client_storage_fee,
            LockReason::ProviderCollateral => &mut self.total_provider_locked_collateral,
        };
        *total -= amount;
        Ok(())
    }

    /// Pays `amount` of the client's locked fee into the provider's escrow.
    pub(super) fn pay<BS: Blockstore>(
        &mut self,
        store: &BS,
        client: &Address,
        provider: &Address,
        amount: &TokenAmount,
    ) -> Result<(), ActorError> {
        if amount.is_negative() {
            return Err(ActorError::illegal_state(format!("cannot pay negative {amount}")));
        }
        if amount.is_zero() {
            return Ok(());
        }
        let mut escrow = Table::load(store, &self.escrow_table)?;
        escrow.subtract(client, amount)?;
        escrow.add(provider, amount)?;
        self.escrow_table = escrow.flush()?;
        self.unlock(store, client, amount, LockReason::ClientStorageFee)
    }

    /// Removes `amount` of `who`'s locked funds from escrow altogether (to be burnt).
    pub(super) fn slash<BS: Blockstore>(
        &mut self,
        store: &BS,
        who: &Address,
        amount: &TokenAmount,
        reason: LockReason,
    ) -> Result<(), ActorError> {
        if amount.is_negative() {
            return Err(ActorError::illegal_state(format!("cannot slash negative {amount}")));
        }
        let mut escrow = Table::load(store, &self.escrow_table)?;
        escrow.subtract(who, amount)?;
        self.escrow_table = escrow.flush()?;
        self.unlock(store, who, amount, reason)
    }
}

/// The escrow and locked tables of one state, loaded for a batch.
pub(super) struct Balances<'a, BS: Blockstore> {
    escrow: Table<'a, BS>,
    locked: Table<'a, BS>,
}

impl<BS: Blockstore> Balances<'_, BS> {
    /// Whether `who`'s unlocked escrow covers locking `extra` more.
    pub(super) fn covers(&self, who: &Address, extra: &TokenAmount) -> Result<bool, ActorError> {
        Ok(self.locked.get(who)? + extra <= self.escrow.get(who)?)
    }

    fn lock(&mut self, who: &Address, amount: &TokenAmount) -> Result<(), ActorError> {
        if amount.is_negative() {
            return Err(ActorError::illegal_state(format!("cannot lock negative {amount}")));
        }
        if !self.covers(who, amount)? {
            return Err(ActorError::new(
                fvm_shared::error::ExitCode::USR_INSUFFICIENT_FUNDS,
                format!("escrow of {who} does not cover locking {amount}"),
            ));
        }
        self.locked.add(who, amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use filecoin_vm::MemoryBlockstore;

    /// Locks `amount` of `who`'s escrow in `st`, as publication does for one party.
    fn lock(
        st: &mut MarketState,
        store: &MemoryBlockstore,
        who: &Address,
        amount: &TokenAmount,
    ) -> Result<(), ActorError> {
        let mut balances = st.load_balances(store)?;
        balances.lock(who, amount)?;
        st.locked_table = balances.locked.flush()?;
        Ok(())
    }

    #[test]
    fn withdrawal_stops_at_the_locked_part_and_payments_move_locked_fees() {
        let store = MemoryBlockstore::new();
        let mut st = MarketState::new(&store).unwrap();
        let (client, provider) = (Address::new_id(100), Address::new_id(101));
        st.add_escrow(&store, &client, &TokenAmount::from_atto(100u64)).unwrap();
        lock(&mut st, &store, &client, &TokenAmount::from_atto(70u64)).unwrap();
        let taken = st.withdraw_escrow(&store, &client, &TokenAmount::from_atto(50u64)).unwrap();
        assert_eq!(taken, TokenAmount::from_atto(30u64));
        assert!(lock(&mut st, &store, &client, &TokenAmount::from_atto(1u64)).is_err());

        st.total_client_storage_fee = TokenAmount::from_atto(70u64);
        st.pay(&store, &client, &provider, &TokenAmount::from_atto(20u64)).unwrap();
        assert_eq!(
            st.balances(&store, &client).unwrap(),
            (TokenAmount::from_atto(50u64), TokenAmount::from_atto(50u64))
        );
        assert_eq!(
            st.balances(&store, &provider).unwrap(),
            (TokenAmount::from_atto(20u64), TokenAmount::default())
        );
        assert_eq!(st.total_client_storage_fee, TokenAmount::from_atto(50u64));
        // Emptied balances leave no entries: the tables return to the empty root.
        st.slash(&store, &client, &TokenAmount::from_atto(50u64), LockReason::ClientStorageFee)
            .unwrap();
        let empty = MarketState::new(&store).unwrap();
        assert_eq!(st.locked_table, empty.locked_table);
        assert_eq!(st.balances(&store, &client).unwrap(), Default::default());
    }
}
