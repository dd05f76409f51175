//! Who owns the miner and who is paid by it: `ChangeOwnerAddress` (two-step: the owner
//! proposes, the nominee confirms), and FIP-0029's beneficiary, a party other than the owner
//! that receives withdrawals up to a quota until an expiration. A beneficiary change needs the
//! consent of the owner (who proposes), of the nominee and of the current beneficiary, unless
//! the current beneficiary's term is already spent. Re-exported from [`super::control`].

use filecoin_vm::{ActorError, ActorResult, Runtime};
use fvm_shared::address::{Address, Protocol};
use num_traits::Zero;

use super::common::load;
use super::control::resolve_id;
use crate::miner::records::PendingBeneficiaryChange;
use crate::miner::types::{
    ActiveBeneficiary, ChangeBeneficiaryParams, ChangeOwnerAddressParams, GetBeneficiaryReturn,
};
use crate::plumbing::{ret, ret_none, save_state};

/// `ChangeOwnerAddress`. Called by the owner, it proposes `new_owner` (proposing the owner
/// itself withdraws a proposal). Called by the proposed address with the same address, it
/// confirms: the nominee becomes owner, takes over as beneficiary if the old owner was one,
/// and any pending beneficiary change, which the old owner proposed, is dropped. Two steps
/// keep an owner from handing the miner to an address nobody controls.
pub fn change_owner_address(rt: &mut dyn Runtime, params: ChangeOwnerAddressParams) -> ActorResult {
    let new_owner = params.new_owner;
    if new_owner.protocol() != Protocol::ID {
        return Err(ActorError::illegal_argument("owner address must be an ID address"));
    }
    let (mut state, mut info) = load(rt)?;
    let caller = Address::new_id(rt.message().caller);
    match info.pending_owner_address {
        Some(pending) if caller != info.owner => {
            require_caller(caller, &[pending])?;
            if new_owner != pending {
                return Err(ActorError::illegal_argument(format!(
                    "expected confirmation of {pending} got {new_owner}"
                )));
            }
            if info.beneficiary == info.owner {
                info.beneficiary = pending;
            }
            info.pending_beneficiary_term = None;
            info.owner = pending;
        }
        _ => {
            require_caller(caller, &[info.owner])?;
            info.pending_owner_address = Some(new_owner);
        }
    }
    // A proposal of the owner itself (or one just confirmed) changes nothing: clear it.
    if info.pending_owner_address == Some(info.owner) {
        info.pending_owner_address = None;
    }
    state.save_info(&rt.store(), &info)?;
    save_state(rt, &state)?;
    ret_none()
}

/// `ChangeBeneficiary`, open to any caller and checked inside. The owner proposes (replacing
/// any earlier proposal): a quota above zero for another party, or zero quota and expiration
/// to make the owner beneficiary again. The current beneficiary and the nominee then approve
/// by sending the identical proposal; a current beneficiary whose term is spent or expired has
/// nothing to lose and counts as approving. Once both approved, the change applies, and the
/// used quota restarts from zero when the beneficiary changes.
pub fn change_beneficiary(rt: &mut dyn Runtime, params: ChangeBeneficiaryParams) -> ActorResult {
    let caller = Address::new_id(rt.message().caller);
    let nominee =
        resolve_id(rt, &params.new_beneficiary)?.map(Address::new_id).ok_or_else(|| {
            ActorError::illegal_argument(format!(
                "unable to resolve address: {}",
                params.new_beneficiary
            ))
        })?;
    let now = rt.machine().epoch;
    let (mut state, mut info) = load(rt)?;

    if caller == info.owner {
        if nominee != info.owner {
            // Any expiration is accepted: one already past only makes the term worthless.
            if !params.new_quota.is_positive() {
                return Err(ActorError::illegal_argument(format!(
                    "beneficial quota {} must bigger than zero",
                    params.new_quota
                )));
            }
        } else {
            if !params.new_quota.is_zero() {
                return Err(ActorError::illegal_argument(format!(
                    "owner beneficial quota {} must be zero",
                    params.new_quota
                )));
            }
            if params.new_expiration != 0 {
                return Err(ActorError::illegal_argument(format!(
                    "owner beneficial expiration {} must be zero",
                    params.new_expiration
                )));
            }
        }
        info.pending_beneficiary_term = Some(PendingBeneficiaryChange {
            new_beneficiary: nominee,
            new_quota: params.new_quota.clone(),
            new_expiration: params.new_expiration,
            approved_by_beneficiary: info.beneficiary_term.available(now).is_zero(),
            approved_by_nominee: false,
        });
    } else if let Some(pending) = &info.pending_beneficiary_term {
        if caller != info.beneficiary && caller != pending.new_beneficiary {
            return Err(ActorError::forbidden(format!(
                "message caller {caller} is neither proposal beneficiary {} nor current \
                 beneficiary {}",
                params.new_beneficiary, info.beneficiary
            )));
        }
        if pending.new_beneficiary != nominee {
            return Err(ActorError::illegal_argument(format!(
                "new beneficiary address must be equal expect {}, but got {}",
                pending.new_beneficiary, params.new_beneficiary
            )));
        }
        if pending.new_quota != params.new_quota {
            return Err(ActorError::illegal_argument(format!(
                "new beneficiary quota must be equal expect {}, but got {}",
                pending.new_quota, params.new_quota
            )));
        }
        if pending.new_expiration != params.new_expiration {
            return Err(ActorError::illegal_argument(format!(
                "new beneficiary expire date must be equal expect {}, but got {}",
                pending.new_expiration, params.new_expiration
            )));
        }
    } else {
        return Err(ActorError::forbidden("No changeBeneficiary proposal exists"));
    }

    // The caller's own consent counts in whichever roles it holds (the owner proposing may
    // also be the current beneficiary, or the nominee).
    if let Some(pending) = info.pending_beneficiary_term.as_mut() {
        if caller == info.beneficiary {
            pending.approved_by_beneficiary = true;
        }
        if caller == nominee {
            pending.approved_by_nominee = true;
        }
        if pending.approved_by_beneficiary && pending.approved_by_nominee {
            if nominee != info.beneficiary {
                info.beneficiary_term.used_quota = Zero::zero();
            }
            info.beneficiary = nominee;
            info.beneficiary_term.quota = pending.new_quota.clone();
            info.beneficiary_term.expiration = pending.new_expiration;
            info.pending_beneficiary_term = None;
        }
    }
    state.save_info(&rt.store(), &info)?;
    save_state(rt, &state)?;
    ret_none()
}

/// `GetBeneficiary`: the beneficiary in force with its term, and any pending proposal, so
/// that beneficiary contracts need not read the miner's state layout.
pub fn get_beneficiary(rt: &mut dyn Runtime) -> ActorResult {
    let (_, info) = load(rt)?;
    ret(&GetBeneficiaryReturn {
        active: ActiveBeneficiary { beneficiary: info.beneficiary, term: info.beneficiary_term },
        proposed: info.pending_beneficiary_term,
    })
}

/// `USR_FORBIDDEN` unless `caller` is one of `allowed` (addresses as the info stores them).
fn require_caller(caller: Address, allowed: &[Address]) -> Result<(), ActorError> {
    if allowed.contains(&caller) {
        Ok(())
    } else {
        Err(ActorError::forbidden(format!("caller {caller} is not one of the permitted callers")))
    }
}
