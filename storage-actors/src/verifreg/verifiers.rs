//! Verifiers and the datacap they grant: the root key names verifiers (`AddVerifier`,
//! `RemoveVerifier`), a verifier grants datacap to a client out of its allowance
//! (`AddVerifiedClient`, which mints on f07), and the root key with two verifiers' signatures
//! takes datacap away (`RemoveVerifiedClientDataCap`, which destroys on f07).
//!
//! The order of the checks is builtin-actors': argument checks and address resolution come
//! before the caller check, so a bad argument from anyone is `USR_ILLEGAL_ARGUMENT`.

use filecoin_vm::builtin::{AUTHENTICATE_MESSAGE_METHOD, AuthenticateMessageParams};
use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_ipld_encoding::to_vec;
use fvm_shared::address::Address;
use num_traits::{Signed, Zero};

use super::types::*;
use super::{
    datacap_balance, destroy, events, load_state, mint, require_root, ret, ret_none, transaction,
};
use crate::plumbing::{cbor_block, decode_return, resolve_to_actor_id, send_read_only};
use crate::{MARKET_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID};

/// Refuses an allowance below the minimum allocation size (`USR_ILLEGAL_ARGUMENT`).
fn check_allowance(allowance: &DataCap, whom: &Address) -> Result<(), ActorError> {
    if *allowance < DataCap::from(MINIMUM_VERIFIED_ALLOCATION_SIZE) {
        return Err(ActorError::illegal_argument(format!(
            "allowance {allowance} for {whom} is below the minimum {MINIMUM_VERIFIED_ALLOCATION_SIZE}"
        )));
    }
    Ok(())
}

/// AddVerifier (root key): sets a verifier's allowance, replacing any earlier one. The root
/// itself and holders of datacap cannot be verifiers.
pub(super) fn add_verifier(rt: &mut dyn Runtime, p: AddVerifierParams) -> ActorResult {
    check_allowance(&p.allowance, &p.address)?;
    let verifier = resolve_to_actor_id(rt, &p.address, true)?;
    let verifier_addr = Address::new_id(verifier);

    let state = load_state(rt)?;
    require_root(rt, &state)?;
    if verifier_addr == state.root_key {
        return Err(ActorError::illegal_argument("the root key cannot be a verifier"));
    }
    if datacap_balance(rt, &verifier_addr)?.is_positive() {
        return Err(ActorError::illegal_argument(format!(
            "verified client {verifier_addr} cannot become a verifier"
        )));
    }
    transaction(rt, |st, rt| st.put_verifier(&rt.store(), &verifier_addr, &p.allowance))?;
    events::verifier_balance(rt, verifier, &p.allowance, None)?;
    ret_none()
}

/// RemoveVerifier (root key): removes a verifier (`USR_ILLEGAL_ARGUMENT` if it is not one).
pub(super) fn remove_verifier(rt: &mut dyn Runtime, verifier: Address) -> ActorResult {
    let verifier = resolve_to_actor_id(rt, &verifier, false)?;
    let verifier_addr = Address::new_id(verifier);
    transaction(rt, |st, rt| {
        require_root(rt, st)?;
        st.remove_verifier(&rt.store(), &verifier_addr)
    })?;
    events::verifier_balance(rt, verifier, &DataCap::zero(), None)?;
    ret_none()
}

/// AddVerifiedClient (a verifier, checked in state: anyone else is `USR_NOT_FOUND`): takes
/// `allowance` off the verifier's and mints it to the client, with the market (f05) as
/// operator so it can spend the client's datacap on verified deals.
pub(super) fn add_verified_client(rt: &mut dyn Runtime, p: AddVerifiedClientParams) -> ActorResult {
    check_allowance(&p.allowance, &p.address)?;
    let client_id = resolve_to_actor_id(rt, &p.address, true)?;
    let client = Address::new_id(client_id);
    let verifier = rt.message().caller;
    let verifier_addr = Address::new_id(verifier);

    transaction(rt, |st, rt| {
        if client == st.root_key {
            return Err(ActorError::illegal_argument("the root key cannot be a client"));
        }
        let store = rt.store();
        let cap = st.verifier_cap(&store, &verifier_addr)?.ok_or_else(|| {
            ActorError::not_found(format!("caller {verifier_addr} is not a verifier"))
        })?;
        if st.verifier_cap(&store, &client)?.is_some() {
            return Err(ActorError::illegal_argument(format!(
                "verifier {client} cannot be a verified client"
            )));
        }
        if cap < p.allowance {
            return Err(ActorError::illegal_argument(format!(
                "cannot grant {} datacap, the verifier has {cap}",
                p.allowance
            )));
        }
        let remaining = cap - &p.allowance;
        st.put_verifier(&store, &verifier_addr, &remaining)?;
        events::verifier_balance(rt, verifier, &remaining, Some(client_id))
    })?;

    mint(rt, &client, &p.allowance, vec![Address::new_id(MARKET_ACTOR_ID)])?;
    ret_none()
}

/// RemoveVerifiedClientDataCap (root key): destroys up to the amount of a client's datacap,
/// with the signed agreement of two different verifiers. Each agreement names the verifier's
/// current proposal number for the client, which is used up whether or not the call succeeds
/// later (the whole call reverting restores it).
pub(super) fn remove_verified_client_data_cap(
    rt: &mut dyn Runtime,
    p: RemoveDataCapParams,
) -> ActorResult {
    let client = Address::new_id(resolve_to_actor_id(rt, &p.verified_client_to_remove, false)?);
    let verifier_1 =
        Address::new_id(resolve_to_actor_id(rt, &p.verifier_request_1.verifier, true)?);
    let verifier_2 =
        Address::new_id(resolve_to_actor_id(rt, &p.verifier_request_2.verifier, true)?);
    if verifier_1 == verifier_2 {
        return Err(ActorError::illegal_argument("need two different verifiers to remove datacap"));
    }

    let (id_1, id_2) = transaction(rt, |st, rt| {
        require_root(rt, st)?;
        if p.verified_client_to_remove == Address::new_id(VERIFIED_REGISTRY_ACTOR_ID) {
            return Err(ActorError::illegal_argument(
                "cannot remove datacap from the verified registry itself",
            ));
        }
        let store = rt.store();
        for verifier in [&verifier_1, &verifier_2] {
            if st.verifier_cap(&store, verifier)?.is_none() {
                return Err(ActorError::not_found(format!("{verifier} is not a verifier")));
            }
        }
        let id_1 = st.use_proposal_id(&store, &verifier_1, &client)?;
        let id_2 = st.use_proposal_id(&store, &verifier_2, &client)?;
        Ok((id_1, id_2))
    })?;

    let amount = &p.data_cap_amount_to_remove;
    authenticate(rt, &p.verifier_request_1, id_1, amount, client)?;
    authenticate(rt, &p.verifier_request_2, id_2, amount, client)?;

    let balance = datacap_balance(rt, &client)?;
    let removed = balance.min(amount.clone());
    destroy(rt, &client, &removed)?;
    ret(&RemoveDataCapReturn { verified_client: client, data_cap_removed: removed })
}

/// Has the verifier's account check its signature over the removal proposal (read-only
/// AuthenticateMessage); a failed check keeps the account's exit code, `false` is 16.
fn authenticate(
    rt: &mut dyn Runtime,
    request: &RemoveDataCapRequest,
    id: RemoveDataCapProposalID,
    amount: &DataCap,
    client: Address,
) -> Result<(), ActorError> {
    let proposal = RemoveDataCapProposal {
        verified_client: client,
        data_cap_amount: amount.clone(),
        removal_proposal_id: id,
    };
    let encoded = to_vec(&proposal).map_err(|e| {
        ActorError::serialization(format!("failed to encode the removal proposal: {e}"))
    })?;
    let params = AuthenticateMessageParams {
        signature: request.signature.bytes().to_vec(),
        message: [SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP, &encoded].concat(),
    };
    let block =
        send_read_only(rt, &request.verifier, AUTHENTICATE_MESSAGE_METHOD, cbor_block(&params)?)
            .map_err(|e| super::context(e, "proposal authentication failed"))?;
    if decode_return::<bool>(block)? {
        Ok(())
    } else {
        Err(ActorError::illegal_argument("proposal authentication failed"))
    }
}
