//! Submitting transactions and signing with the dev keys: `eth_sendRawTransaction`,
//! `eth_sendTransaction`, `eth_sign`, `personal_sign`, `eth_signTypedData_v4` and
//! `eth_accounts`.
//!
//! A raw transaction goes to the node's pool as is ([`chain::FullNode::mpool_push_eth`]); a
//! refusal keeps the node's Geth wording (`nonce too low`, `insufficient funds for gas * price +
//! value`, `replacement transaction underpriced`, `intrinsic gas too low`, `invalid chain id`…)
//! as a −32000 error. Both send methods return the keccak hash of the signed transaction.
//!
//! Under instant mining both return only once the transaction is in a tipset, as anvil's and
//! Hardhat's automine do: a client that asks for the receipt right after sending finds it.
//! (ethers v6's `tx.wait()` checks once, caches the miss, then waits for a *later* block; if
//! the transaction was mined in between and nothing else is sent, that block never comes.)
//! A transaction that cannot run yet (a nonce gap) returns at once; the wait is capped at
//! [`INCLUSION_WAIT`].
//!
//! `eth_sendTransaction` signs for a dev account (anything else: −32000 `unknown account`),
//! filling what the request leaves out:
//!
//! * **nonce**: the sender's next nonce counting its pending transactions;
//! * **gas**: `eth_estimateGas` on the latest state;
//! * **type and fees**: EIP-1559 unless `gasPrice` is given or type 0 is asked for;
//!   `maxPriorityFeePerGas` defaults to `eth_maxPriorityFeePerGas` (capped by a given
//!   `maxFeePerGas`) and `maxFeePerGas` to twice the next base fee plus the tip, which survives
//!   several tipsets of rising base fee. A legacy transaction is EIP-155 with this chain's id;
//!   its `gasPrice` defaults to `eth_gasPrice`.
//!
//! The signing methods sign with the dev key of the address given: `eth_sign [address, data]`
//! and `personal_sign [data, address]` sign EIP-191 `personal_sign` messages (`data` is hex;
//! `personal_sign` also takes plain text, as MetaMask does), `eth_signTypedData_v4 [address,
//! typedData]` signs the EIP-712 hash of typed data given as an object or a JSON string.
//! Signatures are 65 bytes `r ‖ s ‖ v` with `v` = 27/28.

use std::sync::Arc;
use std::time::Duration;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy};
use alloy_dyn_abi::TypedData;
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address as EthAddress, B256, Bytes, TxKind, hex};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use chain::{CallOverrides, PendingMessage, Tipset};
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;
use serde_json::Value;
use tokio::sync::broadcast;

use super::call::{call_message, estimate};
use super::fees::suggested_tip;
use super::{Module, RpcContext};
use crate::error::{RpcError, RpcResult};
use crate::params::{Positional, to_filecoin};
use crate::vm::run_vm;
use evm_actor::units::token_to_u128;

/// Registers this file's methods.
pub(crate) fn register(module: &mut Module) -> Result<(), RegisterMethodError> {
    module.register_async_method("eth_sendRawTransaction", |params, ctx, _| async move {
        send_raw_transaction(Arc::clone(&*ctx), params).await
    })?;
    module.register_async_method("eth_sendTransaction", |params, ctx, _| async move {
        send_transaction(Arc::clone(&*ctx), params).await
    })?;
    module.register_method("eth_sign", |params, ctx, _| eth_sign(ctx, &params))?;
    module.register_method("personal_sign", |params, ctx, _| personal_sign(ctx, &params))?;
    module
        .register_method("eth_signTypedData_v4", |params, ctx, _| sign_typed_data(ctx, &params))?;
    module.register_method("eth_accounts", |_, ctx, _| accounts(ctx))?;
    Ok(())
}

/// Handler for: `eth_sendRawTransaction` (`[signedTransaction]`).
async fn send_raw_transaction(ctx: Arc<RpcContext>, params: Params<'static>) -> RpcResult<B256> {
    let raw: Bytes = Positional::new(&params).required("signed transaction")?;
    let heads = ctx.node.subscribe_heads();
    let pending = push(&ctx, &raw)?;
    await_inclusion(&ctx, heads, &pending).await;
    Ok(pending.eth_hash)
}

/// Handler for: `eth_sendTransaction` (`[transaction]`), see the module docs.
async fn send_transaction(ctx: Arc<RpcContext>, params: Params<'static>) -> RpcResult<B256> {
    let request: TransactionRequest = Positional::new(&params).required("transaction")?;
    let from = request.from.ok_or_else(|| {
        RpcError::InvalidParams("missing \"from\": the account to send from".into())
    })?;
    let signer = signer_for(&ctx, from)?;
    let heads = ctx.node.subscribe_heads();
    // Estimating gas runs the VM.
    let pending = {
        let ctx = Arc::clone(&ctx);
        run_vm(move || push(&ctx, &sign_request(&ctx, &signer, request)?)).await?
    };
    await_inclusion(&ctx, heads, &pending).await;
    Ok(pending.eth_hash)
}

/// Handler for: `eth_sign` (`[address, data]`).
fn eth_sign(ctx: &RpcContext, params: &Params<'_>) -> RpcResult<Bytes> {
    let mut p = Positional::new(params);
    let address: EthAddress = p.required("address")?;
    let data: Bytes = p.required("data")?;
    sign_message(ctx, address, &data)
}

/// Handler for: `personal_sign` (`[data, address, password?]`; the password is ignored).
fn personal_sign(ctx: &RpcContext, params: &Params<'_>) -> RpcResult<Bytes> {
    let mut p = Positional::new(params);
    let data: String = p.required("data")?;
    let address: EthAddress = p.required("address")?;
    sign_message(ctx, address, &message_bytes(&data))
}

/// Handler for: `eth_signTypedData_v4` (`[address, typedData]`).
fn sign_typed_data(ctx: &RpcContext, params: &Params<'_>) -> RpcResult<Bytes> {
    let mut p = Positional::new(params);
    let address: EthAddress = p.required("address")?;
    let typed: Value = p.required("typed data")?;
    let typed: TypedData = match typed {
        Value::String(text) => serde_json::from_str(&text),
        other => serde_json::from_value(other),
    }
    .map_err(|e| RpcError::InvalidParams(format!("invalid typed data: {e}")))?;
    let hash = typed
        .eip712_signing_hash()
        .map_err(|e| RpcError::InvalidParams(format!("invalid typed data: {e}")))?;
    let signature = signer_for(ctx, address)?.sign_hash_sync(&hash).map_err(RpcError::internal)?;
    Ok(Bytes::copy_from_slice(&signature.as_bytes()))
}

/// Handler for: `eth_accounts`: the dev accounts, in genesis order.
fn accounts(ctx: &RpcContext) -> RpcResult<Vec<EthAddress>> {
    Ok(ctx.accounts.clone())
}

/// Queues a signed transaction.
fn push(ctx: &RpcContext, raw: &[u8]) -> RpcResult<PendingMessage> {
    ctx.node.mpool_push_eth(raw).map_err(RpcError::from)
}

/// The longest a send waits for its transaction to be mined under instant mining.
const INCLUSION_WAIT: Duration = Duration::from_secs(10);

/// Under instant mining, waits until `pending` is in a tipset (see the module docs). `heads`
/// was subscribed before the push, so the tipset that includes it cannot be missed.
async fn await_inclusion(
    ctx: &RpcContext,
    mut heads: broadcast::Receiver<Arc<Tipset>>,
    pending: &PendingMessage,
) {
    if !ctx.automines() {
        return;
    }
    let msg = &pending.message.message;
    // Behind a nonce gap it cannot be mined until the gap is filled.
    let next = ctx.node.mpool_get_nonce(&msg.from).unwrap_or(0);
    if msg.sequence >= next {
        return;
    }
    let hash = pending.eth_hash;
    let included = async {
        loop {
            match heads.recv().await {
                Ok(tipset) if tipset.eth_hashes.contains(&hash) => return,
                Ok(_) => {}
                // Missed some heads: ask the index instead.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if matches!(ctx.node.state_search_tx(&hash), Ok(Some(_))) {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    };
    if tokio::time::timeout(INCLUSION_WAIT, included).await.is_err() {
        tracing::warn!(target: "fevm::rpc", %hash, "transaction not mined within the wait");
    }
}

fn signer_for(ctx: &RpcContext, address: EthAddress) -> RpcResult<PrivateKeySigner> {
    ctx.signers.get(&address).cloned().ok_or_else(|| RpcError::TxRejected("unknown account".into()))
}

/// EIP-191 signature of `message` by the dev key of `address`.
fn sign_message(ctx: &RpcContext, address: EthAddress, message: &[u8]) -> RpcResult<Bytes> {
    let signature =
        signer_for(ctx, address)?.sign_message_sync(message).map_err(RpcError::internal)?;
    Ok(Bytes::copy_from_slice(&signature.as_bytes()))
}

/// `personal_sign` data: `0x` hex, or else the text itself.
fn message_bytes(data: &str) -> Vec<u8> {
    data.strip_prefix("0x")
        .and_then(|digits| hex::decode(digits).ok())
        .unwrap_or_else(|| data.as_bytes().to_vec())
}

/// Fills and signs an `eth_sendTransaction` request (blocking: may estimate gas).
fn sign_request(
    ctx: &RpcContext,
    signer: &PrivateKeySigner,
    request: TransactionRequest,
) -> RpcResult<Vec<u8>> {
    let from = signer.address();
    let chain_id = request.chain_id.unwrap_or_else(|| ctx.chain_id());
    let nonce = match request.nonce {
        Some(nonce) => nonce,
        None => ctx.node.mpool_get_nonce(&to_filecoin(from)?).map_err(RpcError::from)?,
    };
    let gas_limit = match request.gas {
        Some(gas) => gas,
        None => {
            estimate(ctx, &call_message(&request)?, &ctx.node.chain_head(), &CallOverrides::NONE)?
        }
    };
    let to = request.to.unwrap_or(TxKind::Create);
    let value = request.value.unwrap_or_default();
    let input = request.input.input().cloned().unwrap_or_default();
    let access_list = request.access_list.clone().unwrap_or_default();
    let dynamic_fees =
        request.max_fee_per_gas.is_some() || request.max_priority_fee_per_gas.is_some();
    if request.gas_price.is_some() && dynamic_fees {
        return Err(RpcError::InvalidParams(
            "both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified".into(),
        ));
    }
    let legacy = match request.transaction_type {
        Some(0) => true,
        Some(2) => false,
        None => request.gas_price.is_some(),
        Some(other) => {
            return Err(RpcError::TxRejected(format!(
                "transaction type not supported: type {other} (this devnet takes types 0 and 2)"
            )));
        }
    };
    let raw = if legacy {
        if !access_list.is_empty() {
            return Err(RpcError::InvalidParams(
                "a legacy transaction cannot carry an access list".into(),
            ));
        }
        let gas_price = match request.gas_price {
            Some(price) => price,
            None => next_base_fee(ctx).saturating_add(suggested_tip(ctx)?),
        };
        let tx =
            TxLegacy { chain_id: Some(chain_id), nonce, gas_price, gas_limit, to, value, input };
        let signature = signer.sign_hash_sync(&tx.signature_hash()).map_err(RpcError::internal)?;
        TxEnvelope::from(tx.into_signed(signature)).encoded_2718()
    } else {
        let tip = match (request.max_priority_fee_per_gas, request.max_fee_per_gas) {
            (Some(tip), _) => tip,
            (None, Some(cap)) => suggested_tip(ctx)?.min(cap),
            (None, None) => suggested_tip(ctx)?,
        };
        let max_fee_per_gas = match request.max_fee_per_gas {
            Some(cap) => cap,
            None => next_base_fee(ctx).saturating_mul(2).saturating_add(tip),
        };
        let tx = TxEip1559 {
            chain_id,
            nonce,
            gas_limit,
            max_fee_per_gas,
            max_priority_fee_per_gas: tip,
            to,
            value,
            access_list,
            input,
        };
        let signature = signer.sign_hash_sync(&tx.signature_hash()).map_err(RpcError::internal)?;
        TxEnvelope::from(tx.into_signed(signature)).encoded_2718()
    };
    Ok(raw)
}

fn next_base_fee(ctx: &RpcContext) -> u128 {
    token_to_u128(&ctx.node.next_base_fee())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_sign_data_is_hex_or_text() {
        assert_eq!(message_bytes("0x68656c6c6f"), b"hello");
        assert_eq!(message_bytes("hello"), b"hello");
        // Not valid hex after the prefix: signed as the text it is.
        assert_eq!(message_bytes("0xhello"), b"0xhello");
        assert_eq!(message_bytes("0x"), b"");
    }
}
