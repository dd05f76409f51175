//! The datacap actor (f07): verified-storage allowance as an FRC-46 token, one whole token per
//! byte. The verified registry (f06), its governor, mints it to verified clients and destroys
//! it; clients spend it by sending it to the registry (allocations) or by letting the market,
//! an operator named at mint, pull it to the registry when it publishes their verified deals.
//!
//! Datacap is not a currency: it moves only to the governor, or from it (builtin-actors'
//! `transfer` and `transfer_from` rules). Everything else is the FRC-46 token of
//! [`crate::token`], with the granularity of whole tokens.
//!
//! Each changing method works as builtin-actors' datacap does: load the state, change the
//! token, save, and only then call the recipient's `Receive` hook; the return is read from the
//! state again, since the hook may have re-entered the token. The token runs as it does inside
//! builtin-actors' state transaction, which refuses sends, so it never creates an account for
//! an address that has none ([`NewAccounts::Refuse`]).

mod types;

use filecoin_vm::{Actor, ActorError, ActorResult, Runtime, SYSTEM_ACTOR_ID};
use fvm_ipld_encoding::RawBytes;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};

pub use types::*;

use crate::plumbing::{
    caller_is, load_state, no_params, params, restrict_internal_api, ret, ret_none, save_state,
};
use crate::token::{
    BurnFromParams, BurnParams, DecreaseAllowanceParams, GetAllowanceParams,
    IncreaseAllowanceParams, NewAccounts, RevokeAllowanceParams, Token, TokenState,
    TransferFromParams, TransferParams,
};

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct DataCapActor;

impl Actor for DataCapActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        block: Option<IpldBlock>,
    ) -> ActorResult {
        restrict_internal_api(rt, method)?;
        match method {
            METHOD_CONSTRUCTOR => constructor(rt, params(block)?),
            MINT_METHOD => mint(rt, params(block)?),
            DESTROY_METHOD => destroy(rt, params(block)?),
            NAME_METHOD => no_params(&block).and_then(|()| ret(NAME)),
            SYMBOL_METHOD => no_params(&block).and_then(|()| ret(SYMBOL)),
            GRANULARITY_METHOD => no_params(&block).and_then(|()| ret(&DATACAP_GRANULARITY)),
            TOTAL_SUPPLY_METHOD => {
                no_params(&block)?;
                ret(&load_state::<DataCapState>(rt)?.token.supply)
            }
            BALANCE_METHOD => balance(rt, params(block)?),
            TRANSFER_METHOD => transfer(rt, params(block)?),
            TRANSFER_FROM_METHOD => transfer_from(rt, params(block)?),
            INCREASE_ALLOWANCE_METHOD => increase_allowance(rt, params(block)?),
            DECREASE_ALLOWANCE_METHOD => decrease_allowance(rt, params(block)?),
            REVOKE_ALLOWANCE_METHOD => revoke_allowance(rt, params(block)?),
            BURN_METHOD => burn(rt, params(block)?),
            BURN_FROM_METHOD => burn_from(rt, params(block)?),
            ALLOWANCE_METHOD => allowance(rt, params(block)?),
            other => Err(ActorError::unhandled_method(other)),
        }
    }
}

/// The token over datacap's state, as builtin-actors' datacap wraps it.
fn token<'a>(rt: &'a mut dyn Runtime, state: &'a mut TokenState) -> Token<'a> {
    Token::new(rt, state, DATACAP_GRANULARITY, NewAccounts::Refuse)
}

/// The immediate caller as builtin-actors compares it: its ID address.
fn caller_address(rt: &dyn Runtime) -> Address {
    Address::new_id(rt.message().caller)
}

/// Refuses the call unless it comes from the governor (`USR_FORBIDDEN`).
fn require_governor(rt: &dyn Runtime, state: &DataCapState) -> Result<(), ActorError> {
    let caller = caller_address(rt);
    if caller == state.governor {
        Ok(())
    } else {
        Err(ActorError::forbidden(format!(
            "caller {caller} is not the governor {}",
            state.governor
        )))
    }
}

/// Constructor (system only): `governor` must resolve, and is stored as given.
fn constructor(rt: &mut dyn Runtime, governor: Address) -> ActorResult {
    caller_is(rt, &[SYSTEM_ACTOR_ID])?;
    if rt.resolve_address(&governor)?.is_none() {
        return Err(ActorError::illegal_argument("failed to resolve governor address"));
    }
    let state = DataCapState::new(&rt.store(), governor)?;
    save_state(rt, &state)?;
    ret_none()
}

/// Mint (governor only): creates datacap for `to`, gives each operator an effectively
/// infinite allowance over it, then calls `to`'s hook with the governor as operator.
fn mint(rt: &mut dyn Runtime, p: MintParams) -> ActorResult {
    let mut state: DataCapState = load_state(rt)?;
    require_governor(rt, &state)?;
    let governor = state.governor;
    let hook = {
        let mut token = token(rt, &mut state.token);
        let minted =
            token.mint(&governor, &p.to, &p.amount, RawBytes::default(), RawBytes::default());
        // Upstream grants the allowances before looking at the mint's result, so when both
        // fail the grant's exit code is the one reported; keep that order.
        for operator in &p.operators {
            token.set_allowance(&p.to, operator, &infinite_allowance())?;
        }
        minted?
    };
    save_state(rt, &state)?;
    let recipient_data = hook.call(rt)?;
    let mut state: DataCapState = load_state(rt)?;
    ret(&token(rt, &mut state.token).mint_return(&p.to, recipient_data)?)
}

/// Destroy (governor only): burns `owner`'s datacap without any allowance.
fn destroy(rt: &mut dyn Runtime, p: DestroyParams) -> ActorResult {
    let mut state: DataCapState = load_state(rt)?;
    require_governor(rt, &state)?;
    let burned = token(rt, &mut state.token).burn(&p.owner, &p.amount)?;
    save_state(rt, &state)?;
    ret(&burned)
}

/// Balance: any address; one without an actor holds zero.
fn balance(rt: &mut dyn Runtime, owner: Address) -> ActorResult {
    let mut state: DataCapState = load_state(rt)?;
    ret(&token(rt, &mut state.token).balance_of(&owner)?)
}

/// Allowance: what `operator` may spend of `owner`'s datacap.
fn allowance(rt: &mut dyn Runtime, p: GetAllowanceParams) -> ActorResult {
    let mut state: DataCapState = load_state(rt)?;
    ret(&token(rt, &mut state.token).allowance(&p.owner, &p.operator)?)
}

/// Transfer: the caller's own datacap, only to the governor or by the governor. `to` must
/// already have an actor (`USR_ILLEGAL_ARGUMENT`): the governor is compared by ID.
fn transfer(rt: &mut dyn Runtime, p: TransferParams) -> ActorResult {
    let from = caller_address(rt);
    let to = resolve_recipient(rt, &p.to)?;
    let mut state: DataCapState = load_state(rt)?;
    if to != state.governor && from != state.governor {
        return Err(ActorError::forbidden(format!(
            "transfer not allowed from {from} to {to} (governor is {})",
            state.governor
        )));
    }
    let hook = token(rt, &mut state.token).transfer(
        &from,
        &to,
        &p.amount,
        p.operator_data,
        RawBytes::default(),
    )?;
    save_state(rt, &state)?;
    let recipient_data = hook.call(rt)?;
    let mut state: DataCapState = load_state(rt)?;
    ret(&token(rt, &mut state.token).transfer_return(&from, &to, recipient_data)?)
}

/// TransferFrom: the caller spends its allowance over `from`, only towards the governor.
fn transfer_from(rt: &mut dyn Runtime, p: TransferFromParams) -> ActorResult {
    let operator = caller_address(rt);
    let to = resolve_recipient(rt, &p.to)?;
    let mut state: DataCapState = load_state(rt)?;
    if to != state.governor {
        return Err(ActorError::forbidden(format!(
            "transfer not allowed from {} to {to} (governor is {})",
            p.from, state.governor
        )));
    }
    let hook = token(rt, &mut state.token).transfer_from(
        &operator,
        &p.from,
        &to,
        &p.amount,
        p.operator_data,
        RawBytes::default(),
    )?;
    save_state(rt, &state)?;
    let recipient_data = hook.call(rt)?;
    let mut state: DataCapState = load_state(rt)?;
    let token = &mut token(rt, &mut state.token);
    ret(&token.transfer_from_return(&operator, &p.from, &to, recipient_data)?)
}

/// The ID address of a transfer's recipient, which must exist.
fn resolve_recipient(rt: &mut dyn Runtime, to: &Address) -> Result<Address, ActorError> {
    let id = rt
        .resolve_address(to)?
        .ok_or_else(|| ActorError::illegal_argument(format!("to {to} must be an ID address")))?;
    Ok(Address::new_id(id))
}

/// IncreaseAllowance: the caller lets `operator` spend more of its datacap.
fn increase_allowance(rt: &mut dyn Runtime, p: IncreaseAllowanceParams) -> ActorResult {
    let owner = caller_address(rt);
    let mut state: DataCapState = load_state(rt)?;
    let allowance =
        token(rt, &mut state.token).increase_allowance(&owner, &p.operator, &p.increase)?;
    save_state(rt, &state)?;
    ret(&allowance)
}

/// DecreaseAllowance: the caller lets `operator` spend less (flooring at zero).
fn decrease_allowance(rt: &mut dyn Runtime, p: DecreaseAllowanceParams) -> ActorResult {
    let owner = caller_address(rt);
    let mut state: DataCapState = load_state(rt)?;
    let allowance =
        token(rt, &mut state.token).decrease_allowance(&owner, &p.operator, &p.decrease)?;
    save_state(rt, &state)?;
    ret(&allowance)
}

/// RevokeAllowance: removes `operator`'s allowance over the caller; returns the old one.
fn revoke_allowance(rt: &mut dyn Runtime, p: RevokeAllowanceParams) -> ActorResult {
    let owner = caller_address(rt);
    let mut state: DataCapState = load_state(rt)?;
    let previous = token(rt, &mut state.token).revoke_allowance(&owner, &p.operator)?;
    save_state(rt, &state)?;
    ret(&previous)
}

/// Burn: the caller destroys its own datacap.
fn burn(rt: &mut dyn Runtime, p: BurnParams) -> ActorResult {
    let owner = caller_address(rt);
    let mut state: DataCapState = load_state(rt)?;
    let burned = token(rt, &mut state.token).burn(&owner, &p.amount)?;
    save_state(rt, &state)?;
    ret(&burned)
}

/// BurnFrom: the caller destroys `owner`'s datacap, spending its allowance.
fn burn_from(rt: &mut dyn Runtime, p: BurnFromParams) -> ActorResult {
    let operator = caller_address(rt);
    let mut state: DataCapState = load_state(rt)?;
    let burned = token(rt, &mut state.token).burn_from(&operator, &p.owner, &p.amount)?;
    save_state(rt, &state)?;
    ret(&burned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plumbing::method_hash;

    #[test]
    fn method_numbers_are_frc42_hashes() {
        let methods = [
            (MINT_METHOD, "Mint"),
            (DESTROY_METHOD, "Destroy"),
            (NAME_METHOD, "Name"),
            (SYMBOL_METHOD, "Symbol"),
            (GRANULARITY_METHOD, "Granularity"),
            (TOTAL_SUPPLY_METHOD, "TotalSupply"),
            (BALANCE_METHOD, "Balance"),
            (TRANSFER_METHOD, "Transfer"),
            (TRANSFER_FROM_METHOD, "TransferFrom"),
            (INCREASE_ALLOWANCE_METHOD, "IncreaseAllowance"),
            (DECREASE_ALLOWANCE_METHOD, "DecreaseAllowance"),
            (REVOKE_ALLOWANCE_METHOD, "RevokeAllowance"),
            (BURN_METHOD, "Burn"),
            (BURN_FROM_METHOD, "BurnFrom"),
            (ALLOWANCE_METHOD, "Allowance"),
        ];
        for (number, name) in methods {
            assert_eq!(number, method_hash(name), "{name}");
        }
    }

    #[test]
    fn infinite_allowance_is_ten_to_the_39() {
        assert_eq!(infinite_allowance().atto().to_string(), format!("1{}", "0".repeat(39)));
    }

    #[test]
    fn genesis_state_is_governed_and_empty() {
        let store = fvm_ipld_blockstore::MemoryBlockstore::new();
        let root = genesis_state(&store, Address::new_id(6)).unwrap();
        let state: DataCapState =
            fvm_ipld_encoding::CborStore::get_cbor(&store, &root).unwrap().unwrap();
        assert_eq!(state.governor, Address::new_id(6));
        assert!(state.token.supply.is_zero());
        assert_eq!(state.token.hamt_bit_width, 3);
    }
}
