//! Account state at a block: `eth_getBalance`, `eth_getCode`, `eth_getStorageAt` and
//! `eth_getTransactionCount`.
//!
//! Each takes an address and an optional block (number, tag, or EIP-1898 object; latest when
//! omitted) and reads the state after that tipset ([`tipset_for_state`]). A 0x address names
//! its f410 actor, or `f0<id>` for a masked ID, so a masked ID reaches any actor.
//!
//! * **Balance**: the actor's balance in attoFIL (= wei); 0 for a missing actor.
//! * **Code**: only EVM actors have code. It is what the contract's own `GetBytecode` (method 3)
//!   names, read from the block store: empty for a self-destructed contract, for every other
//!   kind of actor (accounts, EthAccounts, placeholders, built-in actors) and for a missing one.
//! * **Storage**: the EVM actor's `GetStorageAt` (method 5, which only the system actor may
//!   call); 32 zero bytes for anything that is not a live contract. The slot is hex of at most
//!   32 bytes, left-padded.
//! * **Nonce**: `pending` counts the sender's pending messages (the mempool's next nonce);
//!   any other block reads the actor's sequence in that state. A contract's nonce is its CREATE
//!   nonce (1 after deployment, 0 once self-destructed); a missing actor's is 0.
//!
//! Code and storage run an actor method (through `run_vm`).

use std::sync::Arc;

use alloy_primitives::{Address as EthAddress, B256, Bytes, U64, U256, hex};
use alloy_rpc_types_eth::{BlockId, BlockNumberOrTag};
use chain::basefee::BLOCK_GAS_LIMIT;
use chain::{CallOverrides, Tipset};
use cid::Cid;
use evm_actor::methods::{GET_BYTECODE_METHOD, GET_STORAGE_AT_METHOD, GetStorageAtParams};
use evm_actor::state::{EvmState, Word};
use filecoin_vm::{BuiltinType, SYSTEM_ACTOR_ID};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::ActorID;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::state::ActorState;
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;

use super::resolve::tipset_for_state;
use super::{Module, RpcContext};
use crate::error::{RpcError, RpcResult};
use crate::params::{Positional, to_filecoin};
use crate::vm::run_vm;
use evm_actor::units::token_to_u256;

/// Registers this file's methods.
pub(crate) fn register(module: &mut Module) -> Result<(), RegisterMethodError> {
    module.register_method("eth_getBalance", |params, ctx, _| get_balance(ctx, &params))?;
    module.register_async_method("eth_getCode", |params, ctx, _| async move {
        get_code(Arc::clone(&*ctx), params).await
    })?;
    module.register_async_method("eth_getStorageAt", |params, ctx, _| async move {
        get_storage_at(Arc::clone(&*ctx), params).await
    })?;
    module.register_method("eth_getTransactionCount", |params, ctx, _| {
        get_transaction_count(ctx, &params)
    })?;
    Ok(())
}

/// Handler for: `eth_getBalance` (`[address, block?]`).
fn get_balance(ctx: &RpcContext, params: &Params<'_>) -> RpcResult<U256> {
    let mut p = Positional::new(params);
    let address: EthAddress = p.required("address")?;
    let block: Option<BlockId> = p.optional("block")?;
    let tipset = tipset_for_state(ctx, block)?;
    let actor = actor_at(ctx, address, &tipset)?;
    Ok(actor.map(|(_, a)| token_to_u256(&a.balance)).unwrap_or_default())
}

/// Handler for: `eth_getCode` (`[address, block?]`).
async fn get_code(ctx: Arc<RpcContext>, params: Params<'static>) -> RpcResult<Bytes> {
    let (address, block) = {
        let mut p = Positional::new(&params);
        let address: EthAddress = p.required("address")?;
        (address, p.optional::<BlockId>("block")?)
    };
    let tipset = tipset_for_state(&ctx, block)?;
    let Some(id) = evm_actor_at(&ctx, address, &tipset)? else { return Ok(Bytes::new()) };
    run_vm(move || {
        let ret = call_evm_method(&ctx, id, GET_BYTECODE_METHOD, RawBytes::default(), &tipset)?;
        let code: Option<Cid> = fvm_ipld_encoding::from_slice(&ret)
            .map_err(|e| RpcError::internal(format!("GetBytecode of f0{id} returned {e}")))?;
        let Some(code) = code else { return Ok(Bytes::new()) };
        let bytes = ctx.node.chain_read_block(&code).map_err(RpcError::from)?.ok_or_else(|| {
            RpcError::internal(format!("bytecode block {code} of f0{id} missing"))
        })?;
        Ok(Bytes::from(bytes))
    })
    .await
}

/// Handler for: `eth_getStorageAt` (`[address, slot, block?]`).
async fn get_storage_at(ctx: Arc<RpcContext>, params: Params<'static>) -> RpcResult<B256> {
    let (address, slot, block) = {
        let mut p = Positional::new(&params);
        let address: EthAddress = p.required("address")?;
        let slot: String = p.required("storage slot")?;
        (address, parse_slot(&slot)?, p.optional::<BlockId>("block")?)
    };
    let tipset = tipset_for_state(&ctx, block)?;
    let Some(id) = evm_actor_at(&ctx, address, &tipset)? else { return Ok(B256::ZERO) };
    run_vm(move || {
        let params = RawBytes::serialize(GetStorageAtParams { storage_key: Word(slot) })
            .map_err(RpcError::internal)?;
        let ret = call_evm_method(&ctx, id, GET_STORAGE_AT_METHOD, params, &tipset)?;
        let Word(value) = fvm_ipld_encoding::from_slice(&ret)
            .map_err(|e| RpcError::internal(format!("GetStorageAt of f0{id} returned {e}")))?;
        Ok(B256::from(value))
    })
    .await
}

/// Handler for: `eth_getTransactionCount` (`[address, block?]`).
fn get_transaction_count(ctx: &RpcContext, params: &Params<'_>) -> RpcResult<U64> {
    let mut p = Positional::new(params);
    let address: EthAddress = p.required("address")?;
    let block: Option<BlockId> = p.optional("block")?;
    let pending = block == Some(BlockId::Number(BlockNumberOrTag::Pending));
    let tipset = tipset_for_state(ctx, block)?;
    let nonce = match actor_at(ctx, address, &tipset)? {
        None if pending => pool_nonce(ctx, address)?,
        None => 0,
        Some((_, actor)) if is_evm(&actor) => contract_nonce(ctx, &actor)?,
        Some(_) if pending => pool_nonce(ctx, address)?,
        Some((_, actor)) => actor.sequence,
    };
    Ok(U64::from(nonce))
}

/// A slot key: hex of at most 32 bytes (odd length allowed), left-padded to a word.
fn parse_slot(text: &str) -> RpcResult<U256> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    let invalid =
        |why: &str| RpcError::InvalidParams(format!("invalid storage slot {text:?}: {why}"));
    if digits.len() > 64 {
        return Err(invalid("longer than 32 bytes"));
    }
    let padded = if digits.len() % 2 == 1 { format!("0{digits}") } else { digits.to_owned() };
    let bytes = hex::decode(padded).map_err(|e| invalid(&e.to_string()))?;
    Ok(U256::from_be_slice(&bytes))
}

/// The actor a 0x address names at `tipset`, with its ID.
fn actor_at(
    ctx: &RpcContext,
    address: EthAddress,
    tipset: &Tipset,
) -> RpcResult<Option<(ActorID, ActorState)>> {
    let address = to_filecoin(address)?;
    ctx.node.state_get_actor(&address, tipset).map_err(RpcError::from)
}

fn is_evm(actor: &ActorState) -> bool {
    BuiltinType::from_code(&actor.code) == Some(BuiltinType::Evm)
}

/// The ID of the EVM contract at `address`, if that is what is there.
fn evm_actor_at(
    ctx: &RpcContext,
    address: EthAddress,
    tipset: &Tipset,
) -> RpcResult<Option<ActorID>> {
    Ok(actor_at(ctx, address, tipset)?.filter(|(_, actor)| is_evm(actor)).map(|(id, _)| id))
}

fn pool_nonce(ctx: &RpcContext, address: EthAddress) -> RpcResult<u64> {
    ctx.node.mpool_get_nonce(&to_filecoin(address)?).map_err(RpcError::from)
}

/// A contract's CREATE nonce from its state; 0 once it self-destructed.
fn contract_nonce(ctx: &RpcContext, actor: &ActorState) -> RpcResult<u64> {
    let bytes = ctx
        .node
        .chain_read_block(&actor.state)
        .map_err(RpcError::from)?
        .ok_or_else(|| RpcError::internal(format!("EVM state {} missing", actor.state)))?;
    let state: EvmState = fvm_ipld_encoding::from_slice(&bytes)
        .map_err(|e| RpcError::internal(format!("EVM state {}: {e}", actor.state)))?;
    Ok(if state.tombstone.is_some() { 0 } else { state.nonce })
}

/// Runs an EVM actor method from the system actor on `tipset`'s state; returns the
/// raw return block.
fn call_evm_method(
    ctx: &RpcContext,
    id: ActorID,
    method_num: u64,
    params: RawBytes,
    tipset: &Tipset,
) -> RpcResult<Vec<u8>> {
    let msg = Message {
        version: 0,
        from: Address::new_id(SYSTEM_ACTOR_ID),
        to: Address::new_id(id),
        sequence: 0,
        value: TokenAmount::default(),
        method_num,
        params,
        gas_limit: BLOCK_GAS_LIMIT,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
    };
    let result = ctx.node.state_call(&msg, tipset, &CallOverrides::NONE).map_err(RpcError::from)?;
    if !result.receipt.exit_code.is_success() {
        return Err(RpcError::internal(format!(
            "method {method_num} of f0{id} failed with exit {}: {}",
            result.receipt.exit_code,
            result.failure_info.unwrap_or_default()
        )));
    }
    Ok(result.receipt.return_data.bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_left_padded_hex() {
        assert_eq!(parse_slot("0x0").unwrap(), U256::ZERO);
        assert_eq!(parse_slot("0x1").unwrap(), U256::from(1));
        assert_eq!(parse_slot("0x0100").unwrap(), U256::from(256));
        assert_eq!(parse_slot("0x").unwrap(), U256::ZERO);
        let full = format!("0x{}", "ff".repeat(32));
        assert_eq!(parse_slot(&full).unwrap(), U256::MAX);
        assert!(matches!(parse_slot(&format!("{full}00")), Err(RpcError::InvalidParams(_))));
        assert!(matches!(parse_slot("0xzz"), Err(RpcError::InvalidParams(_))));
    }
}
