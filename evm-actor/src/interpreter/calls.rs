//! CALL, STATICCALL, DELEGATECALL, CREATE, CREATE2 and SELFDESTRUCT as Filecoin sends
//! (FEVM.md §3.5–§3.8). Each runs the send inside the instruction and writes the outcome back
//! into the interpreter (stack, memory, return data), as the builtin-actors interpreter does.

use std::ops::Range;

use alloy_primitives::{Address, B256, Bytes, U256};
use filecoin_vm::{ActorError, SendOutcome};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{BytesDe, DAG_CBOR, IPLD_RAW, RawBytes};
use fvm_shared::error::ErrorNumber;
use fvm_shared::sys::SendFlags;
use fvm_shared::{METHOD_SEND, MethodNum};
use revm::interpreter::instructions::contract::{get_memory_input_and_out_ranges, resize_memory};
use revm::interpreter::interpreter_types::{
    InputsTr, LoopControl, MemoryTr, ReturnData, RuntimeFlag,
};
use revm::interpreter::{InstructionResult, popn, push, require_non_staticcall};

use super::host::FevmHost;
use super::instructions::{Ctx, Step};
use crate::addressing::{self, ContractType};
use crate::methods::{
    EAM_ACTOR_ID, EamCreate2Params, EamCreateParams, EamReturn, GET_BYTECODE_METHOD,
    INVOKE_CONTRACT_DELEGATE_METHOD, INVOKE_CONTRACT_METHOD, InvokeDelegateParams,
};
use crate::precompiles::{self, CallKind};
use crate::units::{token_to_u256, u256_to_token};

/// The gas FEVM gives `transfer`/`send` (which ask for 0 or 2,300 gas) instead.
pub const TRANSFER_GAS_LIMIT: u64 = 10_000_000;

/// What a sub-call left behind: success flag and return data.
struct CallResult {
    success: bool,
    output: Bytes,
}

impl CallResult {
    const fn ok(output: Bytes) -> Self {
        Self { success: true, output }
    }
    const fn failed(output: Bytes) -> Self {
        Self { success: false, output }
    }
}

/// The gas limit a call sends: `min(requested, 63/64 of available)`, with Solidity's
/// `transfer`/`send` stipends replaced by [`TRANSFER_GAS_LIMIT`] first.
pub fn call_gas_limit(requested: U256, value: &U256, available: u64) -> u64 {
    let mut requested = u64::try_from(requested).unwrap_or(u64::MAX);
    if (requested == 0 && !value.is_zero()) || (requested == 2_300 && value.is_zero()) {
        requested = TRANSFER_GAS_LIMIT;
    }
    requested.min(available - available / 64)
}

/// The bytes a callee returned: a CBOR byte string is unwrapped, anything else taken raw.
pub fn decode_return(block: Option<IpldBlock>) -> Bytes {
    match block {
        None => Bytes::new(),
        Some(block) => match fvm_ipld_encoding::from_slice::<BytesDe>(&block.data) {
            Ok(BytesDe(bytes)) => bytes.into(),
            Err(_) => block.data.into(),
        },
    }
}

pub(crate) fn call(ctx: Ctx<'_, '_, '_>) -> Step {
    popn!([gas, to, value], ctx.interpreter);
    if !value.is_zero() {
        require_non_staticcall!(ctx.interpreter);
    }
    call_common(ctx, CallKind::Call, gas, to, value)
}

pub(crate) fn staticcall(ctx: Ctx<'_, '_, '_>) -> Step {
    popn!([gas, to], ctx.interpreter);
    call_common(ctx, CallKind::StaticCall, gas, to, U256::ZERO)
}

pub(crate) fn delegatecall(ctx: Ctx<'_, '_, '_>) -> Step {
    popn!([gas, to], ctx.interpreter);
    let value = ctx.interpreter.input.call_value();
    call_common(ctx, CallKind::DelegateCall, gas, to, value)
}

fn call_common(mut ctx: Ctx<'_, '_, '_>, kind: CallKind, gas: U256, to: U256, value: U256) -> Step {
    let (in_range, out_range) =
        get_memory_input_and_out_ranges(ctx.interpreter, &ctx.host.gas_params)?;
    let input = read_memory(&ctx, in_range);
    let to = Address::from_word(B256::from(to));
    let read_only = ctx.interpreter.runtime_flag.is_static() || kind == CallKind::StaticCall;
    let caller = ctx.interpreter.input.caller_address();
    let result = ctx.host.syscall(&mut ctx.interpreter.gas, |h| {
        let limit = call_gas_limit(gas, &value, h.sys.rt.gas_available());
        if addressing::is_precompile(&to) {
            let out = precompiles::call(h, &to, &input, &value, kind, limit, read_only)?;
            return Ok(out.map_or_else(|()| CallResult::failed(Bytes::new()), CallResult::ok));
        }
        match kind {
            CallKind::DelegateCall => delegate(h, &to, input, caller, value, limit, read_only),
            _ => invoke(h, &to, input, value, limit, read_only),
        }
    })?;
    finish_call(&mut ctx, result, out_range)
}

/// Writes a call's outcome into the interpreter: return data, output memory, success flag.
fn finish_call(ctx: &mut Ctx<'_, '_, '_>, result: CallResult, out: Range<usize>) -> Step {
    if !out.is_empty() {
        let len = out.len().min(result.output.len());
        if len > 0 {
            ctx.interpreter.memory.set(out.start, &result.output[..len]);
        }
    }
    ctx.interpreter.return_data.set_buffer(result.output);
    push!(ctx.interpreter, U256::from(u8::from(result.success)));
    Ok(())
}

fn read_memory(ctx: &Ctx<'_, '_, '_>, range: Range<usize>) -> Bytes {
    if range.is_empty() {
        Bytes::new()
    } else {
        Bytes::copy_from_slice(&ctx.interpreter.memory.global_slice(range))
    }
}

/// CALL / STATICCALL of an address that is not a precompile: `InvokeContract` on the actor.
fn invoke(
    h: &mut FevmHost<'_, '_>,
    to: &Address,
    input: Bytes,
    value: U256,
    gas_limit: u64,
    read_only: bool,
) -> Result<CallResult, ActorError> {
    let params = (!input.is_empty()).then(|| IpldBlock { codec: IPLD_RAW, data: input.to_vec() });
    let flags = if read_only { SendFlags::READ_ONLY } else { SendFlags::empty() };
    let target = addressing::to_filecoin(to);
    let outcome = h.sys.send(
        &target,
        INVOKE_CONTRACT_METHOD,
        params,
        u256_to_token(value),
        Some(gas_limit),
        flags,
    )?;
    Ok(from_outcome(outcome))
}

/// The EVM view of a send's outcome (FEVM.md §3.5).
fn from_outcome(outcome: Result<SendOutcome, ErrorNumber>) -> CallResult {
    match outcome {
        Ok(o) if o.exit_code.is_success() => CallResult::ok(decode_return(o.return_data)),
        Ok(o) => CallResult::failed(decode_return(o.return_data)),
        // A missing masked ID, or a placeholder that cannot be created read-only: success, empty.
        Err(ErrorNumber::NotFound | ErrorNumber::ReadOnly) => CallResult::ok(Bytes::new()),
        Err(_) => CallResult::failed(Bytes::new()),
    }
}

/// DELEGATECALL: run the target's code in this contract's state through
/// `InvokeContractDelegate` on ourselves.
#[allow(clippy::too_many_arguments)]
fn delegate(
    h: &mut FevmHost<'_, '_>,
    to: &Address,
    input: Bytes,
    caller: Address,
    value: U256,
    gas_limit: u64,
    read_only: bool,
) -> Result<CallResult, ActorError> {
    let id = match addressing::contract_type(h.sys.rt, to)? {
        ContractType::Evm(id) => id,
        ContractType::Native => return Ok(CallResult::failed(Bytes::new())),
        _ => return Ok(CallResult::ok(Bytes::new())),
    };
    let code = h.sys.send(
        &fvm_shared::address::Address::new_id(id),
        GET_BYTECODE_METHOD,
        None,
        Default::default(),
        None,
        SendFlags::READ_ONLY,
    )?;
    let code: Option<cid::Cid> = match code {
        Ok(o) if o.exit_code.is_success() => match o.return_data {
            Some(block) => {
                block.deserialize().map_err(|e| ActorError::serialization(e.to_string()))?
            }
            None => None,
        },
        _ => return Ok(CallResult::failed(Bytes::new())),
    };
    let Some(code) = code else { return Ok(CallResult::ok(Bytes::new())) };
    let params = InvokeDelegateParams {
        code,
        input: RawBytes::new(input.to_vec()),
        caller: caller.into_array(),
        value: u256_to_token(value),
    };
    let block = IpldBlock::serialize(DAG_CBOR, &params)
        .map_err(|e| ActorError::serialization(e.to_string()))?;
    let me = fvm_shared::address::Address::new_id(h.sys.receiver());
    let flags = if read_only { SendFlags::READ_ONLY } else { SendFlags::empty() };
    let outcome = h.sys.send(
        &me,
        INVOKE_CONTRACT_DELEGATE_METHOD,
        Some(block),
        Default::default(),
        Some(gas_limit),
        flags,
    )?;
    Ok(from_outcome(outcome))
}

pub(crate) fn create(ctx: Ctx<'_, '_, '_>) -> Step {
    create_common(ctx, false)
}

pub(crate) fn create2(ctx: Ctx<'_, '_, '_>) -> Step {
    create_common(ctx, true)
}

/// CREATE / CREATE2 through the EAM. The nonce is bumped before the EAM call and stays bumped
/// whatever happens, unless the endowment exceeds the balance (FEVM.md §3.8).
fn create_common(ctx: Ctx<'_, '_, '_>, is_create2: bool) -> Step {
    require_non_staticcall!(ctx.interpreter);
    popn!([value, offset, len], ctx.interpreter);
    let salt = if is_create2 {
        popn!([salt], ctx.interpreter);
        Some(salt)
    } else {
        None
    };
    let range = resize_memory(ctx.interpreter, &ctx.host.gas_params, offset, len)?;
    let initcode = read_memory(&ctx, range);
    ctx.interpreter.return_data.clear();
    let result = ctx.host.syscall(&mut ctx.interpreter.gas, |h| {
        if token_to_u256(&h.sys.rt.current_balance()?) < value {
            return Ok((None, Bytes::new()));
        }
        let nonce = h.sys.nonce();
        h.sys.increment_nonce();
        let (method, params) = match salt {
            None => (
                2,
                IpldBlock::serialize_cbor(&EamCreateParams {
                    initcode: RawBytes::new(initcode.to_vec()),
                    nonce,
                }),
            ),
            Some(salt) => (
                3,
                IpldBlock::serialize_cbor(&EamCreate2Params {
                    initcode: RawBytes::new(initcode.to_vec()),
                    salt: salt.to_be_bytes::<32>(),
                }),
            ),
        };
        let params = params.map_err(|e| ActorError::serialization(e.to_string()))?;
        let available = h.sys.rt.gas_available();
        let limit = available - available / 64;
        let eam = fvm_shared::address::Address::new_id(EAM_ACTOR_ID);
        let outcome = h.sys.send(
            &eam,
            method as MethodNum,
            params,
            u256_to_token(value),
            Some(limit),
            SendFlags::empty(),
        )?;
        Ok(match outcome {
            Ok(o) if o.exit_code.is_success() => {
                let ret: EamReturn = o
                    .return_data
                    .ok_or_else(|| ActorError::serialization("EAM returned nothing"))?
                    .deserialize()
                    .map_err(|e| ActorError::serialization(e.to_string()))?;
                (Some(Address::from(ret.eth_address)), Bytes::new())
            }
            Ok(o) => (None, decode_return(o.return_data)),
            Err(_) => (None, Bytes::new()),
        })
    })?;
    let (address, revert_data) = result;
    ctx.interpreter.return_data.set_buffer(revert_data);
    push!(ctx.interpreter, address.map_or(U256::ZERO, |a| a.into_word().into()));
    Ok(())
}

/// SELFDESTRUCT: pay the whole balance to the beneficiary (METHOD_SEND, no code runs; to self
/// it is a no-op), set the tombstone, stop. A failed payment aborts with exit 40.
pub(crate) fn selfdestruct(ctx: Ctx<'_, '_, '_>) -> Step {
    require_non_staticcall!(ctx.interpreter);
    popn!([beneficiary], ctx.interpreter);
    let beneficiary = Address::from_word(B256::from(beneficiary));
    let me = ctx.host.receiver;
    ctx.host.syscall(&mut ctx.interpreter.gas, |h| {
        if beneficiary != me {
            let balance = h.sys.rt.current_balance()?;
            let target = addressing::to_filecoin(&beneficiary);
            let paid = h.sys.send(&target, METHOD_SEND, None, balance, None, SendFlags::empty())?;
            if !matches!(&paid, Ok(o) if o.exit_code.is_success()) {
                return Err(ActorError::new(
                    super::EVM_CONTRACT_SELFDESTRUCT_FAILED,
                    format!("selfdestruct could not pay {beneficiary}: {paid:?}"),
                ));
            }
        }
        h.sys.mark_selfdestructed();
        Ok(())
    })?;
    ctx.interpreter.bytecode.set_action(revm::interpreter::InterpreterAction::new_return(
        InstructionResult::SelfDestruct,
        Bytes::new(),
        ctx.interpreter.gas,
    ));
    Err(InstructionResult::SelfDestruct)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gas_forwarding_rules() {
        let avail = 64_000_000;
        assert_eq!(call_gas_limit(U256::from(1_000), &U256::ZERO, avail), 1_000);
        assert_eq!(call_gas_limit(U256::MAX, &U256::ZERO, avail), 63_000_000);
        assert_eq!(call_gas_limit(U256::from(2_300), &U256::ZERO, avail), TRANSFER_GAS_LIMIT);
        assert_eq!(call_gas_limit(U256::ZERO, &U256::from(1), avail), TRANSFER_GAS_LIMIT);
        assert_eq!(call_gas_limit(U256::ZERO, &U256::ZERO, avail), 0);
        assert_eq!(call_gas_limit(U256::from(2_300), &U256::from(1), avail), 2_300);
        assert_eq!(call_gas_limit(U256::from(2_300), &U256::ZERO, 6_400_000), 6_300_000);
    }

    #[test]
    fn return_blocks_are_unwrapped_from_cbor_bytes() {
        let wrapped = IpldBlock::serialize_cbor(&fvm_ipld_encoding::BytesSer(&[1, 2, 3])).unwrap();
        assert_eq!(decode_return(wrapped), Bytes::from(vec![1, 2, 3]));
        let raw = IpldBlock { codec: IPLD_RAW, data: vec![0xff, 0x00] };
        assert_eq!(decode_return(Some(raw)), Bytes::from(vec![0xff, 0x00]));
        assert_eq!(decode_return(None), Bytes::new());
    }
}
