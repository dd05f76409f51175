//! How EVM execution is charged in Filecoin gas.
//!
//! FEVM has no EVM gas schedule: the real actor is Wasm, metered at 4 gas per Wasm instruction,
//! plus the FVM's syscall charges. We run native code, so we meter compute with revm's gas counter
//! configured as a *Filecoin* schedule and charge what it counts, 1:1, as Filecoin gas:
//!
//! - every executed opcode costs [`OPCODE_GAS`] (about the 25 Wasm instructions × 4 gas the
//!   builtin-actors interpreter spends on a simple opcode);
//! - memory grows linearly, [`MEMORY_WORD_GAS`] per 32-byte word, with no quadratic term
//!   (FEVM memory is bounded by Wasm memory, not priced quadratically);
//! - copies (CALLDATACOPY, CODECOPY, RETURNDATACOPY, MCOPY, EXTCODECOPY) cost the FVM's memcpy
//!   price, 0.4 gas per byte, rounded up to [`COPY_WORD_GAS`] per word;
//! - KECCAK256 costs the FVM's keccak hashing price, 33 gas per byte ([`KECCAK_WORD_GAS`] per word);
//! - EXP costs [`EXP_BYTE_GAS`] per exponent byte.
//!
//! Everything that touches the VM — storage (KAMT block reads and writes), sends, events,
//! address resolution, randomness — is charged by the VM's own price list on top. There are no
//! refunds, no warm/cold distinction and no 2300 stipend; GAS returns Filecoin gas left.
//!
//! The schedule is deterministic, and for gas estimation it is an honest quantity: re-running the
//! same call with the gas it used succeeds.

use revm::context_interface::cfg::{GasId, GasParams};
use revm::interpreter::instructions::GasTable;
use std::sync::Arc;

/// Compute charged per executed opcode.
pub const OPCODE_GAS: u16 = 100;
/// Memory expansion, per 32-byte word.
pub const MEMORY_WORD_GAS: u64 = 12;
/// Copying, per 32-byte word (0.4 gas per byte).
pub const COPY_WORD_GAS: u64 = 13;
/// KECCAK256, per 32-byte word (33 gas per byte).
pub const KECCAK_WORD_GAS: u64 = 33 * 32;
/// EXP, per byte of exponent.
pub const EXP_BYTE_GAS: u64 = 50;

/// The static per-opcode charge.
pub fn gas_table() -> GasTable {
    [OPCODE_GAS; 256]
}

/// The dynamic charges revm's own instructions apply (memory, copies, hashing, EXP); every
/// Ethereum-specific charge is zero.
pub fn gas_params() -> GasParams {
    let mut table = [0u64; 256];
    for (id, gas) in [
        (GasId::memory_linear_cost(), MEMORY_WORD_GAS),
        (GasId::memory_quadratic_reduction(), u64::MAX),
        (GasId::copy_per_word(), COPY_WORD_GAS),
        (GasId::keccak256_per_word(), KECCAK_WORD_GAS),
        (GasId::exp_byte_gas(), EXP_BYTE_GAS),
    ] {
        table[id.as_usize()] = gas;
    }
    GasParams::new(Arc::new(table))
}
