//! `PublishStorageDeals`: a provider's control address publishes signed proposals.
//!
//! Each proposal is checked on its own and dropped if invalid; the message fails only if none
//! survives, if the provider is not a miner, if the caller does not control it, or if a step
//! after validation fails (a datacap transfer, a client's `MarketNotifyDeal`). The checks that
//! call out (the client's `AuthenticateMessage`) run before any state is read, because the
//! callee could call back into the market. The return lists the new IDs in input order and a
//! bitfield of which inputs they came from.

use std::collections::{BTreeMap, BTreeSet};

use cid::Cid;
use filecoin_vm::{ActorError, ActorResult, BuiltinType, REWARD_ACTOR_ID, Runtime};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::StoragePower;

use super::commd::is_piece_cid;
use super::ext::{self, AllocationRequest, AllocationRequests, AllocationsResponse};
use super::policy::*;
use super::types::*;
use super::{BitField, MarketState, cbor_cid, emit, resolve_id};
use crate::datacap::{BALANCE_METHOD, TRANSFER_FROM_METHOD};
use crate::plumbing::{
    cbor_block, decode_return, load_state, ret, save_state, send, send_read_only,
};
use crate::power::{CURRENT_TOTAL_POWER_METHOD, CurrentTotalPowerReturn};
use crate::reward::{THIS_EPOCH_REWARD_METHOD, ThisEpochRewardReturn};
use crate::token::types::{TransferFromParams, TransferFromReturn};
use crate::{DATACAP_ACTOR_ID, POWER_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID};

/// A proposal that passed every check, normalised to ID addresses.
struct ValidDeal {
    proposal: DealProposal,
    bytes: Vec<u8>,
    cid: Cid,
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, ActorError> {
    fvm_ipld_encoding::to_vec(value).map_err(|e| ActorError::serialization(e.to_string()))
}

pub(super) fn publish_storage_deals(
    rt: &mut dyn Runtime,
    p: PublishStorageDealsParams,
) -> ActorResult {
    let Some(first) = p.deals.first() else {
        return Err(ActorError::illegal_argument("empty deals parameter"));
    };
    let provider_raw = first.proposal.provider;
    let provider = resolve_id(rt, &provider_raw)?.ok_or_else(|| {
        ActorError::not_found(format!("failed to resolve provider address {provider_raw}"))
    })?;
    let code = rt
        .actor_code(provider)?
        .ok_or_else(|| ActorError::not_found(format!("no code for provider f0{provider}")))?;
    if rt.builtin_type(&code) != Some(BuiltinType::Miner) {
        return Err(ActorError::illegal_argument("deal provider is not a storage miner actor"));
    }
    let caller = Address::new_id(rt.message().caller);
    let controlling: bool = decode_return(send(
        rt,
        &Address::new_id(provider),
        ext::MINER_IS_CONTROLLING_ADDRESS_METHOD,
        cbor_block(&caller)?,
        TokenAmount::default(),
    )?)?;
    if !controlling {
        return Err(ActorError::forbidden(format!(
            "caller {caller} is not a control address of provider f0{provider}"
        )));
    }

    let baseline: ThisEpochRewardReturn = decode_return(send(
        rt,
        &Address::new_id(REWARD_ACTOR_ID),
        THIS_EPOCH_REWARD_METHOD,
        None,
        TokenAmount::default(),
    )?)?;
    let power: CurrentTotalPowerReturn = decode_return(send(
        rt,
        &Address::new_id(POWER_ACTOR_ID),
        CURRENT_TOTAL_POWER_METHOD,
        None,
        TokenAmount::default(),
    )?)?;
    let bounds = Bounds {
        network_raw_power: power.raw_byte_power,
        baseline_power: baseline.this_epoch_baseline_power,
        circulating_supply: rt.total_fil_circ_supply()?,
        now: rt.machine().epoch,
    };
    let validity: Vec<bool> =
        p.deals.iter().map(|d| validate_deal(rt, d, &bounds).is_ok()).collect();

    let now = bounds.now;
    let provider_addr = Address::new_id(provider);
    let st: MarketState = load_state(rt)?;
    let store = rt.store();
    let balances = st.load_balances(&store)?;
    let mut valid = Vec::new();
    let mut valid_inputs = Vec::new();
    let mut seen = BTreeSet::new();
    let mut client_lockup: BTreeMap<ActorID, TokenAmount> = BTreeMap::new();
    let mut provider_lockup = TokenAmount::default();
    let mut datacap_left: BTreeMap<ActorID, TokenAmount> = BTreeMap::new();
    let mut alloc_requests: BTreeMap<ActorID, Vec<(Cid, AllocationRequest)>> = BTreeMap::new();

    for (index, (deal, ok)) in p.deals.into_iter().zip(validity).enumerate() {
        if !ok {
            continue;
        }
        let mut proposal = deal.proposal;
        if proposal.provider != provider_addr && proposal.provider != provider_raw {
            continue; // all deals of a batch must name one provider
        }
        let Some(client) = resolve_id(rt, &proposal.client)? else { continue };
        let client_addr = Address::new_id(client);
        let client_total = client_lockup.get(&client).cloned().unwrap_or_default()
            + proposal.client_balance_requirement();
        if !balances.covers(&client_addr, &client_total)? {
            continue;
        }
        let provider_total = &provider_lockup + &proposal.provider_collateral;
        if !balances.covers(&provider_addr, &provider_total)? {
            continue;
        }
        proposal.client = client_addr;
        proposal.provider = provider_addr;
        let bytes = encode(&proposal)?;
        let cid = cbor_cid(rt, &bytes)?;
        if seen.contains(&cid) || st.has_pending_proposal(&store, &cid)? {
            continue; // published twice
        }
        if proposal.verified_deal {
            let left = match datacap_left.get(&client) {
                Some(left) => left.clone(),
                None => datacap_balance(rt, &client_addr)?,
            };
            let needed = TokenAmount::from_whole(proposal.piece_size.0);
            if left < needed {
                datacap_left.insert(client, left);
                continue;
            }
            datacap_left.insert(client, left - needed);
            let request = allocation_request(&proposal, provider, now);
            alloc_requests.entry(client).or_default().push((cid, request));
        }
        client_lockup.insert(client, client_total);
        provider_lockup = provider_total;
        seen.insert(cid);
        valid_inputs.push(index as u64);
        valid.push(ValidDeal { proposal, bytes, cid });
    }

    let mut allocation_ids: BTreeMap<Cid, AllocationID> = BTreeMap::new();
    for (client, requests) in alloc_requests {
        let ids = transfer_datacap(rt, client, &requests)?;
        for ((cid, _), id) in requests.iter().zip(ids) {
            allocation_ids.insert(*cid, id);
        }
    }
    if valid.is_empty() {
        return Err(ActorError::illegal_argument("all deal proposals invalid"));
    }

    // Commit: lock funds, record the proposals, schedule them for cron.
    let mut st: MarketState = load_state(rt)?;
    let mut ids = Vec::with_capacity(valid.len());
    let mut proposals = Vec::with_capacity(valid.len());
    let mut ops = Vec::with_capacity(valid.len());
    let mut allocations = Vec::new();
    st.lock_deal_balances(&store, valid.iter().map(|d| &d.proposal))?;
    for deal in &valid {
        let id = st.next_id;
        st.next_id += 1;
        ids.push(id);
        proposals.push((id, deal.proposal.clone()));
        ops.push((next_update_epoch(id, DEAL_UPDATES_INTERVAL, deal.proposal.start_epoch), id));
        if let Some(&alloc) = allocation_ids.get(&deal.cid) {
            allocations.push((id, alloc));
        }
    }
    let cids: Vec<Cid> = valid.iter().map(|d| d.cid).collect();
    st.put_pending_proposals(&store, &cids)?;
    st.put_proposals(&store, &proposals)?;
    st.put_allocation_ids(&store, &allocations)?;
    st.put_deal_ops(&store, &ops)?;
    save_state(rt, &st)?;

    // Tell each client (a contract may be tracking its deals); any failure aborts everything.
    for (deal, &id) in valid.iter().zip(&ids) {
        let notify = MarketNotifyDealParams { proposal: deal.bytes.clone(), deal_id: id };
        send(
            rt,
            &deal.proposal.client,
            MARKET_NOTIFY_DEAL_METHOD,
            cbor_block(&notify)?,
            TokenAmount::default(),
        )
        .map_err(|e| {
            ActorError::illegal_argument(format!(
                "failed to notify client of deal {id}: {}",
                e.message()
            ))
        })?;
        emit::deal_published(rt, id, deal.proposal.client_id(), provider)?;
    }
    let valid_deals = BitField::try_from_bits(valid_inputs)
        .map_err(|e| ActorError::illegal_state(format!("valid deals bitfield: {e}")))?;
    ret(&PublishStorageDealsReturn { ids, valid_deals })
}

/// What the network's state says about collateral and time, read once per publication.
struct Bounds {
    network_raw_power: StoragePower,
    baseline_power: StoragePower,
    circulating_supply: TokenAmount,
    now: ChainEpoch,
}

/// The checks of one proposal that need no market state: the client's signature, then the
/// proposal's own terms.
fn validate_deal(
    rt: &mut dyn Runtime,
    deal: &ClientDealProposal,
    bounds: &Bounds,
) -> Result<(), ActorError> {
    let proposal = &deal.proposal;
    let auth = filecoin_vm::builtin::AuthenticateMessageParams {
        signature: deal.client_signature.bytes.clone(),
        message: encode(proposal)?,
    };
    let method = filecoin_vm::builtin::AUTHENTICATE_MESSAGE_METHOD;
    let authenticated: bool =
        decode_return(send_read_only(rt, &proposal.client, method, cbor_block(&auth)?)?)?;
    if !authenticated {
        return Err(ActorError::illegal_argument("proposal authentication failed"));
    }
    let invalid = |why: &str| Err(ActorError::illegal_argument(why.to_string()));
    if proposal.label.len() > DEAL_MAX_LABEL_SIZE {
        return invalid("label too long");
    }
    let size = proposal.piece_size.0;
    if size < 128 || !size.is_power_of_two() {
        return invalid("piece size is not a power of two of at least 128");
    }
    if !is_piece_cid(&proposal.piece_cid) {
        return invalid("piece CID is not an unsealed commitment");
    }
    if proposal.end_epoch <= proposal.start_epoch {
        return invalid("proposal ends before it starts");
    }
    if bounds.now > proposal.start_epoch {
        return invalid("deal start epoch has already elapsed");
    }
    let duration = proposal.end_epoch - proposal.start_epoch;
    if !(MIN_DEAL_DURATION..=MAX_DEAL_DURATION).contains(&duration) {
        return invalid("deal duration out of bounds");
    }
    let ceiling = total_filecoin();
    let zero = TokenAmount::default();
    if proposal.storage_price_per_epoch < zero || proposal.storage_price_per_epoch > ceiling {
        return invalid("storage price out of bounds");
    }
    let floor = min_provider_collateral(
        size,
        &bounds.network_raw_power,
        &bounds.baseline_power,
        &bounds.circulating_supply,
    );
    if proposal.provider_collateral < floor || proposal.provider_collateral > ceiling {
        return invalid("provider collateral out of bounds");
    }
    if proposal.client_collateral < zero || proposal.client_collateral > ceiling {
        return invalid("client collateral out of bounds");
    }
    Ok(())
}

/// The first epoch ≥ `earliest` that is ≡ `id` (mod `interval`): deals are spread over the
/// interval by ID so no epoch gets all of them.
pub(super) fn next_update_epoch(
    id: DealID,
    interval: ChainEpoch,
    earliest: ChainEpoch,
) -> ChainEpoch {
    let offset = (id % interval as u64) as ChainEpoch;
    earliest + (offset - earliest).rem_euclid(interval)
}

/// The allocation a verified deal asks the registry for.
fn allocation_request(
    deal: &DealProposal,
    provider: ActorID,
    now: ChainEpoch,
) -> AllocationRequest {
    let term_min = deal.end_epoch - deal.start_epoch;
    AllocationRequest {
        provider,
        data: deal.piece_cid,
        size: deal.piece_size,
        term_min,
        term_max: (term_min + MARKET_DEFAULT_ALLOCATION_TERM_BUFFER)
            .min(MAXIMUM_VERIFIED_ALLOCATION_TERM),
        expiration: deal.start_epoch.min(now + MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION),
    }
}

fn datacap_balance(rt: &mut dyn Runtime, client: &Address) -> Result<TokenAmount, ActorError> {
    let datacap = Address::new_id(DATACAP_ACTOR_ID);
    send(rt, &datacap, BALANCE_METHOD, cbor_block(client)?, TokenAmount::default())
        .and_then(decode_return)
        .map_err(|e| {
            ActorError::not_found(format!(
                "failed to get datacap balance of {client}: {}",
                e.message()
            ))
        })
}

/// Spends a client's datacap on its verified deals' allocations (one transfer to the registry);
/// returns the new allocation IDs in request order.
fn transfer_datacap(
    rt: &mut dyn Runtime,
    client: ActorID,
    requests: &[(Cid, AllocationRequest)],
) -> Result<Vec<AllocationID>, ActorError> {
    let bytes: u64 = requests.iter().map(|(_, r)| r.size.0).fold(0, u64::saturating_add);
    let operator_data = AllocationRequests {
        allocations: requests.iter().map(|(_, r)| r.clone()).collect(),
        extensions: Vec::new(),
    };
    let params = TransferFromParams {
        from: Address::new_id(client),
        to: Address::new_id(VERIFIED_REGISTRY_ACTOR_ID),
        amount: TokenAmount::from_whole(bytes),
        operator_data: RawBytes::new(encode(&operator_data)?),
    };
    let failed = |e: ActorError| {
        ActorError::new(
            ExitCode::USR_ILLEGAL_STATE,
            format!("failed to transfer datacap from f0{client}: {}", e.message()),
        )
    };
    let datacap = Address::new_id(DATACAP_ACTOR_ID);
    let ret: TransferFromReturn =
        send(rt, &datacap, TRANSFER_FROM_METHOD, cbor_block(&params)?, TokenAmount::default())
            .and_then(decode_return)
            .map_err(failed)?;
    let response: AllocationsResponse = fvm_ipld_encoding::from_slice(&ret.recipient_data)
        .map_err(|e| ActorError::serialization(format!("bad allocations response: {e}")))?;
    if response.new_allocations.len() != requests.len() {
        return Err(ActorError::illegal_state(format!(
            "datacap transfer returned {} allocations for {} requests",
            response.new_allocations.len(),
            requests.len()
        )));
    }
    Ok(response.new_allocations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_epochs_are_spread_by_id() {
        assert_eq!(next_update_epoch(0, 100, 0), 0);
        assert_eq!(next_update_epoch(0, 100, 1), 100);
        assert_eq!(next_update_epoch(5, 100, 5), 5);
        assert_eq!(next_update_epoch(5, 100, 6), 105);
        assert_eq!(next_update_epoch(105, 100, 3), 5);
        assert_eq!(next_update_epoch(7, 86_400, 1000), 86_407);
    }
}
