//! The storage market actor (f05): escrow for clients and providers, and storage deals from
//! publication to their end.
//!
//! A deal's life (FIP-0074 and FIP-0076, actors v13 onwards):
//! - both parties fund escrow (`AddBalance`); a provider's control address publishes signed
//!   proposals (`PublishStorageDeals`), each authenticated by its client and validated alone
//!   (an invalid one is dropped, not fatal), which locks the client's fee and collateral and the
//!   provider's collateral, and for a verified deal spends the client's datacap on an
//!   allocation in the verified registry;
//! - the miner activates it when it proves a sector holding the piece and notifies the market
//!   (`SectorContentChanged`) by the deal's start;
//! - anyone settles payments (`SettleDealPayments`): cron never pays new deals. Once past its
//!   end the deal completes and both collaterals unlock;
//! - a sector terminated early slashes its deals' provider collateral (`OnMinerSectorsTerminate`);
//!   a deal not activated by its start times out at its cron epoch or at a settlement, losing the
//!   provider collateral the same way.
//!
//! Slashed funds are burnt (sent to f099). Method numbers, encodings, exit codes and events
//! are the network's (builtin-actors v18).

mod activation;
mod balance_table;
pub mod commd;
mod cron;
mod deals;
mod emit;
pub mod ext;
mod getters;
mod payments;
pub mod policy;
mod sectors;
mod state;
mod types;

use cid::Cid;
use filecoin_vm::{Actor, ActorError, ActorResult, BuiltinType, Runtime, SYSTEM_ACTOR_ID};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::{ActorID, MethodNum};
use multihash_codetable::Code;

pub use balance_table::LockReason;
pub use fvm_ipld_bitfield::BitField;
pub use state::*;
pub use types::*;

use crate::plumbing::{
    caller_is, decode_return, load_state, no_params, params, restrict_internal_api, ret, ret_none,
    save_state, send, transfer,
};

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct MarketActor;

impl Actor for MarketActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        block: Option<IpldBlock>,
    ) -> ActorResult {
        restrict_internal_api(rt, method)?;
        match method {
            CONSTRUCTOR_METHOD => {
                no_params(&block)?;
                caller_is(rt, &[SYSTEM_ACTOR_ID])?;
                let st = MarketState::new(&rt.store())?;
                save_state(rt, &st)?;
                ret_none()
            }
            ADD_BALANCE_METHOD | ADD_BALANCE_EXPORTED => add_balance(rt, params(block)?),
            WITHDRAW_BALANCE_METHOD | WITHDRAW_BALANCE_EXPORTED => {
                withdraw_balance(rt, params(block)?)
            }
            PUBLISH_STORAGE_DEALS_METHOD | PUBLISH_STORAGE_DEALS_EXPORTED => {
                deals::publish_storage_deals(rt, params(block)?)
            }
            VERIFY_DEALS_FOR_ACTIVATION_METHOD => {
                activation::verify_deals_for_activation(rt, params(block)?)
            }
            BATCH_ACTIVATE_DEALS_METHOD => activation::batch_activate_deals(rt, params(block)?),
            ON_MINER_SECTORS_TERMINATE_METHOD => {
                payments::on_miner_sectors_terminate(rt, params(block)?)
            }
            CRON_TICK_METHOD => no_params(&block).and_then(|()| cron::cron_tick(rt)),
            SECTOR_CONTENT_CHANGED_METHOD => activation::sector_content_changed(rt, params(block)?),
            SETTLE_DEAL_PAYMENTS_METHOD => payments::settle_deal_payments(rt, params(block)?),
            GET_BALANCE_METHOD => getters::get_balance(rt, params(block)?),
            GET_DEAL_DATA_COMMITMENT_METHOD
            | GET_DEAL_CLIENT_METHOD
            | GET_DEAL_PROVIDER_METHOD
            | GET_DEAL_LABEL_METHOD
            | GET_DEAL_TERM_METHOD
            | GET_DEAL_TOTAL_PRICE_METHOD
            | GET_DEAL_CLIENT_COLLATERAL_METHOD
            | GET_DEAL_PROVIDER_COLLATERAL_METHOD
            | GET_DEAL_VERIFIED_METHOD
            | GET_DEAL_ACTIVATION_METHOD
            | GET_DEAL_SECTOR_METHOD => getters::get_deal_field(rt, method, params(block)?),
            other => Err(ActorError::unhandled_method(other)),
        }
    }
}

/// The market's genesis state: the constructor's (every collection empty, cron never run).
pub fn genesis_state<BS: Blockstore>(store: &BS) -> anyhow::Result<Cid> {
    let st = MarketState::new(store).map_err(|e| anyhow::anyhow!(e.message().to_string()))?;
    store.put_cbor(&st, Code::Blake2b256)
}

/// Credits the value received to the escrow of `who` (a client, or a miner). Any caller may.
fn add_balance(rt: &mut dyn Runtime, who: Address) -> ActorResult {
    let value = rt.message().value_received.clone();
    if !value.is_positive() {
        return Err(ActorError::illegal_argument(format!(
            "balance to add must be greater than zero, was {value}"
        )));
    }
    let escrow = escrow_address(rt, &who)?;
    let mut st: MarketState = load_state(rt)?;
    st.add_escrow(&rt.store(), &Address::new_id(escrow.nominal), &value)?;
    save_state(rt, &st)?;
    ret_none()
}

/// Pays out up to `amount` of the unlocked escrow of a client (to itself, which must be the
/// caller) or of a miner (to its owner; the caller must be the owner or the worker).
fn withdraw_balance(rt: &mut dyn Runtime, p: WithdrawBalanceParams) -> ActorResult {
    if p.amount.is_negative() {
        return Err(ActorError::illegal_argument(format!("negative amount {}", p.amount)));
    }
    let escrow = escrow_address(rt, &p.provider_or_client)?;
    caller_is(rt, &escrow.approved)?;
    let mut st: MarketState = load_state(rt)?;
    let taken = st.withdraw_escrow(&rt.store(), &Address::new_id(escrow.nominal), &p.amount)?;
    save_state(rt, &st)?;
    transfer(rt, &escrow.recipient, taken.clone())?;
    ret(&taken)
}

/// Whose escrow an address names, who receives its withdrawals and who may make them.
struct Escrow {
    nominal: ActorID,
    recipient: Address,
    approved: Vec<ActorID>,
}

fn escrow_address(rt: &mut dyn Runtime, who: &Address) -> Result<Escrow, ActorError> {
    let nominal = resolve_id(rt, who)?
        .ok_or_else(|| ActorError::illegal_argument(format!("failed to resolve address {who}")))?;
    let code = rt
        .actor_code(nominal)?
        .ok_or_else(|| ActorError::illegal_argument(format!("no code for address {who}")))?;
    if rt.builtin_type(&code) != Some(BuiltinType::Miner) {
        return Ok(Escrow {
            nominal,
            recipient: Address::new_id(nominal),
            approved: vec![nominal],
        });
    }
    let control: ext::ControlAddresses = decode_return(send(
        rt,
        &Address::new_id(nominal),
        ext::MINER_CONTROL_ADDRESSES_METHOD,
        None,
        TokenAmount::default(),
    )?)?;
    let mut approved = Vec::new();
    for addr in [&control.owner, &control.worker] {
        if let Some(id) = resolve_id(rt, addr)? {
            approved.push(id);
        }
    }
    Ok(Escrow { nominal, recipient: control.owner, approved })
}

/// The actor ID behind `address` (an ID address is its own), without creating anything.
fn resolve_id(rt: &mut dyn Runtime, address: &Address) -> Result<Option<ActorID>, ActorError> {
    match address.id() {
        Ok(id) => Ok(Some(id)),
        Err(_) => rt.resolve_address(address),
    }
}

/// CIDv1 (DAG-CBOR, blake2b-256) of CBOR bytes: how a proposal is named in `pending_proposals`.
fn cbor_cid(rt: &mut dyn Runtime, bytes: &[u8]) -> Result<Cid, ActorError> {
    let digest = rt.hash_blake2b(bytes)?;
    let mh = cid::multihash::Multihash::wrap(u64::from(Code::Blake2b256), &digest)
        .map_err(|e| ActorError::illegal_argument(e.to_string()))?;
    Ok(Cid::new_v1(fvm_ipld_encoding::DAG_CBOR, mh))
}

/// The CID of a stored (normalised) proposal.
fn deal_cid(rt: &mut dyn Runtime, proposal: &DealProposal) -> Result<Cid, ActorError> {
    let bytes = fvm_ipld_encoding::to_vec(proposal)
        .map_err(|e| ActorError::serialization(format!("failed to encode proposal: {e}")))?;
    cbor_cid(rt, &bytes)
}
