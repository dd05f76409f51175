//! FEVM's own versions of the opcodes whose meaning differs from Ethereum (FEVM.md §3): state,
//! logs, environment and account queries. Calls and creation are in `calls`.

use alloy_primitives::{Address, B256, U256, keccak256};
use fvm_ipld_encoding::IPLD_RAW;
use fvm_shared::event::{ActorEvent, Entry, Flags};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_types::{InputsTr, MemoryTr, RuntimeFlag};
use revm::interpreter::{
    InstructionContext, InstructionResult, popn, push, require_non_staticcall,
};

use super::host::FevmHost;
use crate::addressing::{self, ContractType};
use crate::units::token_to_u256;

/// The context every custom instruction gets.
pub(crate) type Ctx<'a, 's, 'r> = InstructionContext<'a, FevmHost<'s, 'r>, EthInterpreter>;
/// What an instruction returns.
pub(crate) type Step = Result<(), InstructionResult>;

/// keccak256(0xfe): the code hash FEVM reports for native (non-EVM) actors.
pub(crate) const NATIVE_ACTOR_CODE_HASH: B256 =
    alloy_primitives::b256!("bcc90f2d6dada5b18e155c17a1c0a55920aae94f39857d39d0d8ed07ae8f228b");

pub(crate) fn sload(ctx: Ctx<'_, '_, '_>) -> Step {
    popn!([key], ctx.interpreter);
    let value = ctx.host.syscall(&mut ctx.interpreter.gas, |h| h.sys.get_storage(key))?;
    push!(ctx.interpreter, value);
    Ok(())
}

pub(crate) fn sstore(ctx: Ctx<'_, '_, '_>) -> Step {
    require_non_staticcall!(ctx.interpreter);
    popn!([key, value], ctx.interpreter);
    ctx.host.syscall(&mut ctx.interpreter.gas, |h| h.sys.set_storage(key, value))
}

pub(crate) fn tload(ctx: Ctx<'_, '_, '_>) -> Step {
    popn!([key], ctx.interpreter);
    let value = ctx.host.syscall(&mut ctx.interpreter.gas, |h| h.sys.get_transient(key))?;
    push!(ctx.interpreter, value);
    Ok(())
}

pub(crate) fn tstore(ctx: Ctx<'_, '_, '_>) -> Step {
    require_non_staticcall!(ctx.interpreter);
    popn!([key, value], ctx.interpreter);
    ctx.host.syscall(&mut ctx.interpreter.gas, |h| h.sys.set_transient(key, value))
}

/// LOG0–LOG4 → one actor event: topics as `t1`..`t4`, data as `d` (omitted when empty), every
/// entry indexed (flags 0x03) and raw (codec 0x55).
pub(crate) fn log<const N: usize>(ctx: Ctx<'_, '_, '_>) -> Step {
    require_non_staticcall!(ctx.interpreter);
    popn!([offset, len], ctx.interpreter);
    let range = revm::interpreter::instructions::contract::resize_memory(
        ctx.interpreter,
        &ctx.host.gas_params,
        offset,
        len,
    )?;
    let data =
        if range.is_empty() { Vec::new() } else { ctx.interpreter.memory.slice(range).to_vec() };
    let Some(topics) = ctx.interpreter.stack.popn::<N>() else {
        return Err(InstructionResult::StackUnderflow);
    };
    let mut entries = Vec::with_capacity(N + 1);
    for (i, topic) in topics.iter().enumerate() {
        entries.push(Entry {
            flags: Flags::FLAG_INDEXED_ALL,
            key: format!("t{}", i + 1),
            codec: IPLD_RAW,
            value: topic.to_be_bytes::<32>().to_vec(),
        });
    }
    if !data.is_empty() {
        entries.push(Entry {
            flags: Flags::FLAG_INDEXED_ALL,
            key: "d".into(),
            codec: IPLD_RAW,
            value: data,
        });
    }
    let event = ActorEvent::from(entries);
    ctx.host.syscall(&mut ctx.interpreter.gas, |h| h.sys.rt.emit_event(&event))
}

/// GAS: the Filecoin gas left to this frame.
pub(crate) fn gas(ctx: Ctx<'_, '_, '_>) -> Step {
    let left = ctx.host.syscall(&mut ctx.interpreter.gas, |h| Ok(h.sys.rt.gas_available()))?;
    push!(ctx.interpreter, U256::from(left));
    Ok(())
}

/// BLOCKHASH: the digest of the tipset CID at that epoch, for the previous 256 epochs.
pub(crate) fn blockhash(ctx: Ctx<'_, '_, '_>) -> Step {
    popn!([number], ctx.interpreter);
    let current = ctx.host.sys.rt.machine().epoch;
    let hash = match u64::try_from(number).ok().and_then(|n| i64::try_from(n).ok()) {
        Some(n) if n < current && current - n <= 256 => {
            ctx.host.syscall(&mut ctx.interpreter.gas, |h| {
                let cid = h.sys.rt.tipset_cid(n)?;
                let digest = cid.hash().digest();
                let mut word = [0u8; 32];
                let len = digest.len().min(32);
                word[..len].copy_from_slice(&digest[..len]);
                Ok(U256::from_be_bytes(word))
            })?
        }
        _ => U256::ZERO,
    };
    push!(ctx.interpreter, hash);
    Ok(())
}

/// PREVRANDAO: blake2b-256(i64be(10) ‖ beacon digest at the current epoch ‖ i64be(epoch) ‖
/// "prevrandao"), the FEVM derivation with domain-separation tag `EvmPrevRandao` = 10.
pub(crate) fn prevrandao(ctx: Ctx<'_, '_, '_>) -> Step {
    let value = ctx.host.syscall(&mut ctx.interpreter.gas, |h| {
        let epoch = h.sys.rt.machine().epoch;
        let beacon = h.sys.rt.beacon_randomness(epoch)?;
        let mut input = Vec::with_capacity(8 + 32 + 8 + 10);
        input.extend_from_slice(&10i64.to_be_bytes());
        input.extend_from_slice(&beacon);
        input.extend_from_slice(&epoch.to_be_bytes());
        input.extend_from_slice(b"prevrandao");
        Ok(U256::from_be_bytes(crate::hashing::blake2b_256(&input)))
    })?;
    push!(ctx.interpreter, value);
    Ok(())
}

/// ORIGIN: the top-level sender's Ethereum form (f410 subaddress, else its masked ID).
pub(crate) fn origin(ctx: Ctx<'_, '_, '_>) -> Step {
    let origin = ctx.host.syscall(&mut ctx.interpreter.gas, |h| {
        let id = h.sys.rt.message().origin;
        addressing::eth_address_of(h.sys.rt, id)
    })?;
    push!(ctx.interpreter, origin.into_word().into());
    Ok(())
}

/// BALANCE of any address (0 when it does not resolve).
pub(crate) fn balance(ctx: Ctx<'_, '_, '_>) -> Step {
    popn!([word], ctx.interpreter);
    let address = Address::from_word(B256::from(word));
    let balance = ctx.host.syscall(&mut ctx.interpreter.gas, |h| {
        let Some(id) = addressing::resolve_eth(h.sys.rt, &address)? else { return Ok(U256::ZERO) };
        Ok(h.sys.rt.balance_of(id)?.map_or(U256::ZERO, |b| token_to_u256(&b)))
    })?;
    push!(ctx.interpreter, balance);
    Ok(())
}

/// SELFBALANCE.
pub(crate) fn selfbalance(ctx: Ctx<'_, '_, '_>) -> Step {
    let balance = ctx
        .host
        .syscall(&mut ctx.interpreter.gas, |h| Ok(token_to_u256(&h.sys.rt.current_balance()?)))?;
    push!(ctx.interpreter, balance);
    Ok(())
}

/// The code FEVM reports for an address (FEVM.md §3.4), with its hash.
fn ext_code(ctx: &mut Ctx<'_, '_, '_>, word: U256) -> Result<(Vec<u8>, B256), InstructionResult> {
    let address = Address::from_word(B256::from(word));
    let me = ctx.host.receiver;
    ctx.host.syscall(&mut ctx.interpreter.gas, |h| {
        Ok(match addressing::contract_type(h.sys.rt, &address)? {
            ContractType::Evm(_) if address == me && h.sys.is_constructing() => {
                (Vec::new(), keccak256([]))
            }
            ContractType::Evm(id) => match crate::actor::fetch_bytecode(h.sys.rt, id)? {
                Some((code, hash)) => (code.to_vec(), hash),
                None => (Vec::new(), keccak256([])),
            },
            ContractType::Account | ContractType::Precompile => (Vec::new(), keccak256([])),
            ContractType::Native => (vec![0xfe], NATIVE_ACTOR_CODE_HASH),
            ContractType::Missing => (Vec::new(), B256::ZERO),
        })
    })
}

pub(crate) fn extcodesize(mut ctx: Ctx<'_, '_, '_>) -> Step {
    popn!([word], ctx.interpreter);
    let (code, _) = ext_code(&mut ctx, word)?;
    push!(ctx.interpreter, U256::from(code.len()));
    Ok(())
}

pub(crate) fn extcodehash(mut ctx: Ctx<'_, '_, '_>) -> Step {
    popn!([word], ctx.interpreter);
    let (_, hash) = ext_code(&mut ctx, word)?;
    push!(ctx.interpreter, hash.into());
    Ok(())
}

pub(crate) fn extcodecopy(mut ctx: Ctx<'_, '_, '_>) -> Step {
    popn!([word, mem_offset, code_offset, len], ctx.interpreter);
    let (code, _) = ext_code(&mut ctx, word)?;
    let range = revm::interpreter::instructions::contract::resize_memory(
        ctx.interpreter,
        &ctx.host.gas_params,
        mem_offset,
        len,
    )?;
    if range.is_empty() {
        return Ok(());
    }
    let code_offset = usize::try_from(code_offset).unwrap_or(usize::MAX).min(code.len());
    ctx.interpreter.memory.set_data(range.start, code_offset, range.len(), &code);
    Ok(())
}

/// CALLER is the interpreter's input; kept here so every environment opcode is in one place.
pub(crate) fn caller(ctx: Ctx<'_, '_, '_>) -> Step {
    let caller = ctx.interpreter.input.caller_address();
    push!(ctx.interpreter, caller.into_word().into());
    Ok(())
}
