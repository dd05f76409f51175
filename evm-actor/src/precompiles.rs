//! Precompiles (FEVM.md §2): Ethereum's 0x01–0x09, BLS12-381 0x0b–0x11 and P256VERIFY 0x100
//! (revm's implementations), and Filecoin's 0xfe00..01–06. A call to any other reserved slot
//! succeeds with empty output. Value sent with a successful precompile call moves to the
//! precompile's f410 address.
//!
//! Gas: the caller's gas is ignored (except by `call_actor`); compute is charged in Filecoin
//! gas — ecrecover at the FVM's secp256k1 recovery price, the hashes at the FVM's per-byte
//! hashing prices, identity at the copy price, and the curve operations at revm's Ethereum
//! price taken 1:1 as Filecoin gas.

use std::sync::LazyLock;

use alloy_primitives::{Address, Bytes, U256};
use filecoin_vm::gas::price;
use filecoin_vm::{ActorError, Gas};
use fvm_ipld_encoding::CBOR;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_shared::error::ExitCode;
use fvm_shared::sys::SendFlags;
use fvm_shared::{METHOD_SEND, MethodNum};
use revm::precompile::{PrecompileStatus, Precompiles};

use crate::addressing;
use crate::interpreter::host::FevmHost;
use crate::units::u256_to_token;

/// How the precompile was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// CALL.
    Call,
    /// STATICCALL.
    StaticCall,
    /// DELEGATECALL.
    DelegateCall,
}

const fn eth(k: u16) -> Address {
    let mut bytes = [0u8; 20];
    let be = k.to_be_bytes();
    bytes[18] = be[0];
    bytes[19] = be[1];
    Address::new(bytes)
}

const fn fil(k: u8) -> Address {
    let mut bytes = [0u8; 20];
    bytes[0] = 0xfe;
    bytes[19] = k;
    Address::new(bytes)
}

/// `resolve_address`.
pub const RESOLVE_ADDRESS: Address = fil(1);
/// `lookup_delegated_address`.
pub const LOOKUP_DELEGATED_ADDRESS: Address = fil(2);
/// `call_actor`.
pub const CALL_ACTOR: Address = fil(3);
/// `call_actor_id`.
pub const CALL_ACTOR_ID: Address = fil(5);
/// `get_randomness` (FIP-0095).
pub const GET_RANDOMNESS: Address = fil(6);

/// FEVM's Ethereum precompiles: revm's Osaka set minus KZG (0x0a), with the Berlin modexp (FEVM
/// applies EIP-2565 pricing but not EIP-7823's size caps).
static ETHEREUM: LazyLock<Precompiles> = LazyLock::new(|| {
    let mut set = Precompiles::default();
    let osaka = Precompiles::osaka();
    let berlin = Precompiles::berlin();
    for k in (1u16..=9).chain(0x0b..=0x11).chain([0x100]) {
        let from = if k == 5 { berlin } else { osaka };
        if let Some(p) = from.get(&eth(k)) {
            set.extend([p.clone()]);
        }
    }
    set
});

/// Whether a precompile is installed at `address` (as opposed to an empty reserved slot).
pub fn is_assigned(address: &Address) -> bool {
    ETHEREUM.contains(address)
        || [RESOLVE_ADDRESS, LOOKUP_DELEGATED_ADDRESS, CALL_ACTOR, CALL_ACTOR_ID, GET_RANDOMNESS]
            .contains(address)
}

/// Runs the precompile at `address` (a reserved address). `Ok(Err(()))` is a precompile failure
/// (the CALL pushes 0); `Err` aborts the contract (out of gas).
pub(crate) fn call(
    h: &mut FevmHost<'_, '_>,
    address: &Address,
    input: &Bytes,
    value: &U256,
    kind: CallKind,
    gas_limit: u64,
    read_only: bool,
) -> Outcome {
    let output = match *address {
        RESOLVE_ADDRESS => resolve_address(h, input)?,
        LOOKUP_DELEGATED_ADDRESS => lookup_delegated_address(h, input)?,
        CALL_ACTOR | CALL_ACTOR_ID if kind != CallKind::DelegateCall => Err(()),
        CALL_ACTOR => call_actor(h, input, false, gas_limit, read_only)?,
        CALL_ACTOR_ID => call_actor(h, input, true, gas_limit, read_only)?,
        GET_RANDOMNESS => get_randomness(h, input)?,
        _ => match ETHEREUM.get(address) {
            Some(p) => ethereum(h, p, address, input)?,
            None => Ok(Bytes::new()),
        },
    };
    let Ok(output) = output else { return Ok(Err(())) };
    if !value.is_zero() && kind == CallKind::Call {
        let target = addressing::to_filecoin(address);
        let paid = h.sys.send(
            &target,
            METHOD_SEND,
            None,
            u256_to_token(*value),
            None,
            SendFlags::empty(),
        )?;
        if !matches!(&paid, Ok(o) if o.exit_code.is_success()) {
            return Ok(Err(()));
        }
    }
    Ok(Ok(output))
}

type Outcome = Result<Result<Bytes, ()>, ActorError>;

fn charge(h: &mut FevmHost<'_, '_>, gas: Gas) -> Result<(), ActorError> {
    h.sys.rt.charge_gas(gas)
}

fn ethereum(
    h: &mut FevmHost<'_, '_>,
    p: &revm::precompile::Precompile,
    address: &Address,
    input: &[u8],
) -> Outcome {
    let len = input.len() as u64;
    let fixed = match address.as_slice()[19] {
        1 if address == &eth(1) => Some(price::SECP256K1_RECOVER),
        2 if address == &eth(2) => Some(price::HASH_SHA256_PER_BYTE.times(len)),
        3 if address == &eth(3) => Some(price::HASH_RIPEMD_PER_BYTE.times(len)),
        4 if address == &eth(4) => Some(Gas::from_milligas(400).times(len)),
        _ => None,
    };
    if let Some(gas) = fixed {
        charge(h, gas)?;
    }
    let Ok(out) = p.execute(input, u64::MAX, 0) else { return Ok(Err(())) };
    if fixed.is_none() {
        charge(h, Gas::new(out.gas_used))?;
    }
    Ok(match out.status {
        PrecompileStatus::Success => Ok(out.bytes),
        _ => Err(()),
    })
}

/// Reads 32-byte ABI words; reading past the end yields zeros.
struct Words<'a>(&'a [u8]);

impl Words<'_> {
    fn word(&self, index: usize) -> U256 {
        let mut word = [0u8; 32];
        let start = index.saturating_mul(32);
        if let Some(rest) = self.0.get(start..) {
            let n = rest.len().min(32);
            word[..n].copy_from_slice(&rest[..n]);
        }
        U256::from_be_bytes(word)
    }

    fn u64(&self, index: usize) -> Result<u64, ()> {
        u64::try_from(self.word(index)).map_err(|_| ())
    }

    /// A dynamic `bytes` argument whose offset is in word `index`.
    fn bytes(&self, index: usize) -> Result<Vec<u8>, ()> {
        let offset = usize::try_from(self.word(index)).map_err(|_| ())?;
        let len_word = Words(self.0.get(offset..).unwrap_or_default()).word(0);
        let len = usize::try_from(len_word).map_err(|_| ())?;
        let start = offset.checked_add(32).ok_or(())?;
        let end = start.checked_add(len).ok_or(())?;
        // Params beyond the FVM's 1 MiB block limit are refused before anything is allocated.
        if len > 1 << 20 {
            return Err(());
        }
        let mut out = vec![0u8; len];
        if let Some(available) = self.0.get(start.min(self.0.len())..end.min(self.0.len())) {
            out[..available.len()].copy_from_slice(available);
        }
        Ok(out)
    }
}

fn resolve_address(h: &mut FevmHost<'_, '_>, input: &[u8]) -> Outcome {
    let Ok(address) = fvm_shared::address::Address::from_bytes(input) else { return Ok(Err(())) };
    Ok(Ok(match h.sys.rt.resolve_address(&address)? {
        Some(id) => Bytes::from(U256::from(id).to_be_bytes::<32>().to_vec()),
        None => Bytes::new(),
    }))
}

fn lookup_delegated_address(h: &mut FevmHost<'_, '_>, input: &[u8]) -> Outcome {
    let Ok(id) = Words(input).u64(0) else { return Ok(Err(())) };
    Ok(Ok(match h.sys.rt.lookup_delegated_address(id)? {
        Some(address) => Bytes::from(address.to_bytes()),
        None => Bytes::new(),
    }))
}

fn get_randomness(h: &mut FevmHost<'_, '_>, input: &[u8]) -> Outcome {
    let Ok(epoch) = Words(input).u64(0) else { return Ok(Err(())) };
    let Ok(epoch) = i64::try_from(epoch) else { return Ok(Err(())) };
    match h.sys.rt.beacon_randomness(epoch) {
        Ok(r) => Ok(Ok(Bytes::from(r.to_vec()))),
        Err(e) if e.exit_code() == ExitCode::SYS_OUT_OF_GAS => Err(e),
        Err(_) => Ok(Err(())),
    }
}

/// `call_actor` / `call_actor_id`: a native send on the contract's behalf. Returns
/// `abi.encode(int256 exit_code, uint64 codec, bytes data)`; a syscall failure is the negated
/// error number.
fn call_actor(
    h: &mut FevmHost<'_, '_>,
    input: &[u8],
    by_id: bool,
    gas: u64,
    read_only: bool,
) -> Outcome {
    let words = Words(input);
    let parsed = (|| {
        let method: MethodNum = words.u64(0)?;
        let value = words.word(1);
        let flags = SendFlags::from_bits(words.u64(2)?).ok_or(())?;
        let codec = words.u64(3)?;
        let params = words.bytes(4)?;
        let target = if by_id {
            fvm_shared::address::Address::new_id(words.u64(5)?)
        } else {
            fvm_shared::address::Address::from_bytes(&words.bytes(5)?).map_err(|_| ())?
        };
        if method != METHOD_SEND && method <= 1023 {
            return Err(());
        }
        let params = match codec {
            0 if params.is_empty() => None,
            CBOR => Some(IpldBlock { codec: CBOR, data: params }),
            _ => return Err(()),
        };
        Ok((method, value, flags, params, target))
    })();
    let Ok((method, value, mut flags, params, target)) = parsed else { return Ok(Err(())) };
    if read_only {
        flags |= SendFlags::READ_ONLY;
    }
    let outcome = h.sys.send(&target, method, params, u256_to_token(value), Some(gas), flags)?;
    let (exit, codec, data) = match outcome {
        Ok(o) => {
            let (codec, data) = o.return_data.map_or((0, Vec::new()), |b| (b.codec, b.data));
            (i64::from(o.exit_code.value()), codec, data)
        }
        Err(errno) => (-(errno as i64), 0, Vec::new()),
    };
    Ok(Ok(abi_call_actor_return(exit, codec, &data)))
}

/// `abi.encode(int256, uint64, bytes)`.
fn abi_call_actor_return(exit: i64, codec: u64, data: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(128 + data.len().div_ceil(32) * 32);
    let exit_word = if exit < 0 {
        U256::ZERO.wrapping_sub(U256::from(exit.unsigned_abs()))
    } else {
        U256::from(exit)
    };
    out.extend_from_slice(&exit_word.to_be_bytes::<32>());
    out.extend_from_slice(&U256::from(codec).to_be_bytes::<32>());
    out.extend_from_slice(&U256::from(0x60).to_be_bytes::<32>());
    out.extend_from_slice(&U256::from(data.len()).to_be_bytes::<32>());
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(32) * 32, 0);
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fevm_precompile_set() {
        for k in (1u16..=9).chain(0x0b..=0x11).chain([0x100]) {
            assert!(is_assigned(&eth(k)), "0x{k:x} must be installed");
        }
        assert!(!is_assigned(&eth(0x0a)), "KZG is not supported on FEVM");
        assert!(!is_assigned(&eth(0x12)));
        assert!(!is_assigned(&fil(4)), "get_actor_type is disabled");
        assert!(is_assigned(&fil(6)) && !is_assigned(&fil(7)));
    }

    #[test]
    fn call_actor_return_encoding() {
        let out = abi_call_actor_return(-6, 0, &[]);
        assert_eq!(out.len(), 128);
        assert_eq!(U256::from_be_slice(&out[..32]), U256::MAX - U256::from(5));
        let out = abi_call_actor_return(0, 0x51, &[1, 2, 3]);
        assert_eq!(out.len(), 160);
        assert_eq!(out[128..131], [1, 2, 3]);
    }

    #[test]
    fn abi_words_read_zeros_past_the_end() {
        let w = Words(&[0xff]);
        assert_eq!(w.word(0), U256::from(0xff) << 248);
        assert_eq!(w.word(5), U256::ZERO);
        assert!(Words(&[0xff; 32]).u64(0).is_err());
    }
}
