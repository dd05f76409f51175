//! The EVM actor: its methods, caller rules and encodings (FEVM.md §1.7).

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use filecoin_vm::{Actor, ActorError, ActorResult, Runtime};
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::{BytesDe, BytesSer, CBOR, DAG_CBOR, IPLD_RAW};
use fvm_shared::error::ExitCode;
use fvm_shared::sys::SendFlags;
use fvm_shared::{ActorID, MethodNum};
use revm::bytecode::Bytecode;

use crate::addressing::eth_address_of;
use crate::interpreter::{EVM_CONTRACT_REVERTED, Frame, execute};
use crate::methods::*;
use crate::state::Word;
use crate::system::{EMPTY_CODE_HASH, System};
use crate::units::token_to_u256;

/// EIP-170: the largest runtime bytecode.
pub const MAX_CODE_SIZE: usize = 24 * 1024;

/// See the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct EvmActor;

impl Actor for EvmActor {
    fn invoke(
        &self,
        rt: &mut dyn Runtime,
        method: MethodNum,
        params: Option<IpldBlock>,
    ) -> ActorResult {
        match method {
            CONSTRUCTOR_METHOD => {
                if rt.message().caller != filecoin_vm::INIT_ACTOR_ID {
                    return Err(ActorError::forbidden("the EVM constructor is called by init"));
                }
                let params: ConstructorParams = decode_params(params)?;
                let mut sys = System::create(rt)?;
                initialize(&mut sys, params)
            }
            RESURRECT_METHOD => {
                if rt.message().caller != EAM_ACTOR_ID {
                    return Err(ActorError::forbidden("only the EAM may resurrect a contract"));
                }
                let params: ConstructorParams = decode_params(params)?;
                if !System::load(rt)?.is_dead() {
                    return Err(ActorError::forbidden("cannot resurrect a live contract"));
                }
                let mut sys = System::create(rt)?;
                initialize(&mut sys, params)
            }
            GET_BYTECODE_METHOD => {
                let sys = System::load(rt)?;
                let code = (!sys.is_dead()).then_some(sys.state().bytecode);
                Ok(IpldBlock::serialize(DAG_CBOR, &code).ok())
            }
            GET_BYTECODE_HASH_METHOD => {
                let sys = System::load(rt)?;
                let hash = if sys.is_dead() {
                    EMPTY_CODE_HASH.to_vec()
                } else {
                    sys.state().bytecode_hash.clone()
                };
                Ok(IpldBlock::serialize(CBOR, &BytesSer(&hash)).ok())
            }
            GET_STORAGE_AT_METHOD => {
                if rt.message().caller != filecoin_vm::SYSTEM_ACTOR_ID {
                    return Err(ActorError::forbidden("GetStorageAt is only for the system actor"));
                }
                let params: GetStorageAtParams = decode_params(params)?;
                let mut sys = System::load(rt)?;
                let value =
                    if sys.is_dead() { U256::ZERO } else { sys.get_storage(params.storage_key.0)? };
                Ok(IpldBlock::serialize(CBOR, &Word(value)).ok())
            }
            INVOKE_CONTRACT_DELEGATE_METHOD => {
                if rt.message().caller != rt.message().receiver {
                    return Err(ActorError::forbidden(
                        "InvokeContractDelegate is for DELEGATECALL only",
                    ));
                }
                let params: InvokeDelegateParams = decode_params(params)?;
                let mut sys = System::load(rt)?;
                let code = sys.load_analysed_bytecode(&params.code)?;
                let frame = Frame {
                    code,
                    input: params.input.to_vec().into(),
                    caller: Address::from(params.caller),
                    receiver: my_address(&mut sys)?,
                    value: token_to_u256(&params.value),
                };
                run(&mut sys, frame)
            }
            INVOKE_CONTRACT_METHOD => {
                let input = calldata(params)?;
                invoke_contract(rt, input)
            }
            m if m >= FIRST_FILECOIN_METHOD => handle_filecoin_method(rt, m, params),
            m => Err(ActorError::unhandled_method(m)),
        }
    }
}

/// `InvokeContract` accepts a CBOR byte string, a raw block, or nothing (empty calldata).
fn calldata(params: Option<IpldBlock>) -> Result<Bytes, ActorError> {
    match params {
        None => Ok(Bytes::new()),
        Some(block) if block.codec == IPLD_RAW => Ok(block.data.into()),
        Some(block) => {
            let BytesDe(bytes) = block.deserialize()?;
            Ok(bytes.into())
        }
    }
}

fn my_address(sys: &mut System<'_>) -> Result<Address, ActorError> {
    let me = sys.receiver();
    eth_address_of(sys.rt, me)
}

fn invoke_contract(rt: &mut dyn Runtime, input: Bytes) -> ActorResult {
    let mut sys = System::load(rt)?;
    if sys.is_dead() {
        return Ok(None);
    }
    let frame = contract_frame(&mut sys, input)?;
    run(&mut sys, frame)
}

/// The frame of a call into this contract's own code by its caller, with the value it sent.
fn contract_frame(sys: &mut System<'_>, input: Bytes) -> Result<Frame, ActorError> {
    let code = sys.load_analysed_bytecode(&sys.state().bytecode.clone())?;
    let caller = sys.rt.message().caller;
    Ok(Frame {
        code,
        input,
        caller: eth_address_of(sys.rt, caller)?,
        receiver: my_address(sys)?,
        value: token_to_u256(&sys.rt.message().value_received),
    })
}

/// Exit 33 with the revert bytes as CBOR bytes.
fn reverted(output: &[u8], what: &str) -> ActorError {
    let data = IpldBlock::serialize(CBOR, &BytesSer(output)).ok();
    ActorError::with_data(EVM_CONTRACT_REVERTED, data, what)
}

/// Executes and flushes; returns the output as CBOR bytes, or exit 33 with the revert data.
fn run(sys: &mut System<'_>, frame: Frame) -> ActorResult {
    let execution = execute(sys, frame)?;
    if !execution.success {
        return Err(reverted(&execution.output, "contract reverted"));
    }
    sys.flush()?;
    Ok(IpldBlock::serialize(CBOR, &BytesSer(&execution.output)).ok())
}

/// Runs initcode and stores the runtime code it returns.
fn initialize(sys: &mut System<'_>, params: ConstructorParams) -> ActorResult {
    let receiver = my_address(sys)?;
    if address_mapping::is_masked_id(&receiver) {
        return Err(ActorError::forbidden("an EVM contract needs an f410 address"));
    }
    sys.constructing = true;
    if !params.initcode.is_empty() {
        let frame = Frame {
            code: Bytecode::new_raw(params.initcode.to_vec().into()),
            input: Bytes::new(),
            caller: Address::from(params.creator),
            receiver,
            value: token_to_u256(&sys.rt.message().value_received),
        };
        let execution = execute(sys, frame)?;
        if !execution.success {
            return Err(reverted(&execution.output, "constructor reverted"));
        }
        let code = execution.output;
        if code.len() > MAX_CODE_SIZE {
            return Err(ActorError::illegal_argument(format!(
                "runtime code of {} bytes exceeds {MAX_CODE_SIZE}",
                code.len()
            )));
        }
        if code.first() == Some(&0xef) {
            return Err(ActorError::illegal_argument(
                "code starting with 0xEF is reserved (EIP-3541)",
            ));
        }
        sys.set_bytecode(&code)?;
    }
    sys.constructing = false;
    sys.flush()?;
    Ok(None)
}

/// `handle_filecoin_method(uint64 method, uint64 codec, bytes params)`: lets native actors and
/// wallets call a contract with any method number ≥ 1024.
fn handle_filecoin_method(
    rt: &mut dyn Runtime,
    method: MethodNum,
    params: Option<IpldBlock>,
) -> ActorResult {
    let (codec, data) = params.map_or((0, Vec::new()), |b| (b.codec, b.data));
    let mut input = Vec::with_capacity(4 + 128 + data.len().div_ceil(32) * 32);
    input.extend_from_slice(&[0x86, 0x8e, 0x10, 0xc4]);
    for word in [U256::from(method), U256::from(codec), U256::from(0x60), U256::from(data.len())] {
        input.extend_from_slice(&word.to_be_bytes::<32>());
    }
    input.extend_from_slice(&data);
    input.resize(4 + (input.len() - 4).div_ceil(32) * 32, 0);

    let mut sys = System::load(rt)?;
    if sys.is_dead() {
        return Ok(None);
    }
    let frame = contract_frame(&mut sys, input.into())?;
    let execution = execute(&mut sys, frame)?;
    if !execution.success {
        return Err(reverted(&execution.output, "contract reverted"));
    }
    sys.flush()?;
    decode_filecoin_return(&execution.output)
}

/// Decodes `(uint32 exit_code, uint64 codec, bytes data)`; empty output is success with nothing.
fn decode_filecoin_return(output: &[u8]) -> ActorResult {
    if output.is_empty() {
        return Ok(None);
    }
    let bad = || ActorError::serialization("malformed handle_filecoin_method return");
    let word = |i: usize| output.get(i * 32..i * 32 + 32).map(U256::from_be_slice).ok_or_else(bad);
    let exit = u32::try_from(word(0)?).map_err(|_| bad())?;
    let codec = u64::try_from(word(1)?).map_err(|_| bad())?;
    let offset = usize::try_from(word(2)?).map_err(|_| bad())?;
    let len_at = offset.checked_add(32).ok_or_else(bad)?;
    let len = output.get(offset..len_at).map(U256::from_be_slice).ok_or_else(bad)?;
    let len = usize::try_from(len).map_err(|_| bad())?;
    let data =
        output.get(len_at..len_at.checked_add(len).ok_or_else(bad)?).ok_or_else(bad)?.to_vec();
    let block = match codec {
        0 if data.is_empty() => None,
        0 => return Err(ActorError::serialization("codec 0 with data")),
        CBOR => Some(IpldBlock { codec: CBOR, data }),
        other => {
            return Err(ActorError::serialization(format!("unsupported return codec {other:#x}")));
        }
    };
    if exit == 0 {
        Ok(block)
    } else {
        Err(ActorError::with_data(ExitCode::new(exit), block, "contract returned an error"))
    }
}

/// The code of an EVM actor and its hash, through `GetBytecode` (None if dead or empty).
pub(crate) fn fetch_bytecode(
    rt: &mut dyn Runtime,
    id: ActorID,
) -> Result<Option<(Bytes, B256)>, ActorError> {
    let outcome = rt.send(
        &fvm_shared::address::Address::new_id(id),
        GET_BYTECODE_METHOD,
        None,
        Default::default(),
        None,
        SendFlags::READ_ONLY,
    )?;
    let Ok(outcome) = outcome else { return Ok(None) };
    if !outcome.exit_code.is_success() {
        return Ok(None);
    }
    let cid: Option<cid::Cid> = match outcome.return_data {
        Some(block) => block.deserialize()?,
        None => None,
    };
    let Some(cid) = cid else { return Ok(None) };
    let code = fvm_ipld_blockstore::Blockstore::get(&rt.store(), &cid)
        .map_err(|e| ActorError::illegal_state(e.to_string()))?
        .unwrap_or_default();
    rt.charge_gas(filecoin_vm::gas::price::HASH_KECCAK_PER_BYTE.times(code.len() as u64))?;
    let hash = keccak256(&code);
    Ok(Some((code.into(), hash)))
}
