//! The token's state as the network stores it, and the bookkeeping over it: balances and
//! allowances in HAMTs keyed by actor ID, and the total supply beside them.
//!
//! This layer keeps the state's own invariants (no negative balance, allowance or supply; no
//! zero entries stored; no empty allowance maps left behind) and nothing else: who may move what
//! is the [`Token`](super::Token)'s business. Exit codes are the FRC-46 library's: a HAMT failure
//! is `USR_SERIALIZATION`, running short of balance or allowance is `USR_INSUFFICIENT_FUNDS`, and
//! a state that would turn negative is `USR_ILLEGAL_STATE`.

use cid::Cid;
use filecoin_vm::ActorError;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_hamt::{BytesKey, Hamt};
use fvm_shared::ActorID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

/// The HAMT bit width the FRC-46 library defaults to, and the one datacap's state carries.
pub const DEFAULT_HAMT_BIT_WIDTH: u32 = 3;

/// A map from an actor ID (varint key) to a value, over a borrowed store.
type IdMap<'bs, BS, V> = Hamt<&'bs BS, V, BytesKey>;

/// An FRC-46 token's state: `[supply, balances, allowances, hamt_bit_width]`.
///
/// `balances` is a HAMT of owner → amount. `allowances` is a HAMT of owner → the root of that
/// owner's own HAMT of operator → amount. Both levels use `hamt_bit_width`, which is stored so
/// that a reader never has to guess it (a HAMT read with the wrong width reads garbage).
#[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct TokenState {
    /// The sum of all balances.
    pub supply: TokenAmount,
    /// Root of the owner → balance HAMT.
    pub balances: Cid,
    /// Root of the owner → (operator → allowance) HAMT of HAMTs.
    pub allowances: Cid,
    /// Bit width of every HAMT above.
    pub hamt_bit_width: u32,
}

/// The HAMT key of an actor ID: its unsigned LEB128 varint, as the FRC-46 library writes it.
use crate::plumbing::u64_key as actor_id_key;

/// A HAMT (or store) failure inside the token: `USR_SERIALIZATION`, as the library maps it.
fn hamt_failure(e: impl std::fmt::Display) -> ActorError {
    ActorError::serialization(format!("token state: {e}"))
}

/// The balance or allowance of an operation's debit was too small.
pub(crate) fn insufficient(message: String) -> ActorError {
    ActorError::new(ExitCode::USR_INSUFFICIENT_FUNDS, message)
}

impl TokenState {
    /// An empty token (no supply, empty maps) whose HAMT roots are written to `store`.
    pub fn new<BS: Blockstore>(store: &BS, hamt_bit_width: u32) -> Result<Self, ActorError> {
        let balances = IdMap::<BS, TokenAmount>::new_with_bit_width(store, hamt_bit_width)
            .flush()
            .map_err(hamt_failure)?;
        let allowances = IdMap::<BS, Cid>::new_with_bit_width(store, hamt_bit_width)
            .flush()
            .map_err(hamt_failure)?;
        Ok(Self { supply: TokenAmount::default(), balances, allowances, hamt_bit_width })
    }

    fn balance_map<'bs, BS: Blockstore>(
        &self,
        bs: &'bs BS,
    ) -> Result<IdMap<'bs, BS, TokenAmount>, ActorError> {
        IdMap::load_with_bit_width(&self.balances, bs, self.hamt_bit_width).map_err(hamt_failure)
    }

    fn allowance_roots<'bs, BS: Blockstore>(
        &self,
        bs: &'bs BS,
    ) -> Result<IdMap<'bs, BS, Cid>, ActorError> {
        IdMap::load_with_bit_width(&self.allowances, bs, self.hamt_bit_width).map_err(hamt_failure)
    }

    /// `owner`'s operator → allowance map, if it has granted any allowance.
    fn owner_allowances<'bs, BS: Blockstore>(
        &self,
        bs: &'bs BS,
        owner: ActorID,
    ) -> Result<Option<IdMap<'bs, BS, TokenAmount>>, ActorError> {
        let roots = self.allowance_roots(bs)?;
        let Some(root) = roots.get(&actor_id_key(owner)).map_err(hamt_failure)? else {
            return Ok(None);
        };
        IdMap::load_with_bit_width(root, bs, self.hamt_bit_width).map(Some).map_err(hamt_failure)
    }

    /// `owner`'s balance; an actor never credited holds zero.
    pub fn balance<BS: Blockstore>(
        &self,
        bs: &BS,
        owner: ActorID,
    ) -> Result<TokenAmount, ActorError> {
        let map = self.balance_map(bs)?;
        Ok(map.get(&actor_id_key(owner)).map_err(hamt_failure)?.cloned().unwrap_or_default())
    }

    /// Adds `delta` (which may be negative) to `owner`'s balance and returns the new balance.
    /// Going below zero is `USR_INSUFFICIENT_FUNDS` and changes nothing; a zero balance is
    /// removed rather than stored.
    pub fn change_balance_by<BS: Blockstore>(
        &mut self,
        bs: &BS,
        owner: ActorID,
        delta: &TokenAmount,
    ) -> Result<TokenAmount, ActorError> {
        if delta.is_zero() {
            return self.balance(bs, owner);
        }
        let mut map = self.balance_map(bs)?;
        let key = actor_id_key(owner);
        let balance = map.get(&key).map_err(hamt_failure)?.cloned().unwrap_or_default();
        let new_balance = &balance + delta;
        if new_balance.is_negative() {
            return Err(insufficient(format!(
                "f0{owner} holds {balance}, cannot change it by {delta}"
            )));
        }
        if new_balance.is_zero() {
            map.delete(&key).map_err(hamt_failure)?;
        } else {
            map.set(key, new_balance.clone()).map_err(hamt_failure)?;
        }
        self.balances = map.flush().map_err(hamt_failure)?;
        Ok(new_balance)
    }

    /// Moves `amount` from `from` to `to`. A transfer to oneself changes nothing but must still
    /// be covered by the balance, as any other transfer is.
    pub fn make_transfer<BS: Blockstore>(
        &mut self,
        bs: &BS,
        from: ActorID,
        to: ActorID,
        amount: &TokenAmount,
    ) -> Result<(), ActorError> {
        if from == to {
            let balance = self.balance(bs, from)?;
            if &balance < amount {
                return Err(insufficient(format!(
                    "f0{from} holds {balance}, cannot transfer {amount}"
                )));
            }
            return Ok(());
        }
        self.change_balance_by(bs, from, &-amount.clone())?;
        self.change_balance_by(bs, to, amount)?;
        Ok(())
    }

    /// Adds `delta` (which may be negative) to the total supply; below zero is
    /// `USR_ILLEGAL_STATE` (balances cover the supply, so only a broken state gets there).
    pub fn change_supply_by(&mut self, delta: &TokenAmount) -> Result<&TokenAmount, ActorError> {
        let new_supply = &self.supply + delta;
        if new_supply.is_negative() {
            return Err(ActorError::illegal_state(format!(
                "total supply {} cannot change by {delta}",
                self.supply
            )));
        }
        self.supply = new_supply;
        Ok(&self.supply)
    }

    /// What `operator` may still spend of `owner`'s balance (zero when nothing was granted).
    pub fn allowance<BS: Blockstore>(
        &self,
        bs: &BS,
        owner: ActorID,
        operator: ActorID,
    ) -> Result<TokenAmount, ActorError> {
        let Some(map) = self.owner_allowances(bs, owner)? else {
            return Ok(TokenAmount::default());
        };
        Ok(map.get(&actor_id_key(operator)).map_err(hamt_failure)?.cloned().unwrap_or_default())
    }

    /// Adds `delta` (which may be negative) to an allowance, flooring at zero, and returns the
    /// new allowance. Zero allowances and then empty owner maps are removed.
    pub fn change_allowance_by<BS: Blockstore>(
        &mut self,
        bs: &BS,
        owner: ActorID,
        operator: ActorID,
        delta: &TokenAmount,
    ) -> Result<TokenAmount, ActorError> {
        if delta.is_zero() {
            return self.allowance(bs, owner, operator);
        }
        let mut map = match self.owner_allowances(bs, owner)? {
            Some(map) => map,
            // Nothing granted and nothing to grant: there is nothing to write.
            None if delta.is_negative() => return Ok(TokenAmount::default()),
            None => IdMap::new_with_bit_width(bs, self.hamt_bit_width),
        };
        let key = actor_id_key(operator);
        let current = map.get(&key).map_err(hamt_failure)?.cloned().unwrap_or_default();
        let new_allowance = (&current + delta).max(TokenAmount::default());
        if new_allowance.is_zero() {
            map.delete(&key).map_err(hamt_failure)?;
        } else {
            map.set(key, new_allowance.clone()).map_err(hamt_failure)?;
        }
        self.store_owner_allowances(bs, owner, map)?;
        Ok(new_allowance)
    }

    /// Sets an allowance outright and returns the previous one; zero revokes it.
    pub fn set_allowance<BS: Blockstore>(
        &mut self,
        bs: &BS,
        owner: ActorID,
        operator: ActorID,
        amount: &TokenAmount,
    ) -> Result<TokenAmount, ActorError> {
        if amount.is_negative() {
            return Err(ActorError::illegal_state(format!(
                "allowance of f0{operator} over f0{owner} cannot be set to {amount}"
            )));
        }
        if amount.is_zero() {
            return self.revoke_allowance(bs, owner, operator);
        }
        let mut map = match self.owner_allowances(bs, owner)? {
            Some(map) => map,
            None => IdMap::new_with_bit_width(bs, self.hamt_bit_width),
        };
        let previous = map.set(actor_id_key(operator), amount.clone()).map_err(hamt_failure)?;
        self.store_owner_allowances(bs, owner, map)?;
        Ok(previous.unwrap_or_default())
    }

    /// Removes an allowance and returns what it was (zero when there was none).
    pub fn revoke_allowance<BS: Blockstore>(
        &mut self,
        bs: &BS,
        owner: ActorID,
        operator: ActorID,
    ) -> Result<TokenAmount, ActorError> {
        let Some(mut map) = self.owner_allowances(bs, owner)? else {
            return Ok(TokenAmount::default());
        };
        let previous = map.delete(&actor_id_key(operator)).map_err(hamt_failure)?;
        self.store_owner_allowances(bs, owner, map)?;
        Ok(previous.map(|(_, amount)| amount).unwrap_or_default())
    }

    /// Spends `amount` of `operator`'s allowance over `owner` and returns what is left. An
    /// operator with no allowance at all is refused even for zero; the allowance is unchanged
    /// on refusal (`USR_INSUFFICIENT_FUNDS`).
    pub fn use_allowance<BS: Blockstore>(
        &mut self,
        bs: &BS,
        operator: ActorID,
        owner: ActorID,
        amount: &TokenAmount,
    ) -> Result<TokenAmount, ActorError> {
        let current = self.allowance(bs, owner, operator)?;
        if (current.is_zero() && operator != owner) || &current < amount {
            return Err(insufficient(format!(
                "f0{operator} may spend {current} of f0{owner}'s tokens, not {amount}"
            )));
        }
        if amount.is_zero() {
            return Ok(current);
        }
        self.change_allowance_by(bs, owner, operator, &-amount.clone())
    }

    /// Writes `owner`'s allowance map back into the root map, dropping it when empty.
    fn store_owner_allowances<BS: Blockstore>(
        &mut self,
        bs: &BS,
        owner: ActorID,
        mut map: IdMap<'_, BS, TokenAmount>,
    ) -> Result<(), ActorError> {
        let mut roots = self.allowance_roots(bs)?;
        let key = actor_id_key(owner);
        if map.is_empty() {
            roots.delete(&key).map_err(hamt_failure)?;
        } else {
            roots.set(key, map.flush().map_err(hamt_failure)?).map_err(hamt_failure)?;
        }
        self.allowances = roots.flush().map_err(hamt_failure)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use fvm_ipld_blockstore::MemoryBlockstore;

    use super::*;

    fn atto(n: i64) -> TokenAmount {
        TokenAmount::from_atto(n)
    }

    #[test]
    fn keys_are_unsigned_varints() {
        assert_eq!(actor_id_key(0).0, vec![0]);
        assert_eq!(actor_id_key(127).0, vec![0x7f]);
        assert_eq!(actor_id_key(128).0, vec![0x80, 0x01]);
        assert_eq!(actor_id_key(300).0, vec![0xac, 0x02]);
    }

    #[test]
    fn the_empty_state_encodes_as_the_network_does() {
        let bs = MemoryBlockstore::new();
        let state = TokenState::new(&bs, DEFAULT_HAMT_BIT_WIDTH).unwrap();
        // [supply = empty bytes, cid, cid, 3]
        let bytes = fvm_ipld_encoding::to_vec(&state).unwrap();
        assert_eq!(&bytes[..2], &[0x84, 0x40]);
        assert_eq!(bytes.last(), Some(&3));
        // Both maps are the same empty HAMT.
        assert_eq!(state.balances, state.allowances);
    }

    #[test]
    fn balances_move_and_never_go_negative() {
        let bs = MemoryBlockstore::new();
        let mut state = TokenState::new(&bs, DEFAULT_HAMT_BIT_WIDTH).unwrap();
        let empty = state.balances;
        assert_eq!(state.change_balance_by(&bs, 1, &atto(100)).unwrap(), atto(100));
        state.make_transfer(&bs, 1, 2, &atto(60)).unwrap();
        assert_eq!(state.balance(&bs, 1).unwrap(), atto(40));
        assert_eq!(state.balance(&bs, 2).unwrap(), atto(60));
        let err = state.make_transfer(&bs, 1, 2, &atto(41)).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_INSUFFICIENT_FUNDS);
        // To oneself: a no-op, but still bounded by the balance.
        state.make_transfer(&bs, 1, 1, &atto(40)).unwrap();
        let err = state.make_transfer(&bs, 1, 1, &atto(41)).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_INSUFFICIENT_FUNDS);
        // Emptied balances are removed, not stored as zero.
        state.change_balance_by(&bs, 1, &atto(-40)).unwrap();
        state.change_balance_by(&bs, 2, &atto(-60)).unwrap();
        assert_eq!(state.balances, empty);
        let err = state.change_supply_by(&atto(-1)).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_ILLEGAL_STATE);
    }

    #[test]
    fn allowances_floor_at_zero_and_clean_up() {
        let bs = MemoryBlockstore::new();
        let mut state = TokenState::new(&bs, DEFAULT_HAMT_BIT_WIDTH).unwrap();
        let empty = state.allowances;
        assert_eq!(state.change_allowance_by(&bs, 1, 2, &atto(-5)).unwrap(), atto(0));
        assert_eq!(state.allowances, empty);
        assert_eq!(state.change_allowance_by(&bs, 1, 2, &atto(100)).unwrap(), atto(100));
        assert_eq!(state.allowance(&bs, 2, 1).unwrap(), atto(0), "allowances are directed");
        assert_eq!(state.use_allowance(&bs, 2, 1, &atto(60)).unwrap(), atto(40));
        let err = state.use_allowance(&bs, 2, 1, &atto(41)).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_INSUFFICIENT_FUNDS);
        assert_eq!(state.allowance(&bs, 1, 2).unwrap(), atto(40));
        // An operator with nothing granted cannot even spend zero.
        let err = state.use_allowance(&bs, 3, 1, &atto(0)).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::USR_INSUFFICIENT_FUNDS);
        assert_eq!(state.change_allowance_by(&bs, 1, 2, &atto(-100)).unwrap(), atto(0));
        assert_eq!(state.allowances, empty, "an emptied owner map is dropped");
        assert_eq!(state.set_allowance(&bs, 1, 2, &atto(7)).unwrap(), atto(0));
        assert_eq!(state.set_allowance(&bs, 1, 2, &atto(9)).unwrap(), atto(7));
        assert_eq!(state.revoke_allowance(&bs, 1, 2).unwrap(), atto(9));
        assert_eq!(state.revoke_allowance(&bs, 1, 2).unwrap(), atto(0));
        assert_eq!(state.allowances, empty);
    }
}
