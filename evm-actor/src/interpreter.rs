//! Running bytecode: one revm interpreter per actor invocation, with FEVM's instruction table.
//!
//! revm's interpreter runs the opcodes whose meaning FEVM keeps from Ethereum (arithmetic,
//! memory, control flow, calldata/returndata, hashing). Every opcode that reaches outside the
//! contract is replaced by an FEVM instruction that goes through the Filecoin VM — including
//! CALL and CREATE, which become actor sends *inside* the instruction, so the interpreter never
//! hands a new frame back to us.

pub mod calls;
pub mod host;
pub(crate) mod instructions;

use alloy_primitives::{Address, Bytes, U256};
use filecoin_vm::ActorError;
use fvm_shared::error::ExitCode;
use revm::bytecode::Bytecode;
use revm::bytecode::opcode::*;
use revm::interpreter::instructions::{Instruction, InstructionTable, instruction_table};
use revm::interpreter::interpreter::{EthInterpreter, ExtBytecode, InputsImpl, SharedMemory};
use revm::interpreter::{CallInput, InstructionResult, Interpreter, InterpreterAction};
use revm::primitives::hardfork::SpecId;

use crate::system::System;
use host::FevmHost;

/// Exit code of a REVERT.
pub const EVM_CONTRACT_REVERTED: ExitCode = ExitCode::new(33);
/// INVALID (0xfe).
pub const EVM_CONTRACT_INVALID_INSTRUCTION: ExitCode = ExitCode::new(34);
/// An undefined opcode (including CALLCODE, BLOBHASH, BLOBBASEFEE).
pub const EVM_CONTRACT_UNDEFINED_INSTRUCTION: ExitCode = ExitCode::new(35);
/// Stack underflow.
pub const EVM_CONTRACT_STACK_UNDERFLOW: ExitCode = ExitCode::new(36);
/// Stack overflow.
pub const EVM_CONTRACT_STACK_OVERFLOW: ExitCode = ExitCode::new(37);
/// Memory offset or size out of range, or RETURNDATACOPY out of bounds.
pub const EVM_CONTRACT_ILLEGAL_MEMORY_ACCESS: ExitCode = ExitCode::new(38);
/// Jump to a non-JUMPDEST.
pub const EVM_CONTRACT_BAD_JUMPDEST: ExitCode = ExitCode::new(39);
/// SELFDESTRUCT could not pay its beneficiary.
pub const EVM_CONTRACT_SELFDESTRUCT_FAILED: ExitCode = ExitCode::new(40);

/// Memory one contract invocation may use: FEVM's Wasm instances are capped at 512 MiB.
pub const MEMORY_LIMIT: u64 = 512 << 20;

/// What a successful (or reverted) execution produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    /// True for RETURN/STOP (and SELFDESTRUCT), false for REVERT.
    pub success: bool,
    /// Returned or revert bytes.
    pub output: Bytes,
}

/// The message an execution serves.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Bytecode to run, analysed.
    pub code: Bytecode,
    /// Calldata.
    pub input: Bytes,
    /// CALLER.
    pub caller: Address,
    /// ADDRESS.
    pub receiver: Address,
    /// CALLVALUE.
    pub value: U256,
}

/// Runs `frame` against `sys`. A halt (anything other than RETURN/STOP/REVERT) is an
/// `ActorError` with FEVM's exit code for it.
pub fn execute(sys: &mut System<'_>, frame: Frame) -> Result<Execution, ActorError> {
    let gas_limit = sys.rt.gas_available();
    let is_static = sys.read_only;
    let inputs = InputsImpl {
        target_address: frame.receiver,
        bytecode_address: None,
        caller_address: frame.caller,
        input: CallInput::Bytes(frame.input),
        call_value: frame.value,
        depth: 0,
    };
    let bytecode = ExtBytecode::new(frame.code);
    let mut interpreter: Interpreter<EthInterpreter> = Interpreter::new(
        SharedMemory::new_with_memory_limit(MEMORY_LIMIT),
        bytecode,
        inputs,
        is_static,
        SpecId::OSAKA,
        gas_limit,
    );
    let table = fevm_instruction_table();
    let gas_table = crate::gas_model::gas_table();
    let mut host = FevmHost::new(sys, frame.receiver);
    let action = interpreter.run_plain(&table, &gas_table, &mut host);
    let settled = host.sync_gas(&mut interpreter.gas);
    if let Some(error) = host.error.take() {
        return Err(error);
    }
    settled?;
    let result = match action {
        InterpreterAction::Return(result) => result,
        InterpreterAction::NewFrame(_) => {
            return Err(ActorError::new(
                ExitCode::USR_ASSERTION_FAILED,
                "the interpreter asked for a frame; FEVM calls never leave their instruction",
            ));
        }
    };
    match result.result {
        InstructionResult::Stop | InstructionResult::Return | InstructionResult::SelfDestruct => {
            Ok(Execution { success: true, output: result.output })
        }
        InstructionResult::Revert => Ok(Execution { success: false, output: result.output }),
        other => {
            let error = halt_error(other);
            if error.exit_code() == ExitCode::SYS_OUT_OF_GAS {
                // revm's meter ran dry: burn what the frame has left so the VM sees a real
                // out-of-gas (exit 7), not an actor claiming a system exit code.
                let _ = sys.rt.charge_gas(filecoin_vm::Gas::new(u64::MAX));
            }
            Err(error)
        }
    }
}

/// FEVM's exit code for an interpreter halt.
fn halt_error(result: InstructionResult) -> ActorError {
    use InstructionResult as R;
    let (code, what) = match result {
        R::OutOfGas | R::MemoryOOG | R::PrecompileOOG | R::ReentrancySentryOOG => {
            return ActorError::out_of_gas();
        }
        // Past the 512 MiB cap. An offset beyond u32 (the common case) is exit 38 on FEVM too; a
        // real allocation between 512 MiB and 4 GiB is SYS_ILLEGAL_INSTRUCTION there, a system
        // code an actor cannot return, so it is 38 here as well.
        R::MemoryLimitOOG => {
            (EVM_CONTRACT_ILLEGAL_MEMORY_ACCESS, "memory beyond the 512 MiB limit")
        }
        R::InvalidFEOpcode => (EVM_CONTRACT_INVALID_INSTRUCTION, "invalid instruction"),
        R::OpcodeNotFound | R::NotActivated | R::InvalidImmediateEncoding => {
            (EVM_CONTRACT_UNDEFINED_INSTRUCTION, "undefined instruction")
        }
        R::StackUnderflow => (EVM_CONTRACT_STACK_UNDERFLOW, "stack underflow"),
        R::StackOverflow => (EVM_CONTRACT_STACK_OVERFLOW, "stack overflow"),
        R::InvalidOperandOOG | R::OutOfOffset => {
            (EVM_CONTRACT_ILLEGAL_MEMORY_ACCESS, "illegal memory access")
        }
        R::InvalidJump => (EVM_CONTRACT_BAD_JUMPDEST, "bad jump destination"),
        R::StateChangeDuringStaticCall | R::CallNotAllowedInsideStatic => {
            (ExitCode::USR_READ_ONLY, "state change in a read-only context")
        }
        R::CreateContractStartingWithEF
        | R::CreateContractSizeLimit
        | R::CreateInitCodeSizeLimit => (ExitCode::USR_ILLEGAL_ARGUMENT, "invalid contract code"),
        _ => (ExitCode::USR_ASSERTION_FAILED, "unexpected interpreter halt"),
    };
    ActorError::new(code, format!("{what} ({result:?})"))
}

/// revm's table with FEVM's instructions in place of Ethereum's where they differ.
fn fevm_instruction_table<'s, 'r>() -> InstructionTable<EthInterpreter, FevmHost<'s, 'r>> {
    use calls::*;
    use instructions::*;
    let mut table = instruction_table::<EthInterpreter, FevmHost<'s, 'r>>();
    let mut set = |op: u8, f| table[op as usize] = Instruction::new(f);
    set(SLOAD, sload);
    set(SSTORE, sstore);
    set(TLOAD, tload);
    set(TSTORE, tstore);
    set(LOG0, log::<0>);
    set(LOG1, log::<1>);
    set(LOG2, log::<2>);
    set(LOG3, log::<3>);
    set(LOG4, log::<4>);
    set(GAS, gas);
    set(BLOCKHASH, blockhash);
    set(DIFFICULTY, prevrandao);
    set(ORIGIN, origin);
    set(CALLER, caller);
    set(BALANCE, balance);
    set(SELFBALANCE, selfbalance);
    set(EXTCODESIZE, extcodesize);
    set(EXTCODEHASH, extcodehash);
    set(EXTCODECOPY, extcodecopy);
    set(CALL, call);
    set(STATICCALL, staticcall);
    set(DELEGATECALL, delegatecall);
    set(CREATE, create);
    set(CREATE2, create2);
    set(SELFDESTRUCT, selfdestruct);
    for undefined in [CALLCODE, BLOBHASH, BLOBBASEFEE] {
        table[undefined as usize] = Instruction::unknown();
    }
    table
}
