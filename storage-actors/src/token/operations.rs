//! The FRC-46 operations over a [`TokenState`], with the FRC-46 library's rules: amounts are
//! non-negative multiples of the granularity (allowances need only be non-negative), an
//! operator never acts on its own balance through an allowance, and parties named by address
//! are resolved to actor IDs — created when the token may create accounts, see [`NewAccounts`].
//!
//! Each operation changes the state all-or-nothing: it works on a copy and writes it back only
//! when every step succeeded, so a caller that goes on after an error sees the state untouched.

use filecoin_vm::{ActorError, Runtime};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::bigint::{BigInt, Zero};
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, METHOD_SEND};

use super::hook::PendingHook;
use super::state::{TokenState, insufficient};
use super::types::{
    BurnFromReturn, BurnReturn, Frc46TokenReceived, MintReturn, TransferFromReturn, TransferReturn,
};

/// Whether an operation that names an address with no actor behind it may create one (an
/// account, by a zero-value send) or must fail with `USR_NOT_FOUND`.
///
/// The FRC-46 library creates them. Datacap runs its operations inside a state transaction of
/// builtin-actors' runtime, which refuses every send, so there the creation never happens and
/// the library reports the address as not initialized: datacap passes [`NewAccounts::Refuse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewAccounts {
    /// Send zero value to the address to create its actor.
    Create,
    /// Fail with `USR_NOT_FOUND`, creating nothing.
    Refuse,
}

/// An FRC-46 token: its state, the runtime its actor runs in, and its fixed granularity.
pub struct Token<'a> {
    rt: &'a mut dyn Runtime,
    state: &'a mut TokenState,
    granularity: u64,
    new_accounts: NewAccounts,
}

impl std::fmt::Debug for Token<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("state", &self.state)
            .field("granularity", &self.granularity)
            .field("new_accounts", &self.new_accounts)
            .finish_non_exhaustive()
    }
}

/// Refuses a negative amount, or one that is not a multiple of `granularity`
/// (`USR_ILLEGAL_ARGUMENT`).
pub fn validate_amount(
    amount: &TokenAmount,
    what: &str,
    granularity: u64,
) -> Result<(), ActorError> {
    if amount.is_negative() {
        return Err(ActorError::illegal_argument(format!("{what} amount {amount} is negative")));
    }
    if !(amount.atto() % BigInt::from(granularity.max(1))).is_zero() {
        return Err(ActorError::illegal_argument(format!(
            "{what} amount {amount} is not a multiple of the granularity {granularity}"
        )));
    }
    Ok(())
}

/// Refuses a negative allowance change (`USR_ILLEGAL_ARGUMENT`); any precision is allowed.
fn validate_allowance(amount: &TokenAmount, what: &str) -> Result<(), ActorError> {
    if amount.is_negative() {
        return Err(ActorError::illegal_argument(format!("{what} {amount} is negative")));
    }
    Ok(())
}

impl<'a> Token<'a> {
    /// Wraps `state`. A `granularity` of 0 is taken as 1 (every amount is a multiple of it).
    pub fn new(
        rt: &'a mut dyn Runtime,
        state: &'a mut TokenState,
        granularity: u64,
        new_accounts: NewAccounts,
    ) -> Self {
        Self { rt, state, granularity: granularity.max(1), new_accounts }
    }

    /// The smallest indivisible amount.
    pub const fn granularity(&self) -> u64 {
        self.granularity
    }

    /// The sum of all balances.
    pub fn total_supply(&self) -> TokenAmount {
        self.state.supply.clone()
    }

    /// The balance of `owner`; an address with no actor holds zero (nothing is created).
    pub fn balance_of(&mut self, owner: &Address) -> Result<TokenAmount, ActorError> {
        match self.rt.resolve_address(owner)? {
            Some(id) => self.state.balance(&self.rt.store(), id),
            None => Ok(TokenAmount::default()),
        }
    }

    /// What `operator` may spend of `owner`'s balance; zero when either has no actor.
    pub fn allowance(
        &mut self,
        owner: &Address,
        operator: &Address,
    ) -> Result<TokenAmount, ActorError> {
        let Some(owner) = self.rt.resolve_address(owner)? else {
            return Ok(TokenAmount::default());
        };
        let Some(operator) = self.rt.resolve_address(operator)? else {
            return Ok(TokenAmount::default());
        };
        self.state.allowance(&self.rt.store(), owner, operator)
    }

    /// Creates `amount` for `to`, initiated by `operator`. Returns the hook owed to `to`, whose
    /// payload names this actor as `from`.
    pub fn mint(
        &mut self,
        operator: &Address,
        to: &Address,
        amount: &TokenAmount,
        operator_data: RawBytes,
        token_data: RawBytes,
    ) -> Result<PendingHook, ActorError> {
        validate_amount(amount, "mint", self.granularity)?;
        let operator_id = self.resolve_or_init(operator)?;
        let to_id = self.resolve_or_init(to)?;
        self.transaction(|state, store| {
            state.change_balance_by(store, to_id, amount)?;
            state.change_supply_by(amount).map(drop)
        })?;
        let received = Frc46TokenReceived {
            from: self.rt.message().receiver,
            to: to_id,
            operator: operator_id,
            amount: amount.clone(),
            operator_data,
            token_data,
        };
        Ok(PendingHook { recipient: *to, received })
    }

    /// `Mint`'s return once the hook ran (the hook may have moved the new tokens on).
    pub fn mint_return(
        &mut self,
        to: &Address,
        recipient_data: RawBytes,
    ) -> Result<MintReturn, ActorError> {
        Ok(MintReturn {
            balance: self.balance_of(to)?,
            supply: self.total_supply(),
            recipient_data,
        })
    }

    /// Adds to `operator`'s allowance over `owner` and returns the new allowance.
    pub fn increase_allowance(
        &mut self,
        owner: &Address,
        operator: &Address,
        increase: &TokenAmount,
    ) -> Result<TokenAmount, ActorError> {
        validate_allowance(increase, "allowance increase")?;
        let owner = self.resolve_or_init(owner)?;
        let operator = self.resolve_or_init(operator)?;
        self.transaction(|state, store| state.change_allowance_by(store, owner, operator, increase))
    }

    /// Takes off `operator`'s allowance over `owner` (flooring at zero); returns the new one.
    pub fn decrease_allowance(
        &mut self,
        owner: &Address,
        operator: &Address,
        decrease: &TokenAmount,
    ) -> Result<TokenAmount, ActorError> {
        validate_allowance(decrease, "allowance decrease")?;
        let owner = self.resolve_or_init(owner)?;
        let operator = self.resolve_or_init(operator)?;
        let delta = -decrease.clone();
        self.transaction(|state, store| state.change_allowance_by(store, owner, operator, &delta))
    }

    /// Removes `operator`'s allowance over `owner`; returns the old one (zero, creating
    /// nothing, when either has no actor).
    pub fn revoke_allowance(
        &mut self,
        owner: &Address,
        operator: &Address,
    ) -> Result<TokenAmount, ActorError> {
        let Some(owner) = self.rt.resolve_address(owner)? else {
            return Ok(TokenAmount::default());
        };
        let Some(operator) = self.rt.resolve_address(operator)? else {
            return Ok(TokenAmount::default());
        };
        self.transaction(|state, store| state.revoke_allowance(store, owner, operator))
    }

    /// Sets `operator`'s allowance over `owner` outright; returns the old one.
    pub fn set_allowance(
        &mut self,
        owner: &Address,
        operator: &Address,
        amount: &TokenAmount,
    ) -> Result<TokenAmount, ActorError> {
        validate_allowance(amount, "allowance")?;
        if amount.is_zero() {
            return self.revoke_allowance(owner, operator);
        }
        let owner = self.resolve_or_init(owner)?;
        let operator = self.resolve_or_init(operator)?;
        self.transaction(|state, store| state.set_allowance(store, owner, operator, amount))
    }

    /// Destroys `amount` of `owner`'s own tokens.
    pub fn burn(
        &mut self,
        owner: &Address,
        amount: &TokenAmount,
    ) -> Result<BurnReturn, ActorError> {
        validate_amount(amount, "burn", self.granularity)?;
        let owner = self.resolve_or_init(owner)?;
        let debit = -amount.clone();
        let balance = self.transaction(|state, store| {
            let balance = state.change_balance_by(store, owner, &debit)?;
            state.change_supply_by(&debit)?;
            Ok(balance)
        })?;
        Ok(BurnReturn { balance })
    }

    /// `operator` destroys `amount` of `owner`'s tokens, spending its allowance.
    pub fn burn_from(
        &mut self,
        operator: &Address,
        owner: &Address,
        amount: &TokenAmount,
    ) -> Result<BurnFromReturn, ActorError> {
        validate_amount(amount, "burn", self.granularity)?;
        let (operator_id, owner_id) = self.operator_and_holder(operator, owner, amount)?;
        let debit = -amount.clone();
        let (allowance, balance) = self.transaction(|state, store| {
            let allowance = state.use_allowance(store, operator_id, owner_id, amount)?;
            let balance = state.change_balance_by(store, owner_id, &debit)?;
            state.change_supply_by(&debit)?;
            Ok((allowance, balance))
        })?;
        Ok(BurnFromReturn { balance, allowance })
    }

    /// `from` moves `amount` of its own tokens to `to`. Returns the hook owed to `to`.
    pub fn transfer(
        &mut self,
        from: &Address,
        to: &Address,
        amount: &TokenAmount,
        operator_data: RawBytes,
        token_data: RawBytes,
    ) -> Result<PendingHook, ActorError> {
        validate_amount(amount, "transfer", self.granularity)?;
        let from_id = self.resolve_or_init(from)?;
        let to_id = self.resolve_or_init(to)?;
        self.transaction(|state, store| state.make_transfer(store, from_id, to_id, amount))?;
        let received = Frc46TokenReceived {
            from: from_id,
            to: to_id,
            operator: from_id,
            amount: amount.clone(),
            operator_data,
            token_data,
        };
        Ok(PendingHook { recipient: *to, received })
    }

    /// `Transfer`'s return once the hook ran.
    pub fn transfer_return(
        &mut self,
        from: &Address,
        to: &Address,
        recipient_data: RawBytes,
    ) -> Result<TransferReturn, ActorError> {
        Ok(TransferReturn {
            from_balance: self.balance_of(from)?,
            to_balance: self.balance_of(to)?,
            recipient_data,
        })
    }

    /// `operator` moves `amount` of `from`'s tokens to `to`, spending its allowance. Returns the
    /// hook owed to `to`.
    pub fn transfer_from(
        &mut self,
        operator: &Address,
        from: &Address,
        to: &Address,
        amount: &TokenAmount,
        operator_data: RawBytes,
        token_data: RawBytes,
    ) -> Result<PendingHook, ActorError> {
        validate_amount(amount, "transfer", self.granularity)?;
        let (operator_id, from_id) = self.operator_and_holder(operator, from, amount)?;
        let to_id = self.resolve_or_init(to)?;
        self.transaction(|state, store| {
            state.use_allowance(store, operator_id, from_id, amount)?;
            state.make_transfer(store, from_id, to_id, amount)
        })?;
        let received = Frc46TokenReceived {
            from: from_id,
            to: to_id,
            operator: operator_id,
            amount: amount.clone(),
            operator_data,
            token_data,
        };
        Ok(PendingHook { recipient: *to, received })
    }

    /// `TransferFrom`'s return once the hook ran.
    pub fn transfer_from_return(
        &mut self,
        operator: &Address,
        from: &Address,
        to: &Address,
        recipient_data: RawBytes,
    ) -> Result<TransferFromReturn, ActorError> {
        Ok(TransferFromReturn {
            from_balance: self.balance_of(from)?,
            to_balance: self.balance_of(to)?,
            allowance: self.allowance(from, operator)?,
            recipient_data,
        })
    }

    /// The IDs of an operator acting through an allowance and of the holder it debits. The
    /// operator may not be the holder (`USR_ILLEGAL_ARGUMENT`); either without an actor cannot
    /// have an allowance (`USR_INSUFFICIENT_FUNDS`). Nothing is created.
    fn operator_and_holder(
        &mut self,
        operator: &Address,
        holder: &Address,
        amount: &TokenAmount,
    ) -> Result<(ActorID, ActorID), ActorError> {
        if self.same_address(operator, holder)? {
            return Err(ActorError::illegal_argument(format!(
                "operator {operator} cannot be the holder it debits"
            )));
        }
        let no_allowance = |who: &Address| {
            insufficient(format!("{who} has no actor, so no allowance to spend {amount}"))
        };
        let operator_id =
            self.rt.resolve_address(operator)?.ok_or_else(|| no_allowance(operator))?;
        let holder_id = self.rt.resolve_address(holder)?.ok_or_else(|| no_allowance(holder))?;
        Ok((operator_id, holder_id))
    }

    /// Whether two addresses name the same actor, without creating any: equal addresses of one
    /// protocol, or two protocols that both resolve to one ID.
    fn same_address(&mut self, a: &Address, b: &Address) -> Result<bool, ActorError> {
        if a.protocol() == b.protocol() {
            return Ok(a == b);
        }
        let a = self.rt.resolve_address(a)?;
        let b = self.rt.resolve_address(b)?;
        Ok(matches!((a, b), (Some(a), Some(b)) if a == b))
    }

    /// The ID behind `address`, creating an account there if [`NewAccounts::Create`] allows.
    /// Whatever the creating send does, the address must resolve afterwards, or it is
    /// `USR_NOT_FOUND` (the library's "address could not be initialized").
    fn resolve_or_init(&mut self, address: &Address) -> Result<ActorID, ActorError> {
        if let Some(id) = self.rt.resolve_address(address)? {
            return Ok(id);
        }
        if self.new_accounts == NewAccounts::Create {
            // The outcome is deliberately ignored: resolution afterwards is the test.
            let _outcome = self.rt.send(
                address,
                METHOD_SEND,
                None,
                TokenAmount::default(),
                None,
                SendFlags::empty(),
            )?;
            if let Some(id) = self.rt.resolve_address(address)? {
                return Ok(id);
            }
        }
        Err(ActorError::new(
            ExitCode::USR_NOT_FOUND,
            format!("address {address} could not be initialized"),
        ))
    }

    /// Runs `change` on a copy of the state and keeps the copy only if it succeeds.
    fn transaction<R>(
        &mut self,
        change: impl FnOnce(&mut TokenState, &filecoin_vm::ActorStore) -> Result<R, ActorError>,
    ) -> Result<R, ActorError> {
        let store = self.rt.store();
        let mut draft = self.state.clone();
        let result = change(&mut draft, &store)?;
        *self.state = draft;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_must_be_non_negative_multiples_of_the_granularity() {
        let whole = TokenAmount::from_whole(3);
        assert!(validate_amount(&whole, "mint", 1_000_000_000_000_000_000).is_ok());
        assert!(validate_amount(&TokenAmount::default(), "mint", 10).is_ok());
        for bad in [TokenAmount::from_atto(15), TokenAmount::from_atto(-10)] {
            let err = validate_amount(&bad, "mint", 10).unwrap_err();
            assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT, "{bad}");
        }
        // A granularity of zero cannot divide by zero: it accepts every non-negative amount.
        assert!(validate_amount(&TokenAmount::from_atto(7), "mint", 0).is_ok());
        let err = validate_allowance(&TokenAmount::from_atto(-1), "allowance").unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
        assert!(validate_allowance(&TokenAmount::from_atto(1), "allowance").is_ok());
    }
}
