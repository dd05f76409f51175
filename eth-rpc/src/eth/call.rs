//! `eth_call` and `eth_estimateGas`, and what `eth_sendTransaction` shares with them: the
//! Filecoin message for a call object, built by the same [`chain::eth_tx::EthMessage`] a signed
//! transaction is, and the errors of a failed execution.
//!
//! # From a call object to a Filecoin message
//!
//! | call object | message |
//! |---|---|
//! | `from` | its f410 address (f0 for a masked ID); omitted = `0x0…0`, an EthAccount since genesis |
//! | `to` = `null` | the EAM (f010), `CreateExternal` (4), the initcode as a CBOR byte string |
//! | `to` = address | that address (f410, or f0 for a masked ID), `InvokeContract` (3844450837), the calldata as a CBOR byte string (no params when empty) |
//! | `input` or `data` | `input` wins when both are set (Lotus, go-ethereum's newer clients) |
//! | `value` | value, wei = attoFIL |
//! | `gas` | the gas limit, at most (and by default) the block gas limit of 10 billion; for `eth_call`, a `gas` below the message's inclusion cost (an Ethereum-sized amount such as web3.js's 21000) is treated as absent |
//! | `nonce`, fees | ignored: a call pays nothing and runs whatever the sender's nonce |
//!
//! The call runs read-only on the state after the requested tipset (latest when omitted) from
//! any sender, even a contract or an address that does not exist yet. A successful call returns
//! the EVM return data; a deployment returns the runtime code it would install, as anvil and
//! Geth do (Lotus returns `0x`). Failures keep Geth's shapes: an EVM
//! `REVERT` (exit 33) is code 3 `execution reverted[: reason]` with the revert bytes as `data`;
//! running out of gas is −32000 `out of gas`; a value the sender cannot pay is −32000
//! `insufficient funds for transfer`; any other exit code is code 3 naming it.
//!
//! `eth_estimateGas` builds the same message and asks the node for the smallest gas limit with
//! which it succeeds plus the node's margin (never too low, at most 10 billion); a `gas` in the
//! request is not a cap there. A call that fails at the block gas limit fails the estimate the
//! same way `eth_call` fails.
//!
//! Both take Geth's state overrides as the third parameter, and `eth_call` block overrides as
//! the fourth ([`super::overrides`] says what they mean on FEVM). They change only the call's
//! own copy of the state.

use std::sync::Arc;

use alloy_primitives::{Address as EthAddress, Bytes, TxKind, U64};
use alloy_rpc_types_eth::{BlockId, TransactionRequest};
use chain::basefee::BLOCK_GAS_LIMIT;
use chain::eth_tx::EthMessage;
use chain::execution::inclusion_gas;
use chain::{CallOverrides, EstimateError, InvocResult, Tipset};
use evm_actor::methods::EAM_CREATE_EXTERNAL_METHOD;
use fvm_ipld_encoding::BytesDe;
use fvm_shared::address::Payload;
use fvm_shared::error::ExitCode;
use fvm_shared::message::Message;
use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::types::Params;

use super::overrides::call_overrides;
use super::resolve::tipset_for_state;
use super::{Module, RpcContext};
use crate::error::{EVM_REVERT_EXIT_CODE, RpcError, RpcResult};
use crate::params::{Positional, to_filecoin};
use crate::vm::run_vm;

/// Registers `eth_call` and `eth_estimateGas`.
pub(crate) fn register(module: &mut Module) -> Result<(), RegisterMethodError> {
    module.register_async_method("eth_call", |params, ctx, _| async move {
        eth_call(Arc::clone(&*ctx), params).await
    })?;
    module.register_async_method("eth_estimateGas", |params, ctx, _| async move {
        estimate_gas(Arc::clone(&*ctx), params).await
    })?;
    Ok(())
}

/// Handler for: `eth_call` (`[call, block?, stateOverrides?, blockOverrides?]`).
async fn eth_call(ctx: Arc<RpcContext>, params: Params<'static>) -> RpcResult<Bytes> {
    let (request, block, overrides) = {
        let mut p = Positional::new(&params);
        let request: TransactionRequest = p.required("call object")?;
        let block: Option<BlockId> = p.optional("block")?;
        let overrides =
            call_overrides(p.optional("state overrides")?, p.optional("block overrides")?)?;
        (request, block, overrides)
    };
    let tipset = tipset_for_state(&ctx, block)?;
    let mut msg = call_message(&request)?;
    if request.gas.is_some() && msg.gas_limit < inclusion_gas(&msg) {
        // An Ethereum-sized amount (web3.js checks every transfer with `gas: 21000`) means
        // nothing in Filecoin gas: run with the block gas limit, as Lotus always does.
        msg.gas_limit = BLOCK_GAS_LIMIT;
    }
    run_vm(move || {
        check_sender(&ctx, &msg, &tipset, &overrides)?;
        let result = ctx.node.state_call(&msg, &tipset, &overrides).map_err(RpcError::from)?;
        call_output(&result, msg.method_num == EAM_CREATE_EXTERNAL_METHOD)
    })
    .await
}

/// Handler for: `eth_estimateGas` (`[call, block?, stateOverrides?]`): the smallest gas limit
/// with which the call succeeds, plus the node's margin (Filecoin gas, never too low).
async fn estimate_gas(ctx: Arc<RpcContext>, params: Params<'static>) -> RpcResult<U64> {
    let (request, block, overrides) = {
        let mut p = Positional::new(&params);
        let request: TransactionRequest = p.required("call object")?;
        let block: Option<BlockId> = p.optional("block")?;
        let overrides = call_overrides(p.optional("state overrides")?, None)?;
        (request, block, overrides)
    };
    let tipset = tipset_for_state(&ctx, block)?;
    let msg = call_message(&request)?;
    run_vm(move || estimate(&ctx, &msg, &tipset, &overrides).map(U64::from)).await
}

/// The gas limit `msg` needs on `tipset`'s state changed by `overrides` (runs the VM: call
/// from a blocking thread).
pub(super) fn estimate(
    ctx: &RpcContext,
    msg: &Message,
    tipset: &Tipset,
    overrides: &CallOverrides,
) -> RpcResult<u64> {
    check_sender(ctx, msg, tipset, overrides)?;
    ctx.node.estimate_gas(msg, tipset, overrides).map_err(|err| match err {
        EstimateError::Failed(result) => call_failure(&result),
        EstimateError::Node(err) => err.into(),
    })
}

/// The Filecoin message for a call object (see the module docs): the message a transaction
/// with these fields would carry, without fees, from any sender (a masked ID too).
pub(super) fn call_message(request: &TransactionRequest) -> RpcResult<Message> {
    EthMessage {
        from: to_filecoin(request.from.unwrap_or(EthAddress::ZERO))?,
        to: request.to.unwrap_or(TxKind::Create),
        input: request.input.input().map(|b| b.as_ref()).unwrap_or_default(),
        value: request.value.unwrap_or_default(),
        nonce: 0,
        gas_limit: request.gas.unwrap_or(BLOCK_GAS_LIMIT).min(BLOCK_GAS_LIMIT),
        fee_cap: 0,
        premium: 0,
    }
    .to_message()
    .map_err(|e| RpcError::InvalidParams(e.to_string()))
}

/// The bytes inside a CBOR byte string (EVM return and revert data); anything else as is.
pub(super) fn unwrap_cbor_bytes(data: &[u8]) -> Bytes {
    if data.is_empty() {
        return Bytes::new();
    }
    match fvm_ipld_encoding::from_slice::<BytesDe>(data) {
        Ok(BytesDe(bytes)) => bytes.into(),
        Err(_) => Bytes::copy_from_slice(data),
    }
}

/// A masked-ID sender must exist (an f410 sender that does not is created for the call), unless
/// an override names it (the node then says whether it exists).
fn check_sender(
    ctx: &RpcContext,
    msg: &Message,
    tipset: &Tipset,
    overrides: &CallOverrides,
) -> RpcResult<()> {
    let overridden = overrides.accounts.iter().any(|(address, _)| *address == msg.from);
    if let (Payload::ID(id), false) = (msg.from.payload(), overridden) {
        let found = ctx.node.state_get_actor(&msg.from, tipset).map_err(RpcError::from)?;
        if found.is_none() {
            return Err(RpcError::InvalidParams(format!(
                "sender {} (actor f0{id}) does not exist",
                address_mapping::masked_id_address(*id)
            )));
        }
    }
    Ok(())
}

/// What a call returns: the EVM return data; the runtime code for a deployment.
fn call_output(result: &InvocResult, deploy: bool) -> RpcResult<Bytes> {
    if !result.receipt.exit_code.is_success() {
        return Err(call_failure(result));
    }
    if deploy {
        return Ok(result.deployed_code.clone().unwrap_or_default());
    }
    Ok(unwrap_cbor_bytes(result.receipt.return_data.bytes()))
}

/// The RPC error for a failed call or estimate.
pub(super) fn call_failure(result: &InvocResult) -> RpcError {
    let exit = result.receipt.exit_code;
    if exit == ExitCode::SYS_OUT_OF_GAS {
        return RpcError::OutOfGas;
    }
    // Only the top-level value transfer fails with this code (a contract's own sends report
    // failure to the contract): Geth's wording, which wallets recognise.
    if exit == ExitCode::SYS_INSUFFICIENT_FUNDS {
        return RpcError::TxRejected("insufficient funds for transfer".into());
    }
    let data = unwrap_cbor_bytes(result.receipt.return_data.bytes());
    let exit_code = exit.value();
    if exit_code == EVM_REVERT_EXIT_CODE {
        return RpcError::ExecutionReverted { exit_code, data, failure: None };
    }
    // An actor's failure reads "exit N: reason" (or just "exit N"): name the code, then the
    // actor's reason.
    let meaning = exit_code_meaning(exit);
    let failure = match &result.failure_info {
        Some(info) => match info.strip_prefix(&format!("exit {exit}")) {
            Some(rest) => match rest.strip_prefix(": ") {
                Some(reason) if reason.starts_with(meaning) => reason.to_owned(),
                Some(reason) if !reason.is_empty() => format!("{meaning}: {reason}"),
                _ => meaning.to_owned(),
            },
            None => info.clone(),
        },
        None => meaning.to_owned(),
    };
    RpcError::ExecutionReverted { exit_code, data, failure: Some(failure) }
}

/// What a Filecoin exit code means (FEVM.md §1.0), for error messages.
pub(super) fn exit_code_meaning(exit: ExitCode) -> &'static str {
    match exit.value() {
        1 => "sender invalid",
        2 => "sender state invalid",
        4 => "illegal instruction",
        5 => "invalid receiver",
        6 => "insufficient funds",
        7 => "out of gas",
        9 => "illegal exit code",
        10 => "system assertion failed",
        11 => "missing return",
        16 => "illegal argument",
        17 => "not found",
        18 => "forbidden",
        19 => "insufficient funds",
        20 => "illegal state",
        21 => "serialization error",
        22 => "unhandled message",
        23 => "unspecified error",
        24 => "assertion failed",
        25 => "read-only violation",
        26 => "not payable",
        33 => "contract reverted",
        34 => "invalid instruction",
        35 => "undefined instruction",
        36 => "stack underflow",
        37 => "stack overflow",
        38 => "illegal memory access",
        39 => "bad jump destination",
        40 => "self-destruct failed",
        _ => "actor error",
    }
}

// --- shared helpers -------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use alloy_primitives::U256;
    use alloy_rpc_types_eth::TransactionInput;
    use evm_actor::methods::INVOKE_CONTRACT_METHOD;
    use fvm_ipld_encoding::RawBytes;
    use fvm_shared::address::Address;
    use fvm_shared::econ::TokenAmount;
    use fvm_shared::receipt::Receipt;

    use super::*;

    fn result(exit: u32, return_data: Vec<u8>, failure: Option<&str>) -> InvocResult {
        InvocResult {
            receipt: Receipt {
                exit_code: ExitCode::new(exit),
                return_data: RawBytes::new(return_data),
                gas_used: 1,
                events_root: None,
            },
            logs: vec![],
            trace: None,
            failure_info: failure.map(str::to_owned),
            deployed_code: None,
        }
    }

    #[test]
    fn a_call_object_becomes_an_invoke_contract_message() {
        let to = EthAddress::repeat_byte(0x11);
        let request = TransactionRequest {
            to: Some(TxKind::Call(to)),
            input: TransactionInput {
                input: Some(vec![1, 2, 3].into()),
                data: Some(vec![9].into()),
            },
            value: Some(U256::from(7)),
            ..TransactionRequest::default()
        };
        let msg = call_message(&request).unwrap();
        assert_eq!(msg.from, address_mapping::eth_to_filecoin(&EthAddress::ZERO).unwrap());
        assert_eq!(msg.to, address_mapping::eth_to_filecoin(&to).unwrap());
        assert_eq!(msg.method_num, INVOKE_CONTRACT_METHOD);
        // `input` wins over `data`, wrapped as a CBOR byte string.
        assert_eq!(msg.params.bytes(), &[0x43, 1, 2, 3]);
        assert_eq!(msg.value, TokenAmount::from_atto(7));
        assert_eq!(msg.gas_limit, BLOCK_GAS_LIMIT);
    }

    #[test]
    fn a_call_without_to_deploys_through_the_eam() {
        let request = TransactionRequest {
            from: Some(address_mapping::masked_id_address(100)),
            input: TransactionInput { input: None, data: Some(vec![0x60; 30].into()) },
            gas: Some(u64::MAX),
            ..TransactionRequest::default()
        };
        let msg = call_message(&request).unwrap();
        assert_eq!(msg.from, Address::new_id(100));
        assert_eq!(msg.to, Address::new_id(10));
        assert_eq!(msg.method_num, EAM_CREATE_EXTERNAL_METHOD);
        assert_eq!(&msg.params.bytes()[..2], &[0x58, 30]);
        assert_eq!(msg.gas_limit, BLOCK_GAS_LIMIT);
        let empty = call_message(&TransactionRequest {
            to: Some(TxKind::Call(EthAddress::ZERO)),
            ..TransactionRequest::default()
        })
        .unwrap();
        assert!(empty.params.is_empty());
    }

    #[test]
    fn failures_map_to_geth_shapes() {
        let revert = result(33, vec![0x42, 0xab, 0xcd], Some("exit 33"));
        assert_eq!(
            call_failure(&revert),
            RpcError::ExecutionReverted {
                exit_code: 33,
                data: Bytes::from_static(&[0xab, 0xcd]),
                failure: None
            }
        );
        assert_eq!(call_failure(&result(7, vec![], Some("out of gas"))), RpcError::OutOfGas);
        let invalid = call_failure(&result(34, vec![], Some("exit 34")));
        assert_eq!(invalid.to_string(), "execution reverted: invalid instruction (exit code 34)");
        let send = call_failure(&result(6, vec![], Some("send failed: InsufficientFunds")));
        assert_eq!(send, RpcError::TxRejected("insufficient funds for transfer".into()));
        let missing = call_failure(&result(22, vec![], Some("exit 22")));
        assert_eq!(missing.to_string(), "execution reverted: unhandled message (exit code 22)");
        let explained = call_failure(&result(16, vec![], Some("exit 16: sector 1 taken")));
        assert_eq!(
            explained.to_string(),
            "execution reverted: illegal argument: sector 1 taken (exit code 16)"
        );
    }

    #[test]
    fn cbor_byte_strings_unwrap() {
        // A CBOR byte string of each length class, as messages carry them.
        for (input, cbor) in [
            (vec![], vec![]),
            (vec![7], vec![0x41, 7]),
            (vec![0x5a; 24], [vec![0x58, 24], vec![0x5a; 24]].concat()),
            (vec![0x5a; 256], [vec![0x59, 1, 0], vec![0x5a; 256]].concat()),
        ] {
            assert_eq!(unwrap_cbor_bytes(&cbor).as_ref(), input.as_slice());
        }
        // Not CBOR: returned as is.
        assert_eq!(unwrap_cbor_bytes(&[0xff, 0x00]).as_ref(), &[0xff, 0x00]);
    }

    #[test]
    fn a_call_to_the_eam_is_refused_as_its_transaction_is() {
        // One builder for both: chain's test of the same transaction says the same.
        let request = TransactionRequest {
            to: Some(TxKind::Call(address_mapping::masked_id_address(10))),
            input: TransactionInput { input: Some(vec![1].into()), data: None },
            ..TransactionRequest::default()
        };
        let err = call_message(&request).unwrap_err();
        assert!(matches!(err, RpcError::InvalidParams(_)), "{err:?}");
        assert!(err.to_string().contains("the EAM (f010) cannot be called"), "{err}");
    }
}
