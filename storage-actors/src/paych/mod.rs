//! The payment channel actor: `from` locks funds, then pays `to` off-chain with signed
//! vouchers; `to` (or `from`) redeems the latest ones on chain, and after `Settle` and a 12-hour
//! delay `Collect` pays `to` what was redeemed and returns the rest to `from`.
//!
//! Created only through init's `Exec`. Vouchers are checked as the network checks them: the
//! other party authenticates the voucher's signing bytes through its own `AuthenticateMessage`,
//! read-only (an f1/f3 account checks its key's signature; an f410 EthAccount answers nothing,
//! so it cannot sign vouchers; a contract would answer for itself), then time locks, the
//! secret, the optional verification call, lanes (nonces only increase; merged lanes' redeemed
//! amounts are not paid twice) and the channel's balance. Only built-in actors may call it
//! (FIP-0050): a contract can be a party but cannot redeem, settle or collect itself.

mod state;
mod types;

use filecoin_vm::builtin::{AUTHENTICATE_MESSAGE_METHOD, AuthenticateMessageParams};
use filecoin_vm::{Actor, ActorError, ActorResult, BuiltinType, Runtime};
use fvm_ipld_amt::Amt;
use fvm_ipld_encoding::CBOR;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::{METHOD_CONSTRUCTOR, MethodNum};

pub use state::*;
pub use types::*;

use crate::plumbing::{
    caller_is, caller_type_is, cbor_block, decode_return, load_state, no_params, params,
    resolve_to_actor_id, restrict_internal_api, ret_none, save_state, send, send_read_only,
    store_error, transfer,
};

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct PaychActor;

impl Actor for PaychActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        block: Option<IpldBlock>,
    ) -> ActorResult {
        restrict_internal_api(rt, method)?;
        match method {
            METHOD_CONSTRUCTOR => constructor(rt, params(block)?),
            UPDATE_CHANNEL_STATE_METHOD => update_channel_state(rt, params(block)?),
            SETTLE_METHOD => no_params(&block).and_then(|()| settle(rt)),
            COLLECT_METHOD => no_params(&block).and_then(|()| collect(rt)),
            other => Err(ActorError::unhandled_method(other)),
        }
    }
}

/// Init creates the channel; both parties must exist (keys get accounts) and are stored as IDs.
/// Upstream (v18) asks nothing of the parties' kinds: whether one can sign shows only when its
/// `AuthenticateMessage` is asked to vouch for a voucher.
fn constructor(rt: &mut dyn Runtime, p: ConstructorParams) -> ActorResult {
    caller_type_is(rt, &[BuiltinType::Init])?;
    let to = Address::new_id(resolve_to_actor_id(rt, &p.to, true)?);
    let from = Address::new_id(resolve_to_actor_id(rt, &p.from, true)?);
    let store = rt.store();
    let lanes = Amt::<LaneState, _>::new_with_bit_width(&store, LANE_STATES_AMT_BIT_WIDTH)
        .flush()
        .map_err(store_error)?;
    let state = PaychState {
        from,
        to,
        to_send: TokenAmount::default(),
        settling_at: 0,
        min_settle_height: 0,
        lane_states: lanes,
    };
    save_state(rt, &state)?;
    ret_none()
}

/// The caller's ID address, which must be one of the two parties.
fn require_party(rt: &dyn Runtime, st: &PaychState) -> Result<(), ActorError> {
    let ids: Vec<_> = [st.from, st.to].iter().filter_map(|a| a.id().ok()).collect();
    caller_is(rt, &ids)
}

fn update_channel_state(rt: &mut dyn Runtime, p: UpdateChannelStateParams) -> ActorResult {
    let st: PaychState = load_state(rt)?;
    require_party(rt, &st)?;
    let signer = if Address::new_id(rt.message().caller) == st.from { st.to } else { st.from };
    let sv = p.sv;
    let signature = sv
        .signature
        .as_ref()
        .ok_or_else(|| ActorError::illegal_argument("voucher has no signature"))?
        .bytes
        .clone();
    let now = rt.machine().epoch;
    if st.settling_at != 0 && now >= st.settling_at {
        return Err(ActorError::new(
            ERR_CHANNEL_STATE_UPDATE_AFTER_SETTLED,
            "no vouchers can be processed after settling at epoch",
        ));
    }
    if p.secret.len() > MAX_SECRET_SIZE {
        return Err(ActorError::illegal_argument("secret must be at most 256 bytes long"));
    }
    let message = sv
        .signing_bytes()
        .map_err(|e| ActorError::serialization(format!("failed to encode the voucher: {e}")))?;
    let auth = cbor_block(&AuthenticateMessageParams { signature, message })?;
    let authenticated: bool = send_read_only(rt, &signer, AUTHENTICATE_MESSAGE_METHOD, auth)
        .and_then(decode_return)
        .map_err(|e| {
            ActorError::new(
                e.exit_code(),
                format!("proposal authentication failed: {}", e.message()),
            )
        })?;
    if !authenticated {
        return Err(ActorError::illegal_argument("voucher sig authentication failed"));
    }

    let receiver = rt.message().receiver;
    let channel = rt.resolve_address(&sv.channel_addr)?.ok_or_else(|| {
        ActorError::illegal_argument(format!(
            "voucher payment channel address {} does not resolve to an ID address",
            sv.channel_addr
        ))
    })?;
    if channel != receiver {
        return Err(ActorError::illegal_argument(format!(
            "voucher payment channel address f0{channel} does not match receiver f0{receiver}"
        )));
    }
    if now < sv.time_lock_min {
        return Err(ActorError::illegal_argument("cannot use this voucher yet"));
    }
    if sv.time_lock_max != 0 && now > sv.time_lock_max {
        return Err(ActorError::illegal_argument("this voucher has expired"));
    }
    if sv.amount.is_negative() {
        return Err(ActorError::illegal_argument(format!(
            "voucher amount must be non-negative, was {}",
            sv.amount
        )));
    }
    if !sv.secret_pre_image.is_empty() {
        let hashed = rt.hash_blake2b(&p.secret)?;
        if hashed.as_slice() != sv.secret_pre_image.as_slice() {
            return Err(ActorError::illegal_argument("incorrect secret"));
        }
    }
    if let Some(extra) = &sv.extra {
        let data = Some(IpldBlock { codec: CBOR, data: extra.data.to_vec() });
        send(rt, &extra.actor, extra.method, data, TokenAmount::default()).map_err(|e| {
            ActorError::new(
                e.exit_code(),
                format!("spend voucher verification failed: {}", e.message()),
            )
        })?;
    }

    let mut st: PaychState = load_state(rt)?;
    let balance = rt.current_balance()?;
    redeem(&rt.store(), &mut st, &sv, &balance)?;
    save_state(rt, &st).and_then(|()| ret_none())
}

/// Applies a checked voucher to the lanes and `to_send`.
fn redeem<BS: fvm_ipld_blockstore::Blockstore>(
    store: &BS,
    st: &mut PaychState,
    sv: &SignedVoucher,
    balance: &TokenAmount,
) -> Result<(), ActorError> {
    let mut lanes: Amt<LaneState, _> = Amt::load(&st.lane_states, store).map_err(store_error)?;
    let mut lane = match find_lane(&lanes, sv.lane)? {
        Some(lane) if lane.nonce >= sv.nonce => {
            return Err(ActorError::illegal_argument(format!(
                "voucher has an outdated nonce, existing: {}, voucher: {}, cannot redeem",
                lane.nonce, sv.nonce
            )));
        }
        Some(lane) => lane,
        None => LaneState::default(),
    };

    // What merged lanes already redeemed is not paid again.
    let mut redeemed_elsewhere = TokenAmount::default();
    for merge in &sv.merges {
        if merge.lane == sv.lane {
            return Err(ActorError::illegal_argument(
                "voucher cannot merge lanes into it's own lane",
            ));
        }
        let mut other = find_lane(&lanes, merge.lane)?.ok_or_else(|| {
            ActorError::illegal_argument(format!(
                "voucher specifies invalid merge lane {}",
                merge.lane
            ))
        })?;
        if other.nonce >= merge.nonce {
            return Err(ActorError::illegal_argument(
                "merged lane in voucher has outdated nonce, cannot redeem",
            ));
        }
        redeemed_elsewhere += &other.redeemed;
        other.nonce = merge.nonce;
        lanes.set(merge.lane, other).map_err(store_error)?;
    }

    lane.nonce = sv.nonce;
    let delta = &sv.amount - (redeemed_elsewhere + &lane.redeemed);
    lane.redeemed = sv.amount.clone();
    let to_send = delta + &st.to_send;
    if to_send.is_negative() {
        return Err(ActorError::illegal_argument("voucher would leave channel balance negative"));
    }
    if &to_send > balance {
        return Err(ActorError::illegal_argument("not enough funds in channel to cover voucher"));
    }
    st.to_send = to_send;
    if sv.min_settle_height != 0 {
        if st.settling_at != 0 && st.settling_at < sv.min_settle_height {
            st.settling_at = sv.min_settle_height;
        }
        st.min_settle_height = st.min_settle_height.max(sv.min_settle_height);
    }
    lanes.set(sv.lane, lane).map_err(store_error)?;
    st.lane_states = lanes.flush().map_err(store_error)?;
    Ok(())
}

/// A lane's state; lane numbers at or above 2^63 are refused.
fn find_lane<BS: fvm_ipld_blockstore::Blockstore>(
    lanes: &Amt<LaneState, BS>,
    id: u64,
) -> Result<Option<LaneState>, ActorError> {
    if id > MAX_LANE {
        return Err(ActorError::illegal_argument("maximum lane ID is 2^63-1"));
    }
    lanes.get(id).map(|l| l.cloned()).map_err(store_error)
}

/// Starts the settlement delay (12 hours, or until the vouchers' minimum settle height).
fn settle(rt: &mut dyn Runtime) -> ActorResult {
    let mut st: PaychState = load_state(rt)?;
    require_party(rt, &st)?;
    if st.settling_at != 0 {
        return Err(ActorError::illegal_state("channel already settling"));
    }
    st.settling_at = rt.machine().epoch.saturating_add(SETTLE_DELAY).max(st.min_settle_height);
    save_state(rt, &st)?;
    ret_none()
}

/// Pays `to` what was redeemed, returns the rest to `from`, and deletes the channel.
fn collect(rt: &mut dyn Runtime) -> ActorResult {
    let st: PaychState = load_state(rt)?;
    require_party(rt, &st)?;
    if st.settling_at == 0 || rt.machine().epoch < st.settling_at {
        return Err(ActorError::forbidden("payment channel not settling or settled"));
    }
    transfer(rt, &st.to, st.to_send.clone()).map_err(|e| {
        ActorError::new(e.exit_code(), format!("failed to send funds to `to`: {}", e.message()))
    })?;
    let rest = rt.current_balance()?;
    transfer(rt, &st.from, rest).map_err(|e| {
        ActorError::new(e.exit_code(), format!("failed to send funds to `from`: {}", e.message()))
    })?;
    rt.delete_actor()?;
    ret_none()
}
