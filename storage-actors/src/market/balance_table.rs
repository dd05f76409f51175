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

    /// Whether `who`'s unlocked escrow covers locking `extra` more.
    pub(super) fn balance_covers<BS: Blockstore>(
        &self,
        store: &BS,
        who: &Address,
        extra: &TokenAmount,
    ) -> Result<bool, ActorError> {
        let (escrow, locked) = self.balances(store, who)?;
        Ok(locked + extra <= escrow)
    }

    fn lock<BS: Blockstore>(
        &mut self,
        store: &BS,
        who: &Address,
        amount: &TokenAmount,
    ) -> Result<(), ActorError> {
        if amount.is_negative() {
            return Err(ActorError::illegal_state(format!("cannot lock negative {amount}")));
        }
        if !self.balance_covers(store, who, amount)? {
            return Err(ActorError::new(
                fvm_shared::error::ExitCode::USR_INSUFFICIENT_FUNDS,
                format!("escrow of {who} does not cover locking {amount}"),
            ));
        }
        let mut locked = Table::load(store, &self.locked_table)?;
        locked.add(who, amount)?;
        self.locked_table = locked.flush()?;
        Ok(())
    }

    /// Locks a new deal's funds: the client's fee and collateral, the provider's collateral.
    pub(super) fn lock_deal_balances<BS: Blockstore>(
        &mut self,
        store: &BS,
        deal: &DealProposal,
    ) -> Result<(), ActorError> {
        self.lock(store, &deal.client, &deal.client_balance_requirement())?;
        self.lock(store, &deal.provider, &deal.provider_collateral)?;
        self.total_client_locked_collateral += &deal.client_collateral;
        self.total_client_storage_fee += deal.total_storage_fee();
        self.total_provider_locked_collateral += &deal.provider_collateral;
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

#[cfg(test)]
mod tests {
    use super::*;
    use filecoin_vm::MemoryBlockstore;

    #[test]
    fn withdrawal_stops_at_the_locked_part_and_payments_move_locked_fees() {
        let store = MemoryBlockstore::new();
        let mut st = MarketState::new(&store).unwrap();
        let (client, provider) = (Address::new_id(100), Address::new_id(101));
        st.add_escrow(&store, &client, &TokenAmount::from_atto(100u64)).unwrap();
        st.lock(&store, &client, &TokenAmount::from_atto(70u64)).unwrap();
        let taken = st.withdraw_escrow(&store, &client, &TokenAmount::from_atto(50u64)).unwrap();
        assert_eq!(taken, TokenAmount::from_atto(30u64));
        assert!(st.lock(&store, &client, &TokenAmount::from_atto(1u64)).is_err());

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
