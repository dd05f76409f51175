//! The verified registry (f06): who may hand out datacap, and what datacap has been spent on.
//!
//! A root key (a multisig in Lotus' genesis) names verifiers with allowances; a verifier grants
//! part of its allowance to a client, which the registry — datacap's governor — mints on f07
//! with the market as operator. A client spends datacap by transferring it here: the FRC-46
//! `Receive` hook turns the transfer's operator data into allocations (piece, provider, terms).
//! A miner that seals the piece claims its allocation, which becomes a claim of the same id
//! (the sector's verified power) and the datacap is burned; unclaimed allocations expire and
//! give the datacap back. Amounts here are bytes; on f07 they are tokens (bytes × 10^18).
//!
//! Methods, caller rules, exit codes, events and state are builtin-actors v18's
//! (`actors/verifreg`); the policy is the 2KiB devnet bundle's ([`types`]). The methods are
//! split by subject: [`verifiers`], [`allocations`] (including the hook) and [`claims`].

mod allocations;
mod claims;
mod events;
mod state;
mod types;
mod verifiers;

use cid::Cid;
use filecoin_vm::{Actor, ActorError, ActorResult, Runtime, SYSTEM_ACTOR_ID};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::{ActorID, MethodNum};
use num_traits::Zero;

pub use state::{Allocation, Claim, Expires, HAMT_BIT_WIDTH, NestedMap, VerifregState};
pub use types::*;

use crate::DATACAP_ACTOR_ID;
use crate::datacap::{
    BALANCE_METHOD, BURN_METHOD, DESTROY_METHOD, DestroyParams, MINT_METHOD, MintParams,
    TRANSFER_METHOD,
};
use crate::plumbing::{
    caller_is, cbor_block, decode_return, load_state, params, restrict_internal_api, ret, ret_none,
    save_state, send, send_read_only,
};
use crate::token::{BurnParams, TOKEN_PRECISION, TransferParams};

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerifiedRegistryActor;

impl Actor for VerifiedRegistryActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        block: Option<IpldBlock>,
    ) -> ActorResult {
        restrict_internal_api(rt, method)?;
        match method {
            CONSTRUCTOR_METHOD => constructor(rt, params(block)?),
            ADD_VERIFIER_METHOD => verifiers::add_verifier(rt, params(block)?),
            REMOVE_VERIFIER_METHOD => verifiers::remove_verifier(rt, params(block)?),
            ADD_VERIFIED_CLIENT_METHOD | ADD_VERIFIED_CLIENT_EXPORTED => {
                verifiers::add_verified_client(rt, params(block)?)
            }
            REMOVE_VERIFIED_CLIENT_DATA_CAP_METHOD => {
                verifiers::remove_verified_client_data_cap(rt, params(block)?)
            }
            REMOVE_EXPIRED_ALLOCATIONS_METHOD | REMOVE_EXPIRED_ALLOCATIONS_EXPORTED => {
                allocations::remove_expired_allocations(rt, params(block)?)
            }
            CLAIM_ALLOCATIONS_METHOD => claims::claim_allocations(rt, params(block)?),
            GET_CLAIMS_METHOD | GET_CLAIMS_EXPORTED => claims::get_claims(rt, params(block)?),
            EXTEND_CLAIM_TERMS_METHOD | EXTEND_CLAIM_TERMS_EXPORTED => {
                claims::extend_claim_terms(rt, params(block)?)
            }
            REMOVE_EXPIRED_CLAIMS_METHOD | REMOVE_EXPIRED_CLAIMS_EXPORTED => {
                claims::remove_expired_claims(rt, params(block)?)
            }
            RECEIVE_METHOD => allocations::receive(rt, params(block)?),
            other => Err(ActorError::unhandled_method(other)),
        }
    }
}

/// The state root of a fresh registry whose root key is `root_key` (an ID address), for a
/// genesis to install at f06 without running the constructor.
pub fn genesis_state<BS: Blockstore>(store: &BS, root_key: Address) -> anyhow::Result<Cid> {
    let state = VerifregState::new(store, root_key).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    fvm_ipld_encoding::CborStore::put_cbor(store, &state, multihash_codetable::Code::Blake2b256)
}

/// Constructor (system only): the root key must resolve and is stored as an ID address.
fn constructor(rt: &mut dyn Runtime, root_key: Address) -> ActorResult {
    caller_is(rt, &[SYSTEM_ACTOR_ID])?;
    let id = rt
        .resolve_address(&root_key)?
        .ok_or_else(|| ActorError::illegal_argument("root should be an ID address"))?;
    let state = VerifregState::new(&rt.store(), Address::new_id(id))?;
    save_state(rt, &state)?;
    ret_none()
}

/// Loads the state, lets `f` change it, saves it (builtin-actors' `rt.transaction`).
fn transaction<T>(
    rt: &mut dyn Runtime,
    f: impl FnOnce(&mut VerifregState, &mut dyn Runtime) -> Result<T, ActorError>,
) -> Result<T, ActorError> {
    let mut state: VerifregState = load_state(rt)?;
    let out = f(&mut state, rt)?;
    save_state(rt, &state)?;
    Ok(out)
}

/// Refuses the call unless it comes from the root key (`USR_FORBIDDEN`).
fn require_root(rt: &dyn Runtime, state: &VerifregState) -> Result<(), ActorError> {
    match state.root_key.id() {
        Ok(root) => caller_is(rt, &[root]),
        Err(_) => Err(ActorError::forbidden("the root key is not an ID address")),
    }
}

/// Whole bytes of datacap as f07 tokens.
fn datacap_to_tokens(amount: &DataCap) -> TokenAmount {
    TokenAmount::from_atto(amount * TOKEN_PRECISION)
}

/// f07 tokens as whole bytes (rounding down).
fn tokens_to_datacap(amount: &TokenAmount) -> DataCap {
    amount.atto() / TOKEN_PRECISION
}

fn datacap_actor() -> Address {
    Address::new_id(DATACAP_ACTOR_ID)
}

/// `owner`'s datacap balance in bytes (a read-only `Balance` on f07).
fn datacap_balance(rt: &mut dyn Runtime, owner: &Address) -> Result<DataCap, ActorError> {
    let block = send_read_only(rt, &datacap_actor(), BALANCE_METHOD, cbor_block(owner)?)
        .map_err(|e| context(e, &format!("failed to query datacap balance of {owner}")))?;
    Ok(tokens_to_datacap(&decode_return(block)?))
}

/// Mints `amount` bytes of datacap to `to`, letting each operator spend it.
fn mint(
    rt: &mut dyn Runtime,
    to: &Address,
    amount: &DataCap,
    operators: Vec<Address>,
) -> Result<(), ActorError> {
    let p = MintParams { to: *to, amount: datacap_to_tokens(amount), operators };
    send(rt, &datacap_actor(), MINT_METHOD, cbor_block(&p)?, TokenAmount::zero())
        .map_err(|e| context(e, &format!("failed to mint {amount} datacap to {to}")))?;
    Ok(())
}

/// Burns `amount` bytes of the registry's own datacap (nothing for zero).
fn burn(rt: &mut dyn Runtime, amount: &DataCap) -> Result<(), ActorError> {
    if amount.is_zero() {
        return Ok(());
    }
    let p = BurnParams { amount: datacap_to_tokens(amount) };
    send(rt, &datacap_actor(), BURN_METHOD, cbor_block(&p)?, TokenAmount::zero())
        .map_err(|e| context(e, &format!("failed to burn {amount} datacap")))?;
    Ok(())
}

/// Destroys `amount` bytes of `owner`'s datacap (nothing for zero).
fn destroy(rt: &mut dyn Runtime, owner: &Address, amount: &DataCap) -> Result<(), ActorError> {
    if amount.is_zero() {
        return Ok(());
    }
    let p = DestroyParams { owner: *owner, amount: datacap_to_tokens(amount) };
    send(rt, &datacap_actor(), DESTROY_METHOD, cbor_block(&p)?, TokenAmount::zero())
        .map_err(|e| context(e, &format!("failed to destroy {amount} datacap of {owner}")))?;
    Ok(())
}

/// Moves `amount` bytes of the registry's datacap to `to` (even zero, as upstream does, so
/// the client's hook always hears of it).
fn transfer_datacap(rt: &mut dyn Runtime, to: ActorID, amount: &DataCap) -> Result<(), ActorError> {
    let p = TransferParams {
        to: Address::new_id(to),
        amount: datacap_to_tokens(amount),
        operator_data: Default::default(),
    };
    send(rt, &datacap_actor(), TRANSFER_METHOD, cbor_block(&p)?, TokenAmount::zero())
        .map_err(|e| context(e, &format!("failed to transfer {amount} datacap to f0{to}")))?;
    Ok(())
}

/// Prefixes an error's message, keeping its exit code and data.
fn context(mut e: ActorError, what: &str) -> ActorError {
    let data = e.take_data();
    ActorError::with_data(e.exit_code(), data, format!("{what}: {}", e.message()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plumbing::method_hash;

    #[test]
    fn exported_numbers_are_frc42_hashes() {
        let methods = [
            (ADD_VERIFIED_CLIENT_EXPORTED, "AddVerifiedClient"),
            (REMOVE_EXPIRED_ALLOCATIONS_EXPORTED, "RemoveExpiredAllocations"),
            (GET_CLAIMS_EXPORTED, "GetClaims"),
            (EXTEND_CLAIM_TERMS_EXPORTED, "ExtendClaimTerms"),
            (REMOVE_EXPIRED_CLAIMS_EXPORTED, "RemoveExpiredClaims"),
            (RECEIVE_METHOD, "Receive"),
        ];
        for (number, name) in methods {
            assert_eq!(number, method_hash(name), "{name}");
        }
    }

    #[test]
    fn policy_is_the_devnet_bundles() {
        assert_eq!(MINIMUM_VERIFIED_ALLOCATION_SIZE, 256);
        assert_eq!(MINIMUM_VERIFIED_ALLOCATION_TERM, 518_400);
        assert_eq!(MAXIMUM_VERIFIED_ALLOCATION_TERM, 5_259_485);
        assert_eq!(MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION, 172_800);
    }

    #[test]
    fn datacap_converts_at_ten_to_the_eighteen() {
        let bytes = DataCap::from(2048);
        let tokens = datacap_to_tokens(&bytes);
        assert_eq!(tokens, TokenAmount::from_whole(2048));
        assert_eq!(tokens_to_datacap(&tokens), bytes);
        assert_eq!(tokens_to_datacap(&TokenAmount::from_atto(TOKEN_PRECISION - 1)), 0.into());
    }
}
